"""The TUI driven by keys through Textual's Pilot: panes, navigation, details, help, palette."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlmodel import select

from db import search
from db.engine import open_desk
from db.models import Article, Statement
from db.repo import Repo
from tests.conftest import EDITOR, wait_for
from tests.ui_support import (
    detail_text,
    main_screen,
    make_app,
    pane,
    plist,
    row_text,
    wait_loaded,
)
from workbench.ui.help import HelpScreen
from workbench.ui.panes.feed import FeedList
from workbench.ui.panes.positions import GridList
from workbench.ui.panes.statements import StatementList
from workbench.ui.panes.timeline import TimelineList


def _titles(db: Path) -> list[str]:
    with Repo(open_desk(str(db)), EDITOR).read() as session:
        articles = session.exec(select(Article)).all()
    return [a.title for a in sorted(articles, key=lambda a: (a.sort_at, a.id), reverse=True)]


async def test_all_four_panes_show_the_demo_desk(demo_db: Path) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(200, 50)) as pilot:
        await wait_loaded(pilot, app)
        screen = main_screen(app)
        assert not screen.query_one("#panes").has_class("single")
        assert plist(app, "feed").total == 10
        assert plist(app, "statements").total == 53  # 55 minus 2 dismissed
        assert plist(app, "positions").total == 4
        assert (plist(app, "timeline").total or 0) >= 12 + 50
        newest = _titles(demo_db)[0]
        assert newest[:30] in row_text(plist(app, "feed"), 0)
        # The grid header names the three actor columns.
        header = str(pane(app, "positions").query_one("#grid-header").content)
        for actor in ("Pellara", "Ostmarin", "Savoren"):
            assert actor in header
        await wait_for(pilot, lambda: newest in detail_text(app, "feed"), "article text")


async def test_number_keys_and_tab_move_between_panes(demo_db: Path) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(200, 50)) as pilot:
        await wait_loaded(pilot, app)
        screen = main_screen(app)
        assert isinstance(app.focused, FeedList)
        await pilot.press("2")
        assert isinstance(app.focused, StatementList)
        assert screen.active == "statements"
        await pilot.press("tab")
        assert isinstance(app.focused, GridList)
        await pilot.press("tab")
        assert isinstance(app.focused, TimelineList)
        await pilot.press("tab")
        assert isinstance(app.focused, FeedList)
        await pilot.press("shift+tab")
        assert isinstance(app.focused, TimelineList)
        await pilot.press("3")
        assert isinstance(app.focused, GridList)
        await pilot.press("1")
        assert isinstance(app.focused, FeedList)


async def test_small_terminal_shows_one_pane_at_a_time(demo_db: Path) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot, app)
        assert main_screen(app).query_one("#panes").has_class("single")
        ids = ("feed", "statements", "positions", "timeline")
        assert [pane(app, i).display for i in ids] == [True, False, False, False]
        await pilot.press("3")
        assert [pane(app, i).display for i in ids] == [False, False, True, False]
        await pilot.press("z")  # show all four anyway
        assert all(pane(app, i).display for i in ids)
        await pilot.press("z")
        assert [pane(app, i).display for i in ids] == [False, False, True, False]


async def test_moving_in_the_feed_shows_that_article(demo_db: Path) -> None:
    app = make_app(demo_db)
    titles = _titles(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("j", "j")
        assert plist(app, "feed").cursor == 2
        await wait_for(pilot, lambda: titles[2] in detail_text(app, "feed"), "third article")
        await pilot.press("enter")  # the reader opens on that article
        from workbench.ui.reader import ReaderScreen

        assert (
            isinstance(app.screen, ReaderScreen)
            and app.screen.article_id == plist(app, "feed").current.id
        )  # type: ignore[union-attr]
        await pilot.press("escape")
        assert isinstance(app.focused, FeedList)
        await pilot.press("G")
        assert plist(app, "feed").cursor == 9
        await wait_for(pilot, lambda: titles[9] in detail_text(app, "feed"), "oldest article")


async def test_statement_detail_shows_evidence_and_links_both_ways(demo_db: Path) -> None:
    demo_repo = Repo(open_desk(str(demo_db)), EDITOR)
    with demo_repo.read() as session:
        linked = session.exec(select(Statement).where(Statement.review == "accepted")).all()
    target = next(
        s
        for s in linked
        if demo_repo.statement_detail(s.id).links  # type: ignore[arg-type, union-attr]
    )
    detail = demo_repo.statement_detail(target.id)  # type: ignore[arg-type]
    assert detail is not None
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("2")
        pane(app, "statements").show_statement(target.id)  # type: ignore[attr-defined, arg-type]
        await wait_for(pilot, lambda: f"#{target.id} " in detail_text(app, "statements"))
        text = detail_text(app, "statements")
        assert "Evidence" in text and target.evidence_exact[:20] in text
        link = detail.links[0]
        assert f"#{link.other_id}" in text
        assert ("→" if link.direction == "out" else "←") in text


async def test_enter_on_a_timeline_statement_opens_it_in_statements(demo_db: Path) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("4")
        timeline = plist(app, "timeline")
        while timeline.current is None or timeline.current.kind != "statement":
            await pilot.press("j")
        wanted = timeline.current.id
        await pilot.press("enter")
        assert isinstance(app.focused, StatementList)
        statements = plist(app, "statements")
        await wait_for(
            pilot,
            lambda: statements.current is not None and statements.current.id == wanted,
            "the statement under the cursor",
        )
        await wait_for(pilot, lambda: f"#{wanted} " in detail_text(app, "statements"))


async def test_positions_cursor_moves_across_actors_and_shows_history(demo_db: Path) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("3")
        await wait_for(pilot, lambda: "Pellara on" in detail_text(app, "positions"))
        await pilot.press("l")
        await wait_for(pilot, lambda: "Ostmarin on" in detail_text(app, "positions"))
        assert "now " in detail_text(app, "positions")
        await pilot.press("h", "h")
        await wait_for(pilot, lambda: "Savoren on" in detail_text(app, "positions"))


async def test_help_screen_lists_every_binding_with_its_id(demo_db: Path) -> None:
    app = make_app(demo_db, keymap={"pane.timeline": "f4"})
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        from rich.table import Table

        from workbench.ui.keys import all_bindings

        tables = [t for t in app.screen._table().renderables if isinstance(t, Table)]
        ids = [cell for t in tables for cell in t.columns[2]._cells]
        keys = [cell for t in tables for cell in t.columns[0]._cells]
        assert {binding.id for binding in all_bindings()} <= set(ids)
        assert "f4" in str(keys[ids.index("pane.timeline")]).lower()
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_command_palette_offers_and_runs_pane_actions(demo_db: Path) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        for expected in (
            "Desk: Statements",
            "Desk: Keys",
            "Desk: Layout",
            "Feed: Read",
            "Positions: Next actor",
            "Lists (every pane): Open",
        ):
            assert expected in titles
        first = plist(app, "feed").current
        assert first is not None and not first.is_read
        await pilot.press("ctrl+p")
        await pilot.press(*"Feed: Read")
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: plist(app, "feed").current is not None and plist(app, "feed").current.is_read,
            "the article to show as read",
        )
        assert Repo(open_desk(str(demo_db)), EDITOR).is_read(first.id)
        # A pane's own command brings that pane forward and acts there.
        await pilot.press("ctrl+p")
        await pilot.press(*"Next actor")
        await pilot.press("enter")
        grid = plist(app, "positions")
        assert main_screen(app).active == "positions"
        assert grid.column == 1  # type: ignore[attr-defined]


async def test_keymap_from_config_remaps_a_binding(demo_db: Path) -> None:
    app = make_app(demo_db, keymap={"pane.statements": "w"})
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("2")
        assert isinstance(app.focused, FeedList)  # 2 no longer switches
        await pilot.press("w")
        assert isinstance(app.focused, StatementList)


async def test_read_toggle_writes_through_the_repository(demo_db: Path) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        first = plist(app, "feed").current
        assert first is not None
        await pilot.press("r")
        await wait_for(
            pilot,
            lambda: plist(app, "feed").current is not None and plist(app, "feed").current.is_read,
        )
    repo = Repo(open_desk(str(demo_db)), EDITOR)
    changes = repo.changes_for("article", first.id)
    assert changes[-1].op == "read"
    assert changes[-1].diff == {"read": [False, True]}
    # Read state is the editor's own: another editor still sees it unread.
    assert not Repo(open_desk(str(demo_db)), "someone-else").is_read(first.id)
    assert changes[-1].editor == EDITOR


async def test_outside_text_is_never_markup_or_escape_sequences(tmp_path: Path) -> None:
    db = tmp_path / "hostile.db"
    repo = Repo(open_desk(str(db)), EDITOR)
    source = repo.add_source("[red]Outlet[/red]", "https://x.example/rss")
    repo.add_article(
        title="[bold]Not bold[/bold] \x1b]0;retitled\x07and \x1b[31mred",
        text="Body with [link=https://evil.example]click[/link] and \x1b[2J clear.",
        source_id=source.id,
        published_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
    )
    app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        line = row_text(plist(app, "feed"), 0)
        assert "[bold]Not bold[/bold]" in line
        assert "\x1b" not in line and "retitled" not in line
        await wait_for(pilot, lambda: "[link=https://evil.example]" in detail_text(app, "feed"))
        assert "\x1b" not in detail_text(app, "feed")


async def test_scrolling_a_large_feed_loads_only_a_window(tmp_path: Path) -> None:
    from sqlalchemy import insert

    db = tmp_path / "big.db"
    engine = open_desk(str(db))
    base = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    rows = [
        {
            "title": f"Article {n:05d}",
            "text": "",
            "sort_at": base + dt.timedelta(minutes=n),
            "fetched_at": base,
            "created_at": base,
            "updated_at": base,
            "version": 1,
            "triage": "new",
            "starred": False,
        }
        for n in range(20_000)
    ]
    with engine.begin() as conn:
        conn.execute(insert(Article), rows)  # past the repository: the index is rebuilt
        search.rebuild(conn, "article")
    app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        feed = plist(app, "feed")
        assert feed.total == 20_000
        assert "Article 19999" in row_text(feed, 0)
        await pilot.press("G")
        await wait_for(pilot, lambda: feed.current is not None and feed.cursor == 19_999)
        assert feed.current.title == "Article 00000"
        await pilot.press("pageup")
        await wait_for(pilot, lambda: feed.current is not None, "rows above the end")
        assert feed.current.title == f"Article {feed.total - 1 - feed.cursor:05d}"
        assert len(feed.loaded_rows) < 1_000  # a window, never the table


async def test_desk_opens_after_the_first_frame(demo_db: Path) -> None:
    from workbench.ui.app import WorkbenchApp

    app = WorkbenchApp(opener=lambda: Repo(open_desk(str(demo_db)), "maria"), db_label="d.db")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        assert plist(app, "feed").total == 10
        assert app.sub_title == "d.db · maria"


async def test_a_desk_that_cannot_open_ends_the_session_with_the_reason() -> None:
    from db.location import DatabaseError
    from workbench.ui.app import WorkbenchApp

    def opener() -> Repo:
        raise DatabaseError("cannot open database /srv/desk.db: disk I/O error")

    app = WorkbenchApp(opener=opener)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.open_error is not None, "the open to fail")
    assert app.return_code == 1
    assert app.open_error == "cannot open database /srv/desk.db: disk I/O error"


async def test_a_refused_write_is_reported_and_the_session_goes_on(demo_db: Path) -> None:
    from workbench.ui.app import WorkbenchApp

    repo = Repo(open_desk(str(demo_db)), "visitor", read_only=True)
    app = WorkbenchApp(repo)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("r")
        await wait_for(pilot, lambda: bool(app._notifications), "a notification")
        message = next(iter(app._notifications)).message
        assert "Could not mark as read" in message and "read-only" in message
        await pilot.press("j")  # still alive and taking keys
        assert plist(app, "feed").cursor == 1
    assert app.return_code in (None, 0)
