"""What the test-time inpaintors share: mmagic's inpainting interface."""
from typing import Optional

from mmengine.model import BaseModel

from mmagic.models.base_models.one_stage import OneStageInpaintor
from mmagic.structures import DataSample

from ...utils.errors import SettingError


class TestTimeInpaintor(BaseModel):
    """Base of inpaintors that complete images without being trained.

    Subclasses implement ``forward``; they call :meth:`check_call` first (a
    wrong mode fails before any completion work) and pack predictions with
    :meth:`convert_to_datasample`, which is mmagic's ``OneStageInpaintor``'s,
    so mmagic's inpainting metrics and visualisers read them.
    """

    def __init__(self,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        super().__init__(
            data_preprocessor=data_preprocessor or dict(
                type='DataPreprocessor'),
            init_cfg=init_cfg)

    # OneStageInpaintor's packing of predictions and inputs into DataSamples
    convert_to_datasample = OneStageInpaintor.convert_to_datasample

    def check_call(self, data_samples: Optional[DataSample],
                   mode: str) -> None:
        """Refuse training modes and batches without masks."""
        name = type(self).__name__
        if mode not in ('tensor', 'predict'):
            raise SettingError(
                f'{name} only completes images (mode tensor or predict), got '
                f'mode {mode!r}; it is not trained itself (a generator it '
                'uses is trained by CoopNets or DCGAN).')
        if data_samples is None or 'mask' not in data_samples:
            raise SettingError(
                f'{name} needs masks: build the data pipeline with '
                "mmagic's LoadMask and GetMaskedImage before PackInputs.")
