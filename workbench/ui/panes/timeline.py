"""Timeline: events and dated statements on one axis, ranges and fuzzy dates shown as such.

What it looks like, and why:

- A **date gutter** on the left names the day once, on the first entry of that day (and on
  the top line of the screen, so a scrolled view still says where it is). The first entry
  of a day also draws a short rule through the **axis** (``─┼─``): the day separator. The
  list's rows are one line each and the cursor moves over entries only, so the separator
  is drawn into the day's first row rather than inserted as a row of its own; the view's
  keys, counts and offsets stay those of real entries.
- The gutter never claims more than is known: ``18 Dec 2026`` for a day, ``~18 Dec 2026``
  for an approximate date, ``Dec 2026`` and ``2026`` for a month or a year. Entries sort by
  their start (a month-precision entry at the first of its month), and a day group ends
  where the label changes, so an exact "1 Dec" entry after a "Dec 2026" one gets its own
  label instead of borrowing the month's.
- An entry that spans time carries a **bar** in a column of its own, one cell a day up to
  ``BAR_CELLS`` (``›`` when longer): ``├─┤`` for a known range, ``┄┄┄`` for an
  approximate one ("in the coming days"), ``┈┈┈`` for a month or a year, followed by the
  span in words (``18–20 Dec``, ``~10–17 Dec``) and, where there is room, the words the
  date was read from.
- A statement that a later one contradicts or updates is marked ``✗``/``↻`` with the
  later statement's number (the view reads those links once a page).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker

from db.rows import PagedView, StatementRow, TimelineRow
from workbench.dates import format_span
from workbench.text import clean_line
from workbench.ui.messages import forward_failure
from workbench.ui.panes.base import Pane
from workbench.ui.panes.statements import review_as_seen
from workbench.ui.presence import row_presence
from workbench.ui.render import VERIFICATION_STYLE, event_text, or_gone
from workbench.ui.virtual_list import VirtualList

if TYPE_CHECKING:
    from db.models import Event
    from db.repo import Repo
    from db.views import VersionedTimelineRow
    from workbench.ui.timeline_filter import TimelineFilter

#: Cells of the date gutter: a rule, "~18 Dec 2026", and a space either side.
GUTTER = 14
#: Cells of the range-bar column; a span of more days than this is drawn capped, with "›".
BAR_CELLS = 8
#: Cells of the verification column ("unverified", "misleading", "superseded").
VERIFICATION_CELLS = 10
#: Below this many cells for the text itself, the row falls back to its short forms.
ROOMY = 30

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_EXACT = "day"
_RULE = {True: "─", False: "┄"}  # the day separator's rule: solid for a day, dotted if fuzzy
_MARKS = {
    "contradicts": ("✗", "contradicted by", "bold red"),
    "updates": ("↻", "updated by", "bold yellow"),
}


def day_label(row: TimelineRow) -> str:
    """Where on the axis the entry starts, as precisely as it is known."""
    day = row.date
    if row.precision == "year":
        return str(day.year)
    if row.precision == "month":
        return f"{_MONTHS[day.month - 1]} {day.year}"
    label = f"{day.day} {_MONTHS[day.month - 1]} {day.year}"
    return label if row.precision == _EXACT else "~" + label


def _ranged(row: TimelineRow) -> bool:
    return row.date_end is not None and row.date_end > row.date


def short_span(row: TimelineRow) -> str:
    """The entry's extent in words, short because the gutter gives the year: ``18–20 Dec``,
    ``30 Dec – 2 Jan 2027``, ``~10–17 Dec``, ``Dec 2026``."""
    start, end = row.date, row.date_end if _ranged(row) else None
    if row.precision in ("month", "year"):
        return format_span(start, end, row.precision)
    prefix = "" if row.precision == _EXACT else "~"
    first = _MONTHS[start.month - 1]
    if end is None:
        return f"{prefix}{start.day} {first}"
    last = _MONTHS[end.month - 1]
    if (start.year, start.month) == (end.year, end.month):
        return f"{prefix}{start.day}–{end.day} {first}"
    if start.year == end.year:
        return f"{prefix}{start.day} {first} – {end.day} {last}"
    return f"{prefix}{start.day} {first} {start.year} – {end.day} {last} {end.year}"


def span_bar(row: TimelineRow) -> tuple[str, str] | None:
    """(bar, style) for an entry that is not a single known day, else None. One cell a day
    up to ``BAR_CELLS``; a month or a year is always longer than that."""
    exact = row.precision == _EXACT
    if exact and not _ranged(row):
        return None
    if row.precision in ("month", "year"):
        return "┈" * (BAR_CELLS - 1) + "›", "dim cyan"
    days = (row.date_end - row.date).days + 1 if _ranged(row) else 1  # type: ignore[operator]
    cells = max(2, min(days, BAR_CELLS))
    capped = days > BAR_CELLS
    if exact:
        return "├" + "─" * (cells - 2) + ("›" if capped else "┤"), "cyan"
    return "┄" * (cells - 1) + ("›" if capped else "┄"), "cyan"


def marks_text(marks: tuple[tuple[str, int], ...], *, short: bool) -> Text:
    """``✗ contradicted by #14 ↻ updated by #19``, or ``✗#14 ↻#19`` when room is short."""
    out = Text()
    for relation, (glyph, words, style) in _MARKS.items():
        ids = [other for rel, other in marks if rel == relation]
        if not ids:
            continue
        if out:
            out.append(" ")
        numbers = ",".join(f"#{i}" for i in ids[:3]) + ("…" if len(ids) > 3 else "")
        out.append(f"{glyph}{numbers}" if short else f"{glyph} {words} {numbers}", style=style)
    return out


