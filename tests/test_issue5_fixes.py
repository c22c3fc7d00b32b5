"""Fixes to the search, link, grid and timeline screens (issue 5, after review), each driven
by keys through Pilot on a real SQLite desk:

- names and texts that look like markup (``[/]``, ``[bold]``) show as written on every
  screen, and never end the app;
- Enter typed before the search (or the link picker's filter) has answered the words in
  the box acts on the answer for those words, never on an older list;
- every jump to a statement lands under the Statements pane's "suggested" filter, a jump
  to one the filter does not show is said, and a jump that never lands warns nobody later;
- linking a pair the desk suggested the other way round accepts that suggestion;
- a refused ``s`` in the review list does not leave "Looking for links…" up;
- Enter in the column chooser keeps the choice when the list is empty.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select
from textual.pilot import Pilot
from textual.widgets import Select, Static

from db.engine import open_desk
from db.models import Link
from db.repo import ConflictError, Repo
from tests._support_links import Story, build_story
from tests.conftest import EDITOR, wait_for
from tests.ui_support import main_screen, pane, plist, wait_loaded
from workbench.linking import suggest_links
from workbench.ui import links as links_module
from workbench.ui import search as search_module
from workbench.ui.app import WorkbenchApp
from workbench.ui.editor import StatementEditor
from workbench.ui.forms import ActorForm, IssueForm, PositionForm
from workbench.ui.grid_prefs import ColumnChooser
from workbench.ui.history import HistoryScreen
from workbench.ui.links import LinkPicker, LinkReviewScreen, RelationPrompt, save_link
from workbench.ui.panes.positions import CellScreen, GridList
from workbench.ui.reader import ReaderScreen
from workbench.ui.screens import RuleForm, RulesScreen, SourcesScreen
from workbench.ui.search import SearchScreen
from workbench.ui.timeline_filter import TimelineFilterScreen

D = dt.date

# --------------------------------------------------------------------------- helpers


def _repo(db: Path, editor: str = EDITOR) -> Repo:
    return Repo(open_desk(str(db)), editor)


def _app(db: Path, *, read_only: bool = False, live: bool = False) -> WorkbenchApp:
    repo = Repo(open_desk(str(db)), EDITOR, read_only=read_only)
    return WorkbenchApp(repo, db_label="issue5.db", live=live)


def screen_text(app: WorkbenchApp) -> str:
    """What the front screen draws, as plain text (a user reads it, not its widgets)."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def shows(pilot: Pilot[object], app: WorkbenchApp, *needles: str) -> None:
    """Wait until the front screen draws each of ``needles`` as written."""
    for needle in needles:
        await wait_for(
            pilot,
            lambda needle=needle: needle in screen_text(app),  # type: ignore[misc]
            f"{needle!r} on {type(app.screen).__name__}",
        )


def selected_text(select: Select[Any]) -> str | None:
    """What a Select shows as its value, as drawn (not as it was given)."""
    visual = select.query_one("#label", Static).visual
    return getattr(visual, "plain", None)


