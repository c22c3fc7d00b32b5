"""The article reader: sentence by sentence, with statements marked, annotated by keyboard.

j/k walk the sentences. ``v`` starts a selection on the current sentence; w/b move its end
by a word, j/k by a sentence, H/L its start by a word; Enter (or ``c``) turns the selection
(or, with none, the current sentence) into a statement and opens the editor prefilled.
Accepted statements are underlined; suggestions are shown reversed, and a/d/e accept,
dismiss or edit the suggestion under the cursor. ``x`` asks the machine for suggestions.

Each paragraph is its own widget, so a key press redraws one or two paragraphs, not the
whole article, and scrolling follows the cursor paragraph by paragraph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static
from textual.worker import Worker

from db.clean import strip_controls
from workbench.text import clean_line
from workbench.ui.messages import forward_failure
from workbench.ui.render import when

if TYPE_CHECKING:
    from db.repo import ArticleDetail, Repo
    from workbench.drafts import DraftStore

_PARAGRAPH = re.compile(r"[^\n](?:.|\n(?!\s*\n))*", re.DOTALL)
_WORD_CHAR = re.compile(r"\w")


@dataclass(frozen=True)
class Span:
    statement_id: int
    start: int
    end: int
    review: str


class Paragraph(Static):
    """One paragraph of the article; redrawn when the cursor, selection or marks change."""

    DEFAULT_CSS = """
    Paragraph { margin-bottom: 1; width: 1fr; }
    """

    def __init__(self, start: int, end: int) -> None:
        super().__init__("", markup=False)
        self.start, self.end = start, end


class ReaderScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "move(1)", "Next sentence", id="reader.next"),
        Binding("k,up", "move(-1)", "Previous sentence", id="reader.previous"),
        Binding("v", "select", "Select", id="reader.select"),
        Binding("w", "extend_word(1)", "End +word", show=False, id="reader.word-more"),
        Binding("b", "extend_word(-1)", "End −word", show=False, id="reader.word-less"),
        Binding("L", "move_start(1)", "Start +word", show=False, id="reader.start-later"),
        Binding("H", "move_start(-1)", "Start −word", show=False, id="reader.start-earlier"),
        Binding("enter,c", "create", "Statement", id="reader.create"),
        Binding("a", "review('accepted')", "Accept", id="reader.accept"),
        Binding("d", "review('dismissed')", "Dismiss", id="reader.dismiss"),
        Binding("e", "edit", "Edit", id="reader.edit"),
        Binding("x", "suggest", "Suggest", id="reader.suggest"),
        Binding("escape,q", "back", "Back", id="reader.back"),
    ]

    DEFAULT_CSS = """
    ReaderScreen #reader-head { padding: 0 1; background: $panel; height: auto; }
    ReaderScreen #reader-body { padding: 1 2; }
    ReaderScreen #reader-status { height: 1; padding: 0 1; color: $text-muted; }
    """

    def __init__(self, repo: Repo, article_id: int, drafts: DraftStore | None = None) -> None:
        super().__init__()
        self.repo = repo
        self.article_id = article_id
        self.drafts = drafts
        self.article: ArticleDetail | None = None
        self.text = ""
        self.sentences: list[tuple[int, int]] = []
        self.spans: list[Span] = []
        self.cursor = 0  # index into sentences
        self.selection: tuple[int, int] | None = None  # (start, end) character offsets

    def compose(self) -> ComposeResult:
        yield Static("Loading…", id="reader-head", markup=False)
        yield VerticalScroll(id="reader-body")
        yield Static("", id="reader-status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.reload()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        forward_failure(self, event)

    # ------------------------------------------------------------------ loading

    def reload(self) -> None:
        self.run_worker(self._load, thread=True, name="open the article", exit_on_error=False)

    def _load(self) -> None:
        from workbench.extract.sentences import split_sentences

        article = self.repo.article_detail(self.article_id)
        if article is None:
            raise ValueError(f"article {self.article_id} is gone")
        text = strip_controls(article.text)
        sentences = split_sentences(text) or ([(0, len(text))] if text else [])
        self.app.call_from_thread(self._show, article, text, sentences)

    def _show(self, article: ArticleDetail, text: str, sentences: list[tuple[int, int]]) -> None:
        first_load = self.article is None
        self.article, self.text, self.sentences = article, text, sentences
        self.spans = [Span(i, s, e, r) for i, s, e, r in article.spans if r != "dismissed"]
        head = Text(clean_line(article.title) or "(untitled)", style="bold")
        meta = [m for m in (article.outlet, article.byline, when(article.published_at)) if m]
        head.append("\n" + " · ".join(clean_line(m) for m in meta), style="dim")
        self.query_one("#reader-head", Static).update(head)
        body = self.query_one("#reader-body", VerticalScroll)
        if first_load:
            body.mount_all([Paragraph(m.start(), m.end()) for m in _PARAGRAPH.finditer(text)])
        self.cursor = min(self.cursor, max(len(sentences) - 1, 0))
        self.call_after_refresh(self.redraw)

    # ------------------------------------------------------------------ drawing

    @property
    def current(self) -> tuple[int, int]:
        return self.sentences[self.cursor] if self.sentences else (0, 0)

    def redraw(self) -> None:
        for paragraph in self.query(Paragraph):
            paragraph.update(self._paragraph_text(paragraph.start, paragraph.end))
        self._status()

    def _paragraph_text(self, start: int, end: int) -> Text:
        text = Text(self.text[start:end])

        def mark(s: int, e: int, style: str) -> None:
            s, e = max(s, start), min(e, end)
            if s < e:
                text.stylize(style, s - start, e - start)

        cursor_start, cursor_end = self.current
        mark(cursor_start, cursor_end, "on grey23")
        for span in self.spans:
            mark(
                span.start,
                span.end,
                "reverse yellow" if span.review == "suggested" else "underline bold cyan",
            )
        if self.selection:
            mark(*self.selection, "reverse bold magenta")
        return text

    def _status(self) -> None:
        status = self.query_one("#reader-status", Static)
        if self.selection:
            words = len(self.text[self.selection[0] : self.selection[1]].split())
            status.update(
                f"Selected {words} words: w/b end by word, j/k by sentence, "
                "H/L start; Enter makes a statement, esc cancels."
            )
            return
        under = self._span_here()
        if under is not None:
            state = (
                "suggested (a accept, d dismiss, e edit)"
                if under.review == "suggested"
                else under.review
            )
            status.update(
                f"Sentence {self.cursor + 1}/{len(self.sentences)} · statement "
                f"#{under.statement_id}, {state}"
            )
        else:
            status.update(
                f"Sentence {self.cursor + 1}/{len(self.sentences)} · v select · "
                "Enter statement from this sentence · x suggest"
            )

    def _scroll_to_cursor(self) -> None:
        offset = self.selection[1] - 1 if self.selection else self.current[0]
        for paragraph in self.query(Paragraph):
            if paragraph.start <= offset < paragraph.end:
                self.query_one("#reader-body", VerticalScroll).scroll_to_widget(
                    paragraph, animate=False
                )
                return

    # ------------------------------------------------------------------ moving

    def action_move(self, step: int) -> None:
        if not self.sentences:
            return
        if self.selection:  # in a selection, j/k move its end by a sentence
            self._extend_sentence(step)
        else:
            self.cursor = max(0, min(self.cursor + step, len(self.sentences) - 1))
        self.redraw()
        self._scroll_to_cursor()

    def action_select(self) -> None:
        self.selection = None if self.selection else self.current
        self.redraw()

    def _extend_sentence(self, step: int) -> None:
        assert self.selection is not None
        start, end = self.selection
        ends = [e for _s, e in self.sentences if e > start]
        self.selection = (start, self._step(ends, end, step))

    def _step(self, marks: list[int], at: int, step: int) -> int:
        """The word or sentence boundary ``step`` places after (or before) ``at``. A mark
        that would only add or drop punctuation and spaces is no step, so from inside a
        sentence ``j`` goes to its end and ``k`` never grows the selection."""
        if step > 0:
            ahead = [m for m in marks if m > at and _WORD_CHAR.search(self.text, at, m)]
            return ahead[min(step, len(ahead)) - 1] if ahead else at
        behind = [m for m in marks if m < at and _WORD_CHAR.search(self.text, m, at)]
        return behind[max(step, -len(behind))] if behind else at

    def _words(self) -> list[tuple[int, int]]:
        from workbench.extract.sentences import word_spans

        return word_spans(self.text, 0, len(self.text))

    def action_extend_word(self, step: int) -> None:
        if not self.selection:
            return
        start, end = self.selection
        self.selection = (start, self._step([e for _s, e in self._words() if e > start], end, step))
        self.redraw()
        self._scroll_to_cursor()

    def action_move_start(self, step: int) -> None:
        if not self.selection:
            return
        start, end = self.selection
        self.selection = (self._step([s for s, _e in self._words() if s < end], start, step), end)
        self.redraw()

    def action_back(self) -> None:
        if self.selection:
            self.selection = None
            self.redraw()
            return
        self.dismiss(None)

    # ------------------------------------------------------------------ statements

    def _span_here(self) -> Span | None:
        """The statement on the current sentence; a suggestion first, as a/d act on one
        (a statement spilling over from the sentence before must not hide it)."""
        start, end = self.current
        here = [span for span in self.spans if span.start < end and start < span.end]
        return min(here, key=lambda span: span.review != "suggested", default=None)

    def action_create(self) -> None:
        """A statement from the selection (or the current sentence), prefilled by the
        extractor when it recognises a speaker or a date there."""
        if not self.sentences or self.article is None:
            return
        start, end = self.selection or self.current
        prefill = self._prefill(start, end)
        self.selection = None
        self.redraw()
        self._open_editor(evidence=(start, end), prefill=prefill)

    def _prefill(self, start: int, end: int) -> dict[str, Any]:
        from workbench.extract.actors import ActorEntry, ActorResolver
        from workbench.extract.statements import extract_statements

        chosen = self.text[start:end].strip()
        prefill: dict[str, Any] = {"text": chosen.strip("\"“”'‘’ "), "_dirty": True}
        resolver = ActorResolver(
            [ActorEntry(i, n, k, a, p) for i, n, k, a, p in self.repo.actor_entries()]
        )
        published = (
            self.article.published_at.date() if self.article and self.article.published_at else None
        )
        found = [
            c
            for c in extract_statements(self.text, published=published, resolver=resolver)
            if c.start < end and start < c.end
        ]
        if found:
            # the reading of what the selection is mostly on, one with a known speaker
            # first: not whichever a selection's first or last words merely touch
            best = max(
                found,
                key=lambda c: (min(end, c.end) - max(start, c.start), c.speaker_id is not None),
            )
            prefill.update(
                speaker=best.speaker_mention if best.speaker_id is None else "",
                speaker_id=best.speaker_id,
                attribution=best.attribution,
                quote=best.quote,
                said=best.date_text,
            )
            if best.speaker_id is not None:
                entry = resolver.actor(best.speaker_id)
                prefill["speaker"] = entry.name if entry else ""
            if best.quote:
                prefill["text"] = best.text
        return prefill

    def _open_editor(self, **kwargs: Any) -> None:
        from workbench.ui.editor import StatementEditor

        def done(_saved: int | None) -> None:
            self.reload()

        self.app.push_screen(
            StatementEditor(self.repo, article_id=self.article_id, drafts=self.drafts, **kwargs),
            done,
        )

    def action_edit(self) -> None:
        span = self._span_here()
        if span is None:
            self.notify("No statement on this sentence.", title="Reader", markup=False)
            return
        self._open_editor(statement_id=span.statement_id)

    def action_review(self, decision: str) -> None:
        span = self._span_here()
        if span is None or span.review != "suggested":
            self.notify("No suggestion on this sentence.", title="Reader", markup=False)
            return

        def work() -> None:
            self.repo.review("statement", span.statement_id, decision)
            self.app.call_from_thread(self.reload)

        verb = "accept" if decision == "accepted" else "dismiss"
        self.run_worker(work, thread=True, name=f"{verb} the suggestion", exit_on_error=False)

    def action_suggest(self) -> None:
        def work() -> None:
            from workbench.extract.suggest import suggest_for_article

            count = suggest_for_article(self.repo, self.article_id)
            self.app.call_from_thread(
                self.notify, f"{count} suggestions.", title="Reader", markup=False
            )
            self.app.call_from_thread(self.reload)

        self.run_worker(work, thread=True, name="suggest statements", exit_on_error=False)
