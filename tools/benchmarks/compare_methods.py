"""Several seeds of every method at one budget: FID, KID, precision/recall.

The paper's comparative claim (Table 1, Figure 5) as one command: train
every method on the same images for the same wall-clock budget
(``--minutes``) or the same number of iterations (``--iters``), once per
seed (``--seeds``), then for each run report FID, KID (x 1000) and improved
precision / recall against held-out real images (one Inception pass; the
same number of samples for every method), the paper's diversity measure
(mean SSIM over all pairs of random samples, Figure 5: lower is more
diverse; the same for real held-out images as reference), iterations and
seconds per iteration. Per method the table gives mean ± std over seeds
(and each seed's values), and one verdict line per baseline: the first
method (the reference, CoopNets by default) against it, the difference of
the means and its standard deviation over seeds, "ahead" / "behind" where
the difference exceeds twice that, else "within noise".

``--jobs 2`` runs two (method, seed) runs side by side with one thread each
(threads: the usable cores, e.g. those taskset allows, divided by the
jobs); the table states the arrangement, and an output folder keeps one
arrangement and budget for all its runs. Finished runs are kept: calling
again on the same ``--out-dir`` skips them and only runs what is missing
(an interrupted run is moved aside and run again), so a comparison can span
several calls, e.g. more seeds, or methods at fewer seeds. The table covers
every finished run in the folder; ``--report`` writes it without running
anything. Each step is a standard tool run (``tools/train.py``,
``tools/test.py``, ``tools/sample.py``) whose command is printed. A run
that ``DivergenceGuardHook`` stops is scored from its last good checkpoint
and flagged. Writes ``table.md``, ``table.json`` and ``montage.jpg`` (8
samples of each method's median-FID seed).

    python tools/benchmarks/compare_methods.py --out-dir work_dirs/compare \\
        --minutes 30 --seeds 0 1 2 --jobs 2 --method CoopNets \\
        configs/coopnets/coopnets_1xb16-3kiters_celeba-64x64.py --method DCGAN \\
        configs/dcgan/dcgan_1xb32-3kiters_celeba-64x64.py --method DCGAN-EMA \\
        configs/dcgan/dcgan-ema_1xb32-3kiters_celeba-64x64.py
    python tools/benchmarks/compare_methods.py --out-dir work_dirs/compare \\
        --minutes 30 --seeds 0 --jobs 2 --method DescriptorOnly \\
        configs/descriptor_only/descriptor-only_1xb32-2kiters_celeba-64x64.py \\
        --method GeneratorABP configs/generator_abp/generator-abp_1xb32-2kiters_celeba-64x64.py

Without ``--method`` the five 64x64 face configs (CoopNets, mmagic's DCGAN
with and without a generator average, Algorithms D and G) are compared.
"""
import argparse
import concurrent.futures
import glob
import itertools
import json
import os
import os.path as osp
import platform
import re
import sys
import time

import cv2
import numpy as np

from config_overrides import REPO, applies_to, load_config
from tool_runs import RunFailed, run, say, threads_per_job

from mmcoop.apis import labelled, one_below_another, save_grid
from mmcoop.engine import read_divergence
from mmcoop.utils import pointed_checkpoint

FACE_METHODS = [
    ('CoopNets', 'configs/coopnets/coopnets_1xb16-3kiters_celeba-64x64.py'),
    ('DCGAN', 'configs/dcgan/dcgan_1xb32-3kiters_celeba-64x64.py'),
    ('DCGAN-EMA', 'configs/dcgan/dcgan-ema_1xb32-3kiters_celeba-64x64.py'),
    ('DescriptorOnly', 'configs/descriptor_only/'
     'descriptor-only_1xb32-2kiters_celeba-64x64.py'),
    ('GeneratorABP', 'configs/generator_abp/'
     'generator-abp_1xb32-2kiters_celeba-64x64.py'),
]

