"""mmagic's own inferencers run mmcoop's checkpoints: samples of a CoopNets
face model ('Unconditional GANs') and completion of an image and a mask file
('Inpainting'); mmcoop's init_model (the tools' loader) likewise."""
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config

from mmagic.apis.inferencers import Inferencers
from mmagic.registry import MODELS
from mmcoop.apis import init_model
from tests.conftest import FACE_CONFIG as FACE, REPO

COMPLETION = osp.join(REPO, 'configs', 'coopnets',
                      'coopnets-completion-m30_celeba-64x64.py')


def face_checkpoint(path):
    """A CoopNets face checkpoint (initial weights, averages included)."""
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(FACE).model)
    model.init_weights()
    torch.save(dict(state_dict=model.state_dict(), meta={}), path)
    return model


def test_init_model_loads_the_weights_and_meta_and_refuses_misfits(
        tmp_path):
    path = str(tmp_path / 'face.pth')
    trained = face_checkpoint(path)
    checkpoint = torch.load(path)
    checkpoint['meta'] = dict(iter=7)
    torch.save(checkpoint, path)
    torch.manual_seed(1)  # the model built before loading differs
    model = init_model(FACE, path, device='cpu')
    assert not model.training and model.checkpoint_meta['iter'] == 7
    loaded = model.state_dict()
    assert all(torch.equal(loaded[k], v)
               for k, v in trained.state_dict().items())
    with pytest.raises(ValueError, match='does not fit the CoopNets'):
        init_model(FACE, path, device='cpu', cfg_options={
            'model.generator.channels': (256, 128, 64, 32)})


def test_unconditional_inferencer_samples_a_coopnets_checkpoint(tmp_path):
    saved = face_checkpoint(str(tmp_path / 'face.pth'))
    cfg = Config.fromfile(FACE)
    cfg.model.test_revision_steps = 2
    cfg.model.test_noise_free_revision_steps = 1
    noise = torch.randn(3, *saved.generator.noise_size) if isinstance(
        saved.generator.noise_size, tuple) else torch.randn(
            3, saved.generator.noise_size)
    inferencer = Inferencers(
        task='Unconditional GANs', config=cfg, ckpt=str(tmp_path / 'face.pth'),
        device='cpu', extra_parameters=dict(num_batches=3, noise=noise,
                                            sample_model='ema'))
    out = tmp_path / 'samples.png'
    predictions, images = inferencer(result_out_dir=str(out))
    assert images.shape == (3, 3, 64, 64) and osp.isfile(out)
    model = inferencer.inferencer.model
    for key, value in saved.state_dict().items():
        torch.testing.assert_close(model.state_dict()[key], value)
    # the proposals are the averaged generator's g(X) of the given noise
    with torch.no_grad():
        expected = saved.generator_ema(noise)
    sample = model(dict(noise=noise, sample_model='ema',
                        sample_type='generator'))
    torch.testing.assert_close(
        torch.stack([s.gen_img.data for s in sample]),
        torch.stack([s.fake_img.data for s in sample]))
    torch.testing.assert_close(
        sample[0].fake_img.data,
        model.data_preprocessor.destruct(expected, None)[0])
    assert predictions['fake_img'].shape == (3, 64, 64)  # mmagic: the first


def test_inpainting_inferencer_completes_an_image_and_mask_file(tmp_path):
    face_checkpoint(str(tmp_path / 'face.pth'))
    cfg = Config.fromfile(COMPLETION)
    cfg.model.sampler.inference_steps = 3
    rng = np.random.RandomState(0)
    image = rng.randint(0, 256, (64, 64, 3)).astype(np.uint8)
    mask = np.zeros((64, 64), np.uint8)
    mask[10:40, 20:50] = 255
    cv2.imwrite(str(tmp_path / 'face.png'), image)
    cv2.imwrite(str(tmp_path / 'mask.png'), mask)
    inferencer = Inferencers(task='Inpainting', config=cfg,
                             ckpt=str(tmp_path / 'face.pth'), device='cpu')
    out = tmp_path / 'completed.png'
    inferencer(img=str(tmp_path / 'face.png'),
               mask=str(tmp_path / 'mask.png'), result_out_dir=str(out))
    completed = cv2.imread(str(out))
    assert completed.shape == (64, 64, 3)
    hole = mask > 0
    # observed pixels are kept (up to the 8-bit round trip); the hole is
    # the generator's fill, not the image
    assert np.abs(completed[~hole].astype(int) - image[~hole]).max() <= 1
    assert np.abs(completed[hole].astype(int) - image[hole]).mean() > 20
