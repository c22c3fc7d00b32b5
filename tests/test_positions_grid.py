"""The positions grid (issue 5, item 4): cell marks, chosen and grouped columns, Enter on a
cell, and adding or editing issues, positions and actors by key.

The fixture is a small story of its own (two coastal states, a ferry, a fishing quota,
election observers) built through the repository, with one cell for each mark and cells
that look marked but must not be (a contradiction by another family, an earlier one, a
suggested link).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input, Select, Static

from db import views
from db.engine import open_desk
from db.repo import Repo
from db.rows import Cell, GridRow
from tests.conftest import EDITOR, wait_for
from tests.ui_support import main_screen, pane, plist, row_text, wait_loaded
from workbench.ui.app import WorkbenchApp
from workbench.ui.conflict import ConflictScreen
from workbench.ui.forms import ActorForm, IssueForm, PositionForm, SinceForm
from workbench.ui.grid_prefs import ColumnChooser, GridPrefs, GridPrefsStore, move_column
from workbench.ui.panes.positions import CellScreen, GridList, PositionsPane, grid_layout

D = dt.date
FERRY = "Will the ferry link reopen?"
QUOTA = "Is a fishing quota deal close?"
OBSERVERS = "Will observers be admitted?"
SINCE = D(2026, 11, 12)


@dataclass(frozen=True)
class Story:
    norland: int
    palace: int  # under Norland
    varga: int  # the president, under the palace
    tremont: int
    tfm: int  # Tremont Foreign Ministry, under Tremont
    ruun: int  # a spokesperson, under the ministry
    harbour: int  # no positions
    ferry: int
    quota: int
    observers: int
    s_ready: int
    s_closed: int
    s_trial: int
    s_close: int
    s_denied: int
    s_tfm_obs: int
    s_ruun_obs: int


def build_grid_story(repo: Repo) -> Story:
    with repo.batch():
        wire = int(repo.add_source("Coastal Wire", "https://coastal.example/rss").id)  # type: ignore[arg-type]
        article = int(
            repo.add_article(
                title="Ferry and quota talks between Norland and Tremont",
                text="Officials on both sides spoke about the ferry, the quota and observers.",
                source_id=wire,
                published_at=dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC),
            ).id  # type: ignore[arg-type]
        )

        def actor(name: str, kind: str, parent: int | None = None, **kw: object) -> int:
            return int(repo.add_actor(name, kind, parent_id=parent, **kw).id)  # type: ignore[arg-type]

        norland = actor("Norland", "government")
        palace = actor("Norland Palace", "government", norland)
        varga = actor("Ilse Varga", "person", palace)
        tremont = actor("Tremont", "government")
        tfm = actor("Tremont Foreign Ministry", "government", tremont, aliases=["TFM"])
        ruun = actor("Kessa Ruun", "person", tfm)
        harbour = actor("Harbour Authority", "organisation")
        ferry = int(repo.add_issue(FERRY).id)  # type: ignore[arg-type]
        quota = int(repo.add_issue(QUOTA).id)  # type: ignore[arg-type]
        observers = int(repo.add_issue(OBSERVERS).id)  # type: ignore[arg-type]

        def said(who: int, day: D, text: str, issue: int | None, verification: str) -> int:
            statement = repo.add_statement(
                text=text,
                article_id=article,
                speaker_id=who,
                said_on=day,
                date_precision="day",
                verification=verification,
                issue_id=issue,
            )
            return int(statement.id)  # type: ignore[arg-type]

        s_ready = said(
            palace, D(2026, 11, 2), "The ferry can run again by spring.", ferry, "verified"
        )
        s_closed = said(
            varga, D(2026, 11, 20), "The ferry stays shut all winter.", ferry, "unverified"
        )
        s_trial = said(
            tremont, D(2026, 11, 15), "A trial crossing could be allowed.", ferry, "unverified"
        )
        s_close = said(norland, D(2026, 11, 5), "A quota deal is within reach.", quota, "verified")
        s_denied = said(tfm, D(2026, 11, 20), "No quota deal is anywhere near.", quota, "verified")
        s_early = said(varga, D(2026, 11, 1), "Quota talks have barely begun.", quota, "verified")
        s_off = said(
            palace, D(2026, 11, 21), "The quota deal is off the table.", quota, "unverified"
        )
        s_obs = said(
            palace, D(2026, 11, 3), "Observers come after the vote.", observers, "verified"
        )
        s_tfm_obs = said(
            tfm, D(2026, 11, 3), "Observers are welcome any time.", observers, "verified"
        )
        s_ruun_obs = said(
            ruun, D(2026, 11, 18), "Observers must wait to be invited.", None, "unverified"
        )

        # Norland on the ferry: contradicted later by the president (under the palace,
        # under Norland) → ✗; verified backing.
        repo.add_position(
            issue_id=ferry,
            actor_id=norland,
            summary="Ready to reopen by spring",
            as_of=D(2026, 11, 2),
            statement_ids=[s_ready],
        )
        repo.add_link(s_closed, s_ready, "contradicts")
        # Tremont on the ferry: a history, the current one new since SINCE and backed
        # only by an unverified statement → Δ ○.
        repo.add_position(
            issue_id=ferry, actor_id=tremont, summary="Opposes reopening", as_of=D(2026, 10, 1)
        )
        repo.add_position(
            issue_id=ferry,
            actor_id=tremont,
            summary="Would accept a trial crossing",
            as_of=D(2026, 11, 15),
            statement_ids=[s_trial],
        )
        # Norland on the quota: verified, and every contradiction must not count — one
        # by another family, one said before the position, one only suggested.
        repo.add_position(
            issue_id=quota,
            actor_id=norland,
            summary="A deal is within reach",
            as_of=D(2026, 11, 5),
            statement_ids=[s_close],
        )
        repo.add_link(s_denied, s_close, "contradicts")
        repo.add_link(s_early, s_close, "contradicts")
        repo.add_link(s_off, s_close, "contradicts", review="suggested")
        # The ministry on the quota: new since SINCE, verified → Δ only.
        repo.add_position(
            issue_id=quota,
            actor_id=tfm,
            summary="No deal anywhere near",
            as_of=D(2026, 11, 20),
            statement_ids=[s_denied],
        )
        # The palace on observers: nothing to mark.
        repo.add_position(
            issue_id=observers,
            actor_id=palace,
            summary="After the vote",
            as_of=D(2026, 11, 3),
            statement_ids=[s_obs],
        )
        # The ministry on observers: updated later by its spokesperson (an issue-less
        # statement); the update supersedes the backing, so nothing verified is left → ✗ ○.
        repo.add_position(
            issue_id=observers,
            actor_id=tfm,
            summary="Observers welcome",
            as_of=D(2026, 11, 3),
            statement_ids=[s_tfm_obs],
        )
        repo.add_link(s_ruun_obs, s_tfm_obs, "updates")
    return Story(
        norland,
        palace,
        varga,
        tremont,
        tfm,
        ruun,
        harbour,
        ferry,
        quota,
        observers,
        s_ready,
        s_closed,
        s_trial,
        s_close,
        s_denied,
        s_tfm_obs,
        s_ruun_obs,
    )


def story_desk(tmp_path: Path) -> tuple[Path, Story]:
    path = tmp_path / "grid.db"
    engine = open_desk(str(path))
    story = build_grid_story(Repo(engine, EDITOR))
    engine.dispose()
    return path, story


def story_app(path: Path, editor: str = EDITOR, *, live: bool = False) -> WorkbenchApp:
    return WorkbenchApp(Repo(open_desk(str(path)), editor), db_label="grid.db", live=live)


def marks_of(cell: Cell | None) -> set[str]:
    if cell is None:
        return set()
    names = ("changed", "contradicted", "unbacked")
    return {name for name in names if getattr(cell, name)}


def expected_marks(story: Story, since: D | None) -> dict[tuple[int, int], set[str]]:
    changed = {"changed"} if since is not None else set()
    return {
        (story.ferry, story.norland): {"contradicted"},
        (story.ferry, story.tremont): changed | {"unbacked"},
        (story.quota, story.norland): set(),
        (story.quota, story.tfm): set(changed),
        (story.observers, story.palace): set(),
        (story.observers, story.tfm): {"contradicted", "unbacked"},
    }


def all_cells(rows: list[GridRow], columns: list[int]) -> dict[tuple[int, int], Cell | None]:
    return {
        (row.id, actor): cell
        for row in rows
        for actor, cell in zip(columns, row.cells, strict=True)
    }


async def open_grid(pilot: Pilot[object], app: WorkbenchApp) -> GridList:
    await wait_loaded(pilot, app)
    await pilot.press("3")
    grid = plist(app, "positions")
    assert isinstance(grid, GridList)
    await wait_for(pilot, lambda: bool(grid.columns) and grid.current is not None, "the grid")
    return grid


async def type_text(pilot: Pilot[object], text: str) -> None:
    await pilot.press(*("space" if c == " " else c for c in text))


async def goto_cell(pilot: Pilot[object], grid: GridList, issue_id: int, actor_id: int) -> None:
    rows = grid.loaded_rows
    index = next(n for n, row in enumerate(rows) if row.id == issue_id)
    grid.set_cursor(index)
    grid.column = [c.id for c in grid.columns].index(actor_id)
    await pilot.pause()
    assert grid.current.id == issue_id and grid.actor is not None and grid.actor.id == actor_id


def cell_texts(grid: GridList, y: int) -> list[str]:
    """What one grid line shows, one string a column, split at the rules after each
    (the issue's title leads the first)."""
    return [part.strip() for part in row_text(grid, y).split("│")[:-1]]


def header(app: WorkbenchApp, which: str) -> str:
    return str(pane(app, "positions").query_one(f"#grid-{which}", Static).content)


# --------------------------------------------------------------------------- the query


def test_marks_are_computed_per_cell_by_the_grid_query(tmp_path: Path) -> None:
    path, story = story_desk(tmp_path)
    engine = open_desk(str(path))
    try:
        columns = views.grid_columns(engine)
        ids = [c.id for c in columns]
        for since in (None, SINCE):
            rows = views.GridView(engine, columns, since=since).page(limit=10)
            cells = all_cells(rows, ids)
            want = expected_marks(story, since)
            for key, cell in cells.items():
                assert marks_of(cell) == want.get(key, set()), (key, since)
            assert {k for k, c in cells.items() if c is not None} == set(want)
    finally:
        engine.dispose()


def test_changed_counts_from_the_day_including_it_and_undated_positions_by_recording_day(
    tmp_path: Path,
) -> None:
    path, story = story_desk(tmp_path)
    repo = Repo(open_desk(str(path)), EDITOR)
    try:
        repo.add_position(issue_id=story.observers, actor_id=story.norland, summary="Undated")
        today = dt.date.today()
        cells = views.grid_cells(
            repo.engine, [story.observers, story.quota], [story.norland, story.tfm], since=today
        )
        assert cells[(story.observers, story.norland)].changed  # recorded today
        tomorrow = today + dt.timedelta(days=1)
        later = views.grid_cells(repo.engine, [story.observers], [story.norland], since=tomorrow)
        assert not later[(story.observers, story.norland)].changed
        on_the_day = views.grid_cells(
            repo.engine, [story.quota], [story.tfm], since=D(2026, 11, 20)
        )
        assert on_the_day[(story.quota, story.tfm)].changed  # "since 20 Nov" includes it
        day_after = views.grid_cells(repo.engine, [story.quota], [story.tfm], since=D(2026, 11, 21))
        assert not day_after[(story.quota, story.tfm)].changed
    finally:
        repo.engine.dispose()


def test_marks_follow_verification_and_link_changes(tmp_path: Path) -> None:
    """Verifying the backing clears ○; dismissing the contradicting link clears ✗."""
    path, story = story_desk(tmp_path)
    repo = Repo(open_desk(str(path)), EDITOR)
    try:

        def cell(issue: int, actor: int) -> Cell:
            return views.grid_cells(repo.engine, [issue], [actor])[(issue, actor)]

        assert cell(story.ferry, story.tremont).unbacked
        trial = repo.get("statement", story.s_trial)
        repo.update("statement", story.s_trial, trial.version, verification="verified")  # type: ignore[union-attr]
        assert not cell(story.ferry, story.tremont).unbacked

        assert cell(story.ferry, story.norland).contradicted
        link = next(
            lv
            for lv in repo.statement_detail(story.s_ready).links
            if lv.other_id == story.s_closed  # type: ignore[union-attr]
        )
        repo.review("link", link.link_id, "dismissed")
        assert not cell(story.ferry, story.norland).contradicted
    finally:
        repo.engine.dispose()


def test_page_of_cells_costs_the_same_few_queries_whatever_its_size(tmp_path: Path) -> None:
    from sqlalchemy import event

    path, _story = story_desk(tmp_path)
    engine = open_desk(str(path))
    try:
        columns = views.grid_columns(engine)
        view = views.GridView(engine, columns, since=SINCE)
        counts = []
        for limit in (1, 3):
            seen: list[str] = []

            def count(*args: object, seen: list[str] = seen) -> None:
                if str(args[2]).lstrip().upper().startswith(("SELECT", "WITH")):
                    seen.append(str(args[2]))

            event.listen(engine, "before_cursor_execute", count)
            try:
                view.page(limit=limit)
            finally:
                event.remove(engine, "before_cursor_execute", count)
            counts.append(len(seen))
        # the issues, their positions, verified backing, contradicting links, speakers' chains
        assert counts[0] == counts[1] == 5, counts
    finally:
        engine.dispose()


def test_chosen_columns_have_no_cap_and_families_stay_together(tmp_path: Path) -> None:
    path, story = story_desk(tmp_path)
    repo = Repo(open_desk(str(path)), EDITOR)
    try:
        extra = [int(repo.add_actor(f"Envoy {n}").id) for n in range(14)]  # type: ignore[arg-type]
        chosen = [story.ruun, *extra, story.norland, story.tremont, story.varga]
        columns = views.grid_columns(repo.engine, chosen=chosen)
        assert len(columns) == len(chosen)  # no 12-column cap on a choice
        order = [c.id for c in columns]
        # Ruun's family (Tremont) comes first, as Ruun was first; Tremont before Ruun.
        assert order[:2] == [story.tremont, story.ruun]
        assert order[2:16] == extra
        assert order[16:] == [story.norland, story.varga]
        by_id = {c.id: c for c in columns}
        assert by_id[story.varga].group == "Norland" and by_id[story.varga].depth == 2
        assert by_id[story.ruun].group_id == story.tremont and by_id[story.ruun].grouped
        assert not by_id[story.norland].grouped
        # Moving the first column of a family moves the family; within it, neighbours swap.
        moved = move_column(columns, story.norland, -1)
        assert moved is not None and moved[:2] == [story.tremont, story.ruun]
        assert moved.index(story.norland) == 15 and moved.index(story.varga) == 16
        assert move_column(columns, story.tremont, -1) is None
        # A deleted actor drops out; a choice with nothing left is the desk's default.
        repo.delete("actor", story.harbour)
        assert views.grid_columns(repo.engine, chosen=[story.harbour]) == views.grid_columns(
            repo.engine
        )
    finally:
        repo.engine.dispose()


def test_layout_scrolls_columns_that_do_not_fit() -> None:
    issue_w, cell_w, first, shown = grid_layout(78, 3)
    assert (issue_w, cell_w, first, shown) == (27, 17, 0, 3)  # as the grid always was
    issue_w, cell_w, first, shown = grid_layout(78, 20, column=19)
    assert cell_w >= 12 and first + shown == 20 and shown < 20
    assert grid_layout(78, 20, column=3, first=first)[2] == 3  # back left: window follows


def test_prefs_file_is_per_desk_and_editor_and_survives_junk(tmp_path: Path) -> None:
    root = tmp_path / "state"
    mine = GridPrefsStore("sqlite:///a.db", "maria", root)
    mine.save(GridPrefs([3, 1, 2], D(2026, 12, 1)))
    assert mine.load().columns == [3, 1, 2] and mine.load().since == D(2026, 12, 1)
    assert GridPrefsStore("sqlite:///a.db", "tobias", root).load() == GridPrefs()
    assert GridPrefsStore("sqlite:///b.db", "maria", root).load() == GridPrefs()
    mine.path.write_text("{not json", encoding="utf-8")
    assert mine.load() == GridPrefs()
    mine.path.write_text('{"columns": ["x"], "since": "soon", "later": 1}', encoding="utf-8")
    loaded = mine.load()
    assert loaded.columns is None and loaded.since is None and loaded.other == {"later": 1}


# --------------------------------------------------------------------------- the pane


async def test_cells_show_their_marks_and_the_legend_names_the_day(tmp_path: Path) -> None:
    path, story = story_desk(tmp_path)
    app = story_app(path)
    async with app.run_test(size=(140, 30)) as pilot:
        grid = await open_grid(pilot, app)
        assert "Δ changed since … (s picks a day)" in header(app, "legend")
        assert "✗ contradicted" in header(app, "legend")
        assert "○ no verified backing" in header(app, "legend")
        ids = [c.id for c in grid.columns]
        for key, cell in all_cells(grid.loaded_rows, ids).items():
            assert marks_of(cell) == expected_marks(story, None).get(key, set()), key

        await pilot.press("s")
        form = app.screen
        assert isinstance(form, SinceForm)
        await type_text(pilot, "12 Nov 2026")
        preview = str(form.query_one("#since-preview", Static).content)
        assert "12 Nov 2026" in preview
        await pilot.press("enter")
        await wait_for(pilot, lambda: "12 Nov 2026" in header(app, "legend"), "the legend")
        await wait_for(
            pilot,
            lambda: (
                marks_of(all_cells(grid.loaded_rows, ids)[(story.ferry, story.tremont)])
                == expected_marks(story, SINCE)[(story.ferry, story.tremont)]
            ),
            "the Δ marks",
        )
        want = expected_marks(story, SINCE)
        cells = all_cells(grid.loaded_rows, ids)
        for key, cell in cells.items():
            assert marks_of(cell) == want.get(key, set()), key

        # What the screen shows: each mark's glyph in its own cell, and nowhere else.
        glyphs = {"changed": "Δ", "contradicted": "✗", "unbacked": "○"}
        for y, row in enumerate(grid.loaded_rows):
            texts = cell_texts(grid, y)
            assert texts[0].startswith(row.title[:10])
            for actor_id, text in zip(ids, texts, strict=True):
                expected = want.get((row.id, actor_id), set())
                for name, glyph in glyphs.items():
                    assert (glyph in text) == (name in expected), (row.title, actor_id, text)

        # The day is kept for this editor; clearing it takes every Δ away.
        store = pane(app, "positions").prefs_store  # type: ignore[attr-defined]
        await wait_for(pilot, lambda: store.load().since == SINCE, "the day saved")
        await pilot.press("s")
        assert isinstance(app.screen, SinceForm)
        app.screen.query_one("#since", Input).value = ""
        await pilot.press("enter")
        await wait_for(pilot, lambda: "s picks a day" in header(app, "legend"), "cleared")
        await wait_for(
            pilot,
            lambda: (
                not any(
                    c is not None and c.changed for c in all_cells(grid.loaded_rows, ids).values()
                )
            ),
            "no Δ",
        )
        await wait_for(pilot, lambda: store.load().since is None, "the clear saved")


async def test_a_date_the_form_cannot_read_is_said_and_nothing_changes(tmp_path: Path) -> None:
    path, _story = story_desk(tmp_path)
    app = story_app(path)
    async with app.run_test(size=(140, 30)) as pilot:
        await open_grid(pilot, app)
        await pilot.press("s")
        form = app.screen
        assert isinstance(form, SinceForm)
        await type_text(pilot, "whenever")
        await pilot.press("enter")
        assert app.screen is form
        assert "not a date" in form.error
        await pilot.press("escape", "escape")
        assert not isinstance(app.screen, SinceForm)
        assert "s picks a day" in header(app, "legend")


async def test_grouping_header_spans_each_family(tmp_path: Path) -> None:
    path, story = story_desk(tmp_path)
    app = story_app(path)
    async with app.run_test(size=(140, 30)) as pilot:
        grid = await open_grid(pilot, app)
        # Default columns (actors with positions), children after their parent.
        assert [c.id for c in grid.columns] == [
            story.norland,
            story.palace,
            story.tremont,
            story.tfm,
        ]
        groups_static = pane(app, "positions").query_one("#grid-groups", Static)
        assert groups_static.display
        groups, names = header(app, "groups"), header(app, "header")
        assert groups.index("Norland") < groups.index("Tremont")
        # Each family's name starts above its first column, and its rule runs on.
        assert names.index("Norland") == groups.index("Norland")
        assert names.index("Tremont") == groups.index("Tremont")
        assert "─" in groups[groups.index("Norland") : groups.index("Tremont")]

        # Children whose parents are not columns still stand under their family's name.
        pane_ = pane(app, "positions")
        assert isinstance(pane_, PositionsPane)
        pane_.prefs.columns = [story.ruun, story.varga]
        pane_.load_view()
        await wait_for(pilot, lambda: [c.id for c in grid.columns] == [story.ruun, story.varga])
        await pilot.pause()
        groups, names = header(app, "groups"), header(app, "header")
        assert names.index("Kessa Ruun") == groups.index("Tremont")
        assert names.index("Ilse Varga") == groups.index("Norland")

        # Without a family of more than one, no group line is drawn at all.
        pane_.prefs.columns = [story.norland, story.tremont]
        pane_.load_view()
        await wait_for(
            pilot, lambda: [c.id for c in grid.columns] == [story.norland, story.tremont]
        )
        await pilot.pause()
        assert not groups_static.display


async def test_column_choice_and_order_persist_across_restarts(tmp_path: Path) -> None:
    path, story = story_desk(tmp_path)
    app = story_app(path)
    async with app.run_test(size=(140, 30)) as pilot:
        grid = await open_grid(pilot, app)
        await pilot.press("c")
        chooser = app.screen
        assert isinstance(chooser, ColumnChooser)
        await wait_for(pilot, lambda: chooser.loaded, "the actors")
        assert chooser.shown == [story.norland, story.palace, story.tremont, story.tfm]
        # Hide the palace.
        await pilot.press("down", "space")
        assert story.palace not in chooser.chosen
        # Find an actor without positions by typing, and show it.
        await type_text(pilot, "harb")
        assert isinstance(app.focused, Input)
        await wait_for(pilot, lambda: chooser.shown == [story.harbour], "the search")
        await pilot.press("down", "space")
        assert chooser.chosen[-1] == story.harbour
        # Back to the full list; move the Tremont family before Norland.
        await pilot.press("up")
        chooser.query_one(Input).value = ""
        await pilot.pause()
        chooser.query_one("#columns-list").focus()
        await pilot.pause()
        chooser.query_one("#columns-list").highlighted = chooser.shown.index(story.tremont)  # type: ignore[attr-defined]
        await pilot.press("K")
        assert chooser.chosen == [story.tremont, story.tfm, story.norland, story.harbour]
        await pilot.press("enter")
        want = [story.tremont, story.tfm, story.norland, story.harbour]
        await wait_for(pilot, lambda: [c.id for c in grid.columns] == want, "the new columns")
        store = pane(app, "positions").prefs_store  # type: ignore[attr-defined]
        await wait_for(pilot, lambda: store.load().columns == want, "the choice saved")
        assert "Harbour Authority"[:8] in header(app, "header")
        await pilot.press("q")

    again = story_app(path)
    async with again.run_test(size=(140, 30)) as pilot:
        grid = await open_grid(pilot, again)
        assert [c.id for c in grid.columns] == want
    # Another editor on the same desk still sees the desk's default.
    other = story_app(path, "tobias")
    async with other.run_test(size=(140, 30)) as pilot:
        grid = await open_grid(pilot, other)
        assert [c.id for c in grid.columns] == [
            story.norland,
            story.palace,
            story.tremont,
            story.tfm,
        ]
    # Esc leaves the choice as it was; ctrl+r goes back to the default.
    third = story_app(path)
    async with third.run_test(size=(140, 30)) as pilot:
        grid = await open_grid(pilot, third)
        await pilot.press("c")
        chooser = third.screen
        assert isinstance(chooser, ColumnChooser)
        await wait_for(pilot, lambda: chooser.loaded)
        await pilot.press("space", "escape")
        await pilot.pause()
        assert [c.id for c in grid.columns] == want
        await pilot.press("c")
        await wait_for(
            pilot, lambda: isinstance(third.screen, ColumnChooser) and third.screen.loaded
        )
        await pilot.press("ctrl+r")
        await wait_for(
            pilot, lambda: len(grid.columns) == 4 and grid.columns[0].id == story.norland
        )
        store = pane(third, "positions").prefs_store  # type: ignore[attr-defined]
        await wait_for(pilot, lambda: store.load().columns is None, "the default saved")


async def test_many_chosen_columns_scroll_sideways_with_the_cursor(tmp_path: Path) -> None:
    path, story = story_desk(tmp_path)
    repo = Repo(open_desk(str(path)), EDITOR)
    extra = [int(repo.add_actor(f"Envoy {n:02d}").id) for n in range(14)]  # type: ignore[arg-type]
    repo.engine.dispose()
    app = story_app(path)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_loaded(pilot, app)
        pane_ = pane(app, "positions")
        assert isinstance(pane_, PositionsPane)
        pane_.prefs.columns = [story.norland, *extra]
        pane_.load_view()
        grid = await open_grid(pilot, app)
        await wait_for(pilot, lambda: len(grid.columns) == 15, "fifteen columns")
        assert "Envoy 13" not in header(app, "header")
        assert "▸" in header(app, "header")
        for _ in range(14):
            await pilot.press("l")
        assert grid.actor is not None and grid.actor.id == extra[-1]
        assert "Envoy 13" in header(app, "header")
        assert "◂" in header(app, "header") and "Norland" not in header(app, "header")
        await pilot.press("l")  # wraps to the first column, and the window follows
        assert "Norland" in header(app, "header")


async def test_enter_lists_backing_statements_and_jumps_to_one(tmp_path: Path) -> None:
    path, story = story_desk(tmp_path)
    app = story_app(path)
    async with app.run_test(size=(140, 30)) as pilot:
        grid = await open_grid(pilot, app)
        await goto_cell(pilot, grid, story.ferry, story.norland)
        await pilot.press("enter")
        screen = app.screen
        assert isinstance(screen, CellScreen)
        await wait_for(pilot, lambda: screen.loads > 0, "the cell")
        statements = [i for i in screen.items if i is not None]
        # Backing first, then the later contradiction; the history has one position.
        assert statements == [story.s_ready, story.s_closed]
        summary = str(screen.query_one("#cell-summary", Static).content)
        assert "Ready to reopen by spring" in summary and "contradicted" in summary
        from textual.widgets import OptionList

        options = screen.query_one(OptionList)
        shown = "\n".join(
            str(options.get_option_at_index(n).prompt) for n in range(options.option_count)
        )
        assert "Norland Palace" in shown and "Coastal Wire" in shown and "verified" in shown
        assert "The ferry can run again by spring." in shown
        assert "2 Nov 2026" in shown and "History" in shown
        assert screen.current == story.s_ready
        await pilot.press("down")
        assert screen.current == story.s_closed
        await pilot.press("enter")
        await wait_for(pilot, lambda: main_screen(app).active == "statements", "Statements")
        await wait_for(
            pilot,
            lambda: getattr(plist(app, "statements").current, "id", None) == story.s_closed,
            "the statement",
        )

        # A cell with a history lists the older position's statements too.
        await pilot.press("3")
        await goto_cell(pilot, grid, story.ferry, story.tremont)
        await pilot.press("enter")
        screen = app.screen
        assert isinstance(screen, CellScreen)
        await wait_for(pilot, lambda: screen.loads > 0)
        assert [i for i in screen.items if i is not None] == [story.s_trial]
        options = screen.query_one(OptionList)
        shown = "\n".join(
            str(options.get_option_at_index(n).prompt) for n in range(options.option_count)
        )
        assert "Opposes reopening" in shown and "no verified statement" in str(
            screen.query_one("#cell-summary", Static).content
        )
        await pilot.press("escape")
        assert not isinstance(app.screen, CellScreen)


async def test_add_issue_position_and_actor_by_key(tmp_path: Path) -> None:
    path, story = story_desk(tmp_path)
    app = story_app(path)
    async with app.run_test(size=(140, 30)) as pilot:
        grid = await open_grid(pilot, app)
        total = grid.total
        # I: a new issue; the grid moves to it.
        await pilot.press("I")
        assert isinstance(app.screen, IssueForm)
        await type_text(pilot, "Can the harbour reopen?")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, IssueForm), "the form to close")
        await wait_for(
            pilot,
            lambda: (
                grid.total == (total or 0) + 1
                and getattr(grid.current, "title", "") == "Can the harbour reopen?"
            ),
            "the new issue",
        )
        issue_id = grid.current.id

        # p: a position in the highlighted cell (Norland), with a date and a statement.
        grid.column = 0
        await pilot.press("p")
        form = app.screen
        assert isinstance(form, PositionForm)
        await pilot.press("ctrl+s")  # an empty summary: the repository says no
        await wait_for(pilot, lambda: "summary" in form.error, "the refusal")
        assert app.screen is form and "Not saved" in form.error
        await type_text(pilot, "Harbour open by March")
        await pilot.press("tab")
        await type_text(pilot, "20 Nov 2026")
        assert "20 Nov 2026" in str(form.query_one("#as-of-preview", Static).content)
        await pilot.press("tab")
        await type_text(pilot, "#99999")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "99999" in form.error, "the unknown statement")
        form.query_one("#position-statements", Input).value = f"#{story.s_ready}"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, PositionForm), "saved")

        def new_cell() -> Cell | None:
            row = next((r for r in grid.loaded_rows if r.id == issue_id), None)
            return row.cells[0] if row is not None else None

        await wait_for(pilot, lambda: new_cell() is not None, "the new cell")
        cell = new_cell()
        assert cell is not None
        assert (cell.summary, cell.as_of) == ("Harbour open by March", D(2026, 11, 20))
        assert not cell.unbacked  # backed by a verified statement
        detail = views.cell_detail(app.repo.engine, issue_id, story.norland)  # type: ignore[union-attr]
        assert detail is not None
        assert [s.id for s in detail.positions[0].statements] == [story.s_ready]

        # A: a new actor under Norland; it becomes a column, in Norland's family.
        await pilot.press("A")
        form = app.screen
        assert isinstance(form, ActorForm)
        await type_text(pilot, "Harbour Pilots")
        form.query_one("#actor-kind", Select).value = "organisation"
        form.query_one("#actor-parent", Input).value = "Nowhere Land"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "Nowhere Land" in form.error, "the unknown parent")
        form.query_one("#actor-parent", Input).value = "norland"  # names match any case
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, ActorForm), "saved")
        await wait_for(pilot, lambda: len(grid.columns) == 5, "the new column")
        names = [c.name for c in grid.columns]
        assert names == [
            "Norland",
            "Norland Palace",
            "Harbour Pilots",
            "Tremont",
            "Tremont Foreign Ministry",
        ]
        pilots = grid.columns[2]
        assert pilots.group == "Norland"
        actor = app.repo.get("actor", pilots.id)  # type: ignore[union-attr]
        assert actor.kind == "organisation" and actor.parent_id == story.norland  # type: ignore[union-attr]


