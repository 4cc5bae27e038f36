"""The Celery application, configured once from the settings object.

Reliability settings follow DESIGN.md: late acks and ``task_reject_on_worker_lost`` so a
killed worker's task is redelivered, prefetch 1 so one slow document never holds others
hostage, hard/soft time limits, and no ETA/countdown beyond a few minutes anywhere — the
publish delay lives in the database and the beat sweeps release it.
"""

from __future__ import annotations

import logging
import os
from datetime import timedelta
from functools import cache

from celery import Celery
from celery.signals import after_setup_logger, after_setup_task_logger

from publisher import settings as settings_module
from publisher.jobs import Context, open_context
from publisher.logs import JsonFormatter
from publisher.settings import Settings

app = Celery("publisher", include=["workers.tasks"])


@cache
def settings() -> Settings:
    return settings_module.load(os.environ.get("PUBLISHER_CONFIG"))


@cache
def context() -> Context:
    """One store (connection pool) per worker process."""
    return open_context(settings())


def configure(app: Celery, config: Settings) -> None:
    sweep = config.sweep_interval.total_seconds()
    app.conf.update(
        broker_url=config.broker_url or "memory://",
        result_backend=None,
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_time_limit=600,
        task_soft_time_limit=540,
        task_default_queue="publisher",
        # Redis redelivers unacked tasks after this; it must exceed the longest task.
        broker_transport_options={"visibility_timeout": 3600},
        broker_connection_retry_on_startup=True,
        worker_send_task_events=True,  # Flower works out of the box
        task_send_sent_event=True,
        worker_hijack_root_logger=False,
        timezone="UTC",
        enable_utc=True,
        beat_schedule={
            "sweep-sources": {"task": "publisher.sweep_sources", "schedule": sweep},
            "release-due": {"task": "publisher.release_due", "schedule": sweep},
        },
        beat_max_loop_interval=max(1.0, min(sweep, timedelta(minutes=1).total_seconds())),
    )


if os.environ.get("PUBLISHER_CONFIG"):
    configure(app, settings())


@after_setup_logger.connect
@after_setup_task_logger.connect
def _json_logs(logger: logging.Logger, *args: object, **kwargs: object) -> None:
    for handler in logger.handlers:
        handler.setFormatter(JsonFormatter())


def ping_workers(broker_url: str, timeout: float = 1.0) -> list[str]:
    """Host names of the workers answering a control ping within ``timeout`` seconds.

    A separate, unconfigured app: it only needs the broker, and must not change the
    configuration of ``app`` in the process asking (``publisher status``, the web app).
    """
    probe = Celery("publisher-probe", broker=broker_url)
    probe.conf.update(broker_connection_retry=False, broker_connection_max_retries=0)
    try:
        replies = probe.control.ping(timeout=timeout) or []
    finally:
        probe.close()
    return sorted(name for reply in replies for name in reply)
