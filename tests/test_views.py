"""Keyset-paged views: every row exactly once, in the documented order, from either direction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlmodel import Session, select

from db import views
from db.engine import open_desk
from db.models import Actor, Article, Event, Issue, Position, Source, Statement
from db.repo import Repo

UTC = dt.UTC
DAY0 = dt.date(2026, 1, 1)
HOUR0 = dt.datetime(2026, 1, 1, 6, 0, tzinfo=UTC)

N_ARTICLES = 300
N_STATEMENTS = 600
N_EVENTS = 60
N_ISSUES = 40
ISSUE_TITLES = ["Dam", "Talks", "Guards", "border", "Água", "Zoll", "dam", "Border"]


@dataclass(frozen=True)
class Desk:
    path: Path
    engine: Engine


def _build(repo: Repo) -> None:
    """A desk big enough to page through, full of ties, deletions and dismissals."""
    with repo.batch():
        sources = [
            int(repo.add_source(f"Outlet {n}", f"https://outlet{n}.example/rss").id)  # type: ignore[arg-type]
            for n in range(3)
        ]
        actors = [
            int(repo.add_actor(f"Speaker {n}").id)  # type: ignore[arg-type]
            for n in range(6)
        ]
        articles = []
        for i in range(N_ARTICLES):
            published = None if i % 29 == 0 else HOUR0 + dt.timedelta(hours=(i * 7) % 90 // 4)
            article = repo.add_article(
                title=f"Article {i}",
                text=f"Body of article {i}. " * 3,
                source_id=sources[i % 3] if i % 11 else None,
                published_at=published,
            )
            articles.append(int(article.id))  # type: ignore[arg-type]
        issues = []
        for i in range(N_ISSUES):
            issue = repo.add_issue(f"{ISSUE_TITLES[i % len(ISSUE_TITLES)]} {i % 3}")
            issues.append(int(issue.id))  # type: ignore[arg-type]
        statements = []
        for i in range(N_STATEMENTS):
            said_on = None if i % 10 == 0 else DAY0 + dt.timedelta(days=(i * 5) % 140 // 6)
            said_until = said_on + dt.timedelta(days=3) if said_on and i % 9 == 0 else None
            review = "dismissed" if i % 13 == 0 else "suggested" if i % 7 == 0 else "accepted"
            statement = repo.add_statement(
                text=f"Statement {i}",
                article_id=articles[i % N_ARTICLES],
                speaker_id=actors[i % 6] if i % 8 else None,
                said_on=said_on,
                said_until=said_until,
                date_precision="day" if said_on else "unknown",
                review=review,
                issue_id=issues[i % N_ISSUES],
            )
            statements.append(int(statement.id))  # type: ignore[arg-type]
        for i in range(N_EVENTS):
            day = DAY0 + dt.timedelta(days=(i * 3) % 24)
            repo.add_event(
                title=f"Event {i}",
                date=day,
                date_end=day + dt.timedelta(days=2) if i % 5 == 0 else None,
                precision=["day", "month", "year", "approximate"][i % 4],
                review="dismissed" if i % 11 == 0 else "accepted",
            )
        for i, issue_id in enumerate(issues):
            for j, actor_id in enumerate(actors):
                if (i + j) % 4 == 3:
                    continue  # an empty cell
                for k in range((i + j) % 3 + 1):
                    review = "dismissed" if (i + j + k) % 7 == 0 else "accepted"
                    if (i + k) % 9 == 0:
                        review = "suggested"
                    repo.add_position(
                        issue_id=issue_id,
                        actor_id=actor_id,
                        summary=f"Position {i}/{j}/{k}",
                        # equal dates within a cell: the later id is the current one
                        as_of=DAY0 + dt.timedelta(days=(k + 1) // 2),
                        review=review,
                    )
        for i, article_id in enumerate(articles):
            if i % 23 == 5:
                repo.delete("article", article_id)
        for i, statement_id in enumerate(statements):
            if i % 17 == 3:
                repo.delete("statement", statement_id)
        for i, issue_id in enumerate(issues):
            if i % 13 == 6:
                repo.delete("issue", issue_id)
        for event_id in range(1, N_EVENTS + 1):
            if event_id % 13 == 4:
                repo.delete("event", event_id)
        for position_id in range(1, 400, 19):
            if repo.get("position", position_id) is not None:
                repo.delete("position", position_id)


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    path = tmp_path_factory.mktemp("views") / "big.db"
    engine = open_desk(str(path))
    _build(Repo(engine, "builder"))
    yield Desk(path, engine)
    engine.dispose()


# --------------------------------------------------------------------------- ground truth


def _all(engine: Engine, model: type[Any]) -> list[Any]:
    with Session(engine) as session:
        return list(session.exec(select(model)))


def expected_feed(engine: Engine, source_id: int | None = None) -> list[tuple[Any, ...]]:
    rows = [
        a
        for a in _all(engine, Article)
        if a.deleted_at is None and (source_id is None or a.source_id == source_id)
    ]
    return sorted(((a.sort_at, a.id) for a in rows), reverse=True)


def expected_statements(engine: Engine, include_dismissed: bool = False) -> list[tuple[Any, ...]]:
    rows = [
        s
        for s in _all(engine, Statement)
        if s.deleted_at is None and (include_dismissed or s.review != "dismissed")
    ]
    return sorted(((s.id,) for s in rows), reverse=True)


def expected_issues(engine: Engine) -> list[tuple[Any, ...]]:
    return sorted((i.title, i.id) for i in _all(engine, Issue) if i.deleted_at is None)


def expected_timeline(engine: Engine) -> list[tuple[Any, ...]]:
    events = [
        (e.date, 0, e.id)
        for e in _all(engine, Event)
        if e.deleted_at is None and e.review != "dismissed"
    ]
    statements = [
        (s.said_on, 1, s.id)
        for s in _all(engine, Statement)
        if s.deleted_at is None and s.said_on is not None and s.review != "dismissed"
    ]
    return sorted(events + statements)


def _grid(engine: Engine) -> views.GridView:
    return views.GridView(engine, views.grid_columns(engine))


VIEWS: dict[str, tuple[Callable[[Engine], Any], Callable[[Engine], list[tuple[Any, ...]]]]] = {
    "feed": (views.feed_view, expected_feed),
    "statements": (views.statements_view, expected_statements),
    "statements+dismissed": (
        lambda e: views.statements_view(e, include_dismissed=True),
        lambda e: expected_statements(e, include_dismissed=True),
    ),
    "issues": (views.issues_view, expected_issues),
    "grid": (_grid, expected_issues),
    "timeline": (views.timeline_view, expected_timeline),
}


@pytest.fixture(params=sorted(VIEWS))
def view_case(request: pytest.FixtureRequest, desk: Desk) -> tuple[Any, list[tuple[Any, ...]]]:
    make, expected = VIEWS[request.param]
    return make(desk.engine), expected(desk.engine)


def test_desk_has_ties_deletions_and_dismissals(desk: Desk) -> None:
    """The data set exercises what the views must handle (guards the other tests' value)."""
    articles = _all(desk.engine, Article)
    statements = _all(desk.engine, Statement)
    assert len(articles) == N_ARTICLES and len(statements) == N_STATEMENTS
    sort_ats = [a.sort_at for a in articles if a.deleted_at is None]
    assert len(set(sort_ats)) < len(sort_ats) / 2  # many equal timestamps
    assert sum(a.deleted_at is not None for a in articles) >= 10
    assert sum(s.deleted_at is not None for s in statements) >= 30
    assert sum(s.review == "dismissed" and s.deleted_at is None for s in statements) >= 30
    event_days = {e.date for e in _all(desk.engine, Event)}
    assert event_days & {s.said_on for s in statements}  # events and statements share days
    titles = [i.title for i in _all(desk.engine, Issue) if i.deleted_at is None]
    assert len(set(titles)) < len(titles)  # duplicate titles


def _walk_forward(view: Any, limit: int) -> list[Any]:
    rows: list[Any] = []
    page = view.page(limit=limit)
    while page:
        assert len(page) <= limit
        rows.extend(page)
        page = view.page(after=page[-1].key, limit=limit)
        assert len(rows) <= 10_000, "paging does not terminate"
    return rows


def _walk_backward(view: Any, last_key: Any, limit: int) -> list[Any]:
    rows: list[Any] = []
    page = view.page(before=last_key, limit=limit)
    while page:
        assert len(page) <= limit
        rows[:0] = page
        page = view.page(before=page[0].key, limit=limit)
        assert len(rows) <= 10_000, "paging does not terminate"
    return rows


@pytest.mark.parametrize("limit", [7, 64])
def test_paging_forward_visits_every_row_once_in_order(
    view_case: tuple[Any, list[tuple[Any, ...]]], limit: int
) -> None:
    view, expected = view_case
    rows = _walk_forward(view, limit)
    assert [row.key for row in rows] == expected
    assert len({row.key for row in rows}) == len(rows)
    assert [row.id for row in rows] == [key[-1] for key in expected]


@pytest.mark.parametrize("limit", [9, 31])
def test_paging_backward_returns_previous_rows_in_order(
    view_case: tuple[Any, list[tuple[Any, ...]]], limit: int
) -> None:
    view, expected = view_case
    assert len(expected) > limit
    rows = _walk_backward(view, expected[-1], limit)
    assert [row.key for row in rows] == expected[:-1]
    for index in (1, limit, len(expected) // 2, len(expected) - 1):
        page = view.page(before=expected[index], limit=limit)
        assert [row.key for row in page] == expected[max(0, index - limit) : index]


def test_page_after_a_middle_key_starts_right_after_it(
    view_case: tuple[Any, list[tuple[Any, ...]]],
) -> None:
    view, expected = view_case
    for index in (0, 1, len(expected) // 3, len(expected) - 2):
        page = view.page(after=expected[index], limit=5)
        assert [row.key for row in page] == expected[index + 1 : index + 6]
    assert view.page(after=expected[-1], limit=5) == []
    assert view.page(before=expected[0], limit=5) == []


def test_count_key_at_and_index_of_agree_with_the_order(
    view_case: tuple[Any, list[tuple[Any, ...]]],
) -> None:
    view, expected = view_case
    assert view.count() == len(expected)
    for index in range(0, len(expected), 11):
        assert tuple(view.key_at(index)) == expected[index], index
        assert view.index_of(expected[index]) == index
    last = len(expected) - 1
    assert tuple(view.key_at(last)) == expected[last]
    assert view.index_of(expected[last]) == last
    assert view.key_at(len(expected)) is None
    assert view.key_at(-1) is None


def test_paging_from_key_at_continues_in_order(
    view_case: tuple[Any, list[tuple[Any, ...]]],
) -> None:
    """A jump (scrollbar drag) reads one key by offset, then pages on by key."""
    view, expected = view_case
    offset = len(expected) // 2
    key = view.key_at(offset)
    page = view.page(after=tuple(key), limit=10)
    assert [row.key for row in page] == expected[offset + 1 : offset + 11]


# --------------------------------------------------------------------------- row contents


def test_feed_rows_carry_outlet_and_live_statement_count(desk: Desk) -> None:
    sources = {s.id: s.name for s in _all(desk.engine, Source)}
    articles = {a.id: a for a in _all(desk.engine, Article)}
    counts: dict[int, int] = {}
    for s in _all(desk.engine, Statement):
        if s.deleted_at is None and s.review != "dismissed":
            counts[s.article_id] = counts.get(s.article_id, 0) + 1
    rows = _walk_forward(views.feed_view(desk.engine), 100)
    for row in rows:
        article = articles[row.id]
        assert row.title == article.title
        assert row.sort_at == article.sort_at
        assert row.sort_at.utcoffset() == dt.timedelta(0)
        assert row.outlet == sources.get(article.source_id, "")
        assert row.statements == counts.get(row.id, 0)


def test_feed_filtered_by_source(desk: Desk) -> None:
    source_id = _all(desk.engine, Source)[1].id
    view = views.feed_view(desk.engine, source_id=source_id)
    expected = expected_feed(desk.engine, source_id)
    assert 0 < len(expected) < len(expected_feed(desk.engine))
    assert [row.key for row in _walk_forward(view, 13)] == expected
    assert view.count() == len(expected)


def test_statement_rows_carry_speaker_and_outlet(desk: Desk) -> None:
    actors = {a.id: a.name for a in _all(desk.engine, Actor)}
    sources = {s.id: s.name for s in _all(desk.engine, Source)}
    articles = {a.id: a for a in _all(desk.engine, Article)}
    statements = {s.id: s for s in _all(desk.engine, Statement)}
    for row in _walk_forward(views.statements_view(desk.engine), 100):
        statement = statements[row.id]
        assert row.review != "dismissed"
        assert row.text == statement.text
        assert row.speaker == actors.get(statement.speaker_id, "")
        assert row.said_on == statement.said_on
        assert row.said_until == statement.said_until
        assert row.outlet == sources.get(articles[statement.article_id].source_id, "")


def test_timeline_rows_keep_date_ranges_and_put_events_first(desk: Desk) -> None:
    events = {e.id: e for e in _all(desk.engine, Event)}
    statements = {s.id: s for s in _all(desk.engine, Statement)}
    rows = _walk_forward(views.timeline_view(desk.engine), 40)
    ranged = 0
    for row in rows:
        if row.kind == "event":
            assert row.key[1] == 0
            source = events[row.id]
            assert (row.date, row.date_end, row.precision, row.title) == (
                source.date,
                source.date_end,
                source.precision,
                source.title,
            )
        else:
            assert row.kind == "statement" and row.key[1] == 1
            stmt = statements[row.id]
            assert (row.date, row.date_end, row.title) == (stmt.said_on, stmt.said_until, stmt.text)
        ranged += row.date_end is not None
    assert ranged >= 10
    # On a shared date every event comes before every statement.
    by_day: dict[dt.date, list[str]] = {}
    for row in rows:
        by_day.setdefault(row.date, []).append(row.kind)
    mixed = [kinds for kinds in by_day.values() if len(set(kinds)) == 2]
    assert mixed, "no day with both events and statements"
    for kinds in mixed:
        assert kinds == sorted(kinds)  # "event" < "statement"


@dataclass(frozen=True)
class _Expected:
    position_id: int
    summary: str
    as_of: dt.date | None
    history: int


def _expected_cells(engine: Engine) -> dict[tuple[int, int], _Expected]:
    """Latest accepted position per cell; a cell with only suggestions shows the newest one."""
    accepted: dict[tuple[int, int], list[Position]] = {}
    suggested: dict[tuple[int, int], list[Position]] = {}
    for p in _all(engine, Position):
        if p.deleted_at is None and p.review != "dismissed":
            bucket = accepted if p.review == "accepted" else suggested
            bucket.setdefault((p.issue_id, p.actor_id), []).append(p)
    result = {}
    for cell in accepted.keys() | suggested.keys():
        positions = accepted.get(cell) or suggested[cell]
        latest = max(positions, key=lambda p: (p.as_of, p.id))
        result[cell] = _Expected(
            int(latest.id),  # type: ignore[arg-type]
            latest.summary,
            latest.as_of,
            len(accepted.get(cell, [])),
        )
    return result


def test_grid_columns_are_actors_with_positions_in_first_seen_order(desk: Desk) -> None:
    first_seen: dict[int, int] = {}
    for p in sorted(_all(desk.engine, Position), key=lambda p: p.id):
        if p.deleted_at is None and p.review != "dismissed":
            first_seen.setdefault(p.actor_id, p.id)
    expected = sorted(first_seen, key=first_seen.__getitem__)
    assert [c.id for c in views.grid_columns(desk.engine)] == expected


def test_grid_cells_show_latest_accepted_position_with_history(desk: Desk) -> None:
    expected = _expected_cells(desk.engine)
    assert any(e.history > 1 for e in expected.values())
    grid = _grid(desk.engine)
    rows = _walk_forward(grid, 9)
    assert rows
    seen = 0
    for row in rows:
        assert len(row.cells) == len(grid.columns)
        for column, cell in zip(grid.columns, row.cells, strict=True):
            want = expected.get((row.id, column.id))
            if want is None:
                assert cell is None
            else:
                seen += 1
                assert (cell.position_id, cell.summary, cell.as_of, cell.history) == (
                    want.position_id,
                    want.summary,
                    want.as_of,
                    want.history,
                )
    assert seen > 20

    direct = views.grid_cells(desk.engine, [row.id for row in rows], [c.id for c in grid.columns])
    assert {cell: c.position_id for cell, c in direct.items()} == {
        cell: e.position_id for cell, e in expected.items() if cell[0] in {row.id for row in rows}
    }


# --------------------------------------------------------------------------- query plans


@contextmanager
def _captured_selects(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    captured: list[tuple[str, Any]] = []

    def capture(
        _conn: Any, _cursor: Any, statement: str, parameters: Any, _ctx: Any, _many: bool
    ) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            captured.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        yield captured
    finally:
        event.remove(engine, "before_cursor_execute", capture)


def _plan(engine: Engine, statement: str, parameters: Any) -> list[str]:
    with engine.connect() as conn:
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
    return [str(row[-1]) for row in rows]


def _page_plans(engine: Engine, view: Any) -> list[list[str]]:
    first = view.page(limit=20)
    with _captured_selects(engine) as selects:
        page = view.page(after=first[-1].key, limit=20)
    assert page, "nothing after the first page"
    assert selects
    return [_plan(engine, statement, parameters) for statement, parameters in selects]


@pytest.mark.sqlite_only(reason="reads SQLite's EXPLAIN QUERY PLAN")
@pytest.mark.parametrize(
    ("name", "make", "tables", "index"),
    [
        ("statements", views.statements_view, ("statement",), "PRIMARY KEY"),
        ("feed", views.feed_view, ("article",), "ix_article_feed"),
        ("issues", views.issues_view, ("issue",), "ix_issue_grid"),
        ("timeline", views.timeline_view, ("event", "statement"), "_timeline"),
    ],
)
def test_page_after_a_key_is_an_index_range_scan(
    desk: Desk, name: str, make: Callable[[Engine], Any], tables: tuple[str, ...], index: str
) -> None:
    plans = _page_plans(desk.engine, make(desk.engine))
    text = "\n".join(line for plan in plans for line in plan)
    for table in tables:
        main = [line for plan in plans for line in plan if line.split()[1:2] == [table]]
        assert main, f"{table} missing from the plan:\n{text}"
        for line in main:
            # SEARCH … USING INDEX / INTEGER PRIMARY KEY; never a bare full-table SCAN.
            assert "USING" in line, f"full scan of {table}:\n{text}"
            assert "INDEX" in line or "PRIMARY KEY" in line, text
    assert index in text, text
    assert "TEMP B-TREE" not in text, f"the page is sorted instead of read in index order:\n{text}"


def test_from_end_reads_the_last_rows_in_view_order(desk: Desk) -> None:
    for view in (
        views.feed_view(desk.engine),
        views.statements_view(desk.engine),
        views.issues_view(desk.engine),
        views.timeline_view(desk.engine),
        views.GridView(desk.engine, views.grid_columns(desk.engine)),
    ):
        everything = _walk_forward(view, 13)
        assert view.page(limit=7, from_end=True) == everything[-7:]
        assert view.page(limit=len(everything) + 5, from_end=True) == everything


@pytest.mark.sqlite_only(reason="reads SQLite's EXPLAIN QUERY PLAN")
def test_suggested_pages_seek_on_the_score_expression(desk: Desk) -> None:
    """The suggested list's keyset starts with an expression (unscored last): a page after
    a key must be a range on it, not a walk over every suggestion before it."""
    repo = Repo(desk.engine, "plans")
    for n in range(45):
        repo.add_statement(text=f"suggestion {n}", review="suggested", score=(n % 7) / 7 or None)
    plans = _page_plans(desk.engine, views.statements_view(desk.engine, state="suggested"))
    text = "\n".join(line for plan in plans for line in plan)
    assert "ix_statement_suggested (review=? AND <expr><?)" in text, text


# --------------------------------------------------------------------------- jumps (issue 8)


def test_key_from_end_counts_back_from_the_last_row(
    view_case: tuple[Any, list[tuple[Any, ...]]],
) -> None:
    """A jump into the second half of a list looks its key up from the end, walking the
    index a short way instead of past every row before it."""
    view, expected = view_case
    for back in range(0, len(expected), 7):
        assert tuple(view.key_from_end(back)) == expected[-1 - back], back
    assert tuple(view.key_from_end(len(expected) - 1)) == expected[0]
    assert view.key_from_end(len(expected)) is None
    assert view.key_from_end(-1) is None


def test_keys_list_what_pages_list(desk: Desk) -> None:
    for view in (views.statements_view(desk.engine), views.feed_view(desk.engine)):
        rows = _walk_forward(view, 50)
        middle = rows[len(rows) // 2].key
        assert view.keys(limit=9) == [row.key for row in rows[:9]]
        assert view.keys(after=middle, limit=6) == [
            row.key for row in view.page(after=middle, limit=6)
        ]
        assert view.keys(before=middle, limit=6) == [
            row.key for row in view.page(before=middle, limit=6)
        ]


@pytest.mark.parametrize("in_memory", [20_000, 3])
def test_timeline_jumps_agree_with_the_merged_order(
    desk: Desk, monkeypatch: pytest.MonkeyPatch, in_memory: int
) -> None:
    """The timeline finds the row at an offset by walking the statements and stepping back
    over the events before it; with more events than it reads into memory, by a union in
    SQL. Either way, from either end, every offset names the row the merged order has."""
    monkeypatch.setattr(views, "MERGE_IN_MEMORY", in_memory)
    expected = expected_timeline(desk.engine)
    filtered = views.timeline_view(desk.engine, since=DAY0 + dt.timedelta(days=9))
    for view, want in (
        (views.timeline_view(desk.engine), expected),
        (filtered, [k for k in expected if k[0] >= DAY0 + dt.timedelta(days=9)]),
    ):
        assert view.main == 1
        for offset in range(len(want)):
            assert tuple(view.key_at(offset)) == want[offset], offset
            assert tuple(view.key_from_end(offset)) == want[-1 - offset], offset
        assert view.key_at(len(want)) is None and view.key_from_end(len(want)) is None
    # Without a main part: a union in SQL, the same keys.
    plain = views.MergedView(desk.engine, views.timeline_view(desk.engine).parts)
    for offset in range(0, len(expected), 5):
        assert tuple(plain.key_at(offset)) == expected[offset]
        assert tuple(plain.key_from_end(offset)) == expected[-1 - offset]


def test_timeline_jump_past_the_last_statement_lands_on_events(desk: Desk) -> None:
    """Events dated after every statement: offsets beyond the statements are events."""
    repo = Repo(desk.engine, "jumps")
    late = DAY0 + dt.timedelta(days=400)
    added = [repo.add_event(title=f"Late {n}", date=late) for n in range(3)]
    try:
        view = views.timeline_view(desk.engine)
        expected = expected_timeline(desk.engine)
        assert [k[2] for k in expected[-3:]] == [e.id for e in added]
        for back in range(5):
            assert tuple(view.key_at(len(expected) - 1 - back)) == expected[-1 - back]
            assert tuple(view.key_from_end(back)) == expected[-1 - back]
    finally:
        for event in added:
            repo.delete("event", int(event.id))  # type: ignore[arg-type]


class _Recording:
    """A view that says which lookups a list made."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.calls: list[tuple[str, int]] = []

    def key_at(self, offset: int) -> tuple[int]:
        self.calls.append(("key_at", offset))
        return (offset,)

    def key_from_end(self, offset: int) -> tuple[int]:
        self.calls.append(("key_from_end", offset))
        return (self.total - 1 - offset,)

    def page(self, *, after: Any = None, limit: int = 50, **_kwargs: Any) -> list[Any]:
        start = 0 if after is None else after[0] + 1
        return list(range(start, min(self.total, start + limit)))


def test_a_list_jumps_from_the_nearer_end() -> None:
    from workbench.ui.virtual_list import VirtualList

    view = _Recording(1_000_000)
    assert VirtualList._page_from(view, 100_001, 80, view.total)[0] == 100_001  # type: ignore[arg-type]
    assert VirtualList._page_from(view, 900_001, 80, view.total)[0] == 900_001  # type: ignore[arg-type]
    assert view.calls == [("key_at", 100_000), ("key_from_end", 99_999)]


# --------------------------------------------------------------------------- covering indexes


def _selects_of(engine: Engine, call: Callable[[], Any]) -> list[str]:
    with _captured_selects(engine) as selects:
        call()
    assert selects
    return ["\n".join(_plan(engine, statement, parameters)) for statement, parameters in selects]


COVERED_VIEWS = pytest.mark.parametrize(
    "make",
    [
        views.statements_view,
        lambda e: views.statements_view(e, state="suggested"),
        lambda e: views.statements_view(e, state="accepted"),
        views.feed_view,
        lambda e: views.feed_view(e, state="inbox"),
        lambda e: views.feed_view(e, state="new"),
        views.timeline_view,
    ],
    ids=["statements", "suggested", "accepted", "feed", "inbox", "triage", "timeline"],
)


def _reads_of(desk: Desk, view: Any) -> list[Callable[[], Any]]:
    key = view.key_at(3)
    assert key is not None
    return [
        view.count,
        lambda: view.key_at(5),
        lambda: view.key_from_end(5),
        lambda: view.index_of(key),
    ]


@pytest.mark.sqlite_only(reason="reads SQLite's EXPLAIN QUERY PLAN")
@pytest.mark.parametrize(
    "make",
    [
        views.statements_view,
        lambda e: views.statements_view(e, state="suggested"),
        lambda e: views.statements_view(e, state="accepted"),
        views.feed_view,
        lambda e: views.feed_view(e, state="inbox"),
        lambda e: views.feed_view(e, state="new"),
        views.timeline_view,
    ],
    ids=["statements", "suggested", "accepted", "feed", "inbox", "triage", "timeline"],
)
def test_counts_and_jumps_read_one_index_not_the_table(
    desk: Desk, make: Callable[[Engine], Any]
) -> None:
    """A count, a jump and an index_of touch every row they pass: at a million statements,
    reading those rows from the table cost 200-700 ms (bench/scale.py), the index alone
    ~25-50 ms. Each must be a covering index scan of the statement or article table."""
    view = make(desk.engine)
    key = view.key_at(3)
    assert key is not None
    for call in (
        view.count,
        lambda: view.key_at(5),
        lambda: view.key_from_end(5),
        lambda: view.index_of(key),
    ):
        for plan in _selects_of(desk.engine, call):
            for line in plan.splitlines():
                if line.split()[1:2] in (["statement"], ["article"]):
                    assert "COVERING INDEX" in line or "PRIMARY KEY" in line, plan


@COVERED_VIEWS
def test_counts_and_jumps_can_read_the_index_alone_on_postgresql(
    desk: Desk, backend: str, make: Callable[[Engine], Any]
) -> None:
    """The same on PostgreSQL: with scans of the table ruled out (a test desk is small
    enough that the planner would rather read it), each query is an index-only scan,
    which only an index holding every column the query reads allows."""
    if backend != "postgres":
        pytest.skip("reads PostgreSQL's EXPLAIN")
    with desk.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")  # what autovacuum does on a desk in use
    view = make(desk.engine)
    for call in _reads_of(desk, view):
        with _captured_selects(desk.engine) as selects:
            call()
        assert selects
        for statement, parameters in selects:
            with desk.engine.connect() as conn:
                for setting in ("enable_seqscan", "enable_bitmapscan"):
                    conn.exec_driver_sql(f"SET LOCAL {setting} = off")
                plan = "\n".join(
                    str(r[0]) for r in conn.exec_driver_sql("EXPLAIN " + statement, parameters)
                )
            for line in plan.splitlines():
                if (
                    " on statement" in line
                    or " on article " in line
                    or line.endswith(" on article")
                ):
                    assert "Index Only Scan" in line, plan
