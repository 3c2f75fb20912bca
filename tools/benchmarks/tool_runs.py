"""Running the project's tools from the benchmark scripts: one thread
count per run (runs side by side share the cores) and whole output lines
from whichever run prints."""
import os
import subprocess
import threading

from config_overrides import REPO


class RunFailed(Exception):
    """A tool run failed (not a divergence the guard recorded)."""


_print_lock = threading.Lock()


def usable_cores() -> int:
    """The cores this process may run on: those of its CPU affinity
    (``taskset``, a batch system's or container's cpuset) where the system
    has one, else all of the machine's."""
    if hasattr(os, 'sched_getaffinity'):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def threads_per_job(jobs: int) -> int:
    """Threads for each of ``jobs`` runs side by side: the usable cores
    divided among them, at least one."""
    return max(1, usable_cores() // jobs)


def say(text):
    """Print a whole line at once, whichever run's thread says it."""
    with _print_lock:
        print(text, flush=True)


def run(command, label, threads, progress=None, diverged=None):
    """Run a tool with ``threads`` threads, echoing its command;
    ``progress`` sees each output line.

    A failed run raises :class:`RunFailed` unless ``diverged``, a function
    of no arguments, returns what made it stop (a training run that
    DivergenceGuardHook stopped); that is then returned. Else None.
    """
    say(f'  {label}: {" ".join(command[1:])}')
    env = dict(os.environ, OMP_NUM_THREADS=str(threads),
               MKL_NUM_THREADS=str(threads))
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, env=env)
    tail = []
    for line in process.stdout:
        tail = (tail + [line])[-60:]
        if progress:
            progress(line)
    if process.wait() != 0:
        stopped = diverged() if diverged else None
        if stopped is None:
            raise RunFailed(f'{label} failed:\n{"".join(tail)}')
        return stopped
    return None
