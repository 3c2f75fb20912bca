from .coopnets import (CoopDescriptor, CoopGenerator, CoopNets,
                       LangevinSampler)
from .inpaintors import LatentInpaintor, OpenCVInpaintor

__all__ = [
    'CoopDescriptor', 'CoopGenerator', 'CoopNets', 'LangevinSampler',
    'LatentInpaintor', 'OpenCVInpaintor'
]