#: (key in a run's result, heading, format, True where lower is better)
METRICS = [
    ('iterations', 'iterations', '{:.0f}', None),
    ('seconds_per_iter', 's/iter', '{:.2f}', None),
    ('fid', 'FID', '{:.1f}', True),
    ('kid', 'KID x 1000', '{:.1f}', True),
    ('precision', 'precision', '{:.3f}', False),
    ('recall', 'recall', '{:.3f}', False),
    ('pairwise_ssim', 'pairwise SSIM', '{:.3f}', None),
]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--method', nargs='+', action='append', default=None,
        metavar='NAME CONFIG [KEY=VALUE ...]',
        help='a method: its name, training config and its own config '
        'overrides; repeat for each (default: the five face configs); the '
        'first is the reference of the verdicts')
    budget = parser.add_mutually_exclusive_group()
    budget.add_argument('--minutes', type=float,
                        help='training wall-clock budget per run')
    budget.add_argument('--iters', type=int,
                        help='training iterations per run')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0],
                        help='one run per method and seed (default: 0)')
    parser.add_argument('--jobs', type=int, default=1,
                        help='runs side by side, each with the cores / jobs '
                        'threads (default 1)')
    parser.add_argument('--num-samples', type=int, default=None,
                        help='samples for FID, KID, precision and recall '
                        '(default: the configs\' fake_nums, 600 for the '
                        'face configs)')
    parser.add_argument('--diversity-samples', type=int, default=100,
                        help='samples whose pairwise SSIM is averaged')
    parser.add_argument('--grid-samples', type=int, default=64)
    parser.add_argument('--out-dir', required=True)
    parser.add_argument(
        '--cfg-options', nargs='+', default=[],
        help='key=value overrides for every method\'s training and test '
        'runs, applied where the config has the parent key (e.g. '
        'train_dataloader.dataset.data_root=/data/celeba)')
    parser.add_argument(
        '--report', action='store_true',
        help='run nothing: write the table of the runs finished so far in '
        '--out-dir (a comparison that spans several calls)')
    args = parser.parse_args(argv)
    if args.report:
        if not osp.isfile(osp.join(args.out_dir, 'settings.json')):
            parser.error(f'--report: {args.out_dir} holds no comparison '
                         '(no settings.json).')
        return args
    if args.minutes is None and args.iters is None:
        parser.error('give the training budget: --minutes or --iters.')
    if (args.minutes is not None and not args.minutes > 0) or (
            args.iters is not None and args.iters < 1):
        parser.error('--minutes and --iters must be positive.')
    if args.diversity_samples < 2:
        parser.error('--diversity-samples needs at least 2 samples.')
    if args.jobs < 1:
        parser.error('--jobs must be at least 1.')
    if len(set(args.seeds)) != len(args.seeds):
        parser.error(f'--seeds lists a seed twice: {args.seeds}.')
    methods = []
    for method in args.method or [list(m) for m in FACE_METHODS]:
        if len(method) < 2 or any('=' not in m for m in method[2:]):
            parser.error(f'--method takes NAME CONFIG [KEY=VALUE ...], got '
                         f'{method}.')
        if not re.fullmatch(r'[\w.+-]+', method[0]):
            parser.error(f'method name {method[0]!r}: letters, digits and '
                         '._+- only (it names a folder).')
        config = method[1] if osp.isabs(method[1]) else osp.join(
            REPO, method[1])
        if not osp.isfile(config):
            parser.error(f'config {method[1]!r} of {method[0]} not found.')
        methods.append(dict(name=method[0], config=config,
                            options=method[2:]))
    if len({m['name'] for m in methods}) != len(methods):
        parser.error('two methods share a name.')
    args.method = methods
    args.threads = threads_per_job(args.jobs)
    return args


def tool(name):
    return [sys.executable, osp.join(REPO, 'tools', name)]


def shared_options(options, config):
    """The ``key=value`` options (given for every method) that apply to
    ``config``: those whose parent key it has."""
    return [o for o in options if applies_to(config, o)]


def train_command(args, method, seed, work_dir):
    options = [f'randomness.seed={seed}']
    if args.minutes is not None:
        # the time budget ends the run; max_iters only has to be out of reach
        options += ['train_cfg.max_iters=100000000',
                    'default_hooks.time_budget.type=TimeBudgetHook',
                    f'default_hooks.time_budget.minutes={args.minutes}']
    else:
        options.append(f'train_cfg.max_iters={args.iters}')
    options += shared_options(args.cfg_options, method['config'])
    options += method['options']
    return tool('train.py') + [method['config'], '--work-dir', work_dir,
                               '--cfg-options', *options]


