"""Reading date expressions: the forms editors and article tables use, and honest display.

The reference date in most cases is Monday 5 January 2026, so "Dec 30" must mean 2025 and
weekday names must reach back across the year end.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from workbench.dates import (
    DateGuess,
    find_date_expressions,
    format_short,
    format_span,
    parse_date_expression,
)

PROJECT = Path(__file__).resolve().parent.parent
REF = date(2026, 1, 5)  # a Monday
d = date

# (text, keyword arguments, expected start, expected end, expected precision)
FORMS: list[tuple[str, dict[str, Any], date | None, date | None, str]] = [
    # exact days
    ("2025-12-18", {}, d(2025, 12, 18), None, "day"),
    ("2025-12-18T09:30:00Z", {}, d(2025, 12, 18), None, "day"),
    ("18/12/2025", {}, d(2025, 12, 18), None, "day"),
    ("12/18/2025", {}, d(2025, 12, 18), None, "day"),  # month > 12 in day place: flipped
    ("18.12.2025", {}, d(2025, 12, 18), None, "day"),
    ("18-Dec-2025", {}, d(2025, 12, 18), None, "day"),
    ("Dec. 18", {"reference": REF}, d(2025, 12, 18), None, "day"),
    ("Thursday, Dec 18", {"reference": REF}, d(2025, 12, 18), None, "day"),
    ("18th December", {"default_year": 2025}, d(2025, 12, 18), None, "day"),
    ("December 18th, 2025", {}, d(2025, 12, 18), None, "day"),
    ("the 18th of December, 2025", {}, d(2025, 12, 18), None, "day"),
    ("  on Dec 18.  ", {"default_year": 2025}, d(2025, 12, 18), None, "day"),
    # ranges within a month, every separator
    ("Dec 18–20", {"default_year": 2025}, d(2025, 12, 18), d(2025, 12, 20), "day"),
    ("18–20 December", {"reference": REF}, d(2025, 12, 18), d(2025, 12, 20), "day"),
    ("Dec 20-21", {"reference": REF}, d(2025, 12, 20), d(2025, 12, 21), "day"),
    ("December 18 to 20", {"reference": REF}, d(2025, 12, 18), d(2025, 12, 20), "day"),
    ("Dec 18th–20th, 2025", {}, d(2025, 12, 18), d(2025, 12, 20), "day"),
    ("between 3 and 5 March", {"default_year": 2026}, d(2026, 3, 3), d(2026, 3, 5), "day"),
    ("from Dec 18 until Dec 20", {"reference": REF}, d(2025, 12, 18), d(2025, 12, 20), "day"),
    ("2025-12-18 to 2025-12-20", {}, d(2025, 12, 18), d(2025, 12, 20), "day"),
    # ranges across months and years
    ("Oct 28 until Nov 3", {"default_year": 2026}, d(2026, 10, 28), d(2026, 11, 3), "day"),
    ("Dec 30–Jan 2", {"reference": REF}, d(2025, 12, 30), d(2026, 1, 2), "day"),
    ("Dec 30 — Jan 2", {"default_year": 2025}, d(2025, 12, 30), d(2026, 1, 2), "day"),
    ("Dec 30–2", {"default_year": 2025}, d(2025, 12, 30), d(2026, 1, 2), "day"),
    ("18 Dec – 2 Jan 2026", {}, d(2025, 12, 18), d(2026, 1, 2), "day"),
    # months and years
    ("December 2025", {}, d(2025, 12, 1), None, "month"),
    ("Dec", {"reference": REF}, d(2025, 12, 1), None, "month"),
    ("Oct–Nov 2025", {}, d(2025, 10, 1), d(2025, 11, 30), "month"),
    ("2025", {}, d(2025, 1, 1), None, "year"),
    # fuzzy
    ("mid-December", {"reference": REF}, d(2025, 12, 10), d(2025, 12, 20), "approximate"),
    ("early December", {"default_year": 2025}, d(2025, 12, 1), d(2025, 12, 10), "approximate"),
    ("late December", {"default_year": 2025}, d(2025, 12, 20), d(2025, 12, 31), "approximate"),
    ("around 12 Dec", {"reference": REF}, d(2025, 12, 12), None, "approximate"),
    ("c. 2019", {}, d(2019, 1, 1), d(2019, 12, 31), "approximate"),
    ("approx. Dec 2025", {}, d(2025, 12, 1), d(2025, 12, 31), "approximate"),
    ("in the coming days", {"reference": REF}, REF, d(2026, 1, 12), "approximate"),
    ("next week", {"reference": REF}, d(2026, 1, 12), d(2026, 1, 18), "approximate"),
    ("this week", {"reference": REF}, d(2026, 1, 5), d(2026, 1, 11), "approximate"),
    ("in recent days", {"reference": REF}, d(2025, 12, 29), REF, "approximate"),
    # weekdays and relative days
    ("on Thursday", {"reference": REF}, d(2026, 1, 1), None, "day"),
    ("last Friday", {"reference": REF}, d(2026, 1, 2), None, "day"),
    ("Friday", {"reference": REF}, d(2026, 1, 2), None, "day"),
    ("Monday", {"reference": REF}, REF, None, "day"),  # on or before: the day itself
    ("today", {"reference": REF}, REF, None, "day"),
    ("yesterday", {"reference": REF}, d(2026, 1, 4), None, "day"),
    ("tomorrow", {"reference": REF}, d(2026, 1, 6), None, "day"),
    ("3 days ago", {"reference": REF}, d(2026, 1, 2), None, "day"),
    # where a missing year comes from
    ("Dec 30", {"reference": REF}, d(2025, 12, 30), None, "day"),  # rolled back
    ("Feb 20", {"reference": REF}, d(2026, 2, 20), None, "day"),  # 46 days ahead: kept
    ("Mar 10", {"reference": REF}, d(2025, 3, 10), None, "day"),  # 64 days ahead: rolled back
    ("Jan 3", {"reference": d(2025, 12, 28)}, d(2026, 1, 3), None, "day"),  # just ahead
    ("Dec 18", {"reference": REF, "default_year": 2030}, d(2030, 12, 18), None, "day"),
    ("Dec 18", {}, None, None, "unknown"),  # a date, but nothing says which year
    # a date inside a longer cell
    ("Dec 18 (rescheduled)", {"reference": REF}, d(2025, 12, 18), None, "day"),
]

UNDATABLE: list[tuple[str, dict[str, Any]]] = [
    ("", {}),
    ("   ", {}),
    ("hello", {}),
    ("N/A", {}),
    ("TBD", {"reference": REF}),
    ("Calvera", {"reference": REF}),
    ("42", {}),
    ("12:30", {}),
    ("Phase 2", {"reference": REF}),
    ("1 of 3", {"reference": REF}),
    ("Feb 30, 2025", {}),
    ("13/13/2025", {}),
    ("Dec 20–18", {"default_year": 2025}),  # end before start, no sensible roll-over
    ("18 Dec 2026 – 2 Jan 2025", {}),  # both years given and backwards
    ("Friday", {}),  # a weekday needs a reference
    ("yesterday", {}),
    ("next week", {}),
    ("Dec 32", {"reference": REF}),  # no 32nd: never 3 December with a stray digit
    ("32 Dec", {"reference": REF}),
    ("12 Dec 20255", {"reference": REF}),  # a five-digit year is a typo, not 12 Dec
    ("Dec 122", {"reference": REF}),
]


@pytest.mark.parametrize(
    ("text", "kwargs", "start", "end", "precision"), FORMS, ids=[f[0] for f in FORMS]
)
def test_parse_date_expression_reads_the_form(
    text: str, kwargs: dict[str, Any], start: date | None, end: date | None, precision: str
) -> None:
    guess = parse_date_expression(text, **kwargs)
    assert guess is not None
    assert (guess.start, guess.end, guess.precision) == (start, end, precision)


def test_the_table_covers_at_least_forty_forms() -> None:
    assert len(FORMS) >= 40


@pytest.mark.parametrize(("text", "kwargs"), UNDATABLE, ids=[u[0] or "empty" for u in UNDATABLE])
def test_undatable_text_gives_none(text: str, kwargs: dict[str, Any]) -> None:
    assert parse_date_expression(text, **kwargs) is None


def test_wrong_types_give_none_instead_of_raising() -> None:
    assert parse_date_expression(None) is None  # type: ignore[arg-type]
    assert parse_date_expression(b"Dec 18") is None  # type: ignore[arg-type]
    assert find_date_expressions(None) == []  # type: ignore[arg-type]


def test_a_datetime_reference_is_accepted() -> None:
    from datetime import datetime

    guess = parse_date_expression("yesterday", reference=datetime(2026, 1, 5, 23, 59))
    assert guess is not None and guess.start == d(2026, 1, 4)


def test_text_is_the_part_that_was_read() -> None:
    on = parse_date_expression("on Thursday", reference=REF)
    inside = parse_date_expression("Dec 18 (rescheduled)", reference=REF)
    assert on is not None and on.text == "Thursday"
    assert inside is not None and inside.text == "Dec 18"


def test_last_weekday_is_strictly_before_the_reference() -> None:
    plain = parse_date_expression("Monday", reference=REF)
    last = parse_date_expression("last Monday", reference=REF)
    assert plain is not None and plain.start == REF
    assert last is not None and last.start == d(2025, 12, 29)


def test_a_guess_renders_through_format_span() -> None:
    guess = parse_date_expression("Dec 30–Jan 2", default_year=2026)
    assert guess is not None
    assert format_span(guess.start, guess.end, guess.precision) == "30 Dec 2026 – 2 Jan 2027"


def test_other_languages_fall_back_to_dateparser() -> None:
    pytest.importorskip("dateparser")
    guess = parse_date_expression("18. Dezember 2025")
    assert guess is not None and (guess.start, guess.precision) == (d(2025, 12, 18), "day")
    no_year = parse_date_expression("18 décembre", reference=REF)
    assert no_year is not None and no_year.start == d(2025, 12, 18)  # our year rule, not the clock


def test_importing_dates_does_not_load_dateparser() -> None:
    code = "import sys, workbench.dates; print('dateparser' in sys.modules)"
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT, capture_output=True, text=True, check=True
    )
    assert proc.stdout.strip() == "False"


# --- find_date_expressions -------------------------------------------------------------------


def _found(text: str, reference: date | None = None) -> list[tuple[str, DateGuess]]:
    hits = find_date_expressions(text, reference=reference)
    for start, end, guess in hits:
        assert text[start:end] == guess.text
    return [(text[start:end], guess) for start, end, guess in hits]


def test_find_a_weekday_in_a_sentence() -> None:
    text = "Calvera's foreign minister said on Thursday that talks would resume."
    hits = find_date_expressions(text, reference=d(2026, 3, 6))
    assert [(s, e) for s, e, _ in hits] == [(35, 43)]
    assert text[35:43] == "Thursday"
    assert hits[0][2].start == d(2026, 3, 5)


def test_find_an_abbreviated_month_day() -> None:
    found = _found("The summit, held Dec. 12 in Port Lisk, ended without a deal.", d(2026, 12, 20))
    assert [(t, g.start, g.precision) for t, g in found] == [("Dec. 12", d(2026, 12, 12), "day")]


def test_find_a_range_and_a_fuzzy_date() -> None:
    found = _found("Talks are set for Oct 20–21 and a follow-up in mid-November.", d(2026, 10, 14))
    assert [(t, g.start, g.end, g.precision) for t, g in found] == [
        ("Oct 20–21", d(2026, 10, 20), d(2026, 10, 21), "day"),
        ("mid-November", d(2026, 11, 10), d(2026, 11, 20), "approximate"),
    ]


def test_find_skips_names_verbs_and_bare_numbers() -> None:
    text = "June Tessaro said in June that the 2019 accord, signed in 2019, may hold."
    found = _found(text, d(2026, 8, 1))
    assert [(t, g.start) for t, g in found] == [("June", d(2026, 6, 1)), ("2019", d(2019, 1, 1))]
    assert text.index("in June") + 3 == find_date_expressions(text, reference=d(2026, 8, 1))[0][0]


def test_find_ignores_lowercase_month_words_in_prose() -> None:
    found = _found("Crowds will march 5 kilometres to the square on Saturday.", d(2026, 3, 10))
    assert [(t, g.start) for t, g in found] == [("Saturday", d(2026, 3, 7))]


def test_find_does_not_read_version_numbers_as_dates() -> None:
    found = _found("Version 1.2.25 of the accord text was posted on 2026-03-06.")
    assert [t for t, _ in found] == ["2026-03-06"]


def test_find_keeps_two_dates_joined_by_and_apart() -> None:
    found = _found("Envoys may meet on Dec 3 and Dec 10 in Vennmark.", d(2026, 11, 20))
    assert [(t, g.start, g.end) for t, g in found] == [
        ("Dec 3", d(2026, 12, 3), None),
        ("Dec 10", d(2026, 12, 10), None),
    ]


def test_find_between_range_and_iso_date() -> None:
    text = "Between 3 and 5 March 2026 the envoys met; a note followed on 2026-03-06."
    found = _found(text)
    assert [(t, g.start, g.end) for t, g in found] == [
        ("Between 3 and 5 March 2026", d(2026, 3, 3), d(2026, 3, 5)),
        ("2026-03-06", d(2026, 3, 6), None),
    ]


def test_find_without_reference_skips_relative_words_only() -> None:
    found = _found("Drossland said on Friday it would reply tomorrow, as it did on 2026-03-06.")
    assert [(t, g.start) for t, g in found] == [("2026-03-06", d(2026, 3, 6))]


def test_find_takes_a_weekday_before_a_date_as_part_of_it() -> None:
    found = _found("Ildoria replied on Friday, Mar. 6, 2026, after a week of silence.")
    assert [(t, g.start) for t, g in found] == [("Friday, Mar. 6, 2026", d(2026, 3, 6))]


def test_find_in_text_without_dates() -> None:
    assert find_date_expressions("The ministry declined to comment.", reference=REF) == []
    assert find_date_expressions("", reference=REF) == []


# --- format_span / format_short (existing callers depend on these exact strings) -------------


def test_format_span_keeps_its_forms() -> None:
    assert format_span(d(2026, 12, 18)) == "18 Dec 2026"
    assert format_span(d(2026, 12, 18), d(2026, 12, 20)) == "18–20 Dec 2026"
    assert format_span(d(2026, 11, 28), d(2026, 12, 2)) == "28 Nov – 2 Dec 2026"
    assert format_span(d(2026, 12, 30), d(2027, 1, 2)) == "30 Dec 2026 – 2 Jan 2027"
    assert format_span(d(2026, 12, 1), None, "month") == "Dec 2026"
    assert format_span(d(2026, 12, 1), d(2027, 1, 31), "month") == "Dec 2026 – Jan 2027"
    assert format_span(d(2026, 1, 1), None, "year") == "2026"
    assert format_span(d(2026, 12, 18), None, "approximate") == "c. 18 Dec 2026"
    assert format_span(None) == "date unknown"


def test_format_short_keeps_its_forms() -> None:
    assert format_short(d(2026, 12, 18)) == "2026-12-18"
    assert format_short(d(2026, 12, 18), d(2026, 12, 20)) == "2026-12-18…"
    assert format_short(d(2026, 12, 1), None, "month") == "2026-12"
    assert format_short(d(2026, 1, 1), None, "year") == "2026"
    assert format_short(d(2026, 12, 18), None, "approximate") == "~2026-12-18"
    assert format_short(None) == "undated"


def test_find_does_not_read_a_date_out_of_a_longer_number() -> None:
    """A month and the first digits of a bigger number ("Dec 122") are no date in prose."""
    assert _found("Shipment Dec 122 arrived on time.", d(2025, 12, 20)) == []
    assert _found("Shipment Dec 12 arrived on time.", d(2025, 12, 20))