def said_errors(app: WorkbenchApp) -> list[str]:
    """Every error the app tells the editor from now on (toasts expire; this list keeps
    them for the test)."""
    errors: list[str] = []
    notify = app.notify

    def recording(message: str, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("severity") == "error":
            errors.append(message)
        notify(message, *args, **kwargs)

    app.notify = recording  # type: ignore[method-assign]
    return errors


def _links(db: Path) -> list[Link]:
    with _repo(db).read() as session:
        return list(session.exec(select(Link).where(Link.deleted_at == None)))  # noqa: E711


def _warnings(app: WorkbenchApp) -> list[str]:
    return [n.message for n in app._notifications if "not in the Statements list" in n.message]


def _current_id(app: WorkbenchApp) -> int | None:
    return getattr(plist(app, "statements").current, "id", None)


@pytest.fixture
def story_db(tmp_path: Path) -> tuple[Path, Story]:
    path = tmp_path / "story.db"
    engine = open_desk(str(path))
    story = build_story(Repo(engine, EDITOR))
    engine.dispose()
    return path, story


# --------------------------------------------------------------------------- 1, 2: markup

ACTOR = "[/]Evil [bold]Actor[/bold]"
CHILD = "[red]Child[/"
ISSUE = "[/]Issue [b]bad"
SOURCE = "[/]Out[bold]let"
TITLE = "[/] Title [link=http://x]click[/link]"
SAID = "[/] no call [bold]is planned[/b]"
OTHER = "[red]A call[/red] could be arranged soon [/]"
SUMMARY = "[/]Pos [bold]summary"
NOTE = "[/]why [b]"


@dataclass(frozen=True)
class Evil:
    actor: int
    child: int
    issue: int
    said: int
    other: int
    third: int


def build_evil(repo: Repo) -> Evil:
    """A desk whose every outside text looks like markup (some of it broken markup)."""
    source = repo.add_source(SOURCE, "https://evil.example/feed").id
    actor = repo.add_actor(ACTOR, kind="person").id
    assert actor is not None
    child = repo.add_actor(CHILD, kind="person", parent_id=actor).id
    issue = repo.add_issue(ISSUE).id
    article = repo.add_article(
        title=TITLE,
        text=f"Evil Actor said {SAID}. Another said {OTHER}.",
        source_id=source,
        published_at=dt.datetime(2026, 10, 20, 9, tzinfo=dt.UTC),
    ).id

    def statement(text: str, speaker: int | None, day: int) -> int:
        row = repo.add_statement(
            text=text,
            article_id=article,
            speaker_id=speaker,
            said_on=D(2026, 10, day),
            date_precision="day",
            issue_id=issue,
        )
        assert row.id is not None
        return row.id

    said = statement(SAID, actor, 20)
    other = statement(OTHER, child, 18)
    third = statement(f"{OTHER} again", child, 19)
    repo.add_link(said, other, "updates", note="[/]note[bold]")
    repo.add_link(third, other, "duplicates", note=NOTE, review="suggested")
    repo.add_position(
        issue_id=issue,  # type: ignore[arg-type]
        actor_id=actor,
        summary=SUMMARY,
        as_of=D(2026, 10, 21),
        statement_ids=[said],
    )
    repo.add_event(
        title="[/]Event [b]x", date=D(2026, 10, 19), actor_ids=[actor], statement_ids=[said]
    )
    return Evil(actor, child, issue, said, other, third)  # type: ignore[arg-type]


@pytest.fixture
def evil_db(tmp_path: Path) -> tuple[Path, Evil]:
    path = tmp_path / "evil.db"
    engine = open_desk(str(path))
    evil = build_evil(Repo(engine, EDITOR))
    engine.dispose()
    return path, evil


async def _back_to_main(pilot: Pilot[object], app: WorkbenchApp) -> None:
    await pilot.press("escape")
    await wait_for(pilot, lambda: app.screen is main_screen(app), "the main screen")


async def test_markup_in_names_and_texts_shows_as_written_on_every_screen(
    evil_db: tuple[Path, Evil],
) -> None:
    db, evil = evil_db
    app = _app(db)
    errors = said_errors(app)
    async with app.run_test(size=(150, 45)) as pilot:
        await wait_loaded(pilot, app)

        # The reader.
        await pilot.press("1", "enter")
        assert isinstance(app.screen, ReaderScreen)
        await shows(pilot, app, TITLE, SAID)
        await _back_to_main(pilot, app)

        # The statement editor: its issue list holds the issue's title.
        await pilot.press("2")
        pane(app, "statements").show_statement(evil.said)  # type: ignore[attr-defined]
        await wait_for(pilot, lambda: _current_id(app) == evil.said, "the statement")
        await pilot.press("e")
        editor = app.screen
        assert isinstance(editor, StatementEditor)
        issue_select = editor.query_one("#issue", Select)
        await wait_for(pilot, lambda: issue_select.value == evil.issue, "the editor loaded")
        editor.set_focus(issue_select)  # scrolled into sight
        await wait_for(pilot, lambda: selected_text(issue_select) == ISSUE, "the issue shown")
        await shows(pilot, app, ISSUE)
        await _back_to_main(pilot, app)

        # The statement's history.
        await pilot.press("H")
        assert isinstance(app.screen, HistoryScreen)
        await shows(pilot, app, f"History of statement #{evil.said}: {SAID}")
        await _back_to_main(pilot, app)

        # Search.
        await pilot.press("slash", *"planned")
        search = app.screen
        assert isinstance(search, SearchScreen)
        await wait_for(pilot, lambda: search.settled and bool(search.hits), "hits")
        await shows(pilot, app, ACTOR, SOURCE)
        await _back_to_main(pilot, app)

        # The link picker and its relation prompt.
        await pilot.press("l")
        picker = app.screen
        assert isinstance(picker, LinkPicker)
        await wait_for(pilot, lambda: picker.settled and bool(picker.shown), "candidates")
        await shows(pilot, app, CHILD, OTHER)
        await pilot.press("enter")
        assert isinstance(app.screen, RelationPrompt)
        await shows(pilot, app, SAID)
        await pilot.press("escape")
        await _back_to_main(pilot, app)

        # The suggested-links review list.
        await pilot.press("L")
        review = app.screen
        assert isinstance(review, LinkReviewScreen)
        await wait_for(pilot, lambda: review.loads > 0 and bool(review.rows), "suggestions")
        await shows(pilot, app, NOTE, f"{OTHER} again")
        await _back_to_main(pilot, app)

        # The grid: each form, and the cell screen.
        await pilot.press("3")
        grid = plist(app, "positions")
        assert isinstance(grid, GridList)
        await wait_for(pilot, lambda: bool(grid.columns) and grid.current is not None, "grid")
        grid.column = [c.id for c in grid.columns].index(evil.actor)
        await pilot.pause()
        for key, form, needle in (
            ("p", PositionForm, f"New position: {ACTOR} on {ISSUE}"),
            ("e", PositionForm, f"Correct the position: {ACTOR} on {ISSUE}"),
            ("E", ActorForm, f"Edit actor: {ACTOR}"),
            ("I", IssueForm, "New issue"),
            ("i", IssueForm, ISSUE),
            ("A", ActorForm, "New actor"),
        ):
            await pilot.press(key)
            assert isinstance(app.screen, form), key
            await shows(pilot, app, needle)
            await _back_to_main(pilot, app)
        await pilot.press("enter")
        cell = app.screen
        assert isinstance(cell, CellScreen)
        await shows(pilot, app, f"{ACTOR} on {ISSUE}", SUMMARY, SAID)
        await _back_to_main(pilot, app)

        # The timeline filter: an actor, then an issue from its list.
        await pilot.press("4", "f")
        chooser = app.screen
        assert isinstance(chooser, TimelineFilterScreen)
        await wait_for(pilot, lambda: chooser.loaded, "the actors")
        await pilot.press(*"Evil")
        await wait_for(pilot, lambda: bool(chooser.matches), "the matches")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is main_screen(app), "the filter applied")
        await shows(pilot, app, f"4 Timeline · {ACTOR} +1")
        await pilot.press("f")
        chooser = app.screen
        assert isinstance(chooser, TimelineFilterScreen)
        await wait_for(pilot, lambda: chooser.loaded, "the issues")
        chooser.set_focus(chooser.query_one("#timeline-filter-issue", Select))
        await pilot.press("enter")  # opens the issue list
        await shows(pilot, app, ISSUE)
        await pilot.press("down", "enter")
        chosen = chooser.query_one("#timeline-filter-issue", Select)
        await wait_for(pilot, lambda: chosen.value == evil.issue, "the issue chosen")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is main_screen(app), "the filter applied")
        await shows(pilot, app, f"4 Timeline · {ACTOR} +1 · {ISSUE}")

        # The sources, and a rule form's list of sources.
        await pilot.press("1", "S")
        assert isinstance(app.screen, SourcesScreen)
        await shows(pilot, app, SOURCE)
        await _back_to_main(pilot, app)
        await pilot.press("K")
        rules = app.screen
        assert isinstance(rules, RulesScreen)
        await pilot.press("a")
        form = app.screen
        assert isinstance(form, RuleForm)
        form.set_focus(form.query_one("#rule-source", Select))
        await pilot.press("enter")  # opens the list of sources
        await shows(pilot, app, SOURCE)
        await pilot.press("down", "enter")
        source_select = form.query_one("#rule-source", Select)
        await wait_for(pilot, lambda: source_select.value != 0, "a source chosen")
        await wait_for(pilot, lambda: selected_text(source_select) == SOURCE, "the source")

        assert app.is_running and app.return_code is None
        assert errors == []  # nothing failed on the way (a worker's failure is only said)


