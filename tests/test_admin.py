"""Every admin action through the HTTP API and the CLI, with its audit record, and the
refusals: no token configured (routes absent), a missing or wrong token (401)."""

from __future__ import annotations

import getpass
import json
import shutil
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from publisher import jobs, settings
from publisher.jobs import Context
from publisher.opsweb import COOKIE, create_ops_app, session_cookie, session_valid
from publisher.store import publications

from .conftest import ROOT, run_cli

TOKEN = "s3cret-token-for-tests"  # noqa: S105 - a test fixture, not a secret
AUTH = {"Authorization": f"Bearer {TOKEN}"}
# Kommunstyrelsen (approved 13 June) and Barn- och utbildningsnämnden (17 June) are due
# two days after approval; Socialnämnden (approved 20 June) is still pending at NOW.
NOW = datetime(2024, 6, 21, 12, 0, tzinfo=UTC)


def write_config(tmp_path: Path, database_url: str, token: str | None = TOKEN) -> Path:
    drop = tmp_path / "drop"
    if not drop.exists():
        shutil.copytree(ROOT / "examples" / "protocols", drop)
    token_line = f'admin_token = "{token}"' if token else ""
    path = tmp_path / "publisher.toml"
    path.write_text(
        f"""
[publisher]
organization = "Exempelstads kommun"
database_url = "{database_url}"
output_dir = "public"
{token_line}

[[sources]]
id = "drop"
kind = "directory"
path = "drop"
pattern = "*.html"
publish_delay = "P2D"
""",
        "utf-8",
    )
    return path


@pytest.fixture
def contexts() -> Iterator[list[Context]]:
    made: list[Context] = []
    yield made
    for ctx in made:
        ctx.store.dispose()


def built(
    tmp_path: Path, database_url: str, made: list[Context], token: str | None = TOKEN
) -> Context:
    """A database after one real pipeline pass: two published, one pending."""
    path = write_config(tmp_path, database_url, token)
    ctx = jobs.open_context(settings.load(path, env={}), migrate=True, now=NOW)
    made.append(ctx)
    jobs.build(ctx, all_sources=True)
    return ctx


def meeting_ids(ctx: Context) -> dict[str, str]:
    """body name -> meeting id"""
    pubs = ctx.store.published() + ctx.store.pending_publications()
    return {p["body_name"]: p.get("meeting_id") or p["id"] for p in pubs}


def client_for(ctx: Context) -> TestClient:
    return TestClient(create_ops_app(ctx.settings, lambda: ctx))


def last_event(ctx: Context, kind: str) -> dict[str, Any]:
    found = [e for e in ctx.store.events(limit=500) if e["kind"] == kind]
    assert found, f"no {kind} event"
    return found[0]


def state_of(ctx: Context, meeting_id: str) -> str:
    pub = ctx.store.publication(meeting_id)
    assert pub is not None
    return str(pub["state"])


# --------------------------------------------------------------------------- refusals


