"""Small text helpers shared by stages: ASCII slugs for URLs and file names, case folding, and
word sets for the substring gates in front of costly expressions."""

from __future__ import annotations

import array
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from typing import Any

try:  # CPython's expression parser: only to derive prefilters (``pattern_hints``,
    # ``start_strings``)
    from re import _constants as _sre  # type: ignore[attr-defined]
    from re import _parser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - another Python: no prefilter is derived
    _parser = None

try:  # the optional C scanner (publisher/_speedups.c); without it the gates use expressions
    from publisher import _speedups
except ImportError:  # pragma: no cover - exercised by the tests that force the fallback
    _speedups = None  # type: ignore[assignment]


def _collapse_space(text: str) -> str:
    """``" ".join(text.split())``: the words of ``text`` joined by single spaces."""
    return " ".join(text.split())


#: ``" ".join(text.split())``, in one pass of C when the speedups are built
collapse_space: Callable[[str], str] = (
    _collapse_space if _speedups is None else _speedups.collapse_space
)

# The Latin ligatures of Unicode's presentation forms, which PDF converters leave in the text
# ("ej oﬀentliga"): a reader sees the letters, and so must every search ("offentlig")
_LIGATURES = str.maketrans(
    {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl"}
    | {"\ufb05": "st", "\ufb06": "st"}
)
_LIGATURE = re.compile("[\ufb00-\ufb06]")


def unligate(text: str) -> str:
    """``text`` with the Latin ligatures (U+FB00-U+FB06) written as their letters."""
    return text.translate(_LIGATURES) if _LIGATURE.search(text) else text


# Characters that are not seen: the soft hyphen, zero-width spaces and joiners, the word
# joiner and byte order mark, invisible operators. Inside a word or a number they hide it
# from every search ("8112\u200b18-9876", "Sekre\u200btess") and show nothing: removed.
_INVISIBLE = dict.fromkeys(
    map(ord, "\u00ad\u180e\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff")
) | dict.fromkeys(range(0xFE00, 0xFE10))  # and the variation selectors ("8\ufe0f")


# A digit written as a character reference that a CMS escaped once too often ("&#56;" or
# "&amp;#x38;" for "8") reads as a digit to anyone who unescapes it once more: it is one.
_DIGIT_REFERENCE = re.compile(r"&(?:amp;)*#(?:(4[89]|5[0-7])|[xX]0*(3[0-9]));")


def plain_digits(text: str) -> str:
    """``text`` with digits written as (escaped) character references written as digits."""
    if "&" not in text or "#" not in text:
        return text
    return _DIGIT_REFERENCE.sub(
        lambda m: chr(int(m.group(1))) if m.group(1) else chr(int(m.group(2), 16)), text
    )


_ANY_INVISIBLE = re.compile("[" + "".join(map(chr, sorted(_INVISIBLE))) + "]")


def drop_invisible(text: str) -> str:
    """``text`` without the characters that are not seen (``_INVISIBLE``)."""
    return text.translate(_INVISIBLE) if _ANY_INVISIBLE.search(text) else text


# Control characters: C0 but TAB, LF and CR, DEL and C1, and lone surrogates (from a
# decoder's "surrogateescape"): no text shows them, every cleaned field has a space instead.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def _scrub(text: str) -> str:
    """``scrub`` in Python: the reference the C pass is checked against."""
    return collapse_space(CONTROL.sub(" ", drop_invisible(unligate(text))))


#: ``text`` as a reader sees it, in one string: without the characters that are not seen,
#: ligatures as their letters, control characters as spaces, and then the words joined by
#: single spaces (``collapse_space``). One pass of C when the speedups are built.
scrub: Callable[[str], str] = _scrub if _speedups is None else _speedups.scrub


def nfc(text: str) -> str:
    """``unicodedata.normalize("NFC", text)``. A text of Latin letters (below U+0300), common
    punctuation and private use characters is NFC as it is: told in one pass of C when the
    speedups are built (``_speedups.is_nfc_plain``)."""
    if _speedups is not None and _speedups.is_nfc_plain(text):
        return text
    return unicodedata.normalize("NFC", text)


# ``CONTROL`` in bytes: C0 and DEL are single bytes, never part of a multi-byte UTF-8
# sequence; C1 (U+0080-U+009F) is 0xC2 followed by 0x80-0x9F in UTF-8 (0xC2 is only ever a
# lead byte), the bytes 0x80-0x9F in latin-1, and printable characters in cp1252.
_C0_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_C1_BYTES = bytes(range(0x80, 0xA0))
_C1_UTF8 = re.compile(rb"\xc2[\x80-\x9f]")


def _control_bytes(data: bytes, encoding: str) -> int:
    """``control_bytes`` in Python: the reference the C pass is checked against."""
    count = len(data) - len(data.translate(None, _C0_BYTES))
    if encoding == "latin-1":
        count += len(data) - len(data.translate(None, _C1_BYTES))
    elif encoding == "utf-8" and b"\xc2" in data:
        count += len(_C1_UTF8.findall(data))
    elif encoding not in ("utf-8", "cp1252"):
        raise ValueError(f"unknown encoding {encoding}")
    return count


def control_bytes(data: bytes, encoding: str) -> int:
    """How many ``CONTROL`` characters ``data`` decoded from ``encoding`` ("utf-8", "cp1252"
    or "latin-1") holds, counted on the bytes (one pass of C when the speedups are built)."""
    if _speedups is not None:
        return _speedups.control_bytes(data, encoding)
    return _control_bytes(data, encoding)


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


# ``re.IGNORECASE`` also equates these with ASCII letters, which ``str.lower`` does not:
# folding them keeps a substring prefilter from ever skipping a text the full
# (case-insensitive) pattern would match ("ſekretess", "İn camera"). The Greek capital sigma
# is lowered to the final form "ς" at the end of a word, one character at a time (as the C
# scanner folds) to "σ": both are "σ" here, as they are one letter to the pattern.
_FOLD = str.maketrans(
    {"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k", "\u03a3": "σ", "\u03c2": "σ"}
)


def fold(text: str) -> str:
    """Lower-case ``text`` for substring prefilters of case-insensitive patterns."""
    # a few substring tests in C (immediate for a text whose characters are all below U+0100)
    # instead of a regular expression stepping through every character
    if text.isascii() or not (
        "\u0130" in text
        or "\u0131" in text
        or "\u017f" in text
        or "\u212a" in text
        or "\u03a3" in text
        or "\u03c2" in text
    ):
        return text.lower()
    return text.translate(_FOLD).lower()


#: below this code point the C scanner reads a character's class from a table; above it,
#: it lowers the character first (as ``str.lower`` does there: one character for one)
_FOLD_LIMIT = 0x3000
_folded_below_limit: list[str] | None = None


def _folded_chars() -> list[str]:
    """``fold(chr(c))`` for every code point below the limit, computed once."""
    global _folded_below_limit
    if _folded_below_limit is None:
        _folded_below_limit = [fold(chr(c)) for c in range(_FOLD_LIMIT)]
    return _folded_below_limit


def _prefixes(nodes: Any, acc: str = "") -> set[str]:
    """The literal text every match of a parsed pattern must start with, one per branch."""
    for op, arg in nodes:
        if op is _sre.AT:  # \b and friends consume nothing
            continue
        if op is _sre.LITERAL:
            acc += chr(arg)
            continue
        if op is _sre.BRANCH:
            return set().union(*(_prefixes(branch, acc) for branch in arg[1]))
        if op is _sre.SUBPATTERN:
            return _prefixes(arg[3], acc)
        break
    return {acc}


def pattern_hints(pattern: str) -> tuple[str, ...] | None:
    """Lower-case words one of which must occur in any text the pattern matches; ``None`` when
    the pattern has no such words (it is then always tried)."""
    if _parser is None:
        return None
    try:
        found = _prefixes(_parser.parse(pattern))
    except (AttributeError, IndexError, TypeError, ValueError, re.error):
        return None  # a private parser may change: then the expression is always tried
    if not found or any(len(prefix) < 3 for prefix in found):
        return None
    return tuple(sorted({prefix.lower() for prefix in found}))


class WordSet:
    """Which of a fixed set of words occur in a text, the text folded as ``fold`` folds it.

    ``search(text)`` is ``any(word in fold(text) for word in words)``; ``found(text)`` is
    ``{word for word in words if word in fold(text)}``. With the C scanner both are one pass
    of an Aho-Corasick automaton over the text, folding as it reads (about 1 ns a character);
    without it, a regular expression over ``fold(text)`` (some 20 ns a character). Words are
    given lower case (``fold(word) == word``); the answers never depend on which path runs.
    """

    __slots__ = ("words", "_any", "_every", "_scanner", "_outputs")

    def __init__(self, words: Iterable[str]) -> None:
        self.words: tuple[str, ...] = tuple(sorted(set(words)))
        if not self.words or any(not word or fold(word) != word for word in self.words):
            raise ValueError("a WordSet needs non-empty words, each lower-cased as fold does")
        #: output id → the words that end in that automaton state
        self._outputs: tuple[frozenset[str], ...] = ()
        self._scanner: Any = None
        # The expressions are compiled when first needed, which is never with the scanner:
        # compiling them for every word list cost each process a tenth of a second at start.
        self._any: re.Pattern[str] | None = None
        self._every: re.Pattern[str] | None = None
        if _speedups is not None:
            self._scanner, self._outputs = _build_scanner(self.words)

    def search(self, text: str) -> bool:
        """Whether any of the words occurs in ``fold(text)``."""
        if self._scanner is not None:
            return bool(self._scanner.first(text) >= 0)
        if self._any is None:
            self._any = re.compile(trie_pattern(self.words, longest=False))
        return self._any.search(fold(text)) is not None

    def found(self, text: str) -> frozenset[str]:
        """The words that occur in ``fold(text)``."""
        if self._scanner is not None:
            outputs = self._outputs
            ids = self._scanner.outputs(text)
            if not ids:
                return frozenset()
            if len(ids) == 1:
                return outputs[ids[0]]
            return frozenset().union(*[outputs[i] for i in ids])
        if self._every is None:
            # at every position (a lookahead: occurrences may overlap) the longest word there
            self._every = re.compile(f"(?=({trie_pattern(self.words)}))")
        found = set(self._every.findall(fold(text)))
        # the longest word at a position: the shorter words that start there are its prefixes
        return frozenset(w for w in self.words if any(f.startswith(w) for f in found))


def _build_scanner(words: Sequence[str]) -> tuple[Any, tuple[frozenset[str], ...]]:
    """The C scanner for ``words``: character classes and an Aho-Corasick automaton."""
    alphabet = sorted({char for word in words for char in word})
    if len(alphabet) > 255:
        raise ValueError("a WordSet's words may use at most 255 distinct characters")
    class_of = {char: index + 1 for index, char in enumerate(alphabet)}  # 0: no word has it
    folded = _folded_chars()
    classmap = bytes(class_of.get(folded[c], 0) for c in range(_FOLD_LIMIT))
    high = sorted((ord(char), cls) for char, cls in class_of.items() if ord(char) >= _FOLD_LIMIT)
    # the trie: state 0 is the root
    goto: list[dict[int, int]] = [{}]
    ends: list[set[str]] = [set()]
    for word in words:
        state = 0
        for char in word:
            cls = class_of[char]
            nxt = goto[state].get(cls)
            if nxt is None:
                nxt = len(goto)
                goto[state][cls] = nxt
                goto.append({})
                ends.append(set())
            state = nxt
        ends[state].add(word)
    if len(goto) > 65535:
        raise ValueError("too many words for one WordSet")
    # failure links breadth first, and the full transition table from them
    nclasses = len(alphabet) + 1
    delta = [0] * (len(goto) * nclasses)
    fail = [0] * len(goto)
    order = []
    for cls, nxt in goto[0].items():
        delta[cls] = nxt
        order.append(nxt)
    for state in order:  # grows while read: breadth first
        ends[state] |= ends[fail[state]]
        base = state * nclasses
        fallback = fail[state] * nclasses
        for cls in range(nclasses):
            nxt = goto[state].get(cls)
            if nxt is None:
                delta[base + cls] = delta[fallback + cls]
            else:
                fail[nxt] = delta[fallback + cls] if state else 0
                delta[base + cls] = nxt
                order.append(nxt)
    outputs: dict[frozenset[str], int] = {}
    accept = [0] * len(goto)
    for state, words_here in enumerate(ends):
        if words_here:
            key = frozenset(words_here)
            accept[state] = outputs.setdefault(key, len(outputs)) + 1
    scanner = _speedups.Scanner(
        nclasses,
        classmap,
        tuple(code for code, _cls in high),
        bytes(cls for _code, cls in high),
        _u16(delta),
        _u16(accept),
        len(outputs),
    )
    return scanner, tuple(outputs)


def _u16(values: list[int]) -> bytes:
    packed = array.array("H", values)
    if sys.byteorder != "little":
        packed.byteswap()
    return packed.tobytes()


def start_strings(pattern: str, length: int, flags: int = 0) -> frozenset[str] | None:
    """Every string of ``length`` characters, folded as ``fold`` folds, that a match of
    ``pattern`` can begin with, or ``None`` when that is not a fixed choice of literal
    characters (a character class or a repeat of open count comes first, or a match may be
    shorter): the prefilter "``fold(text[pos:pos + length])`` is one of them" then passes
    every position where the expression can match there, whatever ``flags`` (a literal
    character, matched case-insensitively or not, folds to the folded literal).
    """
    if _parser is None:
        return None
    try:
        nodes = list(_parser.parse(pattern, flags))
    except (AttributeError, IndexError, TypeError, ValueError, re.error):
        return None  # the private parser may change: then there is no prefilter
    found: set[str] = set()
    if not _expand(nodes, "", length, found) or len(found) > 4096:
        return None
    return frozenset(fold(prefix) for prefix in found)


def _expand(nodes: list[Any], acc: str, length: int, found: set[str]) -> bool:
    """Add to ``found`` every ``length``-character start of a match of ``nodes`` after
    ``acc``; False when one is not a fixed literal."""
    if len(found) > 4096:
        return False
    for index, (op, arg) in enumerate(nodes):
        if len(acc) >= length:
            break
        if op in (_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT):
            continue  # consumes nothing
        if op is _sre.LITERAL:
            acc += chr(arg)
            continue
        rest = nodes[index + 1 :]
        if op is _sre.SUBPATTERN:
            return _expand(list(arg[-1]) + rest, acc, length, found)
        if op is _sre.BRANCH:
            return all(_expand(list(branch) + rest, acc, length, found) for branch in arg[1])
        if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT) and arg[0] == 0 and arg[1] == 1:
            # an optional part: with it or without it
            return _expand(list(arg[2]) + rest, acc, length, found) and _expand(
                rest, acc, length, found
            )
        return False  # a class, a repeat, a backreference: no fixed literal
    if len(acc) < length:
        return False  # the match may end sooner
    found.add(acc[:length])
    return True
