"""Repository operations for incoming news: bulk ingest, triage, read state, fetch state,
rules, and the suggestions read from articles' tables.

A mixin of ``Repo`` (same transactions, same Change log) kept in its own module because
ingest has a different shape from an editor's single-row edits: it writes hundreds of
rows at once, so it uses Core inserts (an order of magnitude faster than one ORM object
at a time) while still logging one Change row per article in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, delete, func, insert, or_
from sqlmodel import SQLModel, col, select

from db.clean import clean_value, strip_controls
from db.models import (
    Actor,
    ActorAlias,
    Article,
    ArticleRead,
    ArticleTable,
    Change,
    Event,
    Issue,
    Position,
    Rule,
    Source,
    Triage,
    normalise_name,
)
from db.tx import (
    ConflictError,
    NotFoundError,
    ValidationError,
    _choice,
    _json_value,
    _Tx,
    check_rule_pattern,
    content_hash,
)

if TYPE_CHECKING:
    from sqlalchemy import Engine

#: The fields an ingest compares to decide whether a known article changed.
_CONTENT_FIELDS = ("title", "text", "byline", "url", "published_at")


class ReviewConflict(ConflictError):
    """A review refused because the row moved on since the editor saw it: a colleague
    accepted or dismissed it, edited it, or a new extraction pass replaced it.

    ``changed_by`` names who made the last change (None when the log has none), so the
    screen can say who got there first; ``theirs`` is the row as stored now.
    """

    def __init__(
        self,
        entity: str,
        entity_id: int,
        expected: int,
        theirs: SQLModel,
        changed_by: str | None,
    ) -> None:
        super().__init__(entity, entity_id, expected, theirs)
        self.changed_by = changed_by
        self.gone = getattr(theirs, "deleted_at", None) is not None
        now = "deleted" if self.gone else str(getattr(theirs, "review", "changed"))
        self.args = (
            f"{changed_by or 'someone else'} changed {entity} {entity_id} since you saw it "
            f"(you saw version {expected}; it is now {now}, version "
            f"{getattr(theirs, 'version', '?')})",
        )


@dataclass(frozen=True)
class IncomingArticle:
    """An article as the ingest pipeline hands it over (parsed, cleaned, ruled)."""

    title: str
    text: str
    canonical_url: str | None = None
    url: str | None = None
    byline: str = ""
    published_at: dt.datetime | None = None
    guid: str | None = None
    triage: str = Triage.NEW.value
    tags: tuple[str, ...] = ()
    priority: int = 0
    assignee: str | None = None
    rule_hits: tuple[str, ...] = ()
    rule_effects: tuple[dict[str, Any], ...] = ()


@dataclass
class IngestOutcome:
    added: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    present: int = 0
    #: what was stored for each added or updated id, so the pipeline can read tables and
    #: compare stories without reading the articles back
    stored: dict[int, IncomingArticle] = field(default_factory=dict)


@dataclass(frozen=True)
class TableFound:
    """A table read from an article, with what it suggests (see workbench.ingest.tables)."""

    start: int
    end: int
    kind: str
    header: list[str]
    rows: list[list[str]]
    #: (issue, actor, summary) for a positions table
    positions: list[tuple[str, str, str]] = field(default_factory=list)
    #: (start, end, precision, title, said) for a dated table; start is never None here
    events: list[tuple[dt.date, dt.date | None, str, str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class RuleSpec:
    """A rule as matching needs it, from the database or from the config file."""

    name: str
    pattern: str
    action: str
    value: str = ""
    field: str = "any"
    regex: bool = False
    source_id: int | None = None
    source_url: str | None = None  # config rules name their source by URL

    def compiled(self) -> re.Pattern[str]:
        if self.regex:
            return re.compile(self.pattern, re.IGNORECASE)
        words = [re.escape(w) for w in self.pattern.split() if w]
        return re.compile(r"\b(?:" + "|".join(words or ["(?!)"]) + r")\b", re.IGNORECASE)


class IngestMixin:
    """Ingest-side operations; ``Repo`` supplies ``_write``, ``read``, ``engine``, ``editor``."""

    engine: Engine
    editor: str

    if TYPE_CHECKING:

        def _write(self) -> AbstractContextManager[_Tx]: ...

    # ------------------------------------------------------------------ articles in bulk

    def ingest_articles(
        self,
        source_id: int | None,
        items: Sequence[IncomingArticle],
        *,
        specs: Sequence[RuleSpec] = (),
    ) -> IngestOutcome:
        """Add new articles, update changed ones, count the rest: one transaction.

        An article is known by its feed guid within its source, else its canonical URL,
        else its title and text (see ``_Known.find``). A known article whose content
        changed is updated in place, so its statements stay attached to it (their evidence
        moves with the quoted words), and the rules are applied to it again.
        """
        outcome = IngestOutcome()
        if not items:
            return outcome
        with self._write() as tx:
            if source_id is not None:
                tx.get(Source, source_id)
            existing = _known_articles(tx, source_id, items)
            now = tx.now
            new_rows: list[dict[str, Any]] = []
            new_items: list[IncomingArticle] = []
            seen: set[tuple[str, str]] = set()
            for item in items:
                text = strip_controls(item.text)
                identity = _identity(item, text)
                if identity in seen:
                    outcome.present += 1  # the same article twice in one batch
                    continue
                seen.add(identity)
                known = existing.find(item, text, source_id)
                if known is None:
                    new_rows.append(_new_row(item, text, source_id, now))
                    new_items.append(item)
                    continue
                changes = _content_changes(known, item, text)
                if not changes or (known.source_id != source_id and source_id is not None):
                    # Another outlet's copy of a story we have: present, never a rewrite
                    # (two feeds carrying one URL would otherwise flip it on every fetch).
                    outcome.present += 1
                    continue
                tx.update(known, changes, None)
                if specs:
                    tx.update(known, ruled_values(specs, known, known.source_id), None)
                if "text" in changes:
                    _reanchor_evidence(tx, int(known.id), known.text)  # type: ignore[arg-type]
                outcome.updated.append(int(known.id))  # type: ignore[arg-type]
                outcome.stored[int(known.id)] = item  # type: ignore[arg-type]
            if new_rows:
                # sort_by_parameter_order: ids come back in the order of the rows given
                returning = insert(Article).returning(Article.id, sort_by_parameter_order=True)
                outcome.added = list(tx.session.execute(returning, new_rows).scalars())
                tx.index.added("article", outcome.added)
                outcome.stored.update(zip(outcome.added, new_items, strict=True))
                tx.session.execute(
                    insert(Change),
                    [
                        {
                            "at": now,
                            "editor": tx.editor,
                            "txn": tx.txn,
                            "op": "create",
                            "entity": "article",
                            "entity_id": article_id,
                            "diff": _created_diff(row),
                        }
                        for article_id, row in zip(outcome.added, new_rows, strict=True)
                    ],
                )
        return outcome

    # ------------------------------------------------------------------ triage & reading

    def mark_read(self, article_id: int, is_read: bool = True) -> None:
        """Read state is this editor's own; it never moves the article's version."""
        with self._write() as tx:
            tx.get(Article, article_id)
            row = tx.session.get(ArticleRead, (self.editor, article_id))
            if (row is not None) == is_read:
                return
            if is_read:
                tx.session.add(
                    ArticleRead(editor=self.editor, article_id=article_id, read_at=tx.now)
                )
            else:
                tx.session.delete(row)
            tx.log(
                "read" if is_read else "unread",
                "article",
                article_id,
                {"read": [not is_read, is_read]},
            )

    def is_read(self, article_id: int) -> bool:
        with self.read() as session:  # type: ignore[attr-defined]
            return session.get(ArticleRead, (self.editor, article_id)) is not None

    def set_starred(self, article_id: int, starred: bool) -> Article:
        with self._write() as tx:
            return tx.update(tx.get(Article, article_id), {"starred": starred}, None)

    def assign(self, article_id: int, assignee: str | None) -> Article:
        with self._write() as tx:
            return tx.update(tx.get(Article, article_id), {"assignee": assignee or None}, None)

    def set_triage(self, article_id: int, triage: str) -> Article:
        value = _choice(triage, Triage, "triage")
        with self._write() as tx:
            return tx.update(tx.get(Article, article_id), {"triage": value}, None)

    # ------------------------------------------------------------------ sources

    def record_fetch(
        self,
        source_id: int,
        *,
        ok: bool,
        http_status: int | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        warning: str | None = None,
        error_kind: str | None = None,
        error: str | None = None,
    ) -> Source:
        """What the last fetch of a source came to; a failure keeps the old validators."""
        with self._write() as tx:
            source = tx.get(Source, source_id)
            values: dict[str, Any] = {"fetched_at": tx.now, "http_status": http_status}
            if ok:
                values.update(
                    etag=etag or source.etag,
                    last_modified=last_modified or source.last_modified,
                    warning=warning,
                    error_at=None,
                    error_kind=None,
                    error_message=None,
                )
            else:
                values.update(error_at=tx.now, error_kind=error_kind, error_message=error)
            return tx.update(source, values, None)

    def source_by_url(self, url: str) -> Source | None:
        with self.read() as session:  # type: ignore[attr-defined]
            return session.exec(select(Source).where(Source.url == url)).first()

    def failing_sources(self) -> int:
        """How many sources' last fetch failed: the Feed pane says so."""
        with self.read() as session:  # type: ignore[attr-defined]
            return session.exec(
                select(func.count())
                .select_from(Source)
                .where(col(Source.error_message).is_not(None), col(Source.deleted_at).is_(None))
            ).one()

    def sources(self, *, include_deleted: bool = False) -> list[Source]:
        with self.read() as session:  # type: ignore[attr-defined]
            query = select(Source).order_by(col(Source.name), col(Source.id))
            if not include_deleted:
                query = query.where(col(Source.deleted_at).is_(None))
            return list(session.exec(query))

    # ------------------------------------------------------------------ rules

    def add_rule(
        self,
        name: str,
        pattern: str,
        action: str,
        *,
        value: str = "",
        field: str = "any",
        regex: bool = False,
        source_id: int | None = None,
    ) -> Rule:
        with self._write() as tx:  # check_row validates the pattern, action and value
            return tx.insert(
                Rule(
                    name=" ".join(name.split()),
                    pattern=pattern,
                    action=action,
                    value=value,
                    field=field,
                    regex=regex,
                    source_id=source_id,
                )
            )

    def rules(self) -> list[Rule]:
        with self.read() as session:  # type: ignore[attr-defined]
            return list(
                session.exec(
                    select(Rule).where(col(Rule.deleted_at).is_(None)).order_by(col(Rule.id))
                )
            )

    def apply_rules(
        self, specs: Sequence[RuleSpec], *, article_ids: Sequence[int] | None = None
    ) -> int:
        """Re-run rules over stored articles (all, or the given ones), in batches; returns
        how many articles changed. Each change is an ordinary logged update."""
        changed = 0
        for batch in self._article_batches(article_ids):
            with self._write() as tx:
                for article in batch:
                    version = article.version
                    tx.update(article, ruled_values(specs, article, article.source_id), None)
                    changed += article.version != version
        return changed

    def _article_batches(self, article_ids: Sequence[int] | None) -> Iterator[list[Article]]:
        last = 0
        while True:
            with self.read() as session:  # type: ignore[attr-defined]
                query = (
                    select(Article)
                    .where(col(Article.id) > last, col(Article.deleted_at).is_(None))
                    .order_by(col(Article.id))
                    .limit(500)
                )
                if article_ids is not None:
                    query = query.where(col(Article.id).in_(article_ids))
                batch = list(session.exec(query))
            if not batch:
                return
            yield batch
            last = int(batch[-1].id)  # type: ignore[arg-type]

    # ------------------------------------------------------------------ tables → suggestions

    def store_tables(self, article_id: int, tables: Sequence[TableFound]) -> None:
        """Keep an article's tables and turn them into suggested issues, actors, positions
        and events. Re-reading an article replaces what is still only a suggestion; what
        an editor accepted or dismissed stays, and is not suggested again."""
        with self._write() as tx:
            article = tx.get(Article, article_id)
            tx.session.execute(
                delete(ArticleTable).where(col(ArticleTable.article_id) == article_id)
            )
            for model in (Position, Event):
                for row in tx.session.exec(
                    select(model).where(
                        model.article_id == article_id,  # type: ignore[attr-defined]
                        model.review == "suggested",  # type: ignore[attr-defined]
                        col(model.deleted_at).is_(None),  # type: ignore[attr-defined]
                    )
                ):
                    tx.update(row, {"deleted_at": tx.now}, None, op="delete")
            as_of = (article.published_at or article.sort_at).date()
            reviewed = _reviewed_keys(tx, article_id)
            for table in tables:
                tx.session.add(
                    ArticleTable(
                        article_id=article_id,
                        start=table.start,
                        end=table.end,
                        kind=table.kind,
                        header=clean_value(table.header),
                        rows=clean_value(table.rows),
                    )
                )
                for issue_title, actor_name, summary in table.positions:
                    if _position_key(issue_title, actor_name, summary) in reviewed:
                        continue
                    issue = _find_or_suggest_issue(tx, issue_title)
                    actor = _find_or_suggest_actor(tx, actor_name)
                    tx.insert(
                        Position(
                            issue_id=issue.id,  # type: ignore[arg-type]
                            actor_id=actor.id,  # type: ignore[arg-type]
                            summary=" ".join(summary.split())[:300],
                            as_of=as_of,
                            review="suggested",
                            article_id=article_id,
                        )
                    )
                for start, end, precision, title, said in table.events:
                    if _event_key(start, title) in reviewed:
                        continue
                    description = f"What was said: {said}" if said else ""
                    tx.insert(
                        Event(
                            title=" ".join(title.split())[:200] or "(untitled)",
                            date=start,
                            date_end=end if end and end >= start else None,
                            precision=precision if precision != "unknown" else "approximate",
                            description=description,
                            review="suggested",
                            article_id=article_id,
                        )
                    )

    def article_tables(self, article_id: int) -> list[ArticleTable]:
        with self.read() as session:  # type: ignore[attr-defined]
            return list(
                session.exec(
                    select(ArticleTable)
                    .where(ArticleTable.article_id == article_id)
                    .order_by(col(ArticleTable.start))
                )
            )

    def review(
        self,
        entity: str,
        entity_id: int,
        decision: str,
        *,
        expected_version: int | None = None,
    ) -> None:
        """Accept or dismiss a suggestion; accepting a position or event also accepts the
        issue and actor it brought along.

        ``expected_version`` is the version of the row the editor was looking at when they
        pressed the key. If someone changed the row since (accepted or dismissed it, edited
        it, or a new extraction pass replaced it), ``ReviewConflict`` is raised and nothing
        is written: a stale screen must never overwrite a colleague's decision. Every
        screen passes it; ``None`` (no check) is only for scripts that showed nobody the
        row.
        """
        if decision not in ("accepted", "dismissed"):
            raise ValidationError("a suggestion is accepted or dismissed")
        from db.tx import _model

        model = _model(entity)
        if not hasattr(model, "review"):
            raise ValidationError(f"{entity} rows are not reviewed")
        with self._write() as tx:
            row = tx.session.get(model, entity_id)
            if row is None:
                raise NotFoundError(f"no {entity} with id {entity_id}")
            gone = getattr(row, "deleted_at", None) is not None
            if expected_version is not None and (gone or row.version != expected_version):  # type: ignore[attr-defined]
                raise ReviewConflict(
                    entity, entity_id, expected_version, row, _last_editor(tx, entity, entity_id)
                )
            if gone:
                raise NotFoundError(f"no {entity} with id {entity_id}")
            tx.update(row, {"review": decision}, expected_version)
            if decision == "accepted" and isinstance(row, Position):
                for ref_model, ref_id in ((Issue, row.issue_id), (Actor, row.actor_id)):
                    ref = tx.get(ref_model, ref_id)
                    if ref.review == "suggested":  # type: ignore[attr-defined]
                        tx.update(ref, {"review": "accepted"}, None)

    def evidence_marks(self, article_id: int) -> list[tuple[int, int, int, str, int]]:
        """(statement id, start, end, review, version) of the article's statements with
        evidence, by start: what the reader highlights, read together with the version each
        was at, so a review from the reader names the version the editor saw."""
        from db.models import Statement

        with self.read() as session:  # type: ignore[attr-defined]
            rows = session.exec(
                select(
                    Statement.id,
                    Statement.evidence_start,
                    Statement.evidence_end,
                    Statement.review,
                    Statement.version,
                )
                .where(
                    Statement.article_id == article_id,
                    col(Statement.evidence_start).is_not(None),
                    col(Statement.evidence_end).is_not(None),
                    col(Statement.deleted_at).is_(None),
                )
                .order_by(col(Statement.evidence_start), col(Statement.id))
            ).all()
        return [(int(i), int(s), int(e), str(r), int(v)) for i, s, e, r, v in rows]  # type: ignore[arg-type]

    # ------------------------------------------------------------------ near-duplicates

    def recent_for_matching(
        self, around: dt.datetime, *, days: int = 3, limit: int = 5000
    ) -> list[tuple[int, int | None, str, str]]:
        # only the lead is read: whole article bodies for thousands of rows would dominate
        """(id, source id, title, lead) of articles published near ``around``: the
        candidates a new article is compared with."""
        low, high = around - dt.timedelta(days=days), around + dt.timedelta(days=days)
        with self.read() as session:  # type: ignore[attr-defined]
            rows = session.exec(
                select(
                    Article.id, Article.source_id, Article.title, func.substr(Article.text, 1, 400)
                )
                .where(
                    col(Article.sort_at) >= low,
                    col(Article.sort_at) <= high,
                    col(Article.deleted_at).is_(None),
                    col(Article.duplicate_of).is_(None),
                )
                .order_by(col(Article.sort_at).desc())
                .limit(limit)
            ).all()
        return [(i, s, t, x[:400]) for i, s, t, x in rows]  # type: ignore[misc]

    def flag_duplicates(self, matches: Sequence[tuple[int, int, str, float]]) -> None:
        """Record (article, of, kind, score) near-duplicate flags; never deletes anything."""
        if not matches:
            return
        with self._write() as tx:
            for article_id, of_id, kind, score in matches:
                article = tx.get(Article, article_id)
                tx.update(
                    article,
                    {"duplicate_of": of_id, "match_kind": kind, "match_score": round(score, 1)},
                    None,
                )


