#!/usr/bin/env python3
"""Trains Latitude's embedding-to-text decoder (issue 4). PyTorch; never run by `make test`.

Shape: the 384-d sentence embedding → `prefix` vectors (a linear map), then a causal
transformer over [prefix; tokens] that predicts the next WordPiece. The six layers have
exactly BERT's post-LayerNorm structure, so they (and the token and position embeddings)
are warm-started from all-MiniLM-L6-v2 itself (Rothe et al., 2020). The output vocabulary
is restricted to the WordPieces the corpus uses (top `vocab` by count, ~95% coverage at
8k), and the output layer is tied to the token embeddings. Training adds noise to the
conditioning vector (random angle, renormalised) so points dragged off the data manifold
still decode to fluent text. Batches are bucketed by length.

    .venv-train/bin/python -m latitude_tools.train.decoder --minutes 110      # CPU, 2 cores
    .venv-train/bin/python -m latitude_tools.train.decoder --device cuda --minutes 10
    # a later working period continues the same run (weights, step counter, data order and,
    # when optimizer.pt is beside the weights, AdamW's moments):
    .venv-train/bin/python -m latitude_tools.train.decoder --init Weights/decoder/NAME --out Weights/decoder/NAME ...
Writes --out: model.safetensors (fp16, the only file a run carries between periods in git),
config.json, vocab.txt, training.json (every stage of the run: its arguments, steps, the
sentences it saw and where in the data order it stopped) and optimizer.pt (AdamW state,
fp32; git-ignored, too large to commit, used when it is there).
`--register-balance A` (with --limit) samples the train split with each register's weight
raised to A (1: as the corpus has them; 0: every register equally), from the .sources files
of `make corpus`.
"""
import argparse, json, math, os, pathlib, random, sys, time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
import numpy as np
import torch
from torch import nn

from latitude_tools.paths import ENCODER, ROOT, TRAIN as HERE
from latitude_tools.train.embeddings import content_digest, corpus_edition as data_edition
from latitude_tools.train.register_sample import balanced_sample, split_registers
from latitude_tools.train.register_sample import describe as describe_sample
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"]


def log(message):
    print(time.strftime("%H:%M:%S"), message, file=sys.stderr, flush=True)


class Decoder(nn.Module):
    def __init__(self, vocab, hidden=384, layers=6, heads=12, ffn=1536, prefix=4, max_len=64):
        super().__init__()
        self.prefix, self.hidden = prefix, hidden
        self.condition = nn.Linear(hidden, prefix * hidden)
        self.tokens = nn.Embedding(vocab, hidden)
        self.positions = nn.Embedding(prefix + max_len, hidden)
        self.norm = nn.LayerNorm(hidden, eps=1e-12)
        layer = nn.TransformerEncoderLayer(hidden, heads, ffn, dropout=0.1, activation="gelu",
                                           batch_first=True, norm_first=False, layer_norm_eps=1e-12)
        self.layers = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)

    def forward(self, embedding, tokens):
        batch, length = tokens.shape
        prefix = self.condition(embedding).view(batch, self.prefix, self.hidden)
        x = torch.cat([prefix, self.tokens(tokens)], dim=1)
        positions = torch.arange(x.shape[1], device=x.device)
        x = self.norm(x + self.positions(positions))
        mask = nn.Transformer.generate_square_subsequent_mask(x.shape[1], device=x.device)
        x = self.layers(x, mask=mask, is_causal=True)
        return x[:, self.prefix - 1:-1] @ self.tokens.weight.T  # logits for each token position


def warm_start(model, keep_ids):
    from transformers import AutoModel
    bert = AutoModel.from_pretrained(str(ENCODER))
    with torch.no_grad():
        model.tokens.weight.copy_(bert.embeddings.word_embeddings.weight[keep_ids])
        model.positions.weight.copy_(bert.embeddings.position_embeddings.weight[: model.positions.num_embeddings])
        model.norm.load_state_dict(bert.embeddings.LayerNorm.state_dict())
        for ours, theirs in zip(model.layers.layers, bert.encoder.layer):
            a = theirs.attention
            ours.self_attn.in_proj_weight.copy_(torch.cat([a.self.query.weight, a.self.key.weight, a.self.value.weight]))
            ours.self_attn.in_proj_bias.copy_(torch.cat([a.self.query.bias, a.self.key.bias, a.self.value.bias]))
            ours.self_attn.out_proj.load_state_dict(a.output.dense.state_dict())
            ours.norm1.load_state_dict(a.output.LayerNorm.state_dict())
            ours.linear1.load_state_dict(theirs.intermediate.dense.state_dict())
            ours.linear2.load_state_dict(theirs.output.dense.state_dict())
            ours.norm2.load_state_dict(theirs.output.LayerNorm.state_dict())


