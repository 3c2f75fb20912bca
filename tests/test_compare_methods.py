"""tools/benchmarks/compare_methods.py end to end on a few real faces, and
the time budget it relies on."""
import json
import os.path as osp
import re
import subprocess
import sys

import cv2
import numpy as np
import pytest
import torch

from tests.conftest import FACE_CONFIG, REPO
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


def test_seeds_side_by_side_mean_std_verdicts_and_skipping(celeba_root,
                                                          tmp_path):
    """Two methods x seeds 0 1, two runs at a time; a second call adds a
    method at one seed and keeps the finished runs."""
    out_dir = tmp_path / 'compare'
    common = ['--out-dir', str(out_dir), '--iters', '2', '--jobs', '2',
              '--num-samples', '8', '--diversity-samples', '4',
              '--grid-samples', '4', '--cfg-options',
              *tiny_options(celeba_root, tmp_path)]
    coop = ['--method', 'CoopNets', FACE_CONFIG]
    ema = ['--method', 'DCGAN-EMA',
           'configs/dcgan/dcgan-ema_1xb32-3kiters_celeba-64x64.py']
    out = run_benchmark('--seeds', '0', '1', *coop, *ema, *common)
    assert '4 run(s) to do, 2 at a time with 1 thread(s) each' in out
    assert 'DCGAN-EMA seed 1: iter 1,' in out
    assert 'tools/test.py' in out and 'tools/sample.py' in out
    table = json.load(open(out_dir / 'table.json'))
    assert table['settings']['threads'] == 1
    assert table['sampled_from'] == {'CoopNets': 'moving average',
                                     'DCGAN-EMA': 'moving average'}
    runs = {(r['method'], r['seed']): r for r in table['runs']}
    assert set(runs) == {(m, s) for m in ('CoopNets', 'DCGAN-EMA')
                         for s in (0, 1)}
    for run in runs.values():
        assert run['iterations'] == 2 and osp.isfile(run['checkpoint'])
        assert run['fid'] > 0 and run['seconds_per_iter'] > 0
        assert run['kid_std'] >= 0 and 0 <= run['precision'] <= 1
        assert 0 <= run['recall'] <= 1 and -1 <= run['pairwise_ssim'] <= 1
    # the seeds train differently; mean and std are over them
    fids = [runs['CoopNets', s]['fid'] for s in (0, 1)]
    assert fids[0] != fids[1]
    row = table['methods']['CoopNets']
    assert row['fid']['values'] == fids
    assert row['fid']['mean'] == pytest.approx(np.mean(fids))
    assert row['fid']['std'] == pytest.approx(np.std(fids, ddof=1))
    markdown = open(out_dir / 'table.md').read()
    assert '1 thread(s) each' in markdown
    assert ("| CoopNets | moving average | 0 1 | 2 ± 0 | "
            in markdown)
    assert f"{row['fid']['mean']:.1f} ± {row['fid']['std']:.1f}" in markdown
    verdicts = [line for line in markdown.splitlines()
                if line.startswith('- CoopNets vs DCGAN-EMA: FID ')]
    assert len(verdicts) == 1
    assert re.search(r'(ahead|behind|within noise), paired by seed [+-]'
                     r'[0-9.]+ ± [0-9.]+: (ahead|behind|within noise); '
                     r'KID x 1000 ', verdicts[0])
    # the DCGAN-EMA checkpoints hold the generator's average
    state = torch.load(runs['DCGAN-EMA', 0]['checkpoint'],
                       map_location='cpu')['state_dict']
    assert any(k.startswith('generator_ema.') for k in state)

    # again, plus Algorithm G at seed 0 only: the four runs are kept
    out = run_benchmark(
        '--seeds', '0', *coop, '--method', 'GeneratorABP',
        'configs/generator_abp/generator-abp_1xb32-2kiters_celeba-64x64.py',
        *common)
    assert 'CoopNets seed 0: finished before, kept' in out
    assert '1 run(s) to do' in out and 'CoopNets seed 0 train' not in out
    table = json.load(open(out_dir / 'table.json'))
    assert list(table['methods']) == ['CoopNets', 'DCGAN-EMA',
                                      'GeneratorABP']
    assert table['sampled_from']['GeneratorABP'] == 'moving average'
    markdown = open(out_dir / 'table.md').read()
    assert 'GeneratorABP has one seed' in markdown
    # Algorithm G's latents were kept for the faces it saw (2 x 4)
    abp = [r for r in table['runs'] if r['method'] == 'GeneratorABP'][0]
    checkpoint = torch.load(abp['checkpoint'], map_location='cpu')
    assert int(checkpoint['state_dict']['latents.known'].sum()) == 8
    # one labelled row of 8 samples per method, one below another
    montage = cv2.imread(str(out_dir / 'montage.jpg'))
    grid = cv2.imread(str(out_dir / 'GeneratorABP' / 'seed0' / 'grid.png'))
    assert montage.shape[:2] == (3 * (28 + 2 + 66) + 2 * 8, grid.shape[1])

    # --report rewrites the table of the finished runs, running nothing
    (out_dir / 'table.md').unlink()
    out = run_benchmark('--out-dir', str(out_dir), '--report')
    assert 'run(s) to do' not in out and 'train:' not in out
    assert '| GeneratorABP | moving average | 0 |' in open(
        out_dir / 'table.md').read()

    # another budget in the same folder is refused, naming the difference
    result = subprocess.run(
        [sys.executable, SCRIPT, *common[:2], '--iters', '3', *coop],
        cwd=REPO, capture_output=True, text=True)
    assert result.returncode != 0
    assert "budget '2 iterations' there, '3 iterations' now" in \
        result.stderr


