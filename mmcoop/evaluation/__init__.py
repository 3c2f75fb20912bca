from .offline_fid import (InceptionFeatureAdapter, OfflineFID,
                          default_inception_path, load_offline_inception)

__all__ = [
    'OfflineFID', 'InceptionFeatureAdapter', 'default_inception_path',
    'load_offline_inception'
]
