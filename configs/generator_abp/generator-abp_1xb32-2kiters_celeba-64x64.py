# Algorithm G (the paper's second baseline, alternating back-propagation):
# the CoopNets face generator learned alone. Each face keeps its latent
# across epochs and resume, refined each visit by l_q = 10 Langevin steps
# of eq. (9) (delta 0.1), then eq. (10). Samples from a generator average.
#   python tools/train.py configs/generator_abp/generator-abp_1xb32-2kiters_celeba-64x64.py
_base_ = [
    '../_base_/models/face_networks-64x64.py',
    '../_base_/datasets/celeba-64x64.py',
    '../_base_/coopnets_runtime.py',
]

model = dict(
    type='GeneratorABP',
    data_preprocessor=dict(type='DataPreprocessor'),
    generator=_base_.face_generator,
    ema_config=_base_.face_generator_ema,
    sampler=dict(
        type='LangevinSampler', inference_steps=10, inference_step_size=0.1))
optim_wrapper = dict(generator=_base_.face_optimizers.generator)
test_evaluator = dict(
    metrics=[dict(_base_.face_fid_metric, sample_model='ema')])

train_dataloader = dict(batch_size=32)
train_cfg = dict(max_iters=2000)
default_hooks = dict(checkpoint=dict(interval=500))
custom_hooks = [
    dict(
        _base_.coopnets_vis_hook,
        interval=200,
        vis_kwargs_list=dict(
            type='GAN', name='generator', target_keys='fake_img'))
]
