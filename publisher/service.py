"""``publisher run``: the embedded single-process service.

Without a broker everything runs in this process: a scheduler thread calls the same job
functions the Celery tasks call (sweep sources → poll → process → release → render), and
uvicorn serves the ASGI app of ``publisher.web`` (files, API, embed) in the main thread.
With a broker configured the scheduler only *sends* the sweep tasks and real
``celery -A workers worker`` processes do the work; ``workers.scheduler`` provides that
sender so this module stays free of Celery.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from publisher import jobs
from publisher.jobs import Context

log = logging.getLogger("publisher.service")


def embedded_tick(ctx: Context) -> None:
    """One round of everything a worker fleet would do, in this process."""
    for source_id in jobs.sweep_sources(ctx):
        for document_id in jobs.poll_source(ctx, source_id):
            jobs.process_document(ctx, document_id)
    for document_id in jobs.recover(ctx):
        jobs.process_document(ctx, document_id)
    jobs.release(ctx)
    jobs.render(ctx)


def scheduler(tick: Callable[[], None], interval: float, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            tick()
        except Exception:  # keep serving; the error is in the log with its traceback
            log.exception("scheduler round failed")
        stop.wait(interval)


def serve(ctx: Context, tick: Callable[[], None], stop: threading.Event | None = None) -> None:
    """Serve ``publisher.web`` with uvicorn in this thread, the scheduler beside it.

    Returns when ``stop`` is set or on Ctrl-C/SIGTERM (uvicorn's handlers stop the server
    gracefully; uvicorn then re-raises the signal, which ``publisher run`` turns into its exit
    status). Either way the scheduler is stopped on the way out.
    """
    import uvicorn

    from publisher.web import create_app

    settings = ctx.settings
    settings.output_dir.mkdir(parents=True, exist_ok=True)
    stop = stop or threading.Event()
    thread = threading.Thread(
        target=scheduler,
        args=(tick, settings.sweep_interval.total_seconds(), stop),
        name="scheduler",
        daemon=True,
    )
    thread.start()
    app = create_app(settings, store_factory=lambda: ctx.store)
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,  # keep ``publisher.logs``' handlers
        access_log=False,
        server_header=False,
        lifespan="on",
    )
    server = uvicorn.Server(config)

    def announce_and_watch() -> None:
        while not server.started and not stop.is_set() and not server.should_exit:
            time.sleep(0.05)
        if server.started:
            port = settings.port
            for listener in server.servers:
                for sock in listener.sockets:
                    port = sock.getsockname()[1]
            print(  # noqa: T201 - the one line a person starting the service wants to see
                f"serving {settings.output_dir} on http://{settings.host}:{port}/ "
                f"(sweep every {settings.sweep_interval.total_seconds():g}s; Ctrl-C stops)",
                flush=True,
            )
        stop.wait()
        server.should_exit = True

    threading.Thread(target=announce_and_watch, name="serve-watch", daemon=True).start()
    try:
        server.run()
    finally:
        stop.set()
        thread.join(timeout=5)
