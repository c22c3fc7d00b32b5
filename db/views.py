"""Paged, ordered reads for the list panes: keyset pagination over each pane's index.

A pane shows a window of rows; it never loads a table. Scrolling asks for the rows after
(or before) the last key it holds, which is an index range scan whatever the desk's size.
Only a jump (scrollbar drag, ``G``) asks for an offset, and then only for one key, read
from the index, before paging on by key again; the list looks it up from the nearer end
(``key_from_end``). Counts, jumps and ``index_of`` pass every row before their answer, so
each pane's index holds the pane's filter columns too (migration 0010): they read the index
alone, never the table.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Select,
    and_,
    bindparam,
    case,
    false,
    func,
    literal,
    or_,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.orm import aliased
from sqlalchemy.sql.functions import FunctionElement

from db.models import (
    SUGGESTION_SCORE,
    Actor,
    Article,
    ArticleRead,
    Event,
    EventActor,
    EventStatement,
    Issue,
    Link,
    Position,
    PositionStatement,
    Source,
    Statement,
)
from db.rows import (
    ActorRef,
    Cell,
    CellDetail,
    CellPosition,
    CellStatement,
    FeedRow,
    GridRow,
    IssueRow,
    Key,
    PagedView,
    StatementRow,
    TimelineRow,
)

# --------------------------------------------------------------------------- rows with versions
#
# A review (accept / dismiss by key) names the version of the row the editor saw, so a
# stale screen can never overwrite a colleague's decision (Repo.review). The panes' rows
# therefore carry that version; they extend the shapes in ``db.rows`` rather than change
# them, and stay equal-comparable only to rows of the same kind.


@dataclass(frozen=True)
class VersionedStatementRow(StatementRow):
    version: int = 0


@dataclass(frozen=True)
class VersionedTimelineRow(TimelineRow):
    version: int = 0


@dataclass(frozen=True)
class VersionedIssueRow(IssueRow):
    version: int = 0


@dataclass(frozen=True)
class VersionedGridRow(GridRow):
    version: int = 0  # the issue's


@dataclass(frozen=True)
class PendingCell(Cell):
    #: (position id, version) of the newest suggestion waiting in the cell: what a/d act on
    pending: tuple[int, int] | None = None


def _compare(cols: Sequence[ColumnElement[Any]], key: Key, *, greater: bool) -> ColumnElement[bool]:
    """``(c1, c2, …) > (k1, k2, …)`` as a row-value comparison the index can serve.

    SQLite does not use a row value as a range on an index whose first column is an
    expression (the suggested list's ``coalesce(score, -1)``): each page then skipped every
    row before it (314 ms at the 140,000th suggestion). Spelled ``c1 >= k1 AND (c1 > k1 OR
    rest > rest)`` the first column is a plain range and a page is one index seek."""
    values = [literal(value, col.type) for col, value in zip(cols, key, strict=True)]
    if len(cols) > 1 and isinstance(cols[0], FunctionElement):
        rest = _compare(cols[1:], key[1:], greater=greater)
        if greater:
            return and_(cols[0] >= values[0], or_(cols[0] > values[0], rest))
        return and_(cols[0] <= values[0], or_(cols[0] < values[0], rest))
    left, right = tuple_(*cols), tuple_(*values)
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

    def _keyed(self, reverse: bool) -> Select[Any]:
        """The keys alone, in view order (``reverse``: backwards): read from the pane's
        covering index, never from the table (migration 0010)."""
        descending = self.descending != reverse
        return (
            select(*self.order)
            .select_from(self.base)
            .where(*self.where)
            .order_by(*(c.desc() if descending else c.asc() for c in self.order))
        )

    def key_at(self, offset: int) -> Key | None:
        """The key of the row at ``offset``: the index is walked that far, so a jump costs
        in proportion to how deep it goes (``key_from_end`` for the second half)."""
        if offset < 0:
            return None
        return _first_key(self.engine, self._keyed(False).offset(offset).limit(1))

    def key_from_end(self, offset: int) -> Key | None:
        """The key of the row ``offset`` rows before the last one (0: the last row)."""
        if offset < 0:
            return None
        return _first_key(self.engine, self._keyed(True).offset(offset).limit(1))

    def keys(
        self, *, after: Key | None = None, before: Key | None = None, limit: int = 50
    ) -> list[Key]:
        """Keys only, as ``page`` would list the rows (``before``: the last ``limit``
        before it, still in view order)."""
        query = self._keyed(before is not None)
        if after is not None:
            query = query.where(_compare(self.order, after, greater=not self.descending))
        if before is not None:
            query = query.where(_compare(self.order, before, greater=self.descending))
        with self.engine.connect() as conn:
            found = [tuple(r) for r in conn.execute(query.limit(limit))]
        return found[::-1] if before is not None else found

    def index_of(self, key: Key) -> int:
        """How many rows come before ``key`` in this order."""
        query = (
            select(func.count())
            .select_from(self.base)
            .where(*self.where, _compare(self.order, key, greater=self.descending))
        )
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())


#: MergedView: the most rows of the parts other than the main one whose keys a jump reads
#: into memory (the timeline's events: a few thousand); beyond it, jumps merge in SQL.
MERGE_IN_MEMORY = 20_000


class MergedView:
    """Several ascending keyset views merged on one axis (the timeline: events + statements).

    Each part's key is ``(date, id)``; the merged key is ``(date, rank, id)`` where ``rank``
    orders parts that share a date. Every page is a bounded index scan on each part, merged
    in Python, rather than a sort of the union.

    ``main`` names the part that holds most rows (the timeline's statements). A jump then
    walks only that part's index by offset and corrects for the other parts' keys, which
    it reads whole (at most ``MERGE_IN_MEMORY``): a union of the parts ordered by
    ``(date, rank, id)`` is sorted, not merged, since neither backend reads a constant
    ``rank`` out of an index order (430 ms at the middle of a million statements, against
    ~25 ms for the walk).
    """

    def __init__(
        self, engine: Engine, parts: Sequence[KeysetView], *, main: int | None = None
    ) -> None:
        self.engine = engine
        self.parts = list(parts)
        self.main = main

    @staticmethod
    def _part_key(rank: int, key: Key) -> Key:
        """The merged key as seen by one part: its own rows on the key's day come after the
        key when the part ranks later (id -1), before it when the part ranks earlier."""
        day, key_rank, key_id = key
        if rank == key_rank:
            return (day, key_id)
        # Past every id: a 32-bit bound, since ids are INTEGER on PostgreSQL (as 2**62 is not).
        return (day, -1 if rank > key_rank else 2**31 - 1)

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
        return self._nth(offset, from_end=False)

    def key_from_end(self, offset: int) -> Key | None:
        """The key ``offset`` rows before the last one (0: the last row)."""
        return self._nth(offset, from_end=True)

    def _nth(self, n: int, *, from_end: bool) -> Key | None:
        """The merged key ``n`` rows from the start (or from the end): the main part's key
        ``n`` rows in, stepped back over the other parts' rows that come before it."""
        if n < 0:
            return None
        if self.main is None:
            return self._nth_in_sql(n, from_end=from_end)
        others: list[Key] = []
        for rank, part in enumerate(self.parts):
            if rank != self.main:
                keys = part.keys(limit=MERGE_IN_MEMORY + 1)
                if len(keys) > MERGE_IN_MEMORY:
                    return self._nth_in_sql(n, from_end=from_end)
                others += [(k[0], rank, k[1]) for k in keys]
        others.sort(reverse=from_end)
        main = self.parts[self.main]

        def earlier(a: Key, b: Key) -> bool:  # a comes first in the direction we count
            return a > b if from_end else a < b

        found = main.key_from_end(n) if from_end else main.key_at(n)
        walked = n  # the main part's rows before ``found``
        if found is None:  # fewer than n + 1 main rows: start from its farthest one
            found = main.key_at(0) if from_end else main.key_from_end(0)
            if found is None:
                return others[n] if n < len(others) else None
            walked = main.count() - 1
        key = (found[0], self.main, found[1])
        before = sum(1 for other in others if earlier(other, key))  # a sorted prefix
        index = walked + before  # where ``key`` is in the merged order
        if index == n:
            return key
        if index < n:  # past the main part's last row: only the others' rows remain
            at = before + n - index - 1
            return others[at] if at < len(others) else None
        back = index - n  # step back over this many rows; at most ``before`` of them
        near = (
            main.keys(after=found, limit=back) if from_end else main.keys(before=found, limit=back)
        )
        nearest = [(k[0], self.main, k[1]) for k in near] + others[max(0, before - back) : before]
        nearest.sort(reverse=from_end)
        return nearest[len(nearest) - back]

    def _nth_in_sql(self, n: int, *, from_end: bool) -> Key | None:
        """The union of every part's keys in merged order, ``n`` rows in: for parts that
        are all large (each part's walk is merged, but ranks on one date are sorted)."""
        keyed = [
            select(part.order[0].label("d"), literal(rank).label("r"), part.order[1].label("i"))
            .select_from(part.base)
            .where(*part.where)
            for rank, part in enumerate(self.parts)
        ]
        union = union_all(*keyed)
        order = (union.selected_columns.d, union.selected_columns.r, union.selected_columns.i)
        query = union.order_by(*(c.desc() if from_end else c.asc() for c in order))
        return _first_key(self.engine, query.offset(n).limit(1))  # type: ignore[arg-type]

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
    # Whether the row is read. SQLite probes the read table's key once per row for the
    # EXISTS; PostgreSQL planned the same EXISTS as a hash of every article the editor ever
    # read, built for each page (18 ms a page at 60,000 reads), and probes the key for an
    # outer join instead (1.4 ms). SQLite would build a Bloom filter of the reads for that
    # join (0 → 3.4 ms). The filters keep ``read``: counts and jumps read ``article`` alone.
    mine = select(ArticleRead.article_id).where(ArticleRead.editor == editor).subquery("mine")
    joined = engine.dialect.name == "postgresql"
    query = select(
        Article.sort_at,
        Article.id,
        Article.title,
        Source.name,
        Article.triage,
        mine.c.article_id.is_not(None) if joined else read,
        Article.starred,
        count,
        Article.assignee,
        Article.priority,
        Article.tags,
        Article.rule_hits,
        Article.match_kind,
    ).join(Source, Source.id == Article.source_id, isouter=True)
    if joined:
        query = query.join(mine, mine.c.article_id == Article.id, isouter=True)
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


def _statement_row_columns(speaker: Any) -> tuple[Any, ...]:
    """The columns a statement row starts with, wherever statements are listed."""
    return (
        Statement.id,
        speaker.name,
        Statement.text,
        Statement.quote,
        Statement.said_on,
        Statement.said_until,
        Statement.date_precision,
        Statement.verification,
        Statement.review,
    )


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
            *_statement_row_columns(speaker),
            Source.name,
            Statement.score,
            Statement.evidence_start,
            Statement.evidence_exact,
            SUGGESTION_SCORE,
            Statement.version,
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

    def make(r: Any) -> VersionedStatementRow:
        key = (r[13], r[0]) if state == "suggested" else (r[0],)
        orphaned = r[11] is None and bool(r[12])
        return VersionedStatementRow(
            key, r[0], r[1] or "", *r[2:9], r[9] or "", r[10], orphaned, version=r[14]
        )

    return KeysetView(engine, Statement, query, order, make, descending=True, where=where)


def issues_view(engine: Engine) -> KeysetView:
    """Issues (the positions grid's rows), by title."""
    query = select(Issue.title, Issue.id, Issue.review, Issue.version)

    def make(r: Any) -> VersionedIssueRow:
        return VersionedIssueRow((r[0], r[1]), r[1], r[0], r[2], version=r[3])

    where = [Issue.deleted_at.is_(None), Issue.review != "dismissed"]
    return KeysetView(engine, Issue, query, [Issue.title, Issue.id], make, where=where)


# --------------------------------------------------------------------------- positions grid
#
# Columns are actors, grouped by family: an actor's children follow it, and every column
# knows the top of its parent chain, whose name the grid writes above the family's
# columns. Cells are read a page of issues at a time, each page in a fixed handful of
# queries (positions, verified backing, contradicting links, the speakers' parent
# chains), never one per cell.

#: Link relations by which a later statement undoes an earlier one.
UNDOING = ("contradicts", "updates")

#: (name, parent id) of actors, by id: what grouping and "an actor under it" read.
ActorChains = dict[int, tuple[str, int | None]]


def _actor_chains(conn: Connection, actor_ids: Iterable[int]) -> ActorChains:
    """Names and parents of ``actor_ids`` and of all their ancestors, in one recursive
    query (``UNION``, not ``UNION ALL``: a parent cycle stored by mistake still ends)."""
    ids = sorted(set(actor_ids))
    if not ids:
        return {}
    chain = (
        select(Actor.id, Actor.name, Actor.parent_id)
        .where(Actor.id.in_(ids))
        .cte("chain", recursive=True)
    )
    up = aliased(Actor)
    chain = chain.union(
        select(up.id, up.name, up.parent_id).join(chain, up.id == chain.c.parent_id)
    )
    rows = conn.execute(select(chain.c.id, chain.c.name, chain.c.parent_id))
    return {int(i): (name, parent) for i, name, parent in rows}


def _lineage(actor_id: int, chains: ActorChains) -> list[int]:
    """``actor_id`` and its ancestors, nearest first (cycle-safe)."""
    line: list[int] = []
    current: int | None = actor_id
    while current is not None and current not in line:
        line.append(current)
        current = chains[current][1] if current in chains else None
    return line


def group_columns(order: Sequence[int], chains: ActorChains) -> list[ActorRef]:
    """``order``'s actors as grid columns: families together, each actor before the
    actors under it, families and siblings otherwise in ``order``'s order.

    A family is everything under one top actor (France: the Élysée, Macron), whether or
    not the top actor is itself a column. Within it the columns read as a tree, depth
    first, so moving a column in ``order`` never separates a child from its parent.
    """
    order = [i for i in dict.fromkeys(order)]
    rank = {actor_id: n for n, actor_id in enumerate(order)}
    paths = {actor_id: _lineage(actor_id, chains)[::-1] for actor_id in order}  # top first
    # An actor that is not a column ranks as its first column below it.
    node_rank: dict[int, int] = {}
    for actor_id in order:
        for node in paths[actor_id]:
            node_rank[node] = min(node_rank.get(node, len(order)), rank[actor_id])
    node_rank.update(rank)
    family_rank: dict[int, int] = {}
    for actor_id in order:
        top = paths[actor_id][0]
        family_rank[top] = min(family_rank.get(top, len(order)), rank[actor_id])

    def key(actor_id: int) -> tuple[int, tuple[int, ...]]:
        path = paths[actor_id]
        return family_rank[path[0]], tuple(node_rank[node] for node in path)

    columns = []
    for actor_id in sorted(order, key=key):
        path = paths[actor_id]
        top = path[0]
        columns.append(
            ActorRef(
                actor_id,
                chains.get(actor_id, (f"actor {actor_id}", None))[0],
                group_id=top,
                group=chains.get(top, ("", None))[0],
                depth=len(path) - 1,
            )
        )
    return columns


def grid_columns(
    engine: Engine, limit: int | None = 12, chosen: Sequence[int] | None = None
) -> list[ActorRef]:
    """The grid's actor columns, grouped by family (``group_columns``).

    ``chosen``: the editor's own columns, in their order, as many as they like (actors
    deleted since drop out). Without a choice, or when none of it is left: the actors
    with positions, in the order the desk first took them up, at most ``limit``.
    """
    with engine.connect() as conn:
        ids: list[int] = []
        if chosen:
            wanted = list(dict.fromkeys(chosen))
            live = {
                int(i)
                for (i,) in conn.execute(
                    select(Actor.id).where(Actor.id.in_(wanted), Actor.deleted_at.is_(None))
                )
            }
            ids = [i for i in wanted if i in live]
        if not ids:
            query = (
                select(Actor.id)
                .join(Position, Position.actor_id == Actor.id)
                .where(Position.deleted_at.is_(None), Position.review != "dismissed")
                .group_by(Actor.id)
                .order_by(func.min(Position.id))
            )
            if limit is not None:
                query = query.limit(limit)
            ids = [int(i) for (i,) in conn.execute(query)]
        chains = _actor_chains(conn, ids)
    return group_columns(ids, chains)


def _day(value: dt.date | dt.datetime | None) -> dt.date | None:
    """A stored time as the desk's local day (SQLite hands back naive UTC)."""
    if value is None or not isinstance(value, dt.datetime):
        return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone().date()


def _contradicting(
    conn: Connection, current: dict[int, tuple[int, int, dt.date | None]]
) -> dict[int, list[int]]:
    """Later statements that undo each position's backing, by position id.

    ``current`` maps a position id to (issue id, actor id, as-of day: its as_of, or the
    day it was recorded when undated). The rule: statement L contradicts position P when

    - an accepted, live link ``L → B`` with relation *contradicts* or *updates* points at
      a statement B backing P (a *contradicts* link counts drawn either way, ``B → L``
      too: editors draw contradictions in both directions, and the timeline reads them so);
    - L is live and not dismissed, and said by P's actor or by an actor under it (any
      depth: Macron under the Élysée under France counts for France);
    - L is on P's issue, or on no issue (linking it to B puts it there);
    - L is dated (``said_on``, the start of a range) strictly after P's as-of day; an
      undated L is not known to be later and does not count.

    One query for the links, one for the speakers' parent chains.
    """
    if not current:
        return {}
    rows = conn.execute(_contradicting_query(), {"positions": list(current)}).all()
    if not rows:
        return {}
    chains = _actor_chains(conn, {int(r[2]) for r in rows})
    found: dict[int, list[int]] = {}
    for position_id, statement_id, speaker_id, issue_id, said_on in rows:
        cell_issue, cell_actor, day = current[position_id]
        if issue_id not in (None, cell_issue) or (day is not None and said_on <= day):
            continue
        if cell_actor not in _lineage(int(speaker_id), chains):
            continue
        ids = found.setdefault(position_id, [])
        if statement_id not in ids:
            ids.append(statement_id)
    return found


@cache
def _contradicting_query() -> Select[Any]:
    """``_contradicting``'s query, built once (``positions``: the position ids): every grid
    page runs it, and building it (the aliased table) took 1.0 ms of a 3.5 ms page."""
    later = aliased(Statement)
    return (
        select(
            PositionStatement.position_id,
            later.id,
            later.speaker_id,
            later.issue_id,
            later.said_on,
        )
        .join(
            Link,
            or_(
                Link.to_id == PositionStatement.statement_id,
                # a contradiction holds whichever way an editor drew it
                and_(
                    Link.relation == "contradicts",
                    Link.from_id == PositionStatement.statement_id,
                ),
            ),
        )
        .join(
            later,
            later.id
            == case((Link.to_id == PositionStatement.statement_id, Link.from_id), else_=Link.to_id),
        )
        .where(
            PositionStatement.position_id.in_(bindparam("positions", expanding=True)),
            Link.relation.in_(UNDOING),
            Link.review == "accepted",
            Link.deleted_at.is_(None),
            later.deleted_at.is_(None),
            later.review != "dismissed",
            later.said_on.is_not(None),
            later.speaker_id.is_not(None),
        )
        .order_by(later.said_on, later.id)
    )


def _verified(conn: Connection, position_ids: Sequence[int]) -> set[int]:
    """The positions (of ``position_ids``) that at least one live verified statement backs."""
    if not position_ids:
        return set()
    found = conn.execute(_verified_query(), {"positions": list(position_ids)})
    return {int(i) for (i,) in found}


@cache
def _verified_query() -> Select[Any]:
    return (
        select(PositionStatement.position_id)
        .join(Statement, Statement.id == PositionStatement.statement_id)
        .where(
            PositionStatement.position_id.in_(bindparam("positions", expanding=True)),
            Statement.verification == "verified",
            Statement.deleted_at.is_(None),
        )
        .distinct()
    )


def grid_cells(
    engine: Engine,
    issue_ids: Sequence[int],
    actor_ids: Sequence[int],
    *,
    since: dt.date | None = None,
) -> dict[tuple[int, int], Cell]:
    """The latest accepted position per cell (or, with none accepted yet, the newest
    suggestion, marked tentative), for a window of issues, with its marks.

    Marks are for the accepted position a cell shows: ``changed`` when its as-of date
    (undated: the day it was recorded) is on or after ``since`` (so "since 1 Dec"
    includes 1 Dec); ``contradicted`` by the rule of ``_contradicting``; ``unbacked``
    when no live verified statement backs it. Four queries per window, whatever its size.
    """
    if not issue_ids or not actor_ids:
        return {}
    accepted: dict[tuple[int, int], tuple[int, str, dt.date | None]] = {}
    as_of_day: dict[int, dt.date | None] = {}
    newest_suggestion: dict[tuple[int, int], tuple[int, str, dt.date | None]] = {}
    pending: dict[tuple[int, int], tuple[int, int]] = {}
    history: dict[tuple[int, int], int] = {}
    suggested: dict[tuple[int, int], int] = {}
    with engine.connect() as conn:
        found = conn.execute(_cells_query(), {"issues": list(issue_ids), "actors": list(actor_ids)})
        for row in found:
            issue_id, actor_id, position_id, summary, as_of, review, version, created = row
            cell = (issue_id, actor_id)
            if review == "accepted":
                history[cell] = history.get(cell, 0) + 1
                if cell not in accepted:
                    accepted[cell] = (position_id, summary, as_of)
                    as_of_day[position_id] = as_of or _day(created)
            else:
                suggested[cell] = suggested.get(cell, 0) + 1
                newest_suggestion.setdefault(cell, (position_id, summary, as_of))
                pending.setdefault(cell, (position_id, version))
        current = {
            shown[0]: (cell[0], cell[1], as_of_day[shown[0]]) for cell, shown in accepted.items()
        }
        verified = _verified(conn, list(current))
        contradicted = _contradicting(conn, current)
    cells: dict[tuple[int, int], Cell] = {}
    for cell in accepted.keys() | newest_suggestion.keys():
        if cell in accepted:
            shown = accepted[cell]
            day = as_of_day[shown[0]]
            marks = {
                "changed": since is not None and day is not None and day >= since,
                "contradicted": shown[0] in contradicted,
                "unbacked": shown[0] not in verified,
            }
        else:
            shown, marks = newest_suggestion[cell], {}
        cells[cell] = PendingCell(
            *shown,
            history.get(cell, 0),
            suggested.get(cell, 0),
            cell not in accepted,
            **marks,
            pending=pending.get(cell),
        )
    return cells


@cache
def _cells_query() -> Select[Any]:
    """``grid_cells``' query, built once (``issues``, ``actors``: the window's ids)."""
    return (
        select(
            Position.issue_id,
            Position.actor_id,
            Position.id,
            Position.summary,
            Position.as_of,
            Position.review,
            Position.version,
            Position.created_at,
        )
        .where(
            Position.issue_id.in_(bindparam("issues", expanding=True)),
            Position.actor_id.in_(bindparam("actors", expanding=True)),
            Position.review != "dismissed",
            Position.deleted_at.is_(None),
        )
        .order_by(Position.issue_id, Position.actor_id, Position.as_of.desc(), Position.id.desc())
    )


class GridView:
    """Issues as rows, each with its cells for a fixed set of actor columns; ``since``
    is the day the "changed" mark counts from (None: no such mark)."""

    def __init__(
        self, engine: Engine, columns: Sequence[ActorRef], *, since: dt.date | None = None
    ) -> None:
        self.engine = engine
        self.columns = list(columns)
        self.since = since
        self.issues = issues_view(engine)

    def _with_cells(self, rows: list[VersionedIssueRow]) -> list[GridRow]:
        actor_ids = [c.id for c in self.columns]
        cells = grid_cells(self.engine, [r.id for r in rows], actor_ids, since=self.since)
        return [
            VersionedGridRow(
                r.key,
                r.id,
                r.title,
                tuple(cells.get((r.id, a)) for a in actor_ids),
                r.review,
                version=r.version,
            )
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

    def key_from_end(self, offset: int) -> Key | None:
        return self.issues.key_from_end(offset)

    def index_of(self, key: Key) -> int:
        return self.issues.index_of(key)


def _statement_columns() -> Select[Any]:
    """A statement as a grid cell's detail lists it: who, when, where it was reported."""
    speaker = aliased(Actor)
    query = (
        select(
            Statement.id,
            speaker.name,
            Statement.said_on,
            Statement.said_until,
            Statement.date_precision,
            Source.name,
            Statement.verification,
            Statement.text,
            Statement.quote,
        )
        .join(speaker, speaker.id == Statement.speaker_id, isouter=True)
        .join(Article, Article.id == Statement.article_id, isouter=True)
        .join(Source, Source.id == Article.source_id, isouter=True)
    )
    return query


def cell_detail(engine: Engine, issue_id: int, actor_id: int) -> CellDetail | None:
    """What Enter on a grid cell lists (``CellDetail``); None if the issue or the actor
    is gone. Dismissed positions are left out: the actor never took them."""
    with engine.connect() as conn:
        issue = conn.execute(select(Issue.title).where(Issue.id == issue_id)).scalar()
        actor = conn.execute(select(Actor.name).where(Actor.id == actor_id)).scalar()
        if issue is None or actor is None:
            return None
        positions = conn.execute(
            select(
                Position.id,
                Position.summary,
                Position.as_of,
                Position.review,
                Position.version,
                Position.created_at,
            )
            .where(
                Position.issue_id == issue_id,
                Position.actor_id == actor_id,
                Position.deleted_at.is_(None),
                Position.review != "dismissed",
            )
            .order_by(Position.as_of.desc(), Position.id.desc())
        ).all()
        base = _statement_columns()
        backing: dict[int, list[CellStatement]] = {}
        if positions:
            query = base.add_columns(PositionStatement.position_id).join(
                PositionStatement, PositionStatement.statement_id == Statement.id
            )
            query = query.where(
                PositionStatement.position_id.in_([p[0] for p in positions]),
                Statement.deleted_at.is_(None),
            ).order_by(Statement.id)
            for r in conn.execute(query):
                backing.setdefault(int(r[-1]), []).append(_cell_statement(r))
        current = next((p for p in positions if p[3] == "accepted"), None)
        later: list[CellStatement] = []
        if current is not None:
            found = _contradicting(
                conn, {current[0]: (issue_id, actor_id, current[2] or _day(current[5]))}
            )
            ids = found.get(current[0], [])
            if ids:
                rows = {
                    int(r[0]): _cell_statement(r)
                    for r in conn.execute(base.where(Statement.id.in_(ids)))
                }
                later = [rows[i] for i in ids if i in rows]
    return CellDetail(
        issue_id,
        issue,
        actor_id,
        actor,
        tuple(
            CellPosition(p[0], p[1], p[2], p[3], p[4], tuple(backing.get(p[0], ())))
            for p in positions
        ),
        current[0] if current is not None else None,
        tuple(later),
    )


def _cell_statement(r: Any) -> CellStatement:
    return CellStatement(
        int(r[0]), r[1] or "", r[2], r[3], r[4], r[5] or "", r[6], r[7], bool(r[8])
    )


#: Link relations that make an earlier timeline entry out of date, as the timeline marks them.
TIMELINE_MARKS = ("contradicts", "updates")


class TimelineView(MergedView):
    """The timeline's merged view; every page comes back marked with the later statements
    that contradict or update its rows, read in one query a page (never one a row)."""

    def page(
        self,
        *,
        after: Key | None = None,
        before: Key | None = None,
        limit: int = 50,
        from_end: bool = False,
    ) -> list[Any]:
        rows = super().page(after=after, before=before, limit=limit, from_end=from_end)
        return timeline_marks(self.engine, rows)


def timeline_marks(engine: Engine, rows: list[Any]) -> list[Any]:
    """``rows`` with ``marks`` set: for each statement, the accepted links by which a later
    statement undoes it.

    *updates* has a direction (the newer statement updates the older one, which it
    supersedes), so its target is marked whatever the dates say. *contradicts* is mutual, and
    editors link either way, so the earlier of the two statements (by date, then id; an
    undated one counts as later) is the one marked: the marker says "this was contradicted
    afterwards", which is what a reader of a timeline needs to see at the earlier entry.
    """
    ids = [row.id for row in rows if row.kind == "statement"]
    if not ids:
        return rows
    with engine.connect() as conn:
        found = conn.execute(_marks_query(), {"ids": ids}).all()
    marks: dict[int, set[tuple[str, int]]] = {}
    for relation, from_id, to_id, from_date, to_date in found:
        marked, by = to_id, from_id
        if relation == "contradicts":
            last = dt.date.max
            if (from_date or last, from_id) < (to_date or last, to_id):
                marked, by = from_id, to_id
        marks.setdefault(marked, set()).add((relation, by))
    return [
        replace(row, marks=tuple(sorted(marks[row.id])))
        if row.kind == "statement" and row.id in marks
        else row
        for row in rows
    ]


@cache
def _marks_query() -> Select[Any]:
    """``timeline_marks``' query, built once (``ids``: the page's statement ids): building
    it took 1.7 ms of a 3 ms timeline page."""
    older = aliased(Statement)
    newer = aliased(Statement)
    ids = bindparam("ids", expanding=True)
    return (
        select(Link.relation, Link.from_id, Link.to_id, newer.said_on, older.said_on)
        .join(newer, newer.id == Link.from_id)
        .join(older, older.id == Link.to_id)
        .where(
            Link.review == "accepted",
            Link.deleted_at.is_(None),
            Link.relation.in_(TIMELINE_MARKS),
            newer.deleted_at.is_(None),
            older.deleted_at.is_(None),
            newer.review != "dismissed",
            older.review != "dismissed",
            or_(
                Link.to_id.in_(ids),
                and_(Link.relation == "contradicts", Link.from_id.in_(ids)),
            ),
        )
    )


def timeline_view(
    engine: Engine,
    *,
    actor_ids: Sequence[int] = (),
    issue_id: int | None = None,
    verification: str | None = None,
    since: dt.date | None = None,
) -> TimelineView:
    """Events and dated statements on one date axis, oldest first, each kind by its start
    date (a month-precision entry sorts at the first of its month, a range at its first day).

    Filters, all optional and combined with AND:

    - ``actor_ids``: statements spoken by one of them, events they took part in
      (``EventActor``). The pane passes an actor together with the actors under it.
    - ``issue_id``: statements on the issue, and events that have a statement on it
      (``EventStatement``): an event carries no issue of its own.
    - ``verification``: statements with that verification only; events are not statements
      and have no verification, so this filter leaves them out.
    - ``since``: entries that start on or after that day (a bound on the sort key, so
      the date indexes serve it).

    The filters only narrow each part's ``WHERE``: keys, order and paging are the same as
    unfiltered, so a pane switching filters keeps its cursor on the same entry.
    """
    event_where: list[ColumnElement[bool]] = [
        Event.deleted_at.is_(None),
        Event.review != "dismissed",
    ]
    statement_where: list[ColumnElement[bool]] = [
        Statement.deleted_at.is_(None),
        Statement.said_on.is_not(None),
        Statement.review != "dismissed",
    ]
    actors = list(dict.fromkeys(actor_ids))
    if actors:
        # One actor (the usual case) is an equality, which the speaker index serves in date
        # order; several (an actor with those under it) are an IN list.
        speaker_match = (
            Statement.speaker_id == actors[0]
            if len(actors) == 1
            else Statement.speaker_id.in_(actors)
        )
        statement_where.append(speaker_match)
        event_where.append(
            Event.id.in_(select(EventActor.event_id).where(EventActor.actor_id.in_(actors)))
        )
    if issue_id is not None:
        statement_where.append(Statement.issue_id == issue_id)
        on_issue = aliased(Statement)
        event_where.append(
            Event.id.in_(
                select(EventStatement.event_id)
                .join(on_issue, on_issue.id == EventStatement.statement_id)
                .where(on_issue.issue_id == issue_id, on_issue.deleted_at.is_(None))
            )
        )
    if verification is not None:
        statement_where.append(Statement.verification == verification)
        event_where.append(false())
    if since is not None:
        statement_where.append(Statement.said_on >= since)
        event_where.append(Event.date >= since)
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
            Event.version,
        ),
        [Event.date, Event.id],
        lambda r: VersionedTimelineRow(
            (r[0], 0, r[1]), r[1], "event", r[0], r[2], r[3], r[4], "", r[5], r[5], version=r[6]
        ),
        where=event_where,
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
            Statement.version,
            Statement.date_text,
        ).join(speaker, speaker.id == Statement.speaker_id, isouter=True),
        [Statement.said_on, Statement.id],
        lambda r: VersionedTimelineRow(
            (r[0], 1, r[1]),
            r[1],
            "statement",
            r[0],
            r[2],
            r[3],
            r[4],
            r[5] or "",
            r[6],
            r[7],
            date_text=r[9] or "",
            version=r[8],
        ),
        where=statement_where,
    )
    return TimelineView(engine, [events, statements], main=1)


