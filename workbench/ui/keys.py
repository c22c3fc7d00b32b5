"""One registry of the desk's bindings, for the help screen, the command palette and the
keymap check.

The classes are found, not listed: every class in the ``workbench.ui`` package that
declares ``BINDINGS`` of its own is in the registry, so a new screen's keys are in ``?``,
offered by the palette and accepted in a ``[keymap]`` without anyone remembering to add
them here (a forgotten list made remapping a real key warn "Unknown binding id"). The
modules are imported the first time the registry is asked (help, palette, keymap check),
never when the app starts, and what was found is kept for the session.

``GROUPS`` only names and orders the places: a class it does not name still appears,
after them, under its ``HELP_GROUP`` attribute or a title made from its class name.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from functools import cache

from textual.binding import Binding

PACKAGE = "workbench.ui"

#: (help title, classes as "module:Class" under ``workbench.ui``), in the order ``?``
#: lists them. A name whose module does not exist (yet) is skipped.
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Desk", ("app:WorkbenchApp", "app:MainScreen")),
    ("Lists (every pane)", ("virtual_list:VirtualList",)),
    ("Reading (lower half)", ("panes.base:DetailView",)),
    ("Every pane", ("panes.base:Pane",)),
    ("Feed", ("panes.feed:FeedPane",)),
    ("Source picker (o in Feed)", ("screens:SourcePicker",)),
    ("Sources (S in Feed)", ("screens:SourcesScreen",)),
    ("Rules (K in Feed)", ("screens:RulesScreen",)),
    ("Rule form (a or e in Rules)", ("screens:RuleForm",)),
    ("Statements", ("panes.statements:StatementsPane",)),
    ("Positions", ("panes.positions:GridList", "panes.positions:PositionsPane")),
    ("Grid columns (c in Positions)", ("grid_prefs:ColumnChooser",)),
    ("Grid cell (Enter in Positions)", ("panes.positions:CellScreen",)),
    ("Forms (issue, position, actor, event, since)", ("forms:_Form",)),
    ("Timeline", ("panes.timeline:TimelinePane",)),
    ("Timeline filter (f in Timeline)", ("timeline_filter:TimelineFilterScreen",)),
    ("Timeline event (Enter on an event)", ("panes.timeline:EventScreen",)),
    ("Reader (Enter on an article)", ("reader:ReaderScreen",)),
    ("Statement editor", ("editor:StatementEditor",)),
    ("Draft waiting (opening a statement that has a draft)", ("editor:DraftWaiting",)),
    ("Leaving the editor with unsaved changes", ("editor:ConfirmLeave",)),
    ("A colleague is editing it (before you edit)", ("presence:EditingWarning",)),
    ("Conflict (a colleague saved first)", ("conflict:ConflictScreen",)),
    ("Actors (A in Statements)", ("desk_screens:ActorsScreen",)),
    ("Search (/)", ("search:SearchScreen",)),
    ("Link picker (l)", ("links:LinkPicker", "links:RelationPrompt")),
    ("Suggested links (L)", ("links:LinkReviewScreen",)),
    ("Bulk actions (b on marked rows)", ("bulk:BulkMenu", "bulk:PickScreen")),
    ("Collections (C)", ("collections:CollectionsScreen",)),
    ("Export (X)", ("export_dialog:ExportDialog",)),
    ("Drafts", ("desk_screens:DraftsScreen",)),
    ("History (H on an item)", ("history:HistoryScreen",)),
    ("Trash (T)", ("history:TrashScreen",)),
    ("Delete (x in Statements)", ("history:ConfirmDelete",)),
    ("Help (?)", ("help:HelpScreen",)),
)


def _classes_in(owner: object, module: str, seen: set[type] | None = None) -> list[type]:
    """Classes defined in ``module`` at its top level or nested in its classes, in
    definition order."""
    seen = set() if seen is None else seen
    found: list[type] = []
    for value in vars(owner).values():
        if isinstance(value, type) and value.__module__ == module and value not in seen:
            seen.add(value)
            found.append(value)
            found.extend(_classes_in(value, module, seen))
    return found


@cache
def declaring_classes() -> tuple[type, ...]:
    """Every class in the ``workbench.ui`` package that declares bindings of its own, by
    module and then definition order. Imports the package's modules (once)."""
    package = importlib.import_module(PACKAGE)
    found: list[type] = []
    for info in pkgutil.walk_packages(package.__path__, PACKAGE + "."):
        module = importlib.import_module(info.name)
        found += [cls for cls in _classes_in(module, info.name) if "BINDINGS" in cls.__dict__]
    return tuple(dict.fromkeys(found))


def qualified(cls: type) -> str:
    """``module:Class`` relative to ``workbench.ui``, as ``GROUPS`` names classes."""
    return f"{cls.__module__.removeprefix(PACKAGE + '.')}:{cls.__qualname__}"


def fallback_title(cls: type) -> str:
    """The help title of a class ``GROUPS`` does not name: its ``HELP_GROUP``, else its
    name in words ("CollectionItemList" → "Collection item list")."""
    title = getattr(cls, "HELP_GROUP", None)
    if isinstance(title, str) and title.strip():
        return title
    words = re.findall(r"[A-Z]+(?=[A-Z][a-z]|\b)|[A-Z]?[a-z0-9]+|[A-Z]+", cls.__name__)
    text = " ".join(w if w.isupper() and len(w) > 1 else w.lower() for w in words)
    return text[:1].upper() + text[1:] if text else cls.__name__


def own(cls: type) -> list[tuple[type, Binding]]:
    """What ``cls`` itself declares; Textual merges inherited BINDINGS at run time."""
    return [
        (cls, binding)
        for binding in cls.__dict__.get("BINDINGS", [])
        if isinstance(binding, Binding) and binding.id
    ]


@cache
def _groups() -> tuple[tuple[str, tuple[tuple[type, Binding], ...]], ...]:
    by_name = {qualified(cls): cls for cls in declaring_classes()}
    placed: set[type] = set()
    titles: dict[str, list[type]] = {}
    for title, names in GROUPS:
        for name in names:
            cls = by_name.get(name)
            if cls is not None and cls not in placed:
                titles.setdefault(title, []).append(cls)
                placed.add(cls)
    for cls in declaring_classes():  # found, but not named above: after the named ones
        if cls not in placed:
            titles.setdefault(fallback_title(cls), []).append(cls)
            placed.add(cls)
    groups = [
        (title, tuple(pair for cls in classes for pair in own(cls)))
        for title, classes in titles.items()
    ]
    return tuple((title, bindings) for title, bindings in groups if bindings)


def binding_groups() -> list[tuple[str, list[tuple[type, Binding]]]]:
    """(group title, [(class that declares it, binding)]) for every place with keys."""
    return [(title, list(bindings)) for title, bindings in _groups()]


def all_bindings() -> list[Binding]:
    return [binding for _title, owned in binding_groups() for _owner, binding in owned]
