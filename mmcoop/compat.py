"""Compatibility fixes for mmagic 1.2.0 on the pinned stack.

Every fix that mmcoop applies to a third-party package lives in this module,
is applied once by :func:`apply_all` (called from ``mmcoop/__init__.py``
before anything from mmagic is imported) and has a test in
``tests/test_compat.py``. Each fix says what it fixes and when it can go.

Pinned stack (see ``requirements.txt``): torch 2.14.1, numpy 2, mmengine
0.10.7, mmcv-lite 2.1.0 (no compiled ops), mmagic 1.2.0 installed without its
heavy optional extras (diffusers, transformers, albumentations, ...).
"""
import ast
import importlib
import importlib.util
import os
import pickle
import sys
import types
from typing import Dict, List

import numpy as np

_APPLIED = False

#: mmagic packages whose ``__init__`` imports every submodule, some of which
#: need packages we do not install (diffusers, transformers, albumentations)
#: or compiled mmcv ops. Each maps to the registry their classes live in.
PARTIAL_PACKAGES = {
    'mmagic.models': 'MODELS',
    'mmagic.models.editors': 'MODELS',
    'mmagic.models.archs': 'MODELS',
    'mmagic.models.losses': 'MODELS',
    'mmagic.datasets.transforms': 'TRANSFORMS',
    'mmagic.evaluation.metrics': 'METRICS',
}

#: submodule -> reason, for every mmagic submodule that could not be imported.
UNAVAILABLE: Dict[str, str] = {}


def fix_numpy_bool8() -> None:
    """mmagic 1.2.0 uses ``np.bool8``, removed in numpy 2.0.

    ``mmagic/utils/trans_utils.py`` raises ``AttributeError`` at import
    without it. Remove when mmagic stops using ``np.bool8``.
    Needed with numpy >= 2 with mmagic 1.2.0. Tested in
    tests/test_compat.py: test_numpy_bool8_alias_lets_mmagic_utils_import.
    """
    if not hasattr(np, 'bool8'):
        np.bool8 = np.bool_


def fix_checkpoint_weights_only() -> None:
    """torch >= 2.6 loads checkpoints with ``weights_only=True``.

    mmengine 0.10.7 stores its message hub's ``HistoryBuffer`` objects and
    numpy arrays and scalars in checkpoints, so ``--resume`` and
    ``load_from`` fail with ``Unsupported global``. Allow exactly those
    globals. A pickled ``HistoryBuffer`` also calls ``getattr(HistoryBuffer,
    'mean')`` (and min/max/current) to rebuild its statistics table;
    allowing the real ``getattr`` would open the unpickler to arbitrary
    attribute access, so a ``getattr`` that only resolves those statistics
    methods is registered under that name instead. Remove when mmengine
    saves checkpoints that load with ``weights_only=True``.
    Needed with torch >= 2.6 with mmengine 0.10.7. Tested in
    tests/test_compat.py:
    test_mmengine_checkpoint_state_loads_with_weights_only,
    test_checkpoint_getattr_allows_only_history_buffer_statistics,
    test_history_buffer_checkpoint_loads_in_a_fresh_process.
    """
    import torch
    from mmengine.logging.history_buffer import HistoryBuffer
    from numpy._core.multiarray import _reconstruct, scalar
    dtypes = [type(np.dtype(t)) for t in (np.float64, np.float32, np.int64,
                                          np.int32, np.uint8, np.bool_)]

    def history_buffer_getattr(obj, name):
        statistics = {'min', 'max', 'current', 'mean',
                      *HistoryBuffer._statistics_methods}
        if obj is HistoryBuffer and name in statistics:
            return getattr(obj, name)
        raise pickle.UnpicklingError(
            f'checkpoint asks for getattr({obj!r}, {name!r}); only '
            'HistoryBuffer statistics methods are allowed.')

    torch.serialization.add_safe_globals([
        HistoryBuffer, np.ndarray, np.dtype, _reconstruct, scalar, *dtypes,
        (history_buffer_getattr, 'builtins.getattr')
    ])


def _exported_names(init_file: str) -> Dict[str, str]:
    """Map each name a package ``__init__`` imports to its submodule."""
    with open(init_file, encoding='utf-8') as f:
        tree = ast.parse(f.read())
    names = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            for alias in node.names:
                # '*' keeps the last star-imported submodule: mmagic.models
                # star-imports editors and losses, both partial packages
                names[alias.asname or alias.name] = node.module
    return names


