"""The paper's baselines: Algorithm D (DescriptorOnly), Algorithm G
(GeneratorABP), and the persistent table they keep their state in."""
import pytest
import torch
from mmengine.optim import OptimWrapper, OptimWrapperDict

from mmagic.registry import MODELS
from mmagic.structures import DataSample
from mmcoop.models.coopnets.generator import neg_log_joint
from mmcoop.models.persistent_bank import PersistentBank
from mmcoop.utils.checkpoint_fit import checkpoint_mismatches

TINY_DESCRIPTOR = dict(type='CoopDescriptor', image_size=16,
                       layers=((8, 3, 2), (16, 3, 2)), fc_out=4)
TINY_GENERATOR = dict(type='CoopGenerator', noise_size=8, channels=(16, 8),
                      image_size=16)


def faces_batch(indices, size=16):
    images = [torch.randint(0, 256, (3, size, size), dtype=torch.uint8)
              for _ in indices]
    samples = []
    for index in indices:
        sample = DataSample()
        sample.set_metainfo(dict(sample_idx=index))
        samples.append(sample)
    return dict(inputs=images, data_samples=samples)


def descriptor_only(**kwargs):
    model = MODELS.build(dict(
        type='DescriptorOnly', descriptor=TINY_DESCRIPTOR,
        sampler=dict(type='LangevinSampler', revision_steps=3), **kwargs))
    model.init_weights()
    return model


def generator_abp(**kwargs):
    cfg = dict(type='GeneratorABP', generator=TINY_GENERATOR,
               sampler=dict(type='LangevinSampler', inference_steps=3))
    model = MODELS.build({**cfg, **kwargs})
    model.init_weights()
    return model


def sgd(module, lr):
    return OptimWrapper(torch.optim.SGD(module.parameters(), lr=lr))


class RecordingSampler:
    """Wraps a LangevinSampler and records where each run started."""

    def __init__(self, sampler):
        self.sampler, self.starts = sampler, []

    def __getattr__(self, name):
        return getattr(self.sampler, name)

    def revise(self, descriptor, y, *args, **kwargs):
        self.starts.append(y.clone())
        return self.sampler.revise(descriptor, y, *args, **kwargs)

    def infer_latent(self, generator, y, x, *args, **kwargs):
        self.starts.append(x.clone())
        return self.sampler.infer_latent(generator, y, x, *args, **kwargs)


# ------------------------------------------------------------ PersistentBank
def test_bank_returns_initial_rows_until_stored_and_grows():
    bank = PersistentBank((2, ))
    initial = torch.tensor([[1., 1.], [2., 2.]])
    assert torch.equal(bank.lookup(torch.tensor([4, 1]), initial), initial)
    assert len(bank) == 5 and bank.num_known() == 0
    bank.store(torch.tensor([4]), torch.tensor([[9., 8.]]))
    got = bank.lookup(torch.tensor([1, 4]), initial)
    assert torch.equal(got, torch.tensor([[1., 1.], [9., 8.]]))
    assert bank.num_known() == 1


def test_bank_loads_a_checkpoint_of_any_length_and_refuses_other_rows():
    bank = PersistentBank((3, ))
    bank.store(torch.tensor([0, 6]), torch.randn(2, 3))
    fresh = torch.nn.Sequential(PersistentBank((3, )))
    fresh[0].load_state_dict(bank.state_dict())
    assert torch.equal(fresh[0].values, bank.values)
    assert torch.equal(fresh[0].known, bank.known)
    assert checkpoint_mismatches(
        fresh, {f'0.{k}': v for k, v in bank.state_dict().items()}) == []
    with pytest.raises(ValueError, match='rows of shape'):
        PersistentBank((4, )).load_state_dict(bank.state_dict())
    with pytest.raises(ValueError, match='one index per row'):
        bank.store(torch.tensor([1, 2]), torch.randn(1, 3))


# ------------------------------------------------------------ Algorithm D
def test_descriptor_only_step_lowers_its_loss_on_the_chains(seed):
    model = descriptor_only()
    optim = OptimWrapperDict(descriptor=sgd(model.descriptor, 1e-2))
    data = model.data_preprocessor(faces_batch(range(4)), True)
    observed = data['inputs']
    chains, _ = model.step_d1_continue_chains(model.descriptor, observed)

    def loss():
        with torch.no_grad():
            return (model.descriptor(chains).mean() -
                    model.descriptor(observed).mean()).item()

    before = loss()
    from mmcoop.models.learning_steps import descriptor_update
    log = descriptor_update(model.descriptor, observed, chains,
                            optim['descriptor'])
    assert log['loss_descriptor'].item() == pytest.approx(before, rel=1e-4)
    assert loss() < before