# ---------------------------------------------------------------------- helpers


def _last_editor(tx: _Tx, entity: str, entity_id: int) -> str | None:
    """Who last changed a row, from the change log (the newest entry is on the index's
    far end: one probe)."""
    return tx.session.exec(
        select(Change.editor)
        .where(Change.entity == entity, Change.entity_id == entity_id)
        .order_by(col(Change.id).desc())
        .limit(1)
    ).first()


def ruled_values(specs: Sequence[RuleSpec], article: Any, source_id: int | None) -> dict[str, Any]:
    """What the rules make of an article: triage, tags, priority, assignee, which rules
    touched it, and what each of them changed (``rule_effects``).

    Rules are re-runnable: what earlier runs changed is undone first, where the article
    still shows it (an editor's later change is never undone), then the current rules
    apply. So fixing or deleting a rule and running the rules again repairs its work. A
    rule only records an effect it actually had: a tag the editor already set, or a
    triage an editor already made, stays the editor's.
    """
    triage = article.triage
    tags = list(article.tags or [])
    priority = article.priority or 0
    assignee = article.assignee
    for effect in getattr(article, "rule_effects", None) or []:
        action, value = effect.get("action"), effect.get("value")
        if action == "tag" and value in tags:
            tags.remove(value)
        elif action == "dismiss" and triage == "not_relevant":
            triage = "new"
        elif action == "priority" and priority == effect.get("set"):
            priority = effect.get("was", 0)
        elif action == "assign" and assignee == value:
            assignee = None
    hits: list[str] = []
    effects: list[dict[str, Any]] = []
    fields = {
        "title": article.title or "",
        "body": article.text or "",
        "byline": article.byline or "",
    }
    for spec in specs:
        if spec.source_id is not None and spec.source_id != source_id:
            continue
        haystacks = fields.values() if spec.field == "any" else [fields[spec.field]]
        pattern = spec.compiled()
        if not any(pattern.search(text) for text in haystacks):
            continue
        hits.append(spec.name)
        effect: dict[str, Any] = {"rule": spec.name, "action": spec.action, "value": spec.value}
        if spec.action == "dismiss" and triage == "new":
            triage = "not_relevant"
        elif spec.action == "tag" and spec.value not in tags:
            tags.append(spec.value)
        elif spec.action == "priority" and int(spec.value or 0) > priority:
            effect.update(was=priority, set=int(spec.value))
            priority = int(spec.value)
        elif spec.action == "assign" and not assignee:
            assignee = spec.value
        else:
            continue  # matched, but changed nothing: nothing to undo later
        effects.append(effect)
    return {
        "triage": triage,
        "tags": tags,
        "priority": priority,
        "assignee": assignee,
        "rule_hits": sorted(set(hits)),
        "rule_effects": effects,
    }


