"""Looking up the named network settings of the paper and public code."""
from typing import Dict

from ...utils.errors import SettingError


def preset_spec(presets: Dict[str, dict], preset, kind: str) -> dict:
    """The settings of ``preset`` in ``presets`` ({} for None).

    Raises a ValueError listing the known presets for an unknown name.
    """
    if preset is None:
        return {}
    if preset not in presets:
        raise SettingError(f'Unknown {kind} preset {preset!r}; choose one of '
                           f'{sorted(presets)} or give the layers yourself.')
    return presets[preset]
