"""The repository: every write logs its Change rows in the same transaction, and refuses cleanly."""

from __future__ import annotations

import datetime as dt
import hashlib
import inspect
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import SQLModel

from db import views
from db.engine import open_desk
from db.models import ENTITIES, Change
from db.repo import (
    LOG_VALUE_LIMIT,
    QUOTE_CONTEXT,
    ConflictError,
    NotFoundError,
    ReadOnlyError,
    Repo,
    RepoError,
    ValidationError,
)
from db.repo_ingest import IncomingArticle, RuleSpec, TableFound
from db.repo_links import LinkProposal
from db.repo_statements import SuggestedStatement
from db.users import list_users
from tests._support_data import row_counts, table_dump
from tests.backend import copy_desk

EDITOR = "alice"
UTC = dt.UTC

ARTICLE_TEXT = (
    "LISK - The ministry said on Tuesday that the dam would keep filling. "
    '"We will not stop the turbines," the minister told reporters at the plant. '
    "Officials in the capital declined to comment on the claim."
)
SEED_EVIDENCE = "the dam would keep filling"
QUOTE = '"We will not stop the turbines,"'
PUBLISHED = dt.datetime(2026, 10, 13, 9, 30, tzinfo=UTC)


@dataclass(frozen=True)
class Seed:
    source: int
    article: int
    org: int
    actor: int
    issue: int
    statement: int
    other_statement: int
    collection: int


def _span(text: str, needle: str) -> tuple[int, int]:
    start = text.index(needle)
    return start, start + len(needle)


def seed_desk(repo: Repo) -> Seed:
    source = repo.add_source("Meridian Wire", "https://wire.example/rss")
    article = repo.add_article(
        title="Dam keeps filling",
        text=ARTICLE_TEXT,
        source_id=source.id,
        url="https://wire.example/a/1",
        published_at=PUBLISHED,
    )
    org = repo.add_actor("Ministry of Energy", "government")
    actor = repo.add_actor("Mara Lenk", aliases=["Minister Lenk"], parent_id=org.id)
    issue = repo.add_issue("Will the dam pause?")
    statement = repo.add_statement(
        text="The dam will keep filling.",
        article_id=article.id,
        evidence=_span(ARTICLE_TEXT, SEED_EVIDENCE),
        speaker_id=actor.id,
        said_on=dt.date(2026, 10, 13),
        date_precision="day",
        issue_id=issue.id,
    )
    other = repo.add_statement(text="Officials declined to comment.", article_id=article.id)
    collection = repo.add_collection("Morning briefing")
    ids = (source, article, org, actor, issue, statement, other, collection)
    assert all(row.id is not None for row in ids)
    return Seed(*(int(row.id) for row in ids))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Seed]:
    """A seeded desk file, built once; each test works on its own copy."""
    path = tmp_path_factory.mktemp("seeded") / "template.db"
    engine = open_desk(str(path))
    seed = seed_desk(Repo(engine, EDITOR))
    engine.dispose()  # checkpoints the WAL: the file alone holds everything
    assert not path.with_name(path.name + "-wal").exists()
    return path, seed


@pytest.fixture
def engine(tmp_path: Path, seeded_template: tuple[Path, Seed]) -> Iterator[Engine]:
    path = tmp_path / "desk.db"
    copy_desk(seeded_template[0], path)
    engine = open_desk(str(path))
    yield engine
    engine.dispose()


@pytest.fixture
def repo(engine: Engine) -> Repo:
    return Repo(engine, EDITOR)


@pytest.fixture
def seed(seeded_template: tuple[Path, Seed]) -> Seed:
    return seeded_template[1]


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _stored(repo: Repo, entity: str, entity_id: int) -> Any:
    row = repo.get(entity, entity_id)
    assert row is not None
    return row


# --------------------------------------------------------------------------- write cases

Ctx = dict[str, Any]


@dataclass(frozen=True)
class Logged:
    """One Change row a write must append: what it did, to which row, field by field."""

    op: str
    entity: str
    entity_id: int
    diff: dict[str, Any]


@dataclass(frozen=True)
class WriteCase:
    """One public write method: how to call it and the Change rows it must log.

    A method that changes one row names its op, entity and diff; one that changes several
    (bulk actions, ingest, merges, table suggestions) gives ``logged``: every row it
    logs, in the log's order.
    """

    name: str
    run: Callable[[Repo, Seed], int]
    op: str = ""
    entity: str = ""
    diff: Callable[[Repo, Seed, int, Ctx], dict[str, Any]] | None = None
    prepare: Callable[[Repo, Seed], Ctx] | None = None
    logged: Callable[[Repo, Seed, int, Ctx], list[Logged]] | None = None

    def expected(self, repo: Repo, seed: Seed, entity_id: int, ctx: Ctx) -> list[Logged]:
        if self.logged is not None:
            return self.logged(repo, seed, entity_id, ctx)
        assert self.diff is not None, self.name
        return [Logged(self.op, self.entity, entity_id, self.diff(repo, seed, entity_id, ctx))]


def _newest(repo: Repo, entity: str) -> int:
    """The id of the newest row of ``entity``: what a case's prepare step just made."""
    model: Any = ENTITIES[entity]
    with repo.read() as session:
        return int(session.execute(select(func.max(model.id))).scalar_one())


def _deleted_at(repo: Repo, entity: str, entity_id: int) -> str:
    deleted_at = _stored(repo, entity, entity_id).deleted_at
    assert deleted_at is not None
    return str(deleted_at.isoformat())


def _run_add_source(repo: Repo, seed: Seed) -> int:
    return int(repo.add_source("  Lisk Courier ", "https://lisk.example/rss", "page").id)  # type: ignore[arg-type]


def _diff_add_source(repo: Repo, seed: Seed, entity_id: int, ctx: Ctx) -> dict[str, Any]:
    return {
        "name": [None, "Lisk Courier"],
        "kind": [None, "page"],
        "url": [None, "https://lisk.example/rss"],
    }


NEW_BODY = "Talks stalled again on Wednesday."
NEW_PUBLISHED = dt.datetime(2026, 10, 14, 8, 0, tzinfo=UTC)


def _run_add_article(repo: Repo, seed: Seed) -> int:
    article = repo.add_article(
        title="Talks stall",
        text=NEW_BODY,
        source_id=seed.source,
        url="https://wire.example/a/2",
        byline="By A. Reporter",
        published_at=NEW_PUBLISHED,
    )
    return int(article.id)  # type: ignore[arg-type]


def _diff_add_article(repo: Repo, seed: Seed, entity_id: int, ctx: Ctx) -> dict[str, Any]:
    stored = _stored(repo, "article", entity_id)
    return {
        "source_id": [None, seed.source],
        "url": [None, "https://wire.example/a/2"],
        "canonical_url": [None, "https://wire.example/a/2"],
        "title": [None, "Talks stall"],
        "byline": [None, "By A. Reporter"],
        "published_at": [None, NEW_PUBLISHED.isoformat()],
        "fetched_at": [None, stored.fetched_at.isoformat()],
        "sort_at": [None, NEW_PUBLISHED.isoformat()],
        "text": [None, NEW_BODY],
        "content_hash": [None, hashlib.sha256(NEW_BODY.encode("utf-8")).hexdigest()],
        "triage": [None, "new"],
        "starred": [None, False],
        "priority": [None, 0],
    }


def _run_set_triage(repo: Repo, seed: Seed) -> int:
    return int(repo.set_triage(seed.article, "needs_check").id)  # type: ignore[arg-type]


def _run_mark_read(repo: Repo, seed: Seed) -> int:
    repo.mark_read(seed.article)  # per editor: the article row itself does not change
    return seed.article


def _run_add_actor(repo: Repo, seed: Seed) -> int:
    actor = repo.add_actor(
        "  Jon   Varek ",
        "person",
        aliases=["Spokesman Varek", "jon  VAREK"],
        parent_id=seed.org,
        notes="Deputy spokesman",
    )
    return int(actor.id)  # type: ignore[arg-type]


def _diff_add_actor(repo: Repo, seed: Seed, entity_id: int, ctx: Ctx) -> dict[str, Any]:
    return {
        "name": [None, "Jon Varek"],
        "kind": [None, "person"],
        "parent_id": [None, seed.org],
        "notes": [None, "Deputy spokesman"],
        "review": [None, "accepted"],
        # the name is an alias too; "jon  VAREK" normalises to it and is not repeated
        "aliases": [None, ["Jon Varek", "Spokesman Varek"]],
    }


def _run_add_alias(repo: Repo, seed: Seed) -> int:
    return int(repo.add_alias(seed.actor, "  The   Minister ").id)  # type: ignore[arg-type]


def _diff_add_alias(repo: Repo, seed: Seed, entity_id: int, ctx: Ctx) -> dict[str, Any]:
    return {
        "aliases": [
            ["Mara Lenk", "Minister Lenk"],
            ["Mara Lenk", "Minister Lenk", "The Minister"],
        ]
    }


def _run_add_issue(repo: Repo, seed: Seed) -> int:
    return int(repo.add_issue("  Will   talks open? ", "Mediation by Savoren").id)  # type: ignore[arg-type]


def _diff_add_issue(repo: Repo, seed: Seed, entity_id: int, ctx: Ctx) -> dict[str, Any]:
    return {
        "title": [None, "Will talks open?"],
        "description": [None, "Mediation by Savoren"],
        "review": [None, "accepted"],
    }


def _run_add_statement(repo: Repo, seed: Seed) -> int:
    statement = repo.add_statement(
        text="  We will not stop the turbines. ",
        article_id=seed.article,
        evidence=_span(ARTICLE_TEXT, QUOTE),
        speaker_id=seed.actor,
        attribution="told reporters at the plant",
        quote=True,
        said_on=dt.date(2026, 10, 13),
        said_until=dt.date(2026, 10, 20),
        date_precision="day",
        date_text="on Tuesday",
        review="suggested",
        verification="disputed",
        tags=["dam", " dam ", "energy", " "],
        notes="Check the plant visit",
        issue_id=seed.issue,
        score=0.75,
    )
    return int(statement.id)  # type: ignore[arg-type]


