"""Screens around statements: drafts left by an interrupted session, and the actors list
(where two actors that are really one are merged)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

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

from workbench.text import clean_line
from workbench.ui.messages import forward_failure
from workbench.ui.render import local

if TYPE_CHECKING:
    from db.repo import Repo
    from workbench.drafts import Draft, DraftStore

BOX_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 90%; max-width: 100; height: 80%;
    border: round $accent; border-title-style: bold; background: $surface; padding: 0 1;
}}
{name} #hint {{ color: $text-muted; height: auto; }}
"""


class DraftsScreen(ModalScreen["Draft | None"]):
    """Statements being written when a session ended: resume one, or throw it away."""

    DEFAULT_CSS = BOX_CSS.format(name="DraftsScreen")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "resume", "Resume", id="drafts.resume"),
        Binding("d,delete", "discard", "Discard", id="drafts.discard"),
        Binding("escape", "dismiss(None)", "Later", id="drafts.later"),
    ]

    def __init__(self, store: DraftStore) -> None:
        super().__init__()
        self.store = store
        self.drafts: list[Draft] = []

    def compose(self) -> ComposeResult:
        box = Vertical()
        box.border_title = "Unsaved statements from an earlier session"
        with box:
            yield Static(
                "Enter resumes one in the editor · d throws it away · esc decides later "
                "(they stay until saved or discarded)",
                id="hint",
                markup=False,
            )
            yield OptionList(id="drafts-list")

    def on_mount(self) -> None:
        self._fill()
        self.query_one(OptionList).focus()

    def _fill(self) -> None:
        self.drafts = self.store.all()
        options = self.query_one(OptionList)
        options.clear_options()
        for draft in self.drafts:
            label = Text(local(draft.saved_at).strftime("%d %b %H:%M  "), style="dim")
            label.append(clean_line(draft.title) or "(empty)")
            if draft.fields.get("_statement_id"):
                label.append(f"  (editing #{draft.fields['_statement_id']})", style="dim")
            options.add_option(Option(label, id=draft.key))
        if self.drafts:
            options.highlighted = 0
        else:
            self.dismiss(None)

    def _current(self) -> Draft | None:
        index = self.query_one(OptionList).highlighted
        return self.drafts[index] if index is not None and index < len(self.drafts) else None

    def action_resume(self) -> None:
        draft = self._current()
        if draft is not None:
            self.dismiss(draft)

    @on(OptionList.OptionSelected)
    def _selected(self) -> None:
        self.action_resume()

    def action_discard(self) -> None:
        draft = self._current()
        if draft is not None:
            self.store.discard(draft.key)
            self._fill()


class ActorsScreen(ModalScreen[None]):
    """Every actor, filtered as you type; ``m`` marks one to merge, Enter merges it into
    the highlighted one (statements, positions and aliases follow; the log records it)."""

    DEFAULT_CSS = BOX_CSS.format(name="ActorsScreen")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m", "mark", "Merge this…", id="actors.mark"),
        Binding("enter", "merge", "…into this", id="actors.merge"),
        Binding("escape", "close", "Close", id="actors.close"),
    ]

    def __init__(self, repo: Repo) -> None:
        super().__init__()
        self.repo = repo
        self.actors: list[tuple[int, str, str, tuple[str, ...], int | None]] = []
        self.shown: list[tuple[int, str, str, tuple[str, ...], int | None]] = []
        self.marked: tuple[int, str] | None = None

    def compose(self) -> ComposeResult:
        box = Vertical()
        box.border_title = (
            "Actors — type to filter, ↓ to the list · m merge this… · Enter …into this · esc"
        )
        with box:
            yield Input(placeholder="filter by name or alias", id="actors-filter")
            yield Static("", id="hint", markup=False)
            yield OptionList(id="actors-list")

    def on_mount(self) -> None:
        # Typing goes to the filter: in the list, an ``m`` typed as part of a name would
        # mark an actor for merging.
        self.query_one(Input).focus()
        self.run_worker(self._load, thread=True, name="list the actors", exit_on_error=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        forward_failure(self, event)

    def _load(self) -> None:
        actors = self.repo.actor_entries()
        self.app.call_from_thread(self._loaded, actors)

    def _loaded(self, actors: list[tuple[int, str, str, tuple[str, ...], int | None]]) -> None:
        self.actors = actors
        self._fill(self.query_one(Input).value)

    @on(Input.Submitted, "#actors-filter")
    def _to_list(self) -> None:
        self.query_one(OptionList).focus()

    def on_key(self, event: Key) -> None:
        """↓ from the filter goes into the list."""
        if event.key == "down" and isinstance(self.focused, Input):
            self.query_one(OptionList).focus()
            event.stop()

    @on(Input.Changed, "#actors-filter")
    def _filter(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def _fill(self, typed: str) -> None:
        was = self._current()  # stays highlighted if still shown (marking redraws the list)
        needle = typed.casefold().strip()
        self.shown = [
            a
            for a in self.actors
            if not needle or any(needle in n.casefold() for n in (a[1], *a[3]))
        ]
        options = self.query_one(OptionList)
        options.clear_options()
        names = {a[0]: a[1] for a in self.actors}
        for actor_id, name, kind, aliases, parent in self.shown:
            label = Text(clean_line(name), style="bold")
            label.append(f"  {kind}", style="dim")
            if parent:
                label.append(f"  ⊂ {clean_line(names.get(parent, '?'))}", style="dim")
            others = [a for a in aliases if a != name]
            if others:
                label.append("  aka " + ", ".join(clean_line(a) for a in others[:4]), "cyan")
            if self.marked and self.marked[0] == actor_id:
                label.append("  ← merging this", style="reverse")
            options.add_option(Option(label, id=str(actor_id)))
        if self.shown:
            ids = [a[0] for a in self.shown]
            options.highlighted = ids.index(was[0]) if was and was[0] in ids else 0
        self._hint()

    def _hint(self) -> None:
        hint = self.query_one("#hint", Static)
        if self.marked:
            hint.update(
                f"Merging “{clean_line(self.marked[1])}”: highlight the actor it "
                "really is and press Enter (esc cancels)."
            )
        else:
            hint.update(f"{len(self.shown)} of {len(self.actors)} actors.")

    def _current(self) -> tuple[int, str] | None:
        index = self.query_one(OptionList).highlighted
        if index is None or index >= len(self.shown):
            return None
        return self.shown[index][0], self.shown[index][1]

    def action_mark(self) -> None:
        self.marked = self._current()
        self._fill(self.query_one(Input).value)

    def action_merge(self) -> None:
        target = self._current()
        if self.marked is None or target is None:
            return
        if target[0] == self.marked[0]:
            self.notify("Pick the other actor to merge into.", title="Actors", markup=False)
            return
        source = self.marked

        def work() -> None:
            self.repo.merge_actors(source[0], target[0])
            self.app.call_from_thread(
                self.notify,
                f"Merged {clean_line(source[1])} into {clean_line(target[1])}.",
                title="Actors",
                markup=False,
            )
            self.app.call_from_thread(self._after_merge)

        self.run_worker(work, thread=True, name="merge the actors", exit_on_error=False)

    def _after_merge(self) -> None:
        self.marked = None
        self.run_worker(self._load, thread=True, name="list the actors", exit_on_error=False)

    @on(OptionList.OptionSelected)
    def _selected(self) -> None:
        self.action_merge()

    def action_close(self) -> None:
        if self.marked:
            self.marked = None
            self._fill(self.query_one(Input).value)
            return
        self.dismiss(None)
