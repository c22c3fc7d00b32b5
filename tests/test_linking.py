"""Links between statements: the picker's candidates, the desk's own proposals
(duplicates, updates, contradictions) and superseding, on a small story of our own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from db.engine import open_desk
from db.models import Change, Link, Statement
from db.repo import Repo
from db.search import QueryError
from tests._support_links import Story, build_story
from tests.conftest import EDITOR
from workbench.linking import candidates, propose, stance, suggest_links


@pytest.fixture
def repo(empty_db: Path) -> Iterator[Repo]:
    engine = open_desk(str(empty_db))
    yield Repo(engine, EDITOR)
    engine.dispose()


@pytest.fixture
def story(repo: Repo) -> Story:
    return build_story(repo)


def _verification(repo: Repo, statement_id: int) -> str:
    with repo.read() as session:
        row = session.get(Statement, statement_id)
        assert row is not None
        return row.verification


def test_stance_reads_negation_and_hedging() -> None:
    assert stance("No call is planned").negative
    assert stance("The ministry denied the report").negative
    assert stance("They won't sign").negative
    assert not stance("A call could be announced soon").negative
    assert stance("A call could be announced soon").hedged
    assert not stance("The treaty was signed on Monday").hedged


def test_the_desk_proposes_duplicates_and_updates_from_later_to_earlier(
    repo: Repo, story: Story
) -> None:
    found = {(p.from_id, p.to_id, p.relation) for p in propose(repo, [story.called_off])}
    assert (story.called_off, story.floated, "updates") in found
    assert (story.called_off, story.floated_again, "updates") in found
    assert not any(story.fishing in (f, t) for f, t, _ in found)  # another issue

    found = {(p.from_id, p.to_id, p.relation) for p in propose(repo, [story.floated_again])}
    assert (story.floated_again, story.floated, "duplicates") in found

    found = {(p.from_id, p.to_id, p.relation) for p in propose(repo, [story.answer])}
    assert (story.answer, story.floated, "contradicts") in found


def test_suggestions_are_stored_once_and_a_dismissed_one_stays_dismissed(
    repo: Repo, story: Story
) -> None:
    first = suggest_links(repo)
    assert first >= 4
    rows = repo.suggested_links()
    assert len(rows) == first
    update = next(
        r
        for r in rows
        if r.relation == "updates"
        and (r.from_side.id, r.to_side.id) == (story.called_off, story.floated)
    )
    assert update.from_side.speaker == "Orin Hask" and update.to_side.outlet == "Tide Courier"
    assert "same speaker" in update.note
    assert suggest_links(repo) == 0  # nothing proposed twice
    repo.review("link", update.link_id, "dismissed")
    assert suggest_links(repo) == 0  # a dismissed suggestion is not proposed again
    assert all(r.link_id != update.link_id for r in repo.suggested_links())


def test_an_accepted_update_supersedes_and_undoing_it_restores(repo: Repo, story: Story) -> None:
    repo.update("statement", story.floated, None, verification="verified")
    suggest_links(repo, [story.called_off])
    update = next(
        r
        for r in repo.suggested_links()
        if (r.from_side.id, r.to_side.id) == (story.called_off, story.floated)
    )
    assert _verification(repo, story.floated) == "verified"  # a suggestion supersedes nothing
    repo.review("link", update.link_id, "accepted")
    assert _verification(repo, story.floated) == "superseded"
    assert _verification(repo, story.called_off) == "unverified"
    with Session(repo.engine) as session:
        ops = session.exec(
            select(Change.op).where(Change.entity == "statement", Change.entity_id == story.floated)
        ).all()
    assert "supersede" in ops  # accountable like any change
    repo.delete("link", update.link_id)
    assert _verification(repo, story.floated) == "verified"  # what it was before


def test_a_hand_made_updates_link_supersedes_until_its_relation_changes(
    repo: Repo, story: Story
) -> None:
    link = repo.add_link(story.called_off, story.answer, "updates", note="by hand")
    assert _verification(repo, story.answer) == "superseded"
    repo.set_link_relation(link.id, "responds_to")  # type: ignore[arg-type]
    assert _verification(repo, story.answer) == "unverified"


def test_picker_candidates_rank_the_same_story_first_and_filter_by_typing(
    repo: Repo, story: Story
) -> None:
    ranked = candidates(repo, story.called_off)
    ids = [r.candidate.id for r in ranked]
    assert story.called_off not in ids
    assert set(ids[:3]) == {story.floated, story.floated_again, story.answer}
    fishing = candidates(repo, story.called_off, typed="fish")
    assert fishing[0].candidate.id == story.fishing
    assert (
        candidates(repo, story.called_off, typed="Harbour Post")[0].candidate.outlet
        == "Harbour Post"
    )
    with pytest.raises(QueryError):
        candidates(repo, story.called_off, typed="call AND")


def test_picker_shows_existing_links(repo: Repo, story: Story) -> None:
    repo.add_link(story.floated_again, story.floated, "duplicates")
    ranked = {r.candidate.id: r for r in candidates(repo, story.floated)}
    assert ranked[story.floated_again].linked == "duplicates"
    detail = repo.statement_detail(story.floated)
    assert detail is not None
    (incoming,) = detail.links
    assert (incoming.direction, incoming.other_id, incoming.other_outlet) == (
        "in",
        story.floated_again,
        "Harbour Post",
    )
    with Session(repo.engine) as session:
        assert session.exec(select(Link).where(col(Link.review) == "accepted")).one()


def test_a_quote_repeated_in_many_stories_makes_one_link_per_copy(repo: Repo) -> None:
    """Six reports of the same words: five duplicates links (each copy to the earliest
    report), not the fifteen pairs an editor would otherwise have to review."""
    words = "The harbour will stay closed to tankers until the inspection ends"
    ids = []
    for n in range(6):
        article = repo.add_article(title=f"Report {n}", text=f"Report {n}. {words}.")
        ids.append(repo.add_statement(text=words, article_id=article.id).id)
    assert suggest_links(repo) == 5
    rows = repo.suggested_links()
    assert {r.relation for r in rows} == {"duplicates"}
    assert {r.to_side.id for r in rows} == {ids[0]}
    assert {r.from_side.id for r in rows} == set(ids[1:])
