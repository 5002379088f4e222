#!/usr/bin/env bash
# Trains the decoder on the device machine (one GPU, no network), in one `run` call.
#
# Here, first (CPU): pack a seeded corpus sample and the encoder, within the 64 MiB a run
# can carry:
#   PYTHONPATH=python .venv-features/bin/python -m latitude_tools.train.device_pack [--sentences N]
# Then the device tool's run, with carry [".cache/device"]:
#   scripts/device-train-decoder.sh NAME MINUTES [decoder.py options, e.g. --init Weights/decoder/NAME]
# It unpacks the sample into Weights/train/data/ and the encoder into Weights/encoder/,
# embeds the sample with sentence-transformers on the GPU and trains for MINUTES with
# --device cuda, writing $OUT/NAME (model.safetensors, config.json, vocab.txt,
# training.json; optimizer.pt too, which may be too large to come back). Copy the folder
# to Weights/decoder/NAME here, evaluate on CPU, and commit the fp16 weights.
# DEVICE=cpu runs the same steps on this machine (a check of the script, not a training).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 2 ]; then
  sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
name=$1 minutes=$2
shift 2
pack=.cache/device
[ -s "$pack/corpus.tar.xz" ] && [ -s "$pack/encoder/model.safetensors" ] || {
  echo "no $pack/corpus.tar.xz or encoder: run latitude_tools.train.device_pack first and carry $pack" >&2
  exit 1
}
# This replaces the checkout's corpus and encoder: meant for the device machine's copy,
# where both are absent (git-ignored paths do not travel).
if [ -e Weights/train/data/EDITION ] && [ ! -e Weights/train/data/SAMPLE ] && [ "${FORCE:-0}" != 1 ]; then
  echo "this checkout has its own corpus (Weights/train/data); the script would replace it and the encoder." >&2
  echo "Run it on the device machine, or in a scratch copy with FORCE=1." >&2
  exit 1
fi
tar -C Weights/train -xJf "$pack/corpus.tar.xz"
mkdir -p Weights/encoder
rm -rf Weights/encoder/all-MiniLM-L6-v2
cp -r "$pack/encoder" Weights/encoder/all-MiniLM-L6-v2
out="${OUT:-.cache/device/out}/$name"
mkdir -p "$out"
python3 -c 'import torch, sentence_transformers; print("torch", torch.__version__, "cuda", torch.cuda.is_available())' >&2
PYTHONPATH=python HF_HUB_OFFLINE=1 python3 -m latitude_tools.train.decoder \
  --device "${DEVICE:-cuda}" --minutes "$minutes" --out "$out" "$@" 2>&1 | tee "$out/train.log" >&2
ls -la "$out" >&2
