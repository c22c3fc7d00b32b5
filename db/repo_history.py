"""History, undo and the trash: reading the Change log back, and writing its inverse.

Every write appends Change rows (editor, time, field-level ``[old, new]``, grouped by
``txn``), so an item's history is a query, and undoing an operation is writing the old
values back — as a *new* transaction whose rows say ``op="undo"`` and name the undone
``txn`` (``_undoes``). History is never deleted or rewritten: an undo is itself history,
and the log stays the one account of who did what.

Undo is the editor's own, and careful:

- ``undo_last`` takes the editor's newest transaction that has not been undone yet.
  Undo transactions themselves are skipped (ctrl+z twice undoes two changes, it does not
  redo the first), and so is machine work done in the editor's name that an editor would
  not call "my change" (fetches and ingests, read marks, evidence re-anchoring).
- If anyone changed the same fields of the same rows after it, nothing is written and the
  refusal names them: undo never overwrites a colleague's later work. Later changes that
  were themselves undone (with the undos that reverted them) do not count.
- It runs in one write transaction, so the check and the writes see the same desk, and
  through ``_Tx.update``, so roles, invariants, search and the live feed all follow.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING, Any

from pydantic import TypeAdapter
from sqlalchemy import and_, or_
from sqlmodel import Session, SQLModel, col, select

from db.models import (
    ENTITIES,
    Actor,
    ActorAlias,
    Change,
    EventActor,
    Link,
    Statement,
    normalise_name,
)
from db.tx import NotFoundError, RepoError, ValidationError, _model, _Tx

if TYPE_CHECKING:
    from sqlalchemy import Engine

#: The diff key an undo row carries: ``[None, txn]`` of the transaction it reverted.
UNDOES = "_undoes"
#: Ops that are the machine's bookkeeping, not an editor's change: never undone.
SYSTEM_OPS = frozenset({"read", "unread", "reanchor"})
#: Diff keys that describe an operation rather than change a field.
NOTE_KEYS = frozenset({UNDOES, "merged_from", "merged_into", "statements", "actors"})
#: Kinds of rows the trash lists, in the order it tries them.
TRASH_ENTITIES = (
    "statement",
    "position",
    "event",
    "link",
    "issue",
    "actor",
    "article",
    "collection",
    "rule",
)
#: Reference fields and the kind of row they point at: history names them, not only ids.
REFERENCES = {
    "speaker_id": "actor",
    "actor_id": "actor",
    "parent_id": "actor",
    "merged_from": "actor",
    "merged_into": "actor",
    "issue_id": "issue",
    "article_id": "article",
    "source_id": "source",
}
#: How far back ``undo_last`` looks for something of the editor's to undo.
UNDO_SCAN_ROWS = 5000


class UndoRefused(RepoError):
    """Undo would overwrite a later change (``changed_by`` made it), or there is nothing
    undoable; nothing was written."""

    def __init__(self, message: str, changed_by: str | None = None) -> None:
        super().__init__(message)
        self.changed_by = changed_by


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any
    #: for a reference (``speaker_id``, ``issue_id``…), the names of the rows it points at
    old_label: str | None = None
    new_label: str | None = None


@dataclass(frozen=True)
class HistoryEntry:
    """One Change row, as the history screen shows it."""

    change_id: int
    at: dt.datetime
    editor: str
    op: str
    entity: str
    entity_id: int
    txn: str
    fields: tuple[FieldChange, ...]
    #: for an undo row, the transaction it reverted
    undoes: str | None = None


@dataclass(frozen=True)
class LastChange:
    editor: str
    at: dt.datetime
    op: str


@dataclass(frozen=True)
class UndoResult:
    """What ``undo_last`` reverted: the transaction, and words for the notification."""

    undone_txn: str
    txn: str
    summary: str
    #: entity → ids the undo wrote (for refreshing what shows them)
    touched: dict[str, frozenset[int]]


@dataclass(frozen=True)
class DeletedItem:
    entity: str
    entity_id: int
    title: str
    deleted_at: dt.datetime
    deleted_by: str
    note: str = ""  # e.g. "merged into #3"


def aware(value: dt.datetime) -> dt.datetime:
    """Stored times are UTC; SQLite may hand them back naive."""
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def is_digest(value: Any) -> bool:
    """A long text logged as its digest (see ``db.tx.LOG_VALUE_LIMIT``): not restorable."""
    return isinstance(value, dict) and "sha256" in value


def short_value(value: Any, width: int = 60) -> str:
    """A logged value in a few words: what history lines and notifications show."""
    if value is None or value == "" or value == []:
        return "—"
    if is_digest(value):
        return f"(long text, {value.get('length', '?')} characters)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        text = ", ".join(short_value(item, width) for item in value)
    else:
        text = str(value)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


@cache
def _adapter(entity: str, field: str) -> TypeAdapter[Any]:
    return TypeAdapter(_model(entity).model_fields[field].annotation)


def _stored(entity: str, field: str, value: Any) -> Any:
    """A logged (JSON-safe) value back as the model's type: ISO strings to dates."""
    parsed = _adapter(entity, field).validate_python(value)
    if isinstance(parsed, dt.datetime) and parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.UTC)
    return parsed


