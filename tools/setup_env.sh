#!/usr/bin/env bash
# Create (or refresh) the pinned environment in .venv and print its python.
# Idempotent: reinstalls only when the requirement files change.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENV="${MMCOOP_VENV:-$ROOT/.venv}"
PY="${PYTHON:-}"
if [ -z "$PY" ]; then
  for candidate in python3.11 python3 python; do
    if command -v "$candidate" >/dev/null 2>&1; then PY="$candidate"; break; fi
  done
fi
[ -n "$PY" ] || { echo "setup_env: no python found; install Python 3.11" >&2; exit 1; }
"$PY" -c 'import sys; sys.exit(sys.version_info[:2] < (3, 10))' || {
  echo "setup_env: $("$PY" --version) is too old; mmcoop needs Python 3.10+ (3.11 tested)" >&2; exit 1; }

STAMP="$VENV/.mmcoop-requirements"
WANT="$(cat "$ROOT/requirements.txt" "$ROOT/requirements-mmagic.txt" | sha256sum | cut -d' ' -f1)"
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$WANT" ]; then
  if [ ! -x "$VENV/bin/python" ]; then
    # pip's OSError "No space left on device" comes after minutes of work and
    # leaves a half-made venv: check the room first (measured: the venv takes
    # 6.2 GB, 4.1 GB of it torch's CUDA libraries, which its CPU code links).
    # A venv being refreshed already holds most of that, so it is not checked.
    NEED_MB="${MMCOOP_SETUP_NEEDS_MB:-8000}"
    PARENT="$VENV"
    while [ ! -d "$PARENT" ]; do PARENT="$(dirname "$PARENT")"; done
    FREE_MB="$(df -Pm "$PARENT" | awk 'NR == 2 {print $4}')"
    if [ "$FREE_MB" -lt "$NEED_MB" ]; then
      echo "setup_env: the pinned environment needs about $NEED_MB MB of free disk for $VENV; $PARENT has $FREE_MB MB free. Free some space there, or set MMCOOP_VENV to a folder on a disk with room." >&2
      exit 1
    fi
  fi
  echo "setup_env: installing the pinned environment into $VENV (first run: a few minutes)" >&2
  [ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip >&2 || true
  "$VENV/bin/python" -m pip install --quiet -r "$ROOT/requirements.txt" >&2
  "$VENV/bin/python" -m pip install --quiet --no-deps -r "$ROOT/requirements-mmagic.txt" >&2
  "$VENV/bin/python" -m pip install --quiet --no-deps --no-build-isolation -e "$ROOT" >&2
  echo "$WANT" > "$STAMP"
fi
echo "$VENV/bin/python"
