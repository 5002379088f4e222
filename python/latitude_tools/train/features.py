#!/usr/bin/env python3
"""Trains the top-k sparse autoencoder of the MiniLM embedding space (`make features`).

    .venv-features/bin/python -m latitude_tools.train.features [--features 4096 --k 32 …]

Data: the corpus's train split (embedded by the Swift encoder, cached in .cache/embeddings),
validated on the validation split after every epoch (the best epoch is kept). The test split
is never read here: `make eval-features` measures on it. Writes, under --out:
  sae.safetensors   fp16 weights (encoder.weight/bias, decoder.weight/bias)
  config.json       dimension, features, k
  features.json     per feature: label, label words, density, top train sentences,
                    activation quantiles, projection means (feature axes' calibration)
  training.json     arguments, per-epoch validation history, seconds
and the parity fixture Tests/Fixtures/features-parity.json (validation sentences).
Progress goes to stderr.
"""
import argparse
import json
import sys
import time

import torch
from safetensors.torch import save_file

from latitude_tools.paths import ROOT
from latitude_tools.train.embeddings import corpus_edition, split_embeddings
from latitude_tools.train.feature_labels import describe_features
from latitude_tools.train.sae import TopKSAE


def log(*parts):
    print(*parts, file=sys.stderr, flush=True)


def parse():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--features", type=int, default=4096, help="dictionary size m")
    p.add_argument("--k", type=int, default=32, help="active features per sentence")
    p.add_argument("--aux-k", type=int, default=192, help="dead features in the AuxK loss")
    p.add_argument("--aux-coef", type=float, default=1 / 32, help="weight of the AuxK loss")
    p.add_argument("--dead-after", type=int, default=8_000,
                   help="a feature unfired for this many training sentences is dead (for AuxK)")
    p.add_argument("--epochs", type=int, default=16)
    p.add_argument("--batch", type=int, default=1024)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--limit", type=int, default=None, help="train on a seeded sample")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="Weights/features/minilm-topk-4096-e2b")
    p.add_argument("--relabel", action="store_true",
                   help="keep the trained weights in --out; only rewrite features.json")
    p.add_argument("--fixture", default="Tests/LatentTests/Resources/features-parity.json",
                   help="where the Swift parity fixture goes")
    return p.parse_args()


@torch.no_grad()
def measure(model, x, batch=8192):
    """FVU, mean reconstruction cosine, mean L0, and which features fired, on `x`."""
    error = cosine = l0 = 0.0
    fired = torch.zeros(model.encoder_bias.shape[0], dtype=torch.bool)
    for start in range(0, len(x), batch):
        chunk = x[start:start + batch]
        recon, values, indices = model(chunk)
        error += ((recon - chunk) ** 2).sum().item()
        cosine += torch.nn.functional.cosine_similarity(recon, chunk, dim=1).sum().item()
        l0 += (values > 0).sum().item()
        fired[indices[values > 0]] = True
    total = ((x - x.mean(0)) ** 2).sum().item()
    return {"fvu": error / total, "recon_cosine": cosine / len(x), "mean_l0": l0 / len(x),
            "dead_fraction": 1 - fired.float().mean().item()}


def auxk_loss(model, x, pre, recon, dead, aux_k):
    """Reconstructs the residual with the top dead features (Gao et al.'s AuxK)."""
    count = int(dead.sum())
    if count == 0:
        return torch.zeros(())
    pre = pre.masked_fill(~dead, float("-inf"))
    values, indices = pre.topk(min(aux_k, count), dim=1)
    values = values.relu()
    residual = (x - recon).detach()
    estimate = model.reconstruct_without_bias(values, indices)
    scale = ((residual - residual.mean(0)) ** 2).sum(1).mean().clamp_min(1e-8)
    return ((estimate - residual) ** 2).sum(1).mean() / scale


