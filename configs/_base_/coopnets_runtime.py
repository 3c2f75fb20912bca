# Runtime of the CoopNets training configs: mmagic's GAN runtime conventions.
_base_ = ['./default_runtime.py']

# each network in its own DDP wrapper, as mmagic's GANs: the descriptor's
# Langevin input gradients then never trigger a gradient all-reduce
model_wrapper_cfg = dict(
    type='MMSeparateDistributedDataParallel',
    broadcast_buffers=False,
    find_unused_parameters=False)

# sample grids every 500 iterations: generator samples revised by the
# descriptor (fake_img) and the generator's direct samples (gen_img), from
# fixed latents
coopnets_vis_hook = dict(
    type='VisualizationHook',
    interval=500,
    fixed_input=True,
    n_samples=64,
    vis_kwargs_list=[
        dict(type='GAN', name='revised', target_keys='fake_img'),
        dict(type='GAN', name='generator', target_keys='gen_img'),
    ])
custom_hooks = [coopnets_vis_hook]

# configs that evaluate set val_/test_ dataloader, cfg (MultiValLoop /
# MultiTestLoop) and evaluator together
train_cfg = dict(by_epoch=False, max_iters=1000)
