"""The statement editor's drafts and save conflicts, driven by keys through Pilot: a
resumed draft saves at the version it was typed against, the conflict view (keep mine,
take theirs, keep editing, a field at a time), version bumps that touch no form field,
`q` with typing not yet on disk, a statement whose draft is waiting, and keys typed
while the form is still loading."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import col
from sqlmodel import select as query
from textual.pilot import Pilot
from textual.widgets import Checkbox, DataTable, Input, TextArea

from db.engine import open_desk
from db.models import Change, Statement
from db.repo import Repo
from db.repo_ingest import IncomingArticle
from tests.conftest import EDITOR, wait_for
from tests.ui_support import make_app, plist, wait_loaded
from workbench.drafts import DraftStore
from workbench.ui import editor as editor_module
from workbench.ui.app import WorkbenchApp
from workbench.ui.conflict import ConflictScreen
from workbench.ui.desk_screens import DraftsScreen
from workbench.ui.editor import ConfirmLeave, DraftWaiting, StatementEditor

FIXTURES = Path(__file__).parent / "fixtures" / "statements"


def _repo(db: Path, editor: str = EDITOR) -> Repo:
    return Repo(open_desk(str(db)), editor)


def _stored(db: Path, statement_id: int) -> Statement:
    with _repo(db).read() as session:
        statement = session.get(Statement, statement_id)
        assert statement is not None
        return statement


def _changes(db: Path, statement_id: int) -> list[Change]:
    with _repo(db).read() as session:
        return list(
            session.exec(
                query(Change)
                .where(Change.entity == "statement", Change.entity_id == statement_id)
                .order_by(col(Change.id))
            )
        )


def _store(db: Path) -> DraftStore:
    """The drafts folder the app uses for this desk (keyed by the engine's URL, which is
    the PostgreSQL database on that pass)."""
    engine = open_desk(str(db), migrate=False)
    try:
        return DraftStore(str(engine.url), EDITOR)
    finally:
        engine.dispose()


async def _filled(pilot: Pilot[object], app: WorkbenchApp) -> StatementEditor:
    await wait_for(
        pilot,
        lambda: isinstance(app.screen, StatementEditor) and not app.screen._loading,
        "the editor to fill",
    )
    editor = app.screen
    assert isinstance(editor, StatementEditor)
    return editor


async def _press_e_on_newest(pilot: Pilot[object], app: WorkbenchApp) -> None:
    await pilot.press("2")
    await wait_for(pilot, lambda: plist(app, "statements").current is not None, "statements")
    await pilot.press("e")


async def _edit_newest(pilot: Pilot[object], app: WorkbenchApp) -> StatementEditor:
    await _press_e_on_newest(pilot, app)
    return await _filled(pilot, app)


async def _type_into(pilot: Pilot[object], editor: StatementEditor, field: str, text: str) -> None:
    """Type at the end of a text area, as keys (the last one pressed, the rest pasted)."""
    area = editor.query_one(f"#{field}", TextArea)
    editor.set_focus(area)
    await pilot.pause()
    area.move_cursor(area.document.end)
    area.insert(text[:-1])
    await pilot.press(text[-1])


async def _conflict_view(pilot: Pilot[object], app: WorkbenchApp) -> ConflictScreen:
    await wait_for(pilot, lambda: isinstance(app.screen, ConflictScreen), "the conflict view")
    view = app.screen
    assert isinstance(view, ConflictScreen)
    return view


def _colleague_saves(db: Path, statement_id: int, version: int, **values: object) -> int:
    saved = _repo(db, "colleague").save_statement(
        dict(values), statement_id=statement_id, expected_version=version
    )
    return int(saved.version)


# --------------------------------------------------------------------------- A: resumed drafts


async def test_a_resumed_draft_saves_at_its_base_version_and_meets_the_conflict(
    demo_db: Path,
) -> None:
    """A draft of statement N typed at version v, a colleague's save to v+1, the draft
    resumed next start: its save names v and is refused, not stored over theirs."""
    app = make_app(demo_db, live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        editor = await _edit_newest(pilot, app)
        statement_id, version = editor.statement_id, editor.version
        assert statement_id is not None and version is not None
        stored_text = editor.query_one("#text", TextArea).text
        await _type_into(pilot, editor, "notes", "mine, from yesterday")
        await wait_for(pilot, lambda: bool(_store(demo_db).all()), "the draft on disk")
    (draft,) = _store(demo_db).all()
    assert draft.key == f"statement-{statement_id}"
    assert draft.fields["_base_version"] == version
    assert draft.fields["_base"]["text"] == stored_text
    assert draft.fields["_base"]["notes"] == ""

    theirs = _colleague_saves(demo_db, statement_id, version, notes="theirs, saved today")

    app = make_app(demo_db, live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, DraftsScreen), "drafts offered")
        await pilot.press("enter")
        editor = await _filled(pilot, app)
        assert editor.query_one("#notes", TextArea).text == "mine, from yesterday"
        assert editor.version == version  # the draft's base, not the version stored now
        await pilot.press("ctrl+s")
        view = await _conflict_view(pilot, app)
        notes = next(row for row in view.rows if row.name == "notes")
        assert (notes.theirs, notes.yours) == ("theirs, saved today", "mine, from yesterday")
        assert notes.differs and notes.changed_by_them
        stored = _stored(demo_db, statement_id)
        assert (stored.notes, stored.version) == ("theirs, saved today", theirs)
        assert [d.fields["notes"] for d in _store(demo_db).all()] == ["mine, from yesterday"]


# --------------------------------------------------------------------------- B: the view


async def _conflicting_edit(
    pilot: Pilot[object], app: WorkbenchApp, db: Path
) -> tuple[StatementEditor, ConflictScreen, int, int]:
    """The newest statement opened; a colleague changes its notes; here the text is
    rewritten and saved: the conflict view is up. Returns its id and their version."""
    await wait_loaded(pilot, app)
    editor = await _edit_newest(pilot, app)
    statement_id, version = editor.statement_id, editor.version
    assert statement_id is not None and version is not None
    theirs = _colleague_saves(db, statement_id, version, notes="theirs")
    editor.query_one("#text", TextArea).text = "Mine, rewritten"
    await _type_into(pilot, editor, "text", "!")
    await pilot.press("ctrl+s")
    view = await _conflict_view(pilot, app)
    return editor, view, statement_id, theirs


async def test_the_conflict_view_shows_theirs_and_yours_and_keep_mine_saves_over_them(
    demo_db: Path,
) -> None:
    app = make_app(demo_db, live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        _editor, view, statement_id, theirs = await _conflicting_edit(pilot, app, demo_db)
        assert "changed by someone else" in view.message
        rows = {row.name: row for row in view.rows}
        assert rows["notes"].differs and rows["notes"].changed_by_them
        assert rows["text"].differs and not rows["text"].changed_by_them
        assert rows["text"].yours == "Mine, rewritten!"
        assert not rows["speaker"].differs and not rows["tags"].differs
        table = view.query_one(DataTable)
        assert str(table.get_cell("notes", "mark")).startswith("≠")
        assert str(table.get_cell("notes", "theirs")) == "theirs"
        assert str(table.get_cell("tags", "mark")).strip() == ""
        await pilot.press("m")  # keep mine: a deliberate overwrite at their version
        await wait_for(pilot, lambda: not isinstance(app.screen, StatementEditor), "saved")
    stored = _stored(demo_db, statement_id)
    assert (stored.text, stored.notes, stored.version) == ("Mine, rewritten!", "", theirs + 1)
    change = _changes(demo_db, statement_id)[-1]
    assert change.editor == EDITOR and change.op == "update"
    assert change.diff["notes"] == ["theirs", ""]
    assert change.diff["text"][1] == "Mine, rewritten!"
    assert _store(demo_db).all() == []


async def test_take_theirs_loads_the_stored_statement_into_the_form(demo_db: Path) -> None:
    app = make_app(demo_db, live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        editor, _view, statement_id, theirs = await _conflicting_edit(pilot, app, demo_db)
        stored_text = _stored(demo_db, statement_id).text
        await pilot.press("t")
        await wait_for(pilot, lambda: app.screen is editor, "back in the form")
        assert editor.query_one("#notes", TextArea).text == "theirs"
        assert editor.query_one("#text", TextArea).text == stored_text
        assert editor.version == theirs and not editor.dirty
        assert _store(demo_db).all() == []  # nothing of mine left to offer back
        await _type_into(pilot, editor, "notes", ", and mine")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, StatementEditor), "saved")
    stored = _stored(demo_db, statement_id)
    assert (stored.notes, stored.version) == ("theirs, and mine", theirs + 1)


async def test_keep_editing_rebases_the_form_so_the_next_save_goes_through(
    demo_db: Path,
) -> None:
    """Esc closes the view on their version; space took their notes for that field
    alone; ctrl+s then saves my text with their notes."""
    app = make_app(demo_db, live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        editor, view, statement_id, theirs = await _conflicting_edit(pilot, app, demo_db)
        table = view.query_one(DataTable)
        names = [row.name for row in view.rows]
        assert names[table.cursor_row] == "text"  # the first field that differs
        await pilot.press(*["down"] * (names.index("notes") - names.index("text")), "space")
        assert view.take == {"notes"}
        assert str(table.get_cell("notes", "yours")) == "theirs"
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is editor, "back in the form")
        assert editor.version == theirs and editor.dirty
        assert editor.query_one("#text", TextArea).text == "Mine, rewritten!"
        assert editor.query_one("#notes", TextArea).text == "theirs"
        (draft,) = _store(demo_db).all()
        assert draft.fields["_base_version"] == theirs  # a crash now resumes on theirs
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, StatementEditor), "saved")
    stored = _stored(demo_db, statement_id)
    assert (stored.text, stored.notes, stored.version) == ("Mine, rewritten!", "theirs", theirs + 1)


async def test_a_version_bump_that_touched_no_form_field_is_saved_over(demo_db: Path) -> None:
    """The article is ingested again with a paragraph more at the top: the statement's
    evidence is re-anchored (a new version) while its form is open. Saving the form is
    no conflict: it is stored at the new version, the moved evidence kept."""
    text = (FIXTURES / "ferry_talks.txt").read_text(encoding="utf-8")
    repo = _repo(demo_db)

    def ingest(body: str) -> int:
        outcome = repo.ingest_articles(
            None,
            [
                IncomingArticle(
                    title="Ferry talks",
                    text=body,
                    canonical_url="https://brief.example/ferries",
                    published_at=dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC),
                )
            ],
        )
        return (outcome.added or outcome.updated)[0]

    article_id = ingest(text)
    words = "the quay was busy with fishing boats"
    start = text.index(words)
    statement = repo.add_statement(
        text=words, article_id=article_id, evidence=(start, start + len(words))
    )
    statement_id = int(statement.id)  # type: ignore[arg-type]

    app = make_app(demo_db, live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        app.open_editor(statement_id=statement_id)
        editor = await _filled(pilot, app)
        opened_at = editor.version
        await _type_into(pilot, editor, "notes", "checked with the port")
        added = "A paragraph the outlet added at the top.\n\n"
        ingest(added + text)
        moved = _stored(demo_db, statement_id)
        assert moved.version > opened_at  # type: ignore[operator]
        assert moved.evidence_start == start + len(added)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, StatementEditor), "saved")
        assert not isinstance(app.screen, ConflictScreen)
    stored = _stored(demo_db, statement_id)
    assert stored.notes == "checked with the port"
    assert stored.version == moved.version + 1
    assert stored.evidence_start == start + len(added)


# --------------------------------------------------------------------------- C: q


async def test_q_types_into_fields_and_quitting_writes_the_pending_draft(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The debounced draft write is far off (as if q came right after the last key):
    q in a text field types a q; q elsewhere quits, and the draft holds every key."""
    monkeypatch.setattr(editor_module, "DRAFT_DELAY", 3600.0)
    app = make_app(demo_db, live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        editor = await _edit_newest(pilot, app)
        statement_id, version = editor.statement_id, editor.version
        notes = editor.query_one("#notes", TextArea)
        editor.set_focus(notes)
        await pilot.press("a", "q")
        assert notes.text == "aq" and app.screen is editor
        speaker = editor.query_one("#speaker", Input)
        before = speaker.value
        editor.set_focus(speaker)
        await pilot.press("end", "q")
        assert speaker.value == before + "q" and app.screen is editor
        assert _store(demo_db).all() == []  # the debounced write has not come yet
        editor.set_focus(editor.query_one("#quote", Checkbox))
        await pilot.press("q")
        await wait_for(pilot, lambda: not app.is_running, "the app to quit")
    (draft,) = _store(demo_db).all()
    assert draft.key == f"statement-{statement_id}"
    assert (draft.fields["notes"], draft.fields["speaker"]) == ("aq", before + "q")
    assert draft.fields["_base_version"] == version


# --------------------------------------------------------------------------- D: waiting drafts


async def test_opening_a_statement_with_a_waiting_draft_offers_it(demo_db: Path) -> None:
    """A draft set aside with "decide later": opening its statement asks. Opening the
    saved version keeps the draft, even when that form is changed and discarded;
    resuming brings its text back; Delete throws it away."""
    app = make_app(demo_db, live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        editor = await _edit_newest(pilot, app)
        statement_id, version = editor.statement_id, editor.version
        await _type_into(pilot, editor, "notes", "half a thought")
        await wait_for(pilot, lambda: bool(_store(demo_db).all()), "the draft on disk")
    key = f"statement-{statement_id}"

    app = make_app(demo_db, live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, DraftsScreen), "drafts offered")
        await pilot.press("escape")  # decide later
        await wait_loaded(pilot, app)

        await _press_e_on_newest(pilot, app)
        await wait_for(pilot, lambda: isinstance(app.screen, DraftWaiting), "the draft offered")
        await pilot.press("o")  # the saved version; the draft stays
        editor = await _filled(pilot, app)
        assert editor.query_one("#notes", TextArea).text == ""
        assert editor.draft_key != key
        await _type_into(pilot, editor, "notes", "something else")
        editor.save_draft()
        await pilot.press("escape")
        assert isinstance(app.screen, ConfirmLeave)
        await pilot.press("d")  # discard this form: the waiting draft is another one
        await wait_for(pilot, lambda: not isinstance(app.screen, StatementEditor | ConfirmLeave))
        assert [(d.key, d.fields["notes"]) for d in _store(demo_db).all()] == [
            (key, "half a thought")
        ]

        (left,) = _store(demo_db).all()

        await _press_e_on_newest(pilot, app)
        await wait_for(pilot, lambda: isinstance(app.screen, DraftWaiting), "offered again")
        await pilot.press("delete")  # throw it away
        editor = await _filled(pilot, app)
        assert editor.query_one("#notes", TextArea).text == ""
        assert _store(demo_db).all() == []
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, StatementEditor))

        _store(demo_db).save(left.key, left.fields, left.title)  # left over once more
        await _press_e_on_newest(pilot, app)
        await wait_for(pilot, lambda: isinstance(app.screen, DraftWaiting), "offered again")
        await pilot.press("r")  # resume it
        editor = await _filled(pilot, app)
        assert editor.query_one("#notes", TextArea).text == "half a thought"
        assert editor.draft_key == key and editor.dirty and editor.version == version
        await pilot.press("ctrl+s")  # nobody saved since its base version: stored
        await wait_for(pilot, lambda: not isinstance(app.screen, StatementEditor), "saved")
    assert _stored(demo_db, statement_id).notes == "half a thought"  # type: ignore[arg-type]
    assert _store(demo_db).all() == []


