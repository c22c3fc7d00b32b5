"""A list over a paged query that shows any number of rows at once.

Textual's ``DataTable`` keeps every row as widgets-worth of state and re-measures on add:
seconds and hundreds of MB at 100k rows. This is a ``ScrollView`` whose virtual height is
the row count and whose ``render_line`` draws from a window cache. A thread worker fills
the cache from the database, by key (``page(after=…)``) when the window touches rows it
already holds and by one offset lookup when the user jumps. Rows outside the cache cost
nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.worker import Worker, get_current_worker

from db.rows import Key, PagedView
from workbench.ui.messages import forward_failure

#: Rows fetched above and below the viewport, so scrolling a screen never waits.
MARGIN = 60


@dataclass(frozen=True)
class _Window:
    generation: int
    start: int
    rows: list[Any]
    total: int | None = None
    cursor: int | None = None


class VirtualList(ScrollView, can_focus=True):
    """A cursor over the rows of a ``PagedView``; subclasses draw a row with ``render_row``."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "cursor_down", "Down", show=False, id="list.down"),
        Binding("up,k", "cursor_up", "Up", show=False, id="list.up"),
        Binding("pagedown,ctrl+f", "page_down", "Page down", show=False, id="list.page-down"),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False, id="list.page-up"),
        Binding("home,g", "first", "First", show=False, id="list.first"),
        Binding("end,G", "last", "Last", show=False, id="list.last"),
        Binding("enter", "select", "Open", id="list.open"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "virtual-list--cursor",
        "virtual-list--placeholder",
    }

    DEFAULT_CSS = """
    VirtualList {
        height: 1fr;
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-size-vertical: 1;
        background: $surface;
    }
    VirtualList > .virtual-list--cursor {
        background: $boost;
        text-style: bold;
    }
    VirtualList:focus > .virtual-list--cursor {
        background: $accent 40%;
        text-style: bold;
    }
    VirtualList > .virtual-list--placeholder {
        color: $text-muted;
    }
    """

    cursor: reactive[int] = reactive(0, repaint=False)
    """Index of the highlighted row."""

    total: reactive[int | None] = reactive(None, repaint=False)
    """Row count, or None before the first count arrives."""

    class Highlighted(Message):
        """The cursor is on a (loaded) row."""

        def __init__(self, sender: VirtualList, row: Any) -> None:
            super().__init__()
            self.list = sender
            self.row = row

        @property
        def control(self) -> VirtualList:
            return self.list

    class Selected(Highlighted):
        """Enter was pressed on a row."""

    class WindowLoaded(Message, bubble=False):
        """A worker's rows, handed back to the UI thread."""

        def __init__(self, window: _Window, replace: bool) -> None:
            super().__init__()
            self.window = window
            self.replace = replace

    class Reloaded(Message):
        """A (re)load finished; tests and panes wait on it instead of sleeping."""

        def __init__(self, sender: VirtualList) -> None:
            super().__init__()
            self.list = sender

        @property
        def control(self) -> VirtualList:
            return self.list

    empty_text = "Nothing here yet."
    #: Set by the pane while rows are marked (space): draws a mark column; None otherwise,
    #: so an unmarked list looks and costs exactly as before.
    is_marked: Callable[[Any], bool] | None = None

    def __init__(self, *, name: str | None = None, id: str | None = None) -> None:
        super().__init__(name=name, id=id)
        self.view: PagedView | None = None
        self._rows: dict[int, Any] = {}
        self._generation = 0
        self._loading: tuple[int, int] | None = None
        self._announced: Any = None
        self.loads = 0  # completed loads, for tests

    # ------------------------------------------------------------------ data

    def set_view(self, view: PagedView) -> None:
        """Show ``view``; replacing a view keeps the cursor on the same row, if the new one
        is keyed the same way (a filter by score has other keys than one by date)."""
        old = self.view
        keep = old is not None and getattr(old, "ordering", None) == getattr(view, "ordering", None)
        self.view = view
        self.reload(keep_cursor=keep)

    def reload(self, *, keep_cursor: bool = True) -> None:
        """Recount and refetch the visible window, keeping the cursor on the same row."""
        if self.view is None:
            return
        self._generation += 1
        generation, key = self._generation, self.current_key if keep_cursor else None
        cursor, height = self.cursor, self.size.height
        self._loading = None
        self.run_worker(
            lambda: self._reload_window(generation, key, cursor, height),
            thread=True,
            exclusive=True,
            group=f"reload-{id(self)}",
            name="load the list",
            exit_on_error=False,
        )

    @property
    def current(self) -> Any:
        return self._rows.get(self.cursor)

    @property
    def current_key(self) -> Key | None:
        row = self.current
        return row.key if row is not None else None

    @property
    def loaded_rows(self) -> list[Any]:
        """Rows in the cache, in order (for tests and for panes that inspect the window)."""
        return [self._rows[i] for i in sorted(self._rows)]

    def _reload_window(self, generation: int, key: Key | None, cursor: int, height: int) -> None:
        view = self.view
        assert view is not None
        total = view.count()
        if key is not None:
            before = view.page(before=key, limit=MARGIN)
            anchor = before[-1].key if before else None
            after = (
                view.page(after=anchor, limit=height + MARGIN)
                if before
                else view.page(limit=height + MARGIN)
            )
            start = view.index_of(key) - len(before)
            rows = before + after
            index = start + len(before)
        else:
            index = min(cursor, max(total - 1, 0))
            start = max(0, index - MARGIN)
            rows = self._page_from(view, start, index - start + height + MARGIN, total)
        if get_current_worker().is_cancelled:
            return
        window = _Window(generation, max(start, 0), rows, total, min(index, max(total - 1, 0)))
        self.post_message(self.WindowLoaded(window, True))

    @staticmethod
    def _page_from(view: PagedView, start: int, limit: int, total: int) -> list[Any]:
        """Rows from offset ``start``. The ends are keyset pages read from either side; only
        a jump into the middle pays for one offset lookup (of a key, from the index)."""
        if start == 0:
            return view.page(limit=limit)
        if start + limit >= total:  # the window reaches the end: read it backwards
            return view.page(before=None, limit=total - start, from_end=True)
        anchor = VirtualList._key_at(view, start - 1, total)
        return [] if anchor is None else view.page(after=anchor, limit=limit)

    @staticmethod
    def _key_at(view: PagedView, index: int, total: int) -> Key | None:
        """The key of the row at ``index``, counted from the nearer end: an offset lookup
        walks the index that far, so a jump near the end of a million rows walks a few
        instead of a million (views without ``key_from_end`` count from the start)."""
        from_end = getattr(view, "key_from_end", None)
        if from_end is not None and index > total // 2:
            return from_end(total - 1 - index)
        return view.key_at(index)

    def _fetch_window(
        self, generation: int, start: int, end: int, after: Key | None, before: Key | None
    ) -> None:
        view = self.view
        assert view is not None
        if after is not None:
            rows = view.page(after=after, limit=end - start)
        elif before is not None:
            rows = view.page(before=before, limit=end - start)
            start = end - len(rows)
        else:  # a jump: nothing loaded next to the window
            total = self.total or 0
            rows = self._page_from(view, start, end - start, total)
            if start > 0 and end >= total:  # read from the end: align what came
                start = end - len(rows)
        self.post_message(self.WindowLoaded(_Window(generation, start, rows), False))

    def on_virtual_list_window_loaded(self, message: WindowLoaded) -> None:
        message.stop()
        window, replace = message.window, message.replace
        if window.generation != self._generation:
            return  # a newer reload superseded this one
        if replace:
            self._rows = {}
        for offset, row in enumerate(window.rows):
            self._rows[window.start + offset] = row
        self._trim()
        self._loading = None
        if window.total is not None:
            self.total = window.total
            self.virtual_size = Size(self.size.width, window.total)
        if window.cursor is not None:
            self.set_cursor(window.cursor, announce=False)
        self.loads += 1
        self.refresh()
        self._announce()
        if replace:
            self.post_message(self.Reloaded(self))
        self.call_after_refresh(self._ensure_visible_loaded)

    def _trim(self) -> None:
        """Keep the cache a few screens around the viewport."""
        keep = max(self.size.height, 10) + 4 * MARGIN
        if len(self._rows) <= keep * 2:
            return
        top = int(self.scroll_y)
        self._rows = {i: r for i, r in self._rows.items() if top - keep <= i <= top + keep}

    def _ensure_visible_loaded(self) -> None:
        if self.view is None or self.total is None or self._loading is not None:
            return
        top = int(self.scroll_y)
        bottom = min(self.total, top + self.size.height)
        missing = [i for i in range(top, bottom) if i not in self._rows]
        if not missing:
            return
        start = max(0, missing[0] - MARGIN)
        end = min(self.total, missing[-1] + 1 + MARGIN)
        # Prefer extending from rows we hold, so the query is a keyset scan.
        after = before = None
        if missing[0] - 1 in self._rows:
            start, after = missing[0], self._rows[missing[0] - 1].key
        elif missing[-1] + 1 in self._rows:
            end, before = missing[-1] + 1, self._rows[missing[-1] + 1].key
        self._loading = (start, end)
        generation = self._generation
        self.run_worker(
            lambda: self._fetch_window(generation, start, end, after, before),
            thread=True,
            group=f"fetch-{id(self)}",
            name="load more rows",
            exit_on_error=False,
        )

    # ------------------------------------------------------------------ cursor

    def set_cursor(self, index: int, *, announce: bool = True) -> None:
        total = self.total or 0
        index = max(0, min(index, total - 1)) if total else 0
        self.cursor = index
        height = max(self.size.height, 1)
        if index < self.scroll_y:
            self.scroll_to(y=index, animate=False, immediate=True)
        elif index >= self.scroll_y + height:
            self.scroll_to(y=index - height + 1, animate=False, immediate=True)
        self.refresh()
        if announce:
            self._announce()
        self._ensure_visible_loaded()

    def _announce(self) -> None:
        row = self.current
        if row is not None and row != self._announced:
            self._announced = row
            self.post_message(self.Highlighted(self, row))

    def goto_key(self, key: Key) -> None:
        """Put the cursor on the row with ``key`` (e.g. a jump from another pane)."""
        if self.view is None:
            return
        self._generation += 1
        generation, height = self._generation, self.size.height
        self.run_worker(
            lambda: self._reload_window(generation, key, 0, height),
            thread=True,
            exclusive=True,
            group=f"reload-{id(self)}",
            name="find the row",
            exit_on_error=False,
        )

    def action_cursor_down(self) -> None:
        self.set_cursor(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self.set_cursor(self.cursor - 1)

    def action_page_down(self) -> None:
        self.set_cursor(self.cursor + max(self.size.height - 1, 1))

    def action_page_up(self) -> None:
        self.set_cursor(self.cursor - max(self.size.height - 1, 1))

    def action_first(self) -> None:
        self.set_cursor(0)

    def action_last(self) -> None:
        self.set_cursor((self.total or 1) - 1)

    def action_select(self) -> None:
        row = self.current
        if row is not None:
            self.post_message(self.Selected(self, row))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A failed fetch must not leave the list waiting forever; the app reports it."""
        if forward_failure(self, event):
            self._loading = None

    def on_click(self, event: events.Click) -> None:
        self.set_cursor(int(self.scroll_y) + event.y)

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self.call_after_refresh(self._ensure_visible_loaded)

    def on_resize(self, event: events.Resize) -> None:
        if self.total is not None:
            self.virtual_size = Size(event.size.width, self.total)
        self.call_after_refresh(self._ensure_visible_loaded)

    # ------------------------------------------------------------------ drawing

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index = int(self.scroll_y) + y
        base = self.rich_style
        if self.total == 0 and y == 0:
            return self._strip(Text(f"  {self.empty_text}"), width, base, placeholder=True)
        if self.total is None or index >= self.total:
            return Strip.blank(width, base)
        row = self._rows.get(index)
        if row is None:
            self.call_later(self._ensure_visible_loaded)
            return self._strip(Text("  …"), width, base, placeholder=True)
        selected = index == self.cursor
        marked = self.is_marked
        if marked is None:
            text = self.render_row(row, width, selected, index)
        else:
            body = self.render_row(row, max(width - 1, 1), selected, index)
            text = Text.assemble(("■", "bold yellow") if marked(row) else " ", body)
        style = base + self.get_component_rich_style("virtual-list--cursor") if selected else base
        return self._strip(text, width, style)

    def _strip(self, text: Text, width: int, style: Style, *, placeholder: bool = False) -> Strip:
        if placeholder:
            style = style + self.get_component_rich_style("virtual-list--placeholder")
        text.no_wrap = True
        text.overflow = "ellipsis"
        text.truncate(width, overflow="ellipsis")
        segments = [
            Segment(s.text, style + s.style if s.style else style)
            for s in text.render(self.app.console, end="")
        ]
        return Strip(segments).extend_cell_length(width, style).crop(0, width)

    def render_row(self, row: Any, width: int, selected: bool, index: int) -> Text:
        """One row as Rich ``Text``; never markup, since row values come from outside."""
        return Text(str(row))
