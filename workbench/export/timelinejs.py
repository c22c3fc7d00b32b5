"""Knight Lab TimelineJS JSON: the desk's events and dated statements as slides.

The file is what TimelineJS 3 loads (``new TL.Timeline(id, data)`` or a JSON URL):
``{"title": {...}, "events": [...]}``. Each slide's ``start_date``/``end_date`` carries only
the precision the desk knows: ``{"year"}`` for a year, ``{"year", "month"}`` for a month,
year, month and day for a day, so TimelineJS never shows a day nobody reported. Ranges and
approximate ("circa") dates get a ``display_date`` in words (``c. 4 Nov 2026``,
``4–6 Nov 2026``), which TimelineJS shows instead of its own rendering; an approximate date
keeps its day in ``start_date`` so the slide sits in the right place.

TimelineJS renders ``text.headline``, ``text.text`` and the ``group`` label as HTML (the
group's label is set with ``innerHTML``), so all outside text is HTML-escaped, and links are
made only to http(s) article URLs. ``group`` is the actor: the statement's speaker, the
event's first actor (alphabetically). No key is ever null (the
library reads a null ``month`` as month zero); a value that is not known is left out.
Statements without a date have no place on a timeline and are not exported here.
Provenance (when, by whom, from which collection) is the title slide's text.
"""

from __future__ import annotations

import datetime as dt
import json
from html import escape
from typing import IO, TYPE_CHECKING, Any

from sqlalchemy import Engine

from workbench.export.rows import (
    EventRow,
    StatementRow,
    date_label,
    open_scope,
    snapshot,
    status,
    timeline,
    web_url,
)

if TYPE_CHECKING:
    from workbench.export import ExportOptions


def date_object(day: dt.date, precision: str) -> dict[str, int]:
    """A TimelineJS date with only the known parts."""
    if precision == "year":
        return {"year": day.year}
    if precision == "month":
        return {"year": day.year, "month": day.month}
    return {"year": day.year, "month": day.month, "day": day.day}


def _dates(start: dt.date, end: dt.date | None, precision: str) -> dict[str, Any]:
    slide: dict[str, Any] = {"start_date": date_object(start, precision)}
    ranged = end is not None and end != start
    if ranged:
        slide["end_date"] = date_object(end, precision)  # type: ignore[arg-type]
    if ranged or precision == "approximate":
        slide["display_date"] = date_label(start, end, precision)
    return slide


def _p(text: str) -> str:
    return f"<p>{escape(' '.join(text.split()))}</p>"


def _link(label: str, url: str | None) -> str:
    safe = web_url(url)
    if safe is None:
        return escape(label)
    return f'<a href="{escape(safe)}">{escape(label)}</a>'


def statement_slide(row: StatementRow) -> dict[str, Any]:
    if row.said_on is None:
        raise ValueError(f"statement {row.id} has no date: it has no place on a timeline")
    words = f"“{row.text}”" if row.quote else row.text
    parts = [_p(words)]
    outlet = row.outlet or "unknown outlet"
    label = f"{outlet}: {row.article_title}" if row.article_title else outlet
    parts.append(
        f"<p>Reported by {_link(label, row.article_url)} · Status: {escape(status(row))}</p>"
    )
    if row.evidence_exact:
        parts.append(f"<blockquote>{escape(' '.join(row.evidence_exact.split()))}</blockquote>")
    if row.note:
        parts.append(_p(row.note))
    slide = _dates(row.said_on, row.said_until, row.precision)
    slide["text"] = {"headline": escape(row.who), "text": "".join(parts)}
    slide["group"] = escape(row.who)
    slide["unique_id"] = f"statement-{row.id}"
    return slide


def event_slide(row: EventRow) -> dict[str, Any]:
    parts = []
    if row.description.strip():
        parts.append(_p(row.description))
    if row.actors:
        parts.append(_p("Actors: " + ", ".join(row.actors)))
    if row.review != "accepted":
        parts.append(_p(f"Review: {row.review}"))
    if row.note:
        parts.append(_p(row.note))
    slide = _dates(row.date, row.date_end, row.precision)
    slide["text"] = {"headline": escape(row.title)}
    if parts:
        slide["text"]["text"] = "".join(parts)
    if row.actors:
        slide["group"] = escape(row.actors[0])
    slide["unique_id"] = f"event-{row.id}"
    return slide


def write_timelinejs(engine: Engine, out: IO[str], options: ExportOptions) -> dict[str, int]:
    counts = {"events": 0, "statements": 0}
    with snapshot(engine) as conn:
        scope = open_scope(conn, options.collection)
        name = scope.collection or "Whole desk"
        where = f"collection “{scope.collection}”" if scope.collection else "the whole desk"
        stamp = options.exported_at().strftime("%Y-%m-%d %H:%M UTC")
        intro = _p(f"Exported {stamp} by {options.editor} from {where}.")
        if scope.description.strip():
            intro = _p(scope.description) + intro
        title = {"text": {"headline": escape(name), "text": intro}}
        out.write('{\n  "title": ' + json.dumps(title, ensure_ascii=False) + ',\n  "events": [')
        n = 0
        for row in timeline(conn, scope):
            if isinstance(row, EventRow):
                slide = event_slide(row)
                counts["events"] += 1
            else:
                slide = statement_slide(row)
                counts["statements"] += 1
            n += 1
            out.write(("\n    " if n == 1 else ",\n    ") + json.dumps(slide, ensure_ascii=False))
        out.write("\n  ]\n}\n" if n else "]\n}\n")
    return counts
