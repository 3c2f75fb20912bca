import os
import os.path as osp

import pytest
import torch

import mmcoop  # noqa: F401  (compatibility fixes and registrations)

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
SHARED = osp.join(osp.dirname(REPO), 'shared')
CELEBA = osp.join(SHARED, 'data', 'celeba')
# the face config, which most end-to-end tests train (one name to rename)
FACE_CONFIG = osp.join(REPO, 'configs', 'coopnets',
                       'coopnets_1xb16-3kiters_celeba-64x64.py')


@pytest.fixture(autouse=True)
def _mmagic_scope():
    from mmengine.registry import DefaultScope
    name = f'mmcoop-test-{os.getpid()}'
    scope = DefaultScope.get_instance(name, scope_name='mmagic')
    yield scope


@pytest.fixture
def celeba_root():
    """../shared/data/celeba; under CI=true its absence is a failure."""
    if not osp.isdir(osp.join(CELEBA, 'train')):
        if os.environ.get('CI', '').lower() == 'true':
            pytest.fail(f'{CELEBA} is missing: CI needs ../shared beside the '
                        'repository.')
        pytest.skip(f'{CELEBA} not found')
    return CELEBA


@pytest.fixture
def seed():
    torch.manual_seed(0)
    return 0
