"""Poisson blending of a generated fill into the hole (Yeh et al. 2017)."""
import pytest
import torch

from mmcoop.models.inpaintors.poisson_blend import poisson_blend
from tests.test_completion import box_mask, inpaintor


def ramp(num: int = 2, size: int = 16) -> torch.Tensor:
    rows, cols = torch.meshgrid(torch.arange(size, dtype=torch.float32),
                                torch.arange(size, dtype=torch.float32),
                                indexing='ij')
    return (0.03 * cols - 0.05 * rows + 0.2).expand(num, 3, size,
                                                    size).clone()


def test_one_pixel_hole_gets_its_fill_plus_the_mean_border_misfit():
    image = torch.arange(9, dtype=torch.float32).view(1, 1, 3, 3)
    fill = torch.zeros(1, 1, 3, 3)
    fill[0, 0, 0, 1], fill[0, 0, 1, 1] = 0.5, 7.0
    mask = torch.zeros(1, 1, 3, 3)
    mask[0, 0, 1, 1] = 1
    out = poisson_blend(fill, image, mask)
    # neighbours 1, 3, 5, 7 minus fill 0.5, 0, 0, 0: mean misfit 3.875
    assert out[0, 0, 1, 1].item() == pytest.approx(7.0 + 3.875)
    assert torch.equal(out * (1 - mask), image * (1 - mask))


def test_a_zero_fill_becomes_the_harmonic_interpolation_of_the_border():
    image = ramp()  # linear: discrete-harmonic, so the interpolation is exact
    mask = box_mask(2, top=4, side=8)
    out = poisson_blend(torch.zeros_like(image), image, mask)
    torch.testing.assert_close(out, image, rtol=0, atol=1e-5)


@pytest.mark.parametrize('top', [4, 0], ids=['inside', 'touching-border'])
def test_a_fill_off_by_a_constant_is_corrected_exactly(top):
    image = ramp()
    mask = box_mask(2, top=top, side=10)
    out = poisson_blend(image + 0.4, image, mask)
    torch.testing.assert_close(out, image, rtol=0, atol=1e-5)


def test_a_fill_that_meets_the_border_is_pasted_unchanged():
    image = torch.rand(2, 3, 16, 16)
    mask = box_mask(2, top=4, side=8)
    bump = torch.zeros_like(image)
    bump[..., 6:10, 6:10] = torch.rand(2, 3, 4, 4)
    fill = image * (1 - mask) + bump * mask  # equals the image at the border
    torch.testing.assert_close(poisson_blend(fill, image, mask),
                               fill, rtol=0, atol=1e-6)


def test_an_all_hole_image_keeps_its_fill():
    fill = torch.rand(1, 3, 8, 8)
    out = poisson_blend(fill, torch.zeros_like(fill), torch.ones(1, 1, 8, 8))
    assert torch.equal(out, fill)


def test_bad_shapes_fail_early():
    image = torch.zeros(2, 3, 8, 8)
    with pytest.raises(ValueError, match='fill and image'):
        poisson_blend(image[:1], image, torch.zeros(2, 1, 8, 8))
    with pytest.raises(ValueError, match='mask must be'):
        poisson_blend(image, image, torch.zeros(2, 3, 8, 8))


def test_latent_inpaintor_blends_g_x_into_the_hole(seed):
    y = torch.rand(3, 3, 16, 16) * 2 - 1
    mask = box_mask(3)
    model = inpaintor(blend='poisson')
    fitted, completion = model.complete(y * (1 - mask), mask)
    outside = ~mask.bool().expand_as(y)
    assert torch.equal(completion[outside], y[outside])
    torch.testing.assert_close(completion,
                               poisson_blend(fitted, y, mask))
    with pytest.raises(ValueError, match="blend must be 'paste'"):
        inpaintor(blend='seamless')