def test_energy_magnitude_penalty_adds_alpha_mean_f_squared(seed):
    import copy

    from mmcoop.models import CoopDescriptor
    from mmcoop.models.learning_steps import descriptor_update
    descriptor = CoopDescriptor(preset='cifar-32', ref_sigma=1.0)
    descriptor.init_weights()
    before = copy.deepcopy(descriptor)
    observed, synthesized = torch.randn(2, 3, 32, 32), torch.randn(3, 3, 32,
                                                                   32)
    log = descriptor_update(descriptor, observed, synthesized,
                            sgd(descriptor, 0.1), magnitude_penalty=0.5)
    f = before(torch.cat([observed, synthesized]))
    eq5 = f[2:].mean() - f[:2].mean()
    grads = torch.autograd.grad(eq5 + 0.5 * f.pow(2).mean(),
                                list(before.parameters()))
    for new, old, grad in zip(descriptor.parameters(), before.parameters(),
                              grads):
        torch.testing.assert_close(new, old - 0.1 * grad)
    # the logged loss stays eq. (5)'s
    assert log['loss_descriptor'].item() == pytest.approx(eq5.item(),
                                                          rel=1e-5)
    with pytest.raises(ValueError, match='energy_magnitude_penalty'):
        descriptor_only(energy_magnitude_penalty=-1)


def test_descriptor_only_chains_persist_across_iterations(seed):
    model = descriptor_only(num_chains=3)
    model.sampler = RecordingSampler(model.sampler)
    optim = OptimWrapperDict(descriptor=sgd(model.descriptor, 1e-3))
    log = model.train_step(faces_batch(range(4)), optim)
    assert {'loss_descriptor', 'langevin_drift', 'spread_ratio'} <= set(log)
    first_end = model.chains.values.clone()
    assert first_end.shape == (3, 3, 16, 16)
    assert model.chains.num_known() == 3
    assert first_end.abs().max() <= 1.1  # started from uniform [-1, 1]
    model.train_step(faces_batch(range(4)), optim)
    # the second iteration continued the chains where the first ended
    assert torch.equal(model.sampler.starts[1], first_end)
    assert not torch.equal(model.chains.values, first_end)


def test_descriptor_only_data_init_and_its_limit(seed):
    model = descriptor_only(chain_init='data')
    model.sampler = RecordingSampler(model.sampler)
    optim = OptimWrapperDict(descriptor=sgd(model.descriptor, 1e-3))
    batch = faces_batch(range(4))
    model.train_step(batch, optim)
    observed = model.data_preprocessor(batch, True)['inputs']
    assert torch.equal(model.sampler.starts[0], observed)
    too_many = descriptor_only(chain_init='data', num_chains=6)
    with pytest.raises(ValueError, match='at most the batch size'):
        too_many.train_step(batch, optim)
    with pytest.raises(ValueError, match='chain_init'):
        descriptor_only(chain_init='zeros')


def test_descriptor_only_sampling_leaves_the_chains_alone(seed):
    model = descriptor_only(num_chains=4)
    optim = OptimWrapperDict(descriptor=sgd(model.descriptor, 1e-3))
    model.train_step(faces_batch(range(4)), optim)
    chains = model.chains.values.clone()
    samples = model.val_step(dict(inputs=dict(num_batches=6)))
    assert len(samples) == 6
    assert samples[0].fake_img.shape == (3, 16, 16)
    assert 0 <= samples[0].fake_img.min() and samples[0].fake_img.max() <= 255
    assert torch.equal(model.chains.values, chains)
    # without Langevin steps the samples are the chains themselves
    plain = model.val_step(dict(inputs=dict(num_batches=4,
                                            revision_steps=0)))
    got = torch.stack([s.fake_img for s in plain])
    expected = model.data_preprocessor.destruct(chains)
    assert sorted(got.sum((1, 2, 3)).tolist()) == pytest.approx(
        sorted(expected.sum((1, 2, 3)).tolist()), rel=1e-5)


# ------------------------------------------------------------ Algorithm G
def test_generator_abp_keeps_one_latent_per_dataset_index(seed):
    model = generator_abp()
    model.sampler = RecordingSampler(model.sampler)
    optim = OptimWrapperDict(generator=sgd(model.generator, 1e-4))
    log = model.train_step(faces_batch([5, 2, 7]), optim)
    assert {'loss_generator', 'inference_drift'} <= set(log)
    assert len(model.latents) == 8
    assert model.latents.known.nonzero().flatten().tolist() == [2, 5, 7]
    latent_of_2 = model.latents.values[2].clone()
    # image 2 again, in another batch (the next epoch): its inference
    # starts from the latent stored for index 2, not from fresh noise
    model.train_step(faces_batch([2, 0, 3]), optim)
    assert torch.equal(model.sampler.starts[1][0], latent_of_2)
    assert not torch.equal(model.latents.values[2], latent_of_2)
    assert model.latents.known.nonzero().flatten().tolist() == [0, 2, 3, 5, 7]


