"""Collections (the desk's curated sets) and bulk actions on a marked selection.

A collection is what the next shift, the web desk or a fact-check partner receives, so its
order and notes are editorial work: every change to them is a logged, versioned write like
any other. Bulk actions run as one transaction: a marked selection is changed whole or not
at all, and each row still gets its own Change entry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, and_, exists, func, or_
from sqlmodel import Session, SQLModel, col, select

from db.models import (
    Collection,
    CollectionItem,
    Event,
    ItemKind,
    Position,
    Statement,
    Triage,
)
from db.tx import _CHOICES, NotFoundError, ValidationError, _choice, _model, _Tx

#: What a collection can hold, and the table each kind lives in.
ITEM_MODELS: dict[str, Any] = {
    ItemKind.STATEMENT.value: Statement,
    ItemKind.POSITION.value: Position,
    ItemKind.EVENT.value: Event,
}

#: Bulk actions each entity accepts: field → what the field means to an editor.
BULK_FIELDS: dict[str, frozenset[str]] = {
    "statement": frozenset({"verification", "review", "tags", "issue_id"}),
    "article": frozenset({"triage", "assignee", "tags", "starred", "priority"}),
    "position": frozenset({"review"}),
    "event": frozenset({"review"}),
    "link": frozenset({"review"}),
}


@dataclass(frozen=True)
class CollectionSummary:
    id: int
    name: str
    description: str
    items: int
    version: int
    updated_at: dt.datetime


def live_item_condition() -> Any:
    """A collection item that is not removed and points at a row that is not deleted."""
    return and_(
        col(CollectionItem.deleted_at).is_(None),
        or_(
            *(
                and_(
                    CollectionItem.kind == kind,
                    exists().where(model.id == CollectionItem.item_id, model.deleted_at.is_(None)),
                )
                for kind, model in ITEM_MODELS.items()
            )
        ),
    )


def member_ids(conn: Connection | Session, collection_id: int) -> dict[str, list[int]]:
    """The live members of a collection by kind, each list in the collection's order.

    Exporters read this once and then stream the rows; a collection of 100k statements is
    100k integers here, never 100k rows."""
    query = (
        select(CollectionItem.kind, CollectionItem.item_id)
        .where(CollectionItem.collection_id == collection_id, live_item_condition())
        .order_by(CollectionItem.rank, CollectionItem.id)  # type: ignore[arg-type]
    )
    members: dict[str, list[int]] = {kind: [] for kind in ITEM_MODELS}
    seen: set[tuple[str, int]] = set()
    for kind, item_id in conn.execute(query):  # type: ignore[call-overload]
        if (kind, item_id) not in seen:
            seen.add((kind, item_id))
            members[kind].append(item_id)
    return members


def item_notes(conn: Connection | Session, collection_id: int) -> dict[tuple[str, int], str]:
    """The editor's note on each member, for exports that carry annotations."""
    query = select(CollectionItem.kind, CollectionItem.item_id, CollectionItem.note).where(
        CollectionItem.collection_id == collection_id,
        col(CollectionItem.deleted_at).is_(None),
        CollectionItem.note != "",
    )
    return {(k, i): n for k, i, n in conn.execute(query)}  # type: ignore[call-overload]


