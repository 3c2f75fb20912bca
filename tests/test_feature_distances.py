"""KID and improved precision / recall on feature sets small enough to
check by hand, and on samples whose answer is known."""
import pickle
import random
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from mmcoop.evaluation import OfflineFID
from mmcoop.evaluation.feature_distances import (kernel_inception_distance,
                                                 polynomial_kernel,
                                                 precision_recall)
from tests.stand_in_inception import save_stand_in


def test_kid_by_hand_on_two_points_each():
    # d = 1: k(x, y) = (x y + 1)^3. Real {0, 1}, generated {1, 2}, m = 2:
    # within real 2 k(0,1) / 2 = 1, within generated 2 k(1,2) / 2 = 27,
    # across (k(0,1) + k(0,2) + k(1,1) + k(1,2)) / 4 = (1+1+8+27) / 4 = 9.25
    real, fake = np.array([[0.], [1.]]), np.array([[1.], [2.]])
    assert polynomial_kernel(real, fake).tolist() == [[1, 1], [8, 27]]
    kid, std = kernel_inception_distance(real, fake, num_subsets=5,
                                         subset_size=2)
    assert kid == pytest.approx(1 + 27 - 2 * 9.25)
    assert std == pytest.approx(0)  # every subset is the whole set


def test_kid_is_unbiased_near_zero_for_one_distribution_and_positive_else():
    rng = np.random.RandomState(0)
    real, same = rng.randn(400, 64), rng.randn(400, 64)
    kid, std = kernel_inception_distance(real, same)
    assert std > 0  # subsets of 200 of 400 differ
    assert abs(kid) < 2 * std
    shifted = same + 0.5
    kid_shift, std_shift = kernel_inception_distance(real, shifted)
    assert kid_shift > 10 * std_shift and kid_shift > 10 * abs(kid)
    # the same subsets every call
    assert kernel_inception_distance(real, same) == (kid, std)


def test_kid_refuses_subsets_larger_than_the_samples():
    with pytest.raises(ValueError, match='smaller sample count'):
        kernel_inception_distance(np.zeros((5, 2)), np.zeros((8, 2)),
                                  subset_size=6)


def test_precision_recall_by_hand_with_k_1():
    # real 0, 1, 2, 3: each ball has radius 1. Generated 0.5, 10, 11: radii
    # 9.5, 1, 1. Only 0.5 lies in a real ball (precision 1/3); the ball of
    # 0.5 covers all real points (recall 1).
    real = np.array([[0.], [1.], [2.], [3.]])
    fake = np.array([[0.5], [10.], [11.]])
    precision, recall = precision_recall(real, fake, k=1, chunk=2)
    assert precision == pytest.approx(1 / 3)
    assert recall == pytest.approx(1)


def test_precision_recall_tell_varied_from_collapsed():
    # (k-NN balls of 500 points fill less of a higher-dimensional
    # Gaussian: 0.95 in 4-d, 0.77 in 16-d)
    rng = np.random.RandomState(0)
    real = rng.randn(500, 4)
    precision, recall = precision_recall(real, rng.randn(500, 4))
    assert precision > 0.9 and recall > 0.9
    # a collapsed sample: a few real-looking modes repeated with tiny noise
    modes = real[:5]
    collapsed = modes[rng.randint(0, 5, 500)] + 1e-3 * rng.randn(500, 4)
    precision, recall = precision_recall(real, collapsed)
    assert precision == pytest.approx(1)  # every sample looks real
    assert recall < 0.1  # little of the real variety is covered
    with pytest.raises(ValueError, match='more than k'):
        precision_recall(real[:3], collapsed, k=3)


def test_offline_fid_reports_kid_precision_recall_beside_unchanged_fid(
        tmp_path):
    path = save_stand_in(str(tmp_path / 'net.pt'), features=8)
    metric = OfflineFID(fake_nums=300, inception_path=path,
                        inception_pkl=str(tmp_path / 'stats.pkl'))
    rng = np.random.RandomState(1)
    real = rng.randn(300, 8)
    metric.real_features = real
    metric.real_mean, metric.real_cov = real.mean(0), np.cov(real,
                                                             rowvar=False)
    fake = torch.as_tensor(rng.randn(300, 8) + 1, dtype=torch.float32)
    results = metric.compute_metrics(list(fake.split(1)))
    fid, *_ = metric._calc_fid(fake.numpy().mean(0),
                               np.cov(fake.numpy(), rowvar=False),
                               metric.real_mean, metric.real_cov)
    assert results['fid'] == pytest.approx(fid)
    kid, kid_std = kernel_inception_distance(real, fake.numpy())
    assert results['kid'] == pytest.approx(1000 * kid)
    assert results['kid_std'] == pytest.approx(1000 * kid_std)
    assert (results['precision'], results['recall']) == pytest.approx(
        precision_recall(real, fake.numpy()))


