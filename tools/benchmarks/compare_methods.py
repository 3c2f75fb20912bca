"""Side by side: CoopNets, Algorithm D, Algorithm G and DCGAN, equal budget.

The paper's comparative claim (Table 1, Figure 5) as one command: train
every method on the same images for the same wall-clock budget
(``--minutes``) or the same number of iterations (``--iters``), then for each
report FID against held-out real images (the same number of samples for
every method; the real offline Inception-v3 unless a config says otherwise),
the paper's diversity measure (mean SSIM over all pairs of random samples,
Figure 5: lower is more diverse; the same for real held-out images as
reference), seconds per training iteration and a sample grid. Writes
``table.md``, ``table.json`` and ``montage.png`` (one labelled grid per
method) into ``--out-dir``. Every step is a standard tool run
(``tools/train.py``, ``tools/test.py``, ``tools/sample.py``) whose command
is printed, so each number can be reproduced alone. A method whose
training ``DivergenceGuardHook`` stops is scored from its last good
checkpoint and its row says where it diverged; the others still run.

    python tools/benchmarks/compare_methods.py --out-dir work_dirs/compare \\
        --minutes 30
    python tools/benchmarks/compare_methods.py --out-dir work_dirs/compare \\
        --iters 300 --method CoopNets configs/coopnets/coopnets_celeba-64x64.py

Without ``--method`` the four 64x64 face configs are compared.
"""
import argparse
import glob
import itertools
import json
import os
import os.path as osp
import re
import subprocess
import sys
import time

import cv2
import numpy as np

from config_overrides import REPO, applies_to, load_config

from mmcoop.apis import save_grid
from mmcoop.engine import read_divergence

FACE_METHODS = [
    ('CoopNets', 'configs/coopnets/coopnets_celeba-64x64.py'),
    ('DescriptorOnly', 'configs/descriptor_only/'
     'descriptor-only_celeba-64x64.py'),
    ('GeneratorABP', 'configs/generator_abp/generator-abp_celeba-64x64.py'),
    ('DCGAN', 'configs/dcgan/dcgan_celeba-64x64.py'),
]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--method', nargs='+', action='append', default=None,
        metavar='NAME CONFIG [KEY=VALUE ...]',
        help='a method: its name, training config and its own config '
        'overrides; repeat for each (default: the four face configs)')
    budget = parser.add_mutually_exclusive_group(required=True)
    budget.add_argument('--minutes', type=float,
                        help='training wall-clock budget per method')
    budget.add_argument('--iters', type=int,
                        help='training iterations per method')
    parser.add_argument('--num-samples', type=int, default=None,
                        help='samples for FID (default: the configs\' '
                        'fake_nums, 600 for the face configs)')
    parser.add_argument('--diversity-samples', type=int, default=100,
                        help='samples whose pairwise SSIM is averaged')
    parser.add_argument('--grid-samples', type=int, default=64)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--out-dir', required=True)
    parser.add_argument(
        '--cfg-options', nargs='+', default=[],
        help='key=value overrides for every method\'s training and test '
        'runs, applied where the config has the parent key (e.g. '
        'train_dataloader.dataset.data_root=/data/celeba)')
    args = parser.parse_args(argv)
    if (args.minutes is not None and not args.minutes > 0) or (
            args.iters is not None and args.iters < 1):
        parser.error('--minutes and --iters must be positive.')
    if args.diversity_samples < 2:
        parser.error('--diversity-samples needs at least 2 samples.')
    methods = []
    for method in args.method or [list(m) for m in FACE_METHODS]:
        if len(method) < 2 or any('=' not in m for m in method[2:]):
            parser.error(f'--method takes NAME CONFIG [KEY=VALUE ...], got '
                         f'{method}.')
        config = method[1] if osp.isabs(method[1]) else osp.join(
            REPO, method[1])
        if not osp.isfile(config):
            parser.error(f'config {method[1]!r} of {method[0]} not found.')
        methods.append(dict(name=method[0], config=config,
                            options=method[2:]))
    args.method = methods
    return args


def tool(name):
    return [sys.executable, osp.join(REPO, 'tools', name)]


def shared_options(args, config):
    return [o for o in args.cfg_options if applies_to(config, o)]


def train_command(args, method, work_dir):
    options = [f'randomness.seed={args.seed}']
    if args.minutes is not None:
        # the time budget ends the run; max_iters only has to be out of reach
        options += ['train_cfg.max_iters=100000000',
                    'default_hooks.time_budget.type=TimeBudgetHook',
                    f'default_hooks.time_budget.minutes={args.minutes}']
    else:
        options.append(f'train_cfg.max_iters={args.iters}')
    options += shared_options(args, method['config']) + method['options']
    return tool('train.py') + [method['config'], '--work-dir', work_dir,
                               '--cfg-options', *options]


