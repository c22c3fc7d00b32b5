"""One registry of the desk's bindings, for the help screen and the command palette."""

from __future__ import annotations

from textual.binding import Binding


def binding_groups() -> list[tuple[str, list[Binding]]]:
    """(group title, bindings) for every place that defines keys, in reading order."""
    from workbench.ui.app import MainScreen, WorkbenchApp
    from workbench.ui.panes.base import DetailView, Pane
    from workbench.ui.panes.feed import FeedPane
    from workbench.ui.panes.positions import GridList
    from workbench.ui.panes.statements import StatementsPane
    from workbench.ui.panes.timeline import TimelinePane
    from workbench.ui.virtual_list import VirtualList

    groups = [
        ("Desk", [*WorkbenchApp.BINDINGS, *MainScreen.BINDINGS]),
        ("Lists (every pane)", VirtualList.BINDINGS),
        ("Reading (lower half)", [*DetailView.BINDINGS, *Pane.BINDINGS]),
        ("Feed", FeedPane.BINDINGS),
        ("Statements", StatementsPane.BINDINGS),
        ("Positions", GridList.BINDINGS),
        ("Timeline", TimelinePane.BINDINGS),
    ]
    return [
        (title, [b for b in bindings if isinstance(b, Binding) and b.id])
        for title, bindings in groups
        if any(isinstance(b, Binding) and b.id for b in bindings)
    ]
