#!/usr/bin/env bash
# nnc realmodels: ctest fixture: generates the torchvision models once (skips when Debian's Python lacks torch).
set -uo pipefail
out=$1 src=$2
if ! /usr/bin/python3 -c "import torch, torchvision, numpy, onnx" 2>/dev/null; then
  echo "SKIP: /usr/bin/python3 lacks torch/torchvision/numpy/onnx; install python3-torch python3-torchvision python3-numpy python3-onnx (scripts/install-deps.sh)"
  exit 77
fi
exec /usr/bin/python3 "$src/scripts/gen_torchvision_models.py" --out "$out"
