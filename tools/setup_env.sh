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

# pip's OSError "No space left on device" comes after minutes of work and
# leaves a half-made venv: check the room before making one (measured: the
# venv takes 6.2 GB, 4.1 GB of it torch's CUDA libraries, which its CPU code
# links). A venv being refreshed already holds most of that.
check_free_disk() {
  local need_mb="${MMCOOP_SETUP_NEEDS_MB:-8000}" parent="$VENV" free_mb
  while [ ! -d "$parent" ]; do parent="$(dirname "$parent")"; done
  free_mb="$(df -Pm "$parent" | awk 'NR == 2 {print $4}')"
  if [ "$free_mb" -lt "$need_mb" ]; then
    echo "setup_env: the pinned environment needs about $need_mb MB of free disk for $VENV; $parent has $free_mb MB free. Free some space there, or set MMCOOP_VENV to a folder on a disk with room." >&2
    exit 1
  fi
}

install_requirements() {
  echo "setup_env: installing the pinned environment into $VENV (first run: a few minutes)" >&2
  "$VENV/bin/python" -m pip install --quiet --upgrade pip >&2 || true
  "$VENV/bin/python" -m pip install --quiet -r "$ROOT/requirements.txt" >&2
  "$VENV/bin/python" -m pip install --quiet --no-deps -r "$ROOT/requirements-mmagic.txt" >&2
  "$VENV/bin/python" -m pip install --quiet --no-deps --no-build-isolation -e "$ROOT" >&2
  echo "$WANT" > "$STAMP"
}

if [ ! -x "$VENV/bin/python" ]; then
  check_free_disk
  "$PY" -m venv "$VENV"
  install_requirements
elif [ "$(cat "$STAMP" 2>/dev/null)" != "$WANT" ]; then
  install_requirements
fi
echo "$VENV/bin/python"
