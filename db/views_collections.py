"""The paged read of one collection's items, for the Collections screen.

A collection can hold thousands of items, so the screen pages it by key like every pane:
``(rank, id)`` over the collection's ``ix_collection_item_rank`` index. Each row carries
what the item points at (a statement, a position, an event) through LEFT JOINs in the
same query, one query a page, never one a row.

Items whose statement, position or event was deleted are left out, exactly as
``db.repo_collections.live_item_condition`` leaves them out of the counts and of every
export: what the screen lists is what an export of the collection would contain. (They
come back when the row is restored from the trash.)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, and_, select
from sqlalchemy.orm import aliased

from db.models import (
    Actor,
    Article,
    CollectionItem,
    Event,
    Issue,
    Position,
    Source,
    Statement,
)
from db.repo_collections import live_item_condition
from db.rows import Key
from db.views import KeysetView

#: How long the text part of a label may get; the screen shows the rest in its detail.
LABEL_TEXT = 160


@dataclass(frozen=True)
class CollectionItemRow:
    """One member of a collection as the Collections screen lists it.

    ``id``/``version`` are the ``CollectionItem``'s (what moves, notes and removals act
    on); ``ref_id`` is the statement, position or event it points at (what Enter opens)."""

    key: Key  # (rank, id)
    id: int
    version: int
    rank: int
    kind: str  # statement | position | event
    ref_id: int
    note: str
    label: str  # one line an editor reads: who, when, what, status
    when: dt.date | None = None
    when_end: dt.date | None = None
    precision: str = "day"
    who: str = ""  # statement: the speaker; position: the actor
    issue: str = ""  # position: the issue's title
    text: str = ""  # statement text, position summary, event title
    status: str = ""  # statement: verification; position and event: review
    review: str = ""
    outlet: str = ""  # statement: the outlet that reported it
    quote: bool = False


def _when(start: dt.date | None, end: dt.date | None = None, precision: str = "day") -> str:
    """A date as its precision allows (``2026-11-04``, ``2026-11``, ``2026``, ``~2026-11-04``,
    ``2026-11-04–2026-11-05``). Written here rather than borrowed from ``workbench.dates``:
    the storage layer does not import the app."""
    if start is None:
        return "undated"

    def one(day: dt.date) -> str:
        if precision == "year":
            return f"{day.year}"
        if precision == "month":
            return f"{day.year}-{day.month:02d}"
        return day.isoformat()

    text = one(start)
    if end is not None and one(end) != text:
        text += f"–{one(end)}"
    return ("~" if precision == "approximate" else "") + text


def _one_line(value: str | None, limit: int = LABEL_TEXT) -> str:
    value = " ".join((value or "").split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _statement_label(who: str, when: str, text: str, quote: bool, status: str, outlet: str) -> str:
    said = f"“{text}”" if quote else text
    parts = [who or "unnamed", when, said, status]
    if outlet:
        parts.append(outlet)
    return " · ".join(parts)


class CollectionItemsView(KeysetView):
    """A collection's live items in the collection's order (``rank``, then ``id``)."""

    def __init__(self, engine: Engine, collection_id: int) -> None:
        self.collection_id = collection_id
        # Aliases, not the tables: ``live_item_condition`` tests each kind's table in an
        # EXISTS, which would otherwise correlate to these joins and lose its FROM.
        statement, position, event = aliased(Statement), aliased(Position), aliased(Event)
        speaker, holder = aliased(Actor), aliased(Actor)
        query = (
            select(
                CollectionItem.rank,
                CollectionItem.id,
                CollectionItem.version,
                CollectionItem.kind,
                CollectionItem.item_id,
                CollectionItem.note,
                # statement
                speaker.name,
                statement.attribution,
                statement.said_on,
                statement.said_until,
                statement.date_precision,
                statement.text,
                statement.quote,
                statement.verification,
                statement.review,
                Source.name,
                # position
                holder.name,
                Issue.title,
                position.as_of,
                position.summary,
                position.review,
                # event
                event.date,
                event.date_end,
                event.precision,
                event.title,
                event.review,
            )
            .select_from(CollectionItem)
            .join(
                statement,
                and_(CollectionItem.kind == "statement", statement.id == CollectionItem.item_id),
                isouter=True,
            )
            .join(speaker, speaker.id == statement.speaker_id, isouter=True)
            .join(Article, Article.id == statement.article_id, isouter=True)
            .join(Source, Source.id == Article.source_id, isouter=True)
            .join(
                position,
                and_(CollectionItem.kind == "position", position.id == CollectionItem.item_id),
                isouter=True,
            )
            .join(holder, holder.id == position.actor_id, isouter=True)
            .join(Issue, Issue.id == position.issue_id, isouter=True)
            .join(
                event,
                and_(CollectionItem.kind == "event", event.id == CollectionItem.item_id),
                isouter=True,
            )
        )
        super().__init__(
            engine,
            CollectionItem,
            query,
            [CollectionItem.rank, CollectionItem.id],
            _make_row,
            where=[CollectionItem.collection_id == collection_id, live_item_condition()],
        )

    @property
    def ordering(self) -> tuple[str, ...]:
        """Keys of one collection mean nothing in another: a list switching collections
        starts at the top rather than at the old item's rank."""
        return (*super().ordering, f"collection {self.collection_id}")

    def key_of(self, item_id: int) -> Key | None:
        """Where the item is now (its rank moves when anyone reorders the collection);
        None when it is no longer a live member of this collection."""
        query = (
            select(CollectionItem.rank, CollectionItem.id)
            .where(CollectionItem.id == item_id, *self.where)
            .limit(1)
        )
        with self.engine.connect() as conn:
            found = conn.execute(query).first()
        return tuple(found) if found is not None else None


