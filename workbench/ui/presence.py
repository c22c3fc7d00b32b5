"""Presence in the TUI: the heartbeat thread, the marks on rows, the "someone is editing
this" warning.

The app keeps ``where`` (what the editor has highlighted or open) up to date on the UI
thread; a thread writes it to ``db.presence`` on every beat, and at once (after a short
pause for a burst of cursor moves to settle) when it changes, so colleagues see it move
within a second or two. The same thread reads the other live sessions every
``POLL_SECONDS`` and posts ``PresenceChanged`` only when that set moved: a presence write
makes no Change row, so the change feed would never report it.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.message_pump import MessagePump
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from workbench.text import clean_line

if TYPE_CHECKING:
    from db.presence import Here, PresenceBoard

#: Seconds between heartbeats when nothing moves.
BEAT_SECONDS = 5.0
#: A session not heard from for this long is gone (a dropped link never says goodbye).
EXPIRY_SECONDS = 20.0
#: Seconds between reads of who else is here.
POLL_SECONDS = 1.0
#: After a move, wait this long for the cursor to settle before writing it.
DEBOUNCE_SECONDS = 0.25
#: Seconds between sweeps of dead sessions' rows (any session may sweep).
SWEEP_SECONDS = 60.0

#: (entity, id, editing): where this session is; (None, None, False) for nowhere.
Where = tuple[str | None, int | None, bool]
NOWHERE: Where = (None, None, False)


class PresenceChanged(Message):
    """The other live sessions, or where they are, changed."""

    def __init__(self, others: tuple[Here, ...]) -> None:
        super().__init__()
        self.others = others


class RoleSeen(Message):
    """The editor's role on the desk as last read (an admin may change it any time)."""

    def __init__(self, role: str, listed: bool) -> None:
        super().__init__()
        self.role = role
        self.listed = listed


def run_heartbeat(
    board: PresenceBoard,
    session: str,
    editor: str,
    where: Callable[[], Where],
    target: MessagePump,
    stop: threading.Event,
    wake: threading.Event,
    *,
    role: Callable[[], tuple[str, bool]] | None = None,
    left: threading.Event | None = None,
) -> None:
    """Beat, poll and sweep until ``stop`` is set (call from a thread); ``wake`` says
    ``where`` moved (and is set on stop, to end the wait). Presence is advice: a failed
    write or read (a lock held too long, a read-only file) is retried on the next beat and
    never stops the session. The session's row is removed on the way out, then ``left``
    is set."""
    sent: Where | None = None
    seen: tuple[Here, ...] | None = None
    seen_role: tuple[str, bool] | None = None
    next_beat = next_poll = next_sweep = 0.0
    try:
        while not stop.is_set():
            if wake.is_set():
                wake.clear()
                if stop.wait(DEBOUNCE_SECONDS):  # a burst of moves settles into one write
                    break
                if where() != sent:
                    next_beat = 0.0
            now = time.monotonic()
            if now >= next_beat:
                here = where()
                try:
                    board.beat(session, editor, *here)
                    sent = here
                except Exception:  # retried next beat
                    pass
                if role is not None:
                    try:
                        current = role()
                    except Exception:
                        current = seen_role
                    if current is not None and current != seen_role:
                        seen_role = current
                        target.post_message(RoleSeen(*current))
                next_beat = now + BEAT_SECONDS
            if now >= next_poll:
                try:
                    others = board.everyone(session, EXPIRY_SECONDS)
                except Exception:
                    others = seen
                if others is not None and others != seen:
                    seen = others
                    target.post_message(PresenceChanged(others))
                next_poll = now + POLL_SECONDS
            if now >= next_sweep:
                with contextlib.suppress(Exception):  # another session sweeps too
                    board.sweep(EXPIRY_SECONDS * 3)
                next_sweep = now + SWEEP_SECONDS
            wake.wait(max(0.0, min(next_beat, next_poll) - time.monotonic()))
    finally:
        with contextlib.suppress(Exception):  # else the row expires by itself
            board.leave(session)
        if left is not None:
            left.set()


# --------------------------------------------------------------------------- drawing


def index_others(
    others: Sequence[Here], entities: frozenset[str]
) -> dict[tuple[str, int], tuple[Here, ...]]:
    """The sessions at each item of these kinds, editors editing first."""
    found: dict[tuple[str, int], list[Here]] = {}
    for here in others:
        if here.entity in entities and here.entity_id is not None:
            found.setdefault((here.entity, here.entity_id), []).append(here)
    return {
        key: tuple(sorted(heres, key=lambda h: (not h.editing, h.editor, h.session)))
        for key, heres in found.items()
    }


