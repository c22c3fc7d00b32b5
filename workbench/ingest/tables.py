"""Reading the pipe tables that articles paste into their text.

Newsrooms publish positions ("Issue | Calvera | Drossland") and timelines ("Date | Event |
What was said") as Markdown-ish tables, and by the time an article reaches us they are often
broken: no ``|---|`` row, ragged rows, markup and HTML left in cells, ``/>`` debris after
them. They are still structured evidence, so this module reads them as forgivingly as it
can and turns them into *candidates* (positions, timeline events) for an editor to accept;
it never decides anything on its own and never raises on odd input.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date

from workbench.dates import parse_date_expression


@dataclass(frozen=True)
class PipeTable:
    """One table found in an article's text, cells already cleaned of markup."""

    header: list[str]
    rows: list[list[str]]  # each row exactly len(header) cells
    start: int  # text[start:end] is the table block, first cell's line to the last row's
    end: int
    kind: str  # "positions" | "dated" | "other"
    year: int | None = None  # a year named in the header, e.g. "Date (2025)"


@dataclass(frozen=True)
class PositionCandidate:
    """One actor's stated position on one issue, as a positions table gives it."""

    issue: str
    actor: str
    summary: str


@dataclass(frozen=True)
class EventCandidate:
    """One timeline row, with its date read as honestly as the cell allows."""

    start: date | None
    end: date | None
    precision: str
    title: str  # the event column, cleaned, ≤ 120 chars
    said: str  # a "what was said"/"statement"/"quote" column if present, else ""
    date_text: str  # the original date cell


TITLE_LIMIT = 120

#: First header cells that make a table a timeline.
_DATE_HEADERS = {
    "date",
    "dates",
    "when",
    "day",
    "days",
    "time",
    "timeline",
    "date/time",
    "date and time",
    "date & time",
}
#: First header cells that name the question a positions table answers.
_ISSUE_HEADERS = {
    "issue",
    "issues",
    "key issue",
    "key issues",
    "topic",
    "topics",
    "question",
    "questions",
    "subject",
    "subjects",
    "matter",
    "area",
    "areas",
    "theme",
    "themes",
    "point",
    "points",
    "sticking point",
    "point of contention",
}
#: Column headers that describe a column's content rather than naming an actor or side.
_GENERIC_HEADERS = {
    "position",
    "positions",
    "stance",
    "stances",
    "view",
    "views",
    "notes",
    "note",
    "details",
    "detail",
    "comment",
    "comments",
    "status",
    "source",
    "sources",
    "description",
    "summary",
    "explanation",
    "what was said",
    "statement",
    "statements",
    "quote",
    "quotes",
    "event",
    "events",
    "why it matters",
    "context",
    "background",
    "evidence",
    "link",
    "links",
    "reference",
    "references",
    "date",
    "when",
    "as of",
    "updated",
    "last updated",
    "latest",
    "outcome",
    "result",
    "impact",
    "analysis",
    "what it means",
    "key points",
    "remarks",
    "category",
    "type",
    "#",
    "no.",
    "no",
    "",
}
_EVENT_HEADERS = {
    "event",
    "events",
    "what happened",
    "happening",
    "development",
    "developments",
    "milestone",
    "headline",
}
_SAID_WORDS = re.compile(r"\b(?:said|says|quotes?|statements?|remarks?)\b", re.IGNORECASE)

_SEPARATOR_CELL = re.compile(r":?-{1,}:?")
_JUNK_LINE = re.compile(r"(?:\s|</?[A-Za-z][^<>]*>|/>|<!--.*?-->|&nbsp;)*", re.IGNORECASE)
_YEAR = re.compile(r"(?<!\d)((?:1[89]|20|21)\d\d)(?!\d)")
_HEADER_NOISE = re.compile(r"\([^)]*\)|\[[^\]]*\]|[:*#?]+$|^\W+|\W+$")


# --- cleaning cells --------------------------------------------------------------------------

