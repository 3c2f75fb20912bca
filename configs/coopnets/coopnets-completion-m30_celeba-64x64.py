# Face completion M30 (paper 5.3, Table 2): a 30x30 square hole at a
# random position in each 64x64 test face, filled by CoopNets' generator
# (latent inference on the observed pixels, eq. 9) of a face checkpoint.
#   python tools/test.py configs/coopnets/coopnets-completion-m30_celeba-64x64.py \
#     work_dirs/coopnets_1xb16-3kiters_celeba-64x64/iter_3000.pth
_base_ = [
    '../_base_/models/coopnets-completion_face-64x64.py',
    '../_base_/datasets/celeba-completion-64x64.py',
    '../_base_/completion_runtime.py',
]

test_dataloader = dict(
    dataset=dict(
        pipeline=[
            *_base_.load_pipeline, _base_.box_masks.m30,
            *_base_.pack_pipeline
        ]))
