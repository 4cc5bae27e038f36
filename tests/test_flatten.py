"""The C flattening (publisher/_flatten.c) gives exactly what the stylesheet gives.

``sv_html._XSLT_SOURCE`` is the reference: every template of it (blocks, breaks, bold ends,
links, alt texts and icon labels, <pre> lines, table rows of plain cells or not, Word and
Google Docs comments, notes, skipped elements) is compared byte for byte on every HTML
document of the tests and of ../shared, and on seeded random trees built from the elements
and attributes those templates test.
"""

from __future__ import annotations

import random
import threading
from pathlib import Path

import pytest
from lxml import etree, html

from publisher.errors import MalformedDocument
from publisher.extract import parsing, sv_html

HERE = Path(__file__).parent
SHARED = HERE.parent.parent / "shared" / "fixtures"


def _c_flatten() -> object:
    if not sv_html._C_FLATTEN:
        pytest.fail("publisher._flatten is not built for this lxml: `make` builds it")
    return sv_html._flatten_c


def _documents() -> list[Path]:
    found = [*HERE.rglob("*.htm*"), *SHARED.rglob("*.htm*")]
    return sorted(path for path in found if path.is_file())


def test_every_html_document_flattens_alike() -> None:
    flatten = _c_flatten().flatten  # type: ignore[attr-defined]
    compared = 0
    for path in _documents():
        try:
            root = parsing.parse_html(path.read_bytes())
        except Exception:  # noqa: S112 - the bad-input fixtures
            continue
        for element in (root, sv_html._content_root(root)):
            assert flatten(element) == sv_html._flatten_xslt(element), path
            compared += 1
    assert compared > 100


_TEXT = ["Beslut", " ", "\n", "\t", "  § 12 ", "å", "&amp;", "811218-9876", "\u00a0", "x\ty"]
_ATTRIBUTES = [
    ' href="https://kommun.se/a.pdf"',
    ' href="#cmnt1"',
    ' href="#cmnt_ref1"',
    ' href="#ftnt_ref2"',
    ' alt="Sekretess"',
    ' alt=""',
    ' title="Lås"',
    ' aria-label="Dold"',
    ' class="msocomtxt"',
    ' class="msocomanchor"',
    ' class="MsoCommentReference"',
    ' class="footnotes"',
    ' role="doc-endnotes"',
    ' role="doc-footnote"',
    ' role="doc-endnote"',
    ' style="mso-element:comment"',
    ' style="x;mso-element:footnote-list"',
    ' style="mso-element:endnote-list"',
]
_ELEMENTS = (
    "p div span b strong i em sup sub a img abbr svg title pre br hr table tr td th tbody "
    "ul ol li section aside nav select option button h2 font o:p"
).split()


def _random_html(rng: random.Random, depth: int = 0) -> str:
    parts = []
    for _ in range(rng.randint(0, 4 if depth < 4 else 1)):
        if rng.random() < 0.4 or depth > 5:
            parts.append(rng.choice(_TEXT))
            continue
        tag = rng.choice(_ELEMENTS)
        attributes = "".join(rng.sample(_ATTRIBUTES, rng.randint(0, 2)))
        if tag in ("br", "hr", "img"):
            parts.append(f"<{tag}{attributes}>")
        elif tag == "tr":
            cells = "".join(
                f"<{rng.choice(('td', 'th'))}>{_random_html(rng, depth + 2)}</td>"
                for _ in range(rng.randint(0, 3))
            )
            parts.append(f"<table><tr{attributes}>{cells}</tr></table>")
        else:
            parts.append(f"<{tag}{attributes}>{_random_html(rng, depth + 1)}</{tag}>")
    return "".join(parts)


def test_random_trees_flatten_alike() -> None:
    flatten = _c_flatten().flatten  # type: ignore[attr-defined]
    rng = random.Random(31)  # noqa: S311 - reproducible test data
    for _ in range(3000):
        page = f"<html><head><title>t</title></head><body>{_random_html(rng)}</body></html>"
        root = html.document_fromstring(page)
        for element in (root, root.find("body")):
            if element is None:
                continue
            assert flatten(element) == sv_html._flatten_xslt(element), page