# --------------------------------------------------------------------------- 3: Enter early


async def _search_box(pilot: Pilot[object], app: WorkbenchApp, typed: str) -> SearchScreen:
    screen = app.screen
    assert isinstance(screen, SearchScreen)
    box = screen.query_one("#search-input")
    box.value = ""  # type: ignore[attr-defined]
    await pilot.press(*typed)
    return screen


async def test_enter_before_the_search_answers_opens_a_hit_for_the_words_typed(
    story_db: tuple[Path, Story], monkeypatch: pytest.MonkeyPatch
) -> None:
    db, story = story_db
    app = _app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        # Results for older words on screen ("Sol": Marta Sol's answer).
        await pilot.press("slash", *"Sol")
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        await wait_for(pilot, lambda: screen.settled and bool(screen.hits), "hits for Sol")
        assert screen.hits[0].id == story.answer

        # Enter while the pause after the last key still runs: the words in the box are
        # searched at once and their best hit opens, not the answer listed above.
        monkeypatch.setattr(search_module, "DEBOUNCE", 600.0)
        await _search_box(pilot, app, "quotas")
        assert not screen.settled
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is main_screen(app), "the hit opened")
        await wait_for(pilot, lambda: _current_id(app) == story.fishing, "the quotas statement")

        # Enter while the search itself runs: nothing opens until it answers.
        monkeypatch.setattr(search_module, "DEBOUNCE", 0.01)
        gate = threading.Event()
        search_now = SearchScreen._search

        def held(self: SearchScreen, token: int, query: Any) -> None:
            gate.wait(30)
            search_now(self, token, query)

        monkeypatch.setattr(SearchScreen, "_search", held)
        await pilot.press("slash")
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        gate.set()  # the first search ("Sol" again) answers at once
        await _search_box(pilot, app, "Sol")
        await wait_for(pilot, lambda: screen.settled and bool(screen.hits), "hits for Sol")
        gate.clear()
        await _search_box(pilot, app, "quotas")
        await wait_for(pilot, lambda: screen._timer is None, "the search under way")
        assert not screen.settled
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen  # the listed hit ("Sol") is for older words
        gate.set()
        await wait_for(pilot, lambda: app.screen is main_screen(app), "the hit opened")
        await wait_for(pilot, lambda: _current_id(app) == story.fishing, "the quotas statement")
        assert _warnings(app) == []


