"""Every error the publisher raises on purpose, as one tree.

Whether a failure is worth retrying is decided by its *type*, never by parsing a message::

    PublisherError
    ├── ConfigError                  bad settings file or environment; fail at start-up
    ├── PermanentError               retrying cannot help; store the reason, keep the raw document
    │   ├── ExtractionError          the bytes cannot become a Protocol
    │   │   ├── EmptyDocument        nothing (or only whitespace) to read
    │   │   ├── DocumentTooLarge     over the size cap, before or after decompression
    │   │   ├── EncodingError        bytes that are not text in any encoding we accept
    │   │   ├── UnsafeDocument       DTD entity declarations (XXE, billion laughs)
    │   │   ├── MalformedDocument    broken XML/JSON, or a document missing what its format needs
    │   │   └── UnknownFormat        content matches no extractor
    │   └── FetchRefused             4xx other than 408/429: the URL is wrong or gone
    └── TransientError               retry with backoff
        ├── FetchFailed              connection refused/reset, DNS, timeout
        └── ServerBusy               5xx, 408, 429 (with ``retry_after`` seconds when sent)

The CLI turns any ``PublisherError`` into one line on stderr and exit code 2.
"""

from __future__ import annotations


class PublisherError(Exception):
    """Base of every deliberate error. ``str(err)`` is a one-line message for a human."""


class ConfigError(PublisherError):
    """The settings are unusable; the message names the offending key."""


class PermanentError(PublisherError):
    """Retrying the same input cannot succeed."""


class ExtractionError(PermanentError):
    """Bytes that cannot be turned into a Protocol."""

    reason = "extraction"


class EmptyDocument(ExtractionError):
    reason = "empty"


class DocumentTooLarge(ExtractionError):
    reason = "too_large"


class EncodingError(ExtractionError):
    reason = "encoding"


class UnsafeDocument(ExtractionError):
    reason = "unsafe"


class MalformedDocument(ExtractionError):
    reason = "malformed"


class UnknownFormat(ExtractionError):
    reason = "unknown_format"


class FetchRefused(PermanentError):
    """The server answered with a client error that will not change on retry (404, 410, 403)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class TransientError(PublisherError):
    """Worth retrying later, with backoff."""

    retry_after: float | None = None


class FetchFailed(TransientError):
    """Network-level failure: refused, reset, DNS, timeout."""


class ServerBusy(TransientError):
    """5xx, 408 or 429 from the server; ``retry_after`` is the server's own hint in seconds."""

    def __init__(
        self, message: str, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after
