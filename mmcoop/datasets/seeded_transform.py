"""Run a random transform with randomness fixed per image."""
import os.path as osp
import zlib

import numpy as np
from mmcv.transforms import BaseTransform

from mmagic.registry import TRANSFORMS


@TRANSFORMS.register_module()
class SeededTransform(BaseTransform):
    """Apply ``transform`` with numpy's global RNG seeded per image.

    The seed is derived from ``seed`` and the image's file name, so a random
    transform (e.g. mmagic's ``LoadMask``, which draws boxes and strokes
    from ``np.random``) gives each image the same result in every run, for
    every method, whatever the number of workers or the batch order. The
    global RNG state is restored afterwards.

    Args:
        transform (dict): The wrapped transform's config.
        seed (int): Base seed; change it for a different set of masks.
        key (str): Results key of the path that identifies the image.
    """

    def __init__(self, transform: dict, seed: int = 0, key: str = 'gt_path'):
        self.inner = TRANSFORMS.build(transform)
        self.seed = int(seed)
        self.key = key

    def transform(self, results: dict) -> dict:
        if self.key not in results:
            raise KeyError(
                f'SeededTransform seeds from results[{self.key!r}], which is '
                f'missing (keys: {sorted(results)}); load the image first or '
                'set `key`.')
        name = osp.basename(str(results[self.key]))
        state = np.random.get_state()
        np.random.seed(zlib.crc32(f'{self.seed}:{name}'.encode()))
        try:
            return self.inner(results)
        finally:
            np.random.set_state(state)

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(transform={self.inner!r}, '
                f'seed={self.seed}, key={self.key!r})')
