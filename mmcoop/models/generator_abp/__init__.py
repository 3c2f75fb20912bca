"""Algorithm G: the generator learned alone by alternating back-propagation."""
from .generator_abp import GeneratorABP

__all__ = ['GeneratorABP']