def _entry(change: Change) -> HistoryEntry:
    undoes = change.diff.get(UNDOES)
    return HistoryEntry(
        change_id=int(change.id),  # type: ignore[arg-type]
        at=aware(change.at),
        editor=change.editor,
        op=change.op,
        entity=change.entity,
        entity_id=change.entity_id,
        txn=change.txn,
        fields=tuple(
            FieldChange(name, *_pair(pair)) for name, pair in change.diff.items() if name != UNDOES
        ),
        undoes=undoes[1] if isinstance(undoes, list) and len(undoes) == 2 else None,
    )


def _labelled(session: Session, entries: list[HistoryEntry]) -> list[HistoryEntry]:
    """Name the rows reference fields point at ("Piet Savolder", not 11): one query per
    kind of row, deleted rows included (the history may well mention them)."""
    wanted: dict[str, set[int]] = {}
    for entry in entries:
        for change in entry.fields:
            kind = REFERENCES.get(change.field)
            if kind is not None:
                for value in (change.old, change.new):
                    if isinstance(value, int) and not isinstance(value, bool):
                        wanted.setdefault(kind, set()).add(value)
    names: dict[tuple[str, int], str] = {}
    for kind, ids in wanted.items():
        model = _model(kind)
        label = model.title if "title" in model.model_fields else model.name  # type: ignore[attr-defined]
        for row_id, name in session.exec(
            select(model.id, label).where(col(model.id).in_(sorted(ids)))  # type: ignore[attr-defined]
        ):
            names[(kind, int(row_id))] = str(name)

    def named(field: str, value: Any) -> str | None:
        kind = REFERENCES.get(field)
        return names.get((kind, value)) if kind and isinstance(value, int) else None

    return [
        replace(
            entry,
            fields=tuple(
                replace(f, old_label=named(f.field, f.old), new_label=named(f.field, f.new))
                for f in entry.fields
            ),
        )
        for entry in entries
    ]


def _pair(pair: Any) -> tuple[Any, Any]:
    if isinstance(pair, list | tuple) and len(pair) == 2:
        return pair[0], pair[1]
    return None, pair


def _touched_fields(change: Change) -> set[str] | None:
    """The fields a row changed; None for a create (it made every field)."""
    if change.op == "create":
        return None
    return set(change.diff) - NOTE_KEYS


def _undone_by(rows: Iterable[Change]) -> set[str]:
    """The transactions that undo rows among ``rows`` reverted."""
    found = set()
    for row in rows:
        if row.op == "undo":
            pair = row.diff.get(UNDOES)
            if isinstance(pair, list) and len(pair) == 2 and isinstance(pair[1], str):
                found.add(pair[1])
    return found


def _not_undoable(rows: Sequence[Change]) -> str | None:
    """Why a transaction is not an editor's change to undo, or None when it is."""
    for row in rows:
        if row.op in SYSTEM_OPS:
            return f"{row.op} marks are bookkeeping"
        if row.entity not in ENTITIES or row.entity == "source":
            return "fetching is not undone"
        if row.entity == "article" and row.op == "create":
            return "ingest is not undone"
        if row.op != "create" and any(
            is_digest(value) for pair in row.diff.values() for value in _pair(pair)
        ):
            return "a long text is kept only as its digest in the log"
    return None