async def test_enter_before_the_picker_answers_chooses_for_the_filter_typed(
    story_db: tuple[Path, Story], monkeypatch: pytest.MonkeyPatch
) -> None:
    db, story = story_db
    app = _app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("2")
        pane(app, "statements").show_statement(story.called_off)  # type: ignore[attr-defined]
        await wait_for(pilot, lambda: _current_id(app) == story.called_off, "the statement")
        await pilot.press("l")
        picker = app.screen
        assert isinstance(picker, LinkPicker)
        await wait_for(pilot, lambda: picker.settled and bool(picker.shown), "candidates")
        assert picker.shown[0].candidate.id != story.fishing  # most alike: the call
        monkeypatch.setattr(links_module, "DEBOUNCE", 600.0)
        await pilot.press(*"quotas")
        assert not picker.settled
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, RelationPrompt), "the prompt")
        prompt = app.screen
        assert isinstance(prompt, RelationPrompt)
        assert prompt.other.id == story.fishing  # the first candidate for "quotas"


# --------------------------------------------------------------------------- 4: jumps


@dataclass(frozen=True)
class Suggested:
    scored: int  # suggested, score 0.9
    low: int  # suggested, score 0.2; backs Hask's position on the talks
    unscored: int  # suggested, no score; a suggested link goes from it


