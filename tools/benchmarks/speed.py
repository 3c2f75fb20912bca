"""Speed of a cooperative iteration against the bare arithmetic and DCGAN.

For each setting (the face config at 64x64 and the 32x32 presets), in one
process, after warm-up, the median over timed iterations of:

- ``coopnets``: ``CoopNets.train_step`` through the real model, optimiser
  wrappers and data preprocessor;
- ``bare``: the same arithmetic as plain torch calls on the same networks
  (l_p descriptor forwards + input-gradient backwards, one descriptor update
  on observed and revised images, one generator forward/backward/update);
- ``dcgan``: mmagic's ``DCGAN.train_step`` (configs/dcgan, generator widths
  as CoopNets') at the same resolution and batch;

and the ratios coopnets/bare and coopnets/dcgan, the Langevin loop's
achieved GFLOP/s (2 x the descriptor forward's FLOPs, counted by
``torch.utils.flop_counter``, per step) against a
large matmul's GFLOP/s measured in the same run, the process's peak memory
after each timed iteration (it should not grow), and sampling (generator +
test-time Langevin) and completion (masked latent inference) throughput.
``--variants`` also times CoopNets with channels-last memory format and/or
bf16 autocast in the Langevin steps. Inputs are random images: speed does
not depend on content. On CUDA every timing synchronises first.

    python tools/benchmarks/speed.py --out work_dirs/speed.json
"""
import argparse
import copy
import json
import os.path as osp
import statistics
import sys
import time

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO)
import mmcoop  # noqa: E402,F401  (compatibility fixes, registrations)
import torch  # noqa: E402
from mmengine.config import Config  # noqa: E402
from mmengine.logging import MessageHub  # noqa: E402
from mmengine.optim import build_optim_wrapper  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402
from torch.utils.flop_counter import FlopCounterMode  # noqa: E402

from mmagic.registry import MODELS  # noqa: E402
from mmagic.structures import DataSample  # noqa: E402

FACE = osp.join(REPO, 'configs', 'coopnets', 'coopnets_celeba-64x64.py')
DCGAN = osp.join(REPO, 'configs', 'dcgan', 'dcgan_celeba-64x64.py')


def settings(size: int) -> dict:
    """Model configs (CoopNets, DCGAN) and optimiser configs for a size."""
    face, dcgan = Config.fromfile(FACE), Config.fromfile(DCGAN)
    if size == 32:
        face.model.descriptor = dict(type='CoopDescriptor', preset='cifar-32',
                                     ref_sigma=0.016)
        face.model.generator = dict(type='CoopGenerator', preset='dcgan-32',
                                    sigma=0.3)
        dcgan.model.generator.output_scale = 32
        dcgan.model.generator.base_channels = 256
        dcgan.model.discriminator.input_scale = 32
    return dict(coopnets=face, dcgan=dcgan)


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


def fake_batch(batch: int, size: int, device):
    images = torch.randint(0, 256, (batch, 3, size, size),
                           device=device).float()
    # as PackInputs(keys='gt') packs a batch: the images as inputs and as
    # each sample's gt_img (which DCGAN reads)
    return dict(inputs=list(images),
                data_samples=[DataSample(gt_img=image) for image in images])


def coopnets_step(cfg, batch, size, device):
    model = MODELS.build(cfg.model).to(device)
    model.init_weights()
    optim = build_optim_wrapper(model, cfg.optim_wrapper)
    data = fake_batch(batch, size, device)
    return model, lambda: model.train_step(data, optim)


def dcgan_step(cfg, batch, size, device):
    model = MODELS.build(cfg.model).to(device)
    model.init_weights()
    optim = build_optim_wrapper(model, cfg.optim_wrapper)
    data = fake_batch(batch, size, device)
    hub = MessageHub.get_current_instance()
    counter = iter(range(10**9))

    def step():
        hub.update_info('iter', next(counter))
        model.train_step(data, optim)

    return step


