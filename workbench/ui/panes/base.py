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
from textual.dom import NoScreen
from textual.message import Message
from textual.widgets import Static
from textual.worker import Worker

from db.rows import PagedView
from workbench.ui.messages import forward_failure
from workbench.ui.presence import also_here, index_others
from workbench.ui.virtual_list import VirtualList

if TYPE_CHECKING:
    from db.changes import ChangeBatch
    from db.presence import Here
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
    DetailView > #detail-presence {
        dock: top;
        height: auto;
        display: none;
        background: $surface;
    }
    DetailView > #detail-presence.-shown {
        display: block;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "scroll_down", "Down", show=False, id="detail.down"),
        Binding("k", "scroll_up", "Up", show=False, id="detail.up"),
    ]

    def compose(self) -> ComposeResult:
        yield Static("", markup=False)
        # After the body (which ``query_one(Static)`` finds), docked above it: who else is
        # at this item stays in sight however far the reader scrolls.
        yield Static("", id="detail-presence", markup=False)

    def show_presence(self, content: Text) -> None:
        """``Also here: maria (editing)``, or nothing when nobody else is here."""
        line = self.query_one("#detail-presence", Static)
        if line.content != content:
            line.update(content)
        line.set_class(bool(content), "-shown")

    def show(self, content: Text, *, same_row: bool = False) -> None:
        """Show ``content``. A live refresh of the row being read (``same_row``) keeps the
        reader's place, and leaves the screen alone when nothing they see has changed."""
        static = self.query_one(Static)
        old = static.content
        if same_row and isinstance(old, Text) and old == content:
            return
        static.update(content)
        if not same_row:
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
    #: Presence entities of this pane's rows (others looking at or editing them are marked).
    PRESENCE_ENTITIES: ClassVar[frozenset[str]] = frozenset()

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
        Binding("space", "toggle_mark", "Mark", show=False, id="pane.mark"),
        Binding("u", "clear_marks", "Clear marks", show=False, id="pane.unmark"),
        Binding("b", "bulk", "Bulk actions", show=False, id="pane.bulk"),
        Binding("plus", "collect", "Add to collection", show=False, id="pane.collect"),
    ]
    #: The pane's filter lists rows a collection can hold ("everything in this filter").
    COLLECTS_FILTER: ClassVar[bool] = False

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
        def __init__(self, token: int, content: Text, same_row: bool) -> None:
            super().__init__()
            self.token = token
            self.content = content
            self.same_row = same_row

    def __init__(self) -> None:
        super().__init__(id=self.PANE_ID)
        self._repo: Repo | None = None
        self._detail_token = 0
        self._shown: Any = None
        #: other sessions at this pane's items, by (entity, id)
        self._others: dict[tuple[str, int], tuple[Here, ...]] = {}
        #: rows marked with space, by (entity, id), in the order they were marked
        self.marks: dict[tuple[str, int], None] = {}
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
        self.run_worker(
            self._build_view,
            thread=True,
            group=f"view-{self.PANE_ID}",
            name=f"load the {self.TITLE} pane",
            exit_on_error=False,
        )

    def _build_view(self) -> None:
        self.post_message(self.ViewReady(self.make_view()))

    def on_pane_view_ready(self, message: ViewReady) -> None:
        message.stop()
        self.list.set_view(message.view)

    def focus_list(self) -> None:
        # At once, not with Widget.focus(), which waits its turn behind keys already
        # queued: "2n" typed in one go must act on the pane "2" went to.
        try:
            self.screen.set_focus(self.list)
        except NoScreen:  # not on a screen yet: let Textual do it when it is
            self.list.focus()

    def action_back_to_list(self) -> None:
        self.focus_list()

    # ---------------------------------------------------------------- live

    def desk_changed(self, batch: ChangeBatch) -> None:
        if self._repo is None or not batch.entities & self.WATCHES:
            return
        self.reload_list(batch)
        row = self.list.current
        if row is not None:
            self.show_detail(row, same_row=True)

    def reload_list(self, batch: ChangeBatch) -> None:
        """Refetch the window; the positions grid also rebuilds its columns."""
        self.list.reload()

    @on(VirtualList.Reloaded)
    def _update_count(self, message: VirtualList.Reloaded) -> None:
        self._show_count()

    def _show_count(self) -> None:
        total = self.list.total or 0
        marked = f" · {len(self.marks)} marked" if self.marks else ""
        self.border_subtitle = f"{total:,}{marked}"

    # ---------------------------------------------------------------- marks and bulk

    def mark_identity(self, row: Any) -> tuple[str, int] | None:
        """The (entity, id) a row stands for when marked; the row's own by default."""
        return self.presence_key(row)

    def current_identity(self) -> tuple[str, int] | None:
        return self.mark_identity(self.list.current) if self.list.current is not None else None

    def is_marked(self, row: Any) -> bool:
        return self.mark_identity(row) in self.marks

    def selection(self) -> list[tuple[str, int]]:
        """What a bulk action acts on: the marked rows, else the highlighted one."""
        if self.marks:
            return list(self.marks)
        current = self.current_identity()
        return [current] if current is not None else []

    def action_toggle_mark(self) -> None:
        """``space``: mark or unmark the highlighted row and move on, so a run of rows is
        marked by holding space."""
        key = self.current_identity()
        if key is None:
            self.notify("Nothing here to mark.", title=self.TITLE, markup=False)
            return
        if key in self.marks:
            del self.marks[key]
        else:
            self.marks[key] = None
        self._marks_changed()
        self.list.action_cursor_down()

    def action_clear_marks(self) -> None:
        if self.marks:
            self.marks.clear()
            self._marks_changed()

    def _marks_changed(self) -> None:
        self.list.is_marked = self.is_marked if self.marks else None
        self.list.refresh()
        self._show_count()

    def filter_rows(self) -> list[tuple[str, int]]:
        """Every row the current filter lists, as (entity, id): read in a worker."""
        from workbench.ui.bulk import rows_of_view

        view = self.list.view
        return [] if view is None else rows_of_view(view, self.mark_identity)

    def action_bulk(self) -> None:
        """``b``: act on the marked rows (or the highlighted one)."""
        from workbench.ui.bulk import BulkMenu, applicable, describe

        selection = self.selection()
        if self._repo is None or (not selection and not self.COLLECTS_FILTER):
            self.notify("Nothing to act on here.", title=self.TITLE, markup=False)
            return
        actions = applicable(selection, from_filter=self.COLLECTS_FILTER)
        if not actions:
            self.notify("No bulk action applies to these rows.", title=self.TITLE, markup=False)
            return

        def chosen(action: Any) -> None:
            if action is not None:
                self._bulk(action, selection)

        self.app.push_screen(BulkMenu(describe(selection), actions, bool(self.marks)), chosen)

    def action_collect(self) -> None:
        """``+``: add the marked rows (or the highlighted one) to a collection."""
        from workbench.ui.bulk import ACTIONS

        selection = self.selection()
        if self._repo is None or not selection:
            self.notify("Nothing here to add.", title=self.TITLE, markup=False)
            return
        self._bulk(next(a for a in ACTIONS if a.id == "collect"), selection)

    def _bulk(self, action: Any, selection: list[tuple[str, int]]) -> None:
        from workbench.ui.bulk import ask_for, run_bulk

        repo = self.repo

        def answered(value: str | None) -> None:
            if value is None:
                return
            rows = self.filter_rows if action.id == "collect-filter" else None

            def work() -> None:
                said = run_bulk(repo, action, value, selection, rows)
                self.app.call_from_thread(self._bulk_done, said, action.id)

            self.write(work, action.label.rstrip("…").lower())

        ask_for(self, repo, action, answered)

    def _bulk_done(self, said: str, action_id: str) -> None:
        """Marks are spent once their action landed (a refused one keeps them)."""
        self.notify(said, title=self.TITLE, markup=False)
        if action_id != "collect-filter" and self.marks:
            self.marks.clear()
            self._marks_changed()
        self.list.reload()

    # ---------------------------------------------------------------- details

    # ---------------------------------------------------------------- presence

    def presence_key(self, row: Any) -> tuple[str, int] | None:
        """The (entity, id) a row stands for, as sessions report where they are."""
        if row is None or len(self.PRESENCE_ENTITIES) != 1:
            return None
        return next(iter(self.PRESENCE_ENTITIES)), int(row.id)

    def others_on(self, row: Any) -> tuple[tuple[Here, ...], str]:
        """Other sessions at ``row`` (editing first), and this editor's name; the lists
        draw a mark from it, so a redraw costs a dict lookup per visible row."""
        key = self.presence_key(row)
        me = self._repo.editor if self._repo is not None else ""
        return (self._others.get(key, ()) if key is not None else ()), me

    def presence_changed(self, others: tuple[Here, ...]) -> None:
        """Where the other sessions are now: redraw the marks and the detail's line, only
        when something this pane shows moved."""
        mine = index_others(others, self.PRESENCE_ENTITIES)
        if mine == self._others or not self.is_mounted:
            return
        self._others = mine
        self.list.refresh()
        self._show_presence(self.list.current)

    def _show_presence(self, row: Any) -> None:
        heres, me = self.others_on(row)
        self.detail.show_presence(also_here(heres, me))

    @on(VirtualList.Highlighted)
    def _on_highlighted(self, message: VirtualList.Highlighted) -> None:
        if type(message) is VirtualList.Highlighted:
            self.show_detail(message.row, same_row=self._shown == self.detail_identity(message.row))
            self._show_presence(message.row)

    def show_detail(self, row: Any, *, same_row: bool = False) -> None:
        """Load and show the detail for ``row``; subclasses say how with ``detail_loader``."""
        self._detail_token += 1
        token = self._detail_token
        self._shown = self.detail_identity(row)
        loader = self.detail_loader(row)
        if loader is None:
            return

        def work() -> None:
            content = loader()
            self.post_message(self.DetailReady(token, content, same_row))

        self.run_worker(
            work,
            thread=True,
            group=f"detail-{self.PANE_ID}",
            name="show the details",
            exit_on_error=False,
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        forward_failure(self, event)

    def write(self, action: Callable[[], object], what: str) -> None:
        """Run a repository write off the UI thread; a refusal (conflict, read-only, lock
        timeout) is reported by the app as a notification and the session goes on."""
        self.run_worker(action, thread=True, group="write", name=what, exit_on_error=False)

    def detail_loader(self, row: Any) -> Callable[[], Text] | None:
        return None

    def detail_identity(self, row: Any) -> Any:
        """What the detail shows; when it stays the same across a refresh, the reader's
        scroll position stays too."""
        return row.key

    def statement_loader(self, statement_id: int) -> Callable[[], Text]:
        from workbench.ui.render import or_gone, statement_text

        def load() -> Text:
            detail = self.repo.statement_detail(statement_id)
            changed = self.repo.last_change("statement", statement_id) if detail else None
            return or_gone(detail, lambda found: statement_text(found, changed), "statement")

        return load

    def on_virtual_list_selected(self, message: VirtualList.Selected) -> None:
        """Enter on a row moves into its detail; panes that jump elsewhere override this."""
        self.detail.focus()

    def on_pane_detail_ready(self, message: DetailReady) -> None:
        message.stop()
        if message.token == self._detail_token:
            self.detail.show(message.content, same_row=message.same_row)
