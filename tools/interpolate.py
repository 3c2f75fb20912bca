"""Latent interpolation rows (the paper's Figure 4).

Each row interpolates linearly between two random latents X0 and X1; each
image is g((1 - t) X0 + t X1) followed by ``--revision-steps`` descriptor
Langevin steps (0: the generator's output; CoopNets only). Any model with
a generator (mmagic's GANs, Algorithm G) interpolates without them.

    python tools/interpolate.py CONFIG CHECKPOINT --rows 8 --steps 10 \\
        --revision-steps 10 --out interpolation.png
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
import mmcoop  # noqa: E402,F401  (must come first: compatibility fixes)
import torch  # noqa: E402

from mmcoop.apis import init_model, save_grid, to_uint8  # noqa: E402
from mmcoop.models import CoopNets  # noqa: E402
from mmcoop.utils import UsageError  # noqa: E402
from tool_args import (  # noqa: E402
    KeyValueOptions, device, image_path, read_config, run)


def interpolation_latents(start: torch.Tensor, end: torch.Tensor,
                          steps: int) -> torch.Tensor:
    """(rows * steps, ...) latents: row r runs from start[r] to end[r]."""
    t = torch.linspace(0, 1, steps, device=start.device)
    t = t.view((1, steps) + (1, ) * (start.dim() - 1))
    latents = (1 - t) * start.unsqueeze(1) + t * end.unsqueeze(1)
    return latents.flatten(0, 1)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--rows', type=int, default=8)
    parser.add_argument('--steps', type=int, default=10,
                        help='images per row, end points included')
    parser.add_argument('--revision-steps', type=int, default=0,
                        help='descriptor Langevin steps (eq. 4) on each '
                        'image; CoopNets only')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--out', required=True, type=image_path,
                        help='the PNG to write')
    parser.add_argument('--device', type=device, default=None)
    parser.add_argument('--cfg-options', nargs='+', action=KeyValueOptions)
    args = parser.parse_args(argv)
    if args.rows < 1 or args.steps < 2 or args.revision_steps < 0:
        parser.error('need --rows >= 1, --steps >= 2, '
                     '--revision-steps >= 0.')
    model = init_model(read_config(args.config, args.cfg_options),
                       args.checkpoint, args.device)
    name = type(model).__name__
    if not hasattr(model, 'noise_fn'):
        raise UsageError(f'{name} has no generator, so no latent space to '
                         'interpolate in.')
    if args.revision_steps and not isinstance(model, CoopNets):
        raise UsageError(f'--revision-steps: {name} has no descriptor to '
                         'revise with; leave it out.')
    torch.manual_seed(args.seed)
    start = model.noise_fn(num_batches=args.rows)
    end = model.noise_fn(num_batches=args.rows)
    noise = interpolation_latents(start, end, args.steps)
    revised = args.revision_steps > 0
    samples = model(dict(
        noise=noise, sample_type='revised' if revised else 'generator',
        revision_steps=args.revision_steps))
    save_grid(to_uint8([s.fake_img for s in samples]), args.out, args.steps)
    print(f'wrote {args.rows} rows of {args.steps} to {args.out}')


if __name__ == '__main__':
    run(main)
