#!/usr/bin/env bash
# `make bench-maps`: Latitude's UMAP and t-SNE against umap-learn and openTSNE on 10,000
# corpus sentences, one thread each (see python/latitude_tools/bench/maps.py). Needs the
# corpus (`make corpus`). The last stdout line is one JSON object.
set -euo pipefail
cd "$(dirname "$0")/.."
make --no-print-directory .venv-maps/.installed >&2
swift build -c release --static-swift-stdlib --product latitude >&2
export OPENBLAS_CORETYPE="${OPENBLAS_CORETYPE:-$(scripts/blas-coretype.sh)}"
.venv-maps/bin/python -m latitude_tools.bench.maps "$@"
