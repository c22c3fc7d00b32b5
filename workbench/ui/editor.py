"""The statement editor: every field of a statement, by keyboard, never losing a keystroke.

The speaker field completes over actors and their aliases (fuzzy, as you type) and offers
a new actor when nobody matches; the date field reads free text ("Dec 18–20", "last
Friday", "in the coming days") against the article's date and shows what it understood as
you type. Every change is written to a draft on disk a moment later, so a dropped SSH
session or a crash costs nothing: the next start offers the draft back, and opening a
statement that has a draft offers it too (a fresh form's first keystroke would overwrite
it). Saving names the version the form was opened at, a resumed draft's included; if
someone saved in between, the conflict view shows theirs beside yours, unless their save
touched no field the form shows (evidence re-anchored after a re-ingest), which is saved
over without asking. Keys typed while the form is still loading are kept.
"""

from __future__ import annotations

import datetime as dt
import uuid
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import (
    Button,
    Checkbox,
    Footer,
    Input,
    Label,
    OptionList,
    Select,
    Static,
    TextArea,
)
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from workbench.dates import format_span, parse_date_expression
from workbench.drafts import DraftStore
from workbench.text import clean_line
from workbench.ui.conflict import (
    FIELD_NAMES,
    ConflictChoice,
    ConflictScreen,
    conflict_rows,
    conflicting_fields,
)
from workbench.ui.messages import forward_failure
from workbench.ui.presence import NOWHERE, EditingWarning, Where, editing_sentence

if TYPE_CHECKING:
    from db.presence import Here
    from db.repo import Repo, StatementDetail
    from workbench.drafts import Draft
    from workbench.extract.actors import ActorMatch, ActorResolver

VERIFICATIONS = [
    "unverified",
    "verified",
    "disputed",
    "false",
    "misleading",
    "retracted",
    "superseded",
]
REVIEWS = ["accepted", "suggested", "dismissed"]
ACTOR_KINDS = ["person", "government", "organisation", "outlet"]
#: Seconds after the last change before the draft is written.
DRAFT_DELAY = 0.4
#: Saves retried at a newer version when a colleague's save touched no field of the form.
SAVE_ATTEMPTS = 5
#: The form's values that typing changes (everything ``values()`` returns but the
#: speaker's resolved actor, which follows the speaker field).
TYPED_FIELDS = (*FIELD_NAMES, "speaker_kind")


def form_values(detail: StatementDetail) -> dict[str, Any]:
    """A stored statement as the form shows it: what the form is filled with, what a
    draft keeps as its base, and what the conflict view shows as theirs."""
    st = detail.statement
    said = (
        st.date_text or format_span(st.said_on, st.said_until, st.date_precision)
        if st.said_on
        else st.date_text
    )
    return {
        "speaker": detail.speaker,
        "speaker_id": st.speaker_id,
        "attribution": st.attribution,
        "text": st.text,
        "quote": st.quote,
        "said": said,
        "verification": st.verification,
        "review": "accepted" if st.review == "suggested" else st.review,
        "issue": st.issue_id,
        "tags": ", ".join(st.tags),
        "notes": st.notes,
    }


def draft_arguments(draft: Draft) -> dict[str, Any]:
    """The editor's arguments that resume ``draft``: its statement, article and evidence,
    the typed fields as prefill, and (for an existing statement) the version and values
    it was typed against; a draft older than base versions says it has none, so its
    save goes through the conflict view instead of overwriting blindly."""
    fields = dict(draft.fields)
    evidence = fields.pop("_evidence", None)
    statement_id = fields.pop("_statement_id", None)
    if statement_id is not None:
        fields.setdefault("_base_version", None)
        fields.setdefault("_base", None)
    return {
        "statement_id": statement_id,
        "article_id": fields.pop("_article_id", None),
        "evidence": tuple(evidence) if evidence else None,
        "prefill": fields,
        "draft_key": draft.key,
    }


