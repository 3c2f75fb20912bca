"""Descriptor and generator: presets, shapes, energies and clear errors."""
import pytest
import torch

from mmcoop.models import CoopDescriptor, CoopGenerator
from mmcoop.models.coopnets import DESCRIPTOR_PRESETS, GENERATOR_PRESETS
from mmcoop.models.coopnets.generator import neg_log_joint


@pytest.mark.parametrize('preset', sorted(DESCRIPTOR_PRESETS))
def test_descriptor_presets_score_their_image_size(preset):
    descriptor = CoopDescriptor(preset=preset)
    size = DESCRIPTOR_PRESETS[preset]['image_size']
    f = descriptor(torch.zeros(2, 3, size, size))
    assert f.shape == (2, )
    with pytest.raises(ValueError, match=f'{size}, {size}'):
        descriptor(torch.zeros(2, 3, size // 2, size // 2))


def test_descriptor_paper_layers():
    face = CoopDescriptor(preset='face-64')
    convs = [m for m in face.features if isinstance(m, torch.nn.Conv2d)]
    assert [(c.out_channels, c.kernel_size[0], c.stride[0])
            for c in convs] == [(96, 5, 2), (128, 5, 2), (256, 5, 2)]
    assert face.fc.out_features == 50 and face.fc.in_features == 256 * 8 * 8
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in face.modules())
    texture = CoopDescriptor(preset='texture-224')
    assert texture.fc is None
    # the texture energy sums the last (linear) map: no activation after it
    assert isinstance(texture.features[-1], torch.nn.Conv2d)


def test_dcgan_descriptor_halves_exactly_to_4x4():
    descriptor = CoopDescriptor(preset='dcgan-64')
    h = descriptor.features(torch.zeros(1, 3, 64, 64))
    assert h.shape == (1, 512, 4, 4)
    assert descriptor.fc.in_features == 512 * 4 * 4


@pytest.mark.parametrize('kernel, checkerboard', [(4, False), (5, True)])
def test_stride2_input_gradient_checkerboard(kernel, checkerboard):
    # The Langevin drift is the input gradient. With an all-ones stride-2
    # kernel, an interior pixel's gradient counts the windows covering it:
    # 2 x 2 for every pixel with a 4x4 kernel, but 3 x 3, 3 x 2 or 2 x 2
    # alternating with a 5x5 one: a checkerboard in every revision.
    descriptor = CoopDescriptor(layers=((1, kernel, 2), ), image_size=16,
                                in_channels=1, fc_out=None)
    torch.nn.init.ones_(descriptor.features[0].weight)
    y = torch.zeros(1, 1, 16, 16, requires_grad=True)
    grad, = torch.autograd.grad(descriptor(y).sum(), y)
    interior = grad[0, 0, 4:12, 4:12]
    if checkerboard:
        assert interior.unique().tolist() == [4.0, 6.0, 9.0]
    else:
        assert interior.unique().tolist() == [4.0]


def test_descriptor_energy_is_eq2():
    s = 0.016
    descriptor = CoopDescriptor(preset='cifar-32', ref_sigma=s)
    descriptor.init_weights()
    y = torch.randn(3, 3, 32, 32) * 0.5
    expected = y.flatten(1).pow(2).sum(1) / (2 * s**2) - descriptor(y)
    torch.testing.assert_close(descriptor.energy(y), expected)
    uniform = CoopDescriptor(preset='cifar-32', reference='uniform')
    uniform.load_state_dict(descriptor.state_dict())
    torch.testing.assert_close(uniform.energy(y), -descriptor(y))


def test_fc_outputs_are_summed_into_f():
    descriptor = CoopDescriptor(preset='cifar-32')
    descriptor.init_weights()
    y = torch.randn(2, 3, 32, 32)
    h = descriptor.features(y).flatten(1)
    torch.testing.assert_close(descriptor(y), descriptor.fc(h).sum(1))


def test_swish_descriptor_is_f_with_x_sigmoid_x_between_convolutions():
    descriptor = CoopDescriptor(preset='cifar-32', activation='swish')
    descriptor.init_weights()
    y = torch.randn(2, 3, 32, 32)
    h = y
    convs = [m for m in descriptor.features if isinstance(m, torch.nn.Conv2d)]
    for conv in convs:
        h = conv(h)
        h = h * torch.sigmoid(h)
    expected = descriptor.fc(h.flatten(1)).sum(1)
    torch.testing.assert_close(descriptor(y), expected)


@pytest.mark.parametrize('preset, size', [('dcgan-64', 64), ('dcgan-32', 32),
                                          ('coopnets-64', 64),
                                          ('texture-224', 224)])
def test_generator_presets_make_their_image_size(preset, size):
    generator = CoopGenerator(preset=preset, image_size=size)
    generator.init_weights()
    noise_size = GENERATOR_PRESETS[preset]['noise_size']
    shape = (noise_size, ) if isinstance(noise_size, int) else noise_size
    image = generator(torch.randn(2, *shape))
    assert image.shape == (2, 3, size, size)
    assert image.abs().max() <= 1


def test_texture_generator_is_five_5x5_upsamplings_from_7x7():
    generator = CoopGenerator(preset='texture-224')
    ups = [m for m in generator.modules()
           if isinstance(m, torch.nn.ConvTranspose2d)]
    assert len(ups) == 5
    assert all(m.kernel_size == (5, 5) and m.stride == (2, 2) for m in ups)
    assert [m.out_channels for m in ups] == [512, 256, 128, 64, 3]


def test_generator_eq7_energies():
    sigma = 0.3
    generator = CoopGenerator(preset='dcgan-32', sigma=sigma)
    generator.init_weights()
    generator.eval()
    x, y = torch.randn(2, 100), torch.rand(2, 3, 32, 32)
    with torch.no_grad():
        g = generator(x)
        recon = (y - g).flatten(1).pow(2).sum(1) / (2 * sigma**2)
        torch.testing.assert_close(generator.residual_energy(g, y), recon)
        torch.testing.assert_close(neg_log_joint(generator, x, y, sigma),
                                   recon + x.pow(2).sum(1) / 2)
        observed = torch.zeros(2, 1, 32, 32)
        observed[..., :16] = 1
        masked = ((y - g)[..., :16]).flatten(1).pow(2).sum(1) / (2 *
                                                                 sigma**2)
        torch.testing.assert_close(
            generator.residual_energy(g, y, observed), masked)


@pytest.mark.parametrize('build, match', [
    (lambda: CoopGenerator(preset='dcgan-64', image_size=128), '64x64'),
    (lambda: CoopGenerator(preset='nope'), 'Unknown generator preset'),
    (lambda: CoopGenerator(preset='dcgan-64', sigma=0), 'sigma'),
    (lambda: CoopDescriptor(preset='face-64', ref_sigma=-1), 'ref_sigma'),
    (lambda: CoopDescriptor(preset='nope'), 'Unknown descriptor preset'),
    (lambda: CoopDescriptor(preset='face-64', activation='relu'),
     'activation'),
])
def test_bad_network_settings_fail_at_build(build, match):
    with pytest.raises(ValueError, match=match):
        build()


def test_generator_rejects_wrong_latent_shape():
    generator = CoopGenerator(preset='dcgan-32')
    with pytest.raises(ValueError, match='latents of shape'):
        generator(torch.randn(2, 64))
