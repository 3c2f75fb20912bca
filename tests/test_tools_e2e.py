"""tools/train.py, --resume and tools/test.py on real faces, end to end."""
import glob
import json
import os.path as osp
import re
import subprocess
import sys

import numpy as np
import pytest

from tests.conftest import FACE_CONFIG as CONFIG, REPO
from tests.stand_in_inception import save_stand_in



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
        'default_hooks.checkpoint.interval=2',
        'default_hooks.logger.interval=2',
        'log_processor.window_size=2',  # mmagic's timer: ETA every window
        'custom_hooks.0.interval=2', 'custom_hooks.0.n_samples=8'
    ]


@pytest.fixture(scope='module')
def trained(tmp_path_factory):
    return tmp_path_factory.mktemp('face_run')


@pytest.fixture
def trained_checkpoint(trained):
    """The last checkpoint of the training run below (skips without it)."""
    checkpoint = trained / 'iter_4.pth'
    if not osp.isfile(checkpoint):
        pytest.skip('needs the training run above')
    return checkpoint


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


def test_resume_continues_from_the_last_checkpoint(celeba_root, trained,
                                                   trained_checkpoint):
    out = run_tool('train.py', CONFIG, '--work-dir', str(trained), '--resume',
                   '--cfg-options', *small_run_options(celeba_root, 6))
    assert 'resumed epoch: 0, iter: 4' in out
    assert 'Iter(train) [6/6]' in out and 'Iter(train) [2/6]' not in out
    assert osp.isfile(trained / 'iter_6.pth')


def test_resumed_run_ends_exactly_where_an_uninterrupted_run_does(
        celeba_root, trained, tmp_path):
    import torch
    if not osp.isfile(trained / 'iter_6.pth'):
        pytest.skip('needs the training and resume runs above')
    run_tool('train.py', CONFIG, '--work-dir', str(tmp_path), '--cfg-options',
             *small_run_options(celeba_root, 6))
    resumed = torch.load(trained / 'iter_6.pth', map_location='cpu')
    straight = torch.load(tmp_path / 'iter_6.pth', map_location='cpu')
    for key, value in straight['state_dict'].items():
        assert torch.equal(resumed['state_dict'][key], value), key
    for name in ('descriptor', 'generator'):
        states = [c['optimizer'][name]['state'] for c in (resumed, straight)]
        assert states[0].keys() == states[1].keys()
        for index, state in states[1].items():
            for key, value in state.items():
                assert torch.equal(states[0][index][key], value), (name, key)


def test_faces_from_memory_train_exactly_as_faces_decoded_by_workers(
        celeba_root, trained, tmp_path):
    import torch
    if not osp.isfile(trained / 'iter_6.pth'):
        pytest.skip('needs the training and resume runs above')
    # the configs keep decoded faces in memory, without loader workers; the
    # same run decoding every face from file in two workers
    run_tool('train.py', CONFIG, '--work-dir', str(tmp_path), '--cfg-options',
             *small_run_options(celeba_root, 6),
             'train_dataloader.dataset.cache_transforms=0',
             'train_dataloader.num_workers=2',
             'train_dataloader.persistent_workers=True')
    in_memory = torch.load(trained / 'iter_6.pth', map_location='cpu')
    from_files = torch.load(tmp_path / 'iter_6.pth', map_location='cpu')
    for key, value in from_files['state_dict'].items():
        assert torch.equal(in_memory['state_dict'][key], value), key


def test_test_tool_reports_fid(celeba_root, trained_checkpoint, tmp_path):
    stand_in = save_stand_in(str(tmp_path / 'stand_in.pt'))
    out = run_tool(
        'test.py', CONFIG, str(trained_checkpoint), '--work-dir',
        str(tmp_path), '--out', str(tmp_path / 'metrics.json'),
        '--cfg-options',
        f'test_dataloader.dataset.data_root={celeba_root}',
        'test_dataloader.batch_size=8', 'test_dataloader.num_workers=0',
        'test_evaluator.metrics.0.fake_nums=16',
        'test_evaluator.metrics.0.real_nums=16',
        f'test_evaluator.metrics.0.inception_path={stand_in}',
        f'test_evaluator.metrics.0.inception_pkl={tmp_path / "stats.pkl"}')
    metrics = json.load(open(tmp_path / 'metrics.json'))
    assert metrics['FID/fid'] > 0
    assert 'FID/fid' in out


COMPLETION = osp.join(REPO, 'configs', 'coopnets',
                      'coopnets-completion-m30_celeba-64x64.py')
