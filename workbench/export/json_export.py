"""The desk, or one collection, as JSON (one object) or JSON Lines (one item a line), streamed.

The object's keys are a public contract (README, "JSON export"): other newsroom tools read
them, so fields are added, never renamed or removed. Rows are read in id order in batches
and written one at a time, so a desk of a million statements exports in constant memory.

A collection export holds the collection's members and exactly what they depend on, so it
can be imported into another desk (``workbench.export.importer``) with every reference
resolved: see ``_Scope``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from sqlalchemy import Connection, Engine, and_, exists, or_, select
from sqlmodel import SQLModel

from db.models import (
    Actor,
    ActorAlias,
    Article,
    Collection,
    CollectionItem,
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
from db.repo_collections import member_ids
from workbench.export.errors import ExportError

FORMAT = "newsroom-workbench"
FORMAT_VERSION = 1
BATCH = 1000

#: The lists of the JSON object, in the order it has always written them.
JSON_ORDER = (
    "sources",
    "articles",
    "actors",
    "statements",
    "links",
    "issues",
    "positions",
    "events",
    "collections",
)
#: JSON Lines order: every item comes after the items it refers to, so a reader can
#: import the file line by line.
JSONL_ORDER = (
    "sources",
    "articles",
    "actors",
    "issues",
    "statements",
    "links",
    "positions",
    "events",
    "collections",
)
#: The ``type`` of a JSON Lines item from each list.
ITEM_TYPES = {
    "sources": "source",
    "articles": "article",
    "actors": "actor",
    "issues": "issue",
    "statements": "statement",
    "links": "link",
    "positions": "position",
    "events": "event",
    "collections": "collection",
}


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _live(model: Any, id_column: Any) -> Any:
    """``id_column`` points at a row of ``model`` that is not deleted."""
    return exists().where(model.id == id_column, model.deleted_at.is_(None))


def _deleted_ids(conn: Connection, model: Any) -> set[int]:
    """Ids of soft-deleted rows; few, so references to them can be blanked in Python."""
    return set(conn.execute(select(model.id).where(model.deleted_at.is_not(None))).scalars())


def _chunks(ids: Iterable[int], size: int = BATCH) -> Iterator[list[int]]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]


def _batches(
    conn: Connection, model: type[SQLModel], *where: Any, ids: set[int] | None = None
) -> Iterator[Sequence[Any]]:
    """Live (not deleted) rows of ``model`` in id order, a batch at a time; only rows
    whose id is in ``ids`` when it is given (a collection's export)."""
    table = model.__table__  # type: ignore[attr-defined]
    if ids is not None:
        for chunk in _chunks(ids):
            query = (
                select(table)
                .where(table.c.id.in_(chunk), table.c.deleted_at.is_(None), *where)
                .order_by(table.c.id)
            )
            batch = conn.execute(query).all()
            if batch:
                yield batch
        return
    last = 0
    while True:
        query = (
            select(table)
            .where(table.c.id > last, table.c.deleted_at.is_(None), *where)
            .order_by(table.c.id)
            .limit(BATCH)
        )
        batch = conn.execute(query).all()
        if batch:
            yield batch
        if len(batch) < BATCH:
            return
        last = batch[-1].id


def _rows(
    conn: Connection, model: type[SQLModel], *where: Any, ids: set[int] | None = None
) -> Iterator[Any]:
    for batch in _batches(conn, model, *where, ids=ids):
        yield from batch


def _pairs(conn: Connection, query: Any) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = {}
    for owner, value in conn.execute(query):
        grouped.setdefault(owner, []).append(value)
    return grouped


class _Names:
    """Live actors' names by id; actors are few next to statements, so held in memory."""

    def __init__(self, conn: Connection) -> None:
        query = select(Actor.id, Actor.name).where(Actor.deleted_at.is_(None))  # type: ignore[union-attr]
        self.actors = dict(conn.execute(query).all())

    def actor(self, actor_id: int | None) -> str | None:
        return self.actors.get(actor_id) if actor_id is not None else None


# --------------------------------------------------------------------------- a collection


@dataclass
class _Scope:
    """What a collection's export holds, as ids (never rows: 100k members are 100k ints).

    The members (live statements, positions and events) and what they depend on: the
    statements' articles and those articles' sources; the actors they name (speakers,
    position and event actors, and each of those actors' parents up the chain); the
    statements' and positions' issues; the links whose two ends are both members. A
    position or event backed by a statement that is not a member lists only the backing
    statements that are: the export is the curated set, not everything near it.
    """

    collection_id: int
    name: str
    statements: set[int] = field(default_factory=set)
    positions: set[int] = field(default_factory=set)
    events: set[int] = field(default_factory=set)
    articles: set[int] = field(default_factory=set)
    sources: set[int] = field(default_factory=set)
    actors: set[int] = field(default_factory=set)
    issues: set[int] = field(default_factory=set)
    links: set[int] = field(default_factory=set)

    def ids(self, key: str) -> set[int]:
        return getattr(self, key)  # type: ignore[no-any-return]


def _find_collection(conn: Connection, name: str) -> tuple[int, str]:
    """The live collection called ``name`` (any case, spacing collapsed): (id, stored name)."""
    wanted = " ".join(name.split())
    live = conn.execute(
        select(Collection.id, Collection.name).where(Collection.deleted_at.is_(None))  # type: ignore[union-attr]
    ).all()
    for collection_id, stored in live:
        if stored.casefold() == wanted.casefold():
            return collection_id, stored
    have = ", ".join(sorted((stored for _, stored in live), key=str.casefold)) or "none"
    raise ExportError(f"no collection named {wanted!r} (have: {have})")


def _live_ids(conn: Connection, model: Any, ids: Iterable[int]) -> set[int]:
    found: set[int] = set()
    for chunk in _chunks(set(ids)):
        found.update(
            conn.execute(
                select(model.id).where(model.id.in_(chunk), model.deleted_at.is_(None))
            ).scalars()
        )
    return found


def _columns(
    conn: Connection, ids: Iterable[int], *columns: Any, where: Sequence[Any] = ()
) -> Iterator[Any]:
    """``columns`` of the rows whose first column (an id) is in ``ids``, in batches."""
    for chunk in _chunks(set(ids)):
        yield from conn.execute(select(*columns).where(columns[0].in_(chunk), *where))


def _scope(conn: Connection, collection_id: int, name: str) -> _Scope:
    members = member_ids(conn, collection_id)  # live members, as ids
    scope = _Scope(collection_id, name)
    scope.statements = set(members["statement"])
    scope.events = set(members["event"])
    article_ids: set[int | None] = set()
    issue_ids: set[int | None] = set()
    actor_ids: set[int | None] = set()
    for _, article_id, speaker_id, issue_id in _columns(
        conn,
        scope.statements,
        Statement.id,
        Statement.article_id,
        Statement.speaker_id,
        Statement.issue_id,
    ):
        article_ids.add(article_id)
        actor_ids.add(speaker_id)
        issue_ids.add(issue_id)
    # A position whose issue or actor is deleted is not exported (as for the whole desk).
    live_cell = (_live(Issue, Position.issue_id), _live(Actor, Position.actor_id))
    for position_id, issue_id, actor_id in _columns(
        conn,
        members["position"],
        Position.id,
        Position.issue_id,
        Position.actor_id,
        where=live_cell,
    ):
        scope.positions.add(position_id)
        issue_ids.add(issue_id)
        actor_ids.add(actor_id)
    for _, actor_id in _columns(conn, scope.events, EventActor.event_id, EventActor.actor_id):
        actor_ids.add(actor_id)
    scope.articles = _live_ids(conn, Article, (i for i in article_ids if i is not None))
    source_ids = {s for _, s in _columns(conn, scope.articles, Article.id, Article.source_id)}
    scope.sources = _live_ids(conn, Source, (i for i in source_ids if i is not None))
    scope.issues = _live_ids(conn, Issue, (i for i in issue_ids if i is not None))
    # Actors are few: walk each named (live) actor's parent chain in memory.
    parents: dict[int, int | None] = dict(
        conn.execute(  # type: ignore[arg-type]
            select(Actor.id, Actor.parent_id).where(Actor.deleted_at.is_(None))  # type: ignore[union-attr]
        ).all()
    )
    for start in actor_ids:
        actor_id = start
        while actor_id is not None and actor_id in parents and actor_id not in scope.actors:
            scope.actors.add(actor_id)
            actor_id = parents[actor_id]
    scope.links = _member_links(conn, scope.statements)
    return scope


def _member_links(conn: Connection, statements: set[int]) -> set[int]:
    """Live links whose two ends are both in ``statements``."""
    found: set[int] = set()
    for chunk in _chunks(statements):
        query = select(Link.id, Link.to_id).where(
            Link.from_id.in_(chunk),  # type: ignore[attr-defined]
            Link.deleted_at.is_(None),  # type: ignore[union-attr]
        )
        found.update(link_id for link_id, to_id in conn.execute(query) if to_id in statements)
    return found


# --------------------------------------------------------------------------- the items


def _sections(
    conn: Connection, scope: _Scope | None
) -> dict[str, Callable[[], Iterator[dict[str, Any]]]]:
    """Every reference in the export resolves: links, backing statements and collection
    items that point at deleted (or, for a collection, not exported) rows are left out,
    single references to them are null."""
    names = _Names(conn)
    gone_sources = _deleted_ids(conn, Source)
    gone_articles = _deleted_ids(conn, Article)
    gone_issues = _deleted_ids(conn, Issue)

    def ref(value: int | None, gone: set[int]) -> int | None:
        return None if value is None or value in gone else value

    def only(key: str) -> set[int] | None:
        return scope.ids(key) if scope is not None else None

    def kept(ids: list[int], key: str) -> list[int]:
        return ids if scope is None else [i for i in ids if i in scope.ids(key)]

    def sources() -> Iterator[dict[str, Any]]:
        for r in _rows(conn, Source, ids=only("sources")):
            yield {
                "id": r.id,
                "name": r.name,
                "kind": r.kind,
                "url": r.url,
                "fetched_at": _iso(r.fetched_at),
                "last_error": r.error_message,
            }

    def articles() -> Iterator[dict[str, Any]]:
        for r in _rows(conn, Article, ids=only("articles")):
            yield {
                "id": r.id,
                "source": ref(r.source_id, gone_sources),
                "url": r.url,
                "title": r.title,
                "byline": r.byline,
                "published_at": _iso(r.published_at),
                "fetched_at": _iso(r.fetched_at),
                "triage": r.triage,
                "content_hash": r.content_hash,
                "text": r.text,
            }

    def actors() -> Iterator[dict[str, Any]]:
        aliases = _pairs(
            conn, select(ActorAlias.actor_id, ActorAlias.alias).order_by(ActorAlias.id)
        )
        for r in _rows(conn, Actor, ids=only("actors")):
            yield {
                "id": r.id,
                "name": r.name,
                "kind": r.kind,
                "aliases": [a for a in aliases.get(r.id, []) if a != r.name],
                "parent": names.actor(r.parent_id),
            }

    def statements() -> Iterator[dict[str, Any]]:
        for r in _rows(conn, Statement, ids=only("statements")):
            yield {
                "id": r.id,
                "article": ref(r.article_id, gone_articles),
                "speaker": names.actor(r.speaker_id),
                "attribution": r.attribution,
                "text": r.text,
                "quote": bool(r.quote),
                "said_on": _iso(r.said_on),
                "said_until": _iso(r.said_until),
                "date_precision": r.date_precision,
                "review": r.review,
                "verification": r.verification,
                "evidence": {
                    "exact": r.evidence_exact,
                    "prefix": r.evidence_prefix,
                    "suffix": r.evidence_suffix,
                    "start": r.evidence_start,
                    "end": r.evidence_end,
                },
                "issue": ref(r.issue_id, gone_issues),
                "tags": list(r.tags or []),
                "notes": r.notes,
                "editor": r.editor,
                "version": r.version,
                "created_at": _iso(r.created_at),
                "updated_at": _iso(r.updated_at),
            }

    def links() -> Iterator[dict[str, Any]]:
        ends = (_live(Statement, Link.from_id), _live(Statement, Link.to_id))
        for r in _rows(conn, Link, *ends, ids=only("links")):
            yield {
                "id": r.id,
                "from": r.from_id,
                "to": r.to_id,
                "relation": r.relation,
                "note": r.note,
                "review": r.review,
                "editor": r.editor,
            }

    def issues() -> Iterator[dict[str, Any]]:
        for r in _rows(conn, Issue, ids=only("issues")):
            yield {"id": r.id, "title": r.title, "description": r.description}

    def positions() -> Iterator[dict[str, Any]]:
        live_cell = (_live(Issue, Position.issue_id), _live(Actor, Position.actor_id))
        for batch in _batches(conn, Position, *live_cell, ids=only("positions")):
            backing = _pairs(
                conn,
                select(PositionStatement.position_id, PositionStatement.statement_id)
                .where(
                    PositionStatement.position_id.in_([r.id for r in batch]),  # type: ignore[attr-defined]
                    _live(Statement, PositionStatement.statement_id),
                )
                .order_by(PositionStatement.position_id, PositionStatement.statement_id),
            )
            for r in batch:
                yield {
                    "id": r.id,
                    "issue": r.issue_id,
                    "actor": names.actor(r.actor_id),
                    "summary": r.summary,
                    "as_of": _iso(r.as_of),
                    "review": r.review,
                    "statements": kept(backing.get(r.id, []), "statements"),
                }

    def events() -> Iterator[dict[str, Any]]:
        for batch in _batches(conn, Event, ids=only("events")):
            batch_ids = [r.id for r in batch]
            actor_ids = _pairs(
                conn,
                select(EventActor.event_id, EventActor.actor_id).where(
                    EventActor.event_id.in_(batch_ids)  # type: ignore[attr-defined]
                ),
            )
            statement_ids = _pairs(
                conn,
                select(EventStatement.event_id, EventStatement.statement_id)
                .where(
                    EventStatement.event_id.in_(batch_ids),  # type: ignore[attr-defined]
                    _live(Statement, EventStatement.statement_id),
                )
                .order_by(EventStatement.event_id, EventStatement.statement_id),
            )
            for r in batch:
                actors = (names.actor(a) for a in actor_ids.get(r.id, []))
                yield {
                    "id": r.id,
                    "date": _iso(r.date),
                    "date_end": _iso(r.date_end),
                    "precision": r.precision,
                    "title": r.title,
                    "description": r.description,
                    "review": r.review,
                    "actors": sorted(name for name in actors if name),
                    "statements": kept(statement_ids.get(r.id, []), "statements"),
                }

    def items(collection_id: int) -> Iterator[dict[str, Any]]:
        """One collection's items in order, streamed: a collection may hold 100k."""
        live_position = and_(
            _live(Position, CollectionItem.item_id),
            exists().where(
                Position.id == CollectionItem.item_id,
                _live(Issue, Position.issue_id),
                _live(Actor, Position.actor_id),
            ),
        )
        query = (
            select(CollectionItem.kind, CollectionItem.item_id, CollectionItem.note)
            .where(
                CollectionItem.collection_id == collection_id,
                CollectionItem.deleted_at.is_(None),  # type: ignore[union-attr]
                or_(
                    and_(
                        CollectionItem.kind == "statement", _live(Statement, CollectionItem.item_id)
                    ),
                    and_(CollectionItem.kind == "position", live_position),
                    and_(CollectionItem.kind == "event", _live(Event, CollectionItem.item_id)),
                ),
            )
            .order_by(CollectionItem.rank, CollectionItem.id)  # type: ignore[arg-type]
        )
        lists = {"statement": "statements", "position": "positions", "event": "events"}
        seen: set[tuple[str, int]] = set()
        for kind, item_id, note in conn.execute(query):
            if scope is not None:  # members only, each once
                if item_id not in scope.ids(lists[kind]) or (kind, item_id) in seen:
                    continue
                seen.add((kind, item_id))
            yield {"kind": kind, "id": item_id, "note": note}

    def collections() -> Iterator[dict[str, Any]]:
        for r in _rows(conn, Collection, ids={scope.collection_id} if scope else None):
            yield {
                "id": r.id,
                "name": r.name,
                "description": r.description,
                "items": items(r.id),
            }

    return {
        "sources": sources,
        "articles": articles,
        "actors": actors,
        "statements": statements,
        "links": links,
        "issues": issues,
        "positions": positions,
        "events": events,
        "collections": collections,
    }


# --------------------------------------------------------------------------- writing


def _open_scope(conn: Connection, collection: str | None) -> _Scope | None:
    if collection is None:
        return None
    collection_id, name = _find_collection(conn, collection)
    return _scope(conn, collection_id, name)


def _header(editor: str, scope: _Scope | None, now: dt.datetime | None) -> dict[str, Any]:
    stamp = now if now is not None else dt.datetime.now(dt.UTC)
    stamp = stamp.replace(tzinfo=dt.UTC) if stamp.tzinfo is None else stamp.astimezone(dt.UTC)
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": stamp.isoformat(timespec="seconds"),
        "exported_by": editor,
        "collection": scope.name if scope is not None else None,
    }


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _line_safe(value: Any) -> str:
    """JSON for one JSON Lines line: U+2028/U+2029 escaped, since tools that split on
    Unicode line boundaries (Python's ``str.splitlines``, JavaScript) would cut the line."""
    return _dumps(value).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _encode(item: dict[str, Any], dumps: Callable[[Any], str]) -> Iterator[str]:
    """``item`` as JSON text, in pieces exactly as ``dumps(item)`` would write it; a value
    that is an iterator (a collection's items) is written element by element."""
    if not any(isinstance(value, Iterator) for value in item.values()):
        yield dumps(item)
        return
    yield "{"
    for n, (key, value) in enumerate(item.items()):
        yield (", " if n else "") + dumps(key) + ": "
        if isinstance(value, Iterator):
            yield "["
            for m, element in enumerate(value):
                yield (", " if m else "") + dumps(element)
            yield "]"
        else:
            yield dumps(value)
    yield "}"


