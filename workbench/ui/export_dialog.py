"""The export dialog (``X``): a format, a collection, a file name, and a live preview.

Every choice redraws the preview: the first few thousand characters of the export exactly
as the file will hold them, read in a thread worker (the writer is stopped once the
preview is full, so a desk of 100k statements previews as fast as a small one). ctrl+s (or
Enter in the file name) writes the file atomically in a worker and says what it wrote and
where. A file that exists is replaced only after a second ctrl+s; an export that cannot be
made (no such folder, a collection deleted meanwhile) is said in the dialog as one line and
the dialog stays as it was, choices and file name intact.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Footer, Input, OptionList, Select, Static
from textual.widgets.option_list import Option
from textual.worker import Worker

from workbench.text import clean_line
from workbench.ui.messages import forward_failure

if TYPE_CHECKING:
    from db.repo import Repo
    from workbench.config import Config
    from workbench.export import ExportOptions
    from workbench.ui.live import DeskChanged

#: The collection choice that means the whole desk (no collection is named "").
WHOLE_DESK = ""
#: The csv choice that writes every kind, one file each.
ALL_KINDS = ""
#: The kinds a csv export can be limited to, in the order offered.
CSV_CHOICES = ("statements", "positions", "events", "links")
#: Changes to these make the preview (or the collection list) out of date.
WATCHES = frozenset(
    {"collection", "collection_item", "statement", "position", "event", "actor", "issue"}
) | {"link", "article", "source"}

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def slug(name: str) -> str:
    """``name`` as a safe file-name part: letters, digits, ``.``, ``_`` and ``-`` only,
    never starting with a dot (no hidden files, no ``..``)."""
    cleaned = _UNSAFE.sub("-", name.strip()).strip("-")
    cleaned = re.sub(r"-{2,}", "-", cleaned).lstrip(".-")
    return cleaned.lower() or "export"


def default_file_name(
    collection: str | None, suffix: str, kind: str | None = None, today: dt.date | None = None
) -> str:
    """``morning-briefing-12-nov-2026-11-25.md``: what, when, and the format's suffix."""
    day = (today or dt.date.today()).isoformat()
    parts = [slug(collection or "desk"), *([kind] if kind else []), day]
    suffix = suffix if suffix.startswith(".") or not suffix else f".{suffix}"
    return "-".join(parts) + suffix


def export_setting(config: Config | None, name: str) -> str:
    """A string from the config's ``[export]`` table, "" when there is none."""
    section: Any = getattr(config, "export", None)
    value = section.get(name, "") if isinstance(section, Mapping) else getattr(section, name, "")
    return value if isinstance(value, str) else ""


def counts_text(counts: Mapping[str, int]) -> str:
    """``4 statements, 2 positions`` (what was written), or ``nothing``."""
    said = [f"{n} {kind}" for kind, n in counts.items() if n]
    return ", ".join(said) or "nothing"


def _line(exc: BaseException) -> str:
    """An export's failure as one line (an ExportError says it already; an OSError is
    said the way the rest of the app says it)."""
    from workbench.errors import describe
    from workbench.export import ExportError

    reason = None if isinstance(exc, ExportError) else describe(exc)
    return " ".join((reason or str(exc)).split()) or type(exc).__name__


