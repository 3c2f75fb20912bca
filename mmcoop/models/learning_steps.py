"""The parameter updates shared by CoopNets, Algorithm D and Algorithm G.

CoopNets (Algorithm 1) interweaves Algorithm D's descriptor update (Step D2,
eq. 5) and Algorithm G's generator update (Step G2, eq. 10); the three
models call the same functions so that the comparison between them
(paper Table 1, Figure 5) differs only in where the synthesized images and
latents come from.
"""
from typing import Dict, Optional, Tuple, Union

import torch
from mmengine.logging import MessageHub
from mmengine.model import is_model_wrapper
from mmengine.optim import OptimWrapper
from torch import Tensor, nn

from .precision import autocast_context
from ..utils.errors import SettingError


def unwrap(module: nn.Module) -> nn.Module:
    """The network inside a (DDP) model wrapper, or the module itself."""
    return module.module if is_model_wrapper(module) else module


def observed_images(inputs: Union[Tensor, dict]) -> Tensor:
    """The normalised training images of a preprocessed batch."""
    if isinstance(inputs, Tensor):
        return inputs  # PackInputs(keys='gt'): the batch itself
    if isinstance(inputs, dict) and isinstance(inputs.get('img'), Tensor):
        return inputs['img']
    raise SettingError(
        'Found no training images in the batch; pack them as inputs with '
        "dict(type='PackInputs', keys='gt') (or key 'img').")


def check_image_size(observed: Tensor, network: nn.Module) -> None:
    """Raise a ValueError if the images do not have the network's size."""
    size = getattr(network, 'image_size', None)
    if size and tuple(observed.shape[-2:]) != (size, size):
        height, width = observed.shape[-2:]
        raise SettingError(
            f'The training images are {height}x{width} but the networks '
            f'make and read {size}x{size} images; resize the images in '
            'the data pipeline (Resize scale) or build the networks for '
            'this size.')


def training_batch(data_preprocessor, data: dict,
                   network: nn.Module) -> Tuple[dict, Tensor]:
    """The preprocessed batch and its observed images, whose size is
    checked against ``network``'s."""
    data = data_preprocessor(data, True)
    observed = observed_images(data['inputs'])
    check_image_size(observed, network)
    return data, observed


@torch.no_grad()
def spread_ratio(synthesized: Tensor, observed: Tensor) -> Tensor:
    """Per-pixel spread of synthesized over observed images.

    The mean over pixels of the standard deviation across the batch,
    synthesized divided by observed: near 1 when the samples vary as much
    as the data, near 0 when they collapse to one image.
    """
    return (synthesized.std(dim=0).mean() /
            observed.std(dim=0).mean().clamp_min(1e-12))


@torch.no_grad()
def high_frequency_ratio(synthesized: Tensor,
                         observed: Tensor,
                         band: float = 0.5) -> Tensor:
    """Power of synthesized images at the highest spatial frequencies over
    that of observed images.

    The mean power of the images' 2-D Fourier coefficients whose frequency
    (radially, in cycles per pixel) exceeds ``band`` times the Nyquist
    frequency 0.5, synthesized divided by observed: about 1 when samples
    carry the data's fine detail, above 1 when they carry speckle, below 1
    when they are blurred.
    """

    def power(images: Tensor) -> Tensor:
        height, width = images.shape[-2:]
        fy = torch.fft.fftfreq(height, device=images.device)
        fx = torch.fft.rfftfreq(width, device=images.device)
        high = (fy[:, None]**2 + fx[None, :]**2).sqrt() > band * 0.5
        spectrum = torch.fft.rfft2(images.float())
        return spectrum.abs().pow(2)[..., high].mean()

    return power(synthesized) / power(observed).clamp_min(1e-12)


