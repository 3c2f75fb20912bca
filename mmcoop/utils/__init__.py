from .checkpoint_files import (checkpoint_to_resume, pointed_checkpoint,
                               read_checkpoint, remove_partial_saves,
                               saved_checkpoints)
from .checkpoint_fit import check_checkpoint_fits, checkpoint_mismatches
from .config_keys import check_config_keys, check_override_keys
from .errors import MissingFileError, SettingError, UsageError, user_message

__all__ = [
    'check_checkpoint_fits', 'checkpoint_mismatches', 'checkpoint_to_resume',
    'pointed_checkpoint', 'read_checkpoint', 'remove_partial_saves',
    'saved_checkpoints',
    'check_config_keys', 'check_override_keys', 'MissingFileError',
    'SettingError', 'UsageError', 'user_message'
]
