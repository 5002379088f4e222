#!/usr/bin/env bash
# libFuzzer targets of Latitude (Tests/Fuzz): a client frame through decoding, validation and
# the room; an op through validation and the fold; op.apply through the plugin host with the
# built-in plugins, natively and as WebAssembly (builtin-ops.wasm, built here with
# scripts/build-wasm-plugin.sh); HTTP request lines and query strings through the router;
# NDJSON import.
#
#   scripts/fuzz.sh            build with -sanitize=fuzzer,address and run every target for
#                              FUZZ_SECONDS (default 45) each; a crash fails the run and its
#                              input is kept in Tests/Fuzz/crashes/ (commit it)
#   scripts/fuzz.sh --replay   replay the seed corpora and every kept crash input through
#                              the plain debug build (.build/debug/latitude-fuzz)
# FUZZ_TARGETS limits the targets ("frame fold plugin wasm http ndjson").
set -euo pipefail
cd "$(dirname "$0")/.."
TARGETS=${FUZZ_TARGETS:-"frame fold plugin wasm http ndjson"}
export OPENBLAS_CORETYPE="${OPENBLAS_CORETYPE:-$(scripts/blas-coretype.sh)}"
export ASAN_OPTIONS="detect_leaks=0:halt_on_error=1"
# The wasm target's plugin: the built-in operations compiled to WebAssembly.
export LATITUDE_FUZZ_WASM=.build/wasm-fuzz
mkdir -p "$LATITUDE_FUZZ_WASM"
scripts/build-wasm-plugin.sh "$LATITUDE_FUZZ_WASM/builtin-ops.wasm" Plugins/builtin-ops/builtin_ops.c \
  Plugins/builtin-ops/params.c -- -I Plugins/builtin-ops/include
echo '{"name": "builtin-ops", "version": "1.0.0"}' >"$LATITUDE_FUZZ_WASM/builtin-ops.json"

if [ "${1:-}" = "--replay" ]; then
  for target in $TARGETS; do
    shopt -s nullglob
    crashes=(Tests/Fuzz/crashes/"$target"-*)
    .build/debug/latitude-fuzz "$target" "Tests/Fuzz/corpus/$target" "${crashes[@]}"
  done
  exit 0
fi

SECONDS_EACH=${FUZZ_SECONDS:-45}
# Coverage instrumentation for libFuzzer on every Swift module, AddressSanitizer on all
# code, and libFuzzer's driver without its main (SwiftPM owns the executable's entry).
RESOURCES=$(swiftc -print-target-info | python3 -c 'import json,sys; print(json.load(sys.stdin)["paths"]["runtimeResourcePath"])')
FUZZER_LIB=$(find "$(dirname "$RESOURCES")/clang" -name 'libclang_rt.fuzzer_no_main-x86_64.a' | head -1)
test -n "$FUZZER_LIB" || { echo "libFuzzer (libclang_rt.fuzzer_no_main) not found in the Swift toolchain" >&2; exit 1; }
swift build --scratch-path .build-fuzz --product latitude-fuzz --sanitize=address \
  -Xswiftc -Xfrontend -Xswiftc -sanitize=fuzzer -Xswiftc -DLATITUDE_FUZZ \
  -Xlinker "$FUZZER_LIB" -Xlinker -lstdc++
# The plugin target loads the built-in plugins of the debug build.
test -e .build/debug/libLatitudeBuiltinOps.so || swift build --product LatitudeBuiltinOps
failed=0
summary="{"
for target in $TARGETS; do
  work=.build-fuzz/work/$target
  log=.build-fuzz/work/$target.log
  mkdir -p "$work"
  if LATITUDE_FUZZ_TARGET=$target LATITUDE_FUZZ_PLUGINS=.build/debug \
    .build-fuzz/debug/latitude-fuzz -max_total_time="$SECONDS_EACH" -rss_limit_mb=6000 \
    -max_len=65536 -timeout=30 -print_final_stats=1 \
    -artifact_prefix="Tests/Fuzz/crashes/$target-" "$work" "Tests/Fuzz/corpus/$target" >"$log" 2>&1; then
    status=ok
  else
    status=crash
    failed=1
    echo "fuzz $target: CRASH; the input is in Tests/Fuzz/crashes/$target-* (commit it as a regression input)" >&2
    tail -60 "$log" >&2
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo 0)
  features=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo 0)
  corpus=$(ls "$work" | wc -l)
  echo "fuzz $target: $status, ${runs:-0} executions in ${SECONDS_EACH}s, coverage ${cov:-0} edges, ${features:-0} features, $corpus new corpus inputs"
  summary+="\"$target\":{\"status\":\"$status\",\"executions\":${runs:-0},\"edges\":${cov:-0},\"features\":${features:-0}},"
done
echo "${summary%,}}"
exit $failed
