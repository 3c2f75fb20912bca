from .coopnets import (CoopDescriptor, CoopGenerator, CoopNets,
                       LangevinSampler)
from .descriptor_only import DescriptorOnly
from .generator_abp import GeneratorABP
from .inpaintors import LatentInpaintor, OpenCVInpaintor

__all__ = [
    'CoopDescriptor', 'CoopGenerator', 'CoopNets', 'LangevinSampler',
    'DescriptorOnly', 'GeneratorABP', 'LatentInpaintor', 'OpenCVInpaintor'
]
