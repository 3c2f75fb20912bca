"""Two CPU processes (gloo) train like one: identical parameters on both
ranks, a descriptor update equal to the single-process update, and FID
evaluated across both."""
import json
import os
import os.path as osp
import subprocess
import sys

import torch

from tests.conftest import REPO
from tests.stand_in_inception import save_stand_in


def test_two_process_training_matches_one_process(celeba_root, tmp_path):
    env = dict(os.environ, PYTHONPATH=REPO, OMP_NUM_THREADS='1')
    stand_in = save_stand_in(str(tmp_path / 'stand_in.pt'))
    cmd = [
        sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node=2',
        '--master_port=29517',
        osp.join(REPO, 'tests', 'dist_worker.py'), str(tmp_path), celeba_root,
        stand_in
    ]
    result = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[
        -3000:]
    ranks = [torch.load(tmp_path / f'rank{r}_params.pth') for r in (0, 1)]
    assert ranks[0].keys() == ranks[1].keys() and len(ranks[0]) > 0
    for key, value in ranks[0].items():
        assert torch.equal(value, ranks[1][key]), key
    parity = json.load(open(tmp_path / 'd2_parity.json'))
    assert parity['max_update'] > 1e-4  # the update did move the weights
    # float32 rounding only: without gradient averaging each rank would
    # step on its own half and differ by a sizeable part of the update
    assert parity['max_abs_diff'] < 0.01 * parity['max_update']
    assert osp.isfile(tmp_path / 'iter_3.pth')
    assert parity['fid'] > 0  # FID evaluated with both processes