def timeline_issues(engine: Engine) -> list[tuple[int, str]]:
    """(id, title) of the issues a timeline filter can choose from, by title."""
    query = (
        select(Issue.id, Issue.title)
        .where(Issue.deleted_at.is_(None), Issue.review != "dismissed")
        .order_by(Issue.title, Issue.id)
    )
    with engine.connect() as conn:
        return [(int(i), str(t)) for i, t in conn.execute(query)]


def event_statements(engine: Engine, event_id: int) -> list[StatementRow]:
    """The live statements attached to an event, oldest first (undated ones last): what
    Enter on a timeline event offers to jump to."""
    speaker = aliased(Actor)
    query = (
        select(
            *_statement_row_columns(speaker),
        )
        .join(EventStatement, EventStatement.statement_id == Statement.id)
        .join(speaker, speaker.id == Statement.speaker_id, isouter=True)
        .where(EventStatement.event_id == event_id, Statement.deleted_at.is_(None))
        .order_by(Statement.said_on.is_(None), Statement.said_on, Statement.id)
    )
    with engine.connect() as conn:
        return [
            StatementRow((r[0],), r[0], r[1] or "", r[2], bool(r[3]), *r[4:9], "")
            for r in conn.execute(query)
        ]


__all__ = [
    "FeedRow",
    "IssueRow",
    "KeysetView",
    "MergedView",
    "PagedView",
    "PendingCell",
    "StatementRow",
    "TimelineRow",
    "TimelineView",
    "VersionedGridRow",
    "VersionedIssueRow",
    "VersionedStatementRow",
    "VersionedTimelineRow",
    "cell_detail",
    "event_statements",
    "feed_view",
    "grid_cells",
    "grid_columns",
    "group_columns",
    "issues_view",
    "statements_view",
    "timeline_issues",
    "timeline_marks",
    "timeline_view",
]
