"""Stop (or roll back) training when energy-based learning diverges."""
import glob
import json
import math
import os
import os.path as osp
import re
from collections import deque
from typing import Dict, Optional, Sequence, Tuple

import torch
from mmengine.hooks import CheckpointHook, Hook

from mmagic.registry import HOOKS

from ..utils.errors import SettingError, UsageError

USUAL_CAUSES = (
    'Usual causes: a descriptor learning rate that is too large, a Langevin '
    'step size (delta) or number of steps (l_p) that is too large, or a '
    'reference std s that is too small; keep langevin_drift near 0.01.')


# checkpoint meta key: the scale rollbacks have put on the learning rates
LR_SCALE_KEY = 'divergence_guard_lr_scale'
# the record a stopped run leaves in its work dir, for scripts
RECORD_NAME = 'diverged.json'


class TrainingDiverged(UsageError, RuntimeError):
    """Raised by :class:`DivergenceGuardHook` to stop a diverged run."""


@HOOKS.register_module()
class DivergenceGuardHook(Hook):
    """Watch losses, energies, Langevin drift and parameters every iteration.

    An iteration diverges when a watched value or a network parameter is not
    finite, when ``|value|`` of a watched quantity exceeds ``max_abs``, or
    when the Langevin drift (per step, relative to |Y|) exceeds
    ``max_drift`` for ``patience`` iterations in a row. The hook runs before
    the checkpoint hook, so the diverged state is never saved and the last
    good checkpoint is never overwritten. The last good checkpoint is the
    newest ``iter_N.pth`` in the work dir whose parameters went on to give
    a healthy iteration: the one saved right before the first bad iteration
    holds the update that diverged and is passed over. Then:

    - ``action='stop'``: raise :class:`TrainingDiverged`, naming the
      iteration, the quantity, its value, the usual causes and the last good
      checkpoint, after writing the same facts to ``diverged.json`` in the
      work dir (``iteration``, ``problem``, ``last_good_checkpoint``), which
      scripts read instead of the message (:func:`read_divergence`), and
      pointing ``last_checkpoint`` at the last good checkpoint (removing it
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
    ``--resume`` from it, must not lower them a second time.

    Args:
        keys (Sequence[str]): Logged quantities to watch.
        max_abs (float): Bound on |value| of the watched quantities.
        drift_key (str): The drift quantity.
        max_drift (float): Bound on the drift.
        patience (int): Consecutive iterations over ``max_drift`` tolerated.
        action (str): 'stop' or 'rollback'.
        lr_factor (float): Learning-rate multiplier per rollback.
        max_rollbacks (int): Rollbacks before stopping.
    """

    priority = 'ABOVE_NORMAL'  # before CheckpointHook (VERY_LOW)

    def __init__(self,
                 keys: Sequence[str] = ('loss_descriptor', 'loss_generator',
                                        'f_observed', 'f_revised'),
                 max_abs: float = 1e15,
                 drift_key: str = 'langevin_drift',
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
        if not (max_abs > 0 and max_drift > 0 and patience >= 1):
            raise SettingError('max_abs and max_drift must be positive and '
                               'patience at least 1.')
        self.keys = tuple(keys)
        self.max_abs = max_abs
        self.drift_key = drift_key
        self.max_drift = max_drift
        self.patience = int(patience)
        self.action = action
        self.lr_factor = lr_factor
        self.max_rollbacks = int(max_rollbacks)
        self.rollbacks = 0
        self._over_drift = 0
        # the learning rates in use are lr_scale x those of the schedule
        self.lr_scale = 1.0

    def before_train(self, runner) -> None:
        record = osp.join(runner.work_dir, RECORD_NAME)
        if runner.rank == 0 and osp.exists(record):
            os.remove(record)  # of an earlier run; this one starts afresh

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        checkpoint.setdefault('meta', {})[LR_SCALE_KEY] = self.lr_scale

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        self.lr_scale = checkpoint.get('meta', {}).get(LR_SCALE_KEY, 1.0)

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch=None,
                         outputs: Optional[Dict] = None) -> None:
        found = self.find_problem(runner.model, outputs or {})
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
            with open(osp.join(runner.work_dir, RECORD_NAME), 'w') as f:
                json.dump(dict(iteration=iteration, problem=problem,
                               last_good_checkpoint=checkpoint), f)
            point_resume_at(runner.work_dir, checkpoint)
        raise TrainingDiverged(f'{message} {where}')

    def find_problem(self, model,
                     outputs: Dict) -> Optional[Tuple[str, int]]:
        """What diverged and over how many iterations, or None."""
        for key in self.keys + (self.drift_key, ):
            if key not in outputs:
                continue
            value = float(outputs[key])
            if not math.isfinite(value):
                return f'{key} is {value}', 1
            if key != self.drift_key and abs(value) > self.max_abs:
                return (f'|{key}| = {abs(value):.3g} exceeds '
                        f'{self.max_abs:g}', 1)
        drift = outputs.get(self.drift_key)
        if drift is not None and float(drift) > self.max_drift:
            self._over_drift += 1
            if self._over_drift >= self.patience:
                return (f'{self.drift_key} = {float(drift):.3g} exceeded '
                        f'{self.max_drift:g} for {self._over_drift} '
                        'iterations', self._over_drift)
        else:
            self._over_drift = 0
        with torch.no_grad():
            # the trained parameters (moving averages, which need no
            # gradient, average them); min and max carry any inf or NaN and
            # read each parameter once, without a temporary copy
            extremes = [bound for p in model.parameters()
                        if p.requires_grad and p.numel()
                        for bound in p.detach().aminmax()]
            if extremes and not torch.isfinite(torch.stack(extremes)).all():
                return 'a network parameter is not finite', 1
        return None

    def rollback(self, runner, checkpoint: str, message: str) -> None:
        self.rollbacks += 1
        self._over_drift = 0
        target = self.lr_scale * self.lr_factor
        # resuming sets lr_scale to the checkpoint's (after_load_checkpoint)
        runner.resume(checkpoint)
        wrappers = (runner.optim_wrapper.values() if hasattr(
            runner.optim_wrapper, 'values') else [runner.optim_wrapper])
        for wrapper in wrappers:
            for group in wrapper.param_groups:
                group['lr'] *= target / self.lr_scale
        self.lr_scale = target
        # the loop adds 1 to its counter after this hook: land on the
        # checkpoint's iteration
        runner.train_loop._iter -= 1
        keep_checkpoints_of(runner)
        runner.logger.warning(
            f'{message} Rolled back to {checkpoint} (rollback '
            f'{self.rollbacks} of {self.max_rollbacks}) with learning rates '
            f'x{target:g}.')


