"""Settings: one TOML file plus environment overrides, read once into one frozen object.

Unknown keys and bad values fail at start-up with a ``ConfigError`` naming the key, e.g.
``sources[2].publish_delay: "2 days" is not an ISO 8601 duration (like P2D or PT15M)``.

Environment overrides (for containers and secrets; they win over the file):

==============================  ==============================
``PUBLISHER_CONFIG``            path of the TOML file
``PUBLISHER_DATABASE_URL``      ``[publisher] database_url``
``PUBLISHER_BROKER_URL``        ``[publisher] broker_url``
``PUBLISHER_OUTPUT_DIR``        ``[publisher] output_dir``
``PUBLISHER_BASE_URL``          ``[publisher] base_url``
``PUBLISHER_ADMIN_TOKEN``       ``[publisher] admin_token`` (the token named ``admin``)
``PUBLISHER_WEBSUB_HUB``        ``[publisher] websub_hub``
``PUBLISHER_NOW``               ``[publisher] now`` (a fixed clock for demos and tests)
==============================  ==============================
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from publisher.errors import ConfigError
from publisher.extract import FORMATS
from publisher.extract.dates import zone

#: the name ``admin_token`` (and ``PUBLISHER_ADMIN_TOKEN``) is recorded under
ADMIN_TOKEN_NAME = "admin"  # noqa: S105 - a name, not a secret
#: shorter admin tokens are refused at start-up (guessable)
MIN_TOKEN_LENGTH = 16

SOURCE_KINDS = ("directory", "http-listing", "oparl", "url")
ANCHORS = ("approved", "posted", "meeting")
LANGUAGES = ("sv", "en", "de", "nb")

_DURATION = re.compile(
    r"^P(?!$)(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)


def parse_duration(value: object, key: str) -> timedelta:
    """ISO 8601 durations without years/months (their length varies): P2D, PT15M, P1DT12H."""
    if not isinstance(value, str) or not (match := _DURATION.match(value.strip().upper())):
        raise ConfigError(f"{key}: {value!r} is not an ISO 8601 duration (like P2D or PT15M)")
    parts = {k: float(v) for k, v in match.groupdict().items() if v}
    return timedelta(**parts)


def parse_instant(value: object, key: str) -> datetime:
    """An ISO 8601 instant with an offset (a clock value must be unambiguous)."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise ConfigError(f"{key}: {value!r} is not an ISO 8601 instant") from None
    else:
        raise ConfigError(f"{key}: {value!r} is not an ISO 8601 instant")
    if parsed.tzinfo is None:
        raise ConfigError(f"{key}: {value!r} needs a UTC offset, e.g. 2024-06-20T12:00:00+02:00")
    return parsed


@dataclass(frozen=True)
class SourceConfig:
    id: str
    kind: str
    url: str | None = None
    path: Path | None = None
    format: str = "auto"
    selectors: Mapping[str, Any] | None = None
    #: the body this source publishes for; overrides what the documents say
    body: str | None = None
    #: label language; ``None`` means the document's own, else ``[publisher] language``
    language: str | None = None
    timezone: str = "Europe/Stockholm"
    poll_interval: timedelta = timedelta(minutes=15)
    publish_delay: timedelta = timedelta(0)
    delay_from: str = "approved"
    #: http-listing: regular expression a document link (href or text) must match
    link_pattern: str | None = None
    #: http-listing: XPath/CSS expression selecting the document links on the listing page
    link_selector: str | None = None
    #: directory: glob of files to read
    pattern: str = "*"
    max_bytes: int = 20 * 1024 * 1024
    #: minimum seconds between two requests to the same host
    politeness: float = 1.0
    #: total seconds one HTTP request may take, headers and body
    request_timeout: float = 30.0
    enabled: bool = True


