"""The whole desk as one JSON object, streamed.

The object's keys are a public contract (README, "JSON export"): other newsroom tools read
them, so fields are added, never renamed or removed. Rows are read in id order in batches
and written one at a time, so a desk of a million statements exports in constant memory.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
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

FORMAT = "newsroom-workbench"
FORMAT_VERSION = 1
BATCH = 1000


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _live(model: Any, id_column: Any) -> Any:
    """``id_column`` points at a row of ``model`` that is not deleted."""
    return exists().where(model.id == id_column, model.deleted_at.is_(None))


def _deleted_ids(conn: Connection, model: Any) -> set[int]:
    """Ids of soft-deleted rows; few, so references to them can be blanked in Python."""
    return set(conn.execute(select(model.id).where(model.deleted_at.is_not(None))).scalars())


def _rows(conn: Connection, model: type[SQLModel], *where: Any) -> Iterator[Any]:
    """Live (not deleted) rows of ``model`` in id order, a batch at a time."""
    table = model.__table__  # type: ignore[attr-defined]
    last = 0
    while True:
        query = (
            select(table)
            .where(table.c.id > last, table.c.deleted_at.is_(None), *where)
            .order_by(table.c.id)
            .limit(BATCH)
        )
        batch = conn.execute(query).all()
        yield from batch
        if len(batch) < BATCH:
            return
        last = batch[-1].id


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


def _sections(conn: Connection) -> list[tuple[str, Callable[[], Iterator[dict[str, Any]]]]]:
    """Every reference in the export resolves: links, backing statements and collection
    items that point at deleted rows are left out, single references to them are null."""
    names = _Names(conn)
    gone_sources = _deleted_ids(conn, Source)
    gone_articles = _deleted_ids(conn, Article)
    gone_issues = _deleted_ids(conn, Issue)

    def ref(value: int | None, gone: set[int]) -> int | None:
        return None if value is None or value in gone else value

    def sources() -> Iterator[dict[str, Any]]:
        for r in _rows(conn, Source):
            yield {
                "id": r.id,
                "name": r.name,
                "kind": r.kind,
                "url": r.url,
                "fetched_at": _iso(r.fetched_at),
                "last_error": r.error_message,
            }

    def articles() -> Iterator[dict[str, Any]]:
        for r in _rows(conn, Article):
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
        for r in _rows(conn, Actor):
            yield {
                "id": r.id,
                "name": r.name,
                "kind": r.kind,
                "aliases": [a for a in aliases.get(r.id, []) if a != r.name],
                "parent": names.actor(r.parent_id),
            }

    def statements() -> Iterator[dict[str, Any]]:
        for r in _rows(conn, Statement):
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
        for r in _rows(conn, Link, _live(Statement, Link.from_id), _live(Statement, Link.to_id)):
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
        for r in _rows(conn, Issue):
            yield {"id": r.id, "title": r.title, "description": r.description}

    def positions() -> Iterator[dict[str, Any]]:
        backing = _pairs(
            conn,
            select(PositionStatement.position_id, PositionStatement.statement_id)
            .where(_live(Statement, PositionStatement.statement_id))
            .order_by(PositionStatement.position_id, PositionStatement.statement_id),
        )
        live_cell = (_live(Issue, Position.issue_id), _live(Actor, Position.actor_id))
        for r in _rows(conn, Position, *live_cell):
            yield {
                "id": r.id,
                "issue": r.issue_id,
                "actor": names.actor(r.actor_id),
                "summary": r.summary,
                "as_of": _iso(r.as_of),
                "review": r.review,
                "statements": backing.get(r.id, []),
            }

    def events() -> Iterator[dict[str, Any]]:
        actor_ids = _pairs(conn, select(EventActor.event_id, EventActor.actor_id))
        statement_ids = _pairs(
            conn,
            select(EventStatement.event_id, EventStatement.statement_id)
            .where(_live(Statement, EventStatement.statement_id))
            .order_by(EventStatement.event_id, EventStatement.statement_id),
        )
        for r in _rows(conn, Event):
            yield {
                "id": r.id,
                "date": _iso(r.date),
                "date_end": _iso(r.date_end),
                "precision": r.precision,
                "title": r.title,
                "description": r.description,
                "review": r.review,
                "actors": sorted(name for a in actor_ids.get(r.id, []) if (name := names.actor(a))),
                "statements": statement_ids.get(r.id, []),
            }

    def collections() -> Iterator[dict[str, Any]]:
        for r in _rows(conn, Collection):
            items = conn.execute(
                select(CollectionItem)
                .where(
                    CollectionItem.collection_id == r.id,
                    CollectionItem.deleted_at.is_(None),  # type: ignore[union-attr]
                    or_(
                        *(
                            and_(CollectionItem.kind == kind, _live(model, CollectionItem.item_id))
                            for kind, model in (
                                ("statement", Statement),
                                ("position", Position),
                                ("event", Event),
                            )
                        )
                    ),
                )
                .order_by(CollectionItem.rank, CollectionItem.id)
            ).all()
            yield {
                "id": r.id,
                "name": r.name,
                "description": r.description,
                "items": [{"kind": i.kind, "id": i.item_id, "note": i.note} for i in items],
            }

    return [
        ("sources", sources),
        ("articles", articles),
        ("actors", actors),
        ("statements", statements),
        ("links", links),
        ("issues", issues),
        ("positions", positions),
        ("events", events),
        ("collections", collections),
    ]


def write_json(engine: Engine, out: IO[str], *, editor: str) -> dict[str, int]:
    """Write the desk to ``out``; returns how many items each list got."""
    counts: dict[str, int] = {}
    header = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "exported_by": editor,
    }
    out.write("{\n")
    for key, value in header.items():
        out.write(f"  {json.dumps(key)}: {json.dumps(value)},\n")
    # One read transaction for the whole export: WAL gives it a consistent snapshot even
    # while editors keep writing.
    with engine.connect() as conn, conn.begin():
        _write_sections(conn, out, counts)
    out.write("}\n")
    return counts


def _write_sections(conn: Connection, out: IO[str], counts: dict[str, int]) -> None:
    sections = _sections(conn)
    for index, (key, rows) in enumerate(sections):
        out.write(f"  {json.dumps(key)}: [")
        n = 0
        for n, item in enumerate(rows(), start=1):
            out.write(("\n    " if n == 1 else ",\n    ") + json.dumps(item, ensure_ascii=False))
        out.write("\n  ]" if n else "]")
        out.write(",\n" if index < len(sections) - 1 else "\n")
        counts[key] = n
