"""Seconds per iteration: the bare arithmetic, the model's step, the loop.

For the face configs as shipped (CoopNets and mmagic's DCGAN with a
generator average, DCGAN-EMA: the zoo's baseline), at each
config's own batch and at ``--batches`` (default 100), in one process:

- ``bare`` (CoopNets): Algorithm 1's arithmetic as plain torch calls on
  copies of the networks (G0 with its graph kept for G2, l_p Langevin
  steps of descriptor forward + input-gradient backward, Step D2's update
  on observed and revised images, Step G2's update, the moving averages of
  both networks with ``torch._foreach_lerp_``, the config's optimisers), in
  float32 and, where the config's ``autocast='auto'`` picks bf16 on this
  device, in bf16 as the model runs it (the generator in its optimiser
  wrapper's precision);
- ``step``: ``model.train_step`` through the real model, optimiser wrappers
  and data preprocessor on a random batch, in the same precisions (a GAN:
  float32 and its optimiser wrappers' precision);
- ``loop``: the real training machinery of ``tools/train.py``
  (``Runner.from_cfg(cfg).train()``) on real faces from ``--data-root``:
  data loading, every hook, logging. Its steady cycle (mean time from one
  iteration's end to the next's over the iterations that write nothing)
  plus the cost of a checkpoint and of a sample grid, each timed once in
  the same run and spread over the config's own intervals (the iteration
  that wrote it less the steady cycle).

with the ratios step/bare (same precision) and loop/step (the loop against
its own ``train_step`` calls, timed in the same iterations: on a machine
whose speed drifts, a step timed minutes apart would bias the ratio), and for CoopNets the Langevin loop's GFLOP/s against a large
matmul's, the process's peak memory after each timed step (it should not
grow), and sampling and completion throughput. Step inputs are random
images: speed does not depend on content. On CUDA every timing
synchronises first.

    python tools/benchmarks/speed.py --out work_dirs/speed.json
"""
import argparse
import copy
import json
import math
import os.path as osp
import statistics
import sys
import tempfile
import time
from typing import Optional

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO)
import mmcoop  # noqa: E402,F401  (compatibility fixes, registrations)
import torch  # noqa: E402
from mmengine.config import Config  # noqa: E402
from mmengine.hooks import Hook  # noqa: E402
from mmengine.logging import MessageHub  # noqa: E402
from mmengine.optim import build_optim_wrapper  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402
from mmengine.runner import Runner  # noqa: E402
from torch.utils.flop_counter import FlopCounterMode  # noqa: E402

from mmagic.registry import MODELS  # noqa: E402
from mmagic.structures import DataSample  # noqa: E402
from mmcoop.models.precision import (autocast_context,  # noqa: E402
                                     resolve_autocast)

CONFIGS = dict(
    coopnets=osp.join(REPO, 'configs', 'coopnets',
                      'coopnets_1xb16-3kiters_celeba-64x64.py'),
    dcgan_ema=osp.join(REPO, 'configs', 'dcgan',
                       'dcgan-ema_1xb32-3kiters_celeba-64x64.py'))
SIZE = 64
FLOAT32 = 'float32'


def sync(device):
    if device.type == 'cuda':
        torch.cuda.synchronize(device)


def peak_memory_mib(device) -> float:
    if device.type == 'cuda':
        return torch.cuda.max_memory_allocated(device) / 2**20
    with open('/proc/self/status') as status:  # resident set high-water mark
        for line in status:
            if line.startswith('VmHWM:'):
                return int(line.split()[1]) / 1024
    return float('nan')


def timed(step, device, warmup: int, iters: int):
    """Median seconds of ``step()`` and the peak memory after each call."""
    for _ in range(warmup):
        step()
    sync(device)
    times, memory = [], []
    for _ in range(iters):
        start = time.perf_counter()
        step()
        sync(device)
        times.append(time.perf_counter() - start)
        memory.append(peak_memory_mib(device))
    return statistics.median(times), memory


def fake_batch(batch: int, device):
    images = torch.randint(0, 256, (batch, 3, SIZE, SIZE),
                           device=device).float()
    # as PackInputs(keys='gt') packs a batch: the images as inputs and as
    # each sample's gt_img (which DCGAN reads)
    return dict(inputs=list(images),
                data_samples=[DataSample(gt_img=image) for image in images])


