"""One self-contained HTML report page: readable in any browser, mailable, printable.

Everything is in the one file: inline CSS, no scripts, no images, fonts or stylesheets
fetched from anywhere, and a Content-Security-Policy that forbids them anyway (so even a
mistake here could not make the page load or run anything). All outside text goes through
``html.escape`` (quotes included, so it is safe inside attributes too) after C0/C1 control
characters are dropped; line breaks in quotes are kept by CSS, not by inserted markup.
Article links are made only for http(s) URLs and open with ``rel="noopener noreferrer"``:
a ``javascript:`` or ``data:`` URL from a feed is shown as text, never as a link.

Sections: header (what, when, by whom, from which collection), positions (issues ×
actors), timeline (events and dated statements), statements (with outlet, article link,
evidence quote, status, the desk's notes and the collection's note) and links between them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html import escape
from typing import IO, TYPE_CHECKING

from sqlalchemy import Engine

from workbench.export import GENERATOR
from workbench.export.rows import (
    EventRow,
    LinkRow,
    PositionRow,
    Scope,
    StatementRow,
    date_label,
    links,
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

_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

CSS = """
:root { color-scheme: light; }
body { font: 16px/1.5 Georgia, 'Times New Roman', serif; color: #1d1d1f; background: #fff;
  max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
h1, h2, h3 { font-family: 'Helvetica Neue', Arial, sans-serif; line-height: 1.2; }
h1 { font-size: 1.8rem; margin-bottom: .2rem; }
h2 { font-size: 1.3rem; border-bottom: 2px solid #1d1d1f; padding-bottom: .2rem;
  margin-top: 2.5rem; }
.meta { color: #555; font-size: .9rem; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; margin: 1rem 0; }
th, td { border: 1px solid #ccc; padding: .35rem .5rem; text-align: left; vertical-align: top; }
th { background: #f2f2f2; font-family: 'Helvetica Neue', Arial, sans-serif; }
.wide { overflow-x: auto; }
.text { white-space: pre-line; }
.asof { color: #555; font-size: .8rem; white-space: nowrap; }
article { border-top: 1px solid #ddd; padding: .8rem 0; }
article h3 { font-size: 1rem; margin: 0 0 .3rem; }
blockquote { margin: .5rem 0; padding: .3rem .8rem; border-left: 3px solid #999;
  background: #f7f7f7; white-space: pre-line; }
.status { display: inline-block; padding: 0 .4rem; border-radius: .2rem; font-size: .8rem;
  font-family: 'Helvetica Neue', Arial, sans-serif; background: #e8e8e8; }
.status-verified { background: #d6f0d6; } .status-false { background: #f6d0d0; }
.status-misleading { background: #fbe3c4; } .status-disputed { background: #fbf0b8; }
.note { color: #444; font-style: italic; }
dl { margin: .3rem 0; font-size: .9rem; } dt { float: left; clear: left; width: 7rem;
  color: #555; } dd { margin-left: 7.5rem; }
@media print { body { margin: 0; max-width: none; } a { color: inherit; } }
"""

_HEAD = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="referrer" content="no-referrer">
<meta name="generator" content="{generator}">
<title>{title}</title>
<style>{css}</style>
</head>
<body>
"""


def h(value: object) -> str:
    """Outside text as HTML text or attribute content."""
    return escape(_CONTROLS.sub("", str(value if value is not None else "")), quote=True)


def link(label: str, url: str | None) -> str:
    """An anchor for an http(s) URL, else the escaped label (and the address as text)."""
    safe = web_url(url)
    if safe is None:
        return h(label)
    return f'<a href="{h(safe)}" rel="noopener noreferrer">{h(label)}</a>'


def _status(row: StatementRow) -> str:
    return f'<span class="status status-{h(row.verification)}">{h(status(row))}</span>'


def write_html(engine: Engine, out: IO[str], options: ExportOptions) -> dict[str, int]:
    counts = {"positions": 0, "events": 0, "statements": 0, "links": 0}
    with snapshot(engine) as conn:
        scope = open_scope(conn, options.collection)
        title = f"Desk export: {scope.collection or 'whole desk'}"
        out.write(_HEAD.format(generator=h(GENERATOR), title=h(title), css=CSS))
        _header(out, title, scope, options)
        counts["positions"] = _positions(out, positions(conn, scope))
        counts["events"] = _timeline(out, timeline(conn, scope))
        counts["statements"] = _statements(out, statements(conn, scope))
        counts["links"] = _links(out, links(conn, scope))
        out.write("</body>\n</html>\n")
    return counts


def _header(out: IO[str], title: str, scope: Scope, options: ExportOptions) -> None:
    where = (
        f"collection “{h(scope.collection)}”"
        if scope.collection
        else "the whole desk (accepted items)"
    )
    stamp = options.exported_at()
    out.write(f"<header>\n<h1>{h(title)}</h1>\n")
    out.write(
        f'<p class="meta">Exported <time datetime="{h(stamp.isoformat())}">'
        f"{h(stamp.strftime('%Y-%m-%d %H:%M UTC'))}</time> by {h(options.editor)} "
        f"from {where} with {h(GENERATOR)}.</p>\n"
    )
    if scope.description.strip():
        out.write(f'<p class="text">{h(scope.description)}</p>\n')
    out.write("</header>\n")


def _positions(out: IO[str], rows: Iterable[PositionRow]) -> int:
    """Issues down, actors across, the latest position in each cell."""
    grid = position_grid(rows)
    out.write('<section id="positions">\n<h2>Positions</h2>\n')
    if not grid.cells:
        out.write("<p>No positions.</p>\n</section>\n")
        return 0
    out.write('<div class="wide"><table>\n<thead><tr><th scope="col">Issue</th>')
    out.write("".join(f'<th scope="col">{h(name)}</th>' for name in grid.actors))
    out.write("</tr></thead>\n<tbody>\n")
    for issue in grid.issues:
        out.write(f'<tr><th scope="row">{h(issue)}</th>')
        for actor in grid.actors:
            cell = grid.cells.get((issue, actor))
            if cell is None:
                out.write("<td>—</td>")
                continue
            out.write(f"<td>{h(cell.summary)}")
            if cell.as_of is not None:
                out.write(f' <span class="asof">as of {h(cell.as_of.isoformat())}</span>')
            if cell.note:
                out.write(f'<br><span class="note">{h(cell.note)}</span>')
            out.write("</td>")
        out.write("</tr>\n")
    out.write("</tbody>\n</table></div>\n</section>\n")
    return grid.count


def _source(row: StatementRow) -> str:
    outlet = row.outlet or "unknown outlet"
    label = f"{outlet}: {row.article_title}" if row.article_title else outlet
    text = link(label, row.article_url)
    if row.article_url and web_url(row.article_url) is None:
        text += f" <code>{h(row.article_url)}</code>"
    return text


def _timeline(out: IO[str], rows: Iterable[EventRow | StatementRow]) -> int:
    out.write('<section id="timeline">\n<h2>Timeline</h2>\n')
    events = 0
    opened = False
    for row in rows:
        if not opened:
            out.write(
                "<table>\n<thead><tr><th>Date</th><th>What</th><th>Who</th>"
                "<th>Reported by</th><th>Status</th></tr></thead>\n<tbody>\n"
            )
            opened = True
        when = h(date_label(row.date, row.date_end, row.precision))
        if isinstance(row, EventRow):
            events += 1
            what = f"<strong>{h(row.title)}</strong>"
            if row.description.strip():
                what += f'<div class="text">{h(row.description)}</div>'
            if row.note:
                what += f'<div class="note">{h(row.note)}</div>'
            review = "" if row.review == "accepted" else h(row.review)
            out.write(
                f"<tr><td>{when}</td><td>{what}</td><td>{h(', '.join(row.actors))}</td>"
                f"<td></td><td>{review}</td></tr>\n"
            )
        else:
            what = f'<a href="#statement-{row.id}" class="text">{h(_said(row))}</a>'
            out.write(
                f"<tr><td>{when}</td><td>{what}</td><td>{h(row.who)}</td>"
                f"<td>{_source(row)}</td><td>{_status(row)}</td></tr>\n"
            )
    out.write("</tbody>\n</table>\n" if opened else "<p>Nothing dated.</p>\n")
    out.write("</section>\n")
    return events


def _said(row: StatementRow) -> str:
    return f"“{row.text}”" if row.quote else row.text


def _statements(out: IO[str], rows: Iterable[StatementRow]) -> int:
    out.write('<section id="statements">\n<h2>Statements</h2>\n')
    n = 0
    for row in rows:
        n += 1
        when = h(date_label(row.said_on, row.said_until, row.precision))
        out.write(f'<article id="statement-{row.id}">\n')
        out.write(f"<h3>{h(row.who)} · {when} {_status(row)}</h3>\n")
        out.write(f'<p class="text">{h(_said(row))}</p>\n<dl>\n')
        out.write(f"<dt>Reported by</dt><dd>{_source(row)}</dd>\n")
        if row.evidence_exact:
            out.write(
                f"<dt>Evidence</dt><dd><blockquote>{h(row.evidence_exact)}</blockquote></dd>\n"
            )
        if row.issue:
            out.write(f"<dt>Issue</dt><dd>{h(row.issue)}</dd>\n")
        if row.tags:
            out.write(f"<dt>Tags</dt><dd>{h(', '.join(row.tags))}</dd>\n")
        if row.notes.strip():
            out.write(f'<dt>Desk notes</dt><dd class="text">{h(row.notes)}</dd>\n')
        if row.note.strip():
            out.write(f'<dt>Note</dt><dd class="note text">{h(row.note)}</dd>\n')
        out.write(f"<dt>Recorded by</dt><dd>{h(row.editor or 'unknown')}</dd>\n")
        out.write("</dl>\n</article>\n")
    if n == 0:
        out.write("<p>No statements.</p>\n")
    out.write("</section>\n")
    return n


def _links(out: IO[str], rows: Iterable[LinkRow]) -> int:
    n = 0
    for n, row in enumerate(rows, start=1):
        if n == 1:
            out.write(
                '<section id="links">\n<h2>Links between statements</h2>\n<table>\n'
                "<thead><tr><th>Statement</th><th>Relation</th><th>Statement</th>"
                "<th>Note</th></tr></thead>\n<tbody>\n"
            )
        out.write(
            f'<tr><td><a href="#statement-{row.from_id}">{h(row.from_who)}: '
            f"{h(_clip(row.from_text))}</a></td><td>{h(row.relation.replace('_', ' '))}</td>"
            f'<td><a href="#statement-{row.to_id}">{h(row.to_who)}: {h(_clip(row.to_text))}'
            f"</a></td><td>{h(row.note)}</td></tr>\n"
        )
    if n:
        out.write("</tbody>\n</table>\n</section>\n")
    return n


def _clip(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
