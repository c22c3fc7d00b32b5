"""Text helpers for display: single-line fields and the shared control-character filter.

The filter itself lives in ``db.clean`` because the repository applies it to everything it
stores; the UI applies it again when drawing, for rows written before that rule existed.
"""

from __future__ import annotations

from db.clean import strip_controls

__all__ = ["clean_line", "strip_controls"]


def clean_line(value: str) -> str:
    """A single-line field (title, name): controls stripped, whitespace collapsed."""
    return " ".join(strip_controls(value).split())
