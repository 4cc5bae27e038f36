"""iCalendar (RFC 5545) per body: the meetings known, each linking to its decisions once
published. Written by hand — the format is small and every rule that matters is here:

* lines end in CRLF and are folded at 75 octets without splitting a UTF-8 character;
* TEXT values escape backslash, semicolon, comma and newlines;
* a meeting with a start time is an instant in UTC (``…Z``); one with only a date is an
  all-day ``VALUE=DATE`` event;
* a retracted meeting keeps its event (the meeting took place) under a generic localized
  title, without location or links: the retraction may have been for privacy;
* a meeting its source marks as called off (OParl ``cancelled``) is ``STATUS:CANCELLED``;
* ``UID`` is the meeting id (stable across rebuilds and corrections), ``SEQUENCE`` its
  version and ``DTSTAMP`` the stored time of its last change — never the build time, so an
  unchanged calendar keeps its bytes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from feeds import i18n
from feeds.entries import Site, meeting_page, withdrawn_title
from feeds.safety import clean_text

PRODID = "-//meeting-publisher//feeds//EN"


def escape(text: str) -> str:
    text = clean_text(text).replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> bytes:
    """One content line, folded so no physical line exceeds 75 octets (RFC 5545 §3.1)."""
    encoded_line = line.encode("utf-8")
    if len(encoded_line) <= 75:
        return encoded_line + b"\r\n"
    out = bytearray()
    width = 0
    limit = 75
    for char in line:
        encoded = char.encode("utf-8")
        if width + len(encoded) > limit:
            out += b"\r\n "
            width = 1
        out += encoded
        width += len(encoded)
    return bytes(out) + b"\r\n"


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _day(value: date) -> str:
    return value.strftime("%Y%m%d")


def event_lines(site: Site, meeting: dict[str, Any]) -> list[str] | None:
    day: date | None = meeting.get("meeting_date")
    start: datetime | None = meeting.get("meeting_start")
    if day is None and start is None:
        return None
    retracted = meeting.get("publication_state") == "retracted"
    protocol = json.loads(meeting["protocol"]) if meeting.get("protocol") else {}
    # a retracted protocol may have been withdrawn for privacy: none of it stays visible
    info = {} if retracted else protocol.get("meeting", {})
    lang = i18n.language_for(meeting.get("label_language"), meeting.get("language"))
    stamp = max(t for t in (meeting.get("updated_at"), meeting.get("publication_updated_at")) if t)
    lines = [
        "BEGIN:VEVENT",
        f"UID:{meeting['id']}@{site.authority}",
        f"DTSTAMP:{_utc(stamp)}",
        f"SEQUENCE:{int(meeting.get('version') or 1) - 1}",
    ]
    end_text = info.get("end")
    if start is not None:
        lines.append(f"DTSTART:{_utc(start)}")
        if end_text and len(end_text) > 10:
            lines.append(f"DTEND:{_utc(datetime.fromisoformat(end_text))}")
    else:
        assert day is not None  # noqa: S101 - checked above
        lines.append(f"DTSTART;VALUE=DATE:{_day(day)}")
        lines.append(f"DTEND;VALUE=DATE:{_day(day + timedelta(days=1))}")
    if retracted:
        summary = withdrawn_title(lang)
    else:
        summary = info.get("title") or i18n.label(lang, "event_title", body=meeting["body_name"])
    lines.append(f"SUMMARY;LANGUAGE={i18n.BCP47[lang]}:{escape(summary)}")
    if info.get("location"):
        lines.append(f"LOCATION:{escape(info['location'])}")
    lines.append(f"CATEGORIES:{escape(meeting['body_name'])}")
    # a meeting the source says was called off stays in the calendar, marked so (RFC 5545)
    lines.append("STATUS:CANCELLED" if info.get("cancelled") else "STATUS:CONFIRMED")
    lines.append("TRANSP:OPAQUE")
    if meeting.get("publication_state") == "published":
        page = meeting_page(site, meeting["id"])
        lines.append(f"URL;VALUE=URI:{page}")
        lines.append(f"DESCRIPTION:{escape(i18n.label(lang, 'event_decisions', url=page))}")
    lines.append("END:VEVENT")
    return lines


def calendar(site: Site, name: str, language: str, meetings: Iterable[dict[str, Any]]) -> bytes:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(name)}",
    ]
    events = [event_lines(site, m) for m in meetings]
    for event in sorted(
        (e for e in events if e),
        key=lambda ev: next(x for x in ev if x.startswith("DTSTART")).split(":")[-1],
    ):
        lines.extend(event)
    lines.append("END:VCALENDAR")
    return b"".join(fold(line) for line in lines)
