"""Schema migrations: open_desk creates and stamps the schema; models and migrations agree."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text
from sqlmodel import SQLModel

import db.models  # noqa: F401  (registers the tables)
from db import migrate
from db.engine import BUSY_TIMEOUT_MS, open_desk
from db.migrations import HEAD
from db.repo import Repo
from db.search import include_name
from tests._support_data import APP_TABLES, PROJECT, row_counts


@pytest.fixture
def desk_path(tmp_path: Path) -> Path:
    return tmp_path / "desk.db"


@pytest.fixture
def engine(desk_path: Path) -> Iterator[Engine]:
    engine = open_desk(str(desk_path))
    yield engine
    engine.dispose()


def _tables(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(inspect(conn).get_table_names())


def _stamped(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return [row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))]


def _schema_sql(engine: Engine) -> list[tuple[str, str, str | None]]:
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT type, name, sql FROM sqlite_master ORDER BY type, name")
        ).all()
    return [(r[0], r[1], r[2]) for r in rows]


@pytest.mark.sqlite_only(reason="an empty SQLite file becomes a desk")
def test_open_desk_on_empty_file_creates_every_table_and_stamps_head(
    tmp_path: Path,
) -> None:
    path = tmp_path / "empty.db"
    path.touch()  # an existing, zero-byte file
    engine = open_desk(str(path))
    try:
        assert APP_TABLES, "no tables registered on SQLModel.metadata"
        assert set(APP_TABLES) <= _tables(engine)
        assert _stamped(engine) == [HEAD]
        with engine.connect() as conn:
            assert migrate.current_revision(conn) == HEAD
            inspector = inspect(conn)
            for name, table in SQLModel.metadata.tables.items():
                columns = {c["name"] for c in inspector.get_columns(name)}
                assert columns == {c.name for c in table.columns}, name
    finally:
        engine.dispose()
    assert path.stat().st_size > 0


@pytest.mark.sqlite_only(reason="creates the desk file")
def test_open_desk_creates_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    engine = open_desk(str(path))
    try:
        assert path.read_bytes()[:16] == b"SQLite format 3\x00"
        assert set(APP_TABLES) <= _tables(engine)
    finally:
        engine.dispose()


def test_head_constant_matches_alembic_script_directory() -> None:
    scripts = ScriptDirectory(str(migrate.MIGRATIONS))
    assert scripts.get_heads() == [HEAD]
    assert scripts.get_current_head() == HEAD


@pytest.mark.filterwarnings("ignore:.*expression-based index:UserWarning")
@pytest.mark.filterwarnings("ignore:.*expression-based index")
def test_models_and_migrations_agree(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_name": include_name}
        )
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []


@pytest.mark.sqlite_only(reason="reads sqlite_master")
def test_expression_indexes_match_the_models(engine: Engine) -> None:
    """Autogenerate cannot compare indexes on expressions; compare their SQL here."""
    from sqlalchemy import Column
    from sqlalchemy.schema import CreateIndex

    def words(sql: str) -> str:
        return " ".join(sql.replace('"', "").replace("statement.", "").split()).casefold()

    expected = {
        index.name: words(str(CreateIndex(index).compile(dialect=engine.dialect)))
        for table in SQLModel.metadata.tables.values()
        for index in table.indexes
        if not all(isinstance(e, Column) for e in index.expressions)
    }
    assert expected, "no expression index in the models: this test checks nothing"
    stored = {name: words(sql or "") for kind, name, sql in _schema_sql(engine) if kind == "index"}
    for name, sql in expected.items():
        assert stored.get(name) == sql


@pytest.mark.sqlite_only(reason="reads SQLite's EXPLAIN QUERY PLAN")
def test_suggestions_by_score_are_paged_from_the_index(engine: Engine) -> None:
    """The suggested filter's order must come from ix_statement_suggested, not a sort of
    every suggestion on each page."""
    from db.views import statements_view

    view = statements_view(engine, state="suggested")
    query = (
        view._ordered(False)
        .where(
            view.order[0] < 0.5  # a keyset step, as page(after=…) makes
        )
        .limit(50)
    )
    compiled = query.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True})
    with engine.connect() as conn:
        plan = " ".join(str(r[-1]) for r in conn.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))
    assert "ix_statement_suggested" in plan
    assert "TEMP B-TREE" not in plan


@pytest.mark.filterwarnings("ignore:.*expression-based index:UserWarning")
@pytest.mark.filterwarnings("ignore:.*expression-based index")
def test_downgrade_to_base_then_upgrade_again(engine: Engine) -> None:
    Repo(engine, "alice").add_issue("Before the downgrade")
    migrate.downgrade(engine, "base")
    assert _tables(engine) & set(APP_TABLES) == set()
    with engine.connect() as conn:
        assert migrate.current_revision(conn) is None

    migrate.upgrade(engine)
    assert set(APP_TABLES) <= _tables(engine)
    assert _stamped(engine) == [HEAD]
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_name": include_name}
        )
        assert compare_metadata(context, SQLModel.metadata) == []
    # The schema works again after the round trip.
    issue = Repo(engine, "alice").add_issue("After the upgrade")
    assert issue.id == 1


@pytest.mark.sqlite_only(reason="compares sqlite_master before and after")
def test_opening_twice_is_a_no_op(desk_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = open_desk(str(desk_path))
    Repo(first, "alice").add_issue("Kept across reopening")
    schema = _schema_sql(first)
    counts = row_counts(first)
    first.dispose()

    import alembic.command

    def _must_not_run(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a desk already at HEAD ran Alembic again")

    monkeypatch.setattr(alembic.command, "upgrade", _must_not_run)
    second = open_desk(str(desk_path))
    try:
        assert _schema_sql(second) == schema
        assert _stamped(second) == [HEAD]
        assert row_counts(second) == counts
    finally:
        second.dispose()


def _pragmas(conn: Connection) -> dict[str, Any]:
    return {
        name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
        for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
    }


@pytest.mark.sqlite_only(reason="SQLite pragmas")
def test_pragmas_are_set_on_every_pooled_connection(engine: Engine) -> None:
    with engine.connect() as one, engine.connect() as two:
        raw_one = one.connection.dbapi_connection
        raw_two = two.connection.dbapi_connection
        assert raw_one is not raw_two, "expected two distinct DBAPI connections"
        for conn in (one, two):
            values = _pragmas(conn)
            assert str(values["journal_mode"]).lower() == "wal"
            assert values["foreign_keys"] == 1
            assert int(values["busy_timeout"]) > 0
            assert int(values["busy_timeout"]) == BUSY_TIMEOUT_MS
            assert values["synchronous"] == 1  # NORMAL


def test_foreign_keys_are_enforced(engine: Engine) -> None:
    """foreign_keys=ON is not just reported: SQLite refuses a dangling reference."""
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO position (created_at, updated_at, version, issue_id, actor_id,"
                " summary, review, editor) VALUES ('2026-01-01 00:00:00', '2026-01-01 00:00:00',"
                " 1, 999, 999, 'x', 'accepted', 'e')"
            )
        )


def test_migration_scripts_ship_in_the_wheel(tmp_path: Path) -> None:
    out = tmp_path / "wheelhouse"
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--disable-pip-version-check",
            "-q",
            "-w",
            str(out),
            str(PROJECT),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert build.returncode == 0, build.stderr
    wheels = list(out.glob("*.whl"))
    assert len(wheels) == 1
    with zipfile.ZipFile(wheels[0]) as wheel:
        names = set(wheel.namelist())
        source_versions = sorted(p.name for p in (PROJECT / "db/migrations/versions").glob("*.py"))
        assert source_versions, "no migration scripts in the source tree"
        for name in source_versions:
            assert f"db/migrations/versions/{name}" in names
        for name in ("__init__.py", "env.py", "script.py.mako"):
            assert f"db/migrations/{name}" in names
        assert "db/migrate.py" in names
        wheel.extractall(tmp_path / "unpacked")

    # Alembic, pointed at the unpacked wheel, finds the same head as the source tree.
    unpacked = ScriptDirectory(str(tmp_path / "unpacked" / "db" / "migrations"))
    assert unpacked.get_current_head() == HEAD