def fid_command(args, method, checkpoint, work_dir):
    options = shared_options(args.cfg_options, method['config'])
    options += method['options']
    if args.num_samples:
        options.append(f'test_evaluator.metrics.0.fake_nums='
                       f'{args.num_samples}')
    command = tool('test.py') + [
        method['config'], checkpoint, '--work-dir', work_dir, '--out',
        osp.join(work_dir, 'metrics.json')
    ]
    return command + (['--cfg-options', *options] if options else [])


def sample_command(args, method, seed, checkpoint, out_dir):
    num = max(args.diversity_samples, args.grid_samples)
    command = tool('sample.py') + [
        method['config'], checkpoint, '--num', str(num), '--seed',
        str(seed), '--out-dir', out_dir
    ]
    options = method['options']
    return command + (['--cfg-options', *options] if options else [])


def training_progress(label, args, start):
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
            say(f'    {label}: iter {match[1]}, {float(match[3]):.2f} '
                f's/iter, {used:.1f} min ({budget})')
        elif 'Error' in line or 'Traceback' in line:
            say('    ' + line.rstrip())

    return show


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


def real_images(config, count, options=()):
    """The first ``count`` held-out images through the test pipeline, with
    the ``key=value`` options that apply to the config (e.g. its data
    root)."""
    import copy

    import torch
    from mmengine.config import DictAction
    from mmengine.registry import init_default_scope

    from mmagic.registry import DATASETS
    init_default_scope('mmagic')
    cfg = copy.deepcopy(load_config(config))
    parsed = argparse.Namespace(cfg_options={})
    DictAction(['--cfg-options'], 'cfg_options')(
        None, parsed, shared_options(options, config))
    cfg.merge_from_dict(parsed.cfg_options)
    dataset = DATASETS.build(cfg.test_dataloader.dataset)
    images = [dataset[i]['inputs'] for i in range(min(count, len(dataset)))]
    return torch.stack(images).permute(0, 2, 3, 1).numpy().astype(np.float64)


def sampled_from(method):
    """'moving average' where the method's FID samples come from weight
    averages (``sample_model='ema'``), else 'trained weights'."""
    key = 'test_evaluator.metrics.0.sample_model='
    chosen = [o[len(key):] for o in method['options'] if o.startswith(key)]
    model = chosen[-1] if chosen else load_config(
        method['config']).test_evaluator.metrics[0].get('sample_model')
    return 'moving average' if model == 'ema' else 'trained weights'


# ------------------------------------------------------------ one run
def run_settings(args):
    """What every run in one output folder shares."""
    return dict(
        budget=(f'{args.minutes:g} minutes' if args.minutes is not None else
                f'{args.iters} iterations'),
        jobs=args.jobs, threads=args.threads, num_samples=args.num_samples,
        diversity_samples=args.diversity_samples,
        cfg_options=args.cfg_options)


def check_folder_settings(args):
    """Record the folder's settings, or refuse ones that differ from them
    (the runs of one table share budget and arrangement)."""
    path = osp.join(args.out_dir, 'settings.json')
    settings = run_settings(args)
    if osp.exists(path):
        with open(path) as f:
            recorded = json.load(f)
        differ = [f'{key} {recorded.get(key)!r} there, {value!r} now'
                  for key, value in settings.items()
                  if recorded.get(key) != value]
        if differ:
            sys.exit(f'{args.out_dir} holds runs made with other settings ('
                     + '; '.join(differ) + '). Use the same settings to add '
                     'runs to its table, or another --out-dir.')
    else:
        with open(path, 'w') as f:
            json.dump(settings, f, indent=2)


def method_identity(method):
    return dict(config=osp.relpath(method['config'], REPO),
                options=method['options'])


def finished_result(run_dir, method):
    """The run's result if it finished with this method's config and
    options; exits if it finished with others; None if it did not."""
    path = osp.join(run_dir, 'result.json')
    if not osp.exists(path):
        return None
    with open(path) as f:
        result = json.load(f)
    identity = method_identity(method)
    if {k: result[k] for k in identity} != identity:
        sys.exit(f'{run_dir} was run as {result["config"]} '
                 f'{result["options"]}, not {identity["config"]} '
                 f'{identity["options"]}; give this variant another method '
                 'name or use another --out-dir.')
    return result