def bare_step(model, batch, size, device):
    """Algorithm 1's arithmetic in plain torch on copies of the networks."""
    descriptor = copy.deepcopy(model.descriptor)
    generator = copy.deepcopy(model.generator)
    sampler, s = model.sampler, descriptor.ref_sigma
    steps, delta = sampler.revision_steps, sampler.revision_step_size
    sigma = generator.sigma
    opt_d = torch.optim.Adam(descriptor.parameters(), 1e-3, betas=(0.5, .999))
    opt_g = torch.optim.Adam(generator.parameters(), 1e-4, betas=(0.5, .999))
    observed = torch.rand(batch, 3, size, size, device=device) * 2 - 1
    latent_shape = (batch, generator.noise_size)

    def step():
        x = torch.randn(latent_shape, device=device)
        with torch.no_grad():
            y = generator(x)
        for _ in range(steps):
            y = y.detach().requires_grad_(True)
            energy = y.pow(2).sum() / (2 * s**2) - descriptor(y).sum()
            grad, = torch.autograd.grad(energy, y)
            y = y - delta**2 / 2 * grad + delta * torch.randn_like(y)
        y = y.detach()
        f = descriptor(torch.cat([observed, y]))
        loss_d = f[batch:].mean() - f[:batch].mean()
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()
        loss_g = (y - generator(x)).pow(2).sum() / (2 * sigma**2) / batch
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()

    return step


def langevin_flops(model, batch, size, device) -> float:
    """FLOPs of the l_p revision steps on a batch: per step a descriptor
    forward (counted) and its input-gradient backward, which costs the same
    for convolutions and linear layers (weight gradients are not computed).
    ``FlopCounterMode`` cannot count inside ``autograd.grad`` itself."""
    y = torch.rand(batch, 3, size, size, device=device) * 2 - 1
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model.descriptor(y)
    return 2.0 * counter.get_total_flops() * model.sampler.revision_steps


def matmul_gflops(device, n: int = 4096, repeats: int = 5) -> float:
    a = torch.randn(n, n, device=device)
    b = torch.randn(n, n, device=device)
    seconds, _ = timed(lambda: a @ b, device, 1, repeats)
    return 2 * n**3 / seconds / 1e9


