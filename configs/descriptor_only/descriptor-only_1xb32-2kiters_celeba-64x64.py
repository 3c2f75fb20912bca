# Algorithm D (the paper's first baseline): the CoopNets face descriptor
# learned alone, its Langevin chains persistent across iterations and
# checkpoints (persistent contrastive divergence, from uniform noise;
# chain_init='data': from the first batch of faces). No moving average.
#   python tools/train.py configs/descriptor_only/descriptor-only_1xb32-2kiters_celeba-64x64.py
_base_ = [
    '../_base_/models/face_networks-64x64.py',
    '../_base_/datasets/celeba-64x64.py',
    '../_base_/coopnets_runtime.py',
]

model = dict(
    type='DescriptorOnly',
    data_preprocessor=dict(type='DataPreprocessor'),
    # the scene-64 descriptor, l_p = 10 and delta = 0.02, as measured in the
    # model zoo (CoopNets' dcgan-64, l_p = 5 and 0.04 untried)
    descriptor=dict(_base_.face_descriptor, preset='scene-64'),
    sampler=dict(_base_.face_sampler, revision_steps=10,
                 revision_step_size=0.02),
    descriptor_autocast='auto',
    chain_init='noise')
optim_wrapper = dict(descriptor=_base_.face_optimizers.descriptor)
test_evaluator = dict(metrics=[_base_.face_fid_metric])

train_dataloader = dict(batch_size=32)
train_cfg = dict(max_iters=2000)
default_hooks = dict(checkpoint=dict(interval=500))
# grids: copies of the persistent chains run l_p more steps, requested by
# mmagic's 'Arguments' sampler (the model draws no latent noise)
custom_hooks = [
    dict(
        _base_.coopnets_vis_hook,
        interval=200,
        vis_kwargs_list=dict(
            type='Arguments',
            name='chains',
            forward_kwargs=dict(sample_model='orig'),
            target_keys='fake_img'))
]
