"""The repository: the only code that writes to the desk, and the panes' paged reads.

Every write operation is one transaction (``BEGIN IMMEDIATE`` on SQLite, so it waits for the
lock instead of failing when it upgrades from read to write) that also appends its Change
rows; a crash leaves either the whole operation with its log, or neither. Reads for the
panes never load a table: they page with keyset queries over the pane's index
(see ``db.views``).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, func
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, SQLModel, col, select

from db.engine import is_busy
from db.models import (
    Actor,
    ActorAlias,
    ActorKind,
    Article,
    ArticleTable,
    Change,
    Collection,
    CollectionItem,
    Event,
    EventActor,
    EventStatement,
    Issue,
    Link,
    Position,
    PositionStatement,
    Precision,
    Relation,
    Review,
    Source,
    SourceKind,
    Statement,
    Verification,
    normalise_name,
    utcnow,
)
from db.repo_collections import CollectionsMixin, _append
from db.repo_history import HistoryMixin
from db.repo_ingest import IngestMixin, ReviewConflict  # noqa: F401  (re-exported)
from db.repo_links import LinksMixin
from db.repo_statements import StatementsMixin
from db.tx import (  # noqa: F401  (re-exported: callers import errors from here)
    _CHOICES,
    _SYSTEM_FIELDS,
    LOG_VALUE_LIMIT,
    QUOTE_CONTEXT,
    ConflictError,
    NotFoundError,
    ReadOnlyError,
    RepoError,
    ValidationError,
    _choice,
    _model,
    _Tx,
    _unique_aliases,
    check_row,
    content_hash,
    quote_selector,
)
from db.users import UserRow, check_can_write, put_user

# --------------------------------------------------------------------------- read models


@dataclass(frozen=True)
class ArticleDetail:
    id: int
    title: str
    byline: str
    outlet: str
    url: str | None
    published_at: dt.datetime | None
    text: str
    triage: str
    #: (statement id, start, end, review) of evidence spans, for highlighting
    spans: tuple[tuple[int, int, int, str], ...]
    starred: bool = False
    assignee: str | None = None
    priority: int = 0
    tags: tuple[str, ...] = ()
    rule_hits: tuple[str, ...] = ()
    #: (other article id, its title, its outlet, "possible"/"same", score)
    duplicate: tuple[int, str, str, str, float] | None = None
    #: (kind, start, end) of pipe tables read from the text
    tables: tuple[tuple[str, int, int], ...] = ()
    source_problem: str | None = None  # the source's last error or warning


@dataclass(frozen=True)
class LinkView:
    link_id: int
    relation: str
    direction: str  # "out" (this statement → other) or "in"
    other_id: int
    other_speaker: str
    other_said_on: dt.date | None
    other_outlet: str
    other_text: str
    review: str
    note: str


@dataclass(frozen=True)
class StatementDetail:
    statement: Statement
    speaker: str
    article_title: str
    outlet: str
    article_url: str | None
    issue: str
    links: tuple[LinkView, ...]


@dataclass(frozen=True)
class PositionEntry:
    position: Position
    statements: tuple[tuple[int, str], ...]  # (statement id, text)


class DeskBusyError(RepoError):
    """The write lock could not be had, even after waiting and retrying: nothing was saved."""


class Repo(IngestMixin, StatementsMixin, LinksMixin, HistoryMixin, CollectionsMixin):
    """Reads and writes for one editor on one desk."""

    def __init__(self, engine: Engine, editor: str, *, read_only: bool = False) -> None:
        self.engine = engine
        self.editor = editor
        self.read_only = read_only
        self._writer = engine.execution_options(sqlite_begin="IMMEDIATE")
        self._local = threading.local()

    # ---------------------------------------------------------------- transactions

    @contextmanager
    def _write(self, *, check_role: bool = True) -> Iterator[_Tx]:
        """One write transaction (or the enclosing ``batch()``'s).

        ``check_role=False`` is for an operation that checks the editor's role itself, in
        this transaction, with its own rule and words (``set_user``: only admins).

        Concurrent writers: the transaction starts with ``BEGIN IMMEDIATE``, which waits
        up to the busy timeout for the write lock, and ``db.engine`` retries that BEGIN and
        the COMMIT a bounded number of times with jittered backoff while SQLite still says
        "database is locked". Only those two are retried, never the body: this is a context
        manager, so the body has run in the caller's ``with`` block and cannot be run again
        here; and they are the two statements that are safe to repeat (a failed BEGIN began
        nothing; a busy COMMIT leaves the transaction open, with every row the body wrote).
        The write lock is taken before the body runs, so the body itself never waits on it.
        If the desk stays locked beyond the retries, nothing was saved and the caller gets a
        ``DeskBusyError`` that says so (a ``RepoError``: the TUI and ingest report it).
        """
        if self.read_only:
            raise ReadOnlyError(f"{self.editor} has read-only access to this desk")
        current: _Tx | None = getattr(self._local, "tx", None)
        if current is not None:  # inside batch(): join the outer transaction
            yield current
            return
        with Session(self._writer, expire_on_commit=False) as session:
            tx = _Tx(session, self.editor)
            try:
                session.connection()  # BEGIN IMMEDIATE now: the write lock, before the body
                if check_role:  # in the write transaction: the role as it is now
                    check_can_write(session, self.editor)
                yield tx
                tx.commit()
            except IntegrityError as exc:  # a constraint the checks above did not foresee
                reason = str(exc.orig).splitlines()[0] if exc.orig else str(exc)
                raise ValidationError(f"the change conflicts with stored data: {reason}") from exc
            except OperationalError as exc:
                if not is_busy(exc):
                    raise
                raise DeskBusyError(
                    "the desk stayed locked by another session's write; nothing was saved, "
                    "try again"
                ) from exc

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Run several operations as one transaction: all of them land, or none does."""
        with self._write() as tx:
            self._local.tx = tx
            try:
                yield
            finally:
                self._local.tx = None

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read session; inside ``batch()`` on this thread, the batch's own, so what the
        batch wrote so far reads back (a separate connection would see the desk as it was
        before the batch, e.g. no text for an article stored a moment ago)."""
        current: _Tx | None = getattr(self._local, "tx", None)
        if current is not None:
            yield current.session
            return
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    # ---------------------------------------------------------------- sources & articles

    def add_source(self, name: str, url: str | None = None, kind: str = "feed") -> Source:
        with self._write() as tx:
            kind = _choice(kind, SourceKind, "kind")
            return tx.insert(Source(name=name.strip(), url=url, kind=kind))

    def add_article(
        self,
        *,
        title: str,
        text: str,
        source_id: int | None = None,
        url: str | None = None,
        byline: str = "",
        published_at: dt.datetime | None = None,
    ) -> Article:
        now = utcnow()
        article = Article(
            source_id=source_id,
            url=url,
            canonical_url=url,
            title=title,
            byline=byline,
            published_at=published_at,
            fetched_at=now,
            sort_at=published_at or now,
            text=text,
        )
        with self._write() as tx:
            return tx.insert(article)

    # ---------------------------------------------------------------- actors

    def add_actor(
        self,
        name: str,
        kind: str = "person",
        *,
        aliases: Iterable[str] = (),
        parent_id: int | None = None,
        notes: str = "",
    ) -> Actor:
        name = " ".join(name.split())
        with self._write() as tx:
            names = _unique_aliases([name, *aliases], normalise_name)
            actor = tx.insert(
                Actor(
                    name=name,
                    kind=_choice(kind, ActorKind, "kind"),
                    parent_id=parent_id,
                    notes=notes,
                ),
                extra={"aliases": [alias for alias, _ in names]},
            )
            for alias, norm in names:
                tx.session.add(ActorAlias(actor_id=actor.id, alias=alias, norm=norm))
            return actor

    def add_alias(self, actor_id: int, alias: str) -> Actor:
        alias = " ".join(alias.split())
        if not alias:
            raise ValidationError("an alias cannot be empty")
        with self._write() as tx:
            actor = tx.get(Actor, actor_id)
            current = self._aliases(tx.session, actor_id)
            norm = normalise_name(alias)
            if norm in {normalise_name(existing) for existing in current}:
                return actor
            tx.session.add(ActorAlias(actor_id=actor_id, alias=alias, norm=norm))
            return tx.update(actor, {}, None, extra={"aliases": [current, [*current, alias]]})

    @staticmethod
    def _aliases(session: Session, actor_id: int) -> list[str]:
        rows = session.exec(
            select(ActorAlias.alias).where(ActorAlias.actor_id == actor_id).order_by(ActorAlias.id)
        )
        return list(rows)

    def find_actor(self, name: str) -> Actor | None:
        """Exact (normalised) match on name or alias; fuzzy matching lives in the extractor."""
        with self.read() as session:
            return session.exec(
                select(Actor)
                .join(ActorAlias, col(ActorAlias.actor_id) == col(Actor.id))
                .where(ActorAlias.norm == normalise_name(name), col(Actor.deleted_at).is_(None))
            ).first()

    # ---------------------------------------------------------------- issues & statements

    def add_issue(self, title: str, description: str = "") -> Issue:
        with self._write() as tx:
            return tx.insert(Issue(title=" ".join(title.split()), description=description))

    def add_statement(
        self,
        *,
        text: str,
        article_id: int | None = None,
        evidence: tuple[int, int] | None = None,
        speaker_id: int | None = None,
        attribution: str = "",
        quote: bool = False,
        said_on: dt.date | None = None,
        said_until: dt.date | None = None,
        date_precision: str = "unknown",
        date_text: str = "",
        review: str = "accepted",
        verification: str = "unverified",
        tags: Sequence[str] = (),
        notes: str = "",
        issue_id: int | None = None,
        score: float | None = None,
    ) -> Statement:
        start, end = evidence if evidence is not None else (None, None)
        with self._write() as tx:
            return tx.insert(
                Statement(
                    article_id=article_id,
                    speaker_id=speaker_id,
                    attribution=attribution,
                    text=text.strip(),
                    quote=quote,
                    said_on=said_on,
                    said_until=said_until,
                    date_precision=_choice(date_precision, Precision, "date_precision"),
                    date_text=date_text,
                    review=_choice(review, Review, "review"),
                    verification=_choice(verification, Verification, "verification"),
                    tags=list(dict.fromkeys(tag.strip() for tag in tags if tag.strip())),
                    notes=notes,
                    issue_id=issue_id,
                    score=score,
                    evidence_start=start,  # the quote selector is derived from the article
                    evidence_end=end,
                )
            )

    # ---------------------------------------------------------------- links

    def add_link(
        self, from_id: int, to_id: int, relation: str, *, note: str = "", review: str = "accepted"
    ) -> Link:
        relation = _choice(relation, Relation, "relation")
        review = _choice(review, Review, "review")
        with self._write() as tx:
            deleted = tx.session.exec(
                select(Link).where(
                    Link.from_id == from_id,
                    Link.to_id == to_id,
                    Link.relation == relation,
                    col(Link.deleted_at).is_not(None),
                )
            ).first()
            if deleted is not None:  # linking again brings the old link (and its history) back
                values = {"deleted_at": None, "note": note, "review": review}
                return tx.update(deleted, values, None, op="restore")
            return tx.insert(
                Link(
                    from_id=from_id,
                    to_id=to_id,
                    relation=relation,
                    note=note,
                    review=review,
                )
            )

    # ---------------------------------------------------------------- positions & events

    def add_position(
        self,
        *,
        issue_id: int,
        actor_id: int,
        summary: str,
        as_of: dt.date | None = None,
        review: str = "accepted",
        statement_ids: Sequence[int] = (),
    ) -> Position:
        summary = " ".join(summary.split())
        with self._write() as tx:
            for statement_id in statement_ids:
                tx.get(Statement, statement_id)
            position = tx.insert(
                Position(
                    issue_id=issue_id,
                    actor_id=actor_id,
                    summary=summary,
                    as_of=as_of,
                    review=_choice(review, Review, "review"),
                ),
                extra={"statements": list(statement_ids)} if statement_ids else None,
            )
            for statement_id in dict.fromkeys(statement_ids):
                tx.session.add(
                    PositionStatement(position_id=position.id, statement_id=statement_id)
                )
            return position

    def add_event(
        self,
        *,
        title: str,
        date: dt.date,
        date_end: dt.date | None = None,
        precision: str = "day",
        description: str = "",
        review: str = "accepted",
        actor_ids: Sequence[int] = (),
        statement_ids: Sequence[int] = (),
    ) -> Event:
        title = " ".join(title.split())
        with self._write() as tx:
            for actor_id in actor_ids:
                tx.get(Actor, actor_id)
            for statement_id in statement_ids:
                tx.get(Statement, statement_id)
            extra: dict[str, Any] = {}
            if actor_ids:
                extra["actors"] = list(actor_ids)
            if statement_ids:
                extra["statements"] = list(statement_ids)
            event = tx.insert(
                Event(
                    title=title,
                    date=date,
                    date_end=date_end,
                    precision=_choice(precision, Precision, "precision"),
                    description=description,
                    review=_choice(review, Review, "review"),
                ),
                extra=extra,
            )
            for actor_id in dict.fromkeys(actor_ids):
                tx.session.add(EventActor(event_id=event.id, actor_id=actor_id))
            for statement_id in dict.fromkeys(statement_ids):
                tx.session.add(EventStatement(event_id=event.id, statement_id=statement_id))
            return event

    # ---------------------------------------------------------------- collections

    def add_collection(self, name: str, description: str = "") -> Collection:
        with self._write() as tx:
            return tx.insert(Collection(name=" ".join(name.split()), description=description))

    def add_to_collection(
        self, collection_id: int, kind: str, item_id: int, note: str = ""
    ) -> CollectionItem | None:
        """Append one item; ``None`` when it is already in the collection."""
        with self._write() as tx:
            if not _append(tx, collection_id, [(kind, item_id)], note):
                return None
            return tx.session.exec(
                select(CollectionItem)
                .where(CollectionItem.collection_id == collection_id)
                .order_by(col(CollectionItem.id).desc())
            ).first()

    # ---------------------------------------------------------------- users

    def set_user(self, name: str, role: str) -> UserRow:
        """Add a desk user or change their role, as this editor: an admin, or anyone on a
        desk that lists nobody yet (whose first user must be an admin). Logged like every
        write; the rules are ``db.users.put_user``'s, checked in this transaction."""
        with self._write(check_role=False) as tx:  # put_user checks for an admin
            return put_user(tx, name, role)

    # ---------------------------------------------------------------- generic edits

    def update(
        self, entity: str, entity_id: int, expected_version: int | None, **values: Any
    ) -> SQLModel:
        """Change fields of any editable row; ``expected_version`` guards against lost updates.

        ``None`` skips the check: only for system-driven edits, never for an editor's form.
        """
        model = _model(entity)
        unknown = set(values) - set(model.model_fields) | (set(values) & _SYSTEM_FIELDS)
        if unknown:
            raise ValidationError(f"{entity} has no editable field {', '.join(sorted(unknown))}")
        for field, allowed in _CHOICES.get(entity, {}).items():
            if field in values:
                values[field] = _choice(values[field], allowed, field)
        with self._write() as tx:
            return tx.update(tx.get(model, entity_id), values, expected_version)

    def delete(self, entity: str, entity_id: int, expected_version: int | None = None) -> None:
        """Soft delete: the row stays for the audit log and can be restored."""
        model = _model(entity)
        with self._write() as tx:
            row = tx.get(model, entity_id)
            tx.update(row, {"deleted_at": tx.now}, expected_version, op="delete")

    def restore(self, entity: str, entity_id: int) -> None:
        model = _model(entity)
        with self._write() as tx:
            row = tx.session.get(model, entity_id)
            if row is None:
                raise NotFoundError(f"no {entity} with id {entity_id}")
            if row.deleted_at is not None:  # type: ignore[attr-defined]
                tx.update(row, {"deleted_at": None}, None, op="restore")

    # ---------------------------------------------------------------- single-row reads

    def get(self, entity: str, entity_id: int) -> SQLModel | None:
        with self.read() as session:
            return session.get(_model(entity), entity_id)

    def article_detail(self, article_id: int) -> ArticleDetail | None:
        with self.read() as session:
            row = session.exec(
                select(Article, Source.name)
                .join(Source, col(Source.id) == col(Article.source_id), isouter=True)
                .where(Article.id == article_id)
            ).first()
            if row is None:
                return None
            article, outlet = row
            source = session.get(Source, article.source_id) if article.source_id else None
            duplicate = None
            if article.duplicate_of is not None:
                other = session.get(Article, article.duplicate_of)
                if other is not None:
                    other_source = session.get(Source, other.source_id) if other.source_id else None
                    duplicate = (
                        int(other.id),  # type: ignore[arg-type]
                        other.title,
                        other_source.name if other_source else "",
                        article.match_kind or "possible",
                        article.match_score or 0.0,
                    )
            tables = session.exec(
                select(ArticleTable.kind, ArticleTable.start, ArticleTable.end)
                .where(ArticleTable.article_id == article_id)
                .order_by(col(ArticleTable.start))
            ).all()
            spans = session.exec(
                select(
                    Statement.id, Statement.evidence_start, Statement.evidence_end, Statement.review
                )
                .where(
                    Statement.article_id == article_id,
                    col(Statement.evidence_start).is_not(None),
                    col(Statement.deleted_at).is_(None),
                )
                .order_by(col(Statement.evidence_start))
            ).all()
            return ArticleDetail(
                id=article_id,
                title=article.title,
                byline=article.byline,
                outlet=outlet or "",
                url=article.url,
                published_at=article.published_at,
                text=article.text,
                triage=article.triage,
                spans=tuple(
                    (i, s, e, r) for i, s, e, r in spans if s is not None and e is not None
                ),
                starred=article.starred,
                assignee=article.assignee,
                priority=article.priority,
                tags=tuple(article.tags or ()),
                rule_hits=tuple(article.rule_hits or ()),
                duplicate=duplicate,
                tables=tuple((k, s, e) for k, s, e in tables),
                source_problem=(source.error_message or source.warning) if source else None,
            )

    def statement_detail(self, statement_id: int) -> StatementDetail | None:
        with self.read() as session:
            statement = session.get(Statement, statement_id)
            if statement is None:
                return None
            speaker = session.get(Actor, statement.speaker_id) if statement.speaker_id else None
            article = session.get(Article, statement.article_id) if statement.article_id else None
            source = (
                session.get(Source, article.source_id) if article and article.source_id else None
            )
            issue = session.get(Issue, statement.issue_id) if statement.issue_id else None
            links = [
                *self._links(session, statement_id, outgoing=True),
                *self._links(session, statement_id, outgoing=False),
            ]
            return StatementDetail(
                statement=statement,
                speaker=speaker.name if speaker else "",
                article_title=article.title if article else "",
                outlet=source.name if source else "",
                article_url=article.url if article else None,
                issue=issue.title if issue else "",
                links=tuple(links),
            )

    @staticmethod
    def _links(session: Session, statement_id: int, *, outgoing: bool) -> list[LinkView]:
        here, there = (Link.from_id, Link.to_id) if outgoing else (Link.to_id, Link.from_id)
        rows = session.exec(
            select(Link, Statement, Actor.name, Source.name)
            .join(Statement, col(Statement.id) == col(there))
            .join(Actor, col(Actor.id) == col(Statement.speaker_id), isouter=True)
            .join(Article, col(Article.id) == col(Statement.article_id), isouter=True)
            .join(Source, col(Source.id) == col(Article.source_id), isouter=True)
            .where(here == statement_id, col(Link.deleted_at).is_(None))
            .order_by(col(Link.id))
        ).all()
        return [
            LinkView(
                link_id=link.id,  # type: ignore[arg-type]
                relation=link.relation,
                direction="out" if outgoing else "in",
                other_id=other.id,  # type: ignore[arg-type]
                other_speaker=speaker or "",
                other_said_on=other.said_on,
                other_outlet=outlet or "",
                other_text=other.text,
                review=link.review,
                note=link.note,
            )
            for link, other, speaker, outlet in rows
        ]

    # ---------------------------------------------------------------- positions

    def position_history(self, issue_id: int, actor_id: int) -> list[PositionEntry]:
        with self.read() as session:
            positions = session.exec(
                select(Position)
                .where(
                    Position.issue_id == issue_id,
                    Position.actor_id == actor_id,
                    col(Position.deleted_at).is_(None),
                )
                .order_by(col(Position.as_of).desc(), col(Position.id).desc())
            ).all()
            entries = []
            for position in positions:
                backing = session.exec(
                    select(Statement.id, Statement.text)
                    .join(
                        PositionStatement,
                        col(PositionStatement.statement_id) == col(Statement.id),
                    )
                    .where(PositionStatement.position_id == position.id)
                    .order_by(col(Statement.id))
                ).all()
                entries.append(PositionEntry(position, tuple((i, t) for i, t in backing)))  # type: ignore[misc]
            return entries

    def event_detail(self, event_id: int) -> tuple[Event, list[str], list[tuple[int, str]]] | None:
        with self.read() as session:
            event = session.get(Event, event_id)
            if event is None:
                return None
            actors = session.exec(
                select(Actor.name)
                .join(EventActor, col(EventActor.actor_id) == col(Actor.id))
                .where(EventActor.event_id == event_id)
                .order_by(col(Actor.name))
            ).all()
            statements = session.exec(
                select(Statement.id, Statement.text)
                .join(EventStatement, col(EventStatement.statement_id) == col(Statement.id))
                .where(EventStatement.event_id == event_id)
                .order_by(col(Statement.id))
            ).all()
            return event, list(actors), [(i, t) for i, t in statements]  # type: ignore[misc]

    # ---------------------------------------------------------------- change feed

    def last_change_id(self) -> int:
        with self.read() as session:
            return session.exec(select(func.max(Change.id))).one() or 0

    def changes_since(self, change_id: int, limit: int = 1000) -> list[Change]:
        with self.read() as session:
            return list(
                session.exec(
                    select(Change)
                    .where(col(Change.id) > change_id)
                    .order_by(col(Change.id))
                    .limit(limit)
                )
            )

    def changes_for(self, entity: str, entity_id: int) -> list[Change]:
        with self.read() as session:
            return list(
                session.exec(
                    select(Change)
                    .where(Change.entity == entity, Change.entity_id == entity_id)
                    .order_by(col(Change.id))
                )
            )
