"""Run by tests/test_distributed.py under torchrun with 2 CPU processes.

Trains the face config for a few iterations with ``launcher='pytorch'``
(gloo), saves each rank's parameters, evaluates FID distributed (with the
stand-in network at INCEPTION), then checks one descriptor update (Step D2)
on halves of a fixed global batch against the single-process update on the
whole batch.

    python -m torch.distributed.run --nproc_per_node 2 tests/dist_worker.py \
        OUT_DIR CELEBA_ROOT INCEPTION
"""
import copy
import json
import os.path as osp
import sys

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, REPO)
import mmcoop  # noqa: E402,F401
import torch  # noqa: E402
import torch.distributed as dist  # noqa: E402
from mmengine.config import Config  # noqa: E402
from mmengine.runner import Runner  # noqa: E402

from tests.conftest import FACE_CONFIG as CONFIG  # noqa: E402


def main(out_dir, celeba_root, inception):
    cfg = Config.fromfile(CONFIG)
    cfg.merge_from_dict({
        'work_dir': out_dir,
        'launcher': 'pytorch',
        'train_dataloader.dataset.data_root': celeba_root,
        'train_dataloader.batch_size': 2,
        'train_dataloader.num_workers': 0,
        'train_dataloader.persistent_workers': False,
        'train_cfg.max_iters': 3,
        'default_hooks.checkpoint.interval': 3,
        'default_hooks.logger.interval': 1,
        'custom_hooks': [],
        'test_dataloader.dataset.data_root': celeba_root,
        'test_dataloader.batch_size': 4,
        'test_dataloader.num_workers': 0,
        'test_evaluator.metrics.0.fake_nums': 16,
        'test_evaluator.metrics.0.real_nums': 16,
        'test_evaluator.metrics.0.inception_path': inception,
        'test_evaluator.metrics.0.inception_pkl': osp.join(
            out_dir, 'real_stats.pkl'),
    })
    runner = Runner.from_cfg(cfg)
    runner.train()
    rank, world = dist.get_rank(), dist.get_world_size()
    model = runner.model.module  # CoopNets inside the separate-DDP wrapper
    torch.save({k: v for k, v in model.named_parameters()},
               osp.join(out_dir, f'rank{rank}_params.pth'))
    runner.test()  # FID with samples and real images split over the ranks
    fid = runner.message_hub.get_scalar('test/FID/fid').current()

    # Step D2 on this rank's half of a fixed global batch
    generator = torch.Generator().manual_seed(0)
    observed = torch.rand(2 * world, 3, 64, 64, generator=generator) * 2 - 1
    y_tilde = torch.rand(2 * world, 3, 64, 64, generator=generator) * 2 - 1
    optim = runner.optim_wrapper['descriptor']
    descriptor = model.descriptor.module  # the DDP-wrapped network inside
    reference = copy.deepcopy(descriptor)
    reference_optim = torch.optim.Adam(reference.parameters())
    reference_optim.load_state_dict(copy.deepcopy(optim.state_dict()))
    before = [p.detach().clone() for p in descriptor.parameters()]
    half = slice(2 * rank, 2 * rank + 2)
    # in float32 (the config's 'auto' is bf16 on CPUs with bf16 units), so
    # that only DDP's averaging and float32 rounding separate the two
    model.descriptor_autocast = None
    model.step_d2_update_descriptor(observed[half], y_tilde[half], optim)

    # the same update in one process on the whole batch
    f = reference(torch.cat([observed, y_tilde]))
    loss = f[2 * world:].mean() - f[:2 * world].mean()
    reference_optim.zero_grad()
    loss.backward()
    reference_optim.step()
    diffs = [(a - b).abs().max().item() for a, b in zip(
        descriptor.parameters(), reference.parameters())]
    update = [(a - b).abs().max().item()
              for a, b in zip(descriptor.parameters(), before)]
    if rank == 0:
        with open(osp.join(out_dir, 'd2_parity.json'), 'w') as f:
            json.dump(dict(max_abs_diff=max(diffs), max_update=max(update),
                           fid=fid), f)
    dist.barrier()


if __name__ == '__main__':
    main(*sys.argv[1:4])