_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_REF_LINK = re.compile(r"!?\[([^\]]+)\]\[[^\]]*\]")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^<>\s]+)>", re.IGNORECASE)
_CODE = re.compile(r"`+([^`]*)`+")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EM_STAR = re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])")
_EM_UNDER = re.compile(r"(?<![\w_])_(?=\S)(.+?)(?<=\S)_(?![\w_])")
_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"</?[A-Za-z][^<>]*>|<!--.*?-->")
_STRAY_TAG_END = re.compile(r"(?<!\S)/?>(?!\S)")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_cell(raw: str) -> str:
    """Cell text as a reader sees it: markup and tags gone, entities decoded, one line.

    Link text is kept (it is usually the name of the thing), the address dropped; entities
    are decoded *after* tags are removed, so an escaped ``&lt;b&gt;`` survives as text.
    """
    text = raw.replace("\\|", "|")
    text = _AUTOLINK.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    text = _REF_LINK.sub(r"\1", text)
    text = _CODE.sub(r"\1", text)
    text = _BREAK.sub(" ", text)
    text = _TAG.sub("", text)
    text = _STRAY_TAG_END.sub(" ", text)
    text = _STRONG.sub(r"\2", text)
    text = _STRIKE.sub(r"\1", text)
    text = _EM_STAR.sub(r"\1", text)
    text = _EM_UNDER.sub(r"\1", text)
    text = html.unescape(text).replace("\u00a0", " ")
    text = _CONTROLS.sub(" ", text)
    return " ".join(text.split())


# --- finding tables --------------------------------------------------------------------------


def _split_row(line: str) -> list[str] | None:
    """The raw cells of a pipe row, or None when the line is not one.

    One leading and one trailing pipe are optional decoration; ``\\|`` is a literal pipe.
    """
    body = line.strip()
    if "|" not in body.replace("\\|", ""):
        return None
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    cells = re.split(r"(?<!\\)\|", body)
    return cells if len(cells) >= 2 else None


def _is_separator(cells: list[str]) -> bool:
    stripped = [c.strip().replace(" ", "") for c in cells]
    return any(stripped) and all(_SEPARATOR_CELL.fullmatch(c) or not c for c in stripped)


def _lines(text: str) -> list[tuple[int, int, str]]:
    """(start, end, line) without the newline, so offsets index the original text."""
    out = []
    pos = 0
    for line in text.split("\n"):
        end = pos + len(line)
        out.append((pos, end, line.rstrip("\r")))
        pos = end + 1
    return out


def find_tables(text: str) -> list[PipeTable]:
    """Every pipe table in an article's text, in order; malformed ones read as well as can be.

    A table is two or more consecutive pipe rows (a line with a ``|`` that splits into at
    least two cells) with a header and at least one data row. Blank lines, and lines of
    HTML debris such as ``</p>``, are tolerated between rows only when another pipe row
    follows, so the debris after a table never becomes part of it, and only when that row
    fits the table: no more columns, a date first if the table is dated, and not the
    header of rows of its own — two tables a blank line apart stay two tables.
    """
    try:
        return _find_tables(text) if isinstance(text, str) else []
    except Exception:  # an odd article must not stop the import of the rest
        return []


def _find_tables(text: str) -> list[PipeTable]:
    lines = _lines(text)
    rows = [_split_row(line) for _start, _end, line in lines]
    tables: list[PipeTable] = []
    i = 0
    while i < len(lines):
        if rows[i] is None:
            i += 1
            continue
        block = [i]
        current = _Current(text, lines, rows, i)
        j = i + 1
        while j < len(lines):
            if rows[j] is not None:
                block.append(j)
                current.add(j)
                j += 1
                continue
            k = j
            while k < len(lines) and rows[k] is None and _JUNK_LINE.fullmatch(lines[k][2]):
                k += 1  # blank lines or tag debris: skipped only if this table goes on after them
            if k == j or k >= len(lines) or rows[k] is None or not current.goes_on(k):
                break
            j = k
        for part in _split_at_header(block, rows):
            table = _build(text, [(lines[n][0], lines[n][1], rows[n] or []) for n in part])
            if table is not None:
                tables.append(table)
        i = j
    return tables


