#!/usr/bin/env python3
"""Held-out evaluation of a trained decoder (the PyTorch reference of the metrics).

    .venv-train/bin/python -m latitude_tools.train.evaluate --model Weights/decoder/NAME [--sentences FILE]
Uses only the test split (never seen in training): by default the committed test sample
(Weights/train/test-sample.txt, 500 sentences drawn from edition 1's test split, which stay
test sentences in every edition), so models trained on different editions are compared on
the same sentences. Prints and writes metrics.json:
greedy round-trip cosine, best-of-8 seeded top-p samples re-ranked by the encoder, the
nearest train-split sentence ("bank"), token F1 and BLEU of greedy outputs, the repetition
rate (outputs with a token repeated 3+ times in a row), and 20 example pairs.
"""
import argparse, collections, json, math, os, pathlib

os.environ.setdefault("HF_HUB_OFFLINE", "1")
import numpy as np
import torch

from latitude_tools.paths import ENCODER, ROOT, TRAIN as HERE
from latitude_tools.train.decoder import Decoder, load_split
from latitude_tools.train.embeddings import content_digest
from latitude_tools.train.generation import generate, tidy


TEST_SAMPLE = HERE / "test-sample.txt"


def load_model(folder):
    from safetensors.torch import load_file
    config = json.loads((folder / "config.json").read_text())
    vocab = (folder / "vocab.txt").read_text().splitlines()
    model = Decoder(config["vocab_size"], prefix=config["prefix_length"], max_len=config["max_length"])
    model.load_state_dict({k: v.float() for k, v in load_file(str(folder / "model.safetensors")).items()})
    return model.eval(), vocab, config


def detokenize(vocab, rows, sep):
    texts = []
    for row in rows.tolist():
        pieces = []
        for t in row:
            if t == sep or t == 0:
                break
            pieces.append(vocab[t])
        texts.append(tidy(pieces))
    return texts


def token_f1(a, b):
    x, y = collections.Counter(a.lower().split()), collections.Counter(b.lower().split())
    common = sum((x & y).values())
    if not common:
        return 0.0
    p, r = common / sum(x.values()), common / sum(y.values())
    return 2 * p * r / (p + r)


def bleu(candidate, reference, n=4):
    c, r = candidate.lower().split(), reference.lower().split()
    if not c:
        return 0.0
    logs = []
    for k in range(1, n + 1):
        cc = collections.Counter(tuple(c[i:i + k]) for i in range(len(c) - k + 1))
        rc = collections.Counter(tuple(r[i:i + k]) for i in range(len(r) - k + 1))
        logs.append(math.log((sum((cc & rc).values()) + 1) / (max(sum(cc.values()), 0) + 1)))  # add-one smoothing
    brevity = min(1.0, math.exp(1 - len(r) / len(c)))
    return brevity * math.exp(sum(logs) / n)


def repeats(text):
    words = text.lower().split()
    return any(words[i] == words[i + 1] == words[i + 2] for i in range(len(words) - 2))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model")
    parser.add_argument("--count", type=int, default=500, help="with --write-test-sample: how many to draw")
    parser.add_argument("--sentences", default=str(TEST_SAMPLE), help="held-out sentences, one per line")
    parser.add_argument("--write-test-sample", action="store_true",
                        help=f"write the seeded test sample to {TEST_SAMPLE.name} (committed; bench-decode uses it) and stop")
    parser.add_argument("--bank", default=None, help=".txt of bank sentences (default: the training sample's file)")
    args = parser.parse_args()
    if args.write_test_sample:
        test = load_split("test", args.count, seed=7)
        TEST_SAMPLE.write_text("\n".join(test) + "\n", encoding="utf-8")
        print(f"wrote {len(test)} sentences to {TEST_SAMPLE}")
        return
    if not args.model:
        parser.error("--model is required")
    if "validation" in args.sentences or "train" in pathlib.Path(args.sentences).name:
        parser.error("evaluate on held-out test sentences, not the training or validation split")
    test = [line for line in pathlib.Path(args.sentences).read_text(encoding="utf-8").splitlines() if line.strip()]
    torch.manual_seed(0)
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    folder = pathlib.Path(args.model)
    model, vocab, config = load_model(folder)
    sep = vocab.index("[SEP]")
    banned = [vocab.index(t) for t in ("[PAD]", "[UNK]", "[CLS]")]
    from sentence_transformers import SentenceTransformer
    encoder = SentenceTransformer(str(ENCODER), device="cpu")
    targets = torch.from_numpy(encoder.encode(test, batch_size=128, convert_to_numpy=True))

    def cosine_to_targets(texts, target_rows):
        vectors = torch.from_numpy(encoder.encode(texts, batch_size=256, convert_to_numpy=True))
        return (vectors * target_rows).sum(-1) / (vectors.norm(dim=-1) * target_rows.norm(dim=-1))

    greedy = detokenize(vocab, generate(model, targets, config["max_length"], sep, banned), sep)
    greedy_cos = cosine_to_targets(greedy, targets)
    generator = torch.Generator().manual_seed(1234)
    samples = [detokenize(vocab, generate(model, targets, config["max_length"], sep, banned, True, 0.9, generator), sep)
               for _ in range(8)]
    sample_cos = torch.stack([cosine_to_targets(s, targets) for s in samples])  # [8, N]
    best_cos = sample_cos.max(0).values  # best of the 8 samples, chosen by encoder cosine
    best_with_greedy = torch.cat([greedy_cos[None], sample_cos]).max(0).values
    # Bank: nearest training sentence.
    training = json.loads((folder / "training.json").read_text())
    bank_sentences = load_split("train", training["args"]["limit"], training["args"]["seed"],
                                training["args"].get("register_balance", 1.0))
    repetition_sampled = sum(repeats(t) for s in samples for t in s) / (8 * len(test))
    digest = content_digest(bank_sentences)
    cached = pathlib.Path(ROOT / ".cache/decoder" / f"train-{len(bank_sentences)}-{digest}.npy")
    bank = torch.from_numpy(np.load(cached)) if cached.exists() else torch.from_numpy(
        encoder.encode(bank_sentences, batch_size=256, convert_to_numpy=True))
    bank_cos = (targets @ bank.T).max(1).values
    metrics = {
        "test_sentences": len(test),
        "test_file": os.path.relpath(args.sentences, ROOT),
        "cos_greedy": round(greedy_cos.mean().item(), 4),
        "cos_best_of_8_reranked": round(best_cos.mean().item(), 4),
        "cos_best_of_greedy_and_8": round(best_with_greedy.mean().item(), 4),
        "cos_bank": round(bank_cos.mean().item(), 4),
        "token_f1_greedy": round(sum(token_f1(g, t) for g, t in zip(greedy, test)) / len(test), 4),
        "bleu_greedy": round(sum(bleu(g, t) for g, t in zip(greedy, test)) / len(test), 4),
        "repetition_rate": round(sum(repeats(g) for g in greedy) / len(test), 4),
        "repetition_rate_sampled": round(repetition_sampled, 4),
        "bank_sentences": len(bank_sentences),
        "examples": [{"original": t, "greedy": g, "greedy_cos": round(c, 3)}
                     for t, g, c in list(zip(test, greedy, greedy_cos.tolist()))[:20]],
    }
    (folder / "metrics.json").write_text(json.dumps(metrics, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps({k: v for k, v in metrics.items() if k != "examples"}))


if __name__ == "__main__":
    main()
