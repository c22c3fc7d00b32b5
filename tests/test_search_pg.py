"""Search behind one syntax on both backends: the tsquery a search becomes on PostgreSQL,
input that is tsquery or SQL syntax, the same hits in the same order as on SQLite, and
every write path keeping the index in step (``check_in_step``).

Most tests run on whichever backend the suite runs on; the ones comparing PostgreSQL with
SQLite, or about PostgreSQL's row locks, run on the PostgreSQL pass.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text

import db.engine
from db.engine import open_desk
from db.migrate import downgrade, upgrade
from db.models import Statement
from db.repo import Repo
from db.repo_ingest import IncomingArticle
from db.repo_statements import SuggestedStatement
from db.search import (
    QueryError,
    check_in_step,
    count,
    fts_to_tsquery,
    newest_ids,
    parse_query,
    rebuild,
    search,
    tsvector,
)
from tests._support_links import Story, build_story
from tests.conftest import EDITOR


@pytest.fixture(autouse=True)
def _pg_desks_in_step(_pg_desks: Any, _drop_test_desks: None, tmp_path: Path) -> Iterator[None]:
    """On the PostgreSQL pass, what tests/conftest.py checks for SQLite desks after every
    test: each database this test wrote has tsvector tables saying what its rows say
    (checked before ``_drop_test_desks`` drops them, as it is set up first)."""
    yield
    if _pg_desks is None:
        return
    for name, path in list(_pg_desks.created.items()):
        if path.is_relative_to(tmp_path.resolve()):
            engine = create_engine(_pg_desks.url_for(name))
            try:
                with engine.connect() as conn:
                    assert check_in_step(conn) == [], path.name
            finally:
                engine.dispose()


# --------------------------------------------------------------------------- translation


@pytest.mark.parametrize(
    ("typed", "tsquery"),
    [
        ("call", "'call'"),
        ("call planned", "('call' & 'planned')"),
        ('"no call"', "('no' <-> 'call')"),
        ("quota*", "'quota':*"),
        ('"call betw"*', "('call' <-> 'betw':*)"),
        ("call OR quotas", "('call' | 'quotas')"),
        ("call NOT quotas", "('call' & !'quotas')"),
        ("call -quotas", "('call' & !'quotas')"),
        ('call -"no call"', "('call' & !('no' <-> 'call'))"),
        ("call -(planned OR offered)", "('call' & !('planned' | 'offered'))"),
        ("-quotas call", "('call' & !'quotas')"),
        ("(call OR dialogue) Carrow", "(('call' | 'dialogue') & 'carrow')"),
        # FTS5's precedence, NOT over AND over OR, kept by brackets
        ("a OR b c NOT d", "('a' | ('b' & ('c' & !'d')))"),
        ("U.S. don't", "(('u' <-> 's') & ('don' <-> 't'))"),
        ("Tomás", "'tomas'"),
    ],
)
def test_typed_search_becomes_a_tsquery(typed: str, tsquery: str) -> None:
    assert parse_query(typed).tsquery == tsquery


def test_the_link_suggesters_expressions_translate_too() -> None:
    assert fts_to_tsquery('"dialogue" OR "carrow" OR "call"') == (
        "('dialogue' | 'carrow' | 'call')"
    )
    assert fts_to_tsquery("dialogue carrow") == "('dialogue' & 'carrow')"  # implicit AND
    assert fts_to_tsquery('"it""s"') == "('it' <-> 's')"  # FTS5's doubled quote
    for broken in ('"call" AND', '("call"', '"call")', '""', "OR", "*"):
        with pytest.raises(QueryError, match="could not run"):
            fts_to_tsquery(broken)


def test_a_rows_vector_holds_the_words_search_reads() -> None:
    """Folded, split where FTS5 splits, and a gap between fields so that a phrase never
    runs from an article's title into its body."""
    assert tsvector(["Tomás's U.S. deal", None, "3.5 deal"]) == (
        "'tomas':1 's':2,4 'u':3 'deal':5,10 '3':8 '5':9"
    )


# --------------------------------------------------------------------------- a desk


HOSTILE_TEXT = (
    "O'Brien's \"plan\": a&b | !c (d) <-> e:* 50% off; it's \\ back-slash $$ :q %(q)s "
    "naïve café Москва 3.5 user@example.org"
)


@pytest.fixture
def desk(empty_db: Path) -> Iterator[tuple[Repo, Story]]:
    engine = open_desk(str(empty_db))
    repo = Repo(engine, EDITOR)
    story = build_story(repo)
    _extras(repo, story)
    yield repo, story
    engine.dispose()


