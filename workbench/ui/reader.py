"""The article reader: sentence by sentence, with statements marked, annotated by keyboard.

j/k walk the sentences. ``v`` starts a selection on the current sentence; w/b move its end
by a word, j/k by a sentence, H/L its start by a word; Enter (or ``c``) turns the selection
(or, with none, the current sentence) into a statement and opens the editor prefilled.
Accepted statements are underlined; suggestions are shown reversed, and a/d/e accept,
dismiss or edit the suggestion under the cursor. ``x`` asks the machine for suggestions.

Each paragraph is its own widget. A key press restyles only the paragraphs whose marks
changed (the old and the new cursor's, the selection's moving end), without a layout pass,
so a long article answers as fast as a short one; the view scrolls to keep the cursor's
lines in sight, line by line inside a paragraph taller than the screen. The reader follows
the desk live: when anyone changes this article's statements (a colleague accepts one, a new
pass suggests more), the marks are read again, the cursor and selection stay where they are.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.geometry import Region
from textual.screen import Screen
from textual.widgets import Footer, Static
from textual.worker import Worker, WorkerState

from db.clean import strip_controls
from workbench.text import clean_line
from workbench.ui.messages import forward_failure
from workbench.ui.panes.statements import review_as_seen
from workbench.ui.render import when

if TYPE_CHECKING:
    from db.repo import ArticleDetail, Repo
    from workbench.drafts import DraftStore
    from workbench.extract.actors import ActorResolver
    from workbench.ui.live import DeskChanged

#: A paragraph: from a non-blank character up to a blank line (a line break alone does not
#: end it). Without DOTALL: with it, ``.`` crosses blank lines and the article is one block.
_PARAGRAPH = re.compile(r"\S(?:[^\n]|\n(?![^\S\n]*\n))*")
_WORD_CHAR = re.compile(r"\w")
#: Opening quotation marks and the mark that closes each (straight quotes close themselves).
_QUOTES = {"“": "”", "«": "»", "„": "“", "‘": "’", '"': '"'}
#: What a selection may carry around the words of a quotation without being more than it.
_QUOTE_EDGES = ' \t\n“”«»„‘’",;:'

_CURSOR = "on grey23"
_SELECTION = "reverse bold magenta"
_SUGGESTED = "reverse yellow"
_ACCEPTED = "underline bold cyan"

Range = tuple[int, int]


@dataclass(frozen=True)
class Span:
    statement_id: int
    start: int
    end: int
    review: str
    version: int = 0  # as read with the marks: a review names it


class Paragraph(Static):
    """One paragraph of the article; restyled when the cursor, selection or marks on it
    change. Its words never change (a changed article mounts new paragraphs), so a restyle
    needs no layout pass."""

    DEFAULT_CSS = """
    Paragraph { margin-bottom: 1; width: 1fr; }
    """

    def __init__(self, start: int, end: int, text: Text) -> None:
        super().__init__(text, markup=False)
        self.start, self.end = start, end

    def restyle(self, text: Text) -> None:
        self.update(text, layout=False)


def paragraph_spans(text: str) -> list[Range]:
    """(start, end) of each paragraph, trailing whitespace left out."""
    spans = []
    for match in _PARAGRAPH.finditer(text):
        end = match.start() + len(match.group().rstrip())
        spans.append((match.start(), end))
    return spans


def _changed(old: Range | None, new: Range | None) -> list[Range]:
    """The characters whose highlighting differs between two ranges of one mark."""
    if old == new:
        return []
    if old is None or new is None:
        return [r for r in (old, new) if r is not None]
    return [
        (min(old[0], new[0]), max(old[0], new[0])),
        (min(old[1], new[1]), max(old[1], new[1])),
    ]


def _nearest(text: str, words: str, at: int) -> int | None:
    """Where ``words`` occur in ``text`` nearest to offset ``at``; None when they do not."""
    if not words:
        return None
    before = text.rfind(words, 0, at + len(words))
    after = text.find(words, at)
    found = [i for i in (before, after) if i >= 0]
    return min(found, key=lambda i: abs(i - at)) if found else None


# --------------------------------------------------------------------------- prefill


def _quotations(text: str, lo: int, hi: int) -> list[Range]:
    """Inner spans of the quotations in ``text[lo:hi]``. A ‘ opens only after a space or
    punctuation and a ’ closes only before one, so apostrophes are not quotes."""
    found: list[Range] = []
    i = lo
    while i < hi:
        closer = _QUOTES.get(text[i])
        if closer is None or (text[i] == "‘" and i > lo and text[i - 1].isalnum()):
            i += 1
            continue
        j = i + 1
        while j < hi and not (
            text[j] == closer and (closer != "’" or j + 1 >= hi or not text[j + 1].isalnum())
        ):
            j += 1
        if j >= hi:
            i += 1
            continue
        found.append((i + 1, j))
        i = j + 1
    return found


def quoted_words(text: str, start: int, end: int) -> str | None:
    """The selected words when the selection lies inside one quotation of the article (the
    speaker's own words, as printed), else None. Quotation marks and trailing commas at the
    selection's edges do not count, so "v" on a quoted sentence and words picked inside
    the marks both qualify."""
    while start < end and text[start] in _QUOTE_EDGES:
        start += 1
    while end > start and text[end - 1] in _QUOTE_EDGES:
        end -= 1
    if start >= end:
        return None
    lo = text.rfind("\n\n", 0, start)
    lo = 0 if lo < 0 else lo + 2
    hi = text.find("\n\n", end)
    hi = len(text) if hi < 0 else hi
    for inner_start, inner_end in _quotations(text, lo, hi):
        if inner_start <= start and end <= inner_end:
            return text[start:end]
    return None


def selection_prefill(
    text: str,
    start: int,
    end: int,
    *,
    published: dt.date | None,
    resolver: ActorResolver,
) -> dict[str, Any]:
    """The editor's fields for a statement made of ``text[start:end]``, read as the
    extractor reads it when it stores suggestions (workbench.extract.suggest): the speaker
    only when the mention resolved to an actor, otherwise the mention as written goes into
    the attribution, never into the speaker field (where saving would make "the Office" a
    new actor); the quote flag when the selection is the speaker's own quoted words, or
    when the statement read there is a quote. Pure (no database): runs in a worker."""
    from workbench.extract.statements import extract_statements

    chosen = text[start:end].strip()
    quoted = quoted_words(text, start, end)
    prefill: dict[str, Any] = {
        "text": quoted if quoted is not None else chosen.strip("\"“”'‘’ "),
        "quote": quoted is not None,
        "_dirty": True,
    }
    found = [
        c
        for c in extract_statements(text, published=published, resolver=resolver)
        if c.start < end and start < c.end
    ]
    if not found:
        return prefill
    # the reading of what the selection is mostly on, one with a known speaker first:
    # not whichever a selection's first or last words merely touch
    best = max(
        found,
        key=lambda c: (min(end, c.end) - max(start, c.start), c.speaker_id is not None),
    )
    entry = resolver.actor(best.speaker_id) if best.speaker_id is not None else None
    prefill.update(
        speaker=entry.name if entry is not None else "",
        speaker_id=entry.id if entry is not None else None,
        # as a stored suggestion has it: the chain, or the unresolved mention as written
        attribution=best.attribution or (best.speaker_mention if entry is None else ""),
        said=best.date_text,
    )
    if best.kind != "speech":  # a belief or an intention, tagged as suggestions are
        prefill["tags"] = best.kind
    if quoted is None:
        prefill["quote"] = best.quote
        if best.quote:
            prefill["text"] = best.text
    return prefill


# --------------------------------------------------------------------------- the screen


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
        self.sentences: list[Range] = []
        self.spans: list[Span] = []
        self.cursor = 0  # index into sentences
        self.selection: Range | None = None  # (start, end) character offsets
        self.paragraphs: list[Paragraph] = []
        self._starts: list[int] = []  # the paragraphs' starts, for bisecting
        self._words_of: tuple[str, list[Range]] = ("", [])
        self._load_token = 0
        self._creating = False

    def compose(self) -> ComposeResult:
        yield Static("Loading…", id="reader-head", markup=False)
        yield VerticalScroll(id="reader-body")
        yield Static("", id="reader-status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.reload()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "reader-create" and event.state in (
            WorkerState.ERROR,
            WorkerState.CANCELLED,
        ):
            self._creating = False  # told by forward_failure; Enter works again
            self._status()
        forward_failure(self, event)

    # ------------------------------------------------------------------ loading

    def reload(self) -> None:
        """Read the article and its marks again (in a worker); the newest read wins."""
        self._load_token += 1
        token, text, sentences = self._load_token, self.text, self.sentences
        self.run_worker(
            lambda: self._load(token, text, sentences),
            thread=True,
            name="open the article",
            group="reader-load",
            exit_on_error=False,
        )

    def desk_changed(self, message: DeskChanged) -> None:
        """Someone committed (the app calls this on every open screen): read the marks
        again when statements, or this article, may have moved."""
        batch = message.batch
        articles = batch.ids_by_entity.get("article")
        if "statement" in batch.entities or (
            "article" in batch.entities and (articles is None or self.article_id in articles)
        ):
            self.reload()

    def _load(self, token: int, known_text: str, known_sentences: list[Range]) -> None:
        from workbench.extract.sentences import split_sentences

        article = self.repo.article_detail(self.article_id)
        if article is None:
            raise ValueError(f"article {self.article_id} is gone")
        marks = self.repo.evidence_marks(self.article_id)
        text = strip_controls(article.text)
        if text == known_text and known_sentences:
            sentences = known_sentences
        else:
            sentences = split_sentences(text) or ([(0, len(text))] if text else [])
        spans = [Span(*mark) for mark in marks if mark[3] != "dismissed"]
        self.app.call_from_thread(self._show, token, article, text, sentences, spans)

    def _show(
        self,
        token: int,
        article: ArticleDetail,
        text: str,
        sentences: list[Range],
        spans: list[Span],
    ) -> None:
        if token != self._load_token or not self.is_attached:
            return  # a newer read is on its way, or the reader was closed
        self.article = article
        head = Text(clean_line(article.title) or "(untitled)", style="bold")
        meta = [m for m in (article.outlet, article.byline, when(article.published_at)) if m]
        head.append("\n" + " · ".join(clean_line(m) for m in meta), style="dim")
        shown = self.query_one("#reader-head", Static)
        if shown.content != head:  # a new head means a layout pass: only when it changed
            shown.update(head)
        if text != self.text or not self.paragraphs:
            self._show_text(text, sentences, spans)
            return
        before = {(s.start, s.end, s.review) for s in self.spans}
        self.spans = spans
        after = {(s.start, s.end, s.review) for s in spans}
        self._restyle((s, e) for s, e, _r in before ^ after)

    def _show_text(self, text: str, sentences: list[Range], spans: list[Span]) -> None:
        """A first load, or the article's words changed: new paragraphs. The cursor stays on
        its sentence and a selection on its words, wherever the change moved them (the
        nearest occurrence); a selection whose words are gone is dropped: a statement must
        never get evidence its editor did not see."""
        first_load = not self.paragraphs
        at = self.current[0] if self.sentences else 0
        if self.sentences:
            moved = _nearest(text, self.text[slice(*self.current)], at)
            at = at if moved is None else moved
        if self.selection:
            start, end = self.selection
            moved = _nearest(text, self.text[start:end], start)
            self.selection = None if moved is None else (moved, moved + end - start)
        self.text, self.sentences, self.spans = text, sentences, spans
        starts = [s for s, _e in sentences]
        self.cursor = max(0, min(bisect_right(starts, at) - 1, len(sentences) - 1))
        body = self.query_one("#reader-body", VerticalScroll)
        body.remove_children()
        self.paragraphs = [
            Paragraph(s, e, self._paragraph_text(s, e)) for s, e in paragraph_spans(text)
        ]
        self._starts = [p.start for p in self.paragraphs]
        body.mount_all(self.paragraphs)
        self._status()
        if not first_load:
            self.call_after_refresh(self._scroll_to_cursor)

    # ------------------------------------------------------------------ drawing

    @property
    def current(self) -> Range:
        return self.sentences[self.cursor] if self.sentences else (0, 0)

    def _marks(self) -> tuple[Range | None, Range | None]:
        """(cursor sentence, selection): what a key may change."""
        return (self.current if self.sentences else None), self.selection

    def _restyle_since(self, before: tuple[Range | None, Range | None]) -> None:
        cursor, selection = self._marks()
        self._restyle([*_changed(before[0], cursor), *_changed(before[1], selection)])

    def _paragraphs_over(self, start: int, end: int) -> Iterable[Paragraph]:
        index = max(bisect_right(self._starts, start) - 1, 0)
        while index < len(self.paragraphs) and self.paragraphs[index].start < end:
            paragraph = self.paragraphs[index]
            if paragraph.end > start:
                yield paragraph
            index += 1

    def _restyle(self, ranges: Iterable[Range]) -> None:
        """Redraw only the paragraphs that the given character ranges touch."""
        touched: dict[int, Paragraph] = {}
        for start, end in ranges:
            if start < end:
                for paragraph in self._paragraphs_over(start, end):
                    touched[paragraph.start] = paragraph
        for paragraph in touched.values():
            paragraph.restyle(self._paragraph_text(paragraph.start, paragraph.end))
        self._status()

    def redraw(self) -> None:
        """Every paragraph (after a change of theme or anything not tracked by marks)."""
        self._restyle([(0, len(self.text))])

    def _paragraph_text(self, start: int, end: int) -> Text:
        text = Text(self.text[start:end])

        def mark(s: int, e: int, style: str) -> None:
            s, e = max(s, start), min(e, end)
            if s < e:
                text.stylize(style, s - start, e - start)

        if self.sentences:
            mark(*self.current, _CURSOR)
        for span in self.spans:
            if span.start < end and start < span.end:
                mark(span.start, span.end, _SUGGESTED if span.review == "suggested" else _ACCEPTED)
        if self.selection:
            mark(*self.selection, _SELECTION)
        return text

    def _status(self) -> None:
        # One line of fixed height: no layout pass (with a long article's hundreds of
        # paragraphs, a layout per key would cost more than the key itself).
        self.query_one("#reader-status", Static).update(self._status_line(), layout=False)

    def _status_line(self) -> str:
        if self._creating:
            return "Reading the selection for its speaker, date and quote…"
        if self.selection:
            words = len(self.text[self.selection[0] : self.selection[1]].split())
            return (
                f"Selected {words} words: w/b end by word, j/k by sentence, "
                "H/L start; Enter makes a statement, esc cancels."
            )
        where = f"Sentence {self.cursor + 1}/{len(self.sentences)}"
        under = self._span_here()
        if under is None:
            return f"{where} · v select · Enter statement from this sentence · x suggest"
        state = (
            "suggested (a accept, d dismiss, e edit)"
            if under.review == "suggested"
            else under.review
        )
        return f"{where} · statement #{under.statement_id}, {state}"

    def _scroll_to(self, start: int, end: int) -> None:
        """Scroll the least needed to show the lines holding ``text[start:end]`` (its first
        line when it is taller than the view)."""
        paragraph = next(iter(self._paragraphs_over(start, max(end, start + 1))), None)
        if paragraph is None:
            return
        width = paragraph.content_size.width
        top = paragraph.virtual_region
        if width <= 0 or not top.height:
            return  # not laid out yet
        s, e = max(start, paragraph.start), min(max(end, start + 1), paragraph.end)
        marked = Content(self.text[paragraph.start : paragraph.end]).stylize(
            "bold", s - paragraph.start, e - paragraph.start
        )
        lines = [n for n, line in enumerate(marked.wrap(width)) if line.spans]
        first, last = (lines[0], lines[-1]) if lines else (0, 0)
        self.query_one("#reader-body", VerticalScroll).scroll_to_region(
            Region(top.x, top.y + first, width, last - first + 1), animate=False
        )

    def _scroll_to_cursor(self) -> None:
        if self.selection:
            end = self.selection[1]
            self._scroll_to(max(end - 1, self.selection[0]), end)  # the end that moves
        elif self.sentences:
            self._scroll_to(*self.current)

    # ------------------------------------------------------------------ moving

    def action_move(self, step: int) -> None:
        if not self.sentences:
            return
        before = self._marks()
        if self.selection:  # in a selection, j/k move its end by a sentence
            self._extend_sentence(step)
        else:
            self.cursor = max(0, min(self.cursor + step, len(self.sentences) - 1))
        self._restyle_since(before)
        self._scroll_to_cursor()

    def action_select(self) -> None:
        before = self._marks()
        self.selection = None if self.selection else self.current
        self._restyle_since(before)

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

    def _words(self) -> list[Range]:
        """The article's words, split once per text (not once per key)."""
        from workbench.extract.sentences import word_spans

        if self._words_of[0] is not self.text:
            self._words_of = (self.text, word_spans(self.text, 0, len(self.text)))
        return self._words_of[1]

    def action_extend_word(self, step: int) -> None:
        if not self.selection:
            return
        before = self._marks()
        start, end = self.selection
        self.selection = (start, self._step([e for _s, e in self._words() if e > start], end, step))
        self._restyle_since(before)
        self._scroll_to_cursor()

    def action_move_start(self, step: int) -> None:
        if not self.selection:
            return
        before = self._marks()
        start, end = self.selection
        self.selection = (self._step([s for s, _e in self._words() if s < end], start, step), end)
        self._restyle_since(before)
        self._scroll_to(self.selection[0], self.selection[0] + 1)

    def action_back(self) -> None:
        if self.selection:
            before = self._marks()
            self.selection = None
            self._restyle_since(before)
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
        extractor when it recognises a speaker, a date or a quote there. The extractor
        reads the whole article (a speaker named sentences earlier), so it runs in a
        worker and the editor opens when it is done; keys keep working meanwhile."""
        if not self.sentences or self.article is None or self._creating:
            return
        start, end = self.selection or self.current
        published = self.article.published_at.date() if self.article.published_at else None
        before = self._marks()
        self.selection = None
        self._creating = True
        self._restyle_since(before)
        self._status()
        self._read_selection(self.text, start, end, published)

    @work(thread=True, group="reader-create", name="read the selection", exit_on_error=False)
    def _read_selection(self, text: str, start: int, end: int, published: dt.date | None) -> None:
        from workbench.extract.suggest import resolver_for

        prefill = selection_prefill(
            text, start, end, published=published, resolver=resolver_for(self.repo)
        )
        self.app.call_from_thread(self._created, (start, end), prefill)

    def _created(self, evidence: Range, prefill: dict[str, Any]) -> None:
        self._creating = False
        if not self.is_attached:
            return  # the reader was closed meanwhile
        self._status()
        if self.app.screen is not self:
            return  # something else is in front now; the editor would steal its keys
        self._open_editor(evidence=evidence, prefill=prefill)

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
        """Accept or dismiss the suggestion under the cursor, as this reader shows it: if
        someone decided on it (or a new pass replaced it) since, nothing is overwritten;
        the reader says who and shows it as it is now."""
        span = self._span_here()
        if span is None or span.review != "suggested":
            self.notify("No suggestion on this sentence.", title="Reader", markup=False)
            return
        review_as_seen(
            self,
            self.repo,
            "statement",
            span.statement_id,
            span.version,
            decision,
            title="Reader",
            refresh=self.reload,
        )

    def action_suggest(self) -> None:
        def suggest() -> None:
            from workbench.extract.suggest import suggest_for_article

            count = suggest_for_article(self.repo, self.article_id)
            self.app.call_from_thread(
                self.notify, f"{count} suggestions.", title="Reader", markup=False
            )
            self.app.call_from_thread(self.reload)

        self.run_worker(suggest, thread=True, name="suggest statements", exit_on_error=False)
