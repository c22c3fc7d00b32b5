"""Feed: incoming articles, newest first; the lower half reads the highlighted article."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType

from db.rows import FeedRow, PagedView
from workbench.text import clean_line
from workbench.ui.panes.base import Pane
from workbench.ui.render import article_text, fit, or_gone, when_short
from workbench.ui.virtual_list import VirtualList

TRIAGE_MARK = {"new": " ", "relevant": "✓", "not_relevant": "✗", "needs_check": "?"}


class FeedList(VirtualList):
    empty_text = "No articles yet. Load the demo desk with `workbench demo`."

    def render_row(self, row: FeedRow, width: int, selected: bool, index: int) -> Text:
        text = Text()
        text.append("●" if not row.is_read else " ", style="cyan")
        text.append(TRIAGE_MARK.get(row.triage, " "))
        text.append("★" if row.starred else " ", style="yellow")
        text.append(f" {when_short(row.sort_at)} ", style="dim")
        text.append(fit(row.outlet, 14) + " ", style="magenta")
        text.append(clean_line(row.title), style="" if row.is_read else "bold")
        if row.statements:
            count = f" ◆{row.statements}"
            text.truncate(max(width - len(count), 0), overflow="ellipsis", pad=True)
            text.append(count, style="cyan")
        return text


class FeedPane(Pane):
    PANE_ID = "feed"
    TITLE = "Feed"
    NUMBER = 1
    WATCHES = frozenset({"article", "source", "statement"})
    DETAIL_HINT = "Highlight an article to read it here; Enter moves into the text."

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "toggle_read", "Read/unread", id="feed.toggle-read"),
    ]

    def make_list(self) -> VirtualList:
        return FeedList(id="feed-list")

    def make_view(self) -> PagedView:
        from db.views import feed_view

        return feed_view(self.repo.engine)

    def detail_loader(self, row: FeedRow) -> Callable[[], Text] | None:
        return lambda: or_gone(self.repo.article_detail(row.id), article_text, "article")

    def action_toggle_read(self) -> None:
        row = self.list.current
        if row is None:
            return
        verb = "mark as unread" if row.is_read else "mark as read"
        self.write(lambda: self.repo.mark_read(row.id, not row.is_read), verb)
