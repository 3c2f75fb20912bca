"""The cooperative model: Algorithm 1's steps and sampling."""
import copy

import pytest
import torch
from mmengine.logging import MessageHub
from mmengine.optim import OptimWrapper, OptimWrapperDict

from mmagic.registry import MODELS
from mmagic.structures import DataSample
from mmcoop.models.batch_statistics import batch_statistics
from mmcoop.models.learning_steps import high_frequency_ratio, spread_ratio


def tiny_coopnets(**kwargs):
    cfg = dict(
        type='CoopNets',
        data_preprocessor=dict(type='DataPreprocessor'),
        descriptor=dict(type='CoopDescriptor', image_size=16,
                        layers=((8, 3, 2), (16, 3, 2)), fc_out=4),
        generator=dict(type='CoopGenerator', noise_size=8, channels=(16, 8),
                       image_size=16),
        sampler=dict(type='LangevinSampler', revision_steps=3))
    cfg.update(kwargs)
    model = MODELS.build(cfg)
    model.init_weights()
    return model


def optim_wrappers(model, lr_d=1e-3, lr_g=1e-3):
    return OptimWrapperDict(
        descriptor=OptimWrapper(torch.optim.SGD(model.descriptor.parameters(),
                                                lr=lr_d)),
        generator=OptimWrapper(torch.optim.SGD(model.generator.parameters(),
                                               lr=lr_g)))


def batch(n=4, size=16):
    images = [torch.randint(0, 256, (3, size, size), dtype=torch.uint8)
              for _ in range(n)]
    return dict(inputs=images, data_samples=[DataSample() for _ in images])


def test_d1_leaves_descriptor_parameter_gradients_untouched(seed):
    model = tiny_coopnets()
    marker = [torch.full_like(p, 7.0) for p in model.descriptor.parameters()]
    for p, m in zip(model.descriptor.parameters(), marker):
        p.grad = m.clone()
    x_hat, y_hat, _ = model.step_g0_generate(4)
    y_tilde, stats = model.step_d1_revise(model.descriptor, y_hat)
    assert not torch.equal(y_tilde, y_hat)
    assert stats['drift'] > 0
    for p, m in zip(model.descriptor.parameters(), marker):
        assert torch.equal(p.grad, m)
    for p in model.generator.parameters():
        assert p.grad is None


def test_one_iteration_moves_both_networks_down_their_losses(seed):
    model = tiny_coopnets()
    optims = optim_wrappers(model, lr_d=1e-3, lr_g=1e-4)
    data = model.data_preprocessor(batch(), True)
    observed = data['inputs']

    x_hat, y_hat, _ = model.step_g0_generate(8)
    y_tilde, _ = model.step_d1_revise(model.descriptor, y_hat)
    x, _ = model.step_g1_infer(model.generator, x_hat, y_tilde)
    assert torch.equal(x, x_hat)  # l_q = 0: X = X_hat

    def descriptor_loss():
        with torch.no_grad():
            return (model.descriptor(y_tilde).mean() -
                    model.descriptor(observed).mean()).item()

    def generator_loss():  # in train mode, as G2 computes it
        with torch.no_grad():
            return model.generator.residual_energy(
                model.generator(x), y_tilde).mean().item()

    d_before, g_before = descriptor_loss(), generator_loss()
    log_d = model.step_d2_update_descriptor(observed, y_tilde,
                                            optims['descriptor'])
    log_g = model.step_g2_update_generator(x, y_tilde, optims['generator'])
    assert log_d['loss_descriptor'].item() == pytest.approx(d_before,
                                                            rel=1e-4)
    assert descriptor_loss() < d_before
    assert generator_loss() < g_before
    assert log_g['loss_generator'] > 0


def test_train_step_runs_algorithm1_and_logs(seed):
    model = tiny_coopnets(generator_steps=2)
    optims = optim_wrappers(model)
    before_d = [p.clone() for p in model.descriptor.parameters()]
    before_g = [p.clone() for p in model.generator.parameters()]
    log = model.train_step(batch(), optims)
    assert set(log) >= {'loss_descriptor', 'loss_generator', 'f_observed',
                        'f_revised', 'langevin_drift', 'spread_ratio',
                        'hf_ratio_revised', 'hf_ratio_generator'}
    assert all(torch.isfinite(v) for v in log.values())
    assert any(not torch.equal(a, b)
               for a, b in zip(before_d, model.descriptor.parameters()))
    assert any(not torch.equal(a, b)
               for a, b in zip(before_g, model.generator.parameters()))
    for p in model.descriptor.parameters():  # D2 leaves no stale gradient
        assert p.grad is None or not p.grad.abs().sum()


