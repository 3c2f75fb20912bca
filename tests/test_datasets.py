"""The data sets: the embedded default (a real image from scikit-image's
wheel) and the checked image folders, decoded from file or from memory."""
import os
import os.path as osp
import shutil

import cv2
import numpy as np
import pytest
import skimage.data
import torch

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


FACE_PIPELINE = [
    dict(type='LoadImageFromFile', key='gt'),
    dict(type='Crop', keys=['gt'], crop_size=(108, 108), random_crop=False),
    dict(type='Resize', keys='gt', scale=(64, 64), keep_ratio=False),
    # in place (mmcv.imflip_): must not reach the cached images
    dict(type='Flip', keys=['gt'], flip_ratio=1.0, direction='horizontal'),
    dict(type='PackInputs', keys='gt'),
]


def face_dataset(root, **kwargs):
    return DATASETS.build(dict(
        type='CheckedImageDataset', data_root=root,
        data_prefix=dict(gt='val'), min_size=(108, 108),
        pipeline=FACE_PIPELINE, **kwargs))


def test_cached_images_equal_the_decoded_files_every_epoch(celeba_root):
    from_files = face_dataset(celeba_root)
    in_memory = face_dataset(celeba_root, cache_transforms=3)
    indices = [0, 7, 599, 7]
    for epoch in range(2):
        for idx in indices:
            expected = from_files[idx]
            got = in_memory[idx]
            assert got['inputs'].dtype == expected['inputs'].dtype
            assert torch.equal(got['inputs'], expected['inputs'])
            assert got['data_samples'].gt_img.shape == (3, 64, 64)
            assert (got['data_samples'].metainfo['gt_path'] ==
                    expected['data_samples'].metainfo['gt_path'])
    # decoded, cropped and resized once per image, then reused
    assert sorted(in_memory._cache) == [0, 7, 599]
    assert in_memory._cache[7]['gt'].shape == (64, 64, 3)


def test_cache_sees_the_file_checks(celeba_root, tmp_path):
    (tmp_path / 'val').mkdir()
    face = sorted((osp.join(celeba_root, 'val', f) for f in
                   os.listdir(osp.join(celeba_root, 'val'))))[0]
    shutil.copy(face, tmp_path / 'val' / 'a.jpg')
    dataset = face_dataset(str(tmp_path), cache_transforms=3)
    assert dataset[0]['inputs'].shape == (3, 64, 64)
    for bad in (-1, 6, 1.5):
        with pytest.raises(ValueError, match='cache_transforms must be'):
            face_dataset(str(tmp_path), cache_transforms=bad)
    cv2.imwrite(str(tmp_path / 'val' / 'b.png'),
                np.zeros((50, 50, 3), np.uint8))
    with pytest.raises(ValueError, match='b.png.* smaller than the 108x108'):
        face_dataset(str(tmp_path), cache_transforms=3)
