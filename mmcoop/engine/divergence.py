"""Telling that energy-based learning diverged, and what it leaves behind:
the detector, the last good checkpoint, the record a stopped run writes and
the rollback that reloads a good state (used by DivergenceGuardHook)."""
import glob
import json
import math
import os
import os.path as osp
import re
from collections import deque
from typing import Dict, Optional, Sequence, Tuple

import torch
from mmengine.hooks import CheckpointHook

from ..utils.errors import SettingError

#: what a model watches unless it says otherwise (``divergence_watch``):
#: CoopNets' losses and energies, and the revision drift
DEFAULT_WATCH = dict(
    keys=('loss_descriptor', 'loss_generator', 'f_observed', 'f_revised'),
    drift_key='langevin_drift')
# the record a stopped run leaves in its work dir, for scripts
RECORD_NAME = 'diverged.json'


def check_thresholds(max_abs: float, max_drift: float, patience: int) -> None:
    """Raise a SettingError unless the detector's thresholds make sense."""
    if not (max_abs > 0 and max_drift > 0 and patience >= 1):
        raise SettingError('max_abs and max_drift must be positive and '
                           'patience at least 1.')


class DivergenceDetector:
    """Finds a divergence in one iteration's logged outputs and parameters.

    An iteration diverges when a watched value or a trained network
    parameter is not finite, when ``|value|`` of a watched quantity exceeds
    ``max_abs``, or when the drift (per Langevin step, relative to |Y|)
    exceeds ``max_drift`` for ``patience`` iterations in a row.

    Args:
        keys (Sequence[str]): Logged quantities to watch.
        drift_key (str, optional): The drift quantity (None: none).
        max_abs (float): Bound on |value| of the watched quantities.
        max_drift (float): Bound on the drift.
        patience (int): Consecutive iterations over ``max_drift`` tolerated.
    """

    def __init__(self,
                 keys: Sequence[str],
                 drift_key: Optional[str],
                 max_abs: float = 1e15,
                 max_drift: float = 0.5,
                 patience: int = 3):
        check_thresholds(max_abs, max_drift, patience)
        self.keys = tuple(keys)
        self.drift_key = drift_key
        self.max_abs = max_abs
        self.max_drift = max_drift
        self.patience = int(patience)
        self.over_drift = 0  # iterations in a row over max_drift

    def check(self, model, outputs: Dict) -> Optional[Tuple[str, int]]:
        """What diverged and over how many iterations, or None."""
        watched = self.keys + ((self.drift_key, ) if self.drift_key else ())
        for key in watched:
            if key not in outputs:
                continue
            value = float(outputs[key])
            if not math.isfinite(value):
                return f'{key} is {value}', 1
            if key != self.drift_key and abs(value) > self.max_abs:
                return (f'|{key}| = {abs(value):.3g} exceeds '
                        f'{self.max_abs:g}', 1)
        drift = outputs.get(self.drift_key) if self.drift_key else None
        if drift is not None and float(drift) > self.max_drift:
            self.over_drift += 1
            if self.over_drift >= self.patience:
                return (f'{self.drift_key} = {float(drift):.3g} exceeded '
                        f'{self.max_drift:g} for {self.over_drift} '
                        'iterations', self.over_drift)
        else:
            self.over_drift = 0
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


def write_divergence(work_dir: str, iteration: int, problem: str,
                     checkpoint: Optional[str]) -> None:
    """Leave the record of a stopped run, and make ``last_checkpoint`` (what
    a plain ``--resume`` continues from) name the last good checkpoint, or
    nothing (an empty file) when there is none; the checkpoints written
    after the divergence began are kept, not named."""
    with open(osp.join(work_dir, RECORD_NAME), 'w') as f:
        json.dump(dict(iteration=iteration, problem=problem,
                       last_good_checkpoint=checkpoint), f)
    with open(osp.join(work_dir, 'last_checkpoint'), 'w') as f:
        f.write(checkpoint or '')


def clear_divergence(work_dir: str) -> None:
    """Remove an earlier run's record (a new run starts afresh)."""
    record = osp.join(work_dir, RECORD_NAME)
    if osp.exists(record):
        os.remove(record)


def read_divergence(work_dir: str) -> Optional[dict]:
    """The record a run stopped by :class:`DivergenceGuardHook` left in
    ``work_dir`` (``iteration``, ``problem``, ``last_good_checkpoint``, the
    latter None when none had been written), or None if it left none."""
    record = osp.join(work_dir, RECORD_NAME)
    if not osp.exists(record):
        return None
    with open(record) as f:
        return json.load(f)


def reload_checkpoint(runner, checkpoint: str) -> None:
    """Reload ``checkpoint`` (model, optimisers, message hub) into the
    running ``runner``; the loop goes on from the checkpoint's iteration."""
    runner.resume(checkpoint)
    # the loop adds 1 to its counter after the hook that called this, and
    # the counter is private: no public means sets the iteration back
    runner.train_loop._iter -= 1
    keep_checkpoints_of(runner)


def scale_learning_rates(runner, factor: float) -> None:
    """Multiply the learning rate of every optimiser's param groups."""
    wrappers = (runner.optim_wrapper.values() if hasattr(
        runner.optim_wrapper, 'values') else [runner.optim_wrapper])
    for wrapper in wrappers:
        for group in wrapper.param_groups:
            group['lr'] *= factor


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
