# CelebA aligned faces (178x218) as 64x64 images: centre crop 108x108 (the
# DCGAN-style face crop), resize to 64x64. `data_root` must be set: a
# folder of images, e.g. ../shared/data/celeba/train or img_align_celeba.
# mmagic's BasicImageDataset with clear errors for missing folders,
# unreadable files (skipped, counted) and images smaller than the crop
dataset_type = 'CheckedImageDataset'
data_root = None

train_pipeline = [
    dict(type='LoadImageFromFile', key='gt'),
    dict(type='Crop', keys=['gt'], crop_size=(108, 108), random_crop=False),
    dict(type='Resize', keys='gt', scale=(64, 64), keep_ratio=False),
    dict(type='PackInputs', keys='gt'),
]

train_dataloader = dict(
    batch_size=100,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=dict(gt=''),
        min_size=(108, 108),
        pipeline=train_pipeline))

# FID compares samples with held-out faces (`val_data_root`)
test_dataloader = dict(
    batch_size=100,
    num_workers=2,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=None,
        data_prefix=dict(gt=''),
        min_size=(108, 108),
        pipeline=train_pipeline))
