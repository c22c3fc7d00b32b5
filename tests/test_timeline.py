"""The Timeline pane (issue 5, item 5): events and statements in date order on one axis,
ranges and imprecise dates drawn as such, filters by actor / issue / verification, marks
where a later statement contradicts or updates an earlier one, Enter to go to a statement.

The story is our own: the Lantern Bridge over the Vesk is closed after a crack is found;
the transport ministry (and its spokeswoman Ilka Dorn) promise a reopening date, the
ferry union doubts it, the port authority reviews tolls, and the date slips.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlmodel import select
from textual.pilot import Pilot
from textual.widgets import Checkbox, Input, Select

from db import views
from db.engine import open_desk
from db.models import Link
from db.repo import Repo
from db.rows import TimelineRow
from tests.conftest import EDITOR, wait_for
from tests.ui_support import main_screen, plist, row_text, wait_loaded
from workbench.ui.app import WorkbenchApp
from workbench.ui.panes.statements import StatementList
from workbench.ui.panes.timeline import (
    EventScreen,
    TimelineList,
    TimelinePane,
    day_label,
    short_span,
    span_bar,
)
from workbench.ui.timeline_filter import TimelineFilter, TimelineFilterScreen, descendants

D = dt.date


@dataclass(frozen=True)
class Bridge:
    ministry: int  # Ministry of Transport (Veskar), a government body
    dorn: int  # Ilka Dorn, its spokeswoman (parent: the ministry)
    port: int  # Vesk Port Authority
    vass: int  # Teodor Vass, ferry union leader
    reopening: int  # issue: will the bridge reopen before the holidays?
    tolls: int  # issue: bridge tolls
    tolls_review: int  # port, month precision (Dec 2026): tolls under review this month
    closed: int  # event, 2 Dec: bridge closed after a crack is found (ministry)
    ferries: int  # port, approximate 11–20 Dec ("mid-December"): ferry capacity doubles
    announced: int  # event, 12 Dec: ministry announces a reopening date (statement: promise)
    promise: int  # Dorn, 12 Dec: the bridge reopens on 21 December (verified → superseded)
    not_consulted: int  # Vass, 12 Dec: the union was not consulted
    strike: int  # Vass, approximate 14–21 Dec ("in the coming days" after the 14 Dec article)
    delayed: int  # ministry, 16 Dec: reopening delayed into January (updates promise)
    unsafe: int  # Vass, 17 Dec: not safe to reopen (linked: promise contradicts... unsafe)
    load_tests: int  # event, 18–20 Dec: load tests (ministry, port; statement: delayed)


def build_bridge(repo: Repo) -> Bridge:
    """The story; ids are returned for the tests to name entries by."""
    wire = repo.add_source("Vesk Evening Wire", "https://wire.example/vesk").id
    ministry = repo.add_actor("Ministry of Transport (Veskar)", kind="government").id
    assert ministry is not None
    dorn = repo.add_actor("Ilka Dorn", kind="person", parent_id=ministry).id
    port = repo.add_actor("Vesk Port Authority", kind="organisation").id
    vass = repo.add_actor("Teodor Vass", kind="person").id
    reopening = repo.add_issue("Will the Lantern Bridge reopen before the holidays?").id
    tolls = repo.add_issue("Bridge tolls").id
    article = repo.add_article(
        title="Ferry union weighs a strike",
        text="Teodor Vass said the union will decide on a strike in the coming days.",
        source_id=wire,
        published_at=dt.datetime(2026, 12, 14, 8, 0, tzinfo=dt.UTC),
    ).id

    def statement(speaker: int | None, text: str, said_on: dt.date, **extra: Any) -> int:
        row = repo.add_statement(
            text=text, speaker_id=speaker, said_on=said_on, **{"date_precision": "day", **extra}
        )
        assert row.id is not None
        return row.id

    tolls_review = statement(
        port,
        "Bridge tolls are under review this month",
        D(2026, 12, 1),
        date_precision="month",
        date_text="this month",
        issue_id=tolls,
    )
    ferries = statement(
        port,
        "Ferry capacity across the Vesk will double",
        D(2026, 12, 11),
        said_until=D(2026, 12, 20),
        date_precision="approximate",
        date_text="mid-December",
        verification="verified",
    )
    promise = statement(
        dorn,
        "The Lantern Bridge will reopen on 21 December",
        D(2026, 12, 12),
        verification="verified",
        issue_id=reopening,
    )
    not_consulted = statement(
        vass,
        "The union was not consulted about the reopening date",
        D(2026, 12, 12),
        issue_id=reopening,
    )
    strike = statement(
        vass,
        "The union will decide on a strike",
        D(2026, 12, 14),
        said_until=D(2026, 12, 21),
        date_precision="approximate",
        date_text="in the coming days",
        verification="disputed",
        issue_id=reopening,
        article_id=article,
    )
    delayed = statement(
        ministry,
        "Reopening of the Lantern Bridge is delayed into January",
        D(2026, 12, 16),
        verification="verified",
        issue_id=reopening,
    )
    unsafe = statement(
        vass, "The bridge is not safe to reopen before spring", D(2026, 12, 17), issue_id=reopening
    )

    def add_event(title: str, start: dt.date, end: dt.date | None = None, **extra: Any) -> int:
        row = repo.add_event(title=title, date=start, date_end=end, **extra)
        assert row.id is not None
        return row.id

    closed = add_event("Lantern Bridge closed after a crack is found", D(2026, 12, 2))
    announced = add_event(
        "Ministry announces a reopening date",
        D(2026, 12, 12),
        actor_ids=[ministry],
        statement_ids=[promise],
    )
    load_tests = add_event(
        "Load tests on the Lantern Bridge",
        D(2026, 12, 18),
        D(2026, 12, 20),
        actor_ids=[ministry, port],
        statement_ids=[delayed],
    )
    # The later statement updates the promise (and supersedes it); the union's doubt is
    # linked from the promise to the later one, and still marks the earlier (the promise).
    repo.add_link(delayed, promise, "updates")
    repo.add_link(promise, unsafe, "contradicts")
    # A suggestion is not a finding: it marks nothing until an editor accepts it.
    repo.add_link(unsafe, strike, "contradicts", review="suggested")
    return Bridge(
        ministry=ministry,
        dorn=dorn,  # type: ignore[arg-type]
        port=port,  # type: ignore[arg-type]
        vass=vass,  # type: ignore[arg-type]
        reopening=reopening,  # type: ignore[arg-type]
        tolls=tolls,  # type: ignore[arg-type]
        tolls_review=tolls_review,
        closed=closed,
        ferries=ferries,
        announced=announced,
        promise=promise,
        not_consulted=not_consulted,
        strike=strike,
        delayed=delayed,
        unsafe=unsafe,
        load_tests=load_tests,
    )


def expected_order(b: Bridge) -> list[tuple[str, int]]:
    """By start date; on one day, events before statements, then by id."""
    return [
        ("statement", b.tolls_review),  # Dec 2026: at the start of its month
        ("event", b.closed),  # 2 Dec
        ("statement", b.ferries),  # ~11–20 Dec
        ("event", b.announced),  # 12 Dec
        ("statement", b.promise),
        ("statement", b.not_consulted),
        ("statement", b.strike),  # ~14–21 Dec
        ("statement", b.delayed),  # 16 Dec
        ("statement", b.unsafe),  # 17 Dec
        ("event", b.load_tests),  # 18–20 Dec
    ]


@pytest.fixture
def bridge_db(tmp_path: Path) -> Iterator[tuple[Path, Bridge]]:
    path = tmp_path / "bridge.db"
    engine = open_desk(str(path))
    story = build_bridge(Repo(engine, EDITOR))
    engine.dispose()
    yield path, story


@pytest.fixture
def bridge(bridge_db: tuple[Path, Bridge]) -> Iterator[tuple[Engine, Bridge]]:
    engine = open_desk(str(bridge_db[0]))
    yield engine, bridge_db[1]
    engine.dispose()


def _app(db: Path, *, live: bool = False) -> WorkbenchApp:
    return WorkbenchApp(Repo(open_desk(str(db)), EDITOR), db_label="bridge.db", live=live)


def _ids(rows: list[TimelineRow]) -> list[tuple[str, int]]:
    return [(row.kind, row.id) for row in rows]


def _page(engine: Engine, **filters: Any) -> list[TimelineRow]:
    view = views.timeline_view(engine, **filters)
    rows = view.page(limit=100)
    assert view.count() == len(rows), "the count must agree with what the filter shows"
    return rows


# --------------------------------------------------------------------------- the view


def test_entries_run_by_start_date_with_ranges_and_fuzzy_dates_kept(
    bridge: tuple[Engine, Bridge],
) -> None:
    engine, b = bridge
    rows = _page(engine)
    assert _ids(rows) == expected_order(b)
    by_id = {(row.kind, row.id): row for row in rows}
    month = by_id["statement", b.tolls_review]
    assert (month.date, month.date_end, month.precision) == (D(2026, 12, 1), None, "month")
    coming = by_id["statement", b.strike]
    assert (coming.date, coming.date_end, coming.precision, coming.date_text) == (
        D(2026, 12, 14),
        D(2026, 12, 21),
        "approximate",
        "in the coming days",
    )
    tests = by_id["event", b.load_tests]
    assert (tests.date, tests.date_end) == (D(2026, 12, 18), D(2026, 12, 20))
    # Paging by key from the middle agrees with the whole list.
    assert (
        _ids(views.timeline_view(engine).page(after=rows[3].key, limit=3))
        == (expected_order(b)[4:7])
    )


def test_later_contradictions_and_updates_mark_the_earlier_statement(
    bridge: tuple[Engine, Bridge],
) -> None:
    engine, b = bridge
    marks = {row.id: row.marks for row in _page(engine) if row.kind == "statement"}
    # updates: its target; contradicts (linked from the earlier one): the earlier one.
    assert marks[b.promise] == (("contradicts", b.unsafe), ("updates", b.delayed))
    assert marks[b.unsafe] == ()  # the later side of the contradiction is not marked
    assert marks[b.strike] == ()  # a suggested link marks nothing
    assert all(marks[i] == () for i in marks if i != b.promise)
    # The accepted *updates* link superseded the promise.
    promise = next(r for r in _page(engine) if r.id == b.promise and r.kind == "statement")
    assert promise.status == "superseded"


def test_marks_are_read_in_one_query_a_page(bridge: tuple[Engine, Bridge]) -> None:
    engine, _b = bridge
    selects: list[str] = []

    def capture(_c: Any, _cur: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append(statement)

    view = views.timeline_view(engine)
    event.listen(engine, "before_cursor_execute", capture)
    try:
        rows = view.page(limit=100)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert sum(row.kind == "statement" for row in rows) > 5
    assert sum("FROM link" in s for s in selects) == 1, selects
    assert len(selects) == 3  # events, statements, marks


def test_a_removed_link_takes_its_mark_away(bridge: tuple[Engine, Bridge]) -> None:
    engine, b = bridge
    repo = Repo(engine, EDITOR)
    with repo.read() as session:
        link = session.exec(select(Link).where(Link.relation == "contradicts")).first()
        assert link is not None and link.from_id == b.promise
    repo.delete("link", link.id)  # type: ignore[arg-type]
    marks = {row.id: row.marks for row in _page(engine) if row.kind == "statement"}
    assert marks[b.promise] == (("updates", b.delayed),)


def test_filter_by_actor_takes_statements_spoken_and_events_taken_part_in(
    bridge: tuple[Engine, Bridge],
) -> None:
    engine, b = bridge
    assert _ids(_page(engine, actor_ids=[b.vass])) == [
        ("statement", b.not_consulted),
        ("statement", b.strike),
        ("statement", b.unsafe),
    ]
    assert _ids(_page(engine, actor_ids=[b.ministry])) == [
        ("event", b.announced),
        ("statement", b.delayed),
        ("event", b.load_tests),
    ]
    # With the actors under it: the spokeswoman's promise joins the ministry's entries.
    assert _ids(_page(engine, actor_ids=[b.ministry, b.dorn])) == [
        ("event", b.announced),
        ("statement", b.promise),
        ("statement", b.delayed),
        ("event", b.load_tests),
    ]


def test_filter_by_issue_keeps_events_with_a_statement_on_it(
    bridge: tuple[Engine, Bridge],
) -> None:
    engine, b = bridge
    assert _ids(_page(engine, issue_id=b.tolls)) == [("statement", b.tolls_review)]
    assert _ids(_page(engine, issue_id=b.reopening)) == [
        ("event", b.announced),
        ("statement", b.promise),
        ("statement", b.not_consulted),
        ("statement", b.strike),
        ("statement", b.delayed),
        ("statement", b.unsafe),
        ("event", b.load_tests),
    ]


def test_filter_by_verification_shows_statements_only(bridge: tuple[Engine, Bridge]) -> None:
    engine, b = bridge
    assert _ids(_page(engine, verification="verified")) == [
        ("statement", b.ferries),
        ("statement", b.delayed),
    ]
    assert _ids(_page(engine, verification="superseded")) == [("statement", b.promise)]
    # Filters combine: the union's disputed statements on the reopening.
    assert _ids(
        _page(engine, actor_ids=[b.vass], issue_id=b.reopening, verification="disputed")
    ) == [("statement", b.strike)]


def test_descendants_walk_the_parent_chain_once() -> None:
    parents = [(1, None), (2, 1), (3, 2), (4, 1), (5, None), (6, 6)]
    assert descendants(1, parents) == (1, 2, 4, 3)
    assert descendants(5, parents) == (5,)
    assert descendants(6, parents) == (6,)  # a loop ends


# --------------------------------------------------------------------------- drawing helpers


def _row(start: dt.date, end: dt.date | None, precision: str) -> TimelineRow:
    return TimelineRow((start, 1, 1), 1, "statement", start, end, precision, "t", "w", "", "")


def test_dates_are_labelled_and_spanned_no_more_precisely_than_known() -> None:
    day = _row(D(2026, 12, 18), None, "day")
    assert (day_label(day), span_bar(day)) == ("18 Dec 2026", None)
    ranged = _row(D(2026, 12, 18), D(2026, 12, 20), "day")
    assert short_span(ranged) == "18–20 Dec"
    assert span_bar(ranged) == ("├─┤", "cyan")  # three days, three cells
    long = _row(D(2026, 12, 1), D(2026, 12, 31), "day")
    assert span_bar(long)[0] == "├──────›"  # type: ignore[index]  # capped, and says so
    over_new_year = _row(D(2026, 12, 30), D(2027, 1, 2), "day")
    assert short_span(over_new_year) == "30 Dec 2026 – 2 Jan 2027"
    coming = _row(D(2026, 12, 14), D(2026, 12, 21), "approximate")
    assert day_label(coming) == "~14 Dec 2026"
    assert short_span(coming) == "~14–21 Dec"
    assert set(span_bar(coming)[0]) == {"┄"}  # type: ignore[index]  # fuzzy, not a range
    month = _row(D(2026, 12, 1), None, "month")
    assert (day_label(month), short_span(month)) == ("Dec 2026", "Dec 2026")
    assert span_bar(month)[0].startswith("┈")  # type: ignore[index]
    assert day_label(_row(D(2026, 1, 1), None, "year")) == "2026"


# --------------------------------------------------------------------------- the pane


async def _open_timeline(pilot: Pilot[Any], app: WorkbenchApp) -> TimelineList:
    await wait_loaded(pilot, app)
    await pilot.press("4")
    timeline = plist(app, "timeline")
    assert isinstance(timeline, TimelineList)
    return timeline


def _lines(timeline: TimelineList) -> dict[tuple[str, int], str]:
    """What each visible entry's line reads, by (kind, id)."""
    top = int(timeline.scroll_y)
    out = {}
    for y in range(timeline.size.height):
        row = timeline._rows.get(top + y)
        if row is not None:
            out[row.kind, row.id] = row_text(timeline, y)
    return out


