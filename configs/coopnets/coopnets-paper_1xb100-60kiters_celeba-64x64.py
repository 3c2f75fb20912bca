# CoopNets on 64x64 faces with exactly the paper's and the official (AAAI)
# code's constants: the paper's face descriptor, s = 0.016, l_p = 10 steps
# of delta = 0.002, Adam lr 0.01 / 1e-4, batch 100, 600 epochs of 10,000
# faces (60k iterations), samples from the trained networks. A GPU run.
#   python tools/train.py configs/coopnets/coopnets-paper_1xb100-60kiters_celeba-64x64.py
_base_ = [
    '../_base_/datasets/celeba-64x64.py',
    '../_base_/coopnets_runtime.py',
]

model = dict(
    type='CoopNets',
    data_preprocessor=dict(type='DataPreprocessor'),
    descriptor=dict(type='CoopDescriptor', preset='face-64', ref_sigma=0.016),
    generator=dict(type='CoopGenerator', preset='coopnets-64', sigma=0.3),
    sampler=dict(
        type='LangevinSampler',
        revision_steps=10,
        revision_step_size=0.002,
        inference_steps=0),
    generator_steps=1)
optim_wrapper = dict(
    descriptor=dict(optimizer=dict(type='Adam', lr=0.01, betas=(0.5, 0.999))),
    generator=dict(optimizer=dict(type='Adam', lr=1e-4, betas=(0.5, 0.999))))

train_dataloader = dict(batch_size=100)
test_evaluator = dict(metrics=[_base_.face_fid_metric])
train_cfg = dict(max_iters=60000)
default_hooks = dict(checkpoint=dict(interval=1000))
