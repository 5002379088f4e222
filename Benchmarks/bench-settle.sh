#!/usr/bin/env bash
# `make bench-settle`: decode settle latency with real WebSocket clients (see
# python/latitude_tools/bench/settle.py). Uses the e2e venv (websockets) and a release build.
set -euo pipefail
cd "$(dirname "$0")/.."
make --no-print-directory .venv-e2e/.installed >&2  # websockets is all it needs
swift build -c release --product latitude >&2
swift build -c release --product LatitudeBuiltinOps >&2
export OPENBLAS_CORETYPE="${OPENBLAS_CORETYPE:-$(scripts/blas-coretype.sh)}"
.venv-e2e/bin/python -m latitude_tools.bench.settle "$@"
