"""The article reader, driven by keys through Pilot on a real desk file: paragraphs, keeping
the cursor in view, redrawing only what changed, following the desk live, reviews that
never overwrite a colleague's decision (here and in the panes), the editor prefilled as
the extractor reads the selection, and the extractor kept off the UI thread."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import col, select
from textual.pilot import Pilot
from textual.widgets import Checkbox, Input, Static

from db.engine import open_desk
from db.models import Actor, Event, Position, Statement
from db.repo import Repo
from db.repo_statements import SuggestedStatement
from tests.conftest import EDITOR, wait_for
from tests.ui_support import make_app, plist, wait_loaded
from workbench.extract import statements as extractor
from workbench.extract.sentences import word_spans
from workbench.ui.app import WorkbenchApp
from workbench.ui.editor import StatementEditor
from workbench.ui.reader import Paragraph, ReaderScreen, paragraph_spans

COLLEAGUE = "maria"
PUBLISHED = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)


# --------------------------------------------------------------------------- helpers


def _repo(db: Path, editor: str = EDITOR) -> Repo:
    return Repo(open_desk(str(db)), editor)


def _add_article(db: Path, text: str, title: str = "Ferry talks") -> int:
    article = _repo(db).add_article(title=title, text=text, published_at=PUBLISHED)
    return int(article.id)  # type: ignore[arg-type]


def _sentence(n: int) -> str:
    """A sentence that can be found on screen by its first and last words."""
    return f"S{n:03d} says the quay at Merrow was busy with fishing boats on Tuesday E{n:03d}."


def _long_text() -> str:
    """Forty short paragraphs with one paragraph taller than an 80×24 screen among them."""
    paragraphs, n = [], 0
    for index in range(40):
        count = 30 if index == 12 else 3
        paragraphs.append(" ".join(_sentence(n + k + 1) for k in range(count)))
        n += count
    return "\n\n".join(paragraphs)


def _screen_text(app: WorkbenchApp) -> str:
    """What the terminal shows now, line by line."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def _status(reader: ReaderScreen) -> str:
    return str(reader.query_one("#reader-status", Static).content)


def _statement(db: Path, statement_id: int) -> Statement:
    with _repo(db).read() as session:
        row = session.get(Statement, statement_id)
        assert row is not None
        return row


def _notes(app: WorkbenchApp) -> list[str]:
    return [n.message for n in app._notifications]


async def _open_reader(pilot: Pilot[object], app: WorkbenchApp, article_id: int) -> ReaderScreen:
    app.open_reader(article_id)
    await wait_for(
        pilot,
        lambda: (
            isinstance(app.screen, ReaderScreen)
            and bool(app.screen.sentences)
            and len(app.screen.query(Paragraph)) > 0
        ),
        "the reader to load",
    )
    reader = app.screen
    assert isinstance(reader, ReaderScreen)
    await pilot.pause()
    return reader


async def _editor(pilot: Pilot[object], app: WorkbenchApp) -> StatementEditor:
    await wait_for(
        pilot,
        lambda: isinstance(app.screen, StatementEditor) and not app.screen._loading,
        "the editor to fill",
    )
    editor = app.screen
    assert isinstance(editor, StatementEditor)
    return editor


@pytest.fixture
def redraws(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter[int]]:
    """How often each paragraph (by its start) was drawn again after it was mounted."""
    counts: Counter[int] = Counter()
    update = Paragraph.update

    def counted(self: Paragraph, *args: object, **kwargs: object) -> None:
        counts[self.start] += 1
        update(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Paragraph, "update", counted)
    yield counts


# --------------------------------------------------------------------------- paragraphs


def test_paragraphs_end_at_blank_lines_not_at_line_breaks() -> None:
    text = "First line,\nsame paragraph.\n\nSecond one.  \n \t\nThird\n\n\n"
    assert [text[s:e] for s, e in paragraph_spans(text)] == [
        "First line,\nsame paragraph.",
        "Second one.",
        "Third",
    ]


async def test_each_paragraph_of_the_article_is_its_own_block(demo_db: Path) -> None:
    text = _long_text()
    article_id = _add_article(demo_db, text)
    app = make_app(demo_db, live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot, app)
        reader = await _open_reader(pilot, app, article_id)
        shown = [(p.start, p.end) for p in reader.query(Paragraph)]
        assert len(shown) == 40
        assert [text[s:e] for s, e in shown] == text.split("\n\n")


