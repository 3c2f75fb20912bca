# CelebA aligned faces (178x218) as 64x64 images: centre crop 108x108 (the
# DCGAN-style face crop), resize to 64x64. `data_root` holds train/ and val/
# image folders; the default is the 5,400-face subset in
# ../shared/data/celeba. For another copy (e.g. a full CelebA split into
# train/ and val/):
#   --cfg-options train_dataloader.dataset.data_root=/data/celeba \
#                 test_dataloader.dataset.data_root=/data/celeba
# mmagic's BasicImageDataset with clear errors for missing folders,
# unreadable files (skipped, counted) and images smaller than the crop
_base_ = ['../face_fid_metric.py']

dataset_type = 'CheckedImageDataset'
data_root = '../shared/data/celeba'

train_pipeline = [
    dict(type='LoadImageFromFile', key='gt'),
    dict(type='Crop', keys=['gt'], crop_size=(108, 108), random_crop=False),
    dict(type='Resize', keys='gt', scale=(64, 64), keep_ratio=False),
    dict(type='PackInputs', keys='gt'),
]

# Training decodes, crops and resizes each face once and keeps it in memory
# (cache_transforms=3: the first three transforms), in the main process
# (num_workers=0): on 2 CPU cores data loader workers decoding JPEGs every
# epoch compete with the training step for the cores.
train_dataloader = dict(
    batch_size=100,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=dict(gt='train'),
        min_size=(108, 108),
        cache_transforms=3,
        pipeline=train_pipeline))

# tools/test.py: FID against the held-out faces (val/), see
# ../face_fid_metric.py
test_dataloader = dict(
    batch_size=100,
    num_workers=2,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=dict(gt='val'),
        min_size=(108, 108),
        pipeline=train_pipeline))
test_cfg = dict(type='MultiTestLoop')
test_evaluator = dict(
    type='Evaluator', metrics=[{{_base_.face_fid_metric}}])