def _missing_dependency_stub(name: str, submodule: str):
    """A registry entry that explains why ``name`` cannot be built."""
    reason = UNAVAILABLE[submodule]

    def unavailable(*args, **kwargs):
        raise ImportError(
            f'{name} (from {submodule}) is not available in this mmcoop '
            f'environment: importing it failed with "{reason}". mmcoop '
            'installs mmagic without its optional extras and uses '
            'mmcv-lite, which has no compiled ops; install the missing '
            'package (and full mmcv for compiled ops) to use it.')

    unavailable.__name__ = name
    return unavailable


def fix_mmagic_eager_imports() -> None:
    """Import mmagic's packages submodule by submodule.

    ``mmagic.models`` (and a few other packages) import every submodule in
    their ``__init__``, including editors that need diffusers, transformers,
    albumentations or ``mmcv.ops`` (``No module named 'mmcv._ext'`` with
    mmcv-lite). One such import fails the whole package, so nothing of
    mmagic's models can be used. Here each of those packages is created
    without running its ``__init__``; every submodule is then imported on its
    own so that everything that can register does, names resolve lazily
    (PEP 562), and each class of a submodule that failed is registered as a
    stub that raises a clear ``ImportError`` naming the missing dependency
    when a config asks for it. Nothing computes silently without its op.
    Remove when mmagic imports its optional editors lazily.
    Needed with mmagic 1.2.0 without its optional extras or with mmcv-lite.
    Tested in tests/test_compat.py:
    test_mmagic_registries_hold_what_imports_and_stubs_the_rest,
    test_lazy_package_attribute_names_the_missing_dependency.
    """
    spec = importlib.util.find_spec('mmagic')
    root = os.path.dirname(spec.origin)
    import mmagic.registry as registries
    packages: Dict[str, types.ModuleType] = {}
    exports: Dict[str, Dict[str, str]] = {}
    for name in PARTIAL_PACKAGES:
        if name in sys.modules and not getattr(sys.modules[name],
                                               '_mmcoop_partial', False):
            continue  # already imported for real (all extras present)
        path = os.path.join(root, *name.split('.')[1:])
        module = types.ModuleType(name)
        module.__path__ = [path]
        module.__file__ = os.path.join(path, '__init__.py')
        module.__package__ = name
        module._mmcoop_partial = True
        exports[name] = _exported_names(module.__file__)
        module.__getattr__ = _lazy_getattr(name, exports[name])
        sys.modules[name] = module
        packages[name] = module
        parent, _, child = name.rpartition('.')
        if parent in sys.modules:
            setattr(sys.modules[parent], child, module)
    # Run the real parents' __init__ first (mmagic.evaluation, ...): they
    # import names from the partial packages, which then resolve lazily; a
    # submodule imported before its parent would meet itself half-imported.
    for name in packages:
        parent = name.rpartition('.')[0]
        if parent not in PARTIAL_PACKAGES:
            importlib.import_module(parent)
    for name, module in packages.items():
        for attr, sub in exports[name].items():
            full = f'{name}.{sub}'
            if attr == '*':
                continue  # star re-exports resolve lazily, see _lazy_getattr
            try:
                value = getattr(importlib.import_module(full), attr)
            except Exception as error:  # noqa: BLE001 - reported, not hidden
                UNAVAILABLE.setdefault(full, f'{type(error).__name__}: '
                                       f'{error}')
                registry = getattr(registries, PARTIAL_PACKAGES[name])
                if (attr[:1].isupper()
                        and attr not in registry.module_dict):
                    registry.register_module(
                        name=attr,
                        module=_missing_dependency_stub(attr, full))
                continue
            setattr(module, attr, value)


def _lazy_getattr(package: str, names: Dict[str, str]):

    def __getattr__(attr):
        sub = names.get(attr)
        if sub is None and names.get('*'):
            star = importlib.import_module(f"{package}.{names['*']}")
            if hasattr(star, attr):
                return getattr(star, attr)
        if sub is None:
            raise AttributeError(f'module {package!r} has no attribute '
                                 f'{attr!r}')
        full = f'{package}.{sub}'
        if full in UNAVAILABLE:
            raise ImportError(f'{package}.{attr} is unavailable: '
                              f'{UNAVAILABLE[full]}')
        return getattr(importlib.import_module(full), attr)

    return __getattr__