def describe_value_change(entity: str, entity_id: int, fields: dict[str, tuple[Any, Any]]) -> str:
    """``statement #12 verification verified → unverified``."""
    parts = [
        f"{name} {short_value(a, 30)} → {short_value(b, 30)}" for name, (a, b) in fields.items()
    ]
    shown = "; ".join(parts[:3]) + (f" (+{len(parts) - 3} fields)" if len(parts) > 3 else "")
    return f"{entity} #{entity_id} {shown}".rstrip()


class HistoryMixin:
    """History, undo and trash; ``Repo`` supplies ``_write``, ``read`` and ``editor``."""

    engine: Engine
    editor: str

    if TYPE_CHECKING:

        def _write(self) -> AbstractContextManager[_Tx]: ...
        def read(self) -> AbstractContextManager[Session]: ...

    # ------------------------------------------------------------------ reading

    def history(self, entity: str, entity_id: int, *, limit: int = 500) -> list[HistoryEntry]:
        """The item's Change rows, newest first. A statement's history includes its links
        (either direction): linking is something done *to* the statement, and the link
        rows are where it is recorded. An actor's aliases are logged on the actor."""
        _model(entity)  # an unknown kind is an error, not an empty history
        with self.read() as session:
            clause = and_(Change.entity == entity, Change.entity_id == entity_id)
            if entity == "statement":
                link_ids = [
                    int(i)
                    for i in session.exec(
                        select(Link.id).where(
                            or_(Link.from_id == entity_id, Link.to_id == entity_id)
                        )
                    )
                    if i is not None
                ]
                if link_ids:
                    clause = or_(
                        clause,
                        and_(Change.entity == "link", col(Change.entity_id).in_(link_ids)),
                    )
            rows = session.exec(
                select(Change).where(clause).order_by(col(Change.id).desc()).limit(limit)
            ).all()
            entries = [_entry(row) for row in rows]
            return _labelled(session, entries)

    def last_change(self, entity: str, entity_id: int) -> LastChange | None:
        """Who last changed the row, and when (one probe on the change index). Read
        marks are an editor's own bookkeeping, not a change to the item."""
        with self.read() as session:
            row = session.exec(
                select(Change.editor, Change.at, Change.op)
                .where(
                    Change.entity == entity,
                    Change.entity_id == entity_id,
                    col(Change.op).not_in(("read", "unread")),
                )
                .order_by(col(Change.id).desc())
                .limit(1)
            ).first()
        if row is None:
            return None
        editor, at, op = row
        return LastChange(editor, aware(at), op)

    def deleted(self, entity: str | None = None, limit: int = 200) -> list[DeletedItem]:
        """Soft-deleted items, most recently deleted first, with who deleted them: the
        trash. Suggestions the machine replaced (a new extraction pass) are not listed:
        nobody deleted them, and they would bury what editors did. Each kind is read
        newest deletion first, at most ``limit`` of each (there is no index on
        ``deleted_at``: a scan per table, in the trash screen's worker)."""
        kinds = (entity,) if entity is not None else TRASH_ENTITIES
        found: list[DeletedItem] = []
        with self.read() as session:
            for kind in kinds:
                model = _model(kind)
                query = select(model).where(col(model.deleted_at).is_not(None))  # type: ignore[attr-defined]
                if "review" in model.model_fields:
                    query = query.where(col(model.review) != "suggested")  # type: ignore[attr-defined]
                query = query.order_by(col(model.deleted_at).desc()).limit(limit)  # type: ignore[attr-defined]
                for row in session.exec(query):
                    found.append(self._deleted_item(session, kind, row))
        found.sort(key=lambda item: item.deleted_at, reverse=True)
        return found[:limit]

    @staticmethod
    def _deleted_item(session: Session, kind: str, row: Any) -> DeletedItem:
        change = next(
            (
                c
                for c in session.exec(
                    select(Change)
                    .where(Change.entity == kind, Change.entity_id == row.id)
                    .order_by(col(Change.id).desc())
                    .limit(20)
                )
                if "deleted_at" in c.diff
            ),
            None,
        )
        note = ""
        if change is not None and "merged_into" in change.diff:
            note = f"merged into #{_pair(change.diff['merged_into'])[1]}"
        return DeletedItem(
            entity=kind,
            entity_id=int(row.id),
            title=_title(session, kind, row),
            deleted_at=aware(row.deleted_at),
            deleted_by=change.editor if change is not None else "",
            note=note,
        )

    # ------------------------------------------------------------------ undo

    def undo_last(self, editor: str | None = None) -> UndoResult:
        """Undo the editor's own newest change that is not undone yet, as a new change.

        Raises ``UndoRefused`` (nothing written) when there is nothing to undo or someone
        changed the same fields since; ``ReadOnlyError`` for a viewer.
        """
        if editor is not None and editor != self.editor:
            raise ValidationError("you can only undo your own changes")
        with self._write() as tx:
            rows, undone, undos = _find_undoable(tx.session, self.editor)
            _check_later(tx.session, rows, undone | undos, self.editor)
            txn = rows[0].txn
            summary, touched = _apply_inverse(tx, rows)
            return UndoResult(undone_txn=txn, txn=tx.txn, summary=summary, touched=touched)


