# Occluded 64x64 CelebA faces for completion (paper 5.3), through mmagic's
# inpainting data path: the face crop of celeba-64x64.py, a mask from
# mmagic's LoadMask (any mask mode: bbox, irregular, ff, set, file), then
# GetMaskedImage. Masks are drawn per image from `mask_seed` and the file
# name (SeededTransform), so every method and run sees the same masks.
# Configs put a mask between `load_pipeline` and `pack_pipeline`, e.g. the
# paper's M40 square:
#   pipeline=[*_base_.load_pipeline, _base_.box_masks.m40,
#             *_base_.pack_pipeline]
_base_ = ['./celeba-faces.py']

mask_seed = 2018
load_pipeline = _base_.face_load_pipeline
# the paper's M30, M40, M50: an s x s square at a random position
box_masks = {
    f'm{side}': dict(
        type='SeededTransform',
        seed=mask_seed,
        transform=dict(
            type='LoadMask',
            mask_mode='bbox',
            mask_config=dict(
                img_shape=(64, 64),
                max_bbox_shape=side,
                max_bbox_delta=0,
                min_margin=0)))
    for side in (30, 40, 50)
}
pack_pipeline = [
    dict(type='MaskFitsImage'),  # a clear error for a mask of another size
    dict(type='GetMaskedImage'),
    dict(type='PackInputs'),
]

test_dataloader = dict(
    batch_size=100,
    num_workers=2,
    persistent_workers=False,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        _base_.face_dataset,
        data_prefix=dict(gt='val'),
        test_mode=True,
        pipeline=None))
