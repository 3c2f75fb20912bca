"""Command-line pieces shared by tools/train.py and tools/test.py."""
import argparse
import os
import os.path as osp
import sys

from mmengine.config import Config, DictAction

from mmcoop.utils import check_checkpoint_fits


def common_parser(description: str) -> argparse.ArgumentParser:
    """A parser with the options every mmagic tool takes."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings in the config, key=value pairs')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    return parser


def load_config(args: argparse.Namespace) -> Config:
    """The config with the command line's overrides and a work dir."""
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    cfg = Config.fromfile(args.config)
    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    return cfg


def exit_unless_checkpoint_fits(model, checkpoint: str) -> None:
    """Stop the tool with the reason if ``checkpoint`` does not fit."""
    try:
        check_checkpoint_fits(model, checkpoint)
    except ValueError as error:
        sys.exit(str(error))
