"""Completion (paper 5.3): masked inference, pasting, baselines, metrics."""
import numpy as np
import pytest
import torch

from mmagic.evaluation.metrics import MAE
from mmagic.registry import MODELS, TRANSFORMS
from mmagic.structures import DataSample
from mmcoop.evaluation import MaskedPSNR
from mmcoop.models import (CoopDescriptor, CoopGenerator, LangevinSampler,
                           LatentInpaintor, OpenCVInpaintor)
from mmcoop.models.coopnets.generator import residual_energy


def small_generator() -> CoopGenerator:
    generator = CoopGenerator(noise_size=8, channels=(16, 8), base_size=4,
                              sigma=0.3, image_size=16)
    generator.init_weights()
    return generator.eval()


def small_descriptor() -> CoopDescriptor:
    descriptor = CoopDescriptor(image_size=16, layers=((8, 3, 2), ), fc_out=4,
                                ref_sigma=0.05, init_std=0.1)
    descriptor.init_weights()
    return descriptor


def box_mask(num: int, size: int = 16, top: int = 4, side: int = 6):
    mask = torch.zeros(num, 1, size, size)
    mask[:, :, top:top + side, top:top + side] = 1
    return mask


def inpaintor(**kwargs) -> LatentInpaintor:
    sampler = dict(type='LangevinSampler', inference_steps=20,
                   inference_step_size=0.1, revision_steps=0,
                   revision_step_size=0.01)
    sampler.update(kwargs.pop('sampler', {}))
    return LatentInpaintor(generator=small_generator(), sampler=sampler,
                           **kwargs)


def test_masked_inference_ignores_the_missing_pixels():
    generator = small_generator()
    sampler = LangevinSampler(inference_steps=15, inference_step_size=0.1)
    y = torch.rand(4, 3, 16, 16) * 2 - 1
    mask = box_mask(4)
    y_other = torch.where(mask.bool(), torch.rand_like(y) * 2 - 1, y)
    x0 = torch.randn(4, 8)
    results = []
    for image in (y, y_other):
        torch.manual_seed(1)
        results.append(sampler.infer_latent(generator, image, x0,
                                            observed=1 - mask)[0])
    torch.testing.assert_close(results[0], results[1], rtol=0, atol=0)
    # ...while the observed pixels do matter
    torch.manual_seed(1)
    y_shifted = torch.where(mask.bool(), y, y + 0.5)
    shifted = sampler.infer_latent(generator, y_shifted, x0,
                                   observed=1 - mask)[0]
    assert not torch.allclose(shifted, results[0])


def test_completion_keeps_observed_pixels_and_fills_the_hole_with_g_x(seed):
    model = inpaintor()
    y = torch.rand(3, 3, 16, 16) * 2 - 1
    mask = box_mask(3)
    fitted, completion = model.complete(y * (1 - mask), mask)
    outside = ~mask.bool().expand_as(y)
    torch.testing.assert_close(completion[outside], y[outside], rtol=0,
                               atol=0)
    torch.testing.assert_close(completion[~outside], fitted[~outside])


def test_refinement_moves_only_the_hole(seed):
    model = inpaintor(descriptor=small_descriptor(),
                      sampler=dict(revision_steps=5))
    y = torch.rand(2, 3, 16, 16) * 2 - 1
    mask = box_mask(2)
    fitted, completion = model.complete(y * (1 - mask), mask)
    outside = ~mask.bool().expand_as(y)
    torch.testing.assert_close(completion[outside], y[outside], rtol=0,
                               atol=0)
    assert not torch.allclose(completion[~outside], fitted[~outside])


def test_frozen_pixels_stay_fixed_under_mala(seed):
    sampler = LangevinSampler(revision_steps=10, revision_step_size=0.01,
                              metropolis=True)
    y0 = torch.rand(2, 3, 16, 16) * 2 - 1
    frozen = 1 - box_mask(2)
    y, stats = sampler.revise(small_descriptor(), y0, frozen=frozen)
    keep = frozen.bool().expand_as(y0)
    assert torch.equal(y[keep], y0[keep])
    assert not torch.equal(y[~keep], y0[~keep])
    assert 0 < stats['acceptance'] <= 1


def test_restarts_keep_the_chain_that_fits_the_observed_pixels_best():
    restarts, num = 5, 3
    model = inpaintor(restarts=restarts, sampler=dict(inference_steps=0))
    y = torch.rand(num, 3, 16, 16) * 2 - 1
    mask = box_mask(num)
    torch.manual_seed(3)
    fitted, _ = model.complete(y, mask)
    torch.manual_seed(3)  # the same initial latents, chain r of image n
    x0 = torch.randn(restarts * num, 8)  # at r * num + n
    with torch.no_grad(), model._generator_statistics():
        chains = model.generator(x0).view(restarts, num, 3, 16, 16)
    misfit = torch.stack([
        residual_energy(chains[r], y, 0.3, 1 - mask) for r in range(restarts)
    ])
    best = misfit.argmin(0)
    torch.testing.assert_close(fitted, chains[best, torch.arange(num)])


