#!/usr/bin/env python3
"""The decoder's training corpus: natural English sentences from open sources.

Downloads (no installs): Debian packages with `apt-get download` (unpacked with dpkg-deb),
and the VADER sdist with `pip download`. Extracts sentences of 4–40 words, cleans and
de-duplicates them, and splits them by a hash of their normalised text into
train / validation / test (90 / 5 / 5), so a sentence lands in the same split on every
run and no duplicate crosses splits.

    make corpus        # a venv with PyPI rdata, then this script; writes Weights/train/data/
Outputs: data/{train,validation,test}.txt (one sentence per line, git-ignored) and
manifest.json (committed): sources, licences, input sha256s and counts.

Sources and licences:
- wordnet-base: usage examples and glosses (WordNet 3.0 licence).
- fortunes, fortunes-min: fortune-mod quotation files (see the packages' copyright files).
- r-cran-janeaustenr: six Jane Austen novels (texts public domain; package MIT), read with
  PyPI `rdata`.
- jargon-text: the Jargon File (public domain).
- vader-sentiment==3.2.1.1 sdist: hutto_ICWSM_2014 movie-review and NYT-editorial
  snippets (MIT). Its tweets and Amazon snippets are left out: they evaluate the
  sentiment axis.
GPL sources (dict-gcide) are deliberately not used.
"""
import gzip, hashlib, html, io, json, os, pathlib, re, subprocess, sys, tarfile, tempfile, zlib

from latitude_tools.paths import ROOT, TRAIN as HERE

DATA = HERE / "data"
CACHE = ROOT / ".cache" / "corpus"
DEBIAN = ["wordnet-base", "fortunes", "fortunes-min", "r-cran-janeaustenr", "jargon-text"]
VADER = "vader-sentiment==3.2.1.1"
VADER_SHA256 = "a155288a6c3a877bdcfba80ec99a1a4094c4b21d8c17a071f14122482b75dced"
LICENCES = {
    "wordnet": "WordNet 3.0 licence (Princeton), permissive",
    "fortunes": "fortune-mod quotation collections; see /usr/share/doc/fortunes*/copyright",
    "janeaustenr": "novels in the public domain; R package MIT",
    "jargon": "the Jargon File, public domain",
    "vader": "MIT (vader-sentiment 3.2.1.1)",
}


def log(message):
    print(message, file=sys.stderr, flush=True)


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fetch_debian(root):
    debs = CACHE / "debs"
    debs.mkdir(parents=True, exist_ok=True)
    missing = [p for p in DEBIAN if not list(debs.glob(f"{p}_*.deb"))]
    if missing:
        log(f"apt-get download {' '.join(missing)}")
        download = ["apt-get", "download", *missing]
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        if subprocess.run(download, cwd=debs, **quiet).returncode != 0:
            # A fresh machine has no package lists yet: refresh them once and retry.
            log("apt-get download failed; running apt-get update and retrying")
            sudo = [] if os.geteuid() == 0 else ["sudo"]
            subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, **quiet)
            subprocess.run(download, cwd=debs, check=True, **quiet)
    hashes = {}
    for deb in sorted(debs.glob("*.deb")):
        subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
        hashes[deb.name] = sha256(deb)
    return hashes


def fetch_vader():
    CACHE.mkdir(parents=True, exist_ok=True)
    sdist = CACHE / "vader_sentiment-3.2.1.1.tar.gz"
    if not sdist.exists():
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                        "--no-binary", ":all:", VADER, "-d", str(CACHE)], check=True)
    assert sha256(sdist) == VADER_SHA256, "vader sdist does not match its sha256"
    return sdist


SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z])")


def sentences(text):
    text = re.sub(r"\s+", " ", text).strip()
    return [s.strip() for s in SENTENCE_END.split(text) if s.strip()]


def wordnet(root):
    out = []
    for part in ["noun", "verb", "adj", "adv"]:
        for line in open(root / f"usr/share/wordnet/data.{part}", encoding="latin-1"):
            if line.startswith("  ") or "|" not in line:
                continue
            gloss = line.split("|", 1)[1].strip()
            for example in re.findall(r'"([^"]+)"', gloss):
                out.append(example)
            definition = re.sub(r'"[^"]*"', "", gloss).strip(" ;")
            if definition:
                out.append(definition[0].upper() + definition[1:] + ".")
    return out


def fortunes(root):
    out = []
    folder = root / "usr/share/games/fortunes"
    for path in sorted(folder.iterdir()):
        if path.suffix in (".dat", ".u8") or path.is_dir() or "off" in path.parts:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for entry in re.split(r"^%\s*$", text, flags=re.M):
            # Drop attribution lines ("-- Someone") and indented verse layout.
            body = "\n".join(l for l in entry.splitlines() if not l.strip().startswith("--"))
            out.extend(sentences(body))
    return out


