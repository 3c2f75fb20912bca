#!/usr/bin/env bash
# Set up the pinned environment if needed, then run the test suite.
# Extra arguments go to pytest, e.g. tools/run_tests.sh -k langevin
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON="$(bash "$ROOT/tools/setup_env.sh")"
cd "$ROOT"
exec "$PYTHON" -m pytest -q "$@" tests
