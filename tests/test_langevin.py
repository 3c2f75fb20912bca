"""The Langevin sampler against the paper's equations (4) and (9)."""
import inspect
import re

import pytest
import torch

from mmcoop.models import (CoopDescriptor, CoopGenerator, CoopNets,
                           DescriptorOnly, GeneratorABP, LangevinSampler,
                           LatentInpaintor)
from mmcoop.models import precision
from mmcoop.models.coopnets.generator import neg_log_joint


def zero_f_descriptor(s: float) -> CoopDescriptor:
    """A descriptor with f == 0, so p(Y) is the reference N(0, s^2 I)."""
    descriptor = CoopDescriptor(
        image_size=16, layers=((4, 3, 2), ), fc_out=2, ref_sigma=s)
    descriptor.init_weights()
    torch.nn.init.zeros_(descriptor.fc.weight)
    torch.nn.init.zeros_(descriptor.fc.bias)
    return descriptor


def small_descriptor(s: float = 0.016) -> CoopDescriptor:
    descriptor = CoopDescriptor(
        image_size=16, layers=((8, 3, 2), (8, 3, 2)), fc_out=4, ref_sigma=s,
        init_std=0.1)
    descriptor.init_weights()
    return descriptor


def test_zero_f_revision_samples_the_gaussian_reference(seed):
    s, delta = 0.016, 0.002
    sampler = LangevinSampler(revision_steps=800, revision_step_size=delta)
    y0 = torch.rand(64, 3, 16, 16) * 2 - 1  # far from N(0, s^2)
    y, _ = sampler.revise(zero_f_descriptor(s), y0)
    # exact stationary variance of this discretisation: s^2 / (1 - h / 2)
    h = delta**2 / (2 * s**2)
    expected_var = s**2 / (1 - h / 2)
    n = y.numel()
    assert abs(y.mean().item()) < 5 * s / n**0.5
    assert y.var().item() == pytest.approx(expected_var, rel=0.03)


def test_revision_step_has_the_sign_and_scale_of_eq4(seed):
    s, delta = 0.05, 0.01
    descriptor = small_descriptor(s)
    y0 = torch.randn(4, 3, 16, 16) * 0.3
    sampler = LangevinSampler(revision_steps=1, revision_step_size=delta,
                              revision_noise=False)
    y1, stats = sampler.revise(descriptor, y0)
    y = y0.clone().requires_grad_(True)
    df_dy, = torch.autograd.grad(descriptor(y).sum(), y)
    # eq. (4): Y <- Y - delta^2 / 2 * (Y / s^2 - df/dY)
    expected = y0 - delta**2 / 2 * (y0 / s**2 - df_dy)
    torch.testing.assert_close(y1, expected, rtol=1e-5, atol=1e-6)
    drift = (expected - y0).flatten(1).norm(dim=1) / y0.flatten(1).norm(dim=1)
    assert stats['drift'].item() == pytest.approx(drift.mean().item(),
                                                  rel=1e-4)
    # with f == 0 a step shrinks Y towards 0 by exactly 1 - delta^2/(2 s^2)
    y1, _ = sampler.revise(zero_f_descriptor(s), torch.ones(2, 3, 16, 16))
    torch.testing.assert_close(y1, torch.full_like(y1, 1 - delta**2 /
                                                   (2 * s**2)))


def test_revision_noise_has_scale_delta(seed):
    s, delta = 1e3, 0.5  # reference gradient negligible: pure noise steps
    sampler = LangevinSampler(revision_steps=1, revision_step_size=delta)
    y0 = torch.zeros(64, 3, 16, 16)
    y1, _ = sampler.revise(zero_f_descriptor(s), y0)
    assert y1.std().item() == pytest.approx(delta, rel=0.02)


