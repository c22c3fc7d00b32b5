"""Reviewing suggestions in the repository: a decision names the version the editor saw,
so a stale screen can never overwrite a colleague's accept or dismiss.

Two editors are two engines on the same SQLite file, as two SSH sessions would be.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import col, select

from db.engine import open_desk
from db.models import Actor, Change, Issue, Position, Statement
from db.repo import ConflictError, NotFoundError, Repo
from db.repo_ingest import IncomingArticle, ReviewConflict, TableFound
from db.repo_statements import SuggestedStatement
from tests.conftest import EDITOR

TEXT = (
    "The minister said the ferry would run again on Monday.\n\n"
    "A spokeswoman said the crews were ready.\n\n"
    "Officials said the inspections were complete."
)
COLLEAGUE = "maria"


@pytest.fixture
def desk(empty_db: Path) -> Iterator[tuple[Repo, Repo]]:
    """(me, a colleague): two sessions on one desk file."""
    mine, theirs = open_desk(str(empty_db)), open_desk(str(empty_db))
    yield Repo(mine, EDITOR), Repo(theirs, COLLEAGUE)
    mine.dispose()
    theirs.dispose()


def _article(repo: Repo) -> int:
    outcome = repo.ingest_articles(
        None,
        [
            IncomingArticle(
                title="Ferries",
                text=TEXT,
                canonical_url="https://wire.example/ferries",
                published_at=dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC),
            )
        ],
    )
    return (outcome.added or outcome.updated)[0]


def _suggestions(repo: Repo, article_id: int) -> list[int]:
    found = []
    for words in ("the ferry would run again", "the crews were ready", "inspections"):
        start = TEXT.index(words)
        found.append(SuggestedStatement(start=start, end=start + len(words), text=words))
    return repo.store_suggestions(article_id, found)


def _statement(repo: Repo, statement_id: int) -> Statement:
    with repo.read() as session:
        row = session.get(Statement, statement_id)
        assert row is not None
        return row


def _changes(repo: Repo, entity: str, entity_id: int) -> list[Change]:
    with repo.read() as session:
        return list(
            session.exec(
                select(Change)
                .where(Change.entity == entity, Change.entity_id == entity_id)
                .order_by(col(Change.id))
            )
        )


def test_a_review_at_the_version_seen_is_stored_with_its_change(
    desk: tuple[Repo, Repo],
) -> None:
    me, _colleague = desk
    first, *_ = _suggestions(me, _article(me))
    seen = _statement(me, first).version
    me.review("statement", first, "accepted", expected_version=seen)
    stored = _statement(me, first)
    assert (stored.review, stored.version) == ("accepted", seen + 1)
    last = _changes(me, "statement", first)[-1]
    assert (last.op, last.editor, last.diff) == (
        "update",
        EDITOR,
        {"review": ["suggested", "accepted"]},
    )


def test_a_stale_dismiss_never_overwrites_a_colleagues_accept(desk: tuple[Repo, Repo]) -> None:
    me, colleague = desk
    first, *_ = _suggestions(me, _article(me))
    seen = _statement(me, first).version  # my screen shows it as a suggestion
    colleague.review("statement", first, "accepted", expected_version=seen)
    logged = len(_changes(me, "statement", first))

    with pytest.raises(ReviewConflict) as refused:
        me.review("statement", first, "dismissed", expected_version=seen)
    assert isinstance(refused.value, ConflictError)  # callers that catch the general case
    assert refused.value.changed_by == COLLEAGUE
    assert refused.value.gone is False
    assert refused.value.theirs.review == "accepted"  # type: ignore[attr-defined]
    assert COLLEAGUE in str(refused.value) and "accepted" in str(refused.value)
    stored = _statement(me, first)
    assert (stored.review, stored.version) == ("accepted", seen + 1)
    assert len(_changes(me, "statement", first)) == logged  # nothing written


def test_a_suggestion_edited_since_it_was_seen_is_not_accepted_blind(
    desk: tuple[Repo, Repo],
) -> None:
    """Still a suggestion, but not the one I read: accepting it would accept words I never
    saw."""
    me, colleague = desk
    first, *_ = _suggestions(me, _article(me))
    seen = _statement(me, first).version
    colleague.save_statement(
        {"text": "the ferry would not run"}, statement_id=first, expected_version=seen
    )
    with pytest.raises(ReviewConflict) as refused:
        me.review("statement", first, "accepted", expected_version=seen)
    assert refused.value.changed_by == COLLEAGUE
    assert _statement(me, first).review == "suggested"


def test_a_suggestion_replaced_by_a_new_pass_is_a_conflict_not_an_error(
    desk: tuple[Repo, Repo],
) -> None:
    me, colleague = desk
    article_id = _article(me)
    first, *_ = _suggestions(me, article_id)
    seen = _statement(me, first).version
    _suggestions(colleague, article_id)  # the colleague asked for suggestions again
    with pytest.raises(ReviewConflict) as refused:
        me.review("statement", first, "accepted", expected_version=seen)
    assert refused.value.gone and refused.value.changed_by == COLLEAGUE
    assert _statement(me, first).deleted_at is not None
    assert _statement(me, first).review == "suggested"


def test_a_review_of_a_row_that_never_existed_says_so(desk: tuple[Repo, Repo]) -> None:
    me, _colleague = desk
    with pytest.raises(NotFoundError):
        me.review("statement", 999, "accepted", expected_version=1)


def test_a_stale_position_accept_brings_nothing_along(desk: tuple[Repo, Repo]) -> None:
    """Accepting a position also accepts its suggested issue and actor; refused, it must
    leave those alone too."""
    me, colleague = desk
    article_id = _article(me)
    me.store_tables(
        article_id,
        [
            TableFound(
                0,
                10,
                "positions",
                ["Issue", "Calvera"],
                [["Dam", "Keep filling"]],
                positions=[("Dam", "Calvera", "Keep filling")],
            )
        ],
    )
    with me.read() as session:
        (position,) = session.exec(select(Position)).all()
    seen = position.version
    colleague.update("position", int(position.id), seen, summary="Stop filling")  # type: ignore[arg-type]
    with pytest.raises(ReviewConflict):
        me.review("position", int(position.id), "accepted", expected_version=seen)  # type: ignore[arg-type]
    with me.read() as session:
        assert session.exec(select(Position.review)).all() == ["suggested"]
        assert session.exec(select(Issue.review)).all() == ["suggested"]
        assert session.exec(select(Actor.review)).all() == ["suggested"]
    me.review("position", int(position.id), "accepted", expected_version=seen + 1)  # type: ignore[arg-type]
    with me.read() as session:
        assert session.exec(select(Issue.review)).all() == ["accepted"]
        assert session.exec(select(Actor.review)).all() == ["accepted"]


def test_evidence_marks_carry_the_version_of_each_live_statement(
    desk: tuple[Repo, Repo],
) -> None:
    me, colleague = desk
    article_id = _article(me)
    first, second, third = _suggestions(me, article_id)
    colleague.review("statement", second, "dismissed", expected_version=1)
    marks = me.evidence_marks(article_id)
    assert [(m[0], m[3], m[4]) for m in marks] == [
        (first, "suggested", 1),
        (second, "dismissed", 2),
        (third, "suggested", 1),
    ]
    start = TEXT.index("the crews were ready")
    assert marks[1][1:3] == (start, start + len("the crews were ready"))
    _suggestions(colleague, article_id)  # replaces the two still suggested
    assert first not in {m[0] for m in me.evidence_marks(article_id)}