def janeaustenr(root):
    import rdata
    base = root / "usr/lib/R/site-library/janeaustenr/data/Rdata"
    index = rdata.conversion.convert(rdata.parser.parse_data(gzip.decompress(base.with_suffix(".rdx").read_bytes())))
    rdb = base.with_suffix(".rdb").read_bytes()
    out = []
    for name, (offset, length) in index["variables"].items():
        blob = rdb[int(offset):int(offset) + int(length)]
        lines = rdata.conversion.convert(rdata.parser.parse_data(zlib.decompress(blob[4:]), expand_altrep=True))
        paragraphs = "\n".join(str(l) for l in lines).split("\n\n")
        for paragraph in paragraphs:
            out.extend(sentences(paragraph.replace("_", "")))
    return out


def jargon(root):
    text = gzip.decompress((root / "usr/share/doc/jargon-text/jargon.txt.gz").read_bytes())
    out = []
    for paragraph in text.decode("utf-8", errors="replace").split("\n\n"):
        # Entry headwords, pronunciations and cross-references are not prose.
        if paragraph.lstrip().startswith(":") or "{" in paragraph:
            paragraph = re.sub(r"\{[^}]*\}", "", paragraph).split("::", 1)[-1]
        out.extend(sentences(paragraph))
    return out


def vader_rated(sdist, names):
    """(rating, text) rows of the named hutto_ICWSM_2014 files in the vader sdist."""
    rows = []
    with tarfile.open(sdist) as outer:
        inner = outer.extractfile("vader_sentiment-3.2.1.1/additional_resources/hutto_ICWSM_2014.tar.gz")
        with tarfile.open(fileobj=io.BytesIO(inner.read())) as data:
            for name in names:
                raw = data.extractfile(f"hutto_ICWSM_2014/{name}").read().decode("utf-8", errors="replace")
                for row in re.split(r"\r\n|\r|\n", raw):
                    fields = row.split("\t")
                    if len(fields) >= 3 and fields[2].strip():
                        rows.append((float(fields[1]), fields[2].strip()))
    return rows


def vader(sdist):
    out = []
    for _, text in vader_rated(sdist, ["movieReviewSnippets_GroundTruth.txt", "nytEditorialSnippets_GroundTruth.txt"]):
        out.extend(sentences(text))
    return out


def clean(sentence):
    s = sentence.replace("``", '"').replace("''", '"').strip()
    s = re.sub(r"\s+", " ", s).strip(" -*#>|")
    words = s.split()
    if not 4 <= len(words) <= 40:
        return None
    letters = sum(c.isalpha() for c in s)
    if letters < 0.6 * len(s.replace(" ", "")) or re.search(r"https?:|www\.|@\w|\\|[{}<>]", s):
        return None
    # Leftovers of stripped cross-references, e.g. "(see , )".
    if re.search(r"\(\s*[,;)]|[,;]\s*\)|\s[,;.]\s*[,;.]", s):
        return None
    if not s[0].isalnum() and s[0] not in "\"'(":
        return None
    # One house style for the decoder to learn: capitalised, with final punctuation.
    s = s[0].upper() + s[1:]
    if s[-1] not in ".!?\"')":
        s += "."
    return s


def split_of(key):
    bucket = int(hashlib.sha256(key.encode()).hexdigest(), 16) % 100
    return "test" if bucket < 5 else "validation" if bucket < 10 else "train"


def main():
    with tempfile.TemporaryDirectory() as tmp:
        root = pathlib.Path(tmp)
        inputs = fetch_debian(root)
        sdist = fetch_vader()
        inputs[sdist.name] = sha256(sdist)
        raw = {
            "wordnet": wordnet(root), "fortunes": fortunes(root), "janeaustenr": janeaustenr(root),
            "jargon": jargon(root), "vader": vader(sdist),
        }
    seen = set()
    splits = {"train": [], "validation": [], "test": []}
    counts = {}
    for source, items in raw.items():
        kept = 0
        for item in items:
            sentence = clean(item)
            if sentence is None:
                continue
            key = re.sub(r"[^a-z0-9 ]", "", sentence.lower())
            if key in seen:
                continue
            seen.add(key)
            splits[split_of(key)].append(sentence)
            kept += 1
        counts[source] = {"extracted": len(items), "kept": kept}
        log(f"{source}: {len(items)} extracted, {kept} kept")
    DATA.mkdir(exist_ok=True)
    for name, rows in splits.items():
        (DATA / f"{name}.txt").write_text("\n".join(rows) + "\n", encoding="utf-8")
    manifest = {
        "sentences": {name: len(rows) for name, rows in splits.items()},
        "sources": {name: {**counts[name], "licence": LICENCES[name]} for name in raw},
        "inputs_sha256": inputs,
        "rules": "4-40 words, >=60% letters, no URLs/markup, dedup on lower-cased alphanumerics, "
                 "split by sha256 of that key: 90/5/5",
    }
    (HERE / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    log(f"total: {sum(len(r) for r in splits.values())} sentences; {manifest['sentences']}")


if __name__ == "__main__":
    main()
