# Algorithm D (the paper's first baseline, Xie et al. 2016): the descriptor
# of coopnets_celeba-64x64.py learned alone, with persistent Langevin chains
# (persistent contrastive divergence) instead of generator proposals. Same
# faces, descriptor, Langevin settings (l_p, delta, s), optimiser and
# iterations as the CoopNets face config, which it inherits; only the source
# of the synthesized images differs.
#   python tools/train.py configs/descriptor_only/descriptor-only_celeba-64x64.py
# chain_init='data' starts the chains from the first batch of faces.
_base_ = ['../coopnets/coopnets_celeba-64x64.py']

# batch 32, at which the README's 30-minute numbers were measured (the
# CoopNets config moved to 16 later); FID of the trained network (no
# moving average)
train_dataloader = dict(batch_size=32)
test_evaluator = dict(metrics=[_base_.face_fid_metric])

model = dict(
    _delete_=True,
    type='DescriptorOnly',
    data_preprocessor=dict(type='DataPreprocessor'),
    descriptor={{_base_.model.descriptor}},
    sampler={{_base_.model.sampler}},
    descriptor_autocast={{_base_.model.descriptor_autocast}},
    chain_init='noise')

optim_wrapper = dict(
    _delete_=True,
    constructor='MultiOptimWrapperConstructor',
    descriptor={{_base_.optim_wrapper.descriptor}})

# sample grids: copies of the persistent chains, run l_p more steps. The
# model has no latent noise, so mmagic's 'Arguments' sampler (a request for
# num_batches samples) replaces the GAN noise sampler.
custom_hooks = [
    dict(
        type='VisualizationHook',
        interval=200,
        fixed_input=True,
        n_samples=64,
        vis_kwargs_list=dict(
            type='Arguments',
            name='chains',
            forward_kwargs=dict(sample_model='orig'),
            target_keys='fake_img'))
]
