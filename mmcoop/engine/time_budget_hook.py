"""End training after a wall-clock budget, with a final checkpoint."""
import time
from typing import Optional

from mmengine.hooks import Hook

from mmagic.registry import HOOKS

from ..utils.errors import SettingError


@HOOKS.register_module()
class TimeBudgetHook(Hook):
    """Make the iteration at which ``minutes`` of training have passed the
    run's last one.

    Comparisons at an equal wall-clock budget (paper Table 1 / Figure 5 as
    run by ``tools/benchmarks/compare_methods.py``) need every method to
    stop after the same training time. The clock starts when training
    starts (after building, data loading set-up and any resume) and counts
    everything in the loop, hooks included. When it runs out the loop's
    ``max_iters`` is set to the current iteration, so the rest of the
    machinery treats it as the last one: CheckpointHook (``save_last``)
    writes its checkpoint and the loop ends. The budget is per run: a
    resumed run gets ``minutes`` afresh.

    The ETA that the log shows is the budget's remaining time whenever that
    ends the run first: mmengine's ``IterTimerHook`` computes it from
    ``max_iters``, which a time-budgeted run sets out of reach.

    Args:
        minutes (float): The training time budget.
    """

    # after IterTimerHook (NORMAL, 50), which sets the ETA, and before
    # LoggerHook (BELOW_NORMAL, 60), which prints it, and CheckpointHook
    # (VERY_LOW), which must see the lowered max_iters
    priority = 55

    def __init__(self, minutes: float):
        if not minutes > 0:
            raise SettingError(f'TimeBudgetHook needs a positive number of '
                               f'minutes, got {minutes}.')
        self.minutes = float(minutes)
        self._start: Optional[float] = None

    def before_train(self, runner) -> None:
        self._start = time.perf_counter()

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch=None,
                         outputs=None) -> None:
        elapsed = time.perf_counter() - self._start
        hub = runner.message_hub
        if 'eta' in hub.runtime_info:
            left = max(60 * self.minutes - elapsed, 0.0)
            hub.update_info('eta', min(hub.get_info('eta'), left))
        if elapsed >= 60 * self.minutes and runner.iter + 1 < runner.max_iters:
            runner.logger.info(
                f'TimeBudgetHook: {elapsed / 60:.2f} of {self.minutes:g} '
                f'minutes used; iteration {runner.iter + 1} is the last.')
            # the loop's iteration bound lives in a private attribute;
            # lowering it (instead of setting stop_training) lets the
            # checkpoint hook and the loop see a regular last iteration
            runner.train_loop._max_iters = runner.iter + 1
