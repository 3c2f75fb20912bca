"""CoopNets: cooperative learning of a descriptor and a generator."""
from typing import Dict, List, Optional, Union

import torch
from mmengine.optim import OptimWrapper, OptimWrapperDict
from torch import Tensor

from mmagic.models.base_models import BaseGAN
from mmagic.models.utils import get_valid_num_batches
from mmagic.registry import MODELS
from mmagic.structures import DataSample
from ..batch_statistics import batch_statistics, check_batch_norm_mode
from ..generated_samples import pack_generated
from ..learning_steps import (check_penalty, current_iteration,
                              descriptor_update, generator_update,
                              high_frequency_ratio, spread_ratio,
                              training_batch, unwrap, update_ema)
from ..precision import check_autocast
from .langevin import check_step_count, check_step_size
from ...utils.errors import SettingError

ModelCfg = Union[dict, torch.nn.Module]


def check_sample_type(sample_type: str) -> str:
    """``sample_type`` if it is 'revised' or 'generator', else a clear
    error."""
    if sample_type not in ('revised', 'generator'):
        raise SettingError("sample_type must be 'revised' or 'generator', "
                           f'got {sample_type!r}.')
    return sample_type


def check_revision_warmup(warmup: Optional[dict]) -> Optional[dict]:
    """``warmup`` (None, or a dict of ``iters``, ``revision_steps`` and
    ``revision_step_size``) with checked values, else a clear error."""
    if warmup is None:
        return None
    keys = {'iters', 'revision_steps', 'revision_step_size'}
    if not isinstance(warmup, dict) or set(warmup) != keys:
        raise SettingError(
            'revision_warmup must be a dict of exactly iters, revision_steps '
            f'and revision_step_size, got {warmup!r}.')
    return dict(
        iters=check_step_count('revision_warmup.iters', warmup['iters']),
        revision_steps=check_step_count('revision_warmup.revision_steps',
                                        warmup['revision_steps']),
        revision_step_size=check_step_size(
            'revision_warmup.revision_step_size',
            warmup['revision_step_size']))