def count_forwards(network):
    calls = []
    network.register_forward_hook(lambda *args: calls.append(1))
    return calls


@pytest.mark.parametrize('generator_steps', [1, 2])
def test_g2_reuses_g0_forward_with_the_same_update(generator_steps):
    """With X = X_hat, G2's first g(X) is G0's output: train_step runs the
    generator generator_steps times in all, not once more, and ends with the
    parameters of the steps run one by one with a fresh G2 forward."""
    torch.manual_seed(0)
    model = tiny_coopnets(generator_steps=generator_steps)
    reference = copy.deepcopy(model)
    data = batch()
    calls = count_forwards(model.generator)
    torch.manual_seed(1)
    model.train_step(data, optim_wrappers(model))
    assert len(calls) == generator_steps

    optims = optim_wrappers(reference)
    torch.manual_seed(1)
    observed = reference.data_preprocessor(data, True)['inputs']
    x_hat, y_hat, _ = reference.step_g0_generate(4)
    y_tilde, _ = reference.step_d1_revise(reference.descriptor, y_hat)
    reference.step_d2_update_descriptor(observed, y_tilde,
                                        optims['descriptor'])
    reference.step_g2_update_generator(x_hat, y_tilde, optims['generator'])
    for a, b in zip(model.generator.parameters(),
                    reference.generator.parameters()):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-7)
    for a, b in zip(model.descriptor.parameters(),
                    reference.descriptor.parameters()):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-7)


def test_teaching_states_teach_the_mean_of_the_chains_last_states(seed):
    """teaching_states = k: Step G2 learns eq. (10) towards the mean of the
    revision chain's last k states; Step D2 still learns from Y_tilde."""
    torch.manual_seed(0)
    model = tiny_coopnets(teaching_states=2)
    reference = copy.deepcopy(model)
    data = batch()
    torch.manual_seed(1)
    log = model.train_step(data, optim_wrappers(model))

    optims = optim_wrappers(reference)
    torch.manual_seed(1)
    observed = reference.data_preprocessor(data, True)['inputs']
    x_hat, y_hat, _ = reference.step_g0_generate(4)
    sampler = reference.sampler
    y_2 = sampler.revise(reference.descriptor, y_hat, steps=2)[0]
    y_tilde = sampler.revise(reference.descriptor, y_2, steps=1)[0]
    reference.step_d2_update_descriptor(observed, y_tilde,
                                        optims['descriptor'])
    expected = reference.step_g2_update_generator(
        x_hat, (y_2 + y_tilde) / 2, optims['generator'])
    torch.testing.assert_close(log['loss_generator'],
                               expected['loss_generator'])
    for a, b in zip(model.parameters(), reference.parameters()):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-7)
    # one state is the paper's Step G2, on Y_tilde
    one, paper = tiny_coopnets(teaching_states=1), tiny_coopnets()
    paper.load_state_dict(one.state_dict())
    logs = []
    for net in (one, paper):
        torch.manual_seed(1)
        logs.append(net.train_step(data, optim_wrappers(net)))
    assert logs[0] == logs[1]
    for a, b in zip(one.parameters(), paper.parameters()):
        assert torch.equal(a, b)
    for bad in (0, 4, 1.5):
        with pytest.raises(ValueError, match='teaching_states'):
            tiny_coopnets(teaching_states=bad)


def test_revision_warmup_sets_step_d1s_chain_for_its_iterations(seed):
    """During revision_warmup's iterations Step D1 runs its steps of its
    delta; from then on the sampler's l_p and delta (message hub 'iter' is
    the runner's iteration, counted from 0)."""
    model = tiny_coopnets(revision_warmup=dict(
        iters=2, revision_steps=1, revision_step_size=0.3))
    y_hat = model.step_g0_generate(4)[1]
    hub = MessageHub.get_current_instance()

    def revised(**overrides):
        torch.manual_seed(1)
        if overrides:
            return model.sampler.revise(model.descriptor, y_hat,
                                        **overrides)[0]
        return model.step_d1_revise(model.descriptor, y_hat)[0]

    warm = revised(steps=1, step_size=0.3)
    after = revised(steps=3, step_size=model.sampler.revision_step_size)
    assert not torch.allclose(warm, after)
    for iteration, expected in ((0, warm), (1, warm), (2, after),
                                (50, after)):
        hub.update_info('iter', iteration)
        assert torch.equal(revised(), expected)
    hub.update_info('iter', 0)
    assert torch.equal(revised(), warm)
    assert tiny_coopnets().revision_warmup is None
    for bad in (dict(iters=2, revision_steps=1), dict(
            iters=-1, revision_steps=1, revision_step_size=0.3), dict(
                iters=2, revision_steps=1, revision_step_size=0), 5):
        with pytest.raises(ValueError, match='revision_warmup'):
            tiny_coopnets(revision_warmup=bad)


