# The face data of the CoopNets face configs: 64x64 faces (celeba-faces.py)
# for training, the held-out faces (val/) for tools/test.py, and the metric
# (face_fid_metric) the leaf configs put in their test_evaluator.
_base_ = ['./celeba-faces.py', '../face_fid_metric.py']

train_dataloader = dict(_base_.face_train_dataloader, batch_size=100)
test_dataloader = _base_.face_test_dataloader
