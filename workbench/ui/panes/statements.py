"""Statements: who said what, when; the lower half shows evidence and links both ways."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.reactive import reactive
from textual.widget import Widget

from db.rows import PagedView, StatementRow
from workbench.dates import format_short
from workbench.text import clean_line
from workbench.ui.panes.base import Pane
from workbench.ui.render import REVIEW_MARK, VERIFICATION_STYLE, fit
from workbench.ui.virtual_list import VirtualList

if TYPE_CHECKING:
    from db.repo import Repo
    from db.views import VersionedStatementRow


def review_as_seen(
    node: Widget,
    repo: Repo,
    entity: str,
    entity_id: int,
    version: int,
    decision: str,
    *,
    title: str,
    refresh: Callable[[], None],
) -> None:
    """Accept or dismiss a suggestion as the editor saw it (at ``version``), off the UI
    thread. If someone changed it since (a colleague accepted it, a new pass replaced it),
    nothing is written: the editor is told who, and ``refresh`` shows the row as it is
    now. Shared by the reader and the Statements, Positions and Timeline panes (``a``/``d``
    everywhere), so every review key checks the same way."""
    verb = "accept" if decision == "accepted" else "dismiss"

    def decide() -> None:
        from db.repo import ConflictError

        try:
            repo.review(entity, entity_id, decision, expected_version=version)
        except ConflictError as exc:
            node.app.call_from_thread(
                _told_stale, node, stale_message(exc, entity, repo.editor), title
            )
        node.app.call_from_thread(refresh)

    node.run_worker(
        decide, thread=True, group="write", name=f"{verb} the {entity}", exit_on_error=False
    )


def stale_message(exc: Exception, entity: str, editor: str) -> str:
    """ "maria changed this statement since you opened it (it is now accepted) — refreshed." """
    from db.repo_ingest import ReviewConflict

    who = exc.changed_by if isinstance(exc, ReviewConflict) else None
    if who == editor:
        who = "You (in another session)"
    theirs = getattr(exc, "theirs", None)
    if getattr(theirs, "deleted_at", None) is not None:
        now = "it is gone: replaced or deleted"
    else:
        now = f"it is now {getattr(theirs, 'review', 'different')}"
    return f"{who or 'Someone else'} changed this {entity} since you opened it ({now}) — refreshed."


def _told_stale(node: Widget, message: str, title: str) -> None:
    node.notify(message, title=title, severity="warning", markup=False)


class StatementList(VirtualList):
    empty_text = "No statements yet."

    def render_row(self, row: StatementRow, width: int, selected: bool, index: int) -> Text:
        text = Text()
        text.append(
            REVIEW_MARK.get(row.review, " "), style="reverse" if row.review != "accepted" else ""
        )
        if row.orphaned:  # its evidence was lost when the article changed
            text.append("⚠", style="bold red")
        elif row.score is not None and row.review == "suggested":
            text.append("▮" if row.score >= 0.5 else "▯", style="yellow")  # worth checking
        else:
            text.append(" ")
        text.append(f"{format_short(row.said_on, row.said_until, row.precision):<12} ", style="dim")
        text.append(fit(row.speaker or "unnamed", 16) + " ", style="bold")
        if width >= 110:  # room for the outlet that reported it
            text.append(fit(row.outlet or "—", 14) + " ", style="magenta")
        status = f" {row.verification}"
        body = clean_line(row.text)
        text.append(f"“{body}”" if row.quote else body)
        text.truncate(max(width - len(status), 0), overflow="ellipsis", pad=True)
        text.append(status, style=VERIFICATION_STYLE.get(row.verification, ""))
        return text


class StatementsPane(Pane):
    PANE_ID = "statements"
    TITLE = "Statements"
    NUMBER = 2
    WATCHES = frozenset({"statement", "link", "actor", "article", "issue"})

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "review('accepted')", "Accept", id="statements.accept"),
        Binding("d", "review('dismissed')", "Dismiss", id="statements.dismiss"),
        Binding("e", "edit", "Edit", id="statements.edit"),
        Binding("n", "new", "New", id="statements.new"),
        Binding("f", "cycle_filter", "Filter", id="statements.filter"),
        Binding("A", "actors", "Actors", show=False, id="statements.actors"),
        Binding("l", "link", "Link", show=False, id="statements.link"),
        Binding("L", "link_review", "Suggested links", show=False, id="statements.link-review"),
    ]

    state: reactive[str] = reactive("all")
    """Which statements show: all, suggested (by check-worthiness), accepted, orphaned…"""

    def action_review(self, decision: str) -> None:
        row: VersionedStatementRow | None = self.list.current
        if row is None:
            return
        if row.review != "suggested":
            self.notify("This statement is not a suggestion.", title=self.TITLE, markup=False)
            return
        review_as_seen(
            self,
            self.repo,
            "statement",
            row.id,
            row.version,
            decision,
            title=self.TITLE,
            refresh=self._refresh_after_review,
        )

    def _refresh_after_review(self) -> None:
        """The list and the detail as stored now (after a review, or a refused one)."""
        self.list.reload()
        row = self.list.current
        if row is not None:
            self.show_detail(row, same_row=True)

    def action_edit(self) -> None:
        row: StatementRow | None = self.list.current
        if row is not None:
            self.app.open_editor(statement_id=row.id)  # type: ignore[attr-defined]

    def action_new(self) -> None:
        self.app.open_editor()  # type: ignore[attr-defined]

    def action_actors(self) -> None:
        from workbench.ui.desk_screens import ActorsScreen

        self.app.push_screen(ActorsScreen(self.repo))

    def action_cycle_filter(self) -> None:
        from db.views import STATEMENT_FILTERS

        index = STATEMENT_FILTERS.index(self.state)
        self.state = STATEMENT_FILTERS[(index + 1) % len(STATEMENT_FILTERS)]

    def watch_state(self, state: str) -> None:
        labels = {
            "all": "",
            "suggested": " · suggestions, most worth checking first",
            "accepted": " · accepted",
            "orphaned": " · evidence lost when the article changed",
            "dismissed": " · dismissed",
        }
        self.border_title = f"{self.NUMBER} {self.TITLE}{labels[state]}"
        if self.is_mounted and self._repo is not None:
            self.load_view()

    DETAIL_HINT = "Highlight a statement to see its evidence and links."

    def make_list(self) -> VirtualList:
        return StatementList(id="statements-list")

    def make_view(self) -> PagedView:
        from db.views import statements_view

        return statements_view(self.repo.engine, state=self.state)

    def detail_loader(self, row: StatementRow) -> Callable[[], Text] | None:
        return self.statement_loader(row.id)

    def show_statement(self, statement_id: int) -> None:
        self.list.goto_key((statement_id,))

    # ---------------------------------------------------------------- links

    def action_link(self) -> None:
        """``l``: link the highlighted statement to another (from the list or its detail)."""
        from workbench.ui.links import LinkPicker

        row: StatementRow | None = self.list.current
        if row is not None:
            self.app.push_screen(LinkPicker(self.repo, row.id), lambda _other: self._links_done())

    def action_link_review(self) -> None:
        """``L``: the links the desk suggested, to accept or dismiss."""
        from workbench.ui.links import LinkReviewScreen

        self.app.push_screen(LinkReviewScreen(self.repo), self._links_done)

    def _links_done(self, jump_to: int | None = None) -> None:
        """Back from linking: show links and verifications as stored now (a session
        without the live feed would otherwise show them stale), or go to the statement
        the review list was left on."""
        if jump_to is not None and jump_to != getattr(self.list.current, "id", None):
            self.show_statement(jump_to)
            self.focus_list()
            return
        self.list.reload()
        row = self.list.current
        if row is not None:
            self.show_detail(row, same_row=True)
