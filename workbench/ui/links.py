"""Linking statements: the picker (``l`` on a statement) and the review list of the links
the desk suggested (``L`` in the Statements pane).

The picker ranks candidates with ``workbench.linking.candidates`` (full-text pool plus the
same speaker's and issue's statements, fuzzy similarity, boosts); typing narrows it, in a
thread worker after a short pause, and a malformed filter is said in the status line while
the last list stays. A candidate chosen, the relation is one key (s c u d r) and the note
optional; the write goes through the repository, so a read-only editor sees its refusal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.events import Key
from textual.message import Message
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker

from workbench.text import clean_line
from workbench.ui.messages import forward_failure
from workbench.ui.render import RELATION_IN, VERIFICATION_STYLE

if TYPE_CHECKING:
    from db.repo import Repo
    from db.repo_links import LinkCandidate, SuggestedLinkRow
    from workbench.linking import RankedCandidate
    from workbench.ui.live import DeskChanged

#: Seconds to wait after a key before filtering again.
DEBOUNCE = 0.15
#: The relations, each with the key that picks it in the relation prompt.
RELATION_KEYS = {
    "supports": "s",
    "contradicts": "c",
    "updates": "u",
    "duplicates": "d",
    "responds_to": "r",
}

BOX_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 96%; max-width: 130; height: 92%;
    border: round $accent; border-title-style: bold; background: $surface; padding: 0 1;
}}
{name} .status {{ height: 1; color: $text-muted; }}
{name} .status.-error {{ color: $error; text-style: bold; }}
{name} OptionList {{ height: 1fr; text-wrap: nowrap; text-overflow: ellipsis; }}
"""


def _date(candidate: LinkCandidate) -> str:
    return candidate.said_on.strftime("%d %b %Y") if candidate.said_on else "undated"


def side_text(candidate: LinkCandidate, *, label: str = "") -> Text:
    """One statement on one line: who, when, where reported, what was said."""
    out = Text()
    if label:
        out.append(label, style="dim")
    out.append(f"#{candidate.id} ", style="dim")
    out.append(clean_line(candidate.speaker) or "unnamed", style="bold")
    out.append(f" · {_date(candidate)} · ", style="dim")
    out.append(clean_line(candidate.outlet) or "no outlet", style="magenta")
    out.append(": ")
    out.append(clean_line(candidate.text))
    return out


def candidate_text(ranked: RankedCandidate) -> Text:
    """A picker row: speaker, date, outlet, verification and any existing link; then the
    statement's words."""
    candidate = ranked.candidate
    out = Text()
    out.append(clean_line(candidate.speaker) or "unnamed", style="bold")
    out.append(f"  {_date(candidate)}  ", style="dim")
    out.append(clean_line(candidate.outlet) or "no outlet", style="magenta")
    out.append("  ")
    out.append(candidate.verification, style=VERIFICATION_STYLE.get(candidate.verification, ""))
    if candidate.review != "accepted":
        out.append(f" [{candidate.review}]", style="dim")
    if ranked.linked:
        out.append("  ")
        out.append(f" linked: {ranked.linked.replace('_', ' ')} ", style="reverse")
    out.append(f"\n  #{candidate.id} ", style="dim")
    out.append(clean_line(candidate.text))
    return out


def review_text(row: SuggestedLinkRow) -> Text:
    """A suggested link: relation and why, then both statements."""
    out = Text()
    out.append(row.relation.replace("_", " "), style="bold yellow")
    if row.note:
        out.append(f"  {clean_line(row.note)}", style="italic")
    out.append("\n")
    out.append_text(side_text(row.from_side, label="  from "))
    out.append("\n")
    out.append_text(side_text(row.to_side, label="    to "))
    return out


#: Relations that read the same both ways: a link drawn either way says the same thing.
SYMMETRIC = frozenset({"duplicates", "contradicts", "supports"})


