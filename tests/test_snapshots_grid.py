"""Snapshots of the positions grid with its marks, family header and legend, and of the
list Enter opens on a cell, at 80×24 (the SSH size), on the story of
``tests.test_positions_grid``.

Update after an intended layout change with
``pytest tests/test_snapshots_grid.py --snapshot-update`` and look at the SVGs first.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from tests.conftest import wait_for
from tests.test_positions_grid import SINCE, goto_cell, open_grid, story_app, story_desk
from workbench.ui.panes.positions import CellScreen, PositionsPane


def test_grid_with_marks_at_80x24(snap_compare: Any, tmp_path: Path) -> None:
    path, story = story_desk(tmp_path)
    app = story_app(path)

    async def run_before(pilot: Pilot[Any]) -> None:
        grid = await open_grid(pilot, app)
        pane = app.query_one(PositionsPane)
        pane.prefs.since = SINCE
        pane.load_view()
        await wait_for(pilot, lambda: pane.since == SINCE and grid.loads > 1, "the Δ marks")
        await goto_cell(pilot, grid, story.ferry, story.norland)
        await wait_for(pilot, lambda: "Norland on" in str(pane.detail.query_one("Static").content))
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_cell_detail_at_80x24(snap_compare: Any, tmp_path: Path) -> None:
    path, story = story_desk(tmp_path)
    app = story_app(path)

    async def run_before(pilot: Pilot[Any]) -> None:
        grid = await open_grid(pilot, app)
        await goto_cell(pilot, grid, story.ferry, story.norland)
        await pilot.press("enter")
        screen = app.screen
        assert isinstance(screen, CellScreen)
        await wait_for(pilot, lambda: screen.loads > 0, "the cell")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
