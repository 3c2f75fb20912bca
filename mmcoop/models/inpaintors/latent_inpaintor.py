"""Image completion through a generator's latent space (paper 5.3)."""
from typing import Optional, Tuple, Union

import torch
from torch import Tensor

from mmagic.registry import MODELS
from mmagic.structures import DataSample
from ..batch_statistics import batch_statistics, check_batch_norm_mode
from ..coopnets.generator import residual_energy
from .base_inpaintor import TestTimeInpaintor
from .poisson_blend import poisson_blend
from ...utils.errors import SettingError

ModelCfg = Union[dict, torch.nn.Module]


@MODELS.register_module()
class LatentInpaintor(TestTimeInpaintor):
    """Recover occluded pixels by inferring the generator's latent (eq. 9).

    For each occluded image Y with observed pixels O, Langevin dynamics on
    ||O * (Y - g(X))||^2 / (2 sigma^2) + ||X||^2 / 2 (eq. 9 with only the
    observed pixels in the likelihood) runs from X ~ N(0, I); the completion
    is g(X) in the hole and Y elsewhere. Options:

    - ``restarts``: several chains per image, keeping the one whose g(X)
      fits the observed pixels best (``combine='best'``) or averaging their
      completions (``combine='mean'``: a Monte Carlo estimate of the
      posterior mean E[Y_hole | Y_observed], the completion with the least
      expected squared error);
    - ``blend='poisson'``: instead of pasting g(X), blend it into the hole
      (:func:`poisson_blend`, as Yeh et al. 2017 do for DCGAN inpainting):
      g(X)'s structure with its misfit along the border smoothed away;
    - ``sampler.revision_steps`` > 0: the cooperative polish, that many
      descriptor Langevin steps (eq. 4) on the completion with the observed
      pixels held fixed.

    It is a test-time model: it learns nothing and loads the generator (and
    descriptor) of a trained checkpoint, e.g. of :class:`CoopNets` or of
    mmagic's ``DCGAN`` (whose discriminator is ignored). Its predictions are
    those of mmagic's ``OneStageInpaintor`` (``output.pred_img``,
    ``fake_res``, ``fake_img`` beside ``gt_img`` and ``mask``), so mmagic's
    inpainting metrics and visualisers read them.

    Args:
        generator (dict | nn.Module): The generator; it maps latents of
            shape (N, *noise_size) to images in [-1, 1].
        sampler (dict): :class:`LangevinSampler` config: ``inference_steps``
            (the paper runs 1000), ``inference_step_size``,
            ``inference_noise``; ``revision_steps`` (default here 0: no
            refinement) and the other revision settings refine the
            completion.
        descriptor (dict | nn.Module, optional): Needed for refinement.
        sigma (float, optional): sigma of eq. (6); defaults to the
            generator's ``sigma``.
        restarts (int): Chains per image.
        combine (str): How the restarts make one completion: 'best' (the
            chain whose g(X) fits the observed pixels best) or 'mean' (the
            average of all chains' completions, each pasted or blended and
            refined first).
        blend (str): How g(X) enters the hole: 'paste' (the paper) or
            'poisson'.
        batch_norm (str): Statistics for the generator's batch norm layers:
            'batch' (each batch's own, as during CoopNets and DCGAN training
            and in the official CoopNets code; running averages are left
            untouched) or 'running' (the stored running averages, so each
            image's completion is independent of its batch).
        use_ema (bool): Load the moving averages of a checkpoint's networks
            (``generator_ema``, and ``descriptor_ema`` where it has one), as
            a :class:`CoopNets` trained with ``ema_config`` (and
            ``descriptor_ema_config``) keeps them and samples from them,
            instead of the trained networks.
        data_preprocessor (dict): mmagic ``DataPreprocessor`` config.
    """

    def __init__(self,
                 generator: ModelCfg,
                 sampler: dict,
                 descriptor: Optional[ModelCfg] = None,
                 sigma: Optional[float] = None,
                 restarts: int = 1,
                 combine: str = 'best',
                 blend: str = 'paste',
                 batch_norm: str = 'batch',
                 use_ema: bool = False,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        super().__init__(data_preprocessor, init_cfg)
        if use_ema:
            self.register_load_state_dict_pre_hook(load_moving_averages)

        def build(cfg):
            return MODELS.build(cfg) if isinstance(cfg, dict) else cfg

        self.generator = build(generator)
        self.descriptor = None if descriptor is None else build(descriptor)
        # refinement is off unless the sampler config asks for it
        self.sampler = MODELS.build(sampler,
                                    default_args=dict(revision_steps=0))
        if int(restarts) != restarts or restarts < 1:
            raise SettingError(f'restarts must be a positive integer, got '
                               f'{restarts}.')
        if combine not in ('best', 'mean'):
            raise SettingError(f"combine must be 'best' (the restart that "
                               f"fits the observed pixels best) or 'mean' "
                               f"(the average of the restarts), got "
                               f"{combine!r}.")
        if blend not in ('paste', 'poisson'):
            raise SettingError(f"blend must be 'paste' (g(X) in the hole, as "
                               f"in the paper) or 'poisson' (blended into the "
                               f"hole), got {blend!r}.")
        if self.sampler.revision_steps and self.descriptor is None:
            raise SettingError('sampler.revision_steps > 0 refines '
                               'completions with descriptor Langevin: give '
                               'a `descriptor` (or set the steps to 0).')
        self.batch_norm = check_batch_norm_mode(batch_norm)
        self.sigma = getattr(self.generator, 'sigma', None) \
            if sigma is None else sigma
        if self.sigma is None or not self.sigma > 0:
            raise SettingError(
                f'LatentInpaintor needs a positive sigma (eq. 6): '
                f'{type(self.generator).__name__} has none, so set `sigma` '
                f'(got {sigma}).')
        noise_size = getattr(self.generator, 'noise_size', None)
        if noise_size is None:
            raise SettingError(f'{type(self.generator).__name__} has no '
                               '`noise_size`; LatentInpaintor needs it to '
                               'draw initial latents.')
        self.latent_shape = ((noise_size, ) if isinstance(noise_size, int)
                             else tuple(noise_size))
        self.restarts = int(restarts)
        self.combine = combine
        self.blend = blend

    def complete(self, masked: Tensor, mask: Tensor) -> Tuple[Tensor, Tensor]:
        """Complete normalised images; ``mask`` is 1 on missing pixels.

        Returns:
            g(X) per image (of the best chain, or the chains' mean), and the
            completion: g(X) (pasted or blended, then refined) in the hole,
            the observed pixels elsewhere.
        """
        if mask.dim() != 4 or mask.shape[0] != masked.shape[0] or \
                mask.shape[-2:] != masked.shape[-2:]:
            raise SettingError(
                f'Masks must be (N, 1, H, W) like the images '
                f'{tuple(masked.shape)}, got {tuple(mask.shape)}.')
        num = masked.shape[0]
        # all restarts in one batch: chain r of image n sits at r * num + n
        y = masked.repeat(self.restarts, 1, 1, 1)
        holes = mask.to(masked.dtype).repeat(self.restarts, 1, 1, 1)
        x0 = torch.randn((num * self.restarts, ) + self.latent_shape,
                         device=masked.device, dtype=masked.dtype)
        with self._generator_statistics():
            x, _ = self.sampler.infer_latent(
                self.generator, y, x0, observed=1 - holes, sigma=self.sigma)
        with torch.no_grad(), self._generator_statistics():
            fitted = self.generator(x)
        if self.combine == 'best':
            fitted = self._best_fit(fitted, masked, 1 - mask.to(masked.dtype))
            y, holes = masked, mask.to(masked.dtype)
        completion = self._fill_hole(fitted, y, holes)
        if self.sampler.revision_steps:
            completion, _ = self.sampler.revise(self.descriptor, completion,
                                                frozen=1 - holes)
        if self.combine == 'mean':
            fitted = fitted.view((self.restarts, num) +
                                 fitted.shape[1:]).mean(0)
            completion = completion.view((self.restarts, num) +
                                         completion.shape[1:]).mean(0)
        return fitted, completion

    def _best_fit(self, fitted: Tensor, masked: Tensor,
                  observed: Tensor) -> Tensor:
        """Per image, the chain's g(X) that fits the observed pixels best."""
        num = masked.shape[0]
        misfit = residual_energy(fitted, masked.repeat(self.restarts, 1, 1, 1),
                                 self.sigma,
                                 observed.repeat(self.restarts, 1, 1, 1))
        best = misfit.view(self.restarts, num).argmin(0)
        return fitted.view((self.restarts, num) + fitted.shape[1:])[
            best, torch.arange(num, device=best.device)]

    @torch.no_grad()
    def _fill_hole(self, fitted: Tensor, masked: Tensor,
                   holes: Tensor) -> Tensor:
        """g(X) pasted or Poisson-blended into the hole of ``masked``."""
        if self.blend == 'poisson':
            return poisson_blend(fitted, masked, holes)
        return fitted * holes + masked * (1 - holes)

    def _generator_statistics(self):
        return batch_statistics(self.generator,
                                enabled=self.batch_norm == 'batch')

    def forward(self,
                inputs: Tensor,
                data_samples: Optional[DataSample] = None,
                mode: str = 'tensor'):
        """``tensor``: (g(X), completion); ``predict``: DataSamples.

        ``inputs`` are the masked images (mmagic's ``GetMaskedImage`` +
        ``PackInputs``), ``data_samples.mask`` their masks.
        """
        self.check_call(data_samples, mode)
        fake_res, fake_img = self.complete(inputs, data_samples.mask)
        if mode == 'tensor':
            return fake_res, fake_img
        destruct = self.data_preprocessor.destruct
        predictions = DataSample(
            fake_res=destruct(fake_res, data_samples),
            fake_img=destruct(fake_img, data_samples),
            pred_img=destruct(fake_img, data_samples))
        return self.convert_to_datasample(predictions, data_samples, inputs)


def load_moving_averages(module, state_dict: dict, prefix: str,
                         *args) -> None:
    """Load-state-dict pre-hook: put a checkpoint's moving averages
    (``generator_ema.module.*`` and ``descriptor_ema.module.*``, as mmagic's
    ``ExponentialMovingAverage`` stores them) where the trained networks'
    weights would load from. The EMA generator must be there."""
    for name in ('generator', 'descriptor'):
        ema = f'{prefix}{name}_ema.module.'
        ema_keys = [key for key in state_dict if key.startswith(ema)]
        if name == 'generator' and not ema_keys:
            raise SettingError(
                'use_ema=True, but the checkpoint has no EMA generator (the '
                'model was trained without ema_config); set '
                'model.use_ema=False.')
        for key in ema_keys:
            state_dict[f'{prefix}{name}.{key[len(ema):]}'] = state_dict[key]
