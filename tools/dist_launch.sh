#!/usr/bin/env bash
# Usage: tools/dist_launch.sh NUM_PROCESSES TOOL.py [TOOL arguments]
# Runs tools/TOOL.py in NUM_PROCESSES processes with torchrun (what
# dist_train.sh and dist_test.sh call). NNODES, NODE_RANK, PORT and
# MASTER_ADDR as in mmagic's launchers. The interpreter: $PYTHON if set, the
# active virtual or conda environment's python, the repository's .venv (made
# by tools/setup_env.sh), python on PATH, in that order.
set -eu
NPROC=$1
TOOL=$2
shift 2
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-"127.0.0.1"}
TOOLS="$(cd "$(dirname "$0")" && pwd)"

if [ -z "${PYTHON:-}" ]; then
  if [ -n "${VIRTUAL_ENV:-}${CONDA_PREFIX:-}" ] || [ ! -x "$TOOLS/../.venv/bin/python" ]; then
    PYTHON=python
  else
    PYTHON="$TOOLS/../.venv/bin/python"
  fi
fi
if ! "$PYTHON" -c 'import torch, mmengine' >/dev/null 2>&1; then
  echo "Error: $PYTHON cannot import torch and mmengine. Run 'bash tools/setup_env.sh' (it makes .venv, which this script then uses), activate the environment that has them, or set PYTHON=/path/to/python." >&2
  exit 1
fi

PYTHONPATH="$TOOLS/..":${PYTHONPATH:-} \
exec "$PYTHON" -m torch.distributed.run \
    --nnodes="$NNODES" --node_rank="$NODE_RANK" --master_addr="$MASTER_ADDR" \
    --nproc_per_node="$NPROC" --master_port="$PORT" \
    "$TOOLS/$TOOL" --launcher pytorch "$@"
