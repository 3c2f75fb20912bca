"""Poisson blending of a generated fill into the hole of an image.

Generator-based inpainting (Yeh et al., CVPR 2017, "Semantic image
inpainting with deep generative models") pastes g(X) into the hole and then
blends it: the output keeps the fill's gradients (its structure) but meets
the observed pixels at the hole's border without a seam. With the guidance
field the fill's own gradient, the Poisson equation for the output u,
Laplacian(u) = Laplacian(fill) in the hole and u = image outside it, is
solved by u = fill + d, where the correction d is harmonic in the hole
(Laplacian(d) = 0) and equals the misfit image - fill on the observed
pixels next to the hole: the misfit along the border, spread smoothly over
the hole.
"""
import torch
import torch.nn.functional as F
from torch import Tensor

from ...utils.errors import SettingError


def _neighbour_sum(x: Tensor) -> Tensor:
    """Sum of the 4 neighbours of every pixel (0 beyond the image)."""
    padded = F.pad(x, (1, 1, 1, 1))
    return (padded[..., :-2, 1:-1] + padded[..., 2:, 1:-1] +
            padded[..., 1:-1, :-2] + padded[..., 1:-1, 2:])


def _ratio_or_zero(num: Tensor, den: Tensor) -> Tensor:
    """num / den where den > 0, else 0 (a system already solved)."""
    return torch.where(den > 0, num / den, torch.zeros_like(num))


def poisson_blend(fill: Tensor,
                  image: Tensor,
                  mask: Tensor,
                  max_iters: int = 500,
                  tol: float = 1e-10) -> Tensor:
    """Blend ``fill`` into the hole of ``image``, Poisson style.

    Solves the discrete Laplace equation for the correction d on the hole
    pixels (4-neighbour Laplacian; beyond the image border the normal
    derivative is 0) with d = image - fill on the observed pixels, by
    conjugate gradients, batched over images and channels.

    Args:
        fill (Tensor): (N, C, H, W) content for the hole, e.g. g(X).
        image (Tensor): (N, C, H, W) images; only pixels outside the hole
            are read.
        mask (Tensor): (N, 1, H, W), 1 on the hole, 0 on observed pixels.
        max_iters (int): Conjugate-gradient iterations at most.
        tol (float): Stop when the squared residual of every system is
            below ``tol`` times that of its right-hand side.

    Returns:
        Tensor: ``fill`` + d in the hole, ``image`` elsewhere. A hole with
        no observed pixel beside it anywhere (an all-hole image) gets
        ``fill`` unchanged.
    """
    if fill.shape != image.shape or fill.dim() != 4:
        raise SettingError(f'fill and image must both be (N, C, H, W), got '
                           f'{tuple(fill.shape)} and {tuple(image.shape)}.')
    if mask.dim() != 4 or mask.shape[1] != 1 or \
            mask.shape[0] != fill.shape[0] or \
            mask.shape[-2:] != fill.shape[-2:]:
        raise SettingError(f'mask must be (N, 1, H, W) like the images '
                           f'{tuple(fill.shape)}, got {tuple(mask.shape)}.')
    hole = (mask > 0).to(fill.dtype)
    observed = 1 - hole
    misfit = (image - fill) * observed
    # number of in-image neighbours: the diagonal of the Laplacian
    degree = _neighbour_sum(torch.ones_like(hole))

    def laplacian(d):  # restricted to the hole, d = 0 elsewhere
        return hole * (degree * d - _neighbour_sum(d))

    rhs = hole * _neighbour_sum(misfit)
    d = torch.zeros_like(fill)
    residual = rhs.clone()
    direction = residual.clone()
    res_sq = residual.pow(2).sum((2, 3), keepdim=True)
    stop = tol * res_sq
    for _ in range(max_iters):
        if bool((res_sq <= stop).all()):
            break
        a_dir = laplacian(direction)
        curvature = (direction * a_dir).sum((2, 3), keepdim=True)
        alpha = _ratio_or_zero(res_sq, curvature)
        d = d + alpha * direction
        residual = residual - alpha * a_dir
        new_res_sq = residual.pow(2).sum((2, 3), keepdim=True)
        beta = _ratio_or_zero(new_res_sq, res_sq)
        direction = residual + beta * direction
        res_sq = new_res_sq
    return hole * (fill + d) + observed * image
