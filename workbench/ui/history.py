"""History, trash and undo in the TUI.

- ``H`` on an item (a statement, the cell's position, a timeline entry, an article) opens
  ``HistoryScreen``: the item's Change rows, newest first — when, who, what they did, and
  each field's old → new value. Values are quoted from the log as plain text, shortened,
  never read as markup.
- ``T`` opens ``TrashScreen``: what editors deleted (kind, title, who, when); ``r``
  restores the highlighted item.
- ``x`` in Statements asks ``ConfirmDelete`` first; the delete is soft and restorable.
- ``undo_last_change`` is what ``ctrl+z`` runs: the repository undoes the editor's own
  last change as a new change, or says why not (a colleague changed it since).

Every database call runs in a thread worker; failures are reported by the app.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker

from workbench.text import clean_line
from workbench.ui.messages import forward_failure
from workbench.ui.render import local

if TYPE_CHECKING:
    from collections.abc import Callable

    from textual.app import App

    from db.changes import ChangeBatch
    from db.repo import Repo
    from db.repo_history import DeletedItem, HistoryEntry, UndoResult
    from workbench.ui.live import DeskChanged

#: How an op reads in a history line.
OP_WORDS = {
    "create": "created",
    "update": "changed",
    "delete": "deleted",
    "restore": "restored",
    "undo": "undid a change",
    "merge": "merged",
    "supersede": "superseded (by an updating link)",
    "unsupersede": "no longer superseded",
    "reanchor": "evidence found again in the changed article",
    "read": "read",
    "unread": "marked unread",
}
#: Longest value shown on a field line; the full text is in the item itself.
VALUE_WIDTH = 70

_BOX_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 90%; max-width: 110; height: 85%;
    border: round $accent; border-title-style: bold; background: $surface; padding: 0 1;
}}
{name} #hint {{ color: $text-muted; height: auto; }}
"""


def value_text(value: object, label: str | None = None, field: str = "") -> str:
    """A logged value as a short plain line; a reference with the name of what it
    points at (``Piet Savolder (#11)``), other ids as ``#11``."""
    from db.repo_history import short_value

    if isinstance(value, int) and not isinstance(value, bool) and (label or field.endswith("_id")):
        shown = f"{label} (#{value})" if label else f"#{value}"
        return clean_line(short_value(shown, VALUE_WIDTH))
    return clean_line(short_value(value, VALUE_WIDTH))


def entry_text(entry: HistoryEntry, subject: tuple[str, int] | None = None) -> Text:
    """``25 Nov 2026 14:02 · maria · changed`` and a line per field: ``field: old → new``.
    Rows of another item (a statement's links) name it."""
    out = Text()
    out.append(local(entry.at).strftime("%d %b %Y %H:%M"), style="bold")
    out.append(" · ")
    out.append(clean_line(entry.editor) or "unknown", style="bold cyan")
    out.append(" · ")
    out.append(OP_WORDS.get(entry.op, entry.op))
    if subject is None or (entry.entity, entry.entity_id) != subject:
        out.append(f"  ({entry.entity} #{entry.entity_id})", style="dim")
    for change in entry.fields:
        out.append("\n    ")
        out.append(f"{clean_line(change.field)}: ", style="dim")
        if entry.op == "create":
            out.append(value_text(change.new, change.new_label, change.field))
            continue
        out.append(value_text(change.old, change.old_label, change.field), style="red")
        out.append(" → ")
        out.append(value_text(change.new, change.new_label, change.field), style="green")
    return out


def history_body(entries: list[HistoryEntry], subject: tuple[str, int]) -> Text:
    out = Text()
    if not entries:
        out.append("No changes recorded for this item.", style="dim")
    for n, entry in enumerate(entries):
        if n:
            out.append("\n\n")
        out.append_text(entry_text(entry, subject))
    return out


