"""A small TorchScript stand-in for the FID Inception, for plumbing tests.

Same interface as the real network: (N, 3, 299, 299) in [-1, 1] to (N, F).
"""
import torch
import torch.nn as nn


class StandInInception(nn.Module):

    def __init__(self, features: int = 16):
        super().__init__()
        self.conv = nn.Conv2d(3, features, 8, stride=8)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(self.conv(x)).mean(dim=(2, 3))


def save_stand_in(path: str, features: int = 16) -> str:
    torch.manual_seed(0)
    torch.jit.script(StandInInception(features)).save(path)
    return path
