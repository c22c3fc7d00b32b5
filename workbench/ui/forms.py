"""Small forms of the positions grid and the timeline: an issue, a position, an actor, an
event, the "changed since" day.

Each is a modal screen with a few fields. Saving runs the repository call in a worker
(the repository checks and writes; the form never decides what is valid beyond reading a
date or a list of ids), and a refusal (a viewer's too) is shown under the fields with the
typing kept.

An edit names the version the form was opened at. If a colleague saved the row since,
the repository refuses (``ConflictError``) and the form compares three versions of its
fields: as opened, as stored now ("theirs"), as typed ("yours"). A field only they
changed is taken into the form, a field only the form changed is kept, and the save goes
through at their version with a note saying what was merged. A field both changed, to
different values, opens the conflict view (``workbench.ui.conflict``): theirs beside
yours, keep mine, take theirs, a field at a time, or keep editing. Nothing is overwritten
that the editor has not seen.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static, TextArea
from textual.worker import Worker

from workbench.dates import format_span, parse_date_expression
from workbench.text import clean_line
from workbench.ui.conflict import (
    ConflictChoice,
    ConflictScreen,
    clashing_fields,
    theirs_only_fields,
)
from workbench.ui.messages import forward_failure

if TYPE_CHECKING:
    from collections.abc import Callable

    from db.models import Actor, Event, Issue, Position
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


#: Quiet merges one ctrl+s goes through before it asks instead (a row that keeps changing).
MERGE_ATTEMPTS = 5


class FormError(Exception):
    """What the form itself could not read (a date, a list of ids), said to the editor."""


@dataclass(frozen=True)
class Stored:
    """The edited row as stored now, read after a refused save: its fields as the form
    shows them (``values``), its version, and who saved it last."""

    values: dict[str, Any]
    version: int
    by: str


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
    #: (field id, label) of the stored row's fields the form edits, in the form's order:
    #: what a save conflict compares and the conflict view lists
    conflict_fields: ClassVar[tuple[tuple[str, str], ...]] = ()

    def __init__(self, repo: Repo | None = None, refresh: Callable[[], None] | None = None):
        super().__init__()
        self.repo = repo
        self.refresh_grid = refresh
        self.saving = False
        self.saves = 0  # completed saves, for tests
        self.merges = 0  # saves merged with a colleague's without asking, for tests
        #: the stored row's fields as the form shows them, at ``version``: what "only
        #: they changed" and "only I changed" are measured from (None: a new row)
        self.base: dict[str, Any] | None = None
        self._initial: dict[str, Any] = {}
        self._warned = False
        self._merged = 0  # quiet merges since the editor's last ctrl+s

    @property
    def editing_id(self) -> int | None:
        """The id of the row being edited (None: the form adds one)."""
        return None

    def fields(self) -> ComposeResult:
        yield from ()

    def compose(self) -> ComposeResult:
        box = Vertical()
        box.border_title = Text(self.heading)  # not markup: headings hold names
        box.border_subtitle = "ctrl+s save · Enter next field · Esc cancel"
        scroll = VerticalScroll(id="form-fields")
        scroll.can_focus = False  # Tab goes from field to field, not to the scroller
        with box, scroll:
            yield from self.fields()
            yield Static("", id="form-error", markup=False)

    def on_mount(self) -> None:
        self._initial = self.values()
        if self.editing_id is not None:
            # filled from the stored row: as opened, the form is the base
            self.base = {name: self._initial.get(name) for name, _label in self.conflict_fields}
        first = next(iter(self.query(Input)), None)
        if first is not None:
            self.set_focus(first)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if forward_failure(self, event):
            self.saving = False

    def values(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for widget in self.query("Input, Select, TextArea"):
            if widget.id:
                if isinstance(widget, TextArea):
                    found[widget.id] = widget.text
                else:
                    found[widget.id] = widget.value  # type: ignore[attr-defined]
        return found

    def set_values(self, values: Mapping[str, Any]) -> None:
        """Put values into the fields they name (stored values: theirs, after a conflict)."""
        for name, value in values.items():
            found = list(self.query(f"#{name}"))
            if not found:
                continue
            widget = found[0]
            if isinstance(widget, TextArea):
                widget.text = str(value or "")
            elif isinstance(widget, Input):
                widget.value = str(value or "")
            elif isinstance(widget, Select):
                widget.value = value

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
        inputs = [w for w in self.query("Input, Select, TextArea") if not w.disabled]
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

    def stored_form(self, row: Any) -> dict[str, Any]:
        """A stored row's fields as this form shows them, by field id (the values the
        form is filled with); runs in a worker, so it may read the repository."""
        return {}

    def comparable(self, name: str, value: Any) -> Any:
        """A field's value as a save reads it, so typing it another way (spaces, "14
        Oct" for "14 Oct 2026") is no change and no conflict."""
        return " ".join(str(value or "").split())

    def differs(self, name: str, one: Mapping[str, Any], other: Mapping[str, Any]) -> bool:
        return self.comparable(name, one.get(name)) != self.comparable(name, other.get(name))

    def rebased(self, theirs: Mapping[str, Any]) -> None:
        """The form now bases on ``theirs`` (a hook: a form keeps what it needs of it)."""

    def action_save(self) -> None:
        self._merged = 0
        self._start_save()

    def _start_save(self) -> None:
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
        except ConflictError:
            try:
                stored = self._stored_now()
            except RepoError as exc:
                self.app.call_from_thread(self._gone, str(exc))
            else:
                self.app.call_from_thread(self._conflict, stored)
        except RepoError as exc:
            self.app.call_from_thread(self._refused, str(exc))
        else:
            self.app.call_from_thread(self._saved, result)

    def _stored_now(self) -> Stored:
        """The edited row as stored now, as the form shows it, and who saved it last
        (worker, after a refused save)."""
        from db.repo import NotFoundError

        assert self.repo is not None and self.editing_id is not None
        row = self.repo.get(self.entity, self.editing_id)
        if row is None or getattr(row, "deleted_at", None) is not None:
            raise NotFoundError(f"this {self.entity} was deleted meanwhile")
        changes = self.repo.changes_for(self.entity, self.editing_id)
        by = changes[-1].editor if changes else ""
        return Stored(self.stored_form(row), int(row.version), by)  # type: ignore[attr-defined]

    def _saved(self, result: T) -> None:
        self.saving = False
        self.saves += 1
        self.dismiss(result)

    def _refused(self, reason: str) -> None:
        self.saving = False
        self.show_error(f"Not saved: {reason}.")

    def _gone(self, reason: str) -> None:
        self._refused(reason)
        if self.refresh_grid is not None:
            self.refresh_grid()

    def _conflict(self, stored: Stored) -> None:
        """Someone saved the row since the form read it. What only they changed joins
        the form, what only the form changed stays; if that settles every field, the
        save goes through at their version (bounded, for a row that keeps changing).
        A field both changed differently opens the conflict view, with the fields only
        they changed already taken from theirs."""
        self.saving = False
        if self.refresh_grid is not None:
            self.refresh_grid()
        names = [name for name, _label in self.conflict_fields]
        yours = self.values()
        clashes = clashing_fields(names, self.base, stored.values, yours, self.differs)
        theirs_only = theirs_only_fields(names, self.base, stored.values, yours, self.differs)
        who = clean_line(stored.by) or "Someone"
        if not clashes and self._merged < MERGE_ATTEMPTS:
            self._merged += 1
            self.merges += 1
            self._rebase(stored, theirs_only)
            if theirs_only:
                labels = ", ".join(
                    label for name, label in self.conflict_fields if name in theirs_only
                )
                self.notify(
                    f"{who} saved this {self.entity} meanwhile; their {labels.lower()} "
                    "is kept with your changes.",
                    title="Merged",
                    markup=False,
                )
            self._start_save()
            return
        message = (
            f"{who} saved this {self.entity} while your form was open (you opened version "
            f"{self.version}, it is now version {stored.version})."
        )
        self.show_error(f"Not saved: {who} saved it meanwhile. Your typing is kept here.")
        screen = ConflictScreen.of(
            self.conflict_fields,
            self.base,
            stored.values,
            yours,
            message,
            differs=self.differs,
            take=theirs_only,
        )
        self.app.push_screen(screen, partial(self._resolve, stored))

    def _rebase(self, stored: Stored, take: Iterable[str]) -> None:
        """Base the form on their version, whatever comes next: the next save names it
        (a save at the old version would conflict forever); ``take`` fields get theirs."""
        self.version = stored.version
        self.base = {name: stored.values.get(name) for name, _label in self.conflict_fields}
        self.set_values({name: stored.values.get(name) for name in take})
        self._initial.update(self.base)  # Esc asks when the form differs from what is stored
        self.rebased(stored.values)

    def _resolve(self, stored: Stored, choice: ConflictChoice | None) -> None:
        """Apply the conflict view's choice: take theirs (the form shows the stored row,
        nothing is written), keep mine (saved now, over theirs, at their version: a
        deliberate overwrite in the Change log), or keep editing on their version."""
        choice = choice or ConflictChoice("edit")
        if choice.action == "theirs":
            self._rebase(stored, [name for name, _label in self.conflict_fields])
            self._initial = self.values()
            self._warned = False
            self.show_error("")
            self.notify(
                f"The form shows the stored {self.entity} (version {stored.version}); "
                "nothing was saved.",
                title="Took theirs",
                markup=False,
            )
            return
        self._rebase(stored, choice.take)
        self.show_error("")
        if choice.action == "mine":
            self._start_save()
            return
        self.notify(
            f"Editing on top of version {stored.version}: ctrl+s saves this form over it.",
            title="Keep editing",
            markup=False,
        )


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
    conflict_fields = (("issue-title", "Title"), ("issue-description", "Description"))

    def __init__(
        self, repo: Repo, issue: Issue | None = None, refresh: Callable[[], None] | None = None
    ) -> None:
        super().__init__(repo, refresh)
        self.issue = issue
        self.version = issue.version if issue is not None else None
        self.heading = "Edit issue" if issue is not None else "New issue"

    @property
    def editing_id(self) -> int | None:
        return int(self.issue.id) if self.issue is not None else None  # type: ignore[arg-type]

    def stored_form(self, row: Any) -> dict[str, Any]:
        return {"issue-title": row.title, "issue-description": row.description}

    def fields(self) -> ComposeResult:
        shown = self.stored_form(self.issue) if self.issue is not None else {}
        yield Label("The question the desk tracks (“Is a leaders' call imminent?”)")
        yield Input(shown.get("issue-title", ""), id="issue-title")
        yield Label("Description (optional)")
        yield Input(shown.get("issue-description", ""), id="issue-description")

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
    conflict_fields = (("position-summary", "Summary"), ("position-as-of", "As of"))

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

    @property
    def editing_id(self) -> int | None:
        return int(self.position.id) if self.position is not None else None  # type: ignore[arg-type]

    def stored_form(self, row: Any) -> dict[str, Any]:
        return {
            "position-summary": row.summary,
            "position-as-of": format_span(row.as_of) if row.as_of else "",
        }

    def comparable(self, name: str, value: Any) -> Any:
        if name == "position-as-of":
            try:
                return _date_preview(str(value or ""))[0]
            except FormError:
                pass  # unreadable: compared as typed (saving it is refused anyway)
        return super().comparable(name, value)

    def fields(self) -> ComposeResult:
        position = self.position
        shown = self.stored_form(position) if position is not None else {}
        yield Label("Summary (what the actor's position is, in a line)")
        yield Input(shown.get("position-summary", ""), id="position-summary")
        yield Label("As of (“14 Oct”, “last Friday”; empty: undated)")
        yield Input(shown.get("position-as-of", ""), id="position-as-of")
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


