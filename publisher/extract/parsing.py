"""The one place that turns untrusted bytes into lxml trees or JSON.

Every extractor parses through here, so hardening is decided once:

* XML: no network, no DTD loading or validation, no entity resolution, no ``huge_tree``; any
  ``<!ENTITY`` declaration is refused outright (XXE, billion laughs) before the parser sees it.
* Size is capped before parsing (``DEFAULT_MAX_BYTES``); callers that decompress cap again.
* Text is decoded explicitly (BOM, then the document's own declaration, then UTF-8, then
  windows-1252, which is what Word exports of Swedish protocols use) so lxml never guesses.
"""

from __future__ import annotations

import codecs
import json
import re
import threading
import unicodedata
from typing import Any

from lxml import etree, html

from publisher.errors import (
    DocumentTooLarge,
    EmptyDocument,
    EncodingError,
    MalformedDocument,
    UnsafeDocument,
)
from publisher.text import CONTROL, control_bytes, nfc, plain_digits, scrub

DEFAULT_MAX_BYTES = 20 * 1024 * 1024

_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)
_XML_DECL_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._-]+)""", re.IGNORECASE)
# C0/C1 control characters except tab/newline/carriage return, and lone surrogates (a JSON
# "\ud800" escape): never legal in our outputs (a surrogate cannot even be written as UTF-8)
_CONTROL = CONTROL


def check_size(data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
    if len(data) > max_bytes:
        raise DocumentTooLarge(f"document is {len(data)} bytes, over the cap of {max_bytes} bytes")
    # ``not data.strip()`` without copying the document: the same ASCII whitespace set, and
    # ``isspace`` stops at the first other byte
    if not data or data.isspace():
        raise EmptyDocument("document is empty")


def _refuse_entities(data: bytes) -> None:
    # Entity declarations only ever live in the prolog; real protocols never need them.
    # Exactly ``_ENTITY_DECL.search(data)``: every "<!" (most documents have none or a few:
    # comments, CDATA, a DOCTYPE) is checked for the ASCII-case-insensitive "ENTITY" after
    # it, which is all the expression matches. The "!" of each is what is searched for: a
    # single byte is found with memchr, rare in markup, where a search for "<!" stops at
    # every tag.
    find = data.find
    pos = find(b"!", 1)
    while pos >= 0:
        if data[pos - 1] == 0x3C and data[pos + 1 : pos + 7].upper() == b"ENTITY":  # "<"
            raise UnsafeDocument("document declares XML entities (DTD), which are refused")
        pos = find(b"!", pos + 1)


def xml_parser() -> etree.XMLParser:
    """The hardened XML parser, one per thread (lxml parsers are not thread-safe; building
    one per parse costs a twentieth of parsing a small document). A parser keeps no state
    from one document to the next that changes how the next is read."""
    parser: etree.XMLParser | None = getattr(_parsers, "xml", None)
    if parser is None:
        parser = _parsers.xml = _new_xml_parser()
    return parser


_parsers = threading.local()


def _new_xml_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_pis=True,
        collect_ids=False,
    )


def html_parser() -> html.HTMLParser:
    """The HTML parser, one per thread, as ``xml_parser``."""
    parser: html.HTMLParser | None = getattr(_parsers, "html", None)
    if parser is None:
        parser = _parsers.html = html.HTMLParser(
            encoding="utf-8",
            no_network=True,
            remove_comments=True,
            remove_pis=True,
            huge_tree=False,
            default_doctype=False,
        )
    return parser


def parse_xml(data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> etree._Element:
    check_size(data, max_bytes)
    _refuse_entities(data)
    try:
        root = etree.fromstring(data, parser=xml_parser())
    except etree.XMLSyntaxError as exc:
        raise MalformedDocument(f"malformed XML: {_first_line(str(exc))}") from None
    except ValueError as exc:  # e.g. unknown encoding declared
        raise EncodingError(f"cannot decode XML: {_first_line(str(exc))}") from None
    if root is None:
        raise MalformedDocument("malformed XML: no root element")
    return root


def _lookup(name: bytes) -> str | None:
    try:
        found = codecs.lookup(name.decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None
    # As in every browser (WHATWG Encoding): a page labelled ISO-8859-1 is read as
    # windows-1252, which it nearly always really is (Word's dashes and quotes in 0x80-0x9F).
    # Bytes windows-1252 leaves undefined still fall back to latin-1 below.
    return "cp1252" if found == "iso8859-1" else found


_SINGLE_BYTE = frozenset(("cp1252", "iso8859-15", "cp1250", "iso8859-2", "ascii"))


def decode_text(data: bytes) -> str:
    """Decode HTML/text bytes the way a careful browser would, but refusing binary junk."""
    return _decode(data)[0]


def _decode(data: bytes) -> tuple[str, bool]:
    """``decode_text`` and whether the text is exactly ``data`` decoded as UTF-8 (so that
    ``text.encode("utf-8") == data``)."""
    for bom, enc in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            try:
                return _checked(data[len(bom) :].decode(enc)), False
            except UnicodeDecodeError:
                raise EncodingError(f"bytes are not valid {enc} despite the BOM") from None
    if b"\x00" in data[:4096]:
        # UTF-16/32 without a BOM or a binary file: we will not guess.
        raise EncodingError("document contains NUL bytes: not text, or UTF-16/32 without a BOM")
    declared = None
    head = data[:4096]
    match = _XML_DECL_ENCODING.search(head) or _META_CHARSET.search(head)
    if match:
        declared = _lookup(match.group(1))
    if declared in _SINGLE_BYTE and not data.isascii():
        # Saved as UTF-8 under an old single-byte declaration (a template's <meta> kept
        # when the editor switched): bytes that are valid UTF-8 with multi-byte characters
        # are practically never meant as windows-1252 ("Ã¤" for "ä"), so UTF-8 wins.
        try:
            return _checked(data.decode("utf-8"), data), True
        except UnicodeDecodeError:
            pass
    candidates = [declared] if declared else []
    # A page declared as UTF-8 is still often windows-1252 when exported from Word, and
    # windows-1252 declared pages are sometimes saved as UTF-8: try both, declared first.
    for enc in ("utf-8", "cp1252"):
        if enc not in candidates:
            candidates.append(enc)
    for enc in candidates:
        try:
            text = data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        if enc == "utf-8":
            return _checked(text, data), True
        if enc == "cp1252":
            return _checked(text, single_byte=data), False
        return _checked(text), False
    # cp1252 leaves five bytes undefined; latin-1 decodes everything
    return _checked(data.decode("latin-1"), single_byte=data, c1=True), False


# C1 controls (U+0080-U+009F) in UTF-8: 0xC2 followed by 0x80-0x9F (0xC2 is only a lead byte)
_C1_UTF8 = re.compile(rb"\xc2[\x80-\x9f]")


def _control_count(
    text: str, utf8: bytes | None, single_byte: bytes | None = None, c1: bool = False
) -> int:
    """``len(_CONTROL.findall(text[:65536]))``, counted on the bytes ``text`` was decoded
    from when they are given (``text.control_bytes``, many times faster than a regular
    expression per character):

    * ``utf8``: ``text`` is these bytes as UTF-8 (used when at most 65536 bytes, which hold
      at most 65536 characters);
    * ``single_byte``: ``text`` is these bytes in cp1252 (``c1=False``: 0x80-0x9F are
      printable characters there, the undefined ones fail to decode) or latin-1 (``c1=True``:
      0x80-0x9F are the C1 controls); one byte per character, ASCII as itself.
    """
    if single_byte is not None:
        return control_bytes(single_byte[:65536], "latin-1" if c1 else "cp1252")
    if utf8 is None or len(utf8) > 65536:
        return len(_CONTROL.findall(text[:65536]))
    return control_bytes(utf8, "utf-8")


def _checked(
    text: str, utf8: bytes | None = None, single_byte: bytes | None = None, c1: bool = False
) -> str:
    if not text.strip():
        raise EmptyDocument("document is empty")
    controls = _control_count(text, utf8, single_byte, c1)
    if controls > max(8, len(text[:65536]) // 100):
        raise EncodingError("document does not decode to text (too many control characters)")
    return text


def parse_html(data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> html.HtmlElement:
    check_size(data, max_bytes)
    text, utf8 = _decode(data)
    _refuse_entities(data)
    try:
        # text decoded from UTF-8 encodes back to the very same bytes: parse those
        root = html.document_fromstring(
            data if utf8 else text.encode("utf-8"), parser=html_parser()
        )
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise MalformedDocument(f"malformed HTML: {_first_line(str(exc))}") from None
    if root is None:
        raise MalformedDocument("malformed HTML: nothing parsed")
    _adopt_after_html(root)
    # as ``root.xpath("//script|//style|//noscript|//template")``: document order, listed
    # before anything is dropped
    for bad in list(root.iter("script", "style", "noscript", "template")):
        bad.drop_tree()
    return root


def _adopt_after_html(root: html.HtmlElement) -> None:
    """Move what a page prints after "</html>" into its body. libxml2 puts it in a second
    <html> beside the first, where nothing that reads the body would see it: a trailing
    paragraph of the protocol, or a note that an item is confidential."""
    for extra in list(root.itersiblings()):
        if not isinstance(extra.tag, str) or not (len(extra) or (extra.text or "").strip()):
            continue
        target = root.find("body")
        if target is None:
            target = root
        body = extra.find("body")
        source = body if body is not None else extra
        if source.text and source.text.strip():
            paragraph = html.Element("p")
            paragraph.text = source.text
            target.append(paragraph)
        for child in list(source):
            target.append(child)  # (moves it, its tail with it)


def parse_json(data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> Any:
    check_size(data, max_bytes)
    fast = _parse_plain_utf8_json(data)
    if fast is not _NOT_PLAIN:
        return fast
    text = decode_text(data)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise MalformedDocument(
            f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except RecursionError:
        raise MalformedDocument("malformed JSON: nested too deeply") from None


_NOT_PLAIN = object()
_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def _parse_plain_utf8_json(data: bytes) -> Any:
    """What ``parse_json`` returns for what JSON APIs send (UTF-8 without a BOM, at most 64
    KiB), without ``decode_text``; ``_NOT_PLAIN`` for any other input and any input that fails
    here, which the full path then decides as always.

    ``decode_text`` costs about half as much again as the JSON parse (a case-insensitive
    search for ``<meta charset>``, counting control characters byte by byte). For such a
    document it amounts to: no encoding declared in the first 4096 bytes (``_may_declare``),
    so UTF-8 is tried first and kept when it decodes, unless the text has more than
    ``max(8, len(text) // 100)`` control characters (``_control_count``). JSON that
    ``json.loads`` accepts (strict, the default) holds no raw C0 character but its whitespace,
    so only DEL and C1 are left to count. Parsing before counting changes no outcome: a parse
    error or too many control characters goes the full way, which counts first, as ever; and
    JSON that parses is never blank, so the empty-text check cannot fire.
    """
    if (
        len(data) > 65536
        or data.startswith(_BOMS)
        or data.find(b"\x00", 0, 4096) >= 0
        or _may_declare(data)
    ):
        return _NOT_PLAIN
    try:
        text = data.decode("utf-8")
        doc = json.loads(text)
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError are these
        return _NOT_PLAIN
    # JSON that parses holds no C0 control but its whitespace: only DEL and C1 can count, and
    # ``in`` (a memchr) finds neither in most documents far quicker than ``control_bytes``
    # reads every byte
    controls = data.count(b"\x7f") if b"\x7f" in data else 0
    if b"\xc2" in data:  # C1 controls are 0xC2 0x80-0x9F in UTF-8
        controls += len(_C1_UTF8.findall(data))
    if controls > max(8, len(text) // 100):
        return _NOT_PLAIN
    return doc


def _may_declare(data: bytes) -> bool:
    """False only when neither ``_XML_DECL_ENCODING`` nor ``_META_CHARSET`` can match
    ``data[:4096]``: a match of either holds "<?xml" or "<meta" (ASCII case-insensitive, as a
    bytes pattern with ``re.IGNORECASE`` is). The few "<" of HTML in a JSON string are found in
    C; either expression would step through all 4096 bytes."""
    find = data.find
    pos = find(b"<", 0, 4096)
    while pos >= 0:
        if data[pos + 1 : pos + 5].lower() in (b"meta", b"?xml"):
            return True
        pos = find(b"<", pos + 1, 4096)
    return False


def clean(text: str | None) -> str | None:
    """Normalize a text field: NFC, no control characters nor characters that are not seen,
    ligatures as their letters, single spaces, digits written as character references as
    digits; ``None`` if empty."""
    if text is None:
        return None
    if not text.isascii():
        # (``scrub`` first: a reference split by a zero width, "&#5\u200b6;", is one too)
        text = scrub(nfc(text))
        return (plain_digits(text) if "&" in text else text) or None
    # ASCII is NFC already and holds no ligature nor invisible character
    if "&" in text:
        text = plain_digits(text)
    if text.isprintable() and "  " not in text:
        # Nothing to replace or collapse: a printable text holds no control character and no
        # whitespace but " " (every other whitespace character is unprintable), and no two
        # of those in a row; only the ends are left to strip. (Text that was on one line of
        # the document, and most attribute values, are like this.)
        return text.strip() or None
    return scrub(text) or None


def clean_block(text: str | None) -> str | None:
    """Like ``clean`` but keeps paragraph breaks (one blank-free newline between lines)."""
    if text is None:
        return None
    lines = [clean(line) for line in unicodedata.normalize("NFC", text).splitlines()]
    joined = "\n".join(line for line in lines if line)
    return joined or None


def element_text(el: etree._Element) -> str:
    """All text below ``el`` with whitespace collapsed (comments/PIs already removed)."""
    return clean(raw_text(el)) or ""


def raw_text(el: etree._Element) -> str:
    """``"".join(el.itertext())``: the text and CDATA below ``el`` (not its tail, nor comment
    or processing-instruction text), serialised by libxml2 in one C call, several times
    faster than iterating. Always a plain ``str``."""
    if not len(el):  # no child nodes at all: the text is all there is
        return el.text or ""
    return etree.tostring(el, method="text", encoding=str, with_tail=False)


def local_name(el: etree._Element) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    # "{namespace}name" or "name": what etree.QName(tag).localname gives, without the object
    return tag.rpartition("}")[2]


_compiled = threading.local()  # lxml XPath objects are not shared between threads


def xpath(path: str) -> etree.XPath:
    """``path`` compiled once per thread (``el.xpath(path)`` parses it again on every call)."""
    cache: dict[str, etree.XPath] | None = getattr(_compiled, "cache", None)
    if cache is None:
        cache = _compiled.cache = {}
    compiled = cache.get(path)
    if compiled is None:
        compiled = cache[path] = etree.XPath(path)
    return compiled


def _first_line(message: str) -> str:
    return message.strip().splitlines()[0] if message.strip() else "unknown error"
