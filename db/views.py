"""Paged, ordered reads for the list panes: keyset pagination over each pane's index.

A pane shows a window of rows; it never loads a table. Scrolling asks for the rows after
(or before) the last key it holds, which is an index range scan whatever the desk's size.
Only a jump (scrollbar drag, ``G``) asks for an offset, and then only for one key, read
from the index, before paging on by key again.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Engine,
    Select,
    func,
    literal,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.orm import aliased

from db.models import (
    SUGGESTION_SCORE,
    Actor,
    Article,
    ArticleRead,
    Event,
    Issue,
    Position,
    Source,
    Statement,
)
from db.rows import (
    ActorRef,
    Cell,
    FeedRow,
    GridRow,
    IssueRow,
    Key,
    PagedView,
    StatementRow,
    TimelineRow,
)


def _compare(cols: Sequence[ColumnElement[Any]], key: Key, *, greater: bool) -> ColumnElement[bool]:
    """``(c1, c2, …) > (k1, k2, …)`` as a row-value comparison the index can serve."""
    left = tuple_(*cols)
    right = tuple_(*(literal(value, col.type) for col, value in zip(cols, key, strict=True)))
    return left > right if greater else left < right


def _first_key(engine: Engine, query: Select[Any]) -> Key | None:
    with engine.connect() as conn:
        row = conn.execute(query).first()
    return tuple(row) if row is not None else None


class KeysetView:
    """One ordered query paged by key. ``descending`` applies to every order column."""

    def __init__(
        self,
        engine: Engine,
        base: Any,
        query: Select[Any],
        order: Sequence[ColumnElement[Any]],
        make_row: Callable[[Any], Any],
        *,
        descending: bool = False,
        where: Sequence[ColumnElement[bool]] = (),
    ) -> None:
        self.engine = engine
        self.base = base
        self.query = query.where(*where)
        self.order = list(order)
        self.make_row = make_row
        self.descending = descending
        self.where = list(where)
        # The count reads only the base table with the same filters: no joins, no columns.
        self._count = select(func.count()).select_from(base).where(*where)

    @property
    def ordering(self) -> tuple[str, ...]:
        """What the keys are made of: a key from another ordering means nothing here."""
        return (*(str(c) for c in self.order), "desc" if self.descending else "asc")

    def _ordered(self, reverse: bool) -> Select[Any]:
        descending = self.descending != reverse
        return self.query.order_by(*(c.desc() if descending else c.asc() for c in self.order))

    def count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(self._count).scalar_one())

    def page(
        self,
        *,
        after: Key | None = None,
        before: Key | None = None,
        limit: int = 50,
        from_end: bool = False,
    ) -> list[Any]:
        if after is not None and before is not None:
            raise ValueError("page after or before a key, not both")
        reverse = before is not None or from_end
        query = self._ordered(reverse)
        if after is not None:
            query = query.where(_compare(self.order, after, greater=not self.descending))
        if before is not None:
            query = query.where(_compare(self.order, before, greater=self.descending))
        with self.engine.connect() as conn:
            rows = [self.make_row(r) for r in conn.execute(query.limit(limit))]
        return rows[::-1] if reverse else rows

    def key_at(self, offset: int) -> Key | None:
        if offset < 0:
            return None
        query = (
            select(*self.order)
            .select_from(self.base)
            .where(*self.where)
            .order_by(*(c.desc() if self.descending else c.asc() for c in self.order))
            .offset(offset)
            .limit(1)
        )
        return _first_key(self.engine, query)

    def index_of(self, key: Key) -> int:
        """How many rows come before ``key`` in this order."""
        query = (
            select(func.count())
            .select_from(self.base)
            .where(*self.where, _compare(self.order, key, greater=self.descending))
        )
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())


class MergedView:
    """Several ascending keyset views merged on one axis (the timeline: events + statements).

    Each part's key is ``(date, id)``; the merged key is ``(date, rank, id)`` where ``rank``
    orders parts that share a date. Every page is a bounded index scan on each part, merged
    in Python, rather than a sort of the union.
    """

    def __init__(self, engine: Engine, parts: Sequence[KeysetView]) -> None:
        self.engine = engine
        self.parts = list(parts)

    @staticmethod
    def _part_key(rank: int, key: Key) -> Key:
        """The merged key as seen by one part: its own rows on the key's day come after the
        key when the part ranks later (id -1), before it when the part ranks earlier."""
        day, key_rank, key_id = key
        if rank == key_rank:
            return (day, key_id)
        return (day, -1 if rank > key_rank else 2**62)

    def count(self) -> int:
        return sum(part.count() for part in self.parts)

    def page(
        self,
        *,
        after: Key | None = None,
        before: Key | None = None,
        limit: int = 50,
        from_end: bool = False,
    ) -> list[Any]:
        if after is not None and before is not None:
            raise ValueError("page after or before a key, not both")
        streams = []
        for rank, part in enumerate(self.parts):
            if after is not None:
                rows = part.page(after=self._part_key(rank, after), limit=limit)
            elif before is not None:
                rows = part.page(before=self._part_key(rank, before), limit=limit)
            else:
                rows = part.page(limit=limit, from_end=from_end)
            streams.append(rows)
        merged = list(heapq.merge(*streams, key=lambda row: row.key))
        return merged[-limit:] if before is not None or from_end else merged[:limit]

    def key_at(self, offset: int) -> Key | None:
        if offset < 0:
            return None
        keyed = [
            select(part.order[0].label("d"), literal(rank).label("r"), part.order[1].label("i"))
            .select_from(part.base)
            .where(*part.where)
            for rank, part in enumerate(self.parts)
        ]
        union = union_all(*keyed).subquery()
        query = (
            select(union.c.d, union.c.r, union.c.i)
            .order_by(union.c.d, union.c.r, union.c.i)
            .offset(offset)
            .limit(1)
        )
        return _first_key(self.engine, query)

    def index_of(self, key: Key) -> int:
        return sum(part.index_of(self._part_key(rank, key)) for rank, part in enumerate(self.parts))


# --------------------------------------------------------------------------- the panes' views


#: The Feed pane's state filters, in the order the pane cycles through them.
FEED_FILTERS = (
    "inbox",  # everything not triaged away
    "unread",
    "new",
    "relevant",
    "needs_check",
    "starred",
    "mine",
    "not_relevant",
    "all",
)


def feed_view(
    engine: Engine,
    *,
    editor: str = "",
    source_id: int | None = None,
    state: str = "all",
) -> KeysetView:
    """Articles, newest first, as ``editor`` sees them (read state is per editor)."""
    if state not in FEED_FILTERS:
        raise ValueError(f"unknown feed filter {state!r}")
    read = (
        select(ArticleRead.article_id)
        .where(ArticleRead.article_id == Article.id, ArticleRead.editor == editor)
        .correlate(Article)
        .exists()
    )
    count = (
        select(func.count())
        .where(
            Statement.article_id == Article.id,
            Statement.deleted_at.is_(None),
            Statement.review != "dismissed",
        )
        .correlate(Article)
        .scalar_subquery()
    )
    query = select(
        Article.sort_at,
        Article.id,
        Article.title,
        Source.name,
        Article.triage,
        read,
        Article.starred,
        count,
        Article.assignee,
        Article.priority,
        Article.tags,
        Article.rule_hits,
        Article.match_kind,
    ).join(Source, Source.id == Article.source_id, isouter=True)
    where: list[ColumnElement[bool]] = [Article.deleted_at.is_(None)]
    if source_id is not None:
        where.append(Article.source_id == source_id)
    if state == "inbox":
        where.append(Article.triage != "not_relevant")
    elif state == "unread":
        where.extend([~read, Article.triage != "not_relevant"])
    elif state in ("new", "relevant", "needs_check", "not_relevant"):
        where.append(Article.triage == state)
    elif state == "starred":
        where.append(Article.starred.is_(True))
    elif state == "mine":
        where.append(Article.assignee == editor)

    def make(r: Any) -> FeedRow:
        return FeedRow(
            (r[0], r[1]),
            r[1],
            r[0],
            r[2],
            r[3] or "",
            r[4],
            bool(r[5]),
            r[6],
            r[7],
            r[8],
            r[9] or 0,
            tuple(r[10] or ()),
            tuple(r[11] or ()),
            r[12],
        )

    return KeysetView(
        engine, Article, query, [Article.sort_at, Article.id], make, descending=True, where=where
    )


#: The Statements pane's filters, in the order the pane cycles through them.
STATEMENT_FILTERS = ("all", "suggested", "accepted", "orphaned", "dismissed")


def statements_view(
    engine: Engine, *, include_dismissed: bool = False, state: str = "all"
) -> KeysetView:
    """Statements, newest first; ``suggested`` lists suggestions by check-worthiness
    (the ones most worth checking first), ``orphaned`` those whose evidence was lost
    when their article changed."""
    if state not in STATEMENT_FILTERS:
        raise ValueError(f"unknown statements filter {state!r}")
    speaker = aliased(Actor)
    query = (
        select(
            Statement.id,
            speaker.name,
            Statement.text,
            Statement.quote,
            Statement.said_on,
            Statement.said_until,
            Statement.date_precision,
            Statement.verification,
            Statement.review,
            Source.name,
            Statement.score,
            Statement.evidence_start,
            Statement.evidence_exact,
            SUGGESTION_SCORE,
        )
        .join(speaker, speaker.id == Statement.speaker_id, isouter=True)
        .join(Article, Article.id == Statement.article_id, isouter=True)
        .join(Source, Source.id == Article.source_id, isouter=True)
    )
    where: list[ColumnElement[bool]] = [Statement.deleted_at.is_(None)]
    order: list[Any] = [Statement.id]
    if state == "all" and not include_dismissed:
        where.append(Statement.review != "dismissed")
    elif state in ("accepted", "dismissed"):
        where.append(Statement.review == state)
    elif state == "suggested":
        # by score, best first, unscored last (newest first among them)
        where.append(Statement.review == "suggested")
        order = [SUGGESTION_SCORE, Statement.id]
    elif state == "orphaned":
        where += [
            Statement.article_id.is_not(None),
            Statement.evidence_start.is_(None),
            Statement.evidence_exact != "",
        ]

    def make(r: Any) -> StatementRow:
        key = (r[13], r[0]) if state == "suggested" else (r[0],)
        orphaned = r[11] is None and bool(r[12])
        return StatementRow(key, r[0], r[1] or "", *r[2:9], r[9] or "", r[10], orphaned)

    return KeysetView(engine, Statement, query, order, make, descending=True, where=where)


def issues_view(engine: Engine) -> KeysetView:
    """Issues (the positions grid's rows), by title."""
    query = select(Issue.title, Issue.id, Issue.review)

    def make(r: Any) -> IssueRow:
        return IssueRow((r[0], r[1]), r[1], r[0], r[2])

    where = [Issue.deleted_at.is_(None), Issue.review != "dismissed"]
    return KeysetView(engine, Issue, query, [Issue.title, Issue.id], make, where=where)


def grid_columns(engine: Engine, limit: int = 12) -> list[ActorRef]:
    """Actors with positions, in the order the desk first took them up."""
    query = (
        select(Actor.id, Actor.name)
        .join(Position, Position.actor_id == Actor.id)
        .where(Position.deleted_at.is_(None), Position.review != "dismissed")
        .group_by(Actor.id, Actor.name)
        .order_by(func.min(Position.id))
        .limit(limit)
    )
    with engine.connect() as conn:
        return [ActorRef(i, n) for i, n in conn.execute(query)]


def grid_cells(
    engine: Engine, issue_ids: Sequence[int], actor_ids: Sequence[int]
) -> dict[tuple[int, int], Cell]:
    """The latest accepted position per cell (or, with none accepted yet, the newest
    suggestion, marked tentative), for a window of issues, in one query."""
    if not issue_ids or not actor_ids:
        return {}
    query = (
        select(
            Position.issue_id,
            Position.actor_id,
            Position.id,
            Position.summary,
            Position.as_of,
            Position.review,
        )
        .where(
            Position.issue_id.in_(issue_ids),
            Position.actor_id.in_(actor_ids),
            Position.review != "dismissed",
            Position.deleted_at.is_(None),
        )
        .order_by(Position.issue_id, Position.actor_id, Position.as_of.desc(), Position.id.desc())
    )
    accepted: dict[tuple[int, int], tuple[int, str, dt.date | None]] = {}
    newest_suggestion: dict[tuple[int, int], tuple[int, str, dt.date | None]] = {}
    history: dict[tuple[int, int], int] = {}
    suggested: dict[tuple[int, int], int] = {}
    with engine.connect() as conn:
        for issue_id, actor_id, position_id, summary, as_of, review in conn.execute(query):
            cell = (issue_id, actor_id)
            if review == "accepted":
                history[cell] = history.get(cell, 0) + 1
                accepted.setdefault(cell, (position_id, summary, as_of))
            else:
                suggested[cell] = suggested.get(cell, 0) + 1
                newest_suggestion.setdefault(cell, (position_id, summary, as_of))
    cells = {}
    for cell in accepted.keys() | newest_suggestion.keys():
        shown = accepted.get(cell) or newest_suggestion[cell]
        cells[cell] = Cell(
            *shown, history.get(cell, 0), suggested.get(cell, 0), cell not in accepted
        )
    return cells


class GridView:
    """Issues as rows, each with its cells for a fixed set of actor columns."""

    def __init__(self, engine: Engine, columns: Sequence[ActorRef]) -> None:
        self.engine = engine
        self.columns = list(columns)
        self.issues = issues_view(engine)

    def _with_cells(self, rows: list[IssueRow]) -> list[GridRow]:
        actor_ids = [c.id for c in self.columns]
        cells = grid_cells(self.engine, [r.id for r in rows], actor_ids)
        return [
            GridRow(r.key, r.id, r.title, tuple(cells.get((r.id, a)) for a in actor_ids), r.review)
            for r in rows
        ]

    def count(self) -> int:
        return self.issues.count()

    def page(
        self,
        *,
        after: Key | None = None,
        before: Key | None = None,
        limit: int = 50,
        from_end: bool = False,
    ) -> list[GridRow]:
        rows = self.issues.page(after=after, before=before, limit=limit, from_end=from_end)
        return self._with_cells(rows)

    def key_at(self, offset: int) -> Key | None:
        return self.issues.key_at(offset)

    def index_of(self, key: Key) -> int:
        return self.issues.index_of(key)


def timeline_view(engine: Engine) -> MergedView:
    """Events and dated statements on one date axis, oldest first."""
    events = KeysetView(
        engine,
        Event,
        select(
            Event.date,
            Event.id,
            Event.date_end,
            Event.precision,
            Event.title,
            Event.review,
        ),
        [Event.date, Event.id],
        lambda r: TimelineRow(
            (r[0], 0, r[1]), r[1], "event", r[0], r[2], r[3], r[4], "", r[5], r[5]
        ),
        where=[Event.deleted_at.is_(None), Event.review != "dismissed"],
    )
    speaker = aliased(Actor)
    statements = KeysetView(
        engine,
        Statement,
        select(
            Statement.said_on,
            Statement.id,
            Statement.said_until,
            Statement.date_precision,
            Statement.text,
            speaker.name,
            Statement.verification,
            Statement.review,
        ).join(speaker, speaker.id == Statement.speaker_id, isouter=True),
        [Statement.said_on, Statement.id],
        lambda r: TimelineRow(
            (r[0], 1, r[1]), r[1], "statement", r[0], r[2], r[3], r[4], r[5] or "", r[6], r[7]
        ),
        where=[
            Statement.deleted_at.is_(None),
            Statement.said_on.is_not(None),
            Statement.review != "dismissed",
        ],
    )
    return MergedView(engine, [events, statements])


__all__ = [
    "FeedRow",
    "IssueRow",
    "KeysetView",
    "MergedView",
    "PagedView",
    "StatementRow",
    "TimelineRow",
    "feed_view",
    "issues_view",
    "statements_view",
    "timeline_view",
]
