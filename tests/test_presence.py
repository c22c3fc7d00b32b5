"""Presence: which other editors are looking at or editing an item.

The board (``db.presence``) on a real desk file; then the TUI, with a colleague's session
played by a second engine on the same file beating as another process would: marks on the
rows they are at, "Also here" in the detail, this session's own heartbeat following the
cursor and the editor, the warning before editing a statement someone else is editing,
and rows of sessions that died expiring.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event, text
from sqlmodel import Session, func, select
from textual.widgets import Button, Static, TextArea

from db.engine import open_desk
from db.models import Change, Presence, Statement
from db.presence import PresenceBoard
from db.repo import Repo
from db.users import set_user
from tests.conftest import EDITOR, wait_for
from tests.ui_support import make_app, pane, plist, row_text, wait_loaded
from workbench.ui import app as app_module
from workbench.ui import presence as presence_ui
from workbench.ui.app import WorkbenchApp
from workbench.ui.editor import StatementEditor
from workbench.ui.presence import EditingWarning

EXPIRY = 20.0


@pytest.fixture(autouse=True)
def _quick_presence(monkeypatch: pytest.MonkeyPatch) -> None:
    """Beats and polls at test speed (the waits below stay bounded either way)."""
    monkeypatch.setattr(presence_ui, "POLL_SECONDS", 0.05)
    monkeypatch.setattr(presence_ui, "DEBOUNCE_SECONDS", 0.02)
    monkeypatch.setattr(presence_ui, "BEAT_SECONDS", 0.5)
    monkeypatch.setattr(app_module, "PRESENCE_CHECK_SECONDS", 0.1)


@pytest.fixture
def colleague(demo_db: Path) -> Iterator[PresenceBoard]:
    """Another session's board: its own engine, so its own connections, like a process."""
    engine = open_desk(str(demo_db))
    yield PresenceBoard(engine)
    engine.dispose()


def _changes(engine: object) -> int:
    with Session(engine) as session:  # type: ignore[arg-type]
        return session.exec(select(func.count()).select_from(Change)).one()


def _presence_rows(board: PresenceBoard) -> list[Presence]:
    with Session(board.engine) as session:
        return list(session.exec(select(Presence)))


def _detail_presence(app: WorkbenchApp, pane_id: str) -> str:
    line = pane(app, pane_id).detail.query_one("#detail-presence", Static)
    return str(line.content) if line.display else ""


# --------------------------------------------------------------------------- the board


def test_the_board_says_who_is_where_and_forgets_dead_sessions(tmp_path: Path) -> None:
    engine = open_desk(str(tmp_path / "desk.db"))
    try:
        board = PresenceBoard(engine)
        # Viewers are on the desk too: the board never asks for a writer's role.
        set_user(engine, "anna", "admin", by="anna")
        before = _changes(engine)
        now = dt.datetime.now(dt.UTC)
        board.beat("s-maria", "maria", "statement", 7, True, now=now)
        board.beat("s-bo", "bo", "statement", 7, now=now)  # bo is an unlisted viewer
        board.beat("s-bo-2", "bo", "article", 3, now=now)
        board.beat("s-old", "olga", "statement", 7, True, now=now - dt.timedelta(seconds=60))
        board.beat("s-me", "anna", "statement", 7, True, now=now)
        assert _changes(engine) == before  # presence is not desk content: no Change rows

        found = board.others("statement", [7, 8], "s-me", EXPIRY, now=now)
        assert list(found) == [7]  # nobody at 8; anna's own session left out
        assert [(h.editor, h.editing) for h in found[7]] == [("maria", True), ("bo", False)]
        # olga's heartbeat stopped a minute ago: her session died, she is not shown
        everyone = board.everyone("s-me", EXPIRY, now=now)
        assert [h.session for h in everyone] == ["s-bo", "s-bo-2", "s-maria"]

        board.beat("s-maria", "maria", "article", 3, now=now)  # one row per session: it moves
        assert board.others("statement", [7], "s-me", EXPIRY, now=now)[7][0].editor == "bo"
        # nothing highlighted: the session is on the desk but at no item
        board.beat("s-bo", "bo", None, None, True, now=now)
        assert board.others("statement", [7], "s-me", EXPIRY, now=now) == {}

        assert board.sweep(EXPIRY, now=now) == 1  # olga's row goes
        board.leave("s-maria")
        assert sorted(r.session for r in _presence_rows(board)) == ["s-bo", "s-bo-2", "s-me"]
        # a thousand items asked about at once (the ids go in chunks)
        assert board.others("article", range(1, 1200), "s-me", EXPIRY, now=now)[3][0].editor == "bo"
    finally:
        engine.dispose()


