"""Face completion benchmark: the paper's Table 2 and Figure 8 for our runs.

Evaluates every method on the same occluded test faces for each square mask
size by calling ``tools/test.py`` (so each number is reproducible with that
one command, printed as it runs), then writes ``table.md``, ``table.json``
and, per mask size, ``figure_m<size>.png``: rows of original, occluded and
each method's completion for the first test faces. A method given several
checkpoints (e.g. one per training seed) is evaluated with each; its cells
are then mean ± std over them (std with n - 1), its figure rows from the
first. ``--jobs 2`` runs two evaluations side by side with one thread each
(the usable cores divided by the jobs); rerunning the command on the same
``--out-dir`` keeps the evaluations that finished (those whose ``run.json``
holds the same command), so a long table can span sessions.

    python tools/benchmarks/completion_table.py --out-dir work_dirs/table2 --jobs 2 \\
      --method CoopNets configs/coopnets/coopnets-completion-m30_celeba-64x64.py \\
          work_dirs/compare/CoopNets/seed0/train/iter_2779.pth \\
          work_dirs/compare/CoopNets/seed1/train/iter_2801.pth \\
      --method Telea \\
          configs/completion_baselines/opencv-telea_completion-m30_celeba-64x64.py

Each method's config sets its model; the mask size replaces the square size
of the ``LoadMask`` (bbox) transform in its test pipeline, so all methods
see the same seeded masks.
"""
import argparse
import concurrent.futures
import glob
import json
import os
import os.path as osp
import sys
import time

import cv2
import numpy as np

from config_overrides import REPO, applies_to, load_config
from tool_runs import RunFailed, run, say, threads_per_job


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--method',
        nargs='+',
        action='append',
        required=True,
        metavar='NAME CONFIG [CHECKPOINT ...] [KEY=VALUE ...]',
        help='a method: its name, completion config, checkpoints (none for '
        'models without weights; several: mean ± std over them) and its own '
        'config overrides, e.g. model.sampler.revision_steps=30; repeat '
        'for each method')
    parser.add_argument('--masks', type=int, nargs='+', default=[30, 40, 50],
                        help='square mask sizes (paper: 30 40 50)')
    parser.add_argument('--num-images', type=int, default=None,
                        help='evaluate the first N test images (default all)')
    parser.add_argument('--batch-size', type=int, default=None)
    parser.add_argument('--data-root', default=None,
                        help='data_root of the test set (the configs read its '
                        'data_prefix folder, val/); default: the configs\'')
    parser.add_argument('--figure-images', type=int, default=8,
                        help='test faces shown in each figure')
    parser.add_argument('--out-dir', required=True,
                        help='where results go; rerunning with the same '
                        'folder keeps the evaluations that finished')
    parser.add_argument('--jobs', type=int, default=1,
                        help='evaluations side by side, each with the cores '
                        '/ jobs threads (default 1)')
    parser.add_argument(
        '--cfg-options', nargs='+', default=[],
        help='key=value overrides applied to every method whose config has '
        'the parent key, e.g. model.sampler.inference_steps=300 (only '
        'methods with a sampler)')
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error('--jobs must be at least 1.')
    methods = []
    for method in args.method:
        rest = method[2:]
        checkpoints = [item for item in rest if '=' not in item]
        if len(method) < 2:
            parser.error(f'--method takes NAME CONFIG [CHECKPOINT ...] '
                         f'[KEY=VALUE ...], got {method}.')
        if not osp.isfile(method[1]):
            parser.error(f'config {method[1]!r} of {method[0]} not found.')
        for checkpoint in checkpoints:
            if not osp.isfile(checkpoint):
                parser.error(f'checkpoint {checkpoint!r} of {method[0]} not '
                             'found.')
        methods.append(dict(
            name=method[0], config=method[1], checkpoints=checkpoints or
            [None], options=[item for item in rest if '=' in item]))
    args.method = methods
    return args


def mask_size_key(config: str) -> str:
    """The --cfg-options key of the square size of the config's box mask."""
    pipeline = load_config(config).test_dataloader.dataset.pipeline
    for index, step in enumerate(pipeline):
        inner, prefix = step, f'test_dataloader.dataset.pipeline.{index}'
        if step['type'] == 'SeededTransform':
            inner, prefix = step['transform'], prefix + '.transform'
        if inner['type'] == 'LoadMask' and inner.get('mask_mode') == 'bbox':
            return prefix + '.mask_config.max_bbox_shape'
    raise ValueError(f'{config} has no LoadMask(mask_mode="bbox") in its '
                     'test pipeline; the benchmark varies square masks.')


def test_command(args, method, checkpoint, size, work_dir):
    config = method['config']
    options = [f'{mask_size_key(config)}={size}']
    options += [o for o in args.cfg_options if applies_to(config, o)]
    options += method['options']
    if args.num_images:
        options.append(f'test_dataloader.dataset.indices={args.num_images}')
    if args.batch_size:
        options.append(f'test_dataloader.batch_size={args.batch_size}')
    if args.data_root:
        options.append(f'test_dataloader.dataset.data_root={args.data_root}')
    return [
        sys.executable, osp.join(REPO, 'tools', 'test.py'), config,
        *([checkpoint] if checkpoint else []), '--work-dir', work_dir,
        '--out', osp.join(work_dir, 'metrics.json'), '--cfg-options',
        *options
    ]


def completion_rows(work_dir: str, count: int):
    """The first ``count`` (original | occluded | completed) rows written by
    mmagic's BasicVisualizationHook in the latest run, sorted by name."""
    latest = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data')))[-1]
    files = sorted(glob.glob(osp.join(latest, 'vis_image', '*.png')))
    return [cv2.imread(f) for f in files[:count]]


