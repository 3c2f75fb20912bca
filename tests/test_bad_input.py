"""Bad data, settings and checkpoints get clear errors, early."""
import os

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config

from mmagic.registry import DATASETS, MODELS, TRANSFORMS
from mmcoop.utils import check_checkpoint_fits
from tests.conftest import FACE_CONFIG as CONFIG


def face_dataset(root, test_mode=False, **options):
    cfg = Config.fromfile(CONFIG).train_dataloader.dataset
    cfg.data_root = str(root)
    cfg.data_prefix = dict(gt='')
    cfg.test_mode = test_mode
    cfg.update(options)
    return DATASETS.build(cfg)


def write_face(path, shape=(218, 178, 3)):
    cv2.imwrite(str(path), np.random.randint(0, 256, shape, np.uint8))


def test_missing_and_empty_folders_are_named(tmp_path):
    with pytest.raises(FileNotFoundError, match='does not exist.*data_root'):
        face_dataset(tmp_path / 'missing')
    (tmp_path / 'notes.txt').write_text('no images here')
    with pytest.raises(ValueError, match='No images .* found in'):
        face_dataset(tmp_path)


def test_unreadable_files_are_skipped_and_counted_in_training(tmp_path):
    write_face(tmp_path / 'good.png')
    (tmp_path / 'bad.jpg').write_bytes(b'not an image')
    (tmp_path / 'empty.jpg').write_bytes(b'')
    dataset = face_dataset(tmp_path)
    for index in range(len(dataset)):
        assert dataset[index]['inputs'].shape == (3, 64, 64)
    assert sorted(os.path.basename(p) for p in set(dataset.skipped)) == [
        'bad.jpg', 'empty.jpg']
    with pytest.raises(ValueError, match='Cannot decode image .*bad.jpg'):
        test_set = face_dataset(tmp_path, test_mode=True)
        for index in range(len(test_set)):
            test_set[index]


def test_a_file_skipped_again_is_counted_once(tmp_path):
    write_face(tmp_path / 'good.png')
    (tmp_path / 'bad.jpg').write_bytes(b'not an image')
    dataset = face_dataset(tmp_path)
    bad = [i for i in range(2) if 'bad' in dataset.get_data_info(i)[
        'gt_path']][0]
    for _ in range(3):  # three epochs
        dataset[bad]
    assert len(dataset.skipped) == 1


def test_a_folder_of_non_images_stops_after_a_few_draws(tmp_path):
    """Without min_size nothing reads the files before training; 50
    unreadable draws in a row end it (mmengine would try 1,000 times)."""
    for index in range(60):
        (tmp_path / f'{index}.jpg').write_bytes(b'not an image')
    dataset = face_dataset(tmp_path, min_size=None)
    with pytest.raises(ValueError, match='50 images drawn in a row could '
                       'not be decoded'):
        dataset[0]
    assert len(dataset.skipped) < 50


def test_grey_and_rgba_images_load_as_three_channels(tmp_path):
    write_face(tmp_path / 'grey.png', (218, 178))
    write_face(tmp_path / 'rgba.png', (218, 178, 4))
    dataset = face_dataset(tmp_path)
    assert [dataset[i]['inputs'].shape for i in range(2)] == [(3, 64, 64)] * 2


def test_images_smaller_than_the_crop_are_refused(tmp_path):
    write_face(tmp_path / 'small.png', (50, 60, 3))
    with pytest.raises(ValueError, match='50x60, smaller than the 108x108'):
        face_dataset(tmp_path)[0]


def test_images_of_a_size_the_networks_do_not_make_are_refused():
    cfg = Config.fromfile(CONFIG)
    model = MODELS.build(cfg.model)
    data = dict(inputs=[torch.zeros(3, 32, 32)])
    with pytest.raises(ValueError, match='images are 32x32 .* 64x64'):
        model.train_step(data, optim_wrapper=None)


def test_masks_larger_than_the_image_are_refused():
    transform = TRANSFORMS.build(dict(
        type='LoadMask', mask_mode='bbox', mask_config=dict(
            img_shape=(64, 64), max_bbox_shape=70, max_bbox_delta=0,
            min_margin=0)))
    with pytest.raises(ValueError, match='smaller than image shape'):
        transform(dict())


def test_checkpoints_of_another_architecture_are_refused(tmp_path):
    cfg = Config.fromfile(CONFIG)
    trained = MODELS.build(cfg.model)
    path = tmp_path / 'face.pth'
    torch.save(dict(state_dict=trained.state_dict()), path)
    check_checkpoint_fits(trained, str(path))  # fits itself
    cfg.model.generator.channels = (256, 128, 64, 32)
    other = MODELS.build(cfg.model)
    with pytest.raises(ValueError, match=r'does not fit the CoopNets.*'
                       r'generator\.net\.1\.weight is \(100, 512, 4, 4\) in '
                       r'the checkpoint but \(100, 256, 4, 4\)'):
        check_checkpoint_fits(other, str(path))
    completion = Config.fromfile(os.path.join(
        os.path.dirname(CONFIG), 'coopnets-completion-m30_celeba-64x64.py'))
    dcgan_generator_only = dict(state_dict={
        k: v for k, v in trained.state_dict().items()
        if k.startswith('generator.')})
    torch.save(dcgan_generator_only, path)
    with pytest.raises(ValueError, match='descriptor.* is missing'):
        check_checkpoint_fits(MODELS.build(completion.model), str(path))


def test_a_mask_of_another_size_than_the_images_is_named(celeba_root):
    cfg = Config.fromfile(os.path.join(
        os.path.dirname(CONFIG), 'coopnets-completion-m30_celeba-64x64.py'))
    dataset_cfg = cfg.test_dataloader.dataset
    dataset_cfg.data_root = celeba_root
    for step in dataset_cfg.pipeline:
        if step['type'] == 'SeededTransform':
            step['transform']['mask_config']['img_shape'] = (32, 32)
    dataset = DATASETS.build(dataset_cfg)
    with pytest.raises(ValueError, match='The mask is 32x32 but the image '
                       'is 64x64'):
        dataset[0]
