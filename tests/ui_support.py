"""Helpers for driving the TUI in tests."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from db.engine import open_desk
from db.repo import Repo
from tests.conftest import EDITOR, wait_for
from workbench.ui.app import MainScreen, WorkbenchApp
from workbench.ui.panes.base import Pane
from workbench.ui.virtual_list import VirtualList


def make_app(db: Path, *, keymap: dict[str, str] | None = None, live: bool = True) -> WorkbenchApp:
    repo = Repo(open_desk(str(db)), EDITOR)
    return WorkbenchApp(repo, db_label="demo.db", keymap=keymap, live=live)


def main_screen(app: WorkbenchApp) -> MainScreen:
    screen = app.get_default_screen_instance()
    assert screen is not None
    return screen


def pane(app: WorkbenchApp, pane_id: str) -> Pane:
    return main_screen(app).pane(pane_id)


def plist(app: WorkbenchApp, pane_id: str) -> VirtualList:
    return pane(app, pane_id).list


def detail_text(app: WorkbenchApp, pane_id: str) -> str:
    from textual.widgets import Static

    content = pane(app, pane_id).detail.query_one(Static).content
    return str(content)


def row_text(lst: VirtualList, y: int) -> str:
    """What the list draws on screen line ``y`` (as a user would read it)."""
    return "".join(segment.text for segment in lst.render_line(y))


async def wait_loaded(pilot: Pilot[object], app: WorkbenchApp) -> None:
    """All four panes have counted and fetched their first window."""
    ids = ("feed", "statements", "positions", "timeline")
    await wait_for(
        pilot,
        lambda: (
            (screen := app.get_default_screen_instance()) is not None
            and len(screen.query(Pane)) == len(ids)
        ),
        "the panes to mount",
    )
    await wait_for(
        pilot,
        lambda: all(
            plist(app, i).total is not None
            and (plist(app, i).total == 0 or plist(app, i).current is not None)
            for i in ids
        ),
        "all panes to load",
    )
    await pilot.pause()