def _make_row(r: Any) -> CollectionItemRow:
    rank, item_id, version, kind, ref_id, note = r[0:6]
    common = {
        "key": (rank, item_id),
        "id": item_id,
        "version": version,
        "rank": rank,
        "kind": kind,
        "ref_id": ref_id,
        "note": note or "",
    }
    if kind == "statement":
        (speaker, attribution, said_on, said_until, precision, text, quote) = r[6:13]
        verification, review, outlet = r[13:16]
        who = _one_line(speaker or attribution or "")
        body = _one_line(text)
        label = _statement_label(
            who,
            _when(said_on, said_until, precision or "unknown"),
            body,
            bool(quote),
            verification or "",
            _one_line(outlet),
        )
        return CollectionItemRow(
            **common,
            label=label,
            when=said_on,
            when_end=said_until,
            precision=precision or "unknown",
            who=who,
            text=body,
            status=verification or "",
            review=review or "",
            outlet=_one_line(outlet),
            quote=bool(quote),
        )
    if kind == "position":
        actor, issue, as_of, summary, review = r[16:21]
        who, title, body = _one_line(actor), _one_line(issue), _one_line(summary)
        when = f"as of {_when(as_of)}" if as_of else "undated"
        label = " · ".join([f"{who or 'unknown actor'} × {title or 'no issue'}", when, body])
        label += f" · {review}" if review else ""
        return CollectionItemRow(
            **common,
            label=label,
            when=as_of,
            who=who,
            issue=title,
            text=body,
            status=review or "",
            review=review or "",
        )
    date, date_end, precision, title, review = r[21:26]
    body = _one_line(title)
    label = " · ".join([_when(date, date_end, precision or "day"), body])
    label += f" · {review}" if review else ""
    return CollectionItemRow(
        **common,
        label=label,
        when=date,
        when_end=date_end,
        precision=precision or "day",
        text=body,
        status=review or "",
        review=review or "",
    )


def collection_items_view(engine: Engine, collection_id: int) -> CollectionItemsView:
    """The collection's live items, in its order, paged by ``(rank, id)``."""
    return CollectionItemsView(engine, collection_id)


__all__ = ["CollectionItemRow", "CollectionItemsView", "collection_items_view"]
