#!/usr/bin/env bash
# nnc: one-step set-up: installs dependencies, configures, builds (build/, or $NNC_BUILD_DIR) and
# generates the main job's example model (examples/models/mobilenet_v2/, torchvision, seeded weights).
# Environment: NNC_BUILD_DIR (default build), NNC_SANITIZE=ON for ASan+UBSan, NNC_BUILD_TYPE.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${NNC_BUILD_DIR:-$root/build}
"$root/scripts/install-deps.sh"
cmake -S "$root" -B "$build" -G Ninja \
  -DCMAKE_BUILD_TYPE="${NNC_BUILD_TYPE:-RelWithDebInfo}" \
  -DNNC_SANITIZE="${NNC_SANITIZE:-OFF}" >/dev/null
cmake --build "$build" -j"${NNC_JOBS:-$(nproc)}"
echo "setup: built into $build (host: $build/bin/host)"

"$root/scripts/gen_example_model.sh"   # the main job's model: examples/models/mobilenet_v2/