class CollectionsMixin:
    """Collection and bulk operations of ``Repo`` (see ``db.repo`` for ``_write``/``read``)."""

    editor: str

    if TYPE_CHECKING:

        def _write(self) -> AbstractContextManager[_Tx]: ...
        def read(self) -> AbstractContextManager[Session]: ...

    # ------------------------------------------------------------------ reads

    def collections(self) -> list[CollectionSummary]:
        """Every collection with its live item count, by name."""
        counts = (
            select(CollectionItem.collection_id, func.count().label("n"))
            .where(live_item_condition())
            .group_by(CollectionItem.collection_id)  # type: ignore[arg-type]
            .subquery()
        )
        query = (
            select(Collection, func.coalesce(counts.c.n, 0))
            .join(counts, counts.c.collection_id == Collection.id, isouter=True)
            .where(col(Collection.deleted_at).is_(None))
            .order_by(func.lower(Collection.name))
        )
        with self.read() as session:
            return [
                CollectionSummary(c.id, c.name, c.description, n, c.version, c.updated_at)  # type: ignore[arg-type]
                for c, n in session.exec(query).all()
            ]

    def collection_named(self, name: str) -> Collection | None:
        name = " ".join(name.split())
        with self.read() as session:
            return session.exec(
                select(Collection).where(
                    func.lower(Collection.name) == name.lower(),
                    col(Collection.deleted_at).is_(None),
                )
            ).first()

    def collection_members(self, collection_id: int) -> dict[str, list[int]]:
        with self.read() as session:
            return member_ids(session, collection_id)

    def article_statement_ids(self, article_ids: Sequence[int]) -> list[int]:
        """The accepted statements articles carry, in reading order: what "add this article
        to a collection" adds (a collection holds statements, not articles; a machine
        suggestion nobody accepted is not the desk's work, so it is left out)."""
        found: list[int] = []
        with self.read() as session:
            for article_id in dict.fromkeys(article_ids):
                found += [
                    int(i)
                    for i in session.exec(
                        select(Statement.id)
                        .where(
                            Statement.article_id == article_id,
                            col(Statement.deleted_at).is_(None),
                            Statement.review == "accepted",
                        )
                        .order_by(col(Statement.evidence_start), col(Statement.id))
                    )
                    if i is not None
                ]
        return found

    # ------------------------------------------------------------------ writes

    def ensure_collection(self, name: str, description: str = "") -> Collection:
        """The collection called ``name`` (any case), created if there is none."""
        name = " ".join(name.split())
        if not name:
            raise ValidationError("a collection needs a name")
        with self._write() as tx:
            found = tx.session.exec(
                select(Collection).where(
                    func.lower(Collection.name) == name.lower(),
                    col(Collection.deleted_at).is_(None),
                )
            ).first()
            if found is not None:
                return found
            return tx.insert(Collection(name=name, description=description))

    def add_items(
        self, collection_id: int, items: Iterable[tuple[str, int]], note: str = ""
    ) -> int:
        """Append items to a collection in the given order; ones already in it stay where
        they are (adding twice never duplicates). Returns how many were added."""
        with self._write() as tx:
            return _append(tx, collection_id, items, note)

    def add_rows_to_collection(self, collection_id: int, rows: Iterable[Any]) -> int:
        """Append every row a pane's view yields (``.kind`` or statement rows, ``.id``):
        "collection from current filter". One transaction, so a filter of thousands
        lands whole or not at all."""

        def pairs() -> Iterator[tuple[str, int]]:
            for row in rows:
                yield (getattr(row, "kind", "statement"), row.id)

        with self._write() as tx:
            return _append(tx, collection_id, pairs())

    def move_item(self, item_id: int, delta: int) -> None:
        """Move an item ``delta`` places up (negative) or down within its collection."""
        with self._write() as tx:
            item = tx.get(CollectionItem, item_id)
            ordered = tx.session.exec(
                select(CollectionItem)
                .where(
                    CollectionItem.collection_id == item.collection_id,
                    col(CollectionItem.deleted_at).is_(None),
                )
                .order_by(col(CollectionItem.rank), col(CollectionItem.id))
            ).all()
            index = next(i for i, row in enumerate(ordered) if row.id == item.id)
            target = max(0, min(len(ordered) - 1, index + delta))
            if target == index:
                return
            moved = list(ordered)
            moved.insert(target, moved.pop(index))
            # Renumber only the span that moved; ranks stay dense so later moves are cheap.
            low, high = min(index, target), max(index, target)
            ranks = sorted(row.rank for row in ordered[low : high + 1])
            if len(set(ranks)) < len(ranks):  # ties from older data: spread them out
                ranks = list(range(ordered[low].rank, ordered[low].rank + len(ranks)))
            for row, rank in zip(moved[low : high + 1], ranks, strict=True):
                if row.rank != rank:
                    tx.update(row, {"rank": rank}, None)

    def annotate_item(self, item_id: int, note: str, expected_version: int | None) -> None:
        with self._write() as tx:
            tx.update(tx.get(CollectionItem, item_id), {"note": note}, expected_version)

    def remove_item(self, item_id: int) -> None:
        with self._write() as tx:
            item = tx.get(CollectionItem, item_id)
            tx.update(item, {"deleted_at": tx.now}, None, op="delete")

    # ------------------------------------------------------------------ bulk actions

    def bulk_update(self, entity: str, ids: Sequence[int], **values: Any) -> int:
        """Set the same fields on many rows in one transaction; returns rows changed.

        Bulk actions act on what the editor marked, as it is now: there is no per-row
        version to check (the marks were made on rows the editor saw, and each row's
        Change entry records what it was before)."""
        allowed = BULK_FIELDS.get(entity)
        if allowed is None:
            raise ValidationError(f"no bulk actions on {entity}")
        unknown = set(values) - allowed
        if unknown:
            raise ValidationError(f"bulk actions cannot set {', '.join(sorted(unknown))}")
        for field, choices in _CHOICES.get(entity, {}).items():
            if field in values:
                values[field] = _choice(values[field], choices, field)
        model = _model(entity)
        changed = 0
        with self._write() as tx:
            for row in _rows(tx, model, ids):
                before = row.version  # type: ignore[attr-defined]
                tx.update(row, dict(values), None)
                changed += row.version != before  # type: ignore[attr-defined]
        return changed

    def bulk_tag(self, entity: str, ids: Sequence[int], tag: str, *, remove: bool = False) -> int:
        """Add (or remove) one tag on many statements or articles."""
        tag = " ".join(tag.split())
        if not tag:
            raise ValidationError("a tag needs at least one letter")
        if entity not in ("statement", "article"):
            raise ValidationError(f"{entity} rows have no tags")
        changed = 0
        with self._write() as tx:
            for row in _rows(tx, _model(entity), ids):
                tags = list(row.tags or [])  # type: ignore[attr-defined]
                if remove and tag in tags:
                    tags.remove(tag)
                elif not remove and tag not in tags:
                    tags.append(tag)
                else:
                    continue
                tx.update(row, {"tags": tags}, None)
                changed += 1
        return changed

    def bulk_dismiss(self, entity: str, ids: Sequence[int]) -> int:
        """Dismiss marked rows: suggestions are dismissed, articles triaged not relevant."""
        if entity == "article":
            return self.bulk_update(entity, ids, triage=Triage.NOT_RELEVANT.value)
        return self.bulk_update(entity, ids, review="dismissed")


