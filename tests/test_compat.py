"""Each compatibility fix in mmcoop.compat does what it says."""
import io

import numpy as np
import pytest
import torch


def test_numpy_bool8_alias_lets_mmagic_utils_import():
    import mmagic.utils  # noqa: F401
    assert np.bool8 is np.bool_


def test_mmengine_checkpoint_state_loads_with_weights_only():
    from mmengine.logging.history_buffer import HistoryBuffer
    buffer = HistoryBuffer()
    buffer.update(1.5)
    state = dict(message_hub=dict(log_scalars=dict(loss=buffer)),
                 seed=np.int64(3), array=np.arange(4, dtype=np.float32),
                 flag=np.bool_(True))
    blob = io.BytesIO()
    torch.save(state, blob)
    blob.seek(0)
    loaded = torch.load(blob, weights_only=True)
    assert loaded['message_hub']['log_scalars']['loss'].current() == 1.5
    assert loaded['seed'] == 3
    np.testing.assert_array_equal(loaded['array'], np.arange(4))


def test_mmagic_registries_hold_what_imports_and_stubs_the_rest():
    from mmagic.registry import METRICS, MODELS, TRANSFORMS
    from mmcoop.compat import UNAVAILABLE
    for name in ('DCGAN', 'DataPreprocessor', 'ExponentialMovingAverage',
                 'PConvInpaintor', 'DeepFillv1Inpaintor'):
        assert isinstance(MODELS.get(name), type), name
    for name in ('LoadImageFromFile', 'LoadMask', 'GetMaskedImage',
                 'PackInputs', 'Crop', 'Resize'):
        assert isinstance(TRANSFORMS.get(name), type), name
    for name in ('FID', 'MAE', 'PSNR', 'SSIM', 'SWD', 'MS_SSIM'):
        assert isinstance(METRICS.get(name), type), name
    # an editor needing compiled mmcv ops fails loudly when asked for
    assert 'mmagic.models.editors.basicvsr_plusplus_net' in UNAVAILABLE
    with pytest.raises(ImportError, match='mmcv._ext'):
        MODELS.build(dict(type='BasicVSRPlusPlusNet'))


def test_lazy_package_attribute_names_the_missing_dependency():
    import mmagic.datasets.transforms as transforms
    assert transforms.LoadMask.__name__ == 'LoadMask'
    with pytest.raises(ImportError, match='albumentations'):
        transforms.AlbuCorruptFunction


def test_dcgan_discriminator_init_weights_runs_and_initialises():
    from mmagic.registry import MODELS
    disc = MODELS.build(
        dict(type='DCGANDiscriminator', input_scale=64, output_scale=4,
             out_channels=1))
    disc.init_weights()  # raised UnboundLocalError before the fix
    convs = [m for m in disc.modules() if isinstance(m, torch.nn.Conv2d)]
    weights = torch.cat([c.weight.flatten() for c in convs])
    assert abs(weights.std().item() - 0.02) < 0.002


def test_checkpoint_getattr_allows_only_history_buffer_statistics():
    import pickle

    from mmengine.logging.history_buffer import HistoryBuffer

    class Sneaky:
        def __reduce__(self):
            return getattr, (HistoryBuffer, '__init__')

    blob = io.BytesIO()
    torch.save({'x': Sneaky()}, blob)
    blob.seek(0)
    with pytest.raises(pickle.UnpicklingError,
                       match='only HistoryBuffer statistics methods'):
        torch.load(blob, weights_only=True)


