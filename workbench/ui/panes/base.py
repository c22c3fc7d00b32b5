"""What every pane shares: a virtual list on top, a detail view below, live reloads.

A pane knows which kinds of rows it shows (``WATCHES``); when the change feed reports a
commit touching one of them, the pane reloads its window and its detail, keeping the
cursor on the same item. Details are read in a thread worker and handed back as a Message,
so a slow query never holds a key press.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Static

from db.rows import PagedView
from workbench.ui.virtual_list import VirtualList

if TYPE_CHECKING:
    from db.changes import ChangeBatch
    from db.repo import Repo


class DetailView(VerticalScroll, can_focus=True):
    """The scrollable lower half of a pane: an article, a statement, a cell's history."""

    DEFAULT_CSS = """
    DetailView {
        height: 1fr;
        border-top: hkey $primary 50%;
        padding: 0 1;
        background: $surface;
    }
    DetailView:focus {
        border-top: hkey $accent;
    }
    DetailView > Static {
        width: 1fr;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "scroll_down", "Down", show=False, id="detail.down"),
        Binding("k", "scroll_up", "Up", show=False, id="detail.up"),
    ]

    def compose(self) -> ComposeResult:
        yield Static("", markup=False)

    def show(self, content: Text) -> None:
        self.query_one(Static).update(content)
        self.scroll_home(animate=False)


class Pane(Vertical):
    """Base for the four panes."""

    PANE_ID: ClassVar[str] = ""
    TITLE: ClassVar[str] = ""
    NUMBER: ClassVar[int] = 0
    #: Change-log entity names that make this pane reload.
    WATCHES: ClassVar[frozenset[str]] = frozenset()
    #: Placeholder shown in the detail area before anything is selected.
    DETAIL_HINT: ClassVar[str] = ""

    DEFAULT_CSS = """
    Pane {
        border: round $primary 40%;
        border-title-color: $text-muted;
        height: 1fr;
        width: 1fr;
    }
    Pane:focus-within {
        border: round $accent;
        border-title-color: $text;
        border-title-style: bold;
    }
    Pane > VirtualList {
        height: 1fr;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back_to_list", "List", show=False, id="pane.back"),
    ]

    class OpenStatement(Message):
        """Ask the app to show a statement in the Statements pane."""

        def __init__(self, statement_id: int) -> None:
            super().__init__()
            self.statement_id = statement_id

    class ViewReady(Message, bubble=False):
        def __init__(self, view: PagedView) -> None:
            super().__init__()
            self.view = view

    class DetailReady(Message, bubble=False):
        def __init__(self, token: int, content: Text) -> None:
            super().__init__()
            self.token = token
            self.content = content

    def __init__(self) -> None:
        super().__init__(id=self.PANE_ID)
        self._repo: Repo | None = None
        self._detail_token = 0
        self.border_title = f"{self.NUMBER} {self.TITLE}"

    # ---------------------------------------------------------------- layout

    def make_list(self) -> VirtualList:
        raise NotImplementedError  # each pane supplies its list

    def make_view(self) -> PagedView:
        raise NotImplementedError  # each pane supplies its query

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        yield self.make_list()
        yield DetailView()

    def compose_header(self) -> ComposeResult:
        yield from ()

    @property
    def list(self) -> VirtualList:
        return self.query_one(VirtualList)

    @property
    def detail(self) -> DetailView:
        return self.query_one(DetailView)

    @property
    def repo(self) -> Repo:
        if self._repo is None:
            raise RuntimeError(f"{self.TITLE} pane has no desk yet")
        return self._repo

    def on_mount(self) -> None:
        self.detail.show(Text(self.DETAIL_HINT, style="dim"))

    def attach(self, repo: Repo) -> None:
        """The desk is open: start showing it."""
        self._repo = repo
        self.load_view()

    def load_view(self) -> None:
        """Build the pane's query (in a worker, as it may read the database) and show it."""
        if self._repo is None:
            return
        self.run_worker(self._build_view, thread=True, group=f"view-{self.PANE_ID}")

    def _build_view(self) -> None:
        self.post_message(self.ViewReady(self.make_view()))

    def on_pane_view_ready(self, message: ViewReady) -> None:
        message.stop()
        self.list.set_view(message.view)

    def focus_list(self) -> None:
        self.list.focus()

    def action_back_to_list(self) -> None:
        self.focus_list()

    # ---------------------------------------------------------------- live

    def desk_changed(self, batch: ChangeBatch) -> None:
        if self._repo is not None and batch.entities & self.WATCHES:
            self.list.reload()
            row = self.list.current
            if row is not None:
                self.show_detail(row)

    @on(VirtualList.Reloaded)
    def _update_count(self, message: VirtualList.Reloaded) -> None:
        total = message.list.total or 0
        self.border_title = f"{self.NUMBER} {self.TITLE}"
        self.border_subtitle = f"{total:,}"

    # ---------------------------------------------------------------- details

    @on(VirtualList.Highlighted)
    def _on_highlighted(self, message: VirtualList.Highlighted) -> None:
        if type(message) is VirtualList.Highlighted:
            self.show_detail(message.row)

    def show_detail(self, row: Any) -> None:
        """Load and show the detail for ``row``; subclasses say how with ``detail_for``."""
        self._detail_token += 1
        token = self._detail_token
        loader = self.detail_loader(row)
        if loader is None:
            return

        def work() -> None:
            content = loader()
            self.post_message(self.DetailReady(token, content))

        self.run_worker(work, thread=True, group=f"detail-{self.PANE_ID}", exit_on_error=False)

    def detail_loader(self, row: Any) -> Callable[[], Text] | None:
        return None

    def statement_loader(self, statement_id: int) -> Callable[[], Text]:
        from workbench.ui.render import or_gone, statement_text

        return lambda: or_gone(
            self.repo.statement_detail(statement_id), statement_text, "statement"
        )

    def on_virtual_list_selected(self, message: VirtualList.Selected) -> None:
        """Enter on a row moves into its detail; panes that jump elsewhere override this."""
        self.detail.focus()

    def on_pane_detail_ready(self, message: DetailReady) -> None:
        message.stop()
        if message.token == self._detail_token:
            self.detail.show(message.content)
