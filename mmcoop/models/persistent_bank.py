"""Per-index tensors kept across iterations, epochs and resume."""
from typing import Sequence

import torch
from torch import Tensor, nn

from ..utils.errors import SettingError


class PersistentBank(nn.Module):
    """A growing table of tensors looked up by integer index.

    Holds Algorithm D's persistent Langevin chains (index = chain number)
    and Algorithm G's per-image latents (index = dataset index). Rows are
    created on first use from the values the caller supplies; the table
    lives in buffers, so checkpoints carry it and ``--resume`` continues
    every chain and latent where it was. Loading a checkpoint resizes the
    table to the checkpoint's: a freshly built model has no rows yet.

    Args:
        shape (Sequence[int]): The shape of one row (e.g. (100, ) latents,
            or (3, 64, 64) images).
    """

    #: the leading (row) dimension of the buffers varies between models
    #: built from one config; checkpoint checks compare the rest only
    grows_on_load = True

    def __init__(self, shape: Sequence[int]):
        super().__init__()
        self.shape = tuple(int(s) for s in shape)
        self.register_buffer('values', torch.zeros(0, *self.shape))
        self.register_buffer('known', torch.zeros(0, dtype=torch.bool))

    def __len__(self) -> int:
        return self.values.shape[0]

    def num_known(self) -> int:
        """How many rows hold a stored value."""
        return int(self.known.sum())

    def _grow(self, size: int) -> None:
        extra = size - len(self)
        if extra > 0:
            self.values = torch.cat(
                [self.values,
                 self.values.new_zeros(extra, *self.shape)])
            self.known = torch.cat(
                [self.known, self.known.new_zeros(extra)])

    def _check(self, index: Tensor, rows: Tensor) -> Tensor:
        if index.dim() != 1 or rows.shape[0] != index.shape[0] or tuple(
                rows.shape[1:]) != self.shape:
            raise SettingError(
                f'PersistentBank rows of shape {self.shape} need one index '
                f'per row; got indices {tuple(index.shape)} and rows '
                f'{tuple(rows.shape)}.')
        if index.numel() and int(index.min()) < 0:
            raise SettingError(f'PersistentBank indices must be non-negative, '
                               f'got {int(index.min())}.')
        index = index.to(self.values.device, torch.long)
        if index.numel():
            self._grow(int(index.max()) + 1)
        return index

    def lookup(self, index: Tensor, initial: Tensor) -> Tensor:
        """The stored rows at ``index``; ``initial`` rows where none is."""
        index = self._check(index, initial)
        shape = (-1, ) + (1, ) * len(self.shape)
        return torch.where(self.known[index].view(shape),
                           self.values[index].to(initial), initial)

    def store(self, index: Tensor, rows: Tensor) -> None:
        """Keep ``rows`` at ``index`` (for repeated indices the last wins)."""
        index = self._check(index, rows)
        self.values[index] = rows.detach().to(self.values)
        self.known[index] = True

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        stored = state_dict.get(prefix + 'values')
        if stored is not None:
            if tuple(stored.shape[1:]) != self.shape:
                raise SettingError(
                    f'The checkpoint stores {prefix}values rows of shape '
                    f'{tuple(stored.shape[1:])}, but this model keeps rows '
                    f'of shape {self.shape}; use the config it was trained '
                    'with.')
            self.values = self.values.new_zeros(stored.shape)
            self.known = self.known.new_zeros(stored.shape[0])
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)
