"""Evaluate a checkpoint: ``python tools/test.py CONFIG [CHECKPOINT]``.

mmagic's own ``tools/test.py`` with ``mmcoop`` imported first (see
``tools/train.py``). The checkpoint may be left out only for models without
learned weights (e.g. ``OpenCVInpaintor``).
"""
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
import mmcoop  # noqa: E402,F401  (must come first: compatibility fixes)
from mmengine.fileio import dump  # noqa: E402
from mmengine.runner import Runner  # noqa: E402

from mmcoop.utils import (  # noqa: E402
    MissingFileError, UsageError, check_checkpoint_fits)
from tool_args import (  # noqa: E402
    common_parser, load_config, metrics_path, run)


def parse_args():
    parser = common_parser('Test (and evaluate) a model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument(
        'checkpoint',
        nargs='?',
        help='checkpoint file (omit for models without weights)')
    parser.add_argument('--work-dir', help='the dir to save logs and results')
    parser.add_argument(
        '--out', type=metrics_path,
        help='dump the metrics to this file (.json, .yaml or .pkl)')
    return parser.parse_args()


def main():
    args = parse_args()
    if args.checkpoint and not osp.isfile(args.checkpoint):
        raise MissingFileError(
            f'Checkpoint {args.checkpoint!r} does not exist.')
    cfg = load_config(args)
    if cfg.get('test_dataloader') is None or cfg.get('test_evaluator') is None:
        raise UsageError(f'{args.config} has no test set and metric '
                         '(test_dataloader, test_evaluator); evaluate with '
                         'a config that has them, or write samples with '
                         'tools/sample.py.')
    cfg.load_from = args.checkpoint

    runner = Runner.from_cfg(cfg)
    if not args.checkpoint and any(True for _ in runner.model.parameters()):
        raise UsageError(f'{type(runner.model).__name__} has learned '
                         'weights: give the checkpoint to evaluate after the '
                         'config.')
    if args.checkpoint:
        check_checkpoint_fits(runner.model, args.checkpoint)
    metrics = runner.test()
    if metrics is None:
        # mmagic's MultiTestLoop returns nothing; mmengine's RuntimeInfoHook
        # has put the metrics in the message hub as 'test/<name>'
        timing = {'test/time', 'test/data_time'}
        metrics = {
            key[len('test/'):]: buffer.current()
            for key, buffer in runner.message_hub.log_scalars.items()
            if key.startswith('test/') and key not in timing
        }
    if args.out:
        dump(metrics, args.out)


if __name__ == '__main__':
    run(main)
