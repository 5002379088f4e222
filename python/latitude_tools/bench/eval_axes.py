#!/usr/bin/env python3
"""`make eval-axes`: each built-in axis's quality on held-out labelled data (stdlib only).

- sentiment: AUC on the VADER tweets and Amazon-review snippets (human-rated; |rating| >=
  0.5, positive when > 0). The axis was built from the movie-review and NYT snippets only.
- question: AUC of question vs statement (label: the sentence ends in "?") on the decoder
  corpus's test split (Weights/train/data/test.txt after `make corpus`; otherwise the
  committed 500-sentence sample Weights/train/test-sample.txt).
- length: Spearman correlation of the coordinate with the word count, same sentences.
Runs `latitude axis project --json` for the coordinates. The last stdout line is JSON.
"""
import json, pathlib, subprocess, sys, tempfile

from latitude_tools.paths import ROOT
from latitude_tools.train.corpus import vader_rated  # stdlib only at import time
LATITUDE = pathlib.Path(__import__("os").environ.get("LATITUDE_BIN", ROOT / ".build/release/latitude"))


def project(axis, texts):
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as f:
        f.write("\n".join(t.replace("\n", " ") for t in texts) + "\n")
    out = subprocess.run([str(LATITUDE), "axis", "project", "--axis", axis, f.name, "--json"],
                         capture_output=True, text=True, check=True, cwd=ROOT).stdout
    values = [json.loads(line)["coordinate"] for line in out.splitlines()]
    assert len(values) == len(texts), (len(values), len(texts))
    return values


def auc(scores, labels):
    """Probability that a random positive scores above a random negative (ties count half)."""
    ranked = sorted(zip(scores, labels))
    rank_sum, i, positives = 0.0, 0, sum(labels)
    while i < len(ranked):
        j = i
        while j < len(ranked) and ranked[j][0] == ranked[i][0]:
            j += 1
        average = (i + j + 1) / 2  # 1-based average rank of the tie group
        rank_sum += average * sum(label for _, label in ranked[i:j])
        i = j
    negatives = len(labels) - positives
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def ranks(values):
    order = sorted(range(len(values)), key=lambda k: values[k])
    result = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j < len(order) and values[order[j]] == values[order[i]]:
            j += 1
        for k in range(i, j):
            result[order[k]] = (i + j - 1) / 2
        i = j
    return result


def spearman(a, b):
    ra, rb = ranks(a), ranks(b)
    n = len(a)
    ma, mb = sum(ra) / n, sum(rb) / n
    cov = sum((x - ma) * (y - mb) for x, y in zip(ra, rb))
    return cov / (sum((x - ma) ** 2 for x in ra) * sum((y - mb) ** 2 for y in rb)) ** 0.5


def vader_heldout(sdist):
    rows = vader_rated(sdist, ["tweets_GroundTruth.txt", "amazonReviewSnippets_GroundTruth.txt"])
    return [(text, 1 if rating > 0 else 0) for rating, text in rows if abs(rating) >= 0.5]


def main():
    sdist = pathlib.Path(sys.argv[1])
    rated = vader_heldout(sdist)
    split = ROOT / "Weights/train/data/test.txt"
    source = split if split.exists() else ROOT / "Weights/train/test-sample.txt"
    held = [l.strip() for l in open(source, encoding="utf-8") if l.strip()]
    results = {"sentiment_auc": auc(project("sentiment", [t for t, _ in rated]), [l for _, l in rated]),
               "sentiment_count": len(rated)}
    questions = [1 if s.endswith("?") else 0 for s in held]
    results["question_auc"] = auc(project("question", held), questions)
    results["question_count"] = len(held)
    results["question_positives"] = sum(questions)
    results["length_spearman"] = spearman(project("length", held), [len(s.split()) for s in held])
    print(f"sentiment     AUC {results['sentiment_auc']:.4f} on {len(rated)} VADER tweets + Amazon snippets (|rating| >= 0.5)", file=sys.stderr)
    print(f"question      AUC {results['question_auc']:.4f} on {len(held)} held-out sentences ({sum(questions)} questions; {source.name})", file=sys.stderr)
    print(f"length        Spearman {results['length_spearman']:.4f} with word count, same sentences", file=sys.stderr)
    print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in results.items()}))


if __name__ == "__main__":
    main()