@dataclass(frozen=True)
class Settings:
    organization: str = "Meeting publisher"
    base_url: str = "http://127.0.0.1:8000/"
    output_dir: Path = Path("public")
    database_url: str = "sqlite:///data/publisher.db"
    broker_url: str | None = None
    timezone: str = "Europe/Stockholm"
    language: str = "sv"
    #: how often the beat sweeps look for due sources and due publications
    sweep_interval: timedelta = timedelta(seconds=10)
    #: a stored document still unprocessed after this lost its task; the sweep re-sends it
    recover_after: timedelta = timedelta(seconds=60)
    #: a fixed clock (demos, tests); ``None`` means the real clock
    now: datetime | None = None
    #: HTTP port of ``publisher run``
    port: int = 8000
    host: str = "127.0.0.1"
    #: the token named ``admin`` (``[publisher] admin_token`` or ``PUBLISHER_ADMIN_TOKEN``)
    admin_token: str | None = None
    #: further named tokens, ``[publisher.admin_tokens]`` name = token; the event log records
    #: the name of the token an action was authorised with
    admin_tokens: tuple[tuple[str, str], ...] = ()
    websub_hub: str | None = None
    overdue_days: int = 14
    #: a source is stale when silent for longer than this many times its usual interval
    stale_factor: float = 3.0
    #: intervals of history a source needs before it can be called stale at all
    stale_min_history: int = 4
    #: entries in a current feed (older ones stay reachable through the archive pages)
    feed_entries: int = 50
    #: entries per RFC 5005 archive page; pages never change shape once full, so this is
    #: fixed for the life of an installation (not a configuration key)
    archive_page_size: int = 50
    #: the authority of every entry id (``tag:AUTHORITY,2024:...``); by default the host of
    #: the first ``base_url``. Pin it when the site may move: changing it changes every id.
    tag_authority: str | None = None
    sources: tuple[SourceConfig, ...] = ()
    config_path: Path | None = None

    def source(self, source_id: str) -> SourceConfig:
        for source in self.sources:
            if source.id == source_id:
                return source
        raise ConfigError(f"no source with id {source_id!r}")

    def tokens(self) -> dict[str, str]:
        """Every configured admin token by name (``admin_token`` is named ``admin``)."""
        found = dict(self.admin_tokens)
        if self.admin_token:
            found[ADMIN_TOKEN_NAME] = self.admin_token
        return found


_PUBLISHER_KEYS = {
    "organization": str,
    "base_url": str,
    "output_dir": str,
    "database_url": str,
    "broker_url": str,
    "timezone": str,
    "language": str,
    "sweep_interval": str,
    "recover_after": str,
    "now": (str, datetime),
    "port": int,
    "host": str,
    "admin_token": str,
    "admin_tokens": dict,
    "websub_hub": str,
    "overdue_days": int,
    "stale_factor": (int, float),
    "stale_min_history": int,
    "feed_entries": int,
    "tag_authority": str,
}

_SOURCE_KEYS = {
    "id": str,
    "kind": str,
    "url": str,
    "path": str,
    "format": str,
    "selectors": (str, dict),
    "body": str,
    "language": str,
    "timezone": str,
    "poll_interval": str,
    "publish_delay": str,
    "delay_from": str,
    "link_pattern": str,
    "link_selector": str,
    "pattern": str,
    "max_bytes": int,
    "politeness": (int, float),
    "request_timeout": (int, float),
    "enabled": bool,
}

_ENV = {
    "PUBLISHER_DATABASE_URL": "database_url",
    "PUBLISHER_BROKER_URL": "broker_url",
    "PUBLISHER_OUTPUT_DIR": "output_dir",
    "PUBLISHER_BASE_URL": "base_url",
    "PUBLISHER_ADMIN_TOKEN": "admin_token",
    "PUBLISHER_WEBSUB_HUB": "websub_hub",
    "PUBLISHER_NOW": "now",
}


def _check_types(table: Mapping[str, Any], allowed: Mapping[str, Any], where: str) -> None:
    for key, value in table.items():
        if key not in allowed:
            known = ", ".join(sorted(allowed))
            raise ConfigError(f"{where}.{key}: unknown key (known keys: {known})")
        expected = allowed[key]
        # bool is an int in Python; a port of `true` is still wrong
        if isinstance(value, bool) and expected is not bool and bool not in _as_tuple(expected):
            raise ConfigError(f"{where}.{key}: expected {_type_name(expected)}, got {value!r}")
        if not isinstance(value, expected):
            raise ConfigError(f"{where}.{key}: expected {_type_name(expected)}, got {value!r}")


