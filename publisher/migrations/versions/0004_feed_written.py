"""feed files mark: how far each feed's files are known to be written

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 08:00:00

``feeds.written`` is the log length up to which a feed's archive pages and current documents
were written completely (``feeds.render``). A render that logged entries and then failed
before writing leaves it behind, and the next render writes every page from there on, so
an RFC 5005 archive chain never points at a page that was never written. Existing feeds
start at 0: the first render after the upgrade writes each feed's archive pages once, which
also repairs gaps an earlier release may have left. Only adds a column.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("feeds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("written", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("feeds", schema=None) as batch_op:
        batch_op.drop_column("written")
