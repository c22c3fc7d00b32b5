"""Statements: who said what, when; the lower half shows evidence and links both ways."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.binding import Binding, BindingType
from textual.reactive import reactive
from textual.widget import Widget

from db.rows import PagedView, StatementRow
from workbench.dates import format_short
from workbench.text import clean_line
from workbench.ui.panes.base import Pane
from workbench.ui.presence import row_presence
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
        here = row_presence(self, row)  # ✎maria / ·bo: a colleague is at this statement
        text.truncate(max(width - len(status) - here.cell_len, 0), overflow="ellipsis", pad=True)
        text.append_text(here)
        text.append(status, style=VERIFICATION_STYLE.get(row.verification, ""))
        return text


class StatementsPane(Pane):
    PANE_ID = "statements"
    TITLE = "Statements"
    NUMBER = 2
    WATCHES = frozenset({"statement", "link", "actor", "article", "issue"})
    PRESENCE_ENTITIES = frozenset({"statement"})
    COLLECTS_FILTER = True

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "review('accepted')", "Accept", id="statements.accept"),
        Binding("d", "review('dismissed')", "Dismiss", id="statements.dismiss"),
        Binding("e", "edit", "Edit", id="statements.edit"),
        Binding("n", "new", "New", id="statements.new"),
        Binding("f", "cycle_filter", "Filter", id="statements.filter"),
        Binding("A", "actors", "Actors", show=False, id="statements.actors"),
        Binding("l", "link", "Link", show=False, id="statements.link"),
        Binding("L", "link_review", "Suggested links", show=False, id="statements.link-review"),
        Binding("H", "history", "History", show=False, id="statements.history"),
        Binding("x", "delete", "Delete", show=False, id="statements.delete"),
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

    def action_history(self) -> None:
        """``H``: who changed the statement (and its links), when, from what to what."""
        from workbench.ui.history import open_history

        row: StatementRow | None = self.list.current
        if row is not None:
            open_history(self, self._repo, "statement", row.id, row.text)

    def action_delete(self) -> None:
        """``x``: delete the statement, once confirmed. Softly: the trash (``T``) keeps
        it and ``ctrl+z`` brings it back. The version seen is named, so a statement a
        colleague changed since is not deleted unseen."""
        from workbench.ui.history import ConfirmDelete

        row: VersionedStatementRow | None = self.list.current
        if row is None or self._repo is None:
            return
        if not getattr(self.app, "can_write", True):  # a viewer: no question to answer
            self.notify(
                "You can read this desk but not change it (a viewer): nothing deleted.",
                title=self.TITLE,
                severity="warning",
                markup=False,
            )
            return
        what = f"statement #{row.id} ({clean_line(row.speaker) or 'unnamed'}: {row.text})"
        if len(what) > 120:
            what = what[:119] + "…"

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._delete(row.id, row.version)

        self.app.push_screen(ConfirmDelete(what), confirmed)

    def _delete(self, statement_id: int, version: int) -> None:
        repo = self.repo

        def work() -> None:
            from db.repo import ConflictError

            try:
                repo.delete("statement", statement_id, version)
            except ConflictError:
                last = repo.last_change("statement", statement_id)
                who = last.editor if last is not None else "Someone else"
                if who == repo.editor:
                    who = "You (in another session)"
                message = (
                    f"Not deleted: {who} changed statement #{statement_id} since you saw it "
                    "— refreshed; look again, then x."
                )
                self.app.call_from_thread(
                    self.notify, message, title=self.TITLE, severity="warning", markup=False
                )
            else:
                self.app.call_from_thread(
                    self.notify,
                    f"Deleted statement #{statement_id} (ctrl+z undoes; T lists deleted items).",
                    title=self.TITLE,
                    markup=False,
                )
            self.app.call_from_thread(self._refresh_after_review)

        self.run_worker(
            work, thread=True, group="write", name="delete the statement", exit_on_error=False
        )

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

    #: A jump whose key is being read (the suggested filter's): the statement.
    _seeking: int | None = None
    #: A jump under way: the statement, and the list's generation and load count when
    #: the jump was asked of it. Checked when that reload lands, and only then.
    _landing: tuple[int, int, int] | None = None

    def show_statement(self, statement_id: int) -> None:
        """Put the cursor on the statement: every jump comes here (search, the timeline,
        a grid cell, the review list). The list's key depends on its filter: "suggested"
        orders by score, so its key is (score, id) and the score is read first, off the UI
        thread. The filter is kept as the editor set it: a statement it does not show is
        said, once the list has moved, rather than let the neighbour the cursor lands on
        pass for it."""
        self._landing = None
        self._seeking = statement_id
        if self.state != "suggested":
            self._goto(statement_id, None)
            return
        repo = self.repo

        def read() -> None:
            row = repo.get("statement", statement_id)
            score = getattr(row, "score", None)
            self.app.call_from_thread(self._goto, statement_id, score)

        self.run_worker(
            read,
            thread=True,
            exclusive=True,
            group="find-statement",
            name="find the statement",
            exit_on_error=False,
        )

    def _goto(self, statement_id: int, score: float | None) -> None:
        if self._seeking != statement_id:
            return  # another jump since
        self._seeking = None
        lst = self.list
        if lst.view is None:  # not loaded yet: no reload would answer this jump
            return
        # The suggested filter's key, as db.views.statements_view makes it: unscored last.
        suggested = self.state == "suggested"
        key = (-1.0 if score is None else score, statement_id) if suggested else (statement_id,)
        lst.goto_key(key)
        self._landing = (statement_id, lst._generation, lst.loads)

    @on(VirtualList.Reloaded)
    def _landed(self, message: VirtualList.Reloaded) -> None:
        """The jump's reload is in: say so if the cursor is not on the statement. A newer
        reload that superseded it (the filter changed, a live refresh) ends the jump
        without a word, and a reload finished before the jump was asked is not its
        answer, so nothing left over can warn later."""
        lst = self.list
        if self._landing is None or message.list is not lst:
            return
        statement_id, generation, loads = self._landing
        if lst._generation != generation:
            self._landing = None  # superseded
            return
        if lst.loads == loads:
            return  # an earlier reload's message: the jump's window has not landed yet
        self._landing = None
        row = lst.current
        if row is None or row.id != statement_id:
            self.notify(
                f"Statement #{statement_id} is not in the Statements list as filtered (it "
                "may be dismissed); f changes the filter.",
                title=self.TITLE,
                severity="warning",
                markup=False,
            )

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
