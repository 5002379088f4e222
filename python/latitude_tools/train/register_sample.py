#!/usr/bin/env python3
"""A held-out sample of the corpus's test split with the same number of sentences per register.

    PYTHONPATH=python python3 -m latitude_tools.train.register_sample [--per-register 100]

Reads Weights/train/data/test.txt and test.sources (written by `make corpus`, edition 2)
and the manifest's register of each source; writes one file per register under
Weights/train/test-sample-edition2/ (committed; `latitude-bench decode --sentences FILE`
measures a decoder on one register). Seeded, so the sample is the same on every run.
"""
import argparse
import json
import random
import re
import sys

from latitude_tools.paths import TRAIN


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-register", type=int, default=100)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    data = TRAIN / "data"
    if not (data / "test.sources").exists() or (data / "EDITION").read_text().strip() != "2":
        sys.exit("needs the edition-2 corpus with its .sources files: run `make corpus` first")
    manifest = json.loads((TRAIN / "manifest.json").read_text())
    register_of = {name: info["register"] for name, info in manifest["sources"].items()}
    texts = (data / "test.txt").read_text(encoding="utf-8").splitlines()
    sources = (data / "test.sources").read_text().splitlines()
    if len(texts) != len(sources):
        sys.exit("test.txt and test.sources disagree in length: run `make corpus` again")
    by_register = {}
    for text, source in zip(texts, sources):
        by_register.setdefault(register_of[source], []).append(text)
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
