# Sourced by tools/dist_train.sh and tools/dist_test.sh: sets PYTHON to the
# interpreter that runs mmcoop, or exits with what to do.
# Order: $PYTHON if set; the active virtual or conda environment's python;
# the repository's .venv (made by tools/setup_env.sh); python on PATH.
_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -z "${PYTHON:-}" ]; then
  if [ -n "${VIRTUAL_ENV:-}${CONDA_PREFIX:-}" ] || [ ! -x "$_ROOT/.venv/bin/python" ]; then
    PYTHON=python
  else
    PYTHON="$_ROOT/.venv/bin/python"
  fi
fi
if ! "$PYTHON" -c 'import torch, mmengine' >/dev/null 2>&1; then
  echo "Error: $PYTHON cannot import torch and mmengine. Run 'bash tools/setup_env.sh' (it makes .venv, which this script then uses), activate the environment that has them, or set PYTHON=/path/to/python." >&2
  exit 1
fi
