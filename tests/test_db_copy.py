"""``workbench db copy``: a whole desk moved between SQLite and PostgreSQL, both ways, and
verified by row counts and content digests.

These tests need a real PostgreSQL on whichever backend pass runs: they create and drop
their own databases on the server of ``$WORKBENCH_TEST_PG`` (tests/backend.py), and use
real SQLite files, so on the PostgreSQL pass the redirection of desk paths to databases is
undone for them (``_real_files``).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

import db.engine
from db import copy as desk_copy
from db import search
from db.copy import CopyError, copy_desk, digest_desk, verify_desks
from db.migrate import downgrade
from db.repo import Repo
from tests import backend
from tests.backend import server_url
from tests.conftest import EDITOR
from workbench.demo import load_demo
from workbench.export.json_export import write_json

PROJECT = Path(__file__).resolve().parent.parent
NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


REAL_MAKE_ENGINE = backend.real_make_engine()


@pytest.fixture(autouse=True)
def _real_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite paths open SQLite files here, whichever backend pass this is."""
    monkeypatch.setattr(db.engine, "make_engine", REAL_MAKE_ENGINE)


@pytest.fixture(scope="module")
def server() -> Iterator[Engine]:
    """The test server's maintenance database, in autocommit (to create databases)."""
    admin = create_engine(server_url(), isolation_level="AUTOCOMMIT", pool_size=1)
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        admin.dispose()
        if "WORKBENCH_TEST_PG" in os.environ:
            raise
        pytest.skip(f"no PostgreSQL at {server_url()} (set WORKBENCH_TEST_PG): {exc}")
    yield admin
    admin.dispose()


@pytest.fixture
def pg_database(server: Engine) -> Iterator[Callable[[], str]]:
    """Makes empty databases on the server (dropped after the test); returns their URLs."""
    made: list[str] = []

    def make() -> str:
        name = f"wb_copy_{uuid.uuid4().hex[:16]}"
        with server.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        made.append(name)
        url = make_url(server_url()).set(database=name)
        return url.render_as_string(hide_password=False)

    yield make
    with server.connect() as conn:
        for name in made:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def source(tmp_path: Path) -> Path:
    """The demo desk in a SQLite file, with what the demo lacks: rows pointing at later
    rows of their own table, read marks, users, a soft-deleted statement, a dict diff."""
    path = tmp_path / "source.db"
    engine = db.engine.open_desk(str(path))
    try:
        repo = Repo(engine, EDITOR)
        load_demo(repo)
        repo.set_user(EDITOR, "admin")
        repo.set_user("bo", "viewer")
        repo.mark_read(1)
        statement = repo.add_statement(text="Deleted later")
        repo.delete("statement", statement.id, statement.version)
        with engine.begin() as conn:
            conn.execute(
                text("UPDATE article SET duplicate_of = 10, match_kind = 'same' WHERE id = 1")
            )
            conn.execute(
                text("UPDATE actor SET parent_id = (SELECT max(id) FROM actor) WHERE id = 1")
            )
            conn.execute(text("UPDATE article SET match_score = 0.875 WHERE id = 2"))
    finally:
        engine.dispose()
    return path


def _open(location: str | Path) -> Engine:
    return db.engine.open_desk(str(location), migrate=False)


def _export(location: str | Path) -> dict[str, Any]:
    """The JSON export without its header (which says when and from where)."""
    engine = _open(location)
    try:
        out = io.StringIO()
        write_json(engine, out, editor=EDITOR, now=NOW)
    finally:
        engine.dispose()
    data = json.loads(out.getvalue())
    return {key: value for key, value in data.items() if isinstance(value, list)}


def _digests(location: str | Path) -> dict[str, tuple[int, str]]:
    engine = _open(location)
    try:
        with engine.connect() as conn, conn.begin():
            return {name: (d.rows, d.hexdigest()) for name, d in digest_desk(conn).items()}
    finally:
        engine.dispose()


def _search_problems(location: str | Path) -> list[str]:
    engine = _open(location)
    try:
        with engine.connect() as conn:
            return search.check_in_step(conn)
    finally:
        engine.dispose()


def _hits(location: str | Path, words: str) -> list[tuple[str, int]]:
    engine = _open(location)
    try:
        with engine.connect() as conn:
            found = search.search(conn, search.parse_query(words), limit=50)
        return [(hit.kind, hit.id) for hit in found.hits]
    finally:
        engine.dispose()


