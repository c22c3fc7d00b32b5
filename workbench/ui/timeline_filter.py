"""The timeline's filter (``f`` in the Timeline pane): an actor, an issue, a verification,
a first day.

The actor is typed, not scrolled to: a desk has hundreds of actors, and editors know the
name (or a misspelling of it, or an alias). Matching is the statement editor's speaker
autocomplete (``ActorResolver.suggest``), so the same typing finds the same people in both
places. The filtering itself happens in the query (``db.views.timeline_view``); this
screen only says what to ask for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.events import Key
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option
from textual.worker import Worker

from workbench.text import clean_line
from workbench.ui.messages import forward_failure

if TYPE_CHECKING:
    from db.repo import Repo
    from workbench.extract.actors import ActorResolver

#: What the verification filter offers, in the order the statement editor lists them.
VERIFICATIONS = (
    "unverified",
    "verified",
    "disputed",
    "false",
    "misleading",
    "retracted",
    "superseded",
)


@dataclass(frozen=True)
class TimelineFilter:
    """What the timeline shows. Names travel with ids so the pane title can say what is
    filtered without another query."""

    actor_id: int | None = None
    actor_name: str = ""
    #: the actor and, with ``with_children``, every actor under it (Élysée under France)
    actor_ids: tuple[int, ...] = ()
    with_children: bool = True
    issue_id: int | None = None
    issue_title: str = ""
    verification: str | None = None
    #: entries that start on or after this day ("verified statements on X since 1 Dec")
    since: dt.date | None = None

    @property
    def active(self) -> bool:
        return (
            self.actor_id is not None
            or self.issue_id is not None
            or bool(self.verification)
            or self.since is not None
        )

    def label(self) -> str:
        """The filter as the pane title shows it: `` · Orin Hask +2 · Harbour talks``."""
        parts = []
        if self.actor_id is not None:
            under = len(self.actor_ids) - 1
            parts.append(clean_line(self.actor_name) + (f" +{under}" if under > 0 else ""))
        if self.issue_id is not None:
            parts.append(clean_line(self.issue_title))
        if self.verification:
            parts.append(self.verification)
        if self.since is not None:
            parts.append(f"since {self.since.day} {self.since:%b %Y}")
        return "".join(f" · {part}" for part in parts)

    def view_arguments(self) -> dict[str, Any]:
        """Keyword arguments for ``db.views.timeline_view``."""
        return {
            "actor_ids": self.actor_ids,
            "issue_id": self.issue_id,
            "verification": self.verification,
            "since": self.since,
        }


def _day_text(day: dt.date | None) -> str:
    return f"{day.day} {day:%b %Y}" if day is not None else ""


def descendants(actor_id: int, parents: Iterable[tuple[int, int | None]]) -> tuple[int, ...]:
    """``actor_id`` and every actor under it, at any depth (a ministry's spokesman under the
    ministry under the government), each once even if the parent chain loops."""
    children: dict[int, list[int]] = {}
    for child, parent in parents:
        if parent is not None:
            children.setdefault(parent, []).append(child)
    found = [actor_id]
    seen = {actor_id}
    for current in found:  # grows while it is walked: breadth first
        for child in sorted(children.get(current, ())):
            if child not in seen:
                seen.add(child)
                found.append(child)
    return tuple(found)


class TimelineFilterScreen(ModalScreen["TimelineFilter | None"]):
    """Choose the timeline's actor, issue and verification; dismisses with the new filter
    (an empty one clears), or None when cancelled."""

    DEFAULT_CSS = """
    TimelineFilterScreen { align: center middle; }
    TimelineFilterScreen > Vertical {
        width: 90%; max-width: 90; height: auto; max-height: 90%;
        border: round $accent; border-title-style: bold; background: $surface;
        padding: 0 1;
    }
    TimelineFilterScreen Horizontal { height: auto; }
    TimelineFilterScreen Label { width: 14; color: $text-muted; }
    TimelineFilterScreen #timeline-filter-actor { width: 1fr; }
    TimelineFilterScreen #timeline-filter-matches { height: 6; margin-left: 14; }
    TimelineFilterScreen #timeline-filter-children { margin-left: 14; }
    TimelineFilterScreen Select { width: 1fr; }
    TimelineFilterScreen #timeline-filter-hint { color: $text-muted; height: auto; }
    TimelineFilterScreen #timeline-filter-since-said { color: $text-muted; margin-left: 14; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "apply", "Apply", id="timeline-filter.apply"),
        Binding("ctrl+r", "clear", "Show everything", id="timeline-filter.clear"),
        Binding("escape", "dismiss(None)", "Cancel", id="timeline-filter.cancel"),
    ]

    def __init__(self, repo: Repo, current: TimelineFilter | None = None) -> None:
        super().__init__()
        self.repo = repo
        self.current = current or TimelineFilter()
        self.resolver: ActorResolver | None = None
        self.parents: list[tuple[int, int | None]] = []
        self.names: dict[int, str] = {}
        self.matches: list[tuple[int, str]] = []
        self.issues: list[tuple[int, str]] = []
        self.loaded = False  # the actors and issues have arrived (tests wait on it too)
        self._apply_when_loaded = False  # Enter typed ahead of the actors list

    def compose(self) -> ComposeResult:
        box = Vertical()
        box.border_title = "Filter the timeline"
        box.border_subtitle = "Enter or ctrl+s apply · ctrl+r show everything · esc cancel"
        with box:
            yield Static(
                "Type an actor (name, alias or a near spelling), ↓ to pick; tab to the issue "
                "and the verification. An issue keeps the events that have a statement on "
                "it; a verification shows statements only.",
                id="timeline-filter-hint",
                markup=False,
            )
            with Horizontal():
                yield Label("Actor")
                yield Input(
                    self.current.actor_name,
                    placeholder="any actor",
                    id="timeline-filter-actor",
                    compact=True,
                )
            yield OptionList(id="timeline-filter-matches")
            yield Checkbox(
                "and the actors under it",
                self.current.with_children,
                id="timeline-filter-children",
                compact=True,
            )
            with Horizontal():
                yield Label("Issue")
                yield Select[int]([], prompt="any issue", id="timeline-filter-issue", compact=True)
            with Horizontal():
                yield Label("Verification")
                yield Select[str](
                    [(v, v) for v in VERIFICATIONS],
                    prompt="any verification",
                    value=self.current.verification or Select.NULL,
                    id="timeline-filter-verification",
                    compact=True,
                )
            with Horizontal():
                yield Label("Since")
                yield Input(
                    _day_text(self.current.since),
                    placeholder="any day (“1 Dec”, “last Friday”)",
                    id="timeline-filter-since",
                    compact=True,
                )
            yield Static("", id="timeline-filter-since-said", markup=False)

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#timeline-filter-actor", Input))
        self.run_worker(self._load, thread=True, name="list actors and issues", exit_on_error=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        forward_failure(self, event)

    def _load(self) -> None:
        from db.views import timeline_issues
        from workbench.extract.actors import ActorEntry, ActorResolver

        entries = self.repo.actor_entries()
        resolver = ActorResolver([ActorEntry(i, n, k, a, p) for i, n, k, a, p in entries])
        issues = timeline_issues(self.repo.engine)
        parents = [(i, p) for i, _n, _k, _a, p in entries]
        names = {i: n for i, n, _k, _a, _p in entries}
        self.app.call_from_thread(self._loaded, resolver, issues, parents, names)

    def _loaded(
        self,
        resolver: ActorResolver,
        issues: list[tuple[int, str]],
        parents: list[tuple[int, int | None]],
        names: dict[int, str],
    ) -> None:
        self.resolver, self.parents, self.names, self.issues = resolver, parents, names, issues
        select: Select[int] = self.query_one("#timeline-filter-issue", Select)
        # Text prompts: a str prompt is read as markup, and issue titles are outside text.
        select.set_options([(Text(clean_line(title)), issue_id) for issue_id, title in issues])
        if self.current.issue_id is not None and any(
            i == self.current.issue_id for i, _t in issues
        ):
            select.value = self.current.issue_id
        self._match(self.query_one("#timeline-filter-actor", Input).value)
        self.loaded = True
        if self._apply_when_loaded:
            self.action_apply()

    # ------------------------------------------------------------------ the actor

    @on(Input.Changed, "#timeline-filter-actor")
    def _typed(self, event: Input.Changed) -> None:
        self._match(event.value)

    def _match(self, typed: str) -> None:
        """Offer the actors the typing may mean, best first; the first is what applies."""
        options = self.query_one("#timeline-filter-matches", OptionList)
        options.clear_options()
        self.matches = []
        if self.resolver is None:
            return
        if typed.strip():
            found = self.resolver.suggest(typed, limit=12)
            # The actor already chosen stays first while its name is in the field.
            if self.current.actor_id is not None and typed == self.current.actor_name:
                found.sort(key=lambda m: m.actor_id != self.current.actor_id)
            self.matches = [(m.actor_id, m.name) for m in found]
        for actor_id, name in self.matches:
            label = Text(clean_line(name), style="bold")
            under = len(descendants(actor_id, self.parents)) - 1
            if under:
                label.append(f"  +{under} under it", style="dim")
            parent = dict(self.parents).get(actor_id)
            if parent is not None and parent in self.names:
                label.append(f"  ⊂ {clean_line(self.names[parent])}", style="dim")
            options.add_option(Option(label, id=str(actor_id)))
        if typed.strip() and not self.matches:
            options.add_option(Option(Text("no actor matches", style="dim"), disabled=True))
        if self.matches:
            options.highlighted = 0

    def on_key(self, event: Key) -> None:
        """↓ from the actor field goes into its matches."""
        if event.key == "down" and self.focused is self.query_one("#timeline-filter-actor"):
            if self.matches:
                self.set_focus(self.query_one("#timeline-filter-matches", OptionList))
            event.stop()

    @on(Input.Changed, "#timeline-filter-since")
    def _since_typed(self, event: Input.Changed) -> None:
        from workbench.ui.forms import FormError, _date_preview

        try:
            said = _date_preview(event.value)[1] if event.value.strip() else ""
        except FormError as exc:
            said = str(exc)
        self.query_one("#timeline-filter-since-said", Static).update(said)

    def _since(self) -> dt.date | None:
        """The typed first day; FormError when it cannot be read."""
        from workbench.ui.forms import _date_preview

        return _date_preview(self.query_one("#timeline-filter-since", Input).value)[0]

    @on(Input.Submitted, "#timeline-filter-since")
    @on(Input.Submitted, "#timeline-filter-actor")
    def _submitted(self) -> None:
        self.action_apply()

    @on(OptionList.OptionSelected, "#timeline-filter-matches")
    def _picked(self) -> None:
        self.action_apply()

    def _chosen_actor(self) -> tuple[int, str] | None:
        if not self.query_one("#timeline-filter-actor", Input).value.strip():
            return None
        index = self.query_one("#timeline-filter-matches", OptionList).highlighted
        if index is None or index >= len(self.matches):
            return None
        return self.matches[index]

    # ------------------------------------------------------------------ applying

    def chosen(self) -> TimelineFilter:
        """The filter the form says now."""
        actor = self._chosen_actor()
        with_children = self.query_one("#timeline-filter-children", Checkbox).value
        issue = self.query_one("#timeline-filter-issue", Select).value
        verification = self.query_one("#timeline-filter-verification", Select).value
        issue_title = ""
        if isinstance(issue, int):
            issue_title = next((t for i, t in self.issues if i == issue), f"#{issue}")
        actor_ids: tuple[int, ...] = ()
        if actor is not None:
            actor_ids = descendants(actor[0], self.parents) if with_children else (actor[0],)
        return TimelineFilter(
            actor_id=actor[0] if actor else None,
            actor_name=actor[1] if actor else "",
            actor_ids=actor_ids,
            with_children=with_children,
            issue_id=issue if isinstance(issue, int) else None,
            issue_title=issue_title,
            verification=verification if isinstance(verification, str) else None,
            since=self._since(),
        )

    def action_apply(self) -> None:
        typed = self.query_one("#timeline-filter-actor", Input).value.strip()
        if typed and not self.loaded:  # typed ahead of the actors list: apply when it comes
            self._apply_when_loaded = True
            return
        from workbench.ui.forms import FormError

        try:
            self._since()
        except FormError as exc:
            self.notify(str(exc), title="Timeline filter", markup=False)
            return
        if typed and self._chosen_actor() is None:
            self.notify(
                f"No actor matches “{clean_line(typed)}”.", title="Timeline filter", markup=False
            )
            return
        self.dismiss(self.chosen())

    def action_clear(self) -> None:
        self.dismiss(TimelineFilter(with_children=self.current.with_children))