def save_link(repo: Repo, from_id: int, to_id: int, relation: str, note: str = "") -> str:
    """Link ``from_id`` → ``to_id`` and say what happened.

    The pair may be linked with this relation already, either way round (the suggester
    draws a later statement → an earlier one; the editor may start from either). Then no
    second link is added: a suggested or dismissed one is accepted, since the editor has
    just asserted it, and an accepted one only takes a new note. A directional relation
    (updates, responds to) drawn the other way is turned to point as the editor chose
    when it is accepted; a symmetric one keeps its direction. A reverse link the desk
    already accepted with a directional relation is a different claim and stays: the new
    one is added. The row is read once and written at the version read, in one write, so
    a colleague's change since is refused, never overwritten."""
    detail = repo.statement_detail(from_id)
    links = [
        link
        for link in (detail.links if detail else ())
        if link.other_id == to_id and link.relation == relation
    ]
    same = next((link for link in links if link.direction == "out"), None)
    if same is None:
        same = next(
            (
                link
                for link in links
                if link.review != "accepted" or relation in SYMMETRIC  # link.direction: in
            ),
            None,
        )
    words = relation.replace("_", " ")
    row: Any = repo.get("link", same.link_id) if same is not None else None
    if same is None or row is None or row.deleted_at is not None:
        repo.add_link(from_id, to_id, relation, note=note)
        return f"Linked: #{from_id} {words} #{to_id}."
    review: str = row.review
    ends: tuple[int, int] = (row.from_id, row.to_id)
    values: dict[str, Any] = {}
    if review != "accepted":
        values["review"] = "accepted"
        if ends != (from_id, to_id) and relation not in SYMMETRIC:
            values["from_id"], values["to_id"] = from_id, to_id
            ends = (from_id, to_id)
    if note and note != row.note:
        values["note"] = note
    if values:
        repo.update("link", same.link_id, row.version, **values)
    noted = " (note updated)" if "note" in values else ""
    said = f"#{ends[0]} {words} #{ends[1]}{noted}."
    if review != "accepted":
        return f"Accepted the {review} link: {said}"
    return f"Already linked: {said}"


