"""Small forms of the positions grid: an issue, a position, an actor, the "changed since" day.

Each is a modal screen with a few fields. Saving runs the repository call in a worker
(the repository checks and writes; the form never decides what is valid beyond reading a
date or a list of ids), and a refusal is shown under the fields with the typing kept.
An edit names the version the form was opened at: if a colleague saved the row since,
the repository refuses (``ConflictError``), the form says what is stored now, the grid
reloads, and nothing is overwritten unless the editor saves again, knowingly.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static
from textual.worker import Worker

from workbench.dates import format_span, parse_date_expression
from workbench.text import clean_line
from workbench.ui.messages import forward_failure

if TYPE_CHECKING:
    from collections.abc import Callable

    from db.models import Actor, Issue, Position
    from db.repo import Repo

T = TypeVar("T")

FORM_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 80; max-width: 100%; height: auto; max-height: 100%;
    border: round $accent; border-title-style: bold; background: $surface; padding: 0 1;
}}
{name} #form-fields {{ height: auto; max-height: 1fr; }}
{name} Label {{ color: $text-muted; }}
{name} .preview {{ color: $text-muted; height: auto; }}
{name} #form-error {{ height: auto; }}
"""


class FormError(Exception):
    """What the form itself could not read (a date, a list of ids), said to the editor."""


class _Form(ModalScreen[T], Generic[T]):
    """Fields, ``ctrl+s`` saves, Enter goes to the next field (and saves from the last),
    Esc cancels (asking once when something was typed)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", priority=True, id="form.save"),
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
    ]

    heading = ""
    entity = ""
    #: the version of the row being edited, as the form last read it (None: a new row)
    version: int | None = None

    def __init__(self, repo: Repo | None = None, refresh: Callable[[], None] | None = None):
        super().__init__()
        self.repo = repo
        self.refresh_grid = refresh
        self.saving = False
        self.saves = 0  # completed saves, for tests
        self._initial: dict[str, Any] = {}
        self._warned = False

    def fields(self) -> ComposeResult:
        yield from ()

    def compose(self) -> ComposeResult:
        box = Vertical()
        box.border_title = self.heading
        box.border_subtitle = "ctrl+s save · Enter next field · Esc cancel"
        scroll = VerticalScroll(id="form-fields")
        scroll.can_focus = False  # Tab goes from field to field, not to the scroller
        with box, scroll:
            yield from self.fields()
            yield Static("", id="form-error", markup=False)

    def on_mount(self) -> None:
        self._initial = self.values()
        first = next(iter(self.query(Input)), None)
        if first is not None:
            self.set_focus(first)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if forward_failure(self, event):
            self.saving = False

    def values(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for widget in self.query("Input, Select"):
            if widget.id:
                found[widget.id] = widget.value  # type: ignore[attr-defined]
        return found

    def value(self, field_id: str) -> str:
        return self.query_one(f"#{field_id}", Input).value

    @property
    def dirty(self) -> bool:
        return self.values() != self._initial

    @property
    def error(self) -> str:
        return str(self.query_one("#form-error", Static).content)

    def show_error(self, message: str) -> None:
        error = self.query_one("#form-error", Static)
        error.update(Text(message, style="bold red"))
        self.query_one("#form-fields", VerticalScroll).scroll_to_widget(error, animate=False)

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        event.stop()
        inputs = [w for w in self.query("Input, Select") if not w.disabled]
        if event.input is inputs[-1]:
            self.action_save()
        else:
            self.focus_next()

    def action_cancel(self) -> None:
        if self.dirty and not self._warned:
            self._warned = True
            self.show_error("Esc again drops what you typed; ctrl+s saves it.")
            return
        self.dismiss(None)

    # ---------------------------------------------------------------- saving

    def check(self) -> dict[str, Any]:
        """Read the fields into the repository call's arguments (raise FormError)."""
        return {}

    def write(self, values: dict[str, Any]) -> T:
        """The repository call; runs in a worker thread."""
        raise NotImplementedError

    def action_save(self) -> None:
        if self.saving:
            return
        try:
            values = self.check()
        except FormError as exc:
            self.show_error(str(exc))
            return
        self.saving = True
        self.run_worker(
            lambda: self._save(values),
            thread=True,
            group="write",
            name=f"save the {self.entity}",
            exit_on_error=False,
        )

    def _save(self, values: dict[str, Any]) -> None:
        from db.repo import ConflictError, RepoError

        try:
            result = self.write(values)
        except ConflictError as exc:
            self.app.call_from_thread(self._conflict, exc)
        except RepoError as exc:
            self.app.call_from_thread(self._refused, str(exc))
        else:
            self.app.call_from_thread(self._saved, result)

    def _saved(self, result: T) -> None:
        self.saving = False
        self.saves += 1
        self.dismiss(result)

    def _refused(self, reason: str) -> None:
        self.saving = False
        self.show_error(f"Not saved: {reason}.")

    def _conflict(self, exc: Any) -> None:
        """Someone saved the row since the form opened: say what it holds now, take
        their version as the base (so a second ctrl+s is a knowing choice), reload."""
        self.saving = False
        theirs = exc.theirs
        self.version = getattr(theirs, "version", None)
        if getattr(theirs, "deleted_at", None) is not None:
            self.show_error(f"Not saved: this {self.entity} was deleted meanwhile.")
        else:
            self.show_error(
                f"Not saved: someone changed this {self.entity} since you opened it; it "
                f"now reads “{self.describe(theirs)}”. Your text is still here: ctrl+s "
                "saves it over theirs, Esc drops it."
            )
        if self.refresh_grid is not None:
            self.refresh_grid()

    def describe(self, row: Any) -> str:
        return clean_line(str(getattr(row, "title", "") or getattr(row, "name", "")))


