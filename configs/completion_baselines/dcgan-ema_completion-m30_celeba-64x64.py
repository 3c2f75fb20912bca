# The generator average of configs/dcgan/dcgan-ema_celeba-64x64.py completes
# faces as dcgan_completion-m30_celeba-64x64.py does (same inference,
# restarts, blending, masks and metrics), as CoopNets completes from its
# averages.
#   python tools/test.py \
#     configs/completion_baselines/dcgan-ema_completion-m30_celeba-64x64.py \
#     work_dirs/dcgan-ema_celeba-64x64/iter_3000.pth
_base_ = ['./dcgan_completion-m30_celeba-64x64.py']

model = dict(use_ema=True)
