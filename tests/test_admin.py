"""Every admin action through the HTTP API and the CLI, with its audit record, and the
refusals: no token configured (routes absent, CLI refuses), a missing or wrong token (401, or
exit code 2 for the CLI). The actor recorded is always the name of the token that matched;
what the client says about itself is only a note in the reason."""

from __future__ import annotations

import dataclasses
import getpass
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from publisher import cli, jobs, settings
from publisher.errors import ConfigError
from publisher.jobs import Context
from publisher.opsweb import COOKIE, create_ops_app, session_cookie, session_name, session_valid
from publisher.store import publications

from .conftest import ROOT

TOKEN = "s3cret-token-for-tests"  # noqa: S105 - a test fixture, not a secret
OPS_TOKEN = "another-s3cret-for-the-ops-team"  # noqa: S105
AUDIT_TOKEN = "a-third-s3cret-for-auditors"  # noqa: S105
AUTH = {"Authorization": f"Bearer {TOKEN}"}
# Kommunstyrelsen (approved 13 June) and Barn- och utbildningsnämnden (17 June) are due
# two days after approval; Socialnämnden (approved 20 June) is still pending at NOW.
NOW = datetime(2024, 6, 21, 12, 0, tzinfo=UTC)


def write_config(
    tmp_path: Path, database_url: str, token: str | None = TOKEN, named: str = ""
) -> Path:
    drop = tmp_path / "drop"
    if not drop.exists():
        shutil.copytree(ROOT / "examples" / "protocols", drop)
    token_line = f'admin_token = "{token}"' if token else ""
    if named:
        token_line += f"\nadmin_tokens = {named}"
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
    # a named token's session carries its name, signed with that token only
    named = session_cookie(OPS_TOKEN, now=1000.0, name="ops")
    tokens = {"admin": TOKEN, "ops": OPS_TOKEN}
    assert session_name(named, tokens, now=1001.0) == "ops"
    assert session_name(named.replace(".ops.", ".admin."), tokens, now=1001.0) is None
    assert session_name(named, {"admin": TOKEN, "ops": "a-rotated-token-value"}, 1001.0) is None


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
    # the actor is the token's name; the client's "actor" only a note beside the reason
    assert event["meeting_id"] == mid and event["actor"] == "admin"
    assert event["detail"]["why"] == "personal data found on page 3 [via api, client says: alice]"
    assert event["at"] == NOW
    # a held publication is not released when due
    later = Context(ctx.settings, ctx.store, fixed_now=NOW + timedelta(days=5))
    assert jobs.release(later) == []
    assert state_of(ctx, mid) == "held"

    response = client.post(
        f"/admin/publications/{mid}/resume", json={"why": "redacted at source"}, headers=AUTH
    )
    assert response.status_code == 200 and state_of(ctx, mid) == "pending"
    assert last_event(ctx, "unheld")["detail"]["why"] == "redacted at source [via api]"

    response = client.post(
        f"/admin/publications/{mid}/release",
        json={"why": "council asked for it today", "actor": "bob"},
        headers=AUTH,
    )
    assert response.status_code == 200 and response.json()["state"] == "published"
    published = last_event(ctx, "published")
    assert published["actor"] == "admin" and published["detail"]["manual"] is True
    assert published["detail"]["why"] == "council asked for it today [via api, client says: bob]"
    assert ctx.store.publication(mid)["needs_render"] is True  # type: ignore[index]

    response = client.post(
        f"/admin/publications/{mid}/retract", json={"why": "wrong document"}, headers=AUTH
    )
    assert response.status_code == 200 and state_of(ctx, mid) == "retracted"
    retracted = last_event(ctx, "retracted")
    assert retracted["actor"] == "admin"
    assert retracted["detail"]["why"] == "wrong document [via api]"


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
    assert event["source_id"] == "drop" and event["actor"] == "admin"
    assert event["detail"]["why"] == "clerk says it is up [via api]"


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
    assert event["actor"] == "admin"
    assert event["detail"]["why"] == "extractor fixed in 0.2 [via api, client says: carol]"
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
        "why": "new template [via api]",
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


