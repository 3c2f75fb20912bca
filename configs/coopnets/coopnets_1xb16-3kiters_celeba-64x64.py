# CoopNets on 64x64 CelebA faces (paper 5.3), set up to learn faces in half
# an hour on 2 CPU cores (how and why it departs from the paper: README.md).
# tools/test.py: FID, KID, precision/recall of 600 samples of the moving
# averages against the 600 held-out faces.
#   python tools/train.py configs/coopnets/coopnets_1xb16-3kiters_celeba-64x64.py
_base_ = [
    '../_base_/models/coopnets_face-64x64.py',
    '../_base_/datasets/celeba-64x64.py',
    '../_base_/coopnets_runtime.py',
]

# the generator's passes (Steps G0, G2) in the Langevin steps' precision
optim_wrapper = dict(
    _base_.face_optimizers,
    generator=dict(_base_.face_optimizers.generator,
                   type='AutocastOptimWrapper',
                   autocast=_base_.face_sampler.autocast))
train_dataloader = dict(batch_size=16)
test_evaluator = dict(
    metrics=[dict(_base_.face_fid_metric, sample_model='ema')])

train_cfg = dict(max_iters=3000)
# TimeBudgetHook (default_hooks.time_budget) writes one at its end too
default_hooks = dict(checkpoint=dict(interval=500))
