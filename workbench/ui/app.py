"""The app shell: four panes, pane switching, layout, help, palette, live refresh.

Kept thin on purpose: each pane owns its keys, query and drawing; the app only routes
desk-wide messages (the desk opened, a change arrived, open that statement) and owns the
keymap. The desk itself is opened in a worker after the first frame: importing the
database layer and checking migrations costs more than painting the screen.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Container
from textual.dom import DOMNode
from textual.events import Resize
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Header, Static
from textual.worker import Worker

from workbench.ui.help import HelpScreen
from workbench.ui.live import DeskChanged, LiveTrouble, watch_desk
from workbench.ui.messages import WorkFailed, forward_failure
from workbench.ui.panes.base import DetailView, Pane
from workbench.ui.panes.feed import FeedPane
from workbench.ui.panes.positions import PositionsPane
from workbench.ui.panes.statements import StatementsPane
from workbench.ui.panes.timeline import TimelinePane
from workbench.ui.presence import NOWHERE, PresenceChanged, RoleSeen, Where, run_heartbeat
from workbench.ui.virtual_list import VirtualList

if TYPE_CHECKING:
    from db.presence import Here, PresenceBoard
    from db.repo import Repo
    from db.repo_history import UndoResult
    from workbench.config import Config
    from workbench.drafts import DraftStore

PANES: tuple[type[Pane], ...] = (FeedPane, StatementsPane, PositionsPane, TimelinePane)
#: Below this size the panes are shown one at a time (80×24 over SSH).
GRID_MIN_WIDTH = 120
GRID_MIN_HEIGHT = 32
#: Seconds between checks of which screen is in front, for presence.
PRESENCE_CHECK_SECONDS = 1.0


class PaneTabs(Static):
    """The pane strip under the header: which pane is active, and the live status."""

    DEFAULT_CSS = """
    PaneTabs {
        height: 1;
        background: $panel;
        padding: 0 1;
    }
    """

    active: reactive[str] = reactive("feed")
    status: reactive[str] = reactive("")

    def render(self) -> Text:
        text = Text()
        for pane in PANES:
            label = f" {pane.NUMBER} {pane.TITLE} "
            style = "bold reverse" if self.active == pane.PANE_ID else "dim"
            text.append(label, style=style)
            text.append(" ")
        if self.status:
            text.append("  " + self.status, style="dim italic")
        return text


class MainScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "show_pane('feed')", "Feed", show=False, id="pane.feed"),
        Binding("2", "show_pane('statements')", "Statements", show=False, id="pane.statements"),
        Binding("3", "show_pane('positions')", "Positions", show=False, id="pane.positions"),
        Binding("4", "show_pane('timeline')", "Timeline", show=False, id="pane.timeline"),
        Binding("tab", "cycle_pane(1)", "Next pane", show=False, id="pane.next"),
        Binding("shift+tab", "cycle_pane(-1)", "Previous pane", show=False, id="pane.previous"),
        Binding("z", "toggle_layout", "Layout", id="layout.toggle"),
    ]

    DEFAULT_CSS = """
    MainScreen #panes {
        layout: grid;
        grid-size: 2 2;
        grid-gutter: 0;
    }
    MainScreen #panes.single {
        layout: vertical;
    }
    MainScreen #panes.single > Pane {
        display: none;
    }
    MainScreen #panes.single > Pane.-active {
        display: block;
    }
    """

    active: reactive[str] = reactive("feed")
    """The pane that has (or last had) focus."""

    single: reactive[bool | None] = reactive(None)
    """One pane at a time; None follows the terminal size."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield PaneTabs()
        with Container(id="panes"):
            for pane in PANES:
                yield pane()
        yield Footer()

    def attach(self, repo: Repo) -> None:
        """Show the desk; called once it is open and this screen is mounted (either order)."""
        for pane in self.panes:
            if pane._repo is None:
                pane.attach(repo)

    def on_mount(self) -> None:
        self._apply_layout(self.size.width, self.size.height)
        self.action_show_pane("feed")
        repo = getattr(self.app, "repo", None)
        if repo is not None:
            self.attach(repo)

    def pane(self, pane_id: str) -> Pane:
        return self.query_one(f"#{pane_id}", Pane)

    @property
    def panes(self) -> list[Pane]:
        return list(self.query(Pane))

    def on_resize(self, event: Resize) -> None:
        self._apply_layout(event.size.width, event.size.height)

    def _apply_layout(self, width: int, height: int) -> None:
        single = self.single
        if single is None:
            single = width < GRID_MIN_WIDTH or height < GRID_MIN_HEIGHT
        self.query_one("#panes").set_class(single, "single")

    def watch_single(self) -> None:
        self._apply_layout(self.size.width, self.size.height)

    def watch_active(self, active: str) -> None:
        for pane in self.panes:
            pane.set_class(active == pane.PANE_ID, "-active")
        self.query_one(PaneTabs).active = active
        update = getattr(self.app, "update_presence", None)
        if callable(update):
            update()  # colleagues see the item of the pane now in front

    def presence_item(self) -> Where:
        """What this screen has in front: the active pane's highlighted row."""
        panes = [pane for pane in self.panes if self.active == pane.PANE_ID]
        lists = panes[0].query(VirtualList) if panes else None
        if not lists:
            return NOWHERE  # not composed yet
        key = panes[0].presence_key(lists.first().current)
        return NOWHERE if key is None else (key[0], key[1], False)

    def presence_changed(self, others: tuple[Here, ...]) -> None:
        for pane in self.panes:
            pane.presence_changed(others)

    def on_descendant_focus(self) -> None:
        focused = self.focused
        if focused is None:
            return
        for ancestor in focused.ancestors_with_self:
            if isinstance(ancestor, Pane):
                self.active = ancestor.PANE_ID
                return

    def action_show_pane(self, pane_id: str) -> None:
        self.active = pane_id
        self.pane(pane_id).focus_list()

    def action_cycle_pane(self, step: int) -> None:
        ids = [pane.PANE_ID for pane in PANES]
        self.action_show_pane(ids[(ids.index(self.active) + step) % len(ids)])

    def action_toggle_layout(self) -> None:
        currently_single = self.query_one("#panes").has_class("single")
        self.single = not currently_single

    @on(Pane.OpenStatement)
    def open_statement(self, message: Pane.OpenStatement) -> None:
        self.action_show_pane("statements")
        pane = self.pane("statements")
        assert isinstance(pane, StatementsPane)
        pane.show_statement(message.statement_id)

    def desk_changed(self, message: DeskChanged) -> None:
        batch = message.batch
        editors = sorted(batch.editors)
        who = editors[0] + (f" +{len(editors) - 1}" if len(editors) > 1 else "")
        at = dt.datetime.now().strftime("%H:%M")
        self.query_one(PaneTabs).status = f"↻ {batch.count} by {who} {at}"
        for pane in self.panes:
            pane.desk_changed(batch)


