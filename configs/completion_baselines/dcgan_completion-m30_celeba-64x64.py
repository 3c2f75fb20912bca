# The paper's DCGAN column of Table 2: mmagic's DCGAN generator completes
# faces by CoopNets' procedure (latent inference on the observed pixels,
# same sampler, sigma 0.3, masks and metrics), from its trained weights.
#   python tools/test.py configs/completion_baselines/dcgan_completion-m30_celeba-64x64.py \
#     work_dirs/dcgan_1xb32-3kiters_celeba-64x64/iter_3000.pth
_base_ = ['../coopnets/coopnets-completion-m30_celeba-64x64.py']

model = dict(
    generator=dict(
        _delete_=True,
        type='DCGANGenerator',
        output_scale=64,
        base_channels=512),
    descriptor=None,
    sigma=0.3,
    # mmagic's DCGAN config keeps no moving average: its trained generator
    use_ema=False)