def test_g0_is_not_reused_when_g1_infers_new_latents(seed):
    model = tiny_coopnets(sampler=dict(type='LangevinSampler',
                                       revision_steps=2, inference_steps=2))
    calls = count_forwards(model.generator)
    model.train_step(batch(), optim_wrappers(model))
    # G0, the energy gradients of the two inference steps (the last x
    # needs none after it), then G2's own forward on the inferred latents
    assert len(calls) == 1 + 2 + 1


def test_descriptor_autocast_runs_d2_in_bfloat16(monkeypatch, seed):
    """D2 in bf16: the update's gradient points where float32's does (cosine
    over 0.99, relative error under 10%: bf16 keeps 8 mantissa bits, far
    finer than the minibatch noise of the gradient), f and the loss stay
    float32; 'auto' is bf16 exactly where the device has bf16 units."""
    from mmcoop.models import precision
    observed = torch.rand(4, 3, 16, 16) * 2 - 1
    synthesized = 0.3 * torch.randn(4, 3, 16, 16)

    def d2_gradient(autocast, native=True):
        monkeypatch.setattr(precision, 'has_native_bfloat16',
                            lambda device: native)
        model = tiny_coopnets(descriptor_autocast=autocast)
        model.load_state_dict(start)
        optim = OptimWrapper(torch.optim.SGD(model.descriptor.parameters(),
                                             lr=1.0))
        before = [p.clone() for p in model.descriptor.parameters()]
        log = model.step_d2_update_descriptor(observed, synthesized, optim)
        assert log['loss_descriptor'].dtype == torch.float32
        return torch.cat([(b - p).flatten() for b, p in
                          zip(before, model.descriptor.parameters())])

    start = tiny_coopnets().state_dict()
    full, bf16 = d2_gradient(None), d2_gradient('bfloat16')
    assert not torch.equal(full, bf16)  # the descriptor did run in bf16
    assert torch.cosine_similarity(bf16, full, dim=0).item() > 0.99
    assert ((bf16 - full).norm() / full.norm()).item() < 0.1
    assert torch.equal(d2_gradient('auto', native=True), bf16)
    assert torch.equal(d2_gradient('auto', native=False), full)
    with pytest.raises(ValueError, match='autocast'):
        tiny_coopnets(descriptor_autocast='int8')


def test_generator_runs_in_its_optimiser_wrappers_precision(seed):
    """With an AutocastOptimWrapper as the generator's optimiser wrapper,
    Steps G0 and G2 run the generator in bf16 while the revision chain
    starts from float32 Y_hat (bf16 would round away its drift steps); the
    generator moves as in float32 (cosine over 0.95)."""
    from mmagic.registry import OPTIM_WRAPPERS
    start = tiny_coopnets().state_dict()

    def train_step(autocast):
        model = tiny_coopnets()
        model.load_state_dict(start)
        wrappers = OptimWrapperDict(
            descriptor=optim_wrappers(model)['descriptor'],
            generator=OPTIM_WRAPPERS.build(dict(
                type='AutocastOptimWrapper', autocast=autocast,
                optimizer=torch.optim.SGD(model.generator.parameters(),
                                          lr=1e-3))))
        outputs, chain_starts = set(), set()
        model.generator.register_forward_hook(
            lambda module, args, out: outputs.add(out.dtype))
        revise = model.sampler.revise
        model.sampler.revise = lambda descriptor, y, *args, **kwargs: (
            chain_starts.add(y.dtype) or revise(descriptor, y, *args,
                                                **kwargs))
        before = [p.detach().clone() for p in model.generator.parameters()]
        torch.manual_seed(3)
        model.train_step(batch(), wrappers)
        moved = torch.cat([(p.detach() - b).flatten() for b, p in zip(
            before, model.generator.parameters())])
        return outputs, chain_starts, moved

    full_out, full_starts, full = train_step(None)
    bf16_out, bf16_starts, bf16 = train_step('bfloat16')
    assert full_out == {torch.float32} and bf16_out == {torch.bfloat16}
    assert full_starts == bf16_starts == {torch.float32}
    assert not torch.equal(full, bf16)
    assert torch.cosine_similarity(full, bf16, dim=0).item() > 0.95


