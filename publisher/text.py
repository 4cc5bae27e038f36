"""Small text helpers shared by stages: ASCII slugs for URLs and file names."""

from __future__ import annotations

import re
import unicodedata

_TRANSLITERATE = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "ø": "o",
        "œ": "oe",
        "þ": "th",
        "đ": "d",
        "Æ": "AE",
        "Ø": "O",
        "Œ": "OE",
        "ł": "l",
        "Ł": "L",
    }
)


def slugify(text: str, fallback: str = "body") -> str:
    """Lower-case ASCII with hyphens: "Barn- och utbildningsnämnden" becomes
    "barn-och-utbildningsnamnden"."""
    ascii_text = (
        unicodedata.normalize("NFKD", text.translate(_TRANSLITERATE))
        .encode("ascii", "ignore")
        .decode("ascii")
    )
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:80].rstrip("-") or fallback
