#!/usr/bin/env bash
# `make bench-kernels`: the decoder's matrix products on fp16 and int8 panels (AVX-512)
# against cblas_sgemm on the same weights in fp32, one step's products at 1, 4 and 8 rows and
# whole generations on held-out sentences, all in this run. The last stdout line is one JSON
# object (speed-ups are BLAS time ÷ panel time).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --static-swift-stdlib --product latitude >&2
swift build -c release --static-swift-stdlib --product latitude-bench >&2
OPENBLAS_NUM_THREADS=1 .build/release/latitude bench kernels "$@"
