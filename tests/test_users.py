"""Roles: who may write, enforced in the repository for every path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, func, select

from db.engine import open_desk
from db.models import Change, DeskUser
from db.repo import ReadOnlyError, Repo, ValidationError, _Tx
from db.users import desk_role, list_users, set_user
from tests import backend
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
    where = backend.location(desk)  # a process of its own: the database, on that pass
    admin = isolated_env(tmp_path / "home", USER="anna")
    viewer = isolated_env(tmp_path / "home", USER="bo")
    proc = run_workbench(
        ["--db", where, "users", "add", "anna", "--role", "admin"], admin, tmp_path
    )
    assert proc.returncode == 0 and "anna: admin" in proc.stdout, proc.stderr
    engine = open_desk(str(desk))
    try:  # the grant is in the change log, by the login that made it
        logged = Repo(engine, "anna").changes_for("desk_user", 0)
        assert [(c.op, c.editor, c.diff) for c in logged] == [
            ("create", "anna", {"name": [None, "anna"], "role": [None, "admin"]})
        ]
    finally:
        engine.dispose()
    proc = run_workbench(["--db", where, "users", "list", "--json"], viewer, tmp_path)
    assert json.loads(proc.stdout) == {
        "users": [{"name": "anna", "role": "admin"}],
        "you": {"name": "bo", "role": "viewer"},
    }
    proc = run_workbench(["--db", where, "links", "suggest"], viewer, tmp_path)
    assert proc.returncode == 1 and "bo is a viewer" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = run_workbench(["--db", where, "users", "add", "bo", "--role", "admin"], viewer, tmp_path)
    assert proc.returncode == 1 and "only an admin" in proc.stderr
    proc = run_workbench(["--db", where, "users", "add", "bo", "--role", "boss"], admin, tmp_path)
    assert proc.returncode != 0 and "role" in proc.stderr


def _user_changes(repo: Repo, since: int) -> list[tuple[str, str, str, int, dict[str, Any]]]:
    return [(c.op, c.editor, c.entity, c.entity_id, c.diff) for c in repo.changes_since(since)]


def test_granting_a_role_is_a_logged_write_of_the_repository(tmp_path: Path) -> None:
    """Each grant appends its Change row in the same transaction: entity ``desk_user``,
    id 0 (the user's key is their name, which the diff carries on both sides)."""
    engine = open_desk(str(tmp_path / "desk.db"))
    try:
        anna, bo = Repo(engine, "anna"), Repo(engine, "bo")
        start = anna.last_change_id()
        anna.set_user("  anna ", "admin")
        anna.set_user("bo", "viewer")
        anna.set_user("bo", "editor")
        anna.set_user("bo", "editor")  # already so: nothing to log
        assert _user_changes(anna, start) == [
            ("create", "anna", "desk_user", 0, {"name": [None, "anna"], "role": [None, "admin"]}),
            ("create", "anna", "desk_user", 0, {"name": [None, "bo"], "role": [None, "viewer"]}),
            (
                "update",
                "anna",
                "desk_user",
                0,
                {"name": ["bo", "bo"], "role": ["viewer", "editor"]},
            ),
        ]
        assert [c.op for c in anna.changes_for("desk_user", 0)] == ["create", "create", "update"]
        with Session(engine) as session:
            row = session.get(DeskUser, "bo")
            assert row is not None and (row.role, row.version) == ("editor", 2)
        # Refusals write nothing, not even a Change row.
        last = anna.last_change_id()
        with pytest.raises(ReadOnlyError, match=r"only an admin .*\(bo is not\)"):
            bo.set_user("bo", "admin")
        with pytest.raises(ValidationError, match="role must be one of"):
            anna.set_user("bo", "boss")
        with pytest.raises(ReadOnlyError, match="read-only access"):
            Repo(engine, "anna", read_only=True).set_user("cy", "editor")
        assert anna.last_change_id() == last
        # The engine-level helper is the same repository write.
        set_user(engine, "cy", "viewer", by="anna")
        assert _user_changes(anna, last) == [
            ("create", "anna", "desk_user", 0, {"name": [None, "cy"], "role": [None, "viewer"]})
        ]
    finally:
        engine.dispose()


def test_a_grant_and_its_change_row_land_together(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = open_desk(str(tmp_path / "desk.db"))
    try:
        anna = Repo(engine, "anna")

        def failing_log(self: _Tx, *args: Any, **kwargs: Any) -> None:
            raise RuntimeError("change log unavailable")

        monkeypatch.setattr(_Tx, "log", failing_log)
        with pytest.raises(RuntimeError, match="change log unavailable"):
            anna.set_user("anna", "admin")
        assert list_users(engine) == []  # the role was not given without its log
        monkeypatch.undo()
        with anna.batch():  # a grant joins the batch's transaction like any write
            anna.add_issue("Roles on this desk")
            anna.set_user("anna", "admin")
        changes = anna.changes_since(0)
        assert [c.entity for c in changes] == ["issue", "desk_user"]
        assert len({c.txn for c in changes}) == 1
    finally:
        engine.dispose()