def _date_preview(text: str) -> tuple[dt.date | None, str]:
    """(the day a typed date means, what to show under the field); FormError if unread."""
    text = text.strip()
    if not text:
        return None, "no date"
    guess = parse_date_expression(text, reference=dt.date.today())
    if guess is None or guess.start is None:
        raise FormError(f"“{clean_line(text)}” is not a date this form can place")
    shown = format_span(guess.start, guess.end, guess.precision)
    if guess.end is not None and guess.end != guess.start:
        shown += f" (from {format_span(guess.start)})"
    return guess.start, f"→ {shown}"


class SinceForm(_Form["tuple[dt.date | None] | None"]):
    """The day the grid's "changed" mark counts from: free text ("last Friday", "1 Dec");
    empty clears it. Dismisses with ``(day,)`` or ``(None,)``, or None when cancelled."""

    heading = "Mark cells changed since…"
    DEFAULT_CSS = FORM_CSS.format(name="SinceForm")

    def __init__(self, since: dt.date | None) -> None:
        super().__init__()
        self.since = since

    def fields(self) -> ComposeResult:
        yield Label("A day (“1 Dec”, “last Friday”, “3 days ago”); empty clears the mark")
        yield Input(format_span(self.since) if self.since else "", id="since")
        yield Static("", id="since-preview", classes="preview", markup=False)

    @on(Input.Changed, "#since")
    def _preview(self, event: Input.Changed) -> None:
        try:
            _day, said = _date_preview(event.value)
        except FormError as exc:
            said = str(exc)
        self.query_one("#since-preview", Static).update(said)

    def action_save(self) -> None:
        try:
            day, _said = _date_preview(self.value("since"))
        except FormError as exc:
            self.show_error(str(exc))
            return
        self.dismiss((day,))


class IssueForm(_Form["Issue | None"]):
    """A new issue, or the title and description of one."""

    DEFAULT_CSS = FORM_CSS.format(name="IssueForm")
    entity = "issue"

    def __init__(
        self, repo: Repo, issue: Issue | None = None, refresh: Callable[[], None] | None = None
    ) -> None:
        super().__init__(repo, refresh)
        self.issue = issue
        self.version = issue.version if issue is not None else None
        self.heading = "Edit issue" if issue is not None else "New issue"

    def fields(self) -> ComposeResult:
        issue = self.issue
        yield Label("The question the desk tracks (“Is a leaders' call imminent?”)")
        yield Input(issue.title if issue else "", id="issue-title")
        yield Label("Description (optional)")
        yield Input(issue.description if issue else "", id="issue-description")

    def check(self) -> dict[str, Any]:
        return {
            "title": " ".join(self.value("issue-title").split()),
            "description": self.value("issue-description").strip(),
        }

    def write(self, values: dict[str, Any]) -> Issue:
        assert self.repo is not None
        if self.issue is None:
            return self.repo.add_issue(values["title"], values["description"])
        return self.repo.update("issue", int(self.issue.id), self.version, **values)  # type: ignore[arg-type, return-value]


_IDS = re.compile(r"[\s,;]+")


def parse_ids(text: str) -> list[int]:
    """ "12, #15 17" → [12, 15, 17]; FormError for anything else."""
    ids: list[int] = []
    for token in _IDS.split(text.strip()):
        if not token:
            continue
        digits = token.removeprefix("#")
        if not digits.isdigit() or int(digits) == 0:
            raise FormError(f"statement ids are numbers such as 12, 15 (not “{clean_line(token)}”)")
        ids.append(int(digits))
    return list(dict.fromkeys(ids))


