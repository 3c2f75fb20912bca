# CoopNets for 64x64 faces (paper 5.3): the paper's face descriptor and the
# official code's 64x64 generator (DCGAN layout, 5x5 kernels, leaky ReLU);
# official-code Langevin settings (l_p=10, delta=0.002, s=0.016, sigma=0.3).
model = dict(
    type='CoopNets',
    data_preprocessor=dict(type='DataPreprocessor'),
    descriptor=dict(type='CoopDescriptor', preset='face-64', ref_sigma=0.016),
    generator=dict(type='CoopGenerator', preset='coopnets-64', sigma=0.3),
    sampler=dict(
        type='LangevinSampler',
        revision_steps=10,
        revision_step_size=0.002,
        inference_steps=0),
    generator_steps=1,
)
