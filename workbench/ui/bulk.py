"""Marks and bulk actions: ``space`` marks rows in any pane, ``b`` acts on all of them.

An editor clearing a morning's suggestions or building the night desk's set marks twenty
rows and acts once: set a verification, tag, assign, dismiss, or add them to a collection.
With nothing marked, the action applies to the highlighted row, so ``b`` is also the
quickest way to put one item in a collection. ``+`` goes straight to the collection
picker. "Everything in this filter" adds every row the pane's current filter shows (e.g.
the timeline filtered to one issue, verified statements, since a date).

The choosing happens here, on screens that only say what was chosen; the writing is one
repository call per action in a thread worker (``run_bulk``), one transaction for the
whole selection, so it lands whole or not at all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.events import Key
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from workbench.text import clean_line

if TYPE_CHECKING:
    from db.repo import Repo

#: Verdicts offered by "Set verification…", in the statement editor's order.
VERIFICATIONS = (
    "unverified",
    "verified",
    "disputed",
    "false",
    "misleading",
    "retracted",
)
#: How many rows of a filter "Everything in this filter" reads per query.
FILTER_PAGE = 1000


@dataclass(frozen=True)
class BulkAction:
    id: str
    label: str
    #: the kinds of row it applies to; marked rows of other kinds are left alone (and the
    #: message says how many)
    kinds: frozenset[str]
    #: what it asks for first: "verification", "tag", "assignee", "collection" or nothing
    ask: str | None = None


_STATEMENTLIKE = frozenset({"statement", "position", "event", "article"})

ACTIONS: tuple[BulkAction, ...] = (
    BulkAction("collect", "Add to a collection…", _STATEMENTLIKE, "collection"),
    BulkAction("verification", "Set verification…", frozenset({"statement"}), "verification"),
    BulkAction("tag", "Tag…", frozenset({"statement", "article"}), "tag"),
    BulkAction("untag", "Remove a tag…", frozenset({"statement", "article"}), "tag"),
    BulkAction("assign-me", "Assign to me", frozenset({"article"})),
    BulkAction("assign", "Assign to…", frozenset({"article"}), "assignee"),
    BulkAction("relevant", "Triage: relevant", frozenset({"article"})),
    BulkAction("needs-check", "Triage: needs check", frozenset({"article"})),
    BulkAction("accept", "Accept", frozenset({"statement", "position", "event"})),
    BulkAction("dismiss", "Dismiss", _STATEMENTLIKE),
)
#: Offered by panes whose filter lists collectable rows (Statements, Timeline).
FROM_FILTER = BulkAction(
    "collect-filter", "Everything in this filter → a collection…", _STATEMENTLIKE, "collection"
)

_PLURAL = {
    "statement": "statements",
    "position": "positions",
    "event": "events",
    "article": "articles",
}

_BOX_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 64; max-width: 90%; height: auto; max-height: 80%;
    border: round $accent; border-title-style: bold; background: $surface; padding: 0 1;
}}
{name} OptionList {{ height: auto; max-height: 20; border: none; }}
{name} .hint {{ color: $text-muted; height: auto; }}
{name} .error {{ color: $error; height: auto; }}
"""


def describe(selection: Sequence[tuple[str, int]]) -> str:
    """``3 statements, 1 event``: what a bulk action is about to touch."""
    counts = Counter(kind for kind, _id in selection)
    parts = []
    for kind, n in counts.items():
        parts.append(f"{n} {kind if n == 1 else _PLURAL.get(kind, kind + 's')}")
    return ", ".join(parts) or "nothing"


def applicable(selection: Sequence[tuple[str, int]], *, from_filter: bool) -> list[BulkAction]:
    kinds = {kind for kind, _id in selection}
    found = [a for a in ACTIONS if a.kinds & kinds]
    if from_filter:
        found.append(FROM_FILTER)
    return found