def _rows(tx: _Tx, model: type[SQLModel], ids: Sequence[int]) -> list[Any]:
    """The live rows with these ids, in the order given; a missing one fails the batch by
    name rather than being skipped silently."""
    wanted = list(dict.fromkeys(ids))
    rows: dict[int, Any] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        for row in tx.session.exec(
            select(model).where(col(model.id).in_(chunk))  # type: ignore[attr-defined]
        ):
            rows[row.id] = row  # type: ignore[attr-defined]
    gone = [i for i in wanted if i not in rows or rows[i].deleted_at is not None]
    if gone:
        entity = model.__tablename__  # type: ignore[attr-defined]
        raise NotFoundError(
            f"no {entity} with id {', '.join(map(str, gone[:5]))}"
            + (f" and {len(gone) - 5} more" if len(gone) > 5 else "")
        )
    return [rows[i] for i in wanted]


def _append(tx: _Tx, collection_id: int, items: Iterable[tuple[str, int]], note: str = "") -> int:
    tx.get(Collection, collection_id)
    present = {
        (kind, item_id)
        for kind, item_id in tx.session.exec(
            select(CollectionItem.kind, CollectionItem.item_id).where(
                CollectionItem.collection_id == collection_id,
                col(CollectionItem.deleted_at).is_(None),
            )
        )
    }
    last = tx.session.exec(
        select(func.max(CollectionItem.rank)).where(CollectionItem.collection_id == collection_id)
    ).one()
    rank = last or 0
    added = 0
    for kind, item_id in items:
        kind = _choice(kind, ItemKind, "kind")
        if (kind, item_id) in present:
            continue
        present.add((kind, item_id))
        rank += 1
        tx.insert(
            CollectionItem(
                collection_id=collection_id, rank=rank, kind=kind, item_id=item_id, note=note
            )
        )
        added += 1
    return added


__all__ = [
    "BULK_FIELDS",
    "ITEM_MODELS",
    "CollectionSummary",
    "CollectionsMixin",
    "item_notes",
    "live_item_condition",
    "member_ids",
]
