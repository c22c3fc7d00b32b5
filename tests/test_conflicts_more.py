"""No lost updates beyond statements (issue 6, point 3): a position corrected in the grid
(``e``) and an event edited from the timeline (``e`` on the row, or in the event screen)
while a colleague saves the same row from another session.

Each test runs the app on a real SQLite file; the colleague is a second ``Repo`` on an
engine of its own, as another editor's session would be. Saving then opens the conflict
view (theirs beside yours): ``m`` keeps mine (stored, both saves in the Change log), ``t``
takes theirs (the form shows it, nothing written), ``esc`` keeps editing and the next
ctrl+s saves. A colleague's change to a field the form left alone is merged without
asking; a viewer's save is refused with the repository's message and the form kept.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static, TextArea

from db.engine import open_desk
from db.models import Change, Event, Position
from db.repo import Repo
from db.users import set_user
from tests.conftest import EDITOR, wait_for
from tests.ui_support import plist, wait_loaded
from workbench.ui.app import WorkbenchApp
from workbench.ui.conflict import ConflictScreen
from workbench.ui.forms import ActorForm, EventForm, IssueForm, PositionForm
from workbench.ui.panes.positions import GridList
from workbench.ui.panes.timeline import EventScreen, TimelineList

D = dt.date
COLLEAGUE = "tobias"


@dataclass(frozen=True)
class Desk:
    path: Path
    position: int
    event: int


def make_desk(tmp_path: Path) -> Desk:
    """One issue, one actor with a position on it, one event: the grid has one cell and
    the timeline one entry, so the cursor starts on what the tests edit."""
    path = tmp_path / "desk.db"
    engine = open_desk(str(path))
    repo = Repo(engine, EDITOR)
    issue = repo.add_issue("Will the ferry link reopen?")
    actor = repo.add_actor("Norland", "government")
    position = repo.add_position(
        issue_id=int(issue.id),  # type: ignore[arg-type]
        actor_id=int(actor.id),  # type: ignore[arg-type]
        summary="Ready to reopen by spring",
        as_of=D(2026, 11, 2),
    )
    event = repo.add_event(
        title="Bridge closed after a crack is found",
        date=D(2026, 12, 2),
        description="The ministry closed it overnight.",
    )
    engine.dispose()
    return Desk(path, int(position.id), int(event.id))  # type: ignore[arg-type]


def make_app(desk: Desk, *, live: bool = False) -> WorkbenchApp:
    return WorkbenchApp(Repo(open_desk(str(desk.path)), EDITOR), db_label="desk.db", live=live)


def colleague(desk: Desk) -> Repo:
    """Another editor's session: its own engine on the same file."""
    return Repo(open_desk(str(desk.path)), COLLEAGUE)


def stored(desk: Desk, model: type[Position] | type[Event], row_id: int) -> Position | Event:
    engine = open_desk(str(desk.path))
    try:
        with Repo(engine, EDITOR).read() as session:
            row = session.get(model, row_id)
            assert row is not None
            return row
    finally:
        engine.dispose()


def updates(desk: Desk, entity: str, row_id: int) -> list[Change]:
    engine = open_desk(str(desk.path))
    try:
        return [c for c in Repo(engine, EDITOR).changes_for(entity, row_id) if c.op == "update"]
    finally:
        engine.dispose()


async def conflict_view(pilot: Pilot[object], app: WorkbenchApp) -> ConflictScreen:
    await wait_for(pilot, lambda: isinstance(app.screen, ConflictScreen), "the conflict view")
    view = app.screen
    assert isinstance(view, ConflictScreen)
    return view


async def type_into(pilot: Pilot[object], field: Input, text: str) -> None:
    """Replace the field's text, the last character typed as a key (focus first: a
    field selects its text when focused, and a key would replace it all)."""
    field.screen.set_focus(field)
    await pilot.pause()
    field.value = text[:-1]
    field.cursor_position = len(field.value)
    await pilot.press(text[-1])
    assert field.value == text


# --------------------------------------------------------------------------- positions


async def open_position_form(pilot: Pilot[object], app: WorkbenchApp) -> PositionForm:
    await wait_loaded(pilot, app)
    await pilot.press("3")
    grid = plist(app, "positions")
    assert isinstance(grid, GridList)
    await wait_for(pilot, lambda: grid.cell is not None, "the grid's cell")
    await pilot.press("e")
    await wait_for(pilot, lambda: isinstance(app.screen, PositionForm), "the position form")
    form = app.screen
    assert isinstance(form, PositionForm)
    return form


