"""On resume, optimiser settings changed since the checkpoint win."""
from typing import Dict, Optional

from mmengine.config import Config
from mmengine.hooks import Hook

from mmagic.registry import HOOKS

#: optimiser settings that a resumed run takes from the config when they
#: differ from the config the checkpoint was written with
SETTINGS = ('lr', 'weight_decay', 'betas', 'eps', 'momentum')
#: settings that param groups scale (schedules, auto_scale_lr, the
#: divergence guard's rollbacks, paramwise multipliers): a change scales
#: them by new / old instead of replacing them
SCALED = ('lr', 'weight_decay')


def optimizer_settings(optim_wrapper: dict) -> Dict[str, dict]:
    """The ``optimizer`` dict of each wrapper in an ``optim_wrapper``
    config, by wrapper name ('' for a single wrapper)."""
    if 'optimizer' in optim_wrapper:
        return {'': optim_wrapper['optimizer']}
    return {
        name: wrapper['optimizer']
        for name, wrapper in optim_wrapper.items()
        if isinstance(wrapper, dict) and 'optimizer' in wrapper
    }


@HOOKS.register_module()
class ResumeSettingsHook(Hook):
    """Let the config's optimiser settings win over a resumed checkpoint's.

    mmengine's resume restores every optimiser's param groups (learning
    rate, betas, weight decay) from the checkpoint, so a value changed in
    the config or with ``--cfg-options`` since the checkpoint was written
    (such as the lower learning rate :class:`DivergenceGuardHook` advises)
    would silently be discarded. This hook compares the optimiser settings
    of the config saved in the checkpoint's meta with the current config
    and, where one differs, applies the new value to the resumed optimiser
    (scaling learning rate and weight decay by new / old, so schedules and
    rollbacks stay in force), logging each change. ``tools/train.py``
    registers it whenever it resumes.
    """

    priority = 'VERY_HIGH'

    def __init__(self):
        self.saved: Optional[Dict[str, dict]] = None

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        text = checkpoint.get('meta', {}).get('cfg')
        try:
            self.saved = optimizer_settings(
                Config.fromstring(text, '.py').optim_wrapper)
        except Exception:  # no config saved, or one that cannot be read
            self.saved = None

    def before_train(self, runner) -> None:
        if not runner.cfg.get('resume'):
            return  # loaded weights only: the optimisers are the config's
        if self.saved is None:
            runner.logger.warning(
                'The checkpoint holds no readable config: the resumed '
                'optimisers keep the checkpoint\'s settings.')
            return
        current = optimizer_settings(runner.cfg.optim_wrapper)
        wrappers = runner.optim_wrapper
        for name, settings in current.items():
            before = self.saved.get(name, {})
            wrapper = wrappers[name] if name else wrappers
            for key in SETTINGS:
                old, new = before.get(key), settings.get(key)
                if old is None or new is None or _same(old, new):
                    continue
                for group in wrapper.optimizer.param_groups:
                    if key in SCALED and old:
                        group[key] = group[key] * new / old
                    else:
                        group[key] = tuple(new) if isinstance(
                            new, list) else new
                runner.logger.info(
                    f'Resumed optimiser {name or "(single)"}: {key} '
                    f'{old} in the checkpoint\'s config -> {new} from this '
                    'config.')
        self.saved = None


def _same(old, new) -> bool:
    if isinstance(old, (list, tuple)) and isinstance(new, (list, tuple)):
        return list(old) == list(new)
    return old == new
