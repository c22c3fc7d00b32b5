"""The ``?`` screen: every key, grouped by where it works, as remapped by the user's keymap."""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from workbench.ui.keys import binding_groups


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
    }
    HelpScreen > VerticalScroll {
        width: 90%;
        max-width: 100;
        height: 90%;
        border: round $accent;
        border-title-style: bold;
        background: $surface;
        padding: 0 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="help.close"),
    ]

    def compose(self) -> ComposeResult:
        scroll = VerticalScroll()
        scroll.border_title = "Keys — Esc closes"
        with scroll:
            yield Static(self._table(), markup=False)

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()

    def _table(self) -> Group:
        """One small table per group under its title: a title in a table's key column
        would size that column (a long group name pushed the descriptions off screen)."""
        keymap = getattr(self.app, "keymap", {})
        parts: list[Text | Table] = []
        for group, owned in binding_groups():
            parts.append(Text(group, style="bold underline"))
            table = Table(box=None, expand=True, show_header=False, padding=(0, 1))
            table.add_column("key", style="bold cyan", width=16, overflow="fold")
            table.add_column("action", ratio=1)
            table.add_column("id", style="dim", no_wrap=True, width=28, overflow="ellipsis")
            for _owner, binding in owned:
                keys = keymap.get(binding.id or "", binding.key)
                shown = self.app.get_key_display(replace(binding, key=keys))
                if "," in keys:
                    shown = " ".join(
                        self.app.get_key_display(replace(binding, key=k)) for k in keys.split(",")
                    )
                table.add_row(shown, binding.description or binding.action, binding.id or "")
            parts.append(table)
            parts.append(Text(""))
        return Group(*parts)
