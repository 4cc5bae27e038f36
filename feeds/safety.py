"""What every output passes through: control characters out, HTML sanitised, and a last
privacy check on the final bytes.

The model is already privacy-safe (``publisher.privacy.protect``). ``check_output`` is the
defensive second line: a Luhn-valid personnummer in any rendered file means a bug upstream,
and the file is refused rather than published.
"""

from __future__ import annotations

import re
from typing import Any

import nh3

from publisher import privacy
from publisher.errors import PermanentError

# XML 1.0 forbids C0 controls except tab/newline/CR, lone surrogates and U+FFFE/U+FFFF; lxml
# (and so feedgen) raises on them. C1 controls and DEL are legal but never meant in minutes.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

#: what entry content may contain; everything else is stripped by nh3
ALLOWED_TAGS = {"p", "ul", "ol", "li", "strong", "em", "a", "h2", "h3", "br", "span"}
ALLOWED_ATTRIBUTES = {"a": {"href", "hreflang"}, "span": {"lang"}}


class UnsafeOutput(PermanentError):
    """A rendered file failed the final privacy check; it was not written."""


def clean_text(text: str) -> str:
    return _CONTROL.sub("", text)


def clean_tree(value: Any) -> Any:
    """``clean_text`` applied to every string in a JSON-like tree."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {k: clean_tree(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_tree(v) for v in value]
    return value


def sanitize_html(html: str) -> str:
    return nh3.clean(
        clean_text(html),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


# Every personnummer form starts with six digits and ends in four, with at most a separator
# between (``privacy.SEPARATOR``). Feeds are full of such runs (microsecond timestamps), so
# rather than running the full pattern over a whole file, candidates are found with this
# cheap one and each is checked by ``publisher.privacy`` in a small window (enough context
# for its digit-boundary checks).
_CANDIDATE = re.compile(rf"(?:\d\d)?{privacy.NUMBER_SHAPE}")


def check_output(path: str, data: bytes) -> None:
    """Refuse output holding a personnummer (Luhn-valid, plausible date) anywhere."""
    text = data.decode("utf-8", "replace")
    for match in _CANDIDATE.finditer(text):
        window = text[max(0, match.start() - 3) : match.end() + 3]
        if privacy.mask_personnummer(window) != window:
            raise UnsafeOutput(f"{path}: rendered output contains a personal identity number")
