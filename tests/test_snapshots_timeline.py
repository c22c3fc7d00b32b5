"""Snapshots of the Timeline pane on the Lantern Bridge story (``build_bridge``): a month-
precision entry, a fuzzy "mid-December" and "in the coming days", a day with an event and
two statements, a superseded and contradicted promise, and a three-day range.

At 80×24 (the SSH size) and at 110×30 (the whole story on one screen, marks in full).
Update after an intended layout change with
``pytest tests/test_snapshots_timeline.py --snapshot-update`` and look at the SVGs first.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from db.engine import open_desk
from db.repo import Repo
from tests.conftest import EDITOR, wait_for
from tests.test_timeline import Bridge, build_bridge, expected_order
from tests.ui_support import detail_text, plist, wait_loaded
from workbench.ui.app import WorkbenchApp


def _bridge_app(tmp_path: Path) -> tuple[WorkbenchApp, Bridge]:
    path = tmp_path / "bridge.db"
    engine = open_desk(str(path))
    story = build_bridge(Repo(engine, EDITOR))
    engine.dispose()
    app = WorkbenchApp(Repo(open_desk(str(path)), EDITOR), db_label="bridge.db", live=False)
    return app, story


def _on_the_promise(app: WorkbenchApp, story: Bridge) -> Any:
    """Open the timeline and put the cursor on the superseded promise, its detail shown."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await wait_loaded(pilot, app)
        await pilot.press("4")
        timeline = plist(app, "timeline")
        await wait_for(pilot, lambda: len(timeline.loaded_rows) == len(expected_order(story)))
        for _ in expected_order(story):
            current = timeline.current
            if current is not None and (current.kind, current.id) == ("statement", story.promise):
                break
            await pilot.press("j")
        await wait_for(
            pilot,
            lambda: "will reopen on 21 December" in detail_text(app, "timeline"),
            "the promise's detail",
        )
        await pilot.pause()

    return run_before


def test_timeline_story_at_80x24(snap_compare: Any, tmp_path: Path) -> None:
    app, story = _bridge_app(tmp_path)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_on_the_promise(app, story))


def test_timeline_story_at_110x30(snap_compare: Any, tmp_path: Path) -> None:
    app, story = _bridge_app(tmp_path)
    assert snap_compare(app, terminal_size=(110, 30), run_before=_on_the_promise(app, story))
