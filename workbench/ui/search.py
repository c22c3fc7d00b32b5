"""The search screen (``/`` anywhere): full-text search over articles and statements.

Results follow the typing: each change waits a moment for the next key (so a fast typist
runs one search, not six) and then runs in a thread worker, since a common word can touch
thousands of rows. A half-typed query is often malformed (an open quote, a trailing AND);
its message shows in the status line while the last good results stay, so the list never
blinks empty mid-word. Enter hands the chosen hit back to the app, which shows it where it
lives: a statement in the Statements pane, an article in the reader.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.events import Key
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker

from workbench.text import strip_controls
from workbench.ui.messages import forward_failure

if TYPE_CHECKING:
    from db.repo import Repo
    from db.search import Hit, Query, Results

#: Seconds to wait after a key before searching: long enough to cover a word typed at speed.
DEBOUNCE = 0.15
#: Hits listed; the best of them, statements and articles together.
LIMIT = 100
#: How a matched word looks (on top of the row's own style).
MARK_STYLE = "bold black on yellow"
KIND_MARK = {"statement": ("◆", "cyan"), "article": ("▤", "magenta")}

_SPACE = re.compile(r"\s+")


def _clean(value: str) -> str:
    """One line of outside text: controls gone, any run of whitespace one space."""
    return _SPACE.sub(" ", strip_controls(value))


def marked(
    value: str, marks: Iterable[tuple[int, int]], style: str = MARK_STYLE, base: str = ""
) -> Text:
    """``value`` as one line of ``Text`` with the ``marks`` spans styled. Built piece by
    piece (never markup, never stylized after cleaning), so the marks stay on the matched
    words even where cleaning shortens the text around them."""
    out = Text(style=base)
    pos = 0
    for start, end in sorted(marks):
        start = max(start, pos)
        if end <= start:
            continue  # overlaps one already drawn
        out.append(_clean(value[pos:start]))
        out.append(_clean(value[start:end]), style=style)
        pos = end
    out.append(_clean(value[pos:]))
    return out


def _matches(value: str, patterns: Sequence[re.Pattern[str]]) -> list[tuple[int, int]]:
    """Where the query's words are in ``value`` (folding keeps offsets: one char for one)."""
    from db.search import fold

    folded = fold(value)
    return [
        (m.start(), m.end()) for p in patterns for m in p.finditer(folded) if m.end() > m.start()
    ]


def hit_text(hit: Hit, patterns: Sequence[re.Pattern[str]]) -> Text:
    """Two lines: what it is (kind, date, outlet, speaker or title), then the words that
    matched in context."""
    mark, colour = KIND_MARK.get(hit.kind, ("·", ""))
    out = Text()
    out.append(f"{mark} ", style=f"bold {colour}")
    out.append(hit.when.strftime("%d %b %Y") if hit.when else "undated    ", style="dim")
    out.append("  ")
    if hit.outlet:
        out.append(_clean(hit.outlet), style="magenta")
        out.append("  ")
    if hit.kind == "article":
        out.append_text(marked(hit.title, _matches(hit.title, patterns), base="bold"))
    else:
        out.append(_clean(hit.speaker) or "unnamed", style="bold")
        # a superseded or dismissed statement must never pass for a live claim
        standing = [v for v in (hit.verification, hit.review) if v not in STANDING_QUIET]
        if standing:
            out.append(f"  [{', '.join(standing)}]", style="italic yellow")
    out.append("\n  ")
    out.append_text(marked(hit.snippet, hit.marks))
    return out


#: Standings not worth a word on a hit: the ordinary ones.
STANDING_QUIET = frozenset({"", "unverified", "accepted"})


def window_note(results: Results) -> str:
    """Say so when ranking covered only the newest hits of a kind."""
    from db.search import WINDOW

    parts = [
        f"the newest {WINDOW[kind]:,} {kind}s"
        for kind in ("statement", "article")
        if results.windowed.get(kind)
    ]
    if not parts:
        return ""
    return (
        f"Ranked only {' and '.join(parts)} that match; older matches are not listed: "
        "add a word to narrow the search."
    )


def route_key(
    screen: Screen[object], event: Key, box: Input, options: OptionList, rows: bool
) -> None:
    """Keys between a type-to-filter box and its list: ↓ from the box into the list, ↑ from
    the list's first row back up. A printable key that reaches the screen belongs in the
    box: typed in the list, or typed ahead right after the key that opened the screen,
    before the box had focus (left alone, an early ``q`` would quit the app)."""
    if screen.focused is box and event.key == "down" and rows:
        screen.set_focus(options)
        event.stop()
    elif screen.focused is options and event.key == "up" and options.highlighted in (0, None):
        screen.set_focus(box)
        event.stop()
    elif event.is_printable and event.character:
        screen.set_focus(box)
        box.insert_text_at_cursor(event.character)
        event.stop()


