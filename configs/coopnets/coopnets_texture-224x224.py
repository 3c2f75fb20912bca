# Texture synthesis (paper 5.1): one texture image resized to 224x224, the
# texture descriptor (100 15x15/3, 70 9x9, 30 7x7; f = sum of the last map),
# a generator from a 7x7x1 latent map, n~ = 6 parallel chains, l_p = 20,
# delta = 0.003, s = 0.012, 10^4 iterations. The image here is scikit-image's
# brick texture (ships in its wheel); for your own image use
#   train_dataloader.dataset=dict(type='BasicImageDataset', data_root=DIR,
#   data_prefix=dict(gt=''), pipeline=[LoadImageFromFile(key='gt'),
#   Resize(keys='gt', scale=(224, 224), keep_ratio=False),
#   PackInputs(keys='gt')])
_base_ = [
    '../_base_/models/coopnets_texture-224x224.py',
    '../_base_/coopnets_runtime.py',
]

model = dict(num_synthesized=6)

train_dataloader = dict(
    batch_size=1,
    num_workers=0,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type='EmbeddedImageDataset',
        image='brick',
        scale=(224, 224),
        num_samples=1,
        pipeline=[dict(type='PackInputs', keys='gt')]))

optim_wrapper = dict(
    descriptor=dict(optimizer=dict(type='Adam', lr=0.01, betas=(0.5, 0.999))),
    generator=dict(optimizer=dict(type='Adam', lr=1e-4, betas=(0.5, 0.999))))

train_cfg = dict(max_iters=10000)
default_hooks = dict(checkpoint=dict(interval=500))
custom_hooks = [
    dict(
        type='VisualizationHook',
        interval=500,
        fixed_input=True,
        n_samples=6,
        vis_kwargs_list=[
            dict(type='GAN', name='revised', target_keys='fake_img'),
            dict(type='GAN', name='generator', target_keys='gen_img'),
        ])
]
