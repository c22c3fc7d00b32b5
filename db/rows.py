"""The shapes of rows the panes show, and the protocol of a paged view.

Kept apart from ``db.views`` so the UI can name these types without importing SQLAlchemy:
the TUI paints its first frame before the database layer has finished loading.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Protocol

Key = tuple[Any, ...]


class Row(Protocol):
    key: Key
    id: int


class PagedView(Protocol):
    """What a virtual list pane needs from the database."""

    def count(self) -> int: ...

    def page(
        self,
        *,
        after: Key | None = None,
        before: Key | None = None,
        limit: int = 50,
        from_end: bool = False,
    ) -> list[Any]:
        """Rows after (or before) a key in view order, at most ``limit``; ``from_end`` gives
        the last ``limit`` rows (still in view order)."""
        ...

    def key_at(self, offset: int) -> Key | None: ...

    def index_of(self, key: Key) -> int: ...


@dataclass(frozen=True)
class FeedRow:
    key: Key
    id: int
    sort_at: dt.datetime
    title: str
    outlet: str
    triage: str
    is_read: bool  # by the editor whose view this is
    starred: bool
    statements: int
    assignee: str | None = None
    priority: int = 0
    tags: tuple[str, ...] = ()
    rule_hits: tuple[str, ...] = ()
    match_kind: str | None = None  # "possible" / "same": a near-duplicate of another outlet's


@dataclass(frozen=True)
class StatementRow:
    key: Key
    id: int
    speaker: str
    text: str
    quote: bool
    said_on: dt.date | None
    said_until: dt.date | None
    precision: str
    verification: str
    review: str
    outlet: str
    score: float | None = None
    orphaned: bool = False  # its evidence was not found again after the article changed


@dataclass(frozen=True)
class IssueRow:
    key: Key
    id: int
    title: str
    review: str = "accepted"


@dataclass(frozen=True)
class TimelineRow:
    key: Key
    id: int
    kind: str  # "event" | "statement"
    date: dt.date
    date_end: dt.date | None
    precision: str
    title: str
    who: str
    status: str  # review state for events, verification for statements
    review: str


@dataclass(frozen=True)
class ActorRef:
    id: int
    name: str


@dataclass(frozen=True)
class Cell:
    position_id: int
    summary: str
    as_of: dt.date | None
    history: int  # accepted positions in this cell, the current one included
    suggested: int = 0  # suggestions waiting for review (e.g. read from an article's table)
    #: True when no position is accepted yet and the cell shows the newest suggestion
    tentative: bool = False


@dataclass(frozen=True)
class GridRow:
    key: Key
    id: int
    title: str
    cells: tuple[Cell | None, ...]
    review: str = "accepted"
