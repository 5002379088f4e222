#!/usr/bin/env python3
"""`make bench-maps`: Latitude's UMAP and t-SNE (`latitude map`, one thread) against
umap-learn and openTSNE (one thread each), on the same 10,000 sentences of the project's
corpus, with the same parameters, in one run.

- Data: 10,000 train-split sentences and 200 more for transform (seeded sample, never the
  test split), embedded once by `latitude encode` and cached under .cache/bench-maps/.
- Parameters: UMAP n_neighbors 15, min_dist 0.1, 500 epochs, cosine; t-SNE perplexity 30,
  early exaggeration 12 for 250 iterations, 500 more, θ 0.5, cosine, Barnes–Hut (openTSNE
  is also timed with its FFT gradient, its default at this size: `tsne_ref_fft_s`).
- Time: the fit inside each process (imports, reading the .npy and numba's JIT compilation
  excluded: umap-learn is warmed up on a 5,000-point random set first, and its warm-up is
  reported). Ours is the `seconds.fit` that `latitude map` reports.
- Quality: scikit-learn's trustworthiness at k = 15 (cosine input distances) for all maps.
- Transform: ms per point to place the 200 new points into the finished UMAP (ours and
  umap-learn's).
The last stdout line is one JSON object.
"""
import argparse, json, os, random, subprocess, sys, time, warnings

# The references' deprecation and numba notices are not results.
warnings.filterwarnings("ignore")
for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "NUMBA_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[variable] = "1"

import numpy as np  # noqa: E402  (after the thread settings, which numpy reads at import)

from latitude_tools.paths import ROOT, TRAIN  # noqa: E402


def log(message):
    print(message, file=sys.stderr, flush=True)


def sample_sentences(count, extra, seed):
    source = TRAIN / "data/train.txt"
    if not source.exists():
        raise SystemExit(f"{source} is missing: run `make corpus` first")
    lines = [line.strip() for line in source.open(encoding="utf-8") if line.strip()]
    lines = sorted(set(lines))
    random.Random(seed).shuffle(lines)
    if len(lines) < count + extra:
        raise SystemExit(f"the train split has {len(lines)} sentences; {count + extra} needed")
    return lines[:count], lines[count:count + extra]


def embed(binary, sentences, path):
    if path.exists():
        return
    text = path.with_suffix(".txt")
    text.write_text("\n".join(sentences) + "\n", encoding="utf-8")
    log(f"embedding {len(sentences)} sentences -> {path}")
    subprocess.run([binary, "encode", "--file", str(text), "-o", str(path)], check=True)


def ours(binary, method, data, new, extra):
    command = [binary, "map", "--method", method, str(data), "--transform", str(new)] + extra
    log("running " + " ".join(command))
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    result = json.loads(out)
    return result


