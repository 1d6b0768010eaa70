#!/usr/bin/env bash
# nnc: installs the Debian 12 packages needed to build and test nnc (run as root; idempotent).
set -euo pipefail

PACKAGES=(
  cmake ninja-build g++ ccache pkg-config git
  libboost-dev libboost-program-options-dev   # Boost.DLL (header-only) + program_options
  libtomlplusplus-dev                         # pipeline TOML
  nlohmann-json3-dev libfmt-dev zlib1g-dev    # JSON dumps, formatting, .npz
  libonnx-dev libprotobuf-dev protobuf-compiler  # ONNX frontend and writer
  libgtest-dev libgmock-dev                   # tests
  libonnx-testdata                            # ONNX backend conformance cases (tests/conformance)
  python3-torch python3-torchvision python3-numpy python3-onnx  # real-model tests (/usr/bin/python3)
  libopenblas0-pthread libopenblas-dev        # GEMM of the reference executor (also Debian's torch)
  nodejs npm                                  # ONNX Runtime peer (../shared/tools/ort)
  libflatbuffers-dev flatbuffers-compiler     # TFLite frontend and writer
  libhdf5-dev                                 # Keras .h5 frontend
  libyaml-cpp-dev                             # hb_compile YAML configurations
  libjpeg62-turbo-dev libpng-dev              # image folders as calibration data
  python3-opencv python3-pyarmnn libarmnn-cpuref-backend22 python3-h5py # independent readers the frontend tests compare with (ArmNN needs its CpuRef backend package)
  python3-sklearn                             # the digits data set of the quantization evidence
)

missing=()
for p in "${PACKAGES[@]}"; do
  # node/npm from another source (e.g. NodeSource, which bundles npm) are fine as they are.
  case $p in nodejs) command -v node >/dev/null && continue ;; npm) command -v npm >/dev/null && continue ;; esac
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages: ${missing[*]}; run this script as root (or with sudo)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