async def test_edits_pass_their_version_and_a_colleagues_save_is_never_overwritten(
    tmp_path: Path,
) -> None:
    path, story = story_desk(tmp_path)
    app = story_app(path)
    colleague = Repo(open_desk(str(path)), "tobias")
    async with app.run_test(size=(140, 30)) as pilot:
        grid = await open_grid(pilot, app)
        await goto_cell(pilot, grid, story.ferry, story.norland)
        # i: the issue's title; a colleague saves it meanwhile.
        await pilot.press("i")
        form = app.screen
        assert isinstance(form, IssueForm)
        assert form.query_one("#issue-title", Input).value == FERRY
        form.query_one("#issue-title", Input).value = "Will the ferry run this winter?"
        issue = colleague.get("issue", story.ferry)
        colleague.update("issue", story.ferry, issue.version, title="Will the ferry ever run?")  # type: ignore[union-attr]
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConflictScreen), "the conflict")
        view = app.screen
        (row,) = [r for r in view.rows if r.differs]  # type: ignore[attr-defined]
        assert (row.theirs, row.yours) == (
            "Will the ferry ever run?",
            "Will the ferry run this winter?",
        )
        assert colleague.get("issue", story.ferry).title == "Will the ferry ever run?"  # type: ignore[union-attr]
        await pilot.press("m")  # keep mine, knowingly
        await wait_for(pilot, lambda: not isinstance(app.screen, IssueForm), "saved")
        assert colleague.get("issue", story.ferry).title == "Will the ferry run this winter?"  # type: ignore[union-attr]

        # e: correct the cell's position; the history keeps one entry, the summary changes.
        await wait_for(
            pilot, lambda: any(r.title.startswith("Will the ferry run") for r in grid.loaded_rows)
        )
        await goto_cell(pilot, grid, story.ferry, story.norland)
        await pilot.press("e")
        form = app.screen
        assert isinstance(form, PositionForm)
        summary = form.query_one("#position-summary", Input)
        assert summary.value == "Ready to reopen by spring"
        summary.value = "Ready to reopen in spring"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, PositionForm), "saved")
        await wait_for(
            pilot,
            lambda: grid.cell is not None and grid.cell.summary == "Ready to reopen in spring",
            "the corrected cell",
        )
        assert grid.cell is not None and grid.cell.history == 1

        # E: the column's actor, with a conflict on it too.
        await pilot.press("E")
        form = app.screen
        assert isinstance(form, ActorForm)
        form.query_one("#actor-name", Input).value = "Norland (state)"
        actor = colleague.get("actor", story.norland)
        colleague.update("actor", story.norland, actor.version, notes="renamed soon")  # type: ignore[union-attr]
        await pilot.press("ctrl+s")
        # the colleague changed only notes, which the form does not show: merged quietly
        await wait_for(pilot, lambda: not isinstance(app.screen, ActorForm), "saved")
        actor = colleague.get("actor", story.norland)
        assert (actor.name, actor.notes) == ("Norland (state)", "renamed soon")  # type: ignore[union-attr]
    colleague.engine.dispose()