def check_penalty(value: float) -> float:
    """Raise a SettingError unless ``value``, a penalty weight, is a
    number >= 0; return it as a float."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            not value >= 0:
        raise SettingError(f'energy_magnitude_penalty must be a number >= 0, '
                           f'got {value!r}.')
    return float(value)


def descriptor_update(descriptor: nn.Module,
                      observed: Tensor,
                      synthesized: Tensor,
                      optim: OptimWrapper,
                      autocast: Optional[str] = None,
                      magnitude_penalty: float = 0.0) -> Dict[str, Tensor]:
    """Step D2: theta += lr * L'_p(theta) of eq. (5).

    Minimises mean f(Y_syn) - mean f(Y_obs), whose gradient is minus
    eq. (5). Observed and synthesized images share one forward pass through
    ``descriptor`` (possibly DDP-wrapped, so gradients are averaged across
    processes). ``autocast`` (a :mod:`~mmcoop.models.precision` setting)
    runs that forward pass, and so its backward, in reduced precision; f,
    the loss and the parameters' gradients stay float32.
    ``magnitude_penalty`` alpha adds alpha * mean(f(Y)^2) over observed and
    synthesized images to the minimised loss (the energy-magnitude
    regulariser of Du and Mordatch 2019, IGEBM), which keeps f from growing
    without bound; the logged ``loss_descriptor`` stays eq. (5)'s.
    """
    with optim.optim_context(descriptor):
        with autocast_context(autocast, observed.device):
            f = descriptor(torch.cat([observed, synthesized]))
        f = f.float()
        f_obs, f_syn = f[:observed.shape[0]], f[observed.shape[0]:]
        loss = f_syn.mean() - f_obs.mean()
        optim.update_params(loss + magnitude_penalty * f.pow(2).mean()
                            if magnitude_penalty else loss)
    return dict(
        loss_descriptor=loss.detach(),
        f_observed=f_obs.detach().mean(),
        f_revised=f_syn.detach().mean())


def generator_update(generator: nn.Module,
                     x: Tensor,
                     y: Tensor,
                     optim: OptimWrapper,
                     steps: int = 1,
                     first_output: Optional[Tensor] = None
                     ) -> Dict[str, Tensor]:
    """Step G2: alpha += lr * L'_q(alpha) of eq. (10), ``steps`` times.

    Minimises the batch mean of ||Y - g(X; alpha)||^2 / (2 sigma^2) with the
    latents X fixed: Y are the observed images in Algorithm G and the
    revised images Y_tilde in CoopNets (MCMC teaching). ``generator`` may be
    DDP-wrapped; its network's ``residual_energy`` gives the loss.
    ``first_output``, if given, is g(X) under the current parameters with
    its autograd graph (CoopNets' Step G0 computed it when X = X_hat): the
    first update back-propagates through it instead of running the
    generator again.
    """
    network = unwrap(generator)
    for step in range(steps):
        with optim.optim_context(generator):
            # forward through the (possibly wrapped) generator so that
            # gradients are averaged across processes
            image = (first_output if step == 0 and first_output is not None
                     else generator(x))
            loss = network.residual_energy(image, y).mean()
            optim.update_params(loss)
    return dict(loss_generator=loss.detach())


def current_iteration() -> int:
    """The runner's current training iteration (from 0), as mmagic's GANs
    read it: mmengine's message hub ``iter`` (0 outside a runner)."""
    return MessageHub.get_current_instance().get_info('iter', 0)


def update_ema(average: nn.Module, network: nn.Module,
               start_iter: int = 0) -> None:
    """Update the moving average ``average`` (mmagic's or mmengine's
    ``ExponentialMovingAverage``) of ``network`` (the unwrapped network) as
    mmagic's GANs do: parameters are copied until ``start_iter``, averaged
    from then on. The one update path of every average in mmcoop (the
    generator's of CoopNets and Algorithm G, the descriptor's); mmagic's
    ``BaseGAN`` runs the same lines inside its own ``train_step``, which
    these models replace."""
    if current_iteration() + 1 >= start_iter:
        average.update_parameters(network)
        if not average.update_buffers:
            average.sync_buffers(network)
    else:
        average.sync_parameters(network)