def _extras(repo: Repo, story: Story) -> None:
    """Text where tokenisers disagree: punctuation, accents, other scripts, numbers."""
    article = repo.add_article(
        title="Tomás meets the U.S. envoy",
        text=f"{HOSTILE_TEXT}. Tomás Ruiz said the U.S. call was 3-2 in favour.",
        published_at=dt.datetime(2026, 12, 15, 9, 0, tzinfo=dt.UTC),
    )
    for words in (HOSTILE_TEXT, "Tomas Ruiz: the call between the leaders is off"):
        repo.add_statement(
            text=words,
            article_id=article.id,
            speaker_id=story.sol,
            said_on=dt.date(2026, 12, 15),
            date_precision="day",
            attribution="said Sol's office",
        )


def _ids(repo: Repo, typed: str) -> list[tuple[str, int]]:
    with repo.read() as session:
        hits = search(session.connection(), parse_query(typed)).hits
    return [(h.kind, h.id) for h in hits]


@pytest.mark.parametrize(
    ("hostile", "same_as"),
    [
        ("O'Brien's", '"o brien s"'),
        ("a&b", '"a b"'),
        ("!c (d)", "c d"),
        ("<-> e:*", "e*"),
        ("50% off;", "50 off"),
        ("it's \\ back-slash", '"it s" "back slash"'),
        ("'; DROP TABLE statement; --", "drop table statement"),
        ("$$ :q %(q)s %s", "q q s s"),
        ("call:A | quotas:*", "call quotas*"),
        ("naïve Москва", "naive москва"),
        ("user@example.org", '"user example org"'),
    ],
)
def test_syntax_in_a_search_is_only_words(
    desk: tuple[Repo, Story], hostile: str, same_as: str
) -> None:
    """Quotes, backslashes, colons, & | ! ( ) and SQL in a search are punctuation: they find
    what their words find, on either backend, and break nothing."""
    repo, _story = desk
    assert _ids(repo, hostile) == _ids(repo, same_as)
    assert _ids(repo, "naïve")  # the desk answers after every one of them
    with repo.read() as session:
        assert session.connection().execute(text("SELECT count(*) FROM statement")).scalar()


@pytest.mark.parametrize("broken", ['"', '"a', "a AND", "(", ")", "()", "OR -x", "NOT x"])
def test_a_malformed_hostile_search_says_so(desk: tuple[Repo, Story], broken: str) -> None:
    repo, _story = desk
    with pytest.raises(QueryError):
        _ids(repo, f"call {broken}" if not broken.startswith("NOT") else broken)
    assert _ids(repo, "call")  # nothing left half-done: the next search runs


def test_every_hostile_literal_is_valid_for_postgres(backend: str, tmp_path: Path) -> None:
    """The vector of any text and the tsquery of any search are literals PostgreSQL takes
    (run on the server on the PostgreSQL pass)."""
    if backend != "postgres":
        pytest.skip("PostgreSQL reads the literals")
    engine = open_desk(str(tmp_path / "literals.db"))
    typed = [
        HOSTILE_TEXT,
        "'\\'' \\\\ x:* y:AB & | ! (z) <-> <2>",
        "word " + "x" * 3000,  # longer than a lexeme may be: cut alike on both sides
        "ǅemal ﬁnance ß İstanbul 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ١٢٣",
    ]
    try:
        with engine.connect() as conn:
            for value in typed:
                found = conn.execute(
                    text("SELECT CAST(:v AS tsvector) @@ CAST(:q AS tsquery)"),
                    {"v": tsvector([value]), "q": parse_query(value).tsquery},
                ).scalar()
                assert found is True, value
    finally:
        engine.dispose()


def test_searches_count_and_pool_alike(desk: tuple[Repo, Story]) -> None:
    repo, story = desk
    with repo.read() as session:
        conn = session.connection()
        assert count(conn, "statement", parse_query("call")) == 5
        assert count(conn, "statement", parse_query("call"), cap=2) == 2
        every = newest_ids(conn, "statement", '"call" OR "quotas"', 10)
        assert newest_ids(conn, "statement", '"call" OR "quotas"', 3) == every[:3]
    assert every == sorted(every, reverse=True) and story.fishing in every and len(every) == 6