class PositionForm(_Form["Position | None"]):
    """A new position in a grid cell (the cell's current one becomes history), or a
    correction of the position the cell shows (summary and as-of date)."""

    DEFAULT_CSS = FORM_CSS.format(name="PositionForm")
    entity = "position"

    def __init__(
        self,
        repo: Repo,
        *,
        issue: tuple[int, str],
        actor: tuple[int, str],
        position: Position | None = None,
        backing: tuple[int, ...] = (),
        refresh: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(repo, refresh)
        self.issue = issue
        self.actor = actor
        self.position = position
        self.backing = backing
        self.version = position.version if position is not None else None
        verb = "Correct the position" if position is not None else "New position"
        self.heading = f"{verb}: {clean_line(actor[1])} on {clean_line(issue[1])}"

    def fields(self) -> ComposeResult:
        position = self.position
        yield Label("Summary (what the actor's position is, in a line)")
        yield Input(position.summary if position else "", id="position-summary")
        yield Label("As of (“14 Oct”, “last Friday”; empty: undated)")
        as_of = format_span(position.as_of) if position and position.as_of else ""
        yield Input(as_of, id="position-as-of")
        yield Static("", id="as-of-preview", classes="preview", markup=False)
        if position is None:
            yield Label("Backing statements (ids, optional: 12, 15)")
            yield Input("", id="position-statements")
        else:
            ids = ", ".join(f"#{i}" for i in self.backing) or "none"
            yield Static(
                f"Backed by {ids}. To change what backs it, add a new position (p).",
                classes="preview",
                markup=False,
            )

    @on(Input.Changed, "#position-as-of")
    def _preview(self, event: Input.Changed) -> None:
        try:
            _day, said = _date_preview(event.value)
        except FormError as exc:
            said = str(exc)
        self.query_one("#as-of-preview", Static).update(said)

    def check(self) -> dict[str, Any]:
        as_of, _said = _date_preview(self.value("position-as-of"))
        values: dict[str, Any] = {"summary": self.value("position-summary"), "as_of": as_of}
        if self.position is None:
            values["statement_ids"] = parse_ids(self.value("position-statements"))
        return values

    def write(self, values: dict[str, Any]) -> Position:
        assert self.repo is not None
        if self.position is None:
            return self.repo.add_position(issue_id=self.issue[0], actor_id=self.actor[0], **values)
        return self.repo.update("position", int(self.position.id), self.version, **values)  # type: ignore[arg-type, return-value]

    def describe(self, row: Any) -> str:
        return clean_line(str(getattr(row, "summary", "")))


KINDS = ("person", "government", "organisation", "outlet")


class ActorForm(_Form["Actor | None"]):
    """A new actor, or an actor's name, kind and parent. The parent is typed by name or
    alias and looked up when saving; empty means none."""

    DEFAULT_CSS = FORM_CSS.format(name="ActorForm")
    entity = "actor"

    def __init__(
        self,
        repo: Repo,
        actor: Actor | None = None,
        *,
        parent: str = "",
        refresh: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(repo, refresh)
        self.actor = actor
        self.parent_name = parent
        self.version = actor.version if actor is not None else None
        self.heading = f"Edit actor: {clean_line(actor.name)}" if actor else "New actor"

    def fields(self) -> ComposeResult:
        actor = self.actor
        yield Label("Name")
        yield Input(actor.name if actor else "", id="actor-name")
        yield Label("Kind")
        kind = actor.kind if actor and actor.kind in KINDS else "person"
        yield Select([(k, k) for k in KINDS], value=kind, allow_blank=False, id="actor-kind")
        yield Label("Under (the parent actor's name or alias; empty: none) — Élysée → France")
        yield Input(self.parent_name, id="actor-parent")
        if actor is None:
            yield Label("Aliases (optional, comma-separated)")
            yield Input("", id="actor-aliases")

    def check(self) -> dict[str, Any]:
        values: dict[str, Any] = {
            "name": " ".join(self.value("actor-name").split()),
            "kind": self.query_one("#actor-kind", Select).value,
            "parent": " ".join(self.value("actor-parent").split()),
        }
        if self.actor is None:
            aliases = self.value("actor-aliases").split(",")
            values["aliases"] = [a.strip() for a in aliases if a.strip()]
        return values

    def write(self, values: dict[str, Any]) -> Actor:
        from db.repo import ValidationError

        assert self.repo is not None
        parent_name = values.pop("parent")
        parent_id = None
        if parent_name:
            parent = self.repo.find_actor(parent_name)
            if parent is None:
                raise ValidationError(
                    f"no actor is called “{parent_name}” (check the spelling, or add it first)"
                )
            parent_id = parent.id
        if self.actor is None:
            return self.repo.add_actor(values.pop("name"), parent_id=parent_id, **values)
        return self.repo.update(  # type: ignore[return-value]
            "actor",
            int(self.actor.id),
            self.version,
            parent_id=parent_id,
            **values,  # type: ignore[arg-type]
        )

    def describe(self, row: Any) -> str:
        return clean_line(str(getattr(row, "name", "")))


__all__ = [
    "ActorForm",
    "FormError",
    "IssueForm",
    "PositionForm",
    "SinceForm",
    "parse_ids",
]
