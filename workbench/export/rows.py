"""The rows every export format reads: statements with their provenance, positions, events
and links, for the whole desk or one collection, streamed a batch at a time.

One reader for every format, so "what an export contains" is decided once:

- **Whole desk**: the live (not deleted) rows an editor has *accepted*. Suggestions the
  machine proposed and nobody accepted, and dismissed ones, are not the desk's work and are
  never published. (The ``json``/``jsonl`` formats are the full-fidelity dump and have their
  own reader.) Statements, links and timeline rows in id or date order.
- **A collection**: exactly the live items the editors put into it, in the collection's
  order, whatever their review state (putting an item in a set is the editorial decision),
  each with the note written on it for the set's recipients.

Rows are read in batches of :data:`BATCH` (keyset on the order's columns for the whole
desk, chunks of the member id list for a collection), so a desk of a million statements is
never in memory at once. Small tables that every row refers to (actor names, backing ids of
the few positions and events) are read once.
"""

from __future__ import annotations

import datetime as dt
import heapq
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Engine, and_, func, or_, select

from db.models import (
    Actor,
    Article,
    Collection,
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
from db.repo_collections import item_notes, member_ids
from workbench.dates import format_span
from workbench.export.errors import ExportError

#: Rows per query. Big enough that a 100k-statement export is ~100 queries, small enough
#: that a batch of joined rows is a few hundred kilobytes.
BATCH = 1000

_ST = Statement.__table__  # type: ignore[attr-defined]
_AC = Actor.__table__  # type: ignore[attr-defined]
_AR = Article.__table__  # type: ignore[attr-defined]
_SO = Source.__table__  # type: ignore[attr-defined]
_IS = Issue.__table__  # type: ignore[attr-defined]
_PO = Position.__table__  # type: ignore[attr-defined]
_EV = Event.__table__  # type: ignore[attr-defined]
_LI = Link.__table__  # type: ignore[attr-defined]

ACCEPTED = "accepted"


# --------------------------------------------------------------------------- rows


@dataclass(frozen=True, slots=True)
class StatementRow:
    """One statement and everything a reader needs to trust it: who, when, where reported,
    the words in the article (evidence), and what the desk made of it."""

    id: int
    text: str
    quote: bool
    speaker: str | None  # the actor's canonical name
    speaker_kind: str | None  # person | government | organisation | outlet
    attribution: str  # how the article attributes it when there is no actor ("officials")
    said_on: dt.date | None
    said_until: dt.date | None
    precision: str
    verification: str
    review: str
    tags: tuple[str, ...]
    notes: str
    issue: str | None  # the issue's title
    outlet: str | None  # the source's name
    article_url: str | None
    article_title: str | None
    evidence_exact: str
    evidence_prefix: str
    evidence_suffix: str
    evidence_start: int | None
    evidence_end: int | None
    editor: str
    created_at: dt.datetime | None
    updated_at: dt.datetime | None
    note: str = ""  # the collection item's note

    kind = "statement"

    @property
    def who(self) -> str:
        """The speaker as a reader should see it: the actor, else the article's words."""
        return self.speaker or self.attribution or "unnamed"

    @property
    def date(self) -> dt.date | None:
        return self.said_on

    @property
    def date_end(self) -> dt.date | None:
        return self.said_until


@dataclass(frozen=True, slots=True)
class PositionRow:
    id: int
    issue: str
    actor: str
    actor_kind: str
    as_of: dt.date | None
    summary: str
    review: str
    editor: str
    statements: tuple[int, ...]  # backing statement ids
    note: str = ""

    kind = "position"


@dataclass(frozen=True, slots=True)
class EventRow:
    id: int
    date: dt.date
    date_end: dt.date | None
    precision: str
    title: str
    description: str
    review: str
    editor: str
    actors: tuple[str, ...]  # names, alphabetical (as the JSON export lists them)
    statements: tuple[int, ...]
    note: str = ""

    kind = "event"


@dataclass(frozen=True, slots=True)
class LinkRow:
    id: int
    from_id: int
    to_id: int
    relation: str
    note: str
    review: str
    editor: str
    from_who: str
    from_text: str
    to_who: str
    to_text: str

    kind = "link"


# --------------------------------------------------------------------------- scope


@dataclass(frozen=True)
class Scope:
    """What one export covers: the whole desk (``collection is None``) or one collection."""

    collection: str | None = None  # the collection's name as stored
    collection_id: int | None = None
    description: str = ""
    members: dict[str, list[int]] | None = None
    notes: dict[tuple[str, int], str] = field(default_factory=dict)

    def note(self, kind: str, item_id: int) -> str:
        return self.notes.get((kind, item_id), "")


def open_scope(conn: Connection, collection: str | None) -> Scope:
    """The scope for a collection name (any case, spacing collapsed), or the whole desk.

    Raises :class:`ExportError` naming the collections there are, so a typo is fixed from
    the message alone."""
    if collection is None:
        return Scope()
    wanted = " ".join(collection.split())
    table = Collection.__table__  # type: ignore[attr-defined]
    live = conn.execute(
        select(table.c.id, table.c.name, table.c.description)
        .where(table.c.deleted_at.is_(None))
        .order_by(func.lower(table.c.name))
    ).all()
    found = next((row for row in live if row.name.lower() == wanted.lower()), None)
    if found is None:
        have = ", ".join(row.name for row in live) or "none"
        raise ExportError(f"no collection named {collection!r} (have: {have})")
    return Scope(
        collection=found.name,
        collection_id=found.id,
        description=found.description,
        members=member_ids(conn, found.id),
        notes=item_notes(conn, found.id),
    )


# --------------------------------------------------------------------------- shared by formats


FORMAT_VERSION = 1


@contextmanager
def snapshot(engine: Engine) -> Iterator[Connection]:
    """One read transaction for a whole export: WAL gives it a consistent snapshot while
    editors keep writing."""
    with engine.connect() as conn, conn.begin():
        yield conn


def provenance(fmt: str, options: Any, scope: Scope) -> dict[str, Any]:
    """When, by whom and from which collection: the header every export carries."""
    return {
        "format": fmt,
        "format_version": FORMAT_VERSION,
        "exported_at": options.exported_at().isoformat(),
        "exported_by": options.editor,
        "collection": scope.collection,
    }


def status(row: StatementRow) -> str:
    """A statement's verification, and its review when it is not plain accepted work."""
    if row.review != ACCEPTED:
        return f"{row.verification} ({row.review})"
    return row.verification


def date_label(start: dt.date | None, end: dt.date | None, precision: str) -> str:
    """A date as honestly as it is known ("c. 4 Nov 2026", "Nov 2026", "4–6 Nov 2026")."""
    if start is None:
        return "undated"
    return format_span(start, end, "day" if precision == "unknown" else precision)


#: Whitespace and controls: a real address has them percent-encoded.
_NOT_IN_URL = re.compile(r"[\x00-\x20\x7f]")


@lru_cache(maxsize=4096)  # an article's URL comes with each of its statements
def web_url(url: str | None) -> str | None:
    """``url`` when it is an http(s) address a reader may follow, else None: a
    ``javascript:`` or ``data:`` URL from a feed must never become a link."""
    if not url:
        return None
    cleaned = url.strip()
    scheme, sep, rest = cleaned.partition(":")
    if not sep or scheme.lower() not in ("http", "https") or not rest.startswith("//"):
        return None
    if _NOT_IN_URL.search(cleaned):
        return None
    return cleaned


# --------------------------------------------------------------------------- helpers


def _live_join(table: Any, column: Any) -> Any:
    """Join condition for a reference: a deleted row reads as no row (a null reference)."""
    return and_(table.c.id == column, table.c.deleted_at.is_(None))


def _chunks(ids: Sequence[int], size: int | None = None) -> Iterator[Sequence[int]]:
    size = size or BATCH  # read at call time: tests shrink BATCH to cross batch edges
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _keyset(
    conn: Connection,
    query: Any,
    keys: Sequence[Any],
    key_of: Callable[[Any], tuple[Any, ...]],
) -> Iterator[Any]:
    """Rows of ``query`` ordered by ``keys`` (the last one unique), a batch at a time.

    Each batch restarts after the last row's key, so no cursor stays open across the
    batches and the order's index serves every query."""
    last: tuple[Any, ...] | None = None
    while True:
        page = query.order_by(*keys).limit(BATCH)
        if last is not None:
            page = page.where(_after(keys, last))
        batch = conn.execute(page).all()
        yield from batch
        if len(batch) < BATCH:
            return
        last = key_of(batch[-1])


def _after(keys: Sequence[Any], values: tuple[Any, ...]) -> Any:
    """``(k1, k2, …) > (v1, v2, …)`` spelled with AND/OR (portable, index-friendly)."""
    first, rest = keys[0], keys[1:]
    if not rest:
        return first > values[0]
    return or_(first > values[0], and_(first == values[0], _after(rest, values[1:])))


def _grouped(conn: Connection, query: Any) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = {}
    for owner, value in conn.execute(query):
        grouped.setdefault(owner, []).append(value)
    return grouped


# --------------------------------------------------------------------------- statements


def _statement_query() -> Any:
    speaker = _AC.alias("speaker")
    joined = (
        _ST.outerjoin(speaker, _live_join(speaker, _ST.c.speaker_id))
        .outerjoin(_AR, _live_join(_AR, _ST.c.article_id))
        .outerjoin(_SO, _live_join(_SO, _AR.c.source_id))
        .outerjoin(_IS, _live_join(_IS, _ST.c.issue_id))
    )
    return (
        select(
            _ST,
            speaker.c.name.label("speaker_name"),
            speaker.c.kind.label("speaker_kind"),
            _AR.c.url.label("article_url"),
            _AR.c.canonical_url.label("article_canonical_url"),
            _AR.c.title.label("article_title"),
            _SO.c.name.label("outlet"),
            _IS.c.title.label("issue_title"),
        )
        .select_from(joined)
        .where(_ST.c.deleted_at.is_(None))
    )


def _statement_row(r: Any, note: str = "") -> StatementRow:
    return StatementRow(
        id=r.id,
        text=r.text,
        quote=bool(r.quote),
        speaker=r.speaker_name,
        speaker_kind=r.speaker_kind,
        attribution=r.attribution or "",
        said_on=r.said_on,
        said_until=r.said_until,
        precision=r.date_precision,
        verification=r.verification,
        review=r.review,
        tags=tuple(r.tags or ()),
        notes=r.notes or "",
        issue=r.issue_title,
        outlet=r.outlet,
        article_url=r.article_url or r.article_canonical_url,
        article_title=r.article_title,
        evidence_exact=r.evidence_exact or "",
        evidence_prefix=r.evidence_prefix or "",
        evidence_suffix=r.evidence_suffix or "",
        evidence_start=r.evidence_start,
        evidence_end=r.evidence_end,
        editor=r.editor or "",
        created_at=r.created_at,
        updated_at=r.updated_at,
        note=note,
    )


def _statements_by_ids(
    conn: Connection, scope: Scope, ids: Sequence[int]
) -> Iterator[StatementRow]:
    """The live statements with these ids, in the order given."""
    query = _statement_query()
    for chunk in _chunks(ids):
        found = {r.id: r for r in conn.execute(query.where(_ST.c.id.in_(chunk)))}
        for statement_id in chunk:
            row = found.get(statement_id)
            if row is not None:
                yield _statement_row(row, scope.note("statement", statement_id))


def statements(conn: Connection, scope: Scope) -> Iterator[StatementRow]:
    """The scope's statements: collection order, or the whole desk's accepted ones by id."""
    if scope.members is not None:
        yield from _statements_by_ids(conn, scope, scope.members["statement"])
        return
    query = _statement_query().where(_ST.c.review == ACCEPTED)
    for r in _keyset(conn, query, [_ST.c.id], lambda r: (r.id,)):
        yield _statement_row(r)


def dated_statements(conn: Connection, scope: Scope) -> Iterator[StatementRow]:
    """The scope's statements that have a date, oldest first (ties by id)."""
    if scope.members is not None:
        keys = _dated_keys(conn, _ST, _ST.c.said_on, scope.members["statement"])
        yield from _statements_by_ids(conn, scope, [item_id for _, item_id in keys])
        return
    query = _statement_query().where(_ST.c.review == ACCEPTED, _ST.c.said_on.is_not(None))
    for r in _keyset(conn, query, [_ST.c.said_on, _ST.c.id], lambda r: (r.said_on, r.id)):
        yield _statement_row(r)


def _dated_keys(
    conn: Connection, table: Any, date_column: Any, ids: Sequence[int]
) -> list[tuple[dt.date, int]]:
    """(date, id) of the members that have a date, sorted: the only per-member data a
    chronological collection export holds at once (two small values per item)."""
    keys: list[tuple[dt.date, int]] = []
    for chunk in _chunks(ids):
        keys.extend(
            (day, item_id)
            for item_id, day in conn.execute(
                select(table.c.id, date_column).where(
                    table.c.id.in_(chunk), date_column.is_not(None), table.c.deleted_at.is_(None)
                )
            )
        )
    keys.sort()
    return keys


# --------------------------------------------------------------------------- positions


def _position_query() -> Any:
    joined = _PO.join(_IS, _live_join(_IS, _PO.c.issue_id)).join(
        _AC, _live_join(_AC, _PO.c.actor_id)
    )
    return (
        select(
            _PO,
            _IS.c.title.label("issue_title"),
            _AC.c.name.label("actor_name"),
            _AC.c.kind.label("actor_kind"),
        )
        .select_from(joined)
        .where(_PO.c.deleted_at.is_(None))
    )


def _position_row(r: Any, backing: dict[int, list[int]], note: str = "") -> PositionRow:
    return PositionRow(
        id=r.id,
        issue=r.issue_title,
        actor=r.actor_name,
        actor_kind=r.actor_kind,
        as_of=r.as_of,
        summary=r.summary,
        review=r.review,
        editor=r.editor or "",
        statements=tuple(backing.get(r.id, ())),
        note=note,
    )


def _backing(conn: Connection, ids: Iterable[int] | None) -> dict[int, list[int]]:
    query = (
        select(PositionStatement.position_id, PositionStatement.statement_id)  # type: ignore[call-overload]
        .join(_ST, _live_join(_ST, PositionStatement.statement_id))
        .order_by(PositionStatement.position_id, PositionStatement.statement_id)
    )
    if ids is not None:
        query = query.where(PositionStatement.position_id.in_(list(ids)))  # type: ignore[attr-defined]
    return _grouped(conn, query)


def positions(conn: Connection, scope: Scope) -> Iterator[PositionRow]:
    """Collection order, or every accepted position of the desk by issue, actor and date
    (a cell's history oldest first). Positions are few next to statements (an issue has
    tens of actors), so their backing ids are read in one query."""
    if scope.members is not None:
        ids = scope.members["position"]
        for chunk in _chunks(ids):
            backing = _backing(conn, chunk)
            found = {r.id: r for r in conn.execute(_position_query().where(_PO.c.id.in_(chunk)))}
            for position_id in chunk:
                if (r := found.get(position_id)) is not None:
                    yield _position_row(r, backing, scope.note("position", position_id))
        return
    backing = _backing(conn, None)
    query = (
        _position_query()
        .where(_PO.c.review == ACCEPTED)
        .order_by(
            func.lower(_IS.c.title),
            _IS.c.id,
            func.lower(_AC.c.name),
            _AC.c.id,
            _PO.c.as_of.is_(None).desc(),
            _PO.c.as_of,
            _PO.c.id,
        )
    )
    for r in conn.execute(query):
        yield _position_row(r, backing)


# --------------------------------------------------------------------------- events


def _event_extras(
    conn: Connection, ids: Sequence[int]
) -> tuple[dict[int, list[str]], dict[int, list[int]]]:
    actors = _grouped(
        conn,
        select(EventActor.event_id, _AC.c.name)  # type: ignore[call-overload]
        .join(_AC, _live_join(_AC, EventActor.actor_id))
        .where(EventActor.event_id.in_(list(ids)))  # type: ignore[attr-defined]
        .order_by(EventActor.event_id, func.lower(_AC.c.name), _AC.c.name),
    )
    backing = _grouped(
        conn,
        select(EventStatement.event_id, EventStatement.statement_id)  # type: ignore[call-overload]
        .join(_ST, _live_join(_ST, EventStatement.statement_id))
        .where(EventStatement.event_id.in_(list(ids)))  # type: ignore[attr-defined]
        .order_by(EventStatement.event_id, EventStatement.statement_id),
    )
    return actors, backing


def _event_rows(conn: Connection, scope: Scope, batch: Sequence[Any]) -> Iterator[EventRow]:
    actors, backing = _event_extras(conn, [r.id for r in batch])
    for r in batch:
        yield EventRow(
            id=r.id,
            date=r.date,
            date_end=r.date_end,
            precision=r.precision,
            title=r.title,
            description=r.description or "",
            review=r.review,
            editor=r.editor or "",
            actors=tuple(actors.get(r.id, ())),
            statements=tuple(backing.get(r.id, ())),
            note=scope.note("event", r.id),
        )


def _events_by_ids(conn: Connection, scope: Scope, ids: Sequence[int]) -> Iterator[EventRow]:
    for chunk in _chunks(ids):
        found = {
            r.id: r
            for r in conn.execute(
                select(_EV).where(_EV.c.id.in_(chunk), _EV.c.deleted_at.is_(None))
            )
        }
        yield from _event_rows(conn, scope, [found[i] for i in chunk if i in found])


def events(conn: Connection, scope: Scope) -> Iterator[EventRow]:
    """Collection order, or the whole desk's accepted events by date."""
    if scope.members is not None:
        yield from _events_by_ids(conn, scope, scope.members["event"])
        return
    yield from dated_events(conn, scope)


def dated_events(conn: Connection, scope: Scope) -> Iterator[EventRow]:
    """The scope's events oldest first (ties by id): every event has a date."""
    if scope.members is not None:
        keys = _dated_keys(conn, _EV, _EV.c.date, scope.members["event"])
        yield from _events_by_ids(conn, scope, [item_id for _, item_id in keys])
        return
    query = select(_EV).where(_EV.c.deleted_at.is_(None), _EV.c.review == ACCEPTED)
    batch: list[Any] = []
    for r in _keyset(conn, query, [_EV.c.date, _EV.c.id], lambda r: (r.date, r.id)):
        batch.append(r)
        if len(batch) == BATCH:
            yield from _event_rows(conn, scope, batch)
            batch = []
    yield from _event_rows(conn, scope, batch)


@dataclass
class PositionGrid:
    """Issues × actors with the latest position in each cell, for the formats that print
    the grid. Positions are few (tens of actors per issue), so the grid is held whole."""

    cells: dict[tuple[str, str], PositionRow] = field(default_factory=dict)
    issues: list[str] = field(default_factory=list)  # rows, by title
    actors: list[str] = field(default_factory=list)  # columns, by name
    count: int = 0  # positions read (a cell's history included)


def position_grid(rows: Iterable[PositionRow]) -> PositionGrid:
    """A later as-of date replaces an earlier one in a cell; an undated position only
    fills a cell that has nothing dated."""
    grid = PositionGrid()
    issues: set[str] = set()
    actors: set[str] = set()
    for row in rows:
        grid.count += 1
        issues.add(row.issue)
        actors.add(row.actor)
        key = (row.issue, row.actor)
        held = grid.cells.get(key)
        if held is None or (row.as_of or dt.date.min) >= (held.as_of or dt.date.min):
            grid.cells[key] = row
    grid.issues = sorted(issues, key=lambda title: (title.casefold(), title))
    grid.actors = sorted(actors, key=lambda name: (name.casefold(), name))
    return grid


def timeline(conn: Connection, scope: Scope) -> Iterator[EventRow | StatementRow]:
    """Events and dated statements in one chronological stream (events first on a day):
    a merge of two date-ordered streams, so it costs no more memory than either."""
    tagged_events = ((row.date, 0, row.id, row) for row in dated_events(conn, scope))
    tagged_statements = ((row.said_on, 1, row.id, row) for row in dated_statements(conn, scope))
    for _day, _rank, _id, row in heapq.merge(
        tagged_events, tagged_statements, key=lambda item: item[:3]
    ):
        yield row


# --------------------------------------------------------------------------- links


def links(conn: Connection, scope: Scope) -> Iterator[LinkRow]:
    """Links between two statements that are both in the export (accepted ones for the
    whole desk, members for a collection), by id: a link to a statement the reader does not
    get would point nowhere."""
    source = _ST.alias("from_statement")
    target = _ST.alias("to_statement")
    from_actor = _AC.alias("from_actor")
    to_actor = _AC.alias("to_actor")
    joined = (
        _LI.join(source, _live_join(source, _LI.c.from_id))
        .join(target, _live_join(target, _LI.c.to_id))
        .outerjoin(from_actor, _live_join(from_actor, source.c.speaker_id))
        .outerjoin(to_actor, _live_join(to_actor, target.c.speaker_id))
    )
    query = (
        select(
            _LI,
            source.c.text.label("from_text"),
            source.c.attribution.label("from_attribution"),
            from_actor.c.name.label("from_speaker"),
            target.c.text.label("to_text"),
            target.c.attribution.label("to_attribution"),
            to_actor.c.name.label("to_speaker"),
        )
        .select_from(joined)
        .where(_LI.c.deleted_at.is_(None))
    )
    members: set[int] | None = None
    if scope.members is None:
        query = query.where(
            _LI.c.review == ACCEPTED, source.c.review == ACCEPTED, target.c.review == ACCEPTED
        )
    else:
        members = set(scope.members["statement"])
    for r in _keyset(conn, query, [_LI.c.id], lambda r: (r.id,)):
        if members is not None and (r.from_id not in members or r.to_id not in members):
            continue
        yield LinkRow(
            id=r.id,
            from_id=r.from_id,
            to_id=r.to_id,
            relation=r.relation,
            note=r.note or "",
            review=r.review,
            editor=r.editor or "",
            from_who=r.from_speaker or r.from_attribution or "unnamed",
            from_text=r.from_text,
            to_who=r.to_speaker or r.to_attribution or "unnamed",
            to_text=r.to_text,
        )


__all__ = [
    "BATCH",
    "FORMAT_VERSION",
    "EventRow",
    "LinkRow",
    "PositionGrid",
    "PositionRow",
    "Scope",
    "StatementRow",
    "date_label",
    "dated_events",
    "dated_statements",
    "events",
    "links",
    "open_scope",
    "position_grid",
    "positions",
    "provenance",
    "snapshot",
    "statements",
    "status",
    "timeline",
    "web_url",
]
