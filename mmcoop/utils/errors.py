"""Errors the user can fix: tools print their message alone and exit 1.

Every check of mmcoop's own (settings, data, checkpoints, a diverged run)
raises a :class:`UsageError`; ``tools/*.py`` turn it into one short
message after the config dump and a non-zero exit code, while any other
exception keeps its traceback, since it is a bug. The concrete classes
also derive from the builtin a caller would catch (``ValueError``,
``FileNotFoundError``), so code written against those keeps working.
"""


class UsageError(Exception):
    """Marks an error whose message tells the user what to change."""


class SettingError(UsageError, ValueError):
    """A setting, input or file content that cannot work."""


class MissingFileError(UsageError, FileNotFoundError):
    """A file or folder that a setting names does not exist."""


def user_message(error: BaseException) -> str:
    """The message of ``error`` without the traceback text that PyTorch's
    DataLoader workers put in front of an exception they pass on."""
    text = str(error)
    if 'Original Traceback' in text:
        last = text.strip().splitlines()[-1]
        text = last.split(': ', 1)[1] if ': ' in last else last
    return text