@MODELS.register_module()
class CoopNets(BaseGAN):
    """CoopNets (Xie et al., AAAI 2018), trained by Algorithm 1.

    Each :meth:`train_step` runs one iteration of Algorithm 1:

    - G0: X_hat ~ N(0, I), Y_hat = g(X_hat; alpha) (+ eps, optional);
    - D1: l_p Langevin revision steps (eq. 4) from Y_hat give Y_tilde;
    - G1: X = X_hat, or l_q Langevin inference steps (eq. 9) from X_hat;
    - D2: descriptor update by eq. (5): minimise
      mean f(Y_tilde) - mean f(Y_obs);
    - G2: generator update by eq. (10) with Y_tilde as data: minimise
      mean ||Y_tilde - g(X)||^2 / (2 sigma^2); ``generator_steps`` times
      (with ``teaching_states`` > 1, towards the mean of the chain's last
      states).

    It is a :class:`BaseGAN` so that mmagic's EMA, noise sampling, separate
    DDP wrapper, ``VisualizationHook`` and generative metrics apply as they do
    to mmagic's GANs; the descriptor plays no discriminator role.

    Args:
        descriptor (dict | nn.Module): The descriptor, e.g. a
            :class:`CoopDescriptor` config.
        generator (dict | nn.Module): The generator, e.g. a
            :class:`CoopGenerator` config.
        sampler (dict): :class:`LangevinSampler` config (l_p, delta, l_q,
            ...).
        data_preprocessor (dict): mmagic ``DataPreprocessor`` config.
        generator_steps (int): G2 updates per iteration.
        num_synthesized (int, optional): n~, the number of parallel chains
            per iteration; defaults to the observed batch size.
        generator_noise (bool): Add eps ~ N(0, sigma^2) to Y_hat in G0.
        teaching_states (int): How many of the revision chain's last states
            the generator learns from in Step G2: eq. (10)'s loss averaged
            over them, whose gradient is that of the loss towards their
            mean, which G2 uses. 1 (default, the paper): Y_tilde alone; at
            most l_p. Step D2 learns from Y_tilde either way.
        test_revision_steps (int, optional): Revision steps (eq. 4) applied
            to generator samples at test time; defaults to l_p.
        test_noise_free_revision_steps (int): How many of the test-time
            revision steps, the last ones, leave out the Langevin noise
            delta * U of eq. (4) (gradient descent on the energy), so that
            samples do not carry the chains' last noise. Training is
            unaffected.
        test_revision_step_size (float, optional): delta of eq. (4) in the
            test-time revision, every step; defaults to the sampler's
            (``revision_step_size``, or its annealing to
            ``final_revision_step_size``), which Step D1 of training uses
            either way.
        sample_type (str): What sampling returns as ``fake_img`` by default:
            'revised' (descriptor-revised, the paper's samples) or
            'generator' (g(X) directly). Per call, ``inputs['sample_type']``
            overrides it.
        ema_config (dict, optional): EMA of the generator, as in BaseGAN.
        descriptor_ema_config (dict, optional): EMA of the descriptor, the
            same kind of config (``momentum``, ``start_iter``). Sampling with
            ``sample_model='ema'`` then revises the averaged generator's
            proposals with the averaged descriptor. The averages are only
            sampled from; training uses the networks themselves.
        batch_norm (str): Statistics of the generator's batch norm layers
            when sampling: 'batch' (each batch's own, as in training, where
            the generator always runs on batch statistics; the running
            averages are untouched) or 'running' (the stored averages).
        channels_last (bool): Keep the networks' weights and the images in
            the channels-last memory format, which oneDNN (CPU) and cuDNN
            convolutions run faster; results equal the default's up to
            float rounding.
        descriptor_autocast (str, optional): Precision of the descriptor's
            forward and backward pass in Step D2 (a
            :mod:`~mmcoop.models.precision` setting: None for float32,
            'bfloat16', 'float16' or 'auto'); the sampler's ``autocast``
            sets that of the Langevin steps. f is then computed in that
            precision too, so the logged f and loss values carry its ~3
            significant digits. The generator's precision (Steps G0 and G2)
            is its optimiser wrapper's: ``AutocastOptimWrapper`` for bf16.
        energy_magnitude_penalty (float): alpha of the regulariser
            alpha * mean(f(Y)^2) added to Step D2's loss (IGEBM's, beside or
            instead of weight decay); 0 (default): eq. (5) alone.
        revision_warmup (dict, optional): Step D1's chain for the first
            ``iters`` iterations, as ``revision_steps`` steps of
            ``revision_step_size`` each, before the sampler's l_p and delta
            take over: a longer chain of smaller steps while the energy is
            young, for a short chain of large steps that is unstable early
            (see configs/coopnets/README.md). None (default): the sampler's
            from the first iteration.
    """

    #: what DivergenceGuardHook watches: both losses, the energies of
    #: observed and revised images, the revision drift
    divergence_watch = dict(
        keys=('loss_descriptor', 'loss_generator', 'f_observed',
              'f_revised'),
        drift_key='langevin_drift')

    def __init__(self,
                 descriptor: ModelCfg,
                 generator: ModelCfg,
                 sampler: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None,
                 generator_steps: int = 1,
                 num_synthesized: Optional[int] = None,
                 generator_noise: bool = False,
                 teaching_states: int = 1,
                 test_revision_steps: Optional[int] = None,
                 test_noise_free_revision_steps: int = 0,
                 test_revision_step_size: Optional[float] = None,
                 sample_type: str = 'revised',
                 ema_config: Optional[dict] = None,
                 descriptor_ema_config: Optional[dict] = None,
                 batch_norm: str = 'batch',
                 channels_last: bool = False,
                 descriptor_autocast: Optional[str] = None,
                 energy_magnitude_penalty: float = 0.0,
                 revision_warmup: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        super().__init__(
            generator=generator,
            discriminator=None,
            data_preprocessor=data_preprocessor,
            generator_steps=generator_steps,
            ema_config=ema_config)
        self.descriptor = (MODELS.build(descriptor)
                           if isinstance(descriptor, dict) else descriptor)
        self.sampler = MODELS.build(sampler or dict(type='LangevinSampler'))
        gen_size = getattr(self.generator, 'image_size', None)
        desc_size = getattr(self.descriptor, 'image_size', None)
        if gen_size and desc_size and gen_size != desc_size:
            raise SettingError(
                f'The generator makes {gen_size}x{gen_size} images but the '
                f'descriptor reads {desc_size}x{desc_size}; build both for '
                'the same image size.')
        self.num_synthesized = num_synthesized
        self.generator_noise = generator_noise
        self.test_revision_steps = check_step_count(
            'test_revision_steps', self.sampler.revision_steps
            if test_revision_steps is None else test_revision_steps)
        self.test_noise_free_revision_steps = check_step_count(
            'test_noise_free_revision_steps', test_noise_free_revision_steps)
        self.teaching_states = check_step_count('teaching_states',
                                                teaching_states)
        if not 1 <= teaching_states <= self.sampler.revision_steps:
            raise SettingError(
                f'teaching_states ({teaching_states}) counts states of the '
                f'revision chain of l_p = {self.sampler.revision_steps} '
                f'steps: it must be from 1 to {self.sampler.revision_steps}.')
        self.test_revision_step_size = None if \
            test_revision_step_size is None else check_step_size(
                'test_revision_step_size', test_revision_step_size)
        self.sample_type = check_sample_type(sample_type)
        self.batch_norm = check_batch_norm_mode(batch_norm)
        self.channels_last = channels_last
        self.descriptor_autocast = check_autocast(descriptor_autocast)
        self.energy_magnitude_penalty = check_penalty(
            energy_magnitude_penalty)
        self.revision_warmup = check_revision_warmup(revision_warmup)
        if channels_last:
            for network in (self.descriptor, self.generator):
                network.to(memory_format=torch.channels_last)
        self.descriptor_ema = None
        if descriptor_ema_config:
            if not self.with_ema_gen:
                raise SettingError(
                    'descriptor_ema_config is set but ema_config is not: '
                    "sampling with sample_model='ema' uses both averages; "
                    'set ema_config as well.')
            cfg = dict(type='ExponentialMovingAverage',
                       **descriptor_ema_config)
            self.descriptor_ema_start = cfg.pop('start_iter', 0)
            self.descriptor_ema = MODELS.build(
                cfg, default_args=dict(model=self.descriptor))

    # ----------------------------------------------------------- training
    def train_step(self, data: dict,
                   optim_wrapper: OptimWrapperDict) -> Dict[str, Tensor]:
        """One iteration of Algorithm 1 (G0, D1, G1, D2, G2)."""
        descriptor = unwrap(self.descriptor)
        generator = unwrap(self.generator)
        _, observed = training_batch(self.data_preprocessor, data, generator)
        num = self.num_synthesized or observed.shape[0]
        if self.channels_last:
            observed = observed.contiguous(memory_format=torch.channels_last)

        # with X = X_hat (l_q = 0), G2's first g(X) is G0's g(X_hat): G0
        # keeps its graph, in the generator optimiser's context, for G2
        reuse = self.sampler.inference_steps == 0
        with optim_wrapper['generator'].optim_context(self.generator):
            x_hat, y_hat, g_x_hat = self.step_g0_generate(num, reuse)
        y_tilde, revision_stats = self.step_d1_revise(descriptor, y_hat)
        x, inference_stats = self.step_g1_infer(generator, x_hat, y_tilde)
        log_vars = self.step_d2_update_descriptor(
            observed, y_tilde, optim_wrapper['descriptor'])
        if self.descriptor_ema is not None:
            update_ema(self.descriptor_ema, descriptor,
                       self.descriptor_ema_start)
        # what Step G2 teaches: Y_tilde, or the mean of the chain's last
        # teaching_states states
        taught = revision_stats.get('average', y_tilde)
        log_vars.update(
            self.step_g2_update_generator(x, taught,
                                          optim_wrapper['generator'],
                                          g_x_hat))
        if self.with_ema_gen:
            update_ema(self.generator_ema, generator, self.ema_start)

        log_vars['langevin_drift'] = revision_stats['drift']
        if min(num, observed.shape[0]) > 1:  # a spread needs two images
            log_vars['spread_ratio'] = spread_ratio(y_tilde, observed)
        # the revisions (what the student is taught when teaching_states is
        # 1) and what the student makes, against the data
        log_vars['hf_ratio_revised'] = high_frequency_ratio(y_tilde, observed)
        log_vars['hf_ratio_generator'] = high_frequency_ratio(y_hat, observed)
        if 'acceptance' in revision_stats:
            log_vars['langevin_acceptance'] = revision_stats['acceptance']
        if 'drift' in inference_stats:
            log_vars['inference_drift'] = inference_stats['drift']
        return log_vars

    def step_g0_generate(self, num: int, keep_graph: bool = False):
        """G0: X_hat ~ N(0, I_d), Y_hat = g(X_hat; alpha) (+ eps).

        Returns X_hat, Y_hat (detached) and g(X_hat) with its autograd graph
        if ``keep_graph`` (else None), for Step G2 to back-propagate through
        instead of running the generator on X_hat again.
        """
        x_hat = self.noise_fn(num_batches=num)
        with torch.set_grad_enabled(keep_graph):
            g_x_hat = self.generator(x_hat)
        # the chains run in the latents' precision (float32) even when the
        # generator optimiser's context (an AutocastOptimWrapper) ran the
        # generator in bf16: bf16's 8 mantissa bits would round away the
        # revision's small drift steps
        y_hat = g_x_hat.detach().to(x_hat.dtype)
        if self.generator_noise:  # eps ~ N(0, sigma^2 I) of eq. (6)
            y_hat = y_hat + unwrap(
                self.generator).sigma * torch.randn_like(y_hat)
        return x_hat, y_hat, (g_x_hat if keep_graph else None)

    def step_d1_revise(self, descriptor, y_hat: Tensor):
        """D1: l_p steps of Langevin revision (eq. 4) from Y_hat (during
        ``revision_warmup``, its steps and delta); with ``teaching_states``
        > 1 the statistics hold the mean of the chain's last states
        (``average``), which Step G2 learns from."""
        steps = step_size = None
        warmup = self.revision_warmup
        if warmup and current_iteration() < warmup['iters']:
            steps = warmup['revision_steps']
            step_size = warmup['revision_step_size']
        return self.sampler.revise(
            descriptor, y_hat, steps, step_size=step_size,
            average_last=self.teaching_states if self.teaching_states > 1
            else 0)

    def step_g1_infer(self, generator, x_hat: Tensor, y_tilde: Tensor):
        """G1: X = X_hat, or l_q Langevin inference steps (eq. 9) from it."""
        return self.sampler.infer_latent(generator, y_tilde, x_hat)

    def step_d2_update_descriptor(self, observed: Tensor, y_tilde: Tensor,
                                  optim: OptimWrapper) -> Dict[str, Tensor]:
        """D2: theta += lr * L'_p(theta) of eq. (5), Y_tilde as synthesized."""
        return descriptor_update(self.descriptor, observed, y_tilde, optim,
                                 self.descriptor_autocast,
                                 self.energy_magnitude_penalty)

    def step_g2_update_generator(self,
                                 x: Tensor,
                                 y_tilde: Tensor,
                                 optim: OptimWrapper,
                                 g_x: Optional[Tensor] = None
                                 ) -> Dict[str, Tensor]:
        """G2: alpha += lr * L'_q(alpha) of eq. (10), Y replaced by Y_tilde
        (or the mean of the chain's last ``teaching_states`` states).

        Repeated ``generator_steps`` times to let the generator catch up.
        ``g_x``: g(X) with its graph, when Step G0 kept it.
        """
        return generator_update(self.generator, x, y_tilde, optim,
                                self.generator_steps, g_x)

    # ----------------------------------------------------------- sampling
    def forward(self,
                inputs: Union[dict, Tensor],
                data_samples: Optional[list] = None,
                mode: Optional[str] = None) -> List[DataSample]:
        """Sample images: generator samples revised by descriptor Langevin.

        ``inputs`` is a latent tensor or a dict as for mmagic GANs
        (``noise``, ``num_batches``, ``sample_model`` 'orig' or 'ema'), plus
        optionally ``sample_type`` ('revised' or 'generator') and
        ``revision_steps``. Each returned :class:`DataSample` holds
        ``fake_img`` (the selected output, 0-255 like mmagic's GANs),
        ``gen_img`` (g(X)), ``revised_img`` (after Langevin, when run) and
        ``noise``.
        """
        if isinstance(inputs, Tensor):
            inputs = dict(noise=inputs)
        sample_model = self._get_valid_model(inputs)
        if sample_model == 'ema/orig':
            raise SettingError("CoopNets samples with sample_model 'orig' or "
                               "'ema'; run the two separately.")
        sample_type = check_sample_type(
            inputs.get('sample_type', self.sample_type))
        steps = inputs.get('revision_steps', self.test_revision_steps)
        noise = self.noise_fn(
            inputs.get('noise', None),
            num_batches=get_valid_num_batches(inputs, data_samples))
        generator, descriptor = self.generator, unwrap(self.descriptor)
        if sample_model == 'ema':
            generator = self.generator_ema
            if self.descriptor_ema is not None:
                descriptor = self.descriptor_ema.module
        with torch.no_grad(), batch_statistics(
                generator, enabled=self.batch_norm == 'batch'):
            gen_img = generator(noise)
        outputs = dict(gen_img=gen_img, fake_img=gen_img)
        if sample_type == 'revised':
            revised = self.sampler.revise(
                descriptor, gen_img, steps,
                noise_free_steps=self.test_noise_free_revision_steps,
                step_size=self.test_revision_step_size)[0]
            outputs['revised_img'] = outputs['fake_img'] = revised

        return pack_generated(
            self.data_preprocessor,
            outputs,
            data_samples,
            noise=noise,
            sample_model=sample_model,
            sample_type=sample_type)
