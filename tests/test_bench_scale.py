"""bench/scale.py: builds a (tiny) synthetic desk on the backend under test and prints
every figure of its one table, the app's own in a real terminal included, so the
benchmark cannot rot between the runs that matter (no timing asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, text

from tests.backend import location

BENCH = Path(__file__).resolve().parent.parent / "bench" / "scale.py"

OPERATIONS = (
    "open desk",
    "search statements, ranked",
    "search statements + articles",
    "link picker candidates",
    "link picker, typed filter",
    "grid load (columns, count, first 80 rows; on reload)",
    "timeline load (count, first 80 rows; on reload)",
    "grid columns",
    "grid page",
    "grid count",
    "timeline: first page",
    "timeline: jump to the middle (key + page)",
    "timeline: last page",
    "timeline: count",
    "timeline: index_of, cursor mid-list",
    "statements: first page",
    "statements: jump to the middle (key + page)",
    "statements: last page",
    "statements: count",
    "statements (suggested): first page",
    "feed (inbox): first page",
    "feed (unread): jump to the middle (key + page)",
    "peak RSS, measuring process",
    "app: spawn → first frame, first paint",
    "app: spawn → every pane's rows on screen",
    "feed: key → repaint (scrolling)",
    "statements: key → repaint (scrolling)",
    "positions: key → repaint (scrolling)",
    "timeline: key → repaint (scrolling)",
    "timeline: key → rows and detail drawn",
    "app: peak RSS after scrolling every pane",
    "feed: rows per load beyond those shown",
    "positions: rows per load beyond those shown",
    "timeline: rows per load beyond those shown",
    "live: commit in another process → watcher",
)
#: issue 8's goals, each on the figure it judges
GOALS = ("p95 < 1 s", "p95 < 30 ms", "p95 < 20 ms", "p95 < 300 ms", "< 300 MB", "≤ shown + 120")


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(BENCH), *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _url(desk: str) -> str:
    return desk if "://" in desk else f"sqlite:///{desk}"


def test_tiny_desk_builds_and_every_figure_prints(tmp_path: Path, backend: str) -> None:
    desk = location(tmp_path / "scale.db")  # a file, or a database on the PostgreSQL pass
    sizes = ["--articles", "200", "--statements", "2000", "--links", "300", "--events", "40"]
    quick = ["--reps", "6", "--keys", "3", "--starts", "1", "--commits", "3"]
    proc = _run("--backend", backend, *sizes, *quick, "--db", desk)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert "rows/s" in out and "search indexes" in out
    assert f"backend: {backend}" in out and "(the desk itself)" in out
    header = next(line for line in out.splitlines() if line.startswith("operation"))
    for column in ("p50", "p95", "base p50", "base p95", "baseline", "goal", "met"):
        assert column in header
    table = out.split("figures on", 1)[1]
    for operation in OPERATIONS:
        assert operation in table, f"{operation!r} missing from:\n{out}"
    for goal in GOALS:
        assert goal in table, goal
    rows = [line for line in table.splitlines() if "p95 < 30 ms" in line]
    assert rows and all(line.rstrip().endswith(("met", "MISSED")) for line in rows)
    for kind in ("common", "rare", "phrase", "prefix", "or", "not"):
        assert f"\n{kind} (" in table, kind
    assert "goals missed" in out

    # The desk is what the app reads: every row counted, statements inside their
    # articles, the search index rebuilt after the raw inserts (the autouse conftest
    # fixture checks it says exactly what the rows say), ids past the inserted ones.
    engine = create_engine(_url(desk))
    try:
        with engine.connect() as conn:
            counts = {
                t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one()
                for t in ("article", "statement", "link", "event", "actor", "issue", "position")
            }
            assert counts["article"] == 200 and counts["statement"] == 2000
            assert counts["link"] == 300 and counts["event"] == 40
            assert counts["actor"] == 2000 and counts["issue"] == 300
            assert counts["position"] > 300
            orphans = conn.execute(
                text(
                    "SELECT count(*) FROM statement s JOIN article a ON a.id = s.article_id "
                    "WHERE substr(a.text, s.evidence_start + 1, "
                    "s.evidence_end - s.evidence_start) != s.evidence_exact"
                )
            ).scalar_one()
            assert orphans == 0
            if backend == "postgres":
                indexed = "SELECT count(*) FROM statement_search_doc WHERE tsv @@ 'minister'"
            else:
                indexed = "SELECT count(*) FROM statement_fts WHERE statement_fts MATCH 'minister'"
            assert conn.execute(text(indexed)).scalar_one() > 0
            # The live figure starred articles from another process, then unstarred them.
            touched = "SELECT count(*) FROM article WHERE version > 1"
            assert conn.execute(text(touched)).scalar_one() >= 3
            assert conn.execute(text(touched + " AND starred")).scalar_one() == 0
    finally:
        engine.dispose()
    from db.engine import open_desk
    from db.repo import Repo

    engine = open_desk(desk)
    try:  # the next statement a session adds gets a new id (PostgreSQL: sequences moved on)
        assert Repo(engine, "after").add_statement(text="After the bench").id == 2001
    finally:
        engine.dispose()

    # --reuse keeps a desk built with the same sizes instead of building it again.
    again = _run("--backend", backend, *sizes, *quick, "--db", desk, "--reuse", "--parts", "search")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "reusing the desk" in again.stdout and "rows/s" not in again.stdout
    assert "search statements, ranked" in again.stdout and "app: spawn" not in again.stdout


def test_backend_and_location_must_agree(tmp_path: Path) -> None:
    proc = _run("--backend", "postgres", "--articles", "10", "--db", str(tmp_path / "x.db"))
    assert proc.returncode != 0 and "database URL" in proc.stderr
    proc = _run("--parts", "search,nonsense")
    assert proc.returncode == 2 and "nonsense" in proc.stderr
