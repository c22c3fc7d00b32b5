"""Live refresh: what another process commits appears in an open session without a key press."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from tests.conftest import wait_for
from tests.ui_support import main_screen, make_app, plist, row_text, wait_loaded
from workbench.ui.app import PaneTabs

WRITE_STATEMENT = """
import sys
from db.engine import open_desk
from db.repo import Repo
repo = Repo(open_desk(sys.argv[1]), "other-editor")
speaker = repo.find_actor("Idrevo")
repo.add_statement(text="A statement typed in another session", speaker_id=speaker.id)
"""


async def _run(*args: str) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *args,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _out, err = await process.communicate()
    assert process.returncode == 0, err.decode()


async def test_demo_loaded_by_another_process_fills_an_open_session(empty_db: Path) -> None:
    app = make_app(empty_db)
    async with app.run_test(size=(200, 50)) as pilot:
        await wait_loaded(pilot, app)
        assert plist(app, "feed").total == 0
        assert "No articles here" in row_text(plist(app, "feed"), 0)
        await _run("-m", "workbench", "--db", str(empty_db), "demo", "--no-ui")
        await wait_for(pilot, lambda: plist(app, "feed").total == 10, "feed to fill live")
        await wait_for(pilot, lambda: plist(app, "statements").total == 53, "statements")
        await wait_for(pilot, lambda: plist(app, "positions").total == 4, "positions")
        await wait_for(pilot, lambda: (plist(app, "timeline").total or 0) > 12, "timeline")
        grid = plist(app, "positions")
        await wait_for(pilot, lambda: len(grid.columns) == 3, "grid columns")  # type: ignore[attr-defined]
        status = main_screen(app).query_one(PaneTabs).status
        assert status.startswith("↻ ")


async def test_statement_saved_elsewhere_appears_on_top(demo_db: Path) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(200, 50)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("2")
        statements = plist(app, "statements")
        before = statements.total
        await _run("-c", WRITE_STATEMENT, str(demo_db))
        await wait_for(pilot, lambda: statements.total == (before or 0) + 1, "new statement")
        await wait_for(
            pilot, lambda: "A statement typed in another" in row_text(statements, 0), "row drawn"
        )
        status = main_screen(app).query_one(PaneTabs).status
        assert "other-editor" in status


MARK_READ = """
import sys
from db.engine import open_desk
from db.repo import Repo
Repo(open_desk(sys.argv[1]), "other-editor").mark_read(int(sys.argv[2]))
"""


async def test_a_live_refresh_keeps_the_readers_place(demo_db: Path) -> None:
    from tests.ui_support import pane

    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        feed = pane(app, "feed")

        def detail_idle() -> bool:
            return not [w for w in app.workers if w.group == "detail-feed" and not w.is_finished]

        await wait_for(pilot, lambda: feed._shown is not None and detail_idle())
        feed.detail.focus()  # reading the article in the pane's lower half
        await pilot.pause()
        feed.detail.scroll_to(y=6, animate=False, immediate=True)
        await pilot.pause()
        assert feed.detail.scroll_y == 6
        reading = feed.list.current
        other = plist(app, "feed").loaded_rows[-1]
        assert reading is not None and other.id != reading.id
        token, loads = feed._detail_token, feed.list.loads
        await _run("-c", MARK_READ, str(demo_db), str(other.id))
        await wait_for(pilot, lambda: feed.list.loads > loads and feed._detail_token > token)
        await wait_for(pilot, detail_idle)
        await pilot.pause()
        assert feed.detail.scroll_y == 6
        assert app.focused is feed.detail
