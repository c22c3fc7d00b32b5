"""What every module of ``workbench.ui`` must satisfy, checked by walking the package.

The key registry (``workbench.ui.keys``) feeds ``?``, the command palette and the keymap
check: a screen whose keys it misses is undocumented, unreachable from the palette, and
its remapped keys draw a false "Unknown binding id" warning. The walk here is written
independently of the registry's own discovery, so a registry that goes back to a
hand-kept list, or forgets a module, fails. The README's key tables are checked here too:
they are the registry as the reader meets it first.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from textual.binding import Binding

import workbench.ui
from tests.ui_support import make_app, wait_loaded
from workbench.ui import keys

ROOT = Path(__file__).resolve().parent.parent
UI = Path(workbench.ui.__file__).parent


def _ui_modules() -> list[str]:
    return [info.name for info in pkgutil.walk_packages(workbench.ui.__path__, "workbench.ui.")]


def _classes_with_bindings() -> list[type]:
    """Every class defined in a ``workbench.ui`` module (nested ones too) that declares
    ``BINDINGS`` itself."""
    found: dict[type, None] = {}

    def visit(owner: object, module: str) -> None:
        for _name, value in inspect.getmembers(owner, inspect.isclass):
            if value.__module__ != module or value in found or value is owner:
                continue
            if "BINDINGS" in value.__dict__:
                found[value] = None
            visit(value, module)

    for name in _ui_modules():
        visit(importlib.import_module(name), name)
    return list(found)


def test_the_walk_sees_the_screens_that_were_once_missed() -> None:
    """The walk itself works: the screens the hand-kept list had forgotten are found."""
    names = {cls.__name__ for cls in _classes_with_bindings()}
    assert {
        "HelpScreen",
        "EditingWarning",
        "ConflictScreen",
        "ConfirmLeave",
        "DraftWaiting",
        "RuleForm",
        "RulesScreen",
        "SourcePicker",
        "SourcesScreen",
        "StatementEditor",
        "VirtualList",
    } <= names


def test_every_binding_in_workbench_ui_is_registered_with_its_class() -> None:
    registered = {
        (owner, binding.id) for _title, owned in keys.binding_groups() for owner, binding in owned
    }
    ids = {binding.id for binding in keys.all_bindings()}
    missing = []
    for cls in _classes_with_bindings():
        for binding in cls.__dict__["BINDINGS"]:
            assert isinstance(binding, Binding) and binding.id, (
                f"{cls.__module__}.{cls.__qualname__}: every binding needs an id "
                f"(the keymap remaps by id): {binding!r}"
            )
            if binding.id not in ids or (cls, binding.id) not in registered:
                missing.append(f"{cls.__module__}.{cls.__qualname__}: {binding.id}")
    assert not missing, f"bindings the registry does not know: {missing}"


def test_every_place_with_keys_has_a_help_title_in_words() -> None:
    titles = {owner: title for title, owned in keys.binding_groups() for owner, _binding in owned}
    for owner, title in titles.items():
        assert title.strip() and title != owner.__name__, (owner, title)
    by_name = {owner.__name__: title for owner, title in titles.items()}
    assert by_name["RulesScreen"] == "Rules (K in Feed)"
    assert by_name["HelpScreen"] == "Help (?)"
    assert by_name["ConflictScreen"] == "Conflict (a colleague saved first)"
    assert by_name["VirtualList"] == "Lists (every pane)"
    # A class nobody named gets its own name in words, or the title it asks for.
    assert keys.fallback_title(type("CollectionItemList", (), {})) == "Collection item list"
    assert keys.fallback_title(type("X", (), {"HELP_GROUP": "Notes (N)"})) == "Notes (N)"


def test_groups_name_only_classes_that_exist() -> None:
    """A renamed class would silently drop to a fallback title; a module that is not
    written yet is the only excuse for a name that does not resolve."""
    found = {keys.qualified(cls) for cls in keys.declaring_classes()}
    modules = {name.removeprefix("workbench.ui.") for name in _ui_modules()}
    for _title, names in keys.GROUPS:
        for name in names:
            module = name.split(":", 1)[0]
            assert name in found or module not in modules, f"GROUPS names {name}: no such class"


def test_the_registry_imports_no_screen_until_it_is_asked() -> None:
    """Start-up pays for the screens it shows; the registry walks the package only when
    help, the palette or the keymap check asks."""
    code = (
        "import sys, workbench.ui.keys, workbench.ui.help\n"
        "print(sorted(m for m in sys.modules if m.startswith('workbench.ui.')))\n"
        "workbench.ui.keys.all_bindings()\n"
        "print('workbench.ui.screens' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.splitlines()
    assert out[0] == "['workbench.ui.help', 'workbench.ui.keys']"
    assert out[1] == "True"


async def test_remapping_keys_of_every_screen_warns_only_about_unknown_ids(
    demo_db: Path,
) -> None:
    keymap = {
        "rules.add": "n",
        "rule-form.save": "ctrl+w",
        "sources.close": "x",
        "conflict.mine": "M",
        "confirm.keep": "k",
        "draft_waiting.resume": "R",
        "editing_warning.edit": "E",
        "help.close": "c",
        "sources.pick-close": "ctrl+g",
        "no-such.binding": "f9",
    }
    app = make_app(demo_db, keymap=keymap, live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.pause()
        warnings = [n.message for n in app._notifications if "Unknown binding id" in n.message]
        assert warnings == [
            "Unknown binding id 'no-such.binding' in [keymap]; press ? for the list."
        ]


# --------------------------------------------------------------------------- widgets run no SQL


def test_no_ui_module_imports_a_database_toolkit() -> None:
    """Widgets never run SQL: reads go through the repository and ``db.views``. An import
    of SQLAlchemy or SQLModel anywhere in ``workbench.ui`` (even inside a function) is
    the first step of a query in a widget."""
    offenders = []
    for path in sorted(UI.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                if name.split(".")[0] in {"sqlalchemy", "sqlmodel"}:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: {name}")
    assert not offenders, offenders


# --------------------------------------------------------------------------- README key tables


def _readme_section(title: str) -> tuple[str, int]:
    text = (ROOT / "README.md").read_text("utf-8")
    lines = text.splitlines()
    start = lines.index(f"## {title}")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    return "\n".join(lines[start:end]), start


def _table_spans(tokens: list[Any]) -> list[tuple[int, int]]:
    return [tuple(t.map) for t in tokens if t.type == "table_open" and t.map]  # type: ignore[misc]


@pytest.mark.parametrize("title", ["Using it"])
def test_readme_key_tables_are_tables(title: str) -> None:
    """A paragraph inside a table ends it: the rows after it render as loose text with
    pipes. Every line that starts with ``|`` must belong to a table as GFM reads it."""
    from markdown_it import MarkdownIt

    section, _offset = _readme_section(title)
    tokens = MarkdownIt("gfm-like").parse(section)
    in_tables = {n for start, end in _table_spans(tokens) for n in range(start, end)}
    lines = section.splitlines()
    fenced = False
    loose = []
    for number, line in enumerate(lines):
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and line.startswith("|") and number not in in_tables:
            loose.append(line)
    assert not loose, f"table rows GFM does not read as a table: {loose}"
    # GFM drops cells beyond the header's count without a word: a stray pipe loses text.
    for start, end in _table_spans(tokens):
        widths = {len(re.split(r"(?<!\\)\|", lines[n].strip())) - 2 for n in range(start, end)}
        assert len(widths) == 1, f"rows of unequal width: {lines[start:end]}"
    assert in_tables, "the section's key table is gone"
    rows = [line for line in lines if line.startswith("| `")]
    for key in ("`z`", "`ctrl+p`", "`?`", "`q`", "`/`"):
        assert any(row.startswith(f"| {key} ") for row in rows), key
