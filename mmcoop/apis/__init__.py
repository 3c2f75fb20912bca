from .inference import init_model
from .pictures import (grid_image, labelled, one_below_another, save_grid,
                       side_by_side, to_uint8, write_image)

__all__ = [
    'grid_image', 'init_model', 'labelled', 'one_below_another', 'save_grid',
    'side_by_side', 'to_uint8', 'write_image'
]
