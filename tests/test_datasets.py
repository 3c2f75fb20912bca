"""The embedded default data: a real image from scikit-image's wheel."""
import numpy as np
import pytest
import skimage.data

from mmagic.registry import DATASETS
from mmcoop.datasets import load_skimage_image


def test_colour_image_is_bgr_like_load_image_from_file():
    image = load_skimage_image('coffee')
    rgb = skimage.data.coffee()
    assert image.dtype == np.uint8 and image.shape == rgb.shape
    np.testing.assert_array_equal(image, rgb[..., ::-1])


def test_grey_texture_becomes_three_equal_channels():
    image = load_skimage_image('gravel')
    assert image.shape == (512, 512, 3)
    np.testing.assert_array_equal(image[..., 0], image[..., 2])
    np.testing.assert_array_equal(image[..., 0], skimage.data.gravel())


def test_unknown_image_is_a_clear_error():
    with pytest.raises(ValueError, match='skimage.data has no image'):
        load_skimage_image('no_such_picture')


def test_dataset_yields_random_crops_of_the_image():
    dataset = DATASETS.build(
        dict(type='EmbeddedImageDataset', image='gravel', scale=(128, 128),
             num_samples=5,
             pipeline=[dict(type='Crop', keys=['gt'], crop_size=(32, 32)),
                       dict(type='PackInputs', keys='gt')]))
    assert len(dataset) == 5
    crops = [dataset[i]['inputs'] for i in range(5)]
    assert all(c.shape == (3, 32, 32) for c in crops)
    assert any(not np.array_equal(crops[0], c) for c in crops[1:])
    with pytest.raises(ValueError, match='num_samples'):
        DATASETS.build(dict(type='EmbeddedImageDataset', num_samples=0))
