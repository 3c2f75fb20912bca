"""FID's Inception-v3 comes from local disk and follows mmagic's API."""
import os.path as osp

import numpy as np
import pytest
import torch

from mmcoop.evaluation import (OfflineFID, default_inception_path,
                               load_offline_inception)
from tests.stand_in_inception import save_stand_in


def test_real_weights_ship_in_the_wheel_and_give_2048_features():
    path = default_inception_path()
    assert osp.getsize(path) > 50e6  # the real Inception-v3, not a stub
    inception = load_offline_inception()
    images = torch.randint(0, 256, (2, 3, 64, 64), dtype=torch.uint8)
    with torch.no_grad():
        features = inception(images, return_features=True)
    assert features.shape == (2, 2048)
    assert torch.isfinite(features).all() and features.abs().sum() > 0
    assert not any(p.requires_grad for p in inception.parameters())


def test_adapter_resizes_and_scales_like_the_stylegan_inception(tmp_path):
    path = save_stand_in(str(tmp_path / 'net.pt'))
    adapter = load_offline_inception(path)
    network = torch.jit.load(path)
    images = torch.randint(0, 256, (2, 3, 64, 64), dtype=torch.uint8)
    resized = torch.nn.functional.interpolate(
        images.float(), size=(299, 299), mode='bilinear', align_corners=False)
    expected = network((resized - 128) / 128)
    torch.testing.assert_close(adapter(images, return_features=True),
                               expected)
    with pytest.raises(ValueError, match='no classifier head'):
        adapter(images)


def test_offline_fid_uses_the_given_network_and_needs_a_stats_file(tmp_path):
    path = save_stand_in(str(tmp_path / 'net.pt'), features=8)
    with pytest.raises(ValueError, match='inception_pkl'):
        OfflineFID(fake_nums=4, inception_path=path)
    metric = OfflineFID(fake_nums=4, inception_path=path,
                        inception_pkl=str(tmp_path / 'stats.pkl'))
    images = torch.randint(0, 256, (3, 3, 32, 32), dtype=torch.uint8)
    # mmagic hands BGR images; the metric flips them to RGB
    features = metric.forward_inception(images.float())
    assert features.shape == (3, 8)
    # Frechet distance of a feature set with itself is 0, not with another
    mean, cov = np.zeros(8), np.eye(8)
    fid, *_ = metric._calc_fid(mean, cov, mean, cov)
    assert fid == pytest.approx(0, abs=1e-6)
    fid, *_ = metric._calc_fid(mean + 1, cov, mean, cov)
    assert fid == pytest.approx(8, rel=1e-6)


def test_missing_network_file_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match='No Inception network'):
        load_offline_inception(str(tmp_path / 'missing.pt'))
