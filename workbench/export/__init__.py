"""Exports of the desk: the registry of formats, atomic files and previews.

Every format is a ``write(engine, out, options)`` that streams rows into a text stream and
returns how many items of each kind it wrote; none builds the whole file in memory. Each
reads the desk in one read transaction (a consistent snapshot while editors keep writing)
and resolves the collection before writing a byte, so an unknown collection fails with
nothing written.

Formats: ``md`` (paste into a story), ``csv`` (one file per kind), ``json`` and ``jsonl``
(the full desk, round-trippable), ``claimreview`` (schema.org JSON-LD for fact-checks),
``timelinejs`` (Knight Lab TimelineJS), ``annotations`` (W3C Web Annotations) and ``html``
(a self-contained report page). The publishing formats share one reader
(``workbench.export.rows``), which decides once what an export of the whole desk or of a
collection contains.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from workbench.export.errors import ExportError

if TYPE_CHECKING:  # the CLI imports this module at start-up: no SQLAlchemy until an export
    from sqlalchemy import Engine

#: Name shown as the exporting software in every export's provenance.
GENERATOR = "Newsroom Workbench"


@dataclass(frozen=True)
class ExportOptions:
    editor: str  # who exports (provenance)
    collection: str | None = None  # collection NAME (case-insensitive); None = whole desk
    kind: str | None = None  # csv only: "statements" | "positions" | "events" | "links"
    bom: bool = False  # csv only: UTF-8 BOM for Excel
    organisation: str = ""  # claimreview: author organisation (from config [export])
    organisation_url: str = ""
    now: dt.datetime | None = None  # exported_at (aware UTC); None = now. Golden tests pin it.

    def exported_at(self) -> dt.datetime:
        """The export's time, aware UTC, to the second (what every header prints)."""
        now = self.now or dt.datetime.now(dt.UTC)
        if now.tzinfo is None:
            now = now.replace(tzinfo=dt.UTC)
        return now.astimezone(dt.UTC).replace(microsecond=0)


Writer = Callable[["Engine", IO[str], ExportOptions], dict[str, int]]


@dataclass(frozen=True)
class Format:
    name: str
    suffix: str
    description: str
    write: Writer
    #: csv: the kinds written as separate files when no kind is given
    parts: tuple[str, ...] = ()


# --------------------------------------------------------------------------- writers
# Each imports its module when called: the CLI starts fast, and a format whose module is
# being changed (or is missing) does not stop the others from working.


def _write_md(engine: Engine, out: IO[str], options: ExportOptions) -> dict[str, int]:
    from workbench.export.markdown import write_markdown

    return write_markdown(engine, out, options)


def _write_csv(engine: Engine, out: IO[str], options: ExportOptions) -> dict[str, int]:
    from workbench.export.csv_export import write_csv

    return write_csv(engine, out, options)


def _json_kwargs(options: ExportOptions) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"editor": options.editor}
    if options.collection is not None:
        kwargs["collection"] = options.collection
    if options.now is not None:
        kwargs["now"] = options.now
    return kwargs


def _write_json(engine: Engine, out: IO[str], options: ExportOptions) -> dict[str, int]:
    from workbench.export.json_export import write_json

    return write_json(engine, out, **_json_kwargs(options))


def _write_jsonl(engine: Engine, out: IO[str], options: ExportOptions) -> dict[str, int]:
    from workbench.export import json_export

    write_jsonl = getattr(json_export, "write_jsonl", None)
    if write_jsonl is None:  # pragma: no cover - only while the JSONL writer is being built
        raise ExportError("the jsonl format is not available in this version")
    return write_jsonl(engine, out, **_json_kwargs(options))  # type: ignore[no-any-return]


def _write_claimreview(engine: Engine, out: IO[str], options: ExportOptions) -> dict[str, int]:
    from workbench.export.claimreview import write_claimreview

    return write_claimreview(engine, out, options)


def _write_timelinejs(engine: Engine, out: IO[str], options: ExportOptions) -> dict[str, int]:
    from workbench.export.timelinejs import write_timelinejs

    return write_timelinejs(engine, out, options)


def _write_annotations(engine: Engine, out: IO[str], options: ExportOptions) -> dict[str, int]:
    from workbench.export.annotations import write_annotations

    return write_annotations(engine, out, options)


def _write_html(engine: Engine, out: IO[str], options: ExportOptions) -> dict[str, int]:
    from workbench.export.html_export import write_html

    return write_html(engine, out, options)


CSV_KINDS = ("statements", "positions", "events", "links")

FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format(
            "md",
            ".md",
            "Markdown to paste into a story: positions, timeline, statements",
            _write_md,
        ),
        Format(
            "csv",
            ".csv",
            "spreadsheet rows, one file per kind (statements, positions, events, links)",
            _write_csv,
            parts=CSV_KINDS,
        ),
        Format("json", ".json", "the whole desk as one JSON object (round-trippable)", _write_json),
        Format("jsonl", ".jsonl", "the desk as JSON Lines, one item a line", _write_jsonl),
        Format(
            "claimreview",
            ".claimreview.json",
            "schema.org ClaimReview JSON-LD for statements with a verdict",
            _write_claimreview,
        ),
        Format(
            "timelinejs",
            ".timeline.json",
            "Knight Lab TimelineJS JSON: events and dated statements",
            _write_timelinejs,
        ),
        Format(
            "annotations",
            ".jsonld",
            "W3C Web Annotations: each statement's evidence on its article",
            _write_annotations,
        ),
        Format("html", ".html", "one self-contained report page", _write_html),
    )
}


def get_format(name: str) -> Format:
    try:
        return FORMATS[name]
    except KeyError:
        raise ExportError(f"unknown export format {name!r} (have: {', '.join(FORMATS)})") from None


