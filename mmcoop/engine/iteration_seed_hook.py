"""Randomness that depends only on the seed and the iteration."""
from typing import Optional

import numpy as np
from mmengine.hooks import Hook
from mmengine.runner import set_random_seed

from mmagic.registry import HOOKS


def iteration_seed(base_seed: int, iteration: int) -> int:
    """A 32-bit seed mixed from the run's seed and an iteration index."""
    return int(np.random.SeedSequence([base_seed % 2**32,
                                       iteration]).generate_state(1)[0])


@HOOKS.register_module()
class IterationSeedHook(Hook):
    """Reseed python, numpy and torch (CPU and CUDA) before every training
    iteration from (the run's seed, the iteration index).

    mmengine seeds once at start-up and does not store RNG states in
    checkpoints, so a resumed run draws different Langevin noise and latents
    than an uninterrupted one. With this hook iteration k draws the same
    numbers however the run got there (uninterrupted, resumed, or after
    hooks that sample, like the visualisation hook), so resuming reproduces
    the uninterrupted run exactly on deterministic hardware. The run's seed
    is mmengine's (``randomness.seed``, per rank with ``diff_rank_seed``).
    """

    priority = 'VERY_HIGH'

    def before_train_iter(self,
                          runner,
                          batch_idx: int,
                          data_batch: Optional[dict] = None) -> None:
        set_random_seed(iteration_seed(runner.seed, runner.iter))
