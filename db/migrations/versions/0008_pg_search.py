"""full-text search on PostgreSQL: tsvector tables with GIN indexes over live rows

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26
"""

from __future__ import annotations

from alembic import op

from db import search

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # PostgreSQL only: SQLite searches its FTS5 tables (0006). The vectors are built by
    # db.search from the same words the ranking reads, so both backends find the same.
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        search.create_pg_indexes(bind)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        search.drop_pg_indexes(bind)
