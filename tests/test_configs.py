"""Every config builds; its model fits its data."""
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from mmagic.registry import DATASETS, MODELS
from tests.conftest import FACE_CONFIG, REPO

CONFIGS = sorted(
    c for c in glob.glob(osp.join(REPO, 'configs', 'coopnets', '*.py'))
    if 'completion' not in osp.basename(c))
COMPLETION_CONFIGS = sorted(
    glob.glob(osp.join(REPO, 'configs', 'coopnets', 'coopnets-completion*.py'))
    + glob.glob(osp.join(REPO, 'configs', 'completion_baselines', '*.py')))
DCGAN_CONFIG = osp.join(REPO, 'configs', 'dcgan',
                        'dcgan_1xb32-3kiters_celeba-64x64.py')
FACE_COMPLETION_M40 = osp.join(REPO, 'configs', 'coopnets',
                               'coopnets-completion-m40_celeba-64x64.py')


def test_there_are_configs():
    names = {osp.basename(c) for c in CONFIGS}
    assert names == {
        osp.basename(FACE_CONFIG),
        'coopnets-paper_1xb100-60kiters_celeba-64x64.py',
        'coopnets-texture_1xb1-10kiters_brick-224x224.py',
        'coopnets-demo_1xb32-300iters_brick-64x64.py'
    }
    assert len(COMPLETION_CONFIGS) == 7  # M30/M40/M50, DCGAN(-EMA), Telea, NS


@pytest.mark.parametrize('path', CONFIGS, ids=osp.basename)
def test_config_builds_a_model_that_samples_its_image_size(path):
    cfg = Config.fromfile(path)
    assert cfg.default_scope == 'mmagic'
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.eval()
    out = model.val_step(dict(inputs=dict(num_batches=1, revision_steps=1)))
    size = model.descriptor.image_size
    assert out[0].fake_img.shape == (3, size, size)
    assert set(cfg.optim_wrapper) >= {'descriptor', 'generator'}


def face_data(data_root, celeba_root):
    """Face configs read data/celeba, mmagic's ./data habit (a link to a
    copy); tests read the copy itself."""
    assert data_root == 'data/celeba'
    return celeba_root


@pytest.mark.parametrize('path', CONFIGS, ids=osp.basename)
def test_config_data_matches_the_model(path, celeba_root):
    cfg = Config.fromfile(path)
    dataset_cfg = cfg.train_dataloader.dataset
    if dataset_cfg.get('data_root'):
        dataset_cfg.data_root = face_data(dataset_cfg.data_root, celeba_root)
    if cfg.get('test_dataloader'):
        test_cfg = cfg.test_dataloader.dataset
        test_cfg.data_root = face_data(test_cfg.data_root, celeba_root)
        assert len(DATASETS.build(test_cfg)) > 0
    dataset = DATASETS.build(dataset_cfg)
    image = dataset[0]['inputs']
    size = MODELS.build(cfg.model).descriptor.image_size
    assert isinstance(image, torch.Tensor)
    assert image.shape == (3, size, size)


@pytest.mark.parametrize('path', COMPLETION_CONFIGS, ids=osp.basename)
def test_completion_config_occludes_faces_and_completes_them(path,
                                                             celeba_root):
    cfg = Config.fromfile(path)
    dataset_cfg = cfg.test_dataloader.dataset
    dataset_cfg.data_root = face_data(dataset_cfg.data_root, celeba_root)
    sample = DATASETS.build(dataset_cfg)[0]
    side = int(osp.basename(path).split('-m')[1][:2])  # ...-m30_...
    mask = sample['data_samples'].mask
    assert mask.shape == (1, 64, 64) and mask.sum() == side * side
    model = MODELS.build(cfg.model)
    model.eval()
    if 'sampler' in cfg.model:
        model.sampler.inference_steps = 1
    out = model.test_step(dict(inputs=[sample['inputs']],
                               data_samples=[sample['data_samples']]))
    assert out[0].output.pred_img.shape == (3, 64, 64)
    evaluator = {m['type'] for m in cfg.test_evaluator.metrics}
    assert evaluator == {'MAE', 'MaskedPSNR', 'PSNR', 'SSIM'}


