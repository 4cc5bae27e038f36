"""One document at one URL (a protocol page that is updated in place).

The key is the configured URL; the fetch is conditional once the caller holds the document.
Every error propagates: with a single document there is nothing else to report it through.
"""

from __future__ import annotations

from collections.abc import Collection

import requests

from publisher.errors import FetchRefused
from publisher.settings import SourceConfig
from publisher.sources.base import FetchedDocument, PollResult, Validators, ValidatorStore
from publisher.sources.http import conditional_get, http_date


def poll(
    source: SourceConfig,
    validators: ValidatorStore,
    *,
    known_keys: Collection[str],
    session: requests.Session,
) -> PollResult:
    if not source.url:
        raise FetchRefused(f"source {source.id}: a url source needs a url")
    key = source.url
    stored = validators.get(key)
    result = conditional_get(
        session,
        key,
        stored if key in known_keys else None,
        max_bytes=source.max_bytes,
        timeout=source.request_timeout,
        politeness=source.politeness,
    )
    new = Validators(etag=result.validators.etag, last_modified=result.validators.last_modified)
    if new != stored:
        validators.put(key, new)
    document = FetchedDocument(
        key=key, url=result.url, data=result.body, modified=http_date(new.last_modified)
    )
    return PollResult(documents=(document,), complete=True)
