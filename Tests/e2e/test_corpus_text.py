"""The corpus's text helpers: prose kept, code and markup left out (no server needed)."""
from latitude_tools.train.corpus_text import (
    clean,
    html_paragraphs,
    looks_like_code,
    pod_paragraphs,
    roff_paragraphs,
    sentences,
)


def prose(paragraphs):
    """The sentences a documentation source keeps: split, cleaned, no code."""
    out = []
    for paragraph in paragraphs:
        for sentence in sentences(paragraph):
            cleaned = clean(sentence)
            if cleaned and not looks_like_code(cleaned):
                out.append(cleaned)
    return out


def test_html_keeps_paragraph_prose_and_drops_code_blocks_and_navigation():
    page = """<html><head><title>Ignored title words here</title></head><body>
    <nav><p>Home page of the whole manual.</p></nav>
    <p>The server keeps every edit in its log. Nothing is lost on a restart.</p>
    <div class="highlight"><div><p>print the values of every row</p></div></div>
    <pre>for row in rows: print(row)</pre>
    <ul><li>Each item of a list is read as its own paragraph.</li></ul>
    <div class="para">Publican books wrap their paragraphs in a division.</div>
    <p>Call <code>os.path.join</code> to build paths. Plain sentences around it survive.</p>
    </body></html>"""
    assert prose(html_paragraphs(page)) == [
        "The server keeps every edit in its log.",
        "Nothing is lost on a restart.",
        "Each item of a list is read as its own paragraph.",
        "Publican books wrap their paragraphs in a division.",
        "Plain sentences around it survive.",
    ]


def test_html_survives_broken_markup():
    assert prose(html_paragraphs("<p>An unclosed paragraph still reads as prose.<div><p>And a nested one too")) == [
        "An unclosed paragraph still reads as prose.",
        "And a nested one too.",
    ]


def test_roff_keeps_description_text_without_escapes_synopsis_or_examples():
    page = "\n".join([
        '.\\" a comment that is not text',
        ".TH CAT 1",
        ".SH NAME",
        "cat \\- concatenate files and print them",
        ".SH SYNOPSIS",
        ".B cat",
        "[OPTION]... [FILE]...",
        ".SH DESCRIPTION",
        "Concatenate the named files to standard output in the order given.",
        ".PP",
        "The \\fBcat\\fR program reads each file \\(em one after another \\(em and writes it out.",
        ".nf",
        "cat notes.txt other.txt",
        ".fi",
    ])
    assert prose(roff_paragraphs(page)) == [
        "Concatenate the named files to standard output in the order given.",
        "The cat program reads each file - one after another - and writes it out.",
    ]


def test_pod_drops_commands_verbatim_blocks_and_code_paragraphs():
    pod = "\n\n".join([
        "=head1 DESCRIPTION",
        "Perl reads the whole program before it runs any of it, see L<the manual|perlrun>.",
        "    my $x = 1;  # verbatim code",
        "Use C<print> to write a line.",
        "=begin html",
        "<p>Only for the HTML formatter.</p>",
        "=end html",
        "A later paragraph is read again after the block ends.",
    ])
    assert prose(pod_paragraphs(pod)) == [
        "Perl reads the whole program before it runs any of it, see the manual.",
        "A later paragraph is read again after the block ends.",
    ]


def test_code_like_tokens_are_recognised_and_abbreviations_are_not():
    for code in ["Set max_connections to a larger value.", "Run it with --verbose to see more.",
                 "The os.path module joins paths.", "Call close() when you are done.",
                 "Edit /etc/hosts by hand.", "It returns a HashMap of values."]:
        assert looks_like_code(code), code
    for prose_sentence in ["Use a larger value, e.g. twice the default.", "It was a dark and stormy night.",
                           "Version 3 of the manual is shorter."]:
        assert not looks_like_code(prose_sentence), prose_sentence


def test_clean_applies_the_house_style_and_the_length_rule():
    assert clean("the cat sat on the mat") == "The cat sat on the mat."
    assert clean("Too short here") is None
    assert clean(" ".join(["word"] * 41)) is None
    assert clean("See https://example.org for the whole story today.") is None


def test_package_descriptions_keep_prose_and_drop_verbatim_and_bullets(tmp_path):
    from latitude_tools.train.corpus_sources import package_descriptions

    translation = tmp_path / "Translation-en"
    translation.write_text("\n".join([
        "Package: demo",
        "Description-md5: 0123",
        "Description-en: a synopsis line that is not a sentence",
        " The demo package prints a friendly greeting to its users.",
        " .",
        " Features include:",
        "  * colours in every terminal",
        " - a bullet item that is only a phrase",
        " .",
        "   $ demo --verbose",
        " It also ships a manual page for the curious reader.",
        "",
        "Package: other",
        "Description-md5: 4567",
        "Description-en: another synopsis",
        " Another package explains itself in one plain sentence here.",
        "",
    ]))
    assert [clean(s) for s in package_descriptions(None, {"Translation-en": translation})] == [
        "The demo package prints a friendly greeting to its users.",
        None,  # "Features include:" is too short to keep
        "It also ships a manual page for the curious reader.",
        "Another package explains itself in one plain sentence here.",
    ]
