"""Cleaning text that came from outside before it is stored or shown.

Article text, titles and names arrive from feeds and pages we do not control. Escape
sequences in them could drive the editor's terminal (retitle it, move the cursor, hide
text), so every C0/C1 control character except newline and tab goes, and whole escape
sequences go with their parameters rather than leaving debris such as ``[31m`` behind.
"""

from __future__ import annotations

import re

# ESC-introduced sequences (CSI, OSC, DCS, SOS/PM/APC, two-byte) and their 8-bit C1 forms.
_ESCAPES = re.compile(
    r"""
    (?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]                      # CSI ... final byte
  | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f]).*?(?:\x07|\x1b\\|\x9c|$)   # OSC/DCS/SOS/PM/APC
  | \x1b[ -/]*[0-~]                                       # other ESC sequences
    """,
    re.VERBOSE | re.DOTALL,
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def strip_controls(value: str) -> str:
    """Remove terminal escape sequences and control characters, keeping ``\\n`` and ``\\t``."""
    if not value:
        return value
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = _ESCAPES.sub("", value)
    return _CONTROLS.sub("", value)


def clean_line(value: str) -> str:
    """A single-line field (title, name): controls stripped, whitespace collapsed."""
    return " ".join(strip_controls(value).split())
