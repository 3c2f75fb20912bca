"""Command-line pieces shared by tools/train.py, test.py and sample.py."""
import argparse
import errno
import os
import os.path as osp
import sys

from mmengine.config import Config, DictAction

from mmcoop.utils import (MissingFileError, UsageError, check_config_keys,
                          check_override_keys, user_message)


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


def read_config(path: str, options: dict = None) -> Config:
    """The config file at ``path`` with ``options`` merged in, its keys
    checked (:mod:`mmcoop.utils.config_keys`)."""
    if not osp.isfile(path):
        raise MissingFileError(f'Config file {path!r} does not exist; the '
                               'configs are under configs/, e.g. '
                               'configs/coopnets/.')
    cfg = Config.fromfile(path)
    if options:
        check_override_keys(cfg, options)
        cfg.merge_from_dict(options)
    check_config_keys(cfg)
    return cfg


def load_config(args: argparse.Namespace) -> Config:
    """The config with the command line's overrides and a work dir."""
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    cfg = read_config(args.config, args.cfg_options)
    cfg.launcher = args.launcher
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    return cfg


def run(main) -> None:
    """Call ``main``; an error the user can fix ends the tool with its
    message alone and exit code 1 (tracebacks are for bugs)."""
    try:
        main()
    except UsageError as error:
        sys.exit(f'Error: {user_message(error)}')
    except OSError as error:
        if error.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        sys.exit(f'Error: no space left to write {error.filename or "a file"}'
                 ' (the disk or quota is full). Files written before are '
                 'intact (checkpoints are written whole or not at all); free '
                 'some space and continue with --resume.')
