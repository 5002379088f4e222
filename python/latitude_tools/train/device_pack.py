#!/usr/bin/env python3
"""Packs what a decoder training run on the device machine (a GPU with no network) needs,
within the 64 MiB that a `run` call can carry: a seeded sample of the corpus and the encoder.

    .venv-features/bin/python -m latitude_tools.train.device_pack [--sentences 700000] [--register-balance 0.5]

Writes .cache/device/corpus.tar.xz (data/ of the train and validation splits: the sampled
train sentences with their .sources, the validation split, EDITION, and SAMPLE saying how
the sample was drawn) and .cache/device/encoder/ (all-MiniLM-L6-v2 with its weights stored
as fp16, which halves them; transformers loads them back into fp32: embeddings from the
fp16 copy agree with the Swift fp32 encoder to cosine 0.999998 at worst on 2,000 validation
sentences). Then, on the device:
`scripts/device-train-decoder.sh train NAME MINUTES [decoder.py options]` with
carry [".cache/device"].
"""
import argparse
import io
import json
import shutil
import sys
import tarfile

from latitude_tools.paths import ENCODER, ROOT, TRAIN
from latitude_tools.train.register_sample import balanced_sample, describe, split_registers

OUT = ROOT / ".cache/device"
LIMIT_BYTES = 64 * 1024 * 1024


def add_bytes(archive, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    archive.addfile(info, io.BytesIO(data))


def pack_corpus(sentences, balance, seed):
    data = TRAIN / "data"
    if not (data / "EDITION").exists() or (data / "EDITION").read_text().strip() != "2":
        sys.exit("needs the edition-2 corpus: run `make corpus` first")
    registers = split_registers("train")
    lines = (data / "train.txt").read_text(encoding="utf-8").splitlines()
    sources = (data / "train.sources").read_text().splitlines()
    chosen = balanced_sample(registers, sentences, seed, balance)
    print(f"train sample: {len(chosen)} of {len(lines)} sentences; {describe(registers, chosen)}", file=sys.stderr)
    sample = {"drawn_by": "latitude_tools.train.device_pack", "sentences": len(chosen), "of": len(lines),
              "register_balance": balance, "seed": seed, "registers": describe(registers, chosen)}
    path = OUT / "corpus.tar.xz"
    with tarfile.open(path, "w:xz", preset=6) as archive:
        add_bytes(archive, "data/train.txt", "".join(f"{lines[i]}\n" for i in chosen).encode())
        add_bytes(archive, "data/train.sources", "".join(f"{sources[i]}\n" for i in chosen).encode())
        for name in ["validation.txt", "validation.sources", "EDITION"]:
            archive.add(data / name, arcname=f"data/{name}")
        add_bytes(archive, "data/SAMPLE", (json.dumps(sample) + "\n").encode())
    return path


def pack_encoder():
    from safetensors.numpy import load_file, save_file

    folder = OUT / "encoder"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(ENCODER, folder, ignore=shutil.ignore_patterns("model.safetensors", "*.onnx", "onnx",
                                                                    "openvino", "*.bin", "*.h5", "*.ot"))
    weights = load_file(str(ENCODER / "model.safetensors"))
    save_file({k: (v.astype("float16") if v.dtype.kind == "f" else v) for k, v in weights.items()},
              str(folder / "model.safetensors"))
    return folder


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sentences", type=int, default=700_000, help="train sentences to pack")
    parser.add_argument("--register-balance", type=float, default=0.5,
                        help="register weights: share**A (1 = the corpus's mix, 0 = equal)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    corpus = pack_corpus(args.sentences, args.register_balance, args.seed)
    encoder = pack_encoder()
    total = corpus.stat().st_size + sum(p.stat().st_size for p in encoder.rglob("*") if p.is_file())
    print(f"{corpus} and {encoder}/: {total / 2**20:.1f} MiB of the 64 MiB a run can carry", file=sys.stderr)
    if total > LIMIT_BYTES:
        sys.exit("too large to carry: pack fewer --sentences")


if __name__ == "__main__":
    main()
