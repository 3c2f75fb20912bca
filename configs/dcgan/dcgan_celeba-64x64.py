# mmagic's own DCGAN (its CelebA 64x64 config, inherited, not copied) on the
# same faces and face crop as coopnets_celeba-64x64.py: the paper's DCGAN
# baseline (Table 2 trains it for 600 iterations on the same faces). Its
# generator completes faces with the same latent inference as CoopNets
# (configs/completion_baselines/dcgan_completion-m30_celeba-64x64.py).
#   python tools/train.py configs/dcgan/dcgan_celeba-64x64.py
_base_ = [
    'mmagic::dcgan/dcgan_1xb128-300kiters_celeba-cropped-64.py',
    '../_base_/face_fid_metric.py'
]

custom_imports = dict(imports=['mmcoop'], allow_failed_imports=False)

# base_channels 512 instead of mmagic's 1024: the generator then has the
# widths of CoopNets' face generator (512/256/128/64), a like-for-like
# comparison at a quarter of the compute
model = dict(
    generator=dict(base_channels=512),
    discriminator=dict(base_channels=64))

data_root = '../shared/data/celeba'
# batch 32 (mmagic's is 128), the batch of the CoopNets face config, so the
# two are compared at the same batch and wall-clock budget; at 30 minutes
# on 2 CPU cores it is also DCGAN's better batch: FID 86.7 (3073
# iterations of 0.59 s) against 205.9 with batch 128 (770 of 2.33 s)
batch_size = 32
face_pipeline = [
    dict(type='LoadImageFromFile', key='gt'),
    dict(type='Crop', keys=['gt'], crop_size=(108, 108), random_crop=False),
    dict(type='Resize', keys='gt', scale=(64, 64), keep_ratio=False),
    dict(type='PackInputs', keys='gt'),
]
face_dataset = dict(
    type='CheckedImageDataset',
    min_size=(108, 108),
    data_root=data_root,
    pipeline=face_pipeline)
# decoded faces kept in memory, no loader workers: as the CoopNets configs
# (_base_/datasets/celeba-64x64.py)
train_dataloader = dict(
    batch_size=batch_size,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        face_dataset, data_prefix=dict(gt='train'), cache_transforms=3))

# no periodic validation; tools/test.py reports FID of 600 samples against
# the 600 held-out faces, as for CoopNets
val_dataloader = None
val_cfg = None
val_evaluator = None
test_dataloader = dict(
    batch_size=100,
    num_workers=2,
    dataset=dict(face_dataset, data_prefix=dict(gt='val')))
test_evaluator = dict(
    _delete_=True, type='Evaluator', metrics=[{{_base_.face_fid_metric}}])

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
