"""The generator: a top-down ConvNet latent variable model."""
from typing import Callable, Optional, Sequence, Tuple, Union

import torch.nn as nn
from mmengine.model import BaseModule
from torch import Tensor

from mmagic.registry import MODELS
from .presets import preset_spec
from ...utils.errors import SettingError

#: Settings of the paper and public implementations. ``noise_size`` is an int
#: for a latent vector (projected to a ``base_size`` map by a transposed
#: convolution) or a (C, H, W) tuple for a latent map (texture setting).
GENERATOR_PRESETS = {
    # DCGAN-style 64x64: z(100) -> 512@4 -> 256@8 -> 128@16 -> 64@32 -> 3@64
    'dcgan-64': dict(noise_size=100, channels=(512, 256, 128, 64),
                     kernel_size=4),
    # official CoopNets code, 64x64: as dcgan-64 but 5x5 upsampling kernels
    # and leaky ReLU
    'coopnets-64': dict(noise_size=100, channels=(512, 256, 128, 64),
                        kernel_size=5, act='leaky_relu'),
    # 32x32: z(100) -> 256@4 -> 128@8 -> 64@16 -> 3@32
    'dcgan-32': dict(noise_size=100, channels=(256, 128, 64), kernel_size=4),
    # 5.1 texture: 7x7x1 latent -> five 5x5/2 layers 512/256/128/64/3 -> 224
    'texture-224': dict(noise_size=(1, 7, 7), channels=(512, 256, 128, 64),
                        kernel_size=5),
}


def _upsample(in_channels: int, out_channels: int, kernel: int) -> nn.Module:
    """A transposed convolution that exactly doubles height and width."""
    return nn.ConvTranspose2d(in_channels, out_channels, kernel, stride=2,
                              padding=(kernel - 1) // 2,
                              output_padding=kernel % 2)


