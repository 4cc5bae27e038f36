"""Bytes → ``Protocol``, one module per format, all pure functions.

``extract(data, fmt, options)`` is the only entry point the rest of the system uses: it detects
the format when asked (``auto``), calls the format's ``extract``, and passes the result through
``publisher.privacy.protect`` so nothing confidential or identifying ever leaves this package.

Each format module exposes ``extract(data: bytes, options: ExtractOptions) -> Protocol``.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from typing import Protocol as TypingProtocol

from publisher import privacy
from publisher.errors import PublisherError, UnknownFormat
from publisher.extract.parsing import DEFAULT_MAX_BYTES, check_size, decode_text
from publisher.model import Protocol

FORMATS: dict[str, str] = {
    "sv-html": "publisher.extract.sv_html",
    "oparl": "publisher.extract.oparl",
    "akn": "publisher.extract.akn",
    "tei": "publisher.extract.tei",
    "selectors": "publisher.extract.selectors",
}


@dataclass(frozen=True)
class ExtractOptions:
    """What an extractor may know besides the bytes. No clocks, no I/O."""

    timezone: str = "Europe/Stockholm"
    #: the document's own URL, to resolve relative links
    base_url: str | None = None
    #: field → XPath/CSS expressions, for the ``selectors`` format
    selectors: Mapping[str, Any] | None = None
    #: body name that overrides the one the document gives (a source serving one body)
    body: str | None = None
    language: str | None = None
    max_bytes: int = DEFAULT_MAX_BYTES
    extra: Mapping[str, Any] = field(default_factory=dict)


class _Extractor(TypingProtocol):
    def extract(self, data: bytes, options: ExtractOptions) -> Protocol: ...


_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_ROOT = re.compile(rb"<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)[\s>/]")
_PROLOG = re.compile(rb"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(\[.*?\])?\s*>", re.S | re.I)
_OPARL_TYPE = re.compile(r'"type"\s*:\s*"https?://schema\.oparl\.org/[^"]*/Meeting"')
_SWEDISH_PROTOCOL = re.compile(r"§\s*\d|justera|sammanträde|protokoll|anslag|beslut", re.IGNORECASE)


def detect(data: bytes, options: ExtractOptions | None = None) -> str:
    """The format name for ``data``, judged from content only (never from a file name)."""
    options = options or ExtractOptions()
    check_size(data, options.max_bytes)
    head = data[:65536]
    if head.startswith(_UTF16_BOMS):
        # Word's "Unicode" HTML export (charset=unicode): looked at as UTF-8, as it is parsed
        head = head[: len(head) // 2 * 2].decode("utf-16", "replace").encode("utf-8")
    head = head.lstrip(_BOM).lstrip()
    if head[:1] in (b"{", b"["):
        return _detect_json(head)
    if head[:1] == b"<":
        body = _PROLOG.sub(b"", head).lstrip()
        match = _ROOT.match(body)
        root = match.group(2).decode("ascii", "replace").lower() if match else ""
        if root in ("akomantoso",):
            return "akn"
        if root in ("tei", "teicorpus"):
            return "tei"
        if root in ("html", "head", "body", "meta", "div", "p", "table", "title", "section"):
            if options.selectors:
                return "selectors"
            text = _head_text(data[:262144])
            if "§" in text and _protocol_words(text) >= 3:
                return "sv-html"
            raise UnknownFormat(
                "an HTML page without a protocol structure; "
                "for a meeting page use --format selectors --selectors FILE"
            )
        raise UnknownFormat(f"unknown XML document (root element <{root or '?'}>)")
    raise UnknownFormat("content is neither XML, HTML nor JSON")


def _protocol_words(text: str, enough: int = 3) -> int:
    """How many protocol words ``text`` has (as ``len(findall)``), counting no further than
    ``enough``: a protocol has them at the top, so the rest of the page is not searched."""
    count = 0
    for _match in _SWEDISH_PROTOCOL.finditer(text):
        count += 1
        if count >= enough:
            break
    return count


def _head_text(head: bytes) -> str:
    # Decode as the document declares: in a windows-1252 Word export "§" is the single byte
    # 0xA7, which a plain UTF-8 decode turns into U+FFFD, and the protocol went unrecognised.
    try:
        return decode_text(head)
    except PublisherError:
        return head.decode("utf-8", "replace")


def _detect_json(head: bytes) -> str:
    # Judge by the OParl type URI or the Meeting's own key, not by any mention of "oparl".
    text = head.decode("utf-8", "replace")
    if _OPARL_TYPE.search(text) or '"agendaItem"' in text:
        return "oparl"
    raise UnknownFormat("JSON that is not an OParl Meeting")


def extract(data: bytes, fmt: str = "auto", options: ExtractOptions | None = None) -> Protocol:
    """Extract a privacy-safe ``Protocol`` from ``data``."""
    options = options or ExtractOptions()
    check_size(data, options.max_bytes)
    if fmt == "auto":
        fmt = detect(data, options)
    module = _MODULES.get(fmt)
    if module is None:
        module_name = FORMATS.get(fmt)
        if module_name is None:
            raise UnknownFormat(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
        module = _MODULES[fmt] = importlib.import_module(module_name)
    return privacy.protect(module.extract(data, options))


#: format name → its imported module (``importlib.import_module`` costs more than a lookup)
_MODULES: dict[str, _Extractor] = {}


def extract_all(
    data: bytes, fmt: str = "auto", options: ExtractOptions | None = None
) -> list[Protocol]:
    """Every meeting in ``data``: a calendar page read with selectors holds several."""
    options = options or ExtractOptions()
    check_size(data, options.max_bytes)
    if fmt == "auto":
        fmt = detect(data, options)
    if fmt != "selectors":
        return [extract(data, fmt, options)]
    from publisher.extract import selectors

    return [privacy.protect(p) for p in selectors.extract_all(data, options)]
