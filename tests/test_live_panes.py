"""Live everywhere: what another session commits shows in every pane and open screen of
this one, the cursor staying on the item it was on and any form being typed untouched.

"Another session" is a second ``Repo`` on its own engine (its own connections to the same
desk, as another process has), and once a real second process.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Input, OptionList, TextArea

from db.engine import open_desk
from db.repo import Repo
from tests.conftest import wait_for
from tests.test_live import desk_location
from tests.ui_support import detail_text, make_app, pane, plist, row_text, wait_loaded
from workbench.ui.editor import StatementEditor
from workbench.ui.forms import IssueForm
from workbench.ui.panes.timeline import EventScreen

PANES = ("feed", "statements", "positions", "timeline")


@pytest.fixture
def other(demo_db: Path) -> Iterator[Repo]:
    """maria, working the same desk from another session."""
    engine = open_desk(str(demo_db))
    yield Repo(engine, "maria")
    engine.dispose()


async def test_every_pane_follows_another_sessions_commits_keeping_its_cursor(
    demo_db: Path, other: Repo
) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(200, 50)) as pilot:  # all four panes on screen
        await wait_loaded(pilot, app)
        lists = {name: plist(app, name) for name in PANES}
        for lst in lists.values():
            lst.set_cursor(2)
        await wait_for(pilot, lambda: all(lst.cursor == 2 for lst in lists.values()))
        keys = {name: lst.current.key for name, lst in lists.items()}
        feed, statements, grid, timeline = (lists[name] for name in PANES)

        def kept(name: str) -> bool:
            row = lists[name].current
            return row is not None and row.key == keys[name]

        # A new article, newest of all: it lands above the cursor, which stays on its row.
        total = feed.total or 0
        other.add_article(
            title="Breaking from another session",
            text="Text.",
            published_at=dt.datetime.now(dt.UTC),
        )
        await wait_for(pilot, lambda: feed.total == total + 1, "the new article")
        await wait_for(pilot, lambda: "Breaking from another" in row_text(feed, 0), "drawn")
        assert kept("feed") and feed.cursor == 3

        # Triage of the highlighted article, by someone else: its row shows it.
        article = feed.current
        other.set_triage(article.id, "needs_check")
        await wait_for(pilot, lambda: feed.current.triage == "needs_check", "the triage")
        assert kept("feed") and "?" in row_text(feed, feed.cursor - int(feed.scroll_y))

        # A new statement (newest first in Statements; on the timeline by its date, before
        # everything else there).
        speaker = other.find_actor("Idrevo")
        assert speaker is not None
        counts = statements.total or 0, timeline.total or 0
        other.add_statement(
            text="Said in another session",
            speaker_id=speaker.id,
            said_on=dt.date(2020, 1, 1),
            date_precision="day",
        )
        await wait_for(pilot, lambda: statements.total == counts[0] + 1, "the new statement")
        await wait_for(pilot, lambda: timeline.total == counts[1] + 1, "on the timeline")
        await wait_for(pilot, lambda: kept("statements") and statements.cursor == 3)
        await wait_for(pilot, lambda: kept("timeline") and timeline.cursor == 3)

        # A status change on the highlighted statement: row and detail follow.
        statement = statements.current
        other.update("statement", statement.id, statement.version, verification="disputed")
        await wait_for(
            pilot, lambda: statements.current.verification == "disputed", "the new status"
        )
        assert kept("statements")
        await wait_for(pilot, lambda: " disputed " in detail_text(app, "statements"), "detail")

        # A link from it: its detail lists it.
        target = statements.loaded_rows[0]
        other.add_link(statement.id, target.id, "contradicts", note="from elsewhere")
        await wait_for(pilot, lambda: "from elsewhere" in detail_text(app, "statements"), "link")
        assert kept("statements")

        # A position in the highlighted issue's first column.
        issue, actor = grid.current, grid.columns[0]
        other.add_position(
            issue_id=issue.id,
            actor_id=actor.id,
            summary="Position taken elsewhere",
            as_of=dt.date(2026, 11, 29),
        )
        await wait_for(
            pilot,
            lambda: getattr(grid.current.cells[0], "summary", "") == "Position taken elsewhere",
            "the new position",
        )
        assert kept("positions")

        # An event, dated before everything: above the cursor, which stays.
        total = timeline.total or 0
        other.add_event(title="Event recorded elsewhere", date=dt.date(2019, 5, 1))
        await wait_for(pilot, lambda: timeline.total == total + 1, "the new event")
        await wait_for(pilot, lambda: kept("timeline") and timeline.cursor == 4)
        assert any(r.title == "Event recorded elsewhere" for r in timeline.loaded_rows)

        # Through all of it, every pane kept its item.
        assert all(kept(name) for name in PANES)


async def test_forms_being_typed_are_untouched_by_live_refreshes(
    demo_db: Path, other: Repo
) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        statements = plist(app, "statements")
        await pilot.press("2")
        statement = statements.current
        await pilot.press("e")
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, StatementEditor) and not app.screen._loading,
            "the editor",
        )
        editor = app.screen
        assert isinstance(editor, StatementEditor)
        text = editor.query_one("#text", TextArea)
        editor.set_focus(text)
        text.move_cursor(text.document.end)
        await pilot.press(*" and more words")
        await wait_for(pilot, lambda: editor.dirty, "the typing")
        typed = editor.values()
        assert typed["text"].endswith(" and more words")

        # maria saves the very statement being edited, and adds another.
        other.update(
            "statement", statement.id, statement.version, notes="hers", verification="false"
        )
        total = statements.total or 0
        other.add_statement(text="Another statement, added meanwhile")
        await wait_for(pilot, lambda: statements.total == total + 1, "the pane beneath")
        await wait_for(pilot, lambda: statements.current.verification == "false", "reloaded")
        assert app.screen is editor
        assert editor.values() == typed  # nothing typed was replaced or lost
        assert app.focused is text and editor.dirty
        await pilot.press("x")  # and typing goes on where it was
        assert editor.values()["text"] == typed["text"] + "x"
        await pilot.press("escape", "d")  # discard, for a clean exit

        # A positions form, likewise.
        await wait_for(pilot, lambda: not isinstance(app.screen, StatementEditor), "closed")
        grid = plist(app, "positions")
        await pilot.press("3", "I", *"Half typed")
        form = app.screen
        assert isinstance(form, IssueForm)
        issues = grid.total or 0
        other.add_issue("An issue from another session")
        await wait_for(pilot, lambda: grid.total == issues + 1, "the grid beneath")
        assert app.screen is form
        assert form.query_one(Input).value == "Half typed"
        assert app.focused is form.query_one(Input)


async def test_an_open_event_follows_changes_keeping_its_highlight(
    demo_db: Path, other: Repo
) -> None:
    speaker = other.find_actor("Idrevo")
    assert speaker is not None
    first, second = (
        other.add_statement(
            text=f"Statement {n} on the early event",
            speaker_id=speaker.id,
            said_on=dt.date(1990, 1, 2),
            date_precision="day",
        )
        for n in (1, 2)
    )
    event = other.add_event(
        title="An early event", date=dt.date(1990, 1, 1), statement_ids=[first.id, second.id]
    )
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("4", "g")  # the timeline's oldest entry: the event
        timeline = plist(app, "timeline")
        await wait_for(pilot, lambda: getattr(timeline.current, "id", None) == event.id)
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, EventScreen) and app.screen.loaded,
            "the event screen",
        )
        screen = app.screen
        assert isinstance(screen, EventScreen)
        options = screen.query_one(OptionList)
        ids = [row.id for row in screen.statements]
        options.highlighted = ids.index(second.id)
        loads = screen.loads

        other.add_statement(text="Unrelated, newer", speaker_id=speaker.id)
        stored = other.get("statement", second.id)
        other.update("statement", second.id, stored.version, text="Reworded elsewhere")  # type: ignore[union-attr]
        await wait_for(
            pilot,
            lambda: any(r.text == "Reworded elsewhere" for r in screen.statements),
            "the reworded statement",
        )
        assert screen.loads > loads
        highlighted = options.highlighted
        assert highlighted is not None
        assert screen.statements[highlighted].id == second.id  # still on it
        assert "Reworded elsewhere" in str(options.get_option_at_index(highlighted).prompt)


WRITE_ELSEWHERE = """
import datetime as dt
import sys
from db.engine import open_desk
from db.repo import Repo
repo = Repo(open_desk(sys.argv[1]), "other-process")
statement = repo.get("statement", int(sys.argv[2]))
repo.update("statement", statement.id, statement.version, verification="retracted")
repo.add_event(title="Event from another process", date=dt.date(2019, 3, 3))
"""


async def test_a_second_process_commits_and_every_pane_shows_it(
    demo_db: Path, backend: str
) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(200, 50)) as pilot:
        await wait_loaded(pilot, app)
        statements, timeline = plist(app, "statements"), plist(app, "timeline")
        statements.set_cursor(1)
        timeline.set_cursor(2)
        await wait_for(pilot, lambda: statements.cursor == 1 and timeline.cursor == 2)
        statement, entry = statements.current, timeline.current
        total = timeline.total or 0
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            WRITE_ELSEWHERE,
            desk_location(demo_db, backend),
            str(statement.id),
            env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)},
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        _out, err = await process.communicate()
        assert process.returncode == 0, err.decode()
        await wait_for(pilot, lambda: statements.current.verification == "retracted", "the status")
        assert statements.current.key == statement.key
        assert "retracted" in row_text(statements, statements.cursor - int(statements.scroll_y))
        await wait_for(pilot, lambda: timeline.total == total + 1, "the event")
        await wait_for(pilot, lambda: timeline.current.key == entry.key and timeline.cursor == 3)
        assert "other-process" in str(pane(app, "feed").screen.query_one("PaneTabs").status)