def fix_dcgan_init_weights() -> None:
    """``DCGANDiscriminator.init_weights`` raises ``UnboundLocalError``.

    In mmagic 1.2.0 the loop over ``self.modules()`` reads ``init_info`` for
    every module, but assigns it only for convolutions and batch norms, so the
    first other module (the discriminator itself) fails under
    ``Runner.train()`` (upstream mmagic issue 2109). The replacement runs the
    same initialisation and records init info only where it was set. Remove
    when the upstream fix is released.
    Needed with mmagic 1.2.0. Tested in tests/test_compat.py:
    test_dcgan_discriminator_init_weights_runs_and_initialises.
    """
    import torch.nn as nn
    from mmagic.models.editors.dcgan.dcgan_discriminator import \
        DCGANDiscriminator
    from mmengine.model import BaseModule, normal_init, update_init_info
    from torch.nn.modules.batchnorm import _BatchNorm

    def init_weights(self):
        if self.init_cfg is not None and self.init_cfg['type'] == 'Pretrained':
            BaseModule.init_weights(self)
            return
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
                normal_init(m, 0, 0.02)
                info = f'{type(m).__name__}: normal(0, 0.02)'
            elif isinstance(m, _BatchNorm):
                nn.init.normal_(m.weight.data)
                nn.init.constant_(m.bias.data, 0)
                info = f'{type(m).__name__}: weight normal(0, 1), bias 0'
            else:
                continue
            # the info table exists when a parent BaseModule initialises us
            if hasattr(m, '_params_init_info'):
                update_init_info(m, info)

    DCGANDiscriminator.init_weights = init_weights


def fix_cpu_distributed_launch() -> None:
    """mmengine's PyTorch launcher and DDP wrappers assume CUDA.

    In mmengine 0.10.7 ``dist.utils._init_dist_pytorch`` always calls
    ``torch.cuda.set_device`` and keeps the configured backend (NCCL in
    mmagic-style configs), and ``Runner.wrap_model`` hands
    ``device_ids=[LOCAL_RANK]`` to the DDP wrappers, so
    ``tools/dist_train.sh`` fails on a machine without GPUs. Without CUDA,
    the process group is initialised with gloo instead of NCCL and the DDP
    wrappers get no ``device_ids`` (CPU modules); with CUDA nothing changes.
    Remove when mmengine handles CPU-only machines.
    Needed with mmengine 0.10.7 without CUDA. Tested in
    tests/test_compat.py:
    test_pytorch_launcher_and_ddp_wrapper_work_without_cuda.
    """
    import torch
    import torch.distributed as torch_dist
    from mmengine.dist import utils as dist_utils
    from mmengine.model.wrappers import MMDistributedDataParallel
    cuda_launcher = dist_utils._init_dist_pytorch
    ddp_init = MMDistributedDataParallel.__init__

    def init_dist_pytorch(backend, init_backend='torch', **kwargs):
        if torch.cuda.is_available():
            return cuda_launcher(backend, init_backend=init_backend, **kwargs)
        torch_dist.init_process_group(
            backend='gloo' if backend == 'nccl' else backend, **kwargs)

    def init_ddp(self, module, detect_anomalous_params=False, **kwargs):
        if not torch.cuda.is_available():
            kwargs.pop('device_ids', None)
            kwargs.pop('output_device', None)
        ddp_init(self, module, detect_anomalous_params, **kwargs)

    dist_utils._init_dist_pytorch = init_dist_pytorch
    MMDistributedDataParallel.__init__ = init_ddp