async def test_a_colleagues_position_save_opens_the_view_and_keep_mine_saves_over_it(
    tmp_path: Path,
) -> None:
    """Both edited the summary; they also moved the as-of day, which the form left alone:
    the view shows both summaries, takes their day already, and ``m`` stores my summary
    with their day. The Change log has both saves, theirs then mine."""
    desk = make_desk(tmp_path)
    other = colleague(desk)
    app = make_app(desk, live=True)  # the grid reloads under the form: the form is kept
    async with app.run_test(size=(120, 32)) as pilot:
        form = await open_position_form(pilot, app)
        summary = form.query_one("#position-summary", Input)
        await type_into(pilot, summary, "Ready to reopen in March")
        row = other.get("position", desk.position)
        other.update(
            "position",
            desk.position,
            row.version,  # type: ignore[union-attr]
            summary="Reopening ruled out this year",
            as_of=D(2026, 11, 20),
        )
        await pilot.press("ctrl+s")
        view = await conflict_view(pilot, app)
        rows = {row.name: row for row in view.rows}
        assert rows["position-summary"].theirs == "Reopening ruled out this year"
        assert rows["position-summary"].yours == "Ready to reopen in March"
        assert rows["position-summary"].differs and rows["position-summary"].changed_by_them
        assert rows["position-as-of"].theirs == "20 Nov 2026"
        assert view.take == {"position-as-of"}  # only they changed it: theirs to start with
        table = view.query_one(DataTable)
        assert str(table.get_cell("position-as-of", "yours")) == "20 Nov 2026"
        assert COLLEAGUE in view.message
        assert stored(desk, Position, desk.position).summary == "Reopening ruled out this year"
        await pilot.press("m")
        await wait_for(pilot, lambda: not isinstance(app.screen, PositionForm), "saved")
    position = stored(desk, Position, desk.position)
    assert (position.summary, position.as_of) == ("Ready to reopen in March", D(2026, 11, 20))
    theirs, mine = updates(desk, "position", desk.position)
    assert theirs.editor == COLLEAGUE and mine.editor == EDITOR
    assert theirs.diff["summary"] == ["Ready to reopen by spring", "Reopening ruled out this year"]
    assert mine.diff["summary"] == ["Reopening ruled out this year", "Ready to reopen in March"]
    assert "as_of" not in mine.diff  # their day kept, not written back over
    other.engine.dispose()


async def test_take_theirs_fills_the_position_form_and_writes_nothing(tmp_path: Path) -> None:
    desk = make_desk(tmp_path)
    other = colleague(desk)
    app = make_app(desk)
    async with app.run_test(size=(120, 32)) as pilot:
        form = await open_position_form(pilot, app)
        summary = form.query_one("#position-summary", Input)
        await type_into(pilot, summary, "Ready to reopen in March")
        row = other.get("position", desk.position)
        theirs = other.update(
            "position",
            desk.position,
            row.version,  # type: ignore[union-attr]
            summary="Reopening ruled out this year",
        )
        await pilot.press("ctrl+s")
        await conflict_view(pilot, app)
        await pilot.press("t")
        await wait_for(pilot, lambda: app.screen is form, "back in the form")
        assert summary.value == "Reopening ruled out this year"
        assert form.version == theirs.version and not form.dirty  # type: ignore[attr-defined]
        assert [c.editor for c in updates(desk, "position", desk.position)] == [COLLEAGUE]
        await pilot.press("escape")  # nothing typed on top of theirs: closes at once
        await wait_for(pilot, lambda: not isinstance(app.screen, PositionForm), "closed")
    assert [c.editor for c in updates(desk, "position", desk.position)] == [COLLEAGUE]
    other.engine.dispose()


