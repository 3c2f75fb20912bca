# The 64x64 face networks and their training settings, as pieces that the
# face models compose (CoopNets, Algorithms D and G, completion, DCGAN-EMA's
# average). A descriptor in the layout of DCGAN's discriminator (dcgan-64:
# 64, 128, 256, 512 4x4/2, FC 100; the official code's scene-64 has three
# layers) with Swish (x sigmoid(x)), and the official code's generator
# (DCGAN layout, 5x5 kernels, leaky ReLU, sigma = 0.3); a weak reference
# distribution s = 1 and, in training, l_p = 3 revision steps of delta =
# 0.051 (the Langevin time l_p delta^2 of 10 steps of 0.028 at 0.62x the
# cost, so more iterations in the same time) after 300 iterations of those
# 10 steps, while short chains of large steps are unstable; sampling and a
# completion's refinement step with delta = 0.028 (the paper: s = 0.016,
# l_p = 10, delta = 0.002; configs/coopnets/README.md says why); bf16 where
# the device has bf16 units ('auto').
face_descriptor = dict(
    type='CoopDescriptor', preset='dcgan-64', ref_sigma=1.0,
    activation='swish')
face_generator = dict(type='CoopGenerator', preset='coopnets-64', sigma=0.3)
face_sampler = dict(
    type='LangevinSampler',
    revision_steps=3,
    revision_step_size=0.051,
    inference_steps=0,
    autocast='auto')
face_sampling_step_size = 0.028
face_revision_warmup = dict(
    iters=300, revision_steps=10, revision_step_size=face_sampling_step_size)
# Adam (beta1 0.5) as the official code, lr 0.001 / 1e-4, with decoupled
# weight decay 0.05 on the descriptor (AdamW), which keeps its energy from
# sharpening until runs diverge
face_optimizers = dict(
    descriptor=dict(optimizer=dict(
        type='AdamW', lr=0.001, betas=(0.5, 0.999), weight_decay=0.05)),
    generator=dict(
        optimizer=dict(type='Adam', lr=1e-4, betas=(0.5, 0.999))))
# moving averages of the weights, which samples are drawn from
face_generator_ema = dict(momentum=0.01)
face_descriptor_ema = dict(momentum=0.003)