def test_a_cache_without_real_features_is_refused_clearly(tmp_path):
    path = save_stand_in(str(tmp_path / 'net.pt'), features=8)
    pkl = tmp_path / 'stats.pkl'
    pkl.write_bytes(pickle.dumps(dict(real_mean=np.zeros(8),
                                      real_cov=np.eye(8))))
    metric = OfflineFID(fake_nums=4, inception_path=path,
                        inception_pkl=str(pkl))
    module = SimpleNamespace(data_preprocessor=SimpleNamespace(device='cpu'))
    with pytest.raises(ValueError, match='Delete the file'):
        metric.prepare(module, dataloader=None)


def test_real_features_are_cached_whole_and_reused(celeba_root, tmp_path):
    """The cache is renamed into place once written (no half-written file
    for a parallel run to read) and holds the features themselves."""
    import os
    import os.path as osp

    from mmengine.config import Config
    from torch.utils.data import DataLoader

    from mmagic.models import DataPreprocessor
    from mmagic.registry import DATASETS
    from tests.conftest import REPO
    config = Config.fromfile(osp.join(
        REPO, 'configs', 'dcgan', 'dcgan-ema_1xb32-3kiters_celeba-64x64.py'))
    dataset = DATASETS.build(dict(config.test_dataloader.dataset,
                                  data_root=celeba_root, indices=6))
    loader = DataLoader(dataset, batch_size=4)
    module = SimpleNamespace(data_preprocessor=DataPreprocessor())
    network = save_stand_in(str(tmp_path / 'net.pt'), features=8)
    pkl = tmp_path / 'cache' / 'real.pkl'
    metric = OfflineFID(fake_nums=6, real_nums=6, inception_path=network,
                        inception_pkl=str(pkl))
    # computing the cache leaves the random state as reading it does, so
    # the generated images, drawn next, do not depend on whether it existed
    draws = []
    for prepare in (lambda: metric.prepare(module, loader), lambda: None):
        torch.manual_seed(3), np.random.seed(3), random.seed(3)
        prepare()
        draws.append((torch.rand(4), np.random.rand(4), random.random()))
    torch.testing.assert_close(draws[0][0], draws[1][0], rtol=0, atol=0)
    np.testing.assert_array_equal(draws[0][1], draws[1][1])
    assert draws[0][2] == draws[1][2]
    assert os.listdir(pkl.parent) == ['real.pkl']  # no temporary left
    assert metric.real_features.shape == (6, 8)
    np.testing.assert_allclose(metric.real_mean,
                               metric.real_features.mean(0), rtol=1e-5)
    again = OfflineFID(fake_nums=6, real_nums=6, inception_path=network,
                       inception_pkl=str(pkl))
    again.prepare(module, None)  # read from the cache: no data needed
    np.testing.assert_array_equal(again.real_features, metric.real_features)


def test_a_cache_of_other_real_images_is_refused(celeba_root, tmp_path):
    """The cache is keyed by file name only; the images it was made from
    are recorded and checked, so another test set never reuses it."""
    import os.path as osp

    from mmengine.config import Config
    from torch.utils.data import DataLoader

    from mmagic.models import DataPreprocessor
    from mmagic.registry import DATASETS
    from tests.conftest import REPO
    config = Config.fromfile(osp.join(
        REPO, 'configs', 'dcgan', 'dcgan-ema_1xb32-3kiters_celeba-64x64.py'))
    module = SimpleNamespace(data_preprocessor=DataPreprocessor())
    network = save_stand_in(str(tmp_path / 'net.pt'), features=8)
    pkl = str(tmp_path / 'real.pkl')

    def prepared(indices):
        dataset = DATASETS.build(dict(config.test_dataloader.dataset,
                                      data_root=celeba_root, indices=indices))
        metric = OfflineFID(fake_nums=4, real_nums=4, inception_path=network,
                            inception_pkl=pkl)
        metric.prepare(module, DataLoader(dataset, batch_size=4))
        return metric

    first = prepared([0, 1, 2, 3])
    assert prepared([0, 1, 2, 3]).real_features.tolist() == \
        first.real_features.tolist()  # same images: the cache is used
    with pytest.raises(ValueError, match='other real images'):
        prepared([4, 5, 6, 7])
