"""Statements in the repository: saving the editor's form, machine suggestions, merging
actors, and evidence that follows (or loses) its words when an article changes."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import col, select
from typer.testing import CliRunner

from db.engine import open_desk
from db.models import Actor, ActorAlias, Change, EventActor, Position, Statement
from db.repo import ConflictError, Repo, ValidationError
from db.repo_ingest import IncomingArticle
from db.repo_statements import SuggestedStatement, refind_evidence
from db.tx import QUOTE_CONTEXT
from tests.conftest import EDITOR
from workbench.extract.suggest import resolver_for, suggest_for_article

FIXTURES = Path(__file__).parent / "fixtures" / "statements"
TEXT = (FIXTURES / "ferry_talks.txt").read_text(encoding="utf-8")
PUBLISHED = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)
URL = "https://brief.example/ferries"
#: Words of the fixture article, quoted by the statements below.
KEPT = "We have agreed on the timetable, the crews and the inspections"
REWORDED = "the federation expected a written guarantee by 15 December"
REMOVED = "Ostmarin would not sign anything while 400 tonnes of grain remained stuck"
#: Demo desk actors.
PELLARA, IDREVO, FENDREL = 1, 3, 4


@pytest.fixture
def repo(empty_db: Path) -> Iterator[Repo]:
    engine = open_desk(str(empty_db))
    yield Repo(engine, EDITOR)
    engine.dispose()


def _span(text: str, words: str) -> tuple[int, int]:
    start = text.index(words)
    return start, start + len(words)


def _ingest(repo: Repo, text: str) -> int:
    outcome = repo.ingest_articles(
        None,
        [
            IncomingArticle(
                title="Ferry talks", text=text, canonical_url=URL, published_at=PUBLISHED
            )
        ],
    )
    (article_id,) = outcome.added or outcome.updated
    return article_id


def _changes(repo: Repo, entity: str, entity_id: int) -> list[Change]:
    with repo.read() as session:
        return list(
            session.exec(
                select(Change)
                .where(Change.entity == entity, Change.entity_id == entity_id)
                .order_by(col(Change.id))
            )
        )


def _statements(repo: Repo, article_id: int) -> list[Statement]:
    with repo.read() as session:
        return list(
            session.exec(
                select(Statement)
                .where(Statement.article_id == article_id)
                .order_by(col(Statement.id))
            )
        )


# --------------------------------------------------------------------------- the editor's form


def test_a_saved_form_stores_its_evidence_as_a_text_quote_and_position(repo: Repo) -> None:
    article_id = _ingest(repo, TEXT)
    start, end = _span(TEXT, KEPT)
    saved = repo.save_statement(
        {
            "article_id": article_id,
            "evidence": (start, end),
            "text": KEPT,
            "quote": True,
            "said_on": dt.date(2026, 12, 3),
            "date_precision": "day",
            "tags": ["ferries"],
        },
        new_speaker=("Ottoline Prasz", "person"),
    )
    assert (saved.evidence_start, saved.evidence_end) == (start, end)
    assert saved.evidence_exact == KEPT
    assert saved.evidence_prefix == TEXT[start - QUOTE_CONTEXT : start]
    assert saved.evidence_suffix == TEXT[end : end + QUOTE_CONTEXT]
    assert saved.version == 1 and saved.editor == EDITOR
    with repo.read() as session:
        actor = session.get(Actor, saved.speaker_id)
        assert actor is not None and actor.name == "Ottoline Prasz"
        aliases = session.exec(select(ActorAlias.norm).where(ActorAlias.actor_id == actor.id))
        assert list(aliases) == ["ottoline prasz"]
    (created,) = _changes(repo, "statement", int(saved.id))  # type: ignore[arg-type]
    assert created.op == "create"
    assert created.diff["evidence_exact"] == [None, KEPT]
    assert created.diff["speaker_id"] == [None, saved.speaker_id]


def test_a_refused_form_creates_no_speaker_either(repo: Repo) -> None:
    article_id = _ingest(repo, TEXT)
    with pytest.raises(ValidationError):
        repo.save_statement(
            {"article_id": article_id, "evidence": (0, len(TEXT) + 5), "text": "too far"},
            new_speaker=("Nobody Atall", "person"),
        )
    with repo.read() as session:
        assert session.exec(select(Actor)).all() == []
        assert session.exec(select(Statement)).all() == []


def test_an_update_names_its_version_and_logs_only_what_changed(repo: Repo) -> None:
    saved = repo.save_statement({"text": "Ferries resume in spring.", "tags": ["ferries"]})
    statement_id = int(saved.id)  # type: ignore[arg-type]
    updated = repo.save_statement(
        {"text": "Ferries resume in spring.", "verification": "disputed", "tags": ["a", "b"]},
        statement_id=statement_id,
        expected_version=1,
    )
    assert updated.version == 2 and updated.verification == "disputed"
    change = _changes(repo, "statement", statement_id)[-1]
    assert change.op == "update"
    assert change.diff == {
        "verification": ["unverified", "disputed"],
        "tags": [["ferries"], ["a", "b"]],
    }

    with pytest.raises(ConflictError) as conflict:  # the form was opened at version 1
        repo.save_statement({"notes": "late"}, statement_id=statement_id, expected_version=1)
    assert conflict.value.theirs.version == 2  # type: ignore[attr-defined]
    with repo.read() as session:
        stored = session.get(Statement, statement_id)
        assert stored is not None and stored.notes == "" and stored.version == 2
    assert len(_changes(repo, "statement", statement_id)) == 2


# --------------------------------------------------------------------------- suggestions


def _suggestion(text: str, words: str, **kwargs: object) -> SuggestedStatement:
    start, end = _span(text, words)
    return SuggestedStatement(start=start, end=end, text=words, **kwargs)  # type: ignore[arg-type]


def test_suggestions_are_stored_with_one_change_each(repo: Repo) -> None:
    article_id = _ingest(repo, TEXT)
    ids = repo.store_suggestions(
        article_id,
        [
            _suggestion(TEXT, KEPT, quote=True, score=0.5),
            _suggestion(
                TEXT,
                REWORDED,
                attribution="A Foreign Office \x1b[31mspokeswoman",
                said_on=dt.date(2026, 12, 15),
                said_until=dt.date(2026, 12, 1),  # before it starts: not a range
                precision="day",
                score=0.7,
            ),
            SuggestedStatement(start=0, end=3, text="   "),  # nothing said: not stored
        ],
    )
    assert len(ids) == 2
    stored = {int(s.id): s for s in _statements(repo, article_id)}  # type: ignore[arg-type]
    assert set(stored) == set(ids)
    first, second = (stored[i] for i in ids)
    assert first.review == "suggested" and first.score == 0.5 and first.quote
    start, end = _span(TEXT, KEPT)
    assert (first.evidence_start, first.evidence_end) == (start, end)
    assert first.evidence_prefix == TEXT[start - QUOTE_CONTEXT : start]
    assert first.evidence_suffix == TEXT[end : end + QUOTE_CONTEXT]
    assert second.attribution == "A Foreign Office spokeswoman"  # no terminal controls
    assert second.said_until is None
    for statement_id in ids:
        (change,) = _changes(repo, "statement", statement_id)
        assert change.op == "create" and change.diff["review"] == [None, "suggested"]


def test_suggesting_again_replaces_suggestions_and_respects_reviews(repo: Repo) -> None:
    article_id = _ingest(repo, TEXT)
    candidates = [
        _suggestion(TEXT, KEPT, score=0.4),
        _suggestion(TEXT, REWORDED, score=0.6),
        _suggestion(TEXT, REMOVED, score=0.8),
    ]
    kept, reworded, removed = repo.store_suggestions(article_id, candidates)
    again = repo.store_suggestions(article_id, candidates)
    assert len(again) == 3 and not set(again) & {kept, reworded, removed}
    with repo.read() as session:
        replaced = session.get(Statement, kept)
        assert replaced is not None and replaced.deleted_at is not None
    assert [c.op for c in _changes(repo, "statement", kept)] == ["create", "delete"]
    live = [s for s in _statements(repo, article_id) if s.deleted_at is None]
    assert sorted(int(s.id) for s in live) == sorted(again)  # type: ignore[arg-type]

    accepted, dismissed, waiting = again
    repo.review("statement", accepted, "accepted")
    repo.review("statement", dismissed, "dismissed")
    # an editor's own statement on most of the removed sentence's words covers it too
    start, end = _span(TEXT, REMOVED)
    repo.save_statement({"article_id": article_id, "evidence": (start, end - 10), "text": "x"})
    third = repo.store_suggestions(article_id, candidates)
    assert third == []  # nothing reviewed is proposed again, nothing covered either
    live = {int(s.id): s for s in _statements(repo, article_id) if s.deleted_at is None}  # type: ignore[arg-type]
    assert live[accepted].review == "accepted" and live[dismissed].review == "dismissed"
    assert waiting not in live  # the unreviewed one was replaced (by nothing)
    assert [s.review for s in live.values()].count("suggested") == 0


def test_suggestions_from_the_extractor_name_the_demo_speakers(demo_repo: Repo) -> None:
    article = demo_repo.add_article(title="Ferry talks", text=TEXT, published_at=PUBLISHED)
    article_id = int(article.id)  # type: ignore[arg-type]
    assert suggest_for_article(demo_repo, article_id) == 4
    by_start = {s.evidence_start: s for s in _statements(demo_repo, article_id)}
    worandt = by_start[_span(TEXT, "Chancellor Worandt warned")[0]]
    assert worandt.speaker_id == 8 and worandt.review == "suggested"
    assert worandt.score is not None and 0 < worandt.score <= 1
    quote = by_start[TEXT.index('"We have agreed')]
    assert quote.quote and quote.speaker_id == 13  # Prasz, by her surname
    assert suggest_for_article(demo_repo, article_id) == 4  # replaced, never doubled
    live = [s for s in _statements(demo_repo, article_id) if s.deleted_at is None]
    assert len(live) == 4


# --------------------------------------------------------------------------- merging actors


def test_merge_refuses_itself_and_a_parent_into_its_descendant(demo_repo: Repo) -> None:
    with demo_repo.read() as session:
        before = len(session.exec(select(Change)).all())
    with pytest.raises(ValidationError, match="itself"):
        demo_repo.merge_actors(IDREVO, IDREVO)
    with pytest.raises(ValidationError, match="merge the other way"):
        demo_repo.merge_actors(PELLARA, IDREVO)  # Idrevo is under Pellara
    with pytest.raises(ValidationError, match="merge the other way"):
        demo_repo.merge_actors(PELLARA, FENDREL)  # under the presidency, under Pellara
    with demo_repo.read() as session:
        assert len(session.exec(select(Change)).all()) == before
        pellara = session.get(Actor, PELLARA)
        assert pellara is not None and pellara.deleted_at is None


def test_merge_moves_everything_and_keeps_each_alias_once(demo_repo: Repo) -> None:
    duplicate = demo_repo.add_actor(
        "President T. Idrevo", aliases=["T. Idrevo", "IDREVO"], parent_id=PELLARA
    )
    dup = int(duplicate.id)  # type: ignore[arg-type]
    aide = demo_repo.add_actor("Idrevo's aide", parent_id=dup)
    spoken = demo_repo.add_statement(text="The dam is ours to run.", speaker_id=dup)
    position = demo_repo.add_position(issue_id=1, actor_id=dup, summary="Open to a call")
    both = demo_repo.add_event(
        title="Both at the dam", date=dt.date(2026, 10, 21), actor_ids=[dup, IDREVO]
    )
    alone = demo_repo.add_event(title="At the quay", date=dt.date(2026, 10, 22), actor_ids=[dup])
    with demo_repo.read() as session:
        own_before = list(
            session.exec(select(ActorAlias.alias).where(ActorAlias.actor_id == IDREVO))
        )

    target = demo_repo.merge_actors(dup, IDREVO)
    assert target.id == IDREVO
    with demo_repo.read() as session:
        gone = session.get(Actor, dup)
        assert gone is not None and gone.deleted_at is not None  # soft: the log can undo it
        assert session.get(Statement, spoken.id).speaker_id == IDREVO  # type: ignore[union-attr]
        assert session.get(Position, position.id).actor_id == IDREVO  # type: ignore[union-attr]
        assert session.get(Actor, aide.id).parent_id == IDREVO  # type: ignore[union-attr]
        links = set(session.exec(select(EventActor.event_id, EventActor.actor_id)))
        assert {(both.id, IDREVO), (alone.id, IDREVO)} <= links
        assert not {link for link in links if link[1] == dup}
        aliases = list(session.exec(select(ActorAlias.alias).where(ActorAlias.actor_id == IDREVO)))
        assert session.exec(select(ActorAlias).where(ActorAlias.actor_id == dup)).all() == []
    # "IDREVO" is "Idrevo" again: not added twice
    assert aliases == [*own_before, "President T. Idrevo", "T. Idrevo"]

    assert [c.op for c in _changes(demo_repo, "statement", int(spoken.id))][-1] == "merge"  # type: ignore[arg-type]
    assert [c.op for c in _changes(demo_repo, "position", int(position.id))][-1] == "merge"  # type: ignore[arg-type]
    assert [c.op for c in _changes(demo_repo, "actor", int(aide.id))][-1] == "merge"  # type: ignore[arg-type]
    merged = _changes(demo_repo, "actor", IDREVO)[-1]
    assert merged.op == "merge"
    assert merged.diff["merged_from"] == [None, dup]
    assert merged.diff["aliases"] == [own_before, aliases]
    assert sorted(merged.diff["events"][1]) == sorted([both.id, alone.id])
    deleted = _changes(demo_repo, "actor", dup)[-1]
    assert deleted.op == "delete" and deleted.diff["merged_into"] == [None, IDREVO]

    # the resolver no longer knows the duplicate; its names lead to the actor it was
    resolver = resolver_for(demo_repo)
    assert resolver.actor(dup) is None
    match = resolver.resolve("President T. Idrevo")
    assert match is not None and match.actor_id == IDREVO


# --------------------------------------------------------------------------- evidence


def test_refind_evidence_verbatim_then_fuzzy_then_gone() -> None:
    text = "He said yes. Later, he said yes. Then she said no, firmly and finally."
    second = text.index("yes", 20)
    prefix, suffix = text[second - 10 : second], text[second + 3 : second + 13]
    moved = "Breaking: " + text
    # with its context: the second "yes", not the first
    assert refind_evidence(moved, prefix, "yes", suffix) == (second + 10, second + 13)
    # the context changed: the words alone
    assert refind_evidence(text.replace("Later,", "Afterwards,"), prefix, "said no", "x") == (
        text.replace("Later,", "Afterwards,").index("said no"),
        text.replace("Later,", "Afterwards,").index("said no") + len("said no"),
    )
    # reworded: found fuzzily, on whole new words (the alignment alone cuts the "s")
    quote = "she said no, firmly and finally"
    edited = text.replace("firmly and finally", "firmly and, finally")
    found = refind_evidence(edited, "", quote, "")
    assert found is not None and edited[found[0] : found[1]] == "she said no, firmly and, finally"
    shorter = text.replace("firmly and finally", "firmly, finally")
    found = refind_evidence(shorter, "", quote, "")
    assert found is not None and shorter[found[0] : found[1]].startswith("she said no, firmly,")
    assert refind_evidence(text, "", "maybe", "") is None  # short words are not guessed at
    assert refind_evidence("Nothing of the kind here.", "", quote, "") is None


def _article_with_three_statements(repo: Repo) -> tuple[int, dict[str, int]]:
    article_id = _ingest(repo, TEXT)
    ids = {}
    for words in (KEPT, REWORDED, REMOVED):
        statement = repo.add_statement(
            text=words, article_id=article_id, evidence=_span(TEXT, words)
        )
        ids[words] = int(statement.id)  # type: ignore[arg-type]
    return article_id, ids


EDITED = "UPDATED with the minister's timetable.\n\n" + TEXT.replace(
    "expected a written guarantee", "expects a signed guarantee"
).replace(
    "Chancellor Worandt warned that " + REMOVED + " at the Merrow crossing.",
    "Chancellor Worandt was not available for comment.",
)


def _check_reanchored(repo: Repo, ids: dict[str, int]) -> None:
    with repo.read() as session:
        kept, reworded, removed = (
            session.get(Statement, ids[w]) for w in (KEPT, REWORDED, REMOVED)
        )
    assert kept is not None and reworded is not None and removed is not None
    # verbatim: moved with its words
    assert (kept.evidence_start, kept.evidence_end) == _span(EDITED, KEPT)
    assert kept.evidence_exact == KEPT
    # reworded: found again, its evidence now the new words
    assert reworded.evidence_start is not None and reworded.evidence_end is not None
    assert EDITED[reworded.evidence_start : reworded.evidence_end] == reworded.evidence_exact
    assert "expects a signed guarantee by 15 December" in reworded.evidence_exact
    # removed: orphaned, never deleted, its old words kept for the editor
    assert removed.deleted_at is None
    assert (removed.evidence_start, removed.evidence_end) == (None, None)
    assert removed.evidence_exact == REMOVED
    assert [s.id for s in repo.orphaned_statements()] == [removed.id]
    for statement_id in ids.values():
        assert _changes(repo, "statement", statement_id)[-1].op == "reanchor"


def test_an_edited_article_moves_refinds_or_orphans_its_evidence(repo: Repo) -> None:
    article_id, ids = _article_with_three_statements(repo)
    assert repo.orphaned_statements() == []
    assert _ingest(repo, EDITED) == article_id  # the same article, updated in place
    _check_reanchored(repo, ids)

    from db.views import statements_view

    orphaned = statements_view(repo.engine, state="orphaned").page(limit=10)
    assert [(r.id, r.orphaned) for r in orphaned] == [(ids[REMOVED], True)]


def test_workbench_ingest_of_an_edited_text_file_keeps_the_evidence(
    repo: Repo, empty_db: Path, tmp_path: Path
) -> None:
    from db.models import Article
    from workbench.cli import app

    story = tmp_path / "ferry_talks.txt"
    story.write_text("Ferry talks\n" + TEXT, encoding="utf-8")
    runner = CliRunner()

    def ingest() -> dict[str, object]:
        result = runner.invoke(app, ["ingest", str(story), "--json", "--db", str(empty_db)])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    assert ingest()["added"] == 1
    with repo.read() as session:
        (article,) = session.exec(select(Article)).all()
    article_id, text = int(article.id), article.text  # type: ignore[arg-type]
    ids = {
        words: int(
            repo.add_statement(text=words, article_id=article_id, evidence=_span(text, words)).id  # type: ignore[arg-type]
        )
        for words in (KEPT, REWORDED, REMOVED)
    }
    story.write_text("Ferry talks\n" + EDITED, encoding="utf-8")
    assert ingest()["updated"] == 1
    with repo.read() as session:
        (again,) = session.exec(select(Article)).all()
    assert again.id == article_id and "UPDATED" in again.text
    with repo.read() as session:
        kept, reworded, removed = (
            session.get(Statement, ids[w]) for w in (KEPT, REWORDED, REMOVED)
        )
    assert kept is not None and reworded is not None and removed is not None
    assert again.text[kept.evidence_start : kept.evidence_end] == KEPT  # type: ignore[index]
    assert reworded.evidence_start is not None
    assert "expects a signed guarantee" in reworded.evidence_exact
    assert removed.evidence_start is None and removed.deleted_at is None
    assert [s.id for s in repo.orphaned_statements()] == [removed.id]


def test_unscored_suggestions_are_listed_after_scored_ones(demo_repo: Repo) -> None:
    from db.views import statements_view

    with demo_repo.read() as session:
        unscored = session.exec(
            select(Statement.id).where(
                Statement.review == "suggested", col(Statement.score).is_(None)
            )
        ).all()
    assert unscored  # the demo desk has some
    rows = statements_view(demo_repo.engine, state="suggested").page(limit=50)
    assert sorted(r.id for r in rows) == sorted(unscored)


def test_a_suggested_belief_or_intention_is_tagged_as_such(demo_repo: Repo) -> None:
    """Not every claim is a saying: the editor sees which suggestions are beliefs or
    intentions before accepting them as what someone said."""
    text = (
        "Chancellor Worandt believes the ferry link will reopen by spring. "
        "Chancellor Worandt said the crossings were safe."
    )
    article = demo_repo.add_article(title="Ferry hopes", text=text, published_at=PUBLISHED)
    assert suggest_for_article(demo_repo, int(article.id)) == 2  # type: ignore[arg-type]
    tags = {s.text: s.tags for s in _statements(demo_repo, int(article.id))}  # type: ignore[arg-type]
    assert tags == {
        "the ferry link will reopen by spring": ["belief"],
        "the crossings were safe": [],
    }


def test_refind_evidence_takes_the_occurrence_nearest_its_old_position() -> None:
    """The same words twice, context and all: the stored position decides, so a re-ingest
    never moves a statement onto the first of two identical sentences."""
    line = "The minister said the talks would go on. "
    text = "Morning. " + line + "Then silence. " + line + "End."
    second = text.index(line, text.index(line) + 1)
    prefix, exact, suffix = text[second - 6 : second], line.strip(), " End."
    assert refind_evidence(text, "", exact, "", start_hint=second) == (
        second,
        second + len(exact),
    )
    edited = "Update at noon. " + text
    shift = len("Update at noon. ")
    assert refind_evidence(edited, "", exact, "", start_hint=second) == (
        second + shift,
        second + shift + len(exact),
    )
    assert refind_evidence(edited, prefix, exact, suffix, start_hint=0) == (
        second + shift,
        second + shift + len(exact),
    )  # the context still picks its own sentence over a nearer bare match
    assert refind_evidence(text, "", exact, "") == (text.index(line), text.index(line) + len(exact))
