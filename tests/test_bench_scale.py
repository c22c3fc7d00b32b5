"""bench/scale.py at a tiny size: it builds a desk through the real schema and prints every
figure, so the benchmark cannot rot between the runs that matter (no timing asserted)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench" / "scale.py"

OPERATIONS = (
    "open desk",
    "search statements, ranked  vs FTS5 ORDER BY rank",
    "search statements, ranked  vs FTS5 first 50 unranked",
    "search all (stmts+articles) vs FTS5 ORDER BY rank",
    "search all (stmts+articles) vs FTS5 first 50 unranked",
    "link picker candidates",
    "link picker, typed filter",
    "grid columns",
    "grid page",
    "grid count",
    "timeline: first page",
    "timeline: middle (key_at + page)",
    "timeline: last page",
    "timeline: count",
    "timeline: index_of, cursor mid-list",
    "statements: first page",
    "statements: middle (key_at + page)",
    "statements: last page",
    "statements: count",
    "statements (suggested): first page",
    "feed (inbox): first page",
    "feed (unread): middle (key_at + page)",
    "peak RSS, measuring process",
)


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(BENCH), *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_tiny_desk_builds_and_every_figure_prints(tmp_path: Path) -> None:
    desk = tmp_path / "scale.db"
    sizes = ["--articles", "200", "--statements", "2000", "--links", "300", "--events", "40"]
    proc = _run(*sizes, "--reps", "6", "--db", str(desk))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "rows/s" in out and "search indexes" in out
    header = next(line for line in out.splitlines() if line.startswith("operation"))
    for column in ("p50 ms", "p95 ms", "base p50", "base p95", "goal"):
        assert column in header
    table = out.split("figures (", 1)[1]
    for operation in OPERATIONS:
        assert operation in table, f"{operation!r} missing from:\n{out}"
    for kind in ("common", "rare", "phrase", "prefix", "or", "not"):
        assert f"\n{kind} (" in table, kind

    # The desk is what the app reads: every row counted, statements inside their
    # articles, and the search indexes rebuilt after the raw inserts (the autouse
    # conftest fixture integrity-checks them too).
    with sqlite3.connect(desk) as conn:
        counts = {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("article", "statement", "link", "event", "actor", "issue", "position")
        }
        assert counts["article"] == 200 and counts["statement"] == 2000
        assert counts["link"] == 300 and counts["event"] == 40
        assert counts["actor"] == 2000 and counts["issue"] == 300 and counts["position"] > 300
        orphans = conn.execute(
            "SELECT count(*) FROM statement s JOIN article a ON a.id = s.article_id "
            "WHERE substr(a.text, s.evidence_start + 1, s.evidence_end - s.evidence_start) "
            "!= s.evidence_exact"
        ).fetchone()[0]
        assert orphans == 0
        indexed = conn.execute(
            "SELECT count(*) FROM statement_fts WHERE statement_fts MATCH 'minister'"
        ).fetchone()[0]
        assert indexed > 0
    conn.close()

    # --reuse keeps a desk built with the same sizes instead of building it again.
    again = _run(*sizes, "--reps", "3", "--db", str(desk), "--reuse")
    assert again.returncode == 0, again.stderr
    assert "reusing the desk" in again.stdout and "rows/s" not in again.stdout


def test_only_sqlite_exists_so_far() -> None:
    proc = _run("--backend", "postgres", "--articles", "10")
    assert proc.returncode == 2 and "sqlite" in proc.stderr
