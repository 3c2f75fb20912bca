"""Bad inputs and faults, walked as a user walks them through the tools.

Each case runs a tool as a subprocess and asserts the message, the exit
code, that stderr holds no traceback for an expected error, and that the
checkpoints written before are all still loadable.
"""
import errno
import os
import os.path as osp
import re
import shutil
import subprocess
import sys

import cv2
import numpy as np
import pytest
import torch

from tests.conftest import REPO
from tests.test_tools_e2e import CONFIG

TINY = ['train_dataloader.batch_size=4', 'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False',
        'default_hooks.checkpoint.interval=2',
        'default_hooks.logger.interval=1',
        'log_processor.window_size=1', 'custom_hooks=[]']


def tool(name, *args, env=None):
    command = ([sys.executable, osp.join(REPO, 'tools', name)]
               if name.endswith('.py') else ['bash', osp.join(REPO, 'tools',
                                                              name)])
    return subprocess.run(command + [str(a) for a in args], cwd=REPO,
                          capture_output=True, text=True, timeout=600,
                          env=dict(os.environ, **(env or {})))


def refused(result, pattern):
    """The run ended with exit code 1 and ``pattern`` in the last line of
    stderr, without a traceback."""
    assert result.returncode == 1, result.stderr[-3000:]
    assert 'Traceback' not in result.stderr, result.stderr[-3000:]
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith('Error: '), last
    assert re.search(pattern, last), last
    return last


def all_loadable(work_dir):
    for name in os.listdir(work_dir):
        if name.endswith('.pth'):
            torch.load(osp.join(work_dir, name), map_location='cpu')


def write_images(folder, count, shape=(218, 178, 3)):
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        cv2.imwrite(str(folder / f'{index}.png'),
                    np.random.randint(0, 256, shape, np.uint8))


@pytest.fixture(scope='module')
def run_dir(tmp_path_factory):
    """A 4-iteration face run that saved iter_2 and iter_4."""
    work_dir = tmp_path_factory.mktemp('faults') / 'run'
    from tests.conftest import CELEBA
    if not osp.isdir(osp.join(CELEBA, 'train')):
        pytest.skip('needs ../shared/data/celeba')
    result = tool('train.py', CONFIG, '--work-dir', work_dir, '--cfg-options',
                  f'train_dataloader.dataset.data_root={CELEBA}', *TINY,
                  'train_cfg.max_iters=4')
    assert result.returncode == 0, result.stderr[-3000:]
    return work_dir


def copy_of(run_dir, tmp_path):
    target = tmp_path / 'copy'
    shutil.copytree(run_dir, target)
    return target


# --- settings and the command line: refused before anything is built ------

@pytest.mark.parametrize('args, pattern', [
    (['configs/coopnets/missing.py'], r"Config file .*missing\.py' does not "
     'exist'),
    ([CONFIG, '--cfg-options', 'default_hooks.checkpoint.intervall=1'],
     r"CheckpointHook has no setting 'intervall'; did you mean 'interval'"),
    ([CONFIG, '--cfg-options', 'trian_cfg.max_iters=2'],
     r"trian_cfg.max_iters: no such setting; did you mean 'train_cfg'"),
    ([CONFIG, '--cfg-options', 'train_cfg.max_iter=2'],
     r"IterBasedTrainLoop has no setting 'max_iter'; did you mean "
     "'max_iters'"),
    ([CONFIG, '--cfg-options', 'model.descriptor.in_chanels=3'],
     r"CoopDescriptor has no setting 'in_chanels'; did you mean "
     "'in_channels'"),
    ([CONFIG, '--cfg-options', 'default_hooks.divergence_guard.patiense=2'],
     r"DivergenceGuardHook has no setting 'patiense'"),
    ([CONFIG, '--cfg-options', 'train_dataloader.dataset.min_sise=[1,1]'],
     r"CheckedImageDataset has no setting 'min_sise'"),
    ([CONFIG, '--cfg-options', 'train_dataloader.batch_size=0'],
     r'train_dataloader.batch_size must be a positive integer, got 0'),
    ([CONFIG, '--cfg-options', 'train_cfg.max_iters=0'],
     r'train_cfg.max_iters must be a positive integer, got 0'),
    ([CONFIG, '--cfg-options', 'train_cfg.max_iters=ten'],
     r"max_iters='ten': the config has a number \(3000\) here"),
])
def test_train_refuses_bad_settings_before_building(args, pattern, tmp_path):
    refused(tool('train.py', *args, '--work-dir', tmp_path), pattern)
    assert not any(n.endswith('.pth') for n in os.listdir(tmp_path)) \
        if osp.isdir(tmp_path) else True