class DraftWaiting(ModalScreen[str]):
    """Opening a statement that has an unsaved draft: resume the draft, open the saved
    version (the draft stays, for later), or throw the draft away. Discarding is on
    Delete, not a letter: keys typed ahead of this question must not destroy work."""

    DEFAULT_CSS = """
    DraftWaiting { align: center middle; }
    DraftWaiting > Vertical {
        width: 76; max-width: 100%; height: auto; border: round $warning;
        background: $surface; padding: 1 2;
    }
    DraftWaiting Horizontal { height: auto; margin-top: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "choose('resume')", "Resume draft", id="draft_waiting.resume"),
        Binding("o,escape", "choose('saved')", "Open saved", id="draft_waiting.saved"),
        Binding("delete", "choose('discard')", "Discard draft", id="draft_waiting.discard"),
    ]

    def __init__(self, draft: Draft, others: int = 0) -> None:
        super().__init__()
        self.draft = draft
        self.others = others

    def compose(self) -> ComposeResult:
        saved_at = self.draft.saved_at.astimezone().strftime("%d %b %H:%M")
        message = Text(f"You have an unsaved draft of this statement ({saved_at}): ")
        message.append(clean_line(self.draft.title) or "(empty)", style="italic")
        message.append(
            "\nr resumes it · o opens the saved statement and keeps the draft for later · "
            "Delete throws the draft away."
        )
        if self.others:
            message.append(f"\n{self.others} more draft(s) of it wait in the drafts list.")
        with Vertical():
            yield Static(message)
            with Horizontal():
                yield Button("Resume (r)", id="resume", variant="primary")
                yield Button("Open saved (o)", id="saved")
                yield Button("Discard (del)", id="discard", variant="error")

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id or "saved")


class ConfirmLeave(ModalScreen[str]):
    """Esc on a changed form: save, discard, or keep editing."""

    DEFAULT_CSS = """
    ConfirmLeave { align: center middle; }
    ConfirmLeave > Vertical {
        width: 60; height: auto; border: round $warning; background: $surface; padding: 1 2;
    }
    ConfirmLeave Horizontal { height: auto; margin-top: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "choose('save')", "Save", id="confirm.save"),
        Binding("d", "choose('discard')", "Discard", id="confirm.discard"),
        Binding("escape,k", "choose('keep')", "Keep editing", id="confirm.keep"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("This statement has unsaved changes.", markup=False)
            with Horizontal():
                yield Button("Save (s)", id="save", variant="primary")
                yield Button("Discard (d)", id="discard", variant="error")
                yield Button("Keep editing (esc)", id="keep")

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id or "keep")


