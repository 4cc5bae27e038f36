"""HTTP fetching with timeouts, a size cap that also holds after decompression, politeness per
host, and errors typed as transient or permanent (see ``publisher.errors``).

Every request made by a source goes through ``conditional_get``:

* **Timeouts.** Each socket operation has a connect/read timeout (``TIMEOUT``, shortened to the
  request's own budget), and the whole request — redirects, headers and body — has a total
  deadline. The body is read with ``read1``, which returns whatever bytes have arrived, so a
  server that drips one byte at a time is noticed at the deadline instead of hanging the poll.
* **Size cap on decoded bytes.** We ask for gzip only and count the bytes *after* decoding;
  urllib3 decodes at most the requested amount per read, so a gzip bomb is stopped after
  ``max_bytes`` of output and never inflated in memory.
* **Politeness.** At least ``politeness`` seconds between the end of one request to a host and
  the start of the next one, across threads in this process.
* **Redirects** are followed by hand (at most ``MAX_REDIRECTS``, http/https only), so each hop
  is polite, shares the deadline and cannot switch to another scheme.
* **Metrics.** Every request (each redirect hop is one) adds its outcome and its latency —
  from sending it to the end of its body, politeness waits excluded — to a per-thread tally
  (:func:`take_request_stats`); ``publisher.metrics.record_poll`` moves the tally into the
  shared ``ops_counters`` table with the poll it belongs to (a poll runs in one thread). No
  I/O per request, and nothing here imports the database layer.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import NamedTuple
from urllib.parse import urldefrag, urljoin, urlsplit

import requests
import urllib3.exceptions

from publisher import USER_AGENT
from publisher.errors import DocumentTooLarge, FetchFailed, FetchRefused, ServerBusy
from publisher.extract.parsing import DEFAULT_MAX_BYTES
from publisher.sources.base import Validators

TIMEOUT = (5.0, 30.0)  # connect, read (per socket operation)
#: total seconds for one request when the caller does not say (the CLI's ``extract URL``)
DEFAULT_REQUEST_TIMEOUT = 30.0
MAX_REDIRECTS = 5
_CHUNK = 65536
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_SCHEMES = ("http", "https")


class HttpResult(NamedTuple):
    """What one (conditional) GET produced.

    ``body`` is ``None`` for 304 Not Modified. ``url`` is the final URL after redirects: the
    base for relative links in the body.
    """

    status: int
    body: bytes | None
    validators: Validators
    url: str


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:  # RFC 9110 dates are GMT; a naive parse means "-0000"
            when = when.replace(tzinfo=UTC)
        return max(0.0, (when - datetime.now(UTC)).total_seconds())


def http_date(value: str | None) -> datetime | None:
    """An HTTP date header (``Last-Modified``) as an aware datetime, or ``None``."""
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


# ---------------------------------------------------------------------------- metrics

#: upper bounds (seconds) of the per-request latency histogram
REQUEST_BUCKETS: tuple[float, ...] = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
#: the outcome of one request: 2xx with its body read, 304, a redirect hop, 4xx, 5xx/408/429,
#: no response (connection, timeout), a response whose body failed (too large, broken, slow)
REQUEST_OUTCOMES = (
    "ok",
    "not_modified",
    "redirect",
    "client_error",
    "server_error",
    "network_error",
    "body_error",
)

_tally = threading.local()


def _observe(outcome: str, seconds: float) -> None:
    counts: dict[tuple[str, str], float] | None = getattr(_tally, "counts", None)
    if counts is None:
        counts = _tally.counts = {}
    label = "+Inf"
    for bound in REQUEST_BUCKETS:
        if seconds <= bound:
            label = repr(float(bound))
            break
    for key, delta in (
        (("http_requests", outcome), 1.0),
        (("http_request_seconds_bucket", label), 1.0),
        (("http_request_seconds_sum", ""), max(seconds, 0.0)),
        (("http_request_seconds_count", ""), 1.0),
    ):
        counts[key] = counts.get(key, 0.0) + delta


def take_request_stats() -> dict[tuple[str, str], float]:
    """This thread's tally since the last call, ``(name, label) -> amount``, and reset it."""
    counts: dict[tuple[str, str], float] = getattr(_tally, "counts", None) or {}
    _tally.counts = None
    return counts