def test_time_budget_ends_training_with_a_checkpoint(celeba_root, tmp_path):
    out_dir = tmp_path / 'budget'
    out = run_benchmark(
        '--out-dir', str(out_dir), '--minutes', '0.05', '--method', 'ABP',
        'configs/generator_abp/generator-abp_1xb32-2kiters_celeba-64x64.py',
        '--num-samples', '8', '--diversity-samples', '4', '--grid-samples',
        '4', '--cfg-options', *tiny_options(celeba_root, tmp_path))
    row = json.load(open(out_dir / 'table.json'))['runs'][0]
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
        'CoopNets', 'DCGAN', 'DCGAN-EMA', 'DescriptorOnly', 'GeneratorABP'
    ]
    method = args.method[0]
    train = compare_methods.train_command(args, method, 7, 'w')
    assert 'train_cfg.max_iters=3' in train and 'randomness.seed=7' in train
    fid = compare_methods.fid_command(args, method, 'c.pth', 'w')
    assert '--cfg-options' not in fid  # argparse refuses an empty list
    timed = compare_methods.parse_args(['--out-dir', 'x', '--minutes', '2'])
    train = compare_methods.train_command(timed, method, 0, 'w')
    assert 'default_hooks.time_budget.minutes=2.0' in train


def test_a_diverged_method_is_flagged_and_the_others_still_run(
        celeba_root, tmp_path):
    out_dir = tmp_path / 'diverged'
    # a drift bound no chain stays under: CoopNets stops at iteration 1
    run_benchmark(
        '--out-dir', str(out_dir), '--iters', '2', '--method', 'CoopNets',
        FACE_CONFIG, 'default_hooks.divergence_guard.max_drift=1e-12',
        'default_hooks.divergence_guard.patience=1', '--method', 'ABP',
        'configs/generator_abp/generator-abp_1xb32-2kiters_celeba-64x64.py',
        '--num-samples', '8', '--diversity-samples', '4', '--grid-samples',
        '4', '--cfg-options', *tiny_options(celeba_root, tmp_path))
    coop, abp = json.load(open(out_dir / 'table.json'))['runs']
    assert coop['diverged_at'] == 1 and coop['checkpoint'] is None
    assert 'fid' not in coop
    assert abp['diverged_at'] is None and abp['fid'] > 0
    markdown = open(out_dir / 'table.md').read()
    assert '| CoopNets | moving average | 0 (diverged: seed 0 at 1) | - |' \
        in markdown


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
    with pytest.raises(compare_methods.RunFailed, match='train failed'):
        compare_methods.run(fail, 'train', 1,
                            diverged=lambda: read_divergence(str(tmp_path)))
    record = dict(iteration=3699, problem='langevin_drift = 0.616 exceeded '
                  '0.5 for 3 iterations',
                  last_good_checkpoint='/w/train/iter_3500.pth')
    (tmp_path / 'diverged.json').write_text(json.dumps(record))
    assert compare_methods.run(
        fail, 'train', 1,
        diverged=lambda: read_divergence(str(tmp_path))) == record


