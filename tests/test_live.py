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
        assert "No articles yet" in row_text(plist(app, "feed"), 0)
        await _run("-m", "workbench", "--db", str(empty_db), "demo", "--no-ui")
        await wait_for(pilot, lambda: plist(app, "feed").total == 10, "feed to fill live")
        await wait_for(pilot, lambda: plist(app, "statements").total == 53, "statements")
        await wait_for(pilot, lambda: plist(app, "positions").total == 4, "positions")
        await wait_for(pilot, lambda: (plist(app, "timeline").total or 0) > 12, "timeline")
        grid = plist(app, "positions")
        await wait_for(pilot, lambda: len(grid.columns) == 3, "grid columns")  # type: ignore[attr-defined]
        status = main_screen(app).query_one(PaneTabs).status
        assert "live:" in status


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