def _status_outcome(status: int) -> str:
    if status == 304:
        return "not_modified"
    if status in _REDIRECT_STATUSES:
        return "redirect"
    if status in (408, 429) or status >= 500:
        return "server_error"
    if status >= 400:
        return "client_error"
    return "ok" if 200 <= status < 300 else "client_error"


# ---------------------------------------------------------------------------- politeness

_polite_lock = threading.Lock()
#: host → monotonic time of the latest request start (reserved) or end to that host
_host_busy_until: dict[str, float] = {}


@contextmanager
def polite(url: str, politeness: float) -> Iterator[None]:
    """Wait until ``politeness`` seconds have passed since the last request to this host.

    The start time is reserved under the lock before sleeping, so two threads polling the same
    host are spaced too; the end of the request is recorded as well, so a slow response does
    not let the next request follow it immediately.
    """
    host = (urlsplit(url).hostname or "").lower()
    with _polite_lock:
        now = time.monotonic()
        last = _host_busy_until.get(host)
        start = now if last is None else max(now, last + politeness)
        _host_busy_until[host] = start
    if start > now:
        time.sleep(start - now)
    try:
        yield
    finally:
        with _polite_lock:
            _host_busy_until[host] = max(_host_busy_until.get(host, 0.0), time.monotonic())


# ---------------------------------------------------------------------------- reading


def _limit_socket_wait(response: requests.Response, seconds: float) -> None:
    """Let the next socket read block no longer than the time left before the deadline."""
    sock = getattr(getattr(response.raw, "connection", None), "sock", None)
    if sock is None:
        # http.client hands a closing connection's socket to the response (HTTP/1.0,
        # "Connection: close"); it is then only reachable through the response's file
        sock = getattr(getattr(getattr(response.raw, "_fp", None), "fp", None), "raw", None)
        sock = getattr(sock, "_sock", None)
    if sock is not None:
        try:
            sock.settimeout(max(0.01, min(seconds, TIMEOUT[1])))
        except OSError:  # already closed: the read below reports it
            pass


def read_capped(
    response: requests.Response, max_bytes: int, deadline: float | None = None
) -> bytes:
    """Read the decoded body, refusing more than ``max_bytes`` (gzip bombs included).

    ``deadline`` is a ``time.monotonic()`` value; reaching it raises ``FetchFailed``.
    """
    declared = response.headers.get("Content-Length")
    if (
        declared
        and declared.isdigit()
        and "gzip" not in response.headers.get("Content-Encoding", "")
    ):
        if int(declared) > max_bytes:
            raise DocumentTooLarge(
                f"{response.url}: Content-Length {declared} is over the cap of {max_bytes} bytes"
            )
    raw = response.raw
    chunks: list[bytes] = []
    size = 0
    try:
        while True:
            if deadline is not None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise FetchFailed(f"{response.url}: body not complete within the time limit")
                _limit_socket_wait(response, remaining)
            # read1 returns as soon as any bytes have arrived (and decodes at most _CHUNK bytes
            # of output), so neither a dripping server nor a gzip bomb can hold us here.
            chunk = raw.read1(_CHUNK, decode_content=True)
            if not chunk:
                break
            size += len(chunk)
            if size > max_bytes:
                raise DocumentTooLarge(
                    f"{response.url}: body is over the cap of {max_bytes} bytes"
                    + (" after decompression" if "Content-Encoding" in response.headers else "")
                )
            chunks.append(chunk)
    except urllib3.exceptions.ReadTimeoutError:
        raise FetchFailed(f"{response.url}: timed out reading the body") from None
    except urllib3.exceptions.DecodeError:
        raise FetchFailed(f"{response.url}: body is not valid gzip") from None
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        raise FetchFailed(f"{response.url}: connection broke while reading ({exc})") from None
    return b"".join(chunks)


def raise_for_status(response: requests.Response) -> None:
    status = response.status_code
    if status in (408, 429) or status >= 500:
        raise ServerBusy(
            f"{response.url}: HTTP {status}",
            status=status,
            retry_after=_retry_after(response.headers.get("Retry-After")),
        )
    if status >= 400:
        raise FetchRefused(f"{response.url}: HTTP {status}", status=status)


# ---------------------------------------------------------------------------- requests


def _check_scheme(url: str, origin: str) -> None:
    scheme = urlsplit(url).scheme.lower()
    if scheme not in _SCHEMES:
        if url == origin:
            raise FetchRefused(f"{url}: not an http(s) URL")
        raise FetchRefused(f"{origin}: redirected to a non-http(s) URL {url}")