def check_options(fmt: str, options: ExportOptions) -> Format:
    """The format, once the options make sense for it (one clear error otherwise)."""
    found = get_format(fmt)
    if options.kind is not None:
        if not found.parts:
            raise ExportError(f"--kind is for csv only; {fmt} writes every kind in one file")
        if options.kind not in found.parts:
            raise ExportError(
                f"unknown kind {options.kind!r} for {fmt} (have: {', '.join(found.parts)})"
            )
    if options.bom and found.name != "csv":
        raise ExportError(f"--bom is for csv only (Excel reads {fmt} as UTF-8 already)")
    return found


def notes(fmt: str, options: ExportOptions) -> list[str]:
    """Things the person exporting should know about this export, as full sentences (the
    CLI prints them on stderr, the TUI in its dialog). Not errors: the export is made."""
    said: list[str] = []
    if fmt == "claimreview" and not options.organisation:
        said.append(
            f"no organisation in the config's [export] table: the ClaimReview author is "
            f"the editor {options.editor!r}; set [export] organisation and organisation_url "
            "before publishing"
        )
    if fmt == "claimreview" and not options.organisation_url:
        said.append(
            "no organisation_url in the config's [export] table: the ClaimReviews have no "
            "url (Google requires one on the fact-checker's own site)"
        )
    return said


def write(engine: Engine, fmt: str, out: IO[str], options: ExportOptions) -> dict[str, int]:
    """Write one export to an open text stream."""
    return check_options(fmt, options).write(engine, out, options)


# --------------------------------------------------------------------------- files


def part_path(path: Path, part: str) -> Path:
    """Where one kind of a multi-file export goes: ``desk.csv`` → ``desk-statements.csv``."""
    return path.with_name(f"{path.stem}-{part}{path.suffix or '.csv'}")


def export_paths(fmt: str, path: Path, options: ExportOptions) -> list[Path]:
    """The files an export to ``path`` writes."""
    found = check_options(fmt, options)
    if found.parts and options.kind is None:
        return [part_path(path, part) for part in found.parts]
    return [path]


def _check_target(path: Path) -> None:
    if path.is_dir():
        raise ExportError(f"cannot write {path}: it is a directory")
    if not path.parent.exists():
        raise ExportError(f"cannot write {path}: folder {path.parent} does not exist")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _desk_files(engine: Engine) -> set[Path]:
    """The files of a SQLite desk (with its WAL and shared memory): an export must never
    be written over them."""
    database = engine.url.database if engine.url.get_backend_name() == "sqlite" else None
    if not database:
        return set()
    desk = Path(database).expanduser().resolve()
    return {desk, desk.with_name(desk.name + "-wal"), desk.with_name(desk.name + "-shm")}


def export_to_path(engine: Engine, fmt: str, path: Path, options: ExportOptions) -> dict[str, int]:
    """Write an export to ``path``, atomically: each file is written beside its target and
    renamed only once every file of the export is complete, so a failure never leaves half
    a file or half a set. csv without a kind writes one file per kind
    (``<stem>-<kind>.csv``); the counts returned are summed over the files."""
    found = check_options(fmt, options)
    path = path.expanduser()
    if found.parts and options.kind is None:
        jobs = [(part_path(path, part), replace(options, kind=part)) for part in found.parts]
    else:
        jobs = [(path, options)]
    desk = _desk_files(engine)
    for target, _ in jobs:
        _check_target(target)
        if target.resolve() in desk:
            raise ExportError(f"cannot write {target}: it is the desk itself")
    written: list[tuple[str, Path]] = []
    counts: dict[str, int] = {}
    try:
        for target, job in jobs:
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
            written.append((tmp, target))
            # newline="": csv writes its own \r\n; the other formats write \n as they are.
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
                for key, n in found.write(engine, handle, job).items():
                    counts[key] = counts.get(key, 0) + n
            # mkstemp makes the file private; an export is for colleagues, so use the umask
            os.chmod(tmp, 0o666 & ~_umask())
        for tmp, target in written:
            os.replace(tmp, target)
    except OSError as exc:
        _discard(written)
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from exc
    except BaseException:
        _discard(written)
        raise
    return counts


def _discard(written: list[tuple[str, Path]]) -> None:
    for tmp, _ in written:
        Path(tmp).unlink(missing_ok=True)


# --------------------------------------------------------------------------- preview


class _PreviewFull(Exception):
    """Raised inside a writer once the preview has what it shows: stops the export."""


class _Limited:
    """A text sink that keeps the first ``limit`` characters, then stops the writer."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[str] = []
        self.size = 0

    def write(self, text: str) -> int:
        room = self.limit - self.size
        self.parts.append(text[:room])
        self.size += min(len(text), room)
        if len(text) >= room:
            raise _PreviewFull
        return len(text)

    def flush(self) -> None:  # csv and json call it; nothing is buffered here
        pass

    def text(self) -> str:
        return "".join(self.parts)


def preview(engine: Engine, fmt: str, options: ExportOptions, limit: int = 6000) -> str:
    """The first ``limit`` characters of the export, without rendering the rest: the writer
    is stopped as soon as the preview is full. csv without a kind previews its first kind
    (statements)."""
    found = check_options(fmt, options)
    if found.parts and options.kind is None:
        options = replace(options, kind=found.parts[0])
    sink = _Limited(limit)
    with contextlib.suppress(_PreviewFull):
        found.write(engine, sink, options)  # type: ignore[arg-type]
    return sink.text()


__all__ = [
    "CSV_KINDS",
    "FORMATS",
    "GENERATOR",
    "ExportError",
    "ExportOptions",
    "Format",
    "check_options",
    "export_paths",
    "export_to_path",
    "get_format",
    "notes",
    "part_path",
    "preview",
    "write",
]