def test_noise_free_revision_steps_end_the_chain_without_noise(seed):
    descriptor = small_descriptor()
    y0 = torch.rand(2, 3, 16, 16) * 2 - 1
    last_two_free = LangevinSampler(revision_steps=5, revision_step_size=0.01,
                                    noise_free_revision_steps=2)
    plain = LangevinSampler(revision_steps=5, revision_step_size=0.01)
    torch.manual_seed(1)
    y, stats = last_two_free.revise(descriptor, y0)
    torch.manual_seed(1)
    y3, first = plain.revise(descriptor, y0, steps=3)
    expected, last = plain.revise(descriptor, y3, steps=2, noise=False)
    assert torch.equal(y, expected)
    torch.testing.assert_close(stats['drift'],
                               (3 * first['drift'] + 2 * last['drift']) / 5)
    # every step noise-free: gradient descent, the same from any RNG state
    descent = LangevinSampler(revision_steps=5, revision_step_size=0.01,
                              noise_free_revision_steps=5)
    torch.manual_seed(2)
    a = descent.revise(descriptor, y0)[0]
    torch.manual_seed(3)
    assert torch.equal(a, descent.revise(descriptor, y0)[0])
    # a call's own count wins; at most the steps run are noise-free
    torch.manual_seed(1)
    a = last_two_free.revise(descriptor, y0, noise_free_steps=0)[0]
    torch.manual_seed(1)
    assert torch.equal(a, plain.revise(descriptor, y0)[0])
    torch.manual_seed(2)
    a = last_two_free.revise(descriptor, y0, steps=1)[0]
    torch.manual_seed(3)
    assert torch.equal(a, last_two_free.revise(descriptor, y0, steps=1)[0])
    with pytest.raises(ValueError, match='cannot be larger'):
        LangevinSampler(revision_steps=3, noise_free_revision_steps=4)


def test_final_revision_step_size_anneals_delta_geometrically(seed):
    """With f == 0 and no noise each step scales Y by 1 - delta_k^2/(2 s^2):
    the steps' deltas run from revision_step_size to
    final_revision_step_size by one factor, over any chain length."""
    s = 0.05
    annealed = LangevinSampler(revision_steps=3, revision_step_size=0.02,
                               final_revision_step_size=0.005,
                               revision_noise=False)
    deltas = [0.02, 0.01, 0.005]  # the middle: sqrt(0.02 * 0.005)
    assert annealed.revision_step_sizes(3) == pytest.approx(deltas)
    y, _ = annealed.revise(zero_f_descriptor(s), torch.ones(1, 3, 16, 16))
    factor = 1.0
    for delta in deltas:
        factor *= 1 - delta**2 / (2 * s**2)
    torch.testing.assert_close(y, torch.full_like(y, factor))
    assert annealed.revision_step_sizes(5) == pytest.approx(
        [0.02 * 0.25**(k / 4) for k in range(5)])
    assert annealed.revision_step_sizes(1) == [0.02]
    # a call's own step size holds for every step
    y, _ = annealed.revise(zero_f_descriptor(s), torch.ones(1, 3, 16, 16),
                           step_size=0.01)
    torch.testing.assert_close(
        y, torch.full_like(y, (1 - 0.01**2 / (2 * s**2))**3))
    assert LangevinSampler(revision_step_size=0.03).revision_step_sizes(
        2) == [0.03, 0.03]
    with pytest.raises(ValueError, match='final_revision_step_size'):
        LangevinSampler(final_revision_step_size=0)


def test_average_last_is_the_mean_of_the_chains_last_states(seed):
    """revise(average_last=k): the mean of the last k states, also across
    the noise-free steps that end a chain; the chain itself unchanged."""
    descriptor = small_descriptor()
    y0 = torch.rand(2, 3, 16, 16) * 2 - 1
    sampler = LangevinSampler(revision_steps=5, revision_step_size=0.01,
                              noise_free_revision_steps=2)
    torch.manual_seed(1)
    y, stats = sampler.revise(descriptor, y0, average_last=3)
    torch.manual_seed(1)
    states, state = [], y0
    for step in range(5):  # one step at a time: the same draws
        state = sampler.revise(descriptor, state, steps=1,
                               noise_free_steps=int(step >= 3))[0]
        states.append(state)
    assert torch.equal(y, states[-1])
    torch.testing.assert_close(stats['average'],
                               torch.stack(states[2:]).mean(0))
    torch.manual_seed(1)
    plain_y, plain_stats = sampler.revise(descriptor, y0)
    assert torch.equal(plain_y, y) and 'average' not in plain_stats
    torch.testing.assert_close(plain_stats['drift'], stats['drift'])
    # at most the chain's steps are averaged
    torch.manual_seed(1)
    _, stats = sampler.revise(descriptor, y0, average_last=9)
    torch.testing.assert_close(stats['average'], torch.stack(states).mean(0))


