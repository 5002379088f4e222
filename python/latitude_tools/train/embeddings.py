"""Sentence embeddings of the corpus splits, by the Swift encoder (the product's own; parity
3e-7 with sentence-transformers), cached under .cache/embeddings/ by content hash.

    from latitude_tools.train.embeddings import split_embeddings
    sentences, vectors = split_embeddings("train")   # list[str], float32 (n, 384), unit rows
"""
import hashlib
import os
import pathlib
import subprocess
import sys

import numpy as np

from latitude_tools.paths import ROOT, TRAIN

CACHE = ROOT / ".cache/embeddings"


def latitude_binary():
    """The release CLI (the Makefile builds it first); LATITUDE_BIN overrides."""
    path = pathlib.Path(os.environ.get("LATITUDE_BIN", ROOT / ".build/release/latitude"))
    if not path.exists():
        raise SystemExit(f"{path} is missing: run `swift build -c release --static-swift-stdlib --product latitude`")
    return path


def read_split(name):
    path = TRAIN / "data" / f"{name}.txt"
    if not path.exists():
        raise SystemExit(f"{path} is missing: run `make corpus` first")
    return [line for line in path.read_text().splitlines() if line.strip()]


def corpus_edition():
    """The edition of the corpus in data/ (`make corpus` writes it; 1 when absent)."""
    path = TRAIN / "data" / "EDITION"
    return int(path.read_text()) if path.exists() else 1


def content_digest(sentences):
    """16 hex digits of the sha256 of the sentences joined by newlines: caches of embeddings
    and training positions are named by it, so a changed sample never reads a stale file."""
    return hashlib.sha256("\n".join(sentences).encode()).hexdigest()[:16]


def embed(sentences, tag):
    """float32 (len(sentences), 384), one unit row per sentence, cached by content."""
    digest = content_digest(sentences)
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"{tag}-{len(sentences)}-{digest}.npy"
    if not path.exists():
        source = CACHE / f"{tag}-{digest}.txt"
        source.write_text("\n".join(sentences) + "\n")
        print(f"embedding {len(sentences)} {tag} sentences with the Swift encoder…", file=sys.stderr)
        env = dict(os.environ)
        subprocess.run([str(latitude_binary()), "encode", "--file", str(source), "-o", str(path)],
                       check=True, env=env)
        source.unlink()
    vectors = np.load(path).astype(np.float32)
    if vectors.shape[0] != len(sentences):
        raise SystemExit(f"{path}: {vectors.shape[0]} rows for {len(sentences)} sentences; delete it")
    return vectors


def split_embeddings(name, limit=None, seed=0):
    """The sentences of one split and their embeddings; `limit` takes a seeded sample."""
    sentences = read_split(name)
    if limit and limit < len(sentences):
        order = np.random.default_rng(seed).permutation(len(sentences))[:limit]
        sentences = [sentences[i] for i in sorted(order)]
    return sentences, embed(sentences, name)
