"""Reading and showing dates as honestly as they are known.

A statement's date is often a range ("Dec 18–20") or imprecise ("mid-December"); the
display must not pretend to a day it does not know, and the parser below keeps the same
promise: every guess carries its precision, and what cannot be dated is said to be so.
Pure functions, standard library only (``dateparser`` is an optional, lazily imported
fallback), because the CLI imports this module at start-up.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

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


# ---------------------------------------------------------------------------------------------
# Reading date expressions
#
# Editors and article tables write dates every way English allows ("Dec. 18", "18–20
# December", "mid-December", "last Friday"), and a wrong guess that looks exact does more harm
# than an honest "unknown". So the common English forms are read by regexes (fast and
# predictable), every guess carries its precision, and a year that the text leaves out is
# filled in by an explicit rule rather than by "this year on the machine's clock".
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DateGuess:
    """What a piece of text says about when something happened, and how sure it is.

    ``start`` is None only when the text is recognisably a date but cannot be placed (a
    "Dec 18" with no year anywhere); ``end`` is set for ranges and fuzzy spans and is
    inclusive; ``text`` is the part of the input that was read, so callers can show or
    highlight exactly what the guess rests on.
    """

    start: date | None
    end: date | None
    precision: str  # "day" | "month" | "year" | "approximate" | "unknown"
    text: str


@dataclass(frozen=True)
class _Span:
    start: date | None
    end: date | None
    precision: str


@dataclass(frozen=True)
class _Ctx:
    reference: date | None
    default_year: int | None


_UNKNOWN = _Span(None, None, "unknown")

_MONTH_WORDS = {
    "january": 1,
    "jan": 1,
    "february": 2,
    "feb": 2,
    "march": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "may": 5,
    "june": 6,
    "jun": 6,
    "july": 7,
    "jul": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sept": 9,
    "sep": 9,
    "october": 10,
    "oct": 10,
    "november": 11,
    "nov": 11,
    "december": 12,
    "dec": 12,
}
_WEEKDAY_WORDS = {
    "monday": 0,
    "mon": 0,
    "tuesday": 1,
    "tues": 1,
    "tue": 1,
    "wednesday": 2,
    "wed": 2,
    "thursday": 3,
    "thurs": 3,
    "thur": 3,
    "thu": 3,
    "friday": 4,
    "fri": 4,
    "saturday": 5,
    "sat": 5,
    "sunday": 6,
    "sun": 6,
}
_NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}
#: Vague counts ("a few days ago") become approximate dates at a typical value.
_VAGUE_COUNTS = {"a few": 3, "a couple of": 2, "several": 4}
_QUARTER_WORDS = {
    "first": 1,
    "1st": 1,
    "second": 2,
    "2nd": 2,
    "third": 3,
    "3rd": 3,
    "fourth": 4,
    "4th": 4,
    "final": 4,
    "last": 4,
}


def _alternation(words: Iterable[str]) -> str:
    """Longest first, so "sept" is tried before "sep" and "thursday" before "thu"."""
    return "|".join(sorted(words, key=len, reverse=True))


_FULL_MONTHS = [calendar.month_name[n].lower() for n in range(1, 13)]
#: A full name never takes a dot ("in mid-November." ends a sentence); "Dec." may.
_M = (
    rf"(?:(?:{_alternation(_FULL_MONTHS)})(?![a-z])"
    rf"|(?:{_alternation(w for w in _MONTH_WORDS if w not in _FULL_MONTHS)})(?![a-z])\.?)"
)
_D = r"(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?(?!\w|[:.]\d)"
_Y = r"(?:1\d|20|21)\d\d(?!\w)"
_YSEP = r"(?:\s*,\s*|\s+|-)"
_WD_FULL = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)(?![a-z])"
_WD_ANY = (
    rf"(?:{_WD_FULL}|(?:{_alternation(w for w in _WEEKDAY_WORDS if not w.endswith('day'))})"
    r"(?![a-z])\.?)"
)
_WD_PREFIX = rf"(?:{_WD_ANY},?\s+)?"
_LEAD = r"(?:(?P<lead>between|from)\s+)?"
_SEP = r"(?P<sep>\s*[-–—‒―−]\s*|\s+(?:to|until|till|til|through|thru|and|&)\s+)"
_TIME_TAIL = r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
_NUM_END = r"(?!\w|[-/.:]\d)"
_PART = (
    r"(?:the\s+)?(?:(?:(?:very\s+)?(?:early|late)|mid|middle)(?!\s+of)"
    r"|(?:end|close|beginning|start|middle|first\s+half|second\s+half"
    r"|(?:first|second|third|fourth|last|final)\s+week)\s+of)"
)
#: Groups that hold a month *name*; in running prose those must be capitalised ("may" is a verb).
_MONTH_GROUPS = ("m", "m1", "m2", "am", "am1", "am2", "bm", "bm1", "bm2")
#: Words after which a bare year or month is a date ("in 2019", "since March"), not a number
#: or a name ("2019 troops", "June Carter").
_PREP_BEFORE = re.compile(
    r"\b(?:in|during|since|until|till|by|throughout|from|of|before|after|for|between|"
    r"early|mid|late|around|circa)[\s-]+$",
    re.IGNORECASE,
)


def _numeric_body(iso_sep: str, num_sep: str) -> str:
    """An ISO or day-first numeric date whose two separators agree ("18/12/2025")."""
    return (
        rf"\d{{4}}(?P<{iso_sep}>[-/.])\d{{1,2}}(?P={iso_sep})\d{{1,2}}"
        rf"|\d{{1,2}}(?P<{num_sep}>[-/.])\d{{1,2}}(?P={num_sep})\d{{4}}"
    )


def _point_re(p: str) -> str:
    """One month-and-day, either order, optional weekday before and year after."""
    return (
        rf"{_WD_PREFIX}(?:(?P<{p}m1>{_M})\s*(?P<{p}d1>{_D})"
        rf"|(?:the\s+)?(?P<{p}d2>{_D})(?:\s+of\s+|\s+|-)(?P<{p}m2>{_M}))"
        rf"(?:{_YSEP}(?P<{p}y>{_Y}))?"
    )


def _month(word: str | None) -> int | None:
    return _MONTH_WORDS.get(word.rstrip(".").lower()) if word else None


def _num(text: str | None) -> int | None:
    if not text:
        return None
    digits = re.match(r"\d+", text)
    return int(digits.group()) if digits else None


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _window_year(month: int, day: int, reference: date) -> int | None:
    """The year that puts month/day in the twelve months ending ~60 days after ``reference``.

    Articles mostly report what already happened and sometimes what is scheduled soon: an
    article of 5 Jan 2026 saying "Dec 30" means 30 Dec 2025, one of 28 Dec 2025 saying
    "Jan 3" means 3 Jan 2026.
    """
    latest = reference + timedelta(days=60)
    best: int | None = None
    for year in (reference.year - 1, reference.year, reference.year + 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if latest - timedelta(days=365) < candidate <= latest:
            return year
        if candidate <= latest + timedelta(days=1):
            best = year  # 29 Feb and other leap-year edges: the latest one not too far ahead
    return best


def _year_for(month: int, day: int, ctx: _Ctx) -> int | None:
    """A year the text left out: the caller's default, else the window around the reference."""
    if ctx.default_year is not None:
        return ctx.default_year
    if ctx.reference is not None:
        return _window_year(month, day, ctx.reference)
    return None


