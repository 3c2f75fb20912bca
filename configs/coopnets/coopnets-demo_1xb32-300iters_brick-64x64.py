# Quickstart demo: learn the brick texture that ships inside scikit-image
# (skimage.data.brick, resized to 128x128) from random 64x64 crops, in a few
# minutes on 2 CPU cores: a texture descriptor (f = sum of its last map), a
# generator from a 16x4x4 latent map (varied samples), weak reference s = 1.
#   bash tools/demo.sh
_base_ = ['../_base_/coopnets_runtime.py']

model = dict(
    type='CoopNets',
    data_preprocessor=dict(type='DataPreprocessor'),
    descriptor=dict(
        type='CoopDescriptor', image_size=64, fc_out=None, ref_sigma=1.0,
        layers=((64, 5, 2), (64, 3, 2), (64, 3, 1))),
    generator=dict(
        type='CoopGenerator', noise_size=(16, 4, 4), channels=(256, 128, 64),
        image_size=64, sigma=0.3),
    sampler=dict(
        type='LangevinSampler', revision_steps=10, revision_step_size=0.01))
optim_wrapper = dict(
    descriptor=dict(optimizer=dict(type='Adam', lr=0.007, betas=(0.5, 0.999))),
    generator=dict(optimizer=dict(type='Adam', lr=5e-4, betas=(0.5, 0.999))))

train_dataloader = dict(
    batch_size=32,
    num_workers=0,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type='EmbeddedImageDataset',
        image='brick',
        scale=(128, 128),
        num_samples=10000,
        pipeline=[
            dict(type='Crop', keys=['gt'], crop_size=(64, 64)),
            dict(type='PackInputs', keys='gt'),
        ]))

train_cfg = dict(max_iters=300)
test_cfg = test_evaluator = None  # no test set: samples show the result
default_hooks = dict(logger=dict(interval=10), checkpoint=dict(interval=100))
custom_hooks = [dict(_base_.coopnets_vis_hook, interval=100, n_samples=36)]
