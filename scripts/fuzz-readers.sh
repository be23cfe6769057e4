#!/usr/bin/env bash
# Builds and runs the libFuzzer targets in fuzz/ (one per format reader) for N seconds each on one
# core, niced. Usage: scripts/fuzz-readers.sh [seconds-per-target=600] [target...]
# Targets: fuzz_wlog fuzz_wdiff_sorted fuzz_wdiff_indexed (libFuzzer; need clang + libclang-rt from Debian)
# and fuzz_base_sums (the base image's integrity check, a TypeScript reader: scripts/fuzz-base-sums.mjs,
# needs npm run build).
# A crashing input is left in fuzz/artifacts/<target>/; the summary line per target goes to stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(fuzz_wlog fuzz_wdiff_sorted fuzz_wdiff_indexed fuzz_base_sums)
if printf "%s\n" "${targets[@]}" | grep -qv "^fuzz_base_sums$"; then
  command -v clang++ >/dev/null || { echo "clang++ not found: apt-get install -y clang libclang-rt-14-dev" >&2; exit 2; }
fi

out="${FUZZ_OUT:-${TMPDIR:-/tmp}/walbctl-fuzz}"
mkdir -p "$out"
srcs=(native/src/format/*.cc)
declare -A corpus=([fuzz_wlog]=wlog [fuzz_wdiff_sorted]=sorted [fuzz_wdiff_indexed]=indexed)

for t in "${targets[@]}"; do
  if [ "$t" = fuzz_base_sums ]; then
    echo "== $t: fuzzing for ${seconds}s"
    nice -n 10 node scripts/fuzz-base-sums.mjs "$seconds" | tail -1
    continue
  fi
  bin="$out/$t"
  nice -n 10 clang++ -std=c++17 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -Inative/src -Ifuzz "fuzz/$t.cc" "${srcs[@]}" -llz4 -lzstd -lsnappy -lz -llzma -o "$bin"
  work="$out/corpus-$t"
  mkdir -p "$work" "fuzz/artifacts/$t"
  cp -n "fuzz/corpus/${corpus[$t]}"/* "$work"/ 2>/dev/null || true
  log="$out/$t.log"
  echo "== $t: fuzzing for ${seconds}s (log $log)"
  set +e
  nice -n 10 "$bin" "$work" -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=262144 -timeout=20 \
    -artifact_prefix="fuzz/artifacts/$t/" -print_final_stats=1 >"$log" 2>&1
  rc=$?
  set -e
  runs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')
  cov=$(grep -E '#[0-9]+.*cov:' "$log" | tail -1 | sed -E 's/.*cov: ([0-9]+).*ft: ([0-9]+).*corp: ([0-9]+).*/cov \1 ft \2 corpus \3/')
  if [ $rc -eq 0 ]; then
    echo "$t: OK, ${runs:-?} executions in ${seconds}s, ${cov:-}, no crash"
  else
    echo "$t: FAILED (exit $rc), see $log and fuzz/artifacts/$t/"
    grep -m3 -E 'ERROR|SUMMARY' "$log" || true
  fi
done
