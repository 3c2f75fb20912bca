from .checked_image_dataset import CheckedImageDataset
from .embedded_image_dataset import EmbeddedImageDataset, load_skimage_image
from .seeded_transform import SeededTransform

__all__ = [
    'CheckedImageDataset', 'EmbeddedImageDataset', 'SeededTransform',
    'load_skimage_image'
]
