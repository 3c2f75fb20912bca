"""The speed benchmark runs end to end in a tiny setting."""
import json
import os.path as osp
import subprocess
import sys

from tests.conftest import REPO


def test_speed_benchmark_writes_its_table_and_json(tmp_path, celeba_root):
    out = tmp_path / 'speed.json'
    cmd = [sys.executable, osp.join(REPO, 'tools', 'benchmarks', 'speed.py'),
           '--batches', '2', '--warmup', '1', '--iters', '2',
           '--loop-warmup', '1', '--loop-iters', '4', '--completion-steps',
           '2', '--data-root', celeba_root, '--out', str(out)]
    result = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True,
                            timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    assert 'step/bare' in result.stdout and 'loop/step' in result.stdout
    report = json.load(open(out))
    assert report['matmul_gflops'] > 0
    rows = {(row['method'], row['batch']): row for row in report['results']}
    # each config at its own batch (CoopNets 16, DCGAN 32) and at 2
    assert sorted(rows) == [('CoopNets', 2), ('CoopNets', 16), ('DCGAN', 2),
                            ('DCGAN', 32)]
    coop = rows['CoopNets', 2]
    # float32 always, and the shipped precision: bf16 where 'auto' picks it
    assert 'float32' in coop['step_s'] and coop['precision'] in coop['step_s']
    for precision, seconds in coop['step_s'].items():
        assert seconds > 0 and coop['bare_s'][precision] > 0
        assert coop['step_over_bare'][precision] == (
            seconds / coop['bare_s'][precision])
    for row in rows.values():
        # the loop: 4 timed iterations, a checkpoint and a grid each timed
        # once and spread over the config's intervals
        assert row['loop_iters'] == 4
        assert set(row['event_costs_s']) == {'checkpoint', 'grid'}
        assert row['event_intervals']['checkpoint'] == 500
        spread = sum(row['event_costs_s'][name] /
                     row['event_intervals'][name]
                     for name in row['event_costs_s'])
        assert abs(row['loop_s'] - row['steady_s'] - spread) < 1e-9
        assert row['loop_over_step'] == (row['loop_s'] /
                                         row['step_in_loop_s'])
    assert rows['DCGAN', 32]['event_intervals']['grid'] == 100
    assert coop['langevin_gflops'] > 0 and coop['sampling_images_per_s'] > 0