def throughput(model, batch, size, device, warmup, iters, completion_steps):
    model.eval()
    noise = torch.randn(batch, model.generator.noise_size, device=device)
    sample_s, _ = timed(lambda: model(dict(noise=noise)), device, warmup,
                        iters)
    completer = MODELS.build(dict(
        type='LatentInpaintor', generator=model.generator,
        sampler=dict(type='LangevinSampler',
                     inference_steps=completion_steps)))
    images = torch.rand(batch, 3, size, size, device=device) * 2 - 1
    mask = torch.zeros(batch, 1, size, size, device=device)
    mask[..., size // 4:size // 2 + size // 4, size // 4:size // 2 +
         size // 4] = 1
    complete_s, _ = timed(lambda: completer.complete(images, mask), device,
                          warmup, iters)
    model.train()
    return batch / sample_s, batch / complete_s


VARIANTS = {
    'channels_last': dict(channels_last=True),
    'bf16': dict(sampler=dict(autocast='bfloat16')),
    'channels_last+bf16': dict(channels_last=True,
                               sampler=dict(autocast='bfloat16')),
}


def run_setting(size, batch, device, warmup, iters, completion_steps,
                variants=()):
    cfgs = settings(size)
    model, coop = coopnets_step(cfgs['coopnets'], batch, size, device)
    coop_s, coop_memory = timed(coop, device, warmup, iters)
    variant_s = {}
    for name in variants:
        cfg = copy.deepcopy(cfgs['coopnets'])
        cfg.merge_from_dict(dict(model=VARIANTS[name]))
        variant_s[name] = timed(coopnets_step(cfg, batch, size, device)[1],
                                device, warmup, iters)[0]
    bare_s, _ = timed(bare_step(model, batch, size, device), device, warmup,
                      iters)
    dcgan_s, _ = timed(dcgan_step(cfgs['dcgan'], batch, size, device),
                       device, warmup, iters)
    flops = langevin_flops(model, batch, size, device)
    langevin_s, _ = timed(
        lambda: model.sampler.revise(model.descriptor,
                                     torch.rand(batch, 3, size, size,
                                                device=device)), device,
        warmup, iters)
    sample_ips, complete_ips = throughput(model, batch, size, device, warmup,
                                          iters, completion_steps)
    return dict(
        size=size, batch=batch,
        langevin_steps=model.sampler.revision_steps,
        coopnets_s=coop_s, bare_s=bare_s, dcgan_s=dcgan_s,
        coopnets_images_per_s=batch / coop_s,
        ratio_to_bare=coop_s / bare_s, ratio_to_dcgan=coop_s / dcgan_s,
        langevin_s=langevin_s, langevin_gflops=flops / langevin_s / 1e9,
        peak_memory_mib=coop_memory,
        sampling_images_per_s=sample_ips,
        completion_images_per_s=complete_ips,
        completion_steps=completion_steps,
        variants_s=variant_s)


def table(results, matmul):
    lines = [
        f'matmul 4096x4096: {matmul:.1f} GFLOP/s',
        '| size | batch | CoopNets s/iter | bare s/iter | DCGAN s/iter | '
        'CoopNets/bare | CoopNets/DCGAN | Langevin GFLOP/s (% of matmul) | '
        'img/s train | img/s sample | img/s complete | peak MiB (first, '
        'last) |', '|' + '---|' * 12
    ]
    for r in results:
        memory = r['peak_memory_mib']
        lines.append(
            f"| {r['size']} | {r['batch']} | {r['coopnets_s']:.3f} | "
            f"{r['bare_s']:.3f} | {r['dcgan_s']:.3f} | "
            f"{r['ratio_to_bare']:.3f} | {r['ratio_to_dcgan']:.2f} | "
            f"{r['langevin_gflops']:.1f} "
            f"({100 * r['langevin_gflops'] / matmul:.0f}%) | "
            f"{r['coopnets_images_per_s']:.1f} | "
            f"{r['sampling_images_per_s']:.1f} | "
            f"{r['completion_images_per_s']:.2f} | "
            f'{memory[0]:.0f}, {memory[-1]:.0f} |')
    for r in results:
        for name, seconds in r['variants_s'].items():
            lines.append(f"{r['size']}x{r['size']} CoopNets with {name}: "
                         f"{seconds:.3f} s/iter "
                         f"({r['coopnets_s'] / seconds:.2f}x the default)")
    return '\n'.join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--sizes', type=int, nargs='+', default=[64, 32],
                        choices=[32, 64])
    parser.add_argument('--batch', type=int, default=100)
    parser.add_argument('--warmup', type=int, default=1)
    parser.add_argument('--iters', type=int, default=5)
    parser.add_argument('--completion-steps', type=int, default=10,
                        help='latent inference steps timed per completion')
    parser.add_argument('--variants', nargs='*', default=[],
                        choices=sorted(VARIANTS),
                        help='also time CoopNets with these options')
    parser.add_argument('--device', default=None,
                        help='default: cuda if available, else cpu')
    parser.add_argument('--out', help='write the results as JSON here')
    args = parser.parse_args(argv)
    device = torch.device(args.device or (
        'cuda' if torch.cuda.is_available() else 'cpu'))
    init_default_scope('mmagic')
    torch.manual_seed(0)
    matmul = matmul_gflops(device)
    results = []
    for size in args.sizes:
        print(f'timing {size}x{size}, batch {args.batch} on {device} ...',
              flush=True)
        results.append(run_setting(size, args.batch, device, args.warmup,
                                   args.iters, args.completion_steps,
                                   args.variants))
    report = dict(device=str(device), threads=torch.get_num_threads(),
                  torch=torch.__version__, matmul_gflops=matmul,
                  results=results)
    print(table(results, matmul))
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(report, f, indent=2)


if __name__ == '__main__':
    main()
