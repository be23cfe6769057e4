#!/usr/bin/env bash
# Runs the data path's tests (test/native/*.test.ts) against a copy of the addon built with
# AddressSanitizer + UndefinedBehaviorSanitizer. The sanitized addon goes to its own directory (never
# build/, which other processes load) and is picked up through WALBCTL_NATIVE.
# Usage: scripts/asan-native.sh [vitest file filters...]   (default: every test/native/*.test.ts)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${ASAN_OUT:-${TMPDIR:-/tmp}/walbctl-asan}"
mkdir -p "$out/obj"
nodeinc="$(npm config get nodedir 2>/dev/null || echo /usr)/include/node"
[ -f "$nodeinc/node_api.h" ] || nodeinc=/usr/include/node
napi="$(node -p "require('node-addon-api').include_dir")"
flags=(-std=c++17 -O1 -g -fPIC -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
  -DNAPI_VERSION=8 -DNODE_ADDON_API_DISABLE_DEPRECATED -DNAPI_CPP_EXCEPTIONS -fexceptions
  -Inative/src -I"$napi" -I"$nodeinc")
objs=()
# Only the addon's own sources plus this area's: every .cc under native/src, as binding.gyp does.
for src in $(node native/gyp-sources.mjs); do
  obj="$out/obj/$(echo "$src" | tr '/' '_').o"
  if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ -n "$(find native/src -name '*.h' -newer "$obj" -print -quit)" ]; then
    echo "compiling $src" >&2
    nice g++ "${flags[@]}" -c "$src" -o "$obj"
  fi
  objs+=("$obj")
done
g++ -shared -fsanitize=address,undefined -o "$out/walb_native.node" "${objs[@]}" -llz4 -lzstd -lsnappy -lz -llzma -lxxhash
echo "sanitized addon: $out/walb_native.node" >&2

filters=("$@")
[ ${#filters[@]} -eq 0 ] && filters=(test/native/*.test.ts)  # this area's files, not archive/ storage/ wdev/
export WALBCTL_NATIVE="$out/walb_native.node"
export LD_PRELOAD="$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libubsan.so)"
# Node itself is not built with ASan: leaks at exit and its own allocator tricks are not ours.
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:halt_on_error=1:allocator_may_return_null=1:detect_odr_violation=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
npx vitest run "${filters[@]}"
echo "asan-native: the data-path tests passed under AddressSanitizer + UBSan"