def _as_tuple(expected: Any) -> tuple[Any, ...]:
    return expected if isinstance(expected, tuple) else (expected,)


def _type_name(expected: Any) -> str:
    names = {
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "true or false",
        dict: "a table",
        datetime: "a date-time",
    }
    return " or ".join(names.get(t, t.__name__) for t in _as_tuple(expected))


def _load_selectors(value: str | dict[str, Any], key: str, base: Path) -> Mapping[str, Any]:
    if isinstance(value, dict):
        return value
    path = (base / value) if not Path(value).is_absolute() else Path(value)
    try:
        raw = path.read_text("utf-8")
    except OSError as exc:
        raise ConfigError(f"{key}: cannot read {path}: {exc.strerror}") from None
    try:
        data = json.loads(raw) if path.suffix == ".json" else tomllib.loads(raw)
    except ValueError as exc:
        raise ConfigError(f"{key}: {path}: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{key}: {path} must be a table of field = expression")
    return data


def _admin_tokens(
    section: Mapping[str, Any], env: Mapping[str, str]
) -> tuple[str | None, tuple[tuple[str, str], ...]]:
    """``admin_token`` and the ``[publisher.admin_tokens]`` table, checked: names are short
    identifiers, every token has at least ``MIN_TOKEN_LENGTH`` characters, no token is
    configured twice (the event log must name exactly one)."""
    single = section.get("admin_token") or None
    if single is not None and len(single) < MIN_TOKEN_LENGTH:
        key = "publisher.admin_token"
        if env.get("PUBLISHER_ADMIN_TOKEN"):
            key += " (from PUBLISHER_ADMIN_TOKEN)"
        raise ConfigError(
            f"{key}: too short ({len(single)} characters); use at least {MIN_TOKEN_LENGTH}, "
            "e.g. from `python -c 'import secrets; print(secrets.token_urlsafe(32))'`"
        )
    named: list[tuple[str, str]] = []
    for name, token in (section.get("admin_tokens") or {}).items():
        key = f"publisher.admin_tokens.{name}"
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}", name):
            raise ConfigError(f"{key}: a token name must be letters, digits, '.', '_', '@' or '-'")
        if not isinstance(token, str):
            raise ConfigError(f"{key}: expected a string, got {token!r}")
        if len(token) < MIN_TOKEN_LENGTH:
            raise ConfigError(
                f"{key}: too short ({len(token)} characters); use at least {MIN_TOKEN_LENGTH}"
            )
        if name == ADMIN_TOKEN_NAME and single is not None:
            raise ConfigError(f"{key}: the name {name!r} is taken by publisher.admin_token")
        named.append((name, token))
    values = [token for _name, token in named] + ([single] if single else [])
    if len(set(values)) != len(values):
        raise ConfigError("publisher.admin_tokens: the same token is configured under two names")
    return single, tuple(sorted(named))


