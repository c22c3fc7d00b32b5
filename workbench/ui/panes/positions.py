"""Positions: issues as rows, actors as columns, each cell the latest accepted position.

The lower half shows the highlighted cell's history (every position the actor took on the
issue, newest first) with the statements behind each.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.reactive import reactive
from textual.widgets import Static

from db.rows import ActorRef, GridRow, PagedView
from workbench.ui.panes.base import Pane
from workbench.ui.render import fit, history_text
from workbench.ui.virtual_list import VirtualList

if TYPE_CHECKING:
    from db.changes import ChangeBatch

ISSUE_WIDTH = 0.34  # share of the width for the issue column


def column_widths(width: int, columns: int) -> tuple[int, int]:
    """(issue column, actor column) widths; what the actor columns leave goes to the issue."""
    if columns == 0:
        return max(width, 2), 0
    cell = max(8, (width - max(14, int(width * ISSUE_WIDTH))) // columns)
    return max(14, width - cell * columns), cell


class GridList(VirtualList):
    """Rows are issues; ``column`` is the highlighted actor column."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left,h", "column(-1)", "Prev actor", id="positions.left"),
        Binding("right,l", "column(1)", "Next actor", id="positions.right"),
    ]

    empty_text = "No issues yet."

    column: reactive[int] = reactive(0)
    """Index of the highlighted actor column."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.columns: list[ActorRef] = []

    def action_column(self, step: int) -> None:
        if self.columns:
            self.column = (self.column + step) % len(self.columns)
            self.refresh()
            row = self.current
            if row is not None:
                self.post_message(self.Highlighted(self, row))

    def render_row(self, row: GridRow, width: int, selected: bool, index: int) -> Text:
        issue_w, cell_w = column_widths(width, len(self.columns))
        text = Text()
        if row.review == "suggested":  # an issue read from an article's table
            text.append(fit("? " + row.title, issue_w - 1) + " ", style="bold italic yellow")
        else:
            text.append(fit(row.title, issue_w - 1) + " ", style="bold")
        for n, cell in enumerate(row.cells):
            if cell is None:
                body, style = "—", "dim"
            else:
                # ↺ history; ? a suggestion waits for review (a/d in this pane)
                mark = "?" if cell.suggested else ("↺" if cell.history > 1 else " ")
                summary = ("? " if cell.tentative else "") + cell.summary
                if cell_w >= 18:  # room for the as-of date; narrower grids show it below
                    as_of = cell.as_of.strftime("%d %b") if cell.as_of else "   ?  "
                    body = f"{fit(summary, cell_w - 9)} {mark}{as_of}"
                else:
                    body = f"{fit(summary, cell_w - 2)}{mark}"
                style = "italic yellow" if cell.tentative else ""
            if selected and n == self.column:
                style += " reverse"
            text.append(f"{body[: cell_w - 1]:<{cell_w - 1}}", style=style.strip())
            text.append("│", style="dim")
        return text


class PositionsPane(Pane):
    PANE_ID = "positions"
    TITLE = "Positions"
    NUMBER = 3
    WATCHES = frozenset({"position", "issue", "actor", "statement"})
    DETAIL_HINT = "Move over a cell to see the actor's positions on that issue over time."

    DEFAULT_CSS = """
    PositionsPane > #grid-header {
        height: 1;
        background: $panel;
        text-style: bold;
    }
    """

    def compose_header(self) -> ComposeResult:
        yield Static("", id="grid-header", markup=False)

    def make_list(self) -> VirtualList:
        return GridList(id="positions-grid")

    def make_view(self) -> PagedView:
        from db.views import GridView, grid_columns

        # Columns are read once per (re)build: a new actor column appears on reload.
        return GridView(self.repo.engine, grid_columns(self.repo.engine))

    def on_pane_view_ready(self, message: Pane.ViewReady) -> None:
        grid = self.query_one(GridList)
        grid.columns = list(getattr(message.view, "columns", []))
        self._draw_header()
        super().on_pane_view_ready(message)

    def on_resize(self) -> None:
        self._draw_header()

    def _draw_header(self) -> None:
        grid = self.query_one(GridList)
        width = grid.scrollable_content_region.width or self.size.width
        if width < 2:  # not laid out yet; drawn again on resize
            return
        issue_w, cell_w = column_widths(width, len(grid.columns))
        header = Text(f"{'Issue':<{issue_w - 1}} ")
        for actor in grid.columns:
            header.append(fit(actor.name, cell_w - 1) + "│")
        self.query_one("#grid-header", Static).update(header)

    def reload_list(self, batch: ChangeBatch) -> None:
        if "position" in batch.entities:
            self.load_view()  # a new actor column may have appeared
        else:
            self.list.reload()

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "review('accepted')", "Accept", id="positions.accept"),
        Binding("d", "review('dismissed')", "Dismiss", id="positions.dismiss"),
    ]

    def action_review(self, decision: str) -> None:
        """Accept or dismiss what waits in the highlighted cell (or the issue row itself)."""
        grid = self.query_one(GridList)
        row: GridRow | None = grid.current
        if row is None or not grid.columns:
            return
        actor = grid.columns[min(grid.column, len(grid.columns) - 1)]
        verb = "accept" if decision == "accepted" else "dismiss"

        def work() -> None:
            pending = [
                e.position
                for e in self.repo.position_history(row.id, actor.id)
                if e.position.review == "suggested"
            ]
            if pending:
                self.repo.review("position", pending[0].id, decision)  # type: ignore[arg-type]
            elif row.review == "suggested":
                self.repo.review("issue", row.id, decision)
            else:
                self.app.call_from_thread(
                    self.notify, "Nothing here waits for review.", title="Positions", markup=False
                )

        self.write(work, f"{verb} the suggestion")

    def detail_identity(self, row: GridRow) -> object:
        return (row.key, self.query_one(GridList).column)

    def detail_loader(self, row: GridRow) -> Callable[[], Text] | None:
        grid = self.query_one(GridList)
        if not grid.columns:
            return None
        actor = grid.columns[min(grid.column, len(grid.columns) - 1)]

        def load() -> Text:
            entries = self.repo.position_history(row.id, actor.id)
            return history_text(row.title, actor.name, entries)

        return load
