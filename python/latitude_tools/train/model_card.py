#!/usr/bin/env python3
"""Writes Weights/decoder/NAME/README.md (the model card) from training.json and
metrics.json, so the card always states the figures the run actually produced.

    .venv-train/bin/python -m latitude_tools.train.model_card Weights/decoder/NAME "hardware" [bench-decode.json]

Every stage of a run (each continuation with `--init`) is in training.json's `stages`, and
the card lists them all; an older run that kept its first stage as training-stage1.json
beside training.json is read that way. With the last line
of `make bench-decode` saved to a file, the card also gives the Swift pipeline's figures.
Sections of an existing card that this script does not generate (hand-written measurements
such as adaptive effort or fluency ranking) are kept, after the generated ones.
"""
import json, pathlib, sys

from latitude_tools.paths import TRAIN

folder = pathlib.Path(sys.argv[1])
hardware = sys.argv[2] if len(sys.argv) > 2 else "unknown"
bench = json.loads(pathlib.Path(sys.argv[3]).read_text().strip().splitlines()[-1]) if len(sys.argv) > 3 else None
training = json.loads((folder / "training.json").read_text())
stage1_path = folder / "training-stage1.json"
stage1 = json.loads(stage1_path.read_text()) if stage1_path.exists() else None
metrics = json.loads((folder / "metrics.json").read_text())
config = json.loads((folder / "config.json").read_text())
manifest = json.loads((TRAIN / "manifest-edition1.json").read_text())
GENERATED = ("Model", "Data", "Training", "Held-out metrics", "The Swift pipeline", "Examples", "Reproduce")


def kept_sections(path):
    """The `## ` sections of an existing card that are not generated here, in their order."""
    if not path.exists():
        return ""
    parts = path.read_text().split("\n## ")[1:]
    kept = [part for part in parts if not part.startswith(GENERATED)]
    return "".join("\n## " + part.rstrip("\n") + "\n" for part in kept)
args = training["args"]
targets = [
    ("Greedy round-trip cosine", metrics["cos_greedy"], "≥ 0.55", metrics["cos_greedy"] >= 0.55),
    ("Best-of-8 (re-ranked) round-trip cosine", metrics["cos_best_of_8_reranked"], "≥ 0.68 and > bank",
     metrics["cos_best_of_8_reranked"] >= 0.68 and metrics["cos_best_of_8_reranked"] > metrics["cos_bank"]),
    ("Repetition rate", metrics["repetition_rate"], "< 0.05", metrics["repetition_rate"] < 0.05),
]
if "stages" in training:
    stages = [(str(i + 1), stage) for i, stage in enumerate(training["stages"])]
    editions = sorted({str(run.get("corpus_edition", "1")).split()[0] for _, run in stages})
    history = "\n".join(f"| {h.get('stage', '?')} | {h['epoch']} | {h['step']} | {h['validation_loss']:.3f} |"
                        for h in training["history"])
else:
    stages = ([("1", stage1)] if stage1 else []) + [("2" if stage1 else "1", training)]
    history = "\n".join(f"| {name} | {h['epoch']} | {h['step']} | {h['validation_loss']:.3f} |"
                        for name, run in stages for h in run["history"])
    editions = ["1"]


def describe(run):
    a = run["args"]
    if "sentences_seen" in run:  # a stage recorded by decoder.py itself
        start = f"continued from {pathlib.Path(a['init']).name}" if a.get("init") else "warm-started from all-MiniLM-L6-v2"
        balance = f", registers balanced at {a['register_balance']:g}" if a.get("register_balance", 1) != 1 else ""
        restored = "AdamW state restored" if run["optimizer_restored"] else "AdamW from scratch with 500 warm-up steps"
        return (f"{start}, {run['started']}; {run['train_sentences']} train-split sentences of corpus edition "
                f"{run['corpus_edition']}{balance}; {run['steps']} steps, {run['sentences_seen']} sentences seen, "
                f"batch {a['batch']}, lr {a['lr']}, {restored}{', cosine decay' if a.get('decay') else ''}; "
                f"{run['minutes']} minutes on {a['device']}")
    sample = f"a seeded sample of {run['train_sentences']}" if a.get("limit") else f"all {run['train_sentences']}"
    start = f"continued from {pathlib.Path(a['init']).name}" if a.get("init") else "warm-started from all-MiniLM-L6-v2"
    decay = ", cosine decay to 10% over the budget" if a.get("decay") else ", constant after warm-up"
    return (f"{start}; {sample} train-split sentences; {run['steps']} steps, {run['epochs']} epochs "
            f"(last one partial), batch {a['batch']}, AdamW lr {a['lr']} with 500 warm-up steps{decay}; "
            f"{a['minutes']} minutes")


def stage_out(run):
    """Where a stage wrote its weights (an older card's first stage: latitude-prefix-v1)."""
    if stage1 and run is stage1:
        return "Weights/decoder/latitude-prefix-v1"
    out = (run.get("args") or {}).get("out")
    return f"Weights/decoder/{pathlib.Path(out).name}" if out else f"Weights/decoder/{folder.name}"


def command(run, out):
    a = run["args"]
    parts = [".venv-train/bin/python -m latitude_tools.train.decoder"]
    if a.get("limit"):
        parts.append(f"--limit {a['limit']}")
    if a.get("init"):
        parts.append(f"--init {a['init']}")
    if a.get("decay"):
        parts.append("--decay")
    if a.get("register_balance", 1) != 1:
        parts.append(f"--register-balance {a['register_balance']:g}")
    if a.get("device", "cpu") != "cpu":
        parts.append(f"--device {a['device']}")
    if a.get("seed", 1) != 1:
        parts.append(f"--seed {a['seed']}")
    parts.append(f"--minutes {a['minutes']:g} --batch {a['batch']} --lr {a['lr']:g} --out {out}")
    return " ".join(parts)
