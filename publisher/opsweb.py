"""HTTP routes for operations: probes, metrics, status pages and the admin API.

``ops_router(settings, get_ctx)`` returns a FastAPI ``APIRouter`` that the web app includes.

Public (put ``/metrics`` behind the proxy's allow-list, see deploy/nginx.conf):

=====================  ==========================================================
``GET /healthz``       the process is alive (no I/O)
``GET /readyz``        database and broker reachable; 503 naming what failed
``GET /metrics``       Prometheus exposition (``publisher.metrics``)
``GET /status``        subscribers' status page: per body the last publication and
                       whether its source is reachable; never an error message
``GET /status.json``   the same as JSON
=====================  ==========================================================

Only when an admin token is configured (``admin_token`` / ``PUBLISHER_ADMIN_TOKEN``, or named
tokens in ``[publisher.admin_tokens]``) — without one these routes do not exist (404), so a
forgotten token cannot mean an open admin API:

* ``POST /admin/...`` actions (``publisher.admin``) and ``GET /admin/status``,
  ``GET /admin/events``: ``Authorization: Bearer <token>`` only. Cookies are deliberately
  not accepted here, so a browser session cannot be ridden by a cross-site form (no CSRF).
  Body: JSON ``{"why": "...", "actor": "name"}``; the event log records the *name of the
  token* that matched as the actor; the client's ``actor`` is only a note in the reason
  (``why [via api, client says: name]``).
* ``GET /operator``: the read-only operator page. A browser signs in with a form
  (``POST /operator/login``) that sets an HttpOnly, SameSite=Strict cookie holding an expiry,
  the token's name and an HMAC of both keyed by that token — never the token itself, never a
  ``?token=`` URL (URLs end up in logs and browser history). Changing a token ends its
  sessions. Scripts may send the Bearer header instead.

Tokens are compared with ``hmac.compare_digest`` against every configured token
(``publisher.admin.authenticate``).
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import time
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any
from urllib.parse import parse_qs

import sqlalchemy as sa
from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from prometheus_client.core import GaugeMetricFamily, Metric
from pydantic import BaseModel

from publisher import admin, metrics, status
from publisher.jobs import Context
from publisher.settings import ADMIN_TOKEN_NAME, Settings

COOKIE = "publisher_operator"
SESSION_SECONDS = 8 * 3600
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


class ActionRequest(BaseModel):
    why: str
    actor: str | None = None


# --------------------------------------------------------------------------- auth helpers


def token_matches(given: str | None, expected: str) -> bool:
    return admin.authenticate({"_": expected}, given) is not None


def json_default(value: object) -> str:
    """JSON for what ``json`` cannot encode: ISO 8601 timestamps (``2026-11-23T09:37:34+00:00``,
    with the ``T``), everything else as text."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


def bearer(request: Request) -> str | None:
    value = request.headers.get("authorization", "")
    scheme, _, credentials = value.partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        return None
    return credentials.strip()


def _signature(token: str, name: str, expires: int) -> str:
    message = f"operator:{name}:{expires}".encode()
    return hmac.new(token.encode(), message, hashlib.sha256).hexdigest()


def _as_tokens(tokens: str | dict[str, str]) -> dict[str, str]:
    return {ADMIN_TOKEN_NAME: tokens} if isinstance(tokens, str) else tokens


def session_cookie(token: str, now: float | None = None, name: str = ADMIN_TOKEN_NAME) -> str:
    """``expires.name.signature``: the signature is keyed by the token named ``name``."""
    expires = int((now if now is not None else time.time()) + SESSION_SECONDS)
    return f"{expires}.{name}.{_signature(token, name, expires)}"