@pytest.mark.parametrize(
    "body",
    [
        # Google Docs: a comment or footnote div opens with the anchor back, in its first <p>
        '<p>Beslut</p><div><p><a href="#cmnt_ref1">[a]</a>Kolla pnr</p></div>',
        '<div><span>x</span><p><a href="#ftnt_ref1">[1]</a> Not</p><p>mer</p></div>',
        '<div><p>först</p><p><a href="#cmnt_ref1">[a]</a> andra</p></div>',
        '<div><p><b><a href="#ftnt_ref1">[1]</a></b> djupare</p></div>',
        '<div class="msocomtxt x">inte exakt</div><div style="a:b">vanlig</div>',
        "<table><tr><td><p>ett</p></td><td>två</td></tr><tr><th>a</th></tr></table>",
        "<table><tr><td>a<table><tr><td>b</td><td>c</td></tr></table></td><td>d</td></tr>",
        "<pre>a\tb\nc<br>d<a href='x.pdf'>e\nf</a><b>g</b></pre>",
        "<svg><g><title>Sekretess</title></g><title>andra</title></svg><abbr title='t'>OSL</abbr>",
        '<span title="först" aria-label="sedan">x</span><img title="t" alt="a"><img title="u">',
    ],
)
def test_hand_picked_templates_flatten_alike(body: str) -> None:
    flatten = _c_flatten().flatten  # type: ignore[attr-defined]
    root = html.document_fromstring(f"<html><body>{body}</body></html>")
    assert flatten(root) == sv_html._flatten_xslt(root)


def test_deep_nesting_is_a_malformed_document() -> None:
    _c_flatten()
    root = etree.Element("div")
    node = root
    for _ in range(4000):
        node = etree.SubElement(node, "span")
    node.text = "x"
    with pytest.raises(MalformedDocument, match="cannot flatten"):
        sv_html._flatten_utf8(root)


def test_an_icon_nested_deeper_than_a_thread_stack_is_read_without_recursion() -> None:
    # an <svg> is read as its first <title>'s text, found by walking its subtree in document
    # order without recursion (parsed HTML stops at 255 levels; a built tree need not, and a
    # worker thread's stack is small)
    flatten = _c_flatten().flatten  # type: ignore[attr-defined]
    root = html.document_fromstring("<html><body><div><svg></svg></div></body></html>")
    node = root.find(".//svg")
    for _ in range(20_000):
        node = etree.SubElement(node, "g")
    title = etree.SubElement(node, "title")
    title.text = "Sekretess"
    etree.SubElement(title, "b").text = " OSL"
    results: list[bytes] = []
    previous = threading.stack_size(256 * 1024)
    try:
        worker = threading.Thread(target=lambda: results.append(flatten(root.find("body"))))
        worker.start()
        worker.join()
    finally:
        threading.stack_size(previous)
    assert results == ["\ue010\ue010\ue014Sekretess OSL\ue015\ue010\ue010".encode()]


def test_what_follows_the_end_of_html_is_read_as_the_stylesheet_reads_it() -> None:
    # libxml2 puts what follows "</html>" in a second <html> beside the first; the stylesheet,
    # given the document's root element, reads the whole document
    flatten = _c_flatten().flatten  # type: ignore[attr-defined]
    for page in (
        "<html><head><title>t</title></head></html><p>§ 1 Beslut</p>",
        "<html><body><p>a</p></body></html><p>b</p>text<div>c</div>",
    ):
        root = html.document_fromstring(page)
        assert [extra.tag for extra in root.itersiblings()] == ["html"]
        assert flatten(root) == sv_html._flatten_xslt(root), page
        body = root.find("body")
        if body is not None:
            assert flatten(body) == sv_html._flatten_xslt(body), page


def test_the_walk_takes_elements_of_html_documents_only() -> None:
    flatten = _c_flatten().flatten  # type: ignore[attr-defined]
    page = html.document_fromstring("<html><body><p>a<!-- c --></p></body></html>")
    for other in (12345, "p", page.getroottree(), page.find(".//p")[0]):  # the comment
        with pytest.raises(TypeError):
            flatten(other)
    # an XML document may hold entity references the walk would not expand: the stylesheet
    # reads it, with an entity's text in the link as ever
    xml = etree.fromstring(
        b'<!DOCTYPE d [<!ENTITY e "ENT">]><div><a href="x&e;y">l</a></div>',
        etree.XMLParser(resolve_entities=False),
    )
    with pytest.raises(TypeError):
        flatten(xml)
    assert sv_html._flatten_utf8(xml) == sv_html._flatten_xslt(xml)
    assert "xENTy" in sv_html._flatten_utf8(xml).decode()
