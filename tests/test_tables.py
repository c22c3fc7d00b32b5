"""Pipe tables inside article text: found, cleaned, classified and turned into candidates.

Every fixture here is invented for the test (Calvera, Drossland, Vennmark and Ildoria are
fictional), in the broken shapes such tables arrive in.
"""

from __future__ import annotations

from datetime import date

import pytest

from workbench.ingest.tables import (
    TITLE_LIMIT,
    EventCandidate,
    PipeTable,
    PositionCandidate,
    event_candidates,
    find_tables,
    position_candidates,
)

POSITIONS = """\
| Issue | Calvera | Drossland |
|---|:--:|---|
| Fishing rights | Wants a joint quota | Wants its own zone |
| Prisoner exchange | Ready to swap all | Only civilians |"""

POSITIONS_ROWS = [
    ["Fishing rights", "Wants a joint quota", "Wants its own zone"],
    ["Prisoner exchange", "Ready to swap all", "Only civilians"],
]


def _only(text: str) -> PipeTable:
    tables = find_tables(text)
    assert len(tables) == 1, tables
    return tables[0]


def test_positions_table_with_separator_row() -> None:
    table = _only(f"Where the two sides stand:\n\n{POSITIONS}\n\nTalks resume next month.")
    assert table.kind == "positions"
    assert table.header == ["Issue", "Calvera", "Drossland"]
    assert table.rows == POSITIONS_ROWS
    assert table.year is None


def test_positions_table_without_separator_row_reads_the_same() -> None:
    text = POSITIONS.replace("|---|:--:|---|\n", "")
    table = _only(text)
    assert (table.kind, table.header, table.rows) == (
        "positions",
        ["Issue", "Calvera", "Drossland"],
        POSITIONS_ROWS,
    )


def test_outer_pipes_are_optional() -> None:
    text = "Topic | Calvera | Drossland\nFishing rights | Joint quota | Own zone"
    table = _only(text)
    assert table.header == ["Topic", "Calvera", "Drossland"]
    assert table.rows == [["Fishing rights", "Joint quota", "Own zone"]]
    assert table.kind == "positions"


def test_ragged_rows_are_padded_and_extra_cells_merged_into_the_last() -> None:
    text = (
        "| Question | Calvera | Drossland |\n"
        "| Ceasefire | Yes |\n"
        "| Observers | UN only | Regional | but open to both |\n"
    )
    table = _only(text)
    assert table.rows == [
        ["Ceasefire", "Yes", ""],
        ["Observers", "UN only", "Regional | but open to both"],
    ]
    assert position_candidates(table) == [
        PositionCandidate("Ceasefire", "Calvera", "Yes"),
        PositionCandidate("Observers", "Calvera", "UN only"),
        PositionCandidate("Observers", "Drossland", "Regional | but open to both"),
    ]


def test_extra_trailing_empty_cells_are_not_columns() -> None:
    text = "| Issue | Calvera | Drossland | |\n| Tariffs | Cut them | Keep them | | |\n"
    table = _only(text)
    assert table.header == ["Issue", "Calvera", "Drossland"]
    assert table.rows == [["Tariffs", "Cut them", "Keep them"]]


def test_markdown_and_html_in_cells_are_cleaned() -> None:
    text = (
        "| Issue | Calvera | Drossland |\n"
        "|---|---|---|\n"
        "| **Water** &amp; power | _Shared_ grid, see [the accord](https://x.example/a) "
        "| `no comment`<br>for now |\n"
        "| <b>Border</b> &quot;corridor&quot; | Open&nbsp;it | Keep \\| close it |\n"
    )
    table = _only(text)
    assert table.rows == [
        ["Water & power", "Shared grid, see the accord", "no comment for now"],
        ['Border "corridor"', "Open it", "Keep | close it"],
    ]


def test_junk_line_after_the_table_is_not_part_of_it() -> None:
    block = "| Issue | Calvera | Drossland |\n| Tariffs | Cut them | Keep them |"
    text = f"<p>Positions:</p>\n{block}\n/>\n</p>\nMore prose follows."
    table = _only(text)
    assert text[table.start : table.end] == block
    assert table.rows == [["Tariffs", "Cut them", "Keep them"]]


def test_blank_line_inside_a_table_is_tolerated() -> None:
    text = "| Issue | Calvera | Drossland |\n| Tariffs | Cut | Keep |\n\n| Visas | Ease | Tighten |"
    table = _only(text)
    assert [row[0] for row in table.rows] == ["Tariffs", "Visas"]
    assert table.end == len(text)


def test_two_tables_in_one_text() -> None:
    timeline = "Date | Event\nMar 3 | Envoys arrive\nMar 5 | Talks open"
    text = f"Positions first.\n\n{POSITIONS}\n\nThen the timeline.\n\n{timeline}\n"
    tables = find_tables(text)
    assert [t.kind for t in tables] == ["positions", "dated"]
    assert [text[t.start : t.end] for t in tables] == [POSITIONS, timeline]