#: written in a run's train/ folder when its training has ended
TRAINED = 'trained.json'
#: TimeBudgetHook's line at the end of a time-budgeted training
BUDGET_LINE = re.compile(r'TimeBudgetHook: ([\d.]+) of [\d.]+ minutes used; '
                         r'iteration (\d+) is the last')


def finished_training(args, train_dir):
    """How a run's training ended (``train_minutes``, ``diverged``,
    ``machine``) if it has, else None; a run whose scoring failed or was
    interrupted is then scored without training again. Runs made before
    ``trained.json`` existed count as trained when their log has the time
    budget's last-iteration line and that checkpoint (or, with --iters,
    the final checkpoint) exists."""
    path = osp.join(train_dir, TRAINED)
    if osp.exists(path):
        with open(path) as f:
            return json.load(f)
    if args.iters is not None:
        if osp.exists(osp.join(train_dir, f'iter_{args.iters}.pth')):
            return dict(train_minutes=None, diverged=None, machine=None)
        return None
    for log in glob.glob(osp.join(train_dir, '*', '*.log')):
        match = BUDGET_LINE.search(open(log).read())
        if match and osp.exists(
                osp.join(train_dir, f'iter_{match.group(2)}.pth')):
            return dict(train_minutes=float(match.group(1)), diverged=None,
                        machine=None)
    return None


def move_aside(run_dir):
    """Keep an interrupted run's files (its checkpoints) out of the way."""
    target = f'{run_dir}.interrupted-{time.strftime("%Y%m%d-%H%M%S")}'
    os.rename(run_dir, target)
    say(f'  {run_dir} did not finish; moved to {target}, run again')


def train_and_score(args, method, seed):
    """Train one (method, seed), score it, write its result.json."""
    name = method['name']
    run_dir = osp.abspath(osp.join(args.out_dir, name, f'seed{seed}'))
    label = f'{name} seed {seed}'
    start = time.time()
    train_dir = osp.join(run_dir, 'train')
    trained = finished_training(args, train_dir)
    if trained is None:
        diverged = run(train_command(args, method, seed, train_dir),
                       f'{label} train', args.threads,
                       training_progress(label, args, start),
                       lambda: read_divergence(train_dir))
        trained = dict(train_minutes=(time.time() - start) / 60,
                       diverged=diverged, machine=machine_name())
        with open(osp.join(train_dir, TRAINED), 'w') as f:
            json.dump(trained, f)
    else:
        say(f'  {label}: trained before (scoring failed or was '
            'interrupted); scoring it')
    diverged = trained['diverged']
    result = dict(method_identity(method), method=name, seed=seed,
                  machine=trained.get('machine'),
                  sampled_from=sampled_from(method),
                  train_minutes=trained['train_minutes'],
                  seconds_per_iter=seconds_per_iteration(train_dir),
                  diverged_at=None, iterations=None, checkpoint=None)
    if diverged:
        # a diverged run is scored from its last good checkpoint and
        # flagged, instead of ending the whole comparison
        result['diverged_at'] = diverged['iteration']
        checkpoint = diverged['last_good_checkpoint']
        say(f'  {label}: training diverged at iteration '
            f"{diverged['iteration']} ({diverged['problem']}); scoring its "
            f'last good checkpoint, {checkpoint}')
    else:
        checkpoint = pointed_checkpoint(train_dir)
    if checkpoint is not None:
        test_dir, samples = (osp.join(run_dir, 'test'),
                             osp.join(run_dir, 'samples'))
        run(fid_command(args, method, checkpoint, test_dir), f'{label} FID',
            args.threads)
        with open(osp.join(test_dir, 'metrics.json')) as f:
            metrics = json.load(f)
        run(sample_command(args, method, seed, checkpoint, samples),
            f'{label} samples', args.threads)
        images = np.stack([
            cv2.imread(f)
            for f in sorted(glob.glob(osp.join(samples, '*.png')))
        ])
        save_grid(images[:args.grid_samples], osp.join(run_dir, 'grid.png'),
                  nrow=8)
        result.update(
            iterations=int(re.search(r'iter_(\d+)\.pth', checkpoint)[1]),
            checkpoint=checkpoint,
            pairwise_ssim=mean_pairwise_ssim(
                list(images[:args.diversity_samples].astype(np.float64))),
            **{key: metrics[f'FID/{key}']
               for key in ('fid', 'kid', 'kid_std', 'precision', 'recall')})
        minutes = result['train_minutes']
        took = f' in {minutes:.1f} min' if minutes is not None else ''
        say(f'  {label}: {result["iterations"]} iterations{took}, FID '
            f'{result["fid"]:.1f}, '
            f'KID x 1000 {result["kid"]:.1f}, precision '
            f'{result["precision"]:.3f}, recall {result["recall"]:.3f}, '
            f'pairwise SSIM {result["pairwise_ssim"]:.3f}')
    with open(osp.join(run_dir, 'result.json'), 'w') as f:
        json.dump(result, f, indent=2)
    return result