@pytest.mark.parametrize(
    ("recent", "budget"),
    [(1, 2), (1, 1_000), (2, 5), (3, 1_000)],
    ids=["index-at-once", "extrapolated-slices", "slices-then-index", "slices"],
)
def test_the_newest_hits_whichever_way_they_are_read(
    desk: tuple[Repo, Story], monkeypatch: pytest.MonkeyPatch, recent: int, budget: int
) -> None:
    """PostgreSQL reads the newest entries first and turns to the GIN index when a search
    is rare there (``db.search._pg_newest``): each way gives the newest hits, in order, as
    reading everything does. The story desk is small, so the limits are made small."""
    import db.search as search_module

    repo, _story = desk
    queries = ['"call"', '"call" OR "quotas"', '"the two" *', '"no call"', '"zzz"', '"carrow"']
    with repo.read() as session:
        conn = session.connection()
        expected = {(q, n): newest_ids(conn, "statement", q, n) for q in queries for n in (1, 3)}
        expected |= {("articles", n): newest_ids(conn, "article", '"said"', n) for n in (1, 4)}
        monkeypatch.setattr(search_module, "RECENT", {"statement": recent, "article": recent})
        monkeypatch.setattr(search_module, "BUDGET", {"statement": budget, "article": budget})
        for (q, n), ids in expected.items():
            if q == "articles":
                assert newest_ids(conn, "article", '"said"', n) == ids
            else:
                assert newest_ids(conn, "statement", q, n) == ids, (q, n)
    assert expected[('"call"', 3)] and len(expected[("articles", 4)]) == 4


# --------------------------------------------------------------------------- parity


def _sqlite_engine(path: Path) -> Engine:
    """A SQLite desk, also on the PostgreSQL pass (which sends every desk path to the
    server): a private copy of db.engine, whose make_engine nothing redirects."""
    spec = importlib.util.spec_from_file_location("_engine_sqlite_only", db.engine.__file__)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    engine: Engine = module.make_engine(str(path))
    upgrade(engine)
    return engine


PARITY = [
    "call",
    "call planned",
    '"no call"',
    '"call between" NOT fishing',
    "quota*",
    "cal*",
    '"two lead"*',
    "call OR quotas",
    "call -(planned OR offered)",
    "-quotas call",
    "(call OR dialogue) Carrow",
    "Hask call",
    "Orin OR Marta",  # speakers are indexed with the statements
    "office",  # and attributions
    "Tomás",
    "tomas ruiz",
    "U.S.",
    '"u s call"',
    "3-2",
    "3.5",
    "naïve OR Москва",
    "user@example.org",
    "O'Brien's",
    "envoy",  # a title word
    '"envoy o brien"',  # across an article's title and body: no phrase on either backend
    "a OR b c NOT d",
]


def _everything(repo: Repo, typed: str, window: dict[str, int] | None = None) -> Any:
    with repo.read() as session:
        conn = session.connection()
        query = parse_query(typed)
        results = search(conn, query, window=window)
        counts = [count(conn, kind, query) for kind in ("statement", "article")]
    return results.hits, results.windowed, counts  # Hit: every field, snippet and marks


def test_postgres_finds_and_ranks_what_sqlite_does(
    backend: str, desk: tuple[Repo, Story], tmp_path: Path
) -> None:
    """The same desk on both backends: the same hits, scores, order, snippets and marks,
    windowed or not, and the same counts and link pools."""
    if backend != "postgres":
        pytest.skip("compares the PostgreSQL desk with a SQLite one")
    repo, story = desk
    engine = _sqlite_engine(tmp_path / "twin.db")
    try:
        twin = Repo(engine, EDITOR)
        assert build_story(twin) == story
        _extras(twin, story)
        small = {"statement": 2, "article": 1}
        for typed in PARITY:
            assert _everything(repo, typed) == _everything(twin, typed), typed
            assert _everything(repo, typed, small) == _everything(twin, typed, small), typed
        with repo.read() as pg, twin.read() as lite:
            for fts in ('"call" OR "leaders"', '"call" *', '"no call"'):
                assert newest_ids(pg.connection(), "statement", fts, 4) == newest_ids(
                    lite.connection(), "statement", fts, 4
                )
        assert _ids(repo, "envoy")  # the twin test is not vacuous
        assert _ids(repo, '"envoy o brien"') == []
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- upkeep


def _in_step(repo: Repo) -> list[str]:
    with repo.read() as session:
        return check_in_step(session.connection())


