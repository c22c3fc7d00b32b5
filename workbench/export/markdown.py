"""Markdown a newsroom pastes into a story: GitHub-flavoured, tables that stay tables.

Sections: a header (what, when, by whom, from which collection), a positions table (issues
× actors, each cell the actor's latest position with its as-of date), a dated timeline table
(events and dated statements, oldest first) and a statements list (speaker, date, outlet,
link, status, evidence quote, the collection's note).

Outside text (quotes, titles, names) is never trusted to be plain: every piece of it goes
through :func:`md_text`, which keeps it on one line (newlines and other line breaks become
spaces), backslash-escapes the characters that make Markdown structure inline (pipes, so a
quote never splits a table cell; backticks, emphasis, brackets, angle brackets so no HTML
tag or link is made; backslashes themselves; ``&`` before an entity name) and escapes a
leading character that would start a heading, quote, list or setext underline. Links are
made only to http(s) URLs, with the characters that could end or break the destination
percent-encoded. Statements' internal desk notes are not included (this is text to publish);
the collection's notes, written for the set's recipients, are.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import IO, TYPE_CHECKING
from urllib.parse import quote

from sqlalchemy import Engine

from workbench.export.rows import (
    EventRow,
    PositionRow,
    Scope,
    StatementRow,
    date_label,
    open_scope,
    position_grid,
    positions,
    snapshot,
    statements,
    status,
    timeline,
    web_url,
)

if TYPE_CHECKING:
    from workbench.export import ExportOptions

#: Characters that make inline Markdown structure anywhere in a line.
_INLINE = re.compile(r"([\\`*_\[\]<>|~])")
#: ``&name;`` / ``&#123;`` would render as the character it names.
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
#: A line that starts with these would become a heading, quote, list, rule or underline.
_LEADING = re.compile(r"^([#>+=\-]|\d+(?=[.)]))")
#: C0/C1 controls that str.split() does not treat as whitespace.
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")


def md_text(value: object) -> str:
    """Outside text made safe for one Markdown line or table cell (see module doc)."""
    text = " ".join(_CONTROLS.sub(" ", str(value if value is not None else "")).split())
    text = _INLINE.sub(r"\\\1", text)
    text = _ENTITY.sub(r"\\&", text)
    match = _LEADING.match(text)
    if match:
        if match.group(1)[0].isdigit():  # "1. " → "1\. "
            end = match.end()
            text = text[:end] + "\\" + text[end:]
        else:
            text = "\\" + text
    return text


def md_link(label: str, url: str | None) -> str:
    """``[label](url)`` for an http(s) URL; just the label otherwise (never a link to a
    ``javascript:`` URL). ``label`` is raw text."""
    safe = web_url(url)
    text = md_text(label)
    if safe is None:
        return text
    # Keep the URL's own reserved characters; encode what would end the destination or
    # break a table (spaces, <>, (), |, backslash, backtick, quotes).
    destination = quote(safe, safe="%/:=&?~#+!$,;@*[]'")
    return f"[{text}]({destination})"


def _row(cells: Iterable[str]) -> str:
    return "| " + " | ".join(cell or " " for cell in cells) + " |\n"


def _statement_source(row: StatementRow) -> str:
    outlet = row.outlet or "unknown outlet"
    if row.article_title:
        return md_link(f"{outlet}: {row.article_title}", row.article_url)
    return md_link(outlet, row.article_url)


def write_markdown(engine: Engine, out: IO[str], options: ExportOptions) -> dict[str, int]:
    counts = {"positions": 0, "events": 0, "statements": 0}
    with snapshot(engine) as conn:
        scope = open_scope(conn, options.collection)
        _header(out, scope, options)
        counts["positions"] = _positions(out, positions(conn, scope))
        counts["events"] = _timeline(out, timeline(conn, scope))
        counts["statements"] = _statements(out, statements(conn, scope))
    return counts


def _header(out: IO[str], scope: Scope, options: ExportOptions) -> None:
    if scope.collection is None:
        out.write("# Desk export: whole desk\n\n")
        where = "the whole desk (accepted items)"
    else:
        out.write(f"# Desk export: {md_text(scope.collection)}\n\n")
        where = f"collection “{md_text(scope.collection)}”"
    stamp = options.exported_at().strftime("%Y-%m-%d %H:%M UTC")
    out.write(f"Exported {stamp} by {md_text(options.editor)} from {where}.\n\n")
    if scope.description.strip():
        out.write(f"{md_text(scope.description)}\n\n")


def _positions(out: IO[str], rows: Iterable[PositionRow]) -> int:
    """Issues down, actors across; each cell the actor's latest position on the issue."""
    grid = position_grid(rows)
    out.write("## Positions\n\n")
    if not grid.cells:
        out.write("No positions.\n\n")
        return 0
    out.write(_row(["Issue", *(md_text(name) for name in grid.actors)]))
    out.write(_row(["---"] * (len(grid.actors) + 1)))
    for issue in grid.issues:
        line = [md_text(issue)]
        for actor in grid.actors:
            cell = grid.cells.get((issue, actor))
            if cell is None:
                line.append("—")
                continue
            text = md_text(cell.summary)
            if cell.as_of is not None:
                text += f" (as of {cell.as_of.isoformat()})"
            if cell.note:
                text += f" — {md_text(cell.note)}"
            line.append(text)
        out.write(_row(line))
    out.write("\n")
    return grid.count


def _timeline(out: IO[str], rows: Iterable[EventRow | StatementRow]) -> int:
    out.write("## Timeline\n\n")
    events = 0
    header_written = False
    for row in rows:
        if not header_written:
            out.write(_row(["Date", "What", "Who", "Reported by", "Status"]))
            out.write(_row(["---"] * 5))
            header_written = True
        when = md_text(date_label(row.date, row.date_end, row.precision))
        if isinstance(row, EventRow):
            events += 1
            what = f"**{md_text(row.title)}**"
            if row.description.strip():
                what += f": {md_text(row.description)}"
            if row.note:
                what += f" — {md_text(row.note)}"
            review = "" if row.review == "accepted" else md_text(row.review)
            out.write(_row([when, what, md_text(", ".join(row.actors)), "", review]))
        else:
            what = md_text(f"“{row.text}”" if row.quote else row.text)
            if row.note:
                what += f" — {md_text(row.note)}"
            out.write(
                _row([when, what, md_text(row.who), _statement_source(row), md_text(status(row))])
            )
    if not header_written:
        out.write("Nothing dated.\n")
    out.write("\n")
    return events


def _statements(out: IO[str], rows: Iterable[StatementRow]) -> int:
    out.write("## Statements\n\n")
    n = 0
    for row in rows:
        n += 1
        when = md_text(date_label(row.said_on, row.said_until, row.precision))
        words = md_text(f"“{row.text}”" if row.quote else row.text)
        out.write(f"- **{md_text(row.who)}**, {when}: {words}\n")
        out.write(f"  - Reported by: {_statement_source(row)}\n")
        if row.article_url and web_url(row.article_url) is None:
            out.write(f"  - Address: {md_text(row.article_url)}\n")
        out.write(f"  - Status: {md_text(status(row))}\n")
        if row.evidence_exact:
            out.write(f"  - Evidence: “{md_text(row.evidence_exact)}”\n")
        if row.issue:
            out.write(f"  - Issue: {md_text(row.issue)}\n")
        if row.note:
            out.write(f"  - Note: {md_text(row.note)}\n")
    if n == 0:
        out.write("No statements.\n")
    return n