def _identity(item: IncomingArticle, text: str) -> tuple[str, str]:
    """The key an article is deduplicated on within one batch."""
    if item.guid:
        return ("guid", item.guid)
    if item.canonical_url:
        return ("url", item.canonical_url)
    return ("hash", _item_hash(item, text))


def _item_hash(item: IncomingArticle, text: str) -> str:
    """Title and text together: many feeds have title-only entries (empty text), which
    must not all collapse into one article."""
    return content_hash(strip_controls(item.title) + "\n\n" + text)


@dataclass
class _Known:
    """Stored articles an incoming batch may match, by each kind of identity."""

    by_guid: dict[str, Article] = field(default_factory=dict)  # within this source
    by_url: dict[str, Article] = field(default_factory=dict)  # any source
    by_hash: dict[str, Article] = field(default_factory=dict)  # within this source

    def find(self, item: IncomingArticle, text: str, source_id: int | None) -> Article | None:
        """A feed entry is known by its guid within its source; else by its canonical URL
        (in any source: another outlet's copy of a story we have) unless that URL belongs
        to a different entry of the same feed (a live blog's posts share one page URL);
        an entry with neither is known by title and text within its source."""
        if item.guid and item.guid in self.by_guid:
            return self.by_guid[item.guid]
        if item.canonical_url and item.canonical_url in self.by_url:
            known = self.by_url[item.canonical_url]
            same_feed = known.source_id == source_id and source_id is not None
            if item.guid and same_feed and known.guid and known.guid != item.guid:
                return None
            return known
        if not item.guid and not item.canonical_url:
            return self.by_hash.get(_item_hash(item, text))
        return None