def add_suggestions(db: Path, story: Story) -> Suggested:
    repo = _repo(db)

    def suggested(text: str, score: float | None, day: int) -> int:
        row = repo.add_statement(
            text=text,
            speaker_id=story.hask,
            said_on=D(2026, 12, day),
            date_precision="day",
            issue_id=story.talks,
            review="suggested",
            score=score,
        )
        assert row.id is not None
        return row.id

    made = Suggested(
        scored=suggested("Harbour pilots will strike on Friday", 0.9, 15),
        low=suggested("Veldt sees the talks resuming after the holidays", 0.2, 16),
        unscored=suggested("Lighthouse keepers back the talks", None, 17),
    )
    repo.add_position(
        issue_id=story.talks,
        actor_id=story.hask,
        summary="Talks after the holidays",
        as_of=D(2026, 12, 16),
        statement_ids=[made.low],
    )
    repo.add_link(made.unscored, story.floated, "supports", review="suggested")
    return made


async def _suggested_filter(pilot: Pilot[object], app: WorkbenchApp) -> None:
    statements = pane(app, "statements")
    statements.state = "suggested"  # type: ignore[attr-defined]
    await wait_for(pilot, lambda: plist(app, "statements").total == 3, "the suggestions")
    await wait_for(pilot, lambda: _current_id(app) is not None, "a suggestion")


async def _timeline_enter(pilot: Pilot[object], app: WorkbenchApp, statement_id: int) -> None:
    await pilot.press("4")
    timeline = plist(app, "timeline")
    await wait_for(
        pilot,
        lambda: any(r.kind == "statement" and r.id == statement_id for r in timeline.loaded_rows),
        "the timeline",
    )
    rows = timeline.loaded_rows
    index = next(n for n, r in enumerate(rows) if r.kind == "statement" and r.id == statement_id)
    timeline.set_cursor(index)
    await pilot.pause()
    await pilot.press("enter")


