# CoopNets on 64x64 CelebA faces (paper 5.3): face descriptor (96/128/256
# 5x5 stride-2 convolutions, FC 50), the official code's DCGAN-layout
# generator, l_p=10, delta=0.002, s=0.016, sigma=0.3, batch 100, Adam
# (beta1 0.5) lr 0.001 (descriptor) / 1e-4 (generator) as the official code's
# defaults. (With lr 0.007 the Langevin drift ran at 5-15% of |Y| per step
# and the samples degenerated; at 0.001 it settles near 1%.) Point
# `data_root` at a folder with train/ and val/ image folders (default: the
# 5,400-face subset in ../shared/data/celeba):
#   python tools/train.py configs/coopnets/coopnets_celeba-64x64.py \
#     --cfg-options train_dataloader.dataset.data_root=/data/celeba \
#                   test_dataloader.dataset.data_root=/data/celeba
_base_ = [
    '../_base_/models/coopnets_face-64x64.py',
    '../_base_/datasets/celeba-64x64.py',
    '../_base_/coopnets_runtime.py',
]

# batch 100; FID of 600 revised samples against the 600 held-out faces
# (tools/test.py, set up in the dataset base)
train_dataloader = dict(batch_size=100)

optim_wrapper = dict(
    descriptor=dict(optimizer=dict(type='Adam', lr=0.001, betas=(0.5, 0.999))))

train_cfg = dict(max_iters=2000)
default_hooks = dict(checkpoint=dict(interval=100))