def _known_articles(tx: _Tx, source_id: int | None, items: Sequence[IncomingArticle]) -> _Known:
    urls = {i.canonical_url for i in items if i.canonical_url}
    guids = {i.guid for i in items if i.guid}
    bare = [i for i in items if not i.canonical_url and not i.guid]
    text_hashes = {content_hash(strip_controls(i.text)) for i in bare}
    scope = Article.source_id == source_id if source_id is not None else Article.source_id.is_(None)  # type: ignore[union-attr]
    conditions = []
    if urls:
        conditions.append(col(Article.canonical_url).in_(urls))
    if guids:
        conditions.append(and_(col(Article.guid).in_(guids), scope))
    if text_hashes:
        conditions.append(and_(col(Article.content_hash).in_(text_hashes), scope))
    known = _Known()
    if not conditions:
        return known
    for article in tx.session.exec(select(Article).where(or_(*conditions))):
        if article.canonical_url in urls:
            # prefer the copy in this source when several outlets share the URL
            current = known.by_url.get(article.canonical_url)  # type: ignore[arg-type]
            if current is None or article.source_id == source_id:
                known.by_url[article.canonical_url] = article  # type: ignore[index]
        if article.guid in guids and article.source_id == source_id:
            known.by_guid[article.guid] = article  # type: ignore[index]
        if article.content_hash in text_hashes and article.source_id == source_id:
            key = content_hash(article.title + "\n\n" + article.text)
            known.by_hash[key] = article
    return known