def session_name(
    value: str | None, tokens: str | dict[str, str], now: float | None = None
) -> str | None:
    """The name of the token a valid, unexpired session cookie was signed with, else None."""
    if not value or value.count(".") != 2:
        return None
    raw_expires, name, signature = value.split(".")
    if not raw_expires.isdigit():
        return None
    expires = int(raw_expires)
    if expires < (now if now is not None else time.time()):
        return None
    token = _as_tokens(tokens).get(name)
    if token is None:
        return None
    if hmac.compare_digest(signature.encode(), _signature(token, name, expires).encode()):
        return name
    return None


def session_valid(
    value: str | None, tokens: str | dict[str, str], now: float | None = None
) -> bool:
    return session_name(value, tokens, now) is not None


# --------------------------------------------------------------------------- HTML


def _fmt(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _e(value: object) -> str:
    return html.escape(_fmt(value))


def _table(headers: Iterable[str], rows: Iterable[Iterable[object]], empty: str) -> str:
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="t">{_e(cell)}</td>' if isinstance(cell, date) else f"<td>{_e(cell)}</td>"
            for cell in row
        )
        + "</tr>"
        for row in rows
    )
    if not body:
        return f'<p class="empty">{html.escape(empty)}</p>'
    head = "".join(f'<th scope="col">{html.escape(h)}</th>' for h in headers)
    return (
        f'<div class="scroll"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


STYLE = """
body{font:16px/1.45 system-ui,sans-serif;margin:0 auto;max-width:72rem;padding:1rem 1.5rem;
color:#1b1b1b;background:#fff}
h1{font-size:1.6rem;margin:.5rem 0 1rem}h2{font-size:1.2rem;margin:1.8rem 0 .5rem}
table{border-collapse:collapse;width:100%;font-size:.92rem}
th,td{text-align:left;padding:.35rem .6rem;border-bottom:1px solid #ddd;vertical-align:top}
th{background:#f3f3f3}.empty{color:#555}td.t{white-space:nowrap}
td{overflow-wrap:break-word}.scroll{overflow-x:auto}
.state-ok,.yes{color:#0a6b2d;font-weight:600}
.state-failing,.no{color:#a1141a;font-weight:600}
.state-backing-off,.state-stale{color:#8a5300;font-weight:600}
.meta{color:#555;font-size:.9rem}.unknown{color:#555}
form{margin:1rem 0}input{font:inherit;padding:.3rem}button{font:inherit;padding:.3rem .8rem}
"""


def _page(title: str, body: str, status_code: int = 200) -> HTMLResponse:
    text = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )
    return HTMLResponse(
        text,
        status_code=status_code,
        headers={
            "Content-Security-Policy": CSP,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        },
    )


def public_page(data: dict[str, Any]) -> HTMLResponse:
    rows = []
    for body in data["bodies"]:
        reachable = {
            True: '<span class="yes">yes</span>',
            False: '<span class="no">not at the moment</span>',
        }.get(body["reachable"], '<span class="unknown">not checked yet</span>')
        rows.append(
            f'<tr><th scope="row">{_e(body["body"])}</th>'
            f"<td>{_e(body['last_published_at'])}</td><td>{reachable}</td></tr>"
        )
    table = (
        '<table><thead><tr><th scope="col">Body</th><th scope="col">Last protocol published</th>'
        '<th scope="col">Source reachable</th></tr></thead><tbody>'
        + "".join(rows)
        + "</tbody></table>"
        if rows
        else '<p class="empty">No bodies known yet.</p>'
    )
    body = (
        f"<h1>{_e(data['organization'])}: publication status</h1>"
        f'<p class="meta">As of {_e(data["now"])}. '
        'Machine-readable: <a href="status.json">status.json</a>.</p>' + table
    )
    return _page(f"{data['organization']}: status", body)


