"""Timeline: events and dated statements on one axis, ranges and fuzzy dates shown as such."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType

from db.rows import PagedView, TimelineRow
from workbench.dates import format_span
from workbench.text import clean_line
from workbench.ui.panes.base import Pane
from workbench.ui.render import VERIFICATION_STYLE, event_text, or_gone
from workbench.ui.virtual_list import VirtualList

GUTTER = 12


class TimelineList(VirtualList):
    empty_text = "No dated events or statements yet."

    def render_row(self, row: TimelineRow, width: int, selected: bool, index: int) -> Text:
        previous = self._rows.get(index - 1)
        text = Text()
        top = index == int(self.scroll_y)  # the first visible row always says its day
        if top or previous is None or previous.date != row.date:
            day = row.date.strftime("%d %b %Y")
            if row.precision == "month":
                day = row.date.strftime("%b %Y")
            elif row.precision == "year":
                day = str(row.date.year)
            elif row.precision == "approximate":
                day = "~" + day
            text.append(f"{day:>{GUTTER}} ", style="bold")
        else:
            text.append(" " * (GUTTER + 1))
        ranged = row.date_end is not None and row.date_end != row.date
        text.append("├" if ranged else "│", style="dim")
        if row.kind == "event":
            text.append(" ● ", style="bold magenta")
            text.append(clean_line(row.title), style="bold")
            if row.review == "suggested":
                text.append(" [suggested]", style="reverse")
        else:
            text.append(" ◆ ", style=VERIFICATION_STYLE.get(row.status, ""))
            text.append(f"{clean_line(row.who) or 'unnamed'}: ", style="bold")
            text.append(clean_line(row.title))
        if ranged or row.precision != "day":
            span = f" ⟨{format_span(row.date, row.date_end, row.precision)}⟩"
            room = width - len(span)
            if room - (GUTTER + 4) >= 16:  # never at the cost of the title itself
                text.truncate(room, overflow="ellipsis", pad=True)
                text.append(span, style="cyan")
        return text


class TimelinePane(Pane):
    PANE_ID = "timeline"
    TITLE = "Timeline"
    NUMBER = 4
    WATCHES = frozenset({"event", "statement"})

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "review('accepted')", "Accept", id="timeline.accept"),
        Binding("d", "review('dismissed')", "Dismiss", id="timeline.dismiss"),
    ]

    def action_review(self, decision: str) -> None:
        row: TimelineRow | None = self.list.current
        if row is not None:
            self.review_row(row.kind, row.id, row.review, decision)

    DETAIL_HINT = "Highlight an event; Enter on a statement opens it in Statements."

    def make_list(self) -> VirtualList:
        return TimelineList(id="timeline-list")

    def make_view(self) -> PagedView:
        from db.views import timeline_view

        return timeline_view(self.repo.engine)

    def detail_loader(self, row: TimelineRow) -> Callable[[], Text] | None:
        if row.kind == "event":
            return lambda: or_gone(
                self.repo.event_detail(row.id), lambda found: event_text(*found), "event"
            )
        return self.statement_loader(row.id)

    def on_virtual_list_selected(self, message: VirtualList.Selected) -> None:
        message.prevent_default()  # the base pane would focus the detail as well
        row: TimelineRow = message.row
        if row.kind == "statement":
            self.post_message(self.OpenStatement(row.id))
        else:
            self.detail.focus()