class HistoryScreen(ModalScreen[None]):
    """One item's history from the Change log, newest first (``H`` on the item)."""

    DEFAULT_CSS = (
        _BOX_CSS.format(name="HistoryScreen")
        + """
    HistoryScreen VerticalScroll { height: 1fr; }
    """
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,H", "close", "Close", id="history.close"),
        Binding("j", "scroll(1)", "Down", show=False, id="history.down"),
        Binding("k", "scroll(-1)", "Up", show=False, id="history.up"),
    ]

    def __init__(self, repo: Repo, entity: str, entity_id: int, title: str = "") -> None:
        super().__init__()
        self.repo = repo
        self.entity = entity
        self.entity_id = entity_id
        self.title_line = title
        self.entries: list[HistoryEntry] = []
        self.loaded = False  # for tests: the entries are shown

    def compose(self) -> ComposeResult:
        box = Vertical()
        name = f"{self.entity} #{self.entity_id}"
        shown = clean_line(self.title_line)
        if len(shown) > 60:
            shown = shown[:59] + "…"
        # Text, not a str (read as markup): the title line is outside text.
        box.border_title = Text(f"History of {name}" + (f": {shown}" if shown else ""))
        box.border_subtitle = "newest first · ctrl+z undoes your last change · esc closes"
        with box, VerticalScroll():
            yield Static(Text("Reading the change log…", style="dim"), id="history-body")

    def on_mount(self) -> None:
        self.set_focus(self.query_one(VerticalScroll))
        self.reload()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        forward_failure(self, event)

    def reload(self) -> None:
        def load() -> None:
            entries = self.repo.history(self.entity, self.entity_id)
            self.app.call_from_thread(self._show, entries)

        self.run_worker(
            load, thread=True, group="history", name="read the history", exit_on_error=False
        )

    def _show(self, entries: list[HistoryEntry]) -> None:
        self.entries = entries
        body = self.query_one("#history-body", Static)
        body.update(history_body(entries, (self.entity, self.entity_id)))
        self.loaded = True

    def desk_changed(self, message: DeskChanged) -> None:
        """Someone changed this item (or, for a statement, a link): show it."""
        ids = message.batch.ids_by_entity
        if self.entity_id in ids.get(self.entity, ()) or (
            self.entity == "statement" and "link" in ids
        ):
            self.reload()

    def action_scroll(self, step: int) -> None:
        scroll = self.query_one(VerticalScroll)
        scroll.scroll_relative(y=step, animate=False)

    def action_close(self) -> None:
        self.dismiss(None)


def open_history(node: Widget, repo: Repo | None, entity: str, entity_id: int, title: str) -> None:
    """``H`` from a pane: the item's history over the desk."""
    if repo is not None:
        node.app.push_screen(HistoryScreen(repo, entity, entity_id, title))


class TrashScreen(ModalScreen[None]):
    """Deleted items, newest deletion first; ``r`` restores one (``T``)."""

    DEFAULT_CSS = (
        _BOX_CSS.format(name="TrashScreen")
        + """
    TrashScreen OptionList { height: 1fr; }
    """
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "restore", "Restore", id="trash.restore"),
        Binding("H", "history", "History", id="trash.history"),
        Binding("escape,q", "close", "Close", id="trash.close"),
    ]

    def __init__(self, repo: Repo) -> None:
        super().__init__()
        self.repo = repo
        self.items: list[DeletedItem] = []
        self.loaded = False  # for tests: the list is shown

    def compose(self) -> ComposeResult:
        box = Vertical()
        box.border_title = "Trash — deleted items"
        box.border_subtitle = "r restores · H history · esc closes"
        with box:
            yield Static("", id="hint", markup=False)
            yield OptionList(id="trash-list")

    def on_mount(self) -> None:
        self.set_focus(self.query_one(OptionList))
        self.reload()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        forward_failure(self, event)

    def reload(self) -> None:
        def load() -> None:
            items = self.repo.deleted()
            self.app.call_from_thread(self._show, items)

        self.run_worker(
            load, thread=True, group="trash", name="list the trash", exit_on_error=False
        )

    def _show(self, items: list[DeletedItem]) -> None:
        options = self.query_one(OptionList)
        was = self._current()
        self.items = items
        options.clear_options()
        for item in items:
            label = Text(f"{item.entity:<10} ", style="dim")
            label.append(f"#{item.entity_id} ", style="dim")
            title = clean_line(item.title)
            label.append(title[:70] + ("…" if len(title) > 70 else ""))
            if item.note:
                label.append(f"  ({clean_line(item.note)})", style="dim")
            label.append("\n    deleted by ", style="dim")
            label.append(clean_line(item.deleted_by) or "unknown", style="cyan")
            label.append(" · " + local(item.deleted_at).strftime("%d %b %Y %H:%M"), style="dim")
            options.add_option(Option(label, id=f"{item.entity}:{item.entity_id}"))
        hint = self.query_one("#hint", Static)
        if items:
            keys = [(i.entity, i.entity_id) for i in items]
            here = (was.entity, was.entity_id) if was is not None else None
            options.highlighted = keys.index(here) if here in keys else 0
            hint.update(f"{len(items)} deleted item(s), most recent first.")
        else:
            hint.update("Nothing deleted.")
        self.loaded = True

    def _current(self) -> DeletedItem | None:
        index = self.query_one(OptionList).highlighted
        return self.items[index] if index is not None and index < len(self.items) else None

    def desk_changed(self, message: DeskChanged) -> None:
        self.reload()

    def action_restore(self) -> None:
        item = self._current()
        if item is None:
            return
        repo = self.repo

        def work() -> None:
            repo.restore(item.entity, item.entity_id)
            self.app.call_from_thread(
                self.app.notify,
                f"Restored {item.entity} #{item.entity_id}.",
                title="Trash",
                markup=False,
            )
            self.app.call_from_thread(self.reload)

        self.run_worker(
            work, thread=True, group="write", name=f"restore the {item.entity}", exit_on_error=False
        )

    def action_history(self) -> None:
        item = self._current()
        if item is not None:
            self.app.push_screen(HistoryScreen(self.repo, item.entity, item.entity_id, item.title))

    def action_close(self) -> None:
        self.dismiss(None)


