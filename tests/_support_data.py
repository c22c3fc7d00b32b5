"""Helpers shared by the storage, view, CLI and export tests (no fixtures, no Textual)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select
from sqlmodel import SQLModel

import db.models  # noqa: F401  (registers every table on SQLModel.metadata)
from db.engine import open_desk
from db.repo import Repo
from workbench.demo import load_demo
from workbench.export.json_export import write_json

PROJECT = Path(__file__).resolve().parent.parent

#: The tables the application owns (everything but Alembic's bookkeeping).
APP_TABLES: tuple[str, ...] = tuple(sorted(SQLModel.metadata.tables))


def new_desk(path: Path) -> Engine:
    """A freshly migrated desk in a real SQLite file."""
    return open_desk(str(path))


def row_counts(engine: Engine) -> dict[str, int]:
    """Rows per application table, deleted rows included."""
    with engine.connect() as conn:
        return {
            name: int(conn.execute(select(func.count()).select_from(table)).scalar_one())
            for name, table in sorted(SQLModel.metadata.tables.items())
        }


def load_demo_desk(path: Path, editor: str = "tester") -> Repo:
    """A desk file with the demo story loaded through the repository."""
    repo = Repo(new_desk(path), editor)
    result = load_demo(repo)
    assert result.loaded
    return repo


def export_dict(engine: Engine, editor: str = "tester") -> dict[str, Any]:
    """The JSON export, parsed."""
    out = io.StringIO()
    write_json(engine, out, editor=editor)
    return json.loads(out.getvalue())


def isolated_env(home: Path, **extra: str) -> dict[str, str]:
    """An environment for a ``workbench`` subprocess that never sees the user's files."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"WORKBENCH_CONFIG", "WORKBENCH_DB"}
    }
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CONFIG_HOME=str(home / "config"),
        USER="tester",
        PYTHONIOENCODING="utf-8",
    )
    env.update(extra)
    return env


def run_workbench(
    args: list[str], env: dict[str, str], cwd: Path
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m workbench`` the way a user runs it, with no terminal attached."""
    return subprocess.run(
        [sys.executable, "-m", "workbench", *args],
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def table_dump(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every application table, in primary-key order: a full-state snapshot."""
    with engine.connect() as conn:
        return {
            name: [
                tuple(row)
                for row in conn.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for name, table in sorted(SQLModel.metadata.tables.items())
        }
