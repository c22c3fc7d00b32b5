"""Statements: who said what, when; the lower half shows evidence and links both ways."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.reactive import reactive

from db.rows import PagedView, StatementRow
from workbench.dates import format_short
from workbench.text import clean_line
from workbench.ui.panes.base import Pane
from workbench.ui.render import REVIEW_MARK, VERIFICATION_STYLE, fit
from workbench.ui.virtual_list import VirtualList


class StatementList(VirtualList):
    empty_text = "No statements yet."

    def render_row(self, row: StatementRow, width: int, selected: bool, index: int) -> Text:
        text = Text()
        text.append(
            REVIEW_MARK.get(row.review, " "), style="reverse" if row.review != "accepted" else ""
        )
        if row.orphaned:  # its evidence was lost when the article changed
            text.append("⚠", style="bold red")
        elif row.score is not None and row.review == "suggested":
            text.append("▮" if row.score >= 0.5 else "▯", style="yellow")  # worth checking
        else:
            text.append(" ")
        text.append(f"{format_short(row.said_on, row.said_until, row.precision):<12} ", style="dim")
        text.append(fit(row.speaker or "unnamed", 16) + " ", style="bold")
        if width >= 110:  # room for the outlet that reported it
            text.append(fit(row.outlet or "—", 14) + " ", style="magenta")
        status = f" {row.verification}"
        body = clean_line(row.text)
        text.append(f"“{body}”" if row.quote else body)
        text.truncate(max(width - len(status), 0), overflow="ellipsis", pad=True)
        text.append(status, style=VERIFICATION_STYLE.get(row.verification, ""))
        return text


class StatementsPane(Pane):
    PANE_ID = "statements"
    TITLE = "Statements"
    NUMBER = 2
    WATCHES = frozenset({"statement", "link", "actor", "article", "issue"})

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "review('accepted')", "Accept", id="statements.accept"),
        Binding("d", "review('dismissed')", "Dismiss", id="statements.dismiss"),
        Binding("e", "edit", "Edit", id="statements.edit"),
        Binding("n", "new", "New", id="statements.new"),
        Binding("f", "cycle_filter", "Filter", id="statements.filter"),
        Binding("A", "actors", "Actors", show=False, id="statements.actors"),
    ]

    state: reactive[str] = reactive("all")
    """Which statements show: all, suggested (by check-worthiness), accepted, orphaned…"""

    def action_review(self, decision: str) -> None:
        row: StatementRow | None = self.list.current
        if row is not None:
            self.review_row("statement", row.id, row.review, decision)

    def action_edit(self) -> None:
        row: StatementRow | None = self.list.current
        if row is not None:
            self.app.open_editor(statement_id=row.id)  # type: ignore[attr-defined]

    def action_new(self) -> None:
        self.app.open_editor()  # type: ignore[attr-defined]

    def action_actors(self) -> None:
        from workbench.ui.desk_screens import ActorsScreen

        self.app.push_screen(ActorsScreen(self.repo))

    def action_cycle_filter(self) -> None:
        from db.views import STATEMENT_FILTERS

        index = STATEMENT_FILTERS.index(self.state)
        self.state = STATEMENT_FILTERS[(index + 1) % len(STATEMENT_FILTERS)]

    def watch_state(self, state: str) -> None:
        labels = {
            "all": "",
            "suggested": " · suggestions, most worth checking first",
            "accepted": " · accepted",
            "orphaned": " · evidence lost when the article changed",
            "dismissed": " · dismissed",
        }
        self.border_title = f"{self.NUMBER} {self.TITLE}{labels[state]}"
        if self.is_mounted and self._repo is not None:
            self.load_view()

    DETAIL_HINT = "Highlight a statement to see its evidence and links."

    def make_list(self) -> VirtualList:
        return StatementList(id="statements-list")

    def make_view(self) -> PagedView:
        from db.views import statements_view

        return statements_view(self.repo.engine, state=self.state)

    def detail_loader(self, row: StatementRow) -> Callable[[], Text] | None:
        return self.statement_loader(row.id)

    def show_statement(self, statement_id: int) -> None:
        self.list.goto_key((statement_id,))