async def _move_to(pilot: Pilot[Any], timeline: TimelineList, kind: str, item: int) -> None:
    """Move the cursor by keys to the entry (events and statements have ids of their own)."""
    for _ in range(len(timeline.loaded_rows) + 1):
        current = timeline.current
        if current is not None and (current.kind, current.id) == (kind, item):
            return
        await pilot.press("j")
    raise AssertionError(f"no {kind} {item} on the timeline")


def _timeline_pane(app: WorkbenchApp) -> TimelinePane:
    found = main_screen(app).pane("timeline")
    assert isinstance(found, TimelinePane)
    return found


async def test_timeline_draws_a_gutter_a_day_rule_range_bars_and_fuzzy_dates(
    bridge_db: tuple[Path, Bridge],
) -> None:
    path, b = bridge_db
    app = _app(path)
    async with app.run_test(size=(110, 30)) as pilot:
        timeline = await _open_timeline(pilot, app)
        await wait_for(pilot, lambda: len(_lines(timeline)) == len(expected_order(b)))
        lines = _lines(timeline)
        order = list(lines)
        assert order == expected_order(b)
        text = "\n".join(lines.values())
        # The date gutter: each day once, at its first entry, with the rule through the axis.
        assert text.count("12 Dec 2026") == 1
        announced = lines["event", b.announced]
        assert "12 Dec 2026 ─┼─" in announced and "●" in announced
        for same_day in (b.promise, b.not_consulted):
            line = lines["statement", same_day]
            assert line.startswith(" " * 14 + " │ ◆"), line
        assert lines["statement", b.tolls_review].lstrip("┄ ").startswith("Dec 2026 ┄┬┄")
        # A range: a bar one cell a day, and the span in words.
        assert "├─┤" in lines["event", b.load_tests]
        assert "18–20 Dec" in lines["event", b.load_tests]
        # Approximate: "~" in the gutter and the span, a dotted bar, and the words read.
        strike = lines["statement", b.strike]
        assert "~14 Dec 2026 ┄┼┄" in strike
        assert "┄┄┄┄┄┄┄┄ ~14–21 Dec" in strike
        assert "“in the coming days”" in strike
        assert "~11–20 Dec" in lines["statement", b.ferries]
        assert "“mid-December”" in lines["statement", b.ferries]
        # A month is a span, not a day.
        assert "┈┈┈" in lines["statement", b.tolls_review]
        # Marks on the earlier statement, and its superseded state.
        promise = lines["statement", b.promise]
        assert f"✗ contradicted by #{b.unsafe}" in promise
        assert f"↻ updated by #{b.delayed}" in promise
        assert promise.rstrip().endswith("superseded")
        assert "✗" not in lines["statement", b.unsafe]
        assert "✗" not in lines["statement", b.strike]
        assert lines["statement", b.strike].rstrip().endswith("disputed")


