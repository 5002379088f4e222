#!/usr/bin/env python3
"""The PyTorch reference for `make bench-decode`: greedy decoding of the same held-out
sentences with python/latitude_tools/train/generation.py (KV cache, same constraints), its round-trip
cosine, token F1, BLEU and repetition rate (python/latitude_tools/train/evaluate.py's definitions), and the
latency of generation alone on one thread: greedy for one target, and a batch of 8
candidates (greedy + 7 top-p samples) for one target. Writes one JSON object.
"""
import argparse, json, os, pathlib, sys, time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
import torch

from latitude_tools.paths import ROOT
from latitude_tools.train.evaluate import bleu, detokenize, load_model, repeats, token_f1
from latitude_tools.train.generation import generate


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sentences", default=str(ROOT / "Weights/train/test-sample.txt"))
    parser.add_argument("--model", default=str(ROOT / "Weights/decoder/latitude-prefix-v3"))
    parser.add_argument("--latency-samples", type=int, default=100)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    torch.set_num_threads(1)
    model, vocab, config = load_model(pathlib.Path(args.model))
    sep = vocab.index("[SEP]")
    banned = [vocab.index(t) for t in ("[PAD]", "[UNK]", "[CLS]")]
    from sentence_transformers import SentenceTransformer
    encoder = SentenceTransformer(str(ROOT / "Weights/encoder/all-MiniLM-L6-v2"), device="cpu")
    texts = [l.rstrip("\n") for l in open(args.sentences, encoding="utf-8") if l.strip()]
    targets = torch.from_numpy(encoder.encode(texts, batch_size=64, convert_to_numpy=True))
    greedy = []
    for start in range(0, len(texts), 32):
        greedy += detokenize(vocab, generate(model, targets[start:start + 32], config["max_length"], sep, banned), sep)
    latents = torch.from_numpy(encoder.encode(greedy, batch_size=64, convert_to_numpy=True))
    cosines = (latents * targets).sum(-1) / (latents.norm(dim=-1) * targets.norm(dim=-1))

    def timed(rows, sample):
        times = []
        generator = torch.Generator().manual_seed(0)
        for target in targets[: args.latency_samples]:
            batch = target[None].repeat(rows, 1)
            start = time.perf_counter()
            generate(model, batch, config["max_length"], sep, banned, sample, 0.9, generator)
            times.append((time.perf_counter() - start) * 1000)
        return sorted(times)[len(times) // 2]

    n = len(texts)
    result = {
        "count": n,
        "cos_greedy": cosines.mean().item(),
        "token_f1_greedy": sum(token_f1(g, t) for g, t in zip(greedy, texts)) / n,
        "bleu_greedy": sum(bleu(g, t) for g, t in zip(greedy, texts)) / n,
        "repetition_rate": sum(repeats(g) for g in greedy) / n,
        "p50_ms_greedy_n1": timed(1, False),
        "p50_ms_generate_n8": timed(8, True),
    }
    pathlib.Path(args.out).write_text(json.dumps(result) + "\n")
    print("pytorch reference:", json.dumps(result), file=sys.stderr)


if __name__ == "__main__":
    main()
