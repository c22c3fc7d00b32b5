"""Statements: who said what, when; the lower half shows evidence and links both ways."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType

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
    ]

    def action_review(self, decision: str) -> None:
        row: StatementRow | None = self.list.current
        if row is not None:
            self.review_row("statement", row.id, row.review, decision)

    DETAIL_HINT = "Highlight a statement to see its evidence and links."

    def make_list(self) -> VirtualList:
        return StatementList(id="statements-list")

    def make_view(self) -> PagedView:
        from db.views import statements_view

        return statements_view(self.repo.engine)

    def detail_loader(self, row: StatementRow) -> Callable[[], Text] | None:
        return self.statement_loader(row.id)

    def show_statement(self, statement_id: int) -> None:
        self.list.goto_key((statement_id,))
