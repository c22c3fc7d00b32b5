"""Which database the suite runs on: SQLite files (default) or a PostgreSQL server.

``pytest --backend postgres`` (or ``WORKBENCH_TEST_BACKEND=postgres``) runs the same tests
on PostgreSQL: ``WORKBENCH_TEST_PG`` names a server the tests may create and drop databases
on (``postgresql+psycopg://postgres@127.0.0.1:54329/postgres``; ``.ci/run`` starts a
throwaway cluster and sets it).

The tests name desks the way an editor does, by a file path in ``tmp_path``. On the
PostgreSQL run, ``db.engine.make_engine`` is wrapped so that a SQLite location becomes a
database of its own on the server (one per path, created empty from a migrated template
and dropped when the test ends), and an empty placeholder file is left at the path so
that path checks ("no desk at …") see the desk exists. Everything above the engine (the
repository, search, views, the panes, in-process CLI commands) then runs on PostgreSQL
unchanged. Tests about SQLite itself (its files, WAL, backups, other processes opening
the path) carry ``@pytest.mark.sqlite_only`` and run on the SQLite pass only.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

BACKENDS = ("sqlite", "postgres")
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:54329/postgres"


def selected(config: Any) -> str:
    chosen = config.getoption("--backend") or os.environ.get("WORKBENCH_TEST_BACKEND", "sqlite")
    if chosen not in BACKENDS:
        raise ValueError(f"unknown test backend {chosen!r}; choose from {', '.join(BACKENDS)}")
    return chosen


def server_url() -> str:
    return os.environ.get("WORKBENCH_TEST_PG", DEFAULT_PG)


class PgDesks:
    """Databases on one server standing in for desk files, for one test worker.

    Each database belongs to the path it stands for: a test's own desks (under its
    ``tmp_path``) are dropped when it ends, templates built by session or module fixtures
    (elsewhere) when the session ends."""

    def __init__(self, admin_url: str, worker: str) -> None:
        from sqlalchemy import create_engine

        self.admin_url = admin_url
        self.worker = worker
        self.admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", pool_size=1)
        self.template = f"wb_tpl_{worker}"
        #: database name → the path it stands for
        self.created: dict[str, Path] = {}
        self._ready = False

    def url_for(self, name: str) -> str:
        from sqlalchemy.engine import make_url

        return make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    def name_for(self, path: Path) -> str:
        digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:20]
        return f"wb_{self.worker}_{digest}"

    def _exec(self, sql: str) -> None:
        from sqlalchemy import text

        with self.admin.connect() as conn:
            conn.execute(text(sql))

    def prepare(self, make_engine: Any) -> None:
        """The migrated empty template every new desk is cloned from (cloning is much
        faster than migrating each test's desk)."""
        if self._ready:
            return
        from db.migrate import upgrade

        self._exec(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')
        self._exec(f'CREATE DATABASE "{self.template}"')
        engine = make_engine(self.url_for(self.template))
        upgrade(engine)
        engine.dispose()
        self._ready = True

    def _clone(self, source: str, target: str) -> None:
        self._exec(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        # No session may be connected to a template while it is copied.
        self._exec(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            f"WHERE datname = '{source}' AND pid <> pg_backend_pid()"
        )
        self._exec(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')

    def copy(self, source: Path, target: Path) -> None:
        """``target`` becomes a copy of the desk at ``source`` (a file copy on SQLite)."""
        name = self.name_for(target)
        self._clone(self.name_for(source), name)
        self.created[name] = target.resolve()
        target.touch()

    def desk_for(self, path: Path, make_engine: Any) -> str:
        """The URL of the database standing in for ``path``, created on first use."""
        name = self.name_for(path)
        if name not in self.created:
            self.prepare(make_engine)
            self._clone(self.template, name)
            self.created[name] = path.resolve()
        if not path.exists() and path.parent.exists():
            path.touch()  # what "the desk exists" checks look for
        return self.url_for(name)

    def drop_under(self, folder: Path) -> None:
        folder = folder.resolve()
        for name, path in list(self.created.items()):
            if path.is_relative_to(folder):
                self._exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                del self.created[name]

    def close(self) -> None:
        for name in list(self.created):
            self._exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.created.clear()
        if self._ready:
            self._exec(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')
        self.admin.dispose()


def copy_desk(source: Path, target: Path) -> None:
    """Copy a closed desk: the file on SQLite, the database on the PostgreSQL pass."""
    if _ACTIVE is not None:
        _ACTIVE.copy(source, target)
    else:
        import shutil

        shutil.copyfile(source, target)


_ACTIVE: PgDesks | None = None
_REAL_MAKE_ENGINE: Any = None


def real_make_engine() -> Any:
    """``db.engine.make_engine`` itself, also while the PostgreSQL pass has wrapped it
    (for tests that need real SQLite files whichever pass runs)."""
    if _REAL_MAKE_ENGINE is not None:
        return _REAL_MAKE_ENGINE
    import db.engine

    return db.engine.make_engine


def location(path: Path) -> str:
    """What to pass as ``--db`` to a ``workbench`` *process* for the desk at ``path``: the
    path itself, or on the PostgreSQL pass the URL of the database standing in for it
    (created if new), since a subprocess does not share this process's redirection."""
    if _ACTIVE is None:
        return str(path)
    return _ACTIVE.desk_for(path, _REAL_MAKE_ENGINE)


@contextmanager
def redirect_sqlite(desks: PgDesks) -> Iterator[None]:
    """While active, every SQLite desk location opens a PostgreSQL database instead."""
    import db.engine as engine_module
    from db.location import sqlite_file

    real = engine_module.make_engine

    def make_engine(url: str, *, check: bool = True) -> Any:
        path = sqlite_file(url) if url.strip() else None
        if path is not None and (not _is_url(url) or url.startswith("sqlite")):
            url = desks.desk_for(path, real)
        return real(url, check=check)

    global _ACTIVE, _REAL_MAKE_ENGINE
    engine_module.make_engine = make_engine  # type: ignore[assignment]
    _ACTIVE, _REAL_MAKE_ENGINE = desks, real
    try:
        yield
    finally:
        engine_module.make_engine = real  # type: ignore[assignment]
        _ACTIVE = None


def _is_url(value: str) -> bool:
    return "://" in value
