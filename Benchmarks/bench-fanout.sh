#!/usr/bin/env bash
# `make bench-fanout`: starts `latitude serve` (rate limits lifted, no encoder, a temporary
# database) and the native load generator `latitude bench fanout` against it. The last
# stdout line is one JSON object (see README).
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -n 8192 2>/dev/null || ulimit -n "$(ulimit -Hn)"
swift build -c release --product latitude >&2
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
.build/release/latitude serve --port 0 --db "$work/fanout.sqlite" --no-encoder \
  --frames-per-second 1000000 --frame-burst 1000000 2> "$work/server.log" &
server=$!
for _ in $(seq 100); do
  port=$(grep -o 'serving on [^ ]*' "$work/server.log" | sed 's/.*://' || true)
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { cat "$work/server.log" >&2; exit 1; }
.build/release/latitude bench fanout --port "$port" --server-pid "$server" "$@"
