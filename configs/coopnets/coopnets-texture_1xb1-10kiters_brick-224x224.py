# Texture synthesis (paper 5.1) on one 224x224 texture, scikit-image's brick
# (it ships in the wheel): n~ = 6 parallel chains, l_p = 20, delta = 0.003,
# s = 0.012, 10^4 iterations. Another image: a BasicImageDataset of it.
#   python tools/train.py configs/coopnets/coopnets-texture_1xb1-10kiters_brick-224x224.py
_base_ = [
    '../_base_/models/coopnets_texture-224x224.py',
    '../_base_/coopnets_runtime.py',
]

model = dict(num_synthesized=6)
optim_wrapper = dict(
    descriptor=dict(optimizer=dict(type='Adam', lr=0.01, betas=(0.5, 0.999))),
    generator=dict(optimizer=dict(type='Adam', lr=1e-4, betas=(0.5, 0.999))))

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

train_cfg = dict(max_iters=10000)
test_cfg = test_evaluator = None  # no test set: samples show the result
default_hooks = dict(checkpoint=dict(interval=500))
custom_hooks = [dict(_base_.coopnets_vis_hook, n_samples=6)]
