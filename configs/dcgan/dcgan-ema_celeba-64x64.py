# dcgan_celeba-64x64.py with a moving average of its generator (momentum
# 0.01, the CoopNets face generator's), sampled from the average as
# CoopNets is: the baseline that averages alike.
#   python tools/train.py configs/dcgan/dcgan-ema_celeba-64x64.py
_base_ = ['./dcgan_celeba-64x64.py']

model = dict(ema_config=dict(momentum=0.01))
test_evaluator = dict(
    metrics=[dict(_base_.face_fid_metric, sample_model='ema')])