class _Reports:
    """Worker failures do not bubble in Textual; forward them so the app tells the editor."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        forward_failure(self, event)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- the picker


class LinkPicker(_Reports, ModalScreen["int | None"]):
    """Candidates for linking one statement; returns the other statement's id once linked
    (None when closed without linking)."""

    DEFAULT_CSS = BOX_CSS.format(name="LinkPicker")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="link-picker.close"),
    ]

    class Loaded(Message, bubble=False):
        def __init__(
            self, token: int, subject: LinkCandidate | None, found: list[RankedCandidate]
        ) -> None:
            super().__init__()
            self.token = token
            self.subject = subject
            self.found = found

    class Failed(Message, bubble=False):
        def __init__(self, token: int, reason: str) -> None:
            super().__init__()
            self.token = token
            self.reason = reason

    class Refused(Message, bubble=False):
        def __init__(self, reason: str) -> None:
            super().__init__()
            self.reason = reason

    class Saved(Message, bubble=False):
        def __init__(self, other_id: int, said: str) -> None:
            super().__init__()
            self.other_id = other_id
            self.said = said

    def __init__(self, repo: Repo, statement_id: int) -> None:
        super().__init__()
        self.repo = repo
        self.statement_id = statement_id
        self.subject: LinkCandidate | None = None
        self.shown: list[RankedCandidate] = []
        self._token = 0
        self._timer: Timer | None = None
        self.loads = 0  # completed loads, for tests
        self._answered = 0  # the token of the last load answered (candidates or a message)
        #: Enter came before the candidates for the filter in the box: choose the first
        #: candidate of the load with this token when it answers (never an older one's).
        self._open_on: int | None = None

    def compose(self) -> ComposeResult:
        box = Vertical()
        box.border_title = f"Link statement #{self.statement_id} to…"
        box.border_subtitle = "type to filter · ↓ candidates · Enter chooses · Esc closes"
        with box:
            yield Static("", id="link-subject", markup=False)
            yield Input(placeholder="filter: words, speaker, outlet", id="link-filter")
            yield Static("Finding candidates…", id="link-status", classes="status", markup=False)
            yield OptionList(id="link-candidates")

    def on_mount(self) -> None:
        self.set_focus(self.query_one(Input))
        self._load("")

    # ------------------------------------------------------------------ candidates

    @on(Input.Changed, "#link-filter")
    def _typed(self) -> None:
        self._open_on = None  # an Enter typed before this filter was for another
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DEBOUNCE, lambda: self._load(self.query_one(Input).value))

    def _load(self, typed: str) -> None:
        self._timer = None
        self._token += 1
        token = self._token
        self.run_worker(
            lambda: self._find(token, typed),
            thread=True,
            exclusive=True,
            group="link-candidates",
            name="find link candidates",
            exit_on_error=False,
        )

    def _find(self, token: int, typed: str) -> None:
        from db.search import QueryError
        from workbench.linking import candidates

        subject = self.repo.statement_candidates([self.statement_id]).get(self.statement_id)
        try:
            found = candidates(self.repo, self.statement_id, typed)
        except QueryError as exc:
            self.post_message(self.Failed(token, str(exc)))
            return
        self.post_message(self.Loaded(token, subject, found))

    def on_link_picker_loaded(self, message: Loaded) -> None:
        if message.token != self._token:
            return
        self.loads += 1
        self._answered = message.token
        opening, self._open_on = self._open_on == message.token, None
        self.subject = message.subject
        head = self.query_one("#link-subject", Static)
        if message.subject is None:
            head.update(Text("This statement is dismissed or gone: nothing to link.", "dim"))
        else:
            head.update(side_text(message.subject, label="This: "))
        self.shown = message.found
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(
            Option(candidate_text(r), id=str(r.candidate.id)) for r in message.found
        )
        if message.found:
            options.highlighted = 0
        typed = self.query_one(Input).value.strip()
        count = len(message.found)
        noun = "candidate" if count == 1 else "candidates"
        how = f"matching {typed!r}" if typed else "most alike first"
        self._status(f"{count} {noun}, {how}.")
        if opening:
            self._choose(0)

    def on_link_picker_failed(self, message: Failed) -> None:
        if message.token == self._token:
            self.loads += 1
            self._answered = message.token
            self._open_on = None
            self._status(message.reason, error=True)  # the last list stays

    @property
    def settled(self) -> bool:
        """Nothing typed is waiting: the list and status answer what the box says."""
        return self._timer is None and self._answered == self._token

    def _status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#link-status", Static)
        status.update(Text(text))
        status.set_class(error, "-error")

    @property
    def status(self) -> str:
        return str(self.query_one("#link-status", Static).content)

    def on_key(self, event: Key) -> None:
        from workbench.ui.search import route_key

        route_key(self, event, self.query_one(Input), self.query_one(OptionList), bool(self.shown))

    # ------------------------------------------------------------------ choosing

    @on(Input.Submitted, "#link-filter")
    def _submitted(self) -> None:
        if not self._enter_settles():
            self._choose(self.query_one(OptionList).highlighted)

    @on(OptionList.OptionSelected, "#link-candidates")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if not self._enter_settles():
            self._choose(event.option_index)

    def _enter_settles(self) -> bool:
        """Enter typed before the list answers the filter (the pause after a key has not
        run out, or the candidates are still being found): the list is for an older
        filter, so filter now and choose the first candidate when it comes. Returns
        whether it did (False: the list is current, choose from it)."""
        if self.settled:
            return False
        if self._timer is not None:  # the pause: filter now rather than wait it out
            self._timer.stop()
            self._load(self.query_one(Input).value)
        self._open_on = self._token
        return True

    def _choose(self, index: int | None) -> None:
        if self.subject is None or index is None or not 0 <= index < len(self.shown):
            return
        other = self.shown[index].candidate
        subject = self.subject
        self.app.push_screen(
            RelationPrompt(subject, other),
            lambda answer: self._relation_chosen(other, answer),
        )

    def _relation_chosen(self, other: LinkCandidate, answer: tuple[str, str, bool] | None) -> None:
        if answer is None:
            return  # back to the candidates
        relation, note, swapped = answer
        from_id, to_id = (other.id, self.statement_id) if swapped else (self.statement_id, other.id)
        self._status("Saving…")
        self.run_worker(
            lambda: self._save(other.id, from_id, to_id, relation, note),
            thread=True,
            group="write",
            name="save the link",
            exit_on_error=False,
        )

    def _save(self, other_id: int, from_id: int, to_id: int, relation: str, note: str) -> None:
        from workbench.errors import describe

        try:
            said = save_link(self.repo, from_id, to_id, relation, note)
        except Exception as exc:
            reason = describe(exc)
            if reason is None:
                raise  # a bug: the app reports it with its type
            self.post_message(self.Refused(f"Not saved: {reason}"))
            return
        self.post_message(self.Saved(other_id, said))

    def on_link_picker_refused(self, message: Refused) -> None:
        """The repository said no (read-only access, a lock held too long): say why and
        stay, so the editor can close or try again."""
        self._status(message.reason, error=True)
        self.notify(message.reason, title="Link", severity="error", markup=False)

    def on_link_picker_saved(self, message: Saved) -> None:
        self.notify(message.said, title="Link", markup=False)
        self.dismiss(message.other_id)

    def action_close(self) -> None:
        self.dismiss(None)


class RelationPrompt(ModalScreen["tuple[str, str, bool] | None"]):
    """How the two statements relate: one key (or the list), an optional note, Enter.
    Returns ``(relation, note, swapped)``; ``swapped`` links the other way round."""

    DEFAULT_CSS = """
    RelationPrompt { align: center middle; }
    RelationPrompt > Vertical {
        width: 90%; max-width: 110; height: auto; max-height: 90%;
        border: round $accent; border-title-style: bold; background: $surface; padding: 0 1;
    }
    RelationPrompt #relation-sentence {
        height: auto; margin-bottom: 1; text-wrap: nowrap; text-overflow: ellipsis;
    }
    RelationPrompt #relations { height: auto; max-height: 7; }
    RelationPrompt #relation-hint { height: auto; color: $text-muted; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        *(
            Binding(key, f"choose('{relation}')", relation.replace("_", " "), id=f"link.{key}")
            for relation, key in RELATION_KEYS.items()
        ),
        Binding("x", "swap", "Swap direction", id="link.swap"),
        Binding("escape", "cancel", "Back", id="link.back"),
    ]

    def __init__(self, subject: LinkCandidate, other: LinkCandidate) -> None:
        super().__init__()
        self.subject = subject
        self.other = other
        self.swapped = False

    def compose(self) -> ComposeResult:
        box = Vertical()
        box.border_title = "Relation"
        with box:
            yield Static("", id="relation-sentence", markup=False)
            options = OptionList(id="relations")
            for relation, key in RELATION_KEYS.items():
                label = Text(f"{key}  ", style="bold cyan")
                label.append(relation.replace("_", " "))
                options.add_option(Option(label, id=relation))
            yield options
            yield Input(placeholder="note (optional) — Enter saves", id="relation-note")
            yield Static(
                "s c u d r choose (then type a note, or Enter) · x swaps the direction · "
                "Esc back to the candidates",
                id="relation-hint",
                markup=False,
            )

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0
        self.set_focus(options)
        self._sentence()

    @property
    def relation(self) -> str:
        index = self.query_one(OptionList).highlighted or 0
        return list(RELATION_KEYS)[index]

    @on(OptionList.OptionHighlighted, "#relations")
    def _moved(self) -> None:
        self._sentence()

    def _sentence(self) -> None:
        first, second = (self.other, self.subject) if self.swapped else (self.subject, self.other)
        out = side_text(first)
        out.append(f"\n   ↓ {self.relation.replace('_', ' ')}", style="bold yellow")
        out.append(f"   (seen from the other side: {RELATION_IN[self.relation]})\n", style="dim")
        out.append_text(side_text(second))
        self.query_one("#relation-sentence", Static).update(out)

    def action_choose(self, relation: str) -> None:
        self.query_one(OptionList).highlighted = list(RELATION_KEYS).index(relation)
        self._sentence()
        self.set_focus(self.query_one(Input))  # the note, or Enter to save without one

    @on(OptionList.OptionSelected, "#relations")
    def _to_note(self) -> None:
        self.set_focus(self.query_one(Input))

    def action_swap(self) -> None:
        self.swapped = not self.swapped
        self._sentence()

    @on(Input.Submitted, "#relation-note")
    def _save(self, event: Input.Submitted) -> None:
        self.dismiss((self.relation, event.value.strip(), self.swapped))

    def action_cancel(self) -> None:
        self.dismiss(None)


