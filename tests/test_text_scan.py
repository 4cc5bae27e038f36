"""``publisher.text.WordSet``: the C scanner and the expression fallback give the same answers.

Every gate in front of a costly expression (secrecy markers, outcome hints, vote labels) is a
``WordSet``. A gate that misses a word skips the full check: for the secrecy gate that is a
leak. So both paths are checked against the plain definition, ``word in fold(text)``, on
texts built from the characters that matter (case-folding specials, other scripts, line
breaks), and the C path's case folding against ``fold`` for every code point there is.
"""

from __future__ import annotations

import random
import re
import unicodedata

import pytest

from publisher import privacy, text
from publisher.extract import outcomes
from publisher.text import WordSet, fold

_SPECIALS = "".join(
    chr(c) for c in (0x130, 0x131, 0x17F, 0x212A, 0x212B, 0x1E9E, 0xDF, 0x3A3, 0x10400, 0xFF21)
)
_ALPHABET = "abcdeklmnorstuvåäöüé SEKRETESSOSLÅÄÖ-().:\n\t\u00a0\u2013" + _SPECIALS
_WORD_LISTS = {
    "secrecy": privacy.SECRECY_WORDS,
    "hints": outcomes._ALL_HINTS,
    "short": ("ja", "nej", "ja:", "för", "by"),
}


def _rng(seed: int) -> random.Random:
    return random.Random(seed)  # noqa: S311 - reproducible test data, not secrets


def _texts(words: tuple[str, ...], seed: int, count: int = 4000) -> list[str]:
    """Random texts, half of them with a word of ``words`` put in, its letters in random case."""
    rng = _rng(seed)
    texts = []
    for _ in range(count):
        chars = [rng.choice(_ALPHABET) for _ in range(rng.randint(0, 30))]
        if rng.random() < 0.5:
            word = "".join(c.upper() if rng.random() < 0.5 else c for c in rng.choice(words))
            chars.insert(rng.randint(0, len(chars)), word)
        texts.append("".join(chars))
    return texts


@pytest.fixture(params=["c", "expressions"])
def path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "c":
        if text._speedups is None:
            pytest.fail("publisher._speedups is not built: `pip install -e .` compiles it")
    else:
        monkeypatch.setattr(text, "_speedups", None)
    return str(request.param)


def test_the_c_scanner_is_built() -> None:
    # without it every gate falls back to expressions: correct, but extraction is slower
    # than its benchmark target, so a build that silently lost it must not pass
    assert text._speedups is not None
    assert privacy._SECRECY_GATE._scanner is not None


@pytest.mark.parametrize("name", sorted(_WORD_LISTS))
def test_search_and_found_are_substring_tests_of_the_folded_text(path: str, name: str) -> None:
    words = tuple(_WORD_LISTS[name])
    gate = WordSet(words)
    assert (gate._scanner is not None) == (path == "c")
    for sample in _texts(gate.words, seed=len(words)):
        expected = frozenset(word for word in gate.words if word in fold(sample))
        assert gate.found(sample) == expected, sample
        assert gate.search(sample) == bool(expected), sample


@pytest.mark.parametrize(
    ("sample", "found"),
    [
        ("ſekretess", {"sekretess"}),  # long s folds to s, as re.IGNORECASE does
        ("İN CAMERA", {"camera"}),
        ("Sekretessbelagt enligt OSL", {"sekretess", "osl"}),
        ("\u212aLOSED SESSION", {"klosed"}),  # the Kelvin sign folds to k
        ("Ärendet är offentligt", set()),
        ("", set()),
    ],
)
def test_found_on_hand_picked_texts(path: str, sample: str, found: set[str]) -> None:
    gate = WordSet(["sekretess", "osl", "camera", "closed session", "klosed"])
    assert gate.found(sample) == found
    assert gate.search(sample) == bool(found)


def test_overlapping_and_nested_words_are_all_found(path: str) -> None:
    gate = WordSet(["he", "she", "his", "hers", "ers"])
    assert gate.found("ushers") == {"he", "she", "hers", "ers"}
    assert gate.found("HIS") == {"his"}


def test_every_code_point_folds_as_fold_does() -> None:
    if text._speedups is None:
        pytest.fail("publisher._speedups is not built")
    gate = WordSet(privacy.SECRECY_WORDS + ("ß", "å", "\u2013"))
    classes = {char: gate._scanner.fold_class(ord(char)) for char in "".join(gate.words)}
    for code in range(0x110000):
        folded = fold(chr(code))
        expected = classes.get(folded, 0) if len(folded) == 1 else 0
        assert gate._scanner.fold_class(code) == expected, hex(code)


