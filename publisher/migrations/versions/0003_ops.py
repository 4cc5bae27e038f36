"""ops counters: poll outcomes, fetch latency and render counts shared by all processes

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 08:00:00

Celery workers do the polling in separate processes (often on other hosts), so an in-process
Prometheus counter would only ever be seen by the process that scraped it. The few numbers
that cannot be derived from the pipeline's own tables at scrape time are kept here instead
(see ``publisher.metrics``). Only adds a table: a database of the previous release upgrades
without touching its data.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ops_counters",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("source_id", sa.String(length=64), server_default="", nullable=False),
        sa.Column("label", sa.String(length=64), server_default="", nullable=False),
        sa.Column("value", sa.Float(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("name", "source_id", "label"),
    )


def downgrade() -> None:
    op.drop_table("ops_counters")
