"""``publisher`` command line. Thin: parses arguments, calls the stages, prints.

Every deliberate error (``PublisherError``) becomes one line on stderr and exit code 2;
nothing is printed to stdout in that case.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tomllib
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from publisher import __version__
from publisher import settings as settings_module
from publisher.errors import ConfigError, PublisherError
from publisher.extract import FORMATS, ExtractOptions, extract
from publisher.extract.dates import zone
from publisher.model import to_dict

if TYPE_CHECKING:
    from publisher.jobs import Context
    from publisher.settings import Settings

# The pipeline's modules (store, jobs, migrations: SQLAlchemy and Alembic) are imported by the
# commands that use them: `publisher extract` needs none of them and starts a second sooner.

EXIT_USAGE = 2  # bad input or configuration


def _read_source(location: str, max_bytes: int) -> tuple[bytes, str | None]:
    if location.startswith(("http://", "https://")):
        from publisher.sources.http import fetch_url

        return fetch_url(location, max_bytes=max_bytes), location
    path = Path(location)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            from publisher.errors import DocumentTooLarge

            raise DocumentTooLarge(f"{location}: {size} bytes, over the cap of {max_bytes} bytes")
        return path.read_bytes(), None
    except IsADirectoryError:
        raise ConfigError(f"{location}: is a directory, not a document") from None
    except FileNotFoundError:
        raise ConfigError(f"{location}: no such file") from None
    except PermissionError:
        raise ConfigError(f"{location}: permission denied") from None
    except OSError as exc:
        raise ConfigError(f"{location}: {exc.strerror}") from None


def load_selectors(path: str) -> dict[str, Any]:
    """A selectors file is TOML or JSON naming an expression per field."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ConfigError(f"selectors file {path}: {exc.strerror}") from None
    try:
        if path.endswith(".json"):
            data = json.loads(raw)
        else:
            data = tomllib.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ConfigError(f"selectors file {path}: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"selectors file {path}: expected a table of field = expression")
    return data


def cmd_extract(args: argparse.Namespace) -> int:
    zone(args.timezone)  # fail before reading anything
    selectors = load_selectors(args.selectors) if args.selectors else None
    if args.format == "selectors" and not selectors:
        raise ConfigError("--format selectors needs --selectors FILE")
    data, url = _read_source(args.document, args.max_bytes)
    options = ExtractOptions(
        timezone=args.timezone,
        base_url=url,
        selectors=selectors,
        body=args.body,
        max_bytes=args.max_bytes,
    )
    protocol = extract(data, args.format, options)
    # the whole text first: an error while writing it must not leave half a document behind
    sys.stdout.write(json.dumps(to_dict(protocol), ensure_ascii=False, indent=2) + "\n")
    return 0


def _settings(args: argparse.Namespace) -> Settings:
    config = settings_module.load(args.config)
    if getattr(args, "out", None):
        config = replace(config, output_dir=Path(args.out).resolve())
    return config


def _open(config: Settings, *, migrate: bool, now: datetime | None = None) -> Context:
    from publisher.jobs import open_context

    return open_context(config, migrate=migrate, now=now)


def _revision(engine: Any) -> str | None:
    from publisher.migrations import current

    return current(engine)


def cmd_migrate(args: argparse.Namespace) -> int:
    from publisher.store import Store

    config = _settings(args)
    store = Store(config.database_url)
    store.migrate()
    print(f"database at revision {_revision(store.engine)}")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    from publisher import jobs

    config = _settings(args)
    now = settings_module.parse_instant(args.now, "--now") if args.now else None
    ctx = _open(config, migrate=True, now=now)
    report = jobs.build(ctx, all_sources=args.all)
    print(
        f"polled {len(report.polled)} source(s), processed {report.documents} document(s), "
        f"released {len(report.released)}, rendered {len(report.rendered)} meeting(s)"
        + (f"; failing: {', '.join(report.failed_sources)}" if report.failed_sources else "")
    )
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from publisher import logs, service

    logs.setup(args.log_level)
    config = _settings(args)
    if args.port is not None:
        config = replace(config, port=args.port)
    ctx = _open(config, migrate=True)
    if config.broker_url and not config.broker_url.startswith("memory://"):
        # Real workers do the work; this process only schedules and serves.
        from workers.scheduler import sender

        tick = sender(config)
    else:

        def tick() -> None:
            service.embedded_tick(ctx)

    service.serve(ctx, tick)
    return 0


def _fmt(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")
    return str(value)


def _print_table(rows: Sequence[tuple[str, ...]]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


def _require_migrated(config: Settings) -> None:
    """Refuse, without creating or changing anything, a database ``publisher migrate`` has not
    brought to the schema this code needs (a missing SQLite file included)."""
    import sqlalchemy as sa
    from alembic.script import ScriptDirectory
    from sqlalchemy.engine import make_url

    from publisher.migrations import config as migrations_config

    head = ScriptDirectory.from_config(migrations_config()).get_current_head()
    not_migrated = "database not migrated: run publisher migrate"
    url = make_url(config.database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        if not Path(url.database).exists():
            raise ConfigError(not_migrated)
    engine = sa.create_engine(url)
    try:
        revision = _revision(engine)
    except sa.exc.SQLAlchemyError as exc:
        raise ConfigError(f"database unreachable: {str(exc).splitlines()[0]}") from None
    finally:
        engine.dispose()
    if revision is None:
        raise ConfigError(not_migrated)
    if revision != head:
        raise ConfigError(
            f"database not migrated (at revision {revision}, this release needs {head}): "
            "run publisher migrate"
        )


def _json_default(value: object) -> str:
    """ISO 8601 with a ``T`` for timestamps (``2026-11-23T09:37:34+00:00``)."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


def cmd_status(args: argparse.Namespace) -> int:
    config = _settings(args)
    _require_migrated(config)
    from publisher import status

    ctx = _open(config, migrate=False)
    report = status.report(ctx, probe_broker=not args.no_broker)
    if args.json:
        json.dump(report, sys.stdout, ensure_ascii=False, indent=2, default=_json_default)
        sys.stdout.write("\n")
        return 0
    rows = [
        (
            "source",
            "state",
            "last poll",
            "last success",
            "next poll",
            "docs",
            "drafts",
            "last error",
        )
    ]
    for src in report["sources"]:
        error = ""
        if src["last_error"]:
            error = f"{src['last_error_reason'] or 'error'}: {src['last_error']}"
        rows.append(
            (
                src["id"],
                src["state"],
                _fmt(src["last_poll_at"]),
                _fmt(src["last_success_at"]),
                _fmt(src["next_poll_at"]),
                str(src["documents"]),
                str(src["drafts"]),
                (error or "-")[:70],
            )
        )
    _print_table(rows)
    print()
    counts = report["counts"]
    print(
        f"publications: {counts['pending']} pending, {counts['held']} held, "
        f"{counts['published']} published, {counts['retracted']} retracted; "
        f"drafts waiting: {counts['drafts']}; dead letters: {counts['dead_letters']}"
    )
    broker = report["broker"]
    if "queue_length" in broker:
        workers = broker["workers"]
        workers_text = (
            (", ".join(workers) or "none answering") if isinstance(workers, list) else workers
        )
        print(f"queue: {broker['queue_length']}; workers: {workers_text}")
    for pub in report["pending"]:
        print(
            f"  {pub['state']} {pub['meeting_id']}  {pub['body_name']}  due {_fmt(pub['due_at'])}"
        )
    if report["overdue"]:
        print(f"overdue (no approved protocol {report['overdue_days']} days after the meeting):")
        for body in report["overdue"]:
            dates = ", ".join(str(m["meeting_date"]) for m in body["meetings"])
            print(f"  {body['body']}: {dates}")
    for dead in report["dead_letters"]:
        print(
            f"  dead letter {dead['id']}  {dead['source_id']}  {dead['key']}  "
            f"{dead['error_reason']}: {(dead['error'] or '')[:60]}"
        )
    return 0


def _given_token(args: argparse.Namespace) -> str | None:
    """The token the caller offers: ``--token-file`` (first line), else
    ``$PUBLISHER_ADMIN_TOKEN``. Never a command-line argument: it would show in ``ps`` and the
    shell history."""
    if args.token_file:
        try:
            lines = Path(args.token_file).read_text("utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"--token-file {args.token_file}: cannot read ({exc})") from None
        return (lines[0].strip() if lines else "") or None
    return os.environ.get("PUBLISHER_ADMIN_TOKEN") or None


def _admin_settings(args: argparse.Namespace) -> tuple[Settings, str]:
    """Settings for acting on the database directly, and the name of the token the caller
    holds. The configured tokens come from the settings file only: ``$PUBLISHER_ADMIN_TOKEN``
    is what the caller *offers* here, so it cannot also be what it is checked against."""
    env = {k: v for k, v in os.environ.items() if k != "PUBLISHER_ADMIN_TOKEN"}
    config = settings_module.load(args.config, env=env)
    tokens = config.tokens()
    if not tokens:
        raise ConfigError(
            "no admin token is configured (admin_token or [publisher.admin_tokens] in the "
            "settings file): publisher admin refuses to act without one"
        )
    given = _given_token(args)
    if given is None:
        raise ConfigError(
            "publisher admin needs an admin token: set $PUBLISHER_ADMIN_TOKEN or pass "
            "--token-file FILE"
        )
    from publisher import admin

    name = admin.authenticate(tokens, given)
    if name is None:
        raise ConfigError("the admin token does not match any configured token")
    return config, name


def _admin_remote(args: argparse.Namespace, actor: str) -> dict[str, Any]:
    """``--url``: be a client of the admin API; the token comes from ``--token-file`` or the
    environment."""
    import requests

    token = _given_token(args)
    if not token:
        raise ConfigError(
            "--url needs the admin token in $PUBLISHER_ADMIN_TOKEN (or --token-file FILE)"
        )
    base = args.url.rstrip("/") + "/admin/"
    paths = {
        "poll": f"sources/{getattr(args, 'target', '')}/poll",
        "replay": f"dead-letters/{getattr(args, 'target', '')}/replay",
        "rerender": "rerender",
    }
    path = paths.get(args.action, f"publications/{getattr(args, 'target', '')}/{args.action}")
    try:
        response = requests.post(
            base + path,
            json={"why": args.why, "actor": actor},
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        )
    except requests.RequestException as exc:
        raise ConfigError(f"{args.url}: {exc}") from None
    if response.status_code >= 400:
        try:
            detail = response.json().get("detail", response.reason)
        except ValueError:
            detail = response.reason
        raise PublisherError(f"{args.url}: HTTP {response.status_code}: {detail}")
    result: dict[str, Any] = response.json()
    return result


def cmd_admin(args: argparse.Namespace) -> int:
    import getpass

    from publisher import admin

    try:
        login = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        login = "unknown"
    if args.url:
        result = _admin_remote(args, args.actor or login)
    else:
        config, actor = _admin_settings(args)
        _require_migrated(config)
        note = f"via cli, login {login}" + (f", says: {args.actor}" if args.actor else "")
        ctx = _open(config, migrate=False)
        try:
            if args.action == "poll":
                outcome = admin.poll(
                    ctx, args.target, actor, args.why, run=not args.queue, note=note
                )
            elif args.action == "replay":
                try:
                    document_id = int(args.target)
                except ValueError:
                    raise ConfigError(f"{args.target!r} is not a document id") from None
                outcome = admin.replay(ctx, document_id, actor, args.why, note=note)
            elif args.action == "rerender":
                outcome = admin.rerender(ctx, actor, args.why, render_now=not args.queue, note=note)
            else:
                change = {
                    "hold": admin.hold,
                    "resume": admin.resume,
                    "release": admin.release,
                    "retract": admin.retract,
                }[args.action]
                outcome = change(ctx, args.target, actor, args.why, note=note)
        finally:
            ctx.store.dispose()
        result = json.loads(json.dumps(outcome.to_dict(), default=_json_default))
    if args.json:
        json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    extra = {k: v for k, v in result.items() if k not in ("ok", "action", "target", "actor", "why")}
    details = ", ".join(f"{k}={v}" for k, v in extra.items())
    print(
        f"{result['action']} {result['target']}: done by {result['actor']}"
        + (f" ({details})" if details else "")
    )
    return 0


def cmd_web(args: argparse.Namespace) -> int:
    """The web app alone (no embedded scheduler): for compose/systemd beside Celery workers."""
    import uvicorn

    from publisher import logs
    from publisher.web import create_app

    logs.setup(args.log_level)
    config = _settings(args)
    uvicorn.run(
        create_app(config),
        host=args.host or config.host,
        port=args.port if args.port is not None else config.port,
        proxy_headers=True,
        log_config=None,  # keep ``publisher.logs``' handlers
        server_header=False,
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="publisher",
        description="Publish approved meeting protocols as feeds.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("extract", help="print one document as normalized JSON")
    p.add_argument("document", metavar="PATH_OR_URL")
    p.add_argument("--format", default="auto", choices=["auto", *FORMATS])
    p.add_argument("--selectors", metavar="FILE", help="field expressions (TOML or JSON)")
    p.add_argument("--timezone", default="Europe/Stockholm", help="for dates without offset")
    p.add_argument("--body", help="body name, overriding the one the document gives")
    p.add_argument("--max-bytes", type=int, default=20 * 1024 * 1024, help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_extract)

    def with_config(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--config", metavar="FILE", help="settings file (or $PUBLISHER_CONFIG)")
        return p

    p = with_config(sub.add_parser("migrate", help="create or upgrade the database schema"))
    p.set_defaults(func=cmd_migrate)

    p = with_config(sub.add_parser("build", help="one pass: poll, release what is due, write"))
    p.add_argument("--now", metavar="T", help="ISO 8601 instant to use as the clock (not saved)")
    p.add_argument("--out", metavar="DIR", help="output directory (overrides the settings)")
    p.add_argument("--all", action="store_true", help="poll every source, due or not")
    p.set_defaults(func=cmd_build)

    p = with_config(sub.add_parser("run", help="the service: schedule, work (embedded), serve"))
    p.add_argument("--port", type=int, help="HTTP port (overrides the settings)")
    p.add_argument("--out", metavar="DIR", help="output directory (overrides the settings)")
    p.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    p.set_defaults(func=cmd_run)

    p = with_config(sub.add_parser("status", help="sources, pending publications, dead letters"))
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument(
        "--no-broker", action="store_true", help="do not ask Redis for the queue and workers"
    )
    p.set_defaults(func=cmd_status)

    p = with_config(
        sub.add_parser("web", help="serve the web app only (workers and beat run elsewhere)")
    )
    p.add_argument("--host", help="listen address (overrides the settings)")
    p.add_argument("--port", type=int, help="HTTP port (overrides the settings)")
    p.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    p.set_defaults(func=cmd_web)

    p = with_config(
        sub.add_parser(
            "admin",
            help="operator actions, each recorded in the event log with who and why",
            description="Acts on the database of --config directly, or with --url as a "
            "client of the admin API. Either way an admin token is required, from "
            "$PUBLISHER_ADMIN_TOKEN or --token-file; the event log records the name of the "
            "token that matched as the actor.",
        )
    )
    p.add_argument("--url", metavar="URL", help="base URL of a running web app to act through")
    p.add_argument(
        "--token-file",
        metavar="FILE",
        help="read the admin token from the first line of FILE (else $PUBLISHER_ADMIN_TOKEN)",
    )
    p.add_argument(
        "--actor",
        metavar="NAME",
        help="a name noted beside the reason (the actor recorded is the token's name)",
    )
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")

    def action(name: str, help_text: str, target: str | None) -> argparse.ArgumentParser:
        a = actions.add_parser(name, help=help_text)
        if target:
            a.add_argument("target", metavar=target)
        a.add_argument("--why", required=True, help="the reason, recorded in the event log")
        return a

    a = action("poll", "poll a source now", "SOURCE")
    a.add_argument("--queue", action="store_true", help="only make it due for the next sweep")
    action("hold", "hold a pending publication (it is not released when due)", "MEETING")
    action("resume", "put a held publication back on its schedule", "MEETING")
    action("release", "publish a pending or held publication now", "MEETING")
    action("retract", "retract a published protocol (feeds show a tombstone)", "MEETING")
    action("replay", "run a dead letter through extraction again", "DOCUMENT_ID")
    a = action(
        "rerender",
        "write every output file again, archive pages included (restores a deleted output "
        "directory)",
        None,
    )
    a.add_argument(
        "--queue",
        action="store_true",
        help="only mark the public meetings for the next release sweep (no archive pages)",
    )
    p.set_defaults(func=cmd_admin)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        result: int = args.func(args)
        return result
    except PublisherError as exc:
        print(f"publisher: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # the reader went away (`publisher extract … | head`): nothing to say to anyone; and
        # stdout goes to /dev/null, or flushing it at exit would fail once more
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141  # as a shell reports a command ended by SIGPIPE
    except Exception as exc:  # a bug: still one line for the user, the trace on request
        if os.environ.get("PUBLISHER_DEBUG"):
            raise
        print(
            f"publisher: internal error: {type(exc).__name__}: {exc} "
            "(set PUBLISHER_DEBUG=1 for details and please report it)",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
