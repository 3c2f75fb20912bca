"""mmcoop: cooperative learning (CoopNets) as an OpenMMLab mmagic plugin.

Importing ``mmcoop`` applies the stack's compatibility fixes
(:mod:`mmcoop.compat`) and registers the plugin's models, datasets, hooks
and metrics into mmagic's registries.
"""
from .compat import apply_all as _apply_compat_fixes

_apply_compat_fixes()

from . import datasets, engine, evaluation, models  # noqa: E402,F401

__version__ = '0.1.0'