def test_broken_config_files_are_named(tmp_path):
    (tmp_path / 'syntax.py').write_text('model = dict(\n')
    refused(tool('train.py', tmp_path / 'syntax.py'),
            r"syntax.py, line 1: .*fix the config's Python")
    (tmp_path / 'base.py').write_text("_base_ = ['./missing_base.py']\n")
    refused(tool('train.py', tmp_path / 'base.py'), r'missing_base.py')


def test_work_dir_launcher_and_option_mistakes(tmp_path):
    in_the_way = tmp_path / 'a_file'
    in_the_way.write_text('')
    refused(tool('train.py', CONFIG, '--work-dir', in_the_way / 'run'),
            r"a_file.* is in the way")
    refused(tool('train.py', CONFIG, '--launcher', 'pytorch', '--work-dir',
                 tmp_path), r'runs under torchrun.*tools/dist_train.sh')
    result = tool('train.py', CONFIG, '--cfg-options', 'train_cfg.max_iters')
    assert result.returncode == 2 and 'Traceback' not in result.stderr
    assert "--cfg-options takes key=value pairs, got 'train_cfg.max_iters'" \
        in result.stderr


@pytest.mark.parametrize('name, args, message', [
    ('sample.py', ['--grid', 'grid.txt'], "'grid.txt': name an image file"),
    ('sample.py', ['--grid', 'g.png', '--device', 'gpu0'],
     "'gpu0' is not a torch device"),
    ('interpolate.py', ['--out', 'rows'], "'rows': name an image file"),
    ('test.py', ['--out', 'metrics.txt'],
     'metrics are written as .json, .yaml or .pkl'),
])
def test_output_paths_and_devices_are_checked_with_the_arguments(
        name, args, message, tmp_path):
    result = tool(name, CONFIG, tmp_path / 'none.pth', *args)
    assert result.returncode == 2 and 'Traceback' not in result.stderr
    assert message in result.stderr


def test_a_config_used_with_the_wrong_tool_is_named(tmp_path):
    completion = osp.join(osp.dirname(CONFIG),
                          'coopnets-completion-m30_celeba-64x64.py')
    refused(tool('train.py', completion, '--work-dir', tmp_path),
            r'trains nothing .*tools/test.py')
    demo = osp.join(osp.dirname(CONFIG),
                    'coopnets-demo_1xb32-300iters_brick-64x64.py')
    refused(tool('test.py', demo, '--work-dir', tmp_path),
            r'has no test set and metric')


@pytest.mark.skipif(torch.cuda.is_available(), reason='--amp works on GPU')
def test_amp_on_a_cpu_is_refused(tmp_path):
    refused(tool('train.py', CONFIG, '--amp', '--work-dir', tmp_path),
            r'--amp needs a GPU')


def test_sample_and_test_tools_refuse_missing_files(tmp_path):
    refused(tool('sample.py', CONFIG, tmp_path / 'none.pth', '--grid',
                 tmp_path / 'g.png'),
            r"Checkpoint .*none\.pth' does not exist")
    refused(tool('sample.py', 'nope.py', tmp_path / 'none.pth', '--grid',
                 tmp_path / 'g.png'), r"Config file 'nope\.py' does not exist")
    refused(tool('test.py', CONFIG, tmp_path / 'none.pth'),
            r"Checkpoint .*none\.pth' does not exist")


def test_sample_options_of_coopnets_are_refused_for_other_models(
        tmp_path):
    """DCGAN has one kind of sample: --sample-type revised would write its
    generator's samples under the wrong name."""
    dcgan = osp.join(REPO, 'configs', 'dcgan',
                     'dcgan_1xb32-3kiters_celeba-64x64.py')
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    from mmagic.registry import MODELS
    init_default_scope('mmagic')
    model = MODELS.build(Config.fromfile(dcgan).model)
    checkpoint = tmp_path / 'dcgan.pth'
    torch.save(dict(state_dict=model.state_dict(), meta={}), checkpoint)
    refused(tool('sample.py', dcgan, checkpoint, '--sample-type', 'revised',
                 '--grid', tmp_path / 'g.png'),
            r'--sample-type: DCGAN has one kind of sample')
    assert not (tmp_path / 'g.png').exists()