# ------------------------------------------------------------ the table
def spread(values):
    """Mean and standard deviation (n - 1; 0 for one value)."""
    values = np.asarray(values, dtype=float)
    std = values.std(ddof=1) if len(values) > 1 else 0.0
    return float(values.mean()), float(std)


def summary(results):
    """Per method: seeds, and mean, std, per-seed values of each metric
    (over the runs that have a value)."""
    by_method = {}
    for result in results:
        by_method.setdefault(result['method'], []).append(result)
    rows = {}
    for name, runs in by_method.items():
        runs = sorted(runs, key=lambda r: r['seed'])
        row = dict(method=name, seeds=[r['seed'] for r in runs],
                   diverged={r['seed']: r['diverged_at'] for r in runs
                             if r['diverged_at'] is not None})
        for key, *_ in METRICS:
            by_seed = {r['seed']: r[key] for r in runs
                       if r.get(key) is not None}
            if by_seed:
                mean, std = spread(list(by_seed.values()))
                row[key] = dict(mean=mean, std=std,
                                values=list(by_seed.values()),
                                by_seed=by_seed)
        rows[name] = row
    return rows


def judged(difference, noise, lower_better):
    """'ahead' / 'behind' where |difference| exceeds twice ``noise``,
    else 'within noise'."""
    if abs(difference) <= 2 * noise:
        return 'within noise'
    better = difference < 0 if lower_better else difference > 0
    return 'ahead' if better else 'behind'


def signed(fmt, value):
    return ('+' if value >= 0 else '') + fmt.format(value)


def verdict(reference, other):
    """'REF vs OTHER: ...' with, per scored metric, the difference of the
    means, its standard deviation over seeds, ahead/behind/within noise.

    The std of the difference of two means is sqrt(s1^2/n1 + s2^2/n2); a
    method with one seed borrows the other's per-seed std (said so). Where
    both methods ran at two or more of the same seeds, the per-seed
    differences follow, paired by seed: their mean ± its standard error
    (std / sqrt(n)), judged alike. Unpaired is the headline: pairing
    only removes noise where a seed's runs share conditions (data order;
    for runs side by side, the machine)."""
    parts, notes = [], []
    for key, heading, fmt, lower_better in METRICS:
        if lower_better is None or key not in reference or key not in other:
            continue
        a, b = reference[key], other[key]
        n_a, n_b = len(a['values']), len(b['values'])
        if n_a == 1 and n_b == 1:
            parts.append(f'{heading} ' + fmt.format(a['mean']) + ' vs ' +
                         fmt.format(b['mean']) + ': one seed each, no '
                         'verdict')
            continue
        s_a = a['std'] if n_a > 1 else b['std']
        s_b = b['std'] if n_b > 1 else a['std']
        difference = a['mean'] - b['mean']
        noise = (s_a**2 / n_a + s_b**2 / n_b)**0.5
        part = (f'{heading} ' + fmt.format(a['mean']) + ' vs ' +
                fmt.format(b['mean']) + ', difference ' +
                signed(fmt, difference) + ' ± ' + fmt.format(noise) +
                f': {judged(difference, noise, lower_better)}')
        seeds = sorted(set(a['by_seed']) & set(b['by_seed']))
        if len(seeds) > 1:
            mean, std = spread([a['by_seed'][s] - b['by_seed'][s]
                                for s in seeds])
            error = std / len(seeds)**0.5
            part += (', paired by seed ' + signed(fmt, mean) + ' ± ' +
                     fmt.format(error) +
                     f': {judged(mean, error, lower_better)}')
        parts.append(part)
    for row in (reference, other):
        if len(row['seeds']) == 1:
            notes.append(f"{row['method']} has one seed; its spread is "
                         "taken as the other's")
    line = f"{reference['method']} vs {other['method']}: " + '; '.join(parts)
    return line + (f" ({'; '.join(notes)})" if notes else '')


