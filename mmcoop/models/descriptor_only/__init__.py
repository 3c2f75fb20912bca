"""Algorithm D: the descriptor learned alone with persistent chains."""
from .descriptor_only import DescriptorOnly

__all__ = ['DescriptorOnly']