async def test_the_top_line_names_its_day_and_narrow_rows_keep_short_marks(
    bridge_db: tuple[Path, Bridge],
) -> None:
    path, b = bridge_db
    app = _app(path)
    async with app.run_test(size=(80, 16)) as pilot:  # a short list, so that it scrolls
        timeline = await _open_timeline(pilot, app)
        index = expected_order(b).index(("statement", b.not_consulted))
        await wait_for(pilot, lambda: timeline.total == len(expected_order(b)))
        while timeline.cursor < index:
            await pilot.press("j")
        await pilot.pause()
        timeline.scroll_to(y=index, animate=False, immediate=True)
        await pilot.pause()
        assert int(timeline.scroll_y) == index
        # Not the day's first entry, but the top of the screen: it says its day (dimly,
        # without the rule: the day started above).
        top = row_text(timeline, 0)
        assert top.startswith("  12 Dec 2026  │ ◆"), top
        timeline.scroll_to(y=index - 1, animate=False, immediate=True)
        await pilot.pause()
        promise = row_text(timeline, 0)
        assert f"✗#{b.unsafe}" in promise and f"↻#{b.delayed}" in promise
        assert "contradicted by" not in promise  # 80 columns: the short form
        assert "12 Dec 2026" not in row_text(timeline, 1)


