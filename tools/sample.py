"""Write samples of a trained CoopNets model as image files and/or a grid.

    python tools/sample.py CONFIG CHECKPOINT --num 64 --grid samples.png
    python tools/sample.py CONFIG CHECKPOINT --num 1000 --out-dir samples/ \\
        --sample-type generator

For CoopNets, ``--sample-type revised`` (the model's default) revises the
generator's samples by ``--revision-steps`` descriptor Langevin steps
(eq. 4; default: the model's ``test_revision_steps``); ``generator`` writes
g(X) directly. Algorithm D takes ``--revision-steps`` too (steps on copies
of its chains). Other models (mmagic's GANs, Algorithm G) have one kind of
sample and refuse both options.
"""
import argparse
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
import mmcoop  # noqa: E402,F401  (must come first: compatibility fixes)
import cv2  # noqa: E402
import torch  # noqa: E402

from mmcoop.apis import init_model, save_grid, to_uint8  # noqa: E402
from mmcoop.models import CoopNets  # noqa: E402
from mmcoop.utils import UsageError  # noqa: E402
from tool_args import (  # noqa: E402
    KeyValueOptions, device, image_path, read_config, run)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--num', type=int, default=64, help='samples')
    parser.add_argument('--sample-type', choices=['revised', 'generator'],
                        help="CoopNets only (default: the model's)")
    parser.add_argument('--revision-steps', type=int, default=None,
                        help="descriptor Langevin steps (default: the "
                        "model's test_revision_steps)")
    parser.add_argument(
        '--sample-model', choices=['orig', 'ema'], default=None,
        help="the trained networks or their moving averages; default: "
        "'ema' for models trained with ema_config, else 'orig' (mmagic's "
        'rule)')
    parser.add_argument('--batch-size', type=int, default=64)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--out-dir', help='write sample_<i>.png files here')
    parser.add_argument('--grid', type=image_path,
                        help='write one grid image (PNG) here')
    parser.add_argument('--nrow', type=int, default=8,
                        help='images per grid row')
    parser.add_argument('--device', type=device, default=None)
    parser.add_argument('--cfg-options', nargs='+', action=KeyValueOptions)
    args = parser.parse_args(argv)
    if not (args.out_dir or args.grid):
        parser.error('give --out-dir, --grid or both.')
    if args.num < 1 or args.batch_size < 1:
        parser.error('--num and --batch-size must be positive.')
    if args.revision_steps is not None and args.revision_steps < 0:
        parser.error('--revision-steps must be 0 or more.')
    return args


def main(argv=None):
    args = parse_args(argv)
    model = init_model(read_config(args.config, args.cfg_options),
                       args.checkpoint, args.device)
    if args.sample_type is not None and not isinstance(model, CoopNets):
        raise UsageError(f'--sample-type: {type(model).__name__} has one '
                         "kind of sample; the option chooses among "
                         "CoopNets' (revised or generator samples).")
    if args.revision_steps is not None and not hasattr(
            model, 'test_revision_steps'):
        raise UsageError(f'--revision-steps: {type(model).__name__} has no '
                         'descriptor to revise its samples with; leave it '
                         'out.')
    torch.manual_seed(args.seed)
    images = []
    request = {}
    if args.sample_type is not None:
        request['sample_type'] = args.sample_type
    if args.sample_model is not None:
        request['sample_model'] = args.sample_model
    if args.revision_steps is not None:
        request['revision_steps'] = args.revision_steps
    while len(images) < args.num:
        count = min(args.batch_size, args.num - len(images))
        samples = model(dict(request, num_batches=count))
        images.extend(s.fake_img for s in samples)
    images = to_uint8(images)
    if args.out_dir:
        os.makedirs(args.out_dir, exist_ok=True)
        for index, image in enumerate(images):
            cv2.imwrite(osp.join(args.out_dir, f'sample_{index:05d}.png'),
                        image)
    if args.grid:
        save_grid(images, args.grid, args.nrow)
    kind = args.sample_type or getattr(model, 'sample_type', None)
    kind = f' {kind}' if kind else ''
    print(f'wrote {len(images)}{kind} samples')


if __name__ == '__main__':
    run(main)
