# Runtime shared by all mmcoop configs: mmagic's generation runtime (loops,
# evaluator, model wrapper, environment, visualiser) with mmcoop's seed,
# logging, checkpoints and hooks. No periodic validation: tools/test.py
# evaluates; configs that do give a test_dataloader and their metrics.
_base_ = ['mmagic::_base_/gen_default_runtime.py']
custom_imports = dict(imports=['mmcoop'], allow_failed_imports=False)

randomness = dict(seed=2018, diff_rank_seed=True)

default_hooks = dict(
    logger=dict(interval=10),
    param_scheduler=dict(type='ParamSchedulerHook'),
    # checkpoints: written every `interval` iterations; the last ones kept
    checkpoint=dict(
        interval=200, max_keep_ckpts=10, less_keys=['FID-Full-50k/fid',
                                                    'FID/fid']),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    # Langevin noise and latents of iteration k depend only on (seed, k), so
    # --resume continues exactly as an uninterrupted run would
    iteration_seed=dict(type='IterationSeedHook'),
    # stops a diverging run (non-finite or runaway losses, energies, drift
    # or parameters) before the bad state is checkpointed; action='rollback'
    # reloads the last good checkpoint with lower learning rates instead
    divergence_guard=dict(type='DivergenceGuardHook', action='stop'),
)

resume = False
val_cfg = None
val_evaluator = None
# sample grids and scalar curves go to the work dir (vis_data/); add
# dict(type='TensorboardVisBackend') to vis_backends for TensorBoard
