"""Where a desk lives, checked with the standard library only.

The CLI checks a ``--db`` value before it starts the TUI, and the TUI opens the database in
a worker after its first frame; so this check must not import SQLAlchemy, and it is the
one place that turns a bad location into a sentence naming the path.
"""

from __future__ import annotations

from pathlib import Path

SUPPORTED_SCHEMES = ("sqlite", "postgresql")


class DatabaseError(Exception):
    """A desk database that cannot be used, with a message fit for one line on a terminal."""


def is_url(value: str) -> bool:
    return "://" in value


def scheme_of(value: str) -> str:
    """``postgresql+psycopg://…`` → ``postgresql``."""
    return value.split("://", 1)[0].split("+", 1)[0].lower()


def sqlite_file(value: str) -> Path | None:
    """The file a location names, or None for in-memory SQLite and other backends."""
    value = value.strip()
    if not is_url(value):
        return Path(value).expanduser().resolve()
    if scheme_of(value) != "sqlite":
        return None
    rest = value.split("://", 1)[1]
    if rest in ("", "/", "/:memory:") or rest.startswith("/:memory:"):
        return None
    path = rest[1:] if rest.startswith("/") else rest  # sqlite:///rel and sqlite:////abs
    return Path(path.split("?", 1)[0]).expanduser().resolve()


def check_location(value: str) -> None:
    """Fail early, naming the path, instead of letting a driver say "unable to open"."""
    value = value.strip()
    if not value:
        raise DatabaseError("empty database location")
    if is_url(value) and scheme_of(value) not in SUPPORTED_SCHEMES:
        raise DatabaseError(
            f"unsupported database {scheme_of(value)!r} in {value!r} "
            "(use a SQLite path or a postgresql:// URL)"
        )
    path = sqlite_file(value)
    if path is None:
        if scheme_of(value) == "sqlite":
            raise DatabaseError(
                "an in-memory database cannot be shared by the desk's sessions; give a file path"
            )
        return
    if path.is_dir():
        raise DatabaseError(f"{path} is a directory, not a database file")
    if not path.parent.exists():
        raise DatabaseError(f"cannot create database {path}: folder {path.parent} does not exist")
    if path.exists():
        try:
            with path.open("rb") as handle:
                header = handle.read(16)
        except OSError as exc:
            raise DatabaseError(f"cannot read database {path}: {exc.strerror}") from exc
        if header and header != b"SQLite format 3\x00":
            raise DatabaseError(f"{path} is not a SQLite database")