def train(args, x, val):
    model = TopKSAE(x.shape[1], args.features, args.k, mean=x.mean(0), seed=args.seed)
    optimiser = torch.optim.Adam(model.parameters(), lr=args.lr, betas=(0.9, 0.999))
    steps_per_epoch = (len(x) + args.batch - 1) // args.batch
    total = steps_per_epoch * args.epochs
    warmup, decay_from = min(200, total // 10), int(total * 0.8)
    variance = ((x - x.mean(0)) ** 2).sum(1).mean()
    since_fired = torch.zeros(args.features, dtype=torch.long)
    generator = torch.Generator().manual_seed(args.seed)
    history, best, best_state, step = [], None, None, 0
    started = time.time()
    for epoch in range(1, args.epochs + 1):
        order = torch.randperm(len(x), generator=generator)
        for start in range(0, len(x), args.batch):
            chunk = x[order[start:start + args.batch]]
            scale = min(1.0, (step + 1) / warmup)
            if step >= decay_from:
                scale *= max(0.0, (total - step) / (total - decay_from))
            for group in optimiser.param_groups:
                group["lr"] = args.lr * scale
            pre = model.preactivations(chunk)
            values, indices = pre.topk(args.k, dim=1)
            values = values.relu()
            recon = model.decode(values, indices)
            loss = ((recon - chunk) ** 2).sum(1).mean() / variance
            with torch.no_grad():
                since_fired += len(chunk)
                since_fired[indices[values > 0]] = 0
            dead = since_fired >= args.dead_after
            aux = auxk_loss(model, chunk, pre, recon, dead, args.aux_k)
            optimiser.zero_grad(set_to_none=True)
            (loss + args.aux_coef * aux).backward()
            model.project_decoder_gradient()
            optimiser.step()
            model.normalise_decoder()
            step += 1
            if step % 50 == 0:
                log(f"epoch {epoch} step {step}/{total} loss {loss.item():.4f} aux {aux.item():.4f} "
                    f"dead {int(dead.sum())} ({time.time() - started:.0f} s)")
        score = measure(model, val)
        score.update(epoch=epoch, step=step, seconds=round(time.time() - started, 1),
                     dead_in_training=int((since_fired >= args.dead_after).sum()))
        history.append(score)
        log(f"epoch {epoch}: validation fvu {score['fvu']:.4f} cosine {score['recon_cosine']:.4f} "
            f"dead {score['dead_fraction']:.4f} l0 {score['mean_l0']:.1f}")
        if best is None or score["fvu"] < best["fvu"]:
            best = score
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    model.load_state_dict(best_state)
    return model, history, time.time() - started


def export(model, out):
    """fp16 safetensors; returns the model with its weights rounded the same way."""
    tensors = {
        "encoder.weight": model.encoder_weight.detach().half().contiguous(),
        "encoder.bias": model.encoder_bias.detach().half().contiguous(),
        "decoder.weight": model.decoder_weight.detach().half().contiguous(),
        "decoder.bias": model.decoder_bias.detach().half().contiguous(),
    }
    save_file(tensors, str(out / "sae.safetensors"), metadata={"format": "latitude-topk-sae"})
    with torch.no_grad():
        model.encoder_weight.copy_(tensors["encoder.weight"].float())
        model.encoder_bias.copy_(tensors["encoder.bias"].float())
        model.decoder_weight.copy_(tensors["decoder.weight"].float())
        model.decoder_bias.copy_(tensors["decoder.bias"].float())
    return model


@torch.no_grad()
def write_fixture(model, sentences, x, path, name, count=12):
    """Codes and reconstructions of a few validation sentences from the fp16 weights."""
    recon, values, indices = model(x[:count])
    pre = model.preactivations(x[:count])
    cases = []
    for i in range(count):
        order = torch.argsort(values[i], descending=True)
        cases.append({
            "text": sentences[i],
            "embedding": [round(float(v), 8) for v in x[i]],
            "indices": [int(indices[i][j]) for j in order],
            "values": [round(float(values[i][j]), 8) for j in order],
            "kth_margin": round(float(values[i].min() - pre[i].topk(model.k + 1).values[-1]), 8),
            "reconstruction": [round(float(v), 8) for v in recon[i]],
        })
    path.write_text(json.dumps({"model": "Weights/features/" + name, "k": model.k,
                                "cases": cases}) + "\n")


def relabel(out, train_text, x):
    """features.json again from the committed fp16 weights (e.g. after a label-rule change)."""
    from safetensors.torch import load_file
    config = json.loads((out / "config.json").read_text())
    weights = load_file(str(out / "sae.safetensors"))
    model = TopKSAE(config["dimension"], config["features"], config["k"])
    with torch.no_grad():
        model.encoder_weight.copy_(weights["encoder.weight"].float())
        model.encoder_bias.copy_(weights["encoder.bias"].float())
        model.decoder_weight.copy_(weights["decoder.weight"].float())
        model.decoder_bias.copy_(weights["decoder.bias"].float())
    log("labelling features…")
    described = describe_features(model, train_text, x)
    (out / "features.json").write_text(json.dumps(described, ensure_ascii=False) + "\n")
    log(f"wrote {out / 'features.json'}: {described['live']} live features")


def main():
    args = parse()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    out = ROOT / args.out
    out.mkdir(parents=True, exist_ok=True)
    train_text, train_x = split_embeddings("train", limit=args.limit, seed=args.seed)
    if args.relabel:
        relabel(out, train_text, torch.from_numpy(train_x))
        return
    val_text, val_x = split_embeddings("validation")
    log(f"train {len(train_text)} sentences, validation {len(val_text)}")
    x, val = torch.from_numpy(train_x), torch.from_numpy(val_x)
    model, history, seconds = train(args, x, val)
    model = export(model, out)
    final = measure(model, val)
    (out / "config.json").write_text(json.dumps({
        "dimension": int(x.shape[1]), "features": args.features, "k": args.k,
        "encoder": "all-MiniLM-L6-v2", "activation": "topk-relu",
        "inputs": "unit-length MiniLM embeddings"}, indent=2) + "\n")
    log("labelling features…")
    described = describe_features(model, train_text, x)
    (out / "features.json").write_text(json.dumps(described, ensure_ascii=False) + "\n")
    write_fixture(model, val_text, val, ROOT / args.fixture, out.name)
    (out / "training.json").write_text(json.dumps({
        "args": vars(args), "corpus_edition": corpus_edition(), "train_sentences": len(train_text),
        "validation_sentences": len(val_text), "seconds": round(seconds, 1),
        "threads": args.threads, "validation_fp16": final, "history": history}, indent=2) + "\n")
    log(f"done in {seconds / 60:.1f} min: validation (fp16 weights) {final}")


if __name__ == "__main__":
    main()
