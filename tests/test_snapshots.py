"""Layout snapshots at the two sizes the desk must serve: 80×24 over SSH and a 200×50 screen.

Update after an intended layout change with ``pytest tests/test_snapshots.py --snapshot-update``
and look at the SVGs before committing them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from tests.conftest import wait_for
from tests.ui_support import detail_text, make_app, wait_loaded


def _ready(*keys: str, detail: str = "feed") -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run_before(pilot: Pilot[Any]) -> None:
        app = pilot.app
        await wait_loaded(pilot, app)  # type: ignore[arg-type]
        if keys:
            await pilot.press(*keys)
        await wait_for(
            pilot,
            lambda: (
                "Highlight" not in detail_text(app, detail)  # type: ignore[arg-type]
                and "Move over" not in detail_text(app, detail)
            ),  # type: ignore[arg-type]
            f"{detail} detail",
        )
        await pilot.pause()

    return run_before


def test_feed_at_80x24(snap_compare: Any, demo_db: Path) -> None:
    app = make_app(demo_db, live=False)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_ready())


def test_positions_at_80x24(snap_compare: Any, demo_db: Path) -> None:
    app = make_app(demo_db, live=False)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_ready("3", detail="positions"))


def test_statements_at_80x24(snap_compare: Any, demo_db: Path) -> None:
    app = make_app(demo_db, live=False)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_ready("2", detail="statements"))


def test_timeline_at_80x24(snap_compare: Any, demo_db: Path) -> None:
    app = make_app(demo_db, live=False)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_ready("4", detail="timeline"))


def test_all_panes_at_200x50(snap_compare: Any, demo_db: Path) -> None:
    app = make_app(demo_db, live=False)

    async def run_before(pilot: Pilot[Any]) -> None:
        await _ready()(pilot)
        for pane_id, key in (("statements", "2"), ("positions", "3"), ("timeline", "4")):
            await pilot.press(key)
            await wait_for(
                pilot,
                lambda pane_id=pane_id: (
                    not detail_text(pilot.app, pane_id).startswith(  # type: ignore[misc, arg-type]
                        ("Highlight", "Move over")
                    )
                ),
            )
        await pilot.press("1")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(200, 50), run_before=run_before)


def test_help_screen(snap_compare: Any, demo_db: Path) -> None:
    app = make_app(demo_db, live=False)

    async def run_before(pilot: Pilot[Any]) -> None:
        await _ready()(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(100, 40), run_before=run_before)