KINDS = ("person", "government", "organisation", "outlet")


class ActorForm(_Form["Actor | None"]):
    """A new actor, or an actor's name, kind and parent. The parent is typed by name or
    alias and looked up when saving; empty means none."""

    DEFAULT_CSS = FORM_CSS.format(name="ActorForm")
    entity = "actor"
    conflict_fields = (("actor-name", "Name"), ("actor-kind", "Kind"), ("actor-parent", "Under"))

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

    @property
    def editing_id(self) -> int | None:
        return int(self.actor.id) if self.actor is not None else None  # type: ignore[arg-type]

    def stored_form(self, row: Any) -> dict[str, Any]:
        """The actor as the form shows it; the parent by name (read here: a worker)."""
        assert self.repo is not None
        parent = self.repo.get("actor", row.parent_id) if row.parent_id is not None else None
        return {
            "actor-name": row.name,
            "actor-kind": row.kind if row.kind in KINDS else "person",
            "actor-parent": getattr(parent, "name", ""),
        }

    def comparable(self, name: str, value: Any) -> Any:
        found = super().comparable(name, value)
        return found.casefold() if name == "actor-parent" else found  # found by any case

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


#: An event's date as stored: (start, end or None, precision).
EventDates = tuple[dt.date, dt.date | None, str]