def trust(X, Y):
    from sklearn.manifold import trustworthiness
    return float(trustworthiness(X, np.asarray(Y, dtype=np.float64), n_neighbors=15, metric="cosine"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--points", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--skip-fft", action="store_true", help="do not time openTSNE's FFT")
    args = parser.parse_args()
    binary = os.environ.get("LATITUDE_BIN", str(ROOT / ".build/release/latitude"))
    cache = ROOT / ".cache/bench-maps"
    cache.mkdir(parents=True, exist_ok=True)
    base, extra = sample_sentences(args.points, 200, seed=20261201)
    data = cache / f"sentences-{args.points}.npy"
    new = cache / "transform-200.npy"
    embed(binary, base, data)
    embed(binary, extra, new)
    X = np.load(data).astype(np.float32)
    X_new = np.load(new).astype(np.float32)
    seed = args.seed
    result = {"points": int(X.shape[0]), "dimension": int(X.shape[1]), "threads": 1}

    umap_ours = ours(binary, "umap", data, new, ["--neighbors", "15", "--min-dist", "0.1",
                                                 "--epochs", "500", "--seed", str(seed)])
    result["umap_s"] = round(umap_ours["seconds"]["fit"], 3)
    result["umap_stage_s"] = {k[4:]: round(v, 3) for k, v in umap_ours["seconds"].items()
                              if k.startswith("fit_")}
    result["umap_initialization"] = umap_ours.get("initialization")
    result["transform_ms_per_point"] = round(umap_ours["transform_ms_per_point"], 3)
    tsne_ours = ours(binary, "tsne", data, new, ["--perplexity", "30", "--seed", str(seed)])
    result["tsne_s"] = round(tsne_ours["seconds"]["fit"], 3)
    result["tsne_transform_ms_per_point"] = round(tsne_ours["transform_ms_per_point"], 3)

    import umap
    log("umap-learn: JIT warm-up on 5,000 random points")
    started = time.perf_counter()
    warm = np.random.default_rng(0).standard_normal((5000, X.shape[1])).astype(np.float32)
    umap.UMAP(n_neighbors=15, min_dist=0.1, metric="cosine", random_state=1, n_jobs=1).fit(warm)
    result["umap_ref_warmup_s"] = round(time.perf_counter() - started, 3)
    log("umap-learn: fit")
    reference = umap.UMAP(n_neighbors=15, min_dist=0.1, n_epochs=500, metric="cosine",
                          random_state=seed, n_jobs=1)
    started = time.perf_counter()
    Y_umap_ref = reference.fit_transform(X)
    result["umap_ref_s"] = round(time.perf_counter() - started, 3)
    reference.transform(X_new[:10])  # JIT warm-up of transform
    started = time.perf_counter()
    reference.transform(X_new)
    result["transform_ref_ms_per_point"] = round(
        (time.perf_counter() - started) * 1000 / len(X_new), 3)

    from openTSNE import TSNE
    def open_tsne(method):
        log(f"openTSNE: fit ({method})")
        started = time.perf_counter()
        Y = TSNE(perplexity=30, early_exaggeration=12, early_exaggeration_iter=250, n_iter=500,
                 theta=0.5, metric="cosine", negative_gradient_method=method, n_jobs=1,
                 random_state=seed).fit(X)
        return np.asarray(Y), time.perf_counter() - started
    Y_tsne_ref, seconds = open_tsne("bh")
    result["tsne_ref_s"] = round(seconds, 3)
    if not args.skip_fft:
        Y_fft, seconds = open_tsne("fft")
        result["tsne_ref_fft_s"] = round(seconds, 3)
        result["tsne_ref_fft_trustworthiness"] = round(trust(X, Y_fft), 4)

    log("trustworthiness (k = 15)")
    result["umap_trustworthiness"] = round(trust(X, umap_ours["positions"]), 4)
    result["umap_ref_trustworthiness"] = round(trust(X, Y_umap_ref), 4)
    result["tsne_trustworthiness"] = round(trust(X, tsne_ours["positions"]), 4)
    result["tsne_ref_trustworthiness"] = round(trust(X, Y_tsne_ref), 4)
    result["umap_speed_ratio"] = round(result["umap_ref_s"] / result["umap_s"], 3)
    result["tsne_speed_ratio"] = round(result["tsne_ref_s"] / result["tsne_s"], 3)
    log(f"UMAP  ours {result['umap_s']} s vs umap-learn {result['umap_ref_s']} s "
        f"(×{result['umap_speed_ratio']}); trustworthiness {result['umap_trustworthiness']} vs "
        f"{result['umap_ref_trustworthiness']}")
    log(f"t-SNE ours {result['tsne_s']} s vs openTSNE BH {result['tsne_ref_s']} s "
        f"(×{result['tsne_speed_ratio']}); trustworthiness {result['tsne_trustworthiness']} vs "
        f"{result['tsne_ref_trustworthiness']}")
    log(f"transform {result['transform_ms_per_point']} ms/point "
        f"(umap-learn {result['transform_ref_ms_per_point']})")
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
