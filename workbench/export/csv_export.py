"""CSV: one table per kind (statements, positions, events, links), for spreadsheets.

UTF-8, with an optional byte-order mark (``bom``) because Excel reads a BOM-less file in the
machine's legacy code page. Rows are written one at a time through the standard ``csv``
module as they are read, so a file of a million rows costs a row of memory.

Formula injection: a spreadsheet treats a cell that starts with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return as a formula (``=HYPERLINK(…)`` phones home, ``@SUM(…)`` and
``+cmd|…`` run things). Every text cell that starts with one of those is prefixed with a
single quote ``'``, which spreadsheets show as text and do not evaluate. This includes text
that looks like a negative number (``-5``): a quote's words are text, and telling a
harmless ``-5`` from ``-5+cmd|' /C calc'!A0`` is exactly the guessing that lets an attack
through, so the rule has no exceptions. The numeric columns this export writes (ids, offsets)
are never negative and are written as numbers.

Provenance travels on every row (CSV has no header block): ``exported_at``,
``exported_by`` and ``collection`` are the last three columns.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from typing import IO, TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine

from workbench.export.errors import ExportError
from workbench.export.rows import (
    EventRow,
    LinkRow,
    PositionRow,
    Scope,
    StatementRow,
    date_label,
    events,
    links,
    open_scope,
    positions,
    snapshot,
    statements,
)

if TYPE_CHECKING:
    from workbench.export import ExportOptions

#: First characters a spreadsheet may evaluate.
DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """A cell value safe to open in a spreadsheet (see module doc). Numbers stay numbers."""
    if isinstance(value, str) and value.startswith(DANGEROUS_START):
        return "'" + value
    return value


def _iso(value: Any) -> str:
    return value.isoformat() if value is not None else ""


def _ids(values: Iterable[int]) -> str:
    return " ".join(str(v) for v in values)


STATEMENT_COLUMNS = (
    "id",
    "date",
    "said_on",
    "said_until",
    "date_precision",
    "speaker",
    "speaker_kind",
    "attribution",
    "text",
    "quote",
    "verification",
    "review",
    "issue",
    "tags",
    "outlet",
    "article_title",
    "article_url",
    "evidence_exact",
    "evidence_prefix",
    "evidence_suffix",
    "evidence_start",
    "evidence_end",
    "notes",
    "collection_note",
    "editor",
)


def _statement(row: StatementRow) -> list[Any]:
    return [
        row.id,
        date_label(row.said_on, row.said_until, row.precision),
        _iso(row.said_on),
        _iso(row.said_until),
        row.precision,
        row.speaker or "",
        row.speaker_kind or "",
        row.attribution,
        row.text,
        "yes" if row.quote else "no",
        row.verification,
        row.review,
        row.issue or "",
        "; ".join(row.tags),
        row.outlet or "",
        row.article_title or "",
        row.article_url or "",
        row.evidence_exact,
        row.evidence_prefix,
        row.evidence_suffix,
        "" if row.evidence_start is None else row.evidence_start,
        "" if row.evidence_end is None else row.evidence_end,
        row.notes,
        row.note,
        row.editor,
    ]


POSITION_COLUMNS = (
    "id",
    "issue",
    "actor",
    "actor_kind",
    "as_of",
    "summary",
    "review",
    "statements",
    "collection_note",
    "editor",
)


def _position(row: PositionRow) -> list[Any]:
    return [
        row.id,
        row.issue,
        row.actor,
        row.actor_kind,
        _iso(row.as_of),
        row.summary,
        row.review,
        _ids(row.statements),
        row.note,
        row.editor,
    ]


EVENT_COLUMNS = (
    "id",
    "date_label",
    "date",
    "date_end",
    "precision",
    "title",
    "description",
    "actors",
    "statements",
    "review",
    "collection_note",
    "editor",
)


def _event(row: EventRow) -> list[Any]:
    return [
        row.id,
        date_label(row.date, row.date_end, row.precision),
        _iso(row.date),
        _iso(row.date_end),
        row.precision,
        row.title,
        row.description,
        "; ".join(row.actors),
        _ids(row.statements),
        row.review,
        row.note,
        row.editor,
    ]


LINK_COLUMNS = (
    "id",
    "from_id",
    "relation",
    "to_id",
    "from_speaker",
    "from_text",
    "to_speaker",
    "to_text",
    "note",
    "review",
    "editor",
)


def _link(row: LinkRow) -> list[Any]:
    return [
        row.id,
        row.from_id,
        row.relation,
        row.to_id,
        row.from_who,
        row.from_text,
        row.to_who,
        row.to_text,
        row.note,
        row.review,
        row.editor,
    ]


_Reader = Callable[[Connection, Scope], Iterator[Any]]

#: kind → (columns, reader, row → cells)
KINDS: dict[str, tuple[tuple[str, ...], _Reader, Callable[[Any], list[Any]]]] = {
    "statements": (STATEMENT_COLUMNS, statements, _statement),
    "positions": (POSITION_COLUMNS, positions, _position),
    "events": (EVENT_COLUMNS, events, _event),
    "links": (LINK_COLUMNS, links, _link),
}

PROVENANCE_COLUMNS = ("exported_at", "exported_by", "collection")


def write_csv(engine: Engine, out: IO[str], options: ExportOptions) -> dict[str, int]:
    """Write one kind (``options.kind``) as CSV; returns ``{kind: rows}``."""
    if options.kind is None:
        raise ExportError(
            "csv writes one kind per file: give --kind (statements, positions, events, "
            "links) or -o FILE for one file per kind"
        )
    if options.kind not in KINDS:
        raise ExportError(f"unknown kind {options.kind!r} for csv (have: {', '.join(KINDS)})")
    columns, reader, cells = KINDS[options.kind]
    with snapshot(engine) as conn:
        scope = open_scope(conn, options.collection)
        stamp = [options.exported_at().isoformat(), options.editor, scope.collection or ""]
        if options.bom:
            out.write("\ufeff")
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([*columns, *PROVENANCE_COLUMNS])
        n = 0
        for row in reader(conn, scope):
            n += 1
            writer.writerow([neutralise(cell) for cell in (*cells(row), *stamp)])
    return {options.kind: n}
