"""The desk's tables.

Enumerated values are stored as short strings, validated in the repository layer rather than
by database enums, so that adding a state later is a code change, not a table rebuild on
SQLite or an ``ALTER TYPE`` on PostgreSQL.

Every editable table carries ``version`` (optimistic locking: a save names the version it
was based on), ``created_at``/``updated_at`` (aware UTC) and ``deleted_at`` (deletes are
soft, so the Change log can always point at the row it describes).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint, func, literal_column
from sqlmodel import Field, SQLModel

# Named constraints, so later migrations can alter them on SQLite (batch mode needs names).
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Aware UTC now: SQLModel rejects naive datetimes at execution time."""
    return datetime.now(UTC)


def normalise_name(value: str) -> str:
    """The stored lookup form of a name or alias: NFKC, casefolded, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", value).casefold().split())


class SourceKind(StrEnum):
    FEED = "feed"
    PAGE = "page"
    FILE = "file"


class Triage(StrEnum):
    NEW = "new"
    RELEVANT = "relevant"
    NOT_RELEVANT = "not_relevant"
    NEEDS_CHECK = "needs_check"


class ActorKind(StrEnum):
    PERSON = "person"
    GOVERNMENT = "government"
    ORGANISATION = "organisation"
    OUTLET = "outlet"


class Review(StrEnum):
    """Whether a row was proposed by the machine and what an editor made of it."""

    SUGGESTED = "suggested"
    ACCEPTED = "accepted"
    DISMISSED = "dismissed"


class Verification(StrEnum):
    UNVERIFIED = "unverified"
    VERIFIED = "verified"
    DISPUTED = "disputed"
    FALSE = "false"
    MISLEADING = "misleading"
    RETRACTED = "retracted"
    SUPERSEDED = "superseded"


class Relation(StrEnum):
    SUPPORTS = "supports"
    CONTRADICTS = "contradicts"
    UPDATES = "updates"
    DUPLICATES = "duplicates"
    RESPONDS_TO = "responds_to"


class Precision(StrEnum):
    """How much of a date is known; a range is expressed by an end date, not a precision."""

    DAY = "day"
    MONTH = "month"
    YEAR = "year"
    APPROXIMATE = "approximate"
    UNKNOWN = "unknown"


class RuleField(StrEnum):
    ANY = "any"
    TITLE = "title"
    BODY = "body"
    BYLINE = "byline"


class RuleAction(StrEnum):
    DISMISS = "dismiss"  # triage → not relevant
    TAG = "tag"
    PRIORITY = "priority"
    ASSIGN = "assign"


class ItemKind(StrEnum):
    STATEMENT = "statement"
    POSITION = "position"
    EVENT = "event"


class _Tracked(SQLModel):
    """Columns shared by every editable table."""

    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = Field(default=1)
    deleted_at: datetime | None = Field(default=None)


class Source(_Tracked, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str
    kind: str = Field(default=SourceKind.FEED.value)
    url: str | None = Field(default=None, unique=True)
    etag: str | None = None
    last_modified: str | None = None
    fetched_at: datetime | None = None
    #: the last fetch's outcome: HTTP status, and a warning for a feed that parsed with
    #: problems (kept, but an editor should know)
    http_status: int | None = None
    warning: str | None = None
    error_at: datetime | None = None
    error_kind: str | None = None
    error_message: str | None = None


class Article(_Tracked, table=True):
    __table_args__ = (
        # Feed pane order: newest first, keyset-paged on (sort_at, id). The filter columns
        # after the order make counts and jumps read the index alone (migration 0010).
        Index("ix_article_feed", "sort_at", "id", "deleted_at", "triage"),
        Index("ix_article_source_feed", "source_id", "sort_at", "id"),
        Index("ix_article_triage_feed", "triage", "sort_at", "id", "deleted_at"),
        Index("ix_article_guid", "source_id", "guid"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source_id: int | None = Field(default=None, foreign_key="source.id")
    url: str | None = None
    canonical_url: str | None = Field(default=None, index=True)
    title: str = ""
    byline: str = ""
    published_at: datetime | None = None
    fetched_at: datetime = Field(default_factory=utcnow)
    # published_at when known, else fetched_at: one non-null column keeps the feed index usable.
    sort_at: datetime = Field(default_factory=utcnow)
    text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    content_hash: str | None = Field(default=None, index=True)
    guid: str | None = None  # the feed entry's id, when it came from a feed
    triage: str = Field(default=Triage.NEW.value)
    starred: bool = False
    assignee: str | None = None
    priority: int = 0
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    #: names of the rules that changed this article at ingest (shown in the Feed pane)
    rule_hits: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    #: what each rule changed ({rule, action, value, …}), so running the rules again can
    #: undo the work of a rule that was fixed or deleted
    rule_effects: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    #: a near-duplicate from another outlet: "possible" (worth a look) or "same" (same story)
    duplicate_of: int | None = Field(default=None, foreign_key="article.id")
    match_kind: str | None = None
    match_score: float | None = None


class ArticleRead(SQLModel, table=True):
    """Read state is each editor's own: one editor reading an article does not make it
    read for the desk, nor move the article's version under someone editing it."""

    __tablename__ = "article_read"

    editor: str = Field(primary_key=True)
    article_id: int = Field(foreign_key="article.id", primary_key=True, index=True)
    read_at: datetime = Field(default_factory=utcnow)