class ConfirmDelete(ModalScreen[bool]):
    """``x``: delete this item? ``y`` deletes (softly: the trash keeps it), anything
    else keeps it. A letter, not Enter, so a key typed ahead cannot confirm by accident."""

    DEFAULT_CSS = """
    ConfirmDelete { align: center middle; }
    ConfirmDelete > Vertical {
        width: 76; max-width: 100%; height: auto; border: round $warning;
        background: $surface; padding: 1 2;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "choose(True)", "Delete", id="confirm-delete.yes"),
        Binding("n,escape", "choose(False)", "Keep", id="confirm-delete.no"),
    ]

    def __init__(self, what: str) -> None:
        super().__init__()
        self.what = what

    def compose(self) -> ComposeResult:
        message = Text("Delete ")
        message.append(clean_line(self.what), style="bold")
        message.append("?\n\n")
        message.append("y deletes · n or esc keeps it.\n", style="bold")
        message.append(
            "Deleted items stay in the trash (T) and can be restored; ctrl+z undoes.",
            style="dim",
        )
        with Vertical():
            yield Static(message)

    def action_choose(self, choice: bool) -> None:
        self.dismiss(choice)


def undo_last_change(
    app: App[object], repo: Repo, after: Callable[[UndoResult], None] | None = None
) -> None:
    """Run the repository's undo in a thread worker; notify what was undone, or why not
    (a refusal is a warning, not an error: nothing went wrong, nothing was written).
    ``after(result)`` runs on the UI thread once something was undone."""

    def work() -> None:
        from db.repo import RepoError

        try:
            result = repo.undo_last()
        except RepoError as exc:
            app.call_from_thread(
                app.notify, str(exc), title="Undo", severity="warning", markup=False
            )
            return
        app.call_from_thread(
            app.notify, f"Undid: {clean_line(result.summary)}", title="Undo", markup=False
        )
        if after is not None:
            app.call_from_thread(after, result)

    app.run_worker(
        work, thread=True, group="undo", name="undo your last change", exit_on_error=False
    )


def undone_batch(result: UndoResult) -> ChangeBatch:
    """A change batch for what an undo wrote, so panes reload at once (a session without
    the live feed would otherwise show the item as it was before the undo)."""
    from db.changes import ChangeBatch

    return ChangeBatch(
        last_id=0,
        entities=frozenset(result.touched),
        editors=frozenset(),
        count=sum(len(ids) for ids in result.touched.values()),
        ids_by_entity=dict(result.touched),
    )


__all__ = [
    "ConfirmDelete",
    "HistoryScreen",
    "TrashScreen",
    "entry_text",
    "history_body",
    "open_history",
    "undo_last_change",
    "undone_batch",
]