def _diff_add_statement(repo: Repo, seed: Seed, entity_id: int, ctx: Ctx) -> dict[str, Any]:
    start, end = _span(ARTICLE_TEXT, QUOTE)
    return {
        "article_id": [None, seed.article],
        "evidence_start": [None, start],
        "evidence_end": [None, end],
        "evidence_exact": [None, QUOTE],
        "evidence_prefix": [None, ARTICLE_TEXT[start - QUOTE_CONTEXT : start]],
        "evidence_suffix": [None, ARTICLE_TEXT[end : end + QUOTE_CONTEXT]],
        "speaker_id": [None, seed.actor],
        "attribution": [None, "told reporters at the plant"],
        "text": [None, "We will not stop the turbines."],
        "quote": [None, True],
        "said_on": [None, "2026-10-13"],
        "said_until": [None, "2026-10-20"],
        "date_precision": [None, "day"],
        "date_text": [None, "on Tuesday"],
        "review": [None, "suggested"],
        "verification": [None, "disputed"],
        "tags": [None, ["dam", "energy"]],
        "notes": [None, "Check the plant visit"],
        "issue_id": [None, seed.issue],
        "score": [None, 0.75],
        "editor": [None, EDITOR],
    }


def _run_add_link(repo: Repo, seed: Seed) -> int:
    link = repo.add_link(
        seed.statement, seed.other_statement, "contradicts", note="Denied", review="suggested"
    )
    return int(link.id)  # type: ignore[arg-type]


def _diff_add_link(repo: Repo, seed: Seed, entity_id: int, ctx: Ctx) -> dict[str, Any]:
    return {
        "from_id": [None, seed.statement],
        "to_id": [None, seed.other_statement],
        "relation": [None, "contradicts"],
        "note": [None, "Denied"],
        "review": [None, "suggested"],
        "editor": [None, EDITOR],
    }


def _run_add_position(repo: Repo, seed: Seed) -> int:
    position = repo.add_position(
        issue_id=seed.issue,
        actor_id=seed.actor,
        summary="  Keeps   filling ",
        as_of=dt.date(2026, 10, 13),
        statement_ids=[seed.statement, seed.other_statement],
    )
    return int(position.id)  # type: ignore[arg-type]


def _diff_add_position(repo: Repo, seed: Seed, entity_id: int, ctx: Ctx) -> dict[str, Any]:
    return {
        "issue_id": [None, seed.issue],
        "actor_id": [None, seed.actor],
        "summary": [None, "Keeps filling"],
        "as_of": [None, "2026-10-13"],
        "review": [None, "accepted"],
        "editor": [None, EDITOR],
        "statements": [None, [seed.statement, seed.other_statement]],
    }


def _run_add_event(repo: Repo, seed: Seed) -> int:
    event = repo.add_event(
        title="Talks  in Lisk",
        date=dt.date(2026, 11, 1),
        date_end=dt.date(2026, 11, 3),
        precision="month",
        description="First round",
        review="suggested",
        actor_ids=[seed.actor, seed.org],
        statement_ids=[seed.statement],
    )
    return int(event.id)  # type: ignore[arg-type]


def _diff_add_event(repo: Repo, seed: Seed, entity_id: int, ctx: Ctx) -> dict[str, Any]:
    return {
        "date": [None, "2026-11-01"],
        "date_end": [None, "2026-11-03"],
        "precision": [None, "month"],
        "title": [None, "Talks in Lisk"],
        "description": [None, "First round"],
        "review": [None, "suggested"],
        "editor": [None, EDITOR],
        "actors": [None, [seed.actor, seed.org]],
        "statements": [None, [seed.statement]],
    }


def _run_add_collection(repo: Repo, seed: Seed) -> int:
    return int(repo.add_collection("  Evening   brief ", "For the night desk").id)  # type: ignore[arg-type]


def _diff_add_collection(repo: Repo, seed: Seed, entity_id: int, ctx: Ctx) -> dict[str, Any]:
    return {"name": [None, "Evening brief"], "description": [None, "For the night desk"]}


def _prepare_collection(repo: Repo, seed: Seed) -> Ctx:
    repo.add_to_collection(seed.collection, "statement", seed.other_statement)
    return {}


def _run_add_to_collection(repo: Repo, seed: Seed) -> int:
    item = repo.add_to_collection(seed.collection, "statement", seed.statement, "Lead item")
    return int(item.id)  # type: ignore[arg-type]


def _diff_add_to_collection(repo: Repo, seed: Seed, entity_id: int, ctx: Ctx) -> dict[str, Any]:
    return {
        "collection_id": [None, seed.collection],
        "rank": [None, 2],  # appended after the item the case prepared
        "kind": [None, "statement"],
        "item_id": [None, seed.statement],
        "note": [None, "Lead item"],
    }


def _run_update(repo: Repo, seed: Seed) -> int:
    repo.update(
        "statement",
        seed.statement,
        1,
        text="Filling continues.",
        verification="verified",
        tags=["dam", "water"],
        said_on=dt.date(2026, 10, 12),
    )
    return seed.statement


def _diff_update(repo: Repo, seed: Seed, entity_id: int, ctx: Ctx) -> dict[str, Any]:
    return {
        "text": ["The dam will keep filling.", "Filling continues."],
        "verification": ["unverified", "verified"],
        "tags": [[], ["dam", "water"]],
        "said_on": ["2026-10-13", "2026-10-12"],
    }


def _run_delete(repo: Repo, seed: Seed) -> int:
    repo.delete("statement", seed.other_statement, 1)
    return seed.other_statement


def _diff_delete(repo: Repo, seed: Seed, entity_id: int, ctx: Ctx) -> dict[str, Any]:
    deleted_at = _stored(repo, "statement", entity_id).deleted_at
    assert deleted_at is not None
    return {"deleted_at": [None, deleted_at.isoformat()]}


def _prepare_restore(repo: Repo, seed: Seed) -> Ctx:
    repo.delete("statement", seed.other_statement)
    return {"deleted_at": _iso(_stored(repo, "statement", seed.other_statement).deleted_at)}


def _run_restore(repo: Repo, seed: Seed) -> int:
    repo.restore("statement", seed.other_statement)
    return seed.other_statement


def _diff_restore(repo: Repo, seed: Seed, entity_id: int, ctx: Ctx) -> dict[str, Any]:
    assert ctx["deleted_at"] is not None
    return {"deleted_at": [ctx["deleted_at"], None]}


# ----------------------------------------------------------------- articles, sources, rules


def _run_set_starred(repo: Repo, seed: Seed) -> int:
    return int(repo.set_starred(seed.article, True).id)  # type: ignore[arg-type]


def _run_assign(repo: Repo, seed: Seed) -> int:
    return int(repo.assign(seed.article, "maria").id)  # type: ignore[arg-type]


def _run_record_fetch(repo: Repo, seed: Seed) -> int:
    source = repo.record_fetch(
        seed.source, ok=False, http_status=503, error_kind="http", error="Service unavailable"
    )
    return int(source.id)  # type: ignore[arg-type]


def _diff_record_fetch(repo: Repo, seed: Seed, entity_id: int, ctx: Ctx) -> dict[str, Any]:
    at = _iso(_stored(repo, "source", entity_id).fetched_at)
    return {
        "fetched_at": [None, at],
        "http_status": [None, 503],
        "error_at": [None, at],  # the failure's time is the fetch's
        "error_kind": [None, "http"],
        "error_message": [None, "Service unavailable"],
    }


def _run_add_rule(repo: Repo, seed: Seed) -> int:
    rule = repo.add_rule(
        "  Water   desk ", "dam turbines", "tag", value="water", field="body", source_id=seed.source
    )
    return int(rule.id)  # type: ignore[arg-type]


def _diff_add_rule(repo: Repo, seed: Seed, entity_id: int, ctx: Ctx) -> dict[str, Any]:
    return {
        "name": [None, "Water desk"],
        "source_id": [None, seed.source],
        "field": [None, "body"],
        "pattern": [None, "dam turbines"],
        "regex": [None, False],
        "action": [None, "tag"],
        "value": [None, "water"],
        "enabled": [None, True],
    }


WATER_RULE = RuleSpec(name="Water", pattern="turbines", action="tag", value="water")


def _run_apply_rules(repo: Repo, seed: Seed) -> int:
    assert repo.apply_rules([WATER_RULE], article_ids=[seed.article]) == 1
    return seed.article


def _diff_apply_rules(repo: Repo, seed: Seed, entity_id: int, ctx: Ctx) -> dict[str, Any]:
    return {
        "tags": [[], ["water"]],
        "rule_hits": [[], ["Water"]],
        "rule_effects": [[], [{"rule": "Water", "action": "tag", "value": "water"}]],
    }


def _prepare_copy(repo: Repo, seed: Seed) -> Ctx:
    repo.add_article(title="Dam fills", text=ARTICLE_TEXT, url="https://other.example/a/1")
    return {}


def _run_flag_duplicates(repo: Repo, seed: Seed) -> int:
    copy = _newest(repo, "article")
    repo.flag_duplicates([(copy, seed.article, "possible", 87.26)])
    return copy


def _diff_flag_duplicates(repo: Repo, seed: Seed, entity_id: int, ctx: Ctx) -> dict[str, Any]:
    return {
        "duplicate_of": [None, seed.article],
        "match_kind": [None, "possible"],
        "match_score": [None, 87.3],
    }


INCOMING_NEW = IncomingArticle(
    title="Turbines stop",
    text="The turbines stopped at noon.",
    canonical_url="https://wire.example/a/3",
    url="https://wire.example/a/3?from=rss",
    byline="By B. Writer",
    published_at=dt.datetime(2026, 10, 15, 7, 0, tzinfo=UTC),
    guid="wire-3",
    tags=("energy",),
    priority=2,
    rule_hits=("Energy",),
    rule_effects=({"rule": "Energy", "action": "tag", "value": "energy"},),
)
#: The seed article again, retitled by its outlet: an update in place.
INCOMING_RETITLED = IncomingArticle(
    title="Dam keeps filling, ministry says",
    text=ARTICLE_TEXT,
    canonical_url="https://wire.example/a/1",
    url="https://wire.example/a/1",
    published_at=PUBLISHED,
)


