"""Settings: the documented example works as written; bad keys and values fail naming the key."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from publisher import settings
from publisher.errors import ConfigError

from .conftest import ROOT, run_cli

ISSUE_EXAMPLE = """
[publisher]
organization = "Lunds kommun"
base_url = "https://example.org/protokoll/"   # where the output directory is served
output_dir = "public"
database_url = "sqlite:///data/publisher.db"
timezone = "Europe/Stockholm"                # the default; dates without a time are local dates

[[sources]]
id = "lund-sn"
kind = "http-listing"            # directory | http-listing | oparl | url
url = "https://example.org/anslagstavla.html"
format = "sv-html"               # or auto
publish_delay = "P2D"            # ISO 8601 duration
delay_from = "approved"          # approved | posted | meeting
poll_interval = "PT15M"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "publisher.toml"
    path.write_text(text, "utf-8")
    return path


def test_the_issue_example_loads_as_written(tmp_path: Path) -> None:
    config = settings.load(write(tmp_path, ISSUE_EXAMPLE), env={})
    assert config.organization == "Lunds kommun"
    assert config.output_dir == tmp_path / "public"
    assert config.database_url == f"sqlite:///{tmp_path}/data/publisher.db"
    (source,) = config.sources
    assert source.publish_delay == timedelta(days=2)
    assert source.poll_interval == timedelta(minutes=15)
    assert (source.kind, source.format, source.delay_from) == (
        "http-listing",
        "sv-html",
        "approved",
    )


def test_shipped_examples_load() -> None:
    for name in ("config.example.toml", "demo.toml"):
        assert settings.load(ROOT / "examples" / name, env={}).sources


def test_environment_overrides_the_file(tmp_path: Path) -> None:
    env = {
        "PUBLISHER_DATABASE_URL": "postgresql://u@db/publisher",
        "PUBLISHER_BROKER_URL": "redis://redis:6379/0",
        "PUBLISHER_NOW": "2024-06-20T12:00:00+02:00",
    }
    config = settings.load(write(tmp_path, ISSUE_EXAMPLE), env=env)
    assert config.database_url == "postgresql://u@db/publisher"
    assert config.broker_url == "redis://redis:6379/0"
    assert config.now is not None and config.now.utcoffset() == timedelta(hours=2)


@pytest.mark.parametrize(
    ("change", "names"),
    [
        (('poll_interval = "PT15M"', 'poll_intervall = "PT15M"'), "poll_intervall"),
        (('publish_delay = "P2D"', 'publish_delay = "2 days"'), "publish_delay"),
        (('delay_from = "approved"', 'delay_from = "signed"'), "delay_from"),
        (('kind = "http-listing"', 'kind = "ftp"'), "kind"),
        (('format = "sv-html"', 'format = "pdf"'), "format"),
        (('Europe/Stockholm"', 'Europe/Lund"'), "timezone"),
        (("organization = ", "organisation = "), "organisation"),
        (('url = "https://example.org/anslagstavla.html"', 'url = "file:///etc"'), "url"),
        (('database_url = "sqlite', 'database_url = "mysql'), "database_url"),
        (("[[sources]]", "[[source]]"), "source"),
        (('poll_interval = "PT15M"', "poll_interval = 15"), "poll_interval"),
        (("[publisher]", "[publisher]\nfeed_entries = 0"), "feed_entries"),
        (("[publisher]", '[publisher]\ntag_authority = "exa mple.org"'), "tag_authority"),
    ],
)
def test_bad_keys_and_values_name_the_key(
    tmp_path: Path, change: tuple[str, str], names: str
) -> None:
    text = ISSUE_EXAMPLE.replace(*change)
    assert text != ISSUE_EXAMPLE
    with pytest.raises(ConfigError, match=names):
        settings.load(write(tmp_path, text), env={})


def test_duplicate_source_ids_are_refused(tmp_path: Path) -> None:
    text = ISSUE_EXAMPLE + ISSUE_EXAMPLE.split("\n[[sources]]", 1)[1].join(["\n[[sources]]", ""])
    with pytest.raises(ConfigError, match="used twice"):
        settings.load(write(tmp_path, text), env={})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("P2D", timedelta(days=2)),
        ("PT15M", timedelta(minutes=15)),
        ("P1W", timedelta(weeks=1)),
        ("P1DT12H", timedelta(days=1, hours=12)),
        ("PT0.5S", timedelta(seconds=0.5)),
    ],
)
def test_iso_durations(text: str, expected: timedelta) -> None:
    assert settings.parse_duration(text, "k") == expected


@pytest.mark.parametrize("text", ["P", "PT", "P1M", "2D", "P-1D", ""])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ConfigError):
        settings.parse_duration(text, "k")


def test_cli_reports_a_bad_config_in_one_line(tmp_path: Path) -> None:
    path = write(tmp_path, ISSUE_EXAMPLE.replace("P2D", "two days"))
    result = run_cli("status", "--config", str(path))
    assert result.returncode == 2
    assert result.stdout == b""
    err = result.stderr.decode().strip().splitlines()
    assert len(err) == 1 and "publish_delay" in err[0]


def test_an_admin_token_too_short_is_refused_naming_the_key(tmp_path: Path) -> None:
    path = tmp_path / "short.toml"
    path.write_text('[publisher]\nadmin_tokens = { ops = "tooshort" }\n', "utf-8")
    with pytest.raises(ConfigError, match=r"^publisher\.admin_tokens\.ops: too short"):
        settings.load(path, env={})
    result = run_cli("status", "--config", str(path))
    assert result.returncode == 2 and b"publisher.admin_tokens.ops" in result.stderr


def test_an_amqp_broker_is_accepted(tmp_path: Path) -> None:
    """Accepted, and therefore probed by /readyz (tests/test_metrics.py)."""
    path = tmp_path / "amqp.toml"
    path.write_text('[publisher]\nbroker_url = "amqp://guest:guest@127.0.0.1:5672//"\n', "utf-8")
    assert settings.load(path, env={}).broker_url == "amqp://guest:guest@127.0.0.1:5672//"
