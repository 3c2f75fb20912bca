"""Refuse a mask whose size differs from its image's, naming both."""
from mmcv.transforms import BaseTransform

from mmagic.registry import TRANSFORMS
from ..utils.errors import SettingError


@TRANSFORMS.register_module()
class MaskFitsImage(BaseTransform):
    """Check that ``results[mask_key]`` is as high and wide as
    ``results[img_key]`` (before mmagic's ``GetMaskedImage``, which would
    otherwise fail with numpy's broadcast error).

    Args:
        img_key (str): Key of the image.
        mask_key (str): Key of the mask.
    """

    def __init__(self, img_key: str = 'gt', mask_key: str = 'mask'):
        self.img_key = img_key
        self.mask_key = mask_key

    def transform(self, results: dict) -> dict:
        image = results[self.img_key].shape[:2]
        mask = results[self.mask_key].shape[:2]
        if tuple(image) != tuple(mask):
            raise SettingError(
                f'The mask is {mask[0]}x{mask[1]} but the image is '
                f'{image[0]}x{image[1]}: set the mask transform\'s size '
                '(LoadMask\'s mask_config.img_shape) to the image size.')
        return results