def _run_ingest_articles(repo: Repo, seed: Seed) -> int:
    outcome = repo.ingest_articles(seed.source, [INCOMING_RETITLED, INCOMING_NEW, INCOMING_NEW])
    assert (outcome.updated, len(outcome.added), outcome.present) == ([seed.article], 1, 1)
    return outcome.added[0]


def _logged_ingest_articles(repo: Repo, seed: Seed, entity_id: int, ctx: Ctx) -> list[Logged]:
    published = INCOMING_NEW.published_at.isoformat()  # type: ignore[union-attr]
    text = INCOMING_NEW.text
    return [
        Logged(
            "update",
            "article",
            seed.article,
            {"title": ["Dam keeps filling", "Dam keeps filling, ministry says"]},
        ),
        Logged(
            "create",
            "article",
            entity_id,
            {
                "source_id": [None, seed.source],
                "url": [None, "https://wire.example/a/3?from=rss"],
                "canonical_url": [None, "https://wire.example/a/3"],
                "guid": [None, "wire-3"],
                "title": [None, "Turbines stop"],
                "byline": [None, "By B. Writer"],
                "published_at": [None, published],
                "sort_at": [None, published],
                "text": [None, text],
                "content_hash": [None, hashlib.sha256(text.encode("utf-8")).hexdigest()],
                "triage": [None, "new"],
                "tags": [None, ["energy"]],
                "priority": [None, 2],
                "rule_hits": [None, ["Energy"]],
                "rule_effects": [None, [{"rule": "Energy", "action": "tag", "value": "energy"}]],
            },
        ),
    ]


POSITIONS_TABLE = TableFound(
    start=0,
    end=4,
    kind="positions",
    header=["Issue", "Lisk Council"],
    rows=[["Will the dam pause?", "No pause"]],
    positions=[("Will the dam pause?", "Lisk  Council", "  No   pause ")],
    events=[(dt.date(2026, 10, 20), dt.date(2026, 10, 22), "day", "Turbine  review", "Look again")],
)


def _run_store_tables(repo: Repo, seed: Seed) -> int:
    repo.store_tables(seed.article, [POSITIONS_TABLE])
    return seed.article


def _logged_store_tables(repo: Repo, seed: Seed, entity_id: int, ctx: Ctx) -> list[Logged]:
    # The table itself is kept with the article (derived data, like the search index).
    assert [t.kind for t in repo.article_tables(seed.article)] == ["positions"]
    actor = _newest(repo, "actor")
    return [
        Logged(  # a name nobody has: a suggested actor, the issue is found by its title
            "create",
            "actor",
            actor,
            {
                "name": [None, "Lisk Council"],
                "kind": [None, "government"],
                "review": [None, "suggested"],
                "aliases": [None, ["Lisk Council"]],
            },
        ),
        Logged(
            "create",
            "position",
            _newest(repo, "position"),
            {
                "issue_id": [None, seed.issue],
                "actor_id": [None, actor],
                "summary": [None, "No pause"],
                "as_of": [None, PUBLISHED.date().isoformat()],
                "review": [None, "suggested"],
                "editor": [None, EDITOR],
                "article_id": [None, seed.article],
            },
        ),
        Logged(
            "create",
            "event",
            _newest(repo, "event"),
            {
                "date": [None, "2026-10-20"],
                "date_end": [None, "2026-10-22"],
                "precision": [None, "day"],
                "title": [None, "Turbine review"],
                "description": [None, "What was said: Look again"],
                "review": [None, "suggested"],
                "editor": [None, EDITOR],
                "article_id": [None, seed.article],
            },
        ),
    ]


# ----------------------------------------------------------------- statements, links, actors


def _prepare_review(repo: Repo, seed: Seed) -> Ctx:
    repo.update("issue", seed.issue, None, review="suggested")
    repo.add_position(
        issue_id=seed.issue, actor_id=seed.actor, summary="Keeps filling", review="suggested"
    )
    return {}


def _run_review(repo: Repo, seed: Seed) -> int:
    position = _newest(repo, "position")
    repo.review("position", position, "accepted", expected_version=1)
    return position


def _logged_review(repo: Repo, seed: Seed, entity_id: int, ctx: Ctx) -> list[Logged]:
    # accepting a position accepts the suggested issue it came with (the actor was accepted)
    return [
        Logged("update", "position", entity_id, {"review": ["suggested", "accepted"]}),
        Logged("update", "issue", seed.issue, {"review": ["suggested", "accepted"]}),
    ]


NEW_EVIDENCE = "declined to comment"


def _run_save_statement(repo: Repo, seed: Seed) -> int:
    statement = repo.save_statement(
        {
            "text": "Officials would not comment.",
            "article_id": seed.article,
            "evidence": _span(ARTICLE_TEXT, NEW_EVIDENCE),
            "date_precision": "day",
            "said_on": dt.date(2026, 10, 13),
        },
        new_speaker=("  Jon   Varek ", "person"),
    )
    return int(statement.id)  # type: ignore[arg-type]


def _logged_save_statement(repo: Repo, seed: Seed, entity_id: int, ctx: Ctx) -> list[Logged]:
    actor = _newest(repo, "actor")
    start, end = _span(ARTICLE_TEXT, NEW_EVIDENCE)
    return [
        Logged(  # the new speaker first, in the same transaction
            "create",
            "actor",
            actor,
            {
                "name": [None, "Jon Varek"],
                "kind": [None, "person"],
                "review": [None, "accepted"],
                "aliases": [None, ["Jon Varek"]],
            },
        ),
        Logged(
            "create",
            "statement",
            entity_id,
            {
                "article_id": [None, seed.article],
                "evidence_start": [None, start],
                "evidence_end": [None, end],
                "evidence_exact": [None, NEW_EVIDENCE],
                "evidence_prefix": [None, ARTICLE_TEXT[start - QUOTE_CONTEXT : start]],
                "evidence_suffix": [None, ARTICLE_TEXT[end : end + QUOTE_CONTEXT]],
                "speaker_id": [None, actor],
                "text": [None, "Officials would not comment."],
                "quote": [None, False],
                "said_on": [None, "2026-10-13"],
                "date_precision": [None, "day"],
                "review": [None, "accepted"],
                "verification": [None, "unverified"],
                "editor": [None, EDITOR],
            },
        ),
    ]


def _prepare_old_suggestion(repo: Repo, seed: Seed) -> Ctx:
    old = repo.add_statement(text="An earlier guess.", article_id=seed.article, review="suggested")
    return {"old": int(old.id)}  # type: ignore[arg-type]


def _run_store_suggestions(repo: Repo, seed: Seed) -> int:
    start, end = _span(ARTICLE_TEXT, QUOTE)
    suggestion = SuggestedStatement(
        start=start,
        end=end,
        text=" We will not stop the turbines. ",
        speaker_id=seed.actor,
        attribution="told reporters",
        quote=True,
        said_on=dt.date(2026, 10, 13),
        precision="day",
        date_text="on Tuesday",
        score=0.5,
        tags=("intention",),
    )
    ids = repo.store_suggestions(seed.article, [suggestion])
    assert len(ids) == 1
    return ids[0]


def _logged_store_suggestions(repo: Repo, seed: Seed, entity_id: int, ctx: Ctx) -> list[Logged]:
    start, end = _span(ARTICLE_TEXT, QUOTE)
    return [
        Logged(  # what was still only a suggestion is replaced
            "delete",
            "statement",
            ctx["old"],
            {"deleted_at": [None, _deleted_at(repo, "statement", ctx["old"])]},
        ),
        Logged(
            "create",
            "statement",
            entity_id,
            {
                "article_id": [None, seed.article],
                "evidence_start": [None, start],
                "evidence_end": [None, end],
                "evidence_exact": [None, QUOTE],
                "evidence_prefix": [None, ARTICLE_TEXT[start - QUOTE_CONTEXT : start]],
                "evidence_suffix": [None, ARTICLE_TEXT[end : end + QUOTE_CONTEXT]],
                "speaker_id": [None, seed.actor],
                "attribution": [None, "told reporters"],
                "text": [None, "We will not stop the turbines."],
                "quote": [None, True],
                "said_on": [None, "2026-10-13"],
                "date_precision": [None, "day"],
                "date_text": [None, "on Tuesday"],
                "review": [None, "suggested"],
                "verification": [None, "unverified"],
                "tags": [None, ["intention"]],
                "score": [None, 0.5],
                "editor": [None, EDITOR],
            },
        ),
    ]


def _prepare_link(repo: Repo, seed: Seed) -> Ctx:
    repo.add_link(seed.statement, seed.other_statement, "supports")
    return {}


def _run_set_link_relation(repo: Repo, seed: Seed) -> int:
    link = _newest(repo, "link")
    repo.set_link_relation(link, "contradicts", "Denied", expected_version=1)
    return link


def _run_store_link_suggestions(repo: Repo, seed: Seed) -> int:
    stored = repo.store_link_suggestions(
        [
            LinkProposal(seed.other_statement, seed.statement, "duplicates", "Same words"),
            LinkProposal(seed.statement, seed.other_statement, "supports"),  # the same pair
            LinkProposal(seed.statement, seed.statement, "supports"),  # itself
        ]
    )
    assert stored == 1
    return _newest(repo, "link")


def _diff_store_link_suggestions(
    repo: Repo, seed: Seed, entity_id: int, ctx: Ctx
) -> dict[str, Any]:
    return {
        "from_id": [None, seed.other_statement],
        "to_id": [None, seed.statement],
        "relation": [None, "duplicates"],
        "note": [None, "Same words"],
        "review": [None, "suggested"],
        "editor": [None, EDITOR],
    }


def _prepare_merge(repo: Repo, seed: Seed) -> Ctx:
    duplicate = repo.add_actor("M. Lenk", aliases=["Mara L."])
    statement = repo.add_statement(text="No comment.", speaker_id=duplicate.id)
    return {"duplicate": int(duplicate.id), "statement": int(statement.id)}  # type: ignore[arg-type]


def _run_merge_actors(repo: Repo, seed: Seed) -> int:
    repo.merge_actors(_newest(repo, "actor"), seed.actor)
    return seed.actor