def fix_package_lookup_without_pkg_resources() -> None:
    """mmengine finds installed packages with ``pkg_resources``.

    setuptools 81 removed ``pkg_resources``, so in mmengine 0.10.7
    ``Config.fromfile`` fails on configs that inherit from a package's
    configs (``_base_ = 'mmagic::dcgan/...'``) with ``No module named
    'pkg_resources'``. Where it is missing, ``is_installed`` and
    ``get_installed_path`` (in ``mmengine.utils`` and where
    ``mmengine.config`` imported them) use ``importlib`` instead. Remove
    when mmengine stops importing ``pkg_resources``.
    Needed with mmengine 0.10.7 with setuptools >= 81. Tested in
    tests/test_compat.py:
    test_configs_inherit_from_mmagic_configs_without_pkg_resources.
    """
    try:
        import pkg_resources  # noqa: F401
        return
    except ImportError:
        pass
    from importlib import metadata

    import mmengine.utils
    from mmengine.config import config as config_module
    from mmengine.utils import package_utils

    def module_names(package: str) -> List[str]:
        names = [package, package.replace('-', '_')]
        try:
            top_level = metadata.distribution(package).read_text(
                'top_level.txt')
        except metadata.PackageNotFoundError:
            top_level = None
        return names + (top_level or '').split()

    def installed_module(package: str):
        for name in module_names(package):
            spec = importlib.util.find_spec(name)
            if spec is not None and spec.origin is not None:
                return spec
        return None

    def is_installed(package: str) -> bool:
        return installed_module(package) is not None

    def get_installed_path(package: str) -> str:
        spec = installed_module(package)
        if spec is None:
            raise ModuleNotFoundError(f'{package} is not installed.')
        return os.path.dirname(spec.origin)

    for module in (package_utils, mmengine.utils, config_module):
        module.is_installed = is_installed
        module.get_installed_path = get_installed_path


class _AtomicWriteFile:
    """A file opened for writing at a temporary path beside ``path``; on a
    clean close it is flushed to disk and renamed onto ``path``."""

    def __init__(self, path, mode, *args, **kwargs):
        self._path = os.fspath(path)
        self._tmp = f'{self._path}.tmp-{os.getpid()}'
        self._file = open(self._tmp, mode, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._file, name)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.close()
        else:  # keep the old file; drop the partial one
            self._file.close()
            os.remove(self._tmp)

    def close(self):
        if self._file.closed:
            return
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        os.replace(self._tmp, self._path)


def _atomic_open(file, mode='r', *args, **kwargs):
    """``open`` whose plain write modes ('w', 'wb') replace files
    atomically; every other mode is the builtin ``open``."""
    if mode.startswith('w') and '+' not in mode:
        return _AtomicWriteFile(file, mode, *args, **kwargs)
    return open(file, mode, *args, **kwargs)


def fix_atomic_checkpoint_writes() -> None:
    """mmengine writes checkpoints and ``last_checkpoint`` in place.

    In mmengine 0.10.7 ``LocalBackend.put`` (which writes every local
    checkpoint) and ``CheckpointHook`` (which writes ``last_checkpoint``)
    open the final path with 'wb'/'w' and write into it, so a process killed
    mid-write leaves a truncated checkpoint, or an empty ``last_checkpoint``,
    that ``--resume`` then picks and cannot load. Both modules get an
    ``open`` (module globals shadow the builtin) that writes to a temporary
    file, fsyncs it and renames it over the target, which POSIX makes
    atomic: a reader sees the old file or the complete new one. Remove when
    mmengine writes files atomically.
    Needed with mmengine 0.10.7. Tested in tests/test_compat.py:
    test_checkpoint_files_are_replaced_atomically.
    """
    from mmengine.fileio.backends import local_backend
    from mmengine.hooks import checkpoint_hook
    local_backend.open = _atomic_open
    checkpoint_hook.open = _atomic_open


def fix_visualization_double_forward() -> None:
    """mmagic's ``VisualizationHook`` samples every grid batch twice.

    In mmagic 1.2.0 ``VisualizationHook.vis_sample`` calls the model's
    ``val_step(inputs)`` once, keeps the result only to count its length,
    and calls it again on the same ``inputs`` for the samples it shows. For
    CoopNets each call runs the test-time Langevin revision, so every sample
    grid cost twice its sampling (16.8 s instead of ~8 s per face-config
    grid on 2 CPU cores). While a grid is drawn, ``val_step`` answers a
    repeated call on the same ``inputs`` object with the previous result, so
    each batch is sampled once; the grid shows what the first call drew.
    Remove when ``vis_sample`` calls ``val_step`` once per batch.
    """
    import functools

    from mmagic.engine.hooks import VisualizationHook

    if getattr(VisualizationHook.vis_sample, '_samples_once', False):
        return
    draw_grids = VisualizationHook.vis_sample

    @functools.wraps(draw_grids)
    def vis_sample(self, runner, *args, **kwargs):
        model = runner.model
        model = model.module if hasattr(model, 'module') else model
        val_step = model.val_step
        last = dict(inputs=None, outputs=None)

        def val_step_once(inputs):
            if inputs is not last['inputs']:
                last.update(inputs=inputs, outputs=val_step(inputs))
            return last['outputs']

        # an instance attribute shadows the method while the grid is drawn
        model.val_step = val_step_once
        try:
            return draw_grids(self, runner, *args, **kwargs)
        finally:
            del model.val_step

    vis_sample._samples_once = True
    VisualizationHook.vis_sample = vis_sample