def _find_undoable(session: Session, editor: str) -> tuple[list[Change], set[str], set[str]]:
    """(rows of the transaction to undo, transactions already undone, the undo
    transactions that undid them), newest first through the editor's log."""
    undone: set[str] = set()
    undos: set[str] = set()
    seen: set[str] = set()
    last_id: int | None = None
    scanned = 0
    while scanned < UNDO_SCAN_ROWS:
        query = select(Change.id, Change.txn).where(Change.editor == editor)
        if last_id is not None:
            query = query.where(col(Change.id) < last_id)
        page = session.exec(query.order_by(col(Change.id).desc()).limit(200)).all()
        if not page:
            break
        scanned += len(page)
        last_id = page[-1][0]
        for _id, txn in page:
            if txn in seen:
                continue
            seen.add(txn)
            rows = list(
                session.exec(select(Change).where(Change.txn == txn).order_by(col(Change.id)))
            )
            if any(row.op == "undo" for row in rows):
                undone |= _undone_by(rows)
                undos.add(txn)
                continue
            if txn in undone or _not_undoable(rows) is not None:
                continue
            return rows, undone, undos
    raise UndoRefused("Nothing of yours to undo.")


def _check_later(session: Session, rows: list[Change], ignore: set[str], editor: str) -> None:
    """Refuse if a later change (not one already undone, nor its undo) touched the same
    fields of the same rows — naming who, so the editor can talk to them."""
    last = max(int(row.id) for row in rows)  # type: ignore[arg-type]
    wanted: dict[tuple[str, int], set[str] | None] = {}
    for row in rows:
        key = (row.entity, row.entity_id)
        fields = _touched_fields(row)
        if key in wanted and wanted[key] is None:
            continue
        wanted[key] = None if fields is None else (wanted.get(key) or set()) | fields
    for (entity, entity_id), fields in wanted.items():
        later = session.exec(
            select(Change)
            .where(
                Change.entity == entity,
                Change.entity_id == entity_id,
                col(Change.id) > last,
                col(Change.op).not_in(("read", "unread")),
            )
            .order_by(col(Change.id))
        ).all()
        # a later change its author undid since cancels out with its undo
        cancelled = _undone_by(later)
        for change in later:
            if change.txn in ignore or change.txn in cancelled or _undone_by([change]) & cancelled:
                continue
            overlap = set(change.diff) - NOTE_KEYS
            if fields is not None:
                overlap &= fields
            if not overlap and fields is not None:
                continue
            who = "you (in another session, or a fetch)" if change.editor == editor else None
            when = aware(change.at).astimezone().strftime("%d %b %H:%M")
            what = ", ".join(sorted(overlap)) or "it"
            raise UndoRefused(
                f"Not undone: {who or change.editor} changed {entity} #{entity_id} ({what}) "
                f"at {when}, after your change. Nothing was overwritten.",
                changed_by=change.editor,
            )


#: Which row of a transaction names it in the notification: the item an editor acted on
#: rather than what came along (a new speaker, a superseded statement).
_MAIN = ("statement", "position", "event", "link", "article", "issue", "actor")