def autocast_setting(precision: str):
    """The autocast setting of a precision ('float32' or a dtype name)."""
    return None if precision == FLOAT32 else precision


def wrapper_autocast(wrapper_cfg: dict) -> Optional[str]:
    """The autocast setting an optimiser wrapper's config runs its model's
    passes in: an ``AutocastOptimWrapper``'s (default 'auto'), else None."""
    if wrapper_cfg.get('type') != 'AutocastOptimWrapper':
        return None
    return wrapper_cfg.get('autocast', 'auto')


def shipped_precision(cfg: Config, device) -> str:
    """The precision a config trains in on ``device``: CoopNets' Langevin
    steps', a GAN's optimiser wrappers'."""
    setting = (cfg.model.sampler.get('autocast') if 'sampler' in cfg.model
               else wrapper_autocast(cfg.optim_wrapper.generator))
    return resolve_autocast(setting, device) or FLOAT32


def with_precision(cfg: Config, precision: str) -> Config:
    """The config with its autocast settings replaced by ``precision``:
    CoopNets' Langevin steps and Step D2, and every optimiser wrapper that
    is an ``AutocastOptimWrapper`` (a GAN's networks, CoopNets'
    generator)."""
    cfg = copy.deepcopy(cfg)
    if 'sampler' in cfg.model:
        cfg.model.sampler.autocast = autocast_setting(precision)
        cfg.model.descriptor_autocast = autocast_setting(precision)
    for wrapper in cfg.optim_wrapper.values():  # (and a 'constructor')
        if (isinstance(wrapper, dict)
                and wrapper.get('type') == 'AutocastOptimWrapper'):
            wrapper.autocast = autocast_setting(precision)
    return cfg


def model_step(cfg: Config, batch: int, device):
    """The model and a closure running its ``train_step`` on a batch."""
    model = MODELS.build(cfg.model).to(device)
    model.init_weights()
    optim = build_optim_wrapper(model, cfg.optim_wrapper)
    data = fake_batch(batch, device)
    hub = MessageHub.get_current_instance()
    counter = iter(range(10**9))

    def step():
        hub.update_info('iter', next(counter))  # as the loop does
        model.train_step(data, optim)

    return model, step


def plain_optimizer(params, wrapper_cfg: dict) -> torch.optim.Optimizer:
    """The torch optimiser an optim-wrapper config names."""
    options = dict(wrapper_cfg['optimizer'])
    return getattr(torch.optim, options.pop('type'))(params, **options)


def bare_step(model, cfg: Config, batch: int, device, precision: str):
    """Algorithm 1's arithmetic in plain torch on copies of the networks."""
    descriptor = copy.deepcopy(model.descriptor)
    generator = copy.deepcopy(model.generator)
    averages = [(copy.deepcopy(network), network, settings['momentum'])
                for network, settings in (
                    (generator, cfg.model.get('ema_config')),
                    (descriptor, cfg.model.get('descriptor_ema_config')))
                if settings]
    sampler, s = model.sampler, descriptor.ref_sigma
    steps, delta = sampler.revision_steps, sampler.revision_step_size
    sigma = generator.sigma
    opt_d = plain_optimizer(descriptor.parameters(),
                            cfg.optim_wrapper.descriptor)
    opt_g = plain_optimizer(generator.parameters(),
                            cfg.optim_wrapper.generator)
    autocast = autocast_setting(precision)
    # the generator's precision is its optimiser wrapper's
    generator_autocast = (autocast if wrapper_autocast(
        cfg.optim_wrapper.generator) is not None else None)
    observed = torch.rand(batch, 3, SIZE, SIZE, device=device) * 2 - 1
    latent_shape = (batch, generator.noise_size)

    def step():
        x = torch.randn(latent_shape, device=device)
        with autocast_context(generator_autocast, device):
            g_x = generator(x)  # G0, graph kept for G2
        y = g_x.detach().float()
        with autocast_context(autocast, device):  # D1
            for _ in range(steps):
                y = y.detach().requires_grad_(True)
                energy = (y.pow(2).sum() / (2 * s**2) -
                          descriptor(y).float().sum())
                grad, = torch.autograd.grad(energy, y)
                y = y - delta**2 / 2 * grad + delta * torch.randn_like(y)
        y = y.detach()
        with autocast_context(autocast, device):  # D2
            f = descriptor(torch.cat([observed, y]))
        f = f.float()
        loss_d = f[batch:].mean() - f[:batch].mean()
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()
        loss_g = (y - g_x).pow(2).sum() / (2 * sigma**2) / batch  # G2
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()
        with torch.no_grad():
            for average, network, momentum in averages:
                torch._foreach_lerp_(list(average.parameters()),
                                     list(network.parameters()), momentum)

    return step