def _reanchor_evidence(tx: _Tx, article_id: int, text: str) -> None:
    """After an article's text changed, move its statements' evidence to where the quoted
    words now are (verbatim with context, verbatim, then fuzzily: see refind_evidence).
    Evidence that cannot be found keeps its quote and context but loses its offsets: the
    statement is listed as orphaned, never highlighted in the wrong place, never dropped."""
    from db.models import Statement
    from db.repo_statements import refind_evidence
    from db.tx import quote_selector

    statements = tx.session.exec(
        select(Statement).where(
            Statement.article_id == article_id,
            col(Statement.evidence_exact) != "",
            col(Statement.deleted_at).is_(None),
        )
    )
    for statement in statements:
        span = refind_evidence(
            text,
            statement.evidence_prefix,
            statement.evidence_exact,
            statement.evidence_suffix,
            statement.evidence_start,
        )
        if span is not None:
            values = quote_selector(text, *span)
        else:
            values = {"evidence_start": None, "evidence_end": None}
        if any(getattr(statement, k) != v for k, v in values.items()):
            tx.update(statement, values, None, op="reanchor")


def _content_changes(known: Article, item: IncomingArticle, text: str) -> dict[str, Any]:
    incoming = {
        "title": strip_controls(item.title),
        "text": text,
        "byline": strip_controls(item.byline),
        "url": item.url or known.url,
        "published_at": item.published_at or known.published_at,
    }
    return {f: incoming[f] for f in _CONTENT_FIELDS if incoming[f] != getattr(known, f)}


