"""Positions: issues as rows, actors as columns, each cell the latest accepted position.

Columns are the editor's own choice (``c``; kept per editor and desk by
``workbench.ui.grid_prefs``, the desk's default otherwise), grouped by family: an actor's
children follow it, under a line naming the family's top actor. More columns than fit
scroll sideways with the highlighted one (``h``/``l``), each at least ``MIN_CELL`` wide.
A cell carries marks, computed by the grid's query (``db.views.grid_cells``): changed
since a day the editor picks (``s``), contradicted by a later statement, backed by no
verified statement; a legend line says which glyph is which. Enter lists the cell's
backing statements and history and jumps to a statement; keys add and edit issues,
positions and actors (``workbench.ui.forms``). The lower half shows the highlighted cell's
history (every position the actor took on the issue, newest first).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker

from db.rows import ActorRef, Cell, GridRow, PagedView
from workbench.dates import format_span
from workbench.text import clean_line
from workbench.ui.messages import forward_failure
from workbench.ui.panes.base import Pane
from workbench.ui.panes.statements import review_as_seen
from workbench.ui.presence import row_presence
from workbench.ui.render import VERIFICATION_STYLE, fit, history_text
from workbench.ui.virtual_list import VirtualList

if TYPE_CHECKING:
    from db.changes import ChangeBatch
    from db.rows import CellDetail, CellStatement
    from db.views import PendingCell, VersionedGridRow
    from workbench.ui.grid_prefs import GridPrefs, GridPrefsStore

ISSUE_WIDTH = 0.34  # share of the width for the issue column
MIN_CELL = 12  # narrower than this, columns scroll sideways instead

#: (Cell flag, glyph, style, legend words): distinct glyphs, so colour is never the only cue
MARKS: tuple[tuple[str, str, str, str], ...] = (
    ("changed", "Δ", "bold cyan", "changed since"),
    ("contradicted", "✗", "bold red", "contradicted"),
    ("unbacked", "○", "bold yellow", "no verified backing"),
)


def grid_layout(
    width: int, columns: int, column: int = 0, first: int = 0
) -> tuple[int, int, int, int]:
    """(issue column width, actor column width, first column shown, columns shown).

    Every column gets at least ``MIN_CELL`` cells; what does not fit scrolls, keeping the
    highlighted ``column`` in view and moving the window (from ``first``) no more than
    needed. What the actor columns leave goes to the issue.
    """
    if columns == 0:
        return max(width, 2), 0, 0, 0
    room = width - max(14, int(width * ISSUE_WIDTH))
    shown = max(1, min(columns, room // MIN_CELL))
    cell = max(8, room // shown)
    column = max(0, min(column, columns - 1))
    first = max(0, min(first, columns - shown))
    if column < first:
        first = column
    elif column >= first + shown:
        first = column - shown + 1
    return max(14, width - cell * shown), cell, first, shown


def cell_marks(cell: Cell | None) -> list[tuple[str, str]]:
    """(glyph, style) of each mark the cell carries."""
    if cell is None:
        return []
    return [(glyph, style) for flag, glyph, style, _words in MARKS if getattr(cell, flag)]


class GridList(VirtualList):
    """Rows are issues; ``column`` is the highlighted actor column, ``first`` the first
    column in view when they do not all fit."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left,h", "column(-1)", "Prev actor", id="positions.left"),
        Binding("right,l", "column(1)", "Next actor", id="positions.right"),
    ]

    empty_text = "No issues yet. I adds one."

    column: reactive[int] = reactive(0)
    """Index of the highlighted actor column."""

    class ColumnMoved(Message):
        """The highlighted column changed (the header follows it when columns scroll)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.columns: list[ActorRef] = []
        self.first = 0

    def window(self, width: int) -> tuple[int, int, int, int]:
        """``grid_layout`` for this width, remembering where the window of columns is."""
        layout = grid_layout(width, len(self.columns), self.column, self.first)
        self.first = layout[2]
        return layout

    @property
    def actor(self) -> ActorRef | None:
        """The highlighted column's actor."""
        if not self.columns:
            return None
        return self.columns[min(self.column, len(self.columns) - 1)]

    @property
    def cell(self) -> Cell | None:
        row: GridRow | None = self.current
        if row is None or not self.columns:
            return None
        column = min(self.column, len(self.columns) - 1)
        return row.cells[column] if column < len(row.cells) else None

    #: positions marked with space; drawn in place of the cell's right border
    marked_positions: frozenset[int] = frozenset()

    def action_column(self, step: int) -> None:
        if self.columns:
            self.column = (self.column + step) % len(self.columns)
            self.refresh()
            row = self.current
            if row is not None:
                self.post_message(self.Highlighted(self, row))
            self.post_message(self.ColumnMoved())

    def render_row(self, row: GridRow, width: int, selected: bool, index: int) -> Text:
        issue_w, cell_w, first, shown = self.window(width)
        text = Text()
        here = row_presence(self, row)  # ✎maria / ·bo: a colleague is on this issue
        title_w = max(issue_w - 1 - here.cell_len, 1)
        if row.review == "suggested":  # an issue read from an article's table
            title, title_style = "? " + row.title, "bold italic yellow"
        else:
            title, title_style = row.title, "bold"
        if here:
            text.append(fit(title, title_w), style=title_style)
            text.append_text(here)
            text.append(" ", style=title_style)
        else:
            text.append(fit(title, title_w) + " ", style=title_style)
        for n in range(first, min(first + shown, len(row.cells))):
            cell = row.cells[n]
            reverse = " reverse" if selected and n == self.column else ""
            if cell is None:
                text.append(f"{'—':<{cell_w - 1}}", style="dim" + reverse)
                text.append("│", style="dim")
                continue
            # ↺ history; ? a suggestion waits for review (a/d in this pane)
            mark = "?" if cell.suggested else ("↺" if cell.history > 1 else " ")
            if cell_w >= 18:  # room for the as-of date; narrower grids show it below
                tail = f" {mark}" + (cell.as_of.strftime("%d %b") if cell.as_of else "   ?  ")
            else:
                tail = mark
            marks = cell_marks(cell)
            summary = ("? " if cell.tentative else "") + cell.summary
            style = ("italic yellow" if cell.tentative else "") + reverse
            text.append(fit(summary, max(cell_w - 1 - len(tail) - len(marks), 1)), style=style)
            for glyph, mark_style in marks:  # glyphs, not colour alone, tell them apart
                text.append(glyph, style=mark_style + reverse)
            text.append(tail, style=style)
            if cell.position_id in self.marked_positions:  # space marked it (b acts on it)
                text.append("■", style="bold yellow")
            else:
                text.append("│", style="dim")
        return text


