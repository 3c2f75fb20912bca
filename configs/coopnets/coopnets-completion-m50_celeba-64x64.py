# Face completion M50 (paper 5.3, Table 2): as the M30 config with a
# 50x50 square hole.
#   python tools/test.py configs/coopnets/coopnets-completion-m50_celeba-64x64.py \
#     work_dirs/coopnets_1xb16-3kiters_celeba-64x64/iter_3000.pth
_base_ = ['./coopnets-completion-m30_celeba-64x64.py']

test_dataloader = dict(
    dataset=dict(pipeline=[
        *_base_.load_pipeline, _base_.box_masks.m50, *_base_.pack_pipeline
    ]))
