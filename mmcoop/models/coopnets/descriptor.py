"""The descriptor: a bottom-up ConvNet defining an energy-based model."""
from typing import Optional, Sequence, Tuple

import torch.nn as nn
from mmengine.model import BaseModule
from torch import Tensor

from mmagic.registry import MODELS
from .presets import preset_spec
from ...utils.errors import SettingError

#: The paper's and public implementations' descriptor settings. Each layer is
#: (out_channels, kernel_size, stride); ``fc_out`` is the number of outputs of
#: the final fully connected layer (``None``: f is the sum of the last map).
DESCRIPTOR_PRESETS = {
    # 5.2 scenes and objects, 64x64: 64 5x5/2, 128 3x3/2, 256 3x3/1, FC 100
    'scene-64': dict(image_size=64, fc_out=100,
                     layers=((64, 5, 2), (128, 3, 2), (256, 3, 1))),
    # 5.3 faces, 64x64: 96 5x5/2, 128 5x5/2, 256 5x5/2, FC 50
    'face-64': dict(image_size=64, fc_out=50,
                    layers=((96, 5, 2), (128, 5, 2), (256, 5, 2))),
    # DCGAN discriminator layout, 64x64: 64, 128, 256, 512 4x4/2, FC 100.
    # Even kernels at stride 2 overlap evenly, so the input gradient that
    # drives Langevin (eq. 4) has no checkerboard, as odd ones at stride 2
    # (5x5/2, 3x3/2 above) give. The face config's descriptor
    # (configs/coopnets/README.md says why).
    'dcgan-64': dict(image_size=64, fc_out=100,
                     layers=((64, 4, 2), (128, 4, 2), (256, 4, 2),
                             (512, 4, 2))),
    # 32x32 (PyTorch CIFAR port): 64 5x5/2, 128 3x3/2, 256 3x3/1, FC 100
    'cifar-32': dict(image_size=32, fc_out=100,
                     layers=((64, 5, 2), (128, 3, 2), (256, 3, 1))),
    # 5.1 texture, 224x224: 100 15x15/3, 70 9x9/1, 30 7x7/1, f = sum of map
    'texture-224': dict(image_size=224, fc_out=None,
                        layers=((100, 15, 3), (70, 9, 1), (30, 7, 1))),
}


