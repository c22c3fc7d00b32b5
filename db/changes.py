"""The change feed: how an open session learns that someone else committed.

On SQLite, ``PRAGMA data_version`` on a long-lived connection changes whenever another
connection commits; reading it costs microseconds, so it can be polled every 50 ms. Only
when it moves do we read the new Change rows (by primary key, above the last id seen) to
learn which kinds of rows moved and who moved them. Other backends fall back to polling the
newest Change id, which is one index probe.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, func, select

from db.models import Change


@dataclass(frozen=True)
class ChangeBatch:
    """What moved since the last poll."""

    last_id: int
    entities: frozenset[str]
    editors: frozenset[str]
    count: int
    ids_by_entity: dict[str, frozenset[int]] = field(default_factory=dict)


class ChangeWatcher:
    """Polls one database for commits made by any connection (other processes included).

    Not thread-safe: one watcher belongs to one polling thread.
    """

    #: Reading more than this many rows per poll is pointless; panes just reload.
    BATCH = 5000

    def __init__(self, engine: Engine, last_id: int | None = None) -> None:
        self.engine = engine
        self._conn: Connection | None = None
        self._data_version: int | None = None
        self._sqlite = engine.dialect.name == "sqlite"
        self.last_id = self._max_id() if last_id is None else last_id

    def _connection(self) -> Connection:
        if self._conn is None:
            self._conn = self.engine.connect()
        return self._conn

    def _max_id(self) -> int:
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
        """New changes since the last poll, or None when nothing was committed."""
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
        ids: dict[str, set[int]] = {}
        for _id, entity, entity_id, _editor in rows:
            ids.setdefault(entity, set()).add(entity_id)
        self.last_id = rows[-1][0]
        return ChangeBatch(
            last_id=self.last_id,
            entities=frozenset(ids),
            editors=frozenset(row[3] for row in rows),
            count=len(rows),
            ids_by_entity={k: frozenset(v) for k, v in ids.items()},
        )

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
