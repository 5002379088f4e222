#!/usr/bin/env python3
"""Makes the decoder parity fixtures with PyTorch (python/latitude_tools/train/generation.py).

Writes Tests/LatentTests/Resources/decoder-fixtures.json for the committed decoder:
- `cases`: a target embedding (float32), the PyTorch greedy tokens for it, and the
  teacher-forced next-token logits after the prefix and each token (base64 little-endian
  float32, [steps × vocab]); the Swift decoder must match them within 1e-3;
- `detokenize`: WordPiece lists and the text python/latitude_tools/train/generation.py's `tidy` makes.

Run after training a decoder (needs torch; CI never runs it):
    .venv-bench/bin/python -m latitude_tools.tools.decoder_fixtures [--model Weights/decoder/NAME]
"""
import argparse, base64, json, os, pathlib

os.environ.setdefault("HF_HUB_OFFLINE", "1")
import torch

from latitude_tools.paths import ROOT
from latitude_tools.train.evaluate import load_model
from latitude_tools.train.generation import generate, tidy

OUT = ROOT / "Tests/LatentTests/Resources/decoder-fixtures.json"
STEPS = 10
TEXTS = [
    "The food was cold and the waiter was rude.",
    "She walked to the market early in the morning.",
    "Could you send me the report by Friday?",
]
HAND_MADE = [
    ["the", "cat", "'", "s", "toy", "is", "(", "very", ")", "well", "-", "known", "."],
    ["i", "don", "'", "t", "know", ",", "he", "said", ":", "\"", "run", "!", "\"", "and", "left", "?"],
    ["un", "##belie", "##vable", "50", "%", "of", "$", "10", "."],
    ["-", "so", "it", "goes", "-"],
    [],
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=str(ROOT / "Weights/decoder/latitude-prefix-v3"))
    args = parser.parse_args()
    torch.set_num_threads(1)
    folder = pathlib.Path(args.model)
    model, vocab, config = load_model(folder)
    sep = vocab.index("[SEP]")
    banned = [vocab.index(t) for t in ("[PAD]", "[UNK]", "[CLS]")]
    from sentence_transformers import SentenceTransformer
    encoder = SentenceTransformer(str(ROOT / "Weights/encoder/all-MiniLM-L6-v2"), device="cpu")
    targets = torch.from_numpy(encoder.encode(TEXTS, convert_to_numpy=True))
    cases = []
    with torch.no_grad():
        greedy = generate(model, targets, config["max_length"], sep, banned)
        for text, target, row in zip(TEXTS, targets, greedy.tolist()):
            tokens = [t for t in row if t != 0]
            tokens = tokens[: tokens.index(sep)] if sep in tokens else tokens
            forced = torch.tensor([tokens[:STEPS]], dtype=torch.long)
            logits = model(target[None], forced)[0] if forced.shape[1] else None
            steps = logits.shape[0]
            cases.append({
                "text": text,
                "target": [float(x) for x in target],
                "greedy_tokens": tokens,
                "greedy_text": tidy([vocab[t] for t in tokens]),
                "forced_tokens": tokens[: steps - 1],
                "steps": steps,
                "logits_f32": base64.b64encode(logits.numpy().astype("<f4").tobytes()).decode(),
            })
        sample = [l.strip() for l in open(ROOT / "Weights/train/test-sample.txt", encoding="utf-8")][:40]
        rows = generate(model, torch.from_numpy(encoder.encode(sample, convert_to_numpy=True)),
                        config["max_length"], sep, banned).tolist()
    pieces = HAND_MADE + [[vocab[t] for t in row if t not in (0, sep)] for row in rows]
    OUT.write_text(json.dumps({
        "model": folder.name,
        "cases": cases,
        "detokenize": [{"pieces": p, "text": tidy(p)} for p in pieces],
    }) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size // 1024} KiB) for {folder.name}")


if __name__ == "__main__":
    main()
