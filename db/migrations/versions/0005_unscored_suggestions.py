"""suggestions ordered by score with unscored ones last

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain SQL: the index is on an expression, which must read exactly as the query's
    # ORDER BY does (db.models.SUGGESTION_SCORE) for SQLite to serve the order from it.
    op.execute("DROP INDEX IF EXISTS ix_statement_review_score")
    op.execute(
        "CREATE INDEX ix_statement_suggested ON statement (review, coalesce(score, -1.0), id)"
    )


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_statement_suggested")
    op.execute("CREATE INDEX ix_statement_review_score ON statement (review, score, id)")