edition2 = json.loads((TRAIN / "manifest.json").read_text()) if "2" in editions else None
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
- Vocabulary: the {config['vocab_size']} most frequent WordPieces of the first stage's training
  sentences, plus [PAD] [UNK] [CLS] [SEP] (`vocab.txt`; kept by every later stage); they cover
  {training['vocab_coverage']:.1%} of the last stage's tokens.
- Training noise: the conditioning vector is rotated by a random angle up to {args['noise']} rad.

## Data
`make corpus CORPUS_EDITION=1` (python/latitude_tools/train/corpus.py, edition 1): {sum(manifest['sentences'].values())} English
sentences of 4–40 words from {', '.join(manifest['sources'])} (licences in Weights/train/manifest-edition1.json),
split by hash into train {manifest['sentences']['train']} / validation
{manifest['sentences']['validation']} / test {manifest['sentences']['test']}. Only the train
split was trained on (embedded by the Swift encoder, parity 3e-7 with
sentence-transformers); validation loss uses 2,000 validation sentences; every metric below
uses the test split.
""" + ("" if "2" not in editions else f"""
Stages marked edition 2 trained on `make corpus` (edition 2, Weights/train/manifest.json):
{sum(edition2['sentences'].values())} sentences from {edition2['families']} source families, split by the same hash rule
(train {edition2['sentences']['train']} / validation {edition2['sentences']['validation']} / test {edition2['sentences']['test']}; every edition-1 sentence keeps its
split, so no test sentence of either edition was trained on). Registers of the split:
{'; '.join(f"{name} {info['share']:.1%}" for name, info in edition2['registers'].items())}.
Their validation losses are on 2,000 edition-2 validation sentences, so they are not
comparable with earlier stages' losses.
""") + f"""
## Training ({hardware})
""" + "\n".join(f"- Stage {name}: {describe(run)}." for name, run in stages) + f"""
- Validation loss (2,000 validation sentences, no conditioning noise):

| stage | epoch | step | validation loss |
| --- | --- | --- | --- |
{history}

## Held-out metrics (test split, {metrics['test_sentences']} sentences never seen in training{f": {metrics['test_file']}" if metrics.get('test_file') else ""})
| metric | value | target | met |
| --- | --- | --- | --- |
""" + "\n".join(f"| {name} | {value} | {target} | {'yes' if met else 'no'} |" for name, value, target, met in targets) + f"""
| Bank (nearest of {metrics['bank_sentences']} training sentences) cosine | {metrics['cos_bank']} | | |
| Best of greedy + 8 samples | {metrics.get('cos_best_of_greedy_and_8', '')} | | |
| Token F1, greedy | {metrics['token_f1_greedy']} | | |
| BLEU, greedy | {metrics['bleu_greedy']} | | |
| Repetition rate of the samples | {metrics.get('repetition_rate_sampled', '')} | | |

Generation bans [PAD]/[UNK]/[CLS] and a token's third repeat in a row (the Swift decoder
does the same). Best-of-8 draws 8 top-p (0.9) samples per sentence and keeps the one whose
embedding is closest to the target.
""" + ("" if not bench else f"""
## The Swift pipeline (`make bench-decode`, {int(bench['count'])} held-out test sentences)
Greedy + 7 samples + the 3 nearest sentences of the 48,000-sentence bank (Weights/bank/),
re-ranked by the Swift encoder. Latencies are one core's; the decoder's products ran on
its default kernel: where the CPU has AMX-INT8, int8 weights with a scale per column on
AMX tiles, each product's activations rounded to int8 per row (else the same weights as
int8 panels on AVX-512; `make bench-kernels` compares them with each other, with the exact
fp16 panels and with `cblas_sgemm`; `LATITUDE_DECODER_KERNEL=fp16-panels make bench-decode`
gives the exact figures).

| metric | value |
| --- | --- |
""" + "\n".join(f"| {k} | {v} |" for k, v in bench.items()) + "\n") + f"""
## Examples (greedy)
| original | decoded | cosine |
| --- | --- | --- |
{examples}

## Reproduce
```sh
make corpus CORPUS_EDITION=1   # the five-source corpus (edition 1)
""" + ("" if "2" not in editions else """make corpus                    # edition 2, for the stages trained on it (rebuild edition 1 for the others)
""") + """# optional, faster than letting the trainer embed with sentence-transformers: print the
# sample files, then embed each TXT into its NPY with the Swift encoder
.venv-train/bin/python -m latitude_tools.train.decoder --write-samples [--limit 60000]
.build/release/latitude encode --file TXT -o NPY
""" + "\n".join(command(run, stage_out(run)) + f"  # corpus edition {str(run.get('corpus_edition', '1')).split()[0]}"
            for _, run in stages) + f"""
.venv-train/bin/python -m latitude_tools.train.evaluate --model {folder}
.venv-train/bin/python -m latitude_tools.train.model_card {folder} "{hardware}" bench-decode.json
```
Wall-clock budgets make reruns land on slightly different step counts; figures move by
about ±0.01.
(`make bench-encode` creates `.venv-bench` with torch and sentence-transformers.)
"""
card += kept_sections(folder / "README.md")
(folder / "README.md").write_text(card)
print(f"wrote {folder / 'README.md'}")