def test_every_write_path_keeps_the_index_in_step(desk: tuple[Repo, Story]) -> None:
    repo, story = desk

    def statement_ids(typed: str) -> set[int]:
        return {i for kind, i in _ids(repo, typed) if kind == "statement"}

    def version(entity: str, entity_id: int) -> int:
        row = repo.get(entity, entity_id)
        assert row is not None
        return int(row.version)  # type: ignore[attr-defined]

    repo.update("statement", story.fishing, version("statement", story.fishing), text="Zebra")
    assert statement_ids("zebra") == {story.fishing} and not statement_ids("winter")
    assert _in_step(repo) == []

    repo.update("actor", story.hask, version("actor", story.hask), name="Orin Haskell")
    assert story.floated in statement_ids("haskell")  # the speaker's new name
    assert _in_step(repo) == []
    repo.undo_last()
    assert not statement_ids("haskell") and story.floated in statement_ids("hask")
    assert _in_step(repo) == []

    repo.delete("statement", story.called_off)
    assert story.called_off not in statement_ids("call")
    assert _in_step(repo) == []
    repo.restore("statement", story.called_off)
    assert story.called_off in statement_ids("call")
    assert _in_step(repo) == []

    repo.merge_actors(story.sol, story.hask)  # Sol's statements now read "Orin Hask"
    assert story.answer in statement_ids('"orin hask"')
    assert _in_step(repo) == []

    outcome = repo.ingest_articles(
        None,
        [
            IncomingArticle(title="Quokka summit", text="A quokka summit opens.", guid="q1"),
            IncomingArticle(title="Walrus talks", text="Walrus talks stall.", guid="w1"),
        ],
    )
    article = outcome.added[0]
    assert ("article", article) in _ids(repo, "quokka")
    repo.ingest_articles(
        None, [IncomingArticle(title="Quokka summit", text="An ibex summit opens.", guid="q1")]
    )
    assert ("article", article) in _ids(repo, "ibex") and not _ids(repo, '"a quokka"')
    assert _in_step(repo) == []

    body = "Officials said the narwhal plan is final."
    repo.update("article", article, version("article", article), text=body)
    start = body.index("the narwhal")
    stored = repo.store_suggestions(
        article, [SuggestedStatement(start=start, end=len(body) - 1, text="the narwhal plan")]
    )
    assert statement_ids("narwhal") == set(stored)
    assert _in_step(repo) == []
    repo.delete("article", article)
    assert ("article", article) not in _ids(repo, "narwhal")
    assert _in_step(repo) == []


def test_a_write_past_the_repository_is_found_and_rebuilt(desk: tuple[Repo, Story]) -> None:
    repo, story = desk
    with repo.engine.begin() as conn:
        conn.execute(
            text("UPDATE statement SET text = 'Okapi' WHERE id = :id"), {"id": story.fishing}
        )
    assert _in_step(repo)  # the index still says what the row said
    with repo.engine.begin() as conn:
        rebuild(conn, "statement")
    assert _in_step(repo) == []
    assert [i for _k, i in _ids(repo, "okapi")] == [story.fishing]


def test_the_migration_builds_the_index_from_stored_rows(desk: tuple[Repo, Story]) -> None:
    """Migration 0008 on a desk with rows: PostgreSQL's tables are filled from them (on
    SQLite, where FTS5 serves, it does nothing)."""
    repo, story = desk
    before = _ids(repo, "call OR quotas")
    downgrade(repo.engine, "0007")
    with repo.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            assert conn.execute(text("SELECT to_regclass('statement_search_doc')")).scalar() is None
    upgrade(repo.engine)
    assert (
        _ids(repo, "call OR quotas") == before
        and (
            "statement",
            story.fishing,
        )
        in before
    )
    assert _in_step(repo) == []


def _wait_for_lock_wait(engine: Engine) -> None:
    """Until another session of this database waits on a row lock (bounded)."""
    for _ in range(400):
        with engine.connect() as conn:
            waiting = conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'"
                )
            ).scalar()
        if waiting:
            return
        time.sleep(0.025)
    raise AssertionError("the rename never waited for the statement's writer")


def test_concurrent_writers_leave_the_index_in_step(backend: str, desk: tuple[Repo, Story]) -> None:
    """A statement edited in one transaction while its speaker is renamed in another: the
    rename's entry for that statement must carry the edited text, not the text it read
    before the edit committed."""
    if backend != "postgres":
        pytest.skip("about PostgreSQL's concurrent writers (SQLite has one writer at a time)")
    repo, story = desk
    other = Repo(repo.engine, "colleague")
    editing = repo._write()
    tx = editing.__enter__()
    try:
        row = tx.get(Statement, story.floated)
        tx.update(row, {"text": "A gnu summit is planned"}, None)
        tx.session.flush()
        tx.index.flush()  # this transaction's entry is written; it has not committed
        failures: list[BaseException] = []

        def rename() -> None:
            try:
                actor = other.get("actor", story.hask)
                other.update("actor", story.hask, actor.version, name="Orin Haskell")  # type: ignore[union-attr]
            except BaseException as exc:  # reported below
                failures.append(exc)

        renamer = threading.Thread(target=rename)
        renamer.start()
        _wait_for_lock_wait(repo.engine)
    except BaseException:
        editing.__exit__(None, None, None)
        raise
    editing.__exit__(None, None, None)  # commits the edit; the rename goes on
    renamer.join(timeout=60)
    assert not renamer.is_alive() and failures == []
    assert _in_step(repo) == []
    assert [i for _k, i in _ids(repo, "gnu haskell")] == [story.floated]