def test_mean_of_restarts_averages_every_chains_completion():
    restarts, num = 4, 3
    model = inpaintor(restarts=restarts, combine='mean',
                      sampler=dict(inference_steps=0))
    y = torch.rand(num, 3, 16, 16) * 2 - 1
    mask = box_mask(num)
    torch.manual_seed(5)
    fitted, completion = model.complete(y * (1 - mask), mask)
    torch.manual_seed(5)  # the same initial latents, chain r of image n
    x0 = torch.randn(restarts * num, 8)  # at r * num + n
    with torch.no_grad(), model._generator_statistics():
        chains = model.generator(x0).view(restarts, num, 3, 16, 16)
    torch.testing.assert_close(fitted, chains.mean(0))
    # the mean of pasted chains: their mean in the hole, y outside it
    torch.testing.assert_close(completion, chains.mean(0) * mask +
                               y * (1 - mask))
    # a real average, not one of the chains
    assert not any(torch.allclose(fitted, chains[r])
                   for r in range(restarts))


def test_mean_of_restarts_lowers_the_squared_error_of_a_random_fill():
    """The average of independent guesses is closer to the truth in squared
    error than a guess on average (Jensen), which is why 'mean' suits the
    paper's error measures."""
    restarts, num = 8, 6
    y = torch.rand(num, 3, 16, 16) * 2 - 1
    mask = box_mask(num)
    errors = {}
    for combine in ('best', 'mean'):
        torch.manual_seed(0)
        model = inpaintor(restarts=restarts, combine=combine)
        _, completion = model.complete(y * (1 - mask), mask)
        errors[combine] = (completion - y).pow(2).sum() / mask.sum()
    assert errors['mean'] < errors['best']


def test_any_generator_with_an_explicit_sigma():
    dcgan = dict(type='DCGANGenerator', output_scale=16, out_channels=3,
                 base_channels=16, noise_size=10)
    sampler = dict(type='LangevinSampler', inference_steps=3)
    with pytest.raises(ValueError, match='sigma'):
        LatentInpaintor(generator=dcgan, sampler=sampler)
    model = LatentInpaintor(generator=dcgan, sampler=sampler, sigma=0.3)
    y = torch.rand(2, 3, 16, 16) * 2 - 1
    fitted, completion = model.complete(y, box_mask(2))
    assert fitted.shape == completion.shape == y.shape


def test_bad_settings_fail_early():
    with pytest.raises(ValueError, match='descriptor'):
        inpaintor(sampler=dict(revision_steps=3))
    with pytest.raises(ValueError, match='restarts'):
        inpaintor(restarts=0)
    with pytest.raises(ValueError, match="combine must be 'best'"):
        inpaintor(combine='median')
    with pytest.raises(ValueError, match='Masks must be'):
        inpaintor().complete(torch.zeros(2, 3, 16, 16), torch.zeros(2, 16, 16))


def test_opencv_inpaintor_keeps_observed_pixels_and_fills_flat_images():
    model = OpenCVInpaintor(method='ns')
    image = torch.full((1, 3, 16, 16), 90.)
    image[:, 1] = 200.
    mask = box_mask(1)
    filled = model.complete(image * (1 - mask), mask)
    torch.testing.assert_close(filled, image)  # a flat image stays flat
    noisy = torch.randint(0, 256, (2, 3, 16, 16)).float()
    filled = OpenCVInpaintor(method='telea').complete(noisy, box_mask(2))
    outside = ~box_mask(2).bool().expand_as(noisy)
    assert torch.equal(filled[outside], noisy[outside])
    with pytest.raises(ValueError, match='telea'):
        OpenCVInpaintor(method='bogus')


def metric_on(metric, gt, pred, mask):
    sample = dict(gt_img=torch.from_numpy(gt), mask=torch.from_numpy(mask),
                  output=dict(pred_img=torch.from_numpy(pred)))
    metric.process([], [sample])
    return metric.results[-1][metric.metric]


def test_hole_error_is_the_papers_per_pixel_error():
    gt = np.zeros((3, 4, 4), np.float32)
    pred = gt.copy()
    mask = np.zeros((1, 4, 4), np.float32)
    mask[:, :2, :2] = 1  # a 2x2 hole, 12 values
    pred[:, 0, 0] = 51  # |diff| 51 on 3 of 12 hole values
    pred[:, 3, 3] = 255  # outside the hole: must not count
    error = metric_on(MAE(mask_key='mask'), gt, pred, mask)
    assert error == pytest.approx(3 * 51 / 255 / 12)


def test_masked_psnr_counts_only_the_hole():
    gt = np.full((3, 4, 4), 100, np.float32)
    pred = gt.copy()
    mask = np.zeros((1, 4, 4), np.float32)
    mask[:, 1:3, 1:3] = 1
    pred[:, 1:3, 1:3] += 10  # squared error 100 on every hole value
    pred[:, 0, 0] = 0  # outside the hole
    psnr = metric_on(MaskedPSNR(), gt, pred, mask)
    assert psnr == pytest.approx(10 * np.log10(255**2 / 100))