def langevin_flops(model, batch: int, device) -> float:
    """FLOPs of the l_p revision steps on a batch: per step a descriptor
    forward (counted) and its input-gradient backward, which costs the same
    for convolutions and linear layers (weight gradients are not computed).
    ``FlopCounterMode`` cannot count inside ``autograd.grad`` itself."""
    y = torch.rand(batch, 3, SIZE, SIZE, device=device) * 2 - 1
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model.descriptor(y)
    return 2.0 * counter.get_total_flops() * model.sampler.revision_steps


def matmul_gflops(device, n: int = 4096, repeats: int = 5) -> float:
    a = torch.randn(n, n, device=device)
    b = torch.randn(n, n, device=device)
    seconds, _ = timed(lambda: a @ b, device, 1, repeats)
    return 2 * n**3 / seconds / 1e9


def throughput(model, batch, device, warmup, iters, completion_steps):
    """Images per second: sampling (generator + test-time Langevin) and
    completion (masked latent inference)."""
    model.eval()
    noise = torch.randn(batch, model.generator.noise_size, device=device)
    sample_s, _ = timed(lambda: model(dict(noise=noise)), device, warmup,
                        iters)
    completer = MODELS.build(dict(
        type='LatentInpaintor', generator=model.generator,
        sampler=dict(type='LangevinSampler',
                     inference_steps=completion_steps)))
    images = torch.rand(batch, 3, SIZE, SIZE, device=device) * 2 - 1
    mask = torch.zeros(batch, 1, SIZE, SIZE, device=device)
    quarter = SIZE // 4
    mask[..., quarter:3 * quarter, quarter:3 * quarter] = 1
    complete_s, _ = timed(lambda: completer.complete(images, mask), device,
                          warmup, iters)
    model.train()
    return batch / sample_s, batch / complete_s


class LoopClock(Hook):
    """Time at the end of every training iteration, after all other hooks
    (checkpoint writing included)."""

    priority = 'LOWEST'

    def __init__(self, device):
        self.device = device
        self.ends = {}
        self.step_starts = {}

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        # the last hook before the step: the step starts now
        sync(self.device)
        self.step_starts[runner.iter + 1] = time.perf_counter()

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        sync(self.device)
        self.ends[runner.iter + 1] = time.perf_counter()


class StepEndClock(Hook):
    """Time right after ``train_step``, before any other hook."""

    priority = 'HIGHEST'

    def __init__(self, device):
        self.device = device
        self.step_ends = {}

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        sync(self.device)
        self.step_ends[runner.iter + 1] = time.perf_counter()


def grid_hooks(cfg: Config) -> list:
    """The config's sample-grid hooks."""
    return [hook for hook in cfg.get('custom_hooks', [])
            if hook.get('type') == 'VisualizationHook']