class BulkMenu(ModalScreen["BulkAction | None"]):
    """``b``: what to do with the marked rows (or the highlighted one)."""

    DEFAULT_CSS = _BOX_CSS.format(name="BulkMenu")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="bulk.cancel"),
    ]

    def __init__(self, about: str, actions: Sequence[BulkAction], marked: bool) -> None:
        super().__init__()
        self.about = about
        self.actions = list(actions)
        self.marked = marked

    def compose(self) -> ComposeResult:
        box = Vertical()
        what = "marked" if self.marked else "highlighted"
        box.border_title = Text(f"{self.about} {what}")
        box.border_subtitle = "Enter choose · Esc cancel"
        with box:
            yield OptionList(*(Option(a.label, id=a.id) for a in self.actions))
            if not self.marked:
                yield Static("space marks rows; u clears the marks", classes="hint")

    def on_mount(self) -> None:
        self.set_focus(self.query_one(OptionList))

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(next(a for a in self.actions if a.id == event.option.id))


class PickScreen(ModalScreen["str | None"]):
    """Choose one of ``choices`` by typing part of it or moving to it; with ``allow_new``,
    Enter on typed text that matches none makes it the answer (a new collection, a new
    tag). Dismisses with the chosen text, or None on Esc."""

    DEFAULT_CSS = _BOX_CSS.format(name="PickScreen")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="pick.cancel"),
    ]

    def __init__(
        self,
        title: str,
        choices: Sequence[str],
        *,
        allow_new: bool = False,
        hint: str = "",
        value: str = "",
    ) -> None:
        super().__init__()
        self.title_text = title
        self.choices = [c for c in dict.fromkeys(choices) if c]
        self.allow_new = allow_new
        self.hint = hint
        self.value = value

    def compose(self) -> ComposeResult:
        box = Vertical()
        box.border_title = Text(self.title_text)
        box.border_subtitle = "type to narrow · ↓ to the list · Enter choose · Esc cancel"
        with box:
            yield Input(self.value, placeholder="type a name" if self.allow_new else "filter")
            yield OptionList()
            yield Static(self.hint, classes="hint", markup=False)
            yield Static("", classes="error", markup=False)

    def on_mount(self) -> None:
        self._fill(self.value)
        self.set_focus(self.query_one(Input))

    def _matches(self, typed: str) -> list[str]:
        words = typed.casefold().split()
        return [c for c in self.choices if all(w in c.casefold() for w in words)]

    def _fill(self, typed: str) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        matches = self._matches(typed)
        typed = " ".join(typed.split())
        exact = any(m.casefold() == typed.casefold() for m in matches)
        if self.allow_new and typed and not exact:
            options.add_option(Option(Text(f"+ new: {clean_line(typed)}"), id="__new__"))
        for n, choice in enumerate(matches):
            options.add_option(Option(Text(clean_line(choice)), id=f"c{n}"))
        self._shown = matches
        if options.option_count:
            options.highlighted = 0

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted)
    def _enter(self, event: Input.Submitted) -> None:
        event.stop()
        options = self.query_one(OptionList)
        if options.highlighted is None:
            self.query_one(".error", Static).update("Nothing matches; Esc cancels.")
            return
        self._choose(options.get_option_at_index(options.highlighted).id)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._choose(event.option.id)

    def _choose(self, option_id: str | None) -> None:
        if option_id == "__new__":
            self.dismiss(" ".join(self.query_one(Input).value.split()))
        elif option_id is not None:
            self.dismiss(self._shown[int(option_id[1:])])

    def on_key(self, event: Key) -> None:
        """↓ from the typing moves into the list, as in the actors screen."""
        if event.key == "down" and isinstance(self.focused, Input):
            event.stop()
            self.set_focus(self.query_one(OptionList))


# --------------------------------------------------------------------------- doing it


