# Classical inpainting baseline for Table 2: OpenCV's Navier-Stokes
# method on the M30 masks of the CoopNets completion config.
#   python tools/test.py \
#     configs/completion_baselines/opencv-ns_completion-m30_celeba-64x64.py
_base_ = ['../coopnets/coopnets-completion-m30_celeba-64x64.py']

model = dict(_delete_=True, type='OpenCVInpaintor', method='ns', radius=3)
