# Quickstart demo: learn the gravel texture that ships inside scikit-image
# (skimage.data.gravel, 512x512 grey, resized to 256x256) from random 64x64
# crops, in about five minutes on 2 CPU cores. No data download.
# A texture descriptor (f = sum of its last feature map, so it scores local
# texture statistics anywhere in the image) and a slimmed DCGAN generator.
_base_ = ['../_base_/coopnets_runtime.py']

batch_size = 32

model = dict(
    type='CoopNets',
    data_preprocessor=dict(type='DataPreprocessor'),
    descriptor=dict(
        type='CoopDescriptor',
        image_size=64,
        layers=((64, 5, 2), (64, 3, 2), (64, 3, 1)),
        fc_out=None,
        # weak reference, as the face config (see configs/coopnets/README):
        # with s = 0.016 the 36 samples came out as one grey speckle
        # (spread_ratio 0.03); with s = 1, delta = 0.02 pebble-like and
        # varied (spread_ratio 0.52 at iteration 500)
        ref_sigma=1.0),
    generator=dict(
        type='CoopGenerator',
        noise_size=100,
        channels=(256, 128, 64, 32),
        image_size=64,
        sigma=0.3),
    sampler=dict(
        type='LangevinSampler', revision_steps=10, revision_step_size=0.02),
)

train_dataloader = dict(
    batch_size=batch_size,
    num_workers=0,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type='EmbeddedImageDataset',
        image='gravel',
        scale=(256, 256),
        num_samples=10000,
        pipeline=[
            dict(type='Crop', keys=['gt'], crop_size=(64, 64)),
            dict(type='PackInputs', keys='gt'),
        ]))

optim_wrapper = dict(
    descriptor=dict(optimizer=dict(type='Adam', lr=0.007, betas=(0.5, 0.999))),
    generator=dict(optimizer=dict(type='Adam', lr=5e-4, betas=(0.5, 0.999))))

train_cfg = dict(max_iters=500)
default_hooks = dict(logger=dict(interval=10), checkpoint=dict(interval=100))
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
