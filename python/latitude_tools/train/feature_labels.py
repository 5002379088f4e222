"""Names every feature of the sparse autoencoder without an LLM.

For each feature: its density (share of train sentences where it fires), its top-activating
train sentences, quantiles of its active values, the mean projection of the embeddings on its
direction with and without it (a feature axis's calibration), and a label made of the words
most distinctive of its top activations relative to the whole corpus:

    score(w) = p_top(w)² · log(p_top(w) / p_corpus(w))

where p_top is the share of the feature's 400 strongest train sentences containing w and
p_corpus the share of all train sentences (add-one smoothed). A word must occur in at least a
tenth of the top sentences (and two of them) and be at least 1.5× as common there as in the
corpus, so a label is never a word that is merely frequent everywhere ("the", "a"). The
squared share favours words that recur across the feature's sentences over rare ones that
mark a few of them. (Chosen on the validation split among: 50/100/200/400/1,000 top
sentences, exponent 1/2/3, lift 1×/1.35×/1.5×/1.65×/2×; the lift floor costs hit rate —
frequent words hit more often — and is kept on purpose.) Words are lower-cased letters with
inner apostrophes; the Swift evaluation of the labels' hit rate uses the same rule.
"""
import collections
import math
import re

import numpy as np
import torch

WORD = re.compile(r"[a-z]+(?:'[a-z]+)*")
TOP_FOR_LABEL = 400
MIN_LIFT = math.log(1.5)
EXAMPLES = 8
LABEL_WORDS = 3


def words(text):
    return set(WORD.findall(text.lower()))


@torch.no_grad()
def sparse_codes(model, x, batch=8192):
    values, indices = [], []
    for start in range(0, len(x), batch):
        v, i = model.encode(x[start:start + batch])
        values.append(v.numpy())
        indices.append(i.numpy())
    return np.concatenate(values), np.concatenate(indices)


def label_words(top_sets, corpus_df, total):
    counts = collections.Counter(w for s in top_sets for w in s)
    n = len(top_sets)
    floor = max(2, math.ceil(0.1 * n))
    scored = []
    for word, count in counts.items():
        if count < floor:
            continue
        p_top = count / n
        p_corpus = (corpus_df.get(word, 0) + 1) / (total + 2)
        lift = math.log(p_top / p_corpus)
        if lift < MIN_LIFT:
            continue
        scored.append((p_top * p_top * lift, word))
    scored.sort(reverse=True)
    return [w for _, w in scored[:LABEL_WORDS]]


def describe_features(model, sentences, x, sample=10_000, seed=0):
    m = model.encoder_bias.shape[0]
    values, indices = sparse_codes(model, x)
    active = values > 0
    rows = np.repeat(np.arange(len(x)), values.shape[1])[active.ravel()]
    feats = indices.ravel()[active.ravel()]
    acts = values.ravel()[active.ravel()]
    order = np.lexsort((-acts, feats))
    rows, feats, acts = rows[order], feats[order], acts[order]
    starts = np.searchsorted(feats, np.arange(m + 1))
    sets = [words(s) for s in sentences]
    corpus_df = collections.Counter(w for s in sets for w in s)
    pick = np.random.default_rng(seed).permutation(len(x))[:sample]
    directions = model.decoder_weight.detach().numpy()
    baseline = (x[pick].numpy() @ directions.T).mean(0)
    xs = x.numpy()
    result = []
    for f in range(m):
        lo, hi = starts[f], starts[f + 1]
        if hi == lo:
            result.append({"id": f, "label": "", "words": [], "density": 0.0, "dead": True,
                           "examples": [], "activation": None, "projection": None})
            continue
        top_rows, top_acts = rows[lo:hi], acts[lo:hi]
        chosen = label_words([sets[r] for r in top_rows[:TOP_FOR_LABEL]], corpus_df, len(sentences))
        on = float((xs[top_rows] @ directions[f]).mean())
        result.append({
            "id": f,
            "label": " · ".join(chosen) if chosen else f"feature {f}",
            "words": chosen,
            "density": round((hi - lo) / len(x), 6),
            "examples": [{"text": sentences[r], "activation": round(float(a), 4)}
                         for r, a in zip(top_rows[:EXAMPLES], top_acts[:EXAMPLES])],
            "activation": {"median": round(float(np.median(top_acts)), 5),
                           "p90": round(float(np.quantile(top_acts, 0.9)), 5),
                           "max": round(float(top_acts[0]), 5)},
            "projection": {"off": round(float(baseline[f]), 5), "on": round(on, 5)},
        })
    live = sum(1 for r in result if not r.get("dead"))
    return {"features": m, "k": model.k, "live": live, "train_sentences": len(sentences),
            "label_rule": "top-400 train activations vs corpus, p_top²·log(p_top/p_corpus), "
                          "words [a-z]+('[a-z]+)* lower-cased, in ≥10% of the top sentences, lift ≥ 1.5",
            "items": result}