def loop_seconds(cfg: Config, batch: int, data_root: str, warmup: int,
                 iters: int, device) -> dict:
    """Seconds per iteration of the real training loop on real images.

    The checkpoint and sample-grid intervals are moved so that each fires
    exactly once, at its own iteration, inside the timed window; their
    costs are then spread over the config's own intervals.
    """
    cfg = copy.deepcopy(cfg)
    total = warmup + iters + 1  # the last iteration writes a last checkpoint
    events = dict(checkpoint=math.ceil(warmup + 0.5 * iters),
                  grid=math.ceil(warmup + 0.75 * iters))
    intervals = dict(checkpoint=cfg.default_hooks.checkpoint.interval)
    grids = grid_hooks(cfg)
    if grids:
        intervals['grid'] = grids[0].interval
        for hook in grids:
            hook.interval = events['grid']
    else:
        del events['grid']
    cfg.default_hooks.checkpoint.interval = events['checkpoint']
    cfg.default_hooks.checkpoint.max_keep_ckpts = 1
    cfg.train_cfg.max_iters = total
    cfg.train_dataloader.batch_size = batch
    cfg.train_dataloader.dataset.data_root = data_root
    cfg.log_level = 'WARNING'
    with tempfile.TemporaryDirectory() as work_dir:
        cfg.work_dir = work_dir
        runner = Runner.from_cfg(cfg)
        clock, step_end = LoopClock(device), StepEndClock(device)
        runner.register_hook(clock)
        runner.register_hook(step_end)
        runner.train()
    ends = clock.ends
    timed_iters = range(warmup + 1, total)
    cycles = {i: ends[i] - ends[i - 1] for i in timed_iters}
    plain = [i for i in timed_iters if i not in events.values()]
    steady = statistics.mean(cycles[i] for i in plain)  # logging included
    costs = {name: cycles[at] - steady for name, at in events.items()}
    loop = steady + sum(costs[name] / intervals[name] for name in costs)
    # the step as the loop runs it, timed on the same iterations as the
    # cycle, so that a machine whose speed drifts does not bias loop/step
    step = statistics.mean(step_end.step_ends[i] - clock.step_starts[i]
                           for i in plain)
    return dict(loop_s=loop, steady_s=steady, step_in_loop_s=step,
                loop_over_step=loop / step, event_costs_s=costs,
                event_intervals=intervals, loop_iters=len(cycles))


def coopnets_rows(cfg, batch, device, args):
    precision = shipped_precision(cfg, device)
    row = dict(method='CoopNets', batch=batch, precision=precision,
               bare_s={}, step_s={}, step_over_bare={})
    model = None
    for name in dict.fromkeys([FLOAT32, precision]):
        model, step = model_step(with_precision(cfg, name), batch, device)
        row['step_s'][name], memory = timed(step, device, args.warmup,
                                            args.iters)
        row['bare_s'][name], _ = timed(
            bare_step(model, cfg, batch, device, name), device,
            args.warmup, args.iters)
        row['step_over_bare'][name] = (row['step_s'][name] /
                                       row['bare_s'][name])
        row['peak_memory_mib'] = memory
    flops = langevin_flops(model, batch, device)
    langevin_s, _ = timed(
        lambda: model.sampler.revise(
            model.descriptor,
            torch.rand(batch, 3, SIZE, SIZE, device=device)), device,
        args.warmup, args.iters)
    row['langevin_gflops'] = flops / langevin_s / 1e9
    row['sampling_images_per_s'], row['completion_images_per_s'] = \
        throughput(model, batch, device, args.warmup, args.iters,
                   args.completion_steps)
    return row


def dcgan_row(cfg, batch, device, args):
    precision = shipped_precision(cfg, device)
    row = dict(method='DCGAN-EMA', batch=batch, precision=precision,
               step_s={})
    for name in dict.fromkeys([FLOAT32, precision]):
        _, step = model_step(with_precision(cfg, name), batch, device)
        row['step_s'][name], row['peak_memory_mib'] = timed(
            step, device, args.warmup, args.iters)
    return row


def measure(method: str, batch: int, device, args) -> dict:
    cfg = Config.fromfile(CONFIGS[method])
    # every timing is of the iterations after the revision warm-up (all
    # but the face config's first 300), which the bare arithmetic's l_p is
    cfg.model.pop('revision_warmup', None)
    row = (coopnets_rows if method == 'coopnets' else dcgan_row)(
        cfg, batch, device, args)
    if args.loop_iters:
        row.update(loop_seconds(cfg, batch, args.data_root,
                                args.loop_warmup, args.loop_iters, device))
    return row


