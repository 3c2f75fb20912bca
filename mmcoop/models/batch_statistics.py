"""Run batch norm layers on batch statistics without changing them."""
from contextlib import contextmanager

import torch

from ..utils.errors import SettingError

BATCH_NORM_MODES = ('batch', 'running')


def check_batch_norm_mode(mode: str) -> str:
    if mode not in BATCH_NORM_MODES:
        raise SettingError(f"batch_norm must be 'batch' or 'running', got "
                           f'{mode!r}.')
    return mode


@contextmanager
def batch_statistics(module: torch.nn.Module, enabled: bool = True):
    """Inside, ``module``'s batch norm layers normalise with each batch's
    own statistics (as in training) while their running averages, counters
    and train/eval flags are left as they were."""
    layers = [m for m in module.modules()
              if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    if not enabled or not layers:
        yield
        return
    saved = [(m.training, m.momentum, None if m.num_batches_tracked is None
              else m.num_batches_tracked.clone()) for m in layers]
    for m in layers:
        m.train()
        m.momentum = 0.0  # running = (1 - 0) * running + 0 * batch
    try:
        yield
    finally:
        for m, (training, momentum, tracked) in zip(layers, saved):
            m.train(training)
            m.momentum = momentum
            if tracked is not None:
                m.num_batches_tracked.copy_(tracked)
