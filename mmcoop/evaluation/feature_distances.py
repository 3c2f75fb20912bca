"""KID and improved precision / recall between two sets of features.

Both take the Inception pool features that FID uses (real and generated,
one row per image) and need no network of their own.
"""
from typing import Optional, Tuple

import numpy as np
import torch

from ..utils.errors import SettingError


def polynomial_kernel(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """k(x, y) = (x . y / d + 1)^3 for all pairs of rows (Binkowski et al.
    2018, eq. 5 with the cubic kernel of KID), d the feature size."""
    return (x @ y.T / x.shape[1] + 1)**3


def kernel_inception_distance(real: np.ndarray,
                              fake: np.ndarray,
                              num_subsets: int = 100,
                              subset_size: Optional[int] = None,
                              seed: int = 0) -> Tuple[float, float]:
    """KID: the unbiased estimate of MMD^2 (Binkowski et al. 2018, eq. 4)
    with :func:`polynomial_kernel`, averaged over random subsets.

    Each subset draws ``subset_size`` real and as many generated rows
    without replacement and estimates

        MMD^2 = sum_{i!=j} k(x_i, x_j) / (m (m - 1))
              + sum_{i!=j} k(y_i, y_j) / (m (m - 1))
              - 2 sum_{i,j} k(x_i, y_j) / m^2.

    The kernel matrices are computed once for all rows; the subsets index
    into them.

    Args:
        real (np.ndarray): (N, d) features of real images.
        fake (np.ndarray): (M, d) features of generated images.
        num_subsets (int): Random subsets to average over.
        subset_size (int, optional): Rows per set and subset, at most
            min(N, M). Default: 1000 or half of min(N, M), whichever is
            smaller, so that the subsets differ and their spread means
            something.
        seed (int): Seed of the subset draws (the same subsets every call).

    Returns:
        tuple[float, float]: Mean and standard deviation of MMD^2 over the
        subsets (not scaled).
    """
    count = min(len(real), len(fake))
    if subset_size is None:
        subset_size = min(1000, count // 2)
    if not 2 <= subset_size <= count:
        raise SettingError(
            f'KID subset_size must be between 2 and the smaller sample count '
            f'({count}: {len(real)} real, {len(fake)} generated), got '
            f'{subset_size}.')
    real, fake = real.astype(np.float64), fake.astype(np.float64)
    k_rr = polynomial_kernel(real, real)
    k_ff = polynomial_kernel(fake, fake)
    k_rf = polynomial_kernel(real, fake)
    m = subset_size
    rng = np.random.RandomState(seed)
    estimates = []
    for _ in range(num_subsets):
        r = rng.choice(len(real), m, replace=False)
        f = rng.choice(len(fake), m, replace=False)
        rr, ff = k_rr[np.ix_(r, r)], k_ff[np.ix_(f, f)]
        within = ((rr.sum() - np.trace(rr)) + (ff.sum() - np.trace(ff))) / (
            m * (m - 1))
        estimates.append(within - 2 * k_rf[np.ix_(r, f)].mean())
    return float(np.mean(estimates)), float(np.std(estimates))


def _kth_neighbour_radii(points: torch.Tensor, k: int,
                         chunk: int) -> torch.Tensor:
    """Each point's distance to its k-th nearest other point."""
    radii = [
        torch.cdist(rows, points).kthvalue(k + 1, dim=1).values
        for rows in points.split(chunk)
    ]  # k + 1: the nearest point is the point itself
    return torch.cat(radii)


def _inside_manifold(queries: torch.Tensor, points: torch.Tensor,
                     radii: torch.Tensor, chunk: int) -> torch.Tensor:
    """Whether each query lies in a ball of some point (its radius)."""
    inside = [(torch.cdist(rows, points) <= radii).any(dim=1)
              for rows in queries.split(chunk)]
    return torch.cat(inside)


def precision_recall(real: np.ndarray,
                     fake: np.ndarray,
                     k: int = 3,
                     chunk: int = 1024) -> Tuple[float, float]:
    """Improved precision and recall (Kynkaanniemi et al. 2019, eq. 1-3).

    Each set's manifold is the union of balls around its points, a ball
    reaching the point's k-th nearest neighbour in its own set. Precision
    is the share of generated points inside the real manifold (how many
    samples look real), recall the share of real points inside the
    generated manifold (how much of the real variety is covered).

    Args:
        real (np.ndarray): (N, d) features of real images, N > k.
        fake (np.ndarray): (M, d) features of generated images, M > k.
        k (int): The neighbour that sets a ball's radius (the paper's 3).
        chunk (int): Rows per distance block (memory, not results).

    Returns:
        tuple[float, float]: precision, recall, each in [0, 1].
    """
    if k < 1 or min(len(real), len(fake)) <= k:
        raise SettingError(
            f'precision and recall with k = {k} need k >= 1 and more than k '
            f'real and generated features, got {len(real)} and '
            f'{len(fake)}.')
    real = torch.as_tensor(real, dtype=torch.float64)
    fake = torch.as_tensor(fake, dtype=torch.float64)
    real_radii = _kth_neighbour_radii(real, k, chunk)
    fake_radii = _kth_neighbour_radii(fake, k, chunk)
    precision = _inside_manifold(fake, real, real_radii, chunk)
    recall = _inside_manifold(real, fake, fake_radii, chunk)
    return precision.double().mean().item(), recall.double().mean().item()
