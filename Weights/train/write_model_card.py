#!/usr/bin/env python3
"""Writes Weights/decoder/NAME/README.md (the model card) from training.json and
metrics.json, so the card always states the figures the run actually produced.

    python3 Weights/train/write_model_card.py Weights/decoder/NAME "hardware description"
"""
import json, pathlib, sys

folder = pathlib.Path(sys.argv[1])
hardware = sys.argv[2] if len(sys.argv) > 2 else "unknown"
training = json.loads((folder / "training.json").read_text())
metrics = json.loads((folder / "metrics.json").read_text())
config = json.loads((folder / "config.json").read_text())
manifest = json.loads((pathlib.Path(__file__).resolve().parent / "manifest.json").read_text())
args = training["args"]
targets = [
    ("Greedy round-trip cosine", metrics["cos_greedy"], "≥ 0.55", metrics["cos_greedy"] >= 0.55),
    ("Best-of-8 (re-ranked) round-trip cosine", metrics["cos_best_of_8_reranked"], "≥ 0.68 and > bank",
     metrics["cos_best_of_8_reranked"] >= 0.68 and metrics["cos_best_of_8_reranked"] > metrics["cos_bank"]),
    ("Repetition rate", metrics["repetition_rate"], "< 0.05", metrics["repetition_rate"] < 0.05),
]
history = "\n".join(f"| {h['epoch']} | {h['step']} | {h['validation_loss']:.3f} |" for h in training["history"])
examples = "\n".join(f"| {e['original']} | {e['greedy']} | {e['greedy_cos']} |" for e in metrics["examples"])
card = f"""# {folder.name}: Latitude's embedding-to-text decoder

Turns a 384-d all-MiniLM-L6-v2 sentence embedding back into text. Trained by this project;
the recipe is in `Weights/train/`.

## Model
- Prefix decoder: the embedding is mapped to {config['prefix_length']} prefix vectors, then a
  causal transformer ({config['num_hidden_layers']} layers, hidden {config['hidden_size']},
  {config['num_attention_heads']} heads, FFN {config['intermediate_size']}, post-LayerNorm) predicts
  WordPieces. {config['parameters'] / 1e6:.1f}M parameters, stored as fp16 safetensors.
- Warm-started from all-MiniLM-L6-v2: token and position embeddings and all six layers (same
  layer structure as BERT). Output layer tied to the token embeddings.
- Vocabulary: the {config['vocab_size']} most frequent WordPieces of the training sentences
  ({training['vocab_coverage']:.1%} of their tokens), plus [PAD] [UNK] [CLS] [SEP]; `vocab.txt`.
- Training noise: the conditioning vector is rotated by a random angle up to {args['noise']} rad.

## Data
`make corpus` (Weights/train/make_corpus.py): {sum(manifest['sentences'].values())} English
sentences of 4–40 words from {', '.join(manifest['sources'])} (licences in manifest.json),
split by hash into train {manifest['sentences']['train']} / validation
{manifest['sentences']['validation']} / test {manifest['sentences']['test']}.
This run trained on a seeded sample of {training['train_sentences']} train-split sentences
(embedded by the Swift encoder, parity 3e-7 with sentence-transformers).

## Training
- {training['steps']} steps, {training['epochs']} epochs (last one partial), batch {args['batch']},
  AdamW lr {args['lr']} with 500 warm-up steps, {args['minutes']} minutes on {hardware}.
- Validation loss by epoch:

| epoch | step | validation loss |
| --- | --- | --- |
{history}

## Held-out metrics (test split, {metrics['test_sentences']} sentences never seen in training)
| metric | value | target | met |
| --- | --- | --- | --- |
""" + "\n".join(f"| {name} | {value} | {target} | {'yes' if met else 'no'} |" for name, value, target, met in targets) + f"""
| Bank (nearest of {metrics['bank_sentences']} training sentences) cosine | {metrics['cos_bank']} | | |
| Token F1, greedy | {metrics['token_f1_greedy']} | | |
| BLEU, greedy | {metrics['bleu_greedy']} | | |

## Examples (greedy)
| original | decoded | cosine |
| --- | --- | --- |
{examples}

## Reproduce
```sh
make corpus
.venv-bench/bin/python Weights/train/train_decoder.py --limit {args['limit']} --minutes {args['minutes']} \\
    --batch {args['batch']} --out {folder}
.venv-bench/bin/python Weights/train/eval.py --model {folder}
python3 Weights/train/write_model_card.py {folder} "{hardware}"
```
(`make bench-encode` creates `.venv-bench` with torch and sentence-transformers.)
"""
(folder / "README.md").write_text(card)
print(f"wrote {folder / 'README.md'}")