def test_two_tables_separated_only_by_a_blank_line_stay_apart() -> None:
    text = f"{POSITIONS}\n\nWhen | What happened\nMar 3 | Envoys arrive\n"
    tables = find_tables(text)
    assert [(t.kind, len(t.rows)) for t in tables] == [("positions", 2), ("dated", 1)]


DATED = """\
Date (2026) | Event | What was said
Oct 20–21 | Talks at the **Vennmark** border post | "We are ready to listen"
November | Follow-up round |
Dec 30–Jan 2 | Holiday pause in talks | """


def test_dated_table_with_header_year_ranges_and_month_rows() -> None:
    table = _only(DATED)
    assert (table.kind, table.year) == ("dated", 2026)
    events = event_candidates(table, reference=date(2027, 3, 1))
    assert events == [
        EventCandidate(
            date(2026, 10, 20),
            date(2026, 10, 21),
            "day",
            "Talks at the Vennmark border post",
            '"We are ready to listen"',
            "Oct 20–21",
        ),
        EventCandidate(date(2026, 11, 1), None, "month", "Follow-up round", "", "November"),
        EventCandidate(
            date(2026, 12, 30),
            date(2027, 1, 2),
            "day",
            "Holiday pause in talks",
            "",
            "Dec 30–Jan 2",
        ),
    ]


def test_header_year_beats_the_reference() -> None:
    table = _only("Date (2024) | Event\nOct 20 | Border post reopened")
    (event,) = event_candidates(table, reference=date(2026, 1, 5))
    assert event.start == date(2024, 10, 20)  # the reference alone would give 2025


def test_when_header_is_dated_and_takes_the_year_from_the_reference() -> None:
    text = "| When | What happened | Statement |\n| Dec 30 | Border reopened | 'A good day' |"
    table = _only(text)
    assert (table.kind, table.year) == ("dated", None)
    (event,) = event_candidates(table, reference=date(2026, 1, 5))
    assert (event.start, event.precision) == (date(2025, 12, 30), "day")  # rolled back a year
    assert (event.title, event.said) == ("Border reopened", "'A good day'")


def test_first_column_of_dates_makes_a_table_dated_whatever_the_header() -> None:
    text = "Milestone | Note\n2026-03-03 | Envoys arrive\n5 March 2026 | Talks open\nlater | TBC"
    table = _only(text)
    assert table.kind == "dated"
    events = event_candidates(table)
    assert [(e.start, e.precision, e.title) for e in events] == [
        (date(2026, 3, 3), "day", "Envoys arrive"),
        (date(2026, 3, 5), "day", "Talks open"),
        (None, "unknown", "TBC"),  # an unreadable date keeps its row, undated
    ]


def test_topic_position_notes_is_other() -> None:
    text = "| Topic | Position | Notes |\n|---|---|---|\n| Tariffs | Cut by half | Disputed |"
    table = _only(text)
    assert table.kind == "other"
    assert position_candidates(table) == []
    assert event_candidates(table) == []


def test_actor_named_in_a_column_title() -> None:
    text = (
        "Key issue | Calvera's position | Position (Drossland) | Notes\n"
        "Observers | UN only | — | unclear\n"
    )
    table = _only(text)
    assert table.kind == "positions"
    # "—" means no stated position; "Notes" is not an actor.
    assert position_candidates(table) == [PositionCandidate("Observers", "Calvera", "UN only")]


@pytest.mark.parametrize(
    "text",
    [
        "| Issue | Calvera | Drossland |",  # a header alone
        "| Issue | Calvera | Drossland |\n|---|---|---|",  # a header and separator, no rows
        "Ministers met in Ildoria | a second line without any pipe.",  # one pipe in prose
        "Ministers met | here.\n\nThey left.\n\nOthers came | later.",  # pipes, not adjacent
        "Only one cell |\n| another lone cell",
        "",
    ],
)
def test_not_a_table(text: str) -> None:
    assert find_tables(text) == []


def test_a_prose_line_with_a_pipe_right_above_a_table_is_not_its_header() -> None:
    text = f"Reported by A | B Wire\n{POSITIONS}"
    table = _only(text)
    assert table.header == ["Issue", "Calvera", "Drossland"]
    assert text[table.start : table.end] == POSITIONS


def test_offsets_slice_back_to_the_table_block_with_indentation_and_crlf() -> None:
    block = "| Issue | Calvera |\r\n  | Tariffs | Cut |"
    text = f"Intro.\r\n   {block}\r\n\r\nOutro."
    table = _only(text)
    assert text[table.start : table.end] == block
    assert table.rows == [["Tariffs", "Cut"]]


