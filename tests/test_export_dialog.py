"""The export dialog driven by keys on a real demo desk: the preview follows the choices,
ctrl+s writes the file, an existing file is replaced only when confirmed, and a file that
cannot be written is said in the dialog, which stays open with its choices."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Select

from tests.conftest import wait_for
from tests.ui_support import make_app, wait_loaded
from workbench.ui.app import WorkbenchApp
from workbench.ui.collections import CollectionsScreen
from workbench.ui.export_dialog import ExportDialog, default_file_name, export_setting, slug

BRIEFING = "Morning briefing, 12 Nov"
#: A statement in the briefing, and one of the desk's that is not in it.
IN_BRIEFING = "No call is planned for today"


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The dialog writes to the current folder by default: make that the test's own."""
    monkeypatch.chdir(tmp_path)


async def open_dialog(
    pilot: Pilot[object],
    app: WorkbenchApp,
    collection: str | None = BRIEFING,
    result: list[object] | None = None,
) -> ExportDialog:
    await wait_loaded(pilot, app)
    assert app.repo is not None
    dialog = ExportDialog(app.repo, None, collection=collection)
    app.push_screen(dialog, result.append if result is not None else None)
    await wait_for(pilot, lambda: dialog.loaded and dialog.previews > 0, "the first preview")
    return dialog


async def preview_changes(pilot: Pilot[object], dialog: ExportDialog, start: str) -> None:
    await wait_for(pilot, lambda: dialog.preview_text.startswith(start), f"a preview of {start}")


def test_default_file_names_are_safe_slugs_with_the_date_and_suffix() -> None:
    day = dt.date(2026, 11, 25)
    assert default_file_name(BRIEFING, ".md", today=day) == "morning-briefing-12-nov-2026-11-25.md"
    assert default_file_name(None, ".csv", "statements", day) == "desk-statements-2026-11-25.csv"
    assert slug("../../etc/passwd") == "etc-passwd"
    assert slug("  ¿Qué? *") == "qu"
    assert slug("...") == "export"
    assert export_setting(None, "organisation") == ""


async def test_the_preview_shows_the_chosen_format_for_the_chosen_collection(
    demo_db: Path,
) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(140, 40)) as pilot:
        dialog = await open_dialog(pilot, app)
        assert dialog.fmt == "md"
        await preview_changes(pilot, dialog, f"# Desk export: {BRIEFING}")
        assert IN_BRIEFING in dialog.preview_text
        assert "Pellara signals Idrevo ready" not in dialog.preview_text  # not in the set
        name = dialog.query_one("#export-path", Input).value
        assert name == default_file_name(BRIEFING, ".md")

        await pilot.press("down")  # the format list has the focus: csv
        await preview_changes(pilot, dialog, "id,")
        assert dialog.fmt == "csv" and IN_BRIEFING in dialog.preview_text
        assert dialog.query_one("#export-path", Input).value.endswith(".csv")

        await pilot.press("down")  # json: its header names the collection
        await preview_changes(pilot, dialog, "{")
        assert f'"collection": "{BRIEFING}"' in dialog.preview_text
        assert '"exported_by": "tester"' in dialog.preview_text

        dialog.query_one("#export-collection", Select).value = ""  # the whole desk
        await wait_for(pilot, lambda: '"collection": null' in dialog.preview_text, "the desk")
        assert dialog.query_one("#export-path", Input).value.startswith("desk-")


async def test_ctrl_s_writes_the_file_and_says_what_and_where(
    demo_db: Path, tmp_path: Path
) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(140, 40)) as pilot:
        result: list[object] = []
        dialog = await open_dialog(pilot, app, result=result)
        await pilot.press("down", "down")  # json
        await preview_changes(pilot, dialog, "{")
        box = dialog.query_one("#export-path", Input)
        box.value = "briefing.json"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: result == [tmp_path / "briefing.json"], "the export")
        assert not isinstance(app.screen, ExportDialog)
        data = json.loads((tmp_path / "briefing.json").read_text("utf-8"))
        assert data["collection"] == BRIEFING and data["exported_by"] == "tester"
        assert {s["id"] for s in data["statements"]} == {25, 34, 36}
        told = [n.message for n in app._notifications]
        assert any("Exported" in m and str(tmp_path / "briefing.json") in m for m in told)


async def test_csv_of_every_kind_writes_one_file_each(demo_db: Path, tmp_path: Path) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(140, 40)) as pilot:
        result: list[object] = []
        dialog = await open_dialog(pilot, app, result=result)
        await pilot.press("down")  # csv, all kinds
        await preview_changes(pilot, dialog, "id,")
        dialog.query_one("#export-path", Input).value = "set.csv"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: result == [tmp_path / "set.csv"], "the export")
        for kind in ("statements", "positions", "events", "links"):
            assert (tmp_path / f"set-{kind}.csv").exists()
        statements = (tmp_path / "set-statements.csv").read_text("utf-8")
        assert IN_BRIEFING in statements


async def test_an_existing_file_is_replaced_only_when_confirmed(
    demo_db: Path, tmp_path: Path
) -> None:
    target = tmp_path / "briefing.md"
    target.write_text("an earlier export, keep me", "utf-8")
    app = make_app(demo_db)
    async with app.run_test(size=(140, 40)) as pilot:
        result: list[object] = []
        dialog = await open_dialog(pilot, app, result=result)
        box = dialog.query_one("#export-path", Input)
        dialog.set_focus(box)
        box.value = "briefing.md"
        await pilot.press("enter")  # Enter in the file name writes, as ctrl+s does
        await wait_for(pilot, lambda: "already exists" in dialog.status, "the question")
        assert "ctrl+s again" in dialog.status
        assert target.read_text("utf-8") == "an earlier export, keep me"
        assert app.screen is dialog and result == []
        # Asked and answered: the second ctrl+s replaces it.
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: result == [target], "the replacement")
        assert target.read_text("utf-8").startswith(f"# Desk export: {BRIEFING}")


async def test_an_unwritable_path_is_said_and_the_dialog_keeps_its_choices(
    demo_db: Path, tmp_path: Path
) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(140, 40)) as pilot:
        dialog = await open_dialog(pilot, app)
        await pilot.press("down")  # csv
        dialog.query_one("#export-kind", Select).value = "statements"
        await preview_changes(pilot, dialog, "id,")
        box = dialog.query_one("#export-path", Input)
        wanted = str(tmp_path / "no-such-folder" / "out.csv")
        box.value = wanted
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: dialog.status.startswith("Not exported:"), "the error")
        assert "no-such-folder" in dialog.status and "\n" not in dialog.status
        assert app.screen is dialog
        assert dialog.fmt == "csv" and dialog.kind == "statements"
        assert dialog.collection == BRIEFING and box.value == wanted
        assert not (tmp_path / "no-such-folder").exists()
        # Fixed, it writes.
        box.value = str(tmp_path / "out.csv")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: (tmp_path / "out.csv").exists(), "the export")


async def test_x_in_collections_opens_the_dialog_for_that_collection(demo_db: Path) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_loaded(pilot, app)
        assert app.repo is not None
        screen = CollectionsScreen(app.repo)
        app.push_screen(screen)
        await wait_for(pilot, lambda: screen.loaded and screen.items.current is not None)
        await pilot.press("X")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportDialog), "the dialog")
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        await wait_for(pilot, lambda: dialog.previews > 0 and dialog.loaded)
        assert dialog.collection == BRIEFING
        await preview_changes(pilot, dialog, f"# Desk export: {BRIEFING}")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, "back in Collections")
