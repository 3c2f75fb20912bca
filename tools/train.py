"""Train a model from a config: ``python tools/train.py CONFIG [options]``.

mmagic's own ``tools/train.py`` with one difference: ``mmcoop`` (and with it
its compatibility fixes) is imported before anything from mmagic, which
the stock tool imports too early for a config's ``custom_imports`` to help.
"""
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
import mmcoop  # noqa: E402,F401  (must come first: compatibility fixes)
from mmengine.runner import Runner  # noqa: E402

from tool_args import (  # noqa: E402
    common_parser, exit_unless_checkpoint_fits, load_config)


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


def main():
    args = parse_args()
    cfg = load_config(args)

    if args.amp:
        for wrapper in cfg.optim_wrapper.values():
            if isinstance(wrapper, dict) and 'optimizer' in wrapper:
                wrapper['type'] = 'AmpOptimWrapper'
                wrapper.setdefault('loss_scale', 'dynamic')

    if args.resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif args.resume is not None:
        cfg.resume = True
        cfg.load_from = args.resume

    if args.auto_scale_lr:
        cfg.auto_scale_lr = dict(cfg.get('auto_scale_lr', {}), enable=True)

    runner = Runner.from_cfg(cfg)
    if cfg.get('load_from'):
        exit_unless_checkpoint_fits(runner.model, cfg.load_from)
    runner.train()


if __name__ == '__main__':
    main()