def cell(row, key, fmt):
    if key not in row:
        return '-'
    value = row[key]
    if len(value['values']) == 1:
        return fmt.format(value['mean'])
    return fmt.format(value['mean']) + ' ± ' + fmt.format(value['std'])


def machine_name():
    """The CPU model this process runs on (runs of one table should share
    it; the table lists the machines of its runs)."""
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def markdown(rows, sources, real_ssim, settings, machines=None):
    """The mean ± std table, the per-seed table, the verdict lines;
    ``machines`` counts the runs per machine."""
    headings = ' | '.join(h for _, h, *_ in METRICS)
    ran_on = '; '.join(f'{name} ({count} runs)'
                       for name, count in (machines or {}).items())
    lines = [
        f"Budget per run: {settings['budget']} of training; "
        f"{settings['jobs']} run(s) side by side, {settings['threads']} "
        'thread(s) each. Mean ± std over seeds (std with n - 1).' +
        (f' Machines: {ran_on}.' if ran_on else ''), '',
        f'| method | samples from | seeds | {headings} |',
        '|---|---|---|' + '---|' * len(METRICS)
    ]
    for name, row in rows.items():
        seeds = ' '.join(map(str, row['seeds']))
        if row['diverged']:
            seeds += ' (diverged: ' + ', '.join(
                f'seed {s} at {i}' for s, i in row['diverged'].items()) + ')'
        cells = ' | '.join(cell(row, key, fmt) for key, _, fmt, _ in METRICS)
        lines.append(f'| {name} | {sources[name]} | {seeds} | {cells} |')
    lines.append('| real held-out images | - | - |' + ' - |' *
                 (len(METRICS) - 1) + f' {real_ssim:.3f} |')
    lines += ['', 'Each seed:', '', f'| method | seed | {headings} |',
              '|---|---|' + '---|' * len(METRICS)]
    for name, row in rows.items():
        for index, seed in enumerate(row['seeds']):
            cells = ' | '.join(
                fmt.format(row[key]['values'][index]) if key in row and
                index < len(row[key]['values']) else '-'
                for key, _, fmt, _ in METRICS)
            lines.append(f'| {name} | {seed} | {cells} |')
    names = list(rows)
    if len(names) > 1:
        lines += ['', 'Verdicts (difference of the means ± its std over '
                  'seeds; where both ran the same seeds, the per-seed '
                  'differences paired by seed ± their standard error; ahead '
                  '/ behind beyond twice that):', '']
        lines += [f'- {verdict(rows[names[0]], rows[n])}' for n in names[1:]]
    return '\n'.join(lines) + '\n'


#: rows of each method's 8-wide sample grid that montage.jpg shows
MONTAGE_ROWS = 1