async def test_every_jump_lands_under_the_suggested_filter_and_a_miss_is_said(
    story_db: tuple[Path, Story],
) -> None:
    db, story = story_db
    made = add_suggestions(db, story)
    app = _app(db)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_loaded(pilot, app)
        await _suggested_filter(pilot, app)
        statements = plist(app, "statements")
        statements.set_cursor(0)
        await pilot.pause()
        assert _current_id(app) == made.scored

        # Search.
        await pilot.press("slash", *"Lighthouse")
        search = app.screen
        assert isinstance(search, SearchScreen)
        await wait_for(pilot, lambda: search.settled and bool(search.hits), "the hit")
        await pilot.press("enter")
        await wait_for(pilot, lambda: _current_id(app) == made.unscored, "the search jump")

        # The timeline.
        await _timeline_enter(pilot, app, made.scored)
        await wait_for(pilot, lambda: _current_id(app) == made.scored, "the timeline jump")

        # A grid cell.
        await pilot.press("3")
        grid = plist(app, "positions")
        assert isinstance(grid, GridList)
        await wait_for(pilot, lambda: bool(grid.columns) and grid.current is not None, "grid")
        index = next(n for n, r in enumerate(grid.loaded_rows) if r.id == story.talks)
        grid.set_cursor(index)
        grid.column = [c.id for c in grid.columns].index(story.hask)
        await pilot.pause()
        await pilot.press("enter")
        cell = app.screen
        assert isinstance(cell, CellScreen)
        await wait_for(pilot, lambda: cell.current == made.low, "the cell")
        await pilot.press("enter")
        await wait_for(pilot, lambda: _current_id(app) == made.low, "the grid jump")

        # The review list.
        await pilot.press("L")
        review = app.screen
        assert isinstance(review, LinkReviewScreen)
        await wait_for(pilot, lambda: review.loads > 0 and bool(review.rows), "suggestions")
        assert review.current is not None and review.current.from_side.id == made.unscored
        await pilot.press("enter")
        await wait_for(pilot, lambda: _current_id(app) == made.unscored, "the review jump")
        await pilot.pause()
        assert _warnings(app) == []
        assert main_screen(app).pane("statements").state == "suggested"  # type: ignore[attr-defined]

        # A statement the filter does not show: said, whichever way the jump came.
        await _timeline_enter(pilot, app, story.fishing)
        await wait_for(pilot, lambda: len(_warnings(app)) == 1, "the timeline's warning")
        assert f"Statement #{story.fishing} is not in the Statements list" in _warnings(app)[0]
        await pilot.press("slash", *"quotas")
        search = app.screen
        assert isinstance(search, SearchScreen)
        await wait_for(pilot, lambda: search.settled and bool(search.hits), "the hit")
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(_warnings(app)) == 2, "the search's warning")


async def test_a_jump_that_never_lands_warns_nobody_later(
    story_db: tuple[Path, Story],
) -> None:
    db, story = story_db
    app = _app(db)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_loaded(pilot, app)
        statements = plist(app, "statements")
        reload_window = statements._reload_window
        failed: list[int] = []

        def fail_once(generation: int, key: Any, cursor: int, height: int) -> None:
            if key == (story.fishing,) and not failed:  # the jump's read
                failed.append(generation)
                raise OSError(5, "the disk went away")
            reload_window(generation, key, cursor, height)

        statements._reload_window = fail_once  # type: ignore[method-assign]
        statements.set_cursor(2)  # on another statement than the one jumped to
        await pilot.pause()
        assert _current_id(app) not in (None, story.fishing)
        await pilot.press("slash", *"quotas")
        search = app.screen
        assert isinstance(search, SearchScreen)
        await wait_for(pilot, lambda: search.settled and bool(search.hits), "the hit")
        await pilot.press("enter")  # the jump's read fails: said as an error
        await wait_for(pilot, lambda: bool(failed), "the failed jump")
        await wait_for(
            pilot, lambda: any(n.severity == "error" for n in app._notifications), "the error"
        )
        loads = statements.loads
        statements.reload()  # later, the list reloads (a colleague's change, say)
        await wait_for(pilot, lambda: statements.loads > loads, "the reload")
        await pilot.pause()
        assert _warnings(app) == []


# --------------------------------------------------------------------------- 5: save_link


