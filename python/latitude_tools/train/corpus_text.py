"""Prose out of markup: the text helpers of `make corpus`.

Every source of the corpus ends as plain paragraphs; these helpers turn HTML and Mallard
pages, roff man pages and Perl POD into paragraphs (code, tables of contents and verbatim
blocks left out), split paragraphs into sentences, and keep only sentences that read as
English prose (`clean`, plus `looks_like_code` for documentation).
"""
import html
import re
from html.parser import HTMLParser

SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z])")


def sentences(text):
    """Sentences of a paragraph: split after . ! ? before a capital letter."""
    text = re.sub(r"\s+", " ", text).strip()
    return [s.strip() for s in SENTENCE_END.split(text) if s.strip()]


def clean(sentence):
    """One sentence in the house style, or None when it is not 4–40 words of prose."""
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


# Identifiers, calls, paths, options and assignments: documentation sentences that carry
# them read as code, not English. "e.g." and "i.e." pass (one letter after the dot).
CODE = re.compile(r"[\x01_=$%#|~^`]|::|->|\(\)|\[\]|\w\.\w{2,}|(^|\s)(--?|/)\w|\w/\w|[a-z][A-Z]")


def looks_like_code(sentence):
    """True when a documentation sentence carries code-like tokens."""
    return CODE.search(sentence) is not None


BLOCK = {"p", "li", "dd", "dt", "blockquote", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6",
         "div", "section", "title", "item", "note", "tr", "table", "ul", "ol", "dl", "br"}
PROSE = {"p", "li", "dd", "blockquote"}
SKIP = {"pre", "script", "style", "screen", "programlisting", "synopsis", "nav",
        "header", "footer", "head", "output",
        "literallayout", "table", "figure", "math", "svg", "button", "select"}
# Inline code stays in its paragraph, marked, so the sentences around it survive and the
# sentences that carry it are dropped (`looks_like_code`).
INLINE_CODE = {"code", "kbd", "samp", "var", "tt", "cmd", "input", "literal", "command",
               "filename", "option", "varname", "function", "parameter", "type", "sys", "file",
               "userinput", "replaceable", "envar", "classname", "structname"}
CODE_MARK = "\x01"


class _Paragraphs(HTMLParser):
    """Text of <p>, <li>, <dd> and <blockquote>; code and navigation left out."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out, self.buffer, self.prose = [], [], []
        self.skip_tag, self.skip_depth = None, 0

    def flush(self):
        text = "".join(self.buffer).strip()
        if text and self.prose:
            self.out.append(text)
        self.buffer = []

    def handle_starttag(self, tag, attrs):
        if self.skip_tag is not None:
            self.skip_depth += tag == self.skip_tag
            return
        if tag in INLINE_CODE:
            self.buffer.append(CODE_MARK)
            return
        classes = (dict(attrs).get("class") or "").split()
        if tag in SKIP or any("highlight" in c or c in ("code", "toc", "sidebar") for c in classes):
            self.skip_tag, self.skip_depth = tag, 1
            return
        if tag in BLOCK:
            self.flush()
        # DocBook and Publican pages wrap paragraphs in <div class="para">.
        if tag in PROSE or (tag == "div" and "para" in classes):
            self.prose.append(tag)

    def handle_endtag(self, tag):
        if self.skip_tag is not None:
            if tag == self.skip_tag:
                self.skip_depth -= 1
                if self.skip_depth == 0:
                    self.skip_tag = None
            return
        if tag in INLINE_CODE:
            self.buffer.append(CODE_MARK)
            return
        if tag in BLOCK:
            self.flush()
        if self.prose and tag == self.prose[-1]:
            self.prose.pop()

    def handle_data(self, data):
        if self.skip_tag is None and self.prose:
            self.buffer.append(data)


def html_paragraphs(markup):
    """Prose paragraphs of an HTML (or Mallard/DocBook XML) page."""
    parser = _Paragraphs()
    try:
        parser.feed(markup)
        parser.close()
    except (AssertionError, ValueError):
        pass
    parser.flush()
    return parser.out


ROFF_ESCAPES = [(r"\\f(\[[^\]]*\]|\(..|.)", ""), (r"\\\(em|\\\(en", " - "), (r"\\\((lq|rq|dq)", '"'),
                (r"\\\(oq|\\\(cq|\\\(aq", "'"), (r"\\\(..", ""), (r"\\-", "-"), (r"\\&|\\c|\\%|\\/|\\,", ""),
                (r"\\e", "\\\\"), (r"\\ ", " "), (r"\\s[-+]?\d", ""), (r"\\\*\(..|\\\*.", "")]
ROFF_TEXT_MACROS = re.compile(r"^\.(B|I|BR|RB|IR|RI|BI|IB|SM|SB)\s+(.*)$")
ROFF_BREAKS = re.compile(r"^\.(PP|P|LP|SH|SS|TP|IP|HP|RS|RE|nf|fi|TH|br|sp|in|TQ|EX|EE|UR|UE|MT|ME)\b")


def roff_paragraphs(source):
    """Prose paragraphs of a man page in roff (no-fill blocks and SYNOPSIS left out)."""
    out, buffer, nofill, section = [], [], False, ""

    def flush():
        if buffer and section not in ("SYNOPSIS", "NAME", "SEE ALSO", "COLOPHON"):
            out.append(" ".join(buffer))
        buffer.clear()

    for line in source.splitlines():
        if line.startswith(('.\\"', "'\\\"")):
            continue
        if line.startswith((".nf", ".EX")):
            flush()
            nofill = True
            continue
        if line.startswith((".fi", ".EE")):
            nofill = False
            continue
        if nofill:
            continue
        if line.startswith(".SH"):
            flush()
            section = line[3:].strip().strip('"').upper()
            continue
        macro = ROFF_TEXT_MACROS.match(line)
        if macro:
            line = macro.group(2).replace('"', "")
        elif ROFF_BREAKS.match(line) or line.startswith((".", "'")):
            flush()
            continue
        if not line.strip():
            flush()
            continue
        for pattern, replacement in ROFF_ESCAPES:
            line = re.sub(pattern, replacement, line)
        buffer.append(line.strip())
    flush()
    return out


POD_CODE = re.compile(r"([A-Z])<(<+\s)?((?:(?!>).)*?)(\s>+)?>")


def pod_paragraphs(source):
    """Prose paragraphs of Perl POD (verbatim blocks, commands and code spans left out)."""
    out = []
    skipping = False
    for paragraph in re.split(r"\n\s*\n", source):
        if paragraph.startswith("=begin"):
            skipping = True
        if paragraph.startswith("=end"):
            skipping = False
            continue
        if skipping or paragraph.startswith(("=", " ", "\t")) or not paragraph.strip():
            continue
        if re.search(r"[CF]<", paragraph):
            continue  # carries code, file names or options
        text = re.sub(r"E<[^>]*>", "", paragraph)
        for _ in range(3):
            text = POD_CODE.sub(lambda m: m.group(3).split("|")[0] if m.group(1) == "L" else m.group(3), text)
        out.append(html.unescape(text))
    return out