def test_long_titles_are_shortened() -> None:
    long = "Talks " + "and more talks " * 20
    table = _only(f"Date | Event\n2026-03-03 | {long}")
    (event,) = event_candidates(table)
    assert len(event.title) <= TITLE_LIMIT
    assert event.title.endswith("…")


@pytest.mark.parametrize(
    "text",
    [
        "|||\n|||\n|||",
        "| | |\n| | |",
        "|\n|\n|",
        "\\|\\|\n\\|\\|",
        "| <b | &#xffffff; |\n| [x]( | ` |",
        "|" * 5000 + "\n" + "| a " * 3000,
    ],
)
def test_weird_input_never_raises(text: str) -> None:
    for table in find_tables(text):
        assert all(len(row) == len(table.header) for row in table.rows)
        position_candidates(table)
        event_candidates(table, reference=date(2026, 1, 5))


def test_non_text_input_gives_no_tables() -> None:
    assert find_tables(None) == []  # type: ignore[arg-type]


def test_tables_pasted_without_a_gap_are_read_as_two() -> None:
    text = (
        "Where things stand.\n\n"
        "| Date (2026) | Event | What was said |\n"
        "| Oct 12 | Summit opens | Talks are possible |\n"
        "| Oct 14–15 | Envoys meet | No comment |\n"
        "| Issue | Calvera | Drossland |\n"
        "| Dam filling | Continue | Halt it |\n"
        "| Prisoners | Swap soon | Not yet |\n"
    )
    dated, positions = find_tables(text)
    assert dated.kind == "dated" and len(dated.rows) == 2
    assert positions.kind == "positions" and positions.header == ["Issue", "Calvera", "Drossland"]
    assert [c.actor for c in position_candidates(positions)] == ["Calvera", "Drossland"] * 2
    assert text[positions.start : positions.end].startswith("| Issue")


def test_a_side_named_with_who_speaks_for_it_is_the_side() -> None:
    text = (
        "| Issue | Calvera (Palace / Ardent) | Drossland (Chancellery) |\n"
        "| Talks | Ready | Not yet |\n"
    )
    (table,) = find_tables(text)
    assert [c.actor for c in position_candidates(table)] == ["Calvera", "Drossland"]


PEOPLE = "Name | Age | City\nAda Brandt | 34 | Lowmarsh\nTeo Vrana | 51 | Calder"


def test_a_table_after_a_blank_line_is_not_merged_into_a_dated_table() -> None:
    """No separator row and no header word: after the gap, "Name" is no date, so the rows
    start a table of their own instead of becoming undated events."""
    timeline = "Date (2026) | Event | What was said\nMar 3 | Envoys meet | No comment"
    text = f"{timeline}\n\n{PEOPLE}\n"
    dated, people = find_tables(text)
    assert (dated.kind, len(dated.rows)) == ("dated", 1)
    assert text[dated.start : dated.end] == timeline
    assert (people.kind, people.header, len(people.rows)) == (
        "other",
        ["Name", "Age", "City"],
        2,
    )
    assert all(e.start is not None for e in event_candidates(dated, reference=date(2026, 5, 1)))


def test_a_table_after_a_blank_line_is_not_merged_into_a_positions_table() -> None:
    """A row over rows of numbers where it has words is a header: a new table begins."""
    text = f"{POSITIONS}\n\n{PEOPLE}\n"
    positions, people = find_tables(text)
    assert (positions.kind, positions.rows) == ("positions", POSITIONS_ROWS)
    assert (people.kind, people.header) == ("other", ["Name", "Age", "City"])
    assert [c.actor for c in position_candidates(positions)] == ["Calvera", "Drossland"] * 2


def test_a_narrower_table_after_a_blank_line_is_its_own() -> None:
    text = f"{POSITIONS}\n\nPort | Berths\nVenn | North quay\nOsk | South quay\n"
    positions, ports = find_tables(text)
    assert positions.rows == POSITIONS_ROWS
    assert (ports.header, ports.rows) == (
        ["Port", "Berths"],
        [["Venn", "North quay"], ["Osk", "South quay"]],
    )


def test_rows_of_a_dated_table_spaced_by_blank_lines_stay_one_table() -> None:
    text = (
        "| Date | Event |\n\n| Mar 3 | Envoys meet |\n\n| 5 March | Talks open |\n\n"
        "| Mar 9 | Leaders call | |\n"
    )
    table = _only(text)
    assert (table.kind, [row[0] for row in table.rows]) == ("dated", ["Mar 3", "5 March", "Mar 9"])
    assert table.end == len(text) - 1


def test_a_wider_row_after_a_blank_line_starts_a_new_table() -> None:
    text = f"{POSITIONS}\n\nA | B | C | D\n1 | 2 | 3 | 4\n"
    positions, other = find_tables(text)
    assert positions.rows == POSITIONS_ROWS
    assert (other.header, other.rows) == (["A", "B", "C", "D"], [["1", "2", "3", "4"]])
