# Runtime for completion: mmagic's inpainting visualisation (a row of
# original, occluded and completed image per test face, written to the work
# dir by BasicVisualizationHook).
_base_ = ['./default_runtime.py']

visualizer = dict(
    _delete_=True,
    type='ConcatImageVisualizer',
    vis_backends=[dict(type='LocalVisBackend')],
    fn_key='gt_path',
    img_keys=['gt_img', 'input', 'pred_img'],
    bgr2rgb=True)
custom_hooks = [dict(type='BasicVisualizationHook', interval=1)]
# nothing is trained: no training loop or optimisers (mmagic's runtime has
# them), mmengine's plain wrapper, not the GANs' per-network one
train_cfg = None
optim_wrapper = None
model_wrapper_cfg = None

# The paper's two numbers (Table 2): mean absolute error over the occluded
# pixels relative to the range (mmagic's MAE with the mask; mmagic scales
# 0-255 values by 1/255) and PSNR over the occluded pixels; then mmagic's
# whole-image PSNR and SSIM.
test_evaluator = dict(metrics=[
    dict(type='MAE', mask_key='mask', prefix='hole'),
    dict(type='MaskedPSNR', mask_key='mask', prefix='hole'),
    dict(type='PSNR', prefix='image'),
    dict(type='SSIM', prefix='image'),
])
