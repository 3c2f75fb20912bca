"""Pictures of samples: grids, labels, pictures side by side."""
import os
import os.path as osp
from typing import Sequence

import cv2
import numpy as np
import torch

#: height of the white band that carries a picture's label
LABEL_HEIGHT = 28


def to_uint8(images: Sequence[torch.Tensor]) -> np.ndarray:
    """(N, C, H, W) 0-255 images (as mmagic's samples are) to uint8 NHWC."""
    stacked = torch.stack([img.detach().float().cpu() for img in images])
    return stacked.round().clamp(0, 255).to(torch.uint8).permute(
        0, 2, 3, 1).numpy()


def grid_image(images: np.ndarray, nrow: int, padding: int = 2) -> np.ndarray:
    """uint8 NHWC images as one grid of ``nrow`` images per row, white
    padding between them."""
    num, height, width, channels = images.shape
    rows = -(-num // nrow)
    grid = np.full((rows * (height + padding) + padding,
                    nrow * (width + padding) + padding, channels), 255,
                   np.uint8)
    for index, image in enumerate(images):
        top = padding + (index // nrow) * (height + padding)
        left = padding + (index % nrow) * (width + padding)
        grid[top:top + height, left:left + width] = image
    return grid


def write_image(path: str, image: np.ndarray) -> None:
    """``cv2.imwrite``, creating the folder first."""
    if osp.dirname(path):
        os.makedirs(osp.dirname(path), exist_ok=True)
    cv2.imwrite(path, image)


def save_grid(images: np.ndarray, path: str, nrow: int,
              padding: int = 2) -> None:
    """Write uint8 NHWC images (mmagic's channel order, BGR) as a grid
    (:func:`grid_image`)."""
    write_image(path, grid_image(images, nrow, padding))


def labelled(image: np.ndarray, label: str, width: int) -> np.ndarray:
    """A BGR picture under a white band with ``label``, padded with white
    to ``width`` (or wider, to fit the label)."""
    font, scale = cv2.FONT_HERSHEY_SIMPLEX, 0.6
    (text_width, _), _ = cv2.getTextSize(label, font, scale, 1)
    width = max(width, image.shape[1], text_width + 8)
    band = np.full((LABEL_HEIGHT, width, 3), 255, np.uint8)
    cv2.putText(band, label, (4, 20), font, scale, (0, 0, 0), 1,
                cv2.LINE_AA)
    padded = np.full((image.shape[0], width, 3), 255, np.uint8)
    padded[:, :image.shape[1]] = image
    return np.concatenate([band, padded])


def one_below_another(pictures: Sequence[np.ndarray],
                      gap: int = 8) -> np.ndarray:
    """BGR pictures in one column, left-aligned, white between and beside."""
    width = max(p.shape[1] for p in pictures)
    rows = []
    for picture in pictures:
        pad = np.full((picture.shape[0], width - picture.shape[1], 3), 255,
                      np.uint8)
        rows += [np.concatenate([picture, pad], axis=1),
                 np.full((gap, width, 3), 255, np.uint8)]
    return np.concatenate(rows[:-1])


def side_by_side(pictures: Sequence[np.ndarray], gap: int = 8) -> np.ndarray:
    """BGR pictures in one row, top-aligned, white between and below."""
    height = max(p.shape[0] for p in pictures)
    columns = []
    for picture in pictures:
        pad = np.full((height - picture.shape[0], picture.shape[1], 3), 255,
                      np.uint8)
        columns += [np.concatenate([picture, pad]),
                    np.full((height, gap, 3), 255, np.uint8)]
    return np.concatenate(columns[:-1], axis=1)
