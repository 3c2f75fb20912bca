"""Inpaintors: completion through a generator's latent, and OpenCV."""
from .latent_inpaintor import LatentInpaintor
from .opencv_inpaintor import OpenCVInpaintor

__all__ = ['LatentInpaintor', 'OpenCVInpaintor']