def read_event_date(text: str, reference: dt.date | None = None) -> EventDates:
    """An event's date from free text ("18 Dec 2026", "Dec 18–20", "30 Dec – 2 Jan",
    "mid-December", "Dec 2026"), with its range and precision; FormError when it cannot be
    placed (an event sits on the timeline, so it needs at least a year). Relative words
    ("last Friday") count from ``reference``, today unless given."""
    text = text.strip()
    if not text:
        raise FormError("An event needs a date (“18 Dec 2026”, “Dec 18–20”, “mid-December”).")
    guess = parse_date_expression(text, reference=reference or dt.date.today())
    if guess is None or guess.start is None:
        raise FormError(
            f"“{clean_line(text)}” is not a date this form can place; try e.g. 18 Dec 2026, "
            "Dec 18–20 or Dec 2026."
        )
    end = guess.end if guess.end is not None and guess.end != guess.start else None
    return guess.start, end, guess.precision


def event_date_text(dates: EventDates) -> str:
    """A stored event date as the form shows it (and reads back the same)."""
    return format_span(*dates)


class EventForm(_Form["Event | None"]):
    """An event's title, description and date (Timeline: ``e``). The date is free text,
    read as typed with its range and precision and shown as read under the field. Left as
    the form showed it, the stored date is kept exactly: a month-precision date shows as
    "Dec 2026" whatever end day it was stored with, and a title edit must not move it."""

    DEFAULT_CSS = FORM_CSS.format(name="EventForm") + (
        "\nEventForm #event-description { height: 4; }"
    )
    entity = "event"
    conflict_fields = (
        ("event-title", "Title"),
        ("event-description", "Description"),
        ("event-date", "Date"),
    )

    def __init__(
        self, repo: Repo, event: Event, *, refresh: Callable[[], None] | None = None
    ) -> None:
        super().__init__(repo, refresh)
        self.event = event
        self.version = event.version
        self.heading = f"Edit event #{event.id}"
        #: the date field's text as the stored event shows it, and the dates it stands for
        self._stored_dates: EventDates = (event.date, event.date_end, event.precision)
        self._stored_date_text = event_date_text(self._stored_dates)

    @property
    def editing_id(self) -> int | None:
        return int(self.event.id)  # type: ignore[arg-type]

    def stored_form(self, row: Any) -> dict[str, Any]:
        dates: EventDates = (row.date, row.date_end, row.precision)
        return {
            "event-title": row.title,
            "event-description": row.description,
            "event-date": event_date_text(dates),
            "_dates": dates,
        }

    def rebased(self, theirs: Mapping[str, Any]) -> None:
        self._stored_dates = theirs["_dates"]
        self._stored_date_text = str(theirs["event-date"])

    def comparable(self, name: str, value: Any) -> Any:
        if name == "event-date":
            try:
                return self._dates(str(value or ""))
            except FormError:
                pass  # unreadable: compared as typed (saving it is refused anyway)
        if name == "event-description":
            return str(value or "").strip()  # lines matter in a description
        return super().comparable(name, value)

    def _dates(self, text: str) -> EventDates:
        if text.strip() == self._stored_date_text:
            return self._stored_dates
        return read_event_date(text)

    def fields(self) -> ComposeResult:
        shown = self.stored_form(self.event)
        yield Label("Title")
        yield Input(shown["event-title"], id="event-title")
        yield Label("Description (optional; Tab leaves it)")
        yield TextArea(shown["event-description"], id="event-description", soft_wrap=True)
        yield Label("Date (18 Dec 2026, Dec 18–20, 30 Dec – 2 Jan, mid-December, Dec 2026)")
        yield Input(shown["event-date"], id="event-date")
        yield Static(
            self._date_hint(shown["event-date"]), id="event-date-preview", classes="preview"
        )

    def _date_hint(self, text: str) -> Text:
        try:
            start, end, precision = self._dates(text)
        except FormError as exc:
            return Text(str(exc))
        return Text(f"→ {format_span(start, end, precision)} ({precision})")

    @on(Input.Changed, "#event-date")
    def _preview(self, event: Input.Changed) -> None:
        self.query_one("#event-date-preview", Static).update(self._date_hint(event.value))

    def check(self) -> dict[str, Any]:
        start, end, precision = self._dates(self.value("event-date"))
        return {
            "title": " ".join(self.value("event-title").split()),
            "description": self.query_one("#event-description", TextArea).text,
            "date": start,
            "date_end": end,
            "precision": precision,
        }

    def write(self, values: dict[str, Any]) -> Event:
        assert self.repo is not None
        return self.repo.update("event", int(self.event.id), self.version, **values)  # type: ignore[arg-type, return-value]


__all__ = [
    "ActorForm",
    "EventForm",
    "FormError",
    "IssueForm",
    "PositionForm",
    "SinceForm",
    "parse_ids",
    "read_event_date",
]
