# Runtime shared by the CoopNets configs: mmagic's GAN runtime conventions.
default_scope = 'mmagic'
custom_imports = dict(imports=['mmcoop'], allow_failed_imports=False)

randomness = dict(seed=2018, diff_rank_seed=True)

default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=10, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    # checkpoints: written every `interval` iterations; the last ones kept
    checkpoint=dict(
        type='CheckpointHook',
        interval=200,
        by_epoch=False,
        max_keep_ckpts=10,
        less_keys=['FID-Full-50k/fid', 'FID/fid'],
        save_optimizer=True),
    sampler_seed=dict(type='DistSamplerSeedHook'),
)

env_cfg = dict(
    cudnn_benchmark=True,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'),
)

log_level = 'INFO'
log_processor = dict(type='LogProcessor', by_epoch=False)
load_from = None
resume = False

# each network in its own DDP wrapper, as mmagic's GANs: the descriptor's
# Langevin input gradients then never trigger a gradient all-reduce
model_wrapper_cfg = dict(
    type='MMSeparateDistributedDataParallel',
    broadcast_buffers=False,
    find_unused_parameters=False)

# sample grids and scalar curves go to the work dir (vis_data/); add
# dict(type='TensorboardVisBackend') to vis_backends for TensorBoard
vis_backends = [dict(type='VisBackend')]
visualizer = dict(type='Visualizer', vis_backends=vis_backends)

# sample grids: generator samples revised by the descriptor (fake_img) and
# the generator's direct samples (gen_img), from fixed latents
custom_hooks = [
    dict(
        type='VisualizationHook',
        interval=200,
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
