#!/usr/bin/env python3
"""Writes the feature dictionary's model card (README.md) from what its runs recorded:
config.json, training.json (make features), features.json and metrics.json
(make eval-features). Standard library only, so `make eval-features` can run it anywhere.

    python3 python/latitude_tools/train/features_card.py Weights/features/NAME
"""
import json
import pathlib
import random
import sys

folder = pathlib.Path(sys.argv[1])
root = folder.resolve().parents[2]
config = json.loads((folder / "config.json").read_text())
training = json.loads((folder / "training.json").read_text())
catalogue = json.loads((folder / "features.json").read_text())
metrics_path = folder / "metrics.json"
metrics = json.loads(metrics_path.read_text()) if metrics_path.exists() else None
edition = int(training.get("corpus_edition", 1))
manifest_name = "manifest-edition1.json" if edition == 1 else "manifest.json"
manifest = json.loads((root / "Weights/train" / manifest_name).read_text())
args = training["args"]
sources = sorted(manifest["sources"])
if edition == 1:
    source_text = ", ".join(sources)
else:
    families = sorted({entry.get("family", name) for name, entry in manifest["sources"].items()})
    registers = manifest.get("registers", {})
    source_text = (f"{len(families)} source families (Debian packages and PyPI: documentation, "
                   "package descriptions, reviews, tweets, speeches, dialogue, fiction, the "
                   "edition-1 sources); registers: " +
                   ", ".join(f"{name} {entry['share'] * 100:.1f}%" for name, entry in
                             sorted(registers.items(), key=lambda kv: -kv[1]["share"])))
train_total = manifest["sentences"]["train"]
sampled = (f"a seeded sample of {training['train_sentences']:,} of its {train_total:,} sentences "
           f"(`--limit {args['limit']}`, seed {args['seed']})"
           if args.get("limit") and args["limit"] < train_total
           else f"{training['train_sentences']:,} sentences")
intent_margin = (metrics or {}).get("intent_margin")
val = training["validation_fp16"]


def mark(ok):
    return "✓" if ok else "✗ (below target)"


def figure(key, fmt="{:.4f}"):
    return fmt.format(metrics[key]) if metrics and key in metrics else "not measured"


strength = f"{metrics.get('steer_target_x_median', 12):g}" if metrics else "12"
rows = []
if metrics:
    rows = [
        ("recon_cosine (mean cosine of reconstruction and input)", figure("recon_cosine"), "≥ 0.95", mark(metrics["recon_cosine"] >= 0.95)),
        ("fvu (fraction of variance unexplained)", figure("fvu"), "—", ""),
        ("dead_fraction (never fire on the test split)", figure("dead_fraction"), "≤ 0.02", mark(metrics["dead_fraction"] <= 0.02)),
        ("mean_l0 (active features per sentence)", figure("mean_l0", "{:.1f}"), f"≤ k = {config['k']}", ""),
        ("label_hit_rate (200 live features)", figure("label_hit_rate", "{:.3f}"), "≥ 0.7", mark(metrics["label_hit_rate"] >= 0.7)),
        (f"steer_success, translate, {strength}× median", figure("steer_success_translate", "{:.3f}"), "≥ 0.7", mark(metrics["steer_success_translate"] >= 0.7)),
        (f"steer_success, optimize, {strength}× median", figure("steer_success_optimize", "{:.3f}"), "≥ 0.7", mark(metrics["steer_success_optimize"] >= 0.7)),
    ]
steer_rows = []
if metrics:
    suffixes = sorted({k[len("steer_success_translate"):] for k in metrics if k.startswith("steer_success_translate")},
                      key=lambda x: float(x[2:]) if x else float(strength))
    for suffix in suffixes:
        times = suffix[2:] if suffix else strength
        for edit in ("translate", "optimize"):
            steer_rows.append(f"| {times}× | {edit} | {metrics[f'steer_success_{edit}{suffix}']:.3f} | "
                              f"{metrics[f'fidelity_{edit}{suffix}']:.3f} | {metrics[f'content_cosine_{edit}{suffix}']:.3f} | "
                              f"{metrics[f'latent_reached_{edit}{suffix}']:.3f} |")
steer_table = "\n".join(steer_rows)
table = "\n".join(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows) or "| (run `make eval-features`) | | | |"
live = [f for f in catalogue["items"] if not f.get("dead")]
sample = random.Random(3).sample(live, min(12, len(live)))
examples = "\n".join(
    f"| {f['id']} | {f['label']} | {f['density']:.3%} | {f['examples'][0]['text'][:90]} |" for f in sorted(sample, key=lambda f: f["id"]))
history = "\n".join(
    f"| {h['epoch']} | {h['fvu']:.4f} | {h['recon_cosine']:.4f} | {h['dead_fraction']:.4f} | {h['seconds']:.0f} |"
    for h in training["history"])