def test_a_random_file_is_not_loaded_as_a_checkpoint(tmp_path):
    junk = tmp_path / 'model.pth'
    junk.write_bytes(os.urandom(4096))
    result = tool('test.py', CONFIG, junk, '--work-dir', tmp_path / 'w')
    refused(result, r'is not a readable checkpoint .*interrupted save')
    assert 'weights_only' not in result.stderr  # torch's unsafe advice


def test_dist_train_without_torch_says_which_python(tmp_path):
    fake = tmp_path / 'python'
    fake.write_text('#!/bin/sh\nexit 1\n')
    fake.chmod(0o755)
    result = tool('dist_train.sh', CONFIG, '1', env=dict(PYTHON=str(fake)))
    assert result.returncode == 1
    assert 'cannot import torch' in result.stderr
    assert 'tools/setup_env.sh' in result.stderr


def test_setup_env_checks_the_disk_before_installing(tmp_path):
    venv = tmp_path / 'envs' / 'venv'
    result = tool('setup_env.sh', env=dict(MMCOOP_VENV=str(venv),
                                           MMCOOP_SETUP_NEEDS_MB='10000000000'))
    assert result.returncode == 1
    message = result.stderr.strip()
    assert 'Traceback' not in message and '\n' not in message, message
    assert 'needs about 10000000000 MB of free disk' in message
    free = shutil.disk_usage(tmp_path).free / 2**20
    reported = int(re.search(r'has (\d+) MB free', message).group(1))
    assert abs(reported - free) < 100, (reported, free)
    assert 'MMCOOP_VENV' in message
    assert not (tmp_path / 'envs').exists()  # nothing made, nothing to undo


def test_setup_env_refreshes_an_existing_venv_without_the_disk_check(
        tmp_path):
    # a venv whose requirements changed already holds most of its size: the
    # free-disk check is for new venvs only. Its python is a stand-in that
    # logs what pip is asked to do.
    venv = tmp_path / 'venv'
    (venv / 'bin').mkdir(parents=True)
    python = venv / 'bin' / 'python'
    python.write_text(f'#!/bin/sh\necho "$@" >> {tmp_path}/calls\n')
    python.chmod(0o755)
    (venv / '.mmcoop-requirements').write_text('an older requirement set\n')
    result = tool('setup_env.sh', env=dict(MMCOOP_VENV=str(venv),
                                           MMCOOP_SETUP_NEEDS_MB='10000000000'))
    assert result.returncode == 0, result.stderr
    assert 'free disk' not in result.stderr
    assert result.stdout.strip() == str(python)
    calls = (tmp_path / 'calls').read_text()
    assert '-r' in calls and 'requirements-mmagic.txt' in calls
    assert (venv / '.mmcoop-requirements').read_text().strip() != \
        'an older requirement set'


# --- data ---------------------------------------------------------------

@pytest.mark.parametrize('make, pattern', [
    (lambda d: None, r"Image folder .*' does not exist"),
    (lambda d: [d.mkdir(), *(
        (d / f'{i}.jpg').write_bytes(b'not an image') for i in range(3))],
     r"None of the 3 files in .* can be read as an image"),
    (lambda d: write_images(d, 2, (50, 60, 3)),
     r"is 50x60, smaller than the 108x108"),
])
def test_bad_image_folders_are_refused_before_training(make, pattern,
                                                       tmp_path):
    folder = tmp_path / 'images'
    make(folder)
    result = tool('train.py', CONFIG, '--work-dir', tmp_path / 'w',
                  '--cfg-options', f'train_dataloader.dataset.data_root='
                  f'{folder}', 'train_dataloader.dataset.data_prefix.gt=',
                  *TINY, 'train_cfg.max_iters=2')
    refused(result, pattern)
    assert 'Iter(train)' not in result.stdout + result.stderr


# --- checkpoints and resume ------------------------------------------------

