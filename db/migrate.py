"""Alembic, driven from code: the migrations ship inside the wheel, next to this module.

Opening a desk checks the stored revision against ``HEAD`` first, so a desk already at the
newest schema never pays for importing Alembic and scanning its scripts at start-up.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, Engine, inspect, text

from db.migrations import HEAD

MIGRATIONS = Path(__file__).parent / "migrations"


def current_revision(conn: Connection) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _config(conn: Connection):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = conn
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision``; concurrent starters serialise on the write lock."""
    with engine.connect() as conn:
        if revision == "head" and current_revision(conn) == HEAD:
            return
    from alembic import command

    # IMMEDIATE: a second process starting at the same moment waits for the first one's
    # migration to commit, then finds the schema current instead of failing halfway.
    with engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn, conn.begin():
        command.upgrade(_config(conn), revision)


def downgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    with engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn, conn.begin():
        command.downgrade(_config(conn), revision)