alt_path = folder / "alternatives.json"
alternatives = "None recorded."
if alt_path.exists():
    recorded = json.loads(alt_path.read_text())
    # A list of entries (with the first card's wording), or {"intro", "entries", "conclusion"}.
    if isinstance(recorded, list):
        recorded = {
            "intro": "Other dictionaries trained and measured the same way (test split, same eval), "
                     "kept out of the repository; `alternatives.json` holds their figures:",
            "entries": recorded,
            "conclusion": "The larger dictionary reconstructs better but its finer features are "
                          "harder to label and to steer through the decoder, so this one is the product's."}
    lines = [recorded["intro"], ""]
    for a in recorded["entries"]:
        mm = a["metrics"]
        lines.append(f"- **{a['name']}** ({a['minutes']} min; {a['note']}): recon cosine {mm['recon_cosine']:.4f}, "
                     f"dead {mm['dead_fraction']:.4f}, L0 {mm['mean_l0']:.0f}, label hit rate {mm['label_hit_rate']:.3f}, "
                     f"steer success at {strength}× translate {mm['steer_success_translate']:.3f} / optimize "
                     f"{mm['steer_success_optimize']:.3f}"
                     + (f" (20×: {mm['steer_success_translate_x20']:.3f} / {mm['steer_success_optimize_x20']:.3f})"
                        if "steer_success_translate_x20" in mm else "")
                     + (f", content cosine at {strength}× translate {mm['content_cosine_translate']:.3f}"
                        if "content_cosine_translate" in mm else "")
                     + f". `{a['command']}`")
    lines.append("")
    lines.append(recorded["conclusion"])
    alternatives = "\n".join(lines)
dead_seen = max(h.get("dead_in_training", 0) for h in training["history"])
auxk_note = (f" In this run no feature went unfired that long at any epoch's end (at most "
             f"{dead_seen} did), so the AuxK term stayed at or near zero: with this dictionary "
             f"size top-k kept every feature alive by itself." if dead_seen <= 5 else "")
if edition == 1:
    reproduce = f"""make corpus CORPUS_EDITION=1   # the corpus (edition 1) and its splits
make features        # trains ({training['seconds'] / 60:.0f} min on 2 cores); writes this folder and the parity fixture
make eval-features   # the metrics above; rewrites this card"""
    corpus_limit = """- The corpus is dictionary glosses, fortunes, Austen, jargon and short reviews; features
  reflect it (many WordNet-gloss and Austen features)."""
else:
    flags = " ".join(f"--{key.replace('_', '-')} {value}" for key, value in args.items()
                     if key in ("features", "k", "epochs", "lr", "limit", "seed") and value is not None)
    reproduce = f"""make corpus          # the corpus (edition {edition}) and its splits
make features FEATURES_ARGS="{flags}"   # {training['seconds'] / 60:.0f} min of training on 2 cores, after embedding the sample
make eval-features   # the metrics above; rewrites this card"""
    corpus_limit = """- The corpus is mostly documentation (the registers above); conversation and reviews are
  a small share, so fewer features are about everyday talk than about software."""
kept_at_default = (f"{metrics['content_cosine_translate']:.2f}" if metrics and "content_cosine_translate" in metrics
                   else "(not measured)")
shared_note = f"; {training['note']}" if training.get("note") else ""
if metrics and "steer_success_optimize_x20" in metrics:
    optimize_note = (f"the optimising edit carries the feature in {metrics['steer_success_optimize']:.3f} of the pairs "
                     f"there (translation {metrics['steer_success_translate']:.3f}) and in "
                     f"{metrics['steer_success_optimize_x20']:.3f} at 20×, where it keeps almost nothing of the "
                     f"sentence (content {metrics['content_cosine_optimize_x20']:.2f})")
else:
    optimize_note = "the optimising edit keeps less of the sentence as the strength grows"
intent_note = (f"; as the server ranks a steered node, a text on which the feature reads at "
               f"least its median is favoured by {intent_margin:g} in cosine units, `DecodeIntent`"
               if intent_margin else "; no decode intents")