def fid_command(args, method, checkpoint, work_dir):
    options = shared_options(args, method['config']) + method['options']
    if args.num_samples:
        options.append(f'test_evaluator.metrics.0.fake_nums='
                       f'{args.num_samples}')
    command = tool('test.py') + [
        method['config'], checkpoint, '--work-dir', work_dir, '--out',
        osp.join(work_dir, 'metrics.json')
    ]
    return command + (['--cfg-options', *options] if options else [])


def sample_command(args, method, checkpoint, out_dir):
    num = max(args.diversity_samples, args.grid_samples)
    command = tool('sample.py') + [
        method['config'], checkpoint, '--num', str(num), '--seed',
        str(args.seed), '--out-dir', out_dir
    ]
    options = method['options']
    return command + (['--cfg-options', *options] if options else [])


def run(command, label, progress=None, diverged=None):
    """Run a tool, echoing its command; ``progress`` sees each output line.

    A failed run ends the benchmark unless ``diverged``, a function of no
    arguments, returns what made it stop (a training run that
    DivergenceGuardHook stopped); that is then returned. Else None.
    """
    print(f'  {label}: {" ".join(command[1:])}', flush=True)
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    tail = []
    for line in process.stdout:
        tail = (tail + [line])[-60:]
        if progress:
            progress(line)
    if process.wait() != 0:
        stopped = diverged() if diverged else None
        if stopped is None:
            sys.exit(f'{label} failed:\n{"".join(tail)}')
        return stopped
    return None


def training_progress(name, args, start):
    """Print one line per logged training iteration: iteration, s/iter,
    time used (of the budget)."""
    pattern = re.compile(r'Iter\(train\) \[\s*(\d+)/\s*(\d+)\].*?'
                         r'(?<!data_)time: ([\d.]+)')

    def show(line):
        match = pattern.search(line)
        if match:
            used = (time.time() - start) / 60
            budget = (f'of {args.minutes:g} min' if args.minutes is not None
                      else f'iteration budget {args.iters}')
            print(f'    {name}: iter {match[1]}, {float(match[3]):.2f} '
                  f's/iter, {used:.1f} min ({budget})', flush=True)
        elif 'Error' in line or 'Traceback' in line:
            print('    ' + line.rstrip(), flush=True)

    return show


def last_checkpoint(work_dir):
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        return f.read().strip()


def seconds_per_iteration(work_dir):
    """Mean of the logged per-iteration times (mmengine's scalars.json)."""
    files = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data',
                                      'scalars.json')))
    times = [json.loads(line).get('time') for f in files for line in open(f)]
    times = [t for t in times if t is not None]
    return float(np.mean(times)) if times else None


def mean_pairwise_ssim(images):
    """The paper's diversity measure (Figure 5): mean SSIM over all pairs."""
    from mmagic.evaluation.metrics.ssim import ssim
    return float(np.mean([ssim(a, b) for a, b in
                          itertools.combinations(images, 2)]))


def real_images(config, count):
    """The first ``count`` held-out images through the test pipeline."""
    import torch
    from mmengine.registry import init_default_scope

    from mmagic.registry import DATASETS
    init_default_scope('mmagic')
    cfg = load_config(config).test_dataloader.dataset
    dataset = DATASETS.build(cfg)
    images = [dataset[i]['inputs'] for i in range(min(count, len(dataset)))]
    return torch.stack(images).permute(0, 2, 3, 1).numpy().astype(np.float64)


def labelled(grid, label, width):
    """The grid under a white band with the method's name."""
    band = np.full((28, width, 3), 255, np.uint8)
    cv2.putText(band, label, (4, 20), cv2.FONT_HERSHEY_SIMPLEX, 0.6,
                (0, 0, 0), 1, cv2.LINE_AA)
    padded = np.full((grid.shape[0], width, 3), 255, np.uint8)
    padded[:, :grid.shape[1]] = grid
    return np.concatenate([band, padded])


def montage(grids):
    width = max(g.shape[1] for g in grids.values())
    height = max(g.shape[0] for g in grids.values())
    columns = []
    for name, grid in grids.items():
        column = labelled(grid, name, width)
        pad = np.full((height + 28 - column.shape[0], width, 3), 255,
                      np.uint8)
        columns += [np.concatenate([column, pad]),
                    np.full((height + 28, 8, 3), 255, np.uint8)]
    return np.concatenate(columns[:-1], axis=1)


