# Quickstart demo: learn the brick texture that ships inside scikit-image
# (skimage.data.brick, 512x512 grey) from random 64x64 crops of it, resized
# to 128x128, in a few minutes on 2 CPU cores. No data download.
_base_ = ['../_base_/coopnets_runtime.py']

batch_size = 32

model = dict(
    type='CoopNets',
    data_preprocessor=dict(type='DataPreprocessor'),
    # texture descriptor at 64x64: f is the sum of the last feature map
    descriptor=dict(
        type='CoopDescriptor',
        image_size=64,
        layers=((64, 5, 2), (64, 3, 2), (64, 3, 1)),
        fc_out=None,
        ref_sigma=0.016),
    generator=dict(type='CoopGenerator', preset='dcgan-64', sigma=0.3),
    sampler=dict(
        type='LangevinSampler', revision_steps=10, revision_step_size=0.002),
)

train_dataloader = dict(
    batch_size=batch_size,
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
default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(interval=100))
custom_hooks = [
    dict(
        type='VisualizationHook',
        interval=100,
        fixed_input=True,
        n_samples=36,
        vis_kwargs_list=[
            dict(type='GAN', name='revised', target_keys='fake_img'),
            dict(type='GAN', name='generator', target_keys='gen_img'),
        ])
]
