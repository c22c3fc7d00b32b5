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
    #: the words a statement's date was read from ("in the coming days", "mid-December"):
    #: an approximate date is drawn with them, so the reader sees what the guess rests on
    date_text: str = ""
    #: later statements that undo this one, as (relation, statement id) with relation
    #: "contradicts" or "updates"; filled per page by the timeline view, in one query
    marks: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class ActorRef:
    """A grid column. Columns of one family stand together under the name of its top
    actor (France over France, Élysée, Macron), even when that actor is not a column."""

    id: int
    name: str
    #: the top of the actor's parent chain (None: the actor itself, it has no parent)
    group_id: int | None = None
    group: str = ""  # that top actor's name
    depth: int = 0  # parents between this actor and the top of its chain

    @property
    def grouped(self) -> bool:
        """Whether the column sits under another actor's name (it has a parent)."""
        return self.group_id is not None and self.group_id != self.id


@dataclass(frozen=True)
class Cell:
    position_id: int
    summary: str
    as_of: dt.date | None
    history: int  # accepted positions in this cell, the current one included
    suggested: int = 0  # suggestions waiting for review (e.g. read from an article's table)
    #: True when no position is accepted yet and the cell shows the newest suggestion
    tentative: bool = False
    # Marks on the accepted position shown (never on a tentative one), computed per page:
    #: its as-of date (or, undated, the day it was recorded) is on or after the picked day
    changed: bool = False
    #: a later statement by the actor (or one under it) contradicts or updates its backing
    contradicted: bool = False
    #: no statement backing it is verified
    unbacked: bool = False


@dataclass(frozen=True)
class GridRow:
    key: Key
    id: int
    title: str
    cells: tuple[Cell | None, ...]
    review: str = "accepted"


@dataclass(frozen=True)
class CellStatement:
    """A statement behind a grid cell, as the cell's detail lists it."""

    id: int
    speaker: str
    said_on: dt.date | None
    said_until: dt.date | None
    precision: str
    outlet: str
    verification: str
    text: str
    quote: bool = False


@dataclass(frozen=True)
class CellPosition:
    id: int
    summary: str
    as_of: dt.date | None
    review: str
    version: int
    statements: tuple[CellStatement, ...] = ()


@dataclass(frozen=True)
class CellDetail:
    """Everything Enter on a grid cell shows: the actor's positions on the issue, newest
    first (the current one's backing statements first of all), and the later statements
    that contradict or update that backing."""

    issue_id: int
    issue: str
    actor_id: int
    actor: str
    positions: tuple[CellPosition, ...]
    current: int | None  # id of the latest accepted position, if any
    contradicted_by: tuple[CellStatement, ...] = ()

    @property
    def current_position(self) -> CellPosition | None:
        return next((p for p in self.positions if p.id == self.current), None)