def _new_row(
    item: IncomingArticle, text: str, source_id: int | None, now: dt.datetime
) -> dict[str, Any]:
    return {
        "source_id": source_id,
        # every string goes through the same filter as the single-row path
        "url": clean_value(item.url),
        "canonical_url": clean_value(item.canonical_url),
        "guid": clean_value(item.guid),
        "title": strip_controls(item.title),
        "byline": strip_controls(item.byline),
        "published_at": item.published_at,
        "fetched_at": now,
        "sort_at": item.published_at or now,
        "text": text,
        "content_hash": content_hash(text),
        "triage": _choice(item.triage, Triage, "triage"),
        "starred": False,
        "assignee": clean_value(item.assignee),
        "priority": item.priority,
        "tags": clean_value(list(item.tags)),
        "rule_hits": clean_value(list(item.rule_hits)),
        "rule_effects": list(item.rule_effects),
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }


def _created_diff(row: dict[str, Any]) -> dict[str, Any]:
    skip = {"created_at", "updated_at", "version", "fetched_at"}
    return {
        k: [None, _json_value(v)]
        for k, v in row.items()
        if k not in skip and v not in (None, "", [], False, 0)
    }


def _fold(value: str) -> str:
    return normalise_name(strip_controls(value))


def _position_key(issue: str, actor: str, summary: str) -> tuple[str, ...]:
    return ("position", _fold(issue), _fold(actor), _fold(summary)[:300])


