"""Algorithm G: alternating back-propagation (Han et al., 2017)."""
from typing import Dict, Optional, Union

import torch
from mmengine.dist import all_gather, get_world_size
from mmengine.optim import OptimWrapperDict
from torch import Tensor

from mmagic.models.base_models import BaseGAN
from mmagic.registry import MODELS
from ..batch_statistics import batch_statistics, check_batch_norm_mode
from ..learning_steps import (generator_update, training_batch, unwrap,
                              update_ema)
from ..persistent_bank import PersistentBank
from ...utils.errors import SettingError


def dataset_indices(data_samples, num: int, device) -> Tensor:
    """Each training image's index in its dataset (``sample_idx``)."""
    samples = (data_samples if isinstance(data_samples, (list, tuple)) else
               [data_samples])
    indices = []
    for sample in samples:
        value = getattr(sample, 'sample_idx', None)
        if value is None:
            raise SettingError(
                'GeneratorABP keeps one latent per training image and looks '
                'it up by the dataset index `sample_idx`, which this batch '
                'lacks. mmengine datasets add it and PackInputs packs it; '
                'keep PackInputs last in the training pipeline and do not '
                'drop sample_idx.')
        indices += list(value) if isinstance(value, (list, tuple)) else [
            value
        ]
    index = torch.as_tensor(indices, dtype=torch.long, device=device)
    if index.numel() != num:
        raise SettingError(f'Found {index.numel()} dataset indices for a '
                           f'batch of {num} images.')
    return index


def gather_rows(*tensors: Tensor):
    """Concatenate each tensor across processes (as it is, on one)."""
    if get_world_size() == 1:
        return tensors
    return tuple(torch.cat(all_gather(t)) for t in tensors)


@MODELS.register_module()
class GeneratorABP(BaseGAN):
    """Algorithm G: the generator learned alone (alternating back-prop).

    The paper's second baseline (Algorithm G, Han et al. 2017). Every
    training image Y_i has its own latent X_i, kept across iterations,
    epochs and resume in a :class:`PersistentBank` keyed by the image's
    dataset index. Each :meth:`train_step` runs

    - G1: l_q Langevin inference steps (eq. 9) from each image's previous
      X_i (X_i ~ N(0, I) the first time it is seen), stored back;
    - G2: the generator update of eq. (10) on the observed images with the
      inferred latents (the same update as CoopNets' Step G2).

    Under distributed training the inferred latents of all processes are
    gathered, so every process keeps the whole table. Sampling is mmagic's
    GAN sampling, g(X) for X ~ N(0, I).

    Args:
        generator (dict | nn.Module): The generator, e.g. a
            :class:`CoopGenerator` config (its ``sigma`` enters eq. 9-10).
        sampler (dict): :class:`LangevinSampler` config (l_q, delta of
            eq. 9).
        data_preprocessor (dict): mmagic ``DataPreprocessor`` config.
        generator_steps (int): G2 updates per iteration.
        ema_config (dict, optional): EMA of the generator, as in BaseGAN.
        batch_norm (str): Batch norm statistics when sampling: 'batch' (as
            in training) or 'running' (the stored averages).
    """

    #: what DivergenceGuardHook watches: the loss (the inference drift is
    #: not bounded: its scale differs from the revision drift's)
    divergence_watch = dict(keys=('loss_generator', ), drift_key=None)

    def __init__(self,
                 generator: Union[dict, torch.nn.Module],
                 sampler: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None,
                 generator_steps: int = 1,
                 ema_config: Optional[dict] = None,
                 batch_norm: str = 'batch',
                 init_cfg: Optional[dict] = None):
        super().__init__(
            generator=generator,
            discriminator=None,
            data_preprocessor=data_preprocessor
            or dict(type='DataPreprocessor'),
            generator_steps=generator_steps,
            ema_config=ema_config)
        self.sampler = MODELS.build(
            sampler or dict(type='LangevinSampler', inference_steps=10))
        if self.sampler.inference_steps < 1:
            raise SettingError(
                'GeneratorABP infers each image\'s latent by Langevin '
                'dynamics (eq. 9); set sampler.inference_steps (l_q) >= 1.')
        self.batch_norm = check_batch_norm_mode(batch_norm)
        noise_size = self.generator.noise_size
        self.latents = PersistentBank(
            (noise_size, ) if isinstance(noise_size, int) else noise_size)

    # ----------------------------------------------------------- training
    def train_step(self, data: dict,
                   optim_wrapper: OptimWrapperDict) -> Dict[str, Tensor]:
        """One iteration of Algorithm G (G1, G2)."""
        generator = unwrap(self.generator)
        data, observed = training_batch(self.data_preprocessor, data,
                                        generator)
        index = dataset_indices(data['data_samples'], observed.shape[0],
                                observed.device)

        x, inference_stats = self.step_g1_infer(generator, index, observed)
        log_vars = generator_update(self.generator, x, observed,
                                    optim_wrapper['generator'],
                                    self.generator_steps)
        log_vars['inference_drift'] = inference_stats['drift']
        if 'acceptance' in inference_stats:
            log_vars['langevin_acceptance'] = inference_stats['acceptance']
        if self.with_ema_gen:
            update_ema(self.generator_ema, generator, self.ema_start)
        return log_vars

    def step_g1_infer(self, generator, index: Tensor, observed: Tensor):
        """G1: l_q steps of eq. (9) from each image's previous latent."""
        start = self.latents.lookup(
            index, self.noise_fn(num_batches=index.shape[0]))
        x, stats = self.sampler.infer_latent(generator, observed, start)
        self.latents.store(*gather_rows(index, x))
        return x, stats

    # ----------------------------------------------------------- sampling
    def forward(self, inputs, data_samples=None, mode=None):
        """mmagic's GAN sampling, with ``batch_norm`` statistics."""
        with torch.no_grad(), batch_statistics(
                self.generator, enabled=self.batch_norm == 'batch'):
            return super().forward(inputs, data_samples, mode)
