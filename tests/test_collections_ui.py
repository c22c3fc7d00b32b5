"""The Collections screen driven by keys on a real demo desk: reorder, annotate (with a
colleague's conflicting note), remove and undo, a colleague's changes arriving live, Enter
jumping to the item, new collections; and the paged read behind it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from db.engine import open_desk
from db.repo import Repo
from db.repo_collections import item_notes
from db.views_collections import collection_items_view
from tests.conftest import wait_for
from tests.ui_support import make_app, row_text, wait_loaded
from workbench.ui.app import WorkbenchApp
from workbench.ui.collections import CollectionItemList, CollectionsScreen

BRIEFING = "Morning briefing, 12 Nov"
#: The demo briefing's items in order: (kind, id) as the demo desk builds them.
DEMO_ORDER = [
    ("event", 13),
    ("statement", 25),
    ("position", 10),
    ("statement", 34),
    ("statement", 36),
    ("event", 14),
    ("position", 25),
]


@pytest.fixture
def other(demo_db: Path) -> Iterator[Repo]:
    """maria, on the same desk from another session (her own engine and connections)."""
    engine = open_desk(str(demo_db))
    yield Repo(engine, "maria")
    engine.dispose()


def briefing_id(repo: Repo) -> int:
    found = repo.collection_named(BRIEFING)
    assert found is not None and found.id is not None
    return found.id


def stored_order(repo: Repo, collection_id: int) -> list[tuple[str, int]]:
    """The collection's order as stored (ranks), read independently of the screen's view."""
    from sqlmodel import col, select

    from db.models import CollectionItem

    with repo.read() as session:
        rows = session.exec(
            select(CollectionItem.kind, CollectionItem.item_id)
            .where(
                CollectionItem.collection_id == collection_id,
                col(CollectionItem.deleted_at).is_(None),
            )
            .order_by(col(CollectionItem.rank), col(CollectionItem.id))
        ).all()
    return [(kind, item_id) for kind, item_id in rows]


def screen_order(items: CollectionItemList) -> list[tuple[str, int]]:
    return [(row.kind, row.ref_id) for row in items.loaded_rows]


async def open_screen(
    pilot: Pilot[object], app: WorkbenchApp, result: list[object] | None = None
) -> CollectionsScreen:
    await wait_loaded(pilot, app)
    assert app.repo is not None
    screen = CollectionsScreen(app.repo)
    app.push_screen(screen, result.append if result is not None else None)
    await wait_for(pilot, lambda: screen.loaded, "the collections to load")
    items = screen.items
    await wait_for(
        pilot, lambda: items.total == 7 and items.current is not None, "the briefing's items"
    )
    return screen


async def cursor_to(pilot: Pilot[object], items: CollectionItemList, index: int) -> None:
    items.set_cursor(index)
    await wait_for(pilot, lambda: items.cursor == index and items.current is not None)


# --------------------------------------------------------------------------- the view


def test_view_lists_live_items_in_order_with_readable_labels(demo_repo: Repo) -> None:
    cid = briefing_id(demo_repo)
    view = collection_items_view(demo_repo.engine, cid)
    rows = view.page(limit=50)
    assert [(r.kind, r.ref_id) for r in rows] == DEMO_ORDER
    statement, position, event = rows[1], rows[2], rows[0]
    assert statement.label.startswith("Dana Mirek · 2026-10-19 · “No call is planned")
    assert "verified" in statement.label and "Meridian Wire" in statement.label
    assert position.label.startswith("Pellara × Will Pellara pause filling the Verrin Dam?")
    assert "as of 2026-10-27" in position.label
    assert event.label == "2026-11-04 · Idrevo and Worandt hold first phone call · accepted"
    assert statement.note == "How the 14 Oct denial was walked back."
    # Paging by key, both ways, and the offsets the list's jumps use.
    assert [r.ref_id for r in view.page(after=rows[2].key, limit=2)] == [34, 36]
    assert [r.ref_id for r in view.page(before=rows[2].key, limit=5)] == [13, 25]
    assert view.index_of(rows[3].key) == 3 and view.key_at(3) == rows[3].key
    # An item whose statement was deleted is left out, as the exports leave it out.
    demo_repo.delete("statement", 34)
    assert view.count() == 6
    assert ("statement", 34) not in [(r.kind, r.ref_id) for r in view.page(limit=50)]
    assert view.key_of(rows[3].id) is None
    demo_repo.restore("statement", 34)
    assert view.count() == 7


# --------------------------------------------------------------------------- keys


async def test_keys_reorder_the_collection_and_the_cursor_follows_the_item(
    demo_db: Path,
) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_screen(pilot, app)
        items = screen.items
        assert app.repo is not None
        cid = briefing_id(app.repo)
        await cursor_to(pilot, items, 1)  # the statement 25
        await pilot.press("J", "J", "J")
        expected = [DEMO_ORDER[i] for i in (0, 2, 3, 4, 1, 5, 6)]
        await wait_for(pilot, lambda: stored_order(app.repo, cid) == expected, "stored order")
        assert app.repo.collection_members(cid)["statement"] == [34, 36, 25]
        await wait_for(pilot, lambda: screen_order(items) == expected, "the screen's order")
        await wait_for(pilot, lambda: items.current.ref_id == 25 and items.cursor == 4)
        await pilot.press("shift+up")
        expected = [DEMO_ORDER[i] for i in (0, 2, 3, 1, 4, 5, 6)]
        await wait_for(pilot, lambda: stored_order(app.repo, cid) == expected, "moved up")
        await wait_for(pilot, lambda: screen_order(items) == expected)
        await wait_for(pilot, lambda: items.current.ref_id == 25 and items.cursor == 3)
        await pilot.press("K")
        await wait_for(pilot, lambda: app.repo.collection_members(cid)["statement"] == [25, 34, 36])
        assert "Dana Mirek" in row_text(items, 2)


async def test_annotate_prefills_the_note_and_stores_the_new_one(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import workbench.ui.history

    undos: list[object] = []
    monkeypatch.setattr(workbench.ui.history, "undo_last_change", lambda *a: undos.append(a))
    app = make_app(demo_db)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_screen(pilot, app)
        items = screen.items
        assert app.repo is not None
        cid = briefing_id(app.repo)
        await cursor_to(pilot, items, 1)
        await pilot.press("n")
        box = screen.prompt_input
        await wait_for(pilot, lambda: screen.focused is box, "the note prompt")
        assert box.value == "How the 14 Oct denial was walked back."
        await pilot.press("ctrl+z")  # in the prompt: never an undo of the desk
        assert undos == [] and screen.focused is box
        box.value = ""
        await pilot.press(*"[red]Lead[/red] x")  # x, n, a are the note's letters here
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: _note(app.repo, cid, "statement", 25) == "[red]Lead[/red] x",
            "the note stored",
        )
        await wait_for(pilot, lambda: items.current.note == "[red]Lead[/red] x")
        assert row_text(items, 1).endswith("— [red]Lead[/red] x")  # text, never markup
        detail = str(screen.query_one("#collection-detail", Static).content)
        assert "Note: [red]Lead[/red] x" in detail
        assert items.total == 7  # the x typed into the note removed nothing
        changes = app.repo.changes_for("collection_item", items.current.id)
        assert changes[-1].editor == app.repo.editor and "note" in changes[-1].diff
        await wait_for(pilot, lambda: screen.focused is items, "back in the list")
        await pilot.press("ctrl+z")  # in the list, ctrl+z is the desk's undo
        assert len(undos) == 1


def _note(repo: Repo, collection_id: int, kind: str, item_id: int) -> str:
    with repo.engine.connect() as conn:
        return item_notes(conn, collection_id).get((kind, item_id), "")


async def test_a_colleagues_note_saved_meanwhile_is_a_conflict_and_the_typing_is_kept(
    demo_db: Path, other: Repo
) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_screen(pilot, app)
        items = screen.items
        assert app.repo is not None
        cid = briefing_id(app.repo)
        await cursor_to(pilot, items, 1)
        row = items.current
        await pilot.press("a")
        box = screen.prompt_input
        await wait_for(pilot, lambda: screen.focused is box, "the note prompt")
        other.annotate_item(row.id, "Maria's note", row.version)  # while this one types
        box.value = "My note"
        await pilot.press("enter")
        await wait_for(pilot, lambda: "changed this note meanwhile" in screen.status, "said")
        assert "Maria's note" in screen.status
        assert screen.focused is box and box.value == "My note"  # nothing typed is lost
        assert _note(app.repo, cid, "statement", 25) == "Maria's note"  # theirs stands
        await pilot.press("enter")  # seen theirs: save mine over it, knowingly
        await wait_for(pilot, lambda: _note(app.repo, cid, "statement", 25) == "My note")
        await wait_for(pilot, lambda: screen.focused is items)


async def test_remove_takes_the_item_out_and_ctrl_z_brings_it_back(demo_db: Path) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_screen(pilot, app)
        items = screen.items
        assert app.repo is not None
        cid = briefing_id(app.repo)
        await cursor_to(pilot, items, 2)  # the position 10
        await pilot.press("x")
        await wait_for(pilot, lambda: items.total == 6, "the item gone from the screen")
        assert ("position", 10) not in stored_order(app.repo, cid)
        assert app.repo.collection_members(cid)["position"] == [25]
        await wait_for(pilot, lambda: items.current is not None and items.current.ref_id == 34)
        summary = next(c for c in app.repo.collections() if c.id == cid)
        assert summary.items == 6
        await pilot.press("ctrl+z")
        await wait_for(pilot, lambda: items.total == 7, "the removal undone")
        assert stored_order(app.repo, cid) == DEMO_ORDER


async def test_a_colleagues_changes_show_live_with_the_cursor_on_its_item(
    demo_db: Path, other: Repo
) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_screen(pilot, app)
        items = screen.items
        cid = briefing_id(other)
        await cursor_to(pilot, items, 2)  # the position 10
        first = items.loaded_rows[0]
        other.move_item(first.id, 3)  # the event 13 goes below the cursor's item
        await wait_for(pilot, lambda: screen_order(items)[3] == ("event", 13), "the move")
        assert items.current.ref_id == 10 and items.cursor == 1  # same item, new place
        other.annotate_item(items.current.id, "Maria: check the rate", items.current.version)
        await wait_for(pilot, lambda: "Maria: check the rate" in row_text(items, 1), "the note")
        other.add_items(cid, [("statement", 1)])
        await wait_for(pilot, lambda: items.total == 8, "the added item")
        other.remove_item(items.loaded_rows[0].id)
        await wait_for(pilot, lambda: items.total == 7, "the removal")
        assert items.current.ref_id == 10 and items.cursor == 0
        # The collection list's count follows too.
        await wait_for(pilot, lambda: screen.current_collection.items == 7)
        # A statement's status changed elsewhere shows in its item's label.
        other.update("statement", 36, None, verification="verified")
        await wait_for(
            pilot,
            lambda: any(r.ref_id == 36 and r.status == "verified" for r in items.loaded_rows),
            "the new status",
        )


async def test_enter_closes_the_screen_with_the_item_to_show(demo_db: Path) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(140, 40)) as pilot:
        result: list[object] = []
        screen = await open_screen(pilot, app, result)
        await cursor_to(pilot, screen.items, 2)
        await pilot.press("enter")
        await wait_for(pilot, lambda: result == [("position", 10)], "the jump")
        assert not isinstance(app.screen, CollectionsScreen)
        screen = await open_screen(pilot, app, result)
        await pilot.press("escape")
        await wait_for(pilot, lambda: result == [("position", 10), None], "closed")


async def test_new_collection_by_name_from_the_collection_list(demo_db: Path) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_screen(pilot, app)
        assert app.repo is not None
        await pilot.press("tab")
        assert screen.focused is screen.picker
        await pilot.press("n")
        await wait_for(pilot, lambda: screen.focused is screen.prompt_input, "the name prompt")
        await pilot.press(*"Web desk")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.repo.collection_named("web desk") is not None)
        await wait_for(
            pilot,
            lambda: (
                screen.current_collection is not None
                and screen.current_collection.name == "Web desk"
            ),
            "the new collection selected",
        )
        await wait_for(pilot, lambda: screen.items.total == 0)
        assert [c.name for c in screen.collections] == [BRIEFING, "Web desk"]
        # Back to the briefing: its items again.
        await pilot.press("up")
        await wait_for(pilot, lambda: screen.items.total == 7)


async def test_switching_collections_starts_at_the_top_of_the_other_one(
    demo_db: Path, other: Repo
) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_screen(pilot, app)
        items = screen.items
        await cursor_to(pilot, items, 4)
        second = other.ensure_collection("Second set")  # arrives live
        assert second.id is not None
        other.add_items(second.id, [("statement", 25), *(("statement", i) for i in (1, 2, 3, 4))])
        await wait_for(pilot, lambda: len(screen.collections) == 2, "the colleague's collection")
        await pilot.press("tab", "down")
        await wait_for(pilot, lambda: items.total == 5, "the second collection's items")
        await wait_for(pilot, lambda: items.current is not None and items.cursor == 0)
        assert items.current.ref_id == 25  # its first item, not the old item's place