@pytest.mark.parametrize("words", [[], [""], ["Upper"], ["ſ"]])
def test_words_must_be_folded_and_non_empty(words: list[str]) -> None:
    with pytest.raises(ValueError, match="WordSet"):
        WordSet(words)


def test_the_scanner_refuses_inconsistent_tables() -> None:
    if text._speedups is None:
        pytest.fail("publisher._speedups is not built")
    scanner_type = text._speedups.Scanner
    classmap = bytes(text._FOLD_LIMIT)
    with pytest.raises(ValueError, match="delta"):
        scanner_type(2, classmap, (), b"", (5).to_bytes(2, "little") * 2, b"\0\0", 0)
    with pytest.raises(ValueError, match="classmap"):
        scanner_type(2, b"\x05" * text._FOLD_LIMIT, (), b"", b"\0" * 4, b"\0\0", 0)
    with pytest.raises(ValueError, match="accept"):
        scanner_type(2, classmap, (), b"", b"\0" * 4, (3).to_bytes(2, "little"), 1)
    with pytest.raises(ValueError, match="high_keys"):
        scanner_type(2, classmap, (0x41,), b"\x01", b"\0" * 4, b"\0\0", 0)
    scanner = scanner_type(2, classmap, (), b"", b"\0" * 4, b"\0\0", 0)
    with pytest.raises(TypeError, match="str"):
        scanner.first(b"bytes")
    with pytest.raises(RuntimeError, match="already"):
        scanner.__init__(2, classmap, (), b"", b"\0" * 4, b"\0\0", 0)


_SPACES = "".join(chr(c) for c in range(0x110000) if chr(c).isspace())


def test_collapse_space_is_split_and_join() -> None:
    if text._speedups is None:
        pytest.fail("publisher._speedups is not built")
    rng = _rng(21)
    alphabet = _SPACES + "ab é\u00adß\ue010\u200b\U0001f600" + _SPECIALS
    samples = ["", " ", "x", "\u3000é\u3000", "a\u2028b", "\U0001f600 \u3000"]
    samples += [
        "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(5000)
    ]
    for sample in samples:
        collapsed = text._speedups.collapse_space(sample)
        assert collapsed == " ".join(sample.split()), repr(sample)
        assert hash(collapsed) == hash(" ".join(sample.split()))  # the compact form of str


def test_collapse_space_without_the_c_module() -> None:
    assert text._collapse_space(" a \u3000 b\n") == "a b"


def test_scrub_is_the_python_passes_in_one() -> None:
    # the C pass against its Python reference: ligatures (each width of string), the
    # characters nobody sees, control characters, lone surrogates and every kind of space
    if text._speedups is None:
        pytest.fail("publisher._speedups is not built")
    rng = _rng(23)
    alphabet = _SPACES + "ab é\u00adß\ue010\u200b\u200d\u2060\ufeff\ufe0f\ufe01\U0001f600"
    alphabet += "\ufb00\ufb01\ufb03\ufb04\ufb06\x00\x08\x0b\x1f\x7f\x85\x9f\ud800\udfff"
    alphabet += _SPECIALS
    samples = ["", "\u200b", "o\ufb00entlig", "8112\u200b18-9876", "\ufb03\U0001f600", "a\x00b"]
    samples += [
        "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(8000)
    ]
    # and strings of each width on their own, long enough to run the loops (Latin-1 holds
    # none of the wide characters above, so the alphabet alone seldom makes one)
    for alphabet_of_width in (
        "ab \t\n\x00\x85\xa0\xad\xe9\x7f",
        "ab \u3000\u200b\ufb01\ufe0f\ud800\u2028",
        "ab \u3000\ufb03\U0001f600\U000e0100\udfff",
    ):
        samples += [
            "".join(rng.choice(alphabet_of_width) for _ in range(rng.randint(40, 200)))
            for _ in range(500)
        ]
    for sample in samples:
        scrubbed = text._speedups.scrub(sample)
        assert scrubbed == text._scrub(sample), repr(sample)
        assert hash(scrubbed) == hash(text._scrub(sample))  # the compact form of str


@pytest.mark.parametrize(
    ("raw", "seen"),
    [
        ("ej o\ufb00entliga", "ej offentliga"),
        ("Sekre\u200btess \u00ad kl.\x0b13", "Sekretess kl. 13"),
        ("\ufeff  \u2060 a\x85b\ud800c ", "a b c"),
        ("8\ufe0f112189876", "8112189876"),
    ],
)
def test_scrub_without_the_c_module(raw: str, seen: str) -> None:
    assert text._scrub(raw) == seen