#: Rows of the current table read to tell its header, kind and year: enough to classify,
#: few enough that a table spaced by thousands of blank lines stays linear to read.
_SAMPLE_ROWS = 20
#: Rows read below a row after a gap, to see whether it heads a table of its own.
_LOOKAHEAD = 5
#: A cell that is a figure: a number, amount, share or numeric date ("34", "1,200", "45%",
#: "2026-03-03"), not words with a number in them.
_FIGURE = re.compile(r"[\s(]*[-+±~≈]?[$€£¥]?\d[\d\s.,:/%'–-]*[)\s]*(?:[kmbKMB]|bn)?")


class _Current:
    """The table the rows read so far belong to, to tell whether a row after a gap (blank
    lines or tag debris) goes on with it or starts a table of its own.

    Its start follows the rules ``_split_at_header`` splits a block by (a separator row
    under a row, a header word further down), applied row by row as the block grows, so
    each row costs the same however long the table.
    """

    def __init__(
        self,
        text: str,
        lines: list[tuple[int, int, str]],
        rows: list[list[str] | None],
        first: int,
    ) -> None:
        self.text, self.lines, self.rows = text, lines, rows
        self.members = [first]  # line numbers of the current table's rows so far
        self.separated = _is_separator(rows[first] or [])
        self._sample: tuple[int, PipeTable | None] | None = None

    def add(self, index: int) -> None:
        cells = self.rows[index] or []
        position = len(self.members)
        if _is_separator(cells):
            if not self.separated and position >= 2:
                self.members = self.members[-1:]  # the row above is the header of a new table
            self.separated = True
        elif position >= 2 and _header_word(clean_cell(cells[0] if cells else "")) in (
            _DATE_HEADERS | _ISSUE_HEADERS
        ):
            self.members, self.separated = [], False
        self.members.append(index)
        if len(self.members) <= _SAMPLE_ROWS + 1:
            self._sample = None  # the sample is the first rows; later ones leave it be

    def _table(self) -> PipeTable | None:
        """The current table as far as read (its first rows), or None if it has no body."""
        if self._sample is None or self._sample[0] != self.members[0]:
            part = self.members[: _SAMPLE_ROWS + 1]
            block = [(self.lines[n][0], self.lines[n][1], self.rows[n] or []) for n in part]
            self._sample = (self.members[0], _build(self.text, block))
        return self._sample[1]

    def goes_on(self, index: int) -> bool:
        """Whether the pipe row at ``index``, after a gap, is another row of this table.

        It is not when it heads a table of its own (``_starts_table``), has more columns,
        lacks the date a dated table's rows start with, or looks like a header over the
        rows under it (``_heads_rows``). A blank line between the rows of one table is
        common in pasted text; two tables one blank line apart are as common.
        """
        if _starts_table(self.rows, index):
            return False
        table = self._table()
        if table is not None:
            header, dated, year = table.header, table.kind == "dated", table.year
        else:  # a header, perhaps its separator, and no rows yet
            first = next((self.rows[n] for n in self.members if not self._separator(n)), None)
            if not first:
                return False
            header = _trimmed([clean_cell(c) for c in first], keep=2)
            dated, year = _header_word(header[0]) in _DATE_HEADERS, _header_year(header)
        cells = _trimmed([clean_cell(c) for c in self.rows[index] or []], keep=1)
        if len(cells) > len(header):
            return False
        if dated:
            return bool(cells[0]) and parse_date_expression(cells[0], default_year=year) is not None
        return not _heads_rows(self.rows, index, cells, len(header))

    def _separator(self, index: int) -> bool:
        return _is_separator(self.rows[index] or [])


def _trimmed(cells: list[str], *, keep: int) -> list[str]:
    """Cells without the empty ones a trailing pipe too many leaves, keeping ``keep``."""
    while len(cells) > keep and not cells[-1]:
        cells.pop()
    return cells


def _heads_rows(rows: list[list[str] | None], index: int, cells: list[str], width: int) -> bool:
    """Whether the row at ``index`` reads as the header of the rows right under it.

    It does when it is narrower than the table above and the rows under it share its
    width, or when a column holds figures in every row under it and words in this one
    ("Name | Age | City" over "Ada | 34 | Lowmarsh") — the test ``csv.Sniffer`` makes.
    """
    below: list[list[str]] = []
    for line in range(index + 1, min(index + 1 + _LOOKAHEAD, len(rows))):
        raw = rows[line]
        if raw is None:
            break
        if not _is_separator(raw):
            below.append(_trimmed([clean_cell(c) for c in raw], keep=1))
    if not below:
        return False
    if len(cells) < width and all(len(row) == len(cells) for row in below):
        return True
    for column, cell in enumerate(cells):
        if not cell or _FIGURE.fullmatch(cell):
            continue
        under = [row[column] if column < len(row) else "" for row in below]
        if all(value and _FIGURE.fullmatch(value) for value in under):
            return True
    return False


