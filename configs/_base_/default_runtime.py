# Runtime shared by all mmcoop configs (training and evaluation).
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
    # Langevin noise and latents of iteration k depend only on (seed, k), so
    # --resume continues exactly as an uninterrupted run would
    iteration_seed=dict(type='IterationSeedHook'),
    # stops a diverging run (non-finite or runaway losses, energies, drift
    # or parameters) before the bad state is checkpointed; action='rollback'
    # reloads the last good checkpoint with lower learning rates instead
    divergence_guard=dict(type='DivergenceGuardHook', action='stop'),
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

# sample grids and scalar curves go to the work dir (vis_data/); add
# dict(type='TensorboardVisBackend') to vis_backends for TensorBoard
vis_backends = [dict(type='VisBackend')]
visualizer = dict(type='Visualizer', vis_backends=vis_backends)
