"""Classical inpainting baselines: OpenCV's Telea and Navier-Stokes."""
from typing import Optional

import cv2
import numpy as np
import torch
from torch import Tensor

from mmagic.registry import MODELS
from mmagic.structures import DataSample
from .base_inpaintor import TestTimeInpaintor
from ...utils.errors import SettingError

OPENCV_METHODS = {'telea': cv2.INPAINT_TELEA, 'ns': cv2.INPAINT_NS}


@MODELS.register_module()
class OpenCVInpaintor(TestTimeInpaintor):
    """``cv2.inpaint`` as an mmagic inpaintor (the paper's interpolation
    baselines of Table 2).

    It has no weights: ``tools/test.py`` runs it without a checkpoint. Its
    predictions have the layout of mmagic's ``OneStageInpaintor``.

    Args:
        method (str): 'telea' (Telea 2004, fast marching) or 'ns'
            (Navier-Stokes, Bertalmio et al. 2001).
        radius (float): Neighbourhood radius in pixels.
        data_preprocessor (dict): mmagic ``DataPreprocessor`` config.
    """

    def __init__(self,
                 method: str = 'telea',
                 radius: float = 3.0,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        super().__init__(data_preprocessor, init_cfg)
        if method not in OPENCV_METHODS:
            raise SettingError(f'method must be one of '
                               f'{sorted(OPENCV_METHODS)}, got {method!r}.')
        if not radius > 0:
            raise SettingError(f'radius must be positive, got {radius}.')
        self.method = method
        self.radius = float(radius)

    def complete(self, images: Tensor, mask: Tensor) -> Tensor:
        """Inpaint 0-255 images (N, C, H, W) where ``mask`` (N, 1, H, W) is
        1; returns float 0-255 images, equal to the input elsewhere."""
        outputs = []
        for image, hole in zip(images, mask):
            pixels = image.permute(1, 2, 0).round().clamp(0, 255)
            pixels = pixels.to(torch.uint8).cpu().numpy()
            hole = (hole[0] > 0).to(torch.uint8).cpu().numpy()
            filled = cv2.inpaint(pixels, hole, self.radius,
                                 OPENCV_METHODS[self.method])
            outputs.append(torch.from_numpy(
                np.ascontiguousarray(filled.reshape(pixels.shape))))
        filled = torch.stack(outputs).permute(0, 3, 1, 2).to(images)
        return filled * mask + images * (1 - mask)

    def forward(self,
                inputs: Tensor,
                data_samples: Optional[DataSample] = None,
                mode: str = 'tensor'):
        """``tensor``: the completed 0-255 images; ``predict``: DataSamples
        with ``output.pred_img`` (0-255, the input's channel order)."""
        self.check_call(data_samples, mode)
        mask = data_samples.mask.to(inputs.dtype)
        images = self.data_preprocessor.destruct(inputs, data_samples)
        filled = self.complete(images, mask)
        if mode == 'tensor':
            return filled
        predictions = DataSample(fake_img=filled, pred_img=filled)
        return self.convert_to_datasample(predictions, data_samples, inputs)