def test_metropolis_acceptance_tends_to_one_as_delta_shrinks(seed):
    descriptor = small_descriptor(0.1)
    y0 = torch.randn(32, 3, 16, 16) * 0.1
    rates = []
    for delta in (0.2, 0.05, 0.002):
        sampler = LangevinSampler(revision_steps=20, revision_step_size=delta,
                                  metropolis=True)
        rates.append(sampler.revise(descriptor, y0)[1]['acceptance'].item())
    assert rates[0] < rates[1] < rates[2] or rates[2] == 1.0
    assert rates[0] < 0.9
    assert rates[2] > 0.98


def test_metropolis_keeps_the_gaussian_reference_exact(seed):
    # MALA removes the discretisation bias: variance s^2, not s^2/(1-h/2)
    # (here unadjusted Langevin's variance would be 1 / (1 - 0.04), 4% high)
    s, delta = 1.0, 0.4
    sampler = LangevinSampler(revision_steps=300, revision_step_size=delta,
                              metropolis=True)
    y, stats = sampler.revise(zero_f_descriptor(s),
                              torch.randn(64, 3, 16, 16))
    assert 0.2 < stats['acceptance'].item() < 0.98
    assert y.var().item() == pytest.approx(s**2, rel=0.025)


def test_langevin_never_writes_parameter_gradients(seed):
    descriptor = small_descriptor()
    generator = CoopGenerator(noise_size=8, channels=(16, 8), base_size=4,
                              image_size=16)
    generator.init_weights()
    sampler = LangevinSampler(revision_steps=3, inference_steps=3,
                              metropolis=True)
    with torch.no_grad():  # sampling is often called under no_grad
        sampler.revise(descriptor, torch.randn(2, 3, 16, 16))
        sampler.infer_latent(generator, torch.randn(2, 3, 16, 16),
                             torch.randn(2, 8))
    for p in list(descriptor.parameters()) + list(generator.parameters()):
        assert p.grad is None


def test_masked_latent_inference_ignores_masked_pixels(seed):
    generator = CoopGenerator(noise_size=8, channels=(16, 8), base_size=4,
                              image_size=16)
    generator.init_weights()
    generator.eval()
    sampler = LangevinSampler(inference_steps=20, inference_step_size=0.1)
    y = torch.rand(3, 3, 16, 16) * 2 - 1
    observed = torch.ones(3, 1, 16, 16)
    observed[:, :, 4:12, 4:12] = 0
    x0 = torch.randn(3, 8)
    torch.manual_seed(1)
    x_a, _ = sampler.infer_latent(generator, y, x0, observed)
    y_changed = torch.where(observed.bool(), y, torch.randn_like(y) * 5)
    torch.manual_seed(1)
    x_b, _ = sampler.infer_latent(generator, y_changed, x0, observed)
    torch.testing.assert_close(x_a, x_b, rtol=0, atol=0)
    # ...while a change in an observed pixel does change the inference
    y_changed[:, :, 0, 0] += 1
    torch.manual_seed(1)
    x_c, _ = sampler.infer_latent(generator, y_changed, x0, observed)
    assert not torch.equal(x_a, x_c)