def montage(grids):
    """Each method's first :data:`MONTAGE_ROWS` rows of samples under its
    name, one method below another (small enough to show in a README)."""
    tile = {name: (g.shape[1] - 2) // 8 for name, g in grids.items()}
    grids = {name: g[:MONTAGE_ROWS * tile[name] + 2]
             for name, g in grids.items()}
    width = max(g.shape[1] for g in grids.values())
    return one_below_another([labelled(g, name, width)
                              for name, g in grids.items()])


def folder_results(out_dir, order):
    """Every finished run's result in the folder, methods in ``order``
    (the folder's first methods first), then by seed."""
    results = []
    for path in glob.glob(osp.join(out_dir, '*', 'seed*', 'result.json')):
        with open(path) as f:
            results.append(json.load(f))
    rank = {name: index for index, name in enumerate(order)}
    return sorted(results, key=lambda r: (rank.get(r['method'], len(rank)),
                                          r['method'], r['seed']))


def method_order(args):
    """The folder's method order: those of earlier calls, then new ones."""
    path = osp.join(args.out_dir, 'methods.json')
    order = json.load(open(path)) if osp.exists(path) else []
    order += [m['name'] for m in args.method if m['name'] not in order]
    with open(path, 'w') as f:
        json.dump(order, f)
    return order


def real_pairwise_ssim(out_dir, results, settings):
    """The held-out images' pairwise SSIM (test set of the first run's
    config, with the folder's --cfg-options), computed once per folder and
    kept in real.json."""
    count = settings['diversity_samples']
    path = osp.join(out_dir, 'real.json')
    if osp.exists(path):
        with open(path) as f:
            real = json.load(f)
        if real['count'] == count:
            return real['pairwise_ssim']
    value = mean_pairwise_ssim(list(real_images(
        osp.join(REPO, results[0]['config']), count,
        settings['cfg_options'])))
    with open(path, 'w') as f:
        json.dump(dict(count=count, pairwise_ssim=value), f)
    return value


def write_table(out_dir, order):
    """table.md, table.json and montage.jpg of every finished run."""
    results = folder_results(out_dir, order)
    if not results:
        say(f'{out_dir}: no finished runs yet.')
        return
    with open(osp.join(out_dir, 'settings.json')) as f:
        settings = json.load(f)
    rows = summary(results)
    sources = {}
    for result in results:
        sources.setdefault(result['method'], result['sampled_from'])
    real_ssim = real_pairwise_ssim(out_dir, results, settings)
    machines = {}
    for result in results:
        name = result.get('machine') or 'not recorded'
        machines[name] = machines.get(name, 0) + 1
    table = markdown(rows, sources, real_ssim, settings, machines)
    with open(osp.join(out_dir, 'table.md'), 'w') as f:
        f.write(table)
    with open(osp.join(out_dir, 'table.json'), 'w') as f:
        json.dump(dict(settings=settings, methods=rows, runs=results,
                       real_pairwise_ssim=real_ssim, sampled_from=sources),
                  f, indent=2)
    grids = {}
    for name in rows:  # each method's median-FID seed: a typical run
        scored = sorted((r for r in results if r['method'] == name and
                         r.get('fid') is not None), key=lambda r: r['fid'])
        if not scored:
            continue
        typical = scored[len(scored) // 2]
        grid = osp.join(out_dir, name, f"seed{typical['seed']}", 'grid.png')
        if osp.exists(grid):
            grids[f"{name} (seed {typical['seed']})"] = cv2.imread(grid)
    if grids:  # JPEG: small enough for a README
        cv2.imwrite(osp.join(out_dir, 'montage.jpg'), montage(grids),
                    [cv2.IMWRITE_JPEG_QUALITY, 90])
    print(table)


def main(argv=None):
    args = parse_args(argv)
    if args.report:
        with open(osp.join(args.out_dir, 'methods.json')) as f:
            write_table(args.out_dir, json.load(f))
        return
    os.makedirs(args.out_dir, exist_ok=True)
    check_folder_settings(args)
    order = method_order(args)
    pending = []
    for seed in args.seeds:  # seed-major: early results cover every method
        for method in args.method:
            run_dir = osp.join(args.out_dir, method['name'], f'seed{seed}')
            if finished_result(run_dir, method) is not None:
                say(f"{method['name']} seed {seed}: finished before, kept")
                continue
            trained = finished_training(args, osp.join(run_dir, 'train'))
            if osp.exists(run_dir) and trained is None:
                move_aside(run_dir)
            pending.append((method, seed))
    budget = run_settings(args)['budget']
    say(f'{len(pending)} run(s) to do, {args.jobs} at a time with '
        f'{args.threads} thread(s) each; budget {budget}')
    failures = []
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        futures = {pool.submit(train_and_score, args, m, s): (m['name'], s)
                   for m, s in pending}
        for future in concurrent.futures.as_completed(futures):
            try:
                future.result()
            except RunFailed as error:
                name, seed = futures[future]
                failures.append(f'{name} seed {seed}: {error}')
                say(f'{name} seed {seed}: {error}')
    write_table(args.out_dir, order)
    if failures:
        sys.exit(f'{len(failures)} run(s) failed; rerun the command to retry '
                 'them (finished runs are kept):\n' + '\n'.join(failures))


if __name__ == '__main__':
    main()
