# Runtime of the CoopNets training configs. Each network sits in its own
# DDP wrapper (mmagic's MMSeparateDistributedDataParallel, inherited), so
# the descriptor's Langevin input gradients never trigger an all-reduce.
_base_ = ['./default_runtime.py']

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

train_cfg = dict(max_iters=1000)
