"""What may be stored: text from outside, with anything that could drive a terminal removed.

Article text, titles and names arrive from feeds and pages we do not control. Escape
sequences in them could drive an editor's terminal (retitle it, move the cursor, hide
text), and bidirectional overrides can make a line read differently from what it holds.
The repository passes every string it stores through ``strip_controls``; cleaning at the
one door means evidence offsets are taken on the same text that is later shown.
"""

from __future__ import annotations

import re
from typing import Any

# ESC-introduced sequences (CSI, OSC, DCS, SOS/PM/APC, two-byte) and their 8-bit C1 forms.
# A string sequence ends at BEL or ST, or at the end of the line if it is unterminated, so a
# stray ESC ] can never swallow the rest of an article.
_ESCAPES = re.compile(
    r"""
    (?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?                               # CSI … final byte
  | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?  # OSC/DCS/…
  | \x1b[ -/]*[0-~]?                                                # other ESC sequences
    """,
    re.VERBOSE,
)
# C0 and C1 controls except tab and newline; DEL; bidirectional embeddings, overrides and
# isolates (U+202A–U+202E, U+2066–U+2069), which can reorder what a reader sees.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def strip_controls(value: str) -> str:
    """Remove terminal escape sequences and control characters, keeping ``\\n`` and ``\\t``;
    line endings become ``\\n``."""
    if not value:
        return value
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = _ESCAPES.sub("", value)
    return _CONTROLS.sub("", value)


def clean_value(value: Any) -> Any:
    """``strip_controls`` on a string, or on each string in a list; other values as they are."""
    if isinstance(value, str):
        return strip_controls(value)
    if isinstance(value, list):
        return [clean_value(item) for item in value]
    return value
