"""Feed: incoming articles, newest first, triaged by key; the lower half reads the article.

Triage keys act on the highlighted article and move on to the next, so a desk can clear an
inbox without touching anything but the keyboard. Fetching runs in a thread worker with a
progress bar; new articles arrive through the live feed like anyone else's changes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import ProgressBar, Static

from db.rows import FeedRow, PagedView
from workbench.text import clean_line
from workbench.ui.panes.base import Pane
from workbench.ui.presence import row_presence
from workbench.ui.render import article_text, fit, or_gone, when_short
from workbench.ui.virtual_list import VirtualList

if TYPE_CHECKING:
    from db.changes import ChangeBatch

TRIAGE_MARK = {"new": " ", "relevant": "✓", "not_relevant": "✗", "needs_check": "?"}
MATCH_MARK = {"possible": "≈", "same": "="}
FILTER_LABEL = {
    "inbox": "inbox",
    "unread": "unread",
    "new": "not triaged",
    "relevant": "relevant",
    "needs_check": "needs check",
    "starred": "starred",
    "mine": "assigned to me",
    "not_relevant": "not relevant",
    "all": "everything",
}


class FeedList(VirtualList):
    empty_text = "No articles here. Fetch feeds with R, or load the demo: `workbench demo`."

    def render_row(self, row: FeedRow, width: int, selected: bool, index: int) -> Text:
        text = Text()
        text.append("●" if not row.is_read else " ", style="cyan")
        text.append(TRIAGE_MARK.get(row.triage, " "))
        text.append("★" if row.starred else " ", style="yellow")
        text.append("!" if row.priority > 0 else " ", style="bold red")
        text.append(MATCH_MARK.get(row.match_kind or "", " "), style="magenta")
        text.append(f" {when_short(row.sort_at)} ", style="dim")
        text.append(fit(row.outlet, 14) + " ", style="magenta")
        text.append(clean_line(row.title), style="" if row.is_read else "bold")
        tail = row_presence(self, row)  # ✎maria / ·bo: a colleague is at this article
        if row.rule_hits:
            tail.append(" ⚑", style="yellow")
        if row.assignee:
            tail.append(f" @{fit(row.assignee, 8).rstrip()}", style="green")
        if row.statements:
            tail.append(f" ◆{row.statements}", style="cyan")
        if tail:
            text.truncate(max(width - tail.cell_len, 0), overflow="ellipsis", pad=True)
            text.append_text(tail)
        return text


class FeedPane(Pane):
    PANE_ID = "feed"
    TITLE = "Feed"
    NUMBER = 1
    WATCHES = frozenset({"article", "source", "statement", "article_table"})
    PRESENCE_ENTITIES = frozenset({"article"})
    DETAIL_HINT = "Highlight an article to read it here; Enter moves into the text."

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "toggle_read", "Read", id="feed.toggle-read"),
        Binding("y", "triage('relevant')", "Relevant", id="feed.relevant"),
        Binding("n", "triage('not_relevant')", "Not relevant", id="feed.not-relevant"),
        Binding("c", "triage('needs_check')", "Check", id="feed.needs-check"),
        Binding("s", "star", "Star", show=False, id="feed.star"),
        Binding("m", "assign_me", "Assign to me", show=False, id="feed.assign-me"),
        Binding("f", "cycle_filter", "Filter", id="feed.filter"),
        Binding("o", "pick_source", "Source", show=False, id="feed.source"),
        Binding("R", "fetch", "Fetch", id="feed.fetch"),
        Binding("S", "sources", "Sources", show=False, id="feed.sources"),
        Binding("K", "rules", "Rules", show=False, id="feed.rules"),
        Binding("H", "history", "History", show=False, id="feed.history"),
    ]

    DEFAULT_CSS = """
    FeedPane > #feed-bar {
        height: 1;
        background: $panel;
    }
    FeedPane #feed-filter {
        width: 1fr;
        color: $text-muted;
    }
    FeedPane #feed-progress {
        width: 40;
        display: none;
    }
    FeedPane.-fetching #feed-progress {
        display: block;
    }
    """

    state: reactive[str] = reactive("inbox")
    """Which articles the list shows (see ``db.views.FEED_FILTERS``)."""

    class FetchProgress(Message, bubble=False):
        def __init__(self, done: int, total: int, what: str) -> None:
            super().__init__()
            self.done, self.total, self.what = done, total, what

    class FetchDone(Message, bubble=False):
        def __init__(self, report: object) -> None:
            super().__init__()
            self.report = report

    def __init__(self) -> None:
        super().__init__()
        self.source_id: int | None = None
        self.source_name = "all sources"
        self.failing = 0  # sources whose last fetch failed
        #: set when the session ends, so a running fetch stops instead of holding the exit
        self._cancel_fetch = threading.Event()

    def compose_header(self) -> ComposeResult:
        with Horizontal(id="feed-bar"):
            yield Static("", id="feed-filter", markup=False)
            yield ProgressBar(id="feed-progress", show_eta=False)

    def on_mount(self) -> None:
        super().on_mount()
        self.call_after_refresh(self._show_filter)

    def on_unmount(self) -> None:
        self._cancel_fetch.set()

    def make_list(self) -> VirtualList:
        return FeedList(id="feed-list")

    def make_view(self) -> PagedView:
        from db.views import feed_view

        self.failing = self.repo.failing_sources()  # read in the same worker as the view
        return feed_view(
            self.repo.engine, editor=self.repo.editor, source_id=self.source_id, state=self.state
        )

    def detail_loader(self, row: FeedRow) -> Callable[[], Text] | None:
        return lambda: or_gone(self.repo.article_detail(row.id), article_text, "article")

    # ------------------------------------------------------------------ reading & triage

    def on_pane_view_ready(self, message: Pane.ViewReady) -> None:
        super().on_pane_view_ready(message)
        self._show_filter()

    def reload_list(self, batch: ChangeBatch) -> None:
        if "source" in batch.entities:
            self.load_view()  # a fetch's outcome may change the failing count
        else:
            self.list.reload()

    def on_virtual_list_selected(self, message: VirtualList.Selected) -> None:
        """Enter opens the reader: sentence by sentence, where statements are made."""
        message.prevent_default()  # not the base pane's "focus the detail"
        row: FeedRow = message.row
        # A viewer's desk refuses every write, their read marks included: opening an
        # article must not greet them with a refusal each time (r still says why).
        if not row.is_read and getattr(self.app, "can_write", True):
            self.write(lambda: self.repo.mark_read(row.id), "mark as read")
        self.app.open_reader(row.id)  # type: ignore[attr-defined]

    def action_history(self) -> None:
        """``H``: the article's history (triage, stars, assignments, updates), newest first."""
        from workbench.ui.history import open_history

        row: FeedRow | None = self.list.current
        if row is not None:
            open_history(self, self._repo, "article", row.id, row.title)

    def action_toggle_read(self) -> None:
        row = self.list.current
        if row is None:
            return
        verb = "mark as unread" if row.is_read else "mark as read"
        self.write(lambda: self.repo.mark_read(row.id, not row.is_read), verb)

    def action_triage(self, state: str) -> None:
        row = self.list.current
        if row is None:
            return
        value = "new" if row.triage == state else state  # the same key again undoes it
        self.write(lambda: self.repo.set_triage(row.id, value), f"mark as {value}")
        self.list.action_cursor_down()

    def action_star(self) -> None:
        row = self.list.current
        if row is not None:
            self.write(lambda: self.repo.set_starred(row.id, not row.starred), "star")

    def action_assign_me(self) -> None:
        row = self.list.current
        if row is None:
            return
        me = self.repo.editor
        who = None if row.assignee == me else me
        self.write(lambda: self.repo.assign(row.id, who), "assign")

    # ------------------------------------------------------------------ filters

    def action_cycle_filter(self) -> None:
        from db.views import FEED_FILTERS

        self.state = FEED_FILTERS[(FEED_FILTERS.index(self.state) + 1) % len(FEED_FILTERS)]

    def watch_state(self) -> None:
        if self.is_mounted:
            self._show_filter()
            self.load_view()

    def set_source(self, source_id: int | None, name: str) -> None:
        self.source_id, self.source_name = source_id, name
        self._show_filter()
        self.load_view()

    def _show_filter(self) -> None:
        label = Text(" Showing: ", style="dim")
        label.append(FILTER_LABEL[self.state], style="bold")
        label.append(" · ", style="dim")
        label.append(clean_line(self.source_name), style="bold")
        if self.failing:
            noun = "source" if self.failing == 1 else "sources"
            label.append(f"   ⚠ {self.failing} {noun} failing (S)", style="bold red")
        label.append("   f filter · o source · S sources · K rules", style="dim")
        self.query_one("#feed-filter", Static).update(label)

    def action_pick_source(self) -> None:
        from workbench.ui.screens import SourcePicker

        def chosen(choice: tuple[int | None, str] | None) -> None:
            if choice is not None:
                self.set_source(*choice)

        self.app.push_screen(SourcePicker(self.repo), chosen)

    def action_sources(self) -> None:
        from workbench.ui.screens import SourcesScreen

        self.app.push_screen(SourcesScreen(self.repo))

    def action_rules(self) -> None:
        from workbench.ui.screens import RulesScreen

        self.app.push_screen(RulesScreen(self.repo, getattr(self.app, "config", None)))

    # ------------------------------------------------------------------ fetching

    def action_fetch(self) -> None:
        if self.has_class("-fetching"):
            self.notify("A fetch is already running.", title="Fetch", markup=False)
            return
        from workbench.config import Config

        config = getattr(self.app, "config", None) or Config(editor=self.repo.editor)
        self.add_class("-fetching")
        self.query_one(ProgressBar).update(total=None, progress=0)

        def work() -> None:
            from workbench.ingest.pipeline import fetch_feeds

            def progress(done: int, total: int, what: str) -> None:
                self.post_message(self.FetchProgress(done, total, what))

            try:
                report = fetch_feeds(
                    self.repo, config, progress=progress, cancel=self._cancel_fetch
                )
            finally:
                self.call_later(self.remove_class, "-fetching")
            self.post_message(self.FetchDone(report))

        self.run_worker(work, thread=True, group="fetch", name="fetch feeds", exit_on_error=False)

    @on(FetchProgress)
    def _fetch_progress(self, message: FetchProgress) -> None:
        self.query_one(ProgressBar).update(total=message.total, progress=message.done)

    @on(FetchDone)
    def _fetch_done(self, message: FetchDone) -> None:
        report = message.report
        self.remove_class("-fetching")
        lines = [str(report.summary())]  # type: ignore[attr-defined]
        for failure in report.failed[:3]:  # type: ignore[attr-defined]
            lines.append(failure["error"])
        if len(report.failed) > 3:  # type: ignore[attr-defined]
            lines.append(f"… and {len(report.failed) - 3} more (S lists sources)")  # type: ignore[attr-defined]
        severity = "warning" if report.failed else "information"  # type: ignore[attr-defined]
        self.notify("\n".join(lines), title="Fetch", severity=severity, markup=False)
