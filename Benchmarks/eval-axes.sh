#!/usr/bin/env bash
# `make eval-axes`: the built-in axes on held-out labelled data (see python/latitude_tools/bench/eval_axes.py).
set -euo pipefail
cd "$(dirname "$0")/.."
cache=.cache/corpus
mkdir -p "$cache"
sdist="$cache/vader_sentiment-3.2.1.1.tar.gz"
[ -f "$sdist" ] || python3 -m pip download --quiet --no-deps --no-binary :all: \
  "vader-sentiment==3.2.1.1" -d "$cache"
echo "a155288a6c3a877bdcfba80ec99a1a4094c4b21d8c17a071f14122482b75dced  $sdist" | sha256sum --check --quiet
swift build -c release --static-swift-stdlib --product latitude >&2
make --no-print-directory .venv-e2e/.installed >&2  # the package, no extra needed
.venv-e2e/bin/python -m latitude_tools.bench.eval_axes "$sdist"