def _source(raw: Any, index: int, base: Path, defaults: Settings) -> SourceConfig:
    where = f"sources[{index}]"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a table")
    _check_types(raw, _SOURCE_KEYS, where)
    for required in ("id", "kind"):
        if required not in raw:
            raise ConfigError(f"{where}.{required}: missing")
    source_id = raw["id"]
    if not re.fullmatch(r"[a-z0-9][a-z0-9._-]{0,63}", source_id):
        raise ConfigError(
            f"{where}.id: {source_id!r} must be lower-case letters, digits, '.', '_' or '-'"
        )
    where = f"sources[{index}] ({source_id})"
    kind = raw["kind"]
    if kind not in SOURCE_KINDS:
        raise ConfigError(f"{where}.kind: {kind!r} is not one of {', '.join(SOURCE_KINDS)}")
    fmt = raw.get("format", "auto")
    if fmt != "auto" and fmt not in FORMATS:
        raise ConfigError(f"{where}.format: {fmt!r} is not one of auto, {', '.join(FORMATS)}")
    url = raw.get("url")
    path = raw.get("path")
    if kind == "directory":
        if not path:
            raise ConfigError(f"{where}.path: a directory source needs a path")
    elif not url:
        raise ConfigError(f"{where}.url: a {kind} source needs a url")
    if url and not re.match(r"^https?://[^/\s]+", url):
        raise ConfigError(f"{where}.url: {url!r} is not an http(s) URL")
    delay_from = raw.get("delay_from", "approved")
    if delay_from not in ANCHORS:
        raise ConfigError(f"{where}.delay_from: {delay_from!r} is not one of {', '.join(ANCHORS)}")
    language = raw.get("language")
    if language is not None and language not in LANGUAGES:
        raise ConfigError(f"{where}.language: {language!r} is not one of {', '.join(LANGUAGES)}")
    timezone = raw.get("timezone", defaults.timezone)
    try:
        zone(timezone)
    except ConfigError:
        raise ConfigError(f"{where}.timezone: unknown timezone {timezone!r}") from None
    poll = parse_duration(raw.get("poll_interval", "PT15M"), f"{where}.poll_interval")
    if poll < timedelta(seconds=1):
        raise ConfigError(f"{where}.poll_interval: must be at least one second")
    link_pattern = raw.get("link_pattern")
    if link_pattern is not None:
        try:
            re.compile(link_pattern)
        except re.error as exc:
            raise ConfigError(f"{where}.link_pattern: invalid regular expression ({exc})") from None
    selectors = raw.get("selectors")
    if fmt == "selectors" and selectors is None:
        raise ConfigError(f"{where}.selectors: format 'selectors' needs a selectors table or file")
    for numeric in ("max_bytes", "politeness", "request_timeout"):
        if numeric in raw and raw[numeric] < 0:
            raise ConfigError(f"{where}.{numeric}: must not be negative")
    return SourceConfig(
        id=source_id,
        kind=kind,
        url=url,
        path=(base / path)
        if path and not Path(path).is_absolute()
        else (Path(path) if path else None),
        format=fmt,
        selectors=_load_selectors(selectors, f"{where}.selectors", base) if selectors else None,
        body=raw.get("body"),
        language=language,
        timezone=timezone,
        poll_interval=poll,
        publish_delay=parse_duration(raw.get("publish_delay", "PT0S"), f"{where}.publish_delay"),
        delay_from=delay_from,
        link_pattern=link_pattern,
        link_selector=raw.get("link_selector"),
        pattern=raw.get("pattern", "*"),
        max_bytes=raw.get("max_bytes", 20 * 1024 * 1024),
        politeness=float(raw.get("politeness", 1.0)),
        request_timeout=float(raw.get("request_timeout", 30.0)),
        enabled=raw.get("enabled", True),
    )


