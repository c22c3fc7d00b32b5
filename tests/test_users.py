"""Roles: who may write, enforced in the repository for every path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from db.engine import open_desk
from db.models import Change
from db.repo import ReadOnlyError, Repo, ValidationError
from db.users import desk_role, list_users, set_user
from tests._support_data import isolated_env, run_workbench


def _changes(repo: Repo) -> int:
    with Session(repo.engine) as session:
        return session.exec(select(func.count()).select_from(Change)).one()


def test_an_open_desk_lets_everyone_edit_until_users_are_listed(tmp_path: Path) -> None:
    engine = open_desk(str(tmp_path / "desk.db"))
    try:
        anna, bo = Repo(engine, "anna"), Repo(engine, "bo")
        assert desk_role(engine, "bo") == "editor"
        bo.add_issue("Before any users")
        with pytest.raises(ValidationError, match="first user must be an admin"):
            set_user(engine, "anna", "editor", by="anna")
        set_user(engine, "anna", "admin", by="anna")
        assert desk_role(engine, "bo") == "viewer"  # unlisted, now that someone is listed
        before = _changes(bo)
        for write in (
            lambda: bo.add_issue("Refused"),
            lambda: bo.add_link(1, 2, "supports"),
            lambda: bo.update("issue", 1, None, title="Renamed"),
            lambda: bo.delete("issue", 1),
            lambda: bo.store_link_suggestions([]),
        ):
            with pytest.raises(ReadOnlyError, match="bo is a viewer"):
                write()
        assert _changes(bo) == before  # nothing written, not even a Change row
        with pytest.raises(ReadOnlyError, match="only an admin"):
            set_user(engine, "bo", "admin", by="bo")
        set_user(engine, "bo", "editor", by="anna")
        bo.add_issue("Now allowed")  # a role given while logged in applies at once
        set_user(engine, "bo", "viewer", by="anna")
        with pytest.raises(ReadOnlyError):
            bo.add_issue("Taken away again")
        anna.add_issue("Admins edit")
        assert [(u.name, u.role) for u in list_users(engine)] == [
            ("anna", "admin"),
            ("bo", "viewer"),
        ]
    finally:
        engine.dispose()


def test_users_cli_adds_lists_and_refuses_non_admins(tmp_path: Path) -> None:
    desk = tmp_path / "desk.db"
    open_desk(str(desk)).dispose()
    admin = isolated_env(tmp_path / "home", USER="anna")
    viewer = isolated_env(tmp_path / "home", USER="bo")
    proc = run_workbench(
        ["--db", str(desk), "users", "add", "anna", "--role", "admin"], admin, tmp_path
    )
    assert proc.returncode == 0 and "anna: admin" in proc.stdout, proc.stderr
    proc = run_workbench(["--db", str(desk), "users", "list", "--json"], viewer, tmp_path)
    assert json.loads(proc.stdout) == {
        "users": [{"name": "anna", "role": "admin"}],
        "you": {"name": "bo", "role": "viewer"},
    }
    proc = run_workbench(["--db", str(desk), "links", "suggest"], viewer, tmp_path)
    assert proc.returncode == 1 and "bo is a viewer" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = run_workbench(
        ["--db", str(desk), "users", "add", "bo", "--role", "admin"], viewer, tmp_path
    )
    assert proc.returncode == 1 and "only an admin" in proc.stderr
    proc = run_workbench(
        ["--db", str(desk), "users", "add", "bo", "--role", "boss"], admin, tmp_path
    )
    assert proc.returncode != 0 and "role" in proc.stderr