class SearchScreen(ModalScreen["tuple[str, int] | None"]):
    """Type to search; Enter returns ``(kind, id)`` of the chosen hit, Esc returns None."""

    DEFAULT_CSS = """
    SearchScreen { align: center middle; }
    SearchScreen > Vertical {
        width: 96%; max-width: 130; height: 92%;
        border: round $accent; border-title-style: bold; background: $surface; padding: 0 1;
    }
    SearchScreen #search-status { height: 1; color: $text-muted; }
    SearchScreen #search-status.-error { color: $error; text-style: bold; }
    SearchScreen #search-note { height: auto; color: $warning; display: none; }
    SearchScreen #search-note.-shown { display: block; }
    SearchScreen #search-results { height: 1fr; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="search.close"),
    ]

    class Found(Message, bubble=False):
        def __init__(self, token: int, results: Results) -> None:
            super().__init__()
            self.token = token
            self.results = results

    class Failed(Message, bubble=False):
        def __init__(self, token: int, reason: str) -> None:
            super().__init__()
            self.token = token
            self.reason = reason

    def __init__(self, repo: Repo) -> None:
        super().__init__()
        self.repo = repo
        self.hits: list[Hit] = []
        #: Bumped for every search started; results of an older one are dropped.
        self._token = 0
        self._timer: Timer | None = None
        self.searches = 0  # completed searches, for tests
        self._answered = 0  # the token of the last search answered (results or a message)
        #: Enter came before the results for the words in the box: open the first hit of
        #: the search with this token when it answers (never one for older words).
        self._open_on: int | None = None

    def compose(self) -> ComposeResult:
        box = Vertical()
        box.border_title = 'Search — words, "a phrase", prefix*, AND OR NOT, -word'
        box.border_subtitle = "↓ results · Enter opens · Esc closes"
        with box:
            yield Input(placeholder="search articles and statements", id="search-input")
            yield Static("Type to search.", id="search-status", markup=False)
            yield Static("", id="search-note", markup=False)
            yield OptionList(id="search-results")

    def on_mount(self) -> None:
        # At once: keys typed right after "/" must land in the search box.
        self.set_focus(self.query_one(Input))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        forward_failure(self, event)

    # ------------------------------------------------------------------ typing

    @on(Input.Changed, "#search-input")
    def _typed(self, event: Input.Changed) -> None:
        self._open_on = None  # an Enter typed before these words was for other words
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DEBOUNCE, self._run_search)

    def _run_search(self) -> None:
        from db.search import QueryError, parse_query

        self._timer = None
        typed = self.query_one(Input).value
        self._token += 1
        if not typed.strip():
            self._show_hits([], None)
            self._status("Type to search.")
            self._answered = self._token
            return
        try:
            query = parse_query(typed)
        except QueryError as exc:
            self._status(str(exc), error=True)  # the last good results stay
            self._answered = self._token
            return
        token = self._token
        self._status("Searching…")
        self.run_worker(
            lambda: self._search(token, query),
            thread=True,
            exclusive=True,
            group="search",
            name="search",
            exit_on_error=False,
        )

    def _search(self, token: int, query: Query) -> None:
        from db.search import QueryError, search

        try:
            with self.repo.read() as session:
                results = search(session.connection(), query, limit=LIMIT)
        except QueryError as exc:
            self.post_message(self.Failed(token, str(exc)))
            return
        self.post_message(self.Found(token, results))

    def on_search_screen_found(self, message: Found) -> None:
        if message.token != self._token:
            return  # the editor typed on since
        opening, self._open_on = self._open_on == message.token, None
        results = message.results
        patterns = [re.compile(term.pattern()) for term in results.query.terms]
        self._show_hits(results.hits, patterns)
        count = len(results.hits)
        if not count:
            self._status(f"No hits for {_clean(results.query.text)}.")
        else:
            more = f" (the best {LIMIT})" if count >= LIMIT else ""
            noun = "hit" if count == 1 else "hits"
            self._status(f"{count} {noun}{more}, best first.")
        note = self.query_one("#search-note", Static)
        text = window_note(results)
        note.update(text)
        note.set_class(bool(text), "-shown")
        self.searches += 1
        self._answered = message.token
        if opening:
            self._open(0)

    def on_search_screen_failed(self, message: Failed) -> None:
        if message.token == self._token:
            self._open_on = None
            self._status(message.reason, error=True)
            self.searches += 1
            self._answered = message.token

    def _show_hits(self, hits: list[Hit], patterns: list[re.Pattern[str]] | None) -> None:
        self.hits = hits
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(
            Option(hit_text(hit, patterns or []), id=f"{hit.kind}:{hit.id}") for hit in hits
        )
        if hits:
            options.highlighted = 0
        if not hits:
            note = self.query_one("#search-note", Static)
            note.update("")
            note.remove_class("-shown")

    def _status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#search-status", Static)
        status.update(Text(text))
        status.set_class(error, "-error")

    @property
    def settled(self) -> bool:
        """Nothing typed is waiting: the list and status answer what the box says."""
        return self._timer is None and self._answered == self._token

    @property
    def status(self) -> str:
        """What the status line says (for tests)."""
        return str(self.query_one("#search-status", Static).content)

    # ------------------------------------------------------------------ moving & choosing

    def on_key(self, event: Key) -> None:
        route_key(self, event, self.query_one(Input), self.query_one(OptionList), bool(self.hits))

    @on(Input.Submitted, "#search-input")
    def _submitted(self) -> None:
        """Enter in the box opens the highlighted (at first, the best) hit."""
        if not self._enter_settles():
            self._open(self.query_one(OptionList).highlighted)

    @on(OptionList.OptionSelected, "#search-results")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if not self._enter_settles():
            self._open(event.option_index)

    def _enter_settles(self) -> bool:
        """Enter typed before the list answers the box (the pause after a key has not run
        out, or the search is still running): the list shows hits for older words, so
        search the words in the box now and open their best hit when it comes. Returns
        whether it did (False: the list is current, open from it)."""
        if self.settled:
            return False
        if self._timer is not None:  # the pause: search now rather than wait it out
            self._timer.stop()
            self._run_search()
        if not self.settled:  # an empty box or a malformed query answer at once
            self._open_on = self._token
        return True

    def _open(self, index: int | None) -> None:
        if index is None or not 0 <= index < len(self.hits):
            return
        hit = self.hits[index]
        self.dismiss((hit.kind, hit.id))

    def action_close(self) -> None:
        self.dismiss(None)


__all__ = ["SearchScreen", "hit_text", "marked", "route_key", "window_note"]
