"""Moving a whole desk to another database: SQLite → PostgreSQL when a newsroom outgrows
one file, PostgreSQL → SQLite to take a desk away, SQLite → SQLite to compact or move one.

``copy_desk`` reads the source in one read transaction, so what it copies is one
consistent moment of a desk that editors may still be writing to (SQLite's WAL snapshot;
PostgreSQL's ``REPEATABLE READ``). The target is brought to the same schema revision by the
migrations, and must hold no desk yet: two desks are never mixed, and ``replace=True``
empties it first, in the same transaction as the copy. Everything lands in one transaction
on the target, so a failed copy leaves it as it was.

Tables go in dependency order (``SQLModel.metadata.sorted_tables``), streamed in batches
of ``BATCH`` rows, ids preserved: on PostgreSQL through ``COPY`` (one statement per table,
so the foreign keys of a table onto itself, an article marked as a duplicate of a later
one, are checked when the table is complete), on SQLite by ``executemany`` with foreign
keys deferred to the commit. Then PostgreSQL's id sequences are moved past the copied ids,
and the search index is rebuilt on the target (``db.search.rebuild``: the repository keeps
it in step with each write, and these rows did not come through the repository).

Verification: per table, the row count and a SHA-256 over its rows in primary-key order,
each value normalised so that both backends give the same digest for the same content
(datetimes as aware UTC ISO strings, JSON canonicalised, booleans as booleans, floats as
floats). The source's digests are taken from the very rows copied, the target's by reading
it back after the commit. ``verify_desks`` compares two desks the same way without copying.

``presence`` is not copied: it lists the sessions open on the source, which are not open
on the target. Alembic's bookkeeping and the search tables are the target's own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Connection,
    Date,
    DateTime,
    Engine,
    Float,
    Integer,
    Table,
    TypeDecorator,
    exists,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlmodel import SQLModel

import db.models  # noqa: F401  (registers every table on SQLModel.metadata)
from db.location import DatabaseError, sqlite_file

#: Rows per batch read from the source (and per ``executemany`` on a SQLite target).
BATCH = 5000
#: Tables that are not desk content: the sessions open on the source.
NOT_COPIED = frozenset({"presence"})


class CopyError(DatabaseError):
    """A copy that cannot start or did not verify, said in one line."""


@dataclass(frozen=True)
class TableCheck:
    """One table on both sides: how many rows, and the digest of their content."""

    name: str
    source_rows: int
    source_digest: str
    target_rows: int
    target_digest: str

    @property
    def matches(self) -> bool:
        return (self.source_rows, self.source_digest) == (self.target_rows, self.target_digest)

    @property
    def difference(self) -> str:
        if self.source_rows != self.target_rows:
            return f"{_rows(self.source_rows)} in the source, {self.target_rows} in the target"
        return f"same {_rows(self.source_rows)}, different content"


def _rows(count: int) -> str:
    return f"{count:,} row" if count == 1 else f"{count:,} rows"


@dataclass(frozen=True)
class CopyReport:
    source: str
    target: str
    revision: str
    tables: tuple[TableCheck, ...]
    seconds: float
    copied: bool
    #: where the time went: "copy" (rows read, written and digested), "search" (the
    #: index rebuilt), "verify" (the target read back), in seconds
    phases: dict[str, float] = field(default_factory=dict)

    @property
    def verified(self) -> bool:
        return all(table.matches for table in self.tables)

    @property
    def mismatched(self) -> tuple[TableCheck, ...]:
        return tuple(table for table in self.tables if not table.matches)

    @property
    def rows(self) -> int:
        return sum(table.source_rows for table in self.tables)


Progress = Callable[[str, int], None]


def desk_tables() -> list[Table]:
    """The tables a copy moves, parents before children."""
    return [t for t in SQLModel.metadata.sorted_tables if t.name not in NOT_COPIED]


def display(url: str) -> str:
    """A location fit to print: the file of a SQLite desk, a URL without its password."""
    from db.engine import resolve_url, sqlite_path

    resolved = resolve_url(url)
    path = sqlite_path(resolved)
    return str(path) if path is not None else make_url(resolved).render_as_string()


# --------------------------------------------------------------------------- digests


def _normaliser(column: Any) -> Callable[[Any], Any] | None:
    """How one column's values are written into the digest so that both backends give the
    same (each value has been through the column's SQLAlchemy type already); None where
    the value is the same Python value either way (integers, text)."""
    kind = column.type
    if isinstance(kind, TypeDecorator):  # UTCDateTime, AutoString: what they store
        kind = kind.impl_instance
    if isinstance(kind, DateTime):
        return _stamp
    if isinstance(kind, Date):
        return _day
    if isinstance(kind, Boolean):
        return bool
    if isinstance(kind, Float):
        return float
    if isinstance(kind, JSON):
        return _canonical_json
    return None


def _stamp(value: dt.datetime) -> str:
    if value.tzinfo is not dt.UTC:
        if value.tzinfo is None:  # a naive value is UTC (SQLite stores no offset)
            value = value.replace(tzinfo=dt.UTC)
        value = value.astimezone(dt.UTC)
    return value.isoformat()


def _day(value: dt.date) -> str:
    return value.isoformat()


def _canonical_json(value: Any) -> Any:
    """JSON with its keys sorted; a plain list of strings (tags, the commonest) is
    already canonical as it is."""
    if type(value) is list and all(type(item) is str for item in value):
        return value
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class Digest:
    """A table's row count and SHA-256, fed rows in primary-key order. A row is hashed as
    the ``repr`` of its normalised values, which is exact for the types left (int, str,
    float, bool, None) and the same from either backend."""

    def __init__(self, table: Table) -> None:
        self.rows = 0
        self._fix = [
            (index, found)
            for index, column in enumerate(table.columns)
            if (found := _normaliser(column)) is not None
        ]
        self._hash = hashlib.sha256()
        self._hash.update(repr((table.name, [c.name for c in table.columns])).encode())

    def add(self, rows: Sequence[Sequence[Any]]) -> None:
        fix, update = self._fix, self._hash.update
        for row in rows:
            values = list(row)
            for index, normal in fix:
                value = values[index]
                if value is not None:
                    values[index] = normal(value)
            update(repr(values).encode())
            update(b"\n")
        self.rows += len(rows)

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


def _ordered(table: Table, dialect: str) -> Any:
    """Every row in primary-key order, the same order on both backends: text keys compare
    bytewise (PostgreSQL's ``C`` collation is SQLite's ``BINARY``), whatever the server's
    locale would say."""
    keys = []
    for column in table.primary_key.columns:
        if isinstance(column.type, Integer):
            keys.append(column)
        else:
            keys.append(column.collate("C" if dialect == "postgresql" else "BINARY"))
    return select(*table.columns).order_by(*keys)


def _stream(conn: Connection, table: Table) -> Iterator[Sequence[Sequence[Any]]]:
    result = conn.execution_options(stream_results=True, yield_per=BATCH).execute(
        _ordered(table, conn.dialect.name)
    )
    yield from result.partitions(BATCH)


def digest_desk(conn: Connection, tables: Sequence[Table] | None = None) -> dict[str, Digest]:
    """Each table's digest, read on ``conn`` (in whatever transaction it is in)."""
    found = {}
    for table in tables if tables is not None else desk_tables():
        digest = Digest(table)
        for rows in _stream(conn, table):
            digest.add(rows)
        found[table.name] = digest
    return found


# --------------------------------------------------------------------------- opening


def _engines(
    source: str, target: str, *, target_exists: bool = False
) -> tuple[Engine, Engine, str]:
    """Both desks opened (not migrated), the source checked first, so a copy refused for
    its source's sake leaves no target behind; and the source's schema revision."""
    from db import engine as engines

    src_path, tgt_path = _sqlite_path(source), _sqlite_path(target)
    for path in (src_path, tgt_path if target_exists else None):
        if path is not None and not path.exists():
            raise CopyError(f"no desk at {path}")
    if src_path is not None and src_path == tgt_path:
        raise CopyError("the source and the target are the same desk")
    if src_path is None and tgt_path is None:
        a, b = (make_url(engines.resolve_url(u)) for u in (source, target))
        if (a.host, a.port, a.database) == (b.host, b.port, b.database):
            raise CopyError("the source and the target are the same desk")
    src = engines.open_desk(source, migrate=False)
    try:
        revision = _check_source(src, "the source")
        tgt = engines.open_desk(target, migrate=False)
    except Exception:
        src.dispose()
        raise
    return src, tgt, revision


def _sqlite_path(location: str) -> Any:
    return sqlite_file(location) if location.strip() else None


def _revision(engine: Engine) -> str | None:
    from db.migrate import current_revision

    with engine.connect() as conn:
        return current_revision(conn)


def _check_source(engine: Engine, label: str) -> str:
    from db.migrations import HEAD

    revision = _revision(engine)
    if revision is None:
        raise CopyError(f"{label} holds no desk (no workbench schema)")
    if revision != HEAD:
        raise CopyError(
            f"{label} is at schema revision {revision}, this workbench writes {HEAD}: "
            f"bring it up to date first (workbench db upgrade --db …)"
        )
    return revision


def occupied(engine: Engine | Connection) -> dict[str, int]:
    """The desk tables that hold rows, with their counts (empty: no desk there)."""
    if isinstance(engine, Engine):
        with engine.connect() as conn:
            return occupied(conn)
    conn = engine
    present = set(inspect(conn).get_table_names())
    counts = {}
    for table in desk_tables():
        if table.name in present and conn.execute(select(exists().select_from(table))).scalar():
            counts[table.name] = int(
                conn.execute(select(func.count()).select_from(table)).scalar_one()
            )
    return counts


def _refuse_a_desk(held: dict[str, int], replace: bool) -> None:
    if held and not replace:
        raise CopyError(
            f"the target already holds a desk ({_held(held)}): refusing to mix two desks; "
            "copy into an empty database, or give --replace to discard everything the "
            "target holds"
        )


def _held(counts: dict[str, int]) -> str:
    biggest = sorted(counts.items(), key=lambda item: -item[1])
    shown = ", ".join(f"{name} {n:,}" for name, n in biggest[:4])
    more = ", …" if len(biggest) > 4 else ""
    return f"{sum(counts.values()):,} rows: {shown}{more}"


# --------------------------------------------------------------------------- copying


def copy_desk(
    source: str,
    target: str,
    *,
    replace: bool = False,
    progress: Progress | None = None,
) -> CopyReport:
    """Copy the desk at ``source`` to ``target`` (paths or URLs) and verify it.

    Raises ``CopyError`` before writing anything when the source is not a desk at this
    workbench's schema, when source and target are one desk, or when the target already
    holds a desk and ``replace`` is not given. The report says per table whether the
    target matches; the caller decides what a mismatch means (the CLI exits non-zero)."""
    from db.migrate import upgrade

    started = time.monotonic()
    src, tgt, revision = _engines(source, target)
    try:
        _refuse_a_desk(occupied(tgt), replace)  # before migrating someone's desk
        upgrade(tgt)
        tables = desk_tables()
        phases: dict[str, float] = {}
        source_digests = _copy(src, tgt, tables, replace=replace, progress=progress, phases=phases)
        verifying = time.monotonic()
        with _snapshot(tgt) as conn:
            target_digests = digest_desk(conn, tables)
        phases["verify"] = time.monotonic() - verifying
        return CopyReport(
            source=display(source),
            target=display(target),
            revision=revision,
            tables=_compare(tables, source_digests, target_digests),
            seconds=time.monotonic() - started,
            copied=True,
            phases=phases,
        )
    finally:
        src.dispose()
        tgt.dispose()


def verify_desks(source: str, target: str) -> CopyReport:
    """Compare two desks table by table (counts and content digests), copying nothing."""
    started = time.monotonic()
    src, tgt, revision = _engines(source, target, target_exists=True)
    try:
        found = _revision(tgt)
        if found != revision:
            held = "no desk" if found is None else f"schema revision {found}"
            raise CopyError(f"the target holds {held}, the source is at {revision}")
        tables = desk_tables()
        with _snapshot(src) as conn:
            source_digests = digest_desk(conn, tables)
        with _snapshot(tgt) as conn:
            target_digests = digest_desk(conn, tables)
        return CopyReport(
            source=display(source),
            target=display(target),
            revision=revision,
            tables=_compare(tables, source_digests, target_digests),
            seconds=time.monotonic() - started,
            copied=False,
        )
    finally:
        src.dispose()
        tgt.dispose()


def _compare(
    tables: Sequence[Table], source: dict[str, Digest], target: dict[str, Digest]
) -> tuple[TableCheck, ...]:
    return tuple(
        TableCheck(
            name=t.name,
            source_rows=source[t.name].rows,
            source_digest=source[t.name].hexdigest(),
            target_rows=target[t.name].rows,
            target_digest=target[t.name].hexdigest(),
        )
        for t in tables
    )


class _snapshot:
    """A read transaction that sees one moment of the desk however long it lasts."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.conn: Connection | None = None

    def __enter__(self) -> Connection:
        conn = self.engine.connect()
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
        self.conn = conn
        conn.begin()
        return conn

    def __exit__(self, *_exc: object) -> None:
        assert self.conn is not None
        self.conn.rollback()  # read only: nothing to keep
        self.conn.close()


def _copy(
    src: Engine,
    tgt: Engine,
    tables: Sequence[Table],
    *,
    replace: bool,
    progress: Progress | None,
    phases: dict[str, float],
) -> dict[str, Digest]:
    """Stream every table from one snapshot of ``src`` into one transaction on ``tgt``;
    the digests of the rows read."""
    from db import search

    digests: dict[str, Digest] = {}
    writer = tgt.connect().execution_options(sqlite_begin="IMMEDIATE")
    try:
        with _snapshot(src) as reading, writer.begin():
            postgres = writer.dialect.name == "postgresql"
            if not postgres:
                # Checked at the commit: a row may point at a later row of its own table.
                writer.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
            # Again inside the write transaction: a desk written there since the first
            # look is not mixed with this one either.
            held = occupied(writer)
            _refuse_a_desk(held, replace)
            if held:
                _clear(writer, tables)
            copying = time.monotonic()
            for table in tables:
                digest = digests[table.name] = Digest(table)
                batches = _counted(_stream(reading, table), digest, table.name, progress)
                try:
                    if postgres:
                        _copy_in(writer, table, batches)
                    else:
                        _insert_many(writer, table, batches)
                except (DBAPIError, writer.dialect.loaded_dbapi.Error) as exc:
                    raise CopyError(f"copying table {table.name}: {_reason(exc)}") from exc
            if postgres:
                _move_sequences(writer, tables)
            indexing = time.monotonic()
            phases["copy"] = indexing - copying
            for kind in search.VIEWS:  # "rebuild everything": both indexes, either backend
                search.rebuild(writer, kind)
            phases["search"] = time.monotonic() - indexing
    finally:
        writer.close()
    return digests


def _counted(
    batches: Iterator[Sequence[Any]], digest: Digest, name: str, progress: Progress | None
) -> Iterator[Sequence[Any]]:
    for rows in batches:
        digest.add(rows)
        if progress is not None:
            progress(name, digest.rows)
        yield rows


def _clear(writer: Connection, tables: Sequence[Table]) -> None:
    """``--replace``: everything the target holds goes, children before parents (its
    sessions' presence too: they were on the desk being discarded)."""
    if writer.dialect.name == "postgresql":
        names = ", ".join(writer.dialect.identifier_preparer.format_table(t) for t in tables)
        writer.exec_driver_sql(f"TRUNCATE {names}, presence CASCADE")
        return
    for table in reversed(tables):
        writer.execute(table.delete())
    writer.exec_driver_sql("DELETE FROM presence")


def _copy_in(writer: Connection, table: Table, batches: Iterable[Sequence[Any]]) -> None:
    """PostgreSQL: one ``COPY … FROM STDIN`` for the table, fed batch by batch."""
    preparer = writer.dialect.identifier_preparer
    columns = ", ".join(preparer.quote(c.name) for c in table.columns)
    is_json = [isinstance(c.type, JSON) for c in table.columns]
    cursor = writer.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        sql = f"COPY {preparer.format_table(table)} ({columns}) FROM STDIN"
        with cursor.copy(sql) as copy:
            for rows in batches:
                for row in rows:
                    copy.write_row(
                        [
                            _json(v) if j and v is not None else v
                            for j, v in zip(is_json, row, strict=True)
                        ]
                    )
    finally:
        cursor.close()


def _insert_many(writer: Connection, table: Table, batches: Iterable[Sequence[Any]]) -> None:
    """SQLite: ``executemany`` on the driver, each value turned into what SQLAlchemy would
    store for it (its type's bind processor), without building a statement per row."""
    dialect = writer.dialect
    preparer = dialect.identifier_preparer
    processors = [
        (index, found)
        for index, column in enumerate(table.columns)
        if (found := _storer(column, dialect)) is not None
    ]
    columns = ", ".join(preparer.quote(c.name) for c in table.columns)
    marks = ", ".join("?" for _ in table.columns)
    sql = f"INSERT INTO {preparer.format_table(table)} ({columns}) VALUES ({marks})"
    cursor = writer.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        for rows in batches:
            stored = []
            for row in rows:
                values = list(row)
                for index, process in processors:
                    if values[index] is not None:
                        values[index] = process(values[index])
                stored.append(values)
            cursor.executemany(sql, stored)
    finally:
        cursor.close()


def _storer(column: Any, dialect: Any) -> Callable[[Any], Any] | None:
    """What SQLAlchemy does to a value of ``column`` before SQLite stores it; the aware
    datetimes (three in most rows) by a faster route to the very same text."""
    kind = column.type
    if isinstance(kind, TypeDecorator) and isinstance(kind.impl_instance, DateTime):
        return sqlite_stamp
    return kind.dialect_impl(dialect).bind_processor(dialect)


def sqlite_stamp(value: dt.datetime) -> str:
    """An aware datetime as SQLAlchemy stores it in SQLite: UTC, no offset, microseconds
    always (``2026-11-11 12:15:00.000000``), so stored values compare as text."""
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.isoformat(" ", "microseconds")


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _move_sequences(writer: Connection, tables: Sequence[Table]) -> None:
    """PostgreSQL hands out ids from a sequence that the copied rows did not move: set
    each past the largest id copied, so the next row written gets the next id."""
    preparer = writer.dialect.identifier_preparer
    for table in tables:
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not isinstance(keys[0].type, Integer):
            continue
        key = keys[0]
        sequence = writer.execute(
            text("SELECT pg_get_serial_sequence(:table, :column)"),
            {"table": preparer.format_table(table), "column": key.name},
        ).scalar()
        if sequence is None:
            continue
        top = writer.execute(select(func.max(key))).scalar()
        writer.execute(
            text("SELECT setval(CAST(:sequence AS regclass), :next, false)"),
            {"sequence": sequence, "next": int(top or 0) + 1},
        )


def _reason(exc: Exception) -> str:
    orig = getattr(exc, "orig", None)
    return (str(orig or exc).strip().splitlines() or [type(exc).__name__])[0]


__all__ = [
    "BATCH",
    "CopyError",
    "CopyReport",
    "TableCheck",
    "copy_desk",
    "desk_tables",
    "digest_desk",
    "occupied",
    "verify_desks",
]
