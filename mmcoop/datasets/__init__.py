from .embedded_image_dataset import EmbeddedImageDataset, load_skimage_image

__all__ = ['EmbeddedImageDataset', 'load_skimage_image']
