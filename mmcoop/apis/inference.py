"""Load a trained model from a config and checkpoint."""
from typing import Optional, Union

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
