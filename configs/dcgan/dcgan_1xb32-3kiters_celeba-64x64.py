# mmagic's own DCGAN (its CelebA 64x64 config, inherited) on the faces and
# face crop of the CoopNets face config, at its batch (32), with generator
# widths 512/256/128/64 (CoopNets' generator's) instead of 1024/.../128.
# tools/test.py: FID, KID, precision/recall as for CoopNets.
#   python tools/train.py configs/dcgan/dcgan_1xb32-3kiters_celeba-64x64.py
_base_ = [
    'mmagic::dcgan/dcgan_1xb128-300kiters_celeba-cropped-64.py',
    '../_base_/datasets/celeba-faces.py',
    '../_base_/face_fid_metric.py',
]
custom_imports = dict(imports=['mmcoop'], allow_failed_imports=False)

model = dict(
    generator=dict(base_channels=512),
    discriminator=dict(base_channels=64))

train_dataloader = dict(_base_.face_train_dataloader, batch_size=32)
test_dataloader = _base_.face_test_dataloader
test_evaluator = dict(
    _delete_=True, type='Evaluator', metrics=[_base_.face_fid_metric])
# no periodic validation: tools/test.py evaluates
val_dataloader = None
val_cfg = None
val_evaluator = None

train_cfg = dict(max_iters=3000, val_interval=None)
default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(interval=500, save_best=None, max_keep_ckpts=10))
custom_hooks = [
    dict(
        type='VisualizationHook',
        interval=100,
        fixed_input=True,
        n_samples=64,
        vis_kwargs_list=dict(type='GAN', name='fake_img'))
]
