"""CoopNets: descriptor, generator, Langevin sampler and cooperative model."""
from .coopnets import CoopNets
from .descriptor import DESCRIPTOR_PRESETS, CoopDescriptor
from .generator import GENERATOR_PRESETS, CoopGenerator
from .langevin import LangevinSampler

__all__ = [
    'CoopNets', 'CoopDescriptor', 'CoopGenerator', 'LangevinSampler',
    'DESCRIPTOR_PRESETS', 'GENERATOR_PRESETS'
]
