#!/usr/bin/env bash
# `make bench-encode`: the Swift encoder against ONNX Runtime and sentence-transformers on
# the same 2,000 English sentences (VADER's movie-review snippets), the same thread count,
# in one run. The last stdout line is one JSON object (see README).
#
# Python references live in .venv-bench (the package's bench extra, made once); the fp32 ONNX export
# is made once with torch and cached in .cache/bench/. `make test` never needs any of this.
set -euo pipefail
cd "$(dirname "$0")/.."
threads="${THREADS:-2}"
venv=.venv-bench
cache=.cache/bench
mkdir -p "$cache"

make --no-print-directory .venv-bench/.installed >&2  # the bench extra of python/ (once; torch is large)

sentences="$cache/sentences-2000.txt"
if [ ! -s "$sentences" ]; then
  sdist="$cache/vader_sentiment-3.2.1.1.tar.gz"
  [ -f "$sdist" ] || python3 -m pip download --quiet --no-deps --no-binary :all: \
    "vader-sentiment==3.2.1.1" -d "$cache"
  echo "a155288a6c3a877bdcfba80ec99a1a4094c4b21d8c17a071f14122482b75dced  $sdist" | sha256sum --check --quiet
  python3 - "$sdist" "$sentences" <<'PY'
import io, re, sys, tarfile
with tarfile.open(sys.argv[1]) as outer:
    inner = outer.extractfile("vader_sentiment-3.2.1.1/additional_resources/hutto_ICWSM_2014.tar.gz")
    with tarfile.open(fileobj=io.BytesIO(inner.read())) as data:
        raw = data.extractfile("hutto_ICWSM_2014/movieReviewSnippets_GroundTruth.txt").read()
text = raw.decode("utf-8", errors="replace")
rows = [line.split("\t") for line in re.split(r"\r\n|\r|\n", text) if line.strip()]
sentences = [row[2].strip() for row in rows if len(row) >= 3 and row[2].strip()][:2000]
open(sys.argv[2], "w", encoding="utf-8").write("\n".join(sentences) + "\n")
PY
fi

swift build -c release --static-swift-stdlib --product latitude >&2
swift build -c release --static-swift-stdlib --product latitude-bench >&2
"$venv/bin/python" -m latitude_tools.bench.encode_reference --sentences "$sentences" --threads "$threads" \
  --onnx "$cache/all-MiniLM-L6-v2.onnx" --out "$cache/reference.json" \
  --embeddings "$cache/reference.npy" 2> >(grep -v -i -E "warn|Loading weights" >&2)
.build/release/latitude-bench encode --sentences "$sentences" --threads "$threads" \
  --reference "$cache/reference.json" --reference-embeddings "$cache/reference.npy"
