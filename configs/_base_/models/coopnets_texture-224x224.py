# CoopNets texture setting (paper 5.1): a 3-layer descriptor whose f is the
# sum of its last map, a generator from a 7x7x1 latent map through five
# 5x5 upsampling layers; s=0.012, l_p=20, delta=0.003, sigma=0.3.
model = dict(
    type='CoopNets',
    data_preprocessor=dict(type='DataPreprocessor'),
    descriptor=dict(
        type='CoopDescriptor', preset='texture-224', ref_sigma=0.012),
    generator=dict(type='CoopGenerator', preset='texture-224', sigma=0.3),
    sampler=dict(
        type='LangevinSampler',
        revision_steps=20,
        revision_step_size=0.003,
        inference_steps=0),
    generator_steps=1,
)
