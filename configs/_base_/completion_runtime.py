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
