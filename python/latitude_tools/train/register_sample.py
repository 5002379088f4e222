#!/usr/bin/env python3
"""A held-out sample of the corpus's test split with the same number of sentences per register.

    PYTHONPATH=python python3 -m latitude_tools.train.register_sample [--per-register 100]

Reads Weights/train/data/test.txt and test.sources (written by `make corpus`, edition 2)
and the manifest's register of each source; writes one file per register under
Weights/train/test-sample-edition2/ (committed; `latitude-bench decode --sentences FILE`
measures a decoder on one register). Seeded, so the sample is the same on every run.
"""
import argparse
import collections
import json
import random
import re
import sys

from latitude_tools.paths import TRAIN


def split_registers(name):
    """The register of every line of a split, from its .sources file and the manifest."""
    data = TRAIN / "data"
    sources = data / f"{name}.sources"
    if not sources.exists():
        raise SystemExit(f"{sources} is missing: run `make corpus` (edition 2) first")
    register_of = {n: i["register"] for n, i in json.loads((TRAIN / "manifest.json").read_text())["sources"].items()}
    registers = [register_of[s] for s in sources.read_text().splitlines()]
    lines = sum(1 for _ in open(data / f"{name}.txt", encoding="utf-8"))
    if len(registers) != lines:
        raise SystemExit(f"{sources} and {name}.txt disagree in length: run `make corpus` again")
    return registers


def balanced_sample(registers, limit, seed, balance):
    """Indices of a seeded sample of `limit` lines without replacement, each line weighted
    by its register's share raised to (balance - 1): 1 keeps the corpus's mix, 0 draws every
    register equally often (Efraimidis and Spirakis's weighted sampling). Sorted."""
    import numpy as np

    shares = collections.Counter(registers)
    weights = np.array([(shares[r] / len(registers)) ** (balance - 1.0) for r in registers])
    keys = np.random.default_rng(seed).random(len(registers)) ** (1.0 / weights)
    limit = min(limit, len(registers))
    return sorted(int(i) for i in np.argpartition(-keys, limit - 1)[:limit])


def describe(registers, indices):
    """"register share, ..." of the sampled lines, most common first."""
    picked = collections.Counter(registers[i] for i in indices)
    return ", ".join(f"{r} {n / len(indices):.1%}" for r, n in picked.most_common())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-register", type=int, default=100)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    data = TRAIN / "data"
    if not (data / "EDITION").exists() or (data / "EDITION").read_text().strip() != "2":
        sys.exit("needs the edition-2 corpus with its .sources files: run `make corpus` first")
    registers = split_registers("test")
    texts = (data / "test.txt").read_text(encoding="utf-8").splitlines()
    by_register = {}
    for text, register in zip(texts, registers):
        by_register.setdefault(register, []).append(text)
    out = TRAIN / "test-sample-edition2"
    out.mkdir(exist_ok=True)
    rng = random.Random(args.seed)
    for register, rows in sorted(by_register.items()):
        sample = rng.sample(rows, min(args.per_register, len(rows)))
        slug = re.sub(r"[^a-z]+", "-", register.lower()).strip("-")
        (out / f"{slug}.txt").write_text("".join(f"{s}\n" for s in sample), encoding="utf-8")
        print(f"{slug}: {len(sample)} of {len(rows)} test sentences", file=sys.stderr)


if __name__ == "__main__":
    main()