def test_a_beat_lands_when_its_row_vanishes_under_it(
    backend: str, demo_db: Path, colleague: PresenceBoard
) -> None:
    """A beat is one upsert: its row deleted between a read and a write of the beat (by
    anything that does not queue behind the desk's write lock: a hand-run cleanup, an
    older session's sweep) must not fail it ("expected to update 1 row, 0 were
    matched"). On SQLite the write lock stops every other writer, so it cannot happen."""
    if backend != "postgres":
        pytest.skip("SQLite's BEGIN IMMEDIATE holds off every other writer")
    engine = open_desk(str(demo_db))
    try:
        board = PresenceBoard(engine)
        long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=EXPIRY * 10)
        board.beat("s-me", EDITOR, "article", 1, now=long_ago)  # this session, gone quiet
        deleted: list[int] = []

        def delete_first(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
            # Just before the beat writes, the quiet row is deleted by hand.
            if not deleted and statement.lstrip().upper().startswith(("INSERT", "UPDATE")):
                with colleague.engine.connect() as other:
                    result = other.execute(text("DELETE FROM presence WHERE session = 's-me'"))
                    other.commit()
                    deleted.append(result.rowcount)

        event.listen(engine, "before_cursor_execute", delete_first)
        try:
            board.beat("s-me", EDITOR, "statement", 7, True)
        finally:
            event.remove(engine, "before_cursor_execute", delete_first)
        assert deleted == [1]
        rows = _presence_rows(board)
        assert [(r.session, r.entity, r.entity_id, r.editing) for r in rows] == [
            ("s-me", "statement", 7, True)
        ]
        # And beating again moves the one row, keeping when the session started.
        started = rows[0].started_at
        board.beat("s-me", EDITOR, "article", 2)
        (row,) = _presence_rows(board)
        assert (row.entity, row.entity_id, row.editing, row.started_at) == (
            "article",
            2,
            False,
            started,
        )
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- the TUI


async def test_rows_and_details_show_where_colleagues_are(
    demo_db: Path, colleague: PresenceBoard
) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(200, 50)) as pilot:
        await wait_loaded(pilot, app)
        feed, statements = plist(app, "feed"), plist(app, "statements")
        article = feed.loaded_rows[1]
        highlighted = statements.current
        assert highlighted is not None
        colleague.beat("s-maria", "maria", "article", article.id)
        colleague.beat("s-bo", "bo", "statement", highlighted.id, True)
        await wait_for(pilot, lambda: "·maria" in row_text(feed, 1), "maria's mark in the Feed")
        assert "maria" not in row_text(feed, 0) and "maria" not in row_text(feed, 2)
        await wait_for(pilot, lambda: "✎bo" in row_text(statements, 0), "bo editing, marked")
        # The detail of the highlighted statement names who else is here.
        await wait_for(
            pilot,
            lambda: _detail_presence(app, "statements") == "Also here: bo (editing)",
            "the detail's line",
        )
        assert _detail_presence(app, "feed") == ""  # the Feed's highlighted article: nobody
        await pilot.press("j")  # onto maria's article
        await wait_for(pilot, lambda: _detail_presence(app, "feed") == "Also here: maria")

        # The timeline marks the same statement; the grid marks an issue someone is on.
        timeline = plist(app, "timeline")
        index = next(
            n
            for n, row in enumerate(timeline.loaded_rows)
            if row.kind == "statement" and row.id == highlighted.id
        )
        timeline.scroll_to(y=index, animate=False, immediate=True)
        await wait_for(
            pilot,
            lambda: "✎bo" in row_text(timeline, index - int(timeline.scroll_y)),
            "the timeline's mark",
        )
        grid = plist(app, "positions")
        issue = grid.loaded_rows[0]
        colleague.beat("s-maria", "maria", "issue", issue.id)
        await wait_for(pilot, lambda: "·maria" in row_text(grid, 0), "the grid's mark")
        await wait_for(pilot, lambda: "maria" not in row_text(feed, 1), "maria left the article")

        # Sessions that leave, or die, stop showing.
        colleague.leave("s-bo")
        await wait_for(pilot, lambda: "bo" not in row_text(statements, 0), "bo gone")
        old = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=presence_ui.EXPIRY_SECONDS + 1)
        colleague.beat("s-maria", "maria", "issue", issue.id, now=old)  # her last beat, long ago
        await wait_for(pilot, lambda: "maria" not in row_text(grid, 0), "maria's session expired")


async def test_this_session_beats_where_its_editor_is(
    demo_db: Path, colleague: PresenceBoard
) -> None:
    app = make_app(demo_db)

    def mine() -> tuple[str | None, int | None, bool] | None:
        rows = [h for h in colleague.everyone("someone-else", EXPIRY) if h.editor == EDITOR]
        return (rows[0].entity, rows[0].entity_id, rows[0].editing) if rows else None

    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        feed = plist(app, "feed")
        first = feed.current
        await wait_for(pilot, lambda: mine() == ("article", first.id, False), "the first beat")
        await pilot.press("j")
        second = feed.current
        assert second.id != first.id
        await wait_for(pilot, lambda: mine() == ("article", second.id, False), "the move")
        await pilot.press("2")
        statement = plist(app, "statements").current
        await wait_for(pilot, lambda: mine() == ("statement", statement.id, False), "pane 2")
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, StatementEditor), "the editor")
        await wait_for(pilot, lambda: mine() == ("statement", statement.id, True), "editing")
        await pilot.press("escape")
        await wait_for(pilot, lambda: mine() == ("statement", statement.id, False), "closed")
        await pilot.press("1", "enter")  # the reader
        await wait_for(pilot, lambda: mine() == ("article", second.id, False), "reading")
        await pilot.press("escape")
        await pilot.press("q")
    # Quitting leaves the board at once (a session that dies instead expires).
    assert app.presence_left.wait(30)
    assert mine() is None
    assert [r.editor for r in _presence_rows(colleague)] == []


