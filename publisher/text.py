"""Small text helpers shared by stages: ASCII slugs for URLs and file names, and word tries
for the substring gates in front of costly expressions."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

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


def trie_pattern(words: Iterable[str], *, longest: bool = True) -> str:
    """An expression matching one of ``words`` that starts at a position: the words as a
    character trie, so the engine follows one branch per character instead of trying every
    word in turn. ``longest``: the longest word starting there; otherwise the first that
    ends (enough to learn whether any occurs: longer continuations are left out)."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}  # a word ends here

    def pattern(node: dict[str, Any]) -> str:
        if "" in node and not longest:
            return ""
        branches = [re.escape(char) + pattern(node[char]) for char in sorted(node) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        # greedy: the longer words are tried first, a word ending here is the fallback
        return f"(?:{body})?" if "" in node else body

    return pattern(trie)


def word_finder(words: Iterable[str]) -> re.Pattern[str]:
    """An expression that finds whether a (case-folded) text holds any of ``words``."""
    return re.compile(trie_pattern(words, longest=False))
