"""full-text search: FTS5 indexes over live articles and statements

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

from db import search

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # SQLite only: PostgreSQL gets its own text search with the PostgreSQL backend.
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        search.create_indexes(bind)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        search.drop_indexes(bind)
