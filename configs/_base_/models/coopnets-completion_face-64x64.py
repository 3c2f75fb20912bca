# Completion with the CoopNets face model (paper 5.3): the face generator
# and descriptor (face_networks-64x64.py), loaded from a CoopNets checkpoint.
# The latent of each occluded face is inferred by 1000 Langevin steps of
# eq. (9) from X ~ N(0, I) on the observed pixels (the paper's procedure);
# `restarts` (chains per face, the best fit on the observed pixels kept),
# `blend='poisson'` (g(X) blended into the hole instead of pasted, as Yeh et
# al. 2017 do for DCGAN inpainting) and `sampler.revision_steps` (descriptor
# Langevin with the observed pixels fixed) are options, off here as in the
# paper.
# The face config keeps moving averages of both networks and samples from
# them; completion uses them too (use_ema; use_ema=False for the trained
# networks or for checkpoints trained without ema_config).
_base_ = ['./face_networks-64x64.py']

model = dict(
    type='LatentInpaintor',
    data_preprocessor=dict(type='DataPreprocessor'),
    generator=_base_.face_generator,
    descriptor=_base_.face_descriptor,
    sampler=dict(
        type='LangevinSampler',
        inference_steps=1000,
        inference_step_size=0.1,
        inference_noise=True,
        revision_steps=0,
        revision_step_size=_base_.face_sampling_step_size,
        clamp=(-1, 1)),
    restarts=1,
    blend='paste',
    use_ema=True)
