"""PSNR over the masked (occluded) pixels only, as in the paper's Table 2."""
import numpy as np

from mmagic.evaluation.metrics.base_sample_wise_metric import \
    BaseSampleWiseMetric
from mmagic.registry import METRICS

from ..utils.errors import SettingError


@METRICS.register_module()
class MaskedPSNR(BaseSampleWiseMetric):
    """PSNR of the prediction on the pixels where the mask is non-zero.

    Per image 10 log10(255^2 / MSE), the MSE over the masked pixels and all
    channels (0-255 values), averaged over images like mmagic's ``PSNR``.
    mmagic's ``PSNR`` ignores masks; its ``MAE`` with ``mask_key='mask'`` is
    the paper's other number, the mean absolute error over masked pixels
    relative to the pixel range.

    Args:
        mask_key (str): Key of the mask in the data sample (1 = occluded).
        Others as mmagic's ``BaseSampleWiseMetric``.
    """

    metric = 'MaskedPSNR'

    def __init__(self, mask_key: str = 'mask', **kwargs):
        super().__init__(mask_key=mask_key, **kwargs)

    def process_image(self, gt, pred, mask):
        """PSNR of one (C, H, W) image over the pixels where mask is 1."""
        gt, pred, mask = (np.asarray(_to_numpy(v), dtype=np.float64)
                          for v in (gt, pred, mask))
        mask = np.broadcast_to(mask, gt.shape)
        if not mask.any():
            raise SettingError('MaskedPSNR got an image with an empty mask; '
                               'every evaluated image needs occluded pixels.')
        mse = np.square(gt - pred)[mask > 0].mean()
        return float('inf') if mse == 0 else 10 * np.log10(255.**2 / mse)


def _to_numpy(value):
    return value.detach().cpu().numpy() if hasattr(value, 'detach') else value
