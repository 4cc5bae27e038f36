"""Discovering and fetching documents. Never parses content.

``poll(source, validators)`` dispatches on ``source.kind``:

==================  =====================================================================
``directory``       a drop folder (``directory.py``)
``http-listing``    a notice board / archive page linking to documents (``listing.py``)
``oparl``           an OParl 1.0/1.1 API: System, Body or meeting list (``oparl.py``)
``url``             one document URL (``url.py``)
==================  =====================================================================

Two rules every kind follows, because a lost document is worse than a wasted request:

* **Validators are only written when the poll succeeds.** A poll that raises half-way must
  not leave behind an ETag for a document whose body nobody stored, or the next poll would get
  304 and the document would never arrive. ``poll`` therefore buffers every ``put`` in a
  ``PendingValidators`` and commits it just before returning. A caller that wants the
  validators written only *after* it has stored the documents passes its own
  ``PendingValidators`` and calls ``commit()`` itself.
* **A validator only counts for a document the caller has.** Conditional requests are sent
  only for keys in ``known_keys`` (the caller's current, not-gone documents); anything else is
  fetched in full. So a crash between ``poll`` and storing, a wiped database, or a retracted
  document that reappears unchanged all heal on the next poll.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

import requests

from publisher.errors import ConfigError
from publisher.settings import SourceConfig
from publisher.sources import directory, listing, oparl
from publisher.sources import url as single_url
from publisher.sources.base import (
    FetchedDocument,
    MemoryValidators,
    PollResult,
    Validators,
    ValidatorStore,
)

__all__ = [
    "FetchedDocument",
    "MemoryValidators",
    "PendingValidators",
    "PollResult",
    "Validators",
    "ValidatorStore",
    "poll",
]


class PendingValidators:
    """A ``ValidatorStore`` that holds writes back until ``commit()``.

    Reads see the pending writes first, then the underlying store.
    """

    def __init__(self, store: ValidatorStore) -> None:
        self._store = store
        self._pending: dict[str, Validators] = {}

    def get(self, url: str) -> Validators | None:
        pending = self._pending.get(url)
        return pending if pending is not None else self._store.get(url)

    def put(self, url: str, validators: Validators) -> None:
        self._pending[url] = validators

    def commit(self) -> None:
        for url, validators in self._pending.items():
            self._store.put(url, validators)
        self._pending.clear()

    def discard(self) -> None:
        self._pending.clear()


def poll(
    source: SourceConfig,
    validators: ValidatorStore,
    *,
    since: datetime | None = None,
    known_keys: Collection[str] = (),
    session: requests.Session | None = None,
) -> PollResult:
    """Discover and fetch the documents of one source.

    ``since`` makes an OParl poll incremental (other kinds ignore it). ``known_keys`` are the
    document keys the caller already holds; only those are fetched conditionally. Raises
    ``TransientError`` (retry later) or ``PermanentError`` (record and move on).
    """
    if isinstance(validators, PendingValidators):
        pending, owns_commit = validators, False
    else:
        pending, owns_commit = PendingValidators(validators), True
    known = frozenset(known_keys)
    if source.kind == "directory":
        result = directory.poll(source, pending, known_keys=known)
    else:
        http = session or requests.Session()
        try:
            if source.kind == "http-listing":
                result = listing.poll(source, pending, known_keys=known, session=http)
            elif source.kind == "oparl":
                result = oparl.poll(source, since=since, session=http)
            elif source.kind == "url":
                result = single_url.poll(source, pending, known_keys=known, session=http)
            else:
                raise ConfigError(f"sources ({source.id}).kind: unknown kind {source.kind!r}")
        finally:
            if session is None:
                http.close()
    if owns_commit:
        pending.commit()
    return result