def assert_face_fid_of(cfg, faces, sample_model):
    """The face config's FID (metric, sample count, cached real features),
    of the moving averages ('ema') as CoopNets' or of the trained network
    ('orig') for baselines that keep no average."""
    metric, = cfg.test_evaluator.metrics
    face_metric, = faces.test_evaluator.metrics
    assert metric.sample_model == sample_model
    assert dict(metric, sample_model='ema') == face_metric


def test_dcgan_config_inherits_mmagics_dcgan_on_the_same_faces(celeba_root):
    cfg = Config.fromfile(DCGAN_CONFIG)
    assert cfg.model.type == 'DCGAN'
    faces = Config.fromfile(FACE_CONFIG)
    assert (cfg.train_dataloader.dataset.pipeline ==
            faces.train_dataloader.dataset.pipeline)
    assert_face_fid_of(cfg, faces, 'orig')
    dataset_cfg = cfg.train_dataloader.dataset
    dataset_cfg.data_root = face_data(dataset_cfg.data_root, celeba_root)
    image = DATASETS.build(dataset_cfg)[0]['inputs']
    model = MODELS.build(cfg.model)
    model.eval()
    assert image.shape == model.generator(None, num_batches=1)[0].shape



def test_dcgan_ema_config_averages_like_coopnets_and_samples_the_average():
    from mmengine.logging import MessageHub
    from mmengine.optim import build_optim_wrapper
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'dcgan',
                                   'dcgan-ema_1xb32-3kiters_celeba-64x64.py'))
    plain, faces = Config.fromfile(DCGAN_CONFIG), Config.fromfile(FACE_CONFIG)
    # mmagic's DCGAN as dcgan_1xb32-3kiters_celeba-64x64.py, plus a
    # generator average of the CoopNets face generator's momentum, sampled
    # as CoopNets samples
    assert dict(cfg.model, ema_config=None) == dict(plain.model,
                                                    ema_config=None)
    assert cfg.model.ema_config == faces.model.ema_config
    assert cfg.train_dataloader == plain.train_dataloader
    # mmagic's optimisers, both updates in the precision of CoopNets'
    # Langevin steps ('auto': bf16 where the device has bf16 units)
    for name in ('generator', 'discriminator'):
        wrapper = cfg.optim_wrapper[name]
        assert wrapper.type == 'AutocastOptimWrapper'
        assert wrapper.autocast == faces.model.sampler.autocast == 'auto'
        assert wrapper.optimizer == plain.optim_wrapper[name].optimizer
    assert_face_fid_of(cfg, faces, 'ema')
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    optim = build_optim_wrapper(model, cfg.optim_wrapper)
    hub = MessageHub.get_current_instance()
    from mmagic.structures import DataSample
    images = torch.randint(0, 256, (4, 3, 64, 64)).float()
    faces_batch = dict(inputs=list(images),
                       data_samples=[DataSample(gt_img=i) for i in images])
    trained = []
    for iteration in range(2):
        hub.update_info('iter', iteration)
        model.train_step(faces_batch, optim)
        trained.append({k: v.clone() for k, v in
                        model.generator.state_dict().items()})
    # first update copies, then average = 0.99 average + 0.01 network
    momentum = cfg.model.ema_config.momentum
    averaged = model.generator_ema.module.state_dict()
    name = next(k for k in averaged if k.endswith('weight'))
    expected = (1 - momentum) * trained[0][name] + momentum * trained[1][name]
    torch.testing.assert_close(averaged[name], expected)
    assert not torch.equal(averaged[name], trained[1][name])
    model.eval()
    noise = torch.randn(2, 100)
    with torch.no_grad():
        out = model.val_step(dict(inputs=dict(noise=noise)))
        reference = model.generator_ema(noise)
    assert out[0].sample_model == 'ema'
    expected_image = model.data_preprocessor.destruct(reference, None)[0]
    torch.testing.assert_close(out[0].fake_img.data, expected_image)
ALGORITHM_CONFIGS = {
    'descriptor': osp.join(REPO, 'configs', 'descriptor_only',
                           'descriptor-only_1xb32-2kiters_celeba-64x64.py'),
    'generator': osp.join(REPO, 'configs', 'generator_abp',
                          'generator-abp_1xb32-2kiters_celeba-64x64.py'),
}