class TimelineList(VirtualList):
    empty_text = "No dated events or statements yet."

    def render_row(self, row: TimelineRow, width: int, selected: bool, index: int) -> Text:
        previous = self._rows.get(index - 1)
        label = day_label(row)
        first = index == 0 or (previous is not None and day_label(previous) != label)
        top = index == int(self.scroll_y)  # the first visible row always says its day
        exact = row.precision == _EXACT
        text = Text()
        # -- gutter and axis: the label once a day, and where a day starts a rule across
        #    the gutter and through the axis (the day separator)
        rule = _RULE[exact]
        if first:
            text.append(rule * (GUTTER - len(label) - 2) + " ", style="dim")
            text.append(label, style="bold" if exact else "italic")
            text.append(f" {rule}{'┬' if index == 0 else '┼'}{rule}", style="dim")
        else:
            text.append(f"{label:>{GUTTER - 1}} " if top else " " * GUTTER, style="dim")
            text.append(" │ ", style="dim")
        # -- the entry's glyph: filled when accepted, hollow while it is a suggestion
        suggested = row.review == "suggested"
        if row.kind == "event":
            text.append("○" if suggested else "●", style="bold magenta")
        else:
            text.append("◇" if suggested else "◆", style=VERIFICATION_STYLE.get(row.status, ""))
        text.append(" ")
        # -- the right-hand side: what later statements did to it, and its verification
        right = Text()
        if row.kind == "statement":
            right.append(f" {row.status:>{VERIFICATION_CELLS}}", VERIFICATION_STYLE.get(row.status))
        elif suggested:
            right.append(" [suggested]", style="reverse")
        room = width - text.cell_len - right.cell_len
        bar = span_bar(row)
        span = Text()
        if bar is not None:
            span.append(f"{bar[0]:<{BAR_CELLS}} ", style=bar[1])
            # The span in words, unless the gutter on this very line already says it all.
            if _ranged(row) or not (first or top):
                span.append(short_span(row), style="cyan" if exact else "italic cyan")
                span.append("  ")
        if row.marks:
            marks = marks_text(row.marks, short=False)
            if room - span.cell_len - marks.cell_len - 1 < ROOMY:
                marks = marks_text(row.marks, short=True)
            right = Text(" ").append_text(marks).append_text(right)
            room = width - text.cell_len - right.cell_len
        here = row_presence(self, row)  # ✎maria / ·bo: a colleague is at this entry
        if here:
            right = here.append_text(right)
            room = width - text.cell_len - right.cell_len
        quoted = clean_line(row.date_text)
        if bar is not None and quoted and not exact and room - span.cell_len - len(quoted) > ROOMY:
            span.append(f"“{quoted}”  ", style="dim italic")
        # -- the text itself, cut to what is left so the right-hand side stays in place
        body = Text()
        if row.kind == "event":
            body.append(clean_line(row.title), style="bold")
        else:
            body.append(f"{clean_line(row.who) or 'unnamed'}: ", style="bold")
            superseded = row.status == "superseded"
            body.append(clean_line(row.title), style="dim strike" if superseded else "")
        line = span.append_text(body)
        line.truncate(max(room, 1), overflow="ellipsis", pad=True)
        return text.append_text(line).append_text(right)


