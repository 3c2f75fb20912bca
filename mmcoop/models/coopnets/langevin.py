"""Langevin dynamics: descriptor revision (eq. 4) and latent inference (eq. 9).

One sampler serves training, sampling, evaluation and completion.
"""
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Union

import torch
from torch import Tensor

from mmagic.registry import MODELS
from ..precision import autocast_context, check_autocast
from .generator import neg_log_joint
from ...utils.errors import SettingError

EnergyFn = Callable[[Tensor], Tensor]


def _energy_and_grad(energy_fn: EnergyFn, x: Tensor) -> Tuple[Tensor, Tensor]:
    """E(x) per sample and dE/dx, without touching parameter gradients.

    ``torch.autograd.grad`` with ``inputs=x`` only back-propagates what x's
    gradient needs: no ``.grad`` of any network parameter is written. Under
    autocast the networks run in its dtype; E and dE/dx are returned in x's.
    """
    x = x.detach().requires_grad_(True)
    energy = energy_fn(x)
    grad, = torch.autograd.grad(energy.sum(), x)
    return energy.detach().to(x.dtype), grad.to(x.dtype)


def check_step_count(name: str, value) -> int:
    """Raise a ValueError unless ``value``, a number of Langevin steps, is
    a non-negative integer; return it as an int."""
    if int(value) != value or value < 0:
        raise SettingError(f'{name} must be a non-negative integer, got '
                           f'{value}.')
    return int(value)


def check_step_size(name: str, value) -> float:
    """Raise a ValueError unless ``value``, a Langevin step size delta, is
    positive; return it as a float."""
    if not value > 0:
        raise SettingError(f'{name} must be positive, got {value}.')
    return float(value)


def geometric_schedule(first: float, last: float, steps: int) -> List[float]:
    """``steps`` step sizes from ``first`` to ``last``, each the previous
    times the same factor (``first`` alone for one step)."""
    if steps == 1:
        return [first]
    return [first * (last / first)**(k / (steps - 1)) for k in range(steps)]


