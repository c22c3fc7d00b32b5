"""One registry of the desk's bindings, for the help screen and the command palette."""

from __future__ import annotations

from textual.binding import Binding


def binding_groups() -> list[tuple[str, list[tuple[type, Binding]]]]:
    """(group title, [(class that declares it, binding)]) for every place with keys."""
    from workbench.ui.app import MainScreen, WorkbenchApp
    from workbench.ui.desk_screens import ActorsScreen, DraftsScreen
    from workbench.ui.editor import StatementEditor
    from workbench.ui.forms import _Form
    from workbench.ui.grid_prefs import ColumnChooser
    from workbench.ui.history import ConfirmDelete, HistoryScreen, TrashScreen
    from workbench.ui.links import LinkPicker, LinkReviewScreen, RelationPrompt
    from workbench.ui.panes.base import DetailView, Pane
    from workbench.ui.panes.feed import FeedPane
    from workbench.ui.panes.positions import CellScreen, GridList, PositionsPane
    from workbench.ui.panes.statements import StatementsPane
    from workbench.ui.panes.timeline import EventScreen, TimelinePane
    from workbench.ui.reader import ReaderScreen
    from workbench.ui.search import SearchScreen
    from workbench.ui.timeline_filter import TimelineFilterScreen
    from workbench.ui.virtual_list import VirtualList

    def own(*classes: type) -> list[tuple[type, Binding]]:
        # Only what each class itself declares; Textual merges inherited BINDINGS at run time.
        return [
            (cls, binding)
            for cls in classes
            for binding in cls.__dict__.get("BINDINGS", [])
            if isinstance(binding, Binding) and binding.id
        ]

    groups = [
        ("Desk", own(WorkbenchApp, MainScreen)),
        ("Lists (every pane)", own(VirtualList)),
        ("Reading (lower half)", own(DetailView, Pane)),
        ("Feed", own(FeedPane)),
        ("Statements", own(StatementsPane)),
        ("Positions", own(GridList, PositionsPane)),
        ("Grid columns (c in Positions)", own(ColumnChooser)),
        ("Grid cell (Enter in Positions)", own(CellScreen)),
        ("Forms (issue, position, actor, event, since)", own(_Form)),
        ("Timeline", own(TimelinePane)),
        ("Timeline filter (f in Timeline)", own(TimelineFilterScreen)),
        ("Timeline event (Enter on an event)", own(EventScreen)),
        ("Reader (Enter on an article)", own(ReaderScreen)),
        ("Statement editor", own(StatementEditor)),
        ("Actors (A in Statements)", own(ActorsScreen)),
        ("Search (/)", own(SearchScreen)),
        ("Link picker (l)", own(LinkPicker, RelationPrompt)),
        ("Suggested links (L)", own(LinkReviewScreen)),
        ("Drafts", own(DraftsScreen)),
        ("History (H on an item)", own(HistoryScreen)),
        ("Trash (T)", own(TrashScreen)),
        ("Delete (x in Statements)", own(ConfirmDelete)),
    ]
    return [(title, bindings) for title, bindings in groups if bindings]


def all_bindings() -> list[Binding]:
    return [binding for _title, owned in binding_groups() for _owner, binding in owned]
