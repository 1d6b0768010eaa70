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
)

missing=()
for p in "${PACKAGES[@]}"; do
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
