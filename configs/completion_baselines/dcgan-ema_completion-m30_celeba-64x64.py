# dcgan_completion-m30_celeba-64x64.py from the generator average of
# dcgan-ema_1xb32-3kiters_celeba-64x64.py, as CoopNets completes from its
# averages.
#   python tools/test.py configs/completion_baselines/dcgan-ema_completion-m30_celeba-64x64.py \
#     work_dirs/dcgan-ema_1xb32-3kiters_celeba-64x64/iter_3000.pth
_base_ = ['./dcgan_completion-m30_celeba-64x64.py']

model = dict(use_ema=True)