async def test_filter_by_actor_typed_then_cleared(bridge_db: tuple[Path, Bridge]) -> None:
    path, b = bridge_db
    app = _app(path)
    async with app.run_test(size=(110, 30)) as pilot:
        timeline = await _open_timeline(pilot, app)
        pane = _timeline_pane(app)
        await wait_for(pilot, lambda: timeline.total == len(expected_order(b)))
        await pilot.press("f")
        screen = app.screen
        assert isinstance(screen, TimelineFilterScreen)
        await wait_for(pilot, lambda: screen.loaded, "the actors")
        await pilot.press(*"vas", "enter")  # typeahead: a prefix of the surname is enough
        await wait_for(pilot, lambda: timeline.total == 3, "the filtered timeline")
        await wait_for(pilot, lambda: len(timeline.loaded_rows) == 3)
        assert _ids(timeline.loaded_rows) == [
            ("statement", b.not_consulted),
            ("statement", b.strike),
            ("statement", b.unsafe),
        ]
        assert pane.border_title == "4 Timeline · Teodor Vass"
        await pilot.press("F")
        await wait_for(pilot, lambda: timeline.total == len(expected_order(b)), "everything")
        assert pane.border_title == "4 Timeline"


async def test_filter_by_a_parent_actor_issue_and_verification(
    bridge_db: tuple[Path, Bridge],
) -> None:
    path, b = bridge_db
    app = _app(path)
    async with app.run_test(size=(110, 30)) as pilot:
        timeline = await _open_timeline(pilot, app)
        pane = _timeline_pane(app)
        await wait_for(pilot, lambda: timeline.total == len(expected_order(b)))
        # A misspelt ministry, with the actors under it (the default): Dorn's promise too.
        await pilot.press("f")
        screen = app.screen
        assert isinstance(screen, TimelineFilterScreen)
        await wait_for(pilot, lambda: screen.loaded, "the actors")
        await pilot.press(*"ministri", "enter")
        await wait_for(pilot, lambda: timeline.total == 4, "the ministry and its spokeswoman")
        await wait_for(pilot, lambda: len(timeline.loaded_rows) == 4)
        assert ("statement", b.promise) in _ids(timeline.loaded_rows)
        assert pane.border_title == "4 Timeline · Ministry of Transport (Veskar) +1"
        # The form comes back as it was; now without the actors under it, on one issue.
        await pilot.press("f")
        screen = app.screen
        assert isinstance(screen, TimelineFilterScreen)
        await wait_for(pilot, lambda: screen.loaded, "the form")
        assert screen.query_one("#timeline-filter-actor", Input).value.startswith("Ministry")
        screen.query_one("#timeline-filter-children", Checkbox).value = False
        screen.query_one("#timeline-filter-issue", Select).value = b.reopening
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: timeline.total == 3, "the ministry on the reopening")
        await wait_for(pilot, lambda: len(timeline.loaded_rows) == 3)
        assert _ids(timeline.loaded_rows) == [
            ("event", b.announced),
            ("statement", b.delayed),
            ("event", b.load_tests),
        ]
        assert "Will the Lantern Bridge reopen" in str(pane.border_title)
        # Verification alone: statements only, the events leave.
        await pilot.press("f")
        screen = app.screen
        assert isinstance(screen, TimelineFilterScreen)
        await wait_for(pilot, lambda: screen.loaded, "the form")
        await pilot.press("ctrl+u")  # empty the actor field: any actor
        screen.query_one("#timeline-filter-issue", Select).clear()
        screen.query_one("#timeline-filter-verification", Select).value = "verified"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: timeline.total == 2, "the verified statements")
        await wait_for(pilot, lambda: len(timeline.loaded_rows) == 2)
        assert _ids(timeline.loaded_rows) == [("statement", b.ferries), ("statement", b.delayed)]
        assert pane.border_title == "4 Timeline · verified"
        # ctrl+r in the form shows everything again.
        await pilot.press("f")
        assert isinstance(app.screen, TimelineFilterScreen)
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: timeline.total == len(expected_order(b)), "everything")
        assert pane.filter is None and pane.border_title == "4 Timeline"


