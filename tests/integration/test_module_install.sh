#!/usr/bin/env bash
# `cmake --install` gives what an out-of-tree policy module needs: the example module builds in a
# folder of its own with find_package(cachelab), and the result loads (its create() runs).
set -euo pipefail
cachelab="$1"
build_dir="$(dirname "$cachelab")"
source_dir="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
test -f "$work/prefix/include/cachelab/policy_module.h"
cp -r "$source_dir/examples/policy-modules/clock-c" "$work/clock-c"
cmake -S "$work/clock-c" -B "$work/build" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/build" >/dev/null
test -f "$work/build/clock.so"
nm -D --defined-only "$work/build/clock.so" | grep -q " T cachelab_policy_module_init$"
echo "out-of-tree module built and exports cachelab_policy_module_init"
