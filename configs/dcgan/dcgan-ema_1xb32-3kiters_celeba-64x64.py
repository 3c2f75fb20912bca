# dcgan_1xb32-3kiters_celeba-64x64.py with a moving average of its
# generator of the CoopNets face generator's momentum (0.01), sampled from
# the average as CoopNets is: the baseline that averages alike.
#   python tools/train.py configs/dcgan/dcgan-ema_1xb32-3kiters_celeba-64x64.py
_base_ = [
    './dcgan_1xb32-3kiters_celeba-64x64.py',
    '../_base_/models/face_networks-64x64.py',
]

model = dict(ema_config=_base_.face_generator_ema)
test_evaluator = dict(
    metrics=[dict(_base_.face_fid_metric, sample_model='ema')])
