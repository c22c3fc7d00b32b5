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
    _migrate(engine, "upgrade", revision)


def downgrade(engine: Engine, revision: str) -> None:
    _migrate(engine, "downgrade", revision)


def _migrate(engine: Engine, direction: str, revision: str) -> None:
    from alembic import command

    step = command.upgrade if direction == "upgrade" else command.downgrade
    with engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            # SQLite alters a table by copying it and dropping the old one, which foreign
            # keys pointing at it forbid; the pragma only takes effect outside a
            # transaction, so it goes straight to the driver, and is checked after.
            conn.connection.driver_connection.execute("PRAGMA foreign_keys = OFF")  # type: ignore[union-attr]
        try:
            # IMMEDIATE: a second process starting at the same moment waits for the first
            # one's migration to commit, then finds the schema current.
            with conn.begin():
                step(_config(conn), revision)
                if sqlite:
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").first()
                    if broken is not None:
                        raise RuntimeError(f"migration left a dangling reference: {tuple(broken)}")
        finally:
            if sqlite:
                conn.connection.driver_connection.execute("PRAGMA foreign_keys = ON")  # type: ignore[union-attr]
