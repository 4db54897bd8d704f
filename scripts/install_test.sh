#!/usr/bin/env bash
# Installs a built tree into a fresh prefix and uses it as an embedding
# program would (the ctest `install_example`):
#   1. every installed header compiles on its own (C++; octet.h also as C);
#   2. examples/classify_digit builds with find_package(Octet) and with
#      pkg-config, and both classify the bundled digit (a 9).
#
#   bash scripts/install_test.sh BUILD_DIR
#
# A sanitized build's library needs its sanitizer runtime in the example:
# CC names the C compiler and OCTET_EXAMPLE_LDFLAGS adds link flags.
set -euo pipefail
cc="${CC:-cc}"
ldflags="${OCTET_EXAMPLE_LDFLAGS:-}"
build="$(cd "$1" && pwd)"
src="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
prefix="$work/prefix"
cmake --install "$build" --prefix "$prefix" > /dev/null

cd "$prefix/include/octet"
for h in $(find . -name '*.h' | sort); do
  echo "#include \"${h#./}\"" | g++ -std=c++17 -fsyntax-only -I"$prefix/include/octet" -x c++ - \
    || { echo "install_test: installed header ${h#./} does not compile on its own"; exit 1; }
done
echo '#include <octet.h>' | "$cc" -std=c99 -Wall -Werror -fsyntax-only -I"$prefix/include" -x c -
cd "$src"

model="$src/models/bundled/digits_cnn.onnx"
check() {
  local out
  out="$("$@")"
  echo "$out"
  [[ "$out" == "digit 9 "* ]] || { echo "install_test: expected digit 9 from $1"; exit 1; }
}
cmake -S examples/classify_digit -B "$work/cmake-build" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_COMPILER="$cc" \
  -DCMAKE_EXE_LINKER_FLAGS="$ldflags" > /dev/null
cmake --build "$work/cmake-build" > /dev/null
check "$work/cmake-build/classify_digit" "$model"

export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
# shellcheck disable=SC2046  # pkg-config's flags are meant to split
# shellcheck disable=SC2086  # so are the extra link flags
"$cc" -std=c99 -Wall -Werror examples/classify_digit/main.c $(pkg-config --cflags --libs octet) $ldflags \
  -o "$work/classify_digit_pc"
check "$work/classify_digit_pc" "$model"
echo "install_test: headers, CMake package and pkg-config all work"
