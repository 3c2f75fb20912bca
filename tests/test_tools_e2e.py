"""tools/train.py, --resume and tools/test.py on real faces, end to end."""
import glob
import json
import os.path as osp
import re
import subprocess
import sys

import pytest

from tests.conftest import REPO
from tests.stand_in_inception import save_stand_in

CONFIG = osp.join(REPO, 'configs', 'coopnets', 'coopnets_celeba-64x64.py')


def run_tool(tool, *args):
    cmd = [sys.executable, osp.join(REPO, 'tools', tool), *args]
    result = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True,
                            timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[
        -3000:]
    return result.stdout + result.stderr


def small_run_options(celeba_root, max_iters):
    return [
        f'train_dataloader.dataset.data_root={celeba_root}',
        'train_dataloader.batch_size=8', 'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False',
        f'train_cfg.max_iters={max_iters}',
        'default_hooks.checkpoint.interval=2', 'default_hooks.logger.interval=2',
        'log_processor.window_size=2',  # mmagic's timer: ETA every window
        'custom_hooks.0.interval=2', 'custom_hooks.0.n_samples=8'
    ]


@pytest.fixture(scope='module')
def trained(tmp_path_factory):
    return tmp_path_factory.mktemp('face_run')


def test_train_writes_checkpoints_grids_and_logs(celeba_root, trained):
    out = run_tool('train.py', CONFIG, '--work-dir', str(trained),
                   '--cfg-options', *small_run_options(celeba_root, 4))
    assert osp.isfile(trained / 'iter_4.pth')
    assert re.search(r'Iter\(train\) \[2/4\].*eta:.*loss_descriptor', out)
    grids = glob.glob(str(trained / '*' / 'vis_data' / 'vis_image' / '*.png'))
    assert {osp.basename(g) for g in grids} >= {'revised_4.png',
                                                'generator_4.png'}
    scalars = glob.glob(str(trained / '*' / 'vis_data' / 'scalars.json'))
    logged = [json.loads(line) for line in open(scalars[0])]
    assert {'loss_descriptor', 'loss_generator', 'f_observed', 'f_revised',
            'langevin_drift'} <= set(logged[-1])


def test_resume_continues_from_the_last_checkpoint(celeba_root, trained):
    if not osp.isfile(trained / 'iter_4.pth'):
        pytest.skip('needs the training run above')
    out = run_tool('train.py', CONFIG, '--work-dir', str(trained), '--resume',
                   '--cfg-options', *small_run_options(celeba_root, 6))
    assert 'resumed epoch: 0, iter: 4' in out
    assert 'Iter(train) [6/6]' in out and 'Iter(train) [2/6]' not in out
    assert osp.isfile(trained / 'iter_6.pth')


def test_test_tool_reports_fid(celeba_root, trained, tmp_path):
    checkpoint = trained / 'iter_4.pth'
    if not osp.isfile(checkpoint):
        pytest.skip('needs the training run above')
    stand_in = save_stand_in(str(tmp_path / 'stand_in.pt'))
    out = run_tool(
        'test.py', CONFIG, str(checkpoint), '--work-dir', str(tmp_path),
        '--out', str(tmp_path / 'metrics.json'), '--cfg-options',
        f'test_dataloader.dataset.data_root={celeba_root}',
        'test_dataloader.batch_size=8', 'test_dataloader.num_workers=0',
        'test_evaluator.metrics.0.fake_nums=16',
        'test_evaluator.metrics.0.real_nums=16',
        f'test_evaluator.metrics.0.inception_path={stand_in}',
        f'test_evaluator.metrics.0.inception_pkl={tmp_path / "stats.pkl"}')
    metrics = json.load(open(tmp_path / 'metrics.json'))
    assert metrics['FID/fid'] > 0
    assert 'FID/fid' in out
