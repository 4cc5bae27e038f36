"""The sender half of ``publisher run`` when a broker is configured: real workers do the work."""

from __future__ import annotations

from collections.abc import Callable

from publisher.settings import Settings
from workers.celery_app import app, configure


def sender(settings: Settings) -> Callable[[], None]:
    configure(app, settings)

    def tick() -> None:
        app.send_task("publisher.sweep_sources")
        app.send_task("publisher.release_due")

    return tick
