"""Command-line pieces shared by tools/train.py, test.py and sample.py."""
import argparse
import errno
import os
import os.path as osp
import sys

from mmengine.config import Config, DictAction

from mmcoop.utils import (MissingFileError, SettingError, UsageError,
                          check_config_keys, check_override_keys,
                          user_message)


class KeyValueOptions(DictAction):
    """mmengine's ``DictAction`` (key=value pairs), with a usage error
    instead of a traceback for an item without '='."""

    def __call__(self, parser, namespace, values, option_string=None):
        for item in values:
            if '=' not in item or item.startswith('='):
                parser.error(f'{option_string} takes key=value pairs, got '
                             f'{item!r}.')
        super().__call__(parser, namespace, values, option_string)


def common_parser(description: str) -> argparse.ArgumentParser:
    """A parser with the options every mmagic tool takes."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=KeyValueOptions,
        help='override settings in the config, key=value pairs')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    return parser


IMAGE_SUFFIXES = ('.png', '.jpg', '.jpeg', '.bmp', '.webp', '.tif', '.tiff')


def image_path(path: str) -> str:
    """argparse type: a path OpenCV can write an image to."""
    if not path.lower().endswith(IMAGE_SUFFIXES):
        raise argparse.ArgumentTypeError(
            f'{path!r}: name an image file ({", ".join(IMAGE_SUFFIXES)}).')
    return path


def metrics_path(path: str) -> str:
    """argparse type: a file mmengine's ``dump`` can write metrics to."""
    if not path.lower().endswith(('.json', '.yaml', '.yml', '.pkl',
                                  '.pickle')):
        raise argparse.ArgumentTypeError(
            f'{path!r}: metrics are written as .json, .yaml or .pkl.')
    return path


def device(name: str) -> str:
    """argparse type: a torch device this machine has."""
    import torch
    try:
        kind = torch.device(name).type
    except RuntimeError:
        raise argparse.ArgumentTypeError(f'{name!r} is not a torch device '
                                         "(e.g. 'cpu', 'cuda', 'cuda:1').")
    if kind == 'cuda' and not torch.cuda.is_available():
        raise argparse.ArgumentTypeError(f'{name!r}: this machine has no '
                                         "CUDA GPU; use 'cpu'.")
    return name


def read_config(path: str, options: dict = None) -> Config:
    """The config file at ``path`` with ``options`` merged in, its keys
    checked (:mod:`mmcoop.utils.config_keys`)."""
    if not osp.isfile(path):
        raise MissingFileError(f'Config file {path!r} does not exist; the '
                               'configs are under configs/, e.g. '
                               'configs/coopnets/.')
    try:
        cfg = Config.fromfile(path)
    except SyntaxError as error:
        raise SettingError(f'{path}, line {error.lineno}: '
                           f'{error.msg}; fix the config\'s Python.')
    except FileNotFoundError as error:  # a _base_ file that does not exist
        raise MissingFileError(f'{path}: {error}') from error
    if options:
        check_override_keys(cfg, options)
        cfg.merge_from_dict(options)
    check_config_keys(cfg)
    return cfg


def load_config(args: argparse.Namespace) -> Config:
    """The config with the command line's overrides and a work dir."""
    if args.launcher == 'pytorch' and 'RANK' not in os.environ:
        raise UsageError('--launcher pytorch runs under torchrun, which sets '
                         'RANK and WORLD_SIZE; start several processes with '
                         'tools/dist_train.sh CONFIG N (or dist_test.sh).')
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
    except KeyboardInterrupt:
        print('Interrupted. The checkpoints written so far are intact '
              '(each is written whole or not at all); continue with '
              '--resume.', file=sys.stderr)
        sys.exit(130)
    except PermissionError as error:
        sys.exit(f'Error: no permission to write {error.filename!r}; choose '
                 'a --work-dir (or output path) you can write to.')
    except (FileExistsError, NotADirectoryError) as error:
        sys.exit(f'Error: {error.filename!r} is in the way: a file where a '
                 'folder is needed (or the reverse); choose another '
                 '--work-dir or output path.')
    except OSError as error:
        if error.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        sys.exit(f'Error: no space left to write {error.filename or "a file"}'
                 ' (the disk or quota is full). Files written before are '
                 'intact (checkpoints are written whole or not at all); free '
                 'some space and continue with --resume.')