def _apply_inverse(tx: _Tx, rows: list[Change]) -> tuple[str, dict[str, frozenset[int]]]:
    """Write the inverse of each row, newest first, as undo rows naming the transaction;
    returns words for what was undone and the rows written."""
    txn = rows[0].txn
    marker = {UNDOES: [None, txn]}
    touched: dict[str, set[int]] = {}
    described: list[tuple[Change, str]] = []
    for change in sorted(rows, key=lambda c: int(c.id), reverse=True):  # type: ignore[arg-type]
        row = tx.session.get(_model(change.entity), change.entity_id)
        if row is None:
            raise NotFoundError(f"no {change.entity} with id {change.entity_id}")
        values, extra = _inverse_values(tx, change, row)
        changed = {f: v for f, v in values.items() if getattr(row, f) != v}
        if not changed and not extra:
            continue  # already as it was (e.g. reverted by a link's undo just before)
        if "deleted_at" not in changed and getattr(row, "deleted_at", None) is not None:
            who = _deleted_by(tx.session, change.entity, change.entity_id)
            raise UndoRefused(
                f"Not undone: {who} deleted {change.entity} #{change.entity_id} since; "
                "restore it from the trash (T) first. Nothing was changed.",
                changed_by=who,
            )
        before = {f: getattr(row, f) for f in changed}
        tx.update(row, changed, None, extra={**extra, **marker}, op="undo")
        touched.setdefault(change.entity, set()).add(change.entity_id)
        described.append((change, _describe(change, before, changed)))
    if not described:  # nothing left to revert; still recorded, so it is not offered again
        first = rows[0]
        tx.log("undo", first.entity, first.entity_id, marker)
        touched.setdefault(first.entity, set()).add(first.entity_id)
        return f"{first.entity} #{first.entity_id} (it was already as before)", {
            k: frozenset(v) for k, v in touched.items()
        }

    def rank(item: tuple[Change, str]) -> tuple[bool, bool, int, int]:
        change = item[0]
        kind = _MAIN.index(change.entity) if change.entity in _MAIN else len(_MAIN)
        side_effect = change.op in ("supersede", "unsupersede")
        return side_effect, "merged_from" not in change.diff, kind, int(change.id)  # type: ignore[arg-type]

    summary = min(described, key=rank)[1]
    if len(described) > 1:
        summary += f" (+{len(described) - 1} more)"
    return summary, {k: frozenset(v) for k, v in touched.items()}


def _deleted_by(session: Session, entity: str, entity_id: int) -> str:
    for row in session.exec(
        select(Change)
        .where(Change.entity == entity, Change.entity_id == entity_id)
        .order_by(col(Change.id).desc())
    ):
        if "deleted_at" in row.diff:
            return row.editor
    return "someone"