class StatementEditor(Screen[int | None]):
    """Create or edit one statement; dismisses with the saved statement's id (or None)."""

    DEFAULT_CSS = """
    StatementEditor > #editor-fields { padding: 0 1; }
    StatementEditor Label { color: $text-muted; margin-top: 1; }
    StatementEditor .hint { color: $text-muted; height: auto; }
    StatementEditor #speaker-options { height: auto; max-height: 6; display: none; }
    StatementEditor #speaker-options.-open { display: block; }
    StatementEditor #text { height: 5; }
    StatementEditor #notes { height: 3; }
    StatementEditor #editor-error { color: $error; height: auto; }
    StatementEditor #editor-buttons { height: auto; dock: bottom; padding: 0 1; }
    StatementEditor #evidence { color: $text-muted; height: auto; }
    StatementEditor #editor-read-only { height: auto; padding: 0 1; background: $warning 30%; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", priority=True, id="editor.save"),
        Binding("escape", "leave", "Close", id="editor.close"),
        # Priority, so the focus moves before the keys typed after Tab are handed on:
        # over SSH "Tab, then a name" arrives in one burst and must land in the next field.
        Binding("tab", "app.focus_next", "Next field", show=False, priority=True, id="editor.next"),
        Binding(
            "shift+tab",
            "app.focus_previous",
            "Previous field",
            show=False,
            priority=True,
            id="editor.previous",
        ),
    ]

    def __init__(
        self,
        repo: Repo,
        *,
        statement_id: int | None = None,
        article_id: int | None = None,
        evidence: tuple[int, int] | None = None,
        prefill: dict[str, Any] | None = None,
        draft_key: str | None = None,
        drafts: DraftStore | None = None,
    ) -> None:
        super().__init__()
        self.repo = repo
        self.statement_id = statement_id
        self.article_id = article_id
        self.evidence = evidence
        self.prefill = dict(prefill or {})
        #: the version a save names (the one the form, or its draft, was opened at)
        self.version: int | None = None
        #: the stored statement's fields at ``version``, as the form shows them; None for
        #: a new statement, or a draft that does not know what it was typed against
        self.base: dict[str, Any] | None = None
        self.reference: dt.date | None = None
        self.resolver: ActorResolver | None = None
        self.issues: list[tuple[int, str]] = []
        self.drafts = drafts
        self.draft_key = draft_key or (
            f"statement-{statement_id}" if statement_id else f"new-{uuid.uuid4().hex[:12]}"
        )
        self.dirty = False
        self._loading = True
        self._draft_timer: Any = None
        self._speaker_id: int | None = None
        self._stored_said: str | None = None  # the date field as an opened statement showed it
        self._saving = False
        self._save_after_load = False  # ctrl+s typed ahead of the load
        #: the form as last filled (before the load: as composed): what typing changes
        self._untouched: dict[str, Any] = {}
        # A draft of this statement left by "decide later" (or another session): offered
        # before the form can overwrite it. Read here, before any key reaches the form.
        self._waiting: list[Draft] = []
        if statement_id is not None and draft_key is None and drafts is not None:
            self._waiting = drafts.for_statement(statement_id)
        #: opened read-only, because a colleague is editing it (their choice at the warning)
        self.viewing_only = False

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        title = "Edit statement" if self.statement_id else "New statement"
        with VerticalScroll(id="editor-fields") as fields:
            fields.can_focus = False
            fields.border_title = title
            yield Static("", id="evidence", markup=False)
            yield Label("Speaker (type to search actors and aliases; ↓ to pick)")
            yield Input(compact=True, id="speaker", placeholder="who said it")
            yield OptionList(id="speaker-options")
            yield Static("", id="speaker-hint", classes="hint", markup=False)
            yield Select(
                [(k, k) for k in ACTOR_KINDS],
                value="person",
                id="speaker-kind",
                allow_blank=False,
                compact=True,
            )
            yield Label("Attribution chain (e.g. a spokesman, citing the state news agency)")
            yield Input(compact=True, id="attribution")
            yield Label("What was said")
            yield TextArea(id="text", soft_wrap=True)
            yield Checkbox("Direct quote (the speaker's exact words)", id="quote")
            yield Label(
                "Said on (free text: 12 Dec 2026, Dec 18–20, last Friday, in the coming days)"
            )
            yield Input(compact=True, id="said")
            yield Static("", id="said-hint", classes="hint", markup=False)
            yield Label("Verification")
            yield Select(
                [(v, v) for v in VERIFICATIONS],
                value="unverified",
                id="verification",
                allow_blank=False,
                compact=True,
            )
            yield Label("Review")
            yield Select(
                [(r, r) for r in REVIEWS],
                value="accepted",
                id="review",
                allow_blank=False,
                compact=True,
            )
            yield Label("Issue")
            yield Select([], id="issue", prompt="(none)", compact=True)
            yield Label("Tags (comma-separated)")
            yield Input(compact=True, id="tags")
            yield Label("Notes")
            yield TextArea(id="notes", soft_wrap=True)
            yield Static("", id="editor-error", markup=False)
        with Horizontal(id="editor-buttons"):
            yield Button("Save (ctrl+s)", id="editor-save", variant="primary")
            yield Button("Close (esc)", id="editor-close")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#speaker-kind", Select).display = False
        self._untouched = self.values()
        editing = self._editing_elsewhere()
        if editing:
            # Before the form opens (and before any draft question): typing into a form
            # whose save would only conflict with a colleague's is work wasted.
            me = self.repo.editor
            sentence = editing_sentence(editing, me, "statement")
            self.app.push_screen(EditingWarning(sentence), partial(self._warned, sentence))
        else:
            self._open()

    def _editing_elsewhere(self) -> tuple[Here, ...]:
        """Other sessions editing this statement now (none for a new statement)."""
        ask = getattr(self.app, "editing_elsewhere", None)
        if self.statement_id is None or not callable(ask):
            return ()
        try:
            return tuple(ask("statement", self.statement_id))
        except Exception:  # presence is advice: it never keeps the editor from opening
            return ()

    def _warned(self, sentence: str, choice: str | None) -> None:
        if choice not in ("edit", "read-only"):
            self.dismiss(None)
            return
        if choice == "read-only":
            self.viewing_only = True
            fields = self.query_one("#editor-fields", VerticalScroll)
            fields.disabled = True  # nothing can be typed, so nothing is lost either
            self.query_one("#editor-save", Button).disabled = True
            # Text, never markup: the sentence names colleagues.
            notice = Static(
                Text(f"Read-only: {sentence}. esc closes; reopen it to edit.", style="bold"),
                id="editor-read-only",
            )
            self.mount(notice, before=fields)
        self._open()

    def presence_item(self) -> Where:
        """What colleagues see this session at: the statement, edited unless read-only;
        a new statement's article, looked at."""
        if self.statement_id is not None:
            return ("statement", self.statement_id, not self.viewing_only)
        if self.article_id is not None:
            return ("article", self.article_id, False)
        return NOWHERE

    def _open(self) -> None:
        """Offer a waiting draft first, else load the statement into the form."""
        update = getattr(self.app, "update_presence", None)
        if callable(update):
            update()  # colleagues see at once that this statement is being edited
        if self._waiting:
            waiting = self._waiting[0]
            self.app.push_screen(
                DraftWaiting(waiting, len(self._waiting) - 1),
                partial(self._draft_decided, waiting),
            )
        else:
            self._start_loading()

    def _start_loading(self) -> None:
        self.run_worker(self._load, thread=True, name="open the statement", exit_on_error=False)

    def _draft_decided(self, draft: Draft, choice: str | None) -> None:
        """Resume the waiting draft, throw it away, or open the saved statement with a
        draft key of its own, so this form's typing never overwrites the waiting one."""
        if choice == "resume":
            resumed = draft_arguments(draft)
            self.prefill = resumed["prefill"]
            self.draft_key = resumed["draft_key"]
        elif choice == "discard":
            if self.drafts is not None:
                self.drafts.discard(draft.key)
        else:
            self.draft_key = f"statement-{self.statement_id}-{uuid.uuid4().hex[:8]}"
        self._start_loading()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.name == "save the statement" and event.state == WorkerState.ERROR:
            self._saving = False  # told by forward_failure; the form can be saved again
        forward_failure(self, event)

    # ------------------------------------------------------------------ loading

    def _load(self) -> None:
        from workbench.extract.actors import ActorEntry, ActorResolver

        resolver = ActorResolver(
            [ActorEntry(i, n, k, a, p) for i, n, k, a, p in self.repo.actor_entries()]
        )
        issues = self._issues()
        stored: dict[str, Any] = {}
        version = None
        article_id, evidence = self.article_id, self.evidence
        if self.statement_id is not None:
            detail = self.repo.statement_detail(self.statement_id)
            if detail is None:
                raise ValueError(f"statement {self.statement_id} is gone")
            st = detail.statement
            version = st.version
            article_id = st.article_id
            evidence = (
                (st.evidence_start, st.evidence_end)
                if st.evidence_start is not None and st.evidence_end is not None
                else None
            )
            stored = form_values(detail)
        reference = None
        quote = ""
        if article_id is not None:
            article = self.repo.article_detail(article_id)
            if article is not None:
                reference = article.published_at.date() if article.published_at else None
                if evidence is not None:
                    quote = article.text[evidence[0] : evidence[1]]
        self.app.call_from_thread(
            self._fill, resolver, issues, stored, version, reference, article_id, evidence, quote
        )

    def _issues(self) -> list[tuple[int, str]]:
        """(id, title) of the issues a statement can be filed under: the same choice the
        timeline filter offers, read by the views layer (widgets never run SQL)."""
        from db.views import timeline_issues

        return timeline_issues(self.repo.engine)

    def _fill(
        self,
        resolver: ActorResolver,
        issues: list[tuple[int, str]],
        stored: dict[str, Any],
        version: int | None,
        reference: dt.date | None,
        article_id: int | None,
        evidence: tuple[int, int] | None,
        quote: str,
    ) -> None:
        self.resolver, self.issues, self.reference = resolver, issues, reference
        self.article_id, self.evidence = article_id, evidence
        if self.statement_id is None:
            self.version, self.base = None, None
        elif "_base_version" in self.prefill:
            # A resumed draft was typed against the version it was opened at, not the one
            # stored now: saving must name that one, so a save in between is a conflict.
            base = self.prefill.get("_base")
            self.version = self.prefill["_base_version"]
            self.base = dict(base) if isinstance(base, dict) and self.version else None
        else:
            self.version, self.base = version, dict(stored)
        self._stored_said = (self.base.get("said") or "").strip() if self.base else None
        if quote:
            shown = Text("Evidence: ", style="bold")
            shown.append(clean_line(quote), style="italic")
            self.query_one("#evidence", Static).update(shown)
        # Keys typed while the statement loaded are in the fields already: the fill must
        # not replace them (a field is typed in when it no longer reads as composed).
        now = self.values()
        typed = {name for name in TYPED_FIELDS if now[name] != self._untouched.get(name)}
        values = {
            k: v for k, v in {**stored, **self.prefill}.items() if k not in typed and k[0] != "_"
        }
        if "speaker" in typed:
            values.pop("speaker_id", None)
        # Filling is not typing: the fields' Changed messages would arrive after _loading
        # is over and mark an untouched form changed (esc would ask, a draft be written).
        with self.prevent(TextArea.Changed, Checkbox.Changed, Select.Changed):
            if "issue" not in typed:
                self.query_one("#issue", Select).set_options(  # Text: titles aren't markup
                    [(Text(clean_line(t)), i) for i, t in issues]
                )
            self.set_values(values)
        self._loading = False
        self._untouched = self.values()
        self.dirty = bool(self.prefill.get("_dirty"))
        if typed:
            self._changed()  # typed ahead: unsaved work, and a draft to write
        if self.focused is None:  # a Tab typed ahead moved on already: the keys follow it
            self.set_focus(self.query_one("#speaker", Input))
        if self._save_after_load:
            self._save_after_load = False
            self.action_save()

    # ------------------------------------------------------------------ values

    def set_values(self, values: dict[str, Any]) -> None:
        """Fill the form without it reading as typing (no suggestion list, no new draft)."""
        if "speaker" in values:
            speaker = self.query_one("#speaker", Input)
            with speaker.prevent(Input.Changed):
                speaker.value = values.get("speaker") or ""
            self._speaker_id = values.get("speaker_id")
        for field in ("attribution", "said", "tags"):
            if field in values:
                widget = self.query_one(f"#{field}", Input)
                with widget.prevent(Input.Changed):
                    widget.value = values.get(field) or ""
        for field in ("text", "notes"):
            if field in values:
                self.query_one(f"#{field}", TextArea).text = values.get(field) or ""
        if "quote" in values:
            self.query_one("#quote", Checkbox).value = bool(values["quote"])
        for field in ("verification", "review"):
            if values.get(field):
                self.query_one(f"#{field}", Select).value = values[field]
        issue = values.get("issue")
        if issue and any(i == issue for i, _t in self.issues):
            self.query_one("#issue", Select).value = issue
        elif "issue" in values and issue is None and self.issues:
            self.query_one("#issue", Select).clear()
        if values.get("speaker_kind") in ACTOR_KINDS:
            self.query_one("#speaker-kind", Select).value = values["speaker_kind"]
        self._update_speaker_hint()
        self._update_date_hint()

    def values(self) -> dict[str, Any]:
        issue = self.query_one("#issue", Select).value
        return {
            "speaker": self.query_one("#speaker", Input).value,
            "speaker_id": self._speaker_id,
            "speaker_kind": self.query_one("#speaker-kind", Select).value,
            "attribution": self.query_one("#attribution", Input).value,
            "text": self.query_one("#text", TextArea).text,
            "quote": self.query_one("#quote", Checkbox).value,
            "said": self.query_one("#said", Input).value,
            "verification": self.query_one("#verification", Select).value,
            "review": self.query_one("#review", Select).value,
            "issue": issue if isinstance(issue, int) else None,
            "tags": self.query_one("#tags", Input).value,
            "notes": self.query_one("#notes", TextArea).text,
        }

    # ------------------------------------------------------------------ live feedback

    def _changed(self) -> None:
        if self._loading:
            return
        self.dirty = True
        if self.drafts is not None:
            if self._draft_timer is not None:
                self._draft_timer.stop()
            self._draft_timer = self.set_timer(DRAFT_DELAY, self.save_draft)

    def save_draft(self) -> None:
        """Write the form to its draft file (also called directly before risky moments).

        A draft of an existing statement keeps the version and the values the form was
        opened at: resumed later, its save names that version (a colleague's save in
        between is then a conflict, not silently overwritten). Written before the
        statement has loaded (the app quits with keys typed ahead), it keeps only what
        was typed, and says it knows no base."""
        if self.drafts is None or not self.dirty:
            return
        fields: dict[str, Any] = self.values()
        if self._loading and self.statement_id is not None:
            fields = {k: v for k, v in fields.items() if v != self._untouched.get(k)}
        fields.update(
            {
                "_dirty": True,
                "_statement_id": self.statement_id,
                "_article_id": self.article_id,
                "_evidence": list(self.evidence) if self.evidence else None,
            }
        )
        if self.statement_id is not None:
            known = not self._loading and self.base is not None
            fields["_base_version"] = self.version if known else None
            fields["_base"] = dict(self.base) if known and self.base is not None else None
        title = (
            clean_line(str(fields.get("text") or ""))[:60]
            or clean_line(str(fields.get("speaker") or ""))
            or "(empty)"
        )
        self.drafts.save(self.draft_key, fields, title)

    def flush_draft(self) -> None:
        """Write the draft now, not a moment later: the app is quitting, and the debounced
        write would never come (the last keystrokes would be lost). Keys whose Changed
        message has not arrived yet count too: the fields already hold them."""
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self._draft_timer = None
        if not self.dirty and self.values() != self._untouched:
            self.dirty = True
        self.save_draft()

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "speaker":
            self._speaker_id = None  # typing again: resolve afresh
            self._update_speaker_options(event.value)
            self._update_speaker_hint()
        elif event.input.id == "said":
            self._update_date_hint()
        self._changed()

    @on(TextArea.Changed)
    @on(Checkbox.Changed)
    @on(Select.Changed)
    def _other_changed(self) -> None:
        self._changed()

    def _update_speaker_options(self, typed: str) -> None:
        options = self.query_one("#speaker-options", OptionList)
        options.clear_options()
        matches = self.resolver.suggest(typed) if self.resolver and typed.strip() else []
        for match in matches:
            options.add_option(Option(Text(clean_line(match.name)), id=str(match.actor_id)))
        options.set_class(bool(matches), "-open")

    def _speaker_match(self) -> ActorMatch | None:
        typed = self.query_one("#speaker", Input).value.strip()
        if not typed or self.resolver is None:
            return None
        return self.resolver.resolve(typed)

    def _update_speaker_hint(self) -> None:
        hint = self.query_one("#speaker-hint", Static)
        kind = self.query_one("#speaker-kind", Select)
        typed = self.query_one("#speaker", Input).value.strip()
        if not typed:
            hint.update("No speaker: an unnamed source (say who in the attribution).")
            kind.display = False
            return
        if self.resolver is None:
            # still loading the actors: a name typed ahead is not "new" yet, and the kind
            # field must not appear and catch the Tab typed after it
            hint.update("Looking up actors…")
            kind.display = False
            return
        if self._speaker_id is not None:
            entry = self.resolver.actor(self._speaker_id) if self.resolver else None
            name = clean_line(entry.name) if entry else f"actor #{self._speaker_id}"
            hint.update(f"→ {name}")
            kind.display = False
            return
        match = self._speaker_match()
        if match is not None:
            hint.update(f"→ {clean_line(match.name)} ({match.how})")
            kind.display = False
        else:
            hint.update(f"New actor “{clean_line(typed)}” will be added, as:")
            kind.display = True

    def _update_date_hint(self) -> None:
        text = self.query_one("#said", Input).value.strip()
        hint = self.query_one("#said-hint", Static)
        if not text:
            reference = format_span(self.reference) if self.reference else "unknown"
            hint.update(f"Empty: the article's date ({reference}).")
            return
        guess = parse_date_expression(text, reference=self.reference)
        if guess is None or guess.start is None:
            hint.update("Not a date I can read; it is kept as written.")
        else:
            hint.update(
                f"→ {format_span(guess.start, guess.end, guess.precision)} ({guess.precision})"
            )

    @on(OptionList.OptionSelected, "#speaker-options")
    def _speaker_picked(self, event: OptionList.OptionSelected) -> None:
        speaker = self.query_one("#speaker", Input)
        with speaker.prevent(Input.Changed):
            speaker.value = str(event.option.prompt)
        self._speaker_id = int(event.option.id or 0) or None
        self.query_one("#speaker-options", OptionList).remove_class("-open")
        self._update_speaker_hint()
        self.query_one("#attribution", Input).focus()
        self._changed()

    def on_key(self, event: Any) -> None:
        """↓ from the speaker field goes into its suggestions."""
        options = self.query_one("#speaker-options", OptionList)
        speaker = self.query_one("#speaker", Input)
        if event.key == "down" and self.focused is speaker and options.has_class("-open"):
            options.focus()
            options.highlighted = 0
            event.stop()

    # ------------------------------------------------------------------ saving

    def _error(self, message: str) -> None:
        error = self.query_one("#editor-error", Static)
        error.update(message)
        self.query_one("#editor-fields", VerticalScroll).scroll_to_widget(error, animate=False)

    def _statement_values(self, form: dict[str, Any]) -> tuple[dict[str, Any], Any]:
        """The repository's fields from the form, or raise ValueError with what to fix."""
        text = form["text"].strip()
        if not text:
            raise ValueError("Write what was said.")
        said = form["said"].strip()
        dates: dict[str, Any] = {}
        if said and said == self._stored_said:
            pass  # the stored date, shown and left alone: keep it exactly as it is
        elif said:
            guess = parse_date_expression(said, reference=self.reference)
            if guess is None or guess.start is None:
                raise ValueError(f"“{said}” is not a date I can read; try e.g. 12 Dec 2026.")
            dates = {
                "said_on": guess.start,
                "said_until": guess.end,
                "date_precision": guess.precision,
            }
        elif self.reference is not None:
            dates = {"said_on": self.reference, "said_until": None, "date_precision": "day"}
        else:
            dates = {"said_on": None, "said_until": None, "date_precision": "unknown"}
        if dates:
            dates["date_text"] = said
        new_speaker = None
        speaker_id = self._speaker_id
        typed = form["speaker"].strip()
        if typed and speaker_id is None:
            match = self._speaker_match()
            if match is not None:
                speaker_id = match.actor_id
            else:
                new_speaker = (typed, form["speaker_kind"])
        values: dict[str, Any] = {
            "speaker_id": speaker_id if typed else None,
            "attribution": form["attribution"].strip(),
            "text": text,
            "quote": form["quote"],
            **dates,
            "verification": form["verification"],
            "review": form["review"],
            "issue_id": form["issue"],
            "tags": [t.strip() for t in form["tags"].split(",") if t.strip()],
            "notes": form["notes"],
        }
        if self.statement_id is None:
            values["article_id"] = self.article_id
            values["evidence"] = self.evidence
        return values, new_speaker

    def action_save(self) -> None:
        if self.viewing_only:
            self._error("Opened read-only while a colleague edits it: esc closes; reopen to edit.")
            return
        if self._saving:
            return  # a second ctrl+s while the first is stored would store it twice
        if self._loading:
            # typed ahead of the load: the form is not the statement yet (saving it would
            # store half-empty fields, at no version); save once it is
            self._save_after_load = True
            return
        form = self.values()
        try:
            values, new_speaker = self._statement_values(form)
        except ValueError as exc:
            self._error(str(exc))
            return
        self._error("")
        self.save_draft()  # whatever happens next, the typing is on disk
        self._saving = True
        statement_id, expected, base = self.statement_id, self.version, self.base

        def work() -> None:
            from db.repo import ConflictError, RepoError

            nonlocal expected, base
            try:
                for _attempt in range(SAVE_ATTEMPTS):
                    if statement_id is not None and base is None:
                        # a draft that does not know its base: nothing tells what they
                        # changed, so every difference from the stored statement is shown
                        theirs, version = self._stored_now(statement_id)
                        if conflicting_fields(None, theirs, form):
                            self.app.call_from_thread(
                                self._conflict,
                                theirs,
                                version,
                                f"This draft of statement {statement_id} does not say which "
                                f"version it was typed against; the statement is at version "
                                f"{version} now",
                            )
                            return
                        expected, base = version, theirs
                    try:
                        saved = self.repo.save_statement(
                            values,
                            statement_id=statement_id,
                            expected_version=expected,
                            new_speaker=new_speaker,
                        )
                    except ConflictError as exc:
                        assert statement_id is not None
                        theirs, version = self._stored_now(statement_id)
                        if conflicting_fields(base, theirs, form):
                            self.app.call_from_thread(self._conflict, theirs, version, str(exc))
                            return
                        # their save touched no field of this form (the evidence was
                        # re-anchored, say): saving over it at their version loses nothing
                        expected = version
                        continue
                    self.app.call_from_thread(self._saved, int(saved.id))  # type: ignore[arg-type]
                    return
            except RepoError as exc:
                self.app.call_from_thread(self._refused, str(exc))
                return
            self.app.call_from_thread(
                self._refused, "The statement keeps changing under this form; save again."
            )

        self.run_worker(work, thread=True, name="save the statement", exit_on_error=False)

    def _stored_now(self, statement_id: int) -> tuple[dict[str, Any], int]:
        """The statement as stored now, as the form shows it, and its version (worker)."""
        from db.repo import RepoError

        detail = self.repo.statement_detail(statement_id)
        if detail is None or detail.statement.deleted_at is not None:
            raise RepoError(f"statement {statement_id} was deleted meanwhile")
        return form_values(detail), int(detail.statement.version)

    def _refused(self, message: str) -> None:
        self._saving = False
        self._error(message)

    def _conflict(self, theirs: dict[str, Any], version: int, message: str) -> None:
        """Someone saved a field this form shows: show theirs beside yours, and let the
        editor choose (the typing stays in the form and the draft whatever they choose,
        until "take theirs")."""
        self._saving = False
        self._error(f"{message}. Your text is kept here and in your drafts.")
        rows = conflict_rows(self.base, theirs, self.values(), dict(self.issues))
        self.app.push_screen(ConflictScreen(rows, message), partial(self._resolve, theirs, version))

    def _apply(self, values: dict[str, Any]) -> None:
        """Put stored values into the form: not typing (no suggestions list, no draft)."""
        with self.prevent(TextArea.Changed, Checkbox.Changed, Select.Changed):
            self.set_values(values)

    def _resolve(self, theirs: dict[str, Any], version: int, choice: ConflictChoice | None) -> None:
        """The form now bases on their version whatever was chosen: the next save names
        it (a save at the old version would conflict forever)."""
        choice = choice or ConflictChoice("edit")
        self.version, self.base = version, dict(theirs)
        self._stored_said = (theirs.get("said") or "").strip()
        if choice.action == "theirs":
            self._apply(theirs)
            if self._draft_timer is not None:
                self._draft_timer.stop()
                self._draft_timer = None
            if self.drafts is not None:
                self.drafts.discard(self.draft_key)
            self.dirty = False
            self._untouched = self.values()
            self._error("")
            self.notify(
                f"The form shows the stored statement (version {version}).",
                title="Statements",
                markup=False,
            )
            return
        if choice.take:
            taken = {name: theirs.get(name) for name in choice.take}
            if "speaker" in choice.take:
                taken["speaker_id"] = theirs.get("speaker_id")
            self._apply(taken)
        if choice.action == "mine":
            self._error("")
            self.action_save()  # at their version: a deliberate overwrite, logged as usual
            return
        self.save_draft()  # the draft now names their version as its base
        self._error("")
        self.notify(
            f"Editing on top of version {version}: ctrl+s saves this form over it.",
            title="Statements",
            markup=False,
        )

    def _saved(self, statement_id: int) -> None:
        if self._draft_timer is not None:
            self._draft_timer.stop()
        if self.drafts is not None:
            self.drafts.discard(self.draft_key)
        self.dirty = False
        self.notify(f"Saved statement #{statement_id}.", title="Statements", markup=False)
        self.dismiss(statement_id)

    def action_leave(self) -> None:
        options = self.query_one("#speaker-options", OptionList)
        if options.has_class("-open"):
            options.remove_class("-open")
            return
        if not self.dirty:
            self.dismiss(None)
            return

        def chosen(choice: str | None) -> None:
            if choice == "save":
                self.action_save()
            elif choice == "discard":
                if self.drafts is not None:
                    self.drafts.discard(self.draft_key)
                self.dirty = False
                self.dismiss(None)

        self.app.push_screen(ConfirmLeave(), chosen)

    @on(Button.Pressed, "#editor-save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#editor-close")
    def _close_pressed(self) -> None:
        self.action_leave()
