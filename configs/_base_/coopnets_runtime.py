# Runtime of the CoopNets training configs: mmagic's GAN runtime conventions.
_base_ = ['./default_runtime.py']

# each network in its own DDP wrapper, as mmagic's GANs: the descriptor's
# Langevin input gradients then never trigger a gradient all-reduce
model_wrapper_cfg = dict(
    type='MMSeparateDistributedDataParallel',
    broadcast_buffers=False,
    find_unused_parameters=False)

# sample grids: generator samples revised by the descriptor (fake_img) and
# the generator's direct samples (gen_img), from fixed latents. Every 500
# iterations: a grid revises its 64 samples with the test-time Langevin
# steps, and on 2 CPU cores grid + checkpoint every 100 iterations cost ~20
# s per 100, 13% of a wall-clock budget (face config, 30 test steps).
custom_hooks = [
    dict(
        type='VisualizationHook',
        interval=500,
        fixed_input=True,
        n_samples=64,
        vis_kwargs_list=[
            dict(type='GAN', name='revised', target_keys='fake_img'),
            dict(type='GAN', name='generator', target_keys='gen_img'),
        ])
]

# configs that evaluate set val_/test_ dataloader, cfg (MultiValLoop /
# MultiTestLoop) and evaluator together
train_cfg = dict(by_epoch=False, max_iters=1000)

optim_wrapper = dict(
    constructor='MultiOptimWrapperConstructor',
    descriptor=dict(optimizer=dict(type='Adam', lr=0.007, betas=(0.5, 0.999))),
    generator=dict(optimizer=dict(type='Adam', lr=1e-4, betas=(0.5, 0.999))),
)