@MODELS.register_module()
class CoopDescriptor(BaseModule):
    """Descriptor net f(Y; theta) and its energy (paper eq. 2).

    The model is p(Y; theta) = exp[f(Y; theta)] p0(Y) / Z(theta), with the
    reference p0 a Gaussian white noise N(0, s^2 I) or uniform. Its energy is
    E(Y; theta) = ||Y||^2 / (2 s^2) - f(Y; theta) (Gaussian) or -f(Y; theta)
    (uniform). f is a stack of convolutions with leaky ReLU (or Swish) and no
    batch normalisation, ending in a fully connected layer whose outputs are
    summed, or (texture setting, ``fc_out=None``) in a convolution whose
    whole map is summed.

    Args:
        preset (str, optional): One of :data:`DESCRIPTOR_PRESETS` supplying
            ``layers``, ``fc_out`` and ``image_size``; explicit arguments
            override it.
        layers (Sequence[tuple]): (out_channels, kernel_size, stride) per
            convolution. Padding is (kernel_size - 1) // 2: 'same' for odd
            kernels at stride 1, exact halving for 4x4 kernels at stride 2.
        image_size (int): Side of the square input images.
        in_channels (int): Image channels. Defaults to 3.
        fc_out (int, optional): Outputs of the final fully connected layer;
            None sums the last convolution's map instead. The default, -1,
            takes it from the preset.
        ref_sigma (float): s, the reference distribution's standard
            deviation. Defaults to 0.016 (official code).
        reference (str): 'gaussian' or 'uniform'.
        negative_slope (float): Leaky ReLU slope. Defaults to 0.2.
        activation (str): 'leaky_relu' (the paper's) or 'swish'
            (x * sigmoid(x), smooth, so the energy's gradient, which drives
            the Langevin revision, is continuous in Y).
        init_std (float): Std of the N(0, std) weight initialisation.
            Defaults to 0.01 (official code); biases start at 0.
    """

    def __init__(self,
                 preset: Optional[str] = None,
                 layers: Optional[Sequence[Tuple[int, int, int]]] = None,
                 image_size: Optional[int] = None,
                 in_channels: int = 3,
                 fc_out: Optional[int] = -1,
                 ref_sigma: float = 0.016,
                 reference: str = 'gaussian',
                 negative_slope: float = 0.2,
                 activation: str = 'leaky_relu',
                 init_std: float = 0.01,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        spec = preset_spec(DESCRIPTOR_PRESETS, preset, 'descriptor')
        layers = spec.get('layers') if layers is None else layers
        image_size = spec.get('image_size') if image_size is None \
            else image_size
        fc_out = spec.get('fc_out', -1) if fc_out == -1 else fc_out
        if not layers or image_size is None or fc_out == -1:
            raise SettingError('CoopDescriptor needs `layers`, `image_size` '
                               'and `fc_out` (or a `preset`).')
        if reference not in ('gaussian', 'uniform'):
            raise SettingError(f"reference must be 'gaussian' or 'uniform', "
                               f'got {reference!r}.')
        if activation not in ('leaky_relu', 'swish'):
            raise SettingError(f"activation must be 'leaky_relu' or 'swish', "
                               f'got {activation!r}.')
        if ref_sigma <= 0:
            raise SettingError(f'ref_sigma (s) must be positive, got '
                               f'{ref_sigma}.')
        self.image_size = image_size
        self.in_channels = in_channels
        self.ref_sigma = ref_sigma
        self.reference = reference
        self.init_std = init_std

        convs, size, channels = [], image_size, in_channels
        for i, (out_channels, kernel, stride) in enumerate(layers):
            padding = (kernel - 1) // 2
            convs.append(nn.Conv2d(channels, out_channels, kernel, stride,
                                   padding=padding))
            size = (size + 2 * padding - kernel) // stride + 1
            last_map = fc_out is None and i == len(layers) - 1
            if not last_map:
                convs.append(
                    nn.LeakyReLU(negative_slope) if activation ==
                    'leaky_relu' else nn.SiLU())
            channels = out_channels
        self.features = nn.Sequential(*convs)
        self.fc = (nn.Linear(channels * size * size, fc_out)
                   if fc_out is not None else None)

    def init_weights(self):
        """N(0, init_std) weights and zero biases, as the official code."""
        if self.init_cfg is not None:
            super().init_weights()
            return
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                nn.init.normal_(m.weight, 0.0, self.init_std)
                nn.init.zeros_(m.bias)

    def forward(self, y: Tensor) -> Tensor:
        """f(Y; theta) of eq. (2), one scalar per image, shape (N,)."""
        if y.shape[1:] != (self.in_channels, self.image_size,
                           self.image_size):
            raise SettingError(
                f'CoopDescriptor expects images of shape (N, '
                f'{self.in_channels}, {self.image_size}, {self.image_size}), '
                f'got {tuple(y.shape)}; set the data pipeline to this size '
                'or build the descriptor for your image size.')
        h = self.features(y)
        if self.fc is None:
            return h.flatten(1).sum(1)
        return self.fc(h.flatten(1)).sum(1)

    def reference_energy(self, y: Tensor) -> Tensor:
        """-log p0(Y) up to a constant: ||Y||^2 / (2 s^2), or 0 (uniform)."""
        if self.reference == 'uniform':
            return y.new_zeros(y.shape[0])
        return y.flatten(1).pow(2).sum(1) / (2 * self.ref_sigma**2)

    def energy(self, y: Tensor) -> Tensor:
        """E(Y; theta) = ||Y||^2 / (2 s^2) - f(Y; theta), per image (eq. 2)."""
        return self.reference_energy(y) - self(y)
