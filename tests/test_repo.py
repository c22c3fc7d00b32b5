"""The repository: every write logs its Change rows in the same transaction, and refuses cleanly."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
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
    _Tx,
)
from tests._support_data import row_counts, table_dump

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
    shutil.copyfile(seeded_template[0], path)
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
class WriteCase:
    """One public write method: how to call it and the Change row it must log."""

    name: str
    run: Callable[[Repo, Seed], int]
    op: str
    entity: str
    diff: Callable[[Repo, Seed, int, Ctx], dict[str, Any]]
    prepare: Callable[[Repo, Seed], Ctx] | None = None


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
]


def test_write_cases_cover_every_public_write_method() -> None:
    public_writes = {
        "add_source",
        "add_article",
        "set_triage",
        "mark_read",
        "add_actor",
        "add_alias",
        "add_issue",
        "add_statement",
        "add_link",
        "add_position",
        "add_event",
        "add_collection",
        "add_to_collection",
        "update",
        "delete",
        "restore",
    }
    assert {case.name for case in WRITE_CASES} == public_writes
    assert all(callable(getattr(Repo, name)) for name in public_writes)


@pytest.mark.parametrize("case", WRITE_CASES, ids=lambda case: case.name)
def test_write_logs_one_change_with_field_diff(repo: Repo, seed: Seed, case: WriteCase) -> None:
    ctx = case.prepare(repo, seed) if case.prepare else {}
    last = repo.last_change_id()
    before = _versions(repo)

    entity_id = case.run(repo, seed)

    changes = repo.changes_since(last)
    assert len(changes) == 1
    change = changes[0]
    assert (change.op, change.entity, change.entity_id, change.editor) == (
        case.op,
        case.entity,
        entity_id,
        EDITOR,
    )
    assert change.diff == case.diff(repo, seed, entity_id, ctx)
    assert change.at.utcoffset() == dt.timedelta(0)
    # A new transaction id, not reused from an earlier operation.
    assert change.txn not in {c.txn for c in repo.changes_since(0)[:-1]}

    row = _stored(repo, case.entity, entity_id)
    if case.op == "create":
        assert row.version == 1
        assert row.created_at == row.updated_at == change.at
    elif case.op == "read":  # an editor's own read state leaves the shared row alone
        assert row.version == before[(case.entity, entity_id)]
        assert repo.is_read(entity_id)
    else:
        assert row.version == before[(case.entity, entity_id)] + 1
        assert row.updated_at == change.at


def _versions(repo: Repo) -> dict[tuple[str, int], int]:
    versions = {}
    with repo.read() as session:
        for entity, model in ENTITIES.items():
            for row in session.exec(select(model)).scalars():  # type: ignore[call-overload]
                versions[(entity, row.id)] = row.version
    return versions


@pytest.mark.parametrize("case", WRITE_CASES, ids=lambda case: case.name)
def test_row_and_change_commit_in_one_transaction(
    repo: Repo, seed: Seed, case: WriteCase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If writing the Change row fails, the data change is rolled back with it."""
    if case.prepare:
        case.prepare(repo, seed)
    before = table_dump(repo.engine)

    def failing_log(self: _Tx, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError("change log unavailable")

    monkeypatch.setattr(_Tx, "log", failing_log)
    with pytest.raises(RuntimeError, match="change log unavailable"):
        case.run(repo, seed)
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
    assert repo.changes_since(last) == []
    assert table_dump(repo.engine) == before


# --------------------------------------------------------------------------- batches


def test_batch_commits_all_operations_with_one_txn(engine: Engine, repo: Repo, seed: Seed) -> None:
    last = repo.last_change_id()
    observer = open_desk(str(engine.url.database))
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