def test_d2_adds_the_energy_magnitude_penalty_when_set(seed):
    """Step D2 with energy_magnitude_penalty alpha descends eq. (5)'s
    loss plus alpha * mean f^2 (checked against autograd); 0 is eq. (5)."""
    observed = torch.rand(4, 3, 16, 16) * 2 - 1
    synthesized = 0.3 * torch.randn(4, 3, 16, 16)
    start = tiny_coopnets().state_dict()

    def d2_step(alpha):
        model = tiny_coopnets(energy_magnitude_penalty=alpha)
        model.load_state_dict(start)
        optim = OptimWrapper(torch.optim.SGD(model.descriptor.parameters(),
                                             lr=1.0))
        before = [p.clone() for p in model.descriptor.parameters()]
        model.step_d2_update_descriptor(observed, synthesized, optim)
        return [b - p for b, p in zip(before, model.descriptor.parameters())]

    reference = tiny_coopnets()
    reference.load_state_dict(start)
    f = reference.descriptor(torch.cat([observed, synthesized]))
    eq5 = f[4:].mean() - f[:4].mean()
    for alpha in (0.0, 2.0):
        expected = torch.autograd.grad(eq5 + alpha * f.pow(2).mean(),
                                       list(reference.descriptor.parameters()),
                                       retain_graph=True)
        for step, grad in zip(d2_step(alpha), expected):
            torch.testing.assert_close(step, grad)
    with pytest.raises(ValueError, match='energy_magnitude_penalty'):
        tiny_coopnets(energy_magnitude_penalty='strong')


def test_g0_noise_has_scale_sigma(seed):
    model = tiny_coopnets(generator_noise=True)
    model.generator.eval()
    with torch.no_grad():
        _, y_hat, g_x_hat = model.step_g0_generate(64, keep_graph=True)
    eps = y_hat - g_x_hat
    assert eps.std().item() == pytest.approx(model.generator.sigma,
                                             rel=0.05)


def test_spread_ratio_detects_collapse():
    observed = torch.randn(8, 3, 4, 4)
    assert spread_ratio(observed * 2, observed).item() == pytest.approx(2.0)
    collapsed = observed[:1].expand(8, -1, -1, -1)
    assert spread_ratio(collapsed, observed).item() == 0


def test_high_frequency_ratio_tells_speckle_from_blur(seed):
    # smooth images: white noise averaged over 4x4 blocks
    observed = torch.nn.functional.interpolate(
        torch.randn(8, 3, 8, 8), scale_factor=4, mode='bilinear')
    assert high_frequency_ratio(observed, observed).item() == 1
    speckled = observed + 0.3 * torch.randn_like(observed)
    assert high_frequency_ratio(speckled, observed).item() > 5
    blurred = torch.nn.functional.avg_pool2d(observed, 3, 1, 1)
    assert high_frequency_ratio(blurred, observed).item() < 0.5
    # only the highest frequencies count: a constant shift changes nothing
    torch.testing.assert_close(high_frequency_ratio(observed + 1, observed),
                               torch.tensor(1.0))
    # white noise against white noise of the same std: about 1
    noise = torch.randn(16, 3, 32, 32)
    assert high_frequency_ratio(noise, torch.randn_like(noise)).item() == \
        pytest.approx(1, abs=0.05)


def test_num_synthesized_sets_the_number_of_chains(seed):
    model = tiny_coopnets(num_synthesized=6)
    seen = []
    original = model.step_d1_revise

    def spy(descriptor, y_hat):
        seen.append(y_hat.shape[0])
        return original(descriptor, y_hat)

    model.step_d1_revise = spy
    model.train_step(batch(n=4), optim_wrappers(model))
    assert seen == [6]
    # one observed image (the texture setting) has no spread: not logged
    log = model.train_step(batch(n=1), optim_wrappers(model))
    assert 'spread_ratio' not in log
    assert all(torch.isfinite(v) for v in log.values())