card = f"""# {folder.name}: a sparse dictionary of the MiniLM embedding space

A top-k sparse autoencoder (SAE) over Latitude's sentence embeddings (all-MiniLM-L6-v2,
384-d, unit length): {config['features']} features, at most k = {config['k']} active per
sentence. Each feature is a unit direction in the embedding space with an automatic label.
Latitude reads a node's features, offers a feature as an axis, and steers features on nodes.
Trained by this project; Swift inference in `Sources/Latent/Features/`.

## Model
- `pre = W_enc (x − b_dec) + b_enc`; the k largest pre-activations are kept (ReLU), every
  other feature is 0; `x̂ = Σ zᵢ dᵢ + b_dec`. Decoder rows dᵢ are kept unit-length (their
  gradient's radial part is removed and rows renormalised after every step).
- {config['features']} × {config['dimension']} encoder and decoder, fp16 safetensors
  (`sae.safetensors`, {(2 * config['features'] * config['dimension'] + config['features'] + config['dimension']) * 2 / 1e6:.1f} MB).
- Why these sizes: {config['features'] / config['dimension']:.1f}× expansion and
  k = {config['k']} sit inside the 4–16× / 32–64 range of open top-k SAEs on sentence
  embeddings; with ~{training['train_sentences'] // 1000}k train sentences each feature
  fires on ~{training['train_sentences'] * config['k'] // config['features']:,} of them on average, enough for
  labels from its top sentences and for it to fire on the {round(manifest['sentences']['test'] / 1000)}k-sentence test split (a
  larger dictionary spreads the same data thinner and leaves more features dead on it).
- Dead features are fought with the AuxK loss: the residual x − x̂ is also reconstructed
  from the top {args['aux_k']} features that have not fired for {args['dead_after']:,} train
  sentences, weighted {args['aux_coef']:.4f}.{auxk_note}
- Initialisation: decoder rows random unit vectors, encoder = decoderᵀ, b_dec = the mean
  train embedding.

## Data
The corpus of `make corpus CORPUS_EDITION={edition}` (edition {edition}: {sum(manifest['sentences'].values()):,} English sentences from
{source_text}; licences in `Weights/train/{manifest_name}`), split by hash.
Trained on the train split ({sampled}), the best epoch chosen
on the validation split ({training['validation_sentences']:,}); every metric below is on the
test split ({(metrics or {}).get('test_sentences', manifest['sentences']['test']):,.0f} sentences), which training never read. Embeddings by
the Swift encoder (`latitude encode`, parity 3e-7 with sentence-transformers).

## Training
Adam, lr {args['lr']} (warm-up over 200 steps, linear decay over the last 20%), batch
{args['batch']}, {args['epochs']} epochs, seed {args['seed']}, {training['threads']} CPU
threads: **{training['seconds'] / 60:.1f} minutes on this 2-core machine** (CPU-only torch){shared_note}.

| epoch | validation FVU | recon cosine | dead (validation) | seconds |
| --- | --- | --- | --- | --- |
{history}

## Metrics (test split, `make eval-features`)
| metric | value | target | |
| --- | --- | --- | --- |
{table}

Steering is measured on 200 (test sentence, feature) pairs with the feature inactive: the
feature is set to a multiple of its median active value (train split), the latent is
decoded by the product's decoder (8 candidates, re-ranked, sentence bank{intent_note}), and the decoded
text is embedded and read by the SAE again; success means the feature fires above its
median. Fidelity is the decoded text's cosine with the steered latent; content is its cosine
with the original sentence (how much of the sentence survives the edit); "latent reached" is
the share of steered latents (before decoding) on which the feature reads above its median.

| strength | edit | steer_success | fidelity | content cosine | latent reached |
| --- | --- | --- | --- | --- | --- |
{steer_table}

A feature's median activation is a small move of a unit-length latent, and the decoder
snaps a slightly moved point back to a sentence much like the original: at 6× the decoded
text rarely carries the feature. The product's default strength is 12× (the slider goes to
24×), where translation keeps a content cosine of {kept_at_default}; {optimize_note}, because holding
every other active feature at its value while one grows pushes the latent off the region
the decoder knows. The two edit modes: **translate** adds (target − current) × dᵢ and
renormalises; **optimize** takes the smallest step of the latent after which the encoder
reads the target on the feature and keeps the other active features' values, renormalises,
and repeats until the SAE agrees (at most 8 rounds).

## Labels (no LLM)
`features.json` holds, per feature: its density on the train split, its 8 strongest train
sentences, activation quantiles (median, p90, max), the mean projection on its direction
with and without it (a feature axis's calibration), and a label: the up to three words with
the highest p_top²·log(p_top / p_corpus) among the feature's 400 strongest train sentences
(a word must be in ≥ 10% of them and at least 1.5× as common there as in the corpus). The
rule was chosen on the validation split: counting only words at least 1.65× or 2× enriched
gives cleaner labels but a hit rate near 0.45–0.5; allowing merely frequent words ("the",
"a") raises the hit rate to 0.8 with labels that say nothing, which this rule refuses.
Function words still lead some labels where nothing more specific recurs (e.g. "a · in ·
for"); a document can rename any feature. {catalogue['live']} of {catalogue['features']} features fire
on the train split. A random sample:

| id | label | density | strongest train sentence |
| --- | --- | --- | --- |
{examples}

## Alternatives measured
{alternatives}

## Reproduce
```
{reproduce}
```
Swift parity with PyTorch: `Tests/LatentTests/FeatureDictionaryTests.swift` on
`Tests/LatentTests/Resources/features-parity.json` (12 validation sentences; activations and
reconstructions within 1e-4).

## Limits
- Labels are words, not descriptions: a feature about a syntactic pattern or a register may
  get function words or a frequent name as its label. Documents can rename features.
{corpus_limit}
- Steered text is only as good as the decoder: a latent can read the feature while the
  decoded sentence loses it (compare "latent reaches the median" with steer_success).
"""
(folder / "README.md").write_text(card)
print(f"wrote {folder / 'README.md'}")
