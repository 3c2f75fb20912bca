"""mmagic's BasicImageDataset with clear errors for bad data."""
import os.path as osp
from typing import List, Optional

import cv2
import numpy as np
from mmengine.logging import print_log

from mmagic.datasets import BasicImageDataset
from mmagic.registry import DATASETS


@DATASETS.register_module()
class CheckedImageDataset(BasicImageDataset):
    """``BasicImageDataset`` that fails early and clearly on bad data.

    - A missing image folder, or one without images, raises at build time
      naming the folder and the config keys that set it.
    - An image file that cannot be decoded (truncated, not an image) is
      skipped with a warning counting the skipped files, and another image
      is drawn in its place (mmengine's refetch), during training; at test
      time it raises, naming the file.
    - ``min_size`` (h, w): an image smaller than this (e.g. than the crop
      that follows) raises, naming the file, instead of being silently
      cropped short and stretched.

    Greyscale and RGBA files are fine: ``LoadImageFromFile`` reads them as
    3-channel images (grey repeated, alpha dropped).

    Args:
        min_size (tuple, optional): Smallest (height, width) accepted.
        Others as ``BasicImageDataset``.
    """

    def __init__(self, *args, min_size: Optional[tuple] = None, **kwargs):
        self.min_size = tuple(min_size) if min_size is not None else None
        self.skipped: List[str] = []
        super().__init__(*args, **kwargs)

    def load_data_list(self) -> List[dict]:
        folder = self.data_prefix[self.search_key]
        if not self.use_ann_file and not osp.isdir(folder):
            raise FileNotFoundError(
                f'Image folder {folder!r} does not exist. Set the dataset\'s '
                '`data_root` (and `data_prefix`) to a folder of images, e.g. '
                '--cfg-options train_dataloader.dataset.data_root=/data/x.')
        data_list = super().load_data_list()
        if not data_list:
            raise ValueError(
                f'No images ({", ".join(self.img_suffix)}) found in '
                f'{folder!r}; point `data_root`/`data_prefix` at a folder '
                'that holds them.')
        return data_list

    def prepare_data(self, idx: int):
        info = self.get_data_info(idx)
        path = info[f'{self.search_key}_path']
        image = _decode(path)
        if image is None:
            if self.test_mode:
                raise ValueError(f'Cannot decode image {path!r} (truncated '
                                 'or not an image); remove or replace it.')
            self.skipped.append(path)
            print_log(
                f'Skipping unreadable image {path!r} (truncated or not an '
                f'image); {len(self.skipped)} skipped so far.',
                logger='current', level=30)
            return None
        if self.min_size is not None and (
                image.shape[0] < self.min_size[0]
                or image.shape[1] < self.min_size[1]):
            raise ValueError(
                f'Image {path!r} is {image.shape[0]}x{image.shape[1]}, '
                f'smaller than the {self.min_size[0]}x{self.min_size[1]} the '
                'pipeline crops; use larger images or a smaller crop.')
        return super().prepare_data(idx)


def _decode(path: str) -> Optional[np.ndarray]:
    """The image at ``path`` (any channels), or None if it cannot be read."""
    try:
        data = np.fromfile(path, dtype=np.uint8)
    except OSError:
        return None
    if data.size == 0:
        return None
    return cv2.imdecode(data, cv2.IMREAD_UNCHANGED)