@MODELS.register_module()
class CoopGenerator(BaseModule):
    """Generator net g(X; alpha) of eq. (6): Y = g(X; alpha) + eps.

    X ~ N(0, I_d), eps ~ N(0, sigma^2 I_D). The network is DCGAN-style:
    transposed convolutions doubling the resolution, batch norm and ReLU (or
    leaky ReLU), and a tanh output so images lie in [-1, 1].

    Args:
        preset (str, optional): One of :data:`GENERATOR_PRESETS`; explicit
            arguments override it.
        noise_size (int | tuple): d for a latent vector, or (C, H, W) for a
            latent map.
        channels (Sequence[int]): Feature channels from the top layer down.
            A vector latent is projected to ``channels[0]`` at
            ``base_size`` x ``base_size``; a latent map is upsampled into
            ``channels[0]``. A final layer upsamples to ``out_channels``.
        out_channels (int): Image channels. Defaults to 3.
        kernel_size (int): Kernel of the upsampling layers. Defaults to 4.
        base_size (int): Side of the first feature map for a vector latent.
        image_size (int, optional): If given, checked against the size the
            layers produce, so a mismatch fails at build time.
        sigma (float): sigma, the residual noise std of eq. (6). Used by
            :func:`neg_log_joint` (eqs. 7, 9, 10) and Step G0's eps.
        act (str): 'relu' or 'leaky_relu' (slope 0.2); default from the
            preset, else 'relu'.
        init_std (float): Std of the N(0, std) weight initialisation.
    """

    def __init__(self,
                 preset: Optional[str] = None,
                 noise_size: Union[int, Tuple[int, int, int], None] = None,
                 channels: Optional[Sequence[int]] = None,
                 out_channels: int = 3,
                 kernel_size: Optional[int] = None,
                 base_size: int = 4,
                 image_size: Optional[int] = None,
                 sigma: float = 0.3,
                 act: Optional[str] = None,
                 init_std: float = 0.02,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        spec = preset_spec(GENERATOR_PRESETS, preset, 'generator')
        noise_size = spec.get('noise_size') if noise_size is None \
            else noise_size
        channels = spec.get('channels') if channels is None else channels
        kernel_size = spec.get('kernel_size', 4) if kernel_size is None \
            else kernel_size
        act = spec.get('act', 'relu') if act is None else act
        if noise_size is None or not channels:
            raise SettingError('CoopGenerator needs `noise_size` and '
                               '`channels` (or a `preset`).')
        if sigma <= 0:
            raise SettingError(f'sigma must be positive, got {sigma}.')
        if act not in ('relu', 'leaky_relu'):
            raise SettingError(f"act must be 'relu' or 'leaky_relu', got "
                               f'{act!r}.')
        self.noise_size = (noise_size if isinstance(noise_size, int) else
                           tuple(noise_size))
        self.sigma = sigma
        self.init_std = init_std

        def activation():
            return nn.ReLU() if act == 'relu' else nn.LeakyReLU(0.2)

        layers = []
        if isinstance(self.noise_size, int):
            layers += [nn.Unflatten(1, (self.noise_size, 1, 1)),
                       nn.ConvTranspose2d(self.noise_size, channels[0],
                                          base_size)]
            size = base_size
        else:
            latent_channels, size, width = self.noise_size
            if size != width:
                raise SettingError(f'Latent maps must be square, got '
                                   f'{self.noise_size}.')
            layers.append(_upsample(latent_channels, channels[0],
                                    kernel_size))
            size *= 2
        layers += [nn.BatchNorm2d(channels[0]), activation()]
        for c_in, c_out in zip(channels[:-1], channels[1:]):
            layers += [_upsample(c_in, c_out, kernel_size),
                       nn.BatchNorm2d(c_out), activation()]
            size *= 2
        layers += [_upsample(channels[-1], out_channels, kernel_size),
                   nn.Tanh()]
        size *= 2
        if image_size is not None and image_size != size:
            raise SettingError(
                f'CoopGenerator layers produce {size}x{size} images but '
                f'image_size={image_size}; change `channels` (one upsampling '
                'layer per doubling) or the data pipeline size.')
        self.image_size = size
        self.out_channels = out_channels
        self.net = nn.Sequential(*layers)

    def init_weights(self):
        """N(0, init_std) convolutions, N(1, init_std) batch norm scales."""
        if self.init_cfg is not None:
            super().init_weights()
            return
        for m in self.modules():
            if isinstance(m, nn.ConvTranspose2d):
                nn.init.normal_(m.weight, 0.0, self.init_std)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.normal_(m.weight, 1.0, self.init_std)
                nn.init.zeros_(m.bias)

    def forward(self,
                noise: Tensor,
                return_noise: bool = False) -> Union[Tensor, dict]:
        """g(X; alpha) of eq. (6), without its noise eps (Step G0 adds it
        where the model asks for it).

        ``return_noise`` follows mmagic's generator convention (BaseGAN's
        sampling passes it): True returns dict(fake_img=..., noise_batch=X).
        """
        expected = ((self.noise_size, ) if isinstance(self.noise_size, int)
                    else self.noise_size)
        if tuple(noise.shape[1:]) != tuple(expected):
            raise SettingError(f'CoopGenerator expects latents of shape (N, '
                               f'{", ".join(map(str, expected))}), got '
                               f'{tuple(noise.shape)}.')
        image = self.net(noise)
        if return_noise:
            return dict(fake_img=image, noise_batch=noise)
        return image

    def residual_energy(self,
                        image: Tensor,
                        y: Tensor,
                        observed: Optional[Tensor] = None) -> Tensor:
        """||Y - g(X)||^2 / (2 sigma^2) per image, given ``image`` = g(X).

        See :func:`residual_energy` for ``observed``.
        """
        return residual_energy(image, y, self.sigma, observed)


def residual_energy(image: Tensor,
                    y: Tensor,
                    sigma: float,
                    observed: Optional[Tensor] = None) -> Tensor:
    """||Y - g(X)||^2 / (2 sigma^2) per image, given ``image`` = g(X).

    Args:
        image (Tensor): The generator's output g(X; alpha).
        y (Tensor): Images Y, shape (N, C, H, W).
        sigma (float): The residual noise std of eq. (6).
        observed (Tensor, optional): 1 where a pixel is observed, 0 where it
            is missing; broadcastable to ``y``. Missing pixels do not count
            (paper 5.3). None counts every pixel.
    """
    residual = y - image
    if observed is not None:
        residual = residual * observed
    return residual.flatten(1).pow(2).sum(1) / (2 * sigma**2)


def neg_log_joint(generator: Callable[[Tensor], Tensor],
                  x: Tensor,
                  y: Tensor,
                  sigma: float,
                  observed: Optional[Tensor] = None) -> Tensor:
    """-log q(X, Y; alpha) up to a constant, per image (eq. 7).

    ||Y - g(X)||^2 / (2 sigma^2) + ||X||^2 / 2 for any generator g (a
    :class:`CoopGenerator`, mmagic's ``DCGANGenerator``, ...): the energy
    whose Langevin dynamics infers X given Y (eq. 9).
    """
    prior = x.flatten(1).pow(2).sum(1) / 2
    return residual_energy(generator(x), y, sigma, observed) + prior
