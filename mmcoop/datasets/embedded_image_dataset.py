"""A dataset of one real image that ships inside scikit-image's wheel."""
from typing import Optional, Sequence

import cv2
import numpy as np
from mmengine.dataset import BaseDataset

from mmagic.registry import DATASETS

from ..utils.errors import SettingError


def load_skimage_image(name: str) -> np.ndarray:
    """``skimage.data.<name>()`` as a uint8 BGR (H, W, 3) array.

    Grey images are repeated over three channels; alpha is dropped. BGR is
    what mmagic's ``LoadImageFromFile`` produces, so the rest of an mmagic
    pipeline treats it like an image read from disk.
    """
    import skimage.data
    loader = getattr(skimage.data, name, None)
    if loader is None or name.startswith('_') or not callable(loader):
        raise SettingError(
            f'skimage.data has no image {name!r}; try one of brick, grass, '
            'gravel (grey textures) or coffee, chelsea, astronaut (colour).')
    image = np.asarray(loader())
    if image.dtype != np.uint8:
        raise SettingError(f'skimage.data.{name} is not an 8-bit image '
                           f'(dtype {image.dtype}); pick another image.')
    if image.ndim == 2:
        image = np.repeat(image[..., None], 3, axis=2)
    if image.ndim != 3 or image.shape[2] not in (3, 4):
        raise SettingError(f'skimage.data.{name} has shape {image.shape}, not '
                           'an RGB or grey image.')
    return np.ascontiguousarray(image[..., 2::-1])


@DATASETS.register_module()
class EmbeddedImageDataset(BaseDataset):
    """``num_samples`` copies of one ``skimage.data`` image, for a pipeline.

    Every item is the whole image under the key ``gt`` (BGR uint8), as
    ``LoadImageFromFile(key='gt')`` would give; a random crop in the pipeline
    turns it into training patches (the paper's texture setting learns from
    one image). Nothing is read from disk or the network.

    Args:
        image (str): Name of a ``skimage.data`` image, e.g. 'brick'.
        num_samples (int): Length of the dataset (items per epoch).
        scale (Sequence[int], optional): (width, height) to resize the image
            to before cropping. None keeps its size.
        pipeline (list): mmagic transforms, e.g. ``Crop`` and
            ``PackInputs``.
    """

    def __init__(self,
                 image: str = 'brick',
                 num_samples: int = 1000,
                 scale: Optional[Sequence[int]] = None,
                 pipeline: Sequence = (),
                 **kwargs):
        if num_samples < 1:
            raise SettingError(f'num_samples must be >= 1, got {num_samples}.')
        self.image_name = image
        self.num_samples = num_samples
        self.scale = tuple(scale) if scale is not None else None
        # every item shares one array; serialising would copy it per item
        kwargs.setdefault('serialize_data', False)
        super().__init__(pipeline=list(pipeline), **kwargs)

    def load_data_list(self) -> list:
        image = load_skimage_image(self.image_name)
        if self.scale is not None:
            image = cv2.resize(image, self.scale, interpolation=cv2.INTER_AREA)
        info = dict(
            gt=image,
            gt_path=f'skimage.data.{self.image_name}',
            ori_gt_shape=image.shape,
            gt_channel_order='bgr',
            gt_color_type='color')
        return [dict(info, sample_idx=i) for i in range(self.num_samples)]