@pytest.mark.parametrize('network', sorted(ALGORITHM_CONFIGS))
def test_algorithm_d_and_g_configs_learn_coopnets_networks_alone(network):
    cfg = Config.fromfile(ALGORITHM_CONFIGS[network])
    faces = Config.fromfile(FACE_CONFIG)
    # the same network (Algorithm D: in the scene-64 layout it was measured
    # with), optimiser and data as CoopNets' faces
    assert cfg.model[network] == (
        dict(faces.model.descriptor, preset='scene-64')
        if network == 'descriptor' else faces.model[network])
    assert set(cfg.optim_wrapper) == {'constructor', network}
    assert (cfg.optim_wrapper[network].optimizer ==
            faces.optim_wrapper[network].optimizer)
    # in float32, as they were measured (CoopNets' generator: bf16)
    assert 'type' not in cfg.optim_wrapper[network]
    # the same data at the batch they were measured at (32)
    assert cfg.train_dataloader.batch_size == 32
    assert (dict(cfg.train_dataloader, batch_size=None) ==
            dict(faces.train_dataloader, batch_size=None))
    # and the same loop, to their own 2000 iterations
    assert dict(cfg.train_cfg, max_iters=None) == dict(faces.train_cfg,
                                                       max_iters=None)
    assert cfg.train_cfg.max_iters == 2000
    # Algorithm G samples from a generator average of CoopNets' momentum,
    # Algorithm D (persistent chains of the descriptor) from its network
    if network == 'generator':
        assert cfg.model.ema_config == faces.model.ema_config
    assert_face_fid_of(cfg, faces,
                       'ema' if network == 'generator' else 'orig')
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.eval()
    out = model.val_step(dict(inputs=dict(num_batches=2,
                                          sample_model='orig')))
    assert len(out) == 2 and out[0].fake_img.shape == (3, 64, 64)


def test_face_samples_revised_past_lp_paper_settings_by_lp():
    face = MODELS.build(Config.fromfile(FACE_CONFIG).model)
    assert face.test_revision_steps == 30 > face.sampler.revision_steps
    paper = MODELS.build(Config.fromfile(PAPER).model)
    assert paper.test_revision_steps == paper.sampler.revision_steps == 10


def test_face_step_sizes_are_those_the_model_zoo_measured():
    """CoopNets' faces train with l_p = 3 revision steps of delta = 0.051
    after 300 iterations of 10 steps of 0.028, and sample (and refine a
    completion) with delta = 0.028; Algorithm D keeps its measured l_p = 10
    and delta = 0.02, otherwise the same sampler."""
    faces = Config.fromfile(FACE_CONFIG)
    model = MODELS.build(faces.model)
    assert model.sampler.revision_steps == 3
    assert model.sampler.revision_step_sizes(3) == [0.051] * 3
    assert model.revision_warmup == dict(iters=300, revision_steps=10,
                                         revision_step_size=0.028)
    assert model.test_revision_steps == 30
    assert model.test_revision_step_size == 0.028
    completion = Config.fromfile(FACE_COMPLETION_M40)
    assert completion.model.sampler.revision_step_size == 0.028
    descriptor = Config.fromfile(ALGORITHM_CONFIGS['descriptor'])
    assert descriptor.model.sampler == dict(
        faces.model.sampler, revision_steps=10, revision_step_size=0.02)
    assert 'revision_warmup' not in descriptor.model


def test_face_config_trains_every_pass_in_the_langevin_steps_precision():
    """'auto' (bf16 where the device has bf16 units) for the Langevin steps,
    Step D2 and, through its optimiser wrapper, the generator (Steps G0 and
    G2), as DCGAN-EMA trains both of its networks."""
    faces = Config.fromfile(FACE_CONFIG)
    assert faces.model.sampler.autocast == 'auto'
    assert faces.model.descriptor_autocast == 'auto'
    generator = faces.optim_wrapper.generator
    assert generator.type == 'AutocastOptimWrapper'
    assert generator.autocast == 'auto'
    assert generator.optimizer == dict(type='Adam', lr=1e-4,
                                       betas=(0.5, 0.999))
    assert 'type' not in faces.optim_wrapper.descriptor


def convolutions(network):
    """A network's convolutions as (out_channels, kernel_size, stride)."""
    return [(m.out_channels, m.kernel_size, m.stride)
            for m in network.modules() if isinstance(m, torch.nn.Conv2d)]