def write_json(
    engine: Engine,
    out: IO[str],
    *,
    editor: str,
    collection: str | None = None,
    now: dt.datetime | None = None,
) -> dict[str, int]:
    """Write the desk (or the collection called ``collection``, with what its members
    depend on) to ``out`` as one JSON object; returns how many items each list got.

    Raises ``ExportError`` for an unknown collection before writing anything."""
    counts: dict[str, int] = {}
    # One read transaction for the whole export: WAL gives it a consistent snapshot even
    # while editors keep writing.
    with engine.connect() as conn, conn.begin():
        scope = _open_scope(conn, collection)
        out.write("{\n")
        for key, value in _header(editor, scope, now).items():
            out.write(f"  {json.dumps(key)}: {json.dumps(value)},\n")
        sections = _sections(conn, scope)
        for index, key in enumerate(JSON_ORDER):
            out.write(f"  {json.dumps(key)}: [")
            n = 0
            for n, item in enumerate(sections[key](), start=1):
                out.write("\n    " if n == 1 else ",\n    ")
                for piece in _encode(item, _dumps):
                    out.write(piece)
            out.write("\n  ]" if n else "]")
            out.write(",\n" if index < len(JSON_ORDER) - 1 else "\n")
            counts[key] = n
    out.write("}\n")
    return counts