def markdown(rows, real_ssim, budget):
    lines = [
        f'Budget per method: {budget}.', '',
        '| method | iterations | s/iter | FID | pairwise SSIM |',
        '|---|---|---|---|---|'
    ]
    for row in rows:
        s_iter = ('-' if row['seconds_per_iter'] is None else
                  f"{row['seconds_per_iter']:.2f}")
        iterations = row['iterations']
        if row['diverged_at'] is not None:
            iterations = (f'{iterations} (diverged at {row["diverged_at"]})'
                          if iterations else
                          f'diverged at {row["diverged_at"]}, no checkpoint')
        fid, ssim = (('-', '-') if row['fid'] is None else
                     (f"{row['fid']:.1f}", f"{row['pairwise_ssim']:.3f}"))
        lines.append(f"| {row['method']} | {iterations} | {s_iter} | "
                     f'{fid} | {ssim} |')
    lines.append(f'| real held-out images | - | - | - | {real_ssim:.3f} |')
    return '\n'.join(lines) + '\n'


def main(argv=None):
    args = parse_args(argv)
    os.makedirs(args.out_dir, exist_ok=True)
    budget = (f'{args.minutes:g} minutes of training'
              if args.minutes is not None else f'{args.iters} iterations')
    rows, grids = [], {}
    for index, method in enumerate(args.method):
        name = method['name']
        base = osp.abspath(osp.join(args.out_dir, name))
        print(f'[{index + 1}/{len(args.method)}] {name} ({budget})',
              flush=True)
        start = time.time()
        train_dir = osp.join(base, 'train')
        diverged = run(train_command(args, method, train_dir), 'train',
                       training_progress(name, args, start),
                       lambda: read_divergence(train_dir))
        train_minutes = (time.time() - start) / 60
        row = dict(method=name, config=osp.relpath(method['config'], REPO),
                   options=method['options'], train_minutes=train_minutes,
                   seconds_per_iter=seconds_per_iteration(train_dir),
                   diverged_at=None, iterations=None, fid=None,
                   pairwise_ssim=None, checkpoint=None)
        rows.append(row)
        if diverged:
            # a diverged method is scored from its last good checkpoint
            # and flagged, instead of ending the whole comparison
            row['diverged_at'] = diverged['iteration']
            checkpoint = diverged['last_good_checkpoint']
            print(f'  {name}: training diverged at iteration '
                  f"{diverged['iteration']} ({diverged['problem']}); scoring "
                  f'its last good checkpoint, {checkpoint}', flush=True)
            if checkpoint is None:
                continue
        else:
            checkpoint = last_checkpoint(train_dir)
        iterations = int(re.search(r'iter_(\d+)\.pth', checkpoint)[1])
        run(fid_command(args, method, checkpoint, osp.join(base, 'test')),
            'FID')
        metrics = json.load(open(osp.join(base, 'test', 'metrics.json')))
        run(sample_command(args, method, checkpoint,
                           osp.join(base, 'samples')), 'samples')
        files = sorted(glob.glob(osp.join(base, 'samples', '*.png')))
        images = np.stack([cv2.imread(f) for f in files])
        samples = list(images[:args.diversity_samples].astype(np.float64))
        grid = osp.join(base, 'grid.png')
        save_grid(images[:args.grid_samples], grid, nrow=8)
        row.update(iterations=iterations, fid=metrics['FID/fid'],
                   pairwise_ssim=mean_pairwise_ssim(samples),
                   checkpoint=checkpoint)
        grids[name] = cv2.imread(grid)
        print(f'  {name}: {iterations} iterations in {train_minutes:.1f} '
              f'min, FID {row["fid"]:.1f}, pairwise SSIM '
              f'{row["pairwise_ssim"]:.3f}', flush=True)

    real = real_images(args.method[0]['config'], args.diversity_samples)
    real_ssim = mean_pairwise_ssim(list(real))
    table = markdown(rows, real_ssim, budget)
    with open(osp.join(args.out_dir, 'table.md'), 'w') as f:
        f.write(table)
    with open(osp.join(args.out_dir, 'table.json'), 'w') as f:
        json.dump(dict(budget=budget, seed=args.seed, methods=rows,
                       real_pairwise_ssim=real_ssim,
                       cfg_options=args.cfg_options), f, indent=2)
    if grids:  # none when every method diverged before a checkpoint
        cv2.imwrite(osp.join(args.out_dir, 'montage.png'), montage(grids))
    print(table)


if __name__ == '__main__':
    main()
