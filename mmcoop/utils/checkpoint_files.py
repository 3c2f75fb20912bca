"""The checkpoints of a work dir: which one to resume, read with clear errors.

mmengine resumes from the path that ``last_checkpoint`` holds, and starts
from scratch without a word when there is none; it reads that path as
written, so a work dir that was moved or copied cannot resume; and a
truncated checkpoint fails inside torch. The tools ask these functions
instead.
"""
import glob
import os
import os.path as osp
import re
from typing import List, Optional

import torch

from .errors import MissingFileError, SettingError

POINTER = 'last_checkpoint'  # the file mmengine's CheckpointHook writes
SAVED = re.compile(r'(?:iter|epoch)_(\d+)\.pth')
# what mmcoop.compat's atomic writes leave when a save is killed
PARTIAL = re.compile(r'.+\.tmp-(\d+)')


def read_checkpoint(path: str) -> dict:
    """``torch.load`` a checkpoint onto the CPU, or say what is wrong."""
    if not osp.isfile(path):
        raise MissingFileError(f'Checkpoint {path!r} does not exist.')
    try:
        return torch.load(path, map_location='cpu')
    except Exception as error:  # zip, pickle and weights-only errors alike
        raise SettingError(
            f'{path!r} is not a readable checkpoint '
            f'({type(error).__name__}): it was cut short by an interrupted '
            'save or copy, or is not a .pth file written by mmengine. Use '
            'another checkpoint.') from error


def number(path: str) -> int:
    """N of a saved ``iter_N.pth`` / ``epoch_N.pth``."""
    return int(SAVED.fullmatch(osp.basename(path)).group(1))


def saved_checkpoints(work_dir: str) -> List[str]:
    """The ``iter_N.pth`` / ``epoch_N.pth`` files in ``work_dir``, newest
    (highest N) first."""
    found = [path for path in glob.glob(osp.join(work_dir, '*.pth'))
             if SAVED.fullmatch(osp.basename(path))]
    return sorted(found, key=number, reverse=True)


def pointed_checkpoint(work_dir: str) -> Optional[str]:
    """The checkpoint ``last_checkpoint`` names, found in ``work_dir`` even
    if the work dir has moved since (mmengine writes absolute paths)."""
    pointer = osp.join(work_dir, POINTER)
    if not osp.isfile(pointer):
        return None
    with open(pointer) as f:
        named = f.read().strip()
    if not named:
        return None
    here = osp.join(work_dir, osp.basename(named))
    return here if osp.isfile(here) or not osp.isfile(named) else named


def checkpoint_to_resume(work_dir: str, warn=print) -> str:
    """The checkpoint that a plain ``--resume`` continues from.

    The one ``last_checkpoint`` names; if it cannot be read, the newest
    older one that can, with a warning. Without a ``last_checkpoint`` file
    (a run killed between writing a checkpoint and naming it), the newest
    readable checkpoint. An empty ``last_checkpoint`` (what the divergence
    guard leaves when no checkpoint was good) names none. Raises
    :class:`SettingError` when there is nothing to resume from.
    """
    named = pointed_checkpoint(work_dir)
    saved = saved_checkpoints(work_dir)
    pointer_exists = osp.isfile(osp.join(work_dir, POINTER))
    if named is None and (pointer_exists or not saved):
        listed = (f'; it holds {", ".join(map(osp.basename, saved[:3]))}: '
                  'pass one with --resume PATH' if saved else '')
        raise SettingError(
            f'Nothing to resume in {work_dir!r}: no {POINTER} file names a '
            f'checkpoint{listed}. To start a new run, leave out --resume.')
    if named is None:
        warn(f'Warning: no {POINTER} in {work_dir}; resuming from the newest '
             'readable checkpoint.')
        candidates = saved
    else:
        # the saved checkpoints from before the named one (it may be gone)
        match = SAVED.fullmatch(osp.basename(named))
        candidates = [named] + [
            p for p in saved if match and number(p) < int(match.group(1))
        ]
    for path in candidates:
        try:
            read_checkpoint(path)
        except (SettingError, MissingFileError) as error:
            warn(f'Warning: {error}')
            continue
        if path != candidates[0]:
            warn(f'Warning: resuming from {path}, the newest intact '
                 'checkpoint before it.')
        return path
    raise SettingError(
        f'No checkpoint in {work_dir!r} can be read (tried '
        f'{", ".join(osp.basename(p) for p in candidates)}); start a new run '
        'without --resume.')


def remove_partial_saves(work_dir: str) -> List[str]:
    """Delete the temporary files of saves whose process has died; return
    their paths. A live process's file is left alone."""
    removed = []
    for path in glob.glob(osp.join(work_dir, '*.tmp-*')):
        match = PARTIAL.fullmatch(osp.basename(path))
        if match is None or process_alive(int(match.group(1))):
            continue
        try:
            os.remove(path)
        except FileNotFoundError:  # another rank removed it first
            continue
        removed.append(path)
    return removed


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True