async def test_a_filter_nobody_matches_says_so_and_changes_nothing(
    bridge_db: tuple[Path, Bridge],
) -> None:
    path, b = bridge_db
    app = _app(path)
    async with app.run_test(size=(110, 30)) as pilot:
        timeline = await _open_timeline(pilot, app)
        await wait_for(pilot, lambda: timeline.total == len(expected_order(b)))
        await pilot.press("f")
        screen = app.screen
        assert isinstance(screen, TimelineFilterScreen)
        await wait_for(pilot, lambda: screen.loaded, "the actors")
        await pilot.press(*"zzzqx", "enter")
        await pilot.pause()
        assert app.screen is screen  # not applied: the form stays open
        await pilot.press("escape")
        assert _timeline_pane(app).filter is None
        assert timeline.total == len(expected_order(b))


async def test_enter_on_a_statement_and_on_an_event_goes_to_the_statement(
    bridge_db: tuple[Path, Bridge],
) -> None:
    path, b = bridge_db
    app = _app(path)
    async with app.run_test(size=(110, 30)) as pilot:
        timeline = await _open_timeline(pilot, app)
        statements = plist(app, "statements")
        await wait_for(pilot, lambda: timeline.total == len(expected_order(b)))
        # A statement: straight to it in the Statements pane.
        await _move_to(pilot, timeline, "statement", b.strike)
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: statements.current is not None and statements.current.id == b.strike,
            "the statement in Statements",
        )
        assert isinstance(app.focused, StatementList)
        # An event: its statements, and Enter on one goes there.
        await pilot.press("4")
        await _move_to(pilot, timeline, "event", b.load_tests)
        await pilot.press("enter")
        screen = app.screen
        assert isinstance(screen, EventScreen)
        await wait_for(pilot, lambda: screen.loaded, "the event's statements")
        assert [row.id for row in screen.statements] == [b.delayed]
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: statements.current is not None and statements.current.id == b.delayed,
            "the event's statement in Statements",
        )
        assert isinstance(app.focused, StatementList)