def test_face_descriptor_is_the_one_the_model_zoo_measured():
    """CoopNets' faces (training, sampling, completion's refinement) use
    the descriptor in DCGAN's discriminator layout (Algorithm D's measured
    scene-64 is checked with the Algorithm D and G configs above)."""
    faces = Config.fromfile(FACE_CONFIG)
    descriptor = MODELS.build(faces.model).descriptor
    assert convolutions(descriptor) == [
        (64, (4, 4), (2, 2)), (128, (4, 4), (2, 2)), (256, (4, 4), (2, 2)),
        (512, (4, 4), (2, 2))]
    completion = Config.fromfile(FACE_COMPLETION_M40)
    assert completion.model.descriptor == faces.model.descriptor


def test_face_config_samples_averages_paper_settings_the_networks():
    face = Config.fromfile(FACE_CONFIG)
    model = MODELS.build(face.model)
    assert model.with_ema_gen and model.descriptor_ema is not None
    assert face.test_evaluator.metrics[0].sample_model == 'ema'
    paper = Config.fromfile(PAPER)
    model = MODELS.build(paper.model)
    assert not model.with_ema_gen and model.descriptor_ema is None
    assert paper.test_evaluator.metrics[0].sample_model == 'orig'


PAPER = osp.join(REPO, 'configs', 'coopnets',
                 'coopnets-paper_1xb100-60kiters_celeba-64x64.py')


def test_paper_settings_config_holds_exactly_the_papers_constants():
    """Paper 5.3 and the official AAAI code (REFERENCE_NOTES.md): nothing of
    the tuned face config (weight decay, bf16, test-time steps, averages)."""
    cfg = Config.fromfile(PAPER)
    assert cfg.model == dict(
        type='CoopNets',
        data_preprocessor=dict(type='DataPreprocessor'),
        # 96/128/256 5x5 stride-2 convolutions, FC 50; s = 0.016
        descriptor=dict(type='CoopDescriptor', preset='face-64',
                        ref_sigma=0.016),
        generator=dict(type='CoopGenerator', preset='coopnets-64', sigma=0.3),
        # l_p = 10, delta = 0.002, l_q = 0
        sampler=dict(type='LangevinSampler', revision_steps=10,
                     revision_step_size=0.002, inference_steps=0),
        generator_steps=1)
    adam = dict(type='Adam', betas=(0.5, 0.999))
    assert cfg.optim_wrapper.descriptor.optimizer == dict(adam, lr=0.01)
    assert cfg.optim_wrapper.generator.optimizer == dict(adam, lr=1e-4)
    assert cfg.train_dataloader.batch_size == 100
    assert cfg.train_cfg.max_iters == 60000  # 600 epochs of 10,000 faces
    model = MODELS.build(cfg.model)
    assert convolutions(model.descriptor) == [
        (96, (5, 5), (2, 2)), (128, (5, 5), (2, 2)), (256, (5, 5), (2, 2))]
    assert not model.with_ema_gen and model.descriptor_ema is None
    assert model.sampler.autocast is None
    assert model.test_noise_free_revision_steps == 0


LEAF_CONFIGS = sorted(
    c for c in glob.glob(osp.join(REPO, 'configs', '*', '*.py'))
    if '_base_' not in c)


@pytest.mark.parametrize('path', LEAF_CONFIGS, ids=osp.basename)
def test_leaf_configs_are_short_and_open_with_a_short_comment(path):
    lines = open(path).read().splitlines()
    assert len(lines) <= 40
    opening = 0
    while opening < len(lines) and lines[opening].startswith('#'):
        opening += 1
    assert 1 <= opening <= 5


@pytest.mark.parametrize(
    'path', sorted(p for p in glob.glob(osp.join(REPO, 'configs', '*', '*.py'))
                   if '_base_' not in p), ids=osp.basename)
def test_every_config_builds_a_runner(path, tmp_path):
    """mmengine's Runner accepts every leaf config (its loops, evaluators
    and optimisers come in all-or-none sets, e.g. an evaluation-only config
    inherits no training loop from mmagic's runtime)."""
    from mmengine.runner import Runner
    cfg = Config.fromfile(path)
    cfg.work_dir = str(tmp_path)
    cfg.experiment_name = osp.basename(path)
    Runner.from_cfg(cfg)