def write_jsonl(
    engine: Engine,
    out: IO[str],
    *,
    editor: str,
    collection: str | None = None,
    now: dt.datetime | None = None,
) -> dict[str, int]:
    """Write the desk (or one collection) as JSON Lines: a header object, then one item a
    line (``{"type": "statement", ...the JSON export's fields}``), every item after the
    items it refers to (``JSONL_ORDER``, and a parent actor before its children), so a
    reader can import it line by line. Row by row, in constant memory."""
    counts: dict[str, int] = {}
    with engine.connect() as conn, conn.begin():
        scope = _open_scope(conn, collection)
        out.write(_line_safe({"type": "header", **_header(editor, scope, now)}) + "\n")
        sections = _sections(conn, scope)
        for key in JSONL_ORDER:
            rows = sections[key]()
            if key == "actors":
                rows = _parents_first(list(rows))
            n = 0
            for item in rows:
                for piece in _encode({"type": ITEM_TYPES[key], **item}, _line_safe):
                    out.write(piece)
                out.write("\n")
                n += 1
            counts[key] = n
    return counts


def _parents_first(actors: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Actors in id order, except that a parent comes before its children (an actor can
    be put under one created after it). Actors are few, so this is done in memory."""
    by_name = {actor["name"]: actor for actor in actors}
    done: set[str] = set()

    def emit(actor: dict[str, Any], path: set[str]) -> Iterator[dict[str, Any]]:
        if actor["name"] in done or actor["name"] in path:
            return
        parent = by_name.get(actor["parent"]) if actor["parent"] else None
        if parent is not None:
            yield from emit(parent, path | {actor["name"]})
        done.add(actor["name"])
        yield actor

    for actor in actors:
        yield from emit(actor, set())
