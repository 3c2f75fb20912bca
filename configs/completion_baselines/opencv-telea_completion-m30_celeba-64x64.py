# Classical inpainting baseline for Table 2: OpenCV's Telea (fast marching)
# method on the M30 masks of the CoopNets completion config.
# It has no weights, so no checkpoint:
#   python tools/test.py \
#     configs/completion_baselines/opencv-telea_completion-m30_celeba-64x64.py
_base_ = ['../coopnets/coopnets-completion-m30_celeba-64x64.py']

model = dict(_delete_=True, type='OpenCVInpaintor', method='telea', radius=3)
