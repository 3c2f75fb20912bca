"""tools/benchmarks/compare_methods.py end to end on a few real faces, and
the time budget it relies on."""
import json
import os.path as osp
import subprocess
import sys

import cv2
import pytest
import torch

from tests.conftest import REPO
from tests.stand_in_inception import save_stand_in

SCRIPT = osp.join(REPO, 'tools', 'benchmarks', 'compare_methods.py')


def tiny_options(celeba_root, tmp_path):
    stand_in = save_stand_in(str(tmp_path / 'stand_in.pt'))
    return [
        f'train_dataloader.dataset.data_root={celeba_root}',
        f'test_dataloader.dataset.data_root={celeba_root}',
        'train_dataloader.batch_size=4', 'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False',
        'test_dataloader.batch_size=4', 'test_dataloader.num_workers=0',
        'test_dataloader.persistent_workers=False',
        'test_evaluator.metrics.0.real_nums=8',
        f'test_evaluator.metrics.0.inception_path={stand_in}',
        f'test_evaluator.metrics.0.inception_pkl={tmp_path / "stats.pkl"}',
        'default_hooks.checkpoint.interval=2',
        'default_hooks.logger.interval=1',
        'custom_hooks.0.interval=2', 'custom_hooks.0.n_samples=4'
    ]


def run_benchmark(*args):
    result = subprocess.run([sys.executable, SCRIPT, *args], cwd=REPO,
                            capture_output=True, text=True, timeout=1200)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[
        -3000:]
    return result.stdout


def test_all_four_methods_at_equal_iterations(celeba_root, tmp_path):
    out_dir = tmp_path / 'compare'
    out = run_benchmark('--out-dir', str(out_dir), '--iters', '2',
                        '--num-samples', '8', '--diversity-samples', '4',
                        '--grid-samples', '4', '--cfg-options',
                        *tiny_options(celeba_root, tmp_path))
    table = json.load(open(out_dir / 'table.json'))
    names = [row['method'] for row in table['methods']]
    assert names == ['CoopNets', 'DescriptorOnly', 'GeneratorABP', 'DCGAN']
    for row in table['methods']:
        assert row['iterations'] == 2
        assert row['fid'] > 0 and row['seconds_per_iter'] > 0
        assert -1 <= row['pairwise_ssim'] <= 1
        assert osp.isfile(row['checkpoint'])
    assert 0 < table['real_pairwise_ssim'] < 1
    markdown = open(out_dir / 'table.md').read()
    assert '| DescriptorOnly | 2 |' in markdown
    montage = cv2.imread(str(out_dir / 'montage.png'))
    assert montage.shape[1] > 4 * cv2.imread(
        str(out_dir / 'DCGAN' / 'grid.png')).shape[1]
    # progress and the commands that reproduce each number are printed
    assert 'DescriptorOnly: iter 1,' in out
    assert 'tools/test.py' in out and 'tools/sample.py' in out
    # Algorithm G's latents were kept for the faces it saw (2 x 4)
    checkpoint = torch.load(table['methods'][2]['checkpoint'],
                            map_location='cpu')
    assert int(checkpoint['state_dict']['latents.known'].sum()) == 8


def test_time_budget_ends_training_with_a_checkpoint(celeba_root, tmp_path):
    out_dir = tmp_path / 'budget'
    out = run_benchmark(
        '--out-dir', str(out_dir), '--minutes', '0.05', '--method', 'ABP',
        'configs/generator_abp/generator-abp_celeba-64x64.py',
        '--num-samples', '8', '--diversity-samples', '4', '--grid-samples',
        '4', '--cfg-options', *tiny_options(celeba_root, tmp_path))
    row = json.load(open(out_dir / 'table.json'))['methods'][0]
    assert row['iterations'] >= 1
    assert row['checkpoint'].endswith(f"iter_{row['iterations']}.pth")
    assert 'of 0.05 min' in out


def test_bad_budgets_are_refused():
    result = subprocess.run(
        [sys.executable, SCRIPT, '--out-dir', 'x', '--iters', '0'],
        cwd=REPO, capture_output=True, text=True)
    assert result.returncode != 0 and 'must be positive' in result.stderr
    with pytest.raises(ValueError, match='positive number of minutes'):
        from mmcoop.engine import TimeBudgetHook
        TimeBudgetHook(minutes=0)


