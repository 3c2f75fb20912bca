from .checked_image_dataset import CheckedImageDataset
from .embedded_image_dataset import EmbeddedImageDataset, load_skimage_image
from .mask_fits_image import MaskFitsImage
from .seeded_transform import SeededTransform

__all__ = [
    'CheckedImageDataset', 'EmbeddedImageDataset', 'MaskFitsImage',
    'SeededTransform', 'load_skimage_image'
]
