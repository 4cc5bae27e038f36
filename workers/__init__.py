"""Celery app and thin tasks — the only package that imports Celery.

``celery -A workers worker`` and ``celery -A workers beat`` find ``app`` here. The settings
file is named by ``$PUBLISHER_CONFIG``.
"""

from workers.celery_app import app

__all__ = ["app"]