def test_time_budget_caps_the_logged_eta_and_ends_the_run():
    """The ETA is the budget's remaining time when the budget ends the run
    first (max_iters out of reach), IterTimerHook's own when max_iters
    does; once the budget is spent the current iteration is the last."""
    from types import SimpleNamespace
    from unittest import mock

    from mmengine.logging import MessageHub

    from mmcoop.engine import TimeBudgetHook
    hub = MessageHub.get_instance('time-budget-eta-test')
    runner = SimpleNamespace(message_hub=hub, iter=9, max_iters=10**8,
                             train_loop=SimpleNamespace(_max_iters=10**8),
                             logger=mock.Mock())
    hook = TimeBudgetHook(minutes=2)
    with mock.patch('time.perf_counter', return_value=1000.0):
        hook.before_train(runner)
    for now, eta, logged in ((1030.0, 1e9, 90.0), (1030.0, 12.0, 12.0)):
        hub.update_info('eta', eta)  # as IterTimerHook sets it
        with mock.patch('time.perf_counter', return_value=now):
            hook.after_train_iter(runner, 9)
        assert hub.get_info('eta') == pytest.approx(logged)
    assert runner.train_loop._max_iters == 10**8
    hub.update_info('eta', 1e9)
    with mock.patch('time.perf_counter', return_value=1121.0):
        hook.after_train_iter(runner, 9)
    assert hub.get_info('eta') == 0
    assert runner.train_loop._max_iters == 10


def test_commands_carry_the_budget_and_no_empty_overrides():
    sys.path.insert(0, osp.join(REPO, 'tools', 'benchmarks'))
    import compare_methods
    args = compare_methods.parse_args(['--out-dir', 'x', '--iters', '3'])
    assert [m['name'] for m in args.method] == [
        'CoopNets', 'DescriptorOnly', 'GeneratorABP', 'DCGAN'
    ]
    method = args.method[0]
    assert 'train_cfg.max_iters=3' in compare_methods.train_command(
        args, method, 'w')
    fid = compare_methods.fid_command(args, method, 'c.pth', 'w')
    assert '--cfg-options' not in fid  # argparse refuses an empty list
    timed = compare_methods.parse_args(['--out-dir', 'x', '--minutes', '2'])
    train = compare_methods.train_command(timed, method, 'w')
    assert 'default_hooks.time_budget.minutes=2.0' in train


def test_a_diverged_method_is_flagged_and_the_others_still_run(
        celeba_root, tmp_path):
    out_dir = tmp_path / 'diverged'
    # a drift bound no chain stays under: CoopNets stops at iteration 1
    run_benchmark(
        '--out-dir', str(out_dir), '--iters', '2', '--method', 'CoopNets',
        'configs/coopnets/coopnets_celeba-64x64.py',
        'default_hooks.divergence_guard.max_drift=1e-12',
        'default_hooks.divergence_guard.patience=1', '--method', 'ABP',
        'configs/generator_abp/generator-abp_celeba-64x64.py',
        '--num-samples', '8', '--diversity-samples', '4', '--grid-samples',
        '4', '--cfg-options', *tiny_options(celeba_root, tmp_path))
    coop, abp = json.load(open(out_dir / 'table.json'))['methods']
    assert coop['diverged_at'] == 1 and coop['checkpoint'] is None
    assert coop['fid'] is None
    assert abp['diverged_at'] is None and abp['fid'] > 0
    markdown = open(out_dir / 'table.md').read()
    assert '| CoopNets | diverged at 1, no checkpoint |' in markdown


def test_a_failed_run_counts_as_diverged_only_with_the_guards_record(
        tmp_path):
    """compare_methods.run scores a failed training run as diverged only
    when the guard's record says so; any other failure ends the
    benchmark."""
    sys.path.insert(0, osp.join(REPO, 'tools', 'benchmarks'))
    import compare_methods
    from mmcoop.engine import read_divergence
    fail = [sys.executable, '-c', 'import sys; sys.exit(3)']
    assert read_divergence(str(tmp_path)) is None
    with pytest.raises(SystemExit, match='train failed'):
        compare_methods.run(fail, 'train',
                            diverged=lambda: read_divergence(str(tmp_path)))
    record = dict(iteration=3699, problem='langevin_drift = 0.616 exceeded '
                  '0.5 for 3 iterations',
                  last_good_checkpoint='/w/train/iter_3500.pth')
    (tmp_path / 'diverged.json').write_text(json.dumps(record))
    assert compare_methods.run(
        fail, 'train',
        diverged=lambda: read_divergence(str(tmp_path))) == record
