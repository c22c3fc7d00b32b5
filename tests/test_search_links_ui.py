"""Search (``/``), the link picker (``l``) and the suggested-links review (``L``) in the
TUI, driven by keys through Pilot on a small story of our own (``build_story``): a call
floated by Orin Hask in two outlets, his later "no call is planned", Marta Sol's answer,
and an unrelated statement on fishing quotas."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.text import Text
from sqlmodel import select
from textual import events
from textual.pilot import Pilot
from textual.widgets import OptionList

from db.engine import open_desk
from db.models import Link, Statement
from db.repo import Repo
from tests._support_links import Story, build_story
from tests.conftest import EDITOR, wait_for
from tests.ui_support import detail_text, main_screen, plist, row_text, wait_loaded
from workbench.linking import suggest_links
from workbench.ui.app import WorkbenchApp
from workbench.ui.links import LinkPicker, LinkReviewScreen, RelationPrompt, save_link
from workbench.ui.reader import ReaderScreen
from workbench.ui.search import MARK_STYLE, SearchScreen


@pytest.fixture
def story_db(tmp_path: Path) -> Iterator[tuple[Path, Story]]:
    path = tmp_path / "story.db"
    engine = open_desk(str(path))
    story = build_story(Repo(engine, EDITOR))
    engine.dispose()
    yield path, story


def _app(db: Path, *, read_only: bool = False) -> WorkbenchApp:
    repo = Repo(open_desk(str(db)), EDITOR, read_only=read_only)
    return WorkbenchApp(repo, db_label="story.db")


def _repo(db: Path) -> Repo:
    return Repo(open_desk(str(db)), EDITOR)


def _links(db: Path) -> list[Link]:
    with _repo(db).read() as session:
        return list(session.exec(select(Link).where(Link.deleted_at == None)))  # noqa: E711


def _verification(db: Path, statement_id: int) -> str:
    with _repo(db).read() as session:
        row = session.get(Statement, statement_id)
        assert row is not None
        return row.verification


async def _search(pilot: Pilot[object], app: WorkbenchApp, typed: str) -> SearchScreen:
    """``/`` and the words typed straight after it (type-ahead included), until the
    results for exactly those words are in."""
    await pilot.press("slash", *typed)
    screen = app.screen
    assert isinstance(screen, SearchScreen)
    await wait_for(
        pilot,
        lambda: (
            screen.query_one("#search-input").value == typed  # type: ignore[attr-defined]
            and screen.settled
        ),
        f"hits for {typed!r}",
    )
    return screen


def _option_text(screen: SearchScreen | LinkPicker | LinkReviewScreen, index: int) -> Text:
    prompt = screen.query_one(OptionList).get_option_at_index(index).prompt
    assert isinstance(prompt, Text)
    return prompt


def _marked_words(text: Text) -> list[str]:
    return [text.plain[s.start : s.end].lower() for s in text.spans if str(s.style) == MARK_STYLE]


async def _to_option(pilot: Pilot[object], index: int) -> None:
    """From the search box (or picker filter) down to result ``index``."""
    await pilot.press("down", *(["down"] * index))


# --------------------------------------------------------------------------- search


async def test_slash_opens_search_from_every_pane_and_esc_closes_it(
    story_db: tuple[Path, Story],
) -> None:
    db, _story = story_db
    app = _app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        for key, pane_id in (
            ("1", "feed"),
            ("2", "statements"),
            ("3", "positions"),
            ("4", "timeline"),
        ):
            await pilot.press(key)
            await pilot.press("slash")
            assert isinstance(app.screen, SearchScreen), pane_id
            assert app.screen.focused is app.screen.query_one("#search-input")
            await pilot.press("escape")
            assert not isinstance(app.screen, SearchScreen)
            assert main_screen(app).active == pane_id


async def test_keys_typed_ahead_of_the_search_box_land_in_it(story_db: tuple[Path, Story]) -> None:
    """Keys the terminal delivered before the box had focus reach the screen itself; they
    are the start of the search, not app keys (``q`` would have quit)."""
    db, _story = story_db
    app = _app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("slash")
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        screen.set_focus(None)  # as before its mount focused the box
        for char in "quotas":
            app.post_message(events.Key(char, char))  # as the terminal delivers them
        await wait_for(pilot, lambda: screen.settled and "2 hits" in screen.status, "hits")
        assert screen.query_one("#search-input").value == "quotas"  # type: ignore[attr-defined]
        assert app.is_running and app.screen is screen


async def test_typing_shows_ranked_hits_with_the_words_highlighted(
    story_db: tuple[Path, Story],
) -> None:
    db, story = story_db
    app = _app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        screen = await _search(pilot, app, "call")
        hits = screen.hits
        assert len(hits) == 8  # four articles, four statements say "call"
        scores = [h.score for h in hits]
        assert scores == sorted(scores, reverse=True)
        assert screen.status.startswith("8 hits")
        for index, hit in enumerate(hits):
            text = _option_text(screen, index)
            assert _marked_words(text), hit  # the matched word is highlighted…
            assert set(_marked_words(text)) == {"call"}  # …and only it
        called_off = hits[[(h.kind, h.id) for h in hits].index(("statement", story.called_off))]
        row = _option_text(screen, hits.index(called_off)).plain
        assert "◆" in row and "14 Dec 2026" in row and "Tide Courier" in row
        assert "Orin Hask" in row and "No call between the leaders" in row

        await pilot.press(*" planned")  # results follow the typing
        await wait_for(pilot, lambda: len(screen.hits) == 2, "the narrower search")
        assert {(h.kind, h.id) for h in screen.hits} == {
            ("statement", story.called_off),
            ("article", 3),
        }
        article = _option_text(screen, [h.kind for h in screen.hits].index("article"))
        assert {"call", "planned"} <= set(_marked_words(article))  # title and snippet
        assert not screen.query_one("#search-note").display  # nothing left unranked


async def test_a_malformed_query_says_why_and_keeps_the_last_results(
    story_db: tuple[Path, Story],
) -> None:
    db, _story = story_db
    app = _app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        screen = await _search(pilot, app, "call")
        good = [(h.kind, h.id) for h in screen.hits]
        assert good
        await pilot.press(*" AND")
        await wait_for(pilot, lambda: "AND needs a word after it" in screen.status, "the message")
        assert [(h.kind, h.id) for h in screen.hits] == good
        assert len(screen.query_one(OptionList).options) == len(good)

        screen.query_one("#search-input").value = ""  # type: ignore[attr-defined]
        await pilot.press(*'"unclosed')
        await wait_for(pilot, lambda: "quote is not closed" in screen.status, "the message")
        assert isinstance(app.screen, SearchScreen)  # no crash, still searching
        await pilot.press("backspace", *["backspace"] * 8, *"quotas")
        await wait_for(pilot, lambda: "2 hits" in screen.status, "a good search again")
        assert not app._notifications  # nothing went wrong on the way


async def test_ranking_over_the_newest_hits_only_is_said(
    story_db: tuple[Path, Story], monkeypatch: pytest.MonkeyPatch
) -> None:
    import db.search

    monkeypatch.setattr(db.search, "WINDOW", {"statement": 2, "article": 300})
    db_path, _story = story_db
    app = _app(db_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        screen = await _search(pilot, app, "call")
        note = screen.query_one("#search-note")
        assert note.display
        assert "newest 2 statements" in str(note.content)  # type: ignore[attr-defined]
        assert "articles" not in str(note.content)  # type: ignore[attr-defined]


async def test_enter_on_a_statement_hit_lands_on_it_in_statements(
    story_db: tuple[Path, Story],
) -> None:
    db, story = story_db
    app = _app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("4")  # from the timeline
        screen = await _search(pilot, app, "quotas")
        index = [(h.kind, h.id) for h in screen.hits].index(("statement", story.fishing))
        await _to_option(pilot, index)
        await pilot.press("enter")
        assert not isinstance(app.screen, SearchScreen)
        await wait_for(
            pilot,
            lambda: getattr(plist(app, "statements").current, "id", None) == story.fishing,
            "the statement under the cursor",
        )
        assert main_screen(app).active == "statements"
        assert app.focused is plist(app, "statements")
        assert not app._notifications  # it landed where it was meant to
        await wait_for(pilot, lambda: "Fishing quotas in the bay" in detail_text(app, "statements"))


async def test_a_hit_the_statements_list_does_not_show_is_said(
    story_db: tuple[Path, Story],
) -> None:
    db, story = story_db
    _repo(db).review("statement", story.fishing, "dismissed")  # not in the "all" filter
    app = _app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        screen = await _search(pilot, app, "quotas")
        index = [(h.kind, h.id) for h in screen.hits].index(("statement", story.fishing))
        await _to_option(pilot, index)
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(app._notifications), "the warning")
        (note,) = list(app._notifications)
        assert f"Statement #{story.fishing} is not in the Statements list" in note.message
        assert main_screen(app).active == "statements"


async def test_enter_on_an_article_hit_opens_it_in_the_reader(
    story_db: tuple[Path, Story],
) -> None:
    db, story = story_db
    app = _app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("2")
        screen = await _search(pilot, app, "answers")
        assert [(h.kind, h.title) for h in screen.hits] == [("article", "Carrow answers")]
        article_id = screen.hits[0].id
        await pilot.press("enter")  # Enter in the box opens the best hit
        await wait_for(pilot, lambda: isinstance(app.screen, ReaderScreen), "the reader")
        reader = app.screen
        assert isinstance(reader, ReaderScreen) and reader.article_id == article_id

        # From the reader too; a statement hit closes the reader for the Statements pane.
        await wait_for(pilot, lambda: bool(reader.sentences), "the article")
        screen = await _search(pilot, app, "quotas")
        index = [(h.kind, h.id) for h in screen.hits].index(("statement", story.fishing))
        await _to_option(pilot, index)
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: getattr(plist(app, "statements").current, "id", None) == story.fishing,
        )
        assert app.screen is main_screen(app)


# --------------------------------------------------------------------------- the picker


async def _open_picker(
    pilot: Pilot[object], app: WorkbenchApp, statement_id: int, *, from_detail: bool = False
) -> LinkPicker:
    await pilot.press("2")
    statements = main_screen(app).pane("statements")
    statements.show_statement(statement_id)  # type: ignore[attr-defined]
    await wait_for(
        pilot,
        lambda: getattr(plist(app, "statements").current, "id", None) == statement_id,
        "the statement",
    )
    if from_detail:  # Enter moves into the statement's detail; l works there too
        await pilot.press("enter")
        assert app.focused is main_screen(app).pane("statements").detail
    await pilot.press("l")
    picker = app.screen
    assert isinstance(picker, LinkPicker) and picker.statement_id == statement_id
    await wait_for(pilot, lambda: picker.loads > 0, "the candidates")
    return picker


async def test_link_picker_filters_picks_a_relation_and_links_both_ways(
    story_db: tuple[Path, Story],
) -> None:
    db, story = story_db
    app = _app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        picker = await _open_picker(pilot, app, story.called_off)
        ids = [r.candidate.id for r in picker.shown]
        assert story.called_off not in ids and {story.floated, story.fishing} <= set(ids)
        row = _option_text(picker, ids.index(story.floated)).plain
        assert "Orin Hask" in row and "10 Dec 2026" in row and "Tide Courier" in row
        assert "ready for dialogue" in row

        await pilot.press(*"quotas")  # typing narrows: the quotas statement comes first
        await wait_for(pilot, lambda: picker.shown[0].candidate.id == story.fishing, "filter")
        await pilot.press(*" AND")  # a malformed filter: said, and the list stays
        await wait_for(pilot, lambda: "AND needs a word" in picker.status, "the message")
        assert picker.shown[0].candidate.id == story.fishing
        picker.query_one("#link-filter").value = ""  # type: ignore[attr-defined]
        await pilot.press(*"Tide")
        await wait_for(pilot, lambda: picker.shown[0].candidate.id == story.floated, "filter")

        await pilot.press("down", "enter")  # into the list, choose the first
        prompt = app.screen
        assert isinstance(prompt, RelationPrompt) and prompt.other.id == story.floated
        await pilot.press("u", *"called off on the 14th", "enter")
        await wait_for(pilot, lambda: app.screen is main_screen(app), "the picker to close")
        (link,) = _links(db)
        assert (link.from_id, link.to_id, link.relation) == (
            story.called_off,
            story.floated,
            "updates",
        )
        assert link.note == "called off on the 14th" and link.review == "accepted"

        # Both details show the link, with the other side's speaker, date and outlet.
        await wait_for(pilot, lambda: "→ updates" in detail_text(app, "statements"), "link")
        here = detail_text(app, "statements")
        assert f"→ updates #{story.floated} Orin Hask (10 Dec 2026, Tide Courier)" in here
        assert "note: called off on the 14th" in here
        main_screen(app).pane("statements").show_statement(story.floated)  # type: ignore[attr-defined]
        await wait_for(pilot, lambda: "← updated by" in detail_text(app, "statements"), "back")
        there = detail_text(app, "statements")
        assert f"← updated by #{story.called_off} Orin Hask (14 Dec 2026, Tide Courier)" in there
        assert "superseded" in there  # an accepted update supersedes what it updates


async def test_relation_from_the_list_and_the_other_way_round(
    story_db: tuple[Path, Story],
) -> None:
    db, story = story_db
    app = _app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        picker = await _open_picker(pilot, app, story.floated)
        index = [r.candidate.id for r in picker.shown].index(story.answer)
        await _to_option(pilot, index)
        await pilot.press("enter")
        prompt = app.screen
        assert isinstance(prompt, RelationPrompt)
        await pilot.press("down", "x")  # "contradicts", from the list; x swaps the direction
        assert prompt.relation == "contradicts" and prompt.swapped
        sentence = str(prompt.query_one("#relation-sentence").content)  # type: ignore[attr-defined]
        assert sentence.index(f"#{story.answer} ") < sentence.index(f"#{story.floated} ")
        await pilot.press("enter", *"x marks", "enter")  # in the note, x is a letter
        await wait_for(pilot, lambda: bool(_links(db)), "the link")
        (link,) = _links(db)
        assert (link.from_id, link.to_id, link.relation, link.note) == (
            story.answer,
            story.floated,
            "contradicts",
            "x marks",
        )


async def test_a_read_only_editor_is_told_the_link_was_refused(
    story_db: tuple[Path, Story],
) -> None:
    db, story = story_db
    app = _app(db, read_only=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        picker = await _open_picker(pilot, app, story.called_off, from_detail=True)
        await pilot.press("enter")  # Enter in the filter chooses the best candidate
        assert isinstance(app.screen, RelationPrompt)
        await pilot.press("s", "enter")
        await wait_for(pilot, lambda: "read-only" in picker.status, "the refusal")
        assert app.screen is picker  # still there: close it or try again
        assert any("read-only access" in n.message for n in app._notifications)
        assert _links(db) == []


# --------------------------------------------------------------------------- review


async def test_review_list_accepts_and_dismisses_and_superseding_shows(
    story_db: tuple[Path, Story],
) -> None:
    db, story = story_db
    assert suggest_links(_repo(db)) == 5
    app = _app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("2", "L")
        review = app.screen
        assert isinstance(review, LinkReviewScreen)
        await wait_for(pilot, lambda: review.loads > 0, "the suggestions")
        assert len(review.rows) == 5 and review.status.startswith("5 suggested links")
        pairs = [(r.from_side.id, r.to_side.id, r.relation) for r in review.rows]
        index = pairs.index((story.called_off, story.floated, "updates"))
        shown = _option_text(review, index).plain
        assert "updates" in shown and "same speaker's side" in shown
        assert "from #3 Orin Hask · 14 Dec 2026 · Tide Courier: No call between" in shown
        assert "to #1 Orin Hask · 10 Dec 2026 · Tide Courier: The presidency" in shown

        review.query_one(OptionList).highlighted = index
        accepted = review.rows[index].link_id
        await pilot.press("a")
        await wait_for(pilot, lambda: len(review.rows) == 4, "the list without it")
        assert accepted not in [r.link_id for r in review.rows]
        assert review.status.startswith(f"Accepted: #{story.called_off} updates #{story.floated}")
        by_id = {link.id: link for link in _links(db)}
        assert by_id[accepted].review == "accepted"
        assert _verification(db, story.floated) == "superseded"

        dismissed = review.current
        assert dismissed is not None
        await pilot.press("d")
        await wait_for(pilot, lambda: len(review.rows) == 3, "the list without it")
        assert {link.id: link for link in _links(db)}[dismissed.link_id].review == "dismissed"

        # Enter goes to the highlighted suggestion's later statement.
        target = review.current
        assert target is not None
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: getattr(plist(app, "statements").current, "id", None) == target.from_side.id,
            "the jump",
        )
        # The superseded statement shows so in the list and its detail.
        main_screen(app).pane("statements").show_statement(story.floated)  # type: ignore[attr-defined]
        await wait_for(
            pilot,
            lambda: getattr(plist(app, "statements").current, "verification", "") == "superseded",
            "the statement superseded",
        )
        statements = plist(app, "statements")
        line = row_text(statements, statements.cursor - int(statements.scroll_y))
        assert line.rstrip().endswith("superseded")
        await wait_for(pilot, lambda: "superseded" in detail_text(app, "statements"))


async def test_review_list_asks_the_desk_for_suggestions(story_db: tuple[Path, Story]) -> None:
    db, story = story_db
    app = _app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("2", "L")
        review = app.screen
        assert isinstance(review, LinkReviewScreen)
        await wait_for(pilot, lambda: review.loads > 0, "the list")
        assert review.rows == [] and "Nothing to review" in review.status
        await pilot.press("s")
        await wait_for(pilot, lambda: len(review.rows) == 5, "the suggestions")
        assert review.status.startswith("5 new suggestions.")
        assert (story.floated_again, story.floated, "duplicates") in [
            (r.from_side.id, r.to_side.id, r.relation) for r in review.rows
        ]
        await pilot.press("escape")
        assert app.screen is main_screen(app)


async def test_a_suggestion_reviewed_meanwhile_by_someone_else_is_not_overwritten(
    story_db: tuple[Path, Story],
) -> None:
    db, _story = story_db
    suggest_links(_repo(db))
    repo = Repo(open_desk(str(db)), EDITOR)
    app = WorkbenchApp(repo, db_label="story.db", live=False)  # the list is stale on purpose
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("2", "L")
        review = app.screen
        assert isinstance(review, LinkReviewScreen)
        await wait_for(pilot, lambda: review.loads > 0, "the suggestions")
        row = review.current
        assert row is not None
        Repo(open_desk(str(db)), "maria").review("link", row.link_id, "dismissed")
        await pilot.press("a")
        await wait_for(pilot, lambda: review.loads > 1, "the list refreshed")
        assert review.status.startswith("maria changed this link since you opened it")
        assert row.link_id not in [r.link_id for r in review.rows]
        assert {link.id: link for link in _links(db)}[row.link_id].review == "dismissed"


def test_linking_a_suggested_pair_accepts_the_suggestion(story_db: tuple[Path, Story]) -> None:
    db, story = story_db
    repo = _repo(db)
    suggest_links(repo)
    before = len(_links(db))
    said = save_link(repo, story.called_off, story.floated, "updates", "said so on the 14th")
    assert said.startswith("Accepted the suggested link")
    (link,) = [
        link
        for link in _links(db)
        if (link.from_id, link.to_id, link.relation) == (story.called_off, story.floated, "updates")
    ]
    assert link.review == "accepted" and link.note == "said so on the 14th"
    assert len(_links(db)) == before  # not a second link
    assert _verification(db, story.floated) == "superseded"
    again = save_link(repo, story.called_off, story.floated, "updates")
    assert again.startswith("Already linked") and len(_links(db)) == before
