"""AutocastOptimWrapper: mmagic's GANs train in bf16 on CPUs too."""
import pytest
import torch
from mmengine.logging import MessageHub
from mmengine.optim import OptimWrapperDict

from mmagic.registry import MODELS, OPTIM_WRAPPERS
from mmagic.structures import DataSample


def tiny_dcgan():
    model = MODELS.build(
        dict(type='DCGAN', noise_size=8,
             data_preprocessor=dict(type='DataPreprocessor'),
             generator=dict(type='DCGANGenerator', output_scale=16,
                            base_channels=16, noise_size=8),
             discriminator=dict(type='DCGANDiscriminator', input_scale=16,
                                output_scale=4, out_channels=1,
                                base_channels=8)))
    model.init_weights()
    return model


def wrappers(model, autocast):
    return OptimWrapperDict(**{
        name: OPTIM_WRAPPERS.build(
            dict(type='AutocastOptimWrapper', autocast=autocast,
                 optimizer=torch.optim.Adam(
                     getattr(model, name).parameters(), lr=1e-3)))
        for name in ('generator', 'discriminator')
    })


def test_both_gan_updates_run_in_the_wrappers_precision(
        monkeypatch, seed):
    """Inside mmagic's BaseGAN.train_step the discriminator's convolutions
    run in bf16 under 'bfloat16' and under 'auto' on bf16 units, in float32
    under None and under 'auto' elsewhere; the update follows float32's
    (the parameters move by nearly the same steps) and logs float32
    losses."""
    from mmcoop.models import precision
    images = [torch.randint(0, 256, (3, 16, 16), dtype=torch.uint8)
              for _ in range(4)]
    data = dict(inputs=images,
                data_samples=[DataSample(gt_img=img) for img in images])
    start = tiny_dcgan().state_dict()
    # BaseGAN.train_step reads the runner's iteration
    MessageHub.get_current_instance().update_info('iter', 0)

    def train_step(autocast, native=True):
        monkeypatch.setattr(precision, 'has_native_bfloat16',
                            lambda device: native)
        model = tiny_dcgan()
        model.load_state_dict(start)
        dtypes = set()
        model.discriminator.register_forward_hook(
            lambda module, args, out: dtypes.add(out.dtype))
        torch.manual_seed(1)
        log = model.train_step(data, wrappers(model, autocast))
        assert log['loss'].dtype == torch.float32
        moved = torch.cat([(p - start[k]).flatten()
                           for k, p in model.state_dict().items()
                           if p.is_floating_point()])
        return dtypes, moved

    (full_dtypes, full), (bf16_dtypes, bf16) = (train_step(None),
                                                train_step('bfloat16'))
    assert full_dtypes == {torch.float32}
    assert bf16_dtypes == {torch.bfloat16}
    assert torch.cosine_similarity(full, bf16, dim=0).item() > 0.95
    assert train_step('auto', native=True)[0] == {torch.bfloat16}
    assert train_step('auto', native=False)[0] == {torch.float32}
    with pytest.raises(ValueError, match='autocast'):
        wrappers(tiny_dcgan(), 'int8')