def _logged_merge_actors(repo: Repo, seed: Seed, entity_id: int, ctx: Ctx) -> list[Logged]:
    duplicate = ctx["duplicate"]
    return [
        Logged("merge", "statement", ctx["statement"], {"speaker_id": [duplicate, seed.actor]}),
        Logged(
            "merge",
            "actor",
            seed.actor,
            {
                "merged_from": [None, duplicate],
                "aliases": [
                    ["Mara Lenk", "Minister Lenk"],
                    ["Mara Lenk", "Minister Lenk", "M. Lenk", "Mara L."],
                ],
            },
        ),
        Logged(
            "delete",
            "actor",
            duplicate,
            {
                "deleted_at": [None, _deleted_at(repo, "actor", duplicate)],
                "merged_into": [None, seed.actor],
            },
        ),
    ]


def _prepare_undo(repo: Repo, seed: Seed) -> Ctx:
    repo.update("statement", seed.statement, 1, text="Filling stops.")
    return {"txn": repo.changes_since(repo.last_change_id() - 1)[0].txn}


def _run_undo_last(repo: Repo, seed: Seed) -> int:
    repo.undo_last()
    return seed.statement


def _diff_undo_last(repo: Repo, seed: Seed, entity_id: int, ctx: Ctx) -> dict[str, Any]:
    return {"text": ["Filling stops.", "The dam will keep filling."], "_undoes": [None, ctx["txn"]]}


# ----------------------------------------------------------------- collections & bulk actions


def _run_ensure_collection(repo: Repo, seed: Seed) -> int:
    return int(repo.ensure_collection("  Night   desk ", "For the night").id)  # type: ignore[arg-type]


def _prepare_collection_and_position(repo: Repo, seed: Seed) -> Ctx:
    _prepare_collection(repo, seed)
    repo.add_position(issue_id=seed.issue, actor_id=seed.actor, summary="Keeps filling")
    return {}


def _item_diff(seed: Seed, rank: int, kind: str, item_id: int, note: str = "") -> dict[str, Any]:
    diff = {
        "collection_id": [None, seed.collection],
        "rank": [None, rank],
        "kind": [None, kind],
        "item_id": [None, item_id],
    }
    return {**diff, "note": [None, note]} if note else diff


def _run_add_items(repo: Repo, seed: Seed) -> int:
    position = _newest(repo, "position")
    items = [
        ("statement", seed.other_statement),  # already in it: stays where it is
        ("statement", seed.statement),
        ("position", position),
    ]
    assert repo.add_items(seed.collection, items, note="Lead") == 2
    return _newest(repo, "collection_item")


def _logged_add_items(repo: Repo, seed: Seed, entity_id: int, ctx: Ctx) -> list[Logged]:
    position = _newest(repo, "position")
    return [
        Logged(
            "create",
            "collection_item",
            entity_id - 1,
            _item_diff(seed, 2, "statement", seed.statement, "Lead"),
        ),
        Logged(
            "create",
            "collection_item",
            entity_id,
            _item_diff(seed, 3, "position", position, "Lead"),
        ),
    ]


def _run_add_rows_to_collection(repo: Repo, seed: Seed) -> int:
    rows = [  # as a pane's view yields them: statement rows carry no kind
        SimpleNamespace(id=seed.statement),
        SimpleNamespace(kind="position", id=_newest(repo, "position")),
        SimpleNamespace(id=seed.other_statement),  # already in it
    ]
    assert repo.add_rows_to_collection(seed.collection, rows) == 2
    return _newest(repo, "collection_item")


def _logged_add_rows_to_collection(
    repo: Repo, seed: Seed, entity_id: int, ctx: Ctx
) -> list[Logged]:
    position = _newest(repo, "position")
    return [
        Logged(
            "create",
            "collection_item",
            entity_id - 1,
            _item_diff(seed, 2, "statement", seed.statement),
        ),
        Logged("create", "collection_item", entity_id, _item_diff(seed, 3, "position", position)),
    ]


def _prepare_two_items(repo: Repo, seed: Seed) -> Ctx:
    _prepare_collection(repo, seed)
    first = _newest(repo, "collection_item")
    repo.add_to_collection(seed.collection, "statement", seed.statement)
    return {"first": first, "second": _newest(repo, "collection_item")}


def _run_move_item(repo: Repo, seed: Seed) -> int:
    second = _newest(repo, "collection_item")
    repo.move_item(second, -1)
    return second


def _logged_move_item(repo: Repo, seed: Seed, entity_id: int, ctx: Ctx) -> list[Logged]:
    return [
        Logged("update", "collection_item", ctx["second"], {"rank": [2, 1]}),
        Logged("update", "collection_item", ctx["first"], {"rank": [1, 2]}),
    ]


def _run_annotate_item(repo: Repo, seed: Seed) -> int:
    item = _newest(repo, "collection_item")
    repo.annotate_item(item, "Check the date", 1)
    return item


def _run_remove_item(repo: Repo, seed: Seed) -> int:
    item = _newest(repo, "collection_item")
    repo.remove_item(item)
    return item


def _run_bulk_update(repo: Repo, seed: Seed) -> int:
    ids = [seed.statement, seed.other_statement]
    assert repo.bulk_update("statement", ids, verification="disputed", issue_id=seed.issue) == 2
    return seed.statement


def _logged_bulk_update(repo: Repo, seed: Seed, entity_id: int, ctx: Ctx) -> list[Logged]:
    # each row logs only what changed for it: the seed statement had the issue already
    return [
        Logged("update", "statement", seed.statement, {"verification": ["unverified", "disputed"]}),
        Logged(
            "update",
            "statement",
            seed.other_statement,
            {"verification": ["unverified", "disputed"], "issue_id": [None, seed.issue]},
        ),
    ]


def _prepare_tagged(repo: Repo, seed: Seed) -> Ctx:
    repo.update("statement", seed.statement, None, tags=["dam"])
    return {}


def _run_bulk_tag(repo: Repo, seed: Seed) -> int:
    assert repo.bulk_tag("statement", [seed.statement, seed.other_statement], "  dam ") == 1
    return seed.other_statement


def _run_bulk_dismiss(repo: Repo, seed: Seed) -> int:
    assert repo.bulk_dismiss("article", [seed.article]) == 1
    return seed.article


# ----------------------------------------------------------------- users


def _run_set_user(repo: Repo, seed: Seed) -> int:
    repo.set_user("  maria ", "admin")  # the first user of a desk must be an admin
    return 0  # a user's key is their name: the log names it in the diff (db.users)


WRITE_CASES = [
    WriteCase("add_source", _run_add_source, "create", "source", _diff_add_source),
    WriteCase("add_article", _run_add_article, "create", "article", _diff_add_article),
    WriteCase(
        "set_triage",
        _run_set_triage,
        "update",
        "article",
        lambda *_: {"triage": ["new", "needs_check"]},
    ),
    WriteCase("mark_read", _run_mark_read, "read", "article", lambda *_: {"read": [False, True]}),
    WriteCase("add_actor", _run_add_actor, "create", "actor", _diff_add_actor),
    WriteCase("add_alias", _run_add_alias, "update", "actor", _diff_add_alias),
    WriteCase("add_issue", _run_add_issue, "create", "issue", _diff_add_issue),
    WriteCase("add_statement", _run_add_statement, "create", "statement", _diff_add_statement),
    WriteCase("add_link", _run_add_link, "create", "link", _diff_add_link),
    WriteCase("add_position", _run_add_position, "create", "position", _diff_add_position),
    WriteCase("add_event", _run_add_event, "create", "event", _diff_add_event),
    WriteCase("add_collection", _run_add_collection, "create", "collection", _diff_add_collection),
    WriteCase(
        "add_to_collection",
        _run_add_to_collection,
        "create",
        "collection_item",
        _diff_add_to_collection,
        prepare=_prepare_collection,
    ),
    WriteCase("update", _run_update, "update", "statement", _diff_update),
    WriteCase("delete", _run_delete, "delete", "statement", _diff_delete),
    WriteCase(
        "restore", _run_restore, "restore", "statement", _diff_restore, prepare=_prepare_restore
    ),
    # articles, sources, rules
    WriteCase(
        "set_starred", _run_set_starred, "update", "article", lambda *_: {"starred": [False, True]}
    ),
    WriteCase("assign", _run_assign, "update", "article", lambda *_: {"assignee": [None, "maria"]}),
    WriteCase("record_fetch", _run_record_fetch, "update", "source", _diff_record_fetch),
    WriteCase("add_rule", _run_add_rule, "create", "rule", _diff_add_rule),
    WriteCase("apply_rules", _run_apply_rules, "update", "article", _diff_apply_rules),
    WriteCase(
        "flag_duplicates",
        _run_flag_duplicates,
        "update",
        "article",
        _diff_flag_duplicates,
        prepare=_prepare_copy,
    ),
    WriteCase("ingest_articles", _run_ingest_articles, logged=_logged_ingest_articles),
    WriteCase("store_tables", _run_store_tables, logged=_logged_store_tables),
    # statements, links, actors
    WriteCase("review", _run_review, logged=_logged_review, prepare=_prepare_review),
    WriteCase("save_statement", _run_save_statement, logged=_logged_save_statement),
    WriteCase(
        "store_suggestions",
        _run_store_suggestions,
        logged=_logged_store_suggestions,
        prepare=_prepare_old_suggestion,
    ),
    WriteCase(
        "set_link_relation",
        _run_set_link_relation,
        "update",
        "link",
        lambda *_: {"relation": ["supports", "contradicts"], "note": ["", "Denied"]},
        prepare=_prepare_link,
    ),
    WriteCase(
        "store_link_suggestions",
        _run_store_link_suggestions,
        "create",
        "link",
        _diff_store_link_suggestions,
    ),
    WriteCase(
        "merge_actors", _run_merge_actors, logged=_logged_merge_actors, prepare=_prepare_merge
    ),
    WriteCase(
        "undo_last", _run_undo_last, "undo", "statement", _diff_undo_last, prepare=_prepare_undo
    ),
    # collections and bulk actions
    WriteCase(
        "ensure_collection",
        _run_ensure_collection,
        "create",
        "collection",
        lambda *_: {"name": [None, "Night desk"], "description": [None, "For the night"]},
    ),
    WriteCase(
        "add_items",
        _run_add_items,
        logged=_logged_add_items,
        prepare=_prepare_collection_and_position,
    ),
    WriteCase(
        "add_rows_to_collection",
        _run_add_rows_to_collection,
        logged=_logged_add_rows_to_collection,
        prepare=_prepare_collection_and_position,
    ),
    WriteCase("move_item", _run_move_item, logged=_logged_move_item, prepare=_prepare_two_items),
    WriteCase(
        "annotate_item",
        _run_annotate_item,
        "update",
        "collection_item",
        lambda *_: {"note": ["", "Check the date"]},
        prepare=_prepare_collection,
    ),
    WriteCase(
        "remove_item",
        _run_remove_item,
        "delete",
        "collection_item",
        lambda repo, seed, item, ctx: {
            "deleted_at": [None, _deleted_at(repo, "collection_item", item)]
        },
        prepare=_prepare_collection,
    ),
    WriteCase("bulk_update", _run_bulk_update, logged=_logged_bulk_update),
    WriteCase(
        "bulk_tag",
        _run_bulk_tag,
        "update",
        "statement",
        lambda *_: {"tags": [[], ["dam"]]},  # the row that had the tag is left alone
        prepare=_prepare_tagged,
    ),
    WriteCase(
        "bulk_dismiss",
        _run_bulk_dismiss,
        "update",
        "article",
        lambda *_: {"triage": ["new", "not_relevant"]},
    ),
    # users
    WriteCase(
        "set_user",
        _run_set_user,
        "create",
        "desk_user",
        lambda *_: {"name": [None, "maria"], "role": [None, "admin"]},
    ),
]