def test_seeded_transform_gives_each_image_its_own_fixed_mask():
    mask_cfg = dict(type='LoadMask', mask_mode='bbox', mask_config=dict(
        img_shape=(64, 64), max_bbox_shape=30, max_bbox_delta=0,
        min_margin=0))
    seeded = TRANSFORMS.build(dict(type='SeededTransform', seed=7,
                                   transform=mask_cfg))

    def mask_of(path, transform=seeded):
        return transform(dict(gt_path=path))['mask']

    np.random.seed(123)
    before = np.random.get_state()[1].copy()
    first = mask_of('/a/000001.jpg')
    assert np.array_equal(np.random.get_state()[1], before)  # restored
    mask_of('/a/000002.jpg')
    assert np.array_equal(mask_of('/other/root/000001.jpg'), first)
    masks = {mask_of(f'{i:06d}.jpg').tobytes() for i in range(10)}
    assert len(masks) > 5
    assert first.sum() == 30 * 30
    reseeded = TRANSFORMS.build(dict(type='SeededTransform', seed=8,
                                     transform=mask_cfg))
    others = [mask_of(f'{i:06d}.jpg', reseeded) for i in range(5)]
    assert any(not np.array_equal(o, mask_of(f'{i:06d}.jpg'))
               for i, o in enumerate(others))


def test_predictions_have_the_one_stage_inpaintor_layout():
    model = OpenCVInpaintor()
    images = torch.rand(2, 3, 16, 16) * 255
    samples = [DataSample(gt_img=img, mask=box_mask(1)[0],
                          metainfo=dict(gt_channel_order='BGR'))
               for img in images]
    data = model.data_preprocessor(
        dict(inputs=list(images), data_samples=samples), False)
    outputs = model(data['inputs'], data['data_samples'], mode='predict')
    assert len(outputs) == 2
    for out, image in zip(outputs, images):
        assert out.output.pred_img.shape == (3, 16, 16)
        assert 'gt_img' in out and 'mask' in out and 'input' in out
        outside = ~box_mask(1)[0].bool().expand(3, 16, 16)
        torch.testing.assert_close(out.output.pred_img[outside],
                                   image[outside], atol=0.5, rtol=0)


def test_latent_inpaintor_refuses_training_modes():
    model = inpaintor()
    samples = DataSample(mask=box_mask(1))
    with pytest.raises(ValueError, match='mode'):
        model(torch.zeros(1, 3, 16, 16), samples, mode='loss')
    assert MODELS.get('LatentInpaintor') is LatentInpaintor


def test_batch_statistics_leave_the_generators_running_averages_alone(seed):
    model = inpaintor()
    bn = [m for m in model.generator.modules()
          if isinstance(m, torch.nn.BatchNorm2d)]
    for m in bn:  # running averages unlike any batch's statistics
        m.running_mean.fill_(0.5)
        m.running_var.fill_(3.0)
    before = {k: v.clone() for k, v in model.generator.state_dict().items()}
    y, mask = torch.rand(4, 3, 16, 16) * 2 - 1, box_mask(4)
    torch.manual_seed(5)
    batch_fit, _ = model.complete(y, mask)
    for key, value in model.generator.state_dict().items():
        assert torch.equal(value, before[key]), key
    assert not model.generator.training
    model.batch_norm = 'running'
    torch.manual_seed(5)
    running_fit, _ = model.complete(y, mask)
    assert not torch.allclose(batch_fit, running_fit)
    with pytest.raises(ValueError, match='batch_norm'):
        inpaintor(batch_norm='ema')


def test_use_ema_loads_the_moving_averages_of_both_networks():
    from mmengine.runner.checkpoint import load_state_dict
    trained = dict(generator=small_generator().state_dict(),
                   descriptor=small_descriptor().state_dict())
    averaged = {name: {k: v + 1 if v.is_floating_point() else v
                       for k, v in weights.items()}
                for name, weights in trained.items()}
    checkpoint = {}
    for name in trained:
        checkpoint.update(
            {f'{name}.{k}': v for k, v in trained[name].items()})
        checkpoint.update({f'{name}_ema.module.{k}': v
                           for k, v in averaged[name].items()})
    for use_ema, expected in ((False, trained), (True, averaged)):
        model = inpaintor(use_ema=use_ema, descriptor=small_descriptor())
        load_state_dict(model, dict(checkpoint))
        for name in trained:
            network = getattr(model, name)
            for key, value in network.state_dict().items():
                assert torch.equal(value, expected[name][key]), (name, key)
    trained_only = {k: v for k, v in checkpoint.items() if '_ema' not in k}
    with pytest.raises(ValueError, match='no EMA generator'):
        load_state_dict(inpaintor(use_ema=True), trained_only)