# --------------------------------------------------------------------------- review


class LinkReviewScreen(_Reports, ModalScreen["int | None"]):
    """The links the desk suggested, newest first: ``a`` accepts, ``d`` dismisses, ``s``
    asks for new suggestions, Enter returns the from-statement's id to jump to."""

    DEFAULT_CSS = BOX_CSS.format(name="LinkReviewScreen")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "review('accepted')", "Accept", id="link-review.accept"),
        Binding("d", "review('dismissed')", "Dismiss", id="link-review.dismiss"),
        Binding("s", "suggest", "Suggest links", id="link-review.suggest"),
        Binding("escape", "close", "Close", id="link-review.close"),
    ]

    class Loaded(Message, bubble=False):
        def __init__(self, rows: list[SuggestedLinkRow]) -> None:
            super().__init__()
            self.rows = rows

    def __init__(self, repo: Repo) -> None:
        super().__init__()
        self.repo = repo
        self.rows: list[SuggestedLinkRow] = []
        self.loads = 0  # completed loads, for tests
        self._said = ""

    def compose(self) -> ComposeResult:
        box = Vertical()
        box.border_title = "Suggested links"
        box.border_subtitle = "a accept · d dismiss · s suggest · Enter go to · Esc close"
        with box:
            yield Static("Loading…", id="link-review-status", classes="status", markup=False)
            yield OptionList(id="link-review-list")

    def on_mount(self) -> None:
        self.set_focus(self.query_one(OptionList))
        self.reload()

    def desk_changed(self, message: DeskChanged) -> None:
        """Another editor reviewed or a suggester ran: show the list as it stands."""
        if message.batch.entities & {"link", "statement"}:
            self.reload()

    def reload(self) -> None:
        self.run_worker(
            lambda: self.post_message(self.Loaded(self.repo.suggested_links())),
            thread=True,
            exclusive=True,
            group="link-review",
            name="list the suggested links",
            exit_on_error=False,
        )

    def on_link_review_screen_loaded(self, message: Loaded) -> None:
        options = self.query_one(OptionList)
        was = options.highlighted
        current = self.current
        self.rows = message.rows
        options.clear_options()
        options.add_options(Option(review_text(r), id=str(r.link_id)) for r in self.rows)
        if self.rows:
            ids = [r.link_id for r in self.rows]
            if current is not None and current.link_id in ids:
                options.highlighted = ids.index(current.link_id)
            else:  # the reviewed one went: the next takes its place
                options.highlighted = min(was or 0, len(self.rows) - 1)
        count = len(self.rows)
        waiting = f"{count} suggested link{'s' if count != 1 else ''} to review."
        if not count:
            waiting = "Nothing to review: s asks the desk for suggestions."
        self.query_one("#link-review-status", Static).update(
            Text(" ".join(p for p in (self._said, waiting) if p))
        )
        self.loads += 1

    @property
    def current(self) -> SuggestedLinkRow | None:
        index = self.query_one(OptionList).highlighted
        if index is None or not 0 <= index < len(self.rows):
            return None
        return self.rows[index]

    @property
    def status(self) -> str:
        return str(self.query_one("#link-review-status", Static).content)

    def action_review(self, decision: str) -> None:
        """Accept or dismiss the highlighted suggestion as the editor sees it (its version):
        if a colleague reviewed it since, nothing is written and the list shows why."""
        row = self.current
        if row is None:
            return
        verb = "Accepted" if decision == "accepted" else "Dismissed"
        relation = row.relation.replace("_", " ")

        def work() -> None:
            from db.repo import ConflictError
            from workbench.ui.panes.statements import stale_message

            try:
                self.repo.review("link", row.link_id, decision, expected_version=row.version)
            except ConflictError as exc:
                said = stale_message(exc, "link", self.repo.editor)
                self.app.call_from_thread(
                    self.notify, said, title="Suggested links", severity="warning", markup=False
                )
            else:
                said = f"{verb}: #{row.from_side.id} {relation} #{row.to_side.id}."
            self._said = said
            self.app.call_from_thread(self.reload)

        self.run_worker(
            work,
            thread=True,
            group="write",
            name=f"{verb.lower().removesuffix('ed')} the link",
            exit_on_error=False,
        )

    def action_suggest(self) -> None:
        from workbench.linking import suggest_links

        def work() -> None:
            from workbench.errors import describe

            try:
                count = suggest_links(self.repo)
            except Exception as exc:
                # The app tells why (the worker's failure); the status line must not go
                # on saying "Looking for links…" after it.
                reason = describe(exc)
                self._said = f"No suggestions: {reason.rstrip('.')}." if reason else ""
                self.app.call_from_thread(self.reload)
                raise
            self._said = f"{count} new suggestion{'s' if count != 1 else ''}."
            self.app.call_from_thread(self.reload)

        self.query_one("#link-review-status", Static).update(Text("Looking for links…"))
        self.run_worker(work, thread=True, group="write", name="suggest links", exit_on_error=False)

    @on(OptionList.OptionSelected, "#link-review-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if 0 <= event.option_index < len(self.rows):
            self.dismiss(self.rows[event.option_index].from_side.id)

    def action_close(self) -> None:
        self.dismiss(None)


__all__ = [
    "RELATION_KEYS",
    "LinkPicker",
    "LinkReviewScreen",
    "RelationPrompt",
    "candidate_text",
    "review_text",
    "save_link",
    "side_text",
]
