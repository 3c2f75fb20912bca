# The paper's DCGAN column of Table 2: the generator of mmagic's DCGAN
# (configs/dcgan/dcgan_celeba-64x64.py) completes faces by exactly the
# procedure CoopNets' generator uses (latent inference on the observed
# pixels, same sampler settings, masks and metrics). sigma of eq. (6) is
# not part of DCGAN; 0.3 as for CoopNets.
#   python tools/test.py \
#     configs/completion_baselines/dcgan_completion-m30_celeba-64x64.py \
#     work_dirs/dcgan_celeba-64x64/iter_3000.pth
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