def test_resume_with_nothing_to_resume_is_refused(tmp_path):
    refused(tool('train.py', CONFIG, '--work-dir', tmp_path, '--resume'),
            r'Nothing to resume in .*leave out --resume')
    refused(tool('train.py', CONFIG, '--work-dir', tmp_path, '--resume',
                 tmp_path / 'iter_9.pth'), r'--resume .*iter_9.pth: no such')


def test_a_new_run_never_overwrites_an_earlier_runs_checkpoints(
        run_dir, tmp_path):
    work_dir = copy_of(run_dir, tmp_path)
    names = ('iter_2.pth', 'iter_4.pth')
    before = {name: (work_dir / name).read_bytes() for name in names}
    refused(tool('train.py', CONFIG, '--work-dir', work_dir),
            r'holds the checkpoints of an earlier run \(iter_4.pth, '
            r'iter_2.pth\).*--resume')
    assert {name: (work_dir / name).read_bytes() for name in names} == before


def test_resuming_a_finished_run_says_how_to_train_longer(
        run_dir, tmp_path):
    work_dir = copy_of(run_dir, tmp_path)
    refused(tool('train.py', CONFIG, '--work-dir', work_dir, '--resume',
                 '--cfg-options', 'train_cfg.max_iters=4'),
            r'iter_4.pth is at iteration 4, and the config trains to 4: '
            r'nothing is left to train')
    all_loadable(work_dir)