def from_mapping(
    data: Mapping[str, Any], base: Path, env: Mapping[str, str] | None = None
) -> Settings:
    """Build settings from a parsed TOML document; ``base`` resolves relative paths."""
    env = os.environ if env is None else env
    for key in data:
        if key not in ("publisher", "sources"):
            raise ConfigError(f"{key}: unknown table (expected [publisher] and [[sources]])")
    section = dict(data.get("publisher", {}))
    if not isinstance(data.get("publisher", {}), dict):
        raise ConfigError("publisher: expected a table")
    for var, key in _ENV.items():
        if env.get(var):
            section[key] = env[var]
    _check_types(section, _PUBLISHER_KEYS, "publisher")
    timezone = section.get("timezone", "Europe/Stockholm")
    try:
        zone(timezone)
    except ConfigError:
        raise ConfigError(f"publisher.timezone: unknown timezone {timezone!r}") from None
    language = section.get("language", "sv")
    if language not in LANGUAGES:
        raise ConfigError(f"publisher.language: {language!r} is not one of {', '.join(LANGUAGES)}")
    base_url = section.get("base_url", "http://127.0.0.1:8000/")
    if not re.match(r"^https?://[^/\s]+", base_url):
        raise ConfigError(f"publisher.base_url: {base_url!r} is not an http(s) URL")
    if not base_url.endswith("/"):
        base_url += "/"
    database_url = section.get("database_url", "sqlite:///data/publisher.db")
    if not re.match(r"^(sqlite|postgresql)(\+\w+)?://", database_url):
        raise ConfigError(
            f"publisher.database_url: {database_url!r} must be a sqlite:/// or postgresql:// URL"
        )
    database_url = _resolve_sqlite(database_url, base)
    broker_url = section.get("broker_url") or None
    if broker_url and not re.match(r"^(redis|rediss|memory|amqp)://", broker_url):
        raise ConfigError(f"publisher.broker_url: {broker_url!r} is not a redis:// URL")
    output_dir = Path(section.get("output_dir", "public"))
    port = section.get("port", 8000)
    if not 0 <= port <= 65535:
        raise ConfigError(f"publisher.port: {port} is not a TCP port")
    sweep = parse_duration(section.get("sweep_interval", "PT10S"), "publisher.sweep_interval")
    if not timedelta(seconds=1) <= sweep <= timedelta(minutes=5):
        raise ConfigError("publisher.sweep_interval: must be between PT1S and PT5M")
    defaults = Settings(timezone=timezone, language=language)
    raw_sources = data.get("sources", [])
    if not isinstance(raw_sources, list):
        raise ConfigError("sources: expected [[sources]] tables")
    sources = tuple(_source(raw, i, base, defaults) for i, raw in enumerate(raw_sources))
    seen: set[str] = set()
    for source in sources:
        if source.id in seen:
            raise ConfigError(f"sources: id {source.id!r} is used twice")
        seen.add(source.id)
    overdue = section.get("overdue_days", 14)
    if overdue < 1:
        raise ConfigError("publisher.overdue_days: must be at least 1")
    stale_factor = float(section.get("stale_factor", 3.0))
    if stale_factor < 1:
        raise ConfigError("publisher.stale_factor: must be at least 1")
    stale_min_history = section.get("stale_min_history", 4)
    if stale_min_history < 1:
        raise ConfigError("publisher.stale_min_history: must be at least 1")
    feed_entries = section.get("feed_entries", 50)
    if not 1 <= feed_entries <= 1000:
        raise ConfigError("publisher.feed_entries: must be between 1 and 1000")
    admin_token, admin_tokens = _admin_tokens(section, env)
    tag_authority = section.get("tag_authority") or None
    # RFC 4151: a DNS name or an e-mail address
    if tag_authority is not None and not re.fullmatch(
        r"(?:[A-Za-z0-9._%+-]+@)?[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
        r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*",
        tag_authority,
    ):
        raise ConfigError(
            f"publisher.tag_authority: {tag_authority!r} is not a domain name or e-mail address"
        )
    return Settings(
        organization=section.get("organization", "Meeting publisher"),
        base_url=base_url,
        output_dir=(base / output_dir).resolve(),
        database_url=database_url,
        broker_url=broker_url,
        timezone=timezone,
        language=language,
        sweep_interval=sweep,
        recover_after=parse_duration(
            section.get("recover_after", "PT60S"), "publisher.recover_after"
        ),
        now=parse_instant(section["now"], "publisher.now") if section.get("now") else None,
        port=port,
        host=section.get("host", "127.0.0.1"),
        admin_token=admin_token,
        admin_tokens=admin_tokens,
        websub_hub=section.get("websub_hub") or None,
        overdue_days=overdue,
        stale_factor=stale_factor,
        stale_min_history=stale_min_history,
        feed_entries=feed_entries,
        tag_authority=tag_authority,
        sources=sources,
    )


def _resolve_sqlite(url: str, base: Path) -> str:
    """Relative SQLite paths are relative to the config file, not the working directory."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith("sqlite:////") and url != "sqlite:///:memory:":
        return prefix + str((base / url[len(prefix) :]).resolve())
    return url


def load(path: str | Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Read the settings file named by ``path`` or ``$PUBLISHER_CONFIG``."""
    env = os.environ if env is None else env
    path = path or env.get("PUBLISHER_CONFIG")
    if not path:
        raise ConfigError("no configuration: pass --config FILE or set PUBLISHER_CONFIG")
    file = Path(path)
    try:
        text = file.read_text("utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{file}: no such configuration file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: cannot read ({exc})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: invalid TOML ({exc})") from None
    settings = from_mapping(data, file.resolve().parent, env)
    return _with_path(settings, file.resolve())


def _with_path(settings: Settings, path: Path) -> Settings:
    return replace(settings, config_path=path)
