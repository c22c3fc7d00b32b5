"""Write transactions and the rules a stored row must satisfy.

``_Tx`` is one transaction: it cleans what it stores, derives dependent fields, checks the
row's invariants and appends the Change rows, so every writer (the repository's single-row
operations and its bulk ingest alike) goes through the same door.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import uuid
from collections.abc import Iterable
from enum import StrEnum
from typing import Any, TypeVar

from sqlmodel import Session, SQLModel, col, select

from db.clean import clean_value
from db.models import (
    ENTITIES,
    Actor,
    ActorKind,
    Article,
    Change,
    Collection,
    CollectionItem,
    Event,
    Issue,
    ItemKind,
    Link,
    Position,
    Precision,
    Relation,
    Review,
    Rule,
    RuleAction,
    RuleField,
    Source,
    SourceKind,
    Statement,
    Triage,
    Verification,
    utcnow,
)
from db.search import INDEXED_FIELDS, Indexer

M = TypeVar("M", bound=SQLModel)

#: Values longer than this are logged as a digest: article bodies would otherwise double
#: the database, and no editor restores a body from the audit log.
LOG_VALUE_LIMIT = 2000
#: Characters of context kept on each side of an evidence quote (W3C TextQuoteSelector).
QUOTE_CONTEXT = 32
#: Fields the system maintains; an update never takes them from the caller.
_SYSTEM_FIELDS = frozenset({"id", "version", "created_at", "updated_at", "deleted_at"})


class RepoError(Exception):
    """A refused write, with a message an editor can act on."""


class ValidationError(RepoError):
    pass


class NotFoundError(RepoError):
    pass


class ReadOnlyError(RepoError):
    pass


class ConflictError(RepoError):
    """The row moved on since the editor opened it; ``theirs`` is the row as stored now."""

    def __init__(self, entity: str, entity_id: int, expected: int, theirs: SQLModel) -> None:
        self.entity = entity
        self.entity_id = entity_id
        self.expected = expected
        self.theirs = theirs
        actual = getattr(theirs, "version", "?")
        super().__init__(
            f"{entity} {entity_id} was changed by someone else "
            f"(you opened version {expected}, it is now version {actual})"
        )


def _choice(value: str | StrEnum, allowed: type[StrEnum], field: str) -> str:
    value = value.value if isinstance(value, StrEnum) else value
    if value not in {member.value for member in allowed}:
        options = ", ".join(member.value for member in allowed)
        raise ValidationError(f"{field} must be one of {options}; got {value!r}")
    return value


def _json_value(value: Any) -> Any:
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, str) and len(value) > LOG_VALUE_LIMIT:
        digest = hashlib.sha256(value.encode()).hexdigest()
        return {"sha256": digest, "length": len(value)}
    if isinstance(value, list | tuple):
        return [_json_value(item) for item in value]
    return value


def _entity_name(model: type[SQLModel] | SQLModel) -> str:
    return str(model.__tablename__)  # type: ignore[union-attr]


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def quote_selector(text: str, start: int, end: int) -> dict[str, Any]:
    """W3C TextQuote + TextPosition for ``text[start:end]``."""
    if not 0 <= start <= end <= len(text):
        raise ValidationError(f"evidence span {start}–{end} is outside the article text")
    return {
        "evidence_start": start,
        "evidence_end": end,
        "evidence_exact": text[start:end],
        "evidence_prefix": text[max(0, start - QUOTE_CONTEXT) : start],
        "evidence_suffix": text[end : end + QUOTE_CONTEXT],
    }


class _Tx:
    """One write transaction: inserts, versioned updates and their Change rows."""

    def __init__(self, session: Session, editor: str) -> None:
        self.session = session
        self.editor = editor
        self.txn = uuid.uuid4().hex
        self.now = utcnow()
        self.index = Indexer(session)  # search stays in step with every write

    def log(self, op: str, entity: str, entity_id: int, diff: dict[str, Any]) -> None:
        self.session.add(
            Change(
                at=self.now,
                editor=self.editor,
                txn=self.txn,
                op=op,
                entity=entity,
                entity_id=entity_id,
                diff=diff,
            )
        )

    def insert(self, row: M, extra: dict[str, Any] | None = None) -> M:
        if hasattr(row, "editor") and not row.editor:  # type: ignore[attr-defined]
            row.editor = self.editor  # type: ignore[attr-defined]
        if hasattr(row, "created_at"):
            row.created_at = row.updated_at = self.now  # type: ignore[attr-defined]
        for field in type(row).model_fields:
            setattr(row, field, clean_value(getattr(row, field)))
        fields = set(type(row).model_fields)
        _derive(self, row, fields)
        check_row(self, row, fields)
        self.session.add(row)
        self.session.flush()
        entity = _entity_name(row)
        if entity in INDEXED_FIELDS:
            self.index.added(entity, [row.id])  # type: ignore[attr-defined]
        fields = row.model_dump(exclude=set(_SYSTEM_FIELDS))
        diff = {k: [None, _json_value(v)] for k, v in fields.items() if v not in (None, "", [])}
        for key, value in (extra or {}).items():
            diff[key] = [None, _json_value(value)]
        self.log("create", _entity_name(row), row.id, diff)  # type: ignore[arg-type]
        if isinstance(row, Link):
            _sync_superseded(self, row.to_id)
        return row

    def get(self, model: type[M], entity_id: int) -> M:
        row = self.session.get(model, entity_id)
        if row is None or getattr(row, "deleted_at", None) is not None:
            raise NotFoundError(f"no {_entity_name(model)} with id {entity_id}")
        return row

    def check_version(self, row: SQLModel, expected: int | None) -> None:
        if expected is not None and row.version != expected:  # type: ignore[attr-defined]
            raise ConflictError(_entity_name(row), row.id, expected, row)  # type: ignore[attr-defined]

    def update(
        self,
        row: M,
        values: dict[str, Any],
        expected_version: int | None,
        extra: dict[str, list[Any]] | None = None,
        op: str = "update",
    ) -> M:
        self.check_version(row, expected_version)
        before = {field: getattr(row, field) for field in type(row).model_fields}
        for field, new in values.items():
            setattr(row, field, clean_value(new))
        changed = {f for f in values if getattr(row, f) != before[f]}
        if changed and op != "delete":  # deleting is always allowed
            with self.session.no_autoflush:  # check before the database sees the change
                changed |= _derive(self, row, changed)
                check_row(self, row, changed)
        diff: dict[str, Any] = {
            f: [_json_value(before[f]), _json_value(getattr(row, f))]
            for f in type(row).model_fields
            if f in changed and getattr(row, f) != before[f]
        }
        diff.update(extra or {})
        if not diff:
            return row
        self._unindex(row, set(diff))
        row.version += 1  # type: ignore[attr-defined]
        row.updated_at = self.now  # type: ignore[attr-defined]
        self.session.add(row)
        self.session.flush()
        self.log(op, _entity_name(row), row.id, diff)  # type: ignore[arg-type]
        if isinstance(row, Link):
            _sync_superseded(self, row.to_id)
            if "to_id" in diff and before["to_id"] != row.to_id:
                _sync_superseded(self, before["to_id"])
        return row

    def _unindex(self, row: SQLModel, changed: set[str]) -> None:
        """Take the row's search entries out while the database still holds its old
        values (before the flush); the commit puts them back as they now read."""
        entity = _entity_name(row)
        if changed & INDEXED_FIELDS.get(entity, frozenset()):
            self.index.changing(entity, [row.id])  # type: ignore[attr-defined]
        elif isinstance(row, Actor) and "name" in changed:  # statements index the speaker
            with self.session.no_autoflush:
                spoken = self.session.exec(
                    select(Statement.id).where(
                        Statement.speaker_id == row.id, col(Statement.deleted_at).is_(None)
                    )
                ).all()
            self.index.changing("statement", [int(i) for i in spoken if i is not None])

    def commit(self) -> None:
        self.session.flush()
        self.index.flush()
        self.session.commit()


# --------------------------------------------------------------------------- invariants
#
# One place states what a stored row must satisfy, whether it arrives through an add_*
# method or the generic update(): the same rules for a new row and an edited one.


def _derive(tx: _Tx, row: SQLModel, changed: set[str]) -> set[str]:
    """Recompute fields that follow from others; returns the names it set."""
    derived: set[str] = set()
    if isinstance(row, Article):
        if "text" in changed:
            row.content_hash = content_hash(row.text)
            derived.add("content_hash")
        if changed & {"published_at", "fetched_at"}:
            row.sort_at = row.published_at or row.fetched_at
            derived.add("sort_at")
    if (
        isinstance(row, Statement)
        and changed & {"evidence_start", "evidence_end", "article_id"}
        and row.evidence_start is not None
        and row.evidence_end is not None
    ):
        if row.article_id is None:
            raise ValidationError("evidence needs an article")
        article = tx.get(Article, row.article_id)
        for field, value in quote_selector(
            article.text, row.evidence_start, row.evidence_end
        ).items():
            setattr(row, field, value)
            derived.add(field)
    return derived


def _sync_superseded(tx: _Tx, statement_id: int) -> None:
    """A statement that an accepted, live *updates* link points at is superseded; when the
    last such link goes (dismissed, deleted, re-related), it gets back the verification it
    had before. Done here, in the write transaction, so every path that touches a link
    (the picker, the review list, a generic update, an undo) keeps statements true, and
    the verification change is itself a Change row like any other."""
    live = tx.session.exec(
        select(Link.id).where(
            Link.to_id == statement_id,
            Link.relation == "updates",
            Link.review == "accepted",
            col(Link.deleted_at).is_(None),
        )
    ).first()
    statement = tx.session.get(Statement, statement_id)
    if statement is None:
        return
    if live is not None and statement.verification != "superseded":
        tx.update(statement, {"verification": "superseded"}, None, op="supersede")
    elif live is None and statement.verification == "superseded":
        tx.update(
            statement,
            {"verification": _before_superseded(tx, statement_id)},
            None,
            op="unsupersede",
        )


def _before_superseded(tx: _Tx, statement_id: int) -> str:
    """The verification a statement had when a link last superseded it."""
    changes = tx.session.exec(
        select(Change)
        .where(
            Change.entity == "statement", Change.entity_id == statement_id, Change.op == "supersede"
        )
        .order_by(col(Change.id).desc())
        .limit(1)
    ).all()
    for change in changes:
        old = (change.diff.get("verification") or [None])[0]
        if isinstance(old, str) and old != "superseded":
            return old
    return "unverified"


def check_rule_pattern(pattern: str, regex: bool) -> None:
    if not pattern.strip():
        raise ValidationError("a rule needs words or a pattern to match")
    if regex:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValidationError(f"the rule's pattern is not a valid regex: {exc}") from exc


def _check_action(action: str, value: str) -> str:
    action = _choice(action, RuleAction, "action")
    if action == "priority":
        try:
            int(value)
        except ValueError:
            raise ValidationError("a priority rule's value is a whole number") from None
    if action in ("tag", "assign") and not value.strip():
        raise ValidationError(f"a {action} rule needs a value")
    return action


def _required(value: str, what: str) -> None:
    if not value or not value.strip():
        raise ValidationError(f"{what} cannot be empty")


def _unique(tx: _Tx, row: Any, column: Any, value: Any, what: str) -> None:
    model = type(row)
    clash = tx.session.exec(
        select(model.id).where(column == value, model.id != row.id)  # type: ignore[attr-defined]
    ).first()
    if clash is not None:
        raise ValidationError(f"{what} {value!r} is already taken")


def check_row(tx: _Tx, row: SQLModel, changed: set[str]) -> None:
    """Raise ValidationError / NotFoundError if ``row`` may not be stored as it is.

    References are checked where they are set (``changed``): an untouched reference to a
    row deleted since stays as it is, so restoring one row never needs another first.
    """

    def ref(model: type[SQLModel], field: str) -> None:
        value = getattr(row, field)
        if value is not None and field in changed:
            tx.get(model, value)

    if isinstance(row, Source):
        _required(row.name, "a source's name")
        if row.url:
            _unique(tx, row, Source.url, row.url, "the source URL")
    elif isinstance(row, Article):
        ref(Source, "source_id")
    elif isinstance(row, Actor):
        _required(row.name, "an actor's name")
        _unique(tx, row, Actor.name, row.name, "the actor name")
        ref(Actor, "parent_id")
        parent_id, seen = row.parent_id, {row.id}
        while parent_id is not None:  # no actor may end up its own ancestor
            if parent_id in seen:
                raise ValidationError(f"{row.name} cannot be placed under itself")
            seen.add(parent_id)
            parent = tx.session.get(Actor, parent_id)
            parent_id = parent.parent_id if parent is not None else None
    elif isinstance(row, Issue):
        _required(row.title, "an issue's title")
    elif isinstance(row, Statement):
        _required(row.text, "a statement's text")
        if row.said_until is not None and (row.said_on is None or row.said_until < row.said_on):
            raise ValidationError("said_until must be on or after said_on")
        if not isinstance(row.tags, list) or not all(isinstance(t, str) for t in row.tags):
            raise ValidationError("tags must be a list of words")
        ref(Article, "article_id")
        ref(Actor, "speaker_id")
        ref(Issue, "issue_id")
        if (row.evidence_start is None) != (row.evidence_end is None):
            raise ValidationError("evidence needs both a start and an end")
    elif isinstance(row, Link):
        if row.from_id == row.to_id:
            raise ValidationError("a statement cannot be linked to itself")
        ref(Statement, "from_id")
        ref(Statement, "to_id")
        if row.deleted_at is None:
            clash = tx.session.exec(
                select(Link.id).where(
                    Link.from_id == row.from_id,
                    Link.to_id == row.to_id,
                    Link.relation == row.relation,
                    col(Link.deleted_at).is_(None),
                    Link.id != row.id,
                )
            ).first()
            if clash is not None:
                raise ValidationError(f"statement {row.from_id} already {row.relation} {row.to_id}")
    elif isinstance(row, Position):
        _required(row.summary, "a position's summary")
        ref(Issue, "issue_id")
        ref(Actor, "actor_id")
    elif isinstance(row, Event):
        _required(row.title, "an event's title")
        if row.date_end is not None and row.date_end < row.date:
            raise ValidationError("an event cannot end before it starts")
    elif isinstance(row, Collection):
        _required(row.name, "a collection's name")
        _unique(tx, row, Collection.name, row.name, "the collection name")
    elif isinstance(row, Rule):
        _required(row.name, "a rule's name")
        _unique(tx, row, Rule.name, row.name, "the rule name")
        check_rule_pattern(row.pattern, row.regex)
        _check_action(row.action, row.value)
        _choice(row.field, RuleField, "field")
        ref(Source, "source_id")
    elif isinstance(row, CollectionItem):
        ref(Collection, "collection_id")
        kind = _choice(row.kind, ItemKind, "kind")
        if changed & {"kind", "item_id"}:
            tx.get(
                {"statement": Statement, "position": Position, "event": Event}[kind], row.item_id
            )


_CHOICES: dict[str, dict[str, type[StrEnum]]] = {
    "source": {"kind": SourceKind},
    "article": {"triage": Triage},
    "actor": {"kind": ActorKind},
    "statement": {
        "date_precision": Precision,
        "review": Review,
        "verification": Verification,
    },
    "link": {"relation": Relation, "review": Review},
    "position": {"review": Review},
    "event": {"precision": Precision, "review": Review},
    "collection_item": {"kind": ItemKind},
    "rule": {"field": RuleField, "action": RuleAction},
}


def _model(entity: str) -> type[SQLModel]:
    try:
        return ENTITIES[entity]
    except KeyError:
        raise ValidationError(f"unknown entity {entity!r}") from None


def _unique_aliases(names: Iterable[str], normalise: Any) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for name in names:
        name = " ".join(name.split())
        norm = normalise(name)
        if name and norm not in seen:
            seen[norm] = name
    return [(alias, norm) for norm, alias in seen.items()]