def table(report: dict) -> str:
    def cell(row, key, precision):
        return number(row.get(key, {}).get(precision))

    def number(value, shown=True):
        return '-' if value is None or shown is None else format(value,
                                                                 '.3f')

    lines = [
        f"{report['device']}, {report['threads']} threads, torch "
        f"{report['torch']}; matmul 4096x4096: "
        f"{report['matmul_gflops']:.1f} GFLOP/s",
        '| method | batch | precision | bare s/iter | step s/iter | '
        'step/bare | loop s/iter | step in the loop s/iter | loop/step | '
        'checkpoint s, grid s (every) |', '|' + '---|' * 10
    ]
    for row in report['results']:
        precisions = list(row['step_s'])
        for precision in precisions:
            shipped = precision == row['precision']
            loop = row.get('loop_s') if shipped else None
            events = ', '.join(
                f'{row["event_costs_s"][name]:.2f} '
                f'({row["event_intervals"][name]})'
                for name in row.get('event_costs_s', {})) if loop else '-'
            lines.append(
                f"| {row['method']} | {row['batch']} | {precision}"
                f"{' (as shipped)' if shipped and len(precisions) > 1 else ''}"
                f" | {cell(row, 'bare_s', precision)} | "
                f"{cell(row, 'step_s', precision)} | "
                f"{cell(row, 'step_over_bare', precision)} | "
                f'{number(loop)} | {number(row.get("step_in_loop_s"), loop)}'
                f' | {number(row.get("loop_over_step"), loop)} | {events} |')
    for row in report['results']:
        if 'langevin_gflops' in row:
            memory = row['peak_memory_mib']
            lines.append(
                f"CoopNets batch {row['batch']}: Langevin "
                f"{row['langevin_gflops']:.1f} GFLOP/s "
                f"({100 * row['langevin_gflops'] / report['matmul_gflops']:.0f}"
                f"% of matmul), sampling {row['sampling_images_per_s']:.1f} "
                f"img/s, completion ({report['completion_steps']} steps) "
                f"{row['completion_images_per_s']:.2f} img/s, peak memory "
                f'{memory[0]:.0f} -> {memory[-1]:.0f} MiB')
    return '\n'.join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--methods', nargs='+', default=list(CONFIGS),
                        choices=list(CONFIGS))
    parser.add_argument('--batches', type=int, nargs='*', default=[100],
                        help='batches besides each config\'s own')
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--iters', type=int, default=10,
                        help='timed train_step calls (median)')
    parser.add_argument('--loop-warmup', type=int, default=10)
    parser.add_argument('--loop-iters', type=int, default=100,
                        help='timed loop iterations (0: no loop timing)')
    parser.add_argument('--data-root',
                        default=osp.join(osp.dirname(REPO), 'shared', 'data',
                                         'celeba'),
                        help='train/ folder of faces for the loop timing')
    parser.add_argument('--completion-steps', type=int, default=10,
                        help='latent inference steps timed per completion')
    parser.add_argument('--device', default=None,
                        help='default: cuda if available, else cpu')
    parser.add_argument('--out', help='write the results as JSON here')
    args = parser.parse_args(argv)
    if args.loop_iters and not osp.isdir(osp.join(args.data_root, 'train')):
        parser.error(f'--data-root {args.data_root!r} has no train/ folder '
                     'of faces; point it at one, or pass --loop-iters 0.')
    if args.loop_iters and args.loop_iters < 4:
        parser.error('--loop-iters must be 0 or at least 4.')
    device = torch.device(args.device or (
        'cuda' if torch.cuda.is_available() else 'cpu'))
    init_default_scope('mmagic')
    torch.manual_seed(0)
    report = dict(device=str(device), threads=torch.get_num_threads(),
                  torch=torch.__version__, matmul_gflops=matmul_gflops(device),
                  completion_steps=args.completion_steps, results=[])
    for method in args.methods:
        own = Config.fromfile(CONFIGS[method]).train_dataloader.batch_size
        for batch in dict.fromkeys([own, *args.batches]):
            print(f'timing {method}, batch {batch} on {device} ...',
                  flush=True)
            report['results'].append(measure(method, batch, device, args))
    print(table(report))
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(report, f, indent=2)


if __name__ == '__main__':
    main()