def _describe(change: Change, before: dict[str, Any], after: dict[str, Any]) -> str:
    """What undoing one row did, in the notification's words."""
    item = f"{change.entity} #{change.entity_id}"
    if change.op == "create":
        return f"{item} added — deleted again"
    if change.op == "delete":
        return f"{item} deleted — restored"
    if change.op == "restore":
        return f"{item} restored — deleted again"
    if change.op == "merge" and "merged_from" in change.diff:
        merged = _pair(change.diff["merged_from"])[1]
        return f"{change.entity} #{merged} merged into #{change.entity_id} — separate again"
    shown = {f: (_plain(before[f]), _plain(after[f])) for f in after}
    if not shown:
        return f"{item} {change.op} undone"
    return describe_value_change(change.entity, change.entity_id, shown)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return aware(value).astimezone().strftime("%d %b %Y %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _inverse_values(
    tx: _Tx, change: Change, row: SQLModel
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(field values to write, extra diff entries) that revert one Change row."""
    if change.op == "create":
        return {"deleted_at": tx.now}, {}
    fields = type(row).model_fields
    values: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for name, pair in change.diff.items():
        old, new = _pair(pair)
        if name in fields:
            values[name] = _stored(change.entity, name, old)
        elif name == "aliases" and isinstance(row, Actor):
            extra["aliases"] = _set_aliases(tx, int(row.id), old or [])  # type: ignore[arg-type]
        elif name == "events" and isinstance(row, Actor) and change.op == "merge":
            source = _pair(change.diff.get("merged_from"))[1]
            if isinstance(source, int):
                extra["events"] = _unmove_events(tx, source, int(row.id), new or [])  # type: ignore[arg-type]
    if (
        isinstance(row, Actor)
        and change.op == "delete"
        and "merged_into" in change.diff
        and values.get("deleted_at", 0) is None
    ):
        # an actor merged away gets back the aliases it had (the merge moved them)
        names = _logged_aliases(tx.session, int(row.id), int(change.id))  # type: ignore[arg-type]
        extra["aliases"] = _set_aliases(tx, int(row.id), names)  # type: ignore[arg-type]
    return values, {k: v for k, v in extra.items() if v is not None}


def _set_aliases(tx: _Tx, actor_id: int, names: Sequence[str]) -> list[Any] | None:
    """Make an actor's aliases exactly ``names``; ``[before, after]`` or None if equal."""
    current = list(
        tx.session.exec(
            select(ActorAlias).where(ActorAlias.actor_id == actor_id).order_by(col(ActorAlias.id))
        )
    )
    wanted = {normalise_name(name): name for name in names if name.strip()}
    before = [alias.alias for alias in current]
    for alias in current:
        if alias.norm not in wanted:
            tx.session.delete(alias)
    have = {alias.norm for alias in current}
    for norm, name in wanted.items():
        if norm not in have:
            tx.session.add(ActorAlias(actor_id=actor_id, alias=name, norm=norm))
    tx.session.flush()
    after = [alias.alias for alias in current if alias.norm in wanted] + [
        name for norm, name in wanted.items() if norm not in have
    ]
    return None if sorted(before) == sorted(after) else [before, after]


def _logged_aliases(session: Session, actor_id: int, before_id: int) -> list[str]:
    """The actor's aliases as its log last recorded them before change ``before_id``."""
    rows = session.exec(
        select(Change)
        .where(
            Change.entity == "actor",
            Change.entity_id == actor_id,
            col(Change.id) < before_id,
        )
        .order_by(col(Change.id).desc())
    )
    for row in rows:
        pair = row.diff.get("aliases")
        if pair is not None:
            value = _pair(pair)[1]
            if isinstance(value, list):
                return [str(v) for v in value]
    actor = session.get(Actor, actor_id)
    return [actor.name] if actor is not None else []


def _unmove_events(tx: _Tx, from_id: int, into_id: int, event_ids: Sequence[int]) -> list[Any]:
    """Give the merged-away actor its events back. The merge target keeps an event it was
    on before the merge (as the event's own log records its actors)."""
    for event_id in event_ids:
        if tx.session.get(EventActor, (event_id, from_id)) is None:
            tx.session.add(EventActor(event_id=event_id, actor_id=from_id))
        link = tx.session.get(EventActor, (event_id, into_id))
        if link is not None and not _event_had_actor(tx.session, event_id, into_id):
            tx.session.delete(link)
    tx.session.flush()
    return [list(event_ids), None]


def _event_had_actor(session: Session, event_id: int, actor_id: int) -> bool:
    for row in session.exec(
        select(Change).where(Change.entity == "event", Change.entity_id == event_id)
    ):
        value = _pair(row.diff.get("actors"))[1]
        if isinstance(value, list) and actor_id in value:
            return True
    return False


def _title(session: Session, kind: str, row: Any) -> str:
    """A line saying which item a trash entry is."""
    if isinstance(row, Statement):
        speaker = session.get(Actor, row.speaker_id) if row.speaker_id else None
        return f"{speaker.name if speaker else 'unnamed'}: {row.text}"
    if isinstance(row, Link):
        return f"#{row.from_id} {row.relation.replace('_', ' ')} #{row.to_id}"
    for field in ("title", "summary", "name"):
        value = getattr(row, field, None)
        if isinstance(value, str) and value:
            return value
    return f"{kind} #{row.id}"


__all__ = [
    "DeletedItem",
    "FieldChange",
    "HistoryEntry",
    "HistoryMixin",
    "LastChange",
    "UndoRefused",
    "UndoResult",
    "describe_value_change",
    "short_value",
]