def _source_rows(report: dict[str, Any]) -> str:
    rows = []
    for src in report["sources"]:
        state = src["state"]
        css = "state-" + state.replace(" ", "-")
        error = ""
        if src["last_error"]:
            error = f"{src['last_error_reason'] or ''}: {src['last_error']}"
        rhythm = src.get("rhythm") or {}
        usual = (
            f"every ~{rhythm['median_days']:g} d, silent {rhythm['silent_days']} d"
            if rhythm.get("median_days") is not None
            else f"learning ({rhythm.get('intervals', 0)} intervals)"
        )
        cells = [
            f'<th scope="row">{_e(src["id"])}</th>',
            f'<td class="{css}">{_e(state)}</td>',
            f'<td class="t">{_e(src["last_poll_at"])}</td>',
            f'<td class="t">{_e(src["last_success_at"])}</td>',
            f'<td class="t">{_e(src["next_poll_at"])}</td>',
            f"<td>{_e(src['documents'])}</td>",
            f"<td>{_e(src['drafts'])}</td>",
            f"<td>{_e(usual)}</td>",
            f"<td>{_e(error or None)}</td>",
        ]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    headers = [
        "Source",
        "State",
        "Last poll",
        "Last success",
        "Next poll",
        "Docs",
        "Drafts",
        "Rhythm",
        "Last error",
    ]
    head = "".join(f'<th scope="col">{h}</th>' for h in headers)
    if not rows:
        return '<p class="empty">No sources configured.</p>'
    return (
        f'<div class="scroll"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def operator_page(report: dict[str, Any], events: list[dict[str, Any]]) -> HTMLResponse:
    counts = report["counts"]
    broker = report["broker"]
    workers = broker.get("workers")
    workers_text = ", ".join(workers) if isinstance(workers, list) else workers
    overdue_rows = [
        (body["body"], m["meeting_date"], m["status"], m["days_since"], m["source_id"])
        for body in report["overdue"]
        for m in body["meetings"]
    ]
    event_rows = []
    for ev in events:
        detail = dict(ev["detail"])
        why = detail.pop("why", None)
        event_rows.append(
            (
                ev["at"],
                ev["kind"],
                ev["source_id"],
                ev["meeting_id"],
                ev["actor"],
                why,
                json.dumps(detail, ensure_ascii=False, default=str) if detail else None,
            )
        )
    body = (
        "<h1>Operator status</h1>"
        f'<p class="meta">As of {_e(report["now"])}. Publications: {counts["pending"]} pending, '
        f"{counts['held']} held, {counts['published']} published, "
        f"{counts['retracted']} retracted; drafts waiting: {counts['drafts']}; dead letters: "
        f"{counts['dead_letters']}. Queue: {_e(broker.get('queue_length', 'n/a'))}; "
        f"workers: {_e(workers_text or 'none answering')}.</p>"
        '<form method="post" action="operator/logout"><button>Sign out</button></form>'
        "<h2>Sources</h2>"
        + _source_rows(report)
        + f"<h2>Overdue (meeting more than {report['overdue_days']} days ago, no approved"
        " protocol)</h2>"
        + _table(
            ["Body", "Meeting", "Status", "Days ago", "Source"], overdue_rows, "Nothing overdue."
        )
        + "<h2>Pending publications</h2>"
        + _table(
            ["Meeting", "Body", "Meeting date", "State", "Due"],
            (
                (p["meeting_id"], p["body_name"], p["meeting_date"], p["state"], p["due_at"])
                for p in report["pending"]
            ),
            "Nothing pending.",
        )
        + "<h2>Dead letters</h2>"
        + _table(
            ["Document", "Source", "Key", "Fetched", "Reason", "Error"],
            (
                (d["id"], d["source_id"], d["key"], d["fetched_at"], d["error_reason"], d["error"])
                for d in report["dead_letters"]
            ),
            "No dead letters.",
        )
        + "<h2>Recent events</h2>"
        + _table(
            ["At", "Event", "Source", "Meeting", "Actor", "Why", "Detail"],
            event_rows,
            "No events yet.",
        )
    )
    response = _page("Operator status", body)
    response.headers["Cache-Control"] = "no-store"
    return response


def login_page(message: str | None = None, status_code: int = 200) -> HTMLResponse:
    note = f'<p class="no" role="alert">{html.escape(message)}</p>' if message else ""
    body = (
        "<h1>Operator sign-in</h1>"
        + note
        + '<form method="post" action="login"><label for="token">Admin token</label> '
        '<input id="token" name="token" type="password" autocomplete="current-password" '
        "required> <button>Sign in</button></form>"
    )
    response = _page("Operator sign-in", body, status_code)
    response.headers["Cache-Control"] = "no-store"
    return response


# --------------------------------------------------------------------------- the router


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=json_default))


