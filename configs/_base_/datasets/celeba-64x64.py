# The face data of the CoopNets face configs: 64x64 faces (celeba-faces.py)
# for training, and FID / KID / precision-recall of samples against the
# held-out faces (val/) for tools/test.py.
_base_ = ['./celeba-faces.py', '../face_fid_metric.py']

train_dataloader = dict(_base_.face_train_dataloader, batch_size=100)
test_dataloader = _base_.face_test_dataloader
test_cfg = dict(type='MultiTestLoop')
test_evaluator = dict(type='Evaluator', metrics=[_base_.face_fid_metric])
