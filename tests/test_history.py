"""History, undo and the trash: the repository on a real SQLite desk (two editors), and
the TUI driven by keys (H, ctrl+z, x, T, r; who last changed an item in its detail)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, col, func, select
from textual.pilot import Pilot
from textual.widgets import OptionList, Static

from db.engine import open_desk
from db.models import Actor, Change, EventActor, Statement
from db.repo import ReadOnlyError, Repo, ValidationError
from db.repo_history import UndoRefused
from db.repo_statements import SuggestedStatement
from db.users import set_user
from tests.conftest import EDITOR, wait_for
from tests.ui_support import detail_text, make_app, pane, plist, wait_loaded
from workbench.ui.app import WorkbenchApp
from workbench.ui.history import ConfirmDelete, HistoryScreen, TrashScreen

COLLEAGUE = "maria"


@pytest.fixture
def desk(empty_db: Path) -> Iterator[tuple[Repo, Repo]]:
    """This editor and a colleague on one desk file."""
    engine = open_desk(str(empty_db))
    yield Repo(engine, EDITOR), Repo(engine, COLLEAGUE)
    engine.dispose()


def _count(repo: Repo) -> int:
    with Session(repo.engine) as session:
        return session.exec(select(func.count()).select_from(Change)).one()


def _statement(repo: Repo, statement_id: int) -> Statement:
    row = repo.get("statement", statement_id)
    assert isinstance(row, Statement)
    return row


def _changes(repo: Repo, entity: str, entity_id: int) -> list[Change]:
    return repo.changes_for(entity, entity_id)


def _found(repo: Repo, words: str) -> list[int]:
    """Statement ids the full-text search finds for ``words``."""
    from db.search import parse_query, search

    with repo.read() as session:
        results = search(session.connection(), parse_query(words), kinds=("statement",))
    return [hit.id for hit in results.hits]


# --------------------------------------------------------------------------- history


def test_history_lists_who_when_and_old_to_new_newest_first(desk: tuple[Repo, Repo]) -> None:
    mine, theirs = desk
    made = mine.add_statement(text="We will open the sluices.")
    other = mine.add_statement(text="We will not.")
    theirs.update("statement", made.id, None, verification="verified")  # type: ignore[arg-type]
    mine.update("statement", made.id, None, notes="Check the date")  # type: ignore[arg-type]
    link = theirs.add_link(other.id, made.id, "contradicts")  # type: ignore[arg-type]

    entries = mine.history("statement", made.id)  # type: ignore[arg-type]

    assert [(e.editor, e.op, e.entity) for e in entries] == [
        (COLLEAGUE, "create", "link"),  # done to the statement: part of its story
        (EDITOR, "update", "statement"),
        (COLLEAGUE, "update", "statement"),
        (EDITOR, "create", "statement"),
    ]
    assert entries[0].entity_id == link.id
    assert [(f.field, f.old, f.new) for f in entries[2].fields] == [
        ("verification", "unverified", "verified")
    ]
    assert [(f.field, f.old, f.new) for f in entries[1].fields] == [("notes", "", "Check the date")]
    assert all(e.at.tzinfo is not None for e in entries)
    assert entries[0].at >= entries[-1].at
    last = mine.last_change("statement", made.id)  # type: ignore[arg-type]
    assert last is not None and (last.editor, last.op) == (EDITOR, "update")
    with pytest.raises(ValidationError):
        mine.history("nonsense", 1)


# --------------------------------------------------------------------------- undo


def test_undo_of_an_update_writes_the_old_values_back_as_a_new_change(
    desk: tuple[Repo, Repo],
) -> None:
    mine, _ = desk
    made = mine.add_statement(text="Talks will open on Monday.")
    mine.update("statement", made.id, None, verification="verified", notes="seen")  # type: ignore[arg-type]
    (edit,) = [c for c in _changes(mine, "statement", made.id) if c.op == "update"]  # type: ignore[arg-type]
    before = _count(mine)

    result = mine.undo_last()

    row = _statement(mine, made.id)  # type: ignore[arg-type]
    assert (row.verification, row.notes) == ("unverified", "")
    assert result.undone_txn == edit.txn
    assert "statement #1" in result.summary and "verified → unverified" in result.summary
    assert _count(mine) == before + 1  # a new row; nothing deleted or rewritten
    undo = _changes(mine, "statement", made.id)[-1]  # type: ignore[arg-type]
    assert (undo.op, undo.editor, undo.txn) == ("undo", EDITOR, result.txn)
    assert undo.diff["verification"] == ["verified", "unverified"]
    assert undo.diff["notes"] == ["seen", ""]
    assert undo.diff["_undoes"] == [None, edit.txn]
    assert [c.op for c in _changes(mine, "statement", made.id)] == ["create", "update", "undo"]  # type: ignore[arg-type]
    entries = mine.history("statement", made.id)  # type: ignore[arg-type]
    assert [e.op for e in entries] == ["undo", "update", "create"]
    assert entries[0].undoes == edit.txn
    assert "_undoes" not in {f.field for f in entries[0].fields}


def test_undo_of_a_create_deletes_softly_and_of_a_delete_restores(
    desk: tuple[Repo, Repo],
) -> None:
    mine, _ = desk
    kept = mine.add_statement(text="The dam stays closed.")
    made = mine.add_statement(text="Mistyped statement")

    result = mine.undo_last()
    assert "statement #2 added" in result.summary
    assert _statement(mine, made.id).deleted_at is not None  # type: ignore[arg-type]
    assert _found(mine, "mistyped") == []  # the search index followed
    trash = mine.deleted()
    assert [(i.entity, i.entity_id, i.deleted_by) for i in trash] == [("statement", 2, EDITOR)]

    mine.delete("statement", kept.id)  # type: ignore[arg-type]
    result = mine.undo_last()
    assert "restored" in result.summary
    assert _statement(mine, kept.id).deleted_at is None  # type: ignore[arg-type]
    assert _found(mine, "closed") == [kept.id]


def test_undo_of_a_multi_row_transaction_reverts_every_row(desk: tuple[Repo, Repo]) -> None:
    mine, _ = desk
    # one save: a new speaker (actor) and the statement, in one transaction
    saved = mine.save_statement(
        {"text": "We will release more water."}, new_speaker=("Ilse Varn", "person")
    )
    speaker_id = saved.speaker_id
    result = mine.undo_last()
    assert result.summary.startswith("statement #1 added")  # the statement names the act
    assert "(+1 more)" in result.summary
    assert _statement(mine, saved.id).deleted_at is not None  # type: ignore[arg-type]
    actor = mine.get("actor", speaker_id)  # type: ignore[arg-type]
    assert actor is not None and actor.deleted_at is not None  # type: ignore[attr-defined]
    assert mine.find_actor("Ilse Varn") is None

    # a link that supersedes: the link and the statement's verification, in one act
    old = mine.add_statement(text="Filling continues.", verification="verified")
    new = mine.add_statement(text="Filling is halted.")
    mine.add_link(new.id, old.id, "updates")  # type: ignore[arg-type]
    assert _statement(mine, old.id).verification == "superseded"  # type: ignore[arg-type]
    result = mine.undo_last()
    assert result.summary.startswith("link #1 added")
    assert _statement(mine, old.id).verification == "verified"  # type: ignore[arg-type]
    assert mine.linked(old.id) == {}  # type: ignore[arg-type]


def test_undo_of_an_actor_merge_separates_them_again(desk: tuple[Repo, Repo]) -> None:
    mine, _ = desk
    into = mine.add_actor("Federal Foreign Office", "government", aliases=["FFO"])
    dup = mine.add_actor("Foreign Office", "government", aliases=["the Office"])
    said = mine.add_statement(text="No call is planned.", speaker_id=dup.id)
    event = mine.add_event(title="Call", date=said.created_at.date(), actor_ids=[dup.id])  # type: ignore[list-item]
    mine.merge_actors(dup.id, into.id)  # type: ignore[arg-type]

    result = mine.undo_last()

    assert "merged into" in result.summary
    assert _statement(mine, said.id).speaker_id == dup.id  # type: ignore[arg-type]
    entries = {e[0]: e for e in mine.actor_entries()}
    assert set(entries[dup.id][3]) == {"Foreign Office", "the Office"}  # type: ignore[index]
    assert set(entries[into.id][3]) == {"Federal Foreign Office", "FFO"}  # type: ignore[index]
    with Session(mine.engine) as session:
        on_event = set(
            session.exec(select(EventActor.actor_id).where(EventActor.event_id == event.id))
        )
    assert on_event == {dup.id}


def test_undo_is_refused_when_a_colleague_changed_the_same_field_later(
    desk: tuple[Repo, Repo],
) -> None:
    mine, theirs = desk
    made = mine.add_statement(text="The border reopens.")
    mine.update("statement", made.id, None, verification="verified")  # type: ignore[arg-type]
    theirs.update("statement", made.id, None, verification="disputed")  # type: ignore[arg-type]
    before = _count(mine)

    with pytest.raises(UndoRefused, match=COLLEAGUE) as refused:
        mine.undo_last()

    assert refused.value.changed_by == COLLEAGUE
    assert "verification" in str(refused.value)
    assert _statement(mine, made.id).verification == "disputed"  # type: ignore[arg-type]
    assert _count(mine) == before  # nothing written

    # a colleague's change to another field does not stand in the way
    other = mine.add_statement(text="The guards are released.")
    mine.update("statement", other.id, None, verification="verified")  # type: ignore[arg-type]
    theirs.update("statement", other.id, None, notes="their note")  # type: ignore[arg-type]
    mine.undo_last()
    row = _statement(mine, other.id)  # type: ignore[arg-type]
    assert (row.verification, row.notes) == ("unverified", "their note")

    # nor does a colleague's change they undid themselves: it cancels out with its undo
    third = mine.add_statement(text="The commission meets.")
    mine.update("statement", third.id, None, verification="verified")  # type: ignore[arg-type]
    theirs.update("statement", third.id, None, verification="false")  # type: ignore[arg-type]
    theirs.undo_last()
    mine.undo_last()
    assert _statement(mine, third.id).verification == "unverified"  # type: ignore[arg-type]


def test_undoing_twice_undoes_two_changes_and_never_the_same_one_again(
    desk: tuple[Repo, Repo],
) -> None:
    mine, theirs = desk
    made = mine.add_statement(text="Water levels fell.")
    mine.update("statement", made.id, None, verification="verified")  # type: ignore[arg-type]
    mine.update("statement", made.id, None, notes="second")  # type: ignore[arg-type]
    theirs.add_statement(text="A colleague's statement")  # theirs: never undone by me

    first = mine.undo_last()
    assert "notes" in first.summary
    second = mine.undo_last()  # not a redo of the first undo
    assert "verification" in second.summary
    row = _statement(mine, made.id)  # type: ignore[arg-type]
    assert (row.verification, row.notes) == ("unverified", "")
    third = mine.undo_last()
    assert "added" in third.summary and _statement(mine, made.id).deleted_at is not None  # type: ignore[arg-type]
    with pytest.raises(UndoRefused, match="Nothing of yours to undo"):
        mine.undo_last()
    assert _statement(theirs, 2).deleted_at is None
    undone = [c.diff["_undoes"][1] for c in _changes(mine, "statement", made.id) if c.op == "undo"]  # type: ignore[arg-type]
    assert len(undone) == len(set(undone)) == 3


def test_undo_skips_bookkeeping_such_as_read_marks(desk: tuple[Repo, Repo]) -> None:
    mine, _ = desk
    article = mine.add_article(title="A story", text="Body text.")
    mine.set_triage(article.id, "relevant")  # type: ignore[arg-type]
    mine.mark_read(article.id)  # type: ignore[arg-type]
    result = mine.undo_last()
    assert "triage relevant → new" in result.summary
    assert mine.is_read(article.id)  # type: ignore[arg-type]


def test_a_viewer_cannot_undo_and_nobody_undoes_someone_else(desk: tuple[Repo, Repo]) -> None:
    mine, theirs = desk
    mine.add_issue("Filling rate")
    with pytest.raises(ValidationError, match="your own"):
        theirs.undo_last(EDITOR)
    set_user(mine.engine, COLLEAGUE, "admin", by=COLLEAGUE)  # now EDITOR is unlisted: a viewer
    before = _count(mine)
    with pytest.raises(ReadOnlyError, match="viewer"):
        mine.undo_last()
    assert _count(mine) == before
    assert mine.get("issue", 1).deleted_at is None  # type: ignore[union-attr]


def test_trash_lists_what_editors_deleted_and_restore_brings_it_back(
    desk: tuple[Repo, Repo],
) -> None:
    mine, theirs = desk
    article = mine.add_article(title="Story", text="Ilse Varn said the dam stays shut.")
    one = mine.add_statement(text="First")
    two = mine.add_statement(text="Second")
    mine.delete("statement", one.id)  # type: ignore[arg-type]
    theirs.delete("statement", two.id)  # type: ignore[arg-type]
    # a suggestion replaced by a new extraction pass is nobody's deletion
    mine.store_suggestions(article.id, [SuggestedStatement(0, 9, "Ilse Varn")])  # type: ignore[arg-type]
    mine.store_suggestions(article.id, [])  # type: ignore[arg-type]

    trash = mine.deleted()
    assert [(i.entity_id, i.deleted_by, i.title) for i in trash] == [
        (two.id, COLLEAGUE, "unnamed: Second"),
        (one.id, EDITOR, "unnamed: First"),
    ]
    mine.restore("statement", two.id)  # type: ignore[arg-type]
    assert [i.entity_id for i in mine.deleted()] == [one.id]


# --------------------------------------------------------------------------- the TUI


def _notes(app: WorkbenchApp) -> list[str]:
    return [n.message for n in app._notifications]


async def _statements_pane(pilot: Pilot[object], app: WorkbenchApp) -> int:
    """Statements in front; the id of the highlighted statement."""
    await wait_loaded(pilot, app)
    await pilot.press("2")
    row = plist(app, "statements").current
    assert row is not None
    return int(row.id)


def _history(app: WorkbenchApp) -> str:
    screen = app.screen
    assert isinstance(screen, HistoryScreen)
    return str(screen.query_one("#history-body", Static).content)


async def test_H_shows_the_history_of_the_highlighted_statement(demo_db: Path) -> None:
    app = make_app(demo_db)
    colleague = Repo(open_desk(str(demo_db)), COLLEAGUE)
    async with app.run_test(size=(120, 40)) as pilot:
        statement_id = await _statements_pane(pilot, app)
        current = colleague.get("statement", statement_id)
        before = current.verification  # type: ignore[union-attr]
        colleague.update("statement", statement_id, None, verification="disputed", notes="[b]x")
        await pilot.press("H")
        await wait_for(
            pilot, lambda: isinstance(app.screen, HistoryScreen) and app.screen.loaded, "history"
        )
        screen = app.screen
        assert isinstance(screen, HistoryScreen)
        assert (screen.entity, screen.entity_id) == ("statement", statement_id)
        assert screen.entries[0].editor == COLLEAGUE  # newest first
        shown = _history(app)
        first, *rest = shown.split("\n\n")
        assert f" · {COLLEAGUE} · changed" in first
        assert f"verification: {before} → disputed" in first
        assert "notes: — → [b]x" in first  # shown as typed, not as markup
        assert f" · {EDITOR} · created" in rest[-1]
        speaker = colleague.statement_detail(statement_id).speaker  # type: ignore[union-attr]
        speaker_id = current.speaker_id  # type: ignore[union-attr]
        assert f"speaker_id: {speaker} (#{speaker_id})" in rest[-1]  # named, not a bare id
        await pilot.press("escape")
        assert not isinstance(app.screen, HistoryScreen)


async def test_H_in_every_pane_opens_the_highlighted_items_history(demo_db: Path) -> None:
    app = make_app(demo_db, live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        for key, pane_id in (("1", "feed"), ("3", "positions"), ("4", "timeline")):
            await pilot.press(key)
            row = plist(app, pane_id).current
            assert row is not None
            await pilot.press("H")
            await wait_for(
                pilot,
                lambda: isinstance(app.screen, HistoryScreen) and app.screen.loaded,
                f"history from {pane_id}",
            )
            screen = app.screen
            assert isinstance(screen, HistoryScreen)
            if pane_id == "feed":
                expected = ("article", row.id)
            elif pane_id == "positions":
                grid = pane(app, "positions").list
                cell = grid.cell  # type: ignore[attr-defined]
                expected = ("position", cell.position_id)
            else:
                expected = (row.kind, row.id)
            assert (screen.entity, screen.entity_id) == expected
            assert screen.entries and f" · {EDITOR} · created" in _history(app)
            await pilot.press("escape")
            await wait_for(pilot, lambda: not isinstance(app.screen, HistoryScreen))


async def test_ctrl_z_undoes_your_last_change_and_says_what(demo_db: Path) -> None:
    app = make_app(demo_db)
    mine = Repo(open_desk(str(demo_db)), EDITOR)
    async with app.run_test(size=(120, 40)) as pilot:
        statement_id = await _statements_pane(pilot, app)
        was = mine.get("statement", statement_id).verification  # type: ignore[union-attr]
        now = "false" if was != "false" else "verified"
        mine.update("statement", statement_id, None, verification=now)
        await wait_for(pilot, lambda: now in detail_text(app, "statements"), "the change shown")

        await pilot.press("ctrl+z")
        await wait_for(pilot, lambda: any("Undid" in n for n in _notes(app)), "the undo")

        expected = f"Undid: statement #{statement_id} verification {now} → {was}"
        assert expected in _notes(app)
        assert mine.get("statement", statement_id).verification == was  # type: ignore[union-attr]
        await wait_for(
            pilot,
            lambda: f"{was}" in detail_text(app, "statements").split("\n")[2],
            "the detail to show it undone",
        )


async def test_ctrl_z_refuses_to_overwrite_a_colleague_and_names_them(demo_db: Path) -> None:
    app = make_app(demo_db, live=False)
    mine = Repo(open_desk(str(demo_db)), EDITOR)
    colleague = Repo(open_desk(str(demo_db)), COLLEAGUE)
    async with app.run_test(size=(120, 40)) as pilot:
        statement_id = await _statements_pane(pilot, app)
        mine.update("statement", statement_id, None, verification="false")
        colleague.update("statement", statement_id, None, verification="misleading")
        await pilot.press("ctrl+z")
        await wait_for(pilot, lambda: any("Not undone" in n for n in _notes(app)), "refusal")
        (note,) = [n for n in _notes(app) if "Not undone" in n]
        assert COLLEAGUE in note and f"statement #{statement_id}" in note
        assert mine.get("statement", statement_id).verification == "misleading"  # type: ignore[union-attr]


async def test_x_deletes_after_asking_and_the_trash_restores(demo_db: Path) -> None:
    app = make_app(demo_db)
    mine = Repo(open_desk(str(demo_db)), EDITOR)
    async with app.run_test(size=(120, 40)) as pilot:
        statement_id = await _statements_pane(pilot, app)
        total = plist(app, "statements").total

        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDelete), "the question")
        await pilot.press("n")  # kept
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmDelete))
        assert mine.get("statement", statement_id).deleted_at is None  # type: ignore[union-attr]

        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDelete), "the question")
        await pilot.press("y")
        await wait_for(
            pilot,
            lambda: (
                mine.get("statement", statement_id).deleted_at is not None  # type: ignore[union-attr]
                and plist(app, "statements").total == (total or 0) - 1
            ),
            "the statement to go",
        )
        assert any(f"Deleted statement #{statement_id}" in n for n in _notes(app))

        await pilot.press("T")
        await wait_for(
            pilot, lambda: isinstance(app.screen, TrashScreen) and app.screen.loaded, "the trash"
        )
        trash = app.screen
        assert isinstance(trash, TrashScreen)
        assert (trash.items[0].entity, trash.items[0].entity_id) == ("statement", statement_id)
        label = str(trash.query_one(OptionList).get_option_at_index(0).prompt)
        assert f"#{statement_id}" in label and f"deleted by {EDITOR}" in label

        await pilot.press("r")
        await wait_for(
            pilot,
            lambda: mine.get("statement", statement_id).deleted_at is None,  # type: ignore[union-attr]
            "the restore",
        )
        await wait_for(pilot, lambda: trash.items == [], "the trash to empty")
        await pilot.press("escape")
        await wait_for(
            pilot, lambda: plist(app, "statements").total == total, "the statement back in place"
        )


async def test_ctrl_z_twice_in_the_tui_undoes_two_changes(demo_db: Path) -> None:
    app = make_app(demo_db, live=False)
    mine = Repo(open_desk(str(demo_db)), EDITOR)
    async with app.run_test(size=(120, 40)) as pilot:
        statement_id = await _statements_pane(pilot, app)
        before = mine.get("statement", statement_id)
        mine.update("statement", statement_id, None, verification="false")
        mine.update("statement", statement_id, None, notes="typo")
        await pilot.press("ctrl+z")
        await wait_for(pilot, lambda: len(_notes(app)) == 1, "the first undo")
        await pilot.press("ctrl+z")
        await wait_for(pilot, lambda: len(_notes(app)) == 2, "the second undo")
        first, second = _notes(app)
        assert "notes typo → —" in first and "verification false →" in second
        after = mine.get("statement", statement_id)
        assert (after.verification, after.notes) == (before.verification, before.notes)  # type: ignore[union-attr]


async def test_details_say_who_last_changed_the_item(demo_db: Path) -> None:
    app = make_app(demo_db)
    colleague = Repo(open_desk(str(demo_db)), COLLEAGUE)
    async with app.run_test(size=(120, 40)) as pilot:
        statement_id = await _statements_pane(pilot, app)
        await wait_for(
            pilot, lambda: f"added by {EDITOR}" in detail_text(app, "statements"), "creator"
        )
        colleague.update("statement", statement_id, None, notes="checked with the ministry")
        await wait_for(
            pilot,
            lambda: f"last changed by {COLLEAGUE}" in detail_text(app, "statements"),
            "the colleague named",
        )
        await pilot.press("3")
        await wait_for(
            pilot, lambda: f"position added by {EDITOR}" in detail_text(app, "positions")
        )
        await pilot.press("4")
        timeline = plist(app, "timeline")
        while timeline.current is not None and timeline.current.kind != "event":
            await pilot.press("j")
        event = timeline.current
        assert event is not None
        colleague.update("event", event.id, None, description="moved")
        await wait_for(
            pilot,
            lambda: f"last changed by {COLLEAGUE}" in detail_text(app, "timeline"),
            "the event's last editor",
        )


def test_last_change_ignores_read_marks(desk: tuple[Repo, Repo]) -> None:
    mine, theirs = desk
    article = mine.add_article(title="Story", text="Text.")
    theirs.mark_read(article.id)  # type: ignore[arg-type]
    last = mine.last_change("article", article.id)  # type: ignore[arg-type]
    assert last is not None and (last.editor, last.op) == (EDITOR, "create")
    with Session(mine.engine) as session:
        newest = session.exec(select(Change).order_by(col(Change.id).desc())).first()
    assert newest is not None and newest.op == "read"


def test_reading_history_and_the_trash_writes_nothing(desk: tuple[Repo, Repo]) -> None:
    """Reading history writes nothing (a viewer may read every item's history)."""
    mine, _ = desk
    actor = mine.add_actor("Ilse Varn")
    set_user(mine.engine, COLLEAGUE, "admin", by=COLLEAGUE)  # EDITOR is now a viewer
    before = _count(mine)
    assert [e.op for e in mine.history("actor", actor.id)] == ["create"]  # type: ignore[arg-type]
    assert mine.deleted() == []
    assert _count(mine) == before
    assert isinstance(mine.get("actor", actor.id), Actor)  # type: ignore[arg-type]


async def test_the_palette_offers_undo_and_the_trash(demo_db: Path) -> None:
    app = make_app(demo_db, live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        assert any("Undo your last change" in title for title in commands)
        (trash,) = [c for title, c in commands.items() if "Trash" in title]
        assert "(app.trash)" in trash.help
        await trash.callback()  # type: ignore[misc]
        await wait_for(
            pilot, lambda: isinstance(app.screen, TrashScreen) and app.screen.loaded, "the trash"
        )
        assert app.screen.items == []  # type: ignore[attr-defined]
        assert "Nothing deleted." in str(app.screen.query_one("#hint", Static).content)


async def test_a_viewer_is_told_why_ctrl_z_and_x_change_nothing(demo_db: Path) -> None:
    set_user(open_desk(str(demo_db)), COLLEAGUE, "admin", by=COLLEAGUE)  # tester: a viewer
    app = make_app(demo_db, live=False)
    mine = Repo(open_desk(str(demo_db)), EDITOR)
    before = _count(mine)
    async with app.run_test(size=(120, 40)) as pilot:
        statement_id = await _statements_pane(pilot, app)
        await wait_for(pilot, lambda: app.role == "viewer", "the role read")  # type: ignore[attr-defined]
        await pilot.press("ctrl+z")
        await wait_for(pilot, lambda: any("viewer" in n for n in _notes(app)), "the refusal")
        await pilot.press("x")
        await wait_for(pilot, lambda: sum("viewer" in n for n in _notes(app)) == 2, "x refused")
        assert not isinstance(app.screen, ConfirmDelete)
    assert _count(mine) == before
    assert mine.get("statement", statement_id).deleted_at is None  # type: ignore[union-attr]
