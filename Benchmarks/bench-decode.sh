#!/usr/bin/env bash
# `make bench-decode`: the Swift decode pipeline on the held-out test sample
# (Weights/train/test-sample.txt, 500 test-split sentences training never saw), with the
# PyTorch reference measured on the same sentences in the same run. The last stdout line is
# one JSON object (see README). Uses .venv-bench (made by `make bench-encode`'s script).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv-bench
cache=.cache/bench
mkdir -p "$cache"
if ! "$venv/bin/python" -c "import sentence_transformers, torch, safetensors" 2>/dev/null; then
  echo "setting up $venv (torch is a large download; this happens once)..." >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check \
    "sentence-transformers==6.2.0" "transformers==5.24.0" "torch==2.15.0"
fi
swift build -c release --product latitude >&2
swift build -c release --product latitude-bench >&2
"$venv/bin/python" Benchmarks/decode_reference.py --out "$cache/decode-reference.json" \
  2> >(grep -v -i -E "warn|Loading weights" >&2)
OPENBLAS_NUM_THREADS=1 .build/release/latitude-bench decode --reference "$cache/decode-reference.json" "$@"
