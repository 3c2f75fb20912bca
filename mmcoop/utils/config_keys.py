"""Refuse misspelt settings before a run starts, naming the nearest key.

mmengine accepts any key: an unknown top-level key given on the command
line is ignored, and a misspelt argument of a hook that takes ``**kwargs``
(``CheckpointHook`` passes them to ``save_checkpoint``) only fails at the
first save, after the training time is spent. :func:`check_config_keys`
reads the config before anything is built.
"""
import difflib
import inspect
from typing import Iterable, List, Optional

from mmengine.config import Config
from mmengine.hooks import CheckpointHook, Hook
from mmengine.runner import BaseLoop, IterBasedTrainLoop, Runner

from mmagic import registry
from .errors import SettingError

# where in a config each registry's types are built
SECTION_REGISTRIES = {
    'model': registry.MODELS,
    'default_hooks': registry.HOOKS,
    'custom_hooks': registry.HOOKS,
    'train_cfg': registry.LOOPS,
    'val_cfg': registry.LOOPS,
    'test_cfg': registry.LOOPS,
    'visualizer': registry.VISUALIZERS,
    'train_dataloader': None,
    'val_dataloader': None,
    'test_dataloader': None,
    'val_evaluator': registry.EVALUATORS,
    'test_evaluator': registry.EVALUATORS,
    'optim_wrapper': registry.OPTIM_WRAPPERS,
}
# keys whose values are built from another registry than their section's
KEY_REGISTRIES = {
    'dataset': registry.DATASETS,
    'pipeline': registry.TRANSFORMS,
    'sampler': registry.DATA_SAMPLERS,
    'metrics': registry.METRICS,
    'vis_backends': registry.VISBACKENDS,
    'optimizer': registry.OPTIMIZERS,
}
# hooks that take **kwargs but have no use for any extra key
FORWARD_NOTHING = (CheckpointHook, )
# keys mmengine takes out of a dict before building its type
CONSUMED_KEYS = {'type', '_scope_'}


def accepted_keys(cls) -> Optional[List[str]]:
    """The keyword arguments ``cls`` accepts, or None where it takes any.

    A class whose ``__init__`` takes ``**kwargs`` is followed up its bases
    while each passes them on (the usual ``super().__init__(**kwargs)``);
    the check covers mmcoop's own classes and the hooks, where that holds.
    """
    names = []
    for klass in cls.__mro__:
        if '__init__' not in vars(klass) or klass is object:
            continue
        parameters = inspect.signature(klass.__init__).parameters.values()
        names += [p.name for p in parameters if p.kind in (
            p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.name != 'self']
        if not any(p.kind is p.VAR_KEYWORD for p in parameters) or \
                issubclass(cls, FORWARD_NOTHING):
            return names
    return None


def checked(cls) -> bool:
    """mmcoop's own types, every hook and every loop are checked."""
    return cls.__module__.startswith('mmcoop.') or issubclass(
        cls, (Hook, BaseLoop))


def nearest(key: str, choices: Iterable[str]) -> str:
    found = difflib.get_close_matches(key, list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{found[0]}'?" if found else '.'


def problems_in(node, where: str, builder) -> List[str]:
    """Unknown keys in ``node`` (a piece of config at ``where``)."""
    if isinstance(node, (list, tuple)):
        return [problem for index, item in enumerate(node)
                for problem in problems_in(item, f'{where}.{index}',
                                           builder)]
    if not isinstance(node, dict):
        return []
    found = []
    cls = node.get('type')
    if isinstance(cls, str) and builder is not None:
        cls = builder.get(cls)
    if inspect.isclass(cls) and checked(cls):
        known = accepted_keys(cls)
        if known is not None:
            found += [
                f'{where}.{key}: {cls.__name__} has no setting '
                f"'{key}'{nearest(key, known)}"
                for key in node if key not in known and
                key not in CONSUMED_KEYS
            ]
    for key, value in node.items():
        found += problems_in(value, f'{where}.{key}',
                             KEY_REGISTRIES.get(key, builder))
    return found


def check_override_keys(cfg: Config, options: dict) -> None:
    """Refuse command-line ``options`` (dotted key -> value) whose key's
    first part is neither a key of the config file ``cfg`` (before the
    overrides) nor a setting of mmengine's ``Runner``, which would silently
    ignore them, and text where the config holds a number or a switch."""
    top = set(cfg.keys()) | set(inspect.signature(Runner.__init__).parameters)
    problems = [
        f"{key}: no such setting{nearest(key.split('.')[0], top)}"
        for key in options if key.split('.')[0] not in top
    ]
    for key, value in options.items():
        old = lookup(cfg, key)
        if isinstance(old, bool) and not isinstance(value, bool):
            problems.append(f'{key}={value!r}: the config has a switch '
                            f'({old}) here; give True or False')
        elif isinstance(old, (int, float)) and not isinstance(
                old, bool) and isinstance(value, str):
            problems.append(f'{key}={value!r}: the config has a number '
                            f'({old}) here')
    if problems:
        raise SettingError('Settings that cannot work: ' +
                           '; '.join(problems))


def check_config_keys(cfg: Config) -> None:
    """Raise :class:`SettingError` naming every misspelt key of the
    project's own types, the hooks and the loops in ``cfg``."""
    problems = []
    for section, builder in SECTION_REGISTRIES.items():
        node = cfg.get(section)
        if section == 'train_cfg' and isinstance(node, dict) and \
                'type' not in node and not node.get('by_epoch', False):
            # the loop mmengine builds when the config names none
            node = {k: v for k, v in node.items() if k != 'by_epoch'}
            node['type'] = IterBasedTrainLoop
        if section == 'default_hooks' and isinstance(node, dict):
            node = {name: hook for name, hook in node.items() if hook}
        problems += problems_in(node, section, builder)
    if problems:
        raise SettingError('Unknown settings (misspelt?): ' +
                           '; '.join(problems))


def lookup(cfg, key: str):
    """The value at dotted ``key`` in ``cfg`` (list items by index), or
    None where there is none."""
    node = cfg
    for part in key.split('.'):
        if isinstance(node, (dict, Config)) and part in node:
            node = node[part]
        elif isinstance(node, (list, tuple)) and part.isdigit() and \
                int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node