class CellScreen(ModalScreen["int | None"]):
    """Enter on a grid cell: the statements behind its current position, the later
    statements that contradict or update them, and the cell's history with the
    statements behind each position. Enter on a statement dismisses with its id (the
    pane shows it in Statements)."""

    DEFAULT_CSS = """
    CellScreen { align: center middle; }
    CellScreen > Vertical {
        width: 92%; max-width: 110; height: 90%;
        border: round $accent; border-title-style: bold; background: $surface; padding: 0 1;
    }
    CellScreen #cell-summary { height: auto; }
    CellScreen #cell-list { height: 1fr; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Close", id="cell.close"),
    ]

    def __init__(self, pane: PositionsPane, issue_id: int, actor_id: int) -> None:
        super().__init__()
        self.pane = pane
        self.issue_id = issue_id
        self.actor_id = actor_id
        self.detail: CellDetail | None = None
        self.items: list[int | None] = []  # statement id per option (None: a heading)
        self.loads = 0  # completed loads, for tests

    def compose(self) -> ComposeResult:
        box = Vertical()
        box.border_title = "Cell"
        box.border_subtitle = "↑↓ move · Enter show in Statements · Esc close"
        with box:
            yield Static("Loading…", id="cell-summary", markup=False)
            yield OptionList(id="cell-list")

    def on_mount(self) -> None:
        self.set_focus(self.query_one(OptionList))
        self.reload()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        forward_failure(self, event)

    def reload(self) -> None:
        from db.views import cell_detail

        engine = self.pane.repo.engine

        def load() -> None:
            detail = cell_detail(engine, self.issue_id, self.actor_id)
            self.app.call_from_thread(self._show, detail)

        self.run_worker(
            load, thread=True, exclusive=True, name="read the cell", exit_on_error=False
        )

    def desk_changed(self, message: Any) -> None:
        """Another editor verified, linked or replaced something here: show it as it is."""
        if message.batch.entities & PositionsPane.WATCHES:
            self.reload()

    def _show(self, detail: CellDetail | None) -> None:
        self.loads += 1
        self.detail = detail
        options = self.query_one(OptionList)
        was = options.highlighted
        options.clear_options()
        self.items = []
        summary = self.query_one("#cell-summary", Static)
        if detail is None:
            summary.update(Text("This cell's issue or actor was removed.", style="dim"))
            return
        # Text, not a str (read as markup): the names are outside text.
        self.query_one(Vertical).border_title = Text(
            f"{clean_line(detail.actor)} on {clean_line(detail.issue)}"
        )
        current = detail.current_position
        head = Text()
        if current is None:
            head.append("No accepted position yet", style="bold")
        else:
            head.append("now ", style="bold green")
            head.append(format_span(current.as_of) if current.as_of else "undated", "bold")
            head.append(f"  {clean_line(current.summary)}")
            verified = any(s.verification == "verified" for s in current.statements)
            if detail.contradicted_by:
                head.append("\n✗ contradicted by a later statement (below)", style="bold red")
            if not verified:
                head.append("\n○ no verified statement backs it", style="bold yellow")
        summary.update(head)

        def heading(text: str) -> None:
            options.add_option(Option(Text(text, style="bold underline"), disabled=True))
            self.items.append(None)

        def statement(found: CellStatement) -> None:
            options.add_option(Option(statement_label(found)))
            self.items.append(found.id)

        if current is not None:
            heading("Backing statements")
            if not current.statements:
                options.add_option(Option(Text("  none recorded", style="dim"), disabled=True))
                self.items.append(None)
            for found in current.statements:
                statement(found)
        if detail.contradicted_by:
            heading("Contradicted or updated later by")
            for found in detail.contradicted_by:
                statement(found)
        heading("History, newest first")
        if not detail.positions:
            options.add_option(Option(Text("  no position recorded", style="dim"), disabled=True))
            self.items.append(None)
        for position in detail.positions:
            line = Text("now " if position.id == detail.current else "was ", style="bold")
            line.append(format_span(position.as_of) if position.as_of else "undated")
            line.append(f"  {clean_line(position.summary)}")
            if position.review != "accepted":
                line.append(f"  [{position.review}]", style="reverse")
            options.add_option(Option(line, disabled=True))
            self.items.append(None)
            if position.id == detail.current:
                continue  # its statements are listed above
            for found in position.statements:
                statement(found)
        selectable = [n for n, item in enumerate(self.items) if item is not None]
        if selectable:
            keep = was if was is not None and was in selectable else selectable[0]
            options.highlighted = keep

    @property
    def current(self) -> int | None:
        index = self.query_one(OptionList).highlighted
        if index is None or not 0 <= index < len(self.items):
            return None
        return self.items[index]

    @on(OptionList.OptionSelected, "#cell-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if 0 <= event.option_index < len(self.items):
            statement_id = self.items[event.option_index]
            if statement_id is not None:
                self.dismiss(statement_id)

    def action_close(self) -> None:
        self.dismiss(None)


def statement_label(found: CellStatement) -> Text:
    """#12 Speaker · 14 Oct 2026 · Outlet · verified, then the text on its own line."""
    # No-break spaces: the indent survives the option list wrapping the line.
    label = Text(f"\u00a0\u00a0#{found.id} ", style="dim")
    label.append(clean_line(found.speaker) or "unnamed", style="bold")
    label.append(f" · {format_span(found.said_on, found.said_until, found.precision)}")
    label.append(f" · {clean_line(found.outlet) or 'no outlet'} · ", style="dim")
    label.append(found.verification, style=VERIFICATION_STYLE.get(found.verification, ""))
    text = clean_line(found.text)
    label.append("\n" + "\u00a0" * 6 + (f"“{text}”" if found.quote else text))
    return label