def test_sampling_returns_revised_and_generator_images(seed):
    model = tiny_coopnets(test_revision_steps=5)
    model.eval()
    out = model.val_step(dict(inputs=dict(num_batches=3,
                                          sample_model='orig')))
    assert len(out) == 3
    sample = out[0]
    assert sample.fake_img.shape == (3, 16, 16)
    assert torch.equal(sample.fake_img, sample.revised_img)
    assert not torch.equal(sample.gen_img, sample.revised_img)
    assert 0 <= sample.fake_img.min() and sample.fake_img.max() <= 255
    noise = torch.stack([o.noise for o in out])
    direct = model.val_step(dict(inputs=dict(noise=noise,
                                             sample_type='generator')))
    torch.testing.assert_close(direct[0].fake_img, out[0].gen_img)
    assert 'revised_img' not in direct[0]
    with pytest.raises(ValueError, match='sample_type'):
        model.val_step(dict(inputs=dict(num_batches=1, sample_type='x')))


def test_sampling_uses_test_revision_steps(seed):
    model = tiny_coopnets(test_revision_steps=0)
    model.eval()
    out = model.val_step(dict(inputs=dict(num_batches=2)))
    torch.testing.assert_close(out[0].fake_img, out[0].gen_img)


def one_descent_step(model, noise, delta):
    """The sample of one noise-free test step from g(noise) with step size
    delta: Y - (delta^2 / 2) dE/dY (eq. 4 without delta * U)."""
    with torch.no_grad(), batch_statistics(model.generator):
        y = model.generator(noise)  # g(X) as sampling computes it
    y.requires_grad_(True)
    grad, = torch.autograd.grad(model.descriptor.energy(y).sum(), y)
    return model.data_preprocessor.destruct(
        (y - delta**2 / 2 * grad).detach())


def test_noise_free_test_steps_end_the_revision_by_gradient_descent(seed):
    """One test step, noise-free: exactly one step of gradient descent on
    the energy; the sample is then a function of the latent."""
    model = tiny_coopnets(test_revision_steps=1,
                          test_noise_free_revision_steps=1)
    model.eval()
    noise = torch.randn(2, 8)
    first, second = (model.val_step(dict(inputs=dict(noise=noise)))
                     for _ in range(2))
    torch.testing.assert_close(first[0].fake_img, second[0].fake_img)
    got = torch.stack([o.revised_img for o in first])
    torch.testing.assert_close(
        got, one_descent_step(model, noise, model.sampler.revision_step_size))
    # with noise (the default), two samplings of one latent differ
    noisy = tiny_coopnets(test_revision_steps=1)
    noisy.load_state_dict(model.state_dict())
    a, b = (noisy(dict(noise=noise))[0].revised_img for _ in range(2))
    assert not torch.equal(a, b)
    with pytest.raises(ValueError, match='test_noise_free_revision_steps'):
        tiny_coopnets(test_noise_free_revision_steps=-1)


def test_test_revision_step_size_sets_delta_of_sampling_only(seed):
    """test_revision_step_size is the test-time revision's delta; Step D1
    of training keeps the sampler's."""
    model = tiny_coopnets(test_revision_steps=1,
                          test_noise_free_revision_steps=1,
                          test_revision_step_size=0.3)
    assert model.sampler.revision_step_size == 0.002
    model.eval()
    noise = torch.randn(2, 8)
    got = torch.stack([o.revised_img for o in
                       model.val_step(dict(inputs=dict(noise=noise)))])
    torch.testing.assert_close(got, one_descent_step(model, noise, 0.3))
    assert not torch.allclose(got, one_descent_step(model, noise, 0.002))
    # training: the same losses, revisions and updates as without it
    plain = tiny_coopnets()
    plain.load_state_dict(model.state_dict())
    logs = []
    for net in (model, plain):
        net.train()
        torch.manual_seed(5)
        logs.append(net.train_step(batch(), optim_wrappers(net)))
    assert logs[0] == logs[1]
    for a, b in zip(model.parameters(), plain.parameters()):
        assert torch.equal(a, b)
    assert tiny_coopnets().test_revision_step_size is None  # the sampler's
    for bad in (0, -0.1):
        with pytest.raises(ValueError, match='test_revision_step_size'):
            tiny_coopnets(test_revision_step_size=bad)