def test_linking_a_pair_suggested_the_other_way_round_accepts_the_suggestion(
    story_db: tuple[Path, Story],
) -> None:
    db, story = story_db
    repo = _repo(db)
    suggest_links(repo)
    suggested = {(link.from_id, link.to_id, link.relation): link for link in _links(db)}
    assert (story.floated_again, story.floated, "duplicates") in suggested
    assert (story.called_off, story.floated, "updates") in suggested
    before = len(_links(db))

    # Symmetric: accepted as it was drawn.
    said = save_link(repo, story.floated, story.floated_again, "duplicates", "same wire")
    assert said == (
        f"Accepted the suggested link: #{story.floated_again} duplicates #{story.floated}"
        " (note updated)."
    )
    link = next(
        k
        for k in _links(db)
        if k.id == suggested[story.floated_again, story.floated, "duplicates"].id
    )
    assert (link.from_id, link.to_id, link.review, link.note) == (
        story.floated_again,
        story.floated,
        "accepted",
        "same wire",
    )
    assert len(_links(db)) == before

    # Directional, drawn the other way: accepted, pointing as the editor drew it.
    updates = suggested[story.called_off, story.floated, "updates"]
    said = save_link(repo, story.floated, story.called_off, "updates")
    assert said == f"Accepted the suggested link: #{story.floated} updates #{story.called_off}."
    link = next(k for k in _links(db) if k.id == updates.id)
    assert (link.from_id, link.to_id, link.review) == (story.floated, story.called_off, "accepted")
    assert len(_links(db)) == before

    # Linked again with the note it has: nothing written, and no "note updated".
    version = link.version
    said = save_link(repo, story.floated_again, story.floated, "duplicates", "same wire")
    assert said == f"Already linked: #{story.floated_again} duplicates #{story.floated}."
    again = next(
        k
        for k in _links(db)
        if k.id == suggested[story.floated_again, story.floated, "duplicates"].id
    )
    assert again.version == 2  # created, accepted: no third write
    assert next(k for k in _links(db) if k.id == updates.id).version == version


def test_a_links_note_is_written_at_the_version_read(
    story_db: tuple[Path, Story], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The note goes in only over the link as it was read: a colleague's change since is
    refused, never overwritten."""
    db, story = story_db
    repo = _repo(db)
    link = repo.add_link(story.called_off, story.floated, "updates", note="first")
    colleague = _repo(db, "maria")
    get = repo.get

    def read_then_changed(entity: str, entity_id: int) -> Any:
        row = get(entity, entity_id)
        if entity == "link":
            colleague.set_link_relation(entity_id, "updates", "maria's note")
        return row

    monkeypatch.setattr(repo, "get", read_then_changed)
    with pytest.raises(ConflictError):
        save_link(repo, story.called_off, story.floated, "updates", "mine")
    assert next(k for k in _links(db) if k.id == link.id).note == "maria's note"


# --------------------------------------------------------------------------- 6: review s


async def test_a_refused_suggest_in_the_review_list_does_not_stay_looking(
    story_db: tuple[Path, Story],
) -> None:
    db, _story = story_db
    app = _app(db, read_only=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("2", "L")
        review = app.screen
        assert isinstance(review, LinkReviewScreen)
        await wait_for(pilot, lambda: review.loads > 0, "the list")
        loads = review.loads
        await pilot.press("s")
        await wait_for(
            pilot, lambda: any("read-only" in n.message for n in app._notifications), "refusal"
        )
        await wait_for(pilot, lambda: review.loads > loads, "the status line again")
        assert "Looking for links" not in review.status
        assert review.status.startswith("No suggestions:") and "read-only" in review.status
        assert _links(db) == []


# --------------------------------------------------------------------------- 7: columns


async def test_enter_on_an_empty_column_chooser_keeps_the_choice(tmp_path: Path) -> None:
    db = tmp_path / "empty.db"
    open_desk(str(db)).dispose()
    app = _app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("3", "c")
        chooser = app.screen
        assert isinstance(chooser, ColumnChooser)
        await wait_for(pilot, lambda: chooser.loaded, "the actors")
        assert chooser.shown == [] and chooser.focused is chooser.query_one("#columns-list")
        kept: list[Any] = []
        dismiss: Callable[..., Any] = chooser.dismiss

        def recorded(result: Any = None) -> Any:
            kept.append(result)
            return dismiss(result)

        chooser.dismiss = recorded  # type: ignore[method-assign]
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is main_screen(app), "the chooser closed")
        assert kept == [[]]  # kept (the desk's default), not cancelled (None)