def test_what_is_nfc_plain_is_its_own_nfc() -> None:
    # Every character is_nfc_plain admits (below U+0300, the punctuation and currency ranges,
    # the Private Use Area) is its own NFC form and a starter (combining class 0), and no two
    # of them compose: then every text of them is NFC (composition could only join a starter
    # with the character right after it here).
    if text._speedups is None:
        pytest.fail("publisher._speedups is not built")
    ranges = [range(0x300), range(0x2010, 0x2028), range(0x2030, 0x205F), range(0x20A0, 0x20C1)]
    plain = [chr(c) for r in ranges for c in r] + [chr(c) for c in range(0xE000, 0xF900, 37)]
    for char in plain:
        assert unicodedata.combining(char) == 0 and unicodedata.normalize("NFC", char) == char
        assert text._speedups.is_nfc_plain(char)
    for first in plain:
        for second in plain:
            pair = first + second
            assert unicodedata.normalize("NFC", pair) == pair, repr(pair)
    for wide in ("a\ud800", "\U0001f600", "é\U00010000"):  # a lone surrogate, UCS-4
        assert not text._speedups.is_nfc_plain(wide)
    for other in ("e\u0301", "\u212b", "\uf900", "\u0958", "\u2000", "\u2028", "\u20c1"):
        assert not text._speedups.is_nfc_plain(other)
        assert text.nfc(other) == unicodedata.normalize("NFC", other)


def test_control_bytes_counts_what_the_expression_finds() -> None:
    if text._speedups is None:
        pytest.fail("publisher._speedups is not built")
    rng = _rng(24)
    pieces = [b"a", "å".encode(), b"\x00", b"\x09", b"\x0a", b"\x0d", b"\x1f", b"\x7f"]
    pieces += [b"\xc2\x85", b"\xc2\x9f", b"\xc2\xa0", b"\xc2", b"\x85", b"\x9f", b"\xe0"]
    for _ in range(5000):
        data = b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 20)))
        for encoding in ("cp1252", "latin-1", "utf-8"):
            counted = text._speedups.control_bytes(data, encoding)
            assert counted == text._control_bytes(data, encoding), (data, encoding)
            if encoding != "cp1252":  # (cp1252 leaves five bytes undefined)
                decoded = data.decode(encoding, "replace")
                assert counted == len(text.CONTROL.findall(decoded)), (data, encoding)
    for unknown in ("utf-16", "utf-8\0x", ""):
        with pytest.raises(ValueError, match="unknown encoding"):
            text._speedups.control_bytes(b"", unknown)


def test_a_scanner_whose_init_failed_refuses_to_scan() -> None:
    if text._speedups is None:
        pytest.fail("publisher._speedups is not built")
    scanner = text._speedups.Scanner.__new__(text._speedups.Scanner)
    classmap = bytes(text._FOLD_LIMIT)
    with pytest.raises(ValueError, match="accept"):
        # both tables are read, then an output id out of range is refused
        scanner.__init__(2, classmap, (), b"", b"\0" * 4, (3).to_bytes(2, "little"), 1)
    with pytest.raises(RuntimeError, match="not initialised"):
        scanner.first("text")
    with pytest.raises(RuntimeError, match="not initialised"):
        scanner.outputs("text")


@pytest.mark.parametrize("sample", ["ΟΔΟΣ", "οδος", "ΟΔΟΣ ΚΑΙ", "η οδοσ"])
def test_every_sigma_is_one_letter_as_to_the_pattern(path: str, sample: str) -> None:
    # "ΟΔΟΣ".lower() ends in the final "ς", the scanner folds "Σ" alone to "σ": the
    # expressions these gates stand in for match all three alike
    gate = WordSet(["οδοσ"])
    assert re.search("οδοσ", sample, re.IGNORECASE)
    assert gate.search(sample)
    assert gate.found(sample) == {"οδοσ"}


def test_the_scanner_refuses_keyword_arguments() -> None:
    if text._speedups is None:
        pytest.fail("publisher._speedups is not built")
    table = (2, b"\x00" * text._FOLD_LIMIT, (), b"", b"\x00\x00" * 2, b"\x00\x00", 0)
    text._speedups.Scanner(*table)
    with pytest.raises(TypeError, match="keyword"):
        text._speedups.Scanner(*table, bogus=1)
