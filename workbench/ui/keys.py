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

    def own(cls: type) -> list[object]:
        # Only what the class itself declares; Textual merges inherited BINDINGS at run time.
        return list(cls.__dict__.get("BINDINGS", []))

    groups = [
        ("Desk", [*own(WorkbenchApp), *own(MainScreen)]),
        ("Lists (every pane)", own(VirtualList)),
        ("Reading (lower half)", [*own(DetailView), *own(Pane)]),
        ("Feed", own(FeedPane)),
        ("Statements", own(StatementsPane)),
        ("Positions", own(GridList)),
        ("Timeline", own(TimelinePane)),
    ]
    return [
        (title, [b for b in bindings if isinstance(b, Binding) and b.id])
        for title, bindings in groups
        if any(isinstance(b, Binding) and b.id for b in bindings)
    ]
