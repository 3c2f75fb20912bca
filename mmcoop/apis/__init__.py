from .inference import init_model, save_grid, to_uint8

__all__ = ['init_model', 'save_grid', 'to_uint8']