def _starts_table(rows: list[list[str] | None], index: int) -> bool:
    """Whether the pipe row at ``index``, after a gap, is the header of a new table.

    It is when a separator row follows it, or when its first cell is a header word
    ("Date", "Issue"): two tables pasted one after the other must not merge.
    """
    following = rows[index + 1] if index + 1 < len(rows) else None
    if following is not None and _is_separator(following):
        return True
    cells = rows[index] or [""]
    word = _header_word(clean_cell(cells[0]))
    return word in _DATE_HEADERS or word in _ISSUE_HEADERS


def _split_at_header(block: list[int], rows: list[list[str] | None]) -> list[list[int]]:
    """A separator row marks the header above it; pipe lines before that header (a stray
    line of prose with a ``|``) are a block of their own, not the table's header. A row
    in the body whose first cell is a header word ("Issue" under a dated table, "Date"
    under a positions one) starts the next table: tables pasted with no gap between them
    must not merge."""
    for position, index in enumerate(block):
        if _is_separator(rows[index] or []):
            if position >= 2:
                return [block[: position - 1], *_split_at_header(block[position - 1 :], rows)]
            break
    for position in range(2, len(block)):
        cells = rows[block[position]] or [""]
        if _header_word(clean_cell(cells[0])) in _DATE_HEADERS | _ISSUE_HEADERS:
            return [block[:position], *_split_at_header(block[position:], rows)]
    return [block]


def _build(text: str, block: list[tuple[int, int, list[str]]]) -> PipeTable | None:
    rows = [(start, end, cells) for start, end, cells in block if not _is_separator(cells)]
    if len(rows) < 2:
        return None
    header = [clean_cell(c) for c in rows[0][2]]
    while len(header) > 2 and not header[-1]:
        header.pop()  # "| Issue | A | B | |": a trailing pipe too many, not a column
    if not any(header):
        return None
    width = len(header)
    body: list[list[str]] = []
    for _start, _end, raw in rows[1:]:
        cells = [clean_cell(c) for c in raw]
        if len(cells) > width:
            extra = [c for c in cells[width - 1 :] if c]
            cells = [*cells[: width - 1], " | ".join(extra)]
        cells += [""] * (width - len(cells))
        if any(cells):
            body.append(cells)
    if not body:
        return None
    first_line = text[block[0][0] : block[0][1]]
    start = block[0][0] + len(first_line) - len(first_line.lstrip())
    last_line = text[block[-1][0] : block[-1][1]]
    end = block[-1][0] + len(last_line.rstrip())
    year = _header_year(header)
    return PipeTable(header, body, start, end, _classify(header, body, year), year)


def _header_year(header: list[str]) -> int | None:
    """A year the header names ("Date (2025)"), which fills in rows that leave it out."""
    for cell in header:
        found = _YEAR.search(cell)
        if found:
            return int(found.group(1))
    return None


def _header_word(cell: str) -> str:
    """A header cell reduced to its words: "Date (2025):" → "date", "**Issue**" → "issue"."""
    text = _YEAR.sub("", cell)
    text = _HEADER_NOISE.sub("", text.strip())
    text = _HEADER_NOISE.sub("", text.strip())
    return " ".join(text.lower().split())


def _classify(header: list[str], rows: list[list[str]], year: int | None) -> str:
    first = _header_word(header[0])
    if first in _DATE_HEADERS:
        return "dated"
    if first in _ISSUE_HEADERS and _actor_columns(header):
        return "positions"
    cells = [row[0] for row in rows if row[0]]
    dated = sum(1 for cell in cells if parse_date_expression(cell, default_year=year) is not None)
    if cells and dated * 2 > len(cells):
        return "dated"
    return "other"


