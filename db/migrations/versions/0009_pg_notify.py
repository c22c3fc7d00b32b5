"""live refresh on PostgreSQL: every committed Change row is notified

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27

A statement trigger on ``change`` sends ``NOTIFY workbench_changes`` with the ids the
statement inserted, written as spans (``"12,15-40"``: one notification per 200 spans, well
under PostgreSQL's 8000-byte payload limit). PostgreSQL delivers notifications when the
transaction commits and drops them when it rolls back, so listeners (``db.changes``) hear
of committed rows only, from any writer: the workbench, a script, psql. One statement
inserting a thousand rows sends one short notification, not a thousand.

SQLite has no notifications: its sessions poll ``PRAGMA data_version``; nothing to do.
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

FUNCTION = """
CREATE OR REPLACE FUNCTION workbench_change_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    payload text;
BEGIN
    FOR payload IN
        SELECT string_agg(span, ',' ORDER BY first_id)
        FROM (
            SELECT min(id) AS first_id,
                   CASE WHEN min(id) = max(id) THEN min(id)::text
                        ELSE min(id)::text || '-' || max(id)::text END AS span,
                   (row_number() OVER (ORDER BY min(id)) - 1) / 200 AS part
            FROM (
                SELECT id, id - row_number() OVER (ORDER BY id) AS island
                FROM new_changes
            ) AS numbered
            GROUP BY island
        ) AS spans
        GROUP BY part
        ORDER BY part
    LOOP
        PERFORM pg_notify('workbench_changes', payload);
    END LOOP;
    RETURN NULL;
END
$$
"""

TRIGGER = """
CREATE TRIGGER change_notify
AFTER INSERT ON change
REFERENCING NEW TABLE AS new_changes
FOR EACH STATEMENT EXECUTE FUNCTION workbench_change_notify()
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(FUNCTION)
    op.execute(TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS change_notify ON change")
    op.execute("DROP FUNCTION IF EXISTS workbench_change_notify()")
