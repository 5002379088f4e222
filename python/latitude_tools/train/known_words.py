"""Builds the decoder's known-word list (`make known-words`): the words a decoded sentence may
contain. Generation is constrained to them (Sources/Latent/Decoder/KnownWords.swift), so the
decoder can no longer invent words such as "prejuallage".

A word is a maximal run of letters a-z after lower-casing and stripping accents, the way the
decoder's WordPiece pre-tokenizer splits text (punctuation and apostrophes split words, so
"don't" gives "don" and "t"). The list is the union of
- every word seen at least --min-count times in the train split (never validation or test), and
- Debian's wamerican-large dictionary (/usr/share/dict/american-english-large), split the same
  way, so rarer real words stay possible.
One word per line, sorted; the header comment says how it was made.
"""
import argparse
import collections
import pathlib
import re
import unicodedata

WORD = re.compile(r"[a-z]+")


def words_of(text):
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return WORD.findall(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--train", default="Weights/train/data/train.txt")
    parser.add_argument("--dictionary", default="/usr/share/dict/american-english-large")
    parser.add_argument("--min-count", type=int, default=3)
    parser.add_argument("--output", default="Weights/decoder/known-words.txt")
    args = parser.parse_args()
    counts = collections.Counter()
    with open(args.train, encoding="utf-8") as lines:
        for line in lines:
            counts.update(words_of(line))
    corpus = {w for w, c in counts.items() if c >= args.min_count}
    dictionary = set()
    with open(args.dictionary, encoding="utf-8") as lines:
        for line in lines:
            dictionary.update(words_of(line))
    known = sorted(corpus | dictionary)
    path = pathlib.Path(args.output)
    path.parent.mkdir(parents=True, exist_ok=True)
    header = (f"# latitude known words: {len(known)} words; {len(corpus)} from the train split "
              f"(>= {args.min_count} times), {len(dictionary)} from "
              f"{pathlib.Path(args.dictionary).name}; python -m latitude_tools.train.known_words")
    path.write_text(header + "\n" + "\n".join(known) + "\n", encoding="utf-8")
    print(header)


if __name__ == "__main__":
    main()