# --------------------------------------------------------------------------- moving


async def test_the_cursor_sentence_stays_in_view_on_a_long_article(demo_db: Path) -> None:
    article_id = _add_article(demo_db, _long_text())
    app = make_app(demo_db, live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot, app)
        reader = await _open_reader(pilot, app, article_id)
        total = len(reader.sentences)
        assert total == 39 * 3 + 30

        def in_view(n: int) -> bool:
            screen = _screen_text(app)
            return f"S{n:03d}" in screen and f"E{n:03d}" in screen

        assert in_view(1)
        for n in range(2, 80):  # down through the tall paragraph and past it
            await pilot.press("j")
            assert reader.cursor == n - 1
            await wait_for(pilot, lambda n=n: in_view(n), f"sentence {n} in view")
        assert not in_view(1)
        for n in range(78, 20, -1):  # and back up into it
            await pilot.press("k")
            await wait_for(pilot, lambda n=n: in_view(n), f"sentence {n} in view")
        await pilot.press("v", *["j"] * 12)  # a selection's moving end is followed too
        end = reader.selection[1]  # type: ignore[index]
        last = reader.text[:end].rsplit("E", 1)[1][:3]
        await wait_for(pilot, lambda: f"E{last}" in _screen_text(app), "the selection's end")


async def test_a_key_redraws_only_the_paragraphs_whose_marks_changed(
    demo_db: Path, redraws: Counter[int]
) -> None:
    article_id = _add_article(demo_db, _long_text())
    app = make_app(demo_db, live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        reader = await _open_reader(pilot, app, article_id)
        starts = [p.start for p in reader.query(Paragraph)]
        first, second, third = starts[:3]
        redraws.clear()
        await pilot.press("j")  # within the first paragraph
        assert redraws == {first: 1}
        redraws.clear()
        await pilot.press("j", "j")  # the last sentence of the first, then into the second
        assert redraws == {first: 2, second: 1}
        redraws.clear()
        await pilot.press("v", "j", "j", "j")  # a selection growing into the next paragraph
        assert set(redraws) == {second, third}
        redraws.clear()
        await pilot.press("w")
        assert set(redraws) == {third}
        redraws.clear()
        await pilot.press("escape")  # the selection goes: its paragraphs, nothing else
        assert set(redraws) == {second, third}


# --------------------------------------------------------------------------- live


async def test_the_reader_follows_desk_changes_keeping_cursor_and_selection(
    demo_db: Path, redraws: Counter[int]
) -> None:
    text = "\n\n".join(" ".join(_sentence(p * 3 + k) for k in range(1, 4)) for p in range(6))
    article_id = _add_article(demo_db, text)
    theirs = _repo(demo_db, COLLEAGUE)

    def suggest(words: str) -> SuggestedStatement:
        start = text.index(words)
        return SuggestedStatement(start=start, end=start + len(words), text=words)

    first, _second = theirs.store_suggestions(
        article_id, [suggest(_sentence(2)), suggest(_sentence(8))]
    )
    app = make_app(demo_db)  # live: the watcher tells every open screen
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        reader = await _open_reader(pilot, app, article_id)
        assert {s.review for s in reader.spans} == {"suggested"}
        await pilot.press("j", "j", "j", "j", "v", "w", "w")  # sentence 5, two words short
        cursor, selection = reader.cursor, reader.selection
        assert cursor == 4 and selection is not None
        redraws.clear()

        theirs.review("statement", first, "accepted")
        await wait_for(
            pilot,
            lambda: any(s.statement_id == first and s.review == "accepted" for s in reader.spans),
            "the colleague's accept shown",
        )
        assert (reader.cursor, reader.selection) == (cursor, selection)
        accepted_at = reader.text.index(_sentence(2))
        paragraph = max(s for s in (p.start for p in reader.query(Paragraph)) if s <= accepted_at)
        assert set(redraws) == {paragraph}  # only where the mark changed
        drawn = reader._paragraph_text(paragraph, paragraph + len(_sentence(2)) * 3)
        assert any("underline" in str(span.style) for span in drawn.spans)

        theirs.store_suggestions(article_id, [suggest(_sentence(17))])  # a new pass
        await wait_for(
            pilot,
            lambda: any(s.start == text.index(_sentence(17)) for s in reader.spans),
            "the new suggestion shown",
        )
        assert (reader.cursor, reader.selection) == (cursor, selection)
        assert "Selected" in _status(reader)


async def test_a_changed_article_keeps_the_cursor_and_selection_on_their_words(
    demo_db: Path,
) -> None:
    text = "\n\n".join(" ".join(_sentence(p * 3 + k) for k in range(1, 4)) for p in range(4))
    article_id = _add_article(demo_db, text)
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        reader = await _open_reader(pilot, app, article_id)
        await pilot.press(*["j"] * 7, "v", "w")  # sentence 8, and its first two words
        words = reader.text[slice(*reader.selection)]  # type: ignore[misc]
        assert words.startswith("S008 says")
        lead = _sentence(99) + "\n\n"  # a colleague's correction puts a paragraph on top
        _repo(demo_db, COLLEAGUE).update("article", article_id, None, text=lead + text)
        await wait_for(pilot, lambda: reader.text.startswith(lead), "the new text")
        await wait_for(pilot, lambda: len(reader.query(Paragraph)) == 5, "its paragraphs")
        assert reader.text[slice(*reader.current)] == _sentence(8)
        assert reader.selection is not None
        assert reader.text[slice(*reader.selection)] == words
        assert reader.selection[0] == len(lead) + text.index(words)
        _repo(demo_db, COLLEAGUE).update("article", article_id, None, text=lead)
        await wait_for(pilot, lambda: len(reader.query(Paragraph)) == 1, "the shorter text")
        assert reader.selection is None  # its words are gone: never a selection of others
        assert reader.cursor == 0


# --------------------------------------------------------------------------- reviews


async def test_a_stale_reader_never_overwrites_a_colleagues_accept(demo_db: Path) -> None:
    text = " ".join(_sentence(n) for n in range(1, 4))
    article_id = _add_article(demo_db, text)
    start = text.index(_sentence(1))
    (suggestion,) = _repo(demo_db).store_suggestions(
        article_id, [SuggestedStatement(start=start, end=start + 20, text="the quay")]
    )
    app = make_app(demo_db, live=False)  # nothing tells this reader: it goes stale
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        reader = await _open_reader(pilot, app, article_id)
        assert reader._span_here() is not None
        _repo(demo_db, COLLEAGUE).review("statement", suggestion, "accepted")
        await pilot.press("d")
        await wait_for(pilot, lambda: bool(_notes(app)), "the refusal")
        (note,) = _notes(app)
        assert note.startswith(f"{COLLEAGUE} changed this statement since you opened it")
        assert note.endswith("— refreshed.")
        assert _statement(demo_db, suggestion).review == "accepted"
        await wait_for(
            pilot,
            lambda: [s.review for s in reader.spans] == ["accepted"],
            "the reader refreshed",
        )
        await pilot.press("d")  # no longer a suggestion: nothing to dismiss
        assert _statement(demo_db, suggestion).review == "accepted"


async def test_the_reader_reviews_at_the_version_it_shows(demo_db: Path) -> None:
    text = " ".join(_sentence(n) for n in range(1, 4))
    article_id = _add_article(demo_db, text)
    (suggestion,) = _repo(demo_db).store_suggestions(
        article_id, [SuggestedStatement(start=0, end=20, text="the quay")]
    )
    app = make_app(demo_db, live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        reader = await _open_reader(pilot, app, article_id)
        await pilot.press("a")
        await wait_for(pilot, lambda: [s.review for s in reader.spans] == ["accepted"])
        assert _notes(app) == []
    assert _statement(demo_db, suggestion).review == "accepted"


async def test_a_stale_statements_pane_never_overwrites_a_colleagues_accept(
    demo_db: Path,
) -> None:
    text = " ".join(_sentence(n) for n in range(1, 4))
    article_id = _add_article(demo_db, text)
    (suggestion,) = _repo(demo_db).store_suggestions(
        article_id, [SuggestedStatement(start=0, end=20, text="the quay")]
    )
    app = make_app(demo_db, live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("2")
        statements = plist(app, "statements")
        assert statements.current is not None and statements.current.id == suggestion
        _repo(demo_db, COLLEAGUE).review("statement", suggestion, "accepted")
        await pilot.press("d")
        await wait_for(pilot, lambda: bool(_notes(app)), "the refusal")
        assert _notes(app)[0].startswith(f"{COLLEAGUE} changed this statement since you")
        assert _statement(demo_db, suggestion).review == "accepted"
        await wait_for(
            pilot,
            lambda: statements.current is not None and statements.current.review == "accepted",
            "the row refreshed",
        )


async def test_a_stale_timeline_never_overwrites_a_colleagues_dismiss(demo_db: Path) -> None:
    repo = _repo(demo_db)
    # a suggestion, as the tables in articles make them; the oldest entry of all
    event = repo.add_event(title="Ferry trial run", date=dt.date(1990, 1, 1), review="suggested")
    event_id = int(event.id)  # type: ignore[arg-type]
    app = make_app(demo_db, live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("4", "g")  # the oldest entry
        timeline = plist(app, "timeline")
        await wait_for(
            pilot, lambda: timeline.current is not None and timeline.current.id == event_id
        )
        _repo(demo_db, COLLEAGUE).review("event", event_id, "dismissed")
        await pilot.press("a")
        await wait_for(pilot, lambda: bool(_notes(app)), "the refusal")
        assert _notes(app)[0].startswith(f"{COLLEAGUE} changed this event since you opened it")
        with repo.read() as session:
            assert session.get(Event, event_id).review == "dismissed"  # type: ignore[union-attr]


async def test_a_stale_positions_grid_never_overwrites_a_colleagues_dismiss(
    demo_db: Path,
) -> None:
    repo = _repo(demo_db)
    issue = repo.add_issue("!Will the ferries run?")  # first in the grid
    actor = repo.find_actor("Pellara")
    assert actor is not None
    position = repo.add_position(
        issue_id=int(issue.id),  # type: ignore[arg-type]
        actor_id=int(actor.id),  # type: ignore[arg-type]
        summary="Ready to run them",
        as_of=dt.date(2026, 12, 3),
        review="suggested",
    )
    position_id = int(position.id)  # type: ignore[arg-type]
    app = make_app(demo_db, live=False)
    async with app.run_test(size=(200, 50)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("3")
        grid = plist(app, "positions")
        await wait_for(pilot, lambda: grid.current is not None and grid.current.id == issue.id)
        column = next(i for i, c in enumerate(grid.columns) if c.id == actor.id)  # type: ignore[attr-defined]
        grid.column = column  # type: ignore[attr-defined]
        cell = grid.current.cells[column]  # type: ignore[union-attr]
        assert cell is not None and cell.summary == "Ready to run them"
        # still a suggestion, but no longer the one on this screen
        _repo(demo_db, COLLEAGUE).update("position", position_id, None, summary="Not yet")
        await pilot.press("a")
        await wait_for(pilot, lambda: bool(_notes(app)), "the refusal")
        assert _notes(app)[0].startswith(f"{COLLEAGUE} changed this position since you opened")
        with repo.read() as session:
            stored = session.get(Position, position_id)
            assert stored is not None and (stored.review, stored.summary) == (
                "suggested",
                "Not yet",
            )
        await wait_for(
            pilot,
            lambda: grid.current.cells[column].summary == "Not yet",  # type: ignore[union-attr]
            "the grid refreshed",
        )
        await pilot.press("a")  # now it is the one shown: accepted
        await wait_for(pilot, lambda: repo.get("position", position_id).review == "accepted")  # type: ignore[union-attr]


# --------------------------------------------------------------------------- the prefill

PREFILL_TEXT = (
    "The Office said on Monday that the ferry talks would continue.\n\n"
    "The Office said the swap was “a humanitarian step” and that more would follow.\n\n"
    "Halina Brecht said the talks would go on.\n\n"
    "“We will not be rushed into a deal.”"
)


def _actors(db: Path) -> list[str]:
    with _repo(db).read() as session:
        return list(session.exec(select(Actor.name).order_by(col(Actor.id))))


async def test_an_unresolved_mention_is_attribution_not_a_new_actor(demo_db: Path) -> None:
    article_id = _add_article(demo_db, PREFILL_TEXT)
    actors = _actors(demo_db)
    app = make_app(demo_db, live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        reader = await _open_reader(pilot, app, article_id)
        await pilot.press("c")  # "The Office said on Monday…"
        editor = await _editor(pilot, app)
        assert editor.query_one("#speaker", Input).value == ""
        assert editor._speaker_id is None
        assert editor.query_one("#attribution", Input).value == "The Office"
        assert editor.values()["text"].startswith("The Office said on Monday")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is reader, "saved")
    assert _actors(demo_db) == actors  # "The Office" did not become an actor
    with _repo(demo_db).read() as session:
        saved = session.exec(select(Statement).where(Statement.article_id == article_id)).one()
    assert (saved.speaker_id, saved.attribution) == (None, "The Office")


async def test_a_resolved_speaker_still_fills_the_speaker(demo_db: Path) -> None:
    article_id = _add_article(demo_db, PREFILL_TEXT)
    app = make_app(demo_db, live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        await _open_reader(pilot, app, article_id)
        await pilot.press("j", "j", "c")
        editor = await _editor(pilot, app)
        assert editor.query_one("#speaker", Input).value == "Halina Brecht"
        assert editor._speaker_id == 6
        assert editor.query_one("#attribution", Input).value == ""


async def test_quoted_words_picked_by_keys_are_prefilled_as_a_quote(demo_db: Path) -> None:
    article_id = _add_article(demo_db, PREFILL_TEXT)
    app = make_app(demo_db, live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        reader = await _open_reader(pilot, app, article_id)
        text = reader.text
        start = text.index("a humanitarian step")
        end = start + len("a humanitarian step")
        sentence = reader.sentences[1]
        words = word_spans(text, *sentence)
        later = sum(1 for s, _e in words if s < start)
        shorter = sum(1 for _s, e in words if e > end)
        await pilot.press("j", "v", *["L"] * later, *["b"] * shorter)
        assert reader.selection == (start, end)
        await pilot.press("enter")
        editor = await _editor(pilot, app)
        assert editor.query_one("#quote", Checkbox).value is True
        assert editor.values()["text"] == "a humanitarian step"
        assert editor.query_one("#speaker", Input).value == ""
        assert editor.query_one("#attribution", Input).value == "The Office"
        await pilot.press("escape", "d")
        await wait_for(pilot, lambda: app.screen is reader)
        await pilot.press("c")  # the whole sentence: the reported clause, a paraphrase
        editor = await _editor(pilot, app)
        assert editor.query_one("#quote", Checkbox).value is False


async def test_a_quotation_the_extractor_does_not_read_is_still_a_quote(demo_db: Path) -> None:
    article_id = _add_article(demo_db, PREFILL_TEXT)
    app = make_app(demo_db, live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        await _open_reader(pilot, app, article_id)
        await pilot.press("j", "j", "j", "c")  # “We will not be rushed into a deal.”
        editor = await _editor(pilot, app)
        assert editor.query_one("#quote", Checkbox).value is True
        assert editor.values()["text"] == "We will not be rushed into a deal."


# --------------------------------------------------------------------------- off the UI thread


async def test_keys_keep_working_while_the_selection_is_read(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    article_id = _add_article(demo_db, PREFILL_TEXT)
    started, release = threading.Event(), threading.Event()
    extract = extractor.extract_statements

    def slow(*args: object, **kwargs: object) -> object:
        started.set()
        release.wait(5)  # a guard: never left waiting if the test fails first
        return extract(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(extractor, "extract_statements", slow)
    app = make_app(demo_db, live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        reader = await _open_reader(pilot, app, article_id)
        await pilot.press("c")
        await wait_for(pilot, started.is_set, "the extractor to start")
        await pilot.press("j")  # answered while the extractor is still reading
        still_reading = not release.is_set() and app.screen is reader
        assert still_reading and reader.cursor == 1
        assert "Reading the selection" in _status(reader)
        await pilot.press("c")  # a second Enter meanwhile does not open a second editor
        release.set()
        editor = await _editor(pilot, app)
        assert editor.evidence == reader.sentences[0]  # what was chosen when c was pressed
        assert editor.query_one("#attribution", Input).value == "The Office"
        await pilot.press("escape", "d")
        await wait_for(pilot, lambda: app.screen is reader)
        assert sum(isinstance(s, StatementEditor) for s in app.screen_stack) == 0
