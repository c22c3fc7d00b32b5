"""The Collections screen (``C``): the desk's curated sets, their order and their notes.

Left, the collections with their item counts; right, the chosen collection's items in the
collection's order, paged like every pane (a collection can hold thousands). The order and
the notes are editorial work, so every key here is a logged, versioned write through the
repository, run in a thread worker:

- ``K``/``J`` (or shift+↑/↓) move the highlighted item; the cursor goes with it.
- ``n``/``a`` write a note on it. The save names the version the editor saw: a colleague's
  note written meanwhile is never overwritten unseen. The prompt then opens again with the
  typed text and says what the note now reads.
- ``x``/delete take it out of the collection (softly; ctrl+z undoes).
- Enter closes the screen with ``(kind, id)`` of the item, for the app to show it where it
  lives; ``X`` opens the export dialog for this collection.

Collections are shared live: another editor's reorder, note or removal shows here without
a key press, the cursor staying on the item it was on.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker

from db.rows import Key
from workbench.text import clean_line
from workbench.ui.messages import forward_failure
from workbench.ui.render import VERIFICATION_STYLE
from workbench.ui.virtual_list import VirtualList

if TYPE_CHECKING:
    from db.repo import Repo
    from db.repo_collections import CollectionSummary
    from db.views_collections import CollectionItemRow
    from workbench.config import Config
    from workbench.ui.live import DeskChanged

#: Entities whose changes can alter what this screen shows (names, counts, labels).
WATCHES = frozenset({"collection", "collection_item", "statement", "position", "event", "actor"})
WATCHES |= {"issue", "article", "source"}  # a position's issue title, a statement's outlet

#: How each kind of item is marked in the list.
KIND_MARK = {"statement": ("◆", "cyan"), "position": ("▦", "green"), "event": ("●", "yellow")}

#: The item prompt's modes: what Enter in it saves.
NOTE, NEW, RENAME = "note", "new", "rename"


class CollectionItemList(VirtualList):
    """A collection's items in its order. A reload keeps the cursor on the same *item*
    even when its rank changed (a move, here or by a colleague), not on the same rank."""

    empty_text = "Nothing in this collection yet: add items from any pane."

    def _reload_window(self, generation: int, key: Key | None, cursor: int, height: int) -> None:
        # Runs in the reload worker: one indexed lookup of where the item is now. A key
        # whose item was removed stays as it was: the cursor lands on the item after it.
        view = self.view
        key_of = getattr(view, "key_of", None)
        if key is not None and key_of is not None:
            key = key_of(key[-1]) or key
        super()._reload_window(generation, key, cursor, height)

    def render_row(self, row: CollectionItemRow, width: int, selected: bool, index: int) -> Text:
        text = Text()
        text.append(f"{index + 1:>3} ", style="dim")
        mark, colour = KIND_MARK.get(row.kind, ("·", ""))
        text.append(f"{mark} ", style=f"bold {colour}")
        text.append("✎ " if row.note else "  ", style="yellow")
        label = Text(clean_line(row.label))
        note = clean_line(row.note)
        if note:
            # The note is the editor's own word on the item: it keeps up to 40% of the row.
            room = max(width - text.cell_len, 0)
            label.truncate(max(room - min(len(note) + 3, int(room * 0.4)), 0), overflow="ellipsis")
            label.append(" — ", style="dim")
            label.append(note, style="italic")
        text.append_text(label)
        return text


def item_detail(row: CollectionItemRow | None) -> Text:
    """The highlighted item in full: what it is, and the editor's note on it."""
    if row is None:
        return Text("")
    out = Text()
    mark, colour = KIND_MARK.get(row.kind, ("·", ""))
    out.append(f"{mark} {row.kind} #{row.ref_id}  ", style=f"bold {colour}")
    if row.kind == "statement":
        out.append(clean_line(row.who) or "unnamed", style="bold")
        out.append("  ")
        out.append(row.status, style=VERIFICATION_STYLE.get(row.status, ""))
        if row.outlet:
            out.append("  " + clean_line(row.outlet), style="magenta")
    elif row.kind == "position":
        out.append(f"{clean_line(row.who)} × {clean_line(row.issue)}", style="bold")
    out.append("\n")
    out.append(clean_line(row.label))
    out.append("\nNote: ", style="bold")
    if row.note:
        out.append(clean_line(row.note), style="italic")
    else:
        out.append("none (n adds one)", style="dim")
    return out


