"""Showing dates as honestly as they are known.

A statement's date is often a range ("Dec 18–20") or imprecise ("mid-December"); the
display must not pretend to a day it does not know.
"""

from __future__ import annotations

from datetime import date

_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def format_span(start: date | None, end: date | None = None, precision: str = "day") -> str:
    """Human form of a date or range with its precision: ``18 Dec 2026``, ``Dec 2026``,
    ``18–20 Dec 2026``, ``30 Dec 2026 – 2 Jan 2027``, ``c. 18 Dec 2026``."""
    if start is None:
        return "date unknown"
    if precision == "year":
        text = str(start.year)
        if end and end.year != start.year:
            text += f"–{end.year}"
        return text
    if precision == "month":
        text = f"{_MONTHS[start.month - 1]} {start.year}"
        if end and (end.year, end.month) != (start.year, start.month):
            text += f" – {_MONTHS[end.month - 1]} {end.year}"
        return text
    prefix = "c. " if precision == "approximate" else ""
    if end is None or end == start:
        return f"{prefix}{start.day} {_MONTHS[start.month - 1]} {start.year}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{prefix}{start.day}–{end.day} {_MONTHS[start.month - 1]} {start.year}"
    if start.year == end.year:
        return (
            f"{prefix}{start.day} {_MONTHS[start.month - 1]} – "
            f"{end.day} {_MONTHS[end.month - 1]} {start.year}"
        )
    return (
        f"{prefix}{start.day} {_MONTHS[start.month - 1]} {start.year} – "
        f"{end.day} {_MONTHS[end.month - 1]} {end.year}"
    )


def format_short(start: date | None, end: date | None = None, precision: str = "day") -> str:
    """A fixed-width-ish gutter form for lists (``2026-12-18``, ``2026-12``, ``~2026-12-18``)."""
    if start is None:
        return "undated"
    if precision == "year":
        return f"{start.year}"
    if precision == "month":
        return f"{start.year}-{start.month:02d}"
    text = start.isoformat()
    if precision == "approximate":
        text = "~" + text
    if end is not None and end != start:
        text += "…"
    return text
