# dcgan_1xb32-3kiters_celeba-64x64.py with a moving average of its
# generator of the CoopNets face generator's momentum (0.01), sampled from
# the average as CoopNets is, and trained in CoopNets' precision (bf16 where
# the device has bf16 units): the baseline that averages and computes alike.
#   python tools/train.py configs/dcgan/dcgan-ema_1xb32-3kiters_celeba-64x64.py
_base_ = [
    './dcgan_1xb32-3kiters_celeba-64x64.py',
    '../_base_/models/face_networks-64x64.py',
]

model = dict(ema_config=_base_.face_generator_ema)
# both updates' passes inside autocast ('auto', as the CoopNets face
# sampler's); the optimisers stay mmagic's
optim_wrapper = dict(
    generator=dict(type='AutocastOptimWrapper',
                   autocast=_base_.face_sampler.autocast),
    discriminator=dict(type='AutocastOptimWrapper',
                       autocast=_base_.face_sampler.autocast))
test_evaluator = dict(
    metrics=[dict(_base_.face_fid_metric, sample_model='ema')])