class PositionsPane(Pane):
    PANE_ID = "positions"
    TITLE = "Positions"
    NUMBER = 3
    # links: a contradicting link changes a cell's marks; actors: names and families
    WATCHES = frozenset({"position", "issue", "actor", "statement", "link"})
    #: a row is an issue; who is on a cell shows on its issue's row
    PRESENCE_ENTITIES = frozenset({"issue"})
    DETAIL_HINT = "Move over a cell to see the actor's positions on that issue over time."

    DEFAULT_CSS = """
    PositionsPane > #grid-legend {
        height: 1;
        background: $panel;
        color: $text-muted;
    }
    PositionsPane > #grid-groups {
        height: 1;
        background: $panel;
        display: none;
    }
    PositionsPane > #grid-groups.-shown {
        display: block;
    }
    PositionsPane > #grid-header {
        height: 1;
        background: $panel;
        text-style: bold;
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self._prefs: GridPrefs | None = None
        self._store: GridPrefsStore | None = None
        self._prefs_lock = threading.Lock()
        self.since: dt.date | None = None  # as the grid on screen counts "changed"
        self._goto: tuple[Any, ...] | None = None

    def compose_header(self) -> ComposeResult:
        yield Static("", id="grid-legend", markup=False)
        yield Static("", id="grid-groups", markup=False)
        yield Static("", id="grid-header", markup=False)

    def make_list(self) -> VirtualList:
        return GridList(id="positions-grid")

    # ---------------------------------------------------------------- the editor's view

    @property
    def prefs_store(self) -> GridPrefsStore:
        from workbench.ui.grid_prefs import GridPrefsStore

        if self._store is None:
            self._store = GridPrefsStore(str(self.repo.engine.url), self.repo.editor)
        return self._store

    @property
    def prefs(self) -> GridPrefs:
        """This editor's columns and "changed since" day (read once, then kept here)."""
        if self._prefs is None:
            self._prefs = self.prefs_store.load()
        return self._prefs

    def _save_prefs(self) -> None:
        """Write the view off the UI thread. Each write takes the view as it is when it
        runs, one at a time, so saves finishing out of order still leave the latest."""
        from dataclasses import replace

        store = self.prefs_store

        def save() -> None:
            with self._prefs_lock:
                store.save(replace(self.prefs))

        self.run_worker(
            save,
            thread=True,
            group="grid-prefs",
            name="save your grid view",
            exit_on_error=False,
        )

    def make_view(self) -> PagedView:
        from db.views import GridView, grid_columns

        # Columns are read once per (re)build: a new actor column appears on reload.
        prefs = self.prefs  # the first build reads the file here, off the UI thread
        columns = grid_columns(self.repo.engine, chosen=prefs.columns)
        return GridView(self.repo.engine, columns, since=prefs.since)

    def on_pane_view_ready(self, message: Pane.ViewReady) -> None:
        message.stop()
        message.prevent_default()  # shown here, then moved to a new issue if one waits
        grid = self.query_one(GridList)
        grid.columns = list(getattr(message.view, "columns", []))
        self.since = getattr(message.view, "since", None)
        if grid.columns:
            grid.column = min(grid.column, len(grid.columns) - 1)
        self._draw_header()
        grid.set_view(message.view)
        if self._goto is not None:
            grid.goto_key(self._goto)
            self._goto = None

    def on_resize(self) -> None:
        self._draw_header()

    @on(GridList.ColumnMoved)
    def _column_moved(self, message: GridList.ColumnMoved) -> None:
        message.stop()
        self._draw_header()

    def legend(self, width: int = 0) -> Text:
        """Which glyph is which mark, with the day "changed" counts from; the older
        marks (↺ history, ? suggestion) only when ``width`` leaves room for them."""
        text = Text()
        for n, (flag, glyph, style, words) in enumerate(MARKS):
            if n:
                text.append(" · ")
            text.append(glyph, style=style)
            if flag == "changed":
                day = format_span(self.since) if self.since else "… (s picks a day)"
                text.append(f" {words} {day}")
            else:
                text.append(f" {words}")
        extra = " · ↺ history · ? suggestion"
        if not width or text.cell_len + len(extra) <= width:
            text.append(extra)
        return text

    def _draw_header(self) -> None:
        grid = self.query_one(GridList)
        width = grid.scrollable_content_region.width or self.size.width
        self.query_one("#grid-legend", Static).update(self.legend(width))
        if width < 2:  # not laid out yet; drawn again on resize
            return
        issue_w, cell_w, first, shown = grid.window(width)
        columns = grid.columns[first : first + shown]
        hidden_left, hidden_right = first, len(grid.columns) - first - len(columns)
        more = (f"◂{hidden_left} " if hidden_left else "") + (
            f"{hidden_right}▸" if hidden_right else ""
        )
        label = "Issue"
        header = Text(f"{label:<{max(issue_w - 1 - len(more), 0)}}{more} "[:issue_w])
        for actor in columns:
            header.append(fit(actor.name, cell_w - 1) + "│")
        self.query_one("#grid-header", Static).update(header)
        groups = self.query_one("#grid-groups", Static)
        grouped = any(c.grouped for c in grid.columns)
        groups.set_class(grouped, "-shown")
        if grouped:
            groups.update(group_line(columns, issue_w, cell_w))

    def reload_list(self, batch: ChangeBatch) -> None:
        if batch.entities & {"position", "actor"}:
            self.load_view()  # a column may have appeared, been renamed or regrouped
        else:
            self.list.reload()

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "review('accepted')", "Accept", id="positions.accept"),
        Binding("d", "review('dismissed')", "Dismiss", id="positions.dismiss"),
        Binding("c", "columns", "Columns", id="positions.columns"),
        Binding("s", "since", "Changed since", id="positions.since"),
        Binding("p", "new_position", "Position", id="positions.new-position"),
        Binding("e", "edit_position", "Correct position", show=False, id="positions.edit-position"),
        Binding("I", "new_issue", "New issue", show=False, id="positions.new-issue"),
        Binding("i", "edit_issue", "Edit issue", show=False, id="positions.edit-issue"),
        Binding("A", "new_actor", "New actor", show=False, id="positions.new-actor"),
        Binding("E", "edit_actor", "Edit column's actor", show=False, id="positions.edit-actor"),
        Binding("H", "history", "History", show=False, id="positions.history"),
    ]

    # ---------------------------------------------------------------- jumps

    def show_position(self, position_id: int) -> None:
        """Put the cursor on the cell a position is in (a jump from a collection)."""
        repo = self.repo

        def read() -> None:
            position = repo.get("position", position_id)
            issue = repo.get("issue", position.issue_id) if position is not None else None  # type: ignore[attr-defined]
            if position is None or issue is None:
                self.app.call_from_thread(
                    self.notify, "That position is gone.", title=self.TITLE, markup=False
                )
                return
            key = (issue.title, issue.id)  # type: ignore[attr-defined]
            self.app.call_from_thread(self._land_on, key, int(position.actor_id))  # type: ignore[attr-defined]

        self.run_worker(read, thread=True, name="find the position", exit_on_error=False)

    def _land_on(self, key: Any, actor_id: int) -> None:
        grid = self.query_one(GridList)
        grid.goto_key(key)
        index = next((n for n, c in enumerate(grid.columns) if c.id == actor_id), None)
        if index is None:
            self.notify(
                "That actor is not a column here (c chooses the columns).",
                title=self.TITLE,
                markup=False,
            )
            return
        grid.action_column(index - grid.column)

    # ---------------------------------------------------------------- marks

    def mark_identity(self, row: Any) -> tuple[str, int] | None:
        """A grid row is an issue; what is marked is the position in the highlighted cell."""
        grid = self.query_one(GridList)
        cell = grid.cell if row is not None and row is grid.current else None
        return ("position", cell.position_id) if cell is not None else None

    def _marks_changed(self) -> None:
        grid = self.query_one(GridList)
        grid.marked_positions = frozenset(i for _kind, i in self.marks)
        grid.refresh()
        self._show_count()

    def filter_rows(self) -> list[tuple[str, int]]:
        return []  # the grid's rows are issues, not collectable items

    def action_history(self) -> None:
        """``H``: the history of the position the highlighted cell shows (its own edits
        and review; earlier positions of the actor on the issue are in the lower half)."""
        from workbench.ui.history import open_history

        grid = self.query_one(GridList)
        row: GridRow | None = grid.current
        actor, cell = grid.actor, grid.cell
        if row is None or actor is None or cell is None:
            self.notify("No position in this cell.", title=self.TITLE, markup=False)
            return
        title = f"{actor.name} on {row.title}: {cell.summary}"
        open_history(self, self._repo, "position", cell.position_id, title)

    def action_review(self, decision: str) -> None:
        """Accept or dismiss what waits in the highlighted cell (or the issue row itself),
        as the grid shows it: the newest suggestion in the cell at the version read with
        the row, so a colleague's decision made since is never overwritten."""
        grid = self.query_one(GridList)
        row: VersionedGridRow | None = grid.current
        if row is None or not grid.columns:
            return
        column = min(grid.column, len(grid.columns) - 1)
        cell: PendingCell | None = row.cells[column] if column < len(row.cells) else None  # type: ignore[assignment]
        pending = cell.pending if cell is not None else None
        if pending is not None:
            entity, entity_id, version = "position", *pending
        elif row.review == "suggested":
            entity, entity_id, version = "issue", row.id, row.version
        else:
            self.notify("Nothing here waits for review.", title=self.TITLE, markup=False)
            return
        review_as_seen(
            self,
            self.repo,
            entity,
            entity_id,
            version,
            decision,
            title=self.TITLE,
            refresh=self.load_view,  # a column may come or go with the decision
        )

    def detail_identity(self, row: GridRow) -> object:
        return (row.key, self.query_one(GridList).column)

    def detail_loader(self, row: GridRow) -> Callable[[], Text] | None:
        grid = self.query_one(GridList)
        if not grid.columns:
            return None
        actor = grid.columns[min(grid.column, len(grid.columns) - 1)]

        def load() -> Text:
            entries = self.repo.position_history(row.id, actor.id)
            current = entries[0].position.id if entries else None
            changed = self.repo.last_change("position", current) if current else None
            return history_text(row.title, actor.name, entries, changed)

        return load

    # ---------------------------------------------------------------- Enter on a cell

    def on_virtual_list_selected(self, message: VirtualList.Selected) -> None:
        """Enter lists the cell's statements and history; Enter there shows one in
        Statements (as the timeline's jump does)."""
        message.prevent_default()  # the base pane would focus the detail instead
        grid = self.query_one(GridList)
        row: GridRow = message.row
        actor = grid.actor
        if actor is None:
            self.notify("No actor columns yet: c chooses them.", title=self.TITLE, markup=False)
            return

        def chosen(statement_id: int | None) -> None:
            if statement_id is not None:
                self.post_message(self.OpenStatement(statement_id))

        self.app.push_screen(CellScreen(self, row.id, actor.id), chosen)

    # ---------------------------------------------------------------- columns and marks

    def action_columns(self) -> None:
        """``c``: choose and order the actor columns (kept for this editor and desk)."""
        from workbench.ui.grid_prefs import ColumnChooser

        grid = self.query_one(GridList)
        shown = [c.id for c in grid.columns]

        def chosen(order: list[int] | None) -> None:
            if order is None:
                return
            if self.prefs.columns is None and order == shown:
                return  # nothing changed: the desk's default stays a default
            self.prefs.columns = order or None
            self._save_prefs()
            self.load_view()

        self.app.push_screen(ColumnChooser(self.repo, self.prefs.columns or shown), chosen)

    def action_since(self) -> None:
        """``s``: the day the "changed" mark counts from (empty clears it)."""
        from workbench.ui.forms import SinceForm

        def chosen(result: tuple[dt.date | None] | None) -> None:
            if result is None:
                return
            self.prefs.since = result[0]
            self._save_prefs()
            self.load_view()

        self.app.push_screen(SinceForm(self.prefs.since), chosen)

    # ---------------------------------------------------------------- adding and editing

    def _refresh(self) -> None:
        """The grid as stored now (after a save, or a refused one)."""
        self.load_view()

    def _saved(self, what: str) -> Callable[[Any], None]:
        def done(row: Any) -> None:
            if row is None:
                return
            self.notify(what, title=self.TITLE, markup=False)
            self.load_view()

        return done

    def action_new_issue(self) -> None:
        from workbench.ui.forms import IssueForm

        def done(issue: Any) -> None:
            if issue is not None:
                self._goto = (issue.title, issue.id)
                self.load_view()

        self.app.push_screen(IssueForm(self.repo, refresh=self._refresh), done)

    def action_edit_issue(self) -> None:
        from workbench.ui.forms import IssueForm

        row: GridRow | None = self.list.current
        issue = self.repo.get("issue", row.id) if row is not None else None
        if issue is None or getattr(issue, "deleted_at", None) is not None:
            self.notify("No issue here to edit.", title=self.TITLE, markup=False)
            return
        self.app.push_screen(
            IssueForm(self.repo, issue, refresh=self._refresh),  # type: ignore[arg-type]
            self._saved("Issue saved."),
        )

    def action_new_position(self) -> None:
        from workbench.ui.forms import PositionForm

        grid = self.query_one(GridList)
        row: GridRow | None = grid.current
        actor = grid.actor
        if row is None or actor is None:
            self.notify(
                "Pick a cell first (no issues or no actor columns: I adds an issue, "
                "c chooses columns).",
                title=self.TITLE,
                markup=False,
            )
            return
        form = PositionForm(
            self.repo,
            issue=(row.id, row.title),
            actor=(actor.id, actor.name),
            refresh=self._refresh,
        )
        self.app.push_screen(form, self._saved(f"Position of {clean_line(actor.name)} added."))

    def action_edit_position(self) -> None:
        """``e``: correct the position the cell shows (its summary and as-of date); a
        change of position is a new one (``p``), so the old stays in the history."""
        from workbench.ui.forms import PositionForm

        grid = self.query_one(GridList)
        row: GridRow | None = grid.current
        actor, cell = grid.actor, grid.cell
        if row is None or actor is None or cell is None:
            self.notify("No position in this cell yet: p adds one.", title=self.TITLE, markup=False)
            return
        entry = next(
            (
                e
                for e in self.repo.position_history(row.id, actor.id)
                if e.position.id == cell.position_id
            ),
            None,
        )
        if entry is None:
            self.notify("That position is gone; reloaded.", title=self.TITLE, markup=False)
            self.load_view()
            return
        form = PositionForm(
            self.repo,
            issue=(row.id, row.title),
            actor=(actor.id, actor.name),
            position=entry.position,
            backing=tuple(i for i, _text in entry.statements),
            refresh=self._refresh,
        )
        self.app.push_screen(form, self._saved("Position saved."))

    def action_new_actor(self) -> None:
        """``A``: a new actor (with its parent), shown as a column at once."""
        from workbench.ui.forms import ActorForm

        grid = self.query_one(GridList)
        shown = [c.id for c in grid.columns]

        def done(actor: Any) -> None:
            if actor is None:
                return
            self.prefs.columns = [*(self.prefs.columns or shown), int(actor.id)]
            self._save_prefs()
            self.notify(
                f"Added {clean_line(actor.name)} as a column (c changes the columns).",
                title=self.TITLE,
                markup=False,
            )
            self.load_view()

        self.app.push_screen(ActorForm(self.repo, refresh=self._refresh), done)

    def action_edit_actor(self) -> None:
        """``E``: the highlighted column's actor: name, kind, parent."""
        from workbench.ui.forms import ActorForm

        column = self.query_one(GridList).actor
        actor = self.repo.get("actor", column.id) if column is not None else None
        if actor is None or getattr(actor, "deleted_at", None) is not None:
            self.notify("No actor column here to edit.", title=self.TITLE, markup=False)
            return
        parent_id = getattr(actor, "parent_id", None)
        parent = self.repo.get("actor", parent_id) if parent_id is not None else None
        form = ActorForm(
            self.repo,
            actor,  # type: ignore[arg-type]
            parent=getattr(parent, "name", ""),
            refresh=self._refresh,
        )
        self.app.push_screen(form, self._saved("Actor saved."))


def group_line(columns: list[ActorRef], issue_w: int, cell_w: int) -> Text:
    """The line above the actor names: each family's top actor spanning its columns
    ("France ──────" over France │ Élysée │ Macron); blank over a lone actor."""
    text = Text(" " * issue_w)
    n = 0
    while n < len(columns):
        top = columns[n].group_id
        run = 1
        while n + run < len(columns) and columns[n + run].group_id == top:
            run += 1
        span = cell_w * run
        family = columns[n : n + run]
        if any(c.grouped for c in family):
            name = clean_line(family[0].group) or "?"
            label = fit(name, max(span - 3, 1)).rstrip()
            text.append(label + " ", style="bold")
            text.append("─" * max(span - len(label) - 2, 0) + "┐", style="dim")
        else:
            text.append(" " * span)
        n += run
    return text
