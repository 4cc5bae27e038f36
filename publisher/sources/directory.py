"""A drop folder: every regular file matching ``source.pattern`` is a document.

* The key is the path relative to the folder, with ``/`` separators, so it survives moving the
  folder. ``pattern`` is a ``pathlib`` glob: ``*.html`` reads the top level, ``**/*.html``
  reads subfolders too. Patterns that leave the folder (absolute, ``..``) are refused.
* Ignored: anything under a hidden folder or named with a leading ``.``, Office lock files
  (``~$…``), and partial/temporary files (``.tmp``, ``.part``, ``.swp``, ``.crdownload``, a
  trailing ``~``).
* A file modified less than ``SETTLE_SECONDS`` ago is probably still being copied in: it is
  left for the next poll. If the caller already has that key it is reported unchanged
  (``data=None``) so it does not look deleted; its validator is not touched, so the new
  content is read once it has settled. A file that changes while we read it is treated the
  same way.
* Unchanged files cost one ``stat``: the validator (keyed by the file's URI) keeps
  ``"size:mtime_ns"`` as its ETag.
* A file over ``max_bytes`` or unreadable is skipped with a warning and makes the poll
  incomplete (it must not be taken for deleted).
"""

from __future__ import annotations

import logging
import os
import stat
import time
from collections.abc import Collection
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from publisher.errors import FetchRefused
from publisher.settings import SourceConfig
from publisher.sources.base import FetchedDocument, PollResult, Validators, ValidatorStore

log = logging.getLogger("publisher.sources.directory")

#: a file younger than this is assumed to be still being written (copies over SMB/NFS and
#: editors that save in several writes finish well within it; it costs one poll of delay)
SETTLE_SECONDS = 2.0
#: an mtime further in the future than this is a wrong clock, not a file being written
_CLOCK_SKEW = 300.0
_TEMP_PREFIXES = ("~$",)
_TEMP_SUFFIXES = (".tmp", ".part", ".swp", ".crdownload", "~")


def ignored(relative: PurePosixPath) -> bool:
    """Hidden files and folders, lock files and partial downloads are never documents."""
    if any(part.startswith(".") for part in relative.parts):
        return True
    name = relative.name.lower()
    return name.startswith(_TEMP_PREFIXES) or name.endswith(_TEMP_SUFFIXES)


def poll(
    source: SourceConfig, validators: ValidatorStore, *, known_keys: Collection[str]
) -> PollResult:
    folder = _folder(source)
    pattern = source.pattern
    if Path(pattern).is_absolute() or ".." in PurePosixPath(pattern).parts:
        raise FetchRefused(f"{folder}: pattern {pattern!r} must stay inside the folder")
    try:
        matches = sorted(folder.glob(pattern))
    except (OSError, ValueError) as exc:
        raise FetchRefused(f"{folder}: cannot list files matching {pattern!r} ({exc})") from None
    now = time.time()
    documents: list[FetchedDocument] = []
    complete = True
    for path in matches:
        relative = PurePosixPath(path.relative_to(folder).as_posix())
        if ignored(relative):
            continue
        key = str(relative)
        try:
            before = path.stat()
        except FileNotFoundError:  # removed since the listing: it is gone
            continue
        except OSError as exc:
            log.warning("cannot stat file", extra={"path": str(path), "error": str(exc)})
            complete = False
            continue
        if not stat.S_ISREG(before.st_mode):
            continue
        uri = path.as_uri()
        modified = datetime.fromtimestamp(before.st_mtime, UTC)
        unchanged = FetchedDocument(key=key, url=uri, data=None, modified=modified)
        if -_CLOCK_SKEW < now - before.st_mtime < SETTLE_SECONDS:
            if key in known_keys:
                documents.append(unchanged)
            continue
        etag = f"{before.st_size}:{before.st_mtime_ns}"
        previous = validators.get(uri)
        if key in known_keys and previous is not None and previous.etag == etag:
            documents.append(unchanged)
            continue
        if before.st_size > source.max_bytes:
            log.warning(
                "file over the size cap skipped",
                extra={"path": str(path), "size": before.st_size, "max_bytes": source.max_bytes},
            )
            complete = False
            continue
        try:
            data = _read(path, source.max_bytes)
            after = path.stat()
        except FileNotFoundError:
            continue
        except OSError as exc:
            log.warning("cannot read file", extra={"path": str(path), "error": str(exc)})
            complete = False
            continue
        if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns) or len(
            data
        ) != before.st_size:
            # written to while we read it: take it once it has settled
            if key in known_keys:
                documents.append(unchanged)
            continue
        new = Validators(etag=etag)
        if new != previous:
            validators.put(uri, new)
        documents.append(FetchedDocument(key=key, url=uri, data=data, modified=modified))
    return PollResult(documents=tuple(documents), complete=complete)


def _folder(source: SourceConfig) -> Path:
    if source.path is None:
        raise FetchRefused(f"source {source.id}: a directory source needs a path")
    folder = source.path.absolute()
    try:
        mode = folder.stat().st_mode
    except FileNotFoundError:
        raise FetchRefused(f"{folder}: no such directory") from None
    except OSError as exc:
        raise FetchRefused(f"{folder}: cannot read the directory ({exc.strerror})") from None
    if not stat.S_ISDIR(mode):
        raise FetchRefused(f"{folder}: not a directory")
    if not os.access(folder, os.R_OK | os.X_OK):
        raise FetchRefused(f"{folder}: permission denied")
    return folder


def _read(path: Path, max_bytes: int) -> bytes:
    with path.open("rb") as handle:
        # one byte more than allowed, so a file that grew past the cap is noticed
        return handle.read(max_bytes + 1)
