#!/usr/bin/env bash
# Usage: tools/dist_test.sh CONFIG CHECKPOINT NUM_PROCESSES [test.py options]
# (NNODES, NODE_RANK, PORT, MASTER_ADDR, PYTHON: see tools/dist_launch.sh)
exec bash "$(dirname "$0")/dist_launch.sh" "$3" test.py "$1" "$2" "${@:4}"
