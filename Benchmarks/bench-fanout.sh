#!/usr/bin/env bash
# `make bench-fanout`: starts `latitude serve` (rate limits lifted, a temporary database;
# the encoder loaded for the HTTP-load phase) and the pycrdt-websocket reference server,
# then the native load generator `latitude bench fanout --http-load` against both, in one
# run. The last stdout line is one JSON
# object (see README). The reference runs in .venv-bench (the package's bench extra).
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -n 8192 2>/dev/null || ulimit -n "$(ulimit -Hn)"
venv=.venv-bench
cache=.cache/bench
mkdir -p "$cache"
make --no-print-directory .venv-bench/.installed >&2  # the bench extra of python/ (once; torch is large)
updates="$cache/yjs-updates-50x3000.bin"
[ -s "$updates" ] || "$venv/bin/python" -m latitude_tools.bench.yjs_reference updates --clients 50 --count 3000 --out "$updates"

swift build -c release --static-swift-stdlib --product latitude >&2
swift build -c release --static-swift-stdlib --product latitude-bench >&2
work=$(mktemp -d)
cleanup() {
  kill "${server:-}" "${reference:-}" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

port_of() {  # waits for "serving on HOST:PORT" in a log and prints PORT
  for _ in $(seq 200); do
    port=$(grep -o 'serving on [^ ]*' "$1" | sed 's/.*://' || true)
    [ -n "$port" ] && { echo "$port"; return; }
    sleep 0.1
  done
  cat "$1" >&2
  return 1
}

export OPENBLAS_CORETYPE="${OPENBLAS_CORETYPE:-$(scripts/blas-coretype.sh)}"
.build/release/latitude serve --port 0 --db "$work/fanout.sqlite" --no-decoder \
  --frames-per-second 1000000 --frame-burst 1000000 2> "$work/server.log" &
server=$!
"$venv/bin/python" -m latitude_tools.bench.yjs_reference serve --port 0 2> "$work/reference.log" &
reference=$!
latitude_port=$(port_of "$work/server.log")
reference_port=$(port_of "$work/reference.log")
.build/release/latitude-bench fanout --port "$latitude_port" --server-pid "$server" \
  --reference-port "$reference_port" --reference-updates "$updates" --http-load "$@"
