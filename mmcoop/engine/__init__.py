from .autocast_optim_wrapper import AutocastOptimWrapper
from .divergence import (DivergenceDetector, last_good_checkpoint,
                         read_divergence)
from .divergence_guard_hook import DivergenceGuardHook, TrainingDiverged
from .iteration_seed_hook import IterationSeedHook, iteration_seed
from .resume_settings_hook import ResumeSettingsHook
from .time_budget_hook import TimeBudgetHook

__all__ = [
    'AutocastOptimWrapper', 'DivergenceDetector', 'DivergenceGuardHook',
    'IterationSeedHook', 'ResumeSettingsHook', 'TimeBudgetHook',
    'TrainingDiverged', 'iteration_seed', 'last_good_checkpoint',
    'read_divergence'
]
