"""feed log: the feeds' append-only entry log and per-feed metadata

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 08:00:00

Existing published meetings enter the log the next time they are rendered;
``feeds.render.render_all`` renders everything once after the upgrade.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from publisher.store import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feeds",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("body_slug", sa.String(length=128), nullable=True),
        sa.Column("body_name", sa.String(length=512), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("length", sa.Integer(), server_default="0", nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "feed_log",
        sa.Column("feed", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("entry_key", sa.String(length=400), nullable=False),
        sa.Column("meeting_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("feed", "position"),
    )
    with op.batch_alter_table("feed_log", schema=None) as batch_op:
        batch_op.create_index("ix_feed_log_entry", ["feed", "entry_key", "position"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("feed_log", schema=None) as batch_op:
        batch_op.drop_index("ix_feed_log_entry")
    op.drop_table("feed_log")
    op.drop_table("feeds")
