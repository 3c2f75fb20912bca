"""Training killed (SIGKILL) at random moments always resumes."""
import os
import os.path as osp
import random
import signal
import subprocess
import sys
import time

import torch

from tests.conftest import REPO
from tests.test_tools_e2e import CONFIG, small_run_options


def train_command(work_dir, celeba_root, max_iters, resume):
    options = small_run_options(celeba_root, max_iters)
    options = [o for o in options if 'interval' not in o]
    options += ['default_hooks.checkpoint.interval=1',
                'default_hooks.checkpoint.max_keep_ckpts=2',
                'default_hooks.logger.interval=1', 'custom_hooks=[]']
    return [sys.executable, osp.join(REPO, 'tools', 'train.py'), CONFIG,
            '--work-dir', str(work_dir), *(['--resume'] if resume else []),
            '--cfg-options', *options]


def resumable_checkpoint(work_dir):
    """What --resume would load, loaded; None before the first save."""
    pointer = work_dir / 'last_checkpoint'
    if not pointer.exists():
        return None
    path = pointer.read_text().strip()
    return path, torch.load(path, map_location='cpu')


def wait_for_a_save(process, log_path, timeout=300):
    """Until the run has written a checkpoint (or ended)."""
    deadline = time.time() + timeout
    while time.time() < deadline and process.poll() is None:
        if 'Saving checkpoint' in open(log_path).read():
            return
        time.sleep(0.2)


def test_sigkill_at_random_moments_never_breaks_resume(celeba_root,
                                                       tmp_path):
    rng = random.Random(0)
    max_iters, kills, iters_seen = 40, 0, []
    for attempt in range(4):
        # with nothing saved yet, --resume is refused: start afresh
        cmd = train_command(tmp_path, celeba_root, max_iters,
                            resume=resumable_checkpoint(tmp_path) is not None)
        log_path = tmp_path / f'attempt{attempt}.log'
        log = open(log_path, 'w')
        process = subprocess.Popen(cmd, cwd=REPO, stdout=log,
                                   stderr=subprocess.STDOUT)
        if attempt < 3:
            # once it is training (one save per iteration), kill it at a
            # random moment: mid-iteration or mid-save
            wait_for_a_save(process, log_path)
            time.sleep(rng.uniform(0, 1.5))
            if process.poll() is None:
                os.kill(process.pid, signal.SIGKILL)
                kills += 1
        assert process.wait(timeout=600) in (0, -signal.SIGKILL), \
            open(log_path).read()[-3000:]
        found = resumable_checkpoint(tmp_path)
        if found is not None:
            path, checkpoint = found
            iters_seen.append(checkpoint['meta']['iter'])
            assert osp.basename(path) == f'iter_{iters_seen[-1]}.pth'
    assert kills == 3
    assert iters_seen[-1] == max_iters
    assert iters_seen == sorted(iters_seen)
    # partial files of killed saves are removed when the next run starts
    assert not [p.name for p in tmp_path.iterdir() if '.tmp-' in p.name]
