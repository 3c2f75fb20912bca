"""Stop (or roll back) training when energy-based learning diverges."""
from typing import Dict, Optional, Sequence

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmagic.registry import HOOKS
from ..utils.errors import SettingError, UsageError
from .divergence import (DEFAULT_WATCH, DivergenceDetector, check_thresholds,
                         clear_divergence, last_good_checkpoint,
                         reload_checkpoint, scale_learning_rates,
                         write_divergence)

USUAL_CAUSES = (
    'Usual causes: a descriptor learning rate that is too large, a Langevin '
    'step size (delta) or number of steps (l_p) that is too large, or a '
    'reference std s that is too small; keep langevin_drift near 0.01.')

# checkpoint meta key: the scale rollbacks have put on the learning rates
LR_SCALE_KEY = 'divergence_guard_lr_scale'


class TrainingDiverged(UsageError, RuntimeError):
    """Raised by :class:`DivergenceGuardHook` to stop a diverged run."""


@HOOKS.register_module()
class DivergenceGuardHook(Hook):
    """Stop, or roll back, a run whose energy-based learning diverges.

    Each iteration a :class:`DivergenceDetector` reads the logged outputs
    and the parameters. The quantities it watches are the model's
    (``divergence_watch``: CoopNets and Algorithm D watch their losses,
    energies and Langevin drift, Algorithm G its loss) unless ``keys`` and
    ``drift_key`` are given. The hook runs before the checkpoint hook, so
    the diverged state is never saved and the last good checkpoint is never
    overwritten. The last good checkpoint is the newest ``iter_N.pth`` in
    the work dir whose parameters went on to give a healthy iteration: the
    one saved right before the first bad iteration holds the update that
    diverged and is passed over. Then:

    - ``action='stop'``: raise :class:`TrainingDiverged`, naming the
      iteration, the quantity, its value, the usual causes and the last good
      checkpoint, after writing the same facts to ``diverged.json`` in the
      work dir (``iteration``, ``problem``, ``last_good_checkpoint``), which
      scripts read instead of the message (:func:`read_divergence`), and
      pointing ``last_checkpoint`` at the last good checkpoint (emptying it
      when there is none), so a plain ``--resume`` continues from there; a
      run that starts in that work dir removes an earlier record;
    - ``action='rollback'``: reload the last good checkpoint (model,
      optimisers, message hub), lower every learning rate by ``lr_factor``
      (compounding: after k rollbacks the rates are ``lr_factor**k`` times
      the schedule's) and continue, ``max_keep_ckpts`` counting from the
      checkpoints kept when the reloaded one was saved (it and those before
      it are never deleted for its re-save); after ``max_rollbacks``
      rollbacks, stop as above.

    The scale the rollbacks have put on the learning rates is stamped in
    every checkpoint's meta (``divergence_guard_lr_scale``): the checkpoint
    hook saves the reloaded state again under its own name (the same
    weights, now with the lowered rates), and a checkpoint written after a
    rollback carries lowered rates, so a later rollback to it, or
    ``--resume`` from it, must not lower them a second time. Switch the
    hook off with ``default_hooks.divergence_guard=None``.

    Args:
        keys (Sequence[str], optional): Logged quantities to watch
            (default: the model's).
        drift_key (str, optional): The drift quantity (default: the
            model's).
        max_abs (float): Bound on |value| of the watched quantities.
        max_drift (float): Bound on the drift.
        patience (int): Consecutive iterations over ``max_drift`` tolerated.
        action (str): 'stop' or 'rollback'.
        lr_factor (float): Learning-rate multiplier per rollback.
        max_rollbacks (int): Rollbacks before stopping.
    """

    priority = 'ABOVE_NORMAL'  # before CheckpointHook (VERY_LOW)

    def __init__(self,
                 keys: Optional[Sequence[str]] = None,
                 drift_key: Optional[str] = None,
                 max_abs: float = 1e15,
                 max_drift: float = 0.5,
                 patience: int = 3,
                 action: str = 'stop',
                 lr_factor: float = 0.5,
                 max_rollbacks: int = 3):
        if action not in ('stop', 'rollback'):
            raise SettingError(f"action must be 'stop' or 'rollback', got "
                               f'{action!r}.')
        if not 0 < lr_factor < 1:
            raise SettingError(
                f'lr_factor must be in (0, 1), got {lr_factor}.')
        self.detector_args = dict(max_abs=max_abs, max_drift=max_drift,
                                  patience=patience)
        check_thresholds(**self.detector_args)  # before training starts
        self.keys = keys
        self.drift_key = drift_key
        self.detector: Optional[DivergenceDetector] = None
        self.action = action
        self.lr_factor = lr_factor
        self.max_rollbacks = int(max_rollbacks)
        self.rollbacks = 0
        # the learning rates in use are lr_scale x those of the schedule
        self.lr_scale = 1.0

    def before_train(self, runner) -> None:
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        watch = dict(DEFAULT_WATCH, **getattr(model, 'divergence_watch', {}))
        if self.keys is not None:
            watch['keys'] = self.keys
        if self.drift_key is not None:
            watch['drift_key'] = self.drift_key
        self.detector = DivergenceDetector(**watch, **self.detector_args)
        if runner.rank == 0:
            clear_divergence(runner.work_dir)  # this run starts afresh

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        checkpoint.setdefault('meta', {})[LR_SCALE_KEY] = self.lr_scale

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        self.lr_scale = checkpoint.get('meta', {}).get(LR_SCALE_KEY, 1.0)

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch=None,
                         outputs: Optional[Dict] = None) -> None:
        found = self.detector.check(runner.model, outputs or {})
        if found is None:
            return
        problem, bad_iterations = found
        iteration = runner.iter + 1
        message = (f'Training diverged at iteration {iteration}: '
                   f'{problem}. {USUAL_CAUSES}')
        checkpoint = last_good_checkpoint(runner.work_dir,
                                          iteration - bad_iterations + 1)
        if self.action == 'rollback' and checkpoint and \
                self.rollbacks < self.max_rollbacks:
            self.rollback(runner, checkpoint, message)
            return
        where = (f'The last good checkpoint, {checkpoint}, was kept and '
                 'last_checkpoint names it: lower the setting at fault and '
                 'continue from it with --resume, e.g. --resume '
                 '--cfg-options optim_wrapper.descriptor.optimizer.lr=1e-4.'
                 if checkpoint else 'No checkpoint had been written.')
        if self.rollbacks:
            where = f'Rolled back {self.rollbacks} times already. ' + where
        if runner.rank == 0:
            write_divergence(runner.work_dir, iteration, problem, checkpoint)
        raise TrainingDiverged(f'{message} {where}')

    def rollback(self, runner, checkpoint: str, message: str) -> None:
        self.rollbacks += 1
        self.detector.over_drift = 0
        target = self.lr_scale * self.lr_factor
        # reloading sets lr_scale to the checkpoint's (after_load_checkpoint)
        reload_checkpoint(runner, checkpoint)
        scale_learning_rates(runner, target / self.lr_scale)
        self.lr_scale = target
        runner.logger.warning(
            f'{message} Rolled back to {checkpoint} (rollback '
            f'{self.rollbacks} of {self.max_rollbacks}) with learning rates '
            f'x{target:g}.')