def _extra_metrics(get_ctx: Callable[[], Context]) -> Callable[[], list[Metric]]:
    def extra() -> list[Metric]:
        ctx = get_ctx()
        stale = GaugeMetricFamily(
            "publisher_source_stale",
            "1 if a source has been silent for longer than its learned rhythm allows",
            labels=["source"],
        )
        for source_id, learnt in sorted(status.rhythms(ctx).items()):
            stale.add_metric([source_id], 1.0 if learnt.stale else 0.0)
        overdue = GaugeMetricFamily(
            "publisher_overdue_meetings",
            "Meetings older than overdue_days without an approved protocol",
            labels=["body"],
        )
        for body in status.overdue(ctx):
            overdue.add_metric([body["body_slug"]], len(body["meetings"]))
        return [stale, overdue]

    return extra


def ops_router(settings: Settings, get_ctx: Callable[[], Context]) -> APIRouter:
    router = APIRouter()
    collector = metrics.PipelineCollector(
        get_store=lambda: get_ctx().store,
        source_ids=lambda: [s.id for s in get_ctx().settings.sources],
        clock=lambda: get_ctx().now(),
        extra=_extra_metrics(get_ctx),
    )
    registry = metrics.registry_for(collector)

    @router.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", include_in_schema=False)
    def readyz() -> JSONResponse:
        checks: dict[str, str] = {}
        try:
            with get_ctx().store.engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
            checks["database"] = "ok"
        except sa.exc.SQLAlchemyError:
            checks["database"] = "unreachable"
        broker = status.broker(settings, ping_workers=False)
        if not broker["configured"] or broker["queue_length"] == "n/a":
            checks["broker"] = "not configured"
        elif broker["queue_length"] == "unreachable":
            checks["broker"] = "unreachable"
        else:
            checks["broker"] = "ok"
        failed = sorted(name for name, state in checks.items() if state == "unreachable")
        return JSONResponse(
            {"ready": not failed, "failed": failed, "checks": checks},
            status_code=503 if failed else 200,
        )

    @router.get("/metrics", include_in_schema=False)
    def metrics_endpoint() -> Response:
        return Response(metrics.exposition(registry), media_type=metrics.CONTENT_TYPE)

    @router.get("/status.json")
    def public_status_json() -> JSONResponse:
        return JSONResponse(_jsonable(status.public(get_ctx())))

    @router.get("/status", response_class=HTMLResponse)
    def public_status() -> HTMLResponse:
        return public_page(status.public(get_ctx()))

    tokens = settings.tokens()
    if not tokens:
        return router  # no token: no admin or operator routes at all
    secure = settings.base_url.startswith("https://")

    def authorized(request: Request, *, allow_cookie: bool) -> str | None:
        """The name of the token the request proves to hold, else None."""
        name = admin.authenticate(tokens, bearer(request))
        if name is None and allow_cookie:
            name = session_name(request.cookies.get(COOKIE), tokens)
        return name

    def require_bearer(request: Request) -> str:
        name = authorized(request, allow_cookie=False)
        if name is None:
            raise HTTPException(
                401, "a valid admin token is required", {"WWW-Authenticate": "Bearer"}
            )
        return name

    guard = [Depends(require_bearer)]

    def note_of(body: ActionRequest) -> str:
        claimed = " ".join((body.actor or "").split())[:128]
        return "via api" + (f", client says: {claimed}" if claimed else "")

    def run(action: Callable[[], admin.Result]) -> dict[str, Any]:
        try:
            result: dict[str, Any] = _jsonable(action().to_dict())
        except admin.AdminError as exc:
            raise HTTPException(exc.status, str(exc)) from None
        return result

    @router.get("/operator/login", response_class=HTMLResponse, include_in_schema=False)
    def operator_login_form() -> HTMLResponse:
        return login_page()

    @router.post("/operator/login", include_in_schema=False)
    async def operator_login(request: Request) -> Response:
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        given = (form.get("token") or [""])[0]
        name = admin.authenticate(tokens, given)
        if name is None:
            return login_page("That token is not valid.", 401)
        response = RedirectResponse("../operator", status_code=303)
        response.set_cookie(
            COOKIE,
            session_cookie(tokens[name], name=name),
            max_age=SESSION_SECONDS,
            httponly=True,
            samesite="strict",
            secure=secure,
            path="/",
        )
        return response

    @router.post("/operator/logout", include_in_schema=False)
    def operator_logout() -> Response:
        response = RedirectResponse("login", status_code=303)
        response.delete_cookie(COOKIE, path="/")
        return response

    @router.get("/operator", response_class=HTMLResponse, include_in_schema=False)
    def operator(request: Request) -> Response:
        if authorized(request, allow_cookie=True) is None:
            return RedirectResponse("operator/login", status_code=303)
        ctx = get_ctx()
        return operator_page(status.report(ctx), ctx.store.events(limit=50))

    @router.get("/admin/status", dependencies=guard)
    def admin_status() -> JSONResponse:
        return JSONResponse(_jsonable(status.report(get_ctx())))

    @router.get("/admin/events", dependencies=guard)
    def admin_events(limit: int = 100, meeting_id: str | None = None) -> Any:
        found = get_ctx().store.events(meeting_id=meeting_id, limit=max(1, min(limit, 1000)))
        return _jsonable(found)

    # the token's name; a default rather than Annotated: annotations are strings here, and
    # FastAPI resolves them in the module, where require_bearer does not exist
    token_name = Depends(require_bearer)

    @router.post("/admin/sources/{source_id}/poll")
    def admin_poll(source_id: str, body: ActionRequest, actor: str = token_name) -> dict[str, Any]:
        return run(lambda: admin.poll(get_ctx(), source_id, actor, body.why, note=note_of(body)))

    @router.post("/admin/publications/{meeting_id}/{action}")
    def admin_publication(
        meeting_id: str, action: str, body: ActionRequest, actor: str = token_name
    ) -> dict[str, Any]:
        actions = {
            "hold": admin.hold,
            "resume": admin.resume,
            "release": admin.release,
            "retract": admin.retract,
        }
        if action not in actions:
            raise HTTPException(404, f"no action {action!r}")
        return run(
            lambda: actions[action](get_ctx(), meeting_id, actor, body.why, note=note_of(body))
        )

    @router.post("/admin/dead-letters/{document_id}/replay")
    def admin_replay(
        document_id: int, body: ActionRequest, actor: str = token_name
    ) -> dict[str, Any]:
        return run(
            lambda: admin.replay(get_ctx(), document_id, actor, body.why, note=note_of(body))
        )

    @router.post("/admin/rerender")
    def admin_rerender(body: ActionRequest, actor: str = token_name) -> dict[str, Any]:
        return run(lambda: admin.rerender(get_ctx(), actor, body.why, note=note_of(body)))

    return router


def create_ops_app(settings: Settings, get_ctx: Callable[[], Context]) -> Any:
    """A FastAPI app with only the operations routes: for tests and for a deployment that
    serves the feeds from nginx alone."""
    from fastapi import FastAPI

    app = FastAPI(title=f"{settings.organization}: operations", docs_url=None, redoc_url=None)
    app.include_router(ops_router(settings, get_ctx))
    return app
