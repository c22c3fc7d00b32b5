"""Where ``bench/scale.py`` keeps its desks, on either backend, and how rows go in fast.

A SQLite desk is a file (``bench/.cache/…`` by default) with a ``.json`` beside it naming
the sizes it was built with. A PostgreSQL desk is a database of its own on a server the
benchmark may create databases on; the sizes it was built with are the database's comment
(``COMMENT ON DATABASE``), written when the build finished, so an interrupted build is
never reused and the database says itself what it holds.

Rows go in with SQLAlchemy Core's executemany on SQLite and with ``COPY … FROM STDIN`` on
PostgreSQL (psycopg's ``Copy.write_row``), several times faster than multi-row INSERTs
there. Explicit ids bypass PostgreSQL's sequences, so ``finish`` moves each sequence past
the ids used (or the next row a session adds would collide), rebuilds the search indexes,
and gathers the planner's statistics (``VACUUM ANALYZE`` on PostgreSQL, which also sets the
visibility map that index-only scans need, as autovacuum does on a desk in use).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: A server the benchmark may create and drop databases on (the test suite's, by default).
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:54329/postgres"


def server_url() -> str:
    return os.environ.get("WORKBENCH_BENCH_PG") or os.environ.get("WORKBENCH_TEST_PG", DEFAULT_PG)


@dataclass(frozen=True)
class Desk:
    """A desk the benchmark builds or reuses: a SQLite file or a PostgreSQL database."""

    backend: str  # sqlite | postgres
    location: str  # a file path, or a postgresql+psycopg:// URL

    @property
    def label(self) -> str:
        if self.backend == "sqlite":
            return self.location
        from sqlalchemy.engine import make_url

        return make_url(self.location).render_as_string(hide_password=True)

    @property
    def name(self) -> str:
        """The PostgreSQL database's name."""
        from sqlalchemy.engine import make_url

        return str(make_url(self.location).database)

    # ------------------------------------------------------------------ PostgreSQL admin

    def _admin(self) -> Any:
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url

        url = make_url(self.location).set(database="postgres")
        return create_engine(url, isolation_level="AUTOCOMMIT", pool_size=1)

    def _admin_run(self, sql: str, **params: Any) -> list[Any]:
        from sqlalchemy import text

        engine = self._admin()
        try:
            with engine.connect() as conn:
                result = conn.execute(text(sql), params)
                return list(result.all()) if result.returns_rows else []
        finally:
            engine.dispose()

    # ------------------------------------------------------------------ life cycle

    def built_with(self) -> dict[str, Any] | None:
        """What the finished build recorded (sizes, rows), or None if there is none."""
        try:
            if self.backend == "sqlite":
                path = Path(self.location)
                meta = path.with_name(path.name + ".json")
                if not path.exists() or not meta.exists():
                    return None
                return dict(json.loads(meta.read_text()))
            found = self._admin_run(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                "WHERE datname = :name",
                name=self.name,
            )
            if not found or not found[0][0]:
                return None
            return dict(json.loads(found[0][0]))
        except (ValueError, OSError):
            return None

    def record(self, meta: dict[str, Any]) -> None:
        """Say the build finished, and with what."""
        text = json.dumps(meta)
        if self.backend == "sqlite":
            path = Path(self.location)
            path.with_name(path.name + ".json").write_text(text)
            return
        quoted = text.replace("'", "''")
        self._admin_run(f"COMMENT ON DATABASE \"{self.name}\" IS '{quoted}'")

    def remove(self) -> None:
        """Make room for a new build (the database is created empty, without a comment)."""
        if self.backend == "sqlite":
            for suffix in ("", "-wal", "-shm", ".json"):
                Path(self.location + suffix).unlink(missing_ok=True)
            return
        self._admin_run(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        self._admin_run(f'CREATE DATABASE "{self.name}"')

    def size_mb(self) -> float:
        if self.backend == "sqlite":
            return Path(self.location).stat().st_size / 2**20
        found = self._admin_run("SELECT pg_database_size(:name)", name=self.name)
        return float(found[0][0]) / 2**20


def default_desk(backend: str, stem: str) -> Desk:
    """The cached desk for these sizes: ``bench/.cache/STEM.db``, or database ``wb_STEM``."""
    if backend == "sqlite":
        cache = Path(__file__).resolve().parent / ".cache"
        cache.mkdir(parents=True, exist_ok=True)
        return Desk("sqlite", str(cache / f"{stem}.db"))
    from sqlalchemy.engine import make_url

    name = "wb_" + stem.replace("-", "_")
    url = make_url(server_url()).set(database=name)
    return Desk("postgres", url.render_as_string(hide_password=False))


def desk_at(backend: str, location: str) -> Desk:
    if backend == "postgres" and "://" not in location:
        raise SystemExit(f"error: --backend postgres takes a database URL, not {location!r}")
    if backend == "sqlite" and location.startswith("postgresql"):
        raise SystemExit("error: a postgresql URL needs --backend postgres")
    return Desk(backend, location)


# --------------------------------------------------------------------------- inserting


def insert_rows(conn: Any, table: Any, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (all with the same keys) into ``table`` on this connection's
    transaction: executemany on SQLite, ``COPY`` on PostgreSQL."""
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        from sqlalchemy import insert

        conn.execute(insert(table), rows)
        return
    from sqlalchemy import JSON

    names = list(rows[0])
    as_json = [isinstance(table.c[name].type, JSON) for name in names]
    columns = ", ".join(f'"{name}"' for name in names)
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        with cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(
                    [
                        json.dumps(row[n]) if j and row[n] is not None else row[n]
                        for n, j in zip(names, as_json, strict=True)
                    ]
                )
    finally:
        cursor.close()


def finish(engine: Any, phases: dict[str, float], log: Callable[[str], None]) -> None:
    """Sequences past the ids used, search indexes (raw inserts bypassed their upkeep),
    planner statistics; a WAL checkpoint on SQLite."""
    from sqlmodel import SQLModel

    from db.search import rebuild

    postgres = engine.dialect.name == "postgresql"
    if postgres:
        with engine.begin() as conn:
            for table in SQLModel.metadata.tables.values():
                if "id" in table.c and table.c["id"].primary_key:
                    conn.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                        f'coalesce(max(id), 0) + 1, false) FROM "{table.name}"'
                    )
    for kind in ("article", "statement"):
        began = time.perf_counter()
        with engine.begin() as conn:
            rebuild(conn, kind)
        phases[f"fts {kind}"] = time.perf_counter() - began
        log(f"  rebuilt the {kind} search index in {phases[f'fts {kind}']:.1f} s")
    began = time.perf_counter()
    if postgres:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
        phases["analyze"] = time.perf_counter() - began
        log(f"  VACUUM ANALYZE in {phases['analyze']:.1f} s")
        return
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    raw = engine.raw_connection()  # a checkpoint cannot run inside a transaction
    try:
        raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]
    finally:
        raw.close()
    phases["analyze"] = time.perf_counter() - began
    log(f"  ANALYZE and checkpoint in {phases['analyze']:.1f} s")


def analyze(engine: Any) -> None:
    """Fresh planner statistics after a migration added indexes to a desk built earlier
    (SQLite keeps statistics per index; PostgreSQL's are per column, but cheap to renew)."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")
        return
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
