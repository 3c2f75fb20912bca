# CoopNets for 64x64 faces (paper 5.3), set up to learn faces within tens
# of minutes on a CPU: the official code's 64x64 descriptor (scene-64: 64
# 5x5/2, 128 3x3/2, 256 3x3/1, FC 100) and generator (DCGAN layout, 5x5
# kernels, leaky ReLU), sigma = 0.3, l_p = 10 Langevin revision steps, with
# a weak reference distribution: s = 1 and step size delta = 0.02 instead of
# the official s = 0.016, delta = 0.002 (paper settings:
# configs/coopnets/coopnets-paper_celeba-64x64.py).
#
# Why: with s = 0.016 every revision step pulls each image towards 0 by
# delta^2 / (2 s^2) = 0.8% of itself, which the descriptor can only cancel
# once f has grown to ~1e7 and learned Y / s^2 around each sample; until
# then the revision contracts all samples towards one template, and the
# generator, taught by these revisions, collapsed to one banded template
# (spread_ratio 0.05-0.2 over 600 iterations). With s = 1 the pull is 0.02%
# per step, the revision is driven by f alone, and the samples stay varied
# (spread_ratio 0.8-0.9 from iteration 110 on; face-like images by
# iteration 120 at 64x64 and 300 at 32x32). Same equations (4), (5), (9),
# (10); only the two constants differ.
model = dict(
    type='CoopNets',
    data_preprocessor=dict(type='DataPreprocessor'),
    descriptor=dict(type='CoopDescriptor', preset='scene-64', ref_sigma=1.0),
    generator=dict(type='CoopGenerator', preset='coopnets-64', sigma=0.3),
    sampler=dict(
        type='LangevinSampler',
        revision_steps=10,
        revision_step_size=0.02,
        inference_steps=0),
    generator_steps=1,
)
