"""Who may write on a desk: roles, checked where every write goes through.

The repository asks ``check_can_write`` inside each write transaction, so a role taken
away while an editor is logged in applies to their next write, and no path (TUI, CLI,
import) can go around it. A desk with no users listed is open to every login, so one
editor's desk needs no setup; once any user is listed, an unlisted login may only read.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from db.models import DeskUser, Role, utcnow
from db.tx import ReadOnlyError, ValidationError, _choice

#: Roles that may change desk content; admins also manage users.
WRITERS = frozenset({Role.EDITOR.value, Role.ADMIN.value})


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


def set_user(engine: Engine, name: str, role: str, *, by: str) -> UserRow:
    """Add a user or change their role. Only an admin may, except on a desk that lists
    nobody yet, whose first user must be an admin (or nobody could manage users)."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError("a user needs a name (their login)")
    role = _choice(role, Role, "role")
    writer = engine.execution_options(sqlite_begin="IMMEDIATE")
    with Session(writer) as session:
        anyone = session.exec(select(DeskUser.name).limit(1)).first()
        if anyone is not None and role_of(session, by) != Role.ADMIN.value:
            raise ReadOnlyError(f"only an admin can add users or change roles ({by} is not)")
        if anyone is None and role != Role.ADMIN.value:
            raise ValidationError(
                "the first user must be an admin (--role admin): once anyone is listed, "
                "only admins manage users, and unlisted logins become viewers"
            )
        user = session.get(DeskUser, name)
        now = utcnow()
        if user is None:
            user = DeskUser(name=name, role=role, created_at=now, updated_at=now)
        else:
            user.role, user.updated_at, user.version = role, now, user.version + 1
        session.add(user)
        session.commit()
        return UserRow(user.name, user.role)


__all__ = [
    "WRITERS",
    "UserRow",
    "check_can_write",
    "desk_role",
    "list_users",
    "role_of",
    "set_user",
]
