#!/usr/bin/env bash
# Installs what Octet needs to build and test on Debian 12, from Debian's own
# packages (clang and its runtimes for the sanitized build and libFuzzer).
# Runs as root (or through sudo when it is there).
set -euo pipefail
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
  g++ cmake ninja-build make pkg-config \
  libeigen3-dev libxsimd-dev catch2 \
  python3 python3-numpy python3-onnx python3-torch python3-torchvision python3-sklearn \
  g++-aarch64-linux-gnu qemu-user \
  clang libclang-rt-14-dev \
  > /dev/null
echo "octet: dependencies installed"
