#!/usr/bin/env bash
# `make bench-settle`: decode settle and first-text latency with real WebSocket clients (see
# python/latitude_tools/bench/settle.py; the e2e venv, a release build), then the relay
# of committed moves while decodes are busy, measured by the native load generator
# (`latitude-bench fanout --latency-only` against a server with its decoder: every move
# of its 10 clients is decoded). The last stdout line is one JSON object with both.
# LATITUDE_BIN runs another server build (e.g. an older revision, for a before/after).
set -euo pipefail
cd "$(dirname "$0")/.."
make --no-print-directory .venv-e2e/.installed >&2  # websockets is all it needs
swift build -c release --static-swift-stdlib --product latitude >&2
swift build -c release --static-swift-stdlib --product LatitudeBuiltinOps >&2
swift build -c release --static-swift-stdlib --product latitude-bench >&2
export OPENBLAS_CORETYPE="${OPENBLAS_CORETYPE:-$(scripts/blas-coretype.sh)}"
work=$(mktemp -d)
cleanup() {
  kill "${server:-}" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
.venv-e2e/bin/python -m latitude_tools.bench.settle "$@" > "$work/settle.out"

"${LATITUDE_BIN:-.build/release/latitude}" serve --port 0 --db "$work/busy.sqlite" \
  --frames-per-second 1000000 --frame-burst 1000000 2> "$work/server.log" &
server=$!
port=""
for _ in $(seq 300); do
  port=$(grep -o 'serving on [^ ]*' "$work/server.log" | sed 's/.*://' || true)
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { cat "$work/server.log" >&2; exit 1; }
decodes() {  # decodes the server has started so far: finished or cut short by a newer move
  python3 -c 'import re, sys, urllib.request
text = urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/metrics").read().decode()
print(sum(float(v) for v in re.findall(r"^latitude_decodes_total\{outcome=\"(?:decoded|cancelled)\"\} (\S+)", text, re.M)))' "$port"
}
before=$(decodes)
.build/release/latitude-bench fanout --port "$port" --server-pid "$server" --clients 10 \
  --rate 30 --seconds 8 --latency-only > "$work/busy.out"
after=$(decodes)
.venv-e2e/bin/python - "$work/settle.out" "$work/busy.out" "${before:-0}" "${after:-0}" <<'PY'
import json, sys
settle = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
busy = json.loads(open(sys.argv[2]).read().strip().splitlines()[-1])
settle["move_to_peer_p99_ms_busy"] = busy["op_to_peer_p99_ms"]
settle["drag_to_peer_p99_ms_busy"] = busy["drag_to_peer_p99_ms"]
settle["decode_jobs_during_busy"] = float(sys.argv[4]) - float(sys.argv[3])
print(json.dumps(settle))
PY