def conditional_get(
    session: requests.Session,
    url: str,
    validators: Validators | None,
    *,
    max_bytes: int,
    timeout: float,
    politeness: float,
    headers: dict[str, str] | None = None,
) -> HttpResult:
    """GET ``url``, sending ``If-None-Match``/``If-Modified-Since`` from ``validators``.

    Returns ``(status, body, validators, final_url)``: 304 gives ``body=None`` and the old
    validators (updated by any the server re-sent); 2xx gives the body and the response's
    ``ETag``/``Last-Modified``. ``links`` of the given validators are carried over unchanged.
    ``timeout`` is the total seconds for the request including redirects and body.
    """
    previous = validators or Validators()
    request_headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip", **(headers or {})}
    if previous.etag:
        request_headers["If-None-Match"] = previous.etag
    if previous.last_modified:
        request_headers["If-Modified-Since"] = previous.last_modified
    conditional = bool(previous.etag or previous.last_modified)
    current = url
    budget = timeout  # seconds left for the servers; polite waits are ours and do not count
    for _hop in range(MAX_REDIRECTS + 1):
        _check_scheme(current, url)
        if budget <= 0:
            raise FetchFailed(f"{url}: redirects took longer than {timeout:g} s")
        with polite(current, politeness):
            started = time.monotonic()
            deadline = started + budget
            outcome = "network_error"  # metrics: until a response says otherwise
            try:
                response = _send(session, current, request_headers, budget, timeout)
                outcome = _status_outcome(response.status_code)
                with response:
                    status = response.status_code
                    location = response.headers.get("Location")
                    if status in _REDIRECT_STATUSES and location:
                        current = urldefrag(urljoin(response.url or current, location.strip()))[0]
                        budget -= time.monotonic() - started
                        continue
                    if status == 304:
                        if not conditional:
                            raise FetchFailed(f"{current}: HTTP 304 to an unconditional request")
                        return HttpResult(
                            304,
                            None,
                            Validators(
                                etag=response.headers.get("ETag") or previous.etag,
                                last_modified=response.headers.get("Last-Modified")
                                or previous.last_modified,
                                links=previous.links,
                            ),
                            current,
                        )
                    raise_for_status(response)
                    if not 200 <= status < 300:
                        raise FetchRefused(f"{current}: unexpected HTTP {status}", status=status)
                    outcome = "body_error"  # until the whole body is read
                    body = read_capped(response, max_bytes, deadline)
                    outcome = "ok"
                    return HttpResult(
                        status,
                        body,
                        Validators(
                            etag=response.headers.get("ETag"),
                            last_modified=response.headers.get("Last-Modified"),
                            links=previous.links,
                        ),
                        current,
                    )
            finally:
                _observe(outcome, time.monotonic() - started)
    raise FetchRefused(f"{url}: more than {MAX_REDIRECTS} redirects")


def _send(
    session: requests.Session, url: str, headers: dict[str, str], budget: float, timeout: float
) -> requests.Response:
    try:
        return session.get(
            url,
            headers=headers,
            timeout=(min(TIMEOUT[0], budget), min(TIMEOUT[1], budget)),
            stream=True,
            allow_redirects=False,
        )
    except requests.exceptions.Timeout:
        raise FetchFailed(f"{url}: timed out after {timeout:g} s waiting for the server") from None
    except requests.exceptions.InvalidURL as exc:
        raise FetchRefused(f"{url}: invalid URL ({exc})") from None
    except (requests.exceptions.MissingSchema, requests.exceptions.InvalidSchema) as exc:
        raise FetchRefused(f"{url}: not an http(s) URL ({exc})") from None
    except requests.exceptions.RequestException as exc:
        raise FetchFailed(f"{url}: {type(exc).__name__}") from None


def fetch_url(
    url: str,
    max_bytes: int = DEFAULT_MAX_BYTES,
    session: requests.Session | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = DEFAULT_REQUEST_TIMEOUT,
) -> bytes:
    """GET ``url`` and return its body; typed errors for everything that can go wrong."""
    http = session or requests.Session()
    try:
        result = conditional_get(
            http, url, None, max_bytes=max_bytes, timeout=timeout, politeness=0.0, headers=headers
        )
    finally:
        if session is None:
            http.close()
    return result.body or b""