_POSSESSIVE_GENERIC = re.compile(
    r"^(?P<actor>.+?)(?:['’]s?)?\s+(?:position|stance|view|line|proposal|demand|demands|offer)$"
    r"|^(?:position|stance|view)\s+(?:of\s+)?(?P<actor2>.+)$",
    re.IGNORECASE,
)


def _actor_name(cell: str) -> str | None:
    """The actor a header names, or None for a generic column ("Notes", "Status").

    "Calvera's position" and "Position (Calvera)" name Calvera; the column word around the
    name is dropped so the candidate carries the actor, not the column title.
    """
    word = _header_word(cell)
    if word in _GENERIC_HEADERS or word in _DATE_HEADERS:
        paren = re.search(r"\(([^)]+)\)", cell)
        if paren and _header_word(paren.group(1)) not in _GENERIC_HEADERS:
            return paren.group(1).strip()
        return None
    named = _POSSESSIVE_GENERIC.match(cell.strip())
    if named:
        return (named.group("actor") or named.group("actor2") or "").strip() or None
    # "Aldova (Vasary Palace / Varga)": the side is Aldova; the brackets say who speaks for it
    bare = re.sub(r"\s*\([^)]*\)\s*", " ", cell).strip()
    return bare or cell.strip() or None


def _actor_columns(header: list[str]) -> list[tuple[int, str]]:
    out = []
    for index, cell in enumerate(header[1:], start=1):
        actor = _actor_name(cell)
        if actor:
            out.append((index, actor))
    return out


def _placeholder(cell: str) -> bool:
    """A cell that says "nothing stated" ("—", "n/a"), which is not a position."""
    return not cell or not re.search(r"\w", cell) or cell.lower() in ("n/a", "na", "none")


def position_candidates(table: PipeTable) -> list[PositionCandidate]:
    """One candidate per issue row and actor column with something in the cell.

    Only positions tables give positions; any other kind gives an empty list.
    """
    if table.kind != "positions":
        return []
    actors = _actor_columns(table.header)
    out = []
    for row in table.rows:
        issue = row[0]
        if not issue:
            continue  # a continuation line of a broken row: no question to hang it on
        for index, actor in actors:
            summary = row[index] if index < len(row) else ""
            if not _placeholder(summary):
                out.append(PositionCandidate(issue=issue, actor=actor, summary=summary))
    return out


def _column(header: list[str], wanted: set[str], skip: set[int]) -> int | None:
    for index, cell in enumerate(header[1:], start=1):
        if index not in skip and _header_word(cell) in wanted:
            return index
    return None


def _said_column(header: list[str]) -> int | None:
    for index, cell in enumerate(header[1:], start=1):
        if _SAID_WORDS.search(cell):
            return index
    return None


def _shorten(text: str, limit: int = TITLE_LIMIT) -> str:
    """At most ``limit`` characters, cut at a word with an ellipsis so the cut shows."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:–—-") + "…"


def event_candidates(table: PipeTable, *, reference: date | None = None) -> list[EventCandidate]:
    """One candidate per row of a dated table; the editor accepts, fixes or drops each.

    The first cell is the date, read with the header's year (``Date (2025)``) for rows that
    leave the year out and ``reference`` (the article's date) for everything else. A row
    whose date cannot be read still becomes a candidate, undated, so no row is lost.
    """
    if table.kind != "dated":
        return []
    said_index = _said_column(table.header)
    skip = {said_index} if said_index is not None else set()
    title_index = _column(table.header, _EVENT_HEADERS, skip)
    if title_index is None:
        others = [i for i in range(1, len(table.header)) if i not in skip]
        title_index = others[0] if others else said_index
    out = []
    for row in table.rows:
        date_text = row[0]
        guess = (
            parse_date_expression(date_text, reference=reference, default_year=table.year)
            if date_text
            else None
        )
        title = row[title_index] if title_index is not None and title_index < len(row) else ""
        said = row[said_index] if said_index is not None and said_index < len(row) else ""
        if not title and said:
            title = said
        out.append(
            EventCandidate(
                start=guess.start if guess else None,
                end=guess.end if guess else None,
                precision=guess.precision if guess else "unknown",
                title=_shorten(title),
                said=said,
                date_text=date_text,
            )
        )
    return out