TELEA = osp.join(REPO, 'configs', 'completion_baselines',
                 'opencv-telea_completion-m30_celeba-64x64.py')


def tiny_completion_options(celeba_root, images=4):
    return [
        f'test_dataloader.dataset.data_root={celeba_root}',
        f'test_dataloader.dataset.indices={images}',
        f'test_dataloader.batch_size={images}',
        'test_dataloader.num_workers=0'
    ]


def test_test_tool_completes_occluded_faces(celeba_root, trained_checkpoint,
                                            tmp_path):
    out = run_tool('test.py', COMPLETION, str(trained_checkpoint),
                   '--work-dir', str(tmp_path), '--out',
                   str(tmp_path / 'metrics.json'),
                   '--cfg-options', *tiny_completion_options(celeba_root),
                   'model.sampler.inference_steps=3', 'model.restarts=2',
                   'model.sampler.revision_steps=2')
    metrics = json.load(open(tmp_path / 'metrics.json'))
    assert set(metrics) == {'hole/MAE', 'hole/MaskedPSNR', 'image/PSNR',
                            'image/SSIM'}
    assert 0 < metrics['hole/MAE'] < 1 and metrics['hole/MaskedPSNR'] > 0
    # whole-image PSNR is higher: outside the hole the input is kept
    assert metrics['image/PSNR'] > metrics['hole/MaskedPSNR']
    rows = glob.glob(str(tmp_path / '*' / 'vis_data' / 'vis_image' / '*.png'))
    assert len(rows) == 4  # original | occluded | completed, per face
    assert 'hole/MAE' in out


def test_test_tool_runs_weightless_baselines_and_asks_for_checkpoints(
        celeba_root, tmp_path):
    run_tool('test.py', TELEA, '--work-dir', str(tmp_path), '--out',
             str(tmp_path / 'metrics.json'), '--cfg-options',
             *tiny_completion_options(celeba_root))
    assert 0 < json.load(open(tmp_path / 'metrics.json'))['hole/MAE'] < 1
    cmd = [sys.executable, osp.join(REPO, 'tools', 'test.py'), COMPLETION,
           '--work-dir', str(tmp_path / 'no_ckpt')]
    result = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    assert result.returncode != 0
    assert 'give the checkpoint' in result.stderr


def test_completion_benchmark_writes_table_and_figures(
        celeba_root, trained, trained_checkpoint, tmp_path):
    cmd = [
        sys.executable,
        osp.join(REPO, 'tools', 'benchmarks', 'completion_table.py'),
        '--out-dir', str(tmp_path), '--masks', '30', '40', '--num-images',
        '2', '--figure-images', '2', '--data-root', celeba_root, '--jobs',
        '2', '--cfg-options',
        'model.sampler.inference_steps=2', 'test_dataloader.num_workers=0',
        '--method', 'CoopNets', COMPLETION, str(trained / 'iter_2.pth'),
        str(trained_checkpoint), 'model.sampler.revision_steps=1', '--method',
        'Telea', TELEA
    ]
    result = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True,
                            timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    assert '[6/6] Telea M40' in result.stdout
    # CoopNets' own option
    assert 'model.sampler.revision_steps=1' in result.stdout
    table = open(tmp_path / 'table.md').read().splitlines()
    assert table[0] == ('| method | checkpoints | error M30 | error M40 | '
                        'PSNR M30 | PSNR M40 |')
    assert [line.split(' | ')[:2] for line in table[2:]] == [
        ['| CoopNets', '2'], ['| Telea', '1']]
    runs = json.load(open(tmp_path / 'table.json'))['runs']
    assert len(runs) == 6 and all(0 < r['metrics']['hole/MAE'] < 1
                                  for r in runs)
    # two checkpoints: mean ± std (n - 1) of their errors
    errors = [r['metrics']['hole/MAE'] for r in runs
              if r['method'] == 'CoopNets' and r['mask'] == 30]
    assert len(errors) == 2 and errors[0] != errors[1]
    assert (f'| CoopNets | 2 | {np.mean(errors):.3f} ± '
            f'{np.std(errors, ddof=1):.3f} |') in table[2]
    import cv2
    figure = cv2.imread(str(tmp_path / 'figure_m40.png'))
    assert figure.shape == (4 * 64, 2 * 64, 3)  # orig, occluded, 2 methods
    # a second call keeps the finished evaluations; a changed option reruns
    cmd[cmd.index('model.sampler.revision_steps=1')] = \
        'model.sampler.revision_steps=2'
    result = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True,
                            timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.count('finished before, kept') == 2  # Telea's
    assert '4 evaluation(s) to do, 2 at a time' in result.stdout
    assert open(tmp_path / 'table.md').read().splitlines()[3] == table[3]