def test_a_trained_run_is_scored_without_training_it_again(tmp_path,
                                                          monkeypatch):
    """A run whose scoring failed keeps its training: trained.json, or for
    runs made before it, the time budget's last-iteration line and its
    checkpoint, say the training ended."""
    monkeypatch.syspath_prepend(osp.dirname(SCRIPT))
    import compare_methods
    timed = compare_methods.parse_args(['--out-dir', 'x', '--minutes', '30'])
    train = tmp_path / 'train'
    (train / '20261202_193252').mkdir(parents=True)
    assert compare_methods.finished_training(timed, str(train)) is None
    (train / '20261202_193252' / '20261202_193252.log').write_text(
        'INFO - TimeBudgetHook: 30.01 of 30 minutes used; iteration 12 is '
        'the last.\n')
    assert compare_methods.finished_training(timed, str(train)) is None
    (train / 'iter_12.pth').write_bytes(b'')
    assert compare_methods.finished_training(timed, str(train)) == dict(
        train_minutes=30.01, diverged=None, machine=None)
    (train / 'trained.json').write_text(json.dumps(dict(
        train_minutes=30.2, diverged=None, machine='cpu')))
    assert compare_methods.finished_training(
        timed, str(train))['machine'] == 'cpu'
    counted = compare_methods.parse_args(['--out-dir', 'x', '--iters', '5'])
    assert compare_methods.finished_training(counted, str(tmp_path)) is None
    (tmp_path / 'iter_5.pth').write_bytes(b'')
    assert compare_methods.finished_training(counted,
                                             str(tmp_path)) is not None


def test_verdicts_unpaired_and_paired_by_seed_on_known_values():
    """Seeds that move both methods alike: unpaired the difference drowns
    in the seed spread, paired by seed it stands out."""
    sys.path.insert(0, osp.join(REPO, 'tools', 'benchmarks'))
    import compare_methods
    results = [
        dict(method=name, seed=seed, diverged_at=None, fid=fid)
        for name, fids in (('CoopNets', (10.0, 20.0, 30.0)),
                           ('DCGAN', (5.0, 15.0, 26.0)))
        for seed, fid in enumerate(fids)
    ] + [dict(method='G', seed=0, diverged_at=None, fid=60.0)]
    rows = compare_methods.summary(results)
    line = compare_methods.verdict(rows['CoopNets'], rows['DCGAN'])
    # unpaired: 4.7 ± sqrt(10^2/3 + 10.5^2/3) = 8.4; paired: differences
    # 5, 5, 4: mean 4.7, std 0.58, standard error 0.33
    assert line == ('CoopNets vs DCGAN: FID 20.0 vs 15.3, difference +4.7 '
                    '± 8.4: within noise, paired by seed +4.7 ± 0.3: '
                    'behind')
    one_seed = compare_methods.verdict(rows['CoopNets'], rows['G'])
    assert 'paired' not in one_seed
    assert 'difference -40.0 ± 11.5: ahead' in one_seed
    assert "G has one seed; its spread is taken as the other's" in one_seed


def test_threads_per_job_divides_the_cores_this_process_may_use(
        monkeypatch):
    """Under ``taskset -c 1`` on a 16-core machine a run gets 1 thread, not
    16; without an affinity call (macOS) the machine's cores are used."""
    monkeypatch.syspath_prepend(osp.dirname(SCRIPT))
    import tool_runs
    monkeypatch.setattr(tool_runs.os, 'cpu_count', lambda: 16)
    monkeypatch.setattr(tool_runs.os, 'sched_getaffinity', lambda pid: {1},
                        raising=False)
    assert tool_runs.threads_per_job(1) == 1
    assert tool_runs.threads_per_job(2) == 1
    monkeypatch.setattr(tool_runs.os, 'sched_getaffinity',
                        lambda pid: set(range(8)))
    assert tool_runs.threads_per_job(2) == 4
    monkeypatch.delattr(tool_runs.os, 'sched_getaffinity')
    assert tool_runs.threads_per_job(2) == 8
    assert tool_runs.threads_per_job(32) == 1
