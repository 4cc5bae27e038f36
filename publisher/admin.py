"""Operator actions, shared by ``publisher admin …`` and the ``/admin/…`` HTTP routes.

Each action takes the actor (who) and a reason (why), changes state through
``publisher.lifecycle``/``publisher.jobs`` and leaves one event in the event log with
``actor``, ``at`` and ``why``. The actor is always the *name of the admin token* the caller
proved to hold (:func:`authenticate`); what a client says about itself (an API ``actor``
field, the CLI's login name) is only a ``note``, appended to the recorded reason as
``why [note]`` — never the actor. Errors are typed so both front ends can map them: an unknown
id is :class:`NotFound` (HTTP 404), an action that does not apply to the current state is
:class:`Conflict` (HTTP 409), a missing reason is :class:`BadRequest` (HTTP 400).

What happens *now* and what is left to the loop:

* ``poll`` makes the source due at once; the next sweep (``sweep_interval``) polls it, in
  whichever process does the work. ``run=True`` (the CLI) polls and processes it in the
  calling process right away instead.
* ``hold`` / ``resume`` / ``release`` / ``retract`` change the publication; the render that
  makes the change public happens in the next release sweep (the beat's ``release_due`` task
  renders whatever is marked), so a web process need not share a disk with the output.
* ``rerender`` marks every public publication for rendering; ``render_now=True`` (the CLI)
  renders in the calling process, and then re-renders *everything* with
  ``feeds.render.render_all`` — every feed, every RFC 5005 archive page, every meeting page —
  so it also restores a lost or deleted output directory.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from publisher import jobs, lifecycle
from publisher.errors import PublisherError
from publisher.jobs import Context
from publisher.store import publications, sources

ACTIONS = ("poll", "hold", "resume", "release", "retract", "replay", "rerender")


class AdminError(PublisherError):
    status = 400


class BadRequest(AdminError):
    status = 400


class NotFound(AdminError):
    status = 404


class Conflict(AdminError):
    status = 409


@dataclass
class Result:
    action: str
    target: str
    actor: str
    why: str
    detail: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": True,
            "action": self.action,
            "target": self.target,
            "actor": self.actor,
            "why": self.why,
            **self.detail,
        }


def authenticate(tokens: Mapping[str, str], given: str | None) -> str | None:
    """The name of the configured token equal to ``given``, else ``None``.

    Every configured token is compared, with ``hmac.compare_digest`` over SHA-256 digests
    (equal lengths, so not even a token's length leaks), and the loop never stops early: the
    time taken does not tell which token, or whether any, matched.
    """
    if not given:
        return None
    digest = hashlib.sha256(given.encode("utf-8")).digest()
    found: str | None = None
    for name, token in sorted(tokens.items()):
        same = hmac.compare_digest(digest, hashlib.sha256(token.encode("utf-8")).digest())
        if same and found is None:
            found = name
    return found


def _check(actor: str, why: str, note: str | None = None) -> tuple[str, str]:
    actor, why = (actor or "").strip(), (why or "").strip()
    if not why:
        raise BadRequest('a reason is required (--why / "why"): it goes to the event log')
    if not actor:
        raise BadRequest("an actor is required")
    note = " ".join((note or "").split())[:200]
    return actor[:128], (why[:2000] + (f" [{note}]" if note else ""))


def _publication(ctx: Context, meeting_id: str) -> dict[str, Any]:
    pub = ctx.store.publication(meeting_id)
    if pub is None:
        raise NotFound(f"no publication for meeting {meeting_id!r}")
    return pub


def poll(
    ctx: Context,
    source_id: str,
    actor: str,
    why: str,
    *,
    run: bool = False,
    note: str | None = None,
) -> Result:
    actor, why = _check(actor, why, note)
    try:
        source = ctx.settings.source(source_id)
    except PublisherError:
        raise NotFound(f"no source {source_id!r}") from None
    if not source.enabled:
        raise Conflict(f"source {source_id!r} is disabled in the configuration")
    now = ctx.now()
    ctx.store.ensure_sources([source_id], now)
    with ctx.store.begin() as conn:
        conn.execute(sources.update().where(sources.c.id == source_id).values(next_poll_at=now))
        ctx.store.log(conn, "poll_requested", now, source_id=source_id, actor=actor, why=why)
    detail: dict[str, Any] = {"queued": not run}
    if run:
        claimed = jobs.sweep_sources(ctx, only=[source_id])
        new_ids = jobs.poll_source(ctx, source_id) if claimed else []
        for document_id in new_ids:
            jobs.process_document(ctx, document_id, actor)
        state = ctx.store.source_state(source_id) or {}
        detail.update(
            new_documents=len(new_ids),
            failures=state.get("failures", 0),
            last_error=state.get("last_error") if state.get("failures") else None,
        )
    return Result("poll", source_id, actor, why, detail)


def _transition(
    ctx: Context,
    action: str,
    meeting_id: str,
    actor: str,
    why: str,
    allowed: tuple[str, ...],
    note: str | None,
) -> Result:
    actor, why = _check(actor, why, note)
    pub = _publication(ctx, meeting_id)
    if pub["state"] not in allowed:
        raise Conflict(
            f"cannot {action} meeting {meeting_id!r}: it is {pub['state']} "
            f"(only {' or '.join(allowed)})"
        )
    change = {
        "hold": lifecycle.hold,
        "resume": lifecycle.unhold,
        "release": lifecycle.release_now,
        "retract": lifecycle.retract,
    }[action]
    if not change(ctx.store, meeting_id, ctx.now(), actor, why):
        # lost a race with the sweep or another operator: report what it is now
        now_state = _publication(ctx, meeting_id)["state"]
        raise Conflict(f"cannot {action} meeting {meeting_id!r}: it is now {now_state}")
    return Result(action, meeting_id, actor, why, {"state": _publication(ctx, meeting_id)["state"]})


def hold(ctx: Context, meeting_id: str, actor: str, why: str, *, note: str | None = None) -> Result:
    """Stop a pending publication from being released when due."""
    return _transition(ctx, "hold", meeting_id, actor, why, ("pending",), note)


def resume(
    ctx: Context, meeting_id: str, actor: str, why: str, *, note: str | None = None
) -> Result:
    """Put a held publication back on its schedule."""
    return _transition(ctx, "resume", meeting_id, actor, why, ("held",), note)


def release(
    ctx: Context, meeting_id: str, actor: str, why: str, *, note: str | None = None
) -> Result:
    """Publish a pending or held publication now, whatever its ``due_at``."""
    return _transition(ctx, "release", meeting_id, actor, why, ("pending", "held"), note)


def retract(
    ctx: Context, meeting_id: str, actor: str, why: str, *, note: str | None = None
) -> Result:
    """Withdraw a published protocol: the feeds show a tombstone instead of the entry."""
    return _transition(ctx, "retract", meeting_id, actor, why, ("published",), note)


def replay(
    ctx: Context, document_id: int, actor: str, why: str, *, note: str | None = None
) -> Result:
    """Run a dead letter through extraction again (after a fix was deployed)."""
    actor, why = _check(actor, why, note)
    doc = ctx.store.document(document_id)
    if doc is None:
        raise NotFound(f"no document {document_id}")
    if doc["state"] != "failed":
        raise Conflict(f"document {document_id} is {doc['state']}, not a dead letter")
    meeting_id = jobs.replay(ctx, document_id, actor, why)
    after = ctx.store.document(document_id) or {}
    return Result(
        "replay",
        str(document_id),
        actor,
        why,
        {
            "state": after.get("state"),
            "meeting_id": meeting_id,
            "error_reason": after.get("error_reason"),
        },
    )


def rerender(
    ctx: Context, actor: str, why: str, *, render_now: bool = False, note: str | None = None
) -> Result:
    """Write every public output again (after a template or configuration change, or to
    restore a lost output directory: with ``render_now`` every file, archive pages included,
    is written through ``feeds.render.render_all``)."""
    actor, why = _check(actor, why, note)
    now = ctx.now()
    with ctx.store.begin() as conn:
        marked = conn.execute(
            publications.update()
            .where(publications.c.state.in_(["published", "retracted"]))
            .values(needs_render=True)
        ).rowcount
        ctx.store.log(conn, "rerender_requested", now, actor=actor, why=why, marked=marked)
    detail: dict[str, Any] = {"marked": marked, "queued": not render_now}
    if render_now:
        rendered = 0
        # jobs.render takes a bounded batch per call; a huge archive needs several
        for _ in range(10_000):
            batch = jobs.render(ctx)
            rendered += len(batch)
            if not batch:
                break
        from feeds.render import render_all

        # the marked meetings are rendered above (and their marks cleared); render_all then
        # writes every feed, archive page and meeting page, so nothing missing stays missing
        written = render_all(ctx.settings, ctx.store)
        detail.update(rendered=rendered, files_written=len(written))
    return Result("rerender", "all", actor, why, detail)