def load_split(name, limit=None, seed=1, register_balance=1.0):
    """The split's sentences; with `limit`, a seeded random sample of that many (the file
    is ordered by source, so a prefix would be one source only). With register_balance
    below 1 the sample favours rare registers: a sentence's weight is its register's share
    of the split raised to (register_balance - 1)."""
    lines = [l.rstrip("\n") for l in open(HERE / "data" / f"{name}.txt", encoding="utf-8")]
    if register_balance != 1.0:
        if not limit:
            raise SystemExit("--register-balance needs --limit (it chooses which sentences to train on)")
        registers = split_registers(name)
        chosen = balanced_sample(registers, limit, seed, register_balance)
        log(f"register sample: {describe_sample(registers, chosen)}")
        return [lines[i] for i in chosen if lines[i].strip()]
    lines = [l for l in lines if l.strip()]
    if limit and limit < len(lines):
        lines = random.Random(seed).sample(lines, limit)
    return lines


def build_vocab(tokenizer, sentences, size):
    counts = {}
    for ids in tokenizer(sentences, add_special_tokens=False)["input_ids"]:
        for i in ids:
            counts[i] = counts.get(i, 0) + 1
    total = sum(counts.values())
    special = [tokenizer.convert_tokens_to_ids(t) for t in SPECIALS]
    common = [i for i, _ in sorted(counts.items(), key=lambda kv: -kv[1]) if i not in special][: size - len(special)]
    keep = special + common
    coverage = sum(counts.get(i, 0) for i in common) / max(total, 1)
    return keep, coverage


def vocab_coverage(tokenizer, sentences, keep):
    """Share of the sentences' WordPieces that `keep` contains."""
    kept, total = set(keep), 0
    hits = 0
    for ids in tokenizer(sentences, add_special_tokens=False)["input_ids"]:
        total += len(ids)
        hits += sum(1 for i in ids if i in kept)
    return hits / max(total, 1)


def encode_texts(sentences, device="cpu"):
    from sentence_transformers import SentenceTransformer
    model = SentenceTransformer(str(ENCODER), device=device)
    batch = 256 if device == "cpu" else 2048
    return model.encode(sentences, batch_size=batch, convert_to_numpy=True, show_progress_bar=False)


def embeddings_for(name, sentences, cache, device="cpu"):
    """Embeddings of `sentences`, cached by content hash. The cache may also be filled by
    the Swift encoder (`latitude encode --file F -o PATH.npy`; parity 3e-7), which is
    faster on CPU than sentence-transformers."""
    digest = content_digest(sentences)
    path = cache / f"{name}-{len(sentences)}-{digest}.npy"
    if path.exists():
        return np.load(path)
    log(f"encoding {len(sentences)} {name} sentences")
    vectors = encode_texts(sentences, device).astype(np.float32)
    np.save(path, vectors)
    return vectors


def noisy(embedding, max_angle):
    """Rotates each vector by a random angle up to max_angle (radians), staying unit-length."""
    angle = torch.rand(embedding.shape[0], 1, device=embedding.device) * max_angle
    direction = torch.randn_like(embedding)
    direction = direction - (direction * embedding).sum(-1, keepdim=True) * embedding
    direction = direction / direction.norm(dim=-1, keepdim=True).clamp_min(1e-8)
    return torch.cos(angle) * embedding + torch.sin(angle) * direction


def previous_run(folder):
    """What an --init folder's training.json says of the run so far (nothing for a fresh run).

    A training.json from before stages were recorded becomes one stage."""
    empty = {"stages": [], "steps": 0, "epochs": 0, "history": [], "position": None}
    path = pathlib.Path(folder) / "training.json" if folder else None
    if path is None or not path.exists():
        return empty
    data = json.loads(path.read_text())
    if data.get("stages"):
        return {"stages": data["stages"], "steps": data.get("steps", 0), "epochs": data.get("epochs", 0),
                "history": data.get("history", []), "position": data.get("position")}
    # An older run: its own stage, after the first one kept as training-stage1.json if any
    # (both counted steps from zero and trained on corpus edition 1).
    older = [json.loads(p.read_text()) for p in (path.with_name("training-stage1.json"), path) if p.exists()]
    stages, history = [], []
    for number, run in enumerate(older, start=1):
        stages.append({"args": run.get("args"), "steps": run.get("steps", 0), "epochs": run.get("epochs", 0),
                       "train_sentences": run.get("train_sentences"), "corpus_edition": "1"})
        history += [dict(entry, stage=number) for entry in run.get("history", [])]
    return {"stages": stages, "steps": sum(stage["steps"] for stage in stages), "epochs": data.get("epochs", 0),
            "history": history, "position": None}


