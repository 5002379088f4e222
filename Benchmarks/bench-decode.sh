#!/usr/bin/env bash
# `make bench-decode`: the Swift decode pipeline on the held-out test sample
# (Weights/train/test-sample.txt, 500 test-split sentences training never saw), with the
# PyTorch reference measured on the same sentences in the same run. The last stdout line is
# one JSON object (see README). Uses .venv-bench (the package's bench extra).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv-bench
cache=.cache/bench
mkdir -p "$cache"
make --no-print-directory .venv-bench/.installed >&2  # the bench extra of python/ (once; torch is large)
swift build -c release --static-swift-stdlib --product latitude >&2
swift build -c release --static-swift-stdlib --product latitude-bench >&2
"$venv/bin/python" -m latitude_tools.bench.decode_reference --out "$cache/decode-reference.json" \
  2> >(grep -v -i -E "warn|Loading weights" >&2)
OPENBLAS_NUM_THREADS=1 .build/release/latitude-bench decode --reference "$cache/decode-reference.json" "$@"
