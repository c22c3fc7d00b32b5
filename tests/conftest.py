"""Shared fixtures: a demo desk on a real SQLite file, and waiting on the UI without sleeps."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from db.engine import backup, open_desk
from db.repo import Repo
from workbench.demo import load_demo

EDITOR = "tester"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--backend",
        default=None,
        choices=("sqlite", "postgres"),
        help="database the desks of the tests live on (default: $WORKBENCH_TEST_BACKEND "
        "or sqlite); postgres needs $WORKBENCH_TEST_PG, see tests/backend.py",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "sqlite_only(reason): about SQLite itself (files, WAL, backups, other processes "
        "opening the path); runs on the SQLite pass only",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from tests.backend import selected

    if selected(config) != "postgres":
        return
    for item in items:
        marker = item.get_closest_marker("sqlite_only")
        if marker is not None:
            why = marker.kwargs.get("reason") or (marker.args[0] if marker.args else "")
            item.add_marker(pytest.mark.skip(reason=f"SQLite only: {why}"))


@pytest.fixture(scope="session")
def backend(request: pytest.FixtureRequest) -> str:
    from tests.backend import selected

    return selected(request.config)


@pytest.fixture(scope="session", autouse=True)
def _pg_desks(backend: str, worker_id: str) -> Iterator[Any]:
    """On the PostgreSQL pass, every desk path opens a database on the test server."""
    if backend != "postgres":
        yield None
        return
    from tests.backend import PgDesks, redirect_sqlite, server_url

    # The pid too: two pytest runs on one server must not share a template.
    desks = PgDesks(server_url(), f"{worker_id.replace('-', '_')}_{os.getpid()}")
    with redirect_sqlite(desks):
        yield desks
    desks.close()


@pytest.fixture(autouse=True)
def _drop_test_desks(_pg_desks: Any, tmp_path: Path) -> Iterator[None]:
    yield
    if _pg_desks is not None:
        _pg_desks.drop_under(tmp_path)


@pytest.fixture(autouse=True)
def _isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Never touch the real user's config or data folders."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))  # drafts live there
    monkeypatch.delenv("WORKBENCH_DRAFTS", raising=False)
    monkeypatch.delenv("WORKBENCH_CONFIG", raising=False)
    monkeypatch.delenv("WORKBENCH_DB", raising=False)
    monkeypatch.setenv("USER", EDITOR)


@pytest.fixture(autouse=True)
def _search_index_in_step(
    tmp_path: Path, backend: str, _pg_desks: Any, _drop_test_desks: None
) -> Iterator[None]:
    """After every test, each desk it wrote must have search indexes that say exactly
    what its live rows say: a write path that forgets the index fails the test that
    took it, whatever that test was about. (It asks for ``_drop_test_desks`` so that it
    runs before the test's PostgreSQL databases are dropped.)"""
    yield
    if backend == "postgres":
        from sqlalchemy import create_engine

        from db.search import check_in_step

        for name, path in list(_pg_desks.created.items()):
            if path.is_relative_to(tmp_path.resolve()):
                engine = create_engine(_pg_desks.url_for(name))
                try:
                    with engine.connect() as conn:
                        problems = check_in_step(conn)
                finally:
                    engine.dispose()
                assert not problems, f"{path.name}: {problems}"
        return
    for path in tmp_path.rglob("*.db"):
        assert_search_in_step(path)


def assert_search_in_step(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        for table in ("article_fts", "statement_fts"):
            if table in tables:
                try:
                    conn.execute(
                        f"INSERT INTO {table}({table}, rank) VALUES ('integrity-check', 1)"
                    )
                except sqlite3.DatabaseError as exc:
                    raise AssertionError(f"{path.name}: {table} is out of step: {exc}") from exc
    conn.close()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory, _pg_desks: Any) -> Path:
    """The demo desk, loaded once per session; tests get their own copy."""
    path = tmp_path_factory.mktemp("template") / "demo.db"
    engine = open_desk(str(path))
    load_demo(Repo(engine, EDITOR))
    engine.dispose()
    return path


@pytest.fixture
def demo_db(demo_template: Path, tmp_path: Path, _pg_desks: Any) -> Path:
    path = tmp_path / "demo.db"
    if _pg_desks is not None:
        _pg_desks.copy(demo_template, path)
        return path
    engine = open_desk(str(demo_template))
    backup(engine, path)
    engine.dispose()
    return path


@pytest.fixture
def demo_repo(demo_db: Path) -> Iterator[Repo]:
    engine = open_desk(str(demo_db))
    yield Repo(engine, EDITOR)
    engine.dispose()


@pytest.fixture
def empty_db(tmp_path: Path) -> Path:
    return tmp_path / "empty.db"


async def wait_for(pilot: Pilot[object], predicate: Callable[[], bool], what: str = "") -> None:
    """Let the app run until ``predicate`` holds (bounded, so a broken feature fails; the
    bound is generous because a loaded CI machine is slow, and it only costs a failure)."""
    for _ in range(1200):
        if predicate():
            return
        await pilot.pause(0.025)
    raise AssertionError(f"timed out waiting for {what or predicate}")


@pytest.fixture(autouse=True)
def _snapshot_clock(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Snapshots show "last changed by … at …": pin that time, or every run (the desk is
    built when the test runs) would differ from the recorded screen."""
    if not request.module.__name__.split(".")[-1].startswith("test_snapshots"):
        return
    import datetime as dt
    from dataclasses import replace

    from db.repo_history import HistoryMixin

    real = HistoryMixin.last_change
    fixed = dt.datetime(2026, 11, 12, 9, 0, tzinfo=dt.UTC)

    def pinned(self: Any, entity: str, entity_id: int) -> Any:
        found = real(self, entity, entity_id)
        return replace(found, at=fixed) if found is not None else None

    monkeypatch.setattr(HistoryMixin, "last_change", pinned)