def ask_for(
    screen_owner: Any, repo: Repo, action: BulkAction, done: Callable[[str | None], None]
) -> None:
    """Ask what ``action`` needs (a verdict, a tag, a collection), then call ``done``
    with the answer; an action that needs nothing is done at once."""
    app = screen_owner.app
    if action.ask is None:
        done("")
        return

    def answered(value: str | None) -> None:
        if value:
            done(value)

    if action.ask == "verification":
        app.push_screen(PickScreen("Set verification to…", VERIFICATIONS), answered)
    elif action.ask == "tag":
        app.push_screen(
            PickScreen(
                "Remove the tag…" if action.id == "untag" else "Tag with…",
                [],
                allow_new=True,
                hint="one tag; letters, digits, spaces",
            ),
            answered,
        )
    elif action.ask == "assignee":
        app.push_screen(PickScreen("Assign to…", [repo.editor], allow_new=True), answered)
    elif action.ask == "collection":

        def pick(names: list[str]) -> None:
            app.push_screen(
                PickScreen(
                    "Add to collection…",
                    names,
                    allow_new=True,
                    hint="a new name makes a new collection",
                ),
                answered,
            )

        def load() -> None:
            names = [c.name for c in repo.collections()]
            app.call_from_thread(pick, names)

        screen_owner.run_worker(load, thread=True, name="list the collections", exit_on_error=False)


def run_bulk(
    repo: Repo,
    action: BulkAction,
    value: str,
    selection: Sequence[tuple[str, int]],
    filter_rows: Callable[[], list[tuple[str, int]]] | None = None,
) -> str:
    """Do ``action`` on ``selection`` (or, for "everything in this filter", on what
    ``filter_rows`` reads); returns what an editor is told. Runs in a worker thread."""
    by_kind: dict[str, list[int]] = {}
    for kind, item_id in selection:
        by_kind.setdefault(kind, []).append(item_id)
    skipped = sum(len(ids) for kind, ids in by_kind.items() if kind not in action.kinds)

    def tail() -> str:
        return f" ({skipped} not applicable, left alone)" if skipped else ""

    if action.id in ("collect", "collect-filter"):
        if action.id == "collect-filter":
            assert filter_rows is not None
            items = filter_rows()
        else:
            items = []
            for kind, item_id in selection:
                if kind == "article":  # an article goes in as the statements it carries
                    items += [("statement", s) for s in repo.article_statement_ids([item_id])]
                else:
                    items.append((kind, item_id))
        collection = repo.ensure_collection(value)
        added = repo.add_items(int(collection.id), items)  # type: ignore[arg-type]
        present = len(dict.fromkeys(items)) - added
        said = f"Added {added} to “{clean_line(collection.name)}”"
        if present:
            said += f"; {present} already in it"
        return said + "." + tail()
    changed = 0
    with repo.batch():  # one transaction: the whole selection or nothing
        for kind, ids in by_kind.items():
            if kind not in action.kinds:
                continue
            if action.id == "verification":
                changed += repo.bulk_update(kind, ids, verification=value)
            elif action.id in ("tag", "untag"):
                changed += repo.bulk_tag(kind, ids, value, remove=action.id == "untag")
            elif action.id == "assign-me":
                changed += repo.bulk_update(kind, ids, assignee=repo.editor)
            elif action.id == "assign":
                changed += repo.bulk_update(kind, ids, assignee=value)
            elif action.id == "relevant":
                changed += repo.bulk_update(kind, ids, triage="relevant")
            elif action.id == "needs-check":
                changed += repo.bulk_update(kind, ids, triage="needs_check")
            elif action.id == "accept":
                changed += repo.bulk_update(kind, ids, review="accepted")
            elif action.id == "dismiss":
                changed += repo.bulk_dismiss(kind, ids)
    label = action.label.rstrip("…")
    if action.ask and value:
        label = f"{label} {clean_line(value)}"
    return f"{label}: {changed} changed." + tail()


def rows_of_view(view: Any, identity: Callable[[Any], tuple[str, int] | None]) -> list[Any]:
    """Every row a pane's view lists, read a page at a time by key (never all at once
    from the database, never by OFFSET)."""
    found: list[tuple[str, int]] = []
    after = None
    while True:
        page = (
            view.page(after=after, limit=FILTER_PAGE)
            if after is not None
            else view.page(limit=FILTER_PAGE)
        )
        for row in page:
            key = identity(row)
            if key is not None:
                found.append(key)
        if len(page) < FILTER_PAGE:
            return found
        after = page[-1].key