class TimelinePane(Pane):
    PANE_ID = "timeline"
    TITLE = "Timeline"
    NUMBER = 4
    # links: the ✗/↻ marks; actors: speakers' names (and what an actor filter covers)
    WATCHES = frozenset({"event", "statement", "link", "actor"})
    PRESENCE_ENTITIES = frozenset({"event", "statement"})
    COLLECTS_FILTER = True

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "review('accepted')", "Accept", id="timeline.accept"),
        Binding("d", "review('dismissed')", "Dismiss", id="timeline.dismiss"),
        Binding("f", "filter", "Filter", id="timeline.filter"),
        # Not in the footer (80 columns hold one filter key), but in ? and the palette.
        Binding("F", "clear_filter", "Show all", show=False, id="timeline.clear-filter"),
        Binding("e", "edit_event", "Edit event", show=False, id="timeline.edit-event"),
        Binding("H", "history", "History", show=False, id="timeline.history"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.filter: TimelineFilter | None = None

    def action_history(self) -> None:
        """``H``: the highlighted event's or statement's history."""
        from workbench.ui.history import open_history

        row: TimelineRow | None = self.list.current
        if row is not None:
            open_history(self, self._repo, row.kind, row.id, row.title)

    def action_review(self, decision: str) -> None:
        row: VersionedTimelineRow | None = self.list.current
        if row is None:
            return
        if row.review != "suggested":
            self.notify(f"This {row.kind} is not a suggestion.", title=self.TITLE, markup=False)
            return
        review_as_seen(
            self,
            self.repo,
            row.kind,
            row.id,
            row.version,
            decision,
            title=self.TITLE,
            refresh=self._refresh_after_review,
        )

    def action_edit_event(self) -> None:
        """``e`` on an event: its title, description and date (a form; a colleague's save
        meanwhile is merged or shown beside yours, never overwritten unseen)."""
        row: TimelineRow | None = self.list.current
        if row is None or self._repo is None:
            return
        if row.kind != "event":
            self.notify(
                "e edits an event; a statement is edited in Statements (Enter goes there).",
                title=self.TITLE,
                markup=False,
            )
            return
        edit_event(self, self.repo, row.id, self._refresh_after_review)

    def _refresh_after_review(self) -> None:
        """The list and the detail as stored now (after a review, or a refused one)."""
        self.list.reload()
        row = self.list.current
        if row is not None:
            self.show_detail(row, same_row=True)

    def presence_key(self, row: Any) -> tuple[str, int] | None:
        """An entry is an event or a statement, as sessions report them."""
        return None if row is None else (row.kind, int(row.id))

    def show_event(self, event_id: int) -> None:
        """Put the cursor on an event (a jump from a collection)."""
        repo = self.repo

        def read() -> None:
            event = repo.get("event", event_id)
            if event is None or getattr(event, "deleted_at", None) is not None:
                self.app.call_from_thread(
                    self.notify, "That event is gone.", title=self.TITLE, markup=False
                )
                return
            key = (event.date, 0, event_id)  # type: ignore[attr-defined]
            self.app.call_from_thread(self._land_on_event, key)

        self.run_worker(read, thread=True, name="find the event", exit_on_error=False)

    def _land_on_event(self, key: Any) -> None:
        """A filter may hide the event: show everything rather than land on a neighbour
        that would pass for it."""
        if self.filter is not None and self.filter.active:
            self.set_filter(None)
            self.notify(
                "Filter cleared to show the event (f sets it again).",
                title=self.TITLE,
                markup=False,
            )
        self.list.goto_key(key)

    DETAIL_HINT = (
        "Highlight an entry to read it here. Enter on a statement opens it in Statements; "
        "on an event, lists its statements to go to."
    )

    def make_list(self) -> VirtualList:
        return TimelineList(id="timeline-list")

    def make_view(self) -> PagedView:
        from db.views import timeline_view

        current = self.filter
        if current is None or not current.active:
            return timeline_view(self.repo.engine)
        return timeline_view(self.repo.engine, **current.view_arguments())

    # ---------------------------------------------------------------- filter

    def action_filter(self) -> None:
        """``f``: choose an actor, an issue, a verification (``F`` shows everything again)."""
        from workbench.ui.timeline_filter import TimelineFilterScreen

        if self._repo is None:
            return
        self.app.push_screen(TimelineFilterScreen(self.repo, self.filter), self._filter_chosen)

    def action_clear_filter(self) -> None:
        if self.filter is not None and self.filter.active:
            self.set_filter(None)

    def _filter_chosen(self, chosen: TimelineFilter | None) -> None:
        if chosen is not None:
            self.set_filter(chosen)

    def set_filter(self, chosen: TimelineFilter | None) -> None:
        """Show what ``chosen`` lets through (None: everything); the title says which, and
        the cursor stays on the same entry when the filter keeps it."""
        self.filter = chosen if chosen is not None and chosen.active else None
        label = self.filter.label() if self.filter is not None else ""
        # Text, not a str: a str title is read as markup, and the label holds names.
        self.border_title = Text(f"{self.NUMBER} {self.TITLE}{label}")
        self.list.empty_text = (
            "Nothing on the timeline matches the filter (F shows everything)."
            if self.filter is not None
            else TimelineList.empty_text
        )
        # Built here rather than in a worker (as the first view is, while SQLAlchemy may
        # still be loading): building reads nothing, and two quick changes of filter must
        # land in the order they were made.
        self.list.set_view(self.make_view())

    def detail_loader(self, row: TimelineRow) -> Callable[[], Text] | None:
        if row.kind == "event":

            def load() -> Text:
                found = self.repo.event_detail(row.id)
                changed = self.repo.last_change("event", row.id) if found else None
                return or_gone(found, lambda f: event_text(*f, changed=changed), "event")

            return load
        return self.statement_loader(row.id)

    def on_virtual_list_selected(self, message: VirtualList.Selected) -> None:
        message.prevent_default()  # the base pane would focus the detail as well
        row: TimelineRow = message.row
        if row.kind == "statement":
            self.post_message(self.OpenStatement(row.id))
        elif self._repo is not None:
            self.app.push_screen(EventScreen(self.repo, row.id), self._event_statement_chosen)

    def _event_statement_chosen(self, statement_id: int | None) -> None:
        if statement_id is not None:
            self.post_message(self.OpenStatement(statement_id))


def edit_event(host: Widget, repo: Repo, event_id: int, refresh: Callable[[], None]) -> None:
    """Open the event form on the event as stored now (the version its save names);
    ``refresh`` shows what is stored after a save, or after a refused one."""
    from workbench.ui.forms import EventForm

    event = repo.get("event", event_id)
    if event is None or getattr(event, "deleted_at", None) is not None:
        host.notify("This event is gone (deleted or merged away).", title="Timeline", markup=False)
        refresh()
        return

    def done(saved: Any) -> None:
        if saved is not None:
            host.notify(f"Saved event #{event_id}.", title="Timeline", markup=False)
            refresh()

    host.app.push_screen(EventForm(repo, event, refresh=refresh), done)  # type: ignore[arg-type]


class EventScreen(ModalScreen[int | None]):
    """An event with its statements (Enter on a timeline event): Enter on a statement
    goes to it in the Statements pane, ``e`` edits the event, esc goes back to the
    timeline."""

    DEFAULT_CSS = """
    EventScreen { align: center middle; }
    EventScreen > Vertical {
        width: 90%; max-width: 110; height: 80%;
        border: round $accent; border-title-style: bold; background: $surface; padding: 0 1;
    }
    EventScreen #event-about { height: auto; max-height: 50%; }
    EventScreen #event-statements { height: 1fr; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Go to the statement", id="event.open"),
        Binding("escape", "dismiss(None)", "Back", id="event.back"),
        Binding("e", "edit", "Edit event", id="event.edit"),
    ]

    def __init__(self, repo: Repo, event_id: int) -> None:
        super().__init__()
        self.repo = repo
        self.event_id = event_id
        self.statements: list[StatementRow] = []
        self.loaded = False  # for tests: the event and its statements are shown
        self.loads = 0  # completed loads, for tests

    def compose(self) -> ComposeResult:
        box = Vertical()
        box.border_title = f"Event #{self.event_id}"
        box.border_subtitle = "Enter goes to the statement · e edit the event · esc back"
        with box:
            yield Static("", id="event-about", markup=False)
            yield OptionList(id="event-statements")

    def on_mount(self) -> None:
        self.set_focus(self.query_one(OptionList))
        self.reload()

    def reload(self) -> None:
        self.run_worker(
            self._load, thread=True, exclusive=True, name="show the event", exit_on_error=False
        )

    def desk_changed(self, message: Any) -> None:
        """Another editor changed the event, its statements or their speakers: show it as
        it is now, the highlight staying on the same statement (the app calls this on
        every open screen)."""
        if message.batch.entities & TimelinePane.WATCHES:
            self.reload()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        forward_failure(self, event)

    def _load(self) -> None:
        from db.views import event_statements

        found = self.repo.event_detail(self.event_id)
        rows = event_statements(self.repo.engine, self.event_id) if found is not None else []
        self.app.call_from_thread(self._loaded, found, rows)

    def _loaded(self, found: tuple[Event, list[str], list[Any]] | None, rows: list[Any]) -> None:
        about = self.query_one("#event-about", Static)
        if found is None:
            about.update(Text("This event is gone (deleted or merged away).", style="dim"))
        else:
            event, actors, _ = found
            text = event_text(event, actors, [])
            if rows:
                text.append("\nIts statements (Enter goes to one):", style="bold")
            about.update(text)
        options = self.query_one(OptionList)
        was = options.highlighted
        before = self.statements[was].id if was is not None and was < len(self.statements) else None
        self.statements = rows
        options.clear_options()
        for row in rows:
            label = Text(f"#{row.id} ", style="dim")
            label.append(
                format_span(row.said_on, row.said_until, row.precision) + "  ", style="cyan"
            )
            label.append(f"{clean_line(row.speaker) or 'unnamed'}: ", style="bold")
            label.append(clean_line(row.text))
            label.append(f"  {row.verification}", VERIFICATION_STYLE.get(row.verification, ""))
            options.add_option(Option(label, id=str(row.id)))
        if not rows:
            options.add_option(Option(Text("No statements on this event.", "dim"), disabled=True))
        else:
            ids = [row.id for row in rows]
            options.highlighted = (
                ids.index(before) if before in ids else min(was or 0, len(ids) - 1)
            )
        self.loads += 1
        self.loaded = True

    @on(OptionList.OptionSelected)
    def _selected(self) -> None:
        self.action_open()

    def action_edit(self) -> None:
        """``e``: the event's title, description and date; shown here as saved."""

        def shown_again() -> None:
            self.run_worker(
                self._load, thread=True, exclusive=True, name="show the event", exit_on_error=False
            )

        edit_event(self, self.repo, self.event_id, shown_again)

    def action_open(self) -> None:
        index = self.query_one(OptionList).highlighted
        if index is not None and index < len(self.statements):
            self.dismiss(self.statements[index].id)
