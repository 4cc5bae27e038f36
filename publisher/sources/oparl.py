"""An OParl 1.0/1.1 endpoint: every meeting of every body becomes one document.

``source.url`` may name

* a **System** — its ``body`` list is read and every body's ``meeting`` list is polled;
* a **Body** — its ``meeting`` list is polled;
* a **meeting list** itself (an object with ``data`` and ``links``).

The kind is told by the object's ``type`` (``…/System``, ``…/Body``) or by the shape of a list.
Lists are read page by page through ``links.next`` (loops and more than ``MAX_PAGES`` pages end
the list early). With ``since`` the meeting lists are asked only for what changed
(``modified_since``, ISO 8601 in UTC): such a poll is never complete, because an absent meeting
is simply unchanged. A meeting with ``deleted: true`` is reported as gone.

The document of a meeting is the meeting object as served (JSON, keys sorted so that the
same meeting always gives the same bytes), keyed by its ``id`` URL; reading it is the
extractor's job.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import requests

from publisher.errors import FetchRefused, MalformedDocument
from publisher.extract.parsing import parse_json
from publisher.settings import SourceConfig
from publisher.sources.base import FetchedDocument, PollResult
from publisher.sources.http import conditional_get

log = logging.getLogger("publisher.sources.oparl")

#: pages of one list before we stop (a big city has ~10 000 meetings, 20–100 per page)
MAX_PAGES = 2000


class _Reader:
    def __init__(self, source: SourceConfig, session: requests.Session) -> None:
        self.source = source
        self.session = session
        #: False once anything was left unread (a loop, too many pages, a body we skipped)
        self.complete = True

    def get(self, url: str) -> dict[str, Any]:
        source = self.source
        result = conditional_get(
            self.session,
            url,
            None,
            max_bytes=source.max_bytes,
            timeout=source.request_timeout,
            politeness=source.politeness,
            headers={"Accept": "application/json"},
        )
        data = parse_json(result.body or b"", source.max_bytes)
        if not isinstance(data, dict):
            raise MalformedDocument(f"{url}: expected an OParl object, got {type(data).__name__}")
        return data

    def items(
        self, url: str, first: dict[str, Any] | None = None, *, modified_since: str | None = None
    ) -> list[Any]:
        """All entries of an OParl list, following ``links.next``."""
        if modified_since is not None:
            url = _with_query(url, modified_since=modified_since)
            first = None
        entries: list[Any] = []
        seen: set[str] = set()
        page_url: str | None = url
        while page_url is not None:
            if page_url in seen:
                log.warning("OParl list pages form a loop", extra={"url": page_url})
                self.complete = False
                break
            if len(seen) >= MAX_PAGES:
                log.warning("OParl list has too many pages", extra={"url": url})
                self.complete = False
                break
            seen.add(page_url)
            page = first if first is not None else self.get(page_url)
            first = None
            data = page.get("data")
            if not isinstance(data, list):
                raise MalformedDocument(f"{page_url}: not an OParl list (no 'data' array)")
            entries.extend(data)
            links = page.get("links")
            following = links.get("next") if isinstance(links, dict) else None
            current, page_url = page_url, None
            if isinstance(following, str) and following.strip():
                page_url = urljoin(current, following.strip())
                query = dict(parse_qsl(urlsplit(page_url).query))
                if modified_since is not None and "modified_since" not in query:
                    # the spec says next links keep the filter; if one does not, re-adding it
                    # is cheaper than reading the whole list
                    page_url = _with_query(page_url, modified_since=modified_since)
        return entries

    def meeting_lists(self, start: dict[str, Any]) -> list[str]:
        kind = _type_name(start)
        if kind == "System":
            bodies_url = start.get("body")
            if isinstance(bodies_url, list):  # inline bodies
                bodies = bodies_url
            elif isinstance(bodies_url, str) and bodies_url:
                bodies = self.items(urljoin(self.source.url or "", bodies_url))
            else:
                raise MalformedDocument(f"{self.source.url}: OParl System without a body list")
            return [url for body in bodies if (url := self._meeting_list_of(body))]
        if kind == "Body":
            url = self._meeting_list_of(start)
            if url is None:
                raise MalformedDocument(f"{self.source.url}: OParl Body without a meeting list")
            return [url]
        raise FetchRefused(
            f"{self.source.url}: not an OParl System, Body or meeting list "
            f"(type {start.get('type')!r})"
        )

    def _meeting_list_of(self, body: Any) -> str | None:
        if isinstance(body, str):  # a list of Body URLs instead of objects
            body = self.get(body)
        if not isinstance(body, dict) or body.get("deleted") is True:
            return None
        meetings = body.get("meeting")
        if isinstance(meetings, str) and meetings:
            return meetings
        log.warning("OParl body has no meeting list", extra={"body": body.get("id")})
        self.complete = False
        return None


def poll(source: SourceConfig, *, since: datetime | None, session: requests.Session) -> PollResult:
    if not source.url:
        raise FetchRefused(f"source {source.id}: an oparl source needs a url")
    if since is not None and since.tzinfo is None:
        raise ValueError("since must be timezone-aware")
    modified_since = since.astimezone(UTC).isoformat(timespec="seconds") if since else None
    reader = _Reader(source, session)
    start = reader.get(source.url)
    if isinstance(start.get("data"), list):
        meetings = reader.items(source.url, start, modified_since=modified_since)
    else:
        meetings = []
        for url in reader.meeting_lists(start):
            meetings.extend(reader.items(url, modified_since=modified_since))
    documents: dict[str, FetchedDocument] = {}
    for meeting in meetings:
        document = _document(meeting)
        if document is not None:
            # a meeting changed while we paged can appear twice: keep the later copy
            documents[document.key] = document
    return PollResult(
        documents=tuple(documents.values()), complete=since is None and reader.complete
    )


def _document(meeting: Any) -> FetchedDocument | None:
    key = meeting.get("id") if isinstance(meeting, dict) else None
    if not isinstance(key, str) or not key:
        log.warning("OParl meeting without an id skipped")
        return None
    modified = _instant(meeting.get("modified"))
    if meeting.get("deleted") is True:
        return FetchedDocument(key=key, url=key, gone=True, modified=modified)
    data = json.dumps(meeting, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return FetchedDocument(key=key, url=key, data=data, modified=modified)


def _type_name(obj: dict[str, Any]) -> str:
    # "https://schema.oparl.org/1.1/System" → "System" (1.0 and 1.1 alike)
    return str(obj.get("type") or "").rstrip("/").rsplit("/", 1)[-1]


def _instant(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def _with_query(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    query.extend(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))
