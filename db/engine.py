"""Opening a desk database: URL resolution, per-connection pragmas, migrations, backup.

SQLite is the embedded default. Its driver is put in autocommit mode and we emit ``BEGIN``
ourselves, because pysqlite's implicit ``BEGIN`` is deferred: a read-then-write transaction
that upgrades to a write lock fails at once with "database is locked", ignoring the busy
timeout. Writers ask for ``BEGIN IMMEDIATE`` through the ``sqlite_begin`` execution option.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.pool import ConnectionPoolEntry

from db.location import (
    SUPPORTED_SCHEMES,
    DatabaseError,
    check_location,
    is_url,
    scheme_of,
    sqlite_file,
)

BUSY_TIMEOUT_MS = 15_000


def resolve_url(value: str) -> str:
    """Turn a ``--db`` value into a SQLAlchemy URL: a plain path means a SQLite file."""
    value = value.strip()
    if not value:
        raise DatabaseError("empty database location")
    path = sqlite_file(value)
    if path is not None:  # one reading of a SQLite location, shared with check_location
        return f"sqlite:///{path}"
    if is_url(value) and scheme_of(value) == "sqlite":
        raise DatabaseError(
            "an in-memory database cannot be shared by the desk's sessions; give a file path"
        )
    try:
        url = make_url(value)
    except ArgumentError as exc:
        raise DatabaseError(f"cannot parse database URL {value!r}") from exc
    if url.get_backend_name() not in SUPPORTED_SCHEMES:
        raise DatabaseError(
            f"unsupported database {url.get_backend_name()!r} in {value!r} "
            "(use a SQLite path or a postgresql:// URL)"
        )
    return value


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for other backends and in-memory databases."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def _on_sqlite_connect(dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
    # Autocommit at the driver level; transactions are begun explicitly in _on_begin.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
    finally:
        cursor.close()


def _on_begin(conn: Any) -> None:
    mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")


def make_engine(url: str, *, check: bool = True) -> Engine:
    """An engine with the desk's connection settings; does not migrate (see ``open_desk``)."""
    url = resolve_url(url)
    path = sqlite_path(url)
    if path is not None:
        if check:
            check_location(str(path))
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
            pool_size=8,
            max_overflow=8,
        )
        event.listen(engine, "connect", _on_sqlite_connect)
        event.listen(engine, "begin", _on_begin)
        return engine
    try:
        return create_engine(url, pool_pre_ping=True)
    except (ImportError, NoSuchModuleError) as exc:
        backend = make_url(url).get_backend_name()
        raise DatabaseError(
            f"cannot open {backend} database: its driver is not installed ({exc}); "
            "this version of the workbench stores desks in SQLite files"
        ) from exc


def open_desk(url: str, *, migrate: bool = True) -> Engine:
    """Open (creating if needed) and migrate a desk; errors come back as DatabaseError."""
    from db.migrate import upgrade

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        if migrate:
            upgrade(engine)
    except DBAPIError as exc:
        engine.dispose()
        raise DatabaseError(f"cannot open database {_display(url)}: {_reason(exc)}") from exc
    return engine


def _display(url: str) -> str:
    path = sqlite_path(resolve_url(url))
    return str(path) if path is not None else make_url(url).render_as_string(hide_password=True)


def _reason(exc: DBAPIError) -> str:
    return str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)


def backup(engine: Engine, target: Path) -> None:
    """A consistent copy of a live SQLite desk, taken with SQLite's online backup API."""
    source_path = sqlite_path(str(engine.url))
    if source_path is None:
        raise DatabaseError("backup works on SQLite desks; use pg_dump for PostgreSQL")
    target = target.expanduser().resolve()
    if target == source_path:
        raise DatabaseError("backup target is the database itself")
    if not target.parent.exists():
        raise DatabaseError(f"cannot write backup {target}: folder {target.parent} does not exist")
    if target.is_dir():
        raise DatabaseError(f"cannot write backup {target}: it is a directory")
    partial = target.with_name(target.name + ".partial")
    raw = engine.raw_connection()
    try:
        dest = sqlite3.connect(partial)
        try:
            raw.driver_connection.backup(dest)  # type: ignore[union-attr]
        finally:
            dest.close()
        partial.replace(target)
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise DatabaseError(f"backup to {target} failed: {exc}") from exc
    finally:
        raw.close()
