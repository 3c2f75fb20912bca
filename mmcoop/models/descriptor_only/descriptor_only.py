"""Algorithm D: the descriptor learned alone (Xie et al., 2016)."""
from typing import Dict, List, Optional, Union

import torch
from mmengine.model import BaseModel
from mmengine.optim import OptimWrapperDict
from torch import Tensor

from mmagic.models.utils import get_valid_num_batches
from mmagic.registry import MODELS
from mmagic.structures import DataSample
from ..coopnets.langevin import check_step_count
from ..generated_samples import pack_generated
from ..learning_steps import (check_penalty, descriptor_update,
                              spread_ratio, training_batch, unwrap)
from ..persistent_bank import PersistentBank
from ..precision import check_autocast
from ...utils.errors import SettingError

CHAIN_INITS = ('noise', 'data')


@MODELS.register_module()
class DescriptorOnly(BaseModel):
    """Algorithm D: the descriptor learned alone by persistent chains.

    The paper's first baseline (Algorithm D, Xie et al. 2016). Each
    :meth:`train_step` runs

    - D1: l_p Langevin revision steps (eq. 4) that continue the n~
      persistent chains {Y~_i} from where the previous iteration left them
      (persistent contrastive divergence);
    - D2: the descriptor update of eq. (5), the chains as synthesized
      images (the same update as CoopNets' Step D2).

    The chains start from uniform noise on [-1, 1] (``chain_init='noise'``)
    or from the first batch of observed images (``'data'``). They live in a
    :class:`PersistentBank`, so checkpoints carry them and ``--resume``
    continues them. Sampling (sample grids, FID) continues copies of the
    chains, cycling through them from a random one, for
    ``test_revision_steps`` more steps; the chains themselves are left as
    they are. A model that has not trained yet samples from fresh noise.

    Args:
        descriptor (dict | nn.Module): The descriptor, e.g. a
            :class:`CoopDescriptor` config.
        sampler (dict): :class:`LangevinSampler` config (l_p, delta, ...).
        data_preprocessor (dict): mmagic ``DataPreprocessor`` config.
        num_chains (int, optional): n~, the number of persistent chains;
            defaults to the batch size of the first iteration.
        chain_init (str): 'noise' or 'data'.
        test_revision_steps (int, optional): Revision steps (eq. 4) applied
            to the chains' copies when sampling; defaults to l_p.
        descriptor_autocast (str, optional): Precision of the descriptor's
            forward and backward pass in Step D2, as in :class:`CoopNets`.
        energy_magnitude_penalty (float): As in :class:`CoopNets`.
    """

    #: what DivergenceGuardHook watches: the loss, the energies of observed
    #: and chain images, the chains' drift
    divergence_watch = dict(
        keys=('loss_descriptor', 'f_observed', 'f_revised'),
        drift_key='langevin_drift')

    def __init__(self,
                 descriptor: Union[dict, torch.nn.Module],
                 sampler: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None,
                 num_chains: Optional[int] = None,
                 chain_init: str = 'noise',
                 test_revision_steps: Optional[int] = None,
                 descriptor_autocast: Optional[str] = None,
                 energy_magnitude_penalty: float = 0.0,
                 init_cfg: Optional[dict] = None):
        super().__init__(
            data_preprocessor=MODELS.build(
                data_preprocessor or dict(type='DataPreprocessor')),
            init_cfg=init_cfg)
        self.descriptor = (MODELS.build(descriptor)
                           if isinstance(descriptor, dict) else descriptor)
        self.sampler = MODELS.build(sampler or dict(type='LangevinSampler'))
        if chain_init not in CHAIN_INITS:
            raise SettingError(f'chain_init must be one of {CHAIN_INITS}, got '
                               f'{chain_init!r}.')
        if num_chains is not None and not (int(num_chains) == num_chains
                                           and num_chains > 0):
            raise SettingError(f'num_chains must be a positive integer, got '
                               f'{num_chains}.')
        self.num_chains = num_chains
        self.chain_init = chain_init
        self.descriptor_autocast = check_autocast(descriptor_autocast)
        self.energy_magnitude_penalty = check_penalty(
            energy_magnitude_penalty)
        self.test_revision_steps = check_step_count(
            'test_revision_steps', self.sampler.revision_steps
            if test_revision_steps is None else test_revision_steps)
        self.image_shape = (self.descriptor.in_channels,
                            self.descriptor.image_size,
                            self.descriptor.image_size)
        self.chains = PersistentBank(self.image_shape)

    def noise_images(self, num: int) -> Tensor:
        """Chain starts for ``chain_init='noise'``: uniform on [-1, 1]."""
        device = self.chains.values.device
        return torch.rand(num, *self.image_shape, device=device) * 2 - 1

    def initial_chains(self, num: int, observed: Tensor) -> Tensor:
        """Where new chains start: noise, or the observed images."""
        if self.chain_init == 'noise':
            return self.noise_images(num)
        if num > observed.shape[0]:
            raise SettingError(
                f"chain_init='data' starts each of the {num} chains from an "
                f'image of the first batch, which has {observed.shape[0]}; '
                'set num_chains to at most the batch size, or use '
                "chain_init='noise'.")
        return observed[:num]

    # ----------------------------------------------------------- training
    def train_step(self, data: dict,
                   optim_wrapper: OptimWrapperDict) -> Dict[str, Tensor]:
        """One iteration of Algorithm D (D1, D2)."""
        descriptor = unwrap(self.descriptor)
        _, observed = training_batch(self.data_preprocessor, data, descriptor)

        chains, revision_stats = self.step_d1_continue_chains(
            descriptor, observed)
        log_vars = descriptor_update(self.descriptor, observed, chains,
                                     optim_wrapper['descriptor'],
                                     self.descriptor_autocast,
                                     self.energy_magnitude_penalty)
        log_vars['langevin_drift'] = revision_stats['drift']
        if min(chains.shape[0], observed.shape[0]) > 1:
            log_vars['spread_ratio'] = spread_ratio(chains, observed)
        if 'acceptance' in revision_stats:
            log_vars['langevin_acceptance'] = revision_stats['acceptance']
        return log_vars

    def step_d1_continue_chains(self, descriptor, observed: Tensor):
        """D1: l_p steps of eq. (4) continue the persistent chains."""
        num = self.num_chains or len(self.chains) or observed.shape[0]
        index = torch.arange(num, device=observed.device)
        start = self.chains.lookup(index, self.initial_chains(num, observed))
        chains, stats = self.sampler.revise(descriptor, start)
        self.chains.store(index, chains)
        return chains, stats

    # ----------------------------------------------------------- sampling
    def forward(self,
                inputs: dict,
                data_samples: Optional[list] = None,
                mode: Optional[str] = None) -> List[DataSample]:
        """Sample images: copies of the chains, run further.

        ``inputs`` is a dict as for mmagic GANs (``num_batches``), plus
        optionally ``revision_steps``. Each returned :class:`DataSample`
        holds ``fake_img`` (0-255 like mmagic's GANs).
        """
        if not isinstance(inputs, dict):
            raise SettingError(
                'DescriptorOnly samples from its persistent chains and takes '
                'no latent input; pass dict(num_batches=N).')
        num = get_valid_num_batches(inputs, data_samples)
        steps = inputs.get('revision_steps', self.test_revision_steps)
        if self.chains.num_known():
            offset = int(torch.randint(len(self.chains), ()))
            index = (torch.arange(num) + offset) % len(self.chains)
            start = self.chains.values[index.to(self.chains.values.device)]
        else:
            start = self.noise_images(num)
        images = self.sampler.revise(unwrap(self.descriptor), start,
                                     steps)[0]
        return pack_generated(
            self.data_preprocessor,
            dict(fake_img=images),
            data_samples,
            sample_model='orig')

    def val_step(self, data: dict) -> List[DataSample]:
        """Sample as mmagic's GANs do in validation (see :meth:`forward`)."""
        data = self.data_preprocessor(data)
        return self(**data)

    test_step = val_step
