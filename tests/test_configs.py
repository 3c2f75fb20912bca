"""Every config builds; its model fits its data."""
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from mmagic.registry import DATASETS, MODELS
from tests.conftest import REPO

CONFIGS = sorted(glob.glob(osp.join(REPO, 'configs', 'coopnets', '*.py')))


def test_there_are_configs():
    names = {osp.basename(c) for c in CONFIGS}
    assert {'coopnets_celeba-64x64.py', 'coopnets_texture-224x224.py',
            'coopnets_demo-gravel-64x64.py'} <= names


@pytest.mark.parametrize('path', CONFIGS, ids=osp.basename)
def test_config_builds_a_model_that_samples_its_image_size(path):
    cfg = Config.fromfile(path)
    assert cfg.default_scope == 'mmagic'
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.eval()
    out = model.val_step(dict(inputs=dict(num_batches=1, langevin_steps=1)))
    size = model.descriptor.image_size
    assert out[0].fake_img.shape == (3, size, size)
    assert set(cfg.optim_wrapper) >= {'descriptor', 'generator'}


@pytest.mark.parametrize('path', CONFIGS, ids=osp.basename)
def test_config_data_matches_the_model(path, celeba_root):
    cfg = Config.fromfile(path)
    dataset_cfg = cfg.train_dataloader.dataset
    if dataset_cfg.get('data_root'):
        # the configs name the shared data relative to the repository root
        dataset_cfg.data_root = osp.join(REPO, dataset_cfg.data_root)
    if cfg.get('test_dataloader'):
        test_cfg = cfg.test_dataloader.dataset
        test_cfg.data_root = osp.join(REPO, test_cfg.data_root)
        assert len(DATASETS.build(test_cfg)) > 0
    dataset = DATASETS.build(dataset_cfg)
    image = dataset[0]['inputs']
    size = MODELS.build(cfg.model).descriptor.image_size
    assert isinstance(image, torch.Tensor)
    assert image.shape == (3, size, size)
