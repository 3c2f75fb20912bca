"""Samples of a single-image model beside the image it learned from.

The picture of a texture run (paper 5.1) or of the quickstart demo: the
training image at its training scale, labelled with its name, and a grid of
``--num`` samples of the checkpoint (the model's default kind: revised
samples for CoopNets), labelled with the iteration they come from.

    python tools/beside_training_image.py CONFIG CHECKPOINT \\
        --out picture.png [--num 16] [--nrow 4] [--seed 0]

The config's training set must hold one image (``EmbeddedImageDataset`` or
a one-image folder); a face config learns from thousands and is refused.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
import mmcoop  # noqa: E402,F401  (must come first: compatibility fixes)
import cv2  # noqa: E402
import torch  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402

from mmagic.registry import DATASETS  # noqa: E402

from mmcoop.apis import (grid_image, init_model, labelled,  # noqa: E402
                         side_by_side, to_uint8, write_image)
from mmcoop.utils import UsageError  # noqa: E402
from tool_args import (  # noqa: E402
    KeyValueOptions, device, image_path, read_config, run)


def training_image(cfg):
    """The one image the config trains on (BGR uint8) and its name."""
    dataset_cfg = cfg.get('train_dataloader', {}).get('dataset')
    if dataset_cfg is None:
        raise UsageError('The config has no train_dataloader.dataset, so no '
                         'training image to show.')
    init_default_scope(cfg.get('default_scope', 'mmagic'))
    dataset = DATASETS.build(dataset_cfg)
    if dataset_cfg.get('type') != 'EmbeddedImageDataset' and len(
            dataset) != 1:
        raise UsageError(
            f'The config trains on {len(dataset)} images; this picture is '
            'for models of one image (texture configs, the demo). Use '
            'tools/sample.py for the others.')
    info = dataset.get_data_info(0)
    image = info.get('gt')
    if image is None:
        image = cv2.imread(info['gt_path'])
    return image, osp.basename(str(info['gt_path']))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--out', required=True, type=image_path,
                        help='the PNG to write')
    parser.add_argument('--num', type=int, default=16, help='samples')
    parser.add_argument('--nrow', type=int, default=4,
                        help='samples per grid row')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--device', type=device, default=None)
    parser.add_argument('--cfg-options', nargs='+', action=KeyValueOptions)
    args = parser.parse_args(argv)
    if args.num < 1 or args.nrow < 1:
        parser.error('--num and --nrow must be positive.')
    cfg = read_config(args.config, args.cfg_options)
    image, name = training_image(cfg)
    model = init_model(cfg, args.checkpoint, args.device)
    iteration = model.checkpoint_meta.get('iter')
    torch.manual_seed(args.seed)
    with torch.no_grad():
        samples = model(dict(num_batches=args.num))
    grid = grid_image(to_uint8([s.fake_img for s in samples]), args.nrow)
    samples_label = f'{args.num} samples' + (
        f' after {iteration} iterations' if iteration else '')
    picture = side_by_side([
        labelled(image, f'training image: {name}', image.shape[1]),
        labelled(grid, samples_label, grid.shape[1]),
    ])
    write_image(args.out, picture)
    print(f'wrote {args.out}: {name} beside {samples_label}')


if __name__ == '__main__':
    run(main)
