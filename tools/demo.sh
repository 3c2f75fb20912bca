#!/usr/bin/env bash
# Quickstart: set up the pinned environment if needed, then train CoopNets on
# the gravel texture that ships inside scikit-image (no download), on CPU or
# GPU. Writes checkpoints, logs and sample grids to a new
# work_dirs/demo-<date-time> (or $1).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON="$(bash "$ROOT/tools/setup_env.sh")"
WORK_DIR="${1:-work_dirs/demo-$(date +%Y%m%d-%H%M%S)}"
cd "$ROOT"
"$PYTHON" tools/train.py configs/coopnets/coopnets-demo_1xb32-500iters_gravel-64x64.py \
  --work-dir "$WORK_DIR" "${@:2}"
GRID="$(ls -t "$WORK_DIR"/*/vis_data/vis_image/revised_*.png | head -n 1)"
echo "Done. Latest sample grid (descriptor-revised samples): $GRID"
echo "Generator's direct samples: ${GRID/revised_/generator_}"
