"""Who else is on the desk, and what they are looking at or editing.

Each running session keeps one row of ``presence`` fresh with a heartbeat: the item its
editor has highlighted or open, and whether they are editing it. A session that dies (a
dropped SSH link never says goodbye) stops beating; its row is ignored once older than
the expiry the reader passes, and swept later.

Presence is not desk content, so these writes carry no Change row (undo and audit have
nothing to say about someone looking at an article) and no version. Nor do they pass the
role check of ``Repo._write``: a viewer is on the desk too, and colleagues should see
them. Each write is one short transaction that takes the desk's write lock first
(``sqlite_begin="IMMEDIATE"``: SQLite's own lock, PostgreSQL's advisory lock), so sessions
beating at once wait rather than fail. A beat is one upsert (``INSERT … ON CONFLICT DO
UPDATE``, on SQLite and PostgreSQL alike), not a read then a write: it never depends on
its row still being there in between (on PostgreSQL, whatever does not queue behind the
write lock, a cleanup run by hand, may delete it; the write then failed with "expected
to update 1 row, 0 were matched").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from db.models import Presence, utcnow

#: Ids per ``IN (…)`` when asking about many items: well under SQLite's variable limit.
CHUNK = 500


@dataclass(frozen=True)
class Here:
    """One other session, and where it is."""

    session: str
    editor: str
    entity: str | None
    entity_id: int | None
    editing: bool


class PresenceBoard:
    """Presence reads and writes for one desk. Thread-safe (a session per call)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writer = engine.execution_options(sqlite_begin="IMMEDIATE")

    def beat(
        self,
        session: str,
        editor: str,
        entity: str | None = None,
        entity_id: int | None = None,
        editing: bool = False,
        *,
        now: dt.datetime | None = None,
    ) -> None:
        """This session is alive and at ``entity``/``entity_id`` (editing it or not)."""
        now = now or utcnow()
        if entity is None or entity_id is None:
            entity, entity_id, editing = None, None, False
        values = {
            "editor": editor,
            "entity": entity,
            "entity_id": entity_id,
            "editing": bool(editing),
            "seen_at": now,
        }
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        upsert = dialect.insert(Presence).values(session=session, started_at=now, **values)
        upsert = upsert.on_conflict_do_update(index_elements=["session"], set_=values)
        with Session(self._writer) as db:
            db.exec(upsert)  # type: ignore[call-overload]
            db.commit()

    def leave(self, session: str) -> None:
        """The session ends: its colleagues stop seeing it at once, not at the expiry."""
        with Session(self._writer) as db:
            db.exec(delete(Presence).where(col(Presence.session) == session))  # type: ignore[call-overload]
            db.commit()

    def sweep(self, expiry: float, *, now: dt.datetime | None = None) -> int:
        """Delete rows not refreshed for ``expiry`` seconds (sessions that died); how many."""
        cutoff = (now or utcnow()) - dt.timedelta(seconds=expiry)
        with Session(self._writer) as db:
            result = db.exec(delete(Presence).where(col(Presence.seen_at) < cutoff))  # type: ignore[call-overload]
            db.commit()
            return int(result.rowcount or 0)

    def everyone(
        self, me_session: str, expiry: float, *, now: dt.datetime | None = None
    ) -> tuple[Here, ...]:
        """Every other live session (a handful of rows: one per open session), in a
        stable order so two reads can be compared to see whether anything moved."""
        cutoff = (now or utcnow()) - dt.timedelta(seconds=expiry)
        with Session(self.engine) as db:
            rows = db.exec(
                select(Presence)
                .where(col(Presence.seen_at) >= cutoff, col(Presence.session) != me_session)
                .order_by(col(Presence.editor), col(Presence.session))
            ).all()
            return tuple(_here(row) for row in rows)

    def others(
        self,
        entity: str,
        ids: Iterable[int],
        me_session: str,
        expiry: float,
        *,
        now: dt.datetime | None = None,
    ) -> dict[int, tuple[Here, ...]]:
        """Who else (any session but ``me_session``) is at each of ``ids``: editors
        editing first, then by name. Items nobody else is at are left out."""
        cutoff = (now or utcnow()) - dt.timedelta(seconds=expiry)
        wanted = sorted(set(ids))
        found: dict[int, list[Here]] = {}
        with Session(self.engine) as db:
            for chunk in _chunks(wanted, CHUNK):
                rows = db.exec(
                    select(Presence).where(
                        col(Presence.entity) == entity,
                        col(Presence.entity_id).in_(chunk),
                        col(Presence.seen_at) >= cutoff,
                        col(Presence.session) != me_session,
                    )
                ).all()
                for row in rows:
                    found.setdefault(int(row.entity_id), []).append(_here(row))  # type: ignore[arg-type]
        return {
            item: tuple(sorted(heres, key=lambda h: (not h.editing, h.editor, h.session)))
            for item, heres in found.items()
        }


def _here(row: Presence) -> Here:
    return Here(row.session, row.editor, row.entity, row.entity_id, bool(row.editing))


def _chunks(items: Sequence[int], size: int) -> Iterable[Sequence[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


__all__ = ["Here", "PresenceBoard"]