class WorkbenchApp(App[None]):
    """Newsroom Workbench."""

    TITLE = "Newsroom Workbench"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Keys", id="app.help"),
        Binding("slash", "search", "Search", show=False, id="app.search"),
        Binding("ctrl+z", "undo", "Undo your last change", show=False, id="app.undo"),
        Binding("T", "trash", "Trash (deleted items)", show=False, id="app.trash"),
        Binding("C", "collections", "Collections", show=False, id="app.collections"),
        Binding("X", "export", "Export…", show=False, id="app.export"),
        Binding("ctrl+p", "command_palette", "Commands", show=False, id="app.palette"),
    ]

    class DeskOpened(Message):
        def __init__(self, repo: Repo) -> None:
            super().__init__()
            self.repo = repo

    def __init__(
        self,
        repo: Repo | None = None,
        *,
        opener: Callable[[], Repo] | None = None,
        db_label: str = "",
        keymap: dict[str, str] | None = None,
        live: bool = True,
        config: Config | None = None,
    ) -> None:
        """Give an open ``repo``, or an ``opener`` that opens the desk in a worker."""
        super().__init__()
        if (repo is None) == (opener is None):
            raise ValueError("give either repo or opener")
        self.repo: Repo | None = repo
        self._opener = opener
        #: the editor's settings (ingest thresholds, config-file rules); None in tests
        self.config = config
        self.keymap = dict(keymap if keymap is not None else (config.keymap if config else {}))
        self.live = live
        self.db_label = db_label
        #: Why the desk could not be opened; the CLI prints it after the app exits.
        self.open_error: str | None = None
        #: unsaved statement forms of this editor on this desk (set once the desk is open)
        self.drafts: DraftStore | None = None
        self._stop_live = threading.Event()
        self.sub_title = db_label
        #: this session on the desk's presence board (one row, kept fresh by a heartbeat)
        self.session_id = uuid.uuid4().hex
        #: the editor's role on the desk, once read (None before)
        self.role: str | None = None
        #: the other live sessions and where they are, as last read
        self.others: tuple[Here, ...] = ()
        self._board: PresenceBoard | None = None
        self._here: Where = NOWHERE
        self._presence_wake = threading.Event()
        #: set once the heartbeat has ended and taken this session off the board
        self.presence_left = threading.Event()

    def get_default_screen(self) -> MainScreen:
        return MainScreen()

    def on_mount(self) -> None:
        if self.keymap:
            self.set_keymap(self.keymap)
        if self.repo is not None:
            self.post_message(self.DeskOpened(self.repo))
        else:
            # After the first frame: the import would otherwise compete with it for the GIL.
            self.call_after_refresh(
                self.run_worker, self._open_desk, thread=True, group="open", exit_on_error=False
            )

    def _open_desk(self) -> None:
        from workbench.errors import describe

        assert self._opener is not None
        try:
            repo = self._opener()
        except Exception as exc:  # whatever stops the desk opening ends the session, said
            self.call_from_thread(self._fail, describe(exc) or f"{type(exc).__name__}: {exc}")
            return
        self.post_message(self.DeskOpened(repo))

    def _fail(self, message: str) -> None:
        self.open_error = message
        self.exit(return_code=1)

    def on_workbench_app_desk_opened(self, message: DeskOpened) -> None:
        from db.changes import ChangeWatcher

        self.repo = message.repo
        self.sub_title = " · ".join(p for p in (self.db_label, self.repo.editor) if p)
        # The watcher's baseline is taken before the panes' first read, so nothing
        # committed in between is missed.
        watcher = ChangeWatcher(self.repo.engine) if self.live else None
        screen = self.get_default_screen_instance()
        if screen is not None and screen.is_mounted:
            screen.attach(self.repo)
        if watcher is not None:
            self.run_worker(
                lambda: watch_desk(watcher, self, self._stop_live),
                thread=True,
                group="live",
                name="follow live changes",
                exit_on_error=False,
            )
        self.run_worker(
            lambda: self.call_from_thread(self._show_role, *self._role_now()),
            thread=True,
            group="role",
            name="read your role on the desk",
            exit_on_error=False,
        )
        if self.live:
            self._start_presence()
        from workbench.drafts import DraftStore

        self.drafts = DraftStore(str(self.repo.engine.url), self.repo.editor)
        self._check_keymap()
        self.offer_drafts()

    # ------------------------------------------------------------------ reading & editing

    def open_reader(self, article_id: int) -> None:
        from workbench.ui.reader import ReaderScreen

        if self.repo is not None:
            self.push_screen(ReaderScreen(self.repo, article_id, self.drafts))

    def open_editor(self, **kwargs: Any) -> None:
        """The statement editor, for a statement, a selection in an article, or a draft."""
        from workbench.ui.editor import StatementEditor

        if self.repo is not None:
            self.push_screen(StatementEditor(self.repo, drafts=self.drafts, **kwargs))

    def offer_drafts(self) -> None:
        """Statements left unsaved by an earlier session (a crash, a dropped connection)."""
        from workbench.ui.desk_screens import DraftsScreen
        from workbench.ui.editor import draft_arguments

        if self.drafts is None or not self.drafts.all():
            return

        def resume(draft: Any) -> None:
            # The draft's base version travels with it: its save must conflict with a
            # colleague's save made since, not overwrite it.
            if draft is not None:
                self.open_editor(**draft_arguments(draft))

        self.push_screen(DraftsScreen(self.drafts), resume)

    def _check_keymap(self) -> None:
        """A mistyped binding id in the config would silently do nothing; say so."""
        if not self.keymap:
            return  # nothing to check: don't import every screen to find that out
        from workbench.ui.keys import all_bindings

        known = {binding.id for binding in all_bindings()}
        for binding_id in sorted(set(self.keymap) - known):
            self.notify(
                f"Unknown binding id {binding_id!r} in [keymap]; press ? for the list.",
                title="Config",
                severity="warning",
                markup=False,
            )

    def on_live_trouble(self, message: LiveTrouble) -> None:
        self.notify(
            f"Live updates paused, retrying: {message.reason}",
            title="Live",
            severity="warning",
            markup=False,
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Every worker runs with exit_on_error=False; its failure is told, not fatal."""
        if event.worker.group != "open":
            forward_failure(self, event)

    def on_work_failed(self, message: WorkFailed) -> None:
        from workbench.errors import describe

        error = message.error
        reason = (describe(error) if error else None) or f"{type(error).__name__}: {error}"
        # Messages quote sources and rows: never let them be read as markup.
        self.notify(
            f"Could not {message.what}: {reason}", title="Error", severity="error", markup=False
        )

    def on_unmount(self) -> None:
        self._stop_live.set()
        self._presence_wake.set()  # the heartbeat ends its wait, and leaves the board

    # ------------------------------------------------------------------ role & presence

    def _role_now(self) -> tuple[str, bool]:
        """(this editor's role, whether the desk lists users at all); a worker's read."""
        from db.users import desk_role, list_users

        assert self.repo is not None
        engine = self.repo.engine
        return desk_role(engine, self.repo.editor), bool(list_users(engine))

    def _show_role(self, role: str, listed: bool) -> None:
        """The sub-title names the editor and, on a desk with roles, their role: a viewer
        sees why their keys are refused before pressing one."""
        self.role = role
        if self.repo is None:
            return
        who = self.repo.editor
        if self.repo.read_only:
            who += " (read-only)"
        elif listed or role != "editor":
            who += f" ({role})"
        self.sub_title = " · ".join(p for p in (self.db_label, who) if p)

    def on_role_seen(self, message: RoleSeen) -> None:
        """An admin changed this editor's role while they were logged in."""
        self._show_role(message.role, message.listed)

    @property
    def can_write(self) -> bool:
        """Whether the desk takes this editor's writes, as far as the session knows (the
        repository decides, at each write; this only spares a viewer needless refusals)."""
        return not (self.repo is not None and self.repo.read_only) and self.role != "viewer"

    def _start_presence(self) -> None:
        from db.presence import PresenceBoard

        assert self.repo is not None
        board = self._board = PresenceBoard(self.repo.engine)
        session, editor = self.session_id, self.repo.editor
        self.update_presence()
        # Cursor moves and pane switches say so at once; this catches screens opening and
        # closing (the reader, the editor), which send the app nothing.
        self.set_interval(PRESENCE_CHECK_SECONDS, self.update_presence)
        self.run_worker(
            lambda: run_heartbeat(
                board,
                session,
                editor,
                lambda: self._here,
                self,
                self._stop_live,
                self._presence_wake,
                role=self._role_now,
                left=self.presence_left,
            ),
            thread=True,
            group="presence",
            name="keep your presence on the desk",
            exit_on_error=False,
        )

    def presence_item(self) -> Where:
        """Where this session is: the top screen that says (the editor, the reader), else
        the active pane's highlighted row."""
        for screen in reversed(self.screen_stack):
            item = getattr(screen, "presence_item", None)
            if callable(item):
                return item()  # type: ignore[no-any-return]
            article_id = getattr(screen, "article_id", None)  # the reader
            if isinstance(article_id, int):
                return ("article", article_id, False)
        return NOWHERE

    def update_presence(self) -> None:
        """Tell the heartbeat when where this session is has changed (it writes it after
        a short pause, so a run of j presses is one write)."""
        if self._board is None:
            return
        here = self.presence_item()
        if here != self._here:
            self._here = here
            self._presence_wake.set()

    @on(VirtualList.Highlighted)
    def _presence_moved(self) -> None:
        self.update_presence()

    def editing_elsewhere(self, entity: str, entity_id: int) -> tuple[Here, ...]:
        """Other sessions editing this item now (a fresh heartbeat says so). Read at
        once: it decides whether the editor warns before the form opens."""
        from workbench.ui import presence

        if self._board is None:
            return ()
        found = self._board.others(entity, [entity_id], self.session_id, presence.EXPIRY_SECONDS)
        return tuple(here for here in found.get(entity_id, ()) if here.editing)

    def on_presence_changed(self, message: PresenceChanged) -> None:
        """Where colleagues are moved: every open screen that shows it hears of it."""
        self.others = message.others
        for screen in self.screen_stack:
            listener = getattr(screen, "presence_changed", None)
            if callable(listener):
                listener(message.others)

    async def action_quit(self) -> None:
        """Quit at once, as ``q`` always has, but never with typing unsaved: every open
        statement editor first writes its draft synchronously (its own write waits a
        moment after the last key, and would never come), so the next start offers the
        form back exactly as it was. Asking instead would leave a dropped SSH session
        with nobody to answer; a draft loses nothing either way."""
        from workbench.ui.editor import StatementEditor

        for screen in self.screen_stack:
            if isinstance(screen, StatementEditor):
                try:
                    screen.flush_draft()
                except OSError as exc:
                    if not getattr(self, "_draft_write_failed", False):  # a second q quits
                        self._draft_write_failed = True
                        self.notify(
                            f"Could not write the draft ({exc}); save it (ctrl+s) first, "
                            "or press q again to quit without it.",
                            title="Drafts",
                            severity="error",
                            markup=False,
                        )
                        return
        self._stop_live.set()
        self._presence_wake.set()
        await super().action_quit()

    def on_desk_changed(self, message: DeskChanged) -> None:
        """Every open screen that shows desk data hears of other editors' changes (the
        reader and the editor too, not only the panes underneath them)."""
        for screen in self.screen_stack:
            listener = getattr(screen, "desk_changed", None)
            if callable(listener):
                listener(message)

    def get_default_screen_instance(self) -> MainScreen | None:
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                return screen
        return None

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    # ------------------------------------------------------------------ undo & trash

    def action_undo(self) -> None:
        """``ctrl+z``: undo this editor's own last change, as a new change (history is
        never rewritten); a colleague's later change to the same fields is never
        overwritten. Where the desk is on screen only: in a form, ctrl+z belongs to the
        text being typed."""
        from workbench.ui.history import HistoryScreen, TrashScreen, undo_last_change
        from workbench.ui.reader import ReaderScreen

        screens = MainScreen | ReaderScreen | HistoryScreen | TrashScreen
        if self.repo is not None and isinstance(self.screen, screens):
            undo_last_change(self, self.repo, self._undone)

    def _undone(self, result: UndoResult) -> None:
        """Show the undo at once, also in a session without the live feed."""
        from workbench.ui.history import HistoryScreen, TrashScreen, undone_batch

        main = self.get_default_screen_instance()
        if main is not None:
            batch = undone_batch(result)
            for pane in main.panes:
                pane.desk_changed(batch)
        for screen in self.screen_stack:
            if isinstance(screen, HistoryScreen | TrashScreen):
                screen.reload()

    def action_trash(self) -> None:
        """``T``: deleted items, with who deleted them; ``r`` restores one."""
        from workbench.ui.history import TrashScreen

        if self.repo is not None and isinstance(self.screen, MainScreen):
            self.push_screen(TrashScreen(self.repo))

    # ------------------------------------------------------------------ collections

    def action_collections(self) -> None:
        """``C``: the desk's collections, to reorder, annotate, prune and export."""
        from workbench.ui.collections import CollectionsScreen

        if self.repo is not None and isinstance(self.screen, MainScreen):
            self.push_screen(CollectionsScreen(self.repo, config=self.config), self._search_done)

    def action_export(self) -> None:
        """``X``: export the desk or a collection, with a preview, to a file."""
        from workbench.ui.export_dialog import ExportDialog

        if self.repo is not None and isinstance(self.screen, MainScreen):
            self.push_screen(ExportDialog(self.repo, self.config, collection=None))

    # ------------------------------------------------------------------ search

    def action_search(self) -> None:
        """``/``: search from the panes or the reader. Not over the editor or another
        dialog: a jump to a hit must never close a form with typing in it."""
        from workbench.ui.reader import ReaderScreen
        from workbench.ui.search import SearchScreen

        if self.repo is None or not isinstance(self.screen, MainScreen | ReaderScreen):
            return
        self.push_screen(SearchScreen(self.repo), self._search_done)

    def _search_done(self, found: tuple[str, int] | None) -> None:
        """Show the chosen hit where it lives: an article in the reader, a statement in
        the Statements pane (the timeline's jump: ``Pane.OpenStatement``)."""
        from workbench.ui.reader import ReaderScreen

        if found is None:
            return
        kind, item_id = found
        if isinstance(self.screen, ReaderScreen):
            self.pop_screen()  # the reader searched from makes way for the hit
        if kind == "article":
            self.open_reader(item_id)
            return
        main = self.get_default_screen_instance()
        if main is not None and kind in ("position", "event"):
            pane_id = "positions" if kind == "position" else "timeline"
            main.action_show_pane(pane_id)
            target = main.pane(pane_id)
            jump = target.show_position if kind == "position" else target.show_event  # type: ignore[attr-defined]
            jump(item_id)
            return
        if main is not None:
            # A hit the list as filtered does not show is said by the Statements pane
            # (StatementsPane.show_statement), as for every other jump.
            main.post_message(Pane.OpenStatement(item_id))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        from workbench.ui.keys import binding_groups

        for group, owned in binding_groups():
            for owner, binding in owned:
                if binding.id in {"app.palette", "app.quit"}:
                    continue  # the palette itself, and Textual's own Quit entry
                if (
                    issubclass(owner, Screen)
                    and owner is not MainScreen
                    and not isinstance(screen, owner)
                ):
                    continue  # the reader's and editor's keys, offered where they work
                keys = self.keymap.get(binding.id or "", binding.key)
                shown = " ".join(
                    self.get_key_display(replace(binding, key=key)) for key in keys.split(",")
                )
                yield SystemCommand(
                    f"{group}: {binding.description or binding.action}",
                    f"{shown}  ({binding.id})",
                    partial(self._run_binding, owner, binding.action),
                )

    async def _run_binding(self, owner: type, action: str) -> None:
        """Run a binding's action where its key would have run it."""
        target = self._binding_target(owner)
        if target is not None:
            await target.run_action(action)

    def _binding_target(self, owner: type) -> DOMNode | None:
        """The node that declares ``owner``'s bindings: the app, the screen, the active
        pane (or its list or detail), or the pane those keys belong to, brought forward."""
        main = self.get_default_screen_instance()
        if owner is type(self) or main is None:
            return self
        if isinstance(self.screen, owner):  # the reader's or the editor's own keys
            return self.screen
        if owner is MainScreen:
            return main
        for pane in main.panes:
            if owner is type(pane) or (owner is not VirtualList and isinstance(pane.list, owner)):
                main.action_show_pane(pane.PANE_ID)
                return pane if owner is type(pane) else pane.list
        active = main.pane(main.active)
        if owner is DetailView:
            return active.detail
        if owner is VirtualList:
            return active.list
        return active
