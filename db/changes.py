"""The change feed: how an open session learns that someone else committed.

On SQLite, ``PRAGMA data_version`` on a long-lived connection changes whenever another
connection commits; reading it costs microseconds, so it can be polled every 50 ms. Only
when it moves do we read the new Change rows (by primary key, above the last id seen) to
learn which kinds of rows moved and who moved them.

On PostgreSQL the server tells us instead: a statement trigger on ``change`` (migration
0009) sends ``NOTIFY workbench_changes`` with the ids the statement inserted, as spans
(``"12,15-40"``), whoever wrote them (the workbench, a script, psql). The watcher holds
one connection of its own that ``LISTEN``\\s, blocks on its socket until a notification
or a timeout (``wait``), and reads exactly the notified rows. Reading by the notified
ids, not "above the last id", matters here: PostgreSQL hands out ids when rows are
inserted, not when they commit, so a transaction that took id 10 can commit after one
that took id 11 has been seen. A notification is sent at commit, so each committed row
is reported once, late or not.

If that connection drops (the server restarted), the caller closes the watcher and calls
again; the watcher then connects, listens, and reads everything above the highest id it
has seen, since notifications sent while nobody listened are lost. A row committed in
that window can then be reported twice, which costs a pane an extra reload.

Other backends fall back to polling the newest Change id, which is one index probe.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from db.location import DatabaseError
from db.models import Change

#: The channel the trigger of migration 0009 notifies (one per database, so desks on one
#: server never hear each other).
CHANNEL = "workbench_changes"
#: Above any id (PostgreSQL's integer ids end at 2**31 - 1).
_NO_ID = 2**63
_SPAN = re.compile(r"(\d+)(?:-(\d+))?")


@dataclass(frozen=True)
class ChangeBatch:
    """What moved since the last poll."""

    last_id: int
    entities: frozenset[str]
    editors: frozenset[str]
    count: int
    ids_by_entity: dict[str, frozenset[int]] = field(default_factory=dict)


def parse_spans(payload: str) -> list[tuple[int, int]]:
    """``"3,7-9"`` → ``[(3, 3), (7, 9)]``; ValueError for anything else."""
    spans = []
    for part in payload.split(","):
        found = _SPAN.fullmatch(part)
        if found is None:
            raise ValueError(f"bad span {part!r}")
        first = int(found[1])
        last = int(found[2] or first)
        if first < 1 or last < first:
            raise ValueError(f"bad span {part!r}")
        spans.append((first, last))
    return spans


def take_ids(spans: list[tuple[int, int]], budget: int) -> list[tuple[int, int]]:
    """Remove and return spans from the front of ``spans`` holding at most ``budget``
    ids (splitting one span if need be)."""
    taken: list[tuple[int, int]] = []
    while spans and budget > 0:
        first, last = spans[0]
        if last - first + 1 <= budget:
            taken.append(spans.pop(0))
            budget -= last - first + 1
        else:
            taken.append((first, first + budget - 1))
            spans[0] = (first + budget, last)
            budget = 0
    return taken


def clip_spans(spans: Iterable[tuple[int, int]], low: int, high: int) -> list[tuple[int, int]]:
    """``spans`` without the ids in ``low..high``."""
    kept = []
    for first, last in spans:
        if first < low:
            kept.append((first, min(last, low - 1)))
        if last > high:
            kept.append((max(first, high + 1), last))
    return kept


def _batch(rows: Sequence[Sequence[Any]], last_id: int) -> ChangeBatch:
    ids: dict[str, set[int]] = {}
    for _id, entity, entity_id, _editor in rows:
        ids.setdefault(entity, set()).add(entity_id)
    return ChangeBatch(
        last_id=last_id,
        entities=frozenset(ids),
        editors=frozenset(row[3] for row in rows),
        count=len(rows),
        ids_by_entity={k: frozenset(v) for k, v in ids.items()},
    )


class ChangeWatcher:
    """Follows one database's commits made by any connection (other processes included).

    Not thread-safe: one watcher belongs to one thread. ``blocking`` says how to drive
    it: False (SQLite), call ``poll`` and sleep between calls; True (PostgreSQL), call
    ``wait``, which sleeps on the listening socket itself.
    """

    #: Reading more than this many rows per poll is pointless; panes just reload.
    BATCH = 5000

    def __init__(self, engine: Engine, last_id: int | None = None) -> None:
        self.engine = engine
        self._conn: Connection | None = None
        self._data_version: int | None = None
        self._sqlite = engine.dialect.name == "sqlite"
        self.blocking = engine.dialect.name == "postgresql"
        #: the listening psycopg connection (PostgreSQL)
        self._listener: Any = None
        #: notified spans of Change ids not read yet
        self._pending: list[tuple[int, int]] = []
        #: read everything above last_id (notifications may have been missed)
        self._catch_up = last_id is not None
        self._listened = False
        if self.blocking:
            self._listen()  # before the baseline: a commit after it is always notified
        self.last_id = self._max_id() if last_id is None else last_id

    # ------------------------------------------------------------------ SQLite & others

    def _connection(self) -> Connection:
        if self._conn is None:
            self._conn = self.engine.connect()
        return self._conn

    def _max_id(self) -> int:
        if self.blocking:
            found = self._fetch("SELECT max(id) FROM change", ())
            return int(found[0][0] or 0)
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.max(Change.id))).scalar() or 0)

    def _moved(self) -> bool:
        if not self._sqlite:
            return True
        conn = self._connection()
        version = conn.exec_driver_sql("PRAGMA data_version").scalar()
        conn.rollback()  # end the implicit read so the next poll sees new commits
        moved = version != self._data_version
        self._data_version = version
        return moved

    def poll(self) -> ChangeBatch | None:
        """New changes since the last poll, or None when nothing was committed. On
        PostgreSQL: what was notified so far, without waiting."""
        if self.blocking:
            return self.wait(0)
        if not self._moved():
            return None
        conn = self._connection()
        rows = conn.execute(
            select(Change.id, Change.entity, Change.entity_id, Change.editor)
            .where(Change.id > self.last_id)
            .order_by(Change.id)
            .limit(self.BATCH)
        ).all()
        conn.rollback()
        if not rows:
            return None
        self.last_id = rows[-1][0]
        return _batch(rows, self.last_id)

    # ------------------------------------------------------------------ PostgreSQL

    def _listen(self) -> Any:
        """The listening connection: the engine's own connection settings, taken out of
        its pool for good (a listening session must not serve anyone else's queries)."""
        if self._listener is not None:
            return self._listener
        try:
            raw = self.engine.raw_connection()
        except Exception as exc:  # the server is down or refuses us
            raise _database_error(exc) from exc
        conn = raw.driver_connection
        try:
            raw.detach()
            conn.rollback()  # the pool's liveness check may have begun a transaction
            conn.autocommit = True
            conn.execute(f"LISTEN {CHANNEL}")
        except Exception as exc:
            conn.close()
            raise _database_error(exc) from exc
        self._listener = conn
        if self._listened:
            self._catch_up = True  # what was notified while nobody listened is lost
        self._listened = True
        return conn

    def _fetch(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        try:
            return list(self._listen().execute(sql, params).fetchall())
        except Exception as exc:
            raise _database_error(exc) from exc

    def _receive(self, timeout: float) -> None:
        """Collect notifications: block up to ``timeout`` for the first, then take
        whatever else has arrived without waiting."""
        conn = self._listen()
        try:
            for notify in conn.notifies(timeout=timeout, stop_after=1):
                self._note(notify.payload)
            for notify in conn.notifies(timeout=0):
                self._note(notify.payload)
        except Exception as exc:
            raise _database_error(exc) from exc

    def _note(self, payload: str) -> None:
        try:
            self._pending.extend(parse_spans(payload))
        except ValueError:
            self._catch_up = True  # someone else's NOTIFY on our channel: look for ourselves

    def wait(self, timeout: float) -> ChangeBatch | None:
        """PostgreSQL: block up to ``timeout`` seconds until changes are committed, and
        return them (at most ``BATCH`` rows; call again at once for the rest), or None.
        Elsewhere the same as ``poll`` (which does not block)."""
        if not self.blocking:
            return self.poll()
        self._listen()
        busy = self._pending or self._catch_up
        self._receive(0 if busy else timeout)
        rows: list[tuple[Any, ...]] = []
        if self._catch_up:
            rows = self._fetch(
                "SELECT id, entity, entity_id, editor FROM change WHERE id > %s "
                "ORDER BY id LIMIT %s",
                (self.last_id, self.BATCH),
            )
            self._catch_up = len(rows) == self.BATCH
            # Notified ids were committed before they were notified: above last_id,
            # this read (or the next, while catching up) has them.
            self._pending = clip_spans(self._pending, self.last_id + 1, _NO_ID)
        spans = take_ids(self._pending, self.BATCH - len(rows))
        if spans:
            rows += self._fetch(
                "SELECT c.id, c.entity, c.entity_id, c.editor FROM change AS c "
                "JOIN unnest(%s::integer[], %s::integer[]) AS s(lo, hi) "
                "ON c.id BETWEEN s.lo AND s.hi",
                ([s[0] for s in spans], [s[1] for s in spans]),
            )
        if not rows:
            return None
        rows.sort(key=lambda row: row[0])
        self.last_id = max(self.last_id, rows[-1][0])
        return _batch(rows, self.last_id)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._listener is not None:
            listener, self._listener = self._listener, None
            with contextlib.suppress(Exception):  # a dead connection: nothing to close
                listener.close()


def _database_error(exc: Exception) -> DatabaseError:
    """The driver's own errors, said in one line (``workbench.errors.describe`` knows
    DatabaseError, not psycopg's classes)."""
    if isinstance(exc, DatabaseError):
        return exc
    cause = getattr(exc, "orig", None) or exc  # SQLAlchemy's wrapper: the driver's words
    reason = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
    return DatabaseError(f"database: {reason}")
