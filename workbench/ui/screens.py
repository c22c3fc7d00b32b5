"""Modal screens of the Feed pane: pick a source, see every source's health, edit rules.

Sources and rules are few (dozens, not millions), so these screens read them whole; their
database work still runs in thread workers, and every write goes through the repository.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option
from textual.worker import Worker

from workbench.text import clean_line
from workbench.ui.messages import forward_failure
from workbench.ui.render import when

if TYPE_CHECKING:
    from db.models import Rule, Source
    from db.repo import Repo
    from workbench.config import Config


class _ReportsFailures:
    """Worker failures do not bubble in Textual; forward them so the app tells the editor."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        forward_failure(self, event)  # type: ignore[arg-type]


MODAL_CSS = """
{name} {{
    align: center middle;
}}
{name} > Vertical {{
    width: 90%;
    max-width: 110;
    height: 85%;
    border: round $accent;
    border-title-style: bold;
    background: $surface;
    padding: 0 1;
}}
"""


class SourcePicker(_ReportsFailures, ModalScreen[tuple[int | None, str] | None]):
    """Choose the source the Feed pane shows (or all of them)."""

    DEFAULT_CSS = MODAL_CSS.format(name="SourcePicker")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Close", id="sources.pick-close"),
    ]

    def __init__(self, repo: Repo) -> None:
        super().__init__()
        self.repo = repo
        self._names: dict[str, tuple[int | None, str]] = {}

    def compose(self) -> ComposeResult:
        box = Vertical()
        box.border_title = "Show articles from — Enter picks, Esc closes"
        with box:
            yield OptionList(id="source-options")

    def on_mount(self) -> None:
        self.run_worker(self._load, thread=True, name="list the sources", exit_on_error=False)

    def _load(self) -> None:
        sources = self.repo.sources()
        self.app.call_from_thread(self._fill, sources)

    def _fill(self, sources: list[Source]) -> None:
        options = self.query_one(OptionList)
        options.add_option(Option(Text("All sources", style="bold"), id="all"))
        self._names["all"] = (None, "all sources")
        for source in sources:
            key = f"s{source.id}"
            label = Text(clean_line(source.name))
            label.append(f"  {source.kind}", style="dim")
            if source.error_message:
                label.append("  failing", style="red")
            options.add_option(Option(label, id=key))
            self._names[key] = (source.id, source.name)
        options.highlighted = 0
        options.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self._names.get(event.option.id or "all"))


class SourcesScreen(_ReportsFailures, ModalScreen[None]):
    """Every source with the outcome of its last fetch: where failures are read."""

    DEFAULT_CSS = MODAL_CSS.format(name="SourcesScreen")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "dismiss", "Close", id="sources.close"),
    ]

    def __init__(self, repo: Repo) -> None:
        super().__init__()
        self.repo = repo

    def compose(self) -> ComposeResult:
        box = Vertical()
        box.border_title = "Sources — Esc closes"
        with box, VerticalScroll():
            yield Static("Loading…", id="sources-table", markup=False)

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()
        self.run_worker(self._load, thread=True, name="list the sources", exit_on_error=False)

    def _load(self) -> None:
        sources = self.repo.sources()
        self.app.call_from_thread(self._show, sources)

    def _show(self, sources: list[Source]) -> None:
        # failing first, then warnings, then feeds before pages and local files
        order = {"feed": 0, "page": 1, "file": 2}
        sources = sorted(
            sources,
            key=lambda s: (
                s.error_message is None,
                s.warning is None,
                order.get(s.kind, 3),
                s.name.casefold(),
            ),
        )
        table = Table(box=None, expand=True, show_header=True, header_style="bold")
        table.add_column("source", ratio=2)
        table.add_column("kind", no_wrap=True)
        table.add_column("last fetch", no_wrap=True)
        table.add_column("state", ratio=3)
        for source in sources:
            if source.error_message:
                state = Text(clean_line(source.error_message), style="red")
            elif source.warning:
                state = Text(clean_line(source.warning), style="yellow")
            elif source.fetched_at:
                status = source.http_status or "ok"
                state = Text(f"ok ({status})", style="green")
            else:
                state = Text("never fetched", style="dim")
            name = Text(clean_line(source.name))
            if source.url:
                name.append("\n" + clean_line(source.url), style="dim")
            fetched = when(source.fetched_at) if source.fetched_at else "never"
            table.add_row(name, source.kind, fetched, state)
        if not sources:
            table.add_row(Text("No sources yet: `workbench feeds add URL`.", style="dim"))
        self.query_one("#sources-table", Static).update(table)