# --------------------------------------------------------------------------- E: type-ahead


@pytest.fixture
def slow_load(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """The editor's load waits until the test lets it go: keys typed before that are
    typed ahead of the fill, deterministically."""
    gate = threading.Event()
    load = StatementEditor._load

    def held(self: StatementEditor) -> None:
        gate.wait(timeout=10)
        load(self)

    monkeypatch.setattr(StatementEditor, "_load", held)
    try:
        yield gate
    finally:
        gate.set()


async def _editor_up(pilot: Pilot[object], app: WorkbenchApp) -> StatementEditor:
    """The editor on screen with its first field focused, its load not yet done."""
    await wait_for(
        pilot,
        lambda: (
            isinstance(app.screen, StatementEditor)
            and isinstance(app.screen.focused, Input)
            and app.screen.focused.id == "speaker"
        ),
        "the editor's first field",
    )
    editor = app.screen
    assert isinstance(editor, StatementEditor) and editor._loading
    return editor


async def test_keys_typed_while_the_form_loads_are_kept(
    demo_db: Path, slow_load: threading.Event
) -> None:
    app = make_app(demo_db, live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        await _press_e_on_newest(pilot, app)
        editor = await _editor_up(pilot, app)
        statement_id = editor.statement_id
        assert statement_id is not None
        await pilot.press(*"Zed", "tab", *"via")
        slow_load.set()
        await wait_for(pilot, lambda: not editor._loading, "the fill")
        await pilot.pause()
        stored = _stored(demo_db, statement_id)
        assert editor.query_one("#speaker", Input).value == "Zed"
        assert editor.query_one("#attribution", Input).value == "via"
        assert editor.query_one("#text", TextArea).text == stored.text  # the rest is filled
        assert editor.focused is editor.query_one("#attribution", Input)  # focus stays
        assert editor.dirty and editor.version == stored.version


async def test_a_new_statement_typed_and_saved_before_the_form_loads(
    demo_db: Path, slow_load: threading.Event
) -> None:
    """n, a speaker, Tab to nowhere yet… the whole burst, ctrl+s included, before the
    load: the statement is stored once the form is ready, with what was typed."""
    app = make_app(demo_db, live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("2", "n")
        editor = await _editor_up(pilot, app)
        await pilot.press(*"Luka Fendrel")
        text = editor.query_one("#text", TextArea)
        editor.set_focus(text)
        await pilot.press(*"Ferries at dawn", "ctrl+s")
        assert app.screen is editor  # nothing stored while the form loads
        slow_load.set()
        await wait_for(pilot, lambda: not isinstance(app.screen, StatementEditor), "saved")
    with _repo(demo_db).read() as session:
        saved = session.exec(query(Statement).where(Statement.text == "Ferries at dawn")).one()
    assert saved.speaker_id == 4  # Luka Fendrel, resolved after the load
