from .embedded_image_dataset import EmbeddedImageDataset, load_skimage_image
from .seeded_transform import SeededTransform

__all__ = ['EmbeddedImageDataset', 'SeededTransform', 'load_skimage_image']