class ArticleTable(SQLModel, table=True):
    """A pipe table found in an article's text, kept as structured evidence."""

    __tablename__ = "article_table"
    __table_args__ = (Index("ix_article_table_article", "article_id", "start"),)

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(foreign_key="article.id")
    start: int
    end: int
    kind: str  # positions | dated | other
    header: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    rows: list[list[str]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class Rule(_Tracked, table=True):
    """A killfile-style rule: words or a regex on a field → an action, for one source or all."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    source_id: int | None = Field(default=None, foreign_key="source.id")
    field: str = "any"  # any | title | body | byline
    pattern: str
    regex: bool = False
    action: str  # dismiss | tag | priority | assign
    value: str = ""
    enabled: bool = True


class Actor(_Tracked, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    kind: str = Field(default=ActorKind.PERSON.value)
    parent_id: int | None = Field(default=None, foreign_key="actor.id", index=True)
    notes: str = ""
    #: actors read from an article's table start as suggestions
    review: str = Field(default=Review.ACCEPTED.value)


class ActorAlias(SQLModel, table=True):
    __tablename__ = "actor_alias"
    __table_args__ = (UniqueConstraint("actor_id", "norm", name="uq_actor_alias_norm"),)

    id: int | None = Field(default=None, primary_key=True)
    actor_id: int = Field(foreign_key="actor.id", index=True)
    alias: str
    # casefolded, whitespace-collapsed form for lookups
    norm: str = Field(index=True)


class Issue(_Tracked, table=True):
    __table_args__ = (Index("ix_issue_grid", "title", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    title: str
    description: str = ""
    review: str = Field(default=Review.ACCEPTED.value)


class Statement(_Tracked, table=True):
    __table_args__ = (
        # Statements pane: newest first by id; the pane's filter columns after it, so a
        # count or a jump reads this index alone instead of every row (migration 0010).
        Index("ix_statement_live", "id", "deleted_at", "review"),
        Index("ix_statement_timeline", "said_on", "id", "deleted_at", "review"),
        Index("ix_statement_article", "article_id", "evidence_start"),
        Index("ix_statement_speaker", "speaker_id", "said_on"),
        Index("ix_statement_issue", "issue_id", "said_on"),
        Index("ix_statement_review", "review", "id", "deleted_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    article_id: int | None = Field(default=None, foreign_key="article.id")
    # Evidence, stored as a W3C Web Annotation would: TextPosition + TextQuote selectors.
    evidence_start: int | None = None
    evidence_end: int | None = None
    evidence_exact: str = ""
    evidence_prefix: str = ""
    evidence_suffix: str = ""
    speaker_id: int | None = Field(default=None, foreign_key="actor.id")
    attribution: str = ""
    text: str = ""
    quote: bool = False
    said_on: dt.date | None = None
    said_until: dt.date | None = None
    date_precision: str = Field(default=Precision.UNKNOWN.value)
    date_text: str = ""
    review: str = Field(default=Review.ACCEPTED.value)
    verification: str = Field(default=Verification.UNVERIFIED.value)
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    notes: str = ""
    issue_id: int | None = Field(default=None, foreign_key="issue.id")
    score: float | None = None
    editor: str = ""


#: Suggestions by check-worthiness, best first, unscored ones last. A keyset needs a value
#: in every row (``NULL`` compares as unknown, so unscored rows would drop out of pages),
#: and SQLite serves the order from the index only if the query spells the same expression.
SUGGESTION_SCORE = func.coalesce(Statement.score, literal_column("-1.0"))
Index(
    "ix_statement_suggested",
    Statement.review,
    SUGGESTION_SCORE,
    Statement.id,
    Statement.deleted_at,
    Statement.score,  # PostgreSQL reads the expression from the index only with its column
)


class Link(_Tracked, table=True):
    __table_args__ = (
        UniqueConstraint("from_id", "to_id", "relation", name="uq_link_pair"),
        Index("ix_link_to", "to_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    from_id: int = Field(foreign_key="statement.id")
    to_id: int = Field(foreign_key="statement.id")
    relation: str
    note: str = ""
    review: str = Field(default=Review.ACCEPTED.value)
    editor: str = ""


class Position(_Tracked, table=True):
    """One stated position of an actor on an issue at a date; older rows are the history."""

    __table_args__ = (Index("ix_position_cell", "issue_id", "actor_id", "as_of", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    issue_id: int = Field(foreign_key="issue.id")
    actor_id: int = Field(foreign_key="actor.id", index=True)
    summary: str
    as_of: dt.date | None = None
    review: str = Field(default=Review.ACCEPTED.value)
    editor: str = ""
    #: the article whose table suggested it, if any
    article_id: int | None = Field(default=None, foreign_key="article.id")


class PositionStatement(SQLModel, table=True):
    __tablename__ = "position_statement"

    position_id: int = Field(foreign_key="position.id", primary_key=True)
    statement_id: int = Field(foreign_key="statement.id", primary_key=True, index=True)


class Event(_Tracked, table=True):
    __table_args__ = (Index("ix_event_timeline", "date", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    date: dt.date
    date_end: dt.date | None = None
    precision: str = Field(default=Precision.DAY.value)
    title: str
    description: str = ""
    review: str = Field(default=Review.ACCEPTED.value)
    editor: str = ""
    #: the article whose table suggested it, if any
    article_id: int | None = Field(default=None, foreign_key="article.id")


class EventActor(SQLModel, table=True):
    __tablename__ = "event_actor"

    event_id: int = Field(foreign_key="event.id", primary_key=True)
    actor_id: int = Field(foreign_key="actor.id", primary_key=True, index=True)


class EventStatement(SQLModel, table=True):
    __tablename__ = "event_statement"

    event_id: int = Field(foreign_key="event.id", primary_key=True)
    statement_id: int = Field(foreign_key="statement.id", primary_key=True, index=True)


class Collection(_Tracked, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    description: str = ""


class CollectionItem(_Tracked, table=True):
    __tablename__ = "collection_item"
    __table_args__ = (Index("ix_collection_item_rank", "collection_id", "rank", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    collection_id: int = Field(foreign_key="collection.id")
    rank: int
    kind: str
    item_id: int
    note: str = ""


class Role(StrEnum):
    EDITOR = "editor"
    VIEWER = "viewer"
    ADMIN = "admin"


class DeskUser(SQLModel, table=True):
    """Who may do what on this desk. A desk without rows here is open: every login edits
    (a single editor's laptop needs no setup). Once any user is listed, a login that is
    not listed is a viewer. ("user" itself is a reserved word in PostgreSQL.)"""

    __tablename__ = "desk_user"

    name: str = Field(primary_key=True)
    role: str = Field(default=Role.EDITOR.value)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = Field(default=1)


class Presence(SQLModel, table=True):
    """One row per running session, refreshed by its heartbeat: who is on the desk and
    what they are looking at or editing. A row whose heartbeat is older than the expiry
    belongs to a session that died (a dropped SSH link never says goodbye) and is ignored,
    then swept. Not desk content: no Change rows, no versions."""

    __table_args__ = (Index("ix_presence_item", "entity", "entity_id"),)

    session: str = Field(primary_key=True)
    editor: str
    entity: str | None = None
    entity_id: int | None = None
    editing: bool = False
    started_at: datetime = Field(default_factory=utcnow)
    seen_at: datetime = Field(default_factory=utcnow, index=True)


class Change(SQLModel, table=True):
    """Append-only log: one row per changed entity per operation, with a field-level diff.

    ``diff`` maps each changed field to ``[old, new]`` (JSON-safe values). ``txn`` groups the
    rows one repository operation wrote, so undo and audit can treat them as one act.
    """

    __table_args__ = (Index("ix_change_entity", "entity", "entity_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow)
    editor: str
    txn: str = Field(index=True)
    op: str
    entity: str
    entity_id: int
    diff: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


#: Tables whose rows an editor edits; the repository's generic update/delete use this map.
ENTITIES: dict[str, type[SQLModel]] = {
    "source": Source,
    "article": Article,
    "actor": Actor,
    "issue": Issue,
    "statement": Statement,
    "link": Link,
    "position": Position,
    "event": Event,
    "collection": Collection,
    "collection_item": CollectionItem,
    "rule": Rule,
}