class ExportDialog(ModalScreen["Path | None"]):
    """Choose and write an export; dismisses with the path written (for a csv of every
    kind, the path asked for, whose ``<stem>-<kind>.csv`` files were written), or None."""

    DEFAULT_CSS = """
    ExportDialog { align: center middle; }
    ExportDialog > #export-box {
        width: 96%; height: 1fr; margin: 1 0 0 0;
        border: round $accent; border-title-style: bold; background: $surface; padding: 0 1;
    }
    ExportDialog #export-top { height: 1fr; }
    ExportDialog #export-choices { width: 50; max-width: 50%; margin-right: 1; }
    ExportDialog .heading { height: 1; text-style: bold; color: $text-muted; }
    ExportDialog #export-format {
        height: auto; border: none; padding: 0; text-wrap: nowrap; text-overflow: ellipsis;
    }
    ExportDialog #export-bom { border: none; padding: 0; height: 1; }
    ExportDialog #export-kind-row { height: auto; }
    ExportDialog #export-kind-row.-hidden { display: none; }
    ExportDialog #export-preview-box {
        width: 1fr; border: round $primary 50%; overflow-x: auto; overflow-y: auto;
    }
    ExportDialog #export-preview { width: auto; text-wrap: nowrap; }
    ExportDialog #export-file-row { height: auto; }
    ExportDialog #export-file-row > Static { width: auto; padding: 1 1 0 0; }
    ExportDialog #export-path { width: 1fr; }
    ExportDialog #export-where {
        height: 1; color: $text-muted; text-wrap: nowrap; text-overflow: ellipsis;
    }
    ExportDialog #export-status { height: auto; color: $text-muted; }
    ExportDialog #export-status.-error { color: $error; text-style: bold; }
    ExportDialog #export-status.-warning { color: $warning; text-style: bold; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Export", priority=True, id="export.save"),
        Binding("escape", "close", "Close", id="export.close"),
    ]

    def __init__(
        self, repo: Repo, config: Config | None = None, collection: str | None = None
    ) -> None:
        from workbench.export import FORMATS

        super().__init__()
        self.repo = repo
        self.config = config
        self.formats = FORMATS
        self.initial_collection = collection
        #: the name in the file box as the dialog last filled it: replaced when a choice
        #: changes, unless the editor typed their own
        self._auto_name = ""
        self._last_path = ""  # the file name the status and "Writes …" line were made for
        #: (format, targets) the editor was warned exist: the next ctrl+s replaces them
        self._armed: tuple[str, tuple[Path, ...]] | None = None
        self._token = 0  # bumped per preview asked for; older answers are dropped
        self._saving = False
        self._names: list[str] | None = None  # the collections offered, once read
        self.previews = 0  # previews shown, for tests
        self.loaded = False  # for tests: the collections are listed

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        box = Vertical(id="export-box")
        box.border_title = "Export"
        box.border_subtitle = "ctrl+s writes · esc closes"
        first = self.initial_collection or WHOLE_DESK
        collections = [("Whole desk", WHOLE_DESK)]
        if first:
            collections.append((clean_line(first), first))
        with box:
            with Horizontal(id="export-top"):
                with VerticalScroll(id="export-choices"):
                    yield Static("Format", classes="heading", markup=False)
                    formats = OptionList(id="export-format")
                    for name, fmt in self.formats.items():
                        label = Text(f"{name:<12}", style="bold")
                        label.append(fmt.description, style="dim")
                        formats.add_option(Option(label, id=name))
                    yield formats
                    yield Static("Collection", classes="heading", markup=False)
                    yield Select(
                        collections,
                        value=first,
                        allow_blank=False,
                        id="export-collection",
                        compact=True,
                    )
                    with Vertical(id="export-kind-row", classes="-hidden"):
                        yield Static("CSV", classes="heading", markup=False)
                        yield Select(
                            [("all kinds, one file each", ALL_KINDS)]
                            + [(kind, kind) for kind in CSV_CHOICES],
                            value=ALL_KINDS,
                            allow_blank=False,
                            id="export-kind",
                            compact=True,
                        )
                        yield Checkbox("UTF-8 BOM (for Excel)", id="export-bom")
                preview_box = VerticalScroll(id="export-preview-box")
                preview_box.border_title = "Preview"
                with preview_box:
                    yield Static("", id="export-preview", markup=False)
            with Horizontal(id="export-file-row"):
                yield Static("File", markup=False)
                yield Input(id="export-path")
            yield Static("", id="export-where", markup=False)
            yield Static("", id="export-status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        formats = self.query_one("#export-format", OptionList)
        formats.highlighted = 0
        self.set_focus(formats)
        self.load_collections()
        self._choices_changed()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if forward_failure(self, event) and event.worker.group == "export-write":
            self._saving = False

    def _ui(self, callback: Callable[..., Any], *args: Any) -> None:
        """From a worker: run ``callback`` on the UI thread, if the dialog is still open."""

        def run() -> None:
            if self.is_attached:
                callback(*args)

        with suppress(RuntimeError):  # the app has closed meanwhile
            self.app.call_from_thread(run)

    # ------------------------------------------------------------------ the choices

    @property
    def fmt(self) -> str:
        formats = self.query_one("#export-format", OptionList)
        index = formats.highlighted or 0
        return list(self.formats)[index]

    @property
    def collection(self) -> str | None:
        value = self.query_one("#export-collection", Select).value
        return value if isinstance(value, str) and value != WHOLE_DESK else None

    @property
    def kind(self) -> str | None:
        if not self.formats[self.fmt].parts:
            return None
        value = self.query_one("#export-kind", Select).value
        return value if isinstance(value, str) and value != ALL_KINDS else None

    @property
    def path(self) -> Path | None:
        """The file to write, relative names in the current folder; None when empty."""
        typed = self.query_one("#export-path", Input).value.strip()
        if not typed:
            return None
        path = Path(typed).expanduser()
        return path if path.is_absolute() else Path.cwd() / path

    def options(self) -> ExportOptions:
        from workbench.export import ExportOptions

        is_csv = bool(self.formats[self.fmt].parts)
        return ExportOptions(
            editor=self.repo.editor,
            collection=self.collection,
            kind=self.kind,
            bom=is_csv and self.query_one("#export-bom", Checkbox).value,
            organisation=export_setting(self.config, "organisation"),
            organisation_url=export_setting(self.config, "organisation_url"),
        )

    def targets(self, path: Path) -> list[Path]:
        """The files an export to ``path`` writes (csv of every kind: one per kind)."""
        parts = self.formats[self.fmt].parts
        if parts and self.kind is None:
            return [path.with_name(f"{path.stem}-{part}{path.suffix or '.csv'}") for part in parts]
        return [path]

    def load_collections(self) -> None:
        repo = self.repo

        def load() -> None:
            self._ui(self._show_collections, [c.name for c in repo.collections()])

        self.run_worker(
            load,
            thread=True,
            exclusive=True,
            group="export-collections",
            name="list the collections",
            exit_on_error=False,
        )

    def _show_collections(self, names: list[str]) -> None:
        select = self.query_one("#export-collection", Select)
        chosen = select.value if isinstance(select.value, str) else WHOLE_DESK
        options = [("Whole desk", WHOLE_DESK)] + [(clean_line(n), n) for n in names]
        if names != self._names:
            self._names = names
            by_case = {n.lower(): n for n in names}
            with self.prevent(Select.Changed):
                select.set_options(options)
                if chosen and chosen.lower() in by_case:
                    select.value = by_case[chosen.lower()]
            self._choices_changed()
            if chosen and chosen.lower() not in by_case:
                self._status(
                    f"There is no collection named {clean_line(chosen)} any more: "
                    "showing the whole desk.",
                    "warning",
                )
        self.loaded = True

    @on(OptionList.OptionHighlighted, "#export-format")
    @on(Select.Changed)
    @on(Checkbox.Changed)
    def _choices_changed(self) -> None:
        if not self.is_mounted:
            return
        fmt = self.formats[self.fmt]
        self.query_one("#export-kind-row").set_class(not fmt.parts, "-hidden")
        box = self.query_one("#export-path", Input)
        name = default_file_name(self.collection, fmt.suffix, self.kind)
        if box.value == self._auto_name:  # not typed by the editor: follow the choices
            box.value = name
            box.cursor_position = len(name)
        self._auto_name = name
        self._last_path = box.value
        self._armed = None
        self._show_where()
        self._show_notes()
        self.refresh_preview()

    def _show_notes(self) -> None:
        """What the editor should know about this export before publishing it (say, no
        organisation configured for ClaimReview): said, not refused."""
        from workbench import export

        notes = getattr(export, "notes", None)
        said = notes(self.fmt, self.options()) if callable(notes) else []
        self._status(" ".join(said), "warning" if said else "")

    @on(OptionList.OptionSelected, "#export-format")
    def _format_chosen(self) -> None:
        self.set_focus(self.query_one("#export-path", Input))

    @on(Input.Changed, "#export-path")
    def _path_changed(self) -> None:
        """Another name: a warning or an error about the old one no longer applies."""
        if not self.is_mounted:
            return
        value = self.query_one("#export-path", Input).value
        if value == self._last_path:
            return  # the dialog's own fill-in, already handled
        self._last_path = value
        self._armed = None
        self._show_where()
        self._show_notes()

    def _show_where(self) -> None:
        where = self.query_one("#export-where", Static)
        path = self.path
        if path is None:
            where.update(Text("Type a file name.", style="italic"))
            return
        files = self.targets(path)
        if len(files) > 1:
            parts = self.formats[self.fmt].parts
            said = (
                f"Writes {len(files)} files in {path.parent}: {path.stem}-<kind>"
                f"{path.suffix or '.csv'} for {', '.join(parts)}"
            )
        else:
            said = f"Writes {path}"
        where.update(Text(said))

    # ------------------------------------------------------------------ the preview

    def refresh_preview(self) -> None:
        """Redraw the preview for the choices as they are now, in a worker."""
        from workbench.export import ExportError, preview

        self._token += 1
        token, fmt, engine = self._token, self.fmt, self.repo.engine
        options = self.options()
        heading = f"Preview: {fmt}"
        heading += f" · {options.collection}" if options.collection else " · whole desk"
        if self.formats[fmt].parts and options.kind is None:
            heading += f" · {self.formats[fmt].parts[0]} (first of the files)"
        self.query_one("#export-preview-box").border_title = clean_line(heading)

        def work() -> None:
            try:
                text = preview(engine, fmt, options)
            except ExportError as exc:
                self._ui(self._show_preview, token, "", _line(exc))
                return
            self._ui(self._show_preview, token, text, "")

        self.run_worker(
            work,
            thread=True,
            exclusive=True,
            group="export-preview",
            name="preview the export",
            exit_on_error=False,
        )

    def _show_preview(self, token: int, text: str, error: str) -> None:
        if token != self._token:
            return  # the choices changed since: a newer preview is on its way
        body = self.query_one("#export-preview", Static)
        if error:
            body.update(Text(error, style="bold red"))
        else:
            body.update(Text(text or "(empty)"))
        self.previews += 1

    @property
    def preview_text(self) -> str:
        """The preview as shown (for tests)."""
        return str(self.query_one("#export-preview", Static).content)

    # ------------------------------------------------------------------ writing

    @on(Input.Submitted, "#export-path")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_save(self) -> None:
        from workbench.export import ExportError, export_to_path

        if self._saving:
            return
        path = self.path
        if path is None:
            self._status("Type a file name first.", "error")
            self.set_focus(self.query_one("#export-path", Input))
            return
        fmt, engine, options = self.fmt, self.repo.engine, self.options()
        targets = tuple(self.targets(path))
        replace = self._armed == (fmt, targets)
        self._saving = True
        self._status("Writing…")

        def work() -> None:
            if not replace:
                existing = [t for t in targets if t.exists()]
                if existing:
                    self._ui(self._ask_replace, fmt, targets, existing)
                    return
            try:
                counts = export_to_path(engine, fmt, path, options)
            except (ExportError, OSError) as exc:
                self._ui(self._failed, _line(exc))
                return
            self._ui(self._written, path, targets, counts)

        self.run_worker(
            work, thread=True, group="export-write", name="write the export", exit_on_error=False
        )

    def _ask_replace(self, fmt: str, targets: tuple[Path, ...], existing: list[Path]) -> None:
        self._saving = False
        self._armed = (fmt, targets)
        names = ", ".join(p.name for p in existing)
        self._status(
            f"{names} already exist{'s' if len(existing) == 1 else ''}: ctrl+s again "
            "replaces, or change the file name.",
            "warning",
        )

    def _failed(self, message: str) -> None:
        self._saving = False
        self._armed = None
        self._status(f"Not exported: {message}", "error")

    def _written(self, path: Path, targets: tuple[Path, ...], counts: dict[str, int]) -> None:
        self._saving = False
        where = str(targets[0]) if len(targets) == 1 else f"{len(targets)} files in {path.parent}"
        self.notify(f"Exported {counts_text(counts)} to {where}.", title="Export", markup=False)
        self.dismiss(path)

    def _status(self, message: str, level: str = "") -> None:
        status = self.query_one("#export-status", Static)
        status.update(Text(message))
        status.set_class(level == "error", "-error")
        status.set_class(level == "warning", "-warning")

    @property
    def status(self) -> str:
        """The status line as shown (for tests)."""
        return str(self.query_one("#export-status", Static).content)

    # ------------------------------------------------------------------ live

    def desk_changed(self, message: DeskChanged) -> None:
        """A colleague's change: the collection list and the preview follow it."""
        entities = message.batch.entities
        if "collection" in entities:
            self.load_collections()
        if entities & WATCHES and not self._saving:
            self.refresh_preview()

    def action_close(self) -> None:
        self.dismiss(None)


__all__ = ["ExportDialog", "counts_text", "default_file_name", "export_setting", "slug"]
