"""What every source kind returns, and the conditional-GET memory it is given.

A source *discovers and fetches*; it never parses protocol content and never writes to the
database itself. Its poll returns a ``PollResult``; the caller (``publisher.jobs``) stores what
changed, and persists the ``Validators`` the source handed back through its ``ValidatorStore``.
Errors are raised as ``publisher.errors`` types: ``TransientError`` (back off and retry) or
``PermanentError`` (record and move on).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Validators:
    """What the server told us last time about one URL."""

    etag: str | None = None
    last_modified: str | None = None
    #: for listing pages: the document links found last time, reused when the listing is 304
    links: tuple[str, ...] = ()


class ValidatorStore(Protocol):
    """Per-URL conditional GET memory (ETag/Last-Modified), kept by the store between polls."""

    def get(self, url: str) -> Validators | None: ...

    def put(self, url: str, validators: Validators) -> None: ...


@dataclass(frozen=True, slots=True)
class FetchedDocument:
    """One document as the source has it now.

    ``data`` is ``None`` when the server said it is unchanged (HTTP 304) — that costs no parse
    and no write. ``gone`` marks a document the source itself reports as deleted (OParl
    ``deleted: true``).
    """

    key: str
    url: str | None = None
    data: bytes | None = None
    gone: bool = False
    modified: datetime | None = None


@dataclass(frozen=True, slots=True)
class PollResult:
    documents: tuple[FetchedDocument, ...]
    #: True when the listing was read in full, so a known key that is absent has vanished
    #: (a published protocol that vanishes becomes a retraction). Incremental polls
    #: (OParl ``modified_since``) are never complete.
    complete: bool


class MemoryValidators:
    """A ``ValidatorStore`` in a dict: for one-off commands and tests."""

    def __init__(self) -> None:
        self._data: dict[str, Validators] = {}

    def get(self, url: str) -> Validators | None:
        return self._data.get(url)

    def put(self, url: str, validators: Validators) -> None:
        self._data[url] = validators
