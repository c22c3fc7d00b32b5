"""Snapshots of the search screen and the link picker at 80×24 (the SSH size), on the
small linking story of ``build_story``.

Update after an intended layout change with
``pytest tests/test_snapshots_links.py --snapshot-update`` and look at the SVGs first.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from db.engine import open_desk
from db.repo import Repo
from tests._support_links import Story, build_story
from tests.conftest import EDITOR, wait_for
from tests.ui_support import main_screen, plist, wait_loaded
from workbench.ui.app import WorkbenchApp
from workbench.ui.links import LinkPicker
from workbench.ui.search import SearchScreen


def _story_app(tmp_path: Path) -> tuple[WorkbenchApp, Story]:
    path = tmp_path / "story.db"
    engine = open_desk(str(path))
    story = build_story(Repo(engine, EDITOR))
    engine.dispose()
    app = WorkbenchApp(Repo(open_desk(str(path)), EDITOR), db_label="story.db", live=False)
    return app, story


def test_search_screen_at_80x24(snap_compare: Any, tmp_path: Path) -> None:
    app, _story = _story_app(tmp_path)

    async def run_before(pilot: Pilot[Any]) -> None:
        await wait_loaded(pilot, app)
        await pilot.press("slash", *"call planned")
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        await wait_for(pilot, lambda: screen.settled and len(screen.hits) == 2, "the hits")
        screen.query_one(Input).cursor_blink = False  # a steady cursor, however long it took
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_link_picker_at_80x24(snap_compare: Any, tmp_path: Path) -> None:
    app, story = _story_app(tmp_path)

    async def run_before(pilot: Pilot[Any]) -> None:
        await wait_loaded(pilot, app)
        await pilot.press("2")
        main_screen(app).pane("statements").show_statement(story.called_off)  # type: ignore[attr-defined]
        await wait_for(
            pilot,
            lambda: getattr(plist(app, "statements").current, "id", None) == story.called_off,
        )
        await pilot.press("l")
        picker = app.screen
        assert isinstance(picker, LinkPicker)
        await wait_for(pilot, lambda: picker.loads > 0 and len(picker.shown) == 4, "candidates")
        picker.query_one(Input).cursor_blink = False
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
