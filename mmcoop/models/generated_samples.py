"""Packing sampled images into mmagic ``DataSample``s."""
from typing import Dict, List, Optional

from torch import Tensor

from mmagic.structures import DataSample


def pack_generated(data_preprocessor,
                   images: Dict[str, Tensor],
                   data_samples: Optional[list] = None,
                   **fields) -> List[DataSample]:
    """One ``DataSample`` per image, as mmagic's GANs return from sampling.

    Each entry of ``images`` (e.g. ``fake_img``) is turned back into 0-255
    images by ``data_preprocessor.destruct``, which mmagic's
    ``VisualizationHook`` and generative metrics expect; ``fields`` (e.g.
    ``noise``, ``sample_model``) are attached as they are, split per sample
    where they are batched.
    """
    sample = DataSample()
    if data_samples:
        sample.update(data_samples)
    for key, value in images.items():
        setattr(sample, key, data_preprocessor.destruct(value, data_samples))
    for key, value in fields.items():
        setattr(sample, key, value)
    return sample.split(allow_nonseq_value=True)
