"""Dates and times as printed in protocols, in Swedish, German, English and Norwegian.

``find_date`` finds the first date in free text ("2024-06-21", "21 juni 2024",
"Tuesday, January 15, 2019", "12.02.2025", "den 4 oktober 2022"); ``find_time_range`` the
first clock range ("kl. 13.00–15.30", "1:30pm - 2:30pm", "17:00 Uhr"). ``local`` attaches the
configured timezone to a naive local date/time, so every datetime leaving an extractor is
timezone-aware.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from publisher.errors import ConfigError

MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        ("januari", "january", "januar", "jänner", "jan"),
        ("februari", "february", "februar", "feb"),
        ("mars", "march", "märz", "maerz", "mar"),
        ("april", "apr"),
        ("maj", "may", "mai"),
        ("juni", "june", "jun"),
        ("juli", "july", "jul"),
        ("augusti", "august", "aug"),
        ("september", "sept", "sep"),
        ("oktober", "october", "okt", "oct"),
        ("november", "nov"),
        ("december", "dezember", "desember", "dec", "dez", "des"),
    ),
    start=1,
):
    for _name in _names:
        MONTHS[_name] = _number

_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))

_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_COMPACT = re.compile(r"(?<!\d)(20\d{2}|19\d{2})(\d{2})(\d{2})(?!\d)")
_DMY_DOTS = re.compile(r"(?<![\d.])(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})(?!\d)")
_US_SLASH = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})(?![\d/])")
# "5/3 2024": day/month, then the year after a space (Swedish and Norwegian usage)
_NORDIC_SLASH = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})\s+(\d{4})(?![\d/])")
_DAY_MONTH_YEAR = re.compile(
    rf"(?<!\d)(\d{{1,2}})(?:\.|:e|:a|st|nd|rd|th)?\s+({_MONTH_RE})\.?,?\s+(\d{{4}})",
    re.IGNORECASE,
)
_MONTH_DAY_YEAR = re.compile(
    rf"\b({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})", re.IGNORECASE
)

_CLOCK = r"(\d{1,2})(?:[.:](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?"
_TIME_RANGE = re.compile(
    rf"(?:\bkl\.?\s*|\bklockan\s+|\bum\s+|\bat\s+|\bfrom\s+)?{_CLOCK}\s*(?:uhr\s*)?"
    rf"(?:[-–—]|\bto\b|\bbis\b|\btill\b)\s*{_CLOCK}",
    re.IGNORECASE,
)
_SINGLE_TIME = re.compile(
    r"(?:\bkl\.?\s*|\bklockan\s+|\bum\s+|\bat\s+|\bstart(?:s|ar)?\s+)?"
    r"(?<![\d.:/-])(\d{1,2})[.:](\d{2})(?![\d.:/-])\s*(am|pm|a\.m\.|p\.m\.|uhr)?"
    r"|(?<![\d.:/-])(\d{1,2})\s*(am|pm|a\.m\.|p\.m\.)",
    re.IGNORECASE,
)


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"unknown timezone {name!r}") from None


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def find_date(text: str | None, *, day_first: bool = False) -> date | None:
    """The earliest-positioned date in ``text``, in any of the supported notations.

    ``day_first``: "5/3/2024" is 5 March (European documents), not 4 May (US pages)."""
    if not text:
        return None
    found: list[tuple[int, date]] = []
    for match in _ISO.finditer(text):
        if d := _safe_date(int(match[1]), int(match[2]), int(match[3])):
            if not found and match.start() == 0:
                # (speed only) nothing starts earlier, and of the dates found at one place
                # the first one found wins: the other notations need not be read
                return d
            found.append((match.start(), d))
    for match in _DAY_MONTH_YEAR.finditer(text):
        if d := _safe_date(int(match[3]), MONTHS[match[2].lower()], int(match[1])):
            found.append((match.start(), d))
    for match in _MONTH_DAY_YEAR.finditer(text):
        if d := _safe_date(int(match[3]), MONTHS[match[1].lower()], int(match[2])):
            found.append((match.start(), d))
    for match in _DMY_DOTS.finditer(text):
        if d := _safe_date(int(match[3]), int(match[2]), int(match[1])):
            found.append((match.start(), d))
    for match in _US_SLASH.finditer(text):
        year = int(match[3])
        year = year + 2000 if year < 100 else year
        first, second = int(match[1]), int(match[2])
        month, day = (second, first) if day_first else (first, second)
        if d := _safe_date(year, month, day):
            found.append((match.start(), d))
    if "/" in text:
        for match in _NORDIC_SLASH.finditer(text):
            if d := _safe_date(int(match[3]), int(match[2]), int(match[1])):
                found.append((match.start(), d))
    if not found:
        for match in _COMPACT.finditer(text):
            if d := _safe_date(int(match[1]), int(match[2]), int(match[3])):
                found.append((match.start(), d))
    if not found:
        return None
    return min(found, key=lambda pair: pair[0])[1]


def _to_time(hour: str, minute: str | None, meridiem: str | None) -> time | None:
    h = int(hour)
    m = int(minute) if minute else 0
    mer = (meridiem or "").lower().replace(".", "")
    if mer == "pm" and h < 12:
        h += 12
    elif mer == "am" and h == 12:
        h = 0
    if not (0 <= h <= 23 and 0 <= m <= 59):
        return None
    return time(h, m)


def find_time_range(text: str | None) -> tuple[time | None, time | None]:
    """(start, end) clock times in ``text``; either may be ``None``."""
    if not text:
        return None, None
    match = _TIME_RANGE.search(text)
    if match:
        end_meridiem = match[6]
        start = _to_time(match[1], match[2], match[3] or end_meridiem)
        end = _to_time(match[4], match[5], end_meridiem)
        if start and end:
            return start, end
    single = _SINGLE_TIME.search(text)
    if single:
        if single[1]:
            mer = single[3] if single[3] and single[3].lower() != "uhr" else None
            return _to_time(single[1], single[2], mer), None
        return _to_time(single[4], None, single[5]), None
    return None, None


def local(day: date, clock: time | None, tz: str) -> datetime | None:
    """A timezone-aware datetime for a local date and clock time; ``None`` without a time."""
    if clock is None:
        return None
    return datetime.combine(day, clock, tzinfo=zone(tz))


def parse_iso_datetime(value: str | None, tz: str) -> datetime | None:
    """An ISO 8601 date-time; a naive one is read as local time in ``tz``."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone(tz))
    return parsed