async def _open_editor_on(pilot: object, app: WorkbenchApp, statement_id: int) -> None:
    statements = pane(app, "statements")
    await pilot.press("2")  # type: ignore[attr-defined]
    statements.show_statement(statement_id)  # type: ignore[attr-defined]
    await wait_for(
        pilot,  # type: ignore[arg-type]
        lambda: getattr(statements.list.current, "id", None) == statement_id,
        "the statement",
    )
    await pilot.press("e")  # type: ignore[attr-defined]


async def test_opening_a_statement_someone_is_editing_warns_first(
    demo_db: Path, colleague: PresenceBoard
) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        target = plist(app, "statements").loaded_rows[3].id
        colleague.beat("s-maria", "maria", "statement", target, True)
        with Session(colleague.engine) as session:
            stored = session.get(Statement, target)
            assert stored is not None
            version, text = stored.version, stored.text

        # esc: nothing opens
        await _open_editor_on(pilot, app, target)
        await wait_for(pilot, lambda: isinstance(app.screen, EditingWarning), "the warning")
        warning = app.screen
        assert isinstance(warning, EditingWarning)
        assert warning.sentence == "maria is editing this statement"
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, EditingWarning | StatementEditor))

        # r: the statement, read-only: nothing can be typed or saved
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, EditingWarning), "the warning")
        await pilot.press("r")
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, StatementEditor) and not app.screen._loading,
            "the read-only form",
        )
        editor = app.screen
        assert isinstance(editor, StatementEditor) and editor.viewing_only
        assert editor.query_one("#text", TextArea).text == text
        assert editor.query_one("#text", TextArea).is_disabled
        assert editor.query_one("#editor-save", Button).disabled
        notice = str(editor.query_one("#editor-read-only", Static).content)
        assert notice.startswith("Read-only: maria is editing this statement.")
        await pilot.press("x", "ctrl+s")
        assert "read-only" in str(editor.query_one("#editor-error", Static).content)
        assert editor.query_one("#text", TextArea).text == text
        # colleagues see this session looking, not editing
        await wait_for(
            pilot,
            lambda: (
                [
                    (h.editor, h.editing)
                    for h in colleague.others("statement", [target], "s-maria", EXPIRY).get(
                        target, ()
                    )
                ]
                == [(EDITOR, False)]
            ),
            "a read-only session is not editing",
        )
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, StatementEditor), "closed")

        # e: edit anyway; the form is the usual one
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, EditingWarning), "the warning")
        await pilot.press("e")
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, StatementEditor) and not app.screen._loading,
            "the form",
        )
        editor = app.screen
        assert isinstance(editor, StatementEditor) and not editor.viewing_only
        assert not editor.query_one("#text", TextArea).is_disabled

        # Nobody else editing (maria only looks now): no warning at all.
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, StatementEditor), "closed")
        colleague.beat("s-maria", "maria", "statement", target, False)
        await pilot.press("e")
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, StatementEditor | EditingWarning),
            "the editor",
        )
        assert isinstance(app.screen, StatementEditor)
        await pilot.press("escape")

    with Session(colleague.engine) as session:
        stored = session.get(Statement, target)
        assert stored is not None and (stored.version, stored.text) == (version, text)


async def test_a_dead_colleagues_editing_does_not_warn(
    demo_db: Path, colleague: PresenceBoard
) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        target = plist(app, "statements").loaded_rows[0].id
        gone = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=presence_ui.EXPIRY_SECONDS + 5)
        colleague.beat("s-dead", "maria", "statement", target, True, now=gone)
        await _open_editor_on(pilot, app, target)
        await wait_for(
            pilot, lambda: isinstance(app.screen, StatementEditor | EditingWarning), "the editor"
        )
        assert isinstance(app.screen, StatementEditor)


async def test_presence_is_kept_for_a_viewer_too(demo_db: Path, colleague: PresenceBoard) -> None:
    set_user(colleague.engine, "anna", "admin", by="anna")  # the tester is now a viewer
    app = WorkbenchApp(Repo(open_desk(str(demo_db)), EDITOR), db_label="demo.db")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        first = plist(app, "feed").current
        await wait_for(
            pilot,
            lambda: any(
                h.editor == EDITOR and h.entity_id == first.id
                for h in colleague.everyone("x", EXPIRY)
            ),
            "the viewer's heartbeat",
        )
