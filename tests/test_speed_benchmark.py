"""The speed benchmark runs end to end in a tiny setting."""
import json
import os.path as osp
import subprocess
import sys

from tests.conftest import REPO


def test_speed_benchmark_writes_its_table_and_json(tmp_path):
    out = tmp_path / 'speed.json'
    cmd = [sys.executable, osp.join(REPO, 'tools', 'benchmarks', 'speed.py'),
           '--sizes', '32', '--batch', '2', '--iters', '2',
           '--completion-steps', '2', '--variants', 'bf16', '--out',
           str(out)]
    result = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert 'CoopNets/bare' in result.stdout
    report = json.load(open(out))
    assert report['matmul_gflops'] > 0
    row, = report['results']
    assert (row['size'], row['batch'], row['langevin_steps']) == (32, 2, 10)
    for key in ('coopnets_s', 'bare_s', 'dcgan_s', 'langevin_gflops',
                'sampling_images_per_s', 'completion_images_per_s'):
        assert row[key] > 0, key
    assert row['ratio_to_bare'] == row['coopnets_s'] / row['bare_s']
    assert len(row['peak_memory_mib']) == 2
    assert row['variants_s']['bf16'] > 0
