"""Load a trained model from a config and checkpoint."""
from typing import Optional, Union

import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import load_state_dict

from mmagic.registry import MODELS
from ..utils import check_checkpoint_fits, read_checkpoint


def init_model(config: Union[str, Config],
               checkpoint: str,
               device: Optional[str] = None,
               cfg_options: Optional[dict] = None) -> torch.nn.Module:
    """The config's model with the checkpoint's weights, in eval mode.

    ``config`` is a config file or a loaded :class:`Config`.
    Refuses checkpoints whose weights do not fit (see
    :func:`mmcoop.utils.check_checkpoint_fits`). ``device`` defaults to
    CUDA when available. The checkpoint's ``meta`` (e.g. its ``iter``) is
    kept as ``model.checkpoint_meta``.
    """
    cfg = Config.fromfile(config) if isinstance(config, str) else config
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmagic'))
    model = MODELS.build(cfg.model)
    contents = read_checkpoint(checkpoint)  # read once: check, then load
    check_checkpoint_fits(model, checkpoint, contents)
    load_state_dict(model, contents.get('state_dict', contents),
                    logger='silent')
    model.checkpoint_meta = contents.get('meta', {})
    device = device or ('cuda' if torch.cuda.is_available() else 'cpu')
    return model.to(device).eval()
