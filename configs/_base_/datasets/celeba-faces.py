# 64x64 CelebA faces, defined once for every face config (CoopNets, its
# baselines, mmagic's DCGAN, completion): centre crop 108x108, resize to
# 64x64. `face_data_root` holds train/ and val/ image folders; link a copy
# there (mmagic's ./data habit): ln -s /path/to/celeba data/celeba
face_data_root = 'data/celeba'
face_load_pipeline = [
    dict(type='LoadImageFromFile', key='gt'),
    dict(type='Crop', keys=['gt'], crop_size=(108, 108), random_crop=False),
    dict(type='Resize', keys='gt', scale=(64, 64), keep_ratio=False),
]
face_pipeline = [*face_load_pipeline, dict(type='PackInputs', keys='gt')]
# CheckedImageDataset: mmagic's BasicImageDataset with clear errors for
# missing folders, unreadable files (skipped, counted) and small images
face_dataset = dict(
    type='CheckedImageDataset',
    data_root=face_data_root,
    min_size=(108, 108),
    pipeline=face_pipeline)
# training keeps each decoded, cropped and resized face in memory
# (cache_transforms=3: the three load transforms) and loads batches in the
# training process: on few CPU cores, loader workers decoding JPEGs every
# epoch compete with the training step
face_train_dataloader = dict(
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(face_dataset, data_prefix=dict(gt='train'),
                 cache_transforms=3))
# test_mode: an unreadable held-out image is an error, never replaced
face_test_dataloader = dict(
    batch_size=100,
    num_workers=2,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(face_dataset, data_prefix=dict(gt='val'), test_mode=True))
