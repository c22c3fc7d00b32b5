"""The search syntax an editor types, and what it finds on a real desk."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from db.engine import open_desk
from db.repo import Repo
from db.search import QueryError, parse_query, search
from tests._support_links import Story, build_story
from tests.conftest import EDITOR


@pytest.mark.parametrize(
    ("typed", "fts"),
    [
        ("call", '"call"'),
        ("call planned", '"call" AND "planned"'),
        ('"no call"', '"no call"'),
        ("quota*", '"quota" *'),
        ("call OR quotas", '"call" OR "quotas"'),
        ("call NOT quotas", '"call" NOT "quotas"'),
        ("call -quotas", '"call" NOT "quotas"'),
        ('call -"no call"', '"call" NOT "no call"'),
        ("call -(planned OR offered)", '"call" NOT ("planned" OR "offered")'),
        ("call AND -quotas", '"call" NOT "quotas"'),
        ("-quotas call", '"call" NOT "quotas"'),
        ("(call OR dialogue) Carrow", '("call" OR "dialogue") AND "carrow"'),
        ("U.S. don't", '"u s" AND "don t"'),  # punctuation never reads as syntax
        ("Tomás", '"tomas"'),
    ],
)
def test_typed_search_becomes_fts5(typed: str, fts: str) -> None:
    assert parse_query(typed).fts == fts


def test_a_typed_search_reads_the_same_as_a_tsquery() -> None:
    """PostgreSQL runs the same parse (its table: tests/test_search_pg.py)."""
    query = parse_query('call -"no call" OR quota*')
    assert query.tsquery == "(('call' & !('no' <-> 'call')) | 'quota':*)"


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("", "Type something"),
        ('"call', "quote is not closed"),
        ('""', "Nothing to search for between the quotes"),
        ("call AND", "AND needs a word after it"),
        ("call OR", "OR needs a word after it"),
        ("call OR -quotas", "OR -word"),
        ("(call", "bracket is not closed"),
        ("call)", "closing bracket has no opening one"),
        ("call ()", "Empty brackets"),
        ("NOT call", "NOT needs a word before it"),
        ("AND OR", "operators alone"),
    ],
)
def test_a_malformed_search_says_what_to_fix(typed: str, says: str) -> None:
    with pytest.raises(QueryError, match=says):
        parse_query(typed)


@pytest.fixture
def desk(empty_db: Path) -> Iterator[tuple[Repo, Story]]:
    engine = open_desk(str(empty_db))
    repo = Repo(engine, EDITOR)
    yield repo, build_story(repo)
    engine.dispose()


def _ids(repo: Repo, typed: str) -> set[int]:
    with repo.read() as session:
        hits = search(session.connection(), parse_query(typed), kinds=("statement",)).hits
    return {h.id for h in hits}


def test_searches_find_and_exclude_what_they_say(desk: tuple[Repo, Story]) -> None:
    repo, story = desk
    calls = {story.floated, story.floated_again, story.called_off, story.answer}
    assert _ids(repo, "call") == calls
    assert _ids(repo, '"no call"') == {story.called_off}
    assert _ids(repo, 'call -"no call"') == calls - {story.called_off}
    assert _ids(repo, "call -(planned OR offered)") == {story.floated, story.floated_again}
    assert _ids(repo, "quota* OR dialogue") == {story.fishing, story.floated, story.floated_again}
    assert _ids(repo, "Hask call") == {story.floated, story.floated_again, story.called_off}


def test_hits_carry_the_statements_standing(desk: tuple[Repo, Story]) -> None:
    repo, story = desk
    repo.add_link(story.called_off, story.floated, "updates")
    with repo.read() as session:
        hits = search(session.connection(), parse_query('"could be announced"')).hits
    standing = {h.id: h.verification for h in hits if h.kind == "statement"}
    assert standing[story.floated] == "superseded"
    assert standing[story.floated_again] == "unverified"


def test_statements_and_articles_are_ranked_on_one_scale(desk: tuple[Repo, Story]) -> None:
    """Each kind's best hit scores 1: a long article's title weight does not bury every
    statement under the articles."""
    repo, _story = desk
    with repo.read() as session:
        hits = search(session.connection(), parse_query("quotas")).hits
    assert {h.kind for h in hits if h.score == 1.0} == {"statement", "article"}
    assert hits[0].kind == "statement"  # a tie goes to the statement


def test_a_superseded_hit_says_so_on_screen(desk: tuple[Repo, Story]) -> None:
    from workbench.ui.search import hit_text

    repo, story = desk
    repo.add_link(story.called_off, story.floated, "updates")
    with repo.read() as session:
        hits = search(session.connection(), parse_query('"could be announced"')).hits
    shown = {h.id: hit_text(h, []).plain for h in hits if h.kind == "statement"}
    assert "[superseded]" in shown[story.floated]
    assert "[" not in shown[story.floated_again].splitlines()[0]
