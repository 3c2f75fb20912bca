"""Reduced-precision (autocast) settings shared by the Langevin steps and
the learning steps.

A setting is None (float32), 'bfloat16', 'float16' or 'auto' (bfloat16 on
devices with bf16 units, float32 elsewhere, where emulated bf16 is slower).
mmengine's ``AmpOptimWrapper`` is not used for the learning steps because it
refuses to run without a GPU (it asserts CUDA, NPU, MLU or MUSA), and the
CPU is where the bf16 gain was measured.
"""
from typing import ContextManager, Optional

import torch

from ..utils.errors import SettingError

AUTOCAST_DTYPES = {'bfloat16': torch.bfloat16, 'float16': torch.float16}


def check_autocast(autocast: Optional[str]) -> Optional[str]:
    """Raise a ValueError for an unknown autocast setting; return it."""
    if autocast not in (None, 'auto', *AUTOCAST_DTYPES):
        raise SettingError(f"autocast must be None, 'auto' or one of "
                           f'{sorted(AUTOCAST_DTYPES)}, got {autocast!r}.')
    return autocast


def has_native_bfloat16(device: torch.device) -> bool:
    """Whether ``device`` computes bf16 in hardware (not emulated).

    CUDA: compute capability 8.0 (Ampere) or later. CPU: AVX-512 BF16 or AMX
    units; ``torch.cpu`` only exposes these checks as private functions, so a
    torch without them counts as no native bf16 (float32 is then used).
    """
    if device.type == 'cuda':
        return torch.cuda.is_bf16_supported(including_emulation=False)
    if device.type == 'cpu':
        return any(
            getattr(torch.cpu, check, lambda: False)()
            for check in ('_is_avx512_bf16_supported',
                          '_is_amx_tile_supported'))
    return False


def resolve_autocast(autocast: Optional[str],
                     device: torch.device) -> Optional[str]:
    """The precision to use on ``device``: 'auto' is 'bfloat16' where the
    device has bf16 units, else None (float32)."""
    if autocast == 'auto':
        return 'bfloat16' if has_native_bfloat16(device) else None
    return autocast


def autocast_context(autocast: Optional[str],
                     device: torch.device) -> ContextManager:
    """``torch.autocast`` for a setting on ``device`` (off for None, or for
    'auto' without bf16 units)."""
    resolved = resolve_autocast(autocast, device)
    return torch.autocast(device.type, dtype=AUTOCAST_DTYPES.get(resolved),
                          enabled=resolved is not None)
