"""The save-conflict view: what a colleague stored meanwhile, beside what this form holds.

Optimistic locking refuses a save when the row (a statement, a position, an event, an
issue, an actor) moved on since the form was opened.
Refusing alone left the editor stuck (every later save failed the same way) and blind
(what did they change?). This view shows, field by field, the stored values ("theirs")
next to the form's ("yours"), marks where they differ and which of those the colleague
changed, and lets the editor decide with one key: keep mine (a deliberate overwrite at
their version, logged in the Change log like any save), take theirs (the form shows the
stored row), or keep editing on top of their version. Space on a differing field takes
theirs for that field alone, whichever whole-form choice follows; a form may open the
view with some fields already taken (those only they changed), so "keep mine" keeps
what was typed and nothing more.

The view knows nothing of statements: it takes field labels and three sets of values
(the base the form was opened at, theirs, yours), with optional rules for comparing and
showing a field (``compare_rows``, ``ConflictScreen.of``). The statement editor's own
rules (``conflict_rows``, ``conflicting_fields``) are built on them, so every form
decides "is this a real conflict?" (did they change a field this form shows, to
something other than what I typed?) the way the view marks rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Static

from workbench.text import clean_line

#: The statement's fields as the editor's form shows them, with their labels.
FORM_FIELDS: tuple[tuple[str, str], ...] = (
    ("speaker", "Speaker"),
    ("attribution", "Attribution"),
    ("text", "What was said"),
    ("quote", "Quote"),
    ("said", "Said on"),
    ("verification", "Verification"),
    ("review", "Review"),
    ("issue", "Issue"),
    ("tags", "Tags"),
    ("notes", "Notes"),
)
FIELD_NAMES: tuple[str, ...] = tuple(name for name, _label in FORM_FIELDS)
#: Characters of a value shown in the table; the highlighted row is shown whole below it.
CELL_WIDTH = 26

#: Whether a field holds different values in two value sets: ``(name, one, other)``.
Differs = Callable[[str, Mapping[str, Any], Mapping[str, Any]], bool]
#: A field's value as the view shows it: ``(name, values)``.
Shown = Callable[[str, Mapping[str, Any]], str]


def plain_differs(name: str, one: Mapping[str, Any], other: Mapping[str, Any]) -> bool:
    """The default comparison: the text, with runs of spaces and the ends ignored, so
    re-typing a value as it was (or a trailing blank) never reads as a change."""
    return " ".join(str(one.get(name) or "").split()) != " ".join(
        str(other.get(name) or "").split()
    )


def plain_shown(name: str, values: Mapping[str, Any]) -> str:
    return str(values.get(name) or "")


def overwritten_fields(
    names: Iterable[str],
    base: Mapping[str, Any] | None,
    theirs: Mapping[str, Any],
    yours: Mapping[str, Any],
    differs: Differs = plain_differs,
) -> list[str]:
    """The fields saving ``yours`` as it is would overwrite: changed on their side since
    ``base`` and holding something else in the form. Without a base every difference
    counts (nothing says what they changed)."""
    return [
        name
        for name in names
        if (base is None or differs(name, base, theirs)) and differs(name, theirs, yours)
    ]


def clashing_fields(
    names: Iterable[str],
    base: Mapping[str, Any] | None,
    theirs: Mapping[str, Any],
    yours: Mapping[str, Any],
    differs: Differs = plain_differs,
) -> list[str]:
    """The fields both sides changed since ``base``, to different values: what a
    three-way merge cannot settle alone. A field only they changed goes theirs, one
    only the form changed goes mine. Without a base every difference is a clash."""
    if base is None:
        return [name for name in names if differs(name, theirs, yours)]
    return [
        name
        for name in names
        if differs(name, base, theirs)
        and differs(name, base, yours)
        and differs(name, theirs, yours)
    ]


def theirs_only_fields(
    names: Iterable[str],
    base: Mapping[str, Any] | None,
    theirs: Mapping[str, Any],
    yours: Mapping[str, Any],
    differs: Differs = plain_differs,
) -> list[str]:
    """The fields they changed since ``base`` and the form left as it was opened: taking
    theirs there loses nothing typed (and keeping the form's would undo their save)."""
    if base is None:
        return []
    return [
        name for name in names if differs(name, base, theirs) and not differs(name, base, yours)
    ]


def compare_rows(
    fields: Sequence[tuple[str, str]],
    base: Mapping[str, Any] | None,
    theirs: Mapping[str, Any],
    yours: Mapping[str, Any],
    *,
    differs: Differs = plain_differs,
    shown: Shown = plain_shown,
) -> list[ConflictRow]:
    """The view's rows: every ``(name, label)`` of ``fields``, in that order."""
    return [
        ConflictRow(
            name=name,
            label=label,
            theirs=shown(name, theirs),
            yours=shown(name, yours),
            differs=differs(name, theirs, yours),
            changed_by_them=base is None or differs(name, base, theirs),
        )
        for name, label in fields
    ]


def _comparable(name: str, values: Mapping[str, Any]) -> Any:
    """A field's value as the save would store it, so cosmetic differences (spaces
    around tags, trailing blanks) do not read as a conflict."""
    value = values.get(name)
    if name == "tags":
        return tuple(t.strip() for t in str(value or "").split(",") if t.strip())
    if name == "quote":
        return bool(value)
    if name == "issue":
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    return str(value or "").strip()


def differs(name: str, one: Mapping[str, Any], other: Mapping[str, Any]) -> bool:
    """Whether a form field holds different values in two versions of the form. The
    speaker is compared by name, and by actor too where both sides know it (a merge can
    move a statement to another actor whose name reads the same)."""
    if _comparable(name, one) != _comparable(name, other):
        return True
    if name == "speaker":
        mine, theirs = one.get("speaker_id"), other.get("speaker_id")
        return mine is not None and theirs is not None and mine != theirs
    return False


def conflicting_fields(
    base: Mapping[str, Any] | None, theirs: Mapping[str, Any], yours: Mapping[str, Any]
) -> list[str]:
    """The statement fields saving ``yours`` would silently overwrite: changed on their
    side since ``base`` and holding something else in the form. Empty when their save
    touched no field the form shows (evidence re-anchored after a re-ingest) or changed it
    to what was typed here: then saving at their version loses nothing. Without a base (a
    draft older than base versions) every difference counts."""
    return overwritten_fields(FIELD_NAMES, base, theirs, yours, differs)


@dataclass(frozen=True)
class ConflictRow:
    """One field of the view: its stored and typed values, as shown."""

    name: str
    label: str
    theirs: str
    yours: str
    differs: bool
    changed_by_them: bool


@dataclass(frozen=True)
class ConflictChoice:
    """What the editor chose: ``mine`` (save the form at their version), ``theirs``
    (load the stored values) or ``edit`` (keep editing on their version); ``take`` names
    the fields to take from theirs first."""

    action: str
    take: frozenset[str] = field(default_factory=frozenset)


def conflict_rows(
    base: Mapping[str, Any] | None,
    theirs: Mapping[str, Any],
    yours: Mapping[str, Any],
    issue_titles: Mapping[int, str],
) -> list[ConflictRow]:
    """The statement editor's rows, every form field in the form's order."""

    def shown(name: str, values: Mapping[str, Any]) -> str:
        value = values.get(name)
        if name == "quote":
            return "quote" if value else "paraphrase"
        if name == "issue":
            key = _comparable("issue", values)
            return clean_line(issue_titles.get(key, f"#{key}")) if key is not None else "(none)"
        if name == "speaker":
            return clean_line(str(value or "")) or "(unnamed source)"
        return str(value or "")

    return compare_rows(FORM_FIELDS, base, theirs, yours, differs=differs, shown=shown)


def _cell(value: str) -> Text:
    line = clean_line(value)
    if len(line) > CELL_WIDTH:
        line = line[: CELL_WIDTH - 1] + "…"
    return Text(line)


class ConflictScreen(ModalScreen[ConflictChoice]):
    """Someone saved the row while this form was open: theirs beside yours, field by
    field. Dismisses with a ``ConflictChoice``; the form applies it (the view writes
    nothing)."""

    DEFAULT_CSS = """
    ConflictScreen { align: center middle; }
    ConflictScreen > Vertical {
        width: 100%; max-width: 110; height: auto; max-height: 100%;
        border: round $warning; border-title-style: bold; background: $surface;
        padding: 0 1;
    }
    ConflictScreen #conflict-message { height: auto; }
    ConflictScreen #conflict-table { height: auto; max-height: 12; }
    ConflictScreen #conflict-detail { height: auto; max-height: 6; color: $text-muted; }
    ConflictScreen #conflict-hint { height: auto; color: $text-muted; }
    ConflictScreen Horizontal { height: auto; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m", "choose('mine')", "Keep mine", id="conflict.mine"),
        Binding("t", "choose('theirs')", "Take theirs", id="conflict.theirs"),
        Binding("escape,e", "choose('edit')", "Keep editing", id="conflict.edit"),
        Binding("space", "toggle", "This field: theirs / mine", id="conflict.toggle"),
    ]

    def __init__(self, rows: list[ConflictRow], message: str, *, take: Iterable[str] = ()) -> None:
        super().__init__()
        self.rows = rows
        self.message = message
        #: differing fields taken from theirs: ``take`` to start with (those only they
        #: changed, say), then as the editor toggles them (space)
        differing = {row.name for row in rows if row.differs}
        self.take: set[str] = set(take) & differing

    @classmethod
    def of(
        cls,
        fields: Sequence[tuple[str, str]],
        base: Mapping[str, Any] | None,
        theirs: Mapping[str, Any],
        yours: Mapping[str, Any],
        message: str,
        *,
        differs: Differs = plain_differs,
        shown: Shown = plain_shown,
        take: Iterable[str] = (),
    ) -> ConflictScreen:
        """The view over any form: ``fields`` are its ``(name, label)`` pairs in order,
        ``base`` the values it was opened at (None: unknown), ``theirs`` as stored now,
        ``yours`` as typed."""
        rows = compare_rows(fields, base, theirs, yours, differs=differs, shown=shown)
        return cls(rows, message, take=take)

    def compose(self) -> ComposeResult:
        box = Vertical()
        box.border_title = "Saved meanwhile by someone else"
        with box:
            yield Static(Text(self.message), id="conflict-message")
            yield DataTable(id="conflict-table", cursor_type="row", zebra_stripes=True)
            yield Static("", id="conflict-detail")
            yield Static(
                "≠ differs · * changed by them · space: take theirs for this field · "
                "m keep mine (save over theirs) · t take theirs · esc keep editing",
                id="conflict-hint",
                markup=False,
            )
            with Horizontal():
                yield Button("Keep mine (m)", id="mine", variant="warning")
                yield Button("Take theirs (t)", id="theirs", variant="primary")
                yield Button("Keep editing (esc)", id="edit")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("", key="mark", width=3)
        table.add_column("Field", key="field")
        table.add_column("Theirs (stored now)", key="theirs")
        table.add_column("Yours (this form)", key="yours")
        for row in self.rows:
            table.add_row(
                self._mark(row),
                Text(row.label),
                _cell(row.theirs),
                _cell(row.theirs if row.name in self.take else row.yours),
                key=row.name,
            )
        first = next((i for i, row in enumerate(self.rows) if row.differs), 0)
        table.move_cursor(row=first)
        self.set_focus(table)
        self._show_detail(first)

    def _mark(self, row: ConflictRow) -> Text:
        if row.name in self.take:
            return Text("⇐", style="bold")
        mark = ("≠" if row.differs else " ") + ("*" if row.changed_by_them else " ")
        return Text(mark, style="bold yellow" if row.differs else "")

    def _show_detail(self, index: int) -> None:
        if not 0 <= index < len(self.rows):
            return
        row = self.rows[index]
        detail = Text()
        detail.append(f"{row.label}, theirs: ", style="bold")
        detail.append(row.theirs or "(empty)")
        detail.append(f"\n{row.label}, yours: ", style="bold")
        detail.append(row.theirs if row.name in self.take else (row.yours or "(empty)"))
        self.query_one("#conflict-detail", Static).update(detail)

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail(event.cursor_row)

    def action_toggle(self) -> None:
        """Take theirs for the highlighted field (again: keep mine for it)."""
        table = self.query_one(DataTable)
        index = table.cursor_row
        if not 0 <= index < len(self.rows) or not self.rows[index].differs:
            return
        row = self.rows[index]
        self.take ^= {row.name}
        table.update_cell(row.name, "mark", self._mark(row))
        table.update_cell(
            row.name, "yours", _cell(row.theirs if row.name in self.take else row.yours)
        )
        self._show_detail(index)

    def action_choose(self, action: str) -> None:
        self.dismiss(ConflictChoice(action, frozenset(self.take)))

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.action_choose(event.button.id or "edit")
