# CoopNets for 64x64 faces (paper 5.3) from the face networks: samples are
# proposals of the averaged generator revised by 30 Langevin steps of the
# averaged descriptor (the last 5 without noise) at the face networks'
# sampling step size; training revises with the face networks' warm-up
# chain for its first iterations; Step D2 in bf16 where the device has bf16
# units.
_base_ = ['./face_networks-64x64.py']

model = dict(
    type='CoopNets',
    data_preprocessor=dict(type='DataPreprocessor'),
    descriptor=_base_.face_descriptor,
    generator=_base_.face_generator,
    sampler=_base_.face_sampler,
    generator_steps=1,
    descriptor_autocast='auto',
    test_revision_steps=30,
    test_noise_free_revision_steps=5,
    test_revision_step_size=_base_.face_sampling_step_size,
    revision_warmup=_base_.face_revision_warmup,
    ema_config=_base_.face_generator_ema,
    descriptor_ema_config=_base_.face_descriptor_ema)
# the leaf config sets optim_wrapper = _base_.face_optimizers (the runtime's
# optim_wrapper, mmagic's, is a sibling base)
