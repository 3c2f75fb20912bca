from .feature_distances import kernel_inception_distance, precision_recall
from .masked_psnr import MaskedPSNR
from .offline_fid import (InceptionFeatureAdapter, OfflineFID,
                          default_inception_path, load_offline_inception)

__all__ = [
    'MaskedPSNR', 'OfflineFID', 'InceptionFeatureAdapter',
    'default_inception_path', 'load_offline_inception',
    'kernel_inception_distance', 'precision_recall'
]
