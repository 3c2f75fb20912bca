#!/usr/bin/env bash
# Quickstart: set up the pinned environment if needed, then train CoopNets on
# the brick texture that ships inside scikit-image (no download), on CPU or
# GPU. Writes checkpoints, logs, sample grids and result.png (the texture
# beside samples of the trained model) to a new work_dirs/demo-<date-time>
# (or $1).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON="$(bash "$ROOT/tools/setup_env.sh")"
WORK_DIR="${1:-work_dirs/demo-$(date +%Y%m%d-%H%M%S)}"
cd "$ROOT"
CONFIG=configs/coopnets/coopnets-demo_1xb32-300iters_brick-64x64.py
"$PYTHON" tools/train.py "$CONFIG" --work-dir "$WORK_DIR" "${@:2}"
"$PYTHON" tools/beside_training_image.py "$CONFIG" "$(cat "$WORK_DIR/last_checkpoint")" \
  --num 16 --nrow 4 --out "$WORK_DIR/result.png"
echo "Done. The training image beside 16 samples: $WORK_DIR/result.png"
echo "Sample grids during training: $WORK_DIR/*/vis_data/vis_image/"