async def test_keep_editing_a_position_then_ctrl_s_saves_at_their_version(tmp_path: Path) -> None:
    desk = make_desk(tmp_path)
    other = colleague(desk)
    app = make_app(desk)
    async with app.run_test(size=(120, 32)) as pilot:
        form = await open_position_form(pilot, app)
        summary = form.query_one("#position-summary", Input)
        await type_into(pilot, summary, "Ready to reopen in March")
        row = other.get("position", desk.position)
        theirs = other.update(
            "position",
            desk.position,
            row.version,  # type: ignore[union-attr]
            summary="Reopening ruled out this year",
        )
        await pilot.press("ctrl+s")
        await conflict_view(pilot, app)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is form, "back in the form")
        assert summary.value == "Ready to reopen in March"  # my typing, kept
        assert form.version == theirs.version  # type: ignore[attr-defined]
        assert stored(desk, Position, desk.position).summary == "Reopening ruled out this year"
        await type_into(pilot, summary, "Ready to reopen in April")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, PositionForm), "saved")
    assert stored(desk, Position, desk.position).summary == "Ready to reopen in April"
    assert [c.editor for c in updates(desk, "position", desk.position)] == [COLLEAGUE, EDITOR]
    other.engine.dispose()


async def test_a_position_field_the_form_left_alone_is_merged_without_asking(
    tmp_path: Path,
) -> None:
    desk = make_desk(tmp_path)
    other = colleague(desk)
    app = make_app(desk)
    async with app.run_test(size=(120, 32)) as pilot:
        form = await open_position_form(pilot, app)
        await type_into(pilot, form.query_one("#position-summary", Input), "Open in March")
        row = other.get("position", desk.position)
        other.update("position", desk.position, row.version, as_of=D(2026, 11, 20))  # type: ignore[union-attr]
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, PositionForm), "saved")
        assert form.merges == 1  # it did meet their save, and merged it
    position = stored(desk, Position, desk.position)
    assert (position.summary, position.as_of) == ("Open in March", D(2026, 11, 20))
    theirs, mine = updates(desk, "position", desk.position)
    assert (theirs.editor, set(theirs.diff)) == (COLLEAGUE, {"as_of"})
    assert (mine.editor, set(mine.diff)) == (EDITOR, {"summary"})
    other.engine.dispose()


# --------------------------------------------------------------------------- events


async def open_event_form(pilot: Pilot[object], app: WorkbenchApp) -> EventForm:
    await wait_loaded(pilot, app)
    await pilot.press("4")
    timeline = plist(app, "timeline")
    assert isinstance(timeline, TimelineList)
    await wait_for(pilot, lambda: timeline.current is not None, "the timeline's entry")
    assert timeline.current.kind == "event"
    await pilot.press("e")
    await wait_for(pilot, lambda: isinstance(app.screen, EventForm), "the event form")
    form = app.screen
    assert isinstance(form, EventForm)
    return form


def preview(form: EventForm) -> str:
    return str(form.query_one("#event-date-preview", Static).content)


async def test_the_event_form_reads_its_date_as_typed_and_saves_range_and_precision(
    tmp_path: Path,
) -> None:
    desk = make_desk(tmp_path)
    app = make_app(desk)
    async with app.run_test(size=(120, 32)) as pilot:
        form = await open_event_form(pilot, app)
        assert form.query_one("#event-title", Input).value == "Bridge closed after a crack is found"
        assert form.query_one("#event-description", TextArea).text == (
            "The ministry closed it overnight."
        )
        date = form.query_one("#event-date", Input)
        assert date.value == "2 Dec 2026" and "→ 2 Dec 2026 (day)" in preview(form)
        await type_into(pilot, date, "18-20 Dec 2026")
        await wait_for(pilot, lambda: "→ 18–20 Dec 2026 (day)" in preview(form), "the range")
        await type_into(pilot, date, "mid-December 2026")
        await wait_for(pilot, lambda: "(approximate)" in preview(form), "the fuzzy date")
        await type_into(pilot, date, "sometime soonish")
        await wait_for(pilot, lambda: "not a date" in preview(form), "the unread date")
        await pilot.press("ctrl+s")  # the form says why, nothing is written
        assert "not a date" in form.error and app.screen is form
        await type_into(pilot, date, "Dec 2026")
        await wait_for(pilot, lambda: "→ Dec 2026 (month)" in preview(form), "the month")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, EventForm), "saved")
    event = stored(desk, Event, desk.event)
    assert isinstance(event, Event)
    assert (event.date, event.date_end, event.precision) == (D(2026, 12, 1), None, "month")
    (mine,) = updates(desk, "event", desk.event)
    assert mine.editor == EDITOR and set(mine.diff) == {"date", "precision"}


