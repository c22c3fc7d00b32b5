"""Marks (space) and bulk actions (b, +) in every pane, and "everything in this filter" into
a collection (issue 7, item 1), driven by keys on the demo desk."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlmodel import select
from textual.widgets import Input, OptionList

from db.models import Article, Change, Statement
from db.repo import Repo
from tests.conftest import EDITOR, wait_for
from tests.ui_support import make_app, pane, plist, row_text, wait_loaded
from workbench.ui.bulk import BulkMenu, PickScreen, describe, run_bulk
from workbench.ui.timeline_filter import TimelineFilter


async def _choose(pilot, app, label_part: str) -> None:  # type: ignore[no-untyped-def]
    """Pick the option whose label contains ``label_part`` on the open menu or picker."""
    await wait_for(pilot, lambda: isinstance(app.screen, BulkMenu | PickScreen), "a chooser")
    options = app.screen.query_one(OptionList)
    for index in range(options.option_count):
        if label_part in str(options.get_option_at_index(index).prompt):
            options.highlighted = index
            break
    else:
        raise AssertionError(f"no option {label_part!r}")
    app.screen.set_focus(options)
    await pilot.press("enter")


def _statement_ids_shown(app, n: int) -> list[int]:  # type: ignore[no-untyped-def]
    return [row.id for row in plist(app, "statements").loaded_rows[:n]]


async def test_space_marks_rows_and_b_sets_verification_on_all(demo_db: Path) -> None:
    app = make_app(demo_db, live=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("2")
        lst = plist(app, "statements")
        first_three = _statement_ids_shown(app, 3)
        await pilot.press("space", "space", "space")
        statements = pane(app, "statements")
        assert list(statements.marks) == [("statement", i) for i in first_three]
        assert "3 marked" in str(statements.border_subtitle)
        # the marked rows carry a visible mark, the others do not
        assert row_text(lst, 0).startswith("■") and row_text(lst, 2).startswith("■")
        assert not row_text(lst, 3).startswith("■")

        await pilot.press("b")
        await _choose(pilot, app, "Set verification")
        await _choose(pilot, app, "misleading")
        await wait_for(pilot, lambda: not statements.marks, "the marks to be spent")

    repo = Repo(app.repo.engine, EDITOR)  # type: ignore[union-attr]
    with repo.read() as session:
        rows = session.exec(select(Statement).where(Statement.id.in_(first_three))).all()  # type: ignore[union-attr]
        assert {r.verification for r in rows} == {"misleading"}
        logged = session.exec(
            select(Change).where(Change.entity == "statement", Change.op == "update")
        ).all()
        assert {c.entity_id for c in logged} >= set(first_three)


async def test_u_clears_marks_and_b_without_marks_acts_on_highlighted(demo_db: Path) -> None:
    app = make_app(demo_db, live=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("1")
        feed = pane(app, "feed")
        await pilot.press("space", "space")
        assert len(feed.marks) == 2
        await pilot.press("u")
        assert not feed.marks
        assert not row_text(plist(app, "feed"), 0).startswith("■")
        article_id = plist(app, "feed").current.id
        await pilot.press("b")
        await _choose(pilot, app, "Assign to me")
        await wait_for(
            pilot,
            lambda: app.repo.get("article", article_id).assignee == EDITOR,  # type: ignore[union-attr]
            "the article to be assigned",
        )


async def test_plus_adds_marked_statements_to_a_new_collection_then_no_duplicates(
    demo_db: Path,
) -> None:
    app = make_app(demo_db, live=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("2")
        ids = _statement_ids_shown(app, 2)
        await pilot.press("space", "space", "plus")
        await wait_for(pilot, lambda: isinstance(app.screen, PickScreen), "the collection picker")
        await pilot.press(*"Night desk", "enter")
        repo = app.repo
        assert repo is not None
        await wait_for(pilot, lambda: repo.collection_named("Night desk") is not None, "it")
        collection = repo.collection_named("Night desk")
        assert collection is not None
        await wait_for(
            pilot,
            lambda: repo.collection_members(int(collection.id))["statement"] == ids,  # type: ignore[arg-type]
            "both statements in the collection, in marking order",
        )
        # the same two again, by picking the existing collection: nothing is duplicated
        await pilot.press("k", "k", "space", "space", "plus")
        await wait_for(pilot, lambda: isinstance(app.screen, PickScreen), "the picker again")
        await pilot.press(*"night", "enter")
        await wait_for(pilot, lambda: not pane(app, "statements").marks, "the action to land")
        assert repo.collection_members(int(collection.id))["statement"] == ids  # type: ignore[arg-type]


async def test_positions_grid_marks_cells(demo_db: Path) -> None:
    app = make_app(demo_db, live=False)
    async with app.run_test(size=(200, 50)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("3")
        positions = pane(app, "positions")
        grid = plist(app, "positions")
        # find a row whose first column has a position
        while grid.cell is None:  # type: ignore[attr-defined]
            await pilot.press("j")
        position_id = grid.cell.position_id  # type: ignore[attr-defined]
        line = row_text(grid, grid.cursor - int(grid.scroll_y))
        await pilot.press("space")
        assert ("position", position_id) in positions.marks
        assert position_id in grid.marked_positions  # type: ignore[attr-defined]
        marked_line = row_text(grid, grid.cursor - 1 - int(grid.scroll_y))
        assert "■" in marked_line and "■" not in line


async def test_collection_from_the_timeline_filter_takes_every_entry_it_shows(
    demo_db: Path,
) -> None:
    app = make_app(demo_db, live=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("4")
        timeline = pane(app, "timeline")
        repo = app.repo
        assert repo is not None
        with repo.read() as session:
            days = sorted(
                d
                for d in session.exec(
                    select(Statement.said_on).where(Statement.verification == "verified")
                )
                if d is not None
            )
        since = days[len(days) // 2]
        timeline.set_filter(TimelineFilter(verification="verified", since=since))  # type: ignore[attr-defined]
        await wait_for(
            pilot,
            lambda: (
                plist(app, "timeline").total is not None
                and all(
                    r.status == "verified" and r.date >= since
                    for r in plist(app, "timeline").loaded_rows
                )
            ),
            "the filtered timeline",
        )
        shown = [(r.kind, r.id) for r in plist(app, "timeline").loaded_rows]
        assert shown and len(shown) == plist(app, "timeline").total
        await pilot.press("b")
        await _choose(pilot, app, "Everything in this filter")
        await wait_for(pilot, lambda: isinstance(app.screen, PickScreen), "the picker")
        await pilot.press(*"Verified since", "enter")
        await wait_for(pilot, lambda: repo.collection_named("Verified since") is not None, "it")
        collection = repo.collection_named("Verified since")
        assert collection is not None
        members = repo.collection_members(int(collection.id))  # type: ignore[arg-type]
        assert [("statement", i) for i in members["statement"]] == shown


async def test_timeline_filter_screen_reads_a_since_day(demo_db: Path) -> None:
    from workbench.ui.timeline_filter import TimelineFilterScreen

    app = make_app(demo_db, live=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("4", "f")
        await wait_for(pilot, lambda: isinstance(app.screen, TimelineFilterScreen), "the form")
        screen = app.screen
        await wait_for(pilot, lambda: screen.loaded, "actors and issues")  # type: ignore[attr-defined]
        since = screen.query_one("#timeline-filter-since", Input)
        screen.set_focus(since)
        await pilot.press(*"12 Dec 2026", "enter")
        timeline = pane(app, "timeline")
        await wait_for(pilot, lambda: timeline.filter is not None, "the filter applied")  # type: ignore[attr-defined]
        assert timeline.filter.since == dt.date(2026, 12, 12)  # type: ignore[attr-defined]
        assert "since 12 Dec 2026" in str(timeline.border_title)


def test_bulk_is_one_transaction_and_names_a_missing_row(demo_repo: Repo) -> None:
    ids = [s for s in range(1, 4)]
    before = {i: demo_repo.get("statement", i).verification for i in ids}  # type: ignore[union-attr]
    from workbench.ui.bulk import ACTIONS

    verification = next(a for a in ACTIONS if a.id == "verification")
    try:
        run_bulk(demo_repo, verification, "false", [("statement", i) for i in [*ids, 99999]])
    except Exception as exc:
        assert "99999" in str(exc)
    else:
        raise AssertionError("a missing row must fail the batch")
    after = {i: demo_repo.get("statement", i).verification for i in ids}  # type: ignore[union-attr]
    assert after == before  # nothing landed


def test_bulk_on_a_mixed_selection_says_what_it_left_alone(demo_repo: Repo) -> None:
    from workbench.ui.bulk import ACTIONS

    verification = next(a for a in ACTIONS if a.id == "verification")
    said = run_bulk(demo_repo, verification, "verified", [("statement", 1), ("event", 1)])
    assert "1 not applicable" in said
    assert describe([("statement", 1), ("statement", 2), ("event", 1)]) == "2 statements, 1 event"


def test_bulk_tag_and_dismiss_articles(demo_repo: Repo) -> None:
    from workbench.ui.bulk import ACTIONS

    actions = {a.id: a for a in ACTIONS}
    with demo_repo.read() as session:
        article_ids = [a.id for a in session.exec(select(Article).limit(2))]
    selection = [("article", int(i)) for i in article_ids if i is not None]
    run_bulk(demo_repo, actions["tag"], "night desk", selection)
    run_bulk(demo_repo, actions["dismiss"], "", selection)
    for _kind, article_id in selection:
        article = demo_repo.get("article", article_id)
        assert "night desk" in article.tags  # type: ignore[union-attr]
        assert article.triage == "not_relevant"  # type: ignore[union-attr]
    run_bulk(demo_repo, actions["untag"], "night desk", selection)
    assert all(
        "night desk" not in demo_repo.get("article", i).tags  # type: ignore[union-attr]
        for _k, i in selection
    )