def _execute(location: str | Path, sql: str) -> None:
    engine = _open(location)
    try:
        with engine.begin() as conn:
            conn.execute(text(sql))
    finally:
        engine.dispose()


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "workbench", "db", "copy", *args],
        env={**os.environ, "PYTHONPATH": str(PROJECT)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


# --------------------------------------------------------------------------- round trip


def test_sqlite_to_postgres_to_sqlite_keeps_every_row(
    source: Path, tmp_path: Path, pg_database: Callable[[], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small batches: every table streams in several, and the rows pointing at later rows
    # of their own table land in a later batch than the rows that point at them.
    monkeypatch.setattr(desk_copy, "BATCH", 7)
    postgres, back = pg_database(), tmp_path / "back.db"

    there = copy_desk(str(source), postgres)
    assert there.verified and there.copied
    again = copy_desk(postgres, str(back))
    assert again.verified

    # The same content everywhere, by the digests and by the export.
    original = _digests(source)
    assert _digests(postgres) == original == _digests(back)
    assert {t.name: (t.source_rows, t.source_digest) for t in there.tables} == original
    assert original["statement"][0] == 56 and original["desk_user"][0] == 2
    assert "presence" not in original
    exported = _export(source)
    assert exported["statements"] and exported == _export(postgres) == _export(back)

    # The search indexes were rebuilt on each target: they agree with the rows, and find
    # what the source finds.
    assert _search_problems(postgres) == [] and _search_problems(back) == []
    hits = _hits(source, "Verrin")
    assert hits and _hits(postgres, "Verrin") == hits == _hits(back, "Verrin")

    # New rows take the next ids: PostgreSQL's sequences moved past the copied ones.
    for target in (postgres, str(back)):
        engine = _open(target)
        try:
            added = Repo(engine, EDITOR).add_statement(text="Written after the move")
            assert added.id == 57
        finally:
            engine.dispose()


def test_postgres_to_sqlite_file_to_file(
    source: Path, tmp_path: Path, pg_database: Callable[[], str]
) -> None:
    """SQLite → SQLite too (moving or compacting a desk), and a fresh PostgreSQL target
    from a PostgreSQL-made desk."""
    copied = tmp_path / "copied.db"
    assert copy_desk(str(source), str(copied)).verified
    postgres = pg_database()
    assert copy_desk(str(copied), postgres).verified
    assert _digests(copied) == _digests(source) == _digests(postgres)


def test_datetimes_are_stored_in_sqlite_exactly_as_sqlalchemy_stores_them() -> None:
    """The copy writes SQLite's datetimes by a shortcut; stored datetimes compare as text
    in SQL (presence expiry, "changed since"), so the text must be SQLAlchemy's own."""
    from db.models import Presence

    dialect = create_engine("sqlite://").dialect
    column = Presence.__table__.c.seen_at  # type: ignore[attr-defined]
    stock = column.type.dialect_impl(dialect).bind_processor(dialect)
    berlin = dt.timezone(dt.timedelta(hours=1))
    for value in (
        dt.datetime(2026, 11, 11, 12, 15, tzinfo=dt.UTC),
        dt.datetime(2026, 11, 11, 12, 15, 0, 7, tzinfo=dt.UTC),
        dt.datetime(999, 1, 2, 3, 4, 5, 999999, tzinfo=berlin),
        dt.datetime(2027, 1, 1, 0, 30, tzinfo=berlin),
    ):
        assert desk_copy.sqlite_stamp(value) == stock(value)


# --------------------------------------------------------------------------- refusals


def test_a_target_holding_a_desk_is_refused_unless_replace(
    source: Path, tmp_path: Path, pg_database: Callable[[], str]
) -> None:
    postgres = pg_database()
    copy_desk(str(source), postgres)
    other = tmp_path / "other.db"
    engine = db.engine.open_desk(str(other))
    Repo(engine, EDITOR).add_issue("Another desk's issue")
    engine.dispose()
    before = {target: _digests(target) for target in (postgres, str(other))}

    for target in (postgres, str(other)):
        with pytest.raises(CopyError, match=r"already holds a desk .*refusing to mix"):
            copy_desk(str(source), target)
        assert _digests(target) == before[target]  # untouched
    proc = _run("--from", str(source), "--to", str(other))
    assert proc.returncode == 1
    assert "already holds a desk" in proc.stderr and "--replace" in proc.stderr

    # --replace: the target's desk goes, the source's comes, nothing of the two mixed.
    engine = _open(source)
    Repo(engine, EDITOR).add_issue("Added to the source since")
    engine.dispose()
    for target in (postgres, str(other)):
        assert copy_desk(str(source), target, replace=True).verified
        assert _digests(target) == _digests(source)
        assert _search_problems(target) == []


def test_what_is_not_a_desk_at_this_schema_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CopyError, match="no desk at"):
        copy_desk(str(tmp_path / "missing.db"), str(tmp_path / "t.db"))
    old = tmp_path / "old.db"
    engine = db.engine.open_desk(str(old))
    downgrade(engine, "0008")
    engine.dispose()
    with pytest.raises(CopyError, match=r"schema revision 0008.*up to date"):
        copy_desk(str(old), str(tmp_path / "t.db"))
    with pytest.raises(CopyError, match="same desk"):
        copy_desk(str(old), str(old))
    with pytest.raises(CopyError, match="no desk at"):
        verify_desks(str(old), str(tmp_path / "never.db"))
    assert not (tmp_path / "t.db").exists() and not (tmp_path / "never.db").exists()


# --------------------------------------------------------------------------- verification


def test_verify_names_the_table_that_differs(source: Path, pg_database: Callable[[], str]) -> None:
    postgres = pg_database()
    assert copy_desk(str(source), postgres).verified
    assert verify_desks(str(source), postgres).verified

    # JSON is compared as JSON: the same diff with its keys in another order is the same.
    _execute(
        postgres,
        'UPDATE change SET diff = CAST(\'{"zz": 1, "aa": [2, {"y": 1, "b": 2}]}\' AS json) '
        "WHERE id = 1",
    )
    _execute(
        source, 'UPDATE change SET diff = \'{"aa": [2, {"b": 2, "y": 1}], "zz": 1}\' WHERE id = 1'
    )
    assert verify_desks(str(source), postgres).verified

    # One microsecond on one article's date is a difference.
    _execute(
        postgres,
        "UPDATE article SET published_at = published_at + interval '1 microsecond' WHERE id = 3",
    )
    report = verify_desks(str(source), postgres)
    assert not report.verified
    assert [t.name for t in report.mismatched] == ["article"]
    assert report.mismatched[0].difference == "same 10 rows, different content"

    _execute(postgres, "DELETE FROM article_read")
    proc = _run("--from", str(source), "--to", postgres, "--verify-only")
    assert proc.returncode == 1, proc.stderr
    assert "table article (same 10 rows, different content)" in proc.stderr
    assert "table article_read (1 row in the source, 0 in the target)" in proc.stderr
    assert "statement" not in proc.stderr
    lines = {line.split()[0]: line for line in proc.stdout.splitlines() if line.strip()}
    assert lines["article"].endswith("DIFFERS") and lines["statement"].endswith("ok")


def test_the_copy_is_one_moment_of_a_desk_being_written(
    source: Path, tmp_path: Path, pg_database: Callable[[], str]
) -> None:
    """Editors keep working while the desk is copied: what they commit after the copy
    began is not in it, neither half of it (here the statement and its Change row)."""
    postgres, back = pg_database(), tmp_path / "back.db"
    for origin, target in ((str(source), postgres), (postgres, str(back))):
        expected = _digests(origin)
        writer = _open(origin)
        written: list[int] = []

        def meanwhile(
            _table: str, _rows: int, writer: Engine = writer, written: list[int] = written
        ) -> None:
            if not written:  # while the first table is read
                repo = Repo(writer, EDITOR)
                written.append(repo.add_statement(text="Committed during the copy").id)

        try:
            report = copy_desk(origin, target, progress=meanwhile)
        finally:
            writer.dispose()
        assert written and report.verified
        assert _digests(target) == expected  # the moment the copy began
        assert _digests(origin) != expected  # the statement is in the source now


# --------------------------------------------------------------------------- the command


def test_the_command_copies_prints_the_counts_and_exits_0(
    source: Path, tmp_path: Path, pg_database: Callable[[], str]
) -> None:
    postgres = pg_database()
    proc = _run("--from", str(source), "--to", postgres)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    shown = make_url(postgres).render_as_string()  # a password would be masked
    assert out.startswith(f"Copied {source} → {shown} (schema ")
    assert "rows/s copied" in out.splitlines()[1]
    names = {t.name for t in desk_copy.desk_tables()}
    rows = {
        line.split()[0]: line.split()[1:] for line in out.splitlines() if line.split()[0] in names
    }
    assert rows["statement"][:2] == ["56", "56"] and rows["statement"][-1] == "ok"
    assert rows["change"][0] == rows["change"][1]
    assert set(rows) == names
    assert out.rstrip().endswith(
        "verified: every table has the same rows and content on both sides."
    )

    back = tmp_path / "back.db"
    proc = _run("--from", postgres, "--to", str(back))
    assert proc.returncode == 0, proc.stderr
    assert _digests(back) == _digests(source)