def test_ema_generator_is_sampled_when_configured(seed):
    model = tiny_coopnets(ema_config=dict(momentum=0.5))
    optims = optim_wrappers(model)
    for _ in range(2):  # the first update copies, later ones average
        model.train_step(batch(), optims)
    model.eval()
    noise = torch.randn(2, 8)
    ema = model.val_step(dict(inputs=dict(noise=noise, sample_model='ema',
                                          sample_type='generator')))
    orig = model.val_step(dict(inputs=dict(noise=noise, sample_model='orig',
                                           sample_type='generator')))
    assert not torch.equal(ema[0].fake_img, orig[0].fake_img)


def test_ema_descriptor_averages_and_revises_ema_samples(seed):
    model = tiny_coopnets(
        ema_config=dict(momentum=0.5),
        descriptor_ema_config=dict(momentum=0.5),
        sampler=dict(type='LangevinSampler', revision_steps=3,
                     revision_step_size=0.1))
    optims = optim_wrappers(model, lr_d=0.01)
    weights = []
    for _ in range(2):  # the first update copies, the second averages
        model.train_step(batch(), optims)
        weights.append({k: v.clone()
                        for k, v in model.descriptor.state_dict().items()})
    averaged = model.descriptor_ema.module.state_dict()
    for key, value in averaged.items():
        torch.testing.assert_close(
            value, (weights[0][key] + weights[1][key]) / 2)
    assert not torch.equal(averaged['fc.weight'], weights[1]['fc.weight'])

    def revised_ema_samples():
        torch.manual_seed(1)
        return model.val_step(dict(inputs=dict(
            noise=torch.ones(2, 8), sample_model='ema')))[0].fake_img

    model.eval()
    with_average = revised_ema_samples()
    descriptor_ema, model.descriptor_ema = model.descriptor_ema, None
    with_trained = revised_ema_samples()
    model.descriptor.load_state_dict(descriptor_ema.module.state_dict())
    torch.testing.assert_close(revised_ema_samples(), with_average)
    assert (with_trained - with_average).abs().max() > 1  # 0-255 pixels
    with pytest.raises(ValueError, match='ema_config'):
        tiny_coopnets(descriptor_ema_config=dict(momentum=0.5))


def test_mismatched_network_sizes_fail_at_build():
    with pytest.raises(ValueError, match='same image size'):
        tiny_coopnets(generator=dict(type='CoopGenerator', preset='dcgan-32'))


def test_channels_last_matches_the_default_layout():
    # noise off: randn_like draws in memory order, so the two layouts would
    # get different (equally valid) Langevin noise
    sampler = dict(type='LangevinSampler', revision_steps=3,
                   revision_noise=False)
    results = []
    start = tiny_coopnets(sampler=sampler).state_dict()
    for channels_last in (False, True):
        model = tiny_coopnets(channels_last=channels_last, sampler=sampler)
        model.load_state_dict(start)  # random init fills memory order
        torch.manual_seed(1)
        data = batch()
        torch.manual_seed(2)
        log_vars = model.train_step(data, optim_wrappers(model))
        results.append((log_vars, model.state_dict()))
    (logs, state), (logs_cl, state_cl) = results
    for key in ('loss_descriptor', 'loss_generator', 'f_revised'):
        torch.testing.assert_close(logs_cl[key], logs[key], rtol=1e-4,
                                   atol=1e-5)
    for key, value in state.items():
        torch.testing.assert_close(state_cl[key], value, rtol=1e-4,
                                   atol=1e-5)
    conv = next(m for m in model.descriptor.modules()
                if isinstance(m, torch.nn.Conv2d))
    assert conv.weight.is_contiguous(memory_format=torch.channels_last)


def test_sampling_uses_batch_statistics_and_leaves_running_averages(seed):
    model = tiny_coopnets(test_revision_steps=0)
    model.eval()
    before = {k: v.clone() for k, v in model.generator.state_dict().items()}
    noise = torch.randn(6, 8)
    batch_stats = model(dict(noise=noise, sample_type='generator'))
    for key, value in model.generator.state_dict().items():
        assert torch.equal(value, before[key]), key
    assert not model.generator.training
    model.batch_norm = 'running'
    running = model(dict(noise=noise, sample_type='generator'))
    assert not torch.allclose(batch_stats[0].fake_img, running[0].fake_img)
    with pytest.raises(ValueError, match='batch_norm'):
        tiny_coopnets(batch_norm='frozen')
