"""The ``?`` screen: every key, grouped by where it works, as remapped by the user's keymap."""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

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

    def _table(self) -> Table:
        table = Table(box=None, expand=True, show_header=False, padding=(0, 1))
        table.add_column("key", style="bold cyan", no_wrap=True, min_width=12)
        table.add_column("action", ratio=1)
        table.add_column("id", style="dim", no_wrap=True)
        keymap = getattr(self.app, "keymap", {})
        for group, owned in binding_groups():
            table.add_row(Text(group, style="bold underline"), "", "")
            for _owner, binding in owned:
                keys = keymap.get(binding.id or "", binding.key)
                shown = self.app.get_key_display(replace(binding, key=keys))
                if "," in keys:
                    shown = " ".join(
                        self.app.get_key_display(replace(binding, key=k)) for k in keys.split(",")
                    )
                table.add_row(shown, binding.description or binding.action, binding.id or "")
            table.add_row("", "", "")
        return table
