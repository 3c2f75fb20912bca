"""Load a trained model from a config and checkpoint; save image grids."""
import os
import os.path as osp
from typing import Optional, Sequence, Union

import cv2
import numpy as np
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import load_checkpoint

from mmagic.registry import MODELS
from ..utils import check_checkpoint_fits


def init_model(config: Union[str, Config],
               checkpoint: str,
               device: Optional[str] = None,
               cfg_options: Optional[dict] = None) -> torch.nn.Module:
    """The config's model with the checkpoint's weights, in eval mode.

    ``config`` is a config file or a loaded :class:`Config`.
    Refuses checkpoints whose weights do not fit (see
    :func:`mmcoop.utils.check_checkpoint_fits`). ``device`` defaults to
    CUDA when available.
    """
    cfg = Config.fromfile(config) if isinstance(config, str) else config
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmagic'))
    model = MODELS.build(cfg.model)
    check_checkpoint_fits(model, checkpoint)
    load_checkpoint(model, checkpoint, map_location='cpu', logger='silent')
    device = device or ('cuda' if torch.cuda.is_available() else 'cpu')
    return model.to(device).eval()


def to_uint8(images: Sequence[torch.Tensor]) -> np.ndarray:
    """(N, C, H, W) 0-255 images (as mmagic's samples are) to uint8 NHWC."""
    stacked = torch.stack([img.detach().float().cpu() for img in images])
    return stacked.round().clamp(0, 255).to(torch.uint8).permute(
        0, 2, 3, 1).numpy()


def save_grid(images: np.ndarray, path: str, nrow: int,
              padding: int = 2) -> None:
    """Write uint8 NHWC images (mmagic's channel order, BGR) as a grid of
    ``nrow`` images per row, white padding between them."""
    num, height, width, channels = images.shape
    rows = -(-num // nrow)
    grid = np.full((rows * (height + padding) + padding,
                    nrow * (width + padding) + padding, channels), 255,
                   np.uint8)
    for index, image in enumerate(images):
        top = padding + (index // nrow) * (height + padding)
        left = padding + (index % nrow) * (width + padding)
        grid[top:top + height, left:left + width] = image
    if osp.dirname(path):
        os.makedirs(osp.dirname(path), exist_ok=True)
    cv2.imwrite(path, grid)