def test_generator_abp_update_lowers_reconstruction_error(seed):
    model = generator_abp()
    optim = OptimWrapperDict(generator=sgd(model.generator, 1e-5))
    data = model.data_preprocessor(faces_batch([0, 1, 2, 3]), True)
    observed = data['inputs']
    x, _ = model.step_g1_infer(model.generator, torch.arange(4), observed)

    def loss():
        with torch.no_grad():
            return model.generator.residual_energy(model.generator(x),
                                                   observed).mean()

    before = loss()
    from mmcoop.models.learning_steps import generator_update
    generator_update(model.generator, x, observed, optim['generator'])
    assert loss() < before


def test_generator_abp_inference_lowers_the_latents_energy(seed):
    model = generator_abp(sampler=dict(type='LangevinSampler',
                                       inference_steps=20,
                                       inference_step_size=0.05,
                                       inference_noise=False))
    observed = model.data_preprocessor(faces_batch(range(4)),
                                       True)['inputs']
    start = torch.randn(4, 8)
    model.latents.store(torch.arange(4), start)
    x, _ = model.step_g1_infer(model.generator, torch.arange(4), observed)
    assert torch.equal(model.latents.values, x)
    with torch.no_grad():  # batch norm couples the batch: compare the sum
        def energy(latent):
            return neg_log_joint(model.generator, latent, observed,
                                 model.generator.sigma)
        assert energy(x).sum() < energy(start).sum()


def test_generator_abp_needs_dataset_indices_and_inference_steps():
    model = generator_abp()
    optim = OptimWrapperDict(generator=sgd(model.generator, 1e-4))
    batch = faces_batch([0, 1])
    batch['data_samples'] = [DataSample(), DataSample()]
    with pytest.raises(ValueError, match='sample_idx'):
        model.train_step(batch, optim)
    with pytest.raises(ValueError, match='inference_steps'):
        generator_abp(sampler=dict(type='LangevinSampler',
                                   inference_steps=0))


def test_generator_abp_samples_like_a_gan(seed):
    model = generator_abp()
    samples = model.val_step(dict(inputs=dict(num_batches=3,
                                              sample_model='orig')))
    assert len(samples) == 3 and samples[0].fake_img.shape == (3, 16, 16)


# ------------------------------------------------ through tools/train.py
def test_generator_abp_latents_survive_epochs_and_resume(celeba_root,
                                                          tmp_path):
    """8 faces, batch 4: an epoch is 2 iterations. Training 4 iterations and
    resuming to 6 ends with the same latents as 6 straight iterations, every
    face's latent stored and refined again in each epoch."""
    import os.path as osp
    import subprocess
    import sys

    from tests.conftest import REPO
    config = osp.join(REPO, 'configs', 'generator_abp',
                      'generator-abp_1xb32-2kiters_celeba-64x64.py')

    def train(work_dir, iters, *extra):
        cmd = [
            sys.executable, osp.join(REPO, 'tools', 'train.py'), config,
            '--work-dir', str(work_dir), *extra, '--cfg-options',
            f'train_dataloader.dataset.data_root={celeba_root}',
            'train_dataloader.dataset.indices=8',
            'train_dataloader.batch_size=4',
            'train_dataloader.num_workers=0',
            'train_dataloader.persistent_workers=False',
            f'train_cfg.max_iters={iters}',
            'default_hooks.checkpoint.interval=2', 'custom_hooks=[]'
        ]
        result = subprocess.run(cmd, cwd=REPO, capture_output=True,
                                text=True, timeout=600)
        assert result.returncode == 0, result.stderr[-3000:]

    def latents(path):
        state = torch.load(path, map_location='cpu')['state_dict']
        return state['latents.values'], state['latents.known']

    train(tmp_path / 'resumed', 4)
    train(tmp_path / 'resumed', 6, '--resume')
    train(tmp_path / 'straight', 6)
    values_4, known_4 = latents(tmp_path / 'resumed' / 'iter_4.pth')
    values_6, known_6 = latents(tmp_path / 'resumed' / 'iter_6.pth')
    straight, _ = latents(tmp_path / 'straight' / 'iter_6.pth')
    assert known_4.all() and known_6.all() and len(known_6) == 8
    assert torch.equal(values_6, straight)
    # the third epoch refined every face's latent again
    assert (values_6 - values_4).flatten(1).norm(dim=1).min() > 0
