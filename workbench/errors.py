"""One sentence for an expected failure, wherever it surfaces (CLI line, TUI notification).

Looks only at modules already imported, so asking never drags the database layer into a
process that has not loaded it (the CLI's start-up stays light).
"""

from __future__ import annotations

import sys


def describe(exc: BaseException) -> str | None:
    """The message for an expected failure, or None for a bug (which keeps its traceback)."""
    repo = sys.modules.get("db.repo")
    if repo is not None and isinstance(exc, repo.RepoError):
        return str(exc)
    location = sys.modules.get("db.location")
    if location is not None and isinstance(exc, location.DatabaseError):
        return str(exc)
    sa_exc = sys.modules.get("sqlalchemy.exc")
    if sa_exc is not None and isinstance(exc, sa_exc.SQLAlchemyError):
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        return f"database: {reason}"
    if isinstance(exc, OSError):
        return f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": ")
    return None