#: Repo's public methods that write nothing. Every other public method is a write and
#: needs a case above: the list of writes is read from the class, so a new write method
#: without a case fails ``test_write_cases_cover_every_public_write_method``.
READ_METHODS = frozenset(
    {
        "actor_entries",
        "article_detail",
        "article_statement_ids",
        "article_tables",
        "changes_for",
        "changes_since",
        "collection_members",
        "collection_named",
        "collections",
        "deleted",
        "event_detail",
        "evidence_marks",
        "failing_sources",
        "find_actor",
        "get",
        "history",
        "is_read",
        "last_change",
        "last_change_id",
        "link_pool",
        "linked",
        "orphaned_statements",
        "position_history",
        "recent_for_matching",
        "recent_statement_ids",
        "rules",
        "source_by_url",
        "sources",
        "statement_candidates",
        "statement_detail",
        "suggested_links",
    }
)
#: Context managers that open a transaction but write nothing themselves (a batch's
#: writes are the operations run inside it).
TRANSACTION_HELPERS = frozenset({"batch", "read"})


def _public_methods() -> set[str]:
    return {
        name
        for name, member in inspect.getmembers(Repo)
        if not name.startswith("_") and callable(member)
    }


def test_write_cases_cover_every_public_write_method() -> None:
    public = _public_methods()
    stale = (READ_METHODS | TRANSACTION_HELPERS) - public
    assert not stale, f"listed as reads but not methods of Repo: {sorted(stale)}"
    writes = public - READ_METHODS - TRANSACTION_HELPERS
    names = [case.name for case in WRITE_CASES]
    assert len(names) == len(set(names)), "one case per method"
    missing, extra = writes - set(names), set(names) - writes
    assert not missing, f"write methods without a Change-row case: {sorted(missing)}"
    assert not extra, f"cases for methods that are not public writes: {sorted(extra)}"


def test_methods_listed_as_reads_open_no_write_transaction() -> None:
    """The read list cannot hide a write: none of them opens a write transaction."""
    for name in sorted(READ_METHODS):
        source = inspect.getsource(getattr(Repo, name))
        assert not re.search(r"\b(_write|batch)\(", source), name


@pytest.mark.parametrize("case", WRITE_CASES, ids=lambda case: case.name)
def test_write_logs_its_changes_with_field_diffs(repo: Repo, seed: Seed, case: WriteCase) -> None:
    ctx = case.prepare(repo, seed) if case.prepare else {}
    last = repo.last_change_id()
    before = _versions(repo)

    entity_id = case.run(repo, seed)

    changes = repo.changes_since(last)
    expected = case.expected(repo, seed, entity_id, ctx)
    assert expected, "every case changes something"
    assert [Logged(c.op, c.entity, c.entity_id, c.diff) for c in changes] == expected
    assert {c.editor for c in changes} == {EDITOR}
    # One operation, one transaction, at one time; a new transaction id, not reused.
    assert len({(c.txn, c.at) for c in changes}) == 1
    change = changes[0]
    assert change.at.utcoffset() == dt.timedelta(0)
    assert change.txn not in {c.txn for c in repo.changes_since(0) if int(c.id) <= last}  # type: ignore[arg-type]

    # Each row the log names moved on one version per logged change (a new row starts at
    # 1); read state is the editor's own and leaves the shared row alone.
    versions: dict[tuple[str, int], int] = {}
    for c in changes:
        key = (c.entity, c.entity_id)
        if c.entity not in ENTITIES:
            continue  # desk users: their key is the name (tests/test_users.py)
        if c.op == "read":
            assert repo.is_read(c.entity_id)
            versions.setdefault(key, before[key])
        elif c.op == "create":
            versions[key] = 1
        else:
            versions[key] = versions.get(key, before[key]) + 1
    for (entity, row_id), version in versions.items():
        row = _stored(repo, entity, row_id)
        assert row.version == version, (entity, row_id)
        if version != before.get((entity, row_id)):
            assert row.updated_at == change.at
        if (entity, row_id) not in before:
            assert row.created_at == change.at


def _versions(repo: Repo) -> dict[tuple[str, int], int]:
    versions = {}
    with repo.read() as session:
        for entity, model in ENTITIES.items():
            for row in session.exec(select(model)).scalars():  # type: ignore[call-overload]
                versions[(entity, row.id)] = row.version
    return versions


_CHANGE_INSERT = re.compile(r'^\s*INSERT INTO "?change"?[\s(]', re.IGNORECASE)


