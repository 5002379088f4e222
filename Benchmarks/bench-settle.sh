#!/usr/bin/env bash
# `make bench-settle`: decode settle latency with real WebSocket clients (see
# Benchmarks/bench_settle.py). Uses the test venv (websockets) and a release build.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv-test/bin/python ] || { python3 -m venv .venv-test && .venv-test/bin/pip install --quiet -r Tests/e2e/requirements.txt; }
swift build -c release --product latitude >&2
swift build -c release --product LatitudeBuiltinOps >&2
export OPENBLAS_CORETYPE="${OPENBLAS_CORETYPE:-$(scripts/blas-coretype.sh)}"
.venv-test/bin/python Benchmarks/bench_settle.py "$@"