async def test_a_colleagues_event_save_opens_the_view_and_keep_mine_saves_over_it(
    tmp_path: Path,
) -> None:
    desk = make_desk(tmp_path)
    other = colleague(desk)
    app = make_app(desk)
    async with app.run_test(size=(120, 32)) as pilot:
        form = await open_event_form(pilot, app)
        await type_into(pilot, form.query_one("#event-title", Input), "Bridge shut: crack")
        await type_into(pilot, form.query_one("#event-date", Input), "2-3 Dec 2026")
        row = other.get("event", desk.event)
        other.update("event", desk.event, row.version, title="Lantern Bridge closed")  # type: ignore[union-attr]
        await pilot.press("ctrl+s")
        view = await conflict_view(pilot, app)
        rows = {row.name: row for row in view.rows}
        assert (rows["event-title"].theirs, rows["event-title"].yours) == (
            "Lantern Bridge closed",
            "Bridge shut: crack",
        )
        assert rows["event-title"].differs and rows["event-title"].changed_by_them
        assert rows["event-date"].differs and not rows["event-date"].changed_by_them
        assert not rows["event-description"].differs
        await pilot.press("m")
        await wait_for(pilot, lambda: not isinstance(app.screen, EventForm), "saved")
    event = stored(desk, Event, desk.event)
    assert isinstance(event, Event)
    assert (event.title, event.date, event.date_end) == (
        "Bridge shut: crack",
        D(2026, 12, 2),
        D(2026, 12, 3),
    )
    theirs, mine = updates(desk, "event", desk.event)
    assert (theirs.editor, mine.editor) == (COLLEAGUE, EDITOR)
    assert mine.diff["title"] == ["Lantern Bridge closed", "Bridge shut: crack"]
    other.engine.dispose()


async def test_take_theirs_and_keep_editing_an_event_from_its_screen(tmp_path: Path) -> None:
    """Enter on the event, ``e`` there: take theirs fills the form and writes nothing;
    after a second colleague's save, esc keeps editing and ctrl+s saves; the event
    screen shows what was saved."""
    desk = make_desk(tmp_path)
    other = colleague(desk)
    app = make_app(desk)
    async with app.run_test(size=(120, 32)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("4")
        timeline = plist(app, "timeline")
        await wait_for(pilot, lambda: timeline.current is not None, "the timeline's entry")
        await pilot.press("enter")
        screen = app.screen
        assert isinstance(screen, EventScreen)
        await wait_for(pilot, lambda: screen.loaded, "the event screen")
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, EventForm), "the event form")
        form = app.screen
        assert isinstance(form, EventForm)
        description = form.query_one("#event-description", TextArea)
        description.text = "Closed overnight; ferries run instead."
        row = other.get("event", desk.event)
        first = other.update(
            "event",
            desk.event,
            row.version,  # type: ignore[union-attr]
            description="Closed by the ministry at 2 am.",
        )
        await pilot.press("ctrl+s")
        await conflict_view(pilot, app)
        await pilot.press("t")
        await wait_for(pilot, lambda: app.screen is form, "back in the form")
        assert description.text == "Closed by the ministry at 2 am."
        assert form.version == first.version and not form.dirty  # type: ignore[attr-defined]
        assert [c.editor for c in updates(desk, "event", desk.event)] == [COLLEAGUE]

        description.text = "Closed at 2 am; ferries run instead."
        second = other.update(
            "event",
            desk.event,
            first.version,  # type: ignore[attr-defined]
            description="Closed at 2 am by the ministry.",
        )
        await pilot.press("ctrl+s")
        await conflict_view(pilot, app)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is form, "back in the form")
        assert description.text == "Closed at 2 am; ferries run instead."
        assert form.version == second.version  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen, "back on the event screen")
        about = screen.query_one("#event-about", Static)
        await wait_for(
            pilot, lambda: "ferries run instead" in str(about.content), "the event as saved"
        )
    assert stored(desk, Event, desk.event).description == "Closed at 2 am; ferries run instead."  # type: ignore[union-attr]
    assert [c.editor for c in updates(desk, "event", desk.event)] == [
        COLLEAGUE,
        COLLEAGUE,
        EDITOR,
    ]
    other.engine.dispose()


