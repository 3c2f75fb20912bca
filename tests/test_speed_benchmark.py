"""The speed benchmark runs end to end in a tiny setting."""
import json
import os.path as osp
import subprocess
import sys

import torch

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
    # each config at its own batch (CoopNets 16, DCGAN-EMA 32) and at 2
    assert sorted(rows) == [('CoopNets', 2), ('CoopNets', 16),
                            ('DCGAN-EMA', 2), ('DCGAN-EMA', 32)]
    coop = rows['CoopNets', 2]
    # float32 always, and the shipped precision: bf16 where 'auto' picks it
    assert 'float32' in coop['step_s'] and coop['precision'] in coop['step_s']
    for precision, seconds in coop['step_s'].items():
        assert seconds > 0 and coop['bare_s'][precision] > 0
        assert coop['step_over_bare'][precision] == (
            seconds / coop['bare_s'][precision])
    # both in float32 and in the shipped precision (bf16 where 'auto'
    # picks it), the same for both methods
    gan = rows['DCGAN-EMA', 2]
    assert gan['precision'] == coop['precision']
    assert list(gan['step_s']) == list(dict.fromkeys(['float32',
                                                      coop['precision']]))
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
    assert rows['DCGAN-EMA', 32]['event_intervals']['grid'] == 100
    assert coop['langevin_gflops'] > 0 and coop['sampling_images_per_s'] > 0


def test_speed_times_each_config_in_its_own_precision_and_float32(
        monkeypatch):
    """A config's shipped precision is its Langevin steps' (CoopNets) or its
    optimiser wrappers' (a GAN); timing it in float32 turns off every
    autocast setting, AutocastOptimWrappers' included."""
    import importlib.util

    from mmengine.config import Config

    from mmcoop.models import precision
    spec = importlib.util.spec_from_file_location(
        'speed', osp.join(REPO, 'tools', 'benchmarks', 'speed.py'))
    speed = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(speed)
    cpu = torch.device('cpu')
    ema = Config.fromfile(speed.CONFIGS['dcgan_ema'])
    plain = Config.fromfile(osp.join(
        REPO, 'configs', 'dcgan', 'dcgan_1xb32-3kiters_celeba-64x64.py'))
    coop = Config.fromfile(speed.CONFIGS['coopnets'])
    for native, shipped in ((True, 'bfloat16'), (False, 'float32')):
        monkeypatch.setattr(precision, 'has_native_bfloat16',
                            lambda device: native)
        assert speed.shipped_precision(ema, cpu) == shipped
        assert speed.shipped_precision(coop, cpu) == shipped
        assert speed.shipped_precision(plain, cpu) == 'float32'
    full = speed.with_precision(ema, 'float32')
    assert [full.optim_wrapper[name].autocast
            for name in ('generator', 'discriminator')] == [None, None]
    assert ema.optim_wrapper.generator.autocast == 'auto'  # not changed
    full = speed.with_precision(coop, 'float32')
    assert full.model.sampler.autocast is None
    assert full.model.descriptor_autocast is None
    assert 'autocast' not in speed.with_precision(
        plain, 'bfloat16').optim_wrapper.generator
