"""Each editor's own view of the positions grid, and the screen that chooses its columns.

Which actor columns the grid shows, in what order, and the day its "changed" mark counts
from are one person's way of reading the desk, not desk data: choosing them must not
change the grid under a colleague, and must not need the write lock or the change log.
So they live where drafts live (``workbench.drafts``): a small JSON file per desk and per
editor in the user's state folder (``platformdirs.user_state_dir``), written atomically,
read at start. A file that cannot be read is ignored (the desk's default grid shows),
never fatal.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from platformdirs import user_state_dir
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.events import Key
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker

from workbench.drafts import _SAFE_KEY, APP_NAME, desk_key
from workbench.text import clean_line
from workbench.ui.messages import forward_failure

if TYPE_CHECKING:
    from db.repo import Repo
    from db.rows import ActorRef


def prefs_root() -> Path:
    return Path(user_state_dir(APP_NAME, appauthor=False)) / "views"


@dataclass
class GridPrefs:
    #: actor ids in the editor's order; None: the desk's default columns
    columns: list[int] | None = None
    #: the day the "changed" mark counts from; None: no such mark
    since: dt.date | None = None
    #: extra keys written by a later version, kept so saving never drops them
    other: dict[str, Any] = field(default_factory=dict)


class GridPrefsStore:
    """The grid view of one editor on one desk."""

    def __init__(self, desk: str, editor: str, root: Path | None = None) -> None:
        folder = (root or prefs_root()) / desk_key(desk)
        self.path = folder / f"{_SAFE_KEY.sub('_', editor)}.grid.json"

    def load(self) -> GridPrefs:
        try:
            payload = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return GridPrefs()
        if not isinstance(payload, dict):
            return GridPrefs()
        columns = payload.get("columns")
        if not (isinstance(columns, list) and all(_is_id(c) for c in columns)):
            columns = None
        since = payload.get("since")
        try:
            day = dt.date.fromisoformat(since) if isinstance(since, str) else None
        except ValueError:
            day = None
        other = {k: v for k, v in payload.items() if k not in {"columns", "since"}}
        return GridPrefs(columns or None, day, other)

    def save(self, prefs: GridPrefs) -> None:
        """Write to a temporary file, fsync, rename: a crash leaves the old view or the
        new one, never half of one."""
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        payload = {
            **prefs.other,
            "columns": prefs.columns,
            "since": prefs.since.isoformat() if prefs.since else None,
        }
        fd, tmp = tempfile.mkstemp(prefix=".grid-", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(payload, handle, ensure_ascii=False)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


# --------------------------------------------------------------------------- choosing columns

#: (id, name, kind, aliases, parent id) as ``Repo.actor_entries`` gives them
ActorEntry = tuple[int, str, str, tuple[str, ...], "int | None"]


def move_column(columns: list[ActorRef], actor_id: int, step: int) -> list[int] | None:
    """The column order after moving ``actor_id`` one place (``step`` −1 or 1) as the grid
    shows it; None when it cannot move that way.

    Within its family a column changes places with its neighbour; the first (or last)
    column of a family moves the whole family past the neighbouring family, so families
    always stay together and an actor always stays before the actors under it.
    """
    families: list[tuple[int, list[int]]] = []
    for column in columns:
        top = column.group_id if column.group_id is not None else column.id
        if families and families[-1][0] == top:
            families[-1][1].append(column.id)
        else:
            families.append((top, [column.id]))
    groups = [members for _top, members in families]
    for g, members in enumerate(groups):
        if actor_id not in members:
            continue
        m = members.index(actor_id)
        if 0 <= m + step < len(members):
            members[m], members[m + step] = members[m + step], members[m]
        elif 0 <= g + step < len(groups):
            groups[g], groups[g + step] = groups[g + step], groups[g]
        else:
            return None
        return [i for group in groups for i in group]
    return None


class ColumnChooser(ModalScreen["list[int] | None"]):
    """Which actors are the grid's columns, and in what order.

    Lists the columns shown (as the grid groups them) and the other actors with
    positions; typing searches every actor by name or alias. Space shows or hides the
    highlighted actor, ``K``/``J`` (or shift+↑/↓) move it, Enter keeps the choice,
    ``ctrl+r`` goes back to the desk's default, Esc leaves the grid as it was. Dismisses
    with the chosen order ([] for the default) or None.
    """

    DEFAULT_CSS = """
    ColumnChooser { align: center middle; }
    ColumnChooser > Vertical {
        width: 90%; max-width: 100; height: 85%;
        border: round $accent; border-title-style: bold; background: $surface; padding: 0 1;
    }
    ColumnChooser #columns-hint { color: $text-muted; height: auto; }
    ColumnChooser #columns-list { height: 1fr; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle", "Show/hide", id="columns.toggle"),
        Binding("K,shift+up", "move(-1)", "Move left", id="columns.up"),
        Binding("J,shift+down", "move(1)", "Move right", id="columns.down"),
        Binding("enter", "keep", "Keep", id="columns.keep"),
        Binding("ctrl+r", "reset", "Desk default", id="columns.reset"),
        Binding("escape", "close", "Cancel", id="columns.cancel"),
    ]

    def __init__(self, repo: Repo, chosen: list[int]) -> None:
        super().__init__()
        self.repo = repo
        self.chosen: list[int] = list(dict.fromkeys(chosen))
        self.entries: dict[int, ActorEntry] = {}
        self.with_positions: list[int] = []
        self.shown: list[int] = []  # actor ids, as listed
        self.columns: list[ActorRef] = []  # the chosen ones, as the grid will show them
        self.loaded = False

    def compose(self) -> ComposeResult:
        box = Vertical()
        box.border_title = "Grid columns"
        box.border_subtitle = "space show/hide · K/J move · Enter keep · ctrl+r default · Esc"
        with box:
            yield Input(placeholder="type to find any actor by name or alias", id="columns-filter")
            yield Static("Loading the actors…", id="columns-hint", markup=False)
            yield OptionList(id="columns-list")

    def on_mount(self) -> None:
        self.set_focus(self.query_one(OptionList))
        self.run_worker(self._load, thread=True, name="list the actors", exit_on_error=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        forward_failure(self, event)

    def _load(self) -> None:
        from db.views import grid_columns

        entries = self.repo.actor_entries()
        with_positions = [c.id for c in grid_columns(self.repo.engine, limit=None)]
        self.app.call_from_thread(self._loaded, entries, with_positions)

    def _loaded(self, entries: list[ActorEntry], with_positions: list[int]) -> None:
        self.entries = {e[0]: e for e in entries}
        self.chosen = [i for i in self.chosen if i in self.entries]
        self.with_positions = [i for i in with_positions if i in self.entries]
        self.loaded = True
        self._fill()

    def _regroup(self) -> None:
        from db.views import group_columns

        chains = {i: (e[1], e[4]) for i, e in self.entries.items()}
        self.columns = group_columns(self.chosen, chains)
        self.chosen = [c.id for c in self.columns]

    def _fill(self, keep: int | None = None) -> None:
        if not self.loaded:
            return
        self._regroup()
        current = keep if keep is not None else self.current
        needle = self.query_one(Input).value.casefold().strip()
        chosen = set(self.chosen)
        if needle:
            matches = [
                e[0]
                for e in self.entries.values()
                if any(needle in n.casefold() for n in (e[1], *e[3]))
            ]
            has = set(self.with_positions)
            rest = sorted(
                (i for i in matches if i not in chosen),
                key=lambda i: (i not in has, self.entries[i][1].casefold()),
            )
            self.shown = [i for i in self.chosen if i in set(matches)] + rest[:300]
        else:
            self.shown = self.chosen + [i for i in self.with_positions if i not in chosen]
        depth = {c.id: c.depth for c in self.columns}
        options = self.query_one(OptionList)
        options.clear_options()
        for actor_id in self.shown:
            options.add_option(Option(self._label(actor_id, depth.get(actor_id)), id=str(actor_id)))
        if self.shown:
            options.highlighted = self.shown.index(current) if current in self.shown else 0
        self._hint(needle)

    def _label(self, actor_id: int, depth: int | None) -> Text:
        _id, name, kind, aliases, parent = self.entries[actor_id]
        shown = depth is not None
        label = Text("☑ " if shown else "☐ ", style="bold green" if shown else "dim")
        label.append("  " * (depth or 0))
        label.append(clean_line(name), style="bold" if shown else "")
        label.append(f"  {kind}", style="dim")
        if parent is not None and parent in self.entries:
            label.append(f"  ⊂ {clean_line(self.entries[parent][1])}", style="dim")
        if actor_id not in self.with_positions:
            label.append("  no positions yet", style="dim italic")
        others = [a for a in aliases if a != name]
        if others and not shown:
            label.append("  aka " + ", ".join(clean_line(a) for a in others[:3]), style="cyan")
        return label

    def _hint(self, needle: str) -> None:
        count = len(self.chosen)
        said = f"{count} column{'s' if count != 1 else ''} shown"
        said += " (children follow their parent in the grid)." if count else ": the desk's default."
        if needle:
            said += f"  {len(self.shown)} actors match."
        self.query_one("#columns-hint", Static).update(said)

    @property
    def current(self) -> int | None:
        index = self.query_one(OptionList).highlighted
        if index is None or not 0 <= index < len(self.shown):
            return None
        return self.shown[index]

    def on_key(self, event: Key) -> None:
        """Letters typed in the list go to the search; ↓ from the search to the list;
        Enter on an empty list keeps the choice."""
        filter_ = self.query_one(Input)
        options = self.query_one(OptionList)
        if event.key == "enter" and self.focused is options and options.highlighted is None:
            # An empty list (or none highlighted) selects nothing, and its Enter binding
            # would swallow the key: Enter keeps the choice here too.
            self.action_keep()
            event.stop()
            event.prevent_default()
        elif isinstance(self.focused, OptionList):
            char = event.character
            if char and event.is_printable and char != " " and event.key not in {"J", "K"}:
                self.set_focus(filter_)
                filter_.insert_text_at_cursor(char)
                event.stop()
                event.prevent_default()
        elif self.focused is filter_ and event.key == "down":
            self.set_focus(self.query_one(OptionList))
            event.stop()
            event.prevent_default()

    @on(Input.Changed, "#columns-filter")
    def _filter(self) -> None:
        self._fill()

    @on(Input.Submitted, "#columns-filter")
    def _to_list(self) -> None:
        self.set_focus(self.query_one(OptionList))

    @on(OptionList.OptionSelected, "#columns-list")
    def _selected(self) -> None:
        self.action_keep()

    def action_toggle(self) -> None:
        actor_id = self.current
        if actor_id is None:
            return
        if actor_id in self.chosen:
            self.chosen.remove(actor_id)
        else:
            self.chosen.append(actor_id)
        self._fill(keep=actor_id)

    def action_move(self, step: int) -> None:
        actor_id = self.current
        if actor_id is None or actor_id not in self.chosen:
            return
        moved = move_column(self.columns, actor_id, step)
        if moved is None:
            return
        self.chosen = moved
        self._fill(keep=actor_id)

    def action_keep(self) -> None:
        if self.loaded:
            self.dismiss(list(self.chosen))

    def action_reset(self) -> None:
        self.dismiss([])

    def action_close(self) -> None:
        filter_ = self.query_one(Input)
        if self.focused is filter_ and filter_.value:
            filter_.value = ""
            self.set_focus(self.query_one(OptionList))
            return
        self.dismiss(None)


__all__ = ["ColumnChooser", "GridPrefs", "GridPrefsStore", "move_column", "prefs_root"]