async def test_an_event_field_the_form_left_alone_is_merged_without_asking(
    tmp_path: Path,
) -> None:
    desk = make_desk(tmp_path)
    other = colleague(desk)
    app = make_app(desk)
    async with app.run_test(size=(120, 32)) as pilot:
        form = await open_event_form(pilot, app)
        await type_into(pilot, form.query_one("#event-date", Input), "1-2 Dec 2026")
        row = other.get("event", desk.event)
        other.update("event", desk.event, row.version, title="Lantern Bridge closed")  # type: ignore[union-attr]
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, EventForm), "saved")
        assert form.merges == 1
    event = stored(desk, Event, desk.event)
    assert isinstance(event, Event)
    assert (event.title, event.date, event.date_end) == (
        "Lantern Bridge closed",
        D(2026, 12, 1),
        D(2026, 12, 2),
    )
    theirs, mine = updates(desk, "event", desk.event)
    assert (theirs.editor, set(theirs.diff)) == (COLLEAGUE, {"title"})
    assert (mine.editor, set(mine.diff)) == (EDITOR, {"date", "date_end"})
    other.engine.dispose()


async def test_a_viewer_is_told_the_repositorys_refusal_and_keeps_the_form(
    tmp_path: Path,
) -> None:
    desk = make_desk(tmp_path)
    app = make_app(desk)
    async with app.run_test(size=(120, 32)) as pilot:
        form = await open_event_form(pilot, app)
        await type_into(pilot, form.query_one("#event-title", Input), "Bridge shut")
        admin = Repo(open_desk(str(desk.path)), "anna")
        set_user(admin.engine, "anna", "admin", by="anna")  # now tester is an unlisted viewer
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "viewer" in form.error, "the refusal")
        assert app.screen is form and "Not saved" in form.error
        assert form.query_one("#event-title", Input).value == "Bridge shut"
        admin.engine.dispose()
    assert stored(desk, Event, desk.event).title == "Bridge closed after a crack is found"  # type: ignore[union-attr]
    assert updates(desk, "event", desk.event) == []


# --------------------------------------------------------------------------- issues, actors


async def test_issue_and_actor_forms_meet_a_colleagues_save_the_same_way(tmp_path: Path) -> None:
    """``i``: both retitled the issue, so the view opens and ``m`` keeps mine. ``E``:
    they changed the actor's kind (which the form left alone) and its notes (which it
    does not show) while the name was edited here: merged without asking."""
    desk = make_desk(tmp_path)
    other = colleague(desk)
    app = make_app(desk)
    async with app.run_test(size=(120, 32)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("3")
        grid = plist(app, "positions")
        assert isinstance(grid, GridList)
        await wait_for(pilot, lambda: grid.cell is not None, "the grid's cell")
        issue_id, actor_id = grid.current.id, grid.actor.id  # type: ignore[union-attr]

        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(app.screen, IssueForm), "the issue form")
        form = app.screen
        assert isinstance(form, IssueForm)
        await type_into(pilot, form.query_one("#issue-title", Input), "Will the ferry run?")
        issue = other.get("issue", issue_id)
        other.update("issue", issue_id, issue.version, title="Ferry: reopening?")  # type: ignore[union-attr]
        await pilot.press("ctrl+s")
        view = await conflict_view(pilot, app)
        rows = {row.name: row for row in view.rows}
        assert (rows["issue-title"].theirs, rows["issue-title"].yours) == (
            "Ferry: reopening?",
            "Will the ferry run?",
        )
        await pilot.press("m")
        await wait_for(pilot, lambda: not isinstance(app.screen, IssueForm), "saved")
        assert other.get("issue", issue_id).title == "Will the ferry run?"  # type: ignore[union-attr]
        assert [c.editor for c in updates(desk, "issue", issue_id)] == [COLLEAGUE, EDITOR]

        await pilot.press("E")
        await wait_for(pilot, lambda: isinstance(app.screen, ActorForm), "the actor form")
        form = app.screen
        assert isinstance(form, ActorForm)
        await type_into(pilot, form.query_one("#actor-name", Input), "Norland (state)")
        actor = other.get("actor", actor_id)
        other.update("actor", actor_id, actor.version, kind="organisation", notes="renamed soon")  # type: ignore[union-attr]
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, ActorForm), "saved")
        assert form.merges == 1
    actor = other.get("actor", actor_id)
    assert (actor.name, actor.kind, actor.notes) == (  # type: ignore[union-attr]
        "Norland (state)",
        "organisation",
        "renamed soon",
    )
    other.engine.dispose()
