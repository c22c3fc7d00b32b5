"""Opening a desk database: URL resolution, per-connection pragmas, migrations, backup.

SQLite is the embedded default. Its driver is put in autocommit mode and we emit ``BEGIN``
ourselves, because pysqlite's implicit ``BEGIN`` is deferred: a read-then-write transaction
that upgrades to a write lock fails at once with "database is locked", ignoring the busy
timeout. Writers ask for ``BEGIN IMMEDIATE`` through the ``sqlite_begin`` execution option.

"database is locked" can still come back: the busy timeout runs out behind a long writer,
and SQLite answers SQLITE_BUSY without waiting while another connection runs WAL recovery
(after a crash) or cleans up as the last one to close (see "Sometimes Queries Return
SQLITE_BUSY In WAL Mode" in SQLite's WAL documentation). So the statements that cannot have
done anything when they fail that way are retried a bounded number of times with jittered
backoff (``retry_busy``): the connection's pragmas, ``BEGIN``, and ``COMMIT`` (which, on
SQLITE_BUSY, leaves the transaction open and intact; in WAL mode it does not wait for
readers, but a desk on a file system without shared memory runs with a rollback journal,
where it does).

A desk file is created by ``make_engine`` itself, honouring the umask: SQLite creates new
databases 0644 whatever the umask, and gives the WAL and shared-memory files the database
file's mode, so on a shared desk (a group-writable folder, ``umask 002``) a desk SQLite
created would lock every other editor out of writing.
"""

from __future__ import annotations

import os
import random
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

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
#: Further attempts after a statement that is safe to repeat failed with SQLITE_BUSY.
BUSY_RETRIES = 4
#: Backoff before retry n (from 0): a random time between half and all of
#: ``min(BUSY_BACKOFF_CAP, BUSY_BACKOFF_BASE * 2**n)`` seconds, so writers that collided
#: do not collide again in step.
BUSY_BACKOFF_BASE = 0.05
BUSY_BACKOFF_CAP = 1.0
#: How the backoff waits; tests replace it to act at the moment a retry is due.
backoff_sleep: Callable[[float], None] = time.sleep

T = TypeVar("T")


def is_busy(exc: BaseException) -> bool:
    """SQLITE_BUSY ("database is locked"), raw or wrapped by SQLAlchemy."""
    orig = getattr(exc, "orig", None)
    error = orig if isinstance(orig, sqlite3.Error) else exc
    if not isinstance(error, sqlite3.OperationalError):
        return False
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return (code & 0xFF) == sqlite3.SQLITE_BUSY
    return "database is locked" in str(error)


def backoff_delay(retry: int) -> float:
    """Seconds to wait before retry ``retry`` (0-based): exponential, capped, jittered."""
    ceiling = min(BUSY_BACKOFF_CAP, BUSY_BACKOFF_BASE * 2**retry)
    return random.uniform(ceiling / 2, ceiling)


def retry_busy(operation: Callable[[], T], *, retries: int | None = None) -> T:
    """Run ``operation``, again after a backoff each time it fails with SQLITE_BUSY, at
    most ``retries`` more times (``BUSY_RETRIES``); then its error stands.

    Only for statements that change nothing when they fail that way: taking the write
    lock, committing (the transaction stays open), setting a connection's pragmas. A
    transaction's body is never repeated here: it ran in the caller's ``with`` block.
    """
    limit = BUSY_RETRIES if retries is None else retries
    for attempt in range(limit + 1):
        try:
            return operation()
        except (sqlite3.OperationalError, DBAPIError) as exc:
            if attempt == limit or not is_busy(exc):
                raise
        backoff_sleep(backoff_delay(attempt))
    raise AssertionError("unreachable")  # pragma: no cover


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

    def configure() -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.execute("PRAGMA foreign_keys = ON")
        finally:
            cursor.close()

    # Opening right after a crash (another connection is recovering the WAL) or while the
    # last session closes answers SQLITE_BUSY at once; the pragmas are safe to repeat.
    retry_busy(configure)


def _on_begin(conn: Any) -> None:
    mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
    # A BEGIN that failed began nothing: taking the lock again is always safe.
    retry_busy(lambda: conn.exec_driver_sql(f"BEGIN {mode}"))


def _on_commit(conn: Any) -> None:
    """COMMIT here, retried while SQLite says busy; the driver's own commit that follows
    is then a no-op (pysqlite commits only when a transaction is open)."""
    driver = conn.connection.driver_connection
    if driver is None or not driver.in_transaction:
        return

    def commit() -> None:
        if not driver.in_transaction:  # rolled back under us: never report it committed
            raise DatabaseError("the transaction was rolled back before it could commit")
        conn.exec_driver_sql("COMMIT")

    retry_busy(commit)


#: The desk's write lock on PostgreSQL: a transaction-scoped advisory lock (advisory lock
#: keys are per database, so one constant serves every desk on a server).
PG_WRITE_LOCK = 0x57_4F_52_4B  # "WORK"


def _on_pg_begin(conn: Any) -> None:
    """A writer's transaction (``sqlite_begin="IMMEDIATE"``) takes the desk's write lock
    first, as ``BEGIN IMMEDIATE`` does on SQLite: writers then run one at a time, so a
    read-check-write (the version check of optimistic locking, a counter bumped from the
    row as read) can never interleave with another writer's under READ COMMITTED. Readers
    never wait; a write transaction holds the lock for milliseconds."""
    if conn.get_execution_options().get("sqlite_begin") == "IMMEDIATE":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PG_WRITE_LOCK})")


def create_sqlite_file(path: Path) -> None:
    """Create an empty desk file with the umask's permissions (SQLite's own would be
    0644 whatever the umask, and its WAL and shared-memory files copy the desk's mode);
    an empty file is a valid, empty SQLite database. Does nothing if it exists."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    except FileExistsError:
        pass
    except OSError:
        pass  # a missing or unwritable folder: SQLite's own error says it, as before


def make_engine(url: str, *, check: bool = True) -> Engine:
    """An engine with the desk's connection settings; does not migrate (see ``open_desk``)."""
    url = resolve_url(url)
    path = sqlite_path(url)
    if path is not None:
        if check:
            check_location(str(path))
        create_sqlite_file(path)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
            pool_size=8,
            max_overflow=8,
        )
        event.listen(engine, "connect", _on_sqlite_connect)
        event.listen(engine, "begin", _on_begin)
        event.listen(engine, "commit", _on_commit)
        return engine
    try:
        engine = create_engine(url, pool_pre_ping=True)
    except (ImportError, NoSuchModuleError) as exc:
        backend = make_url(url).get_backend_name()
        raise DatabaseError(
            f"cannot open {backend} database: its driver is not installed ({exc}); "
            "PostgreSQL desks take the psycopg driver: postgresql+psycopg://…"
        ) from exc
    if engine.dialect.name == "postgresql":
        event.listen(engine, "begin", _on_pg_begin)
    return engine


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
    partial.unlink(missing_ok=True)  # a leftover of a failed run: start from empty
    create_sqlite_file(partial)  # honours the umask, as exports do (SQLite's would not)
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