class RuleForm(ModalScreen[dict[str, Any] | None]):
    """Add or edit one rule; validation happens in the repository, errors are shown here."""

    DEFAULT_CSS = """
    RuleForm { align: center middle; }
    RuleForm > Vertical {
        width: 80; max-width: 100%; height: auto; max-height: 100%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    RuleForm #rule-fields { height: auto; max-height: 1fr; }
    RuleForm Input, RuleForm Select { margin-bottom: 0; }
    RuleForm Label { margin-top: 0; }
    RuleForm #rule-error { color: $error; height: auto; }
    RuleForm #rule-buttons { height: auto; dock: bottom; }
    RuleForm Button { min-width: 14; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="rule-form.cancel"),
        Binding("ctrl+s", "save", "Save", id="rule-form.save"),
    ]

    def __init__(
        self, rule: Rule | None = None, sources: list[tuple[int, str]] | None = None
    ) -> None:
        super().__init__()
        self.rule = rule
        self.sources = sources or []

    def compose(self) -> ComposeResult:
        rule = self.rule
        box = Vertical()
        box.border_title = "Edit rule" if rule else "New rule"
        box.border_subtitle = "ctrl+s save · esc cancel"
        fields = VerticalScroll(id="rule-fields")  # fits 80×24 by scrolling
        fields.can_focus = False  # Tab goes from field to field, not to the scroller
        with box, fields:
            yield Label("Name (shown on the articles it touches)")
            yield Input(rule.name if rule else "", id="rule-name")
            yield Label("Words (any of them) or a regular expression")
            yield Input(rule.pattern if rule else "", id="rule-pattern")
            yield Checkbox(
                "It is a regular expression", rule.regex if rule else False, id="rule-regex"
            )
            yield Label("Look in")
            yield Select(
                [(f, f) for f in ("any", "title", "body", "byline")],
                value=rule.field if rule else "any",
                allow_blank=False,
                id="rule-field",
            )
            yield Label("Then")
            yield Select(
                [
                    ("dismiss (not relevant)", "dismiss"),
                    ("tag", "tag"),
                    ("set priority", "priority"),
                    ("assign to", "assign"),
                ],
                value=rule.action if rule else "tag",
                allow_blank=False,
                id="rule-action",
            )
            yield Label("Value (the tag, the priority number, or the editor)")
            yield Input(rule.value if rule else "", id="rule-value")
            yield Label("For")
            yield Select(
                # Text prompts: a str prompt is read as markup, and names are outside text.
                [
                    ("all sources", 0),
                    *((Text(clean_line(name)), sid) for sid, name in self.sources),
                ],
                value=(rule.source_id or 0) if rule else 0,
                allow_blank=False,
                id="rule-source",
            )
            yield Static("", id="rule-error", markup=False)
            with Horizontal(id="rule-buttons"):
                yield Button("Save", id="rule-save", variant="primary")
                yield Button("Cancel", id="rule-cancel")

    def on_mount(self) -> None:
        self.query_one("#rule-name", Input).focus()

    def show_error(self, message: str) -> None:
        error = self.query_one("#rule-error", Static)
        error.update(message)
        self.query_one("#rule-fields", VerticalScroll).scroll_to_widget(error, animate=False)

    def values(self) -> dict[str, Any]:
        return {
            "name": self.query_one("#rule-name", Input).value.strip(),
            "pattern": self.query_one("#rule-pattern", Input).value,
            "regex": self.query_one("#rule-regex", Checkbox).value,
            "field": self.query_one("#rule-field", Select).value,
            "action": self.query_one("#rule-action", Select).value,
            "value": self.query_one("#rule-value", Input).value.strip(),
            "source_id": self.query_one("#rule-source", Select).value or None,
        }

    def action_save(self) -> None:
        """Check what can be checked here, so a typo is fixed in place, not retyped."""
        from db.tx import RepoError, _check_action, check_rule_pattern

        values = self.values()
        if not values["name"]:
            self.show_error("A rule needs a name.")
            return
        try:
            check_rule_pattern(values["pattern"], values["regex"])
            _check_action(values["action"], values["value"])
        except RepoError as exc:
            self.show_error(str(exc))
            return
        self.dismiss(values)

    @on(Button.Pressed, "#rule-save")
    def _save(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#rule-cancel")
    def _cancel(self) -> None:
        self.dismiss(None)


class RulesScreen(_ReportsFailures, ModalScreen[None]):
    """The desk's rules (editable) and the config file's (shown, edited in the file)."""

    DEFAULT_CSS = MODAL_CSS.format(name="RulesScreen")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "dismiss", "Close", id="rules.close"),
        Binding("a", "add", "Add", id="rules.add"),
        Binding("e,enter", "edit", "Edit", id="rules.edit"),
        Binding("space", "toggle", "On/off", id="rules.toggle"),
        Binding("delete,x", "remove", "Delete", id="rules.delete"),
        Binding("r", "rerun", "Re-run on all", id="rules.rerun"),
    ]

    class Changed(Message, bubble=False):
        pass

    def __init__(self, repo: Repo, config: Config | None) -> None:
        super().__init__()
        self.repo = repo
        self.config = config
        self.rules: list[Rule] = []
        self.sources: list[tuple[int, str]] = []

    def compose(self) -> ComposeResult:
        box = Vertical()
        box.border_title = "Rules — a add · e edit · space on/off · x delete · r re-run · Esc"
        with box:
            yield OptionList(id="rules-list")
            yield Static("", id="rules-config", markup=False)

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self._reload()

    def _reload(self) -> None:
        self.run_worker(self._load, thread=True, name="list the rules", exit_on_error=False)

    def _load(self) -> None:
        rules = self.repo.rules()
        sources = [(int(s.id), s.name) for s in self.repo.sources()]  # type: ignore[arg-type]
        self.app.call_from_thread(self._show, rules, sources)

    def _show(self, rules: list[Rule], sources: list[tuple[int, str]]) -> None:
        self.rules = rules
        self.sources = sources
        names = dict(sources)
        options = self.query_one(OptionList)
        highlighted = options.highlighted
        options.clear_options()
        for rule in rules:
            label = Text(clean_line(rule.name), style="bold" if rule.enabled else "dim strike")
            label.append(f"  {rule.field} ~ {clean_line(rule.pattern)!r}", style="dim")
            if rule.regex:
                label.append(" (regex)", style="dim")
            label.append(f"  → {rule.action} {clean_line(rule.value)}", style="cyan")
            if rule.source_id:
                source = clean_line(names.get(rule.source_id, f"source {rule.source_id}"))
                label.append(f"  [{source}]", style="dim")
            options.add_option(Option(label, id=str(rule.id)))
        if not rules:
            options.add_option(Option(Text("No desk rules yet: a adds one.", style="dim")))
        if rules:  # always on a rule, so e, space and x act at once
            options.highlighted = min(highlighted or 0, len(rules) - 1)
        lines = Text()
        for raw in self.config.rules if self.config else ():
            if not lines:
                lines.append("From the config file (edit it there):\n", style="bold")
            lines.append(f"  {clean_line(str(raw['name']))}: ")
            lines.append(f"{clean_line(str(raw['pattern']))!r} → {raw['action']}\n", style="dim")
        self.query_one("#rules-config", Static).update(lines)

    def _current(self) -> Rule | None:
        index = self.query_one(OptionList).highlighted
        if index is None or index >= len(self.rules):
            return None
        return self.rules[index]

    def _write(self, action: Any, what: str) -> None:
        def work() -> None:
            action()
            self.app.call_from_thread(self._reload)

        self.run_worker(work, thread=True, name=what, exit_on_error=False)

    def action_add(self) -> None:
        self._open_form(None)

    def action_edit(self) -> None:
        rule = self._current()
        if rule is not None:
            self._open_form(rule)

    def _open_form(self, rule: Rule | None) -> None:
        def saved(values: dict[str, Any] | None) -> None:
            if values is None:
                return
            if rule is None:
                self._write(lambda: self.repo.add_rule(**values), "add the rule")
            else:
                self._write(
                    lambda: self.repo.update("rule", rule.id, rule.version, **values),  # type: ignore[arg-type]
                    "save the rule",
                )

        self.app.push_screen(RuleForm(rule, self.sources), saved)

    def action_toggle(self) -> None:
        rule = self._current()
        if rule is not None:
            self._write(
                lambda: self.repo.update("rule", rule.id, rule.version, enabled=not rule.enabled),  # type: ignore[arg-type]
                "switch the rule",
            )

    def action_remove(self) -> None:
        rule = self._current()
        if rule is not None:
            self._write(lambda: self.repo.delete("rule", rule.id, rule.version), "delete the rule")  # type: ignore[arg-type]

    def action_rerun(self) -> None:
        from workbench.ingest.pipeline import rule_specs

        def work() -> None:
            changed = self.repo.apply_rules(rule_specs(self.repo, self.config))
            self.app.call_from_thread(
                self.app.notify, f"Rules changed {changed} articles.", title="Rules", markup=False
            )

        self.run_worker(work, thread=True, name="re-run the rules", exit_on_error=False)
