"""Train a model from a config: ``python tools/train.py CONFIG [options]``.

mmagic's own ``tools/train.py`` with these differences: ``mmcoop`` (and
with it its compatibility fixes) is imported before anything from mmagic,
which the stock tool imports too early for a config's ``custom_imports``
to help; settings are checked for misspelt keys before anything is built;
``--resume`` finds its checkpoint with :mod:`mmcoop.utils.checkpoint_files`
(moved work dirs, unreadable checkpoints, nothing to resume), checks that
it fits the config, and lets optimiser settings changed since the
checkpoint win (:class:`mmcoop.engine.ResumeSettingsHook`); errors the
user can fix end in one message.
"""
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
import mmcoop  # noqa: E402,F401  (must come first: compatibility fixes)
from mmengine.config import Config  # noqa: E402
from mmengine.device import get_device  # noqa: E402
from mmengine.runner import Runner  # noqa: E402

from mmcoop.engine import ResumeSettingsHook  # noqa: E402
from mmcoop.utils import (  # noqa: E402
    MissingFileError, UsageError, check_checkpoint_fits, checkpoint_to_resume,
    pointed_checkpoint, read_checkpoint, remove_partial_saves,
    saved_checkpoints)
from tool_args import common_parser, load_config, run  # noqa: E402


def parse_args():
    parser = common_parser('Train a model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='resume from a checkpoint file; with no file, resume from the '
        'latest checkpoint in the work dir')
    parser.add_argument(
        '--amp', action='store_true', help='enable automatic mixed precision')
    parser.add_argument(
        '--auto-scale-lr', action='store_true', help='scale the lr by batch')
    return parser.parse_args()


def exit_if_nothing_left(cfg, checkpoint: dict) -> None:
    """Refuse to resume a run that has already reached ``max_iters`` (it
    would end at once, having trained nothing)."""
    done = checkpoint.get('meta', {}).get('iter')
    max_iters = cfg.train_cfg.get('max_iters')
    if done is not None and max_iters is not None and done >= max_iters:
        raise UsageError(
            f'{cfg.load_from} is at iteration {done}, and the config '
            f'trains to {max_iters}: nothing is left to train. To train '
            f'longer, resume with --cfg-options train_cfg.max_iters=N '
            f'(N > {done}).')


def main():
    args = parse_args()
    cfg = load_config(args)
    if cfg.get('train_dataloader') is None:
        raise UsageError(f'{args.config} trains nothing (it has no '
                         'train_dataloader): it evaluates a trained model; '
                         'run it with tools/test.py CONFIG CHECKPOINT.')
    for key, value in (
            ('train_dataloader.batch_size',
             cfg.train_dataloader.get('batch_size')),
            ('train_cfg.max_iters', cfg.train_cfg.get('max_iters'))):
        if value is not None and not (isinstance(value, int) and value >= 1):
            raise UsageError(f'{key} must be a positive integer, got '
                             f'{value!r}.')

    if args.amp:
        if get_device() == 'cpu':
            raise UsageError(
                '--amp needs a GPU (mmengine\'s AmpOptimWrapper runs on '
                'CUDA, NPU, MLU or MUSA devices) and this machine has none; '
                'leave it out. On a CPU, models with autocast=\'auto\' '
                'already compute in bfloat16 where the CPU supports it.')
        for wrapper in cfg.optim_wrapper.values():
            if isinstance(wrapper, dict) and 'optimizer' in wrapper:
                wrapper['type'] = 'AmpOptimWrapper'
                wrapper.setdefault('loss_scale', 'dynamic')

    for path in remove_partial_saves(cfg.work_dir):
        print(f'Removed {path}, left by a save that was killed.')
    if args.resume == 'auto':
        cfg.load_from = checkpoint_to_resume(cfg.work_dir)
        cfg.resume = True
    elif args.resume is not None:
        if not osp.isfile(args.resume):
            raise MissingFileError(f'--resume {args.resume}: no such file.')
        cfg.resume = True
        cfg.load_from = args.resume
    elif cfg.get('resume') and not cfg.get('load_from'):
        # the config asks mmengine to resume when the work dir has a
        # checkpoint, and to start afresh when it has none
        if pointed_checkpoint(cfg.work_dir) is None:
            cfg.resume = False
        else:
            cfg.load_from = checkpoint_to_resume(cfg.work_dir)

    # read once for the checks below (mmengine reads it again to load it)
    checkpoint = (read_checkpoint(cfg.load_from) if cfg.get('load_from')
                  else None)
    earlier = saved_checkpoints(cfg.work_dir)
    if cfg.get('resume'):
        exit_if_nothing_left(cfg, checkpoint)
    elif earlier:
        names = ', '.join(map(osp.basename, earlier))
        raise UsageError(
            f'{cfg.work_dir} holds the checkpoints of an earlier run '
            f'({names}), which a new run would overwrite: continue that run '
            'with --resume, or give another --work-dir.')

    if args.auto_scale_lr:
        # every config's learning rates are those of its own batch on one
        # process (the "1xbN" of its name), so that is the base batch
        # unless the config names another
        base = Config.fromfile(args.config).train_dataloader.batch_size
        scale = dict(base_batch_size=base)
        scale.update(cfg.get('auto_scale_lr') or {})
        cfg.auto_scale_lr = dict(scale, enable=True)

    runner = Runner.from_cfg(cfg)
    if checkpoint is not None:
        check_checkpoint_fits(runner.model, cfg.load_from, checkpoint)
        del checkpoint  # the runner loads its own copy
    if cfg.get('resume'):
        runner.register_hook(ResumeSettingsHook())
    runner.train()


if __name__ == '__main__':
    run(main)