@MODELS.register_module()
class LangevinSampler:
    """Langevin dynamics on an energy E: x <- x - (delta^2/2) dE/dx + delta U.

    With the descriptor's energy E(Y) = ||Y||^2/(2 s^2) - f(Y) this is the
    revision dynamics of eq. (4); with the generator's -log q(X, Y) it is the
    latent inference of eq. (9). An optional Metropolis-Hastings correction
    (MALA) accepts each proposal with probability
    min(1, exp(E(x) - E(x') + log q(x | x') - log q(x' | x))).

    Step counts have one vocabulary throughout mmcoop: ``revision_steps``
    counts descriptor Langevin steps (eq. 4; l_p in training, the
    refinement of a completion in :class:`LatentInpaintor`),
    ``inference_steps`` latent Langevin steps (eq. 9; l_q). A model's
    test-time counts add ``test_`` (``test_revision_steps``: the steps that
    revise samples), and ``noise_free_`` counts those of them, the last
    ones, that leave out delta * U (``noise_free_revision_steps`` of the
    sampler, ``test_noise_free_revision_steps`` of a model). A sampling request
    (``inputs['revision_steps']``) and the tools (``--revision-steps``) use
    the same words.

    Args:
        revision_steps (int): l_p, descriptor Langevin steps per iteration.
        revision_step_size (float): delta of eq. (4); with
            ``final_revision_step_size``, that of a chain's first step.
        final_revision_step_size (float, optional): delta of a chain's last
            revision step: the steps in between anneal geometrically from
            ``revision_step_size`` to it, over however many steps the chain
            has (l_p in training, a model's test-time count in sampling).
            None (default): every step uses ``revision_step_size``.
        revision_noise (bool): Add delta * U in eq. (4) (False gives gradient
            descent on the energy, as some ports do late in training).
        noise_free_revision_steps (int): How many of the l_p revision steps,
            the last ones, leave out delta * U, so that the revised images
            (Y_tilde, which the generator learns to reproduce) do not carry
            the chains' last noise. 0 (default): all steps as eq. (4).
        clamp (tuple, optional): (low, high) to clamp Y to after every
            revision step, e.g. (-1, 1). None: no clamp.
        inference_steps (int): l_q, latent inference steps (Step G1; 0 keeps
            X = X_hat as the paper's experiments do).
        inference_step_size (float): delta of eq. (9).
        inference_noise (bool): Add delta * U in eq. (9).
        metropolis (bool): Apply the Metropolis-Hastings correction (MALA)
            to both dynamics; the acceptance rate is reported.
        autocast (str, optional): 'bfloat16' or 'float16': evaluate the
            networks inside the Langevin steps in that precision (the chain
            state stays float32); 'auto': bfloat16 on devices with bf16
            units (:func:`~mmcoop.models.precision.has_native_bfloat16`),
            float32 elsewhere, where emulated bf16 would be slower. On a
            CPU with bf16 units this halves the step time (see
            configs/coopnets/README.md, Speed);
            gradients then carry a relative error of a few percent (see
            tests/test_langevin.py).
    """

    def __init__(self,
                 revision_steps: int = 10,
                 revision_step_size: float = 0.002,
                 final_revision_step_size: Optional[float] = None,
                 revision_noise: bool = True,
                 noise_free_revision_steps: int = 0,
                 clamp: Optional[Sequence[float]] = None,
                 inference_steps: int = 0,
                 inference_step_size: float = 0.1,
                 inference_noise: bool = True,
                 metropolis: bool = False,
                 autocast: Optional[str] = None):
        for name, value in (('revision_steps', revision_steps),
                            ('noise_free_revision_steps',
                             noise_free_revision_steps),
                            ('inference_steps', inference_steps)):
            check_step_count(name, value)
        if noise_free_revision_steps > revision_steps:
            raise SettingError(
                f'noise_free_revision_steps ({noise_free_revision_steps}) '
                f'counts some of the revision_steps ({revision_steps}): it '
                'cannot be larger.')
        if clamp is not None and (len(clamp) != 2 or clamp[0] >= clamp[1]):
            raise SettingError(f'clamp must be (low, high) with low < high, '
                               f'got {clamp}.')
        self.revision_steps = int(revision_steps)
        self.revision_step_size = check_step_size('revision_step_size',
                                                  revision_step_size)
        self.final_revision_step_size = None if \
            final_revision_step_size is None else check_step_size(
                'final_revision_step_size', final_revision_step_size)
        self.revision_noise = revision_noise
        self.noise_free_revision_steps = int(noise_free_revision_steps)
        self.autocast = check_autocast(autocast)
        self.clamp = tuple(clamp) if clamp is not None else None
        self.inference_steps = int(inference_steps)
        self.inference_step_size = check_step_size('inference_step_size',
                                                   inference_step_size)
        self.inference_noise = inference_noise
        self.metropolis = metropolis

    def run(self,
            energy_fn: EnergyFn,
            x: Tensor,
            steps: int,
            step_size: Union[float, Sequence[float]],
            noise: bool = True,
            clamp: Optional[Tuple[float, float]] = None,
            frozen: Optional[Tensor] = None,
            sum_last: int = 0) -> Tuple[Tensor, Dict[str, Tensor]]:
        """Run ``steps`` Langevin steps on ``energy_fn`` from ``x``.

        ``step_size`` is delta, or one delta per step. ``frozen``
        (broadcastable to x, 1 = hold fixed) restricts the dynamics to the
        other entries: drift and noise are zero on frozen entries, which is
        Langevin dynamics of the conditional distribution of the free
        entries given the frozen ones.

        Returns:
            The final x (detached) and statistics as tensors (no host sync):
            ``drift``, the mean over steps of ||(delta^2/2) dE/dx|| / ||x||
            per sample averaged over the batch; with Metropolis-Hastings,
            ``acceptance``, the fraction of accepted proposals; with
            ``sum_last`` > 0, ``state_sum``, the sum of the chain's last
            ``sum_last`` states (the final x included).
        """
        x = x.detach()
        if steps == 0:
            return x, {}
        sizes = ([float(step_size)] * steps if isinstance(
            step_size, (int, float)) else [float(d) for d in step_size])
        if len(sizes) != steps:
            raise SettingError(f'{len(sizes)} step sizes given for {steps} '
                               'Langevin steps; give one per step.')
        free = None if frozen is None else 1 - frozen.to(x.dtype)
        drift_sum = x.new_zeros(())
        accepted = x.new_zeros(())
        state_sum = torch.zeros_like(x) if sum_last else None
        # one autocast region for all steps: autocast keeps the networks'
        # weights cast to its dtype until the region ends, instead of
        # casting them again at every step (the chain's own arithmetic is
        # elementwise and stays in x's dtype)
        with torch.enable_grad(), autocast_context(self.autocast, x.device):
            energy, grad = _energy_and_grad(energy_fn, x)
            for step, step_size in enumerate(sizes):
                half_var = step_size**2 / 2
                drift = grad.mul(-half_var)
                if free is not None:
                    drift = drift * free
                drift_sum += (drift.flatten(1).norm(dim=1) /
                              x.flatten(1).norm(dim=1).clamp_min(1e-12)).mean()
                proposal = x + drift
                if noise:
                    step_noise = step_size * torch.randn_like(x)
                    proposal = proposal + (step_noise if free is None else
                                           step_noise * free)
                if clamp is not None:
                    proposal = proposal.clamp(*clamp)
                if not self.metropolis:
                    x = proposal
                    if step < steps - 1:  # the last x needs no gradient
                        energy, grad = _energy_and_grad(energy_fn, x)
                else:
                    x, energy, grad, accept = self._metropolis_step(
                        energy_fn, x, proposal, drift, energy, grad,
                        half_var, free)
                    accepted += accept.float().mean()
                if step >= steps - sum_last:
                    state_sum += x
        stats = {'drift': drift_sum / steps}
        if self.metropolis:
            stats['acceptance'] = accepted / steps
        if sum_last:
            stats['state_sum'] = state_sum.detach()
        return x.detach(), stats

    @staticmethod
    def _metropolis_step(energy_fn: EnergyFn, x: Tensor, proposal: Tensor,
                         drift: Tensor, energy: Tensor, grad: Tensor,
                         half_var: float, free: Optional[Tensor]):
        """Accept each chain's proposal x' with probability min(1, exp(E(x)
        - E(x') + log q(x | x') - log q(x' | x))), q the Langevin proposal;
        returns the new x, E(x), dE/dx and which chains accepted."""
        new_energy, new_grad = _energy_and_grad(energy_fn, proposal)
        forward = (proposal - x - drift).flatten(1).pow(2).sum(1)
        backward = x - proposal + half_var * (
            new_grad if free is None else new_grad * free)
        backward = backward.flatten(1)
        log_ratio = (energy - new_energy -
                     backward.pow(2).sum(1) / (4 * half_var) +
                     forward / (4 * half_var))
        accept = torch.rand_like(log_ratio).log() < log_ratio
        shape = (-1, ) + (1, ) * (x.dim() - 1)
        return (torch.where(accept.view(shape), proposal, x),
                torch.where(accept, new_energy, energy),
                torch.where(accept.view(shape), new_grad, grad), accept)

    def revision_step_sizes(self, steps: int) -> List[float]:
        """delta of each of a chain's ``steps`` revision steps: constant
        ``revision_step_size``, or annealed to ``final_revision_step_size``
        geometrically."""
        if self.final_revision_step_size is None:
            return [self.revision_step_size] * steps
        return geometric_schedule(self.revision_step_size,
                                  self.final_revision_step_size, steps)

    def revise(self,
               descriptor,
               y: Tensor,
               steps: Optional[int] = None,
               frozen: Optional[Tensor] = None,
               noise: Optional[bool] = None,
               noise_free_steps: Optional[int] = None,
               step_size: Optional[float] = None,
               average_last: int = 0) -> Tuple[Tensor, Dict[str, Tensor]]:
        """Step D1: l_p revision steps of eq. (4) under the descriptor,
        the last ``noise_free_steps`` of them without delta * U.

        Args:
            descriptor: A :class:`CoopDescriptor` (its ``energy``).
            y (Tensor): Images to revise.
            steps (int, optional): Overrides l_p.
            frozen (Tensor, optional): 1 on pixels held fixed (the observed
                pixels when refining a completion), 0 on revised ones.
            noise (bool, optional): Overrides ``revision_noise``.
            noise_free_steps (int, optional): Overrides
                ``noise_free_revision_steps``; at most ``steps`` are.
            step_size (float, optional): Overrides delta: every step uses
                it (else :meth:`revision_step_sizes`).
            average_last (int): If > 0, the statistics add ``average``, the
                mean of the chain's last ``average_last`` states (at most
                ``steps``; the revised images included).
        """
        steps = self.revision_steps if steps is None else steps
        sizes = (self.revision_step_sizes(steps)
                 if step_size is None else [step_size] * steps)
        noise = self.revision_noise if noise is None else noise
        noise_free = min(steps, self.noise_free_revision_steps
                         if noise_free_steps is None else noise_free_steps)
        noisy, averaged = steps - noise_free, min(steps, average_last)
        y, stats = self.run(descriptor.energy, y, noisy, sizes[:noisy],
                            noise, self.clamp, frozen,
                            max(0, averaged - noise_free))
        state_sum = stats.pop('state_sum', 0)
        if noise_free:
            y, last = self.run(descriptor.energy, y, noise_free,
                               sizes[noisy:], False, self.clamp, frozen,
                               min(averaged, noise_free))
            state_sum = state_sum + last.pop('state_sum', 0)
            # statistics are means over steps: weigh each part by its steps
            stats = {
                key: (stats.get(key, 0) * noisy + value * noise_free) / steps
                for key, value in last.items()
            }
        if averaged:
            stats['average'] = state_sum / averaged
        return y, stats

    def infer_latent(self,
                     generator,
                     y: Tensor,
                     x: Tensor,
                     observed: Optional[Tensor] = None,
                     steps: Optional[int] = None,
                     sigma: Optional[float] = None
                     ) -> Tuple[Tensor, Dict[str, Tensor]]:
        """Step G1: l_q inference steps of eq. (9) for the latents of ``y``.

        Args:
            generator: Maps latents to images: a :class:`CoopGenerator` or
                any generator network (e.g. mmagic's ``DCGANGenerator``).
            y (Tensor): Images whose latents are inferred.
            x (Tensor): Initial latents (X_hat, or N(0, I) draws).
            observed (Tensor, optional): 1 on observed pixels, 0 on missing
                ones; missing pixels do not enter the likelihood.
            steps (int, optional): Overrides l_q.
            sigma (float, optional): sigma of eq. (6); defaults to the
                generator's ``sigma``.
        """
        steps = self.inference_steps if steps is None else steps
        sigma = getattr(generator, 'sigma', None) if sigma is None else sigma
        if sigma is None or not sigma > 0:
            raise SettingError(
                f'Latent inference needs the residual std sigma of eq. (6): '
                f'{type(generator).__name__} has no `sigma`, so pass a '
                f'positive sigma (got {sigma}).')
        y = y.detach()

        def energy(latent):
            return neg_log_joint(generator, latent, y, sigma, observed)

        return self.run(energy, x, steps, self.inference_step_size,
                        self.inference_noise)