def test_latent_inference_without_noise_descends_eq7_energy(seed):
    generator = CoopGenerator(noise_size=8, channels=(16, 8), base_size=4,
                              image_size=16)
    generator.init_weights()
    generator.eval()
    with torch.no_grad():
        y = generator(torch.randn(4, 8))
    x0 = torch.randn(4, 8)
    sampler = LangevinSampler(inference_steps=30, inference_step_size=0.05,
                              inference_noise=False)
    x, _ = sampler.infer_latent(generator, y, x0)
    with torch.no_grad():
        before = neg_log_joint(generator, x0, y, generator.sigma)
        after = neg_log_joint(generator, x, y, generator.sigma)
    assert (after < before).all()


@pytest.mark.parametrize('kwargs, match', [
    (dict(revision_step_size=0), 'revision_step_size'),
    (dict(inference_step_size=-1), 'inference_step_size'),
    (dict(revision_steps=-2), 'revision_steps'),
    (dict(clamp=(1, -1)), 'clamp'),
])
def test_bad_settings_fail_early(kwargs, match):
    with pytest.raises(ValueError, match=match):
        LangevinSampler(**kwargs)


def test_bfloat16_autocast_revision_tracks_float32():
    """Stated tolerance: after 10 revision steps the bf16-autocast chain is
    within 1% of |Y| of the float32 chain (same start, same noise), and the
    energies agree to 1%."""
    descriptor = small_descriptor(s=0.05)
    y0 = torch.rand(8, 3, 16, 16) * 2 - 1
    chains = []
    for autocast in (None, 'bfloat16'):
        sampler = LangevinSampler(revision_steps=10, revision_step_size=0.01,
                                  autocast=autocast)
        torch.manual_seed(3)
        chains.append(sampler.revise(descriptor, y0)[0])
    full, bf16 = chains
    assert bf16.dtype == torch.float32
    assert not torch.equal(full, bf16)  # the networks did run in bf16
    assert ((bf16 - full).norm() / full.norm()).item() < 0.01
    energies = [descriptor.energy(c).detach() for c in chains]
    assert ((energies[1] - energies[0]).abs() /
            energies[0].abs()).max().item() < 0.01
    with pytest.raises(ValueError, match='autocast'):
        LangevinSampler(autocast='int8')


@pytest.mark.parametrize('native', [True, False])
def test_auto_autocast_is_bfloat16_only_on_native_hardware(monkeypatch,
                                                           native):
    """'auto' runs exactly the bfloat16 chain where the device has bf16
    units and exactly the float32 chain where it has not."""
    monkeypatch.setattr(precision, 'has_native_bfloat16',
                        lambda device: native)
    descriptor = small_descriptor(s=0.05)
    y0 = torch.rand(4, 3, 16, 16) * 2 - 1
    chains = {}
    for autocast in ('auto', 'bfloat16', None):
        sampler = LangevinSampler(revision_steps=3, revision_step_size=0.01,
                                  autocast=autocast)
        torch.manual_seed(5)
        chains[autocast] = sampler.revise(descriptor, y0)[0]
    same_as = 'bfloat16' if native else None
    assert torch.equal(chains['auto'], chains[same_as])
    assert not torch.equal(chains['bfloat16'], chains[None])


def test_native_bfloat16_check_knows_devices_without_it():
    assert precision.has_native_bfloat16(torch.device('meta')) is False
    assert precision.resolve_autocast('auto', torch.device('meta')) is None
    assert precision.resolve_autocast('float16',
                                     torch.device('cpu')) == 'float16'


def test_every_step_count_setting_speaks_the_samplers_vocabulary():
    """Numbers of Langevin steps are named as LangevinSampler's docstring
    says: [test_][noise_free_](revision|inference)_steps, wherever a model
    or the sampler takes one (generator_steps counts G2 updates)."""
    vocabulary = re.compile(
        r'(test_)?(noise_free_)?(revision|inference)_steps')
    for cls in (LangevinSampler, CoopNets, DescriptorOnly, GeneratorABP,
                LatentInpaintor):
        names = [name for name in inspect.signature(cls).parameters
                 if 'steps' in name and name != 'generator_steps']
        assert all(vocabulary.fullmatch(name) for name in names), (cls,
                                                                   names)
        assert all(name in LangevinSampler.__doc__ for name in names)
