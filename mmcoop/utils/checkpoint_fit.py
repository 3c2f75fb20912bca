"""Refuse checkpoints that do not fit the model, before using them."""
from typing import Dict, List, Optional

import torch
from mmengine.model import is_model_wrapper

from .checkpoint_files import read_checkpoint
from .errors import SettingError


def checkpoint_mismatches(model: torch.nn.Module,
                          state_dict: Dict[str, torch.Tensor]) -> List[str]:
    """What of ``model``'s state is missing from, or shaped differently in,
    ``state_dict``. Extra checkpoint entries (e.g. a DCGAN discriminator
    when only its generator is used) are not mismatches."""
    if is_model_wrapper(model):
        model = model.module
    # tables that grow with use (persistent chains, per-image latents) may
    # have any number of rows; only the shape of a row must match
    growing = tuple(name + '.' for name, module in model.named_modules()
                    if getattr(module, 'grows_on_load', False))
    problems = []
    for key, value in model.state_dict().items():
        skip = 1 if key.startswith(growing) else 0
        if key not in state_dict:
            problems.append(f'{key} is missing')
        elif tuple(state_dict[key].shape[skip:]) != tuple(value.shape[skip:]):
            problems.append(f'{key} is {tuple(state_dict[key].shape)} in the '
                            f'checkpoint but {tuple(value.shape)} in the '
                            'model')
    return problems


def check_checkpoint_fits(model: torch.nn.Module,
                          path: str,
                          checkpoint: Optional[dict] = None) -> None:
    """Raise :class:`SettingError` if the checkpoint at ``path`` cannot be
    read or does not fit.

    mmengine loads checkpoints with ``strict=False`` and only warns about
    missing or mis-shaped weights, so a checkpoint of another architecture
    would otherwise be evaluated (or trained on) with random weights.
    ``checkpoint``: its contents, when the caller has read them already.
    """
    if checkpoint is None:
        checkpoint = read_checkpoint(path)
    state_dict = checkpoint.get('state_dict', checkpoint) if isinstance(
        checkpoint, dict) else None
    if not isinstance(state_dict, dict):
        raise SettingError(f'{path!r} holds a {type(checkpoint).__name__}, '
                           'not a checkpoint of model weights.')
    problems = checkpoint_mismatches(model, state_dict)
    if problems:
        shown = '; '.join(problems[:5])
        more = f' (and {len(problems) - 5} more)' if len(problems) > 5 else ''
        raise SettingError(
            f'Checkpoint {path!r} does not fit the {type(model).__name__} '
            f'built from the config: {shown}{more}. It was probably trained '
            'with another config (networks, preset, channels or image '
            'size); use that config or a matching checkpoint.')