def test_a_truncated_latest_checkpoint_falls_back_to_the_one_before(
        run_dir, tmp_path, celeba_root):
    work_dir = copy_of(run_dir, tmp_path)
    latest = work_dir / 'iter_4.pth'
    latest.write_bytes(latest.read_bytes()[:len(latest.read_bytes()) // 2])
    result = tool('train.py', CONFIG, '--work-dir', work_dir, '--resume',
                  '--cfg-options', f'train_dataloader.dataset.data_root='
                  f'{celeba_root}', *TINY, 'train_cfg.max_iters=6')
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout + result.stderr
    assert 'iter_4.pth' in out and 'is not a readable checkpoint' in out
    assert 'resuming from' in out and 'resumed epoch: 0, iter: 2' in out
    for name in ('iter_2.pth', 'iter_6.pth'):
        torch.load(work_dir / name, map_location='cpu')


def test_a_moved_work_dir_resumes_and_removes_killed_partial_saves(
        run_dir, tmp_path, celeba_root):
    moved = copy_of(run_dir, tmp_path)  # last_checkpoint names run_dir's
    (moved / 'last_checkpoint').write_text('/nowhere/old/place/iter_4.pth')
    orphan = moved / 'iter_6.pth.tmp-999999999'  # no such process
    orphan.write_bytes(b'half a checkpoint')
    result = tool('train.py', CONFIG, '--work-dir', moved, '--resume',
                  '--cfg-options', f'train_dataloader.dataset.data_root='
                  f'{celeba_root}', *TINY, 'train_cfg.max_iters=6')
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout + result.stderr
    assert 'resumed epoch: 0, iter: 4' in out
    assert f'Removed {orphan}' in out and not orphan.exists()
    all_loadable(moved)


def test_resume_checks_the_checkpoint_fits_the_config(run_dir, tmp_path):
    work_dir = copy_of(run_dir, tmp_path)
    refused(tool('train.py', CONFIG, '--work-dir', work_dir, '--resume',
                 '--cfg-options', 'model.descriptor.preset=face-64'),
            r'does not fit the CoopNets')
    all_loadable(work_dir)


def test_resume_takes_the_learning_rate_given_now(run_dir, tmp_path,
                                                  celeba_root):
    """The divergence guard's advice, followed literally: --resume with a
    lower descriptor lr continues with that lr (mmengine alone restores
    the checkpoint's)."""
    work_dir = copy_of(run_dir, tmp_path)
    saved = torch.load(work_dir / 'iter_4.pth', map_location='cpu')
    old = saved['optimizer']['descriptor']['param_groups'][0]['lr']
    assert old == pytest.approx(1e-3)
    result = tool('train.py', CONFIG, '--work-dir', work_dir, '--resume',
                  '--cfg-options', f'train_dataloader.dataset.data_root='
                  f'{celeba_root}', *TINY, 'train_cfg.max_iters=6',
                  'optim_wrapper.descriptor.optimizer.lr=1e-4')
    assert result.returncode == 0, result.stderr[-3000:]
    assert 'lr 0.001 in the checkpoint\'s config -> 0.0001' in (
        result.stdout + result.stderr)
    resumed = torch.load(work_dir / 'iter_6.pth', map_location='cpu')
    groups = resumed['optimizer']
    assert groups['descriptor']['param_groups'][0]['lr'] == pytest.approx(
        1e-4)
    assert groups['generator']['param_groups'][0]['lr'] == pytest.approx(
        saved['optimizer']['generator']['param_groups'][0]['lr'])


def test_auto_scale_lr_scales_from_the_configs_own_batch(
        tmp_path, celeba_root):
    """The face config trains batch 16 on one process; at batch 8 with
    --auto-scale-lr the learning rates halve."""
    result = tool('train.py', CONFIG, '--auto-scale-lr', '--work-dir',
                  tmp_path, '--cfg-options', f'train_dataloader.dataset.'
                  f'data_root={celeba_root}', *TINY,
                  'train_dataloader.batch_size=8', 'train_cfg.max_iters=2')
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout + result.stderr
    assert 'Scaling the original LR by 0.5' in out
    saved = torch.load(tmp_path / 'iter_2.pth', map_location='cpu')
    assert saved['optimizer']['descriptor']['param_groups'][0][
        'lr'] == pytest.approx(5e-4)


def test_a_full_disk_ends_in_a_message_and_keeps_the_old_file(tmp_path,
                                                              capsys):
    sys.path.insert(0, osp.join(REPO, 'tools'))
    from tool_args import run

    from mmcoop.compat import _atomic_open
    target = tmp_path / 'iter_2.pth'
    target.write_bytes(b'the good checkpoint')

    def save_on_a_full_disk():
        with _atomic_open(target, 'wb') as f:
            f.write(b'half')
            raise OSError(errno.ENOSPC, 'No space left on device',
                          str(target))

    with pytest.raises(SystemExit) as stopped:
        run(save_on_a_full_disk)
    assert 'no space left to write' in str(stopped.value.code)
    assert 'continue with --resume' in str(stopped.value.code)
    assert target.read_bytes() == b'the good checkpoint'
    assert os.listdir(tmp_path) == ['iter_2.pth']  # no partial file left


def test_ctrl_c_ends_quietly_and_points_at_resume(capsys):
    sys.path.insert(0, osp.join(REPO, 'tools'))
    from tool_args import run

    def interrupted():
        raise KeyboardInterrupt

    with pytest.raises(SystemExit) as stopped:
        run(interrupted)
    assert stopped.value.code == 130
    assert 'continue with --resume' in capsys.readouterr().err


def test_the_checkpoint_to_resume_is_found_where_it_is(tmp_path):
    """last_checkpoint names a file of a moved work dir, a deleted one, or
    an unreadable one: the search takes the file here, else the newest
    readable one before it."""
    from mmcoop.utils import checkpoint_to_resume
    for i in (2, 4, 10):
        torch.save({'meta': {'iter': i}}, tmp_path / f'iter_{i}.pth')
    pointer = tmp_path / 'last_checkpoint'
    pointer.write_text('/old/place/iter_10.pth')
    assert checkpoint_to_resume(str(tmp_path)) == str(tmp_path /
                                                      'iter_10.pth')
    pointer.write_text('/old/place/iter_12.pth')  # gone: iter_10 before it
    warnings = []
    assert checkpoint_to_resume(str(tmp_path), warnings.append) == str(
        tmp_path / 'iter_10.pth')
    (tmp_path / 'iter_10.pth').write_bytes(b'cut short')
    pointer.write_text(str(tmp_path / 'iter_10.pth'))
    warnings = []
    assert checkpoint_to_resume(str(tmp_path), warnings.append) == str(
        tmp_path / 'iter_4.pth')
    assert 'not a readable checkpoint' in warnings[0]
    pointer.unlink()  # killed between saving iter_4 and naming it
    warnings = []
    assert checkpoint_to_resume(str(tmp_path), warnings.append) == str(
        tmp_path / 'iter_4.pth')
    pointer.write_text('')  # the guard found no good checkpoint
    with pytest.raises(ValueError, match='Nothing to resume .* iter_10.pth'):
        checkpoint_to_resume(str(tmp_path))
