# CoopNets on 64x64 faces with the paper's and the official code's
# constants: the paper's face descriptor (96/128/256 5x5 stride-2
# convolutions, FC 50), reference s = 0.016, Langevin step delta = 0.002,
# batch 100, no moving averages; everything else as
# coopnets_celeba-64x64.py. These learn slowly: on 2 CPU cores, 600
# iterations (about an hour) gave one banded template repeated across
# samples (configs/coopnets/README.md). The paper
# trains 600 "iterations" of 10,000 faces, which the public code counts in
# epochs (~60,000 updates at batch 100): a GPU run.
#   python tools/train.py configs/coopnets/coopnets_paper-settings_celeba-64x64.py
_base_ = ['./coopnets_celeba-64x64.py']

model = dict(
    descriptor=dict(preset='face-64', ref_sigma=0.016),
    sampler=dict(revision_step_size=0.002),
    # samples revised by l_p steps, as the paper's, by the trained networks
    # (no moving averages)
    test_langevin_steps=None,
    ema_config=None,
    descriptor_ema_config=None)
test_evaluator = dict(metrics=[_base_.face_fid_metric])

train_dataloader = dict(batch_size=100)
