"""Roles in the TUI: the title names the editor and their role, and every write key of a
viewer is refused with the repository's message while nothing is stored and nothing
crashes (the refusal itself is enforced in ``db.repo``; see tests/test_users.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, func, select
from textual.widgets import Input, Static, TextArea

from db.engine import open_desk
from db.models import Article, Change, Link, Statement
from db.users import set_user
from tests.conftest import EDITOR, wait_for
from tests.ui_support import make_app, pane, plist, wait_loaded
from workbench.ui import presence as presence_ui
from workbench.ui.app import WorkbenchApp
from workbench.ui.editor import StatementEditor
from workbench.ui.forms import IssueForm
from workbench.ui.links import LinkPicker, LinkReviewScreen, RelationPrompt
from workbench.ui.reader import ReaderScreen

REFUSAL = f"{EDITOR} is a viewer on this desk"


@pytest.fixture
def viewer_desk(demo_db: Path) -> Iterator[Path]:
    """The demo desk once it lists its users: anna the admin, and the tester (the login
    of these tests) unlisted, so a viewer."""
    engine = open_desk(str(demo_db))
    set_user(engine, "anna", "admin", by="anna")
    engine.dispose()
    yield demo_db


def _stored(db: Path) -> tuple[int, dict[int, tuple[int, str, str]], dict[int, str], int]:
    """Change rows; each statement's (version, review, text); each article's triage;
    live links: what a refused write must leave as it was."""
    engine = open_desk(str(db))
    try:
        with Session(engine) as session:
            changes = session.exec(select(func.count()).select_from(Change)).one()
            statements = {
                int(s.id): (s.version, s.review, s.text)  # type: ignore[arg-type]
                for s in session.exec(select(Statement))
            }
            triage = {int(a.id): a.triage for a in session.exec(select(Article))}  # type: ignore[arg-type]
            links = session.exec(
                select(func.count()).select_from(Link).where(Link.deleted_at == None)  # noqa: E711
            ).one()
        return changes, statements, triage, links
    finally:
        engine.dispose()


def _told(app: WorkbenchApp) -> list[str]:
    """Every notification the app shows from now on, kept (shown ones expire)."""
    said: list[str] = []
    shown = app.notify

    def notify(message: str, *args: Any, **kwargs: Any) -> None:
        said.append(str(message))
        shown(message, *args, **kwargs)

    app.notify = notify  # type: ignore[method-assign]
    return said


def _refusals(said: list[str]) -> list[str]:
    return [message for message in said if REFUSAL in message]


async def test_a_viewer_sees_their_role_and_every_write_key_is_refused(viewer_desk: Path) -> None:
    before = _stored(viewer_desk)
    suggested = next(i for i, (_v, review, _t) in before[1].items() if review == "suggested")
    app = make_app(viewer_desk)
    said = _told(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        await wait_for(pilot, lambda: app.role == "viewer", "the role")
        assert app.sub_title == f"demo.db · {EDITOR} (viewer)"
        assert not app.can_write

        # Feed: triage keys and the read toggle are refused, each said once.
        feed = plist(app, "feed")
        await pilot.press("y")
        await wait_for(pilot, lambda: len(_refusals(said)) == 1, "the triage refusal")
        assert "Could not mark as relevant" in _refusals(said)[0]
        await pilot.press("k", "s")
        await wait_for(pilot, lambda: len(_refusals(said)) == 2, "the star refusal")
        # Opening an article is browsing: the reader opens without a refusal.
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ReaderScreen), "the reader")
        await pilot.press("escape")
        assert feed.cursor == 0

        # Statements: a (accept) on a suggestion.
        statements = pane(app, "statements")
        await pilot.press("2")
        statements.show_statement(suggested)  # type: ignore[attr-defined]
        await wait_for(pilot, lambda: getattr(statements.list.current, "id", None) == suggested)
        await pilot.press("a")
        await wait_for(
            pilot,
            lambda: any("Could not accept the statement" in m for m in _refusals(said)),
            "the review refusal",
        )
        # (the reader was opened before: a read mark, had it been written, was refused by now)
        assert len(_refusals(said)) == 3
        assert not any("mark as read" in m for m in _refusals(said))

        # The link picker: the refusal is said where the link was being made.
        await pilot.press("l")
        picker = app.screen
        assert isinstance(picker, LinkPicker)
        await wait_for(pilot, lambda: picker.loads > 0 and bool(picker.shown), "candidates")
        await pilot.press("enter")
        assert isinstance(app.screen, RelationPrompt)
        await pilot.press("s", "enter")
        await wait_for(pilot, lambda: REFUSAL in picker.status, "the link refusal")
        assert app.screen is picker
        await pilot.press("escape")

        # The suggested links: a.
        await pilot.press("L")
        review = app.screen
        assert isinstance(review, LinkReviewScreen)
        await wait_for(pilot, lambda: review.loads > 0 and bool(review.rows), "the suggestions")
        count = len(_refusals(said))
        await pilot.press("a")
        await wait_for(pilot, lambda: len(_refusals(said)) > count, "the link review refusal")
        await pilot.press("escape")

        # A grid form: typed, saved, refused under the fields, the typing kept.
        await pilot.press("3", "I", *"Viewers cannot add issues", "ctrl+s")
        form = app.screen
        assert isinstance(form, IssueForm)
        await wait_for(pilot, lambda: REFUSAL in form.error, "the form's refusal")
        assert form.error.startswith("Not saved:")
        assert form.query_one(Input).value == "Viewers cannot add issues"
        await pilot.press("escape", "escape")

        await pilot.press("1", "j")  # still alive, still taking keys
        await wait_for(pilot, lambda: feed.cursor == 1)
    assert app.return_code in (None, 0)
    assert _stored(viewer_desk) == before  # nothing stored, not even a Change row


async def test_a_viewers_save_in_the_editor_is_refused_and_the_typing_kept(
    viewer_desk: Path,
) -> None:
    before = _stored(viewer_desk)
    app = make_app(viewer_desk)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("2", "e")
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, StatementEditor) and not app.screen._loading,
            "the editor",
        )
        editor = app.screen
        assert isinstance(editor, StatementEditor)
        text = editor.query_one("#text", TextArea)
        editor.set_focus(text)
        text.move_cursor(text.document.end)
        await pilot.press(*" (typed by a viewer)")
        typed = editor.values()
        await pilot.press("ctrl+s")
        error = editor.query_one("#editor-error", Static)
        await wait_for(pilot, lambda: REFUSAL in str(error.content), "the refusal")
        assert app.screen is editor  # still open: nothing typed is lost
        assert editor.values() == typed
        assert typed["text"].endswith(" (typed by a viewer)")
        assert not editor._saving  # ctrl+s can be pressed again (after the role changes)
    assert _stored(viewer_desk) == before


async def test_a_role_given_while_logged_in_shows_and_applies(
    viewer_desk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(presence_ui, "BEAT_SECONDS", 0.1)  # the role is read on each beat
    app = make_app(viewer_desk)
    said = _told(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        await wait_for(pilot, lambda: app.sub_title.endswith("(viewer)"), "the viewer title")
        engine = open_desk(str(viewer_desk))
        try:
            set_user(engine, EDITOR, "editor", by="anna")
        finally:
            engine.dispose()
        await wait_for(
            pilot, lambda: app.sub_title == f"demo.db · {EDITOR} (editor)", "the new role"
        )
        assert app.can_write
        article = plist(app, "feed").current
        await pilot.press("y")
        await wait_for(
            pilot,
            lambda: _stored(viewer_desk)[2][article.id] == "relevant",
            "the triage, now allowed",
        )
        assert _refusals(said) == []


async def test_an_open_desk_names_no_role(demo_db: Path) -> None:
    """A desk that lists nobody is open to every login: no role to show."""
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        await wait_for(pilot, lambda: app.role == "editor", "the role")
        assert app.sub_title == f"demo.db · {EDITOR}"
