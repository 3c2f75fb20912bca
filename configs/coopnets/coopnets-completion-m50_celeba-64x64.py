# Face completion M50 (paper 5.3, Table 2): a 50x50 square hole at a
# random position in each 64x64 test face, filled by CoopNets' generator
# (latent inference on the observed pixels, eq. 9). Evaluate a checkpoint of
# coopnets_celeba-64x64.py:
#   python tools/test.py configs/coopnets/coopnets-completion-m50_celeba-64x64.py \
#     work_dirs/coopnets_celeba-64x64/iter_600.pth
_base_ = [
    '../_base_/models/coopnets-completion_face-64x64.py',
    '../_base_/datasets/celeba-completion-64x64.py',
    '../_base_/completion_runtime.py',
]

mask = dict(
    type='SeededTransform',
    seed=_base_.mask_seed,
    transform=dict(
        type='LoadMask',
        mask_mode='bbox',
        mask_config=dict(
            img_shape=(64, 64),
            max_bbox_shape=50,
            max_bbox_delta=0,
            min_margin=0)))
test_dataloader = dict(
    dataset=dict(
        data_root='../shared/data/celeba',
        data_prefix=dict(gt='val'),
        pipeline=[*_base_.load_pipeline, mask, *_base_.pack_pipeline]))