async def test_escape_from_an_event_goes_back_to_the_timeline(
    bridge_db: tuple[Path, Bridge],
) -> None:
    path, b = bridge_db
    app = _app(path)
    async with app.run_test(size=(110, 30)) as pilot:
        timeline = await _open_timeline(pilot, app)
        await wait_for(pilot, lambda: timeline.total == len(expected_order(b)))
        await _move_to(pilot, timeline, "event", b.closed)
        await pilot.press("enter")
        screen = app.screen
        assert isinstance(screen, EventScreen)
        await wait_for(pilot, lambda: screen.loaded)
        assert screen.statements == []  # no statements on it: nothing to go to
        await pilot.press("enter", "escape")
        assert app.focused is timeline


async def test_a_link_saved_elsewhere_marks_the_timeline_live(
    bridge_db: tuple[Path, Bridge],
) -> None:
    path, b = bridge_db
    app = _app(path, live=True)
    async with app.run_test(size=(110, 30)) as pilot:
        timeline = await _open_timeline(pilot, app)
        await wait_for(pilot, lambda: timeline.total == len(expected_order(b)))

        def strike_marks() -> tuple[tuple[str, int], ...] | None:
            row = next((r for r in timeline.loaded_rows if r.id == b.strike), None)
            return None if row is None else row.marks

        assert strike_marks() == ()
        # A colleague accepts the suggested contradiction in their own session.
        other = Repo(open_desk(str(path)), "colleague")
        with other.read() as session:
            link = session.exec(select(Link).where(Link.review == "suggested")).one()
        other.review("link", link.id, "accepted")  # type: ignore[arg-type]
        await wait_for(pilot, lambda: strike_marks() == (("contradicts", b.unsafe),), "mark")


def test_an_empty_filter_is_no_filter() -> None:
    assert not TimelineFilter().active
    assert TimelineFilter().label() == ""
    chosen = TimelineFilter(actor_id=3, actor_name="A\x1b[31m B", actor_ids=(3, 4, 5))
    assert chosen.active and chosen.label() == " · A B +2"  # no escape reaches the title