def _name(here: Here, me: str) -> str:
    return "you" if here.editor == me else clean_line(here.editor)


def _editors(heres: Sequence[Here]) -> list[Here]:
    """One entry per editor (two sessions of one editor are one name), editing first."""
    seen: dict[str, Here] = {}
    for here in heres:
        if here.editor not in seen or (here.editing and not seen[here.editor].editing):
            seen[here.editor] = here
    return sorted(seen.values(), key=lambda h: (not h.editing, h.editor))


def presence_tag(heres: Sequence[Here], me: str, width: int = 8) -> Text:
    """`` ✎maria+1`` (someone edits it) or `` ·bo`` (someone looks at it) for a row; empty
    when nobody else is there. A glyph and a name, so colour is never the only cue."""
    if not heres:
        return Text()
    people = _editors(heres)
    first = people[0]
    glyph, style = ("✎", "bold yellow") if first.editing else ("·", "green")
    tag = Text(" ")
    tag.append(glyph + _name(first, me)[:width], style=style)
    if len(people) > 1:
        tag.append(f"+{len(people) - 1}", style=style)
    return tag


def row_presence(widget: Any, row: Any) -> Text:
    """The presence tag for ``row`` of a pane's list (the list's parent is the pane)."""
    others_on = getattr(widget.parent, "others_on", None)
    if not callable(others_on):
        return Text()
    heres, me = others_on(row)
    return presence_tag(heres, me)


def also_here(heres: Sequence[Here], me: str) -> Text:
    """``Also here: maria (editing), bo`` for the detail of the highlighted item."""
    text = Text()
    if not heres:
        return text
    text.append("Also here: ", style="bold")
    for n, here in enumerate(_editors(heres)):
        if n:
            text.append(", ")
        name = "you, in another session" if here.editor == me else clean_line(here.editor)
        text.append(name, style="bold yellow" if here.editing else "green")
        if here.editing:
            text.append(" (editing)", style="yellow")
    return text


def editing_sentence(heres: Sequence[Here], me: str, what: str) -> str:
    """``maria is editing this statement`` / ``maria and bo are editing …``."""
    names = [
        "You (in another session)" if h.editor == me else clean_line(h.editor)
        for h in _editors(heres)
    ]
    if len(names) == 1:
        verb = "are" if names[0].startswith("You") else "is"
        return f"{names[0]} {verb} editing this {what}"
    return f"{', '.join(names[:-1])} and {names[-1]} are editing this {what}"


# --------------------------------------------------------------------------- the warning


class EditingWarning(ModalScreen[str]):
    """Opening an item someone else is editing: edit anyway, open it read-only, or
    cancel. Said before the form opens, so nobody starts typing into a save that will
    conflict. No choice is destructive, so keys typed ahead cannot lose anything."""

    DEFAULT_CSS = """
    EditingWarning { align: center middle; }
    EditingWarning > Vertical {
        width: 72; max-width: 100%; height: auto; border: round $warning;
        background: $surface; padding: 1 2;
    }
    EditingWarning Horizontal { height: auto; margin-top: 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "choose('edit')", "Edit anyway", id="editing_warning.edit"),
        Binding("r", "choose('read-only')", "Open read-only", id="editing_warning.read-only"),
        Binding("escape", "choose('cancel')", "Cancel", id="editing_warning.cancel"),
    ]

    def __init__(self, sentence: str) -> None:
        super().__init__()
        self.sentence = sentence

    def compose(self) -> ComposeResult:
        message = Text(self.sentence + ".", style="bold")
        message.append(
            "\nSaving over their work later opens the conflict view; reading it is safe.\n"
            "e edits anyway · r opens it read-only · esc cancels",
            style="",
        )
        with Vertical():
            yield Static(message)
            with Horizontal():
                yield Button("Edit anyway (e)", id="edit", variant="warning")
                yield Button("Read-only (r)", id="read-only", variant="primary")
                yield Button("Cancel (esc)", id="cancel")

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id or "cancel")


__all__ = [
    "BEAT_SECONDS",
    "EXPIRY_SECONDS",
    "NOWHERE",
    "POLL_SECONDS",
    "EditingWarning",
    "PresenceChanged",
    "RoleSeen",
    "Where",
    "also_here",
    "editing_sentence",
    "index_others",
    "presence_tag",
    "row_presence",
    "run_heartbeat",
]