def _event_key(day: dt.date, title: str) -> tuple[str, ...]:
    return ("event", day.isoformat(), _fold(title)[:200])


def _reviewed_keys(tx: _Tx, article_id: int) -> set[tuple[str, ...]]:
    """What an editor already accepted or dismissed from this article's tables."""
    keys: set[tuple[str, ...]] = set()
    positions = tx.session.exec(
        select(Issue.title, Actor.name, Position.summary)
        .join(Issue, col(Issue.id) == col(Position.issue_id))
        .join(Actor, col(Actor.id) == col(Position.actor_id))
        .where(
            Position.article_id == article_id,
            col(Position.review).in_(["accepted", "dismissed"]),
            col(Position.deleted_at).is_(None),
        )
    )
    for issue, actor, summary in positions:
        keys.add(_position_key(issue, actor, summary))
    events = tx.session.exec(
        select(Event.date, Event.title).where(
            Event.article_id == article_id,
            col(Event.review).in_(["accepted", "dismissed"]),
            col(Event.deleted_at).is_(None),
        )
    )
    for day, title in events:
        keys.add(_event_key(day, title))
    return keys


def _find_or_suggest_issue(tx: _Tx, title: str) -> Issue:
    title = " ".join(strip_controls(title).split())[:200]
    found = (
        tx.session.exec(
            select(Issue).where(
                Issue.title == title,  # exact first (indexed), then case-insensitively
                col(Issue.deleted_at).is_(None),
            )
        ).first()
        or tx.session.exec(
            select(Issue).where(
                col(Issue.title).ilike(title.replace("%", r"\%").replace("_", r"\_"), escape="\\"),
                col(Issue.deleted_at).is_(None),
            )
        ).first()
    )
    return found or tx.insert(Issue(title=title or "(untitled issue)", review="suggested"))


def _find_or_suggest_actor(tx: _Tx, name: str) -> Actor:
    name = " ".join(strip_controls(name).split())[:200]
    found = tx.session.exec(
        select(Actor)
        .join(ActorAlias, col(ActorAlias.actor_id) == col(Actor.id))
        .where(ActorAlias.norm == normalise_name(name), col(Actor.deleted_at).is_(None))
    ).first()
    if found is not None:
        return found
    deleted = tx.session.exec(
        select(Actor).where(Actor.name == name, col(Actor.deleted_at).is_not(None))
    ).first()
    if deleted is not None:  # an editor deleted it: it comes back only as a suggestion
        return tx.update(deleted, {"deleted_at": None, "review": "suggested"}, None, op="restore")
    actor = tx.insert(
        Actor(name=name, kind="government", review="suggested"), extra={"aliases": [name]}
    )
    tx.session.add(ActorAlias(actor_id=actor.id, alias=name, norm=normalise_name(name)))  # type: ignore[arg-type]
    return actor


__all__ = [
    "IncomingArticle",
    "IngestMixin",
    "IngestOutcome",
    "RuleSpec",
    "TableFound",
    "check_rule_pattern",
    "ruled_values",
]