def figure(rows_by_method):
    """Columns of faces; rows original, occluded, then one per method."""
    names = list(rows_by_method)
    first = rows_by_method[names[0]]
    width = first[0].shape[1] // 3
    lines = [[r[:, :width] for r in first], [r[:, width:2 * width]
                                             for r in first]]
    lines += [[r[:, 2 * width:] for r in rows_by_method[n]] for n in names]
    return np.concatenate([np.concatenate(line, axis=1) for line in lines])


def cell(runs, key, digits):
    """One checkpoint's value, or mean ± std (n - 1) over several."""
    values = np.array([metrics[key] for metrics in runs])
    if len(values) == 1:
        return f'{values[0]:.{digits}f}'
    return f'{values.mean():.{digits}f} ± {values.std(ddof=1):.{digits}f}'


def markdown(results, masks):
    """``results[name][mask]``: the metrics of each of its checkpoints."""
    header = ('| method | checkpoints | ' +
              ' | '.join(f'error M{m}' for m in masks) + ' | ' +
              ' | '.join(f'PSNR M{m}' for m in masks) + ' |')
    lines = [header, '|' + '---|' * (2 + 2 * len(masks))]
    for name, by_mask in results.items():
        errors = [cell(by_mask[str(m)], 'hole/MAE', 3) for m in masks]
        psnrs = [cell(by_mask[str(m)], 'hole/MaskedPSNR', 2) for m in masks]
        count = len(by_mask[str(masks[0])])
        lines.append(f'| {name} | {count} | ' + ' | '.join(errors + psnrs) +
                     ' |')
    return '\n'.join(lines) + '\n'


def job_dir(args, size, method, index):
    work_dir = osp.join(args.out_dir, f'm{size}', method['name'])
    if len(method['checkpoints']) > 1:
        work_dir = osp.join(work_dir, f'checkpoint{index}')
    return work_dir


def finished_run(work_dir, cmd):
    """The record of an evaluation that ran ``cmd`` to the end before, or
    None (never run, stopped half-way or run with another command)."""
    try:
        with open(osp.join(work_dir, 'run.json')) as f:
            record = json.load(f)
    except (OSError, ValueError):
        return None
    return record if record['command'] == cmd[1:] else None


def evaluate(cmd, work_dir, label, threads):
    """Run one ``tools/test.py`` command; its record (command, seconds,
    metrics), also written to ``run.json`` once the run has finished."""
    start = time.time()
    run(cmd, label, threads)
    with open(osp.join(work_dir, 'metrics.json')) as f:
        metrics = json.load(f)
    record = dict(command=cmd[1:], seconds=time.time() - start,
                  metrics=metrics)
    with open(osp.join(work_dir, 'run.json'), 'w') as f:
        json.dump(record, f, indent=2)
    return record


def main(argv=None):
    args = parse_args(argv)
    os.makedirs(args.out_dir, exist_ok=True)
    threads = threads_per_job(args.jobs)
    # one evaluation per (mask size, method, checkpoint), mask by mask
    jobs = [(size, method, index, checkpoint) for size in args.masks
            for method in args.method
            for index, checkpoint in enumerate(method['checkpoints'])]
    records, pending = {}, []
    for number, (size, method, index, checkpoint) in enumerate(jobs, 1):
        work_dir = job_dir(args, size, method, index)
        cmd = test_command(args, method, checkpoint, size, work_dir)
        label = f'[{number}/{len(jobs)}] {method["name"]} M{size}'
        records[number] = finished_run(work_dir, cmd)
        if records[number] is not None:
            say(f'{label}: finished before, kept')
        else:
            pending.append((number, cmd, work_dir, label))
    say(f'{len(pending)} evaluation(s) to do, {args.jobs} at a time with '
        f'{threads} thread(s) each')
    start = time.time()
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        futures = {pool.submit(evaluate, cmd, work_dir, label, threads):
                   (number, label) for number, cmd, work_dir, label in pending}
        for future in concurrent.futures.as_completed(futures):
            number, label = futures[future]
            try:
                records[number] = future.result()
            except RunFailed as error:
                pool.shutdown(cancel_futures=True)
                sys.exit(f'{error}\nRerun the command to go on (finished '
                         'evaluations are kept).')
            metrics = records[number]['metrics']
            say(f'{label}: error {metrics["hole/MAE"]:.4f}  PSNR '
                f'{metrics["hole/MaskedPSNR"]:.2f} dB  '
                f'({records[number]["seconds"]:.0f} s; '
                f'{time.time() - start:.0f} s in all)')
    results, runs, rows = {}, [], {}
    for number, (size, method, index, checkpoint) in enumerate(jobs, 1):
        name, record = method['name'], records[number]
        results.setdefault(name, {}).setdefault(str(size), []).append(
            record['metrics'])
        runs.append(dict(method=name, mask=size, checkpoint=checkpoint,
                         **record))
        if index == 0:  # figure rows from each method's first checkpoint
            rows.setdefault(size, {})[name] = completion_rows(
                job_dir(args, size, method, index), args.figure_images)
    for size, rows_by_method in rows.items():
        cv2.imwrite(osp.join(args.out_dir, f'figure_m{size}.png'),
                    figure(rows_by_method))
    table = markdown(results, args.masks)
    with open(osp.join(args.out_dir, 'table.md'), 'w') as f:
        f.write(table)
    with open(osp.join(args.out_dir, 'table.json'), 'w') as f:
        json.dump(dict(results=results, runs=runs), f, indent=2)
    print(table)


if __name__ == '__main__':
    main()
