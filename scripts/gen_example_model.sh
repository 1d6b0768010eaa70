#!/usr/bin/env bash
# nnc: generates the main job's model into examples/models/mobilenet_v2/ (skipped when up to date).
# torchvision's mobilenet_v2 with seeded, conditioned weights, its input and torch's outputs, written by
# scripts/gen_torchvision_models.py; regenerated when missing or older than the generator (~10 s).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
gen="$root/scripts/gen_torchvision_models.py"
models="$root/examples/models"
meta="$models/mobilenet_v2/meta.json"   # written last by the generator: marks a complete model
if [[ -f "$meta" && "$meta" -nt "$gen" ]]; then
  echo "gen_example_model: up to date ($models/mobilenet_v2)"
  exit 0
fi
if ! /usr/bin/python3 -c 'import torch, torchvision, onnx, numpy' 2>/dev/null; then
  echo "gen_example_model: error: /usr/bin/python3 cannot import torch, torchvision, onnx and numpy, needed to" \
       "generate examples/models/mobilenet_v2 (fix: run scripts/install-deps.sh, or apt-get install" \
       "python3-torch python3-torchvision python3-onnx python3-numpy)" >&2
  exit 1
fi
/usr/bin/python3 "$gen" --force --out "$models" mobilenet_v2
