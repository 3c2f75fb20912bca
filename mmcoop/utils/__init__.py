from .checkpoint_fit import check_checkpoint_fits, checkpoint_mismatches

__all__ = ['check_checkpoint_fits', 'checkpoint_mismatches']