def fix_apis_without_controlnet_aux() -> None:
    """``import mmagic.apis`` fails without the optional ``controlnet_aux``.

    mmagic 1.2.0's ``mmagic/apis/inferencers/__init__.py`` imports every
    inferencer, among them the ControlNet animation one, which imports
    ``controlnet_aux`` (not among mmagic's requirements, and not installed
    here). So no inferencer (``Inferencers``, ``MMagicInferencer``) can be
    used. Where ``controlnet_aux`` is missing, that one submodule is
    replaced by a stub whose ``ControlnetAnimationInferencer`` raises a
    clear ``ImportError`` when built; nothing else changes, and no fake
    ``controlnet_aux`` is put where other packages would find it. Tested in
    tests/test_compat.py. Remove when mmagic imports it lazily or the stack
    installs ``controlnet_aux``.
    """
    name = 'mmagic.apis.inferencers.controlnet_animation_inferencer'
    if (importlib.util.find_spec('controlnet_aux') is not None
            or name in sys.modules):
        return

    class ControlnetAnimationInferencer:

        def __init__(self, *args, **kwargs):
            raise ImportError(
                "mmagic's ControlnetAnimationInferencer needs the package "
                'controlnet_aux, which is not installed; pip install '
                'controlnet_aux to use it.')

    stub = types.ModuleType(name)
    stub.ControlnetAnimationInferencer = ControlnetAnimationInferencer
    sys.modules[name] = stub


#: the default hooks mmengine 0.10.7 itself lets a config switch off
MMENGINE_DEFAULT_HOOKS = ('runtime_info', 'timer', 'sampler_seed', 'logger',
                          'param_scheduler', 'checkpoint')


def fix_none_switches_off_any_default_hook() -> None:
    """``default_hooks.NAME=None`` switches off only mmengine's own hooks.

    mmengine documents ``None`` as the way to switch a default hook off,
    but ``Runner.register_default_hooks`` (0.10.7) pops only the six names
    it defines itself and asserts on ``None`` for any other, such as
    mmagic's or mmcoop's hooks in ``default_hooks`` (``iteration_seed``,
    ``divergence_guard``, ``time_budget``). The runner method is wrapped so
    that ``None`` drops any name; mmengine's own names still go through its
    code. Tested in tests/test_compat.py. Remove when mmengine accepts
    ``None`` for every name.
    """
    from mmengine.runner import Runner
    original = Runner.register_default_hooks
    if getattr(original, 'mmcoop_fixed', False):
        return

    def register_default_hooks(self, hooks=None):
        if hooks is not None:
            hooks = {name: hook for name, hook in hooks.items()
                     if hook is not None or name in MMENGINE_DEFAULT_HOOKS}
        return original(self, hooks)

    register_default_hooks.mmcoop_fixed = True
    Runner.register_default_hooks = register_default_hooks


def apply_all() -> List[str]:
    """Apply every fix once; return the names of the fixes applied."""
    global _APPLIED
    fixes = [fix_numpy_bool8, fix_checkpoint_weights_only,
             fix_mmagic_eager_imports, fix_dcgan_init_weights,
             fix_cpu_distributed_launch,
             fix_package_lookup_without_pkg_resources,
             fix_atomic_checkpoint_writes,
             fix_visualization_double_forward,
             fix_apis_without_controlnet_aux,
             fix_none_switches_off_any_default_hook]
    if not _APPLIED:
        for fix in fixes:
            fix()
        _APPLIED = True
    return [fix.__name__ for fix in fixes]
