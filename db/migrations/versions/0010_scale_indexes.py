"""covering indexes for the panes: counts, jumps and pages stay inside one index

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27

Every pane lists live rows (``deleted_at IS NULL``), most of them without the dismissed
ones, in an index's order. The indexes held the order but not the filter columns, so a
count, an ``OFFSET`` jump or an ``index_of`` read every row it passed from the table: at a
million statements 200-300 ms for a count and up to 700 ms for a jump into the timeline
(``bench/scale.py``). Here the filter columns follow the order columns, so those queries
read the index alone (SQLite's "COVERING INDEX", PostgreSQL's index-only scan).

The filter columns come *after* the order columns, not before: PostgreSQL does not treat
``deleted_at IS NULL`` as pinning a leading column, so an index led by it would not give
the panes' order there. Every changed index keeps its old columns as its prefix, so any
query the old one served, the new one serves too. ``ix_statement_suggested`` also ends with
``score`` itself: PostgreSQL reads an expression's value from an index only when the
columns under it are in the index too (without it, a jump to the 75,000th suggestion sorted
every suggestion: 1.8 s).
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

#: name → (table, new columns, old columns); None: the index is new
INDEXES: dict[str, tuple[str, str, str | None]] = {
    "ix_statement_live": ("statement", "id, deleted_at, review", None),
    "ix_statement_timeline": ("statement", "said_on, id, deleted_at, review", "said_on, id"),
    "ix_statement_review": ("statement", "review, id, deleted_at", "review, id"),
    "ix_statement_suggested": (
        "statement",
        "review, coalesce(score, -1.0), id, deleted_at, score",
        "review, coalesce(score, -1.0), id",
    ),
    "ix_article_feed": ("article", "sort_at, id, deleted_at, triage", "sort_at, id"),
    "ix_article_triage_feed": (
        "article",
        "triage, sort_at, id, deleted_at",
        "triage, sort_at, id",
    ),
}


def upgrade() -> None:
    # Plain SQL: ix_statement_suggested is on an expression that must read exactly as the
    # query's ORDER BY does (db.models.SUGGESTION_SCORE) for SQLite to serve the order.
    for name, (table, columns, old) in INDEXES.items():
        if old is not None:
            op.execute(f"DROP INDEX IF EXISTS {name}")
        op.execute(f"CREATE INDEX {name} ON {table} ({columns})")


def downgrade() -> None:
    for name, (table, _columns, old) in INDEXES.items():
        op.execute(f"DROP INDEX IF EXISTS {name}")
        if old is not None:
            op.execute(f"CREATE INDEX {name} ON {table} ({old})")
