"""An optimiser wrapper that runs its model's forward passes in bf16 on
CPUs too: mmagic's GANs (DCGAN-EMA) and CoopNets' generator train in the
precision of CoopNets' Langevin steps."""
from contextlib import contextmanager
from typing import Optional

import torch
from mmengine.optim import OptimWrapper

from mmagic.registry import OPTIM_WRAPPERS
from ..models.precision import autocast_context, check_autocast


@OPTIM_WRAPPERS.register_module()
class AutocastOptimWrapper(OptimWrapper):
    """:class:`~mmengine.optim.OptimWrapper` whose ``optim_context`` also
    enters autocast: the forward passes, losses and backward passes that a
    model runs inside it (mmagic's ``BaseGAN.train_step`` runs both of a
    GAN's updates there, CoopNets its Steps G0 and G2) take the given
    precision.

    mmengine's ``AmpOptimWrapper`` does the same on GPUs only (it asserts
    CUDA, NPU, MLU or MUSA), and with a loss scaler that bf16, with float32's
    exponent range, does not need; this one serves the CPU comparisons, in
    which CoopNets' Langevin steps and Step D2 run in bf16 where the CPU has
    bf16 units.

    Args:
        autocast (str, optional): a :mod:`~mmcoop.models.precision` setting:
            None (float32), 'bfloat16', 'float16' or 'auto' (bf16 on devices
            with bf16 units, float32 elsewhere).
        **kwargs: :class:`~mmengine.optim.OptimWrapper`'s arguments.
    """

    def __init__(self, autocast: Optional[str] = 'auto', **kwargs):
        super().__init__(**kwargs)
        self.autocast = check_autocast(autocast)

    @contextmanager
    def optim_context(self, model: torch.nn.Module):
        device = next(model.parameters()).device
        with super().optim_context(model), autocast_context(
                self.autocast, device):
            yield
