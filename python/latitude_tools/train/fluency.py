"""Builds the fluency model that decode re-ranking weighs (`make fluency`): word trigram,
bigram and unigram counts of the train split, scored with stupid backoff (Brants et al.,
2007: a trigram's relative frequency, else 0.4 x the bigram's, else 0.16 x the unigram's).

Words are split as the known-word list splits them (`known_words.words_of`: lower-cased runs
of a-z, accents stripped), with <s> and </s> around each sentence. A sentence's fluency is
the mean log10 score of its words and </s>; a word never seen scores 0.16 x 0.5 / N. Only
the train split is counted (never validation or test), and n-grams seen fewer than
--min-count times are dropped to keep the file small.

Binary layout (little-endian), read by Sources/Latent/Decoder/FluencyModel.swift:
    magic b"LATFLU01", u64 total tokens, u32 words, u32 bigrams, u32 trigrams, u32 0
    u32 byte length, then the words joined by "\\n" (id = position; 0 = <s>, 1 = </s>)
    u32 x words: unigram counts
    u64 x bigrams: keys (id1 << 20 | id2), strictly increasing; u32 x bigrams: counts
    u64 x trigrams: keys (id1 << 40 | id2 << 20 | id3), strictly increasing; u32 counts

    PYTHONPATH=python python3 -m latitude_tools.train.fluency [--score "some text" ...]
"""
import argparse
import collections
import json
import math
import pathlib
import struct
import sys

import numpy as np

from latitude_tools.train.known_words import words_of

MAGIC = b"LATFLU01"
BITS = 20  # ids per n-gram slot: up to 1,048,576 words
BACKOFF = 0.4


def sentence_words(text):
    return ["<s>"] + words_of(text) + ["</s>"]


def count(path, min_count):
    unigrams, bigrams, trigrams = collections.Counter(), collections.Counter(), collections.Counter()
    sentences = 0
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            words = sentence_words(line)
            unigrams.update(words)
            bigrams.update(zip(words, words[1:]))
            trigrams.update(zip(words, words[1:], words[2:]))
            sentences += 1
    total = sum(unigrams.values())
    kept = [w for w, c in unigrams.items() if c >= min_count and w not in ("<s>", "</s>")]
    vocabulary = ["<s>", "</s>"] + sorted(kept)
    if len(vocabulary) >= 1 << BITS:
        raise SystemExit(f"{len(vocabulary)} words do not fit {BITS}-bit ids; raise --min-count")
    ids = {w: i for i, w in enumerate(vocabulary)}

    def keyed(table):
        pairs = []
        for gram, c in table.items():
            if c < min_count or any(w not in ids for w in gram):
                continue
            key = 0
            for w in gram:
                key = (key << BITS) | ids[w]
            pairs.append((key, c))
        pairs.sort()
        return (np.array([k for k, _ in pairs], dtype="<u8"), np.array([c for _, c in pairs], dtype="<u4"))

    unigram_counts = np.array([unigrams[w] for w in vocabulary], dtype="<u4")
    return {"sentences": sentences, "total": total, "vocabulary": vocabulary, "unigrams": unigram_counts,
            "bigrams": keyed(bigrams), "trigrams": keyed(trigrams)}


def write(model, path):
    blob = "\n".join(model["vocabulary"]).encode()
    (bk, bc), (tk, tc) = model["bigrams"], model["trigrams"]
    with open(path, "wb") as out:
        out.write(MAGIC + struct.pack("<QIIII", model["total"], len(model["vocabulary"]), len(bk), len(tk), 0))
        out.write(struct.pack("<I", len(blob)) + blob)
        for array in (model["unigrams"], bk, bc, tk, tc):
            out.write(array.tobytes())


def read(path):
    data = pathlib.Path(path).read_bytes()
    if data[:8] != MAGIC:
        raise SystemExit(f"{path} is not a fluency model")
    total, words, nb, nt, _ = struct.unpack_from("<QIIII", data, 8)
    offset = 8 + 24
    (length,) = struct.unpack_from("<I", data, offset)
    offset += 4
    vocabulary = data[offset:offset + length].decode().split("\n")
    offset += length

    def take(dtype, n):
        nonlocal offset
        array = np.frombuffer(data, dtype=dtype, count=n, offset=offset)
        offset += array.nbytes
        return array
    unigrams = take("<u4", words)
    bigrams = (take("<u8", nb), take("<u4", nb))
    trigrams = (take("<u8", nt), take("<u4", nt))
    return {"total": total, "vocabulary": vocabulary, "unigrams": unigrams, "bigrams": bigrams, "trigrams": trigrams}


class Scorer:
    """The reference scorer (the Swift one must agree: FluencyModelTests' fixture)."""

    def __init__(self, model):
        self.model = model
        self.ids = {w: i for i, w in enumerate(model["vocabulary"])}
        self.bigrams = dict(zip(model["bigrams"][0].tolist(), model["bigrams"][1].tolist()))
        self.trigrams = dict(zip(model["trigrams"][0].tolist(), model["trigrams"][1].tolist()))

    def score(self, text):
        words = [self.ids.get(w) for w in sentence_words(text)]
        total, unigrams = self.model["total"], self.model["unigrams"]
        logs = []
        for i in range(1, len(words)):
            w, v, u = words[i], words[i - 1], words[i - 2] if i >= 2 else None
            if w is None:
                p = BACKOFF * BACKOFF * 0.5 / total
            else:
                p = None
                if u is not None and v is not None:
                    c = self.trigrams.get((u << 2 * BITS) | (v << BITS) | w)
                    context = self.bigrams.get((u << BITS) | v)
                    if c and context:
                        p = c / context
                if p is None and v is not None:
                    c = self.bigrams.get((v << BITS) | w)
                    if c:
                        p = BACKOFF * c / int(unigrams[v])
                if p is None:
                    p = BACKOFF * BACKOFF * int(unigrams[w]) / total
            unigram = BACKOFF * BACKOFF * (int(unigrams[w]) if w is not None else 0.5) / total
            logs.append(math.log10(p) - math.log10(unigram))
        return sum(logs) / len(logs)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--train", default="Weights/train/data/train.txt")
    parser.add_argument("--min-count", type=int, default=3)
    parser.add_argument("--output", default="Weights/decoder/fluency.bin")
    parser.add_argument("--score", nargs="*", help="score these texts with the written model instead of building")
    parser.add_argument("--json", action="store_true", help="with --score: one JSON list of {text, score}")
    args = parser.parse_args()
    if args.score is not None:
        scorer = Scorer(read(args.output))
        scores = [{"text": text, "score": round(scorer.score(text), 6)} for text in args.score]
        if args.json:
            print(json.dumps(scores, indent=1, ensure_ascii=False))
        for item in [] if args.json else scores:
            print(f"{item['score']:.4f}\t{item['text']}")
        return
    model = count(args.train, args.min_count)
    write(model, args.output)
    edition = pathlib.Path(args.train).with_name("EDITION")
    summary = {"sentences": model["sentences"], "tokens": model["total"], "words": len(model["vocabulary"]),
               "bigrams": len(model["bigrams"][0]), "trigrams": len(model["trigrams"][0]),
               "min_count": args.min_count, "bytes": pathlib.Path(args.output).stat().st_size,
               "corpus_edition": edition.read_text().strip() if edition.exists() else "1"}
    print(json.dumps(summary), file=sys.stderr)


if __name__ == "__main__":
    main()