@pytest.mark.parametrize("case", WRITE_CASES, ids=lambda case: case.name)
def test_row_and_change_commit_in_one_transaction(repo: Repo, seed: Seed, case: WriteCase) -> None:
    """If writing the Change rows fails, the data change is rolled back with them, however
    the method logs (one ORM row at a time, or a bulk insert alongside a bulk ingest)."""
    if case.prepare:
        case.prepare(repo, seed)
    before = table_dump(repo.engine)

    def refuse_the_log(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if _CHANGE_INSERT.match(statement):
            raise RuntimeError("change log unavailable")

    event.listen(repo.engine, "before_cursor_execute", refuse_the_log)
    try:
        with pytest.raises(RuntimeError, match="change log unavailable"):
            case.run(repo, seed)
    finally:
        event.remove(repo.engine, "before_cursor_execute", refuse_the_log)
    assert table_dump(repo.engine) == before


@pytest.mark.parametrize("case", WRITE_CASES, ids=lambda case: case.name)
def test_read_only_repo_refuses_every_write(
    engine: Engine, repo: Repo, seed: Seed, case: WriteCase
) -> None:
    if case.prepare:
        case.prepare(repo, seed)
    before = table_dump(engine)
    viewer = Repo(engine, "viewer", read_only=True)
    with pytest.raises(ReadOnlyError):
        case.run(viewer, seed)
    assert table_dump(engine) == before


@pytest.mark.parametrize("case", WRITE_CASES, ids=lambda case: case.name)
def test_a_viewer_is_refused_every_write(
    engine: Engine, repo: Repo, seed: Seed, case: WriteCase
) -> None:
    """Roles are checked in each write's own transaction, for every write method: once
    the editor is a viewer, nothing is written, not even a Change row."""
    if case.prepare:
        case.prepare(repo, seed)
    admins = [user.name for user in list_users(engine) if user.role == "admin"]
    admin = Repo(engine, admins[0] if admins else "boss")
    admin.set_user(admin.editor, "admin")
    admin.set_user(EDITOR, "viewer")
    before = table_dump(engine)
    with pytest.raises(ReadOnlyError):
        case.run(repo, seed)
    assert table_dump(engine) == before


def test_read_only_repo_refuses_batch_but_reads(engine: Engine, repo: Repo, seed: Seed) -> None:
    viewer = Repo(engine, "viewer", read_only=True)
    before = table_dump(engine)
    with pytest.raises(ReadOnlyError), viewer.batch():
        viewer.add_issue("never written")
    assert table_dump(engine) == before
    # Reads still work for a read-only editor.
    assert viewer.find_actor("mara lenk") is not None
    assert viewer.last_change_id() == repo.last_change_id() > 0


# --------------------------------------------------------------------------- refusals


@dataclass(frozen=True)
class FailCase:
    name: str
    run: Callable[[Repo, Seed], Any]
    error: type[RepoError]
    prepare: Callable[[Repo, Seed], Any] | None = field(default=None)


_LEN = len(ARTICLE_TEXT)

FAIL_CASES = [
    FailCase(
        "link bad relation",
        lambda r, s: r.add_link(s.statement, s.other_statement, "refutes"),
        ValidationError,
    ),
    FailCase(
        "link to itself",
        lambda r, s: r.add_link(s.statement, s.statement, "supports"),
        ValidationError,
    ),
    FailCase(
        "link duplicate",
        lambda r, s: r.add_link(s.statement, s.other_statement, "supports"),
        ValidationError,
        prepare=lambda r, s: r.add_link(s.statement, s.other_statement, "supports"),
    ),
    FailCase(
        "link unknown statement",
        lambda r, s: r.add_link(s.statement, 999, "supports"),
        NotFoundError,
    ),
    FailCase(
        "link bad review",
        lambda r, s: r.add_link(s.statement, s.other_statement, "supports", review="maybe"),
        ValidationError,
    ),
    FailCase(
        "statement unknown speaker",
        lambda r, s: r.add_statement(text="x", article_id=s.article, speaker_id=999),
        NotFoundError,
    ),
    FailCase(
        "statement unknown article",
        lambda r, s: r.add_statement(text="x", article_id=999),
        NotFoundError,
    ),
    FailCase(
        "statement unknown issue",
        lambda r, s: r.add_statement(text="x", issue_id=999),
        NotFoundError,
    ),
    FailCase(
        "statement bad verification",
        lambda r, s: r.add_statement(text="x", article_id=s.article, verification="probably"),
        ValidationError,
    ),
    FailCase(
        "statement bad review",
        lambda r, s: r.add_statement(text="x", review="maybe"),
        ValidationError,
    ),
    FailCase(
        "statement bad precision",
        lambda r, s: r.add_statement(text="x", date_precision="week"),
        ValidationError,
    ),
    FailCase(
        "statement empty text",
        lambda r, s: r.add_statement(text="   ", article_id=s.article),
        ValidationError,
    ),
    FailCase(
        "statement said_until before said_on",
        lambda r, s: r.add_statement(
            text="x", said_on=dt.date(2026, 10, 2), said_until=dt.date(2026, 10, 1)
        ),
        ValidationError,
    ),
    FailCase(
        "statement evidence past the end",
        lambda r, s: r.add_statement(text="x", article_id=s.article, evidence=(10, _LEN + 1)),
        ValidationError,
    ),
    FailCase(
        "statement evidence without article",
        lambda r, s: r.add_statement(text="x", evidence=(0, 3)),
        ValidationError,
    ),
    FailCase(
        "article unknown source",
        lambda r, s: r.add_article(title="t", text="b", source_id=999),
        NotFoundError,
    ),
    FailCase("source empty name", lambda r, s: r.add_source("   "), ValidationError),
    FailCase("source bad kind", lambda r, s: r.add_source("X", kind="fax"), ValidationError),
    FailCase("triage bad value", lambda r, s: r.set_triage(s.article, "urgent"), ValidationError),
    FailCase("triage unknown article", lambda r, s: r.set_triage(999, "relevant"), NotFoundError),
    FailCase("mark_read unknown article", lambda r, s: r.mark_read(999), NotFoundError),
    FailCase("actor duplicate name", lambda r, s: r.add_actor(" Mara  Lenk "), ValidationError),
    FailCase(
        "actor unknown parent", lambda r, s: r.add_actor("Nemo", parent_id=999), NotFoundError
    ),
    FailCase("actor bad kind", lambda r, s: r.add_actor("Nemo", "alien"), ValidationError),
    FailCase("alias unknown actor", lambda r, s: r.add_alias(999, "Nemo"), NotFoundError),
    FailCase("alias empty", lambda r, s: r.add_alias(s.actor, "  "), ValidationError),
    FailCase("issue empty title", lambda r, s: r.add_issue("   "), ValidationError),
    FailCase(
        "position unknown statement",
        lambda r, s: r.add_position(
            issue_id=s.issue, actor_id=s.actor, summary="x", statement_ids=[999]
        ),
        NotFoundError,
    ),
    FailCase(
        "position unknown issue",
        lambda r, s: r.add_position(issue_id=999, actor_id=s.actor, summary="x"),
        NotFoundError,
    ),
    FailCase(
        "position bad review",
        lambda r, s: r.add_position(issue_id=s.issue, actor_id=s.actor, summary="x", review="?"),
        ValidationError,
    ),
    FailCase(
        "event ends before it starts",
        lambda r, s: r.add_event(
            title="x", date=dt.date(2026, 10, 2), date_end=dt.date(2026, 10, 1)
        ),
        ValidationError,
    ),
    FailCase(
        "event unknown actor",
        lambda r, s: r.add_event(title="x", date=dt.date(2026, 10, 2), actor_ids=[s.actor, 999]),
        NotFoundError,
    ),
    FailCase(
        "event bad precision",
        lambda r, s: r.add_event(title="x", date=dt.date(2026, 10, 2), precision="week"),
        ValidationError,
    ),
    FailCase(
        "collection duplicate name",
        lambda r, s: r.add_collection("Morning briefing"),
        ValidationError,
    ),
    FailCase(
        "collection item unknown item",
        lambda r, s: r.add_to_collection(s.collection, "event", 999),
        NotFoundError,
    ),
    FailCase(
        "collection item unknown collection",
        lambda r, s: r.add_to_collection(999, "statement", s.statement),
        NotFoundError,
    ),
    FailCase(
        "collection item bad kind",
        lambda r, s: r.add_to_collection(s.collection, "article", s.article),
        ValidationError,
    ),
    FailCase(
        "update unknown field",
        lambda r, s: r.update("statement", s.statement, None, colour="red"),
        ValidationError,
    ),
    FailCase(
        "update system field",
        lambda r, s: r.update("statement", s.statement, None, version=9),
        ValidationError,
    ),
    FailCase(
        "update bad verification",
        lambda r, s: r.update("statement", s.statement, None, verification="probably"),
        ValidationError,
    ),
    FailCase(
        "update bad relation",
        lambda r, s: r.update("link", 1, None, relation="refutes"),
        ValidationError,
        prepare=lambda r, s: r.add_link(s.statement, s.other_statement, "supports"),
    ),
    FailCase(
        "update unknown entity", lambda r, s: r.update("widget", 1, None, x=1), ValidationError
    ),
    FailCase(
        "update missing row",
        lambda r, s: r.update("statement", 999, None, text="x"),
        NotFoundError,
    ),
    FailCase(
        "update deleted row",
        lambda r, s: r.update("statement", s.other_statement, None, text="x"),
        NotFoundError,
        prepare=lambda r, s: r.delete("statement", s.other_statement),
    ),
    FailCase("delete missing row", lambda r, s: r.delete("issue", 999), NotFoundError),
    FailCase(
        "delete twice",
        lambda r, s: r.delete("issue", s.issue),
        NotFoundError,
        prepare=lambda r, s: r.delete("issue", s.issue),
    ),
    FailCase("restore missing row", lambda r, s: r.restore("issue", 999), NotFoundError),
]


@pytest.mark.parametrize("case", FAIL_CASES, ids=lambda case: case.name)
def test_failed_operation_writes_no_row_and_no_change(
    repo: Repo, seed: Seed, case: FailCase
) -> None:
    if case.prepare:
        case.prepare(repo, seed)
    counts = row_counts(repo.engine)
    before = table_dump(repo.engine)
    last = repo.last_change_id()

    with pytest.raises(case.error) as info:
        case.run(repo, seed)

    assert str(info.value)  # a message an editor can act on
    assert repo.changes_since(last) == []
    assert row_counts(repo.engine) == counts
    assert table_dump(repo.engine) == before
    # The repository is still usable afterwards.
    assert repo.add_issue(f"after {case.name}").id is not None


def test_no_op_writes_log_nothing(repo: Repo, seed: Seed) -> None:
    last = repo.last_change_id()
    before = table_dump(repo.engine)
    repo.add_alias(seed.actor, "  minister   LENK ")  # already an alias, normalised
    repo.update("statement", seed.statement, 1, text="The dam will keep filling.")  # unchanged
    repo.restore("statement", seed.statement)  # not deleted
    found = repo.ensure_collection(" morning  BRIEFING ")  # there already, in another case
    assert found.id == seed.collection
    assert repo.add_items(seed.collection, []) == 0
    assert repo.store_link_suggestions([]) == 0
    repo.flag_duplicates([])
    assert repo.changes_since(last) == []
    assert table_dump(repo.engine) == before


# --------------------------------------------------------------------------- batches


def test_batch_commits_all_operations_with_one_txn(engine: Engine, repo: Repo, seed: Seed) -> None:
    last = repo.last_change_id()
    observer = open_desk(engine.url.render_as_string(hide_password=False))
    try:
        with repo.batch():
            issue = repo.add_issue("Batch issue")
            actor = repo.add_actor("Batch Actor")
            position = repo.add_position(
                issue_id=int(issue.id),  # type: ignore[arg-type]
                actor_id=int(actor.id),  # type: ignore[arg-type]
                summary="In favour",
            )
            repo.set_triage(seed.article, "relevant")
            # Not yet visible to another connection: one transaction, not yet committed.
            assert row_counts(observer)["issue"] == 1
            assert Repo(observer, "x").changes_since(last) == []
        changes = repo.changes_since(last)
        assert [(c.op, c.entity) for c in changes] == [
            ("create", "issue"),
            ("create", "actor"),
            ("create", "position"),
            ("update", "article"),
        ]
        assert len({c.txn for c in changes}) == 1
        assert {c.entity_id for c in changes if c.entity == "position"} == {position.id}
        assert row_counts(observer)["issue"] == 2
    finally:
        observer.dispose()


def test_separate_operations_have_separate_txns(repo: Repo) -> None:
    last = repo.last_change_id()
    repo.add_issue("One")
    repo.add_issue("Two")
    changes = repo.changes_since(last)
    assert len(changes) == 2
    assert changes[0].txn != changes[1].txn


def test_exception_in_batch_rolls_everything_back(repo: Repo, seed: Seed) -> None:
    before = table_dump(repo.engine)
    with pytest.raises(RuntimeError, match="editor cancelled"), repo.batch():
        repo.add_issue("Rolled back issue")
        repo.add_statement(text="Rolled back statement", article_id=seed.article)
        repo.update("statement", seed.statement, 1, text="rolled back edit")
        repo.delete("statement", seed.other_statement)
        raise RuntimeError("editor cancelled")
    assert table_dump(repo.engine) == before

    # The next write is its own committed transaction, not joined to the dead batch.
    last = repo.last_change_id()
    issue = repo.add_issue("After the failed batch")
    changes = repo.changes_since(last)
    assert [(c.entity, c.entity_id) for c in changes] == [("issue", issue.id)]
    assert _stored(repo, "issue", int(issue.id)).title == "After the failed batch"  # type: ignore[arg-type]


def test_repo_error_in_batch_rolls_back_earlier_operations(repo: Repo, seed: Seed) -> None:
    before = table_dump(repo.engine)
    with pytest.raises(NotFoundError), repo.batch():
        repo.add_issue("Rolled back issue")
        repo.add_statement(text="Unknown speaker", speaker_id=999)
    assert table_dump(repo.engine) == before


# --------------------------------------------------------------------------- optimistic locking


def test_stale_version_raises_conflict_and_keeps_the_row(repo: Repo, seed: Seed) -> None:
    repo.update("statement", seed.statement, 1, text="First edit")
    last = repo.last_change_id()
    before = table_dump(repo.engine)

    with pytest.raises(ConflictError) as info:
        repo.update("statement", seed.statement, 1, text="Stale edit")

    conflict = info.value
    assert (conflict.entity, conflict.entity_id, conflict.expected) == (
        "statement",
        seed.statement,
        1,
    )
    assert conflict.theirs.version == 2  # type: ignore[attr-defined]
    assert conflict.theirs.text == "First edit"  # type: ignore[attr-defined]
    assert table_dump(repo.engine) == before
    assert repo.changes_since(last) == []

    # Based on the current version, the edit goes through.
    updated = repo.update("statement", seed.statement, 2, text="Second edit")
    assert updated.version == 3  # type: ignore[attr-defined]
    assert _stored(repo, "statement", seed.statement).text == "Second edit"


def test_stale_version_on_delete_raises_conflict(repo: Repo, seed: Seed) -> None:
    repo.update("issue", seed.issue, 1, description="edited")
    before = table_dump(repo.engine)
    with pytest.raises(ConflictError) as info:
        repo.delete("issue", seed.issue, expected_version=1)
    assert info.value.theirs.version == 2  # type: ignore[attr-defined]
    assert table_dump(repo.engine) == before


# --------------------------------------------------------------------------- soft delete


def _statement_ids(engine: Engine) -> list[int]:
    view = views.statements_view(engine)
    return [row.id for row in view.page(limit=1000)]


def _timeline_ids(engine: Engine) -> list[tuple[str, int]]:
    return [(row.kind, row.id) for row in views.timeline_view(engine).page(limit=1000)]


def test_soft_delete_hides_rows_from_views_and_restore_brings_them_back(
    engine: Engine, repo: Repo, seed: Seed
) -> None:
    event = repo.add_event(title="Visit", date=dt.date(2026, 10, 13))
    feed = views.feed_view(engine)
    assert seed.statement in _statement_ids(engine)
    assert ("statement", seed.statement) in _timeline_ids(engine)
    assert feed.page(limit=10)[0].statements == 2

    repo.delete("statement", seed.statement)
    stored = _stored(repo, "statement", seed.statement)
    assert stored.deleted_at is not None
    assert stored.deleted_at.utcoffset() == dt.timedelta(0)
    assert seed.statement not in _statement_ids(engine)
    assert ("statement", seed.statement) not in _timeline_ids(engine)
    assert views.statements_view(engine).count() == 1
    assert feed.page(limit=10)[0].statements == 1

    repo.delete("event", int(event.id))  # type: ignore[arg-type]
    repo.delete("article", seed.article)
    repo.delete("issue", seed.issue)
    assert ("event", event.id) not in _timeline_ids(engine)
    assert feed.count() == 0 and feed.page(limit=10) == []
    assert views.issues_view(engine).count() == 0

    repo.restore("statement", seed.statement)
    repo.restore("event", int(event.id))  # type: ignore[arg-type]
    repo.restore("article", seed.article)
    repo.restore("issue", seed.issue)
    assert _stored(repo, "statement", seed.statement).deleted_at is None
    assert seed.statement in _statement_ids(engine)
    assert ("statement", seed.statement) in _timeline_ids(engine)
    assert ("event", event.id) in _timeline_ids(engine)
    assert [row.id for row in feed.page(limit=10)] == [seed.article]
    assert feed.page(limit=10)[0].statements == 2
    assert [row.id for row in views.issues_view(engine).page()] == [seed.issue]


def test_deleted_actor_is_not_found_by_alias(repo: Repo, seed: Seed) -> None:
    assert repo.find_actor("minister lenk") is not None
    repo.delete("actor", seed.actor)
    assert repo.find_actor("minister lenk") is None
    repo.restore("actor", seed.actor)
    assert repo.find_actor("minister lenk").id == seed.actor  # type: ignore[union-attr]


# --------------------------------------------------------------------------- evidence


def test_evidence_stores_text_quote_and_position_selectors(repo: Repo, seed: Seed) -> None:
    start, end = _span(ARTICLE_TEXT, QUOTE)
    assert start > QUOTE_CONTEXT and end + QUOTE_CONTEXT < len(ARTICLE_TEXT)
    statement = repo.add_statement(
        text="We will not stop the turbines.", article_id=seed.article, evidence=(start, end)
    )
    stored = _stored(repo, "statement", int(statement.id))  # type: ignore[arg-type]
    assert (stored.evidence_start, stored.evidence_end) == (start, end)
    assert stored.evidence_exact == QUOTE
    assert stored.evidence_prefix == ARTICLE_TEXT[start - QUOTE_CONTEXT : start]
    assert len(stored.evidence_prefix) == QUOTE_CONTEXT
    assert stored.evidence_suffix == ARTICLE_TEXT[end : end + QUOTE_CONTEXT]
    assert len(stored.evidence_suffix) == QUOTE_CONTEXT
    # The quote with its context is found again in the article text (W3C TextQuote).
    assert stored.evidence_prefix + QUOTE + stored.evidence_suffix in ARTICLE_TEXT

    detail = repo.article_detail(seed.article)
    assert detail is not None
    assert (statement.id, start, end, "accepted") in detail.spans


def test_evidence_at_the_edges_of_the_text(repo: Repo, seed: Seed) -> None:
    head = repo.add_statement(text="head", article_id=seed.article, evidence=(0, 4))
    tail = repo.add_statement(
        text="tail", article_id=seed.article, evidence=(len(ARTICLE_TEXT) - 6, len(ARTICLE_TEXT))
    )
    first = _stored(repo, "statement", int(head.id))  # type: ignore[arg-type]
    last = _stored(repo, "statement", int(tail.id))  # type: ignore[arg-type]
    assert (first.evidence_exact, first.evidence_prefix) == ("LISK", "")
    assert first.evidence_suffix == ARTICLE_TEXT[4 : 4 + QUOTE_CONTEXT]
    assert (last.evidence_exact, last.evidence_suffix) == ("claim.", "")
    assert last.evidence_prefix == ARTICLE_TEXT[-6 - QUOTE_CONTEXT : -6]


@pytest.mark.parametrize(
    "span",
    [(-1, 3), (5, 2), (0, _LEN + 1), (_LEN + 1, _LEN + 2)],
    ids=["negative start", "end before start", "end past text", "start past text"],
)
def test_out_of_range_evidence_is_refused(repo: Repo, seed: Seed, span: tuple[int, int]) -> None:
    before = table_dump(repo.engine)
    with pytest.raises(ValidationError):
        repo.add_statement(text="Out of range", article_id=seed.article, evidence=span)
    assert table_dump(repo.engine) == before


def _evidence_line(repo: Repo, statement_id: int) -> tuple[str, str]:
    """The statement detail's evidence line as shown, and the part shown as the quote."""
    from workbench.ui.render import statement_text

    detail = repo.statement_detail(statement_id)
    assert detail is not None
    shown = statement_text(detail)
    line = next(line for line in shown.plain.splitlines() if line.startswith("Evidence: "))
    quoted = [shown.plain[s.start : s.end] for s in shown.spans if s.style == "underline bold cyan"]
    assert len(quoted) == 1
    return line, quoted[0]


def test_evidence_is_shown_joined_as_the_article_has_it(repo: Repo, seed: Seed) -> None:
    """The stored prefix, quote and suffix are consecutive slices of the article: shown,
    they join with nothing added ("filling." not "filling ."), whitespace collapsed."""
    assert _evidence_line(repo, seed.statement) == (
        'Evidence: …ministry said on Tuesday that the dam would keep filling. "We will not '
        "stop the turbines…",
        SEED_EVIDENCE,
    )
    text = "The envoy arrived on Monday, with\n\n  two   aides and a letter for the minister."
    article = repo.add_article(title="Envoy", text=text)
    for span, quote, line in [
        # evidence near the start: the context is the article's start, kept whole
        ((21, 27), "Monday", "Evidence: The envoy arrived on Monday, with two aides and a lett…"),
        # spaces at the quote's edges belong to the context; the newlines become a space
        (
            (20, 34),
            "Monday, with",
            "Evidence: The envoy arrived on Monday, with two aides and a letter for…",
        ),
        (
            (43, 48),
            "aides",
            "Evidence: …on Monday, with two aides and a letter for the minister.…",
        ),
    ]:
        statement = repo.add_statement(text="The envoy came.", article_id=article.id, evidence=span)
        assert _evidence_line(repo, int(statement.id)) == (line, quote)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- datetimes


def _datetime_values(engine: Engine) -> list[tuple[str, str, dt.datetime]]:
    found = []
    with engine.connect() as conn:
        for name, table in SQLModel.metadata.tables.items():
            for row in conn.execute(select(table)).mappings():
                for column, value in row.items():
                    if isinstance(value, dt.datetime):
                        found.append((name, column, value))
    return found


def test_every_datetime_read_back_is_aware_utc(engine: Engine, repo: Repo, seed: Seed) -> None:
    plus_five = dt.timezone(dt.timedelta(hours=5))
    published = dt.datetime(2026, 10, 14, 13, 0, tzinfo=plus_five)
    article = repo.add_article(title="Offset", text="Body", published_at=published)
    repo.update(
        "source",
        seed.source,
        None,
        fetched_at=dt.datetime(2026, 10, 1, 9, 0, tzinfo=dt.timezone(-dt.timedelta(hours=3))),
    )
    repo.delete("statement", seed.other_statement)

    stored = _stored(repo, "article", int(article.id))  # type: ignore[arg-type]
    assert stored.published_at == published  # the same instant …
    assert stored.published_at.utcoffset() == dt.timedelta(0)  # … expressed in UTC
    assert stored.published_at.hour == 8
    assert _stored(repo, "source", seed.source).fetched_at == dt.datetime(
        2026, 10, 1, 12, 0, tzinfo=UTC
    )

    values = _datetime_values(engine)
    tables = {name for name, _column, _value in values}
    assert {"article", "statement", "source", "change", "actor", "issue"} <= tables
    for name, column, value in values:
        assert value.utcoffset() == dt.timedelta(0), (name, column, value)

    with repo.read() as session:
        for model in ENTITIES.values():
            for row in session.exec(select(model)).scalars():  # type: ignore[call-overload]
                for column, value in row.model_dump().items():
                    if isinstance(value, dt.datetime):
                        assert value.utcoffset() == dt.timedelta(0), (model, column)
        for change in session.exec(select(Change)).scalars():  # type: ignore[call-overload]
            assert change.at.utcoffset() == dt.timedelta(0)

    for row in views.feed_view(engine).page(limit=10):
        assert row.sort_at.utcoffset() == dt.timedelta(0)


def test_naive_datetimes_are_refused(repo: Repo, seed: Seed) -> None:
    naive = dt.datetime(2026, 10, 14, 8, 0)
    before = table_dump(repo.engine)
    with pytest.raises((ValueError, SQLAlchemyError, RepoError)):
        repo.add_article(title="Naive", text="Body", published_at=naive)
    with pytest.raises((ValueError, SQLAlchemyError, RepoError)):
        repo.update("article", seed.article, None, published_at=naive)
    assert table_dump(repo.engine) == before


# --------------------------------------------------------------------------- change values


def test_long_values_are_logged_as_a_digest(repo: Repo, seed: Seed) -> None:
    long_text = "Überschwemmung am Damm. " * 100
    assert len(long_text) > LOG_VALUE_LIMIT
    at_limit = "y" * LOG_VALUE_LIMIT

    last = repo.last_change_id()
    article = repo.add_article(title="Long", text=long_text)
    short = repo.add_article(title="At the limit", text=at_limit)
    longer = long_text + " Nachtrag."
    repo.update("article", int(article.id), None, text=longer)  # type: ignore[arg-type]
    created, created_short, updated = repo.changes_since(last)

    def digest(value: str) -> dict[str, Any]:
        return {"sha256": hashlib.sha256(value.encode("utf-8")).hexdigest(), "length": len(value)}

    assert created.diff["text"] == [None, digest(long_text)]
    assert created_short.entity_id == short.id
    assert created_short.diff["text"] == [None, at_limit]  # not over the limit: verbatim
    assert updated.diff["text"] == [digest(long_text), digest(longer)]
    # The content hash follows the text, in the same Change row.
    assert updated.diff["content_hash"] == [
        hashlib.sha256(long_text.encode()).hexdigest(),
        hashlib.sha256(longer.encode()).hexdigest(),
    ]
    # Only the log is abbreviated; the article keeps its full text.
    assert _stored(repo, "article", int(article.id)).text == longer  # type: ignore[arg-type]


# --------------------------------------------------------------------------- actors


@pytest.mark.parametrize(
    "query",
    ["Mara Lenk", "  mara   LENK ", "MINISTER lenk", "minister\tlenk", "Ministerin  MÜLLER"],
)
def test_find_actor_ignores_case_and_whitespace(repo: Repo, seed: Seed, query: str) -> None:
    repo.add_alias(seed.actor, "ministerin müller")
    found = repo.find_actor(query)
    assert found is not None
    assert found.id == seed.actor
    assert found.name == "Mara Lenk"


def test_find_actor_misses_unknown_names(repo: Repo, seed: Seed) -> None:
    assert repo.find_actor("Mara") is None
    assert repo.find_actor("Nobody at all") is None


# --------------------------------------------------------------------------- concurrency


def test_two_threads_writing_to_one_file_never_see_database_is_locked(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    setup_engine = open_desk(str(path))
    setup = Repo(setup_engine, "setup")
    seeded = seed_desk(setup)
    setup_engine.dispose()

    writes = 50
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker(editor: str) -> None:
        engine = open_desk(str(path))
        repo = Repo(engine, editor)
        try:
            barrier.wait(timeout=60)
            for i in range(writes):
                if i % 2:
                    # read (article, speaker) then write: the lock upgrade BEGIN IMMEDIATE avoids
                    repo.add_statement(
                        text=f"{editor} statement {i}",
                        article_id=seeded.article,
                        speaker_id=seeded.actor,
                    )
                else:
                    repo.update("article", seeded.article, None, title=f"{editor} title {i}")
        except BaseException as exc:  # recorded and asserted on in the main thread
            errors.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=worker, args=(name,)) for name in ("ana", "ben")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == [], [str(e) for e in errors]

    engine = open_desk(str(path))
    try:
        changes = Repo(engine, "check").changes_since(0, limit=10_000)
        for editor in ("ana", "ben"):
            mine = [c for c in changes if c.editor == editor]
            assert len(mine) == writes
            assert len({c.txn for c in mine}) == writes
            assert sum(1 for c in mine if c.entity == "statement") == writes // 2
        article = Repo(engine, "check").get("article", seeded.article)
        updates_each = writes - writes // 2
        assert article.version == 1 + 2 * updates_each  # type: ignore[union-attr]
        assert row_counts(engine)["statement"] == 2 + 2 * (writes // 2)
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- edits keep rows valid

BAD_UPDATES: list[tuple[str, str, dict[str, Any], type[Exception], str]] = [
    ("statement", "statement", {"text": "   "}, ValidationError, "text cannot be empty"),
    ("statement", "statement", {"said_until": dt.date(2026, 1, 1)}, ValidationError, "said_until"),
    ("statement", "statement", {"tags": "abc"}, ValidationError, "tags must be a list"),
    ("statement", "statement", {"speaker_id": 9999}, NotFoundError, "no actor with id 9999"),
    (
        "statement",
        "statement",
        {"evidence_start": 0, "evidence_end": 999_999},
        ValidationError,
        "outside",
    ),
    ("statement", "other_statement", {"evidence_start": 3}, ValidationError, "start and an end"),
    ("actor", "actor", {"name": "Ministry of Energy"}, ValidationError, "already taken"),
    ("actor", "org", {"parent_id": "self"}, ValidationError, "under itself"),
    ("source", "source", {"name": ""}, ValidationError, "name cannot be empty"),
    ("issue", "issue", {"title": " "}, ValidationError, "title cannot be empty"),
    ("collection", "collection", {"name": ""}, ValidationError, "name cannot be empty"),
]


@pytest.mark.parametrize(("entity", "attr", "values", "error", "says"), BAD_UPDATES)
def test_update_refuses_what_creation_refuses(
    repo: Repo,
    seed: Seed,
    engine: Engine,
    entity: str,
    attr: str,
    values: dict[str, Any],
    error: type[Exception],
    says: str,
) -> None:
    entity_id = getattr(seed, attr)
    values = {k: (entity_id if v == "self" else v) for k, v in values.items()}
    before = table_dump(engine)
    with pytest.raises(error, match=says):
        repo.update(entity, entity_id, None, **values)
    assert table_dump(engine) == before


def test_an_actor_cannot_become_its_own_ancestor(repo: Repo, seed: Seed) -> None:
    with pytest.raises(ValidationError, match="under itself"):
        repo.update("actor", seed.org, None, parent_id=seed.actor)  # actor's parent is org


def test_event_and_link_invariants_hold_on_update(repo: Repo, seed: Seed) -> None:
    event = repo.add_event(title="Summit", date=dt.date(2026, 10, 1))
    with pytest.raises(ValidationError, match="end before it starts"):
        repo.update("event", int(event.id), None, date_end=dt.date(2026, 9, 1))  # type: ignore[arg-type]
    link = repo.add_link(seed.statement, seed.other_statement, "supports")
    with pytest.raises(ValidationError, match="linked to itself"):
        repo.update("link", int(link.id), None, to_id=seed.statement)  # type: ignore[arg-type]


def test_changing_an_article_text_updates_its_hash_and_moves_evidence_context(
    repo: Repo, seed: Seed
) -> None:
    new_text = "A new first paragraph.\n\n" + ARTICLE_TEXT
    article = repo.update("article", seed.article, None, text=new_text)
    assert article.content_hash == hashlib.sha256(new_text.encode()).hexdigest()  # type: ignore[attr-defined]
    start, end = _span(new_text, SEED_EVIDENCE)
    statement = repo.update(
        "statement", seed.statement, None, evidence_start=start, evidence_end=end
    )
    assert statement.evidence_exact == SEED_EVIDENCE  # type: ignore[attr-defined]
    assert statement.evidence_prefix == new_text[max(0, start - 32) : start]  # type: ignore[attr-defined]


def test_linking_again_restores_a_deleted_link(repo: Repo, seed: Seed) -> None:
    link = repo.add_link(seed.statement, seed.other_statement, "contradicts", note="first")
    repo.delete("link", int(link.id))  # type: ignore[arg-type]
    again = repo.add_link(seed.statement, seed.other_statement, "contradicts", note="second")
    assert again.id == link.id and again.deleted_at is None and again.note == "second"
    assert [c.op for c in repo.changes_for("link", int(link.id))] == ["create", "delete", "restore"]  # type: ignore[arg-type]


def test_a_duplicate_source_url_is_a_validation_error(repo: Repo) -> None:
    with pytest.raises(ValidationError, match="already taken"):
        repo.add_source("Copy", "https://wire.example/rss")


def test_every_stored_string_loses_terminal_controls_and_bidi_overrides(repo: Repo) -> None:
    hostile = "Title\x1b]0;pwned\x07 with \x1b[31mred\x1b[0m and \u202eevil\u202c\r\nend"
    source = repo.add_source(hostile, "https://clean.example/rss")
    article = repo.add_article(title=hostile, text=hostile, byline=hostile, source_id=source.id)
    actor = repo.add_actor(hostile, aliases=[hostile + " alias"])
    statement = repo.add_statement(text=hostile, tags=[hostile], notes=hostile)
    expected = "Title with red and evil\nend"
    for row, fields in (
        (source, ["name"]),
        (article, ["title", "text", "byline"]),
        (statement, ["text", "notes"]),
    ):
        for name in fields:
            assert getattr(row, name) == expected, (type(row).__name__, name)
    assert actor.name == " ".join(expected.split())  # names are one line
    assert statement.tags == [expected]
    # The cleaned text is what is stored and hashed, so evidence offsets match what is shown.
    assert article.content_hash == hashlib.sha256(expected.encode()).hexdigest()