def point_resume_at(work_dir: str, checkpoint: Optional[str]) -> None:
    """Make ``last_checkpoint`` (what a plain ``--resume`` continues from)
    name ``checkpoint``, or remove it when no good checkpoint exists; the
    checkpoints written after the divergence began are kept, not named."""
    pointer = osp.join(work_dir, 'last_checkpoint')
    if checkpoint:
        with open(pointer, 'w') as f:
            f.write(checkpoint)
    elif osp.exists(pointer):
        os.remove(pointer)


def keep_checkpoints_of(runner) -> None:
    """After a rollback, let the checkpoint hook's ``max_keep_ckpts`` count
    the checkpoints kept when the reloaded one was saved (restored with the
    message hub), so that saving it again deletes neither it nor those
    before it. The hook reads that list from the message hub only in
    ``before_train``, so its (public) ``keep_ckpt_ids`` is set here."""
    kept = runner.message_hub.get_info('keep_ckpt_ids')
    for hook in runner.hooks:
        if isinstance(hook, CheckpointHook) and hook.max_keep_ckpts > 0 \
                and kept is not None:
            hook.keep_ckpt_ids = deque(kept, hook.max_keep_ckpts)


def last_good_checkpoint(work_dir: str, first_bad: int) -> Optional[str]:
    """The newest ``iter_N.pth`` in ``work_dir`` with N <= first_bad - 2.

    Iteration ``first_bad`` ran on the parameters saved at ``first_bad - 1``
    (which the diverging update produced); those of ``first_bad - 2`` gave
    the healthy iteration ``first_bad - 1``.
    """
    found = []
    for path in glob.glob(osp.join(work_dir, 'iter_*.pth')):
        match = re.fullmatch(r'iter_(\d+)\.pth', osp.basename(path))
        if match and int(match.group(1)) <= first_bad - 2:
            found.append((int(match.group(1)), path))
    return max(found)[1] if found else None


def read_divergence(work_dir: str) -> Optional[dict]:
    """The record a run stopped by :class:`DivergenceGuardHook` left in
    ``work_dir`` (``iteration``, ``problem``, ``last_good_checkpoint``, the
    latter None when none had been written), or None if it left none."""
    record = osp.join(work_dir, RECORD_NAME)
    if not osp.exists(record):
        return None
    with open(record) as f:
        return json.load(f)