def test_sample_and_interpolation_tools_write_grids(trained_checkpoint,
                                                    tmp_path):
    import cv2
    out = run_tool('sample.py', CONFIG, str(trained_checkpoint), '--num', '5',
                   '--batch-size', '3', '--revision-steps', '1', '--nrow',
                   '4', '--grid', str(tmp_path / 'grid.png'), '--out-dir',
                   str(tmp_path / 'files'))
    assert 'wrote 5 revised samples' in out
    assert len(glob.glob(str(tmp_path / 'files' / 'sample_*.png'))) == 5
    # 4 per row, 2 rows of 64x64 with 2-pixel padding
    assert cv2.imread(str(tmp_path / 'grid.png')).shape == (134, 266, 3)
    run_tool('interpolate.py', CONFIG, str(trained_checkpoint), '--rows', '2',
             '--steps', '3', '--revision-steps', '1', '--out',
             str(tmp_path / 'interp.png'))
    assert cv2.imread(str(tmp_path / 'interp.png')).shape == (134, 200, 3)


def test_interpolation_latents_run_from_start_to_end():
    import torch
    sys.path.insert(0, osp.join(REPO, 'tools'))
    from interpolate import interpolation_latents
    start, end = torch.randn(2, 5), torch.randn(2, 5)
    latents = interpolation_latents(start, end, 3).view(2, 3, 5)
    torch.testing.assert_close(latents[:, 0], start)
    torch.testing.assert_close(latents[:, 2], end)
    torch.testing.assert_close(latents[:, 1], (start + end) / 2)


DEMO = osp.join(REPO, 'configs', 'coopnets',
                'coopnets-demo_1xb32-300iters_brick-64x64.py')


def test_texture_picture_shows_the_training_image_beside_samples(tmp_path):
    import cv2
    import torch
    from mmengine.config import Config

    from mmagic.registry import MODELS
    from mmcoop.apis import labelled
    from mmcoop.datasets.embedded_image_dataset import load_skimage_image
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(DEMO).model)
    torch.save(dict(state_dict=model.state_dict(), meta=dict(iter=7)),
               tmp_path / 'iter_7.pth')
    out = run_tool('beside_training_image.py', DEMO,
                   str(tmp_path / 'iter_7.pth'), '--num', '6', '--nrow', '3',
                   '--out', str(tmp_path / 'picture.png'))
    assert 'skimage.data.brick beside 6 samples after 7 iterations' in out
    picture = cv2.imread(str(tmp_path / 'picture.png'))
    brick = cv2.resize(load_skimage_image('brick'), (128, 128),
                       interpolation=cv2.INTER_AREA)
    # label band, then the training image at its training scale (128x128)
    # beside 2 rows of 3 samples, 64x64 with 2-pixel padding (134 high)
    assert picture.shape[0] == 28 + 134
    assert np.array_equal(picture[28:28 + 128, :128], brick)
    # the grid starts 8 pixels right of the labelled image
    grid_left = labelled(brick, 'training image: skimage.data.brick',
                         128).shape[1] + 8
    tiles = [picture[30 + r * 66:94 + r * 66,
                     grid_left + 2 + c * 66:grid_left + 66 + c * 66]
             for r in range(2) for c in range(3)]
    assert np.all(picture[28:, grid_left - 8:grid_left] == 255)
    assert all(t.shape == (64, 64, 3) for t in tiles)
    assert not np.all(tiles[0] == 255)  # a sample, not padding
    assert not np.array_equal(tiles[0], tiles[1])  # samples differ


def test_texture_picture_refuses_many_image_configs(celeba_root,
                                                    trained_checkpoint,
                                                    tmp_path):
    cmd = [
        sys.executable,
        osp.join(REPO, 'tools', 'beside_training_image.py'), CONFIG,
        str(trained_checkpoint), '--out',
        str(tmp_path / 'p.png'), '--cfg-options',
        f'train_dataloader.dataset.data_root={celeba_root}'
    ]
    result = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 1
    assert 'trains on 4800 images' in result.stderr
    assert 'Traceback' not in result.stderr
    assert not osp.exists(tmp_path / 'p.png')
