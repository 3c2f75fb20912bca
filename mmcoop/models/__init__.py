from .coopnets import (CoopDescriptor, CoopGenerator, CoopNets,
                       LangevinSampler)

__all__ = ['CoopDescriptor', 'CoopGenerator', 'CoopNets', 'LangevinSampler']