def restore_optimizer(optimizer, folder, device):
    """Loads AdamW's state from folder/optimizer.pt when it is there and fits; True if loaded."""
    path = pathlib.Path(folder) / "optimizer.pt" if folder else None
    if path is None or not path.exists():
        return False
    try:
        optimizer.load_state_dict(torch.load(path, map_location=device))
    except (ValueError, RuntimeError, KeyError) as error:
        log(f"{path} does not fit this model ({error}); AdamW starts afresh, with a warm-up")
        return False
    log(f"AdamW state restored from {path}")
    return True


def corpus_edition():
    """The edition of data/, and how device_pack sampled it when it did."""
    sample = HERE / "data" / "SAMPLE"
    name = str(data_edition())
    return f"{name} ({sample.read_text().strip()})" if sample.exists() else name


def epoch_order(seed, epoch):
    """The random source of one epoch's batches: the same for the same seed and epoch, so a
    resumed run continues an interrupted epoch with the batches it had not yet seen."""
    return random.Random(f"{seed}-{epoch}")


def batches(token_rows, size, rng):
    """Length-bucketed batches: sort by length, chunk, shuffle the chunks."""
    order = sorted(range(len(token_rows)), key=lambda i: (len(token_rows[i]), rng.random()))
    chunks = [order[i:i + size] for i in range(0, len(order), size)]
    rng.shuffle(chunks)
    return chunks


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=110)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--vocab", type=int, default=8192)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--lr", type=float, default=3e-4)
    parser.add_argument("--max-len", type=int, default=64)
    parser.add_argument("--noise", type=float, default=0.35, help="largest conditioning rotation, radians")
    parser.add_argument("--limit", type=int, default=None, help="train on a seeded sample of this many sentences")
    parser.add_argument("--write-samples", action="store_true", help="write the sampled sentences and the embedding cache paths, then stop")
    parser.add_argument("--out", default=str(ROOT / "Weights/decoder"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--init", default=None,
                        help="continue from a previous run's folder (its weights and vocabulary) instead of MiniLM")
    parser.add_argument("--warmup", type=int, default=500,
                        help="warm-up steps at the start of a stage whose AdamW state starts afresh")
    parser.add_argument("--decay", action="store_true",
                        help="cosine-decay the learning rate to 10%% over the time budget")
    parser.add_argument("--register-balance", type=float, default=1.0,
                        help="with --limit: sample registers by share**A (1 = as in the corpus, 0 = equal)")
    args = parser.parse_args()
    if not 0.0 <= args.register_balance <= 1.0:
        parser.error("--register-balance must be between 0 and 1")
    torch.manual_seed(args.seed)
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    cache = ROOT / ".cache/decoder"
    cache.mkdir(parents=True, exist_ok=True)

    from transformers import AutoTokenizer
    tokenizer = AutoTokenizer.from_pretrained(str(ENCODER))
    train = load_split("train", args.limit, args.seed, args.register_balance)
    validation = load_split("validation", 2000, args.seed)
    data_digest = content_digest(train)
    previous = previous_run(args.init)
    if args.write_samples:
        for name, sentences in (("train", train), ("validation", validation)):
            digest = content_digest(sentences)
            text = cache / f"{name}-{len(sentences)}-{digest}.txt"
            text.write_text("\n".join(sentences) + "\n", encoding="utf-8")
            print(text, cache / f"{name}-{len(sentences)}-{digest}.npy")
        return
    if args.init:
        keep = tokenizer.convert_tokens_to_ids((pathlib.Path(args.init) / "vocab.txt").read_text().split("\n")[:-1])
        coverage = vocab_coverage(tokenizer, train, keep)
    else:
        keep, coverage = build_vocab(tokenizer, train, args.vocab)
    remap = {old: new for new, old in enumerate(keep)}
    unk, sep = remap[tokenizer.convert_tokens_to_ids("[UNK]")], remap[tokenizer.convert_tokens_to_ids("[SEP]")]
    log(f"vocabulary {len(keep)} WordPieces cover {coverage:.1%} of corpus tokens")

    def rows(sentences):
        ids = tokenizer(sentences, add_special_tokens=False, truncation=True, max_length=args.max_len - 1)["input_ids"]
        return [[remap.get(i, unk) for i in row] + [sep] for row in ids]

    train_rows, validation_rows = rows(train), rows(validation)
    train_emb = torch.from_numpy(embeddings_for("train", train, cache, args.device))
    validation_emb = torch.from_numpy(embeddings_for("validation", validation, cache, args.device))

    model = Decoder(len(keep), max_len=args.max_len)
    if args.init:
        from safetensors.torch import load_file
        state = load_file(str(pathlib.Path(args.init) / "model.safetensors"))
        model.load_state_dict({k: v.float() for k, v in state.items()})
        log(f"continuing from {args.init}")
    else:
        warm_start(model, torch.tensor(keep))
    model.to(args.device)
    parameters = sum(p.numel() for p in model.parameters())
    log(f"{parameters / 1e6:.1f}M parameters")
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    optimizer_restored = restore_optimizer(optimizer, args.init, args.device)
    started = time.time()
    deadline = started + args.minutes * 60
    step, epoch = previous["steps"], previous["epochs"]
    stage_start, seen = step, 0
    # Continue the data order where the last stage stopped when it trained on the same data.
    position = previous["position"]
    first_batch = 0
    if position and position.get("data") == data_digest and position.get("seed") == args.seed:
        epoch, first_batch = position["epoch"] - 1, position["batch"]
        log(f"continuing at step {step}, epoch {position['epoch']}, batch {first_batch}")
    elif step:
        log(f"continuing at step {step} with a new data order (the data or the seed changed)")
    position = None

    def run_batch(indices, embeddings, token_rows, train_mode):
        length = max(len(token_rows[i]) for i in indices)
        tokens = torch.zeros(len(indices), length, dtype=torch.long)
        for r, i in enumerate(indices):
            tokens[r, : len(token_rows[i])] = torch.tensor(token_rows[i])
        tokens = tokens.to(args.device)
        embedding = embeddings[indices].to(args.device)
        if train_mode:
            embedding = noisy(embedding, args.noise)
        logits = model(embedding, tokens)
        return nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), tokens.reshape(-1), ignore_index=0)

    def save():
        """Writes the current weights, vocabulary, config and history (after every epoch too)."""
        out = pathlib.Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        from safetensors.torch import save_file
        state = {k: v.detach().to("cpu", torch.float16).contiguous() for k, v in model.state_dict().items()}
        save_file(state, str(out / "model.safetensors"))
        (out / "vocab.txt").write_text("\n".join(tokenizer.convert_ids_to_tokens(keep)) + "\n")
        (out / "config.json").write_text(json.dumps({
            "model_type": "latitude-prefix-decoder", "vocab_size": len(keep), "hidden_size": 384,
            "num_hidden_layers": 6, "num_attention_heads": 12, "intermediate_size": 1536, "prefix_length": 4,
            "max_length": args.max_len, "layer_norm_eps": 1e-12, "encoder": "all-MiniLM-L6-v2",
            "parameters": parameters}, indent=2) + "\n")
        torch.save(optimizer.state_dict(), out / "optimizer.pt")
        stage = {"args": vars(args), "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
                 "minutes": round((time.time() - started) / 60, 1), "steps": step - stage_start,
                 "sentences_seen": seen, "train_sentences": len(train), "data": data_digest,
                 "corpus_edition": corpus_edition(), "optimizer_restored": optimizer_restored}
        (out / "training.json").write_text(json.dumps({
            "args": vars(args), "steps": step, "epochs": epoch, "vocab_coverage": coverage,
            "train_sentences": len(train), "history": history, "stages": previous["stages"] + [stage],
            "position": position}, indent=2) + "\n")
        log(f"wrote {out}")

    history = previous["history"]
    while time.time() < deadline:
        epoch += 1
        model.train()
        chunks = batches(train_rows, args.batch, epoch_order(args.seed, epoch))
        position = {"epoch": epoch + 1, "batch": 0, "data": data_digest, "seed": args.seed}
        for index in range(first_batch, len(chunks)):
            if time.time() >= deadline:
                position = {"epoch": epoch, "batch": index, "data": data_digest, "seed": args.seed}
                break
            chunk = chunks[index]
            loss = run_batch(chunk, train_emb, train_rows, True)
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            # Warm-up at the start of a stage, unless AdamW's moments were restored.
            scale = 1.0 if optimizer_restored else min(1.0, (step - stage_start + 1) / max(1, args.warmup))
            if args.decay:  # then cosine decay over the wall-clock budget
                done = min(1.0, (time.time() - started) / (deadline - started))
                scale *= 0.1 + 0.45 * (1 + math.cos(math.pi * done))
            for group in optimizer.param_groups:
                group["lr"] = args.lr * scale
            optimizer.step()
            step += 1
            seen += len(chunk)
            if step % 100 == 0:
                log(f"epoch {epoch} step {step} loss {loss.item():.3f}")
        first_batch = 0
        model.eval()
        with torch.no_grad():
            losses = [run_batch(c, validation_emb, validation_rows, False).item()
                      for c in batches(validation_rows, args.batch, random.Random(0))]
        validation_loss = sum(losses) / len(losses)
        history.append({"stage": len(previous["stages"]) + 1, "epoch": epoch, "step": step,
                        "validation_loss": validation_loss})
        log(f"epoch {epoch}: validation loss {validation_loss:.3f} (perplexity {math.exp(validation_loss):.1f})")
        save()

    if not seen:  # the budget ran out before a batch: still record the (empty) stage
        save()


if __name__ == "__main__":
    main()