def test_without_a_token_admin_and_operator_routes_are_absent(
    tmp_path: Path, contexts: list[Context]
) -> None:
    ctx = built(tmp_path, f"sqlite:///{tmp_path}/p.db", contexts, token=None)
    client = client_for(ctx)
    mid = meeting_ids(ctx)["Socialnämnden"]
    for path in (
        f"/admin/publications/{mid}/hold",
        "/admin/rerender",
        "/admin/sources/drop/poll",
        "/operator/login",
    ):
        response = client.post(path, json={"why": "x"}, headers=AUTH)
        assert response.status_code == 404, path
    assert client.get("/operator", headers=AUTH).status_code == 404
    assert client.get("/admin/status", headers=AUTH).status_code == 404
    assert client.get("/status").status_code == 200  # the public page stays
    assert state_of(ctx, mid) == "pending"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong-token"},
        {"Authorization": f"Bearer {TOKEN}x"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": "Bearer "},
    ],
    ids=["missing", "wrong", "longer", "not-bearer", "empty"],
)
def test_a_missing_or_wrong_token_is_refused(
    tmp_path: Path, contexts: list[Context], headers: dict[str, str]
) -> None:
    ctx = built(tmp_path, f"sqlite:///{tmp_path}/p.db", contexts)
    client = client_for(ctx)
    mid = meeting_ids(ctx)["Socialnämnden"]
    response = client.post(f"/admin/publications/{mid}/hold", json={"why": "try"}, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert client.get("/admin/events", headers=headers).status_code == 401
    assert state_of(ctx, mid) == "pending"
    assert not [e for e in ctx.store.events(limit=500) if e["kind"] == "held"]


def test_the_operator_cookie_does_not_open_the_admin_api(
    tmp_path: Path, contexts: list[Context]
) -> None:
    ctx = built(tmp_path, f"sqlite:///{tmp_path}/p.db", contexts)
    client = client_for(ctx)
    client.cookies.set(COOKIE, session_cookie(TOKEN))
    assert client.get("/operator").status_code == 200
    response = client.post("/admin/rerender", json={"why": "csrf attempt"})
    assert response.status_code == 401


def test_session_cookies_expire_and_die_with_the_token() -> None:
    value = session_cookie(TOKEN, now=1000.0)
    assert session_valid(value, TOKEN, now=1001.0)
    assert not session_valid(value, TOKEN, now=1000.0 + 9 * 3600)
    assert not session_valid(value, "another-token", now=1001.0)
    assert not session_valid(value.replace(".", ".0", 1), TOKEN, now=1001.0)
    assert not session_valid("garbage", TOKEN)


# --------------------------------------------------------------------------- HTTP actions


def test_hold_resume_release_and_retract_over_http(
    tmp_path: Path, database_url: str, contexts: list[Context]
) -> None:
    ctx = built(tmp_path, database_url, contexts)
    client = client_for(ctx)
    mid = meeting_ids(ctx)["Socialnämnden"]

    response = client.post(
        f"/admin/publications/{mid}/hold",
        json={"why": "personal data found on page 3", "actor": "alice"},
        headers=AUTH,
    )
    assert response.status_code == 200, response.text
    assert response.json()["state"] == "held"
    event = last_event(ctx, "held")
    assert event["meeting_id"] == mid and event["actor"] == "api:alice"
    assert event["detail"]["why"] == "personal data found on page 3" and event["at"] == NOW
    # a held publication is not released when due
    later = Context(ctx.settings, ctx.store, fixed_now=NOW + timedelta(days=5))
    assert jobs.release(later) == []
    assert state_of(ctx, mid) == "held"

    response = client.post(
        f"/admin/publications/{mid}/resume", json={"why": "redacted at source"}, headers=AUTH
    )
    assert response.status_code == 200 and state_of(ctx, mid) == "pending"
    assert last_event(ctx, "unheld")["detail"]["why"] == "redacted at source"

    response = client.post(
        f"/admin/publications/{mid}/release",
        json={"why": "council asked for it today", "actor": "bob"},
        headers=AUTH,
    )
    assert response.status_code == 200 and response.json()["state"] == "published"
    published = last_event(ctx, "published")
    assert published["actor"] == "api:bob" and published["detail"]["manual"] is True
    assert published["detail"]["why"] == "council asked for it today"
    assert ctx.store.publication(mid)["needs_render"] is True  # type: ignore[index]

    response = client.post(
        f"/admin/publications/{mid}/retract", json={"why": "wrong document"}, headers=AUTH
    )
    assert response.status_code == 200 and state_of(ctx, mid) == "retracted"
    retracted = last_event(ctx, "retracted")
    assert retracted["actor"] == "api:admin" and retracted["detail"]["why"] == "wrong document"


def test_actions_that_do_not_apply_are_refused(tmp_path: Path, contexts: list[Context]) -> None:
    ctx = built(tmp_path, f"sqlite:///{tmp_path}/p.db", contexts)
    client = client_for(ctx)
    ids = meeting_ids(ctx)
    published, pending = ids["Kommunstyrelsen"], ids["Socialnämnden"]
    before = len(ctx.store.events(limit=1000))
    cases = [
        (f"/admin/publications/{published}/hold", 409),
        (f"/admin/publications/{pending}/retract", 409),
        (f"/admin/publications/{pending}/resume", 409),
        ("/admin/publications/no-such-meeting/release", 404),
        (f"/admin/publications/{pending}/explode", 404),
        ("/admin/sources/nope/poll", 404),
        ("/admin/dead-letters/999999/replay", 404),
    ]
    for path, expected in cases:
        response = client.post(path, json={"why": "test"}, headers=AUTH)
        assert response.status_code == expected, (path, response.text)
    assert client.post(f"/admin/publications/{pending}/hold", headers=AUTH).status_code == 422
    blank = client.post(f"/admin/publications/{pending}/hold", json={"why": " "}, headers=AUTH)
    assert blank.status_code == 400 and "reason" in blank.json()["detail"]
    assert len(ctx.store.events(limit=1000)) == before  # refusals change nothing
    assert state_of(ctx, published) == "published" and state_of(ctx, pending) == "pending"


def test_poll_now_over_http(tmp_path: Path, contexts: list[Context]) -> None:
    ctx = built(tmp_path, f"sqlite:///{tmp_path}/p.db", contexts)
    client = client_for(ctx)
    state = ctx.store.source_state("drop")
    assert state is not None and state["next_poll_at"] > NOW
    response = client.post(
        "/admin/sources/drop/poll", json={"why": "clerk says it is up"}, headers=AUTH
    )
    assert response.status_code == 200 and response.json()["queued"] is True
    assert ctx.store.source_state("drop")["next_poll_at"] == NOW  # type: ignore[index]
    assert jobs.sweep_sources(ctx) == ["drop"]  # the next sweep takes it
    event = last_event(ctx, "poll_requested")
    assert event["source_id"] == "drop" and event["detail"]["why"] == "clerk says it is up"


def broken_then_fixed(ctx: Context, tmp_path: Path) -> int:
    """A dead letter whose bytes a fixed extractor can read: stored as failed, the way an
    older release left it."""
    raw = (tmp_path / "drop" / "socialnamnden-2024-06-18.html").read_bytes()
    doc_id, _ = ctx.store.add_document("drop", "replayed.html", None, raw + b" ", NOW)
    ctx.store.mark_document(doc_id, "failed", reason="malformed", error="no body found")
    return doc_id


def test_replay_a_dead_letter_over_http(
    tmp_path: Path, database_url: str, contexts: list[Context]
) -> None:
    ctx = built(tmp_path, database_url, contexts)
    client = client_for(ctx)
    doc_id = broken_then_fixed(ctx, tmp_path)
    assert [d["id"] for d in ctx.store.dead_letters()] == [doc_id]
    response = client.post(
        f"/admin/dead-letters/{doc_id}/replay",
        json={"why": "extractor fixed in 0.2", "actor": "carol"},
        headers=AUTH,
    )
    assert response.status_code == 200, response.text
    assert response.json()["state"] == "extracted" and response.json()["meeting_id"]
    assert ctx.store.dead_letters() == []
    event = last_event(ctx, "replayed")
    assert event["actor"] == "api:carol" and event["detail"]["why"] == "extractor fixed in 0.2"
    again = client.post(f"/admin/dead-letters/{doc_id}/replay", json={"why": "x"}, headers=AUTH)
    assert again.status_code == 409  # no longer a dead letter


def test_rerender_over_http_marks_everything_public(
    tmp_path: Path, contexts: list[Context]
) -> None:
    ctx = built(tmp_path, f"sqlite:///{tmp_path}/p.db", contexts)
    assert ctx.store.unrendered() == []
    client = client_for(ctx)
    response = client.post("/admin/rerender", json={"why": "new template"}, headers=AUTH)
    assert response.status_code == 200 and response.json()["marked"] == 2
    assert len(ctx.store.unrendered()) == 2
    assert last_event(ctx, "rerender_requested")["detail"] == {
        "why": "new template",
        "marked": 2,
    }
    assert len(jobs.render(ctx)) == 2 and ctx.store.unrendered() == []


def test_admin_status_and_events_need_the_token(tmp_path: Path, contexts: list[Context]) -> None:
    ctx = built(tmp_path, f"sqlite:///{tmp_path}/p.db", contexts)
    client = client_for(ctx)
    report = client.get("/admin/status", headers=AUTH).json()
    assert report["counts"]["published"] == 2 and report["sources"][0]["id"] == "drop"
    events = client.get("/admin/events?limit=5", headers=AUTH).json()
    assert len(events) == 5 and all("kind" in e for e in events)


# --------------------------------------------------------------------------- CLI


def test_every_action_from_the_cli(tmp_path: Path, contexts: list[Context]) -> None:
    ctx = built(tmp_path, f"sqlite:///{tmp_path}/p.db", contexts)
    config = str(tmp_path / "publisher.toml")
    ids = meeting_ids(ctx)
    pending, published = ids["Socialnämnden"], ids["Kommunstyrelsen"]
    actor = f"cli:{getpass.getuser()}"

    def admin(*args: str) -> dict[str, Any]:
        result = run_cli("admin", "--config", config, "--json", *args)
        assert result.returncode == 0, result.stderr
        data: dict[str, Any] = json.loads(result.stdout)
        return data

    assert admin("hold", pending, "--why", "check names")["state"] == "held"
    assert last_event(ctx, "held")["actor"] == actor
    assert admin("resume", pending, "--why", "names ok")["state"] == "pending"
    assert admin("release", pending, "--why", "now please")["state"] == "published"
    assert last_event(ctx, "published")["detail"]["why"] == "now please"
    assert admin("retract", published, "--why", "duplicate")["state"] == "retracted"
    assert last_event(ctx, "retracted")["meeting_id"] == published

    doc_id = broken_then_fixed(ctx, tmp_path)
    replayed = admin("replay", str(doc_id), "--why", "fixed")
    assert replayed["state"] == "extracted"
    assert last_event(ctx, "replayed")["actor"] == actor

    polled = admin("poll", "drop", "--why", "see if the new one is there")
    assert polled["queued"] is False and polled["failures"] == 0
    assert last_event(ctx, "poll_requested")["detail"]["why"] == "see if the new one is there"

    result = run_cli("admin", "--config", config, "--actor", "dana", "rerender", "--why", "tpl")
    assert result.returncode == 0, result.stderr
    assert b"rerender all: done by cli:dana" in result.stdout
    event = last_event(ctx, "rerender_requested")
    assert event["actor"] == "cli:dana" and event["detail"]["marked"] >= 2
    assert ctx.store.unrendered() == []  # the CLI renders at once


def test_cli_errors_are_one_line(tmp_path: Path, contexts: list[Context]) -> None:
    ctx = built(tmp_path, f"sqlite:///{tmp_path}/p.db", contexts)
    config = str(tmp_path / "publisher.toml")
    published = meeting_ids(ctx)["Kommunstyrelsen"]
    result = run_cli("admin", "--config", config, "hold", published, "--why", "x")
    assert result.returncode == 2 and result.stdout == b""
    assert result.stderr.decode().count("\n") == 1 and "it is published" in result.stderr.decode()
    missing = run_cli("admin", "--config", config, "hold", published)
    assert missing.returncode == 2 and b"--why" in missing.stderr
    with ctx.store.begin() as conn:
        assert conn.execute(publications.select()).first() is not None


def test_cli_as_an_api_client_sends_the_token_from_the_environment(
    tmp_path: Path, contexts: list[Context]
) -> None:
    import os
    import subprocess
    import sys

    import uvicorn

    from .pipeline import free_port

    ctx = built(tmp_path, f"sqlite:///{tmp_path}/p.db", contexts)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_ops_app(ctx.settings, lambda: ctx),
            host="127.0.0.1",
            port=port,
            log_level="error",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        pending = meeting_ids(ctx)["Socialnämnden"]
        exe = str(Path(sys.executable).with_name("publisher"))
        url = f"http://127.0.0.1:{port}/"
        argv = [exe, "admin", "--url", url, "--actor", "erik", "hold", pending, "--why", "r"]
        env = {k: v for k, v in os.environ.items() if k != "PUBLISHER_ADMIN_TOKEN"}
        refused = subprocess.run(argv, capture_output=True, env=env, timeout=60, check=False)
        assert refused.returncode == 2 and b"PUBLISHER_ADMIN_TOKEN" in refused.stderr
        wrong = subprocess.run(
            argv,
            capture_output=True,
            env={**env, "PUBLISHER_ADMIN_TOKEN": "nope"},
            timeout=60,
            check=False,
        )
        assert wrong.returncode == 2 and b"HTTP 401" in wrong.stderr
        ok = subprocess.run(
            argv,
            capture_output=True,
            env={**env, "PUBLISHER_ADMIN_TOKEN": TOKEN},
            timeout=60,
            check=False,
        )
        assert ok.returncode == 0, ok.stderr
        assert state_of(ctx, pending) == "held"
        assert last_event(ctx, "held")["actor"] == "api:erik"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