class CollectionsScreen(ModalScreen["tuple[str, int] | None"]):
    """The desk's collections; dismisses with ``(kind, id)`` of the item Enter chose
    (``("statement", 25)``, ``("position", 10)``, ``("event", 13)``), or None."""

    DEFAULT_CSS = """
    CollectionsScreen { align: center middle; }
    CollectionsScreen > #collections-box {
        width: 96%; height: 1fr; margin: 1 0 0 0;
        border: round $accent; border-title-style: bold; background: $surface; padding: 0 1;
    }
    CollectionsScreen #collections-panes { height: 1fr; }
    CollectionsScreen #collections-left { width: 34; max-width: 40%; margin-right: 1; }
    CollectionsScreen #collections-right { width: 1fr; }
    CollectionsScreen .heading { height: 1; text-style: bold; color: $text-muted; }
    CollectionsScreen #collections-list { height: 1fr; border: none; padding: 0; }
    CollectionsScreen #collection-detail {
        height: auto; max-height: 6; border-top: solid $primary 50%;
    }
    CollectionsScreen #collections-prompt { height: auto; display: none; }
    CollectionsScreen #collections-prompt.-shown { display: block; }
    CollectionsScreen #collections-status { height: auto; color: $text-muted; }
    CollectionsScreen #collections-status.-error { color: $error; text-style: bold; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("K,shift+up", "move(-1)", "Move up", id="collections.move-up"),
        Binding("J,shift+down", "move(1)", "Move down", id="collections.move-down"),
        Binding("n,a", "annotate", "Note", id="collections.annotate"),
        Binding("x,delete", "remove", "Remove", id="collections.remove"),
        Binding("n", "new_collection", "New collection", id="collections.new"),
        Binding("r", "rename", "Rename", id="collections.rename"),
        Binding("X", "export", "Export", id="collections.export"),
        Binding("tab", "switch", "Switch list", id="collections.switch"),
        Binding("ctrl+z", "undo", "Undo", show=False, id="collections.undo"),
        Binding("escape", "close", "Close", id="collections.close"),
    ]

    def __init__(
        self, repo: Repo, *, config: Config | None = None, collection_id: int | None = None
    ) -> None:
        super().__init__()
        self.repo = repo
        self.config = config
        #: the collection whose items are listed (None: there is none yet)
        self.collection_id: int | None = collection_id
        self.collections: list[CollectionSummary] = []
        self.loaded = False  # for tests: the collections are listed
        self.writes = 0  # completed writes, for tests
        #: what the open prompt saves: (mode, target id, version the editor saw)
        self._prompt: tuple[str, int | None, int | None] | None = None
        #: the list the prompt was opened from, which gets the focus back
        self._came_from: Widget | None = None

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        box = Vertical(id="collections-box")
        box.border_title = "Collections"
        box.border_subtitle = "tab switches lists · Enter opens an item · esc closes"
        with box:
            with Horizontal(id="collections-panes"):
                with Vertical(id="collections-left"):
                    yield Static("Collections", classes="heading", markup=False)
                    yield OptionList(id="collections-list")
                with Vertical(id="collections-right"):
                    yield Static("Items", id="items-heading", classes="heading", markup=False)
                    yield CollectionItemList(id="collection-items")
                    yield Static("", id="collection-detail", markup=False)
            with Vertical(id="collections-prompt"):
                yield Static("", id="prompt-label", markup=False)
                yield Input(id="prompt-input")
            yield Static("Reading the collections…", id="collections-status", markup=False)
        yield Footer()

    @property
    def items(self) -> CollectionItemList:
        return self.query_one(CollectionItemList)

    @property
    def picker(self) -> OptionList:
        return self.query_one("#collections-list", OptionList)

    @property
    def prompt_input(self) -> Input:
        return self.query_one("#prompt-input", Input)

    def on_mount(self) -> None:
        self.set_focus(self.items)
        self.load_collections()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        forward_failure(self, event)

    # ------------------------------------------------------------------ reading

    def _ui(self, callback: Callable[..., Any], *args: Any) -> None:
        """From a worker: run ``callback`` on the UI thread, if this screen is still open."""

        def run() -> None:
            if self.is_attached:
                callback(*args)

        with suppress(RuntimeError):  # the app has closed meanwhile
            self.app.call_from_thread(run)

    def load_collections(self, select: int | None = None) -> None:
        """Reread the collections (names, counts); ``select`` one by id once listed."""
        repo = self.repo

        def load() -> None:
            self._ui(self._show_collections, repo.collections(), select)

        self.run_worker(
            load,
            thread=True,
            exclusive=True,
            group="collections",
            name="list the collections",
            exit_on_error=False,
        )

    def _show_collections(self, found: list[CollectionSummary], select: int | None) -> None:
        picker = self.picker
        wanted = select if select is not None else self.collection_id
        self.collections = found
        picker.clear_options()
        options = []
        for summary in found:
            label = Text(f"{summary.items:>5} ", style="dim")
            label.append(clean_line(summary.name), style="bold")
            options.append(Option(label, id=str(summary.id)))
        picker.add_options(options)
        ids = [summary.id for summary in found]
        if not found:
            self._show_items(None)
            self._status("No collections yet: n (in this list) starts one.")
            if self.focused is self.items:
                self.set_focus(picker)
        else:
            index = ids.index(wanted) if wanted in ids else 0
            picker.highlighted = index
            self._show_items(found[index])
            if self._prompt is None:
                self._status(f"{len(found)} collection(s).")
        self.loaded = True
        self.refresh_bindings()

    def _show_items(self, summary: CollectionSummary | None) -> None:
        """List ``summary``'s items (a new view only when the collection changed)."""
        from db.views_collections import collection_items_view

        heading = self.query_one("#items-heading", Static)
        if summary is None:
            self.collection_id = None
            heading.update(Text("Items"))
            self.items.set_view(collection_items_view(self.repo.engine, 0))
            return
        heading.update(Text(f"Items of {clean_line(summary.name)} ({summary.items})"))
        if summary.id != self.collection_id or self.items.view is None:
            self.collection_id = summary.id
            self.items.set_cursor(0, announce=False)  # another collection: from its top
            self.items.set_view(collection_items_view(self.repo.engine, summary.id))

    @property
    def current_collection(self) -> CollectionSummary | None:
        return next((c for c in self.collections if c.id == self.collection_id), None)

    @on(OptionList.OptionHighlighted, "#collections-list")
    def _collection_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        found = next((c for c in self.collections if str(c.id) == event.option_id), None)
        if found is not None:
            self._show_items(found)

    @on(OptionList.OptionSelected, "#collections-list")
    def _collection_chosen(self) -> None:
        self.set_focus(self.items)

    @on(VirtualList.Highlighted, "#collection-items")
    def _item_highlighted(self, event: VirtualList.Highlighted) -> None:
        self.query_one("#collection-detail", Static).update(item_detail(event.row))

    @on(VirtualList.Reloaded, "#collection-items")
    def _items_reloaded(self) -> None:
        self.query_one("#collection-detail", Static).update(item_detail(self.items.current))

    @on(VirtualList.Selected, "#collection-items")
    def _item_chosen(self, event: VirtualList.Selected) -> None:
        event.stop()
        row: CollectionItemRow = event.row
        self.dismiss((row.kind, row.ref_id))

    def desk_changed(self, message: DeskChanged) -> None:
        """Someone (a colleague, or this session) changed a collection or what it holds:
        reread, the cursor staying on its item."""
        if message.batch.entities & WATCHES:
            self.reload()

    def reload(self) -> None:
        self.load_collections()
        if self.items.view is not None:
            self.items.reload()

    # ------------------------------------------------------------------ keys

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Item keys act in the item list, collection keys in the collection list; none
        of them while a prompt is being typed in (the letters are the editor's text)."""
        prompting = self._prompt is not None
        on_items = self.focused is self.items
        if action in ("move", "annotate", "remove"):
            return on_items and not prompting
        if action in ("new_collection", "rename"):
            return self.focused is self.picker and not prompting
        if action in ("switch", "export", "undo"):
            return not prompting
        return True

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()

    def action_switch(self) -> None:
        self.set_focus(self.picker if self.focused is self.items else self.items)
        self.refresh_bindings()

    def action_move(self, delta: int) -> None:
        row: CollectionItemRow | None = self.items.current
        if row is None:
            return
        repo = self.repo

        def work() -> None:
            repo.move_item(row.id, delta)
            self._ui(self._written)

        self.run_worker(work, thread=True, group="write", name="move the item", exit_on_error=False)

    def action_remove(self) -> None:
        row: CollectionItemRow | None = self.items.current
        summary = self.current_collection
        if row is None or summary is None:
            return
        repo = self.repo

        def work() -> None:
            repo.remove_item(row.id)
            self._ui(self._written, f"Removed from {clean_line(summary.name)}: ctrl+z undoes.")

        self.run_worker(
            work, thread=True, group="write", name="remove the item", exit_on_error=False
        )

    def _written(self, message: str = "") -> None:
        self.writes += 1
        if message:
            self.notify(message, title="Collections", markup=False)
        self.reload()  # at once, also in a session without the live feed

    def action_undo(self) -> None:
        """ctrl+z: the editor's own last change (a removal, a move, a note) undone."""
        from workbench.ui.history import undo_last_change

        undo_last_change(self.app, self.repo, lambda _result: self.reload())

    def action_export(self) -> None:
        from workbench.ui.export_dialog import ExportDialog

        summary = self.current_collection
        config = self.config if self.config is not None else getattr(self.app, "config", None)
        self.app.push_screen(
            ExportDialog(self.repo, config, collection=summary.name if summary else None)
        )

    def action_close(self) -> None:
        if self._prompt is not None:
            self._close_prompt()
            return
        self.dismiss(None)

    # ------------------------------------------------------------------ the prompt

    def action_annotate(self) -> None:
        row: CollectionItemRow | None = self.items.current
        if row is not None:
            self.open_prompt(NOTE, row.id, row.version, row.note, _note_label(row))

    def action_new_collection(self) -> None:
        self.open_prompt(NEW, None, None, "", "Name of the new collection (Enter creates it):")

    def action_rename(self) -> None:
        summary = self.current_collection
        if summary is not None:
            label = f"New name for {clean_line(summary.name)} (Enter renames it):"
            self.open_prompt(RENAME, summary.id, summary.version, summary.name, label)

    def open_prompt(
        self,
        mode: str,
        target: int | None,
        version: int | None,
        value: str,
        label: str,
        error: str = "",
    ) -> None:
        """Show the one-line prompt; ``error`` says why it opened again (a conflict)."""
        if self._prompt is None and self.focused in (self.items, self.picker):
            self._came_from = self.focused
        self._prompt = (mode, target, version)
        self.query_one("#prompt-label", Static).update(Text(label, style="bold"))
        box = self.prompt_input
        box.value = value
        box.cursor_position = len(value)
        self.query_one("#collections-prompt").add_class("-shown")
        if error:
            self._status(error, error=True)
        else:
            self._status("Enter saves · esc drops what you typed.")
        self.set_focus(box)
        self.refresh_bindings()

    def _close_prompt(self) -> None:
        self._prompt = None
        self.query_one("#collections-prompt").remove_class("-shown")
        self._status("")
        self.set_focus(self._came_from or self.items)
        self.refresh_bindings()

    @on(Input.Submitted, "#prompt-input")
    def _prompt_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self._prompt is None:
            return
        mode, target, version = self._prompt
        text = event.value
        label = str(self.query_one("#prompt-label", Static).content)
        self._close_prompt()
        self._status("Saving…")
        if mode == NOTE and target is not None:
            self._save_note(target, version, text, label)
        elif mode == NEW:
            self._create(text, label)
        elif mode == RENAME and target is not None:
            self._rename(target, version, text, label)

    def _save_note(self, item_id: int, version: int | None, text: str, label: str) -> None:
        repo = self.repo

        def work() -> None:
            from db.repo import ConflictError, RepoError

            try:
                repo.annotate_item(item_id, text.strip(), version)
            except ConflictError as exc:
                theirs = exc.theirs
                now = clean_line(getattr(theirs, "note", "") or "") or "(no note)"
                gone = getattr(theirs, "deleted_at", None) is not None
                why = (
                    "This item was taken out of the collection meanwhile"
                    if gone
                    else f"Someone else changed this note meanwhile; it now reads: {now}"
                )
                error = f"{why}. Your text is kept: Enter saves it over theirs, esc drops it."
                again = getattr(theirs, "version", None)
                self._ui(self.open_prompt, NOTE, item_id, again, text, label, error)
                self._ui(self.reload)
                return
            except RepoError as exc:
                self._ui(self.open_prompt, NOTE, item_id, version, text, label, _line(exc))
                return
            self._ui(self._written, "Note saved.")

        self.run_worker(work, thread=True, group="write", name="save the note", exit_on_error=False)

    def _create(self, name: str, label: str) -> None:
        repo = self.repo
        existing = {c.name.lower(): c.id for c in self.collections}

        def work() -> None:
            from db.repo import RepoError

            try:
                created = repo.ensure_collection(name)
            except RepoError as exc:
                self._ui(self.open_prompt, NEW, None, None, name, label, _line(exc))
                return
            said = (
                f"{created.name} already exists: it is selected."
                if created.name.lower() in existing
                else f"Created {created.name}: add items from any pane."
            )
            self._ui(self._created, created.id, said)

        self.run_worker(
            work, thread=True, group="write", name="create the collection", exit_on_error=False
        )

    def _created(self, collection_id: int, message: str) -> None:
        self.writes += 1
        self.notify(clean_line(message), title="Collections", markup=False)
        self.load_collections(select=collection_id)

    def _rename(self, collection_id: int, version: int | None, name: str, label: str) -> None:
        repo = self.repo

        def work() -> None:
            from db.repo import ConflictError, RepoError

            try:
                repo.update("collection", collection_id, version, name=" ".join(name.split()))
            except ConflictError as exc:
                theirs = exc.theirs
                now = clean_line(getattr(theirs, "name", "") or "")
                error = (
                    f"Someone else renamed it meanwhile, to {now}. Your text is kept: "
                    "Enter saves it over theirs, esc drops it."
                )
                again = getattr(theirs, "version", None)
                self._ui(self.open_prompt, RENAME, collection_id, again, name, label, error)
                self._ui(self.reload)
                return
            except RepoError as exc:
                self._ui(self.open_prompt, RENAME, collection_id, version, name, label, _line(exc))
                return
            self._ui(self._written, "Renamed.")

        self.run_worker(
            work, thread=True, group="write", name="rename the collection", exit_on_error=False
        )

    def _status(self, message: str, *, error: bool = False) -> None:
        status = self.query_one("#collections-status", Static)
        status.update(Text(message))
        status.set_class(error, "-error")

    @property
    def status(self) -> str:
        """The status line as shown (for tests)."""
        return str(self.query_one("#collections-status", Static).content)


def _note_label(row: CollectionItemRow) -> str:
    what = clean_line(row.label)
    if len(what) > 70:
        what = what[:69] + "…"
    return f"Note on {row.kind} #{row.ref_id} ({what}) — Enter saves:"


def _line(exc: BaseException) -> str:
    """An error as one line."""
    return " ".join(str(exc).split()) or type(exc).__name__


__all__ = ["CollectionItemList", "CollectionsScreen", "item_detail"]