def _span(start: date, end: date | None, precision: str) -> _Span:
    return _Span(start, end if end is not None and end != start else None, precision)


# --- handlers: a regex match to a span (None = not a usable date) -----------------------------


def _on_point(m: re.Match[str], ctx: _Ctx) -> _Span | None:
    month = _month(m.group("m1") or m.group("m2"))
    day = _num(m.group("d1") or m.group("d2"))
    if month is None or day is None:
        return None
    year = _num(m.group("y")) or _year_for(month, day, ctx)
    if year is None:
        return _UNKNOWN if _valid(2000, month, day) else None
    return _Span(date(year, month, day), None, "day") if _valid(year, month, day) else None


def _valid(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _numeric_ymd(year: int, first: int, second: int, *, day_first: bool) -> date | None:
    """A numeric date; day-first as in most of the world, flipped when only that can be valid."""
    day, month = (first, second) if day_first else (second, first)
    if month > 12 and day <= 12:
        day, month = month, day
    if not 1000 <= year <= 2199 or not _valid(year, month, day):
        return None
    return date(year, month, day)


def _on_iso(m: re.Match[str], ctx: _Ctx) -> _Span | None:
    year, month, day = int(m.group("ny")), int(m.group("nm")), int(m.group("nd"))
    if not 1000 <= year <= 2199 or not _valid(year, month, day):
        return None
    return _Span(date(year, month, day), None, "day")


def _on_numeric(m: re.Match[str], ctx: _Ctx) -> _Span | None:
    raw_year = m.group("ny")
    year = int(raw_year) + 2000 if len(raw_year) == 2 else int(raw_year)
    found = _numeric_ymd(year, int(m.group("na")), int(m.group("nb")), day_first=True)
    return _Span(found, None, "day") if found else None


def _on_numeric_day_month(m: re.Match[str], ctx: _Ctx) -> _Span | None:
    first, second = int(m.group("na")), int(m.group("nb"))
    day, month = (first, second) if second <= 12 else (second, first)
    if month > 12 or not _valid(2000, month, day):
        return None
    year = _year_for(month, day, ctx)
    if year is None:
        return _UNKNOWN
    return _Span(date(year, month, day), None, "day") if _valid(year, month, day) else None


def _on_iso_month(m: re.Match[str], ctx: _Ctx) -> _Span | None:
    year, month = int(m.group("ny")), int(m.group("nm"))
    if not 1 <= month <= 12 or not 1000 <= year <= 2199:
        return None
    return _Span(date(year, month, 1), None, "month")


def _single_numeric(text: str) -> date | None:
    """One ISO or day-first numeric date, for the two ends of a numeric range."""
    iso = re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", text)
    if iso:
        year, month, day = (int(g) for g in iso.groups())
        return date(year, month, day) if _valid(year, month, day) else None
    num = re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", text)
    if num:
        return _numeric_ymd(int(num.group(3)), int(num.group(1)), int(num.group(2)), day_first=True)
    return None


def _on_numeric_range(m: re.Match[str], ctx: _Ctx) -> _Span | None:
    start, end = _single_numeric(m.group("a")), _single_numeric(m.group("b"))
    if start is None or end is None or end < start:
        return None
    return _span(start, end, "day")


def _on_range(m: re.Match[str], ctx: _Ctx) -> _Span | None:
    """Two ends that share what one of them leaves out ("Dec 18–20", "18 Dec – 2 Jan 2026")."""
    groups = m.groupdict()
    a_month = _month(groups.get("am") or groups.get("am1") or groups.get("am2"))
    b_month = _month(groups.get("bm") or groups.get("bm1") or groups.get("bm2"))
    a_day = _num(groups.get("ad") or groups.get("ad1") or groups.get("ad2"))
    b_day = _num(groups.get("bd") or groups.get("bd1") or groups.get("bd2"))
    a_year = _num(groups.get("ay"))
    b_year = _num(groups.get("by") or groups.get("y"))
    if a_day is None or b_day is None:
        return None
    b_month_given = b_month is not None
    a_month = a_month or b_month
    b_month = b_month or a_month
    if a_month is None or b_month is None:
        return None
    rolled_month = False
    if not b_month_given and b_day < a_day:  # "Dec 30–2": the end is in the next month
        b_month = a_month % 12 + 1
        rolled_month = True
    a_key, b_key = (a_month, a_day), (b_month, b_day)
    crosses_year = b_key < a_key
    if a_year is not None and b_year is not None:
        pass
    elif b_year is not None:
        a_year = b_year - 1 if crosses_year else b_year
    else:
        if a_year is None:
            a_year = _year_for(a_month, a_day, ctx)
        if a_year is None:
            both_valid = _valid(2000, a_month, a_day) and _valid(2000, b_month, b_day)
            return _UNKNOWN if both_valid else None
        b_year = a_year + 1 if crosses_year else a_year
    if not (_valid(a_year, a_month, a_day) and _valid(b_year, b_month, b_day)):
        return None
    start, end = date(a_year, a_month, a_day), date(b_year, b_month, b_day)
    if end < start:
        return None
    # A roll-over is only believable for a short span; "Dec 20–18" is a typo, not a month.
    if rolled_month and (end - start).days > 14:
        return None
    if crosses_year and not rolled_month and (end - start).days > 183:
        return None
    return _span(start, end, "day")


def _on_month_range(m: re.Match[str], ctx: _Ctx) -> _Span | None:
    a_month, b_month = _month(m.group("am")), _month(m.group("bm"))
    if a_month is None or b_month is None:
        return None
    a_year, b_year = _num(m.group("ay")), _num(m.group("by"))
    crosses_year = b_month < a_month
    if a_year is not None and b_year is not None:
        pass
    elif b_year is not None:
        a_year = b_year - 1 if crosses_year else b_year
    else:
        if a_year is None:
            a_year = _year_for(a_month, 1, ctx)
        if a_year is None:
            return _UNKNOWN
        b_year = a_year + 1 if crosses_year else a_year
    start, end = date(a_year, a_month, 1), _last_day(b_year, b_month)
    if end < start:
        return None
    return _Span(start, end if (b_year, b_month) != (a_year, a_month) else None, "month")


def _on_year_range(m: re.Match[str], ctx: _Ctx) -> _Span | None:
    first, last = int(m.group("ay")), int(m.group("by"))
    if last < first:
        return None
    return _span(date(first, 1, 1), date(last, 12, 31) if last != first else None, "year")


def _on_month(m: re.Match[str], ctx: _Ctx) -> _Span | None:
    month = _month(m.group("m"))
    if month is None:
        return None
    year = _num(m.group("y")) or _year_for(month, 1, ctx)
    if year is None:
        return _UNKNOWN
    return _Span(date(year, month, 1), None, "month")


def _on_year(m: re.Match[str], ctx: _Ctx) -> _Span | None:
    return _Span(date(int(m.group("y")), 1, 1), None, "year")


def _on_decade(m: re.Match[str], ctx: _Ctx) -> _Span | None:
    first = int(m.group("y"))
    return _Span(date(first, 1, 1), date(first + 9, 12, 31), "year")


def _part_key(part: str) -> str:
    """ "the very end of" → "end"; the word that says which part of the month or year."""
    words = [w for w in re.split(r"[\s-]+", part.lower()) if w not in ("the", "very", "of")]
    return " ".join(words)


#: Parts of a month as (first day, last day); a last day of 31 means "the month's last day".
_MONTH_PARTS = {
    "early": (1, 10),
    "beginning": (1, 10),
    "start": (1, 10),
    "mid": (10, 20),
    "middle": (10, 20),
    "late": (20, 31),
    "end": (20, 31),
    "close": (20, 31),
    "first half": (1, 15),
    "second half": (16, 31),
    "first week": (1, 7),
    "second week": (8, 14),
    "third week": (15, 21),
    "fourth week": (22, 28),
    "last week": (-7, 31),
    "final week": (-7, 31),
}
#: Parts of a year as (first month, last month).
_YEAR_PARTS = {
    "early": (1, 4),
    "beginning": (1, 4),
    "start": (1, 4),
    "mid": (5, 8),
    "middle": (5, 8),
    "late": (9, 12),
    "end": (9, 12),
    "close": (9, 12),
    "first half": (1, 6),
    "second half": (7, 12),
}


def _on_month_part(m: re.Match[str], ctx: _Ctx) -> _Span | None:
    month = _month(m.group("m"))
    bounds = _MONTH_PARTS.get(_part_key(m.group("part")))
    if month is None or bounds is None:
        return None
    first_day = max(bounds[0], 1)
    year = _num(m.group("y")) or _year_for(month, first_day, ctx)
    if year is None:
        return _UNKNOWN
    last = _last_day(year, month)
    first = last.day + 1 + bounds[0] if bounds[0] < 0 else bounds[0]
    return _Span(
        date(year, month, first), date(year, month, min(bounds[1], last.day)), "approximate"
    )


def _on_year_part(m: re.Match[str], ctx: _Ctx) -> _Span | None:
    bounds = _YEAR_PARTS.get(_part_key(m.group("part")))
    if bounds is None:
        return None
    year = int(m.group("y"))
    return _Span(date(year, bounds[0], 1), _last_day(year, bounds[1]), "approximate")


def _on_quarter(m: re.Match[str], ctx: _Ctx) -> _Span | None:
    raw = m.group("q")
    quarter = int(raw[1]) if raw else _QUARTER_WORDS.get((m.group("qw") or "").lower())
    if quarter is None:
        return None
    first_month = 3 * quarter - 2
    year = _num(m.group("y")) or _year_for(first_month, 1, ctx)
    if year is None:
        return _UNKNOWN
    return _Span(date(year, first_month, 1), _last_day(year, first_month + 2), "month")


def _on_weekday(m: re.Match[str], ctx: _Ctx) -> _Span | None:
    """A weekday named alone is the latest one on or before the article ("said on Thursday")."""
    ref = ctx.reference
    weekday = _WEEKDAY_WORDS.get(m.group("wd").rstrip(".").lower())
    if ref is None or weekday is None:
        return None
    relation = (m.group("rel") or "").lower()
    back = (ref.weekday() - weekday) % 7
    if relation in ("last", "past", "previous"):
        found = ref - timedelta(days=back or 7)
    elif relation in ("next", "coming"):
        found = ref + timedelta(days=(weekday - ref.weekday()) % 7 or 7)
    elif relation == "this":
        found = ref - timedelta(days=ref.weekday()) + timedelta(days=weekday)
    else:
        found = ref - timedelta(days=back)
    return _Span(found, None, "day")


_RELATIVE_DAYS = {
    "today": 0,
    "tonight": 0,
    "this morning": 0,
    "this afternoon": 0,
    "this evening": 0,
    "yesterday": -1,
    "last night": -1,
    "tomorrow": 1,
    "the day before yesterday": -2,
    "the day after tomorrow": 2,
}


def _on_relative_day(m: re.Match[str], ctx: _Ctx) -> _Span | None:
    if ctx.reference is None:
        return None
    offset = _RELATIVE_DAYS.get(" ".join(m.group("rd").lower().split()))
    if offset is None:
        return None
    return _Span(ctx.reference + timedelta(days=offset), None, "day")


def _on_ago(m: re.Match[str], ctx: _Ctx) -> _Span | None:
    ref = ctx.reference
    if ref is None:
        return None
    raw = " ".join(m.group("n").lower().split())
    exact = raw.isdigit() or raw in _NUMBER_WORDS
    count = int(raw) if raw.isdigit() else _NUMBER_WORDS.get(raw) or _VAGUE_COUNTS.get(raw)
    if not count:
        return None
    unit = m.group("u").lower().rstrip("s")
    if unit == "day":
        return _Span(ref - timedelta(days=count), None, "day" if exact else "approximate")
    if unit == "week":
        return _Span(ref - timedelta(weeks=count), None, "approximate")
    months = count if unit == "month" else 12 * count
    return _Span(_add_months(ref, -months), None, "approximate")


def _week_of(ref: date, weeks: int = 0) -> tuple[date, date]:
    monday = ref - timedelta(days=ref.weekday()) + timedelta(weeks=weeks)
    return monday, monday + timedelta(days=6)


def _weekend(ref: date, which: str) -> tuple[date, date]:
    """Which weekend is meant: "this weekend" is in the reference's week, and a bare
    "the weekend" in news copy is the latest one, already past or under way."""
    if which == "this":
        saturday = _week_of(ref)[0] + timedelta(days=5)
    elif which == "next":
        saturday = _week_of(ref, 1)[0] + timedelta(days=5)
    elif which == "last":
        saturday = _week_of(ref, -1)[0] + timedelta(days=5)
    else:
        saturday = ref - timedelta(days=(ref.weekday() - 5) % 7)
    return saturday, saturday + timedelta(days=1)


def _relative_span(kind: str, ref: date) -> _Span | None:
    """Vague spans news copy uses ("in the coming days"), pinned to the article's date."""
    days = timedelta(days=1)
    approx = "approximate"
    if kind == "coming days":
        return _Span(ref, ref + 7 * days, approx)
    if kind == "recent days":
        return _Span(ref - 7 * days, ref, approx)
    if kind == "coming weeks":
        return _Span(ref, ref + 28 * days, approx)
    if kind == "recent weeks":
        return _Span(ref - 28 * days, ref, approx)
    if kind == "coming week":
        return _Span(ref + days, ref + 7 * days, approx)
    if kind == "past week":
        return _Span(ref - 7 * days, ref, approx)
    if kind in ("this week", "next week", "last week"):
        offset = {"this week": 0, "next week": 1, "last week": -1}[kind]
        return _Span(*_week_of(ref, offset), approx)
    if kind == "earlier this week":
        return _span(_week_of(ref)[0], ref, approx)
    if kind == "later this week":
        return _span(ref, _week_of(ref)[1], approx)
    if kind.endswith("weekend"):
        return _Span(*_weekend(ref, kind.split()[0]), approx)
    if kind in ("this month", "next month", "last month"):
        offset = {"this month": 0, "next month": 1, "last month": -1}[kind]
        return _Span(_add_months(ref.replace(day=1), offset), None, "month")
    if kind == "earlier this month":
        return _span(ref.replace(day=1), ref, approx)
    if kind == "later this month":
        return _span(ref, _last_day(ref.year, ref.month), approx)
    if kind in ("this year", "next year", "last year"):
        offset = {"this year": 0, "next year": 1, "last year": -1}[kind]
        return _Span(date(ref.year + offset, 1, 1), None, "year")
    if kind == "earlier this year":
        return _span(date(ref.year, 1, 1), ref, approx)
    if kind == "later this year":
        return _span(ref, date(ref.year, 12, 31), approx)
    return None


#: Phrase → kind for ``_relative_span``; each phrase is a regex fragment.
_RELATIVE_SPANS = (
    (
        r"(?:(?:in|over|during|within)\s+)?(?:the\s+)?(?:coming|next\s+few|next\s+couple\s+of)"
        r"\s+days|(?:in\s+|over\s+)?the\s+days\s+(?:ahead|to\s+come)",
        "coming days",
    ),
    (
        r"(?:(?:in|over|during)\s+)?(?:the\s+)?(?:recent|past\s+few|last\s+few|past\s+couple\s+of"
        r"|last\s+couple\s+of|past)\s+days",
        "recent days",
    ),
    (
        r"(?:(?:in|over|during|within)\s+)?(?:the\s+)?(?:coming|next\s+few|next\s+couple\s+of)"
        r"\s+weeks",
        "coming weeks",
    ),
    (
        r"(?:(?:in|over|during)\s+)?(?:the\s+)?(?:recent|past\s+few|last\s+few|past\s+couple\s+of"
        r"|last\s+couple\s+of|past)\s+weeks",
        "recent weeks",
    ),
    (r"(?:(?:in|over|during)\s+)?the\s+coming\s+week", "coming week"),
    (r"(?:(?:in|over|during)\s+)?the\s+past\s+week", "past week"),
    (r"earlier\s+this\s+week", "earlier this week"),
    (r"later\s+this\s+week", "later this week"),
    (r"this\s+week", "this week"),
    (r"next\s+week", "next week"),
    (r"last\s+week", "last week"),
    (r"this\s+weekend", "this weekend"),
    (r"next\s+weekend", "next weekend"),
    (r"last\s+weekend", "last weekend"),
    (r"(?:(?:over|at|during)\s+)?the\s+weekend", "latest weekend"),
    (r"earlier\s+this\s+month", "earlier this month"),
    (r"later\s+this\s+month", "later this month"),
    (r"this\s+month", "this month"),
    (r"next\s+month", "next month"),
    (r"last\s+month", "last month"),
    (r"earlier\s+this\s+year", "earlier this year"),
    (r"later\s+this\s+year", "later this year"),
    (r"this\s+year", "this year"),
    (r"next\s+year", "next year"),
    (r"last\s+year", "last year"),
)


def _relative_handler(kind: str) -> _Handler:
    def handle(m: re.Match[str], ctx: _Ctx) -> _Span | None:
        return _relative_span(kind, ctx.reference) if ctx.reference is not None else None

    return handle


# --- the pattern table ------------------------------------------------------------------------

_Handler = Callable[[re.Match[str], _Ctx], "_Span | None"]


@dataclass(frozen=True)
class _Spec:
    body: str
    handler: _Handler
    #: In running text, this form is only a date after a preposition ("in 2019").
    needs_prep: Callable[[dict[str, str | None]], bool] | None = None
    full_only: bool = False  # too ambiguous to look for inside prose ("18/12", "2011-12")


def _no_year(groups: dict[str, str | None]) -> bool:
    return not groups.get("y")


def _no_lead(groups: dict[str, str | None]) -> bool:
    return not groups.get("lead")


def _always(groups: dict[str, str | None]) -> bool:
    return True


def _specs(weekday: str) -> list[_Spec]:
    """Every form, most specific first (fullmatch tries them in this order)."""
    iso = (
        rf"{_WD_PREFIX}(?P<ny>\d{{4}})(?P<s>[-/.])(?P<nm>\d{{1,2}})(?P=s)(?P<nd>\d{{1,2}})"
        rf"{_TIME_TAIL}{_NUM_END}"
    )
    numeric = (
        rf"(?<!\d[-/.:]){_WD_PREFIX}(?P<na>\d{{1,2}})(?P<s>[-/.])(?P<nb>\d{{1,2}})(?P=s)"
        rf"(?P<ny>\d{{4}}|\d{{2}}){_NUM_END}"
    )
    ago_count = _alternation([*_NUMBER_WORDS, *_VAGUE_COUNTS, r"\d{1,3}"]).replace(" ", r"\s+")
    specs = [
        _Spec(
            rf"{_LEAD}(?P<a>{_numeric_body('s1', 's2')}){_SEP}"
            rf"(?P<b>{_numeric_body('s3', 's4')}){_NUM_END}",
            _on_numeric_range,
        ),
        _Spec(
            rf"{_LEAD}{_WD_PREFIX}(?P<am>{_M})\s*(?P<ad>{_D}){_SEP}{_WD_PREFIX}(?:the\s+)?"
            rf"(?P<bd>{_D})(?:{_YSEP}(?P<y>{_Y}))?",
            _on_range,
        ),
        _Spec(
            rf"{_LEAD}{_WD_PREFIX}(?:the\s+)?(?P<ad>{_D}){_SEP}{_WD_PREFIX}(?:the\s+)?"
            rf"(?P<bd>{_D})(?:\s+of\s+|\s+|-)(?P<bm>{_M})(?:{_YSEP}(?P<y>{_Y}))?",
            _on_range,
        ),
        _Spec(
            rf"{_LEAD}{_point_re('a')}{_SEP}{_point_re('b')}",
            _on_range,
        ),
        _Spec(
            rf"{_LEAD}(?P<am>{_M})(?:{_YSEP}(?P<ay>{_Y}))?{_SEP}(?P<bm>{_M})"
            rf"(?:{_YSEP}(?P<by>{_Y})|(?![\s,]*\d))",
            _on_month_range,
        ),
        _Spec(rf"{_LEAD}(?P<ay>{_Y}){_SEP}(?P<by>{_Y})", _on_year_range, needs_prep=_no_lead),
        _Spec(iso, _on_iso),
        _Spec(numeric, _on_numeric),
        _Spec(
            rf"(?P<na>\d{{1,2}})(?P<s>[/.])(?P<nb>\d{{1,2}})\.?{_NUM_END}",
            _on_numeric_day_month,
            full_only=True,
        ),
        _Spec(rf"(?P<ny>\d{{4}})[-/](?P<nm>\d{{1,2}}){_NUM_END}", _on_iso_month, full_only=True),
        _Spec(_point_re(""), _on_point),
        _Spec(
            rf"(?P<part>{_PART})[\s-]*(?P<m>{_M})(?:{_YSEP}(?P<y>{_Y})|(?![\s,]*\d))",
            _on_month_part,
        ),
        _Spec(rf"(?P<part>{_PART})[\s-]*(?P<y>{_Y})", _on_year_part),
        _Spec(
            rf"(?:(?P<q>q[1-4])(?!\w)|(?:the\s+)?(?P<qw>{_alternation(_QUARTER_WORDS)})"
            rf"\s+quarter(?:\s+of)?)(?:[\s,]+(?P<y>{_Y}))?",
            _on_quarter,
            needs_prep=_no_year,
        ),
        _Spec(rf"(?P<m>{_M})(?:{_YSEP}(?P<y>{_Y})|(?![\s,]*\d))", _on_month, needs_prep=_no_year),
        _Spec(r"(?:the\s+)?(?P<y>(?:1\d|20|21)\d0)'?s(?!\w)", _on_decade),
        _Spec(rf"(?P<y>{_Y})", _on_year, needs_prep=_always),
        _Spec(
            r"(?P<rd>the\s+day\s+before\s+yesterday|the\s+day\s+after\s+tomorrow|yesterday"
            r"|today|tomorrow|tonight|last\s+night|this\s+(?:morning|afternoon|evening))"
            r"(?:\s+(?:morning|afternoon|evening|night))?(?![\w'’])",
            _on_relative_day,
        ),
        _Spec(
            rf"(?P<n>{ago_count})\s+(?P<u>days?|weeks?|months?|years?)\s+ago(?!\w)",
            _on_ago,
        ),
        *(
            _Spec(rf"(?:{phrase})(?![\w'’])", _relative_handler(kind))
            for phrase, kind in _RELATIVE_SPANS
        ),
        _Spec(
            rf"(?:(?P<rel>last|this|next|past|coming|previous)\s+)?(?P<wd>{weekday})"
            r"(?:\s+(?P<tod>morning|afternoon|evening|night))?",
            _on_weekday,
        ),
    ]
    return specs


_APPROX_WORDS = (
    r"on\s+or\s+about|on\s+or\s+around|some\s?time\s+around|around|approximately|approx\.?"
    r"|roughly|circa|ca\.|c\.|~"
)


@cache
def _compiled(mode: str) -> tuple[tuple[re.Pattern[str], _Spec], ...]:
    """The pattern table for one mode, compiled on first use (start-up time matters).

    ``full`` reads a whole field and may be lenient (a bare "Dec", "Thu", "2019", "18/12");
    ``find`` and ``search`` look inside prose, where "about" is rarely approximation and a
    lone "2019" or "June" is more often a number or a name than a date.
    """
    lenient = mode == "full"
    approx = _APPROX_WORDS + ("|about" if lenient else "")
    weekday = _WD_ANY if lenient else _WD_FULL
    out = []
    for spec in _specs(weekday):
        if spec.full_only and not lenient:
            continue
        pattern = rf"(?<!\w)(?P<approx>(?:{approx})\s*)?(?:{spec.body})"
        out.append((re.compile(pattern, re.IGNORECASE), spec))
    return tuple(out)


_NUMBER_NEXT = re.compile(r"[ \t,.]*\d")


def _acceptable(m: re.Match[str], spec: _Spec, mode: str, text: str) -> bool:
    """Rules that keep prose from being read as dates; a whole field is taken as meant."""
    if mode == "full":
        return True
    before = text[m.start() - 1] if m.start() > 0 else " "
    after = text[m.end()] if m.end() < len(text) else " "
    if (before.isalnum() and text[m.start()].isalnum()) or (
        after.isalnum() and text[m.end() - 1].isalnum()
    ):
        return False  # part of a longer word or number: "Dec 122", "x12 Dec"
    if mode == "search" and _NUMBER_NEXT.match(text, m.end()):
        return False  # a field "12 Dec 20255": the number meant as its year is no year
    groups = m.groupdict()
    if mode == "find":
        for name in _MONTH_GROUPS:
            value = groups.get(name)
            if value and not value[0].isupper():
                return False
    sep = groups.get("sep")
    lead = (groups.get("lead") or "").lower()
    if sep and sep.strip().lower() in ("and", "&") and lead != "between":
        return False  # "on Dec 3 and Dec 10" is two dates, not a range
    if groups.get("ny") and len(groups["ny"] or "") == 2:
        return False  # "1.2.25" in prose is more often a version than a date
    if spec.needs_prep and spec.needs_prep(groups) and not groups.get("approx"):
        return bool(_PREP_BEFORE.search(text, max(0, m.start() - 24), m.start()))
    return True


def _finish(span: _Span, m: re.Match[str]) -> _Span:
    """Apply an "around"/"c." prefix: the same dates, honestly marked as approximate."""
    if not m.group("approx") or span.start is None:
        return span
    end = span.end
    if span.precision == "month" and end is None:
        end = _last_day(span.start.year, span.start.month)
    elif span.precision == "year" and end is None:
        end = date(span.start.year, 12, 31)
    return _Span(span.start, end, "approximate")


def _normalise(text: str) -> str:
    """Same length as the input (offsets must stay valid), exotic spaces made plain."""
    return text.translate({0xA0: " ", 0x2007: " ", 0x2009: " ", 0x202F: " ", 0x200A: " "})


def _scan(text: str, ctx: _Ctx, mode: str, begin: int, stop: int) -> list[tuple[int, int, _Span]]:
    """Every date mention between ``begin`` and ``stop``, longest reading wins overlaps."""
    found: list[tuple[int, int, int, _Span]] = []
    for order, (pattern, spec) in enumerate(_compiled(mode)):
        for m in pattern.finditer(text, begin, stop):
            if m.end() == m.start() or not _acceptable(m, spec, mode, text):
                continue
            span = spec.handler(m, ctx)
            if span is not None:
                found.append((m.start(), m.end(), order, _finish(span, m)))
    found.sort(key=lambda item: (item[0] - item[1], item[0], item[2]))
    chosen: list[tuple[int, int, _Span]] = []
    for start, end, _order, span in found:
        if all(end <= s or start >= e for s, e, _ in chosen):
            chosen.append((start, end, span))
    chosen.sort(key=lambda item: item[0])
    return chosen


def _make_ctx(reference: date | None, default_year: int | None) -> _Ctx:
    if isinstance(reference, datetime):
        reference = reference.date()  # a datetime does not compare with a date
    if not isinstance(reference, date):
        reference = None
    if not isinstance(default_year, int) or not 1000 <= default_year <= 2199:
        default_year = None
    return _Ctx(reference, default_year)


_EDGE_JUNK = " \t\r\n\"'“”‘’()[]{}*_"
_TRAILING_JUNK = _EDGE_JUNK + ".,;:!?"
_FILLER = re.compile(r"(?:on|in|dated|date:|as\s+of|during)\s+", re.IGNORECASE)


def parse_date_expression(
    text: str, *, reference: date | None = None, default_year: int | None = None
) -> DateGuess | None:
    """Read a short date expression (a table cell, a form field); None if it holds no date.

    ``reference`` is the article's publication date: relative words ("yesterday", "on
    Thursday", "next week") are resolved against it, and it supplies a missing year unless
    ``default_year`` does. The whole field is read leniently first; failing that, the first
    date inside it ("Dec 18 (rescheduled)"); failing that, and only for text with a digit,
    ``dateparser`` if it is installed, for other languages and odd forms. Never raises.
    """
    try:
        return _parse(text, _make_ctx(reference, default_year))
    except Exception:  # a date guess must never take down an import or an edit
        return None


def _parse(text: str, ctx: _Ctx) -> DateGuess | None:
    if not isinstance(text, str):
        return None
    text = _normalise(text[:400])
    begin, stop = 0, len(text)
    while begin < stop and text[begin] in _EDGE_JUNK:
        begin += 1
    while stop > begin and text[stop - 1] in _TRAILING_JUNK:
        stop -= 1
    if begin == stop:
        return None
    # "Dec." and "c." lose their dot to the trailing-punctuation trim; give it back.
    if stop < len(text) and text[stop] == ".":
        stop += 1
    starts = [begin]
    filler = _FILLER.match(text, begin, stop)
    if filler:
        starts.append(filler.end())
    shaped = False
    for first in starts:
        for pattern, spec in _compiled("full"):
            m = pattern.fullmatch(text, first, stop)
            if m is None and text[stop - 1] == ".":
                # only the dot given back above may be dropped again ("Dec 12."); never a
                # digit or letter, or "Dec 32" would read as 3 December
                m = pattern.fullmatch(text, first, stop - 1)
            if m is None:
                continue
            shaped = True
            span = spec.handler(m, ctx)
            if span is not None:
                span = _finish(span, m)
                return DateGuess(span.start, span.end, span.precision, text[m.start() : m.end()])
    if shaped:
        return None  # shaped like a date but not one ("Feb 30", "Dec 20–18"): no second guess
    inside = _scan(text, ctx, "search", begin, stop)
    if inside:
        start, end, span = inside[0]
        return DateGuess(span.start, span.end, span.precision, text[start:end])
    return _fallback(text[begin:stop], ctx)


_LANGUAGES = ["en", "de", "fr", "es", "it", "pt", "nl", "pl", "ru", "uk", "tr", "sv"]


def _fallback(text: str, ctx: _Ctx) -> DateGuess | None:
    """Ask ``dateparser`` about forms the regexes do not know (mostly other languages).

    Only text with a digit and a letter, and English only when it names a year: without
    those guards ``dateparser`` reads "1 of 3" as a date. Imported here, not at module
    level, because loading it costs start-up time every run would pay.
    """
    if len(text) > 60 or not re.search(r"\d", text) or not re.search(r"[^\W\d_]", text):
        return None
    try:
        from dateparser.date import DateDataParser
    except ImportError:
        return None

    def read(base: datetime) -> tuple[date, str, str] | None:
        parser = DateDataParser(
            languages=_LANGUAGES,
            settings={"RELATIVE_BASE": base, "PREFER_DAY_OF_MONTH": "first"},
        )
        data = parser.get_date_data(text)
        if data.date_obj is None:
            return None
        return data.date_obj.date(), data.period or "day", (data.locale or "en").split("-")[0]

    has_year = re.search(r"(?<!\d)(?:1\d|20|21)\d\d(?!\d)", text) is not None
    if has_year:
        base = ctx.reference or date(2000, 1, 1)
        got = read(datetime(base.year, base.month, base.day))
        if got is None:
            return None
        day, period, _locale = got
    else:
        first = read(datetime(2001, 3, 10))
        second = read(datetime(2003, 8, 20))
        if first is None or second is None or first[2] == "en":
            return None
        if (first[0].month, first[0].day) == (second[0].month, second[0].day):
            # An absolute month and day: the year comes from our own rule, not the clock.
            day, period = first[0], first[1]
            year = _year_for(day.month, 1 if period == "month" else day.day, ctx)
            if year is None:
                return DateGuess(None, None, "unknown", text)
            day = day.replace(year=year) if _valid(year, day.month, day.day) else day
        elif ctx.reference is not None:
            ref = ctx.reference
            got = read(datetime(ref.year, ref.month, ref.day))
            if got is None:
                return None
            day, period, _locale = got
        else:
            return None  # relative ("vor drei Tagen") with nothing to be relative to
    if not 1000 <= day.year <= 2199:
        return None
    if period == "month":
        return DateGuess(day.replace(day=1), None, "month", text)
    if period == "year":
        return DateGuess(date(day.year, 1, 1), None, "year", text)
    if period == "week":
        return DateGuess(day, None, "approximate", text)
    return DateGuess(day, None, "day", text)


def find_date_expressions(
    text: str, *, reference: date | None = None
) -> list[tuple[int, int, DateGuess]]:
    """Date mentions inside running text, as (start, end, guess) in reading order.

    Used to date statements ("said on Thursday", "on Dec. 12"), so it is stricter than
    ``parse_date_expression``: month names must be capitalised, and a bare year or month
    counts only after a preposition ("in 2019", "since March"). Never raises.
    """
    try:
        if not isinstance(text, str) or not text:
            return []
        ctx = _make_ctx(reference, None)
        text = _normalise(text)
        return [
            (start, end, DateGuess(span.start, span.end, span.precision, text[start:end]))
            for start, end, span in _scan(text, ctx, "find", 0, len(text))
        ]
    except Exception:  # offsets are a convenience; a failure must not stop an import
        return []
