# Algorithm G (the paper's second baseline: alternating back-propagation,
# Han et al. 2017): the generator of coopnets_celeba-64x64.py learned alone.
# Each face keeps its own latent X_i across epochs and resume (looked up by
# dataset index); each iteration runs l_q Langevin steps of eq. (9) from it,
# then the generator update of eq. (10) on the faces themselves. Same faces,
# generator, sigma, generator optimiser and iterations as the
# CoopNets face config, which it inherits.
#   python tools/train.py configs/generator_abp/generator-abp_celeba-64x64.py
_base_ = ['../coopnets/coopnets_celeba-64x64.py']

# batch 32, at which the README's 30-minute numbers were measured (the
# CoopNets config moved to 16 later); samples from the generator's moving
# average, of the CoopNets generator's momentum (0.01)
train_dataloader = dict(batch_size=32)
test_evaluator = dict(
    metrics=[dict(_base_.face_fid_metric, sample_model='ema')])

model = dict(
    _delete_=True,
    type='GeneratorABP',
    data_preprocessor=dict(type='DataPreprocessor'),
    generator={{_base_.model.generator}},
    ema_config={{_base_.model.ema_config}},
    # l_q = 10 steps of eq. (9) with delta = 0.1 per iteration (the official
    # CoopNets code's inference step size), continuing from the last visit
    sampler=dict(
        type='LangevinSampler', inference_steps=10, inference_step_size=0.1))

optim_wrapper = dict(
    _delete_=True,
    constructor='MultiOptimWrapperConstructor',
    generator={{_base_.optim_wrapper.generator}})

custom_hooks = [
    dict(
        type='VisualizationHook',
        interval=200,
        fixed_input=True,
        n_samples=64,
        vis_kwargs_list=dict(
            type='GAN', name='generator', target_keys='fake_img'))
]