def test_history_buffer_checkpoint_loads_in_a_fresh_process(tmp_path):
    """The statistics table is empty until a HistoryBuffer is created."""
    import subprocess
    import sys

    from mmengine.logging.history_buffer import HistoryBuffer
    path = tmp_path / 'hub.pth'
    torch.save({'loss': HistoryBuffer([1.0], [1])}, path)
    code = ('import mmcoop, torch; '
            f'print(torch.load({str(path)!r})["loss"].mean())')
    out = subprocess.run([sys.executable, '-c', code], capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip().endswith('1.0')


def test_pytorch_launcher_and_ddp_wrapper_work_without_cuda(tmp_path):
    """A one-process 'distributed' run on CPU: gloo, no device_ids."""
    import subprocess
    import sys
    code = '''
import os, torch, mmcoop
from mmengine.dist import init_dist, get_world_size
from mmengine.model.wrappers import MMSeparateDistributedDataParallel
from mmagic.registry import MODELS
from mmengine.registry import init_default_scope
init_default_scope('mmagic')
assert not torch.cuda.is_available()
os.environ.update(RANK='0', LOCAL_RANK='0', WORLD_SIZE='1',
                  MASTER_ADDR='127.0.0.1', MASTER_PORT='29533')
init_dist('pytorch', backend='nccl')  # the mmagic configs' backend
print(torch.distributed.get_backend(), get_world_size())
model = MODELS.build(dict(
    type='CoopNets', data_preprocessor=dict(type='DataPreprocessor'),
    descriptor=dict(type='CoopDescriptor', preset='cifar-32'),
    generator=dict(type='CoopGenerator', preset='dcgan-32')))
wrapped = MMSeparateDistributedDataParallel(model, device_ids=[0])
print(type(wrapped.module.descriptor).__name__)
'''
    out = subprocess.run([sys.executable, '-c', code], capture_output=True,
                         text=True, timeout=300,
                         env={**__import__('os').environ,
                              'CUDA_VISIBLE_DEVICES': ''})
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ['gloo', '1', 'MMDistributedDataParallel']


def test_configs_inherit_from_mmagic_configs_without_pkg_resources(tmp_path):
    from mmengine import Config
    from mmengine.utils import get_installed_path, is_installed
    assert is_installed('mmagic') and not is_installed('no-such-package-x1')
    assert get_installed_path('mmagic').endswith('mmagic')
    config = tmp_path / 'child.py'
    config.write_text("_base_ = ['mmagic::dcgan/"
                      "dcgan_1xb128-5epoches_lsun-bedroom-64x64.py']\n")
    cfg = Config.fromfile(str(config))
    assert cfg.model.type == 'DCGAN'
    assert cfg.model.generator.type == 'DCGANGenerator'


def test_checkpoint_files_are_replaced_atomically(tmp_path, monkeypatch):
    from mmengine.fileio.backends import LocalBackend
    from mmengine.hooks import checkpoint_hook
    target = tmp_path / 'iter_2.pth'
    LocalBackend().put(b'old checkpoint', str(target))
    # a crash while writing the new one leaves the old file intact
    with pytest.raises(RuntimeError):
        with checkpoint_hook.open(str(target), 'wb') as f:
            f.write(b'half a chec')
            raise RuntimeError('killed')
    assert target.read_bytes() == b'old checkpoint'
    assert [p.name for p in tmp_path.iterdir()] == ['iter_2.pth']

    import os
    renamed = []
    real_replace = os.replace

    def replace(src, dst):
        renamed.append((src, dst))
        real_replace(src, dst)

    monkeypatch.setattr(os, 'replace', replace)
    LocalBackend().put(b'new checkpoint', str(target))
    assert target.read_bytes() == b'new checkpoint'
    assert renamed == [(f'{target}.tmp-{os.getpid()}', str(target))]
    LocalBackend().put_text('text', str(tmp_path / 'last_checkpoint'))
    assert (tmp_path / 'last_checkpoint').read_text() == 'text'
    with checkpoint_hook.open(str(tmp_path / 'last_checkpoint')) as f:
        assert f.read() == 'text'  # reading is the builtin open


def test_sample_grids_sample_each_batch_once():
    from types import SimpleNamespace

    from mmagic.engine.hooks import VisualizationHook
    from mmagic.structures import DataSample

    class Model(torch.nn.Module):
        calls = 0

        def noise_fn(self, num_batches):
            return torch.randn(num_batches, 2)

        def val_step(self, data):
            Model.calls += 1
            return [DataSample(fake_img=torch.zeros(3, 4, 4))
                    for _ in data['inputs']['noise']]

    from mmagic.visualization import Visualizer
    Visualizer.get_instance('test-sample-grids')
    drawn = []
    hook = VisualizationHook(interval=1, n_samples=8, vis_kwargs_list=[
        dict(type='GAN', name='a'), dict(type='GAN', name='b')])
    hook._visualizer = SimpleNamespace(
        add_datasample=lambda **kwargs: drawn.append(kwargs))
    model = Model()
    runner = SimpleNamespace(model=model,
                             train_dataloader=SimpleNamespace(batch_size=4))
    hook.vis_sample(runner, 0, None)
    # two grids of 8 samples in batches of 4: 4 batches, each sampled once
    # (mmagic 1.2.0 alone: 8 calls)
    assert Model.calls == 4
    assert [len(grid['gen_samples']) for grid in drawn] == [8, 8]
    assert 'val_step' not in vars(model)  # the method is back


def test_mmagic_apis_import_and_the_controlnet_inferencer_says_why_not():
    import importlib.util

    import mmagic.apis
    from mmagic.apis.inferencers import (ControlnetAnimationInferencer,
                                         Inferencers)
    assert mmagic.apis.MMagicInferencer and Inferencers
    if importlib.util.find_spec('controlnet_aux') is not None:
        pytest.skip('controlnet_aux is installed: nothing to stub')
    with pytest.raises(ImportError, match='pip install controlnet_aux'):
        ControlnetAnimationInferencer('config.py', None)
    # no fake controlnet_aux where other packages look for it
    import sys
    assert 'controlnet_aux' not in sys.modules


def test_none_switches_off_any_default_hook():
    from types import SimpleNamespace

    from mmengine.config import DictAction
    from mmengine.runner import Runner
    registered = []
    stand_in = SimpleNamespace(register_hook=registered.append)
    # --cfg-options default_hooks.divergence_guard=None gives None
    parsed = SimpleNamespace()
    DictAction(['--cfg-options'], 'cfg_options')(
        None, parsed, ['default_hooks.divergence_guard=None'])
    assert parsed.cfg_options == {'default_hooks.divergence_guard': None}
    Runner.register_default_hooks(stand_in, dict(
        timer=None, divergence_guard=None,
        iteration_seed=dict(type='IterationSeedHook')))
    types = [hook['type'] for hook in registered]
    assert 'IterTimerHook' not in types  # mmengine's own name, its way
    assert 'IterationSeedHook' in types
    assert not any('Divergence' in t for t in types)
    assert len(types) == 6  # 5 of mmengine's 6, plus iteration_seed
