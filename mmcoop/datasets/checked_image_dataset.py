"""mmagic's BasicImageDataset with clear errors for bad data."""
import copy
import os.path as osp
from typing import Dict, List, Optional, Set

import cv2
import numpy as np
from mmengine.dataset import Compose
from PIL import Image
from mmengine.logging import print_log

from mmagic.datasets import BasicImageDataset
from mmagic.registry import DATASETS

from ..utils.errors import MissingFileError, SettingError


#: unreadable images drawn in a row that end training (mmengine's refetch
#: would try 1,000 before failing, with a warning each)
MAX_SKIPS_IN_ROW = 50


@DATASETS.register_module()
class CheckedImageDataset(BasicImageDataset):
    """``BasicImageDataset`` that fails early and clearly on bad data.

    - A missing image folder, or one without images, raises at build time
      naming the folder and the config keys that set it.
    - An image file that cannot be decoded (truncated, not an image) is
      skipped with a warning (once per file, counting the files skipped),
      and another image is drawn in its place (mmengine's refetch), during
      training; :data:`MAX_SKIPS_IN_ROW` unreadable draws in a row raise
      (a folder of non-images). At test time (``test_mode=True``, as the
      FID real-image set is) it raises, naming the file.
    - ``min_size`` (h, w): an image smaller than this (e.g. than the crop
      that follows) raises at build time, naming the file, instead of
      being silently cropped short and stretched; the sizes come from the
      file headers, which also find a folder where no file is an image.

    Greyscale and RGBA files are fine: ``LoadImageFromFile`` reads them as
    3-channel images (grey repeated, alpha dropped).

    ``cache_transforms`` keeps decoded images in memory: the output of the
    first N pipeline transforms (e.g. load, fixed crop, resize) is stored
    per image the first time the image is drawn and reused afterwards, so
    a JPEG is decoded once per process instead of once per epoch; the
    remaining transforms run on a copy each time. Those N transforms must
    not be random, or every epoch would see the first epoch's draw. The
    cache lives in the process that runs the pipeline (each data loader
    worker has its own), so it pays most with ``num_workers=0``. 4,800
    faces at 64x64 take ~60 MB.

    Args:
        min_size (tuple, optional): Smallest (height, width) accepted.
        cache_transforms (int): How many leading pipeline transforms have
            their output kept in memory per image (0: none).
        Others as ``BasicImageDataset``.
    """

    def __init__(self,
                 *args,
                 min_size: Optional[tuple] = None,
                 cache_transforms: int = 0,
                 **kwargs):
        self.min_size = tuple(min_size) if min_size is not None else None
        self.skipped: Set[str] = set()
        self.skips_in_row = 0
        super().__init__(*args, **kwargs)
        transforms = self.pipeline.transforms
        if int(cache_transforms) != cache_transforms or not \
                0 <= cache_transforms <= len(transforms):
            raise SettingError(
                f'cache_transforms must be an integer from 0 to the '
                f'pipeline\'s {len(transforms)} transforms, got '
                f'{cache_transforms!r}.')
        self.cache_transforms = int(cache_transforms)
        self._cached_head = Compose(transforms[:self.cache_transforms])
        self._uncached_tail = Compose(transforms[self.cache_transforms:])
        self._cache: Dict[int, dict] = {}

    def load_data_list(self) -> List[dict]:
        folder = self.data_prefix[self.search_key]
        if not self.use_ann_file and not osp.isdir(folder):
            what = 'is a file, not a folder' if osp.exists(
                folder) else 'does not exist'
            raise MissingFileError(
                f'Image folder {folder!r} {what}. Set the dataset\'s '
                '`data_root` (and `data_prefix`) to a folder of images, e.g. '
                '--cfg-options train_dataloader.dataset.data_root=/data/x.')
        data_list = super().load_data_list()
        if not data_list:
            raise SettingError(
                f'No images ({", ".join(self.img_suffix)}) found in '
                f'{folder!r}; point `data_root`/`data_prefix` at a folder '
                'that holds them.')
        if self.min_size is not None:
            self._check_sizes(folder, data_list)
        return data_list

    def _check_sizes(self, folder: str, data_list: List[dict]) -> None:
        """Refuse images below ``min_size``, and a folder without a single
        readable image, from the file headers (no decoding)."""
        small, unreadable = [], 0
        for info in data_list:
            path = info[f'{self.search_key}_path']
            try:
                with Image.open(path) as image:
                    width, height = image.size
            except Exception:  # noqa: BLE001 - counted, handled when drawn
                unreadable += 1
                continue
            if height < self.min_size[0] or width < self.min_size[1]:
                small.append((path, height, width))
        if unreadable == len(data_list):
            raise SettingError(
                f'None of the {unreadable} files in {folder!r} can be read as '
                'an image; point `data_root`/`data_prefix` at a folder of '
                'images.')
        if small:
            path, height, width = small[0]
            others = f' (and {len(small) - 1} more)' if len(small) > 1 else ''
            raise SettingError(
                f'Image {path!r}{others} is {height}x{width}, smaller than '
                f'the {self.min_size[0]}x{self.min_size[1]} the pipeline '
                'crops; use larger images or a smaller crop.')

    def prepare_data(self, idx: int):
        data_info = self.get_data_info(idx)
        path = data_info[f'{self.search_key}_path']
        try:
            data = self._run_pipeline(idx, data_info)
        except Exception:  # noqa: BLE001 - re-raised unless unreadable
            # only a failed pipeline pays for a second look at the file
            if _decode(path) is not None:
                raise
            return self._unreadable(path)
        self.skips_in_row = 0
        return data

    def _run_pipeline(self, idx: int, data_info: dict):
        """The pipeline's output for image ``idx`` (``data_info``), its
        first ``cache_transforms`` transforms run once and kept in memory."""
        if not self.cache_transforms:
            return self.pipeline(data_info)
        head = self._cache.get(idx)
        if head is None:
            head = self._cached_head(data_info)
            if head is None:
                return None
            self._cache[idx] = head
        # later transforms may change their input in place (mmagic's Flip)
        return self._uncached_tail(copy.deepcopy(head))

    def _unreadable(self, path: str) -> None:
        """Skip (training) or refuse (test) a file that cannot be decoded."""
        if self.test_mode:
            raise SettingError(f'Cannot decode image {path!r} (truncated '
                               'or not an image); remove or replace it.')
        self.skips_in_row += 1
        if self.skips_in_row >= MAX_SKIPS_IN_ROW:
            raise SettingError(
                f'{self.skips_in_row} images drawn in a row could not be '
                f'decoded ({len(self.skipped | {path})} files of '
                f'{len(self)}, e.g. {path!r}); is `data_root` a folder of '
                'images? Remove or replace the unreadable files.')
        if path not in self.skipped:
            self.skipped.add(path)
            print_log(
                f'Skipping unreadable image {path!r} (truncated or not an '
                f'image); {len(self.skipped)} file(s) skipped so far.',
                logger='current', level=30)
        return None


def _decode(path: str) -> Optional[np.ndarray]:
    """The image at ``path`` (any channels), or None if it cannot be read."""
    try:
        data = np.fromfile(path, dtype=np.uint8)
    except OSError:
        return None
    if data.size == 0:
        return None
    return cv2.imdecode(data, cv2.IMREAD_UNCHANGED)