def run_admin(
    config: str | Path, *args: str, token: str | None = TOKEN, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    """``publisher admin --config CONFIG ARGS`` with ``token`` in $PUBLISHER_ADMIN_TOKEN."""
    environ = {k: v for k, v in os.environ.items() if k != "PUBLISHER_ADMIN_TOKEN"}
    if token is not None:
        environ["PUBLISHER_ADMIN_TOKEN"] = token
    environ.update(env or {})
    exe = str(Path(sys.executable).with_name("publisher"))
    return subprocess.run(
        [exe, "admin", "--config", str(config), *args],
        capture_output=True,
        env=environ,
        timeout=120,
        check=False,
    )


def test_every_action_from_the_cli(tmp_path: Path, contexts: list[Context]) -> None:
    ctx = built(tmp_path, f"sqlite:///{tmp_path}/p.db", contexts)
    config = str(tmp_path / "publisher.toml")
    ids = meeting_ids(ctx)
    pending, published = ids["Socialnämnden"], ids["Kommunstyrelsen"]
    actor = "admin"  # the name of the token (admin_token)
    login = getpass.getuser()

    def admin(*args: str) -> dict[str, Any]:
        result = run_admin(config, "--json", *args)
        assert result.returncode == 0, result.stderr
        data: dict[str, Any] = json.loads(result.stdout)
        return data

    assert admin("hold", pending, "--why", "check names")["state"] == "held"
    held = last_event(ctx, "held")
    assert held["actor"] == actor
    assert held["detail"]["why"] == f"check names [via cli, login {login}]"
    assert admin("resume", pending, "--why", "names ok")["state"] == "pending"
    assert admin("release", pending, "--why", "now please")["state"] == "published"
    assert last_event(ctx, "published")["detail"]["why"].startswith("now please [via cli")
    assert admin("retract", published, "--why", "duplicate")["state"] == "retracted"
    assert last_event(ctx, "retracted")["meeting_id"] == published

    doc_id = broken_then_fixed(ctx, tmp_path)
    replayed = admin("replay", str(doc_id), "--why", "fixed")
    assert replayed["state"] == "extracted"
    assert last_event(ctx, "replayed")["actor"] == actor

    polled = admin("poll", "drop", "--why", "see if the new one is there")
    assert polled["queued"] is False and polled["failures"] == 0
    assert last_event(ctx, "poll_requested")["detail"]["why"].startswith(
        "see if the new one is there [via cli"
    )

    result = run_admin(config, "--actor", "dana", "rerender", "--why", "tpl")
    assert result.returncode == 0, result.stderr
    assert b"rerender all: done by admin" in result.stdout
    event = last_event(ctx, "rerender_requested")
    assert event["actor"] == "admin" and event["detail"]["marked"] >= 2
    assert event["detail"]["why"] == f"tpl [via cli, login {login}, says: dana]"
    assert ctx.store.unrendered() == []  # the CLI renders at once


def test_cli_errors_are_one_line(tmp_path: Path, contexts: list[Context]) -> None:
    ctx = built(tmp_path, f"sqlite:///{tmp_path}/p.db", contexts)
    config = str(tmp_path / "publisher.toml")
    published = meeting_ids(ctx)["Kommunstyrelsen"]
    result = run_admin(config, "hold", published, "--why", "x")
    assert result.returncode == 2 and result.stdout == b""
    assert result.stderr.decode().count("\n") == 1 and "it is published" in result.stderr.decode()
    missing = run_admin(config, "hold", published)
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
        held = last_event(ctx, "held")
        assert held["actor"] == "admin"  # the token's name, not the claimed "erik"
        assert held["detail"]["why"] == "r [via api, client says: erik]"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


# --------------------------------------------------------------------------- named tokens


def test_named_tokens_name_the_actor_and_a_claimed_actor_is_only_a_note(
    tmp_path: Path, contexts: list[Context]
) -> None:
    path = write_config(
        tmp_path,
        f"sqlite:///{tmp_path}/p.db",
        token=None,  # only named tokens: the admin routes exist all the same
        named=f'{{ ops = "{OPS_TOKEN}", audit = "{AUDIT_TOKEN}" }}',
    )
    ctx = jobs.open_context(settings.load(path, env={}), migrate=True, now=NOW)
    contexts.append(ctx)
    jobs.build(ctx, all_sources=True)
    client = client_for(ctx)
    mid = meeting_ids(ctx)["Socialnämnden"]
    response = client.post(
        f"/admin/publications/{mid}/hold",
        json={"why": "names on page 2", "actor": "audit"},  # claims to be someone else
        headers={"Authorization": f"Bearer {OPS_TOKEN}"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["actor"] == "ops"
    event = last_event(ctx, "held")
    assert event["actor"] == "ops"
    assert event["detail"]["why"] == "names on page 2 [via api, client says: audit]"
    # the old admin_token is not configured here, so it is just a wrong token
    wrong = client.post(f"/admin/publications/{mid}/resume", json={"why": "x"}, headers=AUTH)
    assert wrong.status_code == 401 and state_of(ctx, mid) == "held"
    # the operator page signs in with a named token too
    login = client.post("/operator/login", data={"token": AUDIT_TOKEN}, follow_redirects=False)
    assert login.status_code == 303
    cookie = login.cookies[COOKIE]
    assert AUDIT_TOKEN not in cookie and ".audit." in cookie
    assert client.get("/operator").status_code == 200


def test_every_token_is_compared(monkeypatch: pytest.MonkeyPatch) -> None:
    """No early exit: the number of comparisons does not depend on which token matched."""
    import hmac

    from publisher import admin

    calls: list[int] = []
    real = hmac.compare_digest

    def counting(a: bytes, b: bytes) -> bool:
        calls.append(1)
        return real(a, b)

    monkeypatch.setattr(admin.hmac, "compare_digest", counting)
    tokens = {"admin": TOKEN, "audit": AUDIT_TOKEN, "ops": OPS_TOKEN}
    for given, expected in ((TOKEN, "admin"), (OPS_TOKEN, "ops"), ("nope" * 5, None)):
        calls.clear()
        assert admin.authenticate(tokens, given) == expected
        assert len(calls) == len(tokens)
    assert admin.authenticate(tokens, None) is None and admin.authenticate(tokens, "") is None


def test_admin_token_table_and_short_tokens_at_start_up(tmp_path: Path) -> None:
    def load(text: str, env: dict[str, str] | None = None) -> settings.Settings:
        path = tmp_path / "t.toml"
        path.write_text(text, "utf-8")
        return settings.load(path, env=env or {})

    loaded = load(
        f'[publisher]\nadmin_token = "{TOKEN}"\n\n'
        f'[publisher.admin_tokens]\nops = "{OPS_TOKEN}"\naudit = "{AUDIT_TOKEN}"\n'
    )
    assert loaded.tokens() == {"admin": TOKEN, "ops": OPS_TOKEN, "audit": AUDIT_TOKEN}
    from_env = load("[publisher]\n", {"PUBLISHER_ADMIN_TOKEN": OPS_TOKEN})
    assert from_env.tokens() == {"admin": OPS_TOKEN}
    assert load("[publisher]\n").tokens() == {}

    with pytest.raises(ConfigError, match=r"^publisher\.admin_token: too short \(5 characters\)"):
        load('[publisher]\nadmin_token = "short"\n')
    with pytest.raises(ConfigError, match=r"publisher\.admin_token \(from PUBLISHER_ADMIN_TOKEN\)"):
        load("[publisher]\n", {"PUBLISHER_ADMIN_TOKEN": "123456789012345"})  # 15
    with pytest.raises(ConfigError, match=r"^publisher\.admin_tokens\.ops: too short"):
        load('[publisher.admin_tokens]\nops = "0123456789"\n')
    with pytest.raises(ConfigError, match=r"publisher\.admin_tokens\.admin: the name"):
        load(
            f'[publisher]\nadmin_token = "{TOKEN}"\n'
            f'[publisher.admin_tokens]\nadmin = "{OPS_TOKEN}"\n'
        )
    with pytest.raises(ConfigError, match="same token"):
        load(f'[publisher.admin_tokens]\nops = "{OPS_TOKEN}"\naudit = "{OPS_TOKEN}"\n')
    with pytest.raises(ConfigError, match=r"publisher\.admin_tokens\.ops: expected a string"):
        load("[publisher.admin_tokens]\nops = 1234567890123456789\n")
    assert len(TOKEN) >= settings.MIN_TOKEN_LENGTH  # sixteen is accepted
    assert load(f'[publisher]\nadmin_token = "{"x" * 16}"\n').admin_token == "x" * 16


def test_the_cli_refuses_to_act_without_a_matching_token(
    tmp_path: Path, contexts: list[Context]
) -> None:
    ctx = built(tmp_path, f"sqlite:///{tmp_path}/p.db", contexts)
    mid = meeting_ids(ctx)["Socialnämnden"]
    config = tmp_path / "publisher.toml"
    before = len(ctx.store.events(limit=1000))

    def refused(result: subprocess.CompletedProcess[bytes], words: str) -> None:
        err = result.stderr.decode()
        assert result.returncode == 2 and result.stdout == b"", err
        assert err.count("\n") == 1 and words in err, err

    refused(run_admin(config, "hold", mid, "--why", "x", token=None), "needs an admin token")
    refused(run_admin(config, "hold", mid, "--why", "x", token="n" * 20), "does not match")
    (tmp_path / "wrong-token").write_text("w" * 20 + "\n", "utf-8")
    wrong_file = ["--token-file", str(tmp_path / "wrong-token")]
    refused(run_admin(config, *wrong_file, "hold", mid, "--why", "x"), "does not match")

    # no token in the settings file: refused, even when the environment offers one (what the
    # CLI is handed cannot also be what it is checked against)
    open_config = write_config(tmp_path / "open", f"sqlite:///{tmp_path}/p.db", token=None)
    refused(run_admin(open_config, "hold", mid, "--why", "x"), "no admin token is configured")
    refused(run_admin(open_config, "rerender", "--why", "x", token=None), "no admin token")
    assert state_of(ctx, mid) == "pending"
    assert len(ctx.store.events(limit=1000)) == before  # refusals change nothing

    # a named token from a file: its name is the actor, the login name a note
    named_config = write_config(
        tmp_path / "named",
        f"sqlite:///{tmp_path}/p.db",
        named=f'{{ ops = "{OPS_TOKEN}" }}',
    )
    (tmp_path / "ops-token").write_text(OPS_TOKEN + "\n", "utf-8")
    ok = run_admin(
        named_config,
        "--token-file",
        str(tmp_path / "ops-token"),
        "--json",
        "hold",
        mid,
        "--why",
        "check",
        token="ignored-when-a-file-is-given",  # noqa: S106
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["actor"] == "ops"
    event = last_event(ctx, "held")
    assert event["actor"] == "ops"
    assert event["detail"]["why"] == f"check [via cli, login {getpass.getuser()}]"


def test_cli_rerender_restores_a_deleted_output_directory_with_archive_pages(
    tmp_path: Path, contexts: list[Context], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages of one entry, so three published meetings fill archive pages; the CLI runs
    in-process to use those page sizes (they are no configuration key)."""
    real_load = settings.load

    def small_pages(*args: Any, **kwargs: Any) -> settings.Settings:
        return dataclasses.replace(real_load(*args, **kwargs), archive_page_size=1, feed_entries=1)

    monkeypatch.setattr(settings, "load", small_pages)
    path = write_config(tmp_path, f"sqlite:///{tmp_path}/p.db")
    later = NOW + timedelta(days=5)  # all three are due: every meeting published
    ctx = jobs.open_context(settings.load(path, env={}), migrate=True, now=later)
    contexts.append(ctx)
    jobs.build(ctx, all_sources=True)
    assert ctx.store.counts()["published"] == 3
    out = ctx.settings.output_dir
    before = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    archive = [p for p in before if p.parts[:2] == ("feeds", "archive")]
    assert any(p.as_posix().startswith("feeds/archive/all/0.") for p in archive), before
    assert any(p.as_posix().startswith("feeds/archive/all/1.") for p in archive), before

    shutil.rmtree(out)
    monkeypatch.setenv("PUBLISHER_ADMIN_TOKEN", TOKEN)
    assert cli.main(["admin", "--config", str(path), "rerender", "--why", "restore"]) == 0
    after = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    assert after == before
    assert last_event(ctx, "rerender_requested")["actor"] == "admin"
