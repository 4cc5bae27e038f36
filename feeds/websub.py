"""WebSub (W3C) publisher side: tell the hub a feed changed, after the new file is visible.

The ping is best effort: a hub that is down or slow is logged, never raised — the feed is
already published and subscribers' own polling still finds it. Each URL gets its own POST
(``hub.mode=publish``, ``hub.url=…``), the form every hub understands.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import requests

log = logging.getLogger("feeds.websub")

TIMEOUT = 5.0


def ping(hub: str, urls: Iterable[str], *, timeout: float = TIMEOUT) -> list[str]:
    """POST a publish notification per URL; returns the URLs the hub accepted (2xx)."""
    accepted = []
    with requests.Session() as session:
        for url in urls:
            try:
                response = session.post(
                    hub, data={"hub.mode": "publish", "hub.url": url}, timeout=timeout
                )
            except requests.RequestException as exc:
                log.warning("websub ping failed", extra={"hub": hub, "url": url, "error": str(exc)})
                continue
            if 200 <= response.status_code < 300:
                accepted.append(url)
            else:
                log.warning(
                    "websub ping refused",
                    extra={"hub": hub, "url": url, "status": response.status_code},
                )
    return accepted
