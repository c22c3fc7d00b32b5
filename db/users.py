"""Who may write on a desk: roles, checked where every write goes through.

The repository asks ``check_can_write`` inside each write transaction, so a role taken
away while an editor is logged in applies to their next write, and no path (TUI, CLI,
import) can go around it. A desk with no users listed is open to every login, so one
editor's desk needs no setup; once any user is listed, an unlisted login may only read.

Granting a role is itself a write: ``Repo.set_user`` runs ``put_user`` in the repository's
write transaction, so it waits for the desk's write lock like any edit and leaves a Change
row saying who gave whom which role.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from db.clean import strip_controls
from db.models import DeskUser, Role
from db.tx import ReadOnlyError, ValidationError, _choice

if TYPE_CHECKING:
    from db.tx import _Tx

#: Roles that may change desk content; admins also manage users.
WRITERS = frozenset({Role.EDITOR.value, Role.ADMIN.value})
#: The Change log's entity for a desk user.
ENTITY = "desk_user"
#: ``Change.entity_id`` is an integer, but a desk user's key is their name (their login):
#: user rows are logged under this id, which no table's row ever has (ids start at 1),
#: with the name in every diff, so ``changes_for("desk_user", 0)`` reads the users' log.
ENTITY_ID = 0


@dataclass(frozen=True)
class UserRow:
    name: str
    role: str


def role_of(session: Session, name: str) -> str:
    """The role of ``name``: as listed; a viewer when others are listed but not they;
    an editor on a desk that lists nobody."""
    user = session.get(DeskUser, name)
    if user is not None:
        return user.role
    anyone = session.exec(select(DeskUser.name).limit(1)).first()
    return Role.VIEWER.value if anyone is not None else Role.EDITOR.value


def check_can_write(session: Session, name: str) -> None:
    role = role_of(session, name)
    if role not in WRITERS:
        raise ReadOnlyError(
            f"{name} is a viewer on this desk and cannot change it "
            "(an admin can run: workbench users add NAME --role editor)"
        )


def desk_role(engine: Engine, name: str) -> str:
    with Session(engine) as session:
        return role_of(session, name)


def list_users(engine: Engine) -> list[UserRow]:
    with Session(engine) as session:
        rows = session.exec(select(DeskUser).order_by(col(DeskUser.name))).all()
        return [UserRow(u.name, u.role) for u in rows]


def put_user(tx: _Tx, name: str, role: str) -> UserRow:
    """Add a user or change their role, in the write transaction ``tx``, as ``tx.editor``.

    Only an admin may, except on a desk that lists nobody yet, whose first user must be an
    admin (or nobody could manage users). The check is made here, in the transaction that
    writes, so two admins demoting each other at once cannot both succeed on stale roles.
    The Change row carries the name on both sides of an update: it is the row's key, not a
    change, and the log's ``entity_id`` cannot hold it (see ``ENTITY_ID``).
    """
    name = " ".join(strip_controls(name).split())
    if not name:
        raise ValidationError("a user needs a name (their login)")
    role = _choice(role, Role, "role")
    session = tx.session
    anyone = session.exec(select(DeskUser.name).limit(1)).first()
    if anyone is not None and role_of(session, tx.editor) != Role.ADMIN.value:
        raise ReadOnlyError(f"only an admin can add users or change roles ({tx.editor} is not)")
    if anyone is None and role != Role.ADMIN.value:
        raise ValidationError(
            "the first user must be an admin (--role admin): once anyone is listed, "
            "only admins manage users, and unlisted logins become viewers"
        )
    user = session.get(DeskUser, name)
    if user is None:
        user = DeskUser(name=name, role=role, created_at=tx.now, updated_at=tx.now)
        tx.log("create", ENTITY, ENTITY_ID, {"name": [None, name], "role": [None, role]})
    elif user.role != role:
        tx.log("update", ENTITY, ENTITY_ID, {"name": [name, name], "role": [user.role, role]})
        user.role, user.updated_at, user.version = role, tx.now, user.version + 1
    else:
        return UserRow(user.name, user.role)  # already so: nothing to write or log
    session.add(user)
    session.flush()
    return UserRow(user.name, user.role)


def set_user(engine: Engine, name: str, role: str, *, by: str) -> UserRow:
    """``Repo(engine, by).set_user(name, role)``, for callers that hold only an engine."""
    from db.repo import Repo  # db.repo imports this module

    return Repo(engine, by).set_user(name, role)


__all__ = [
    "ENTITY",
    "ENTITY_ID",
    "WRITERS",
    "UserRow",
    "check_can_write",
    "desk_role",
    "list_users",
    "put_user",
    "role_of",
    "set_user",
]
