"""Ingest proposes statements for what it stores, on the text it stored.

Suggestions are made inside the document's transaction, so they must read the article as
that transaction wrote it: a new article's text, a changed article's new text.
"""

from __future__ import annotations

from pathlib import Path

from sqlmodel import col, select

from db.engine import open_desk
from db.models import Article, Statement
from db.repo import Repo
from tests import backend
from tests._support_data import isolated_env, run_workbench

FERRY = (Path(__file__).parent / "fixtures" / "statements" / "ferry_talks.txt").read_text()


def _suggestions(db: Path) -> tuple[str, list[Statement]]:
    engine = open_desk(str(db))
    try:
        from sqlmodel import Session

        with Session(engine) as session:
            (article,) = session.exec(select(Article)).all()
            live = session.exec(
                select(Statement)
                .where(Statement.article_id == article.id, col(Statement.deleted_at).is_(None))
                .order_by(col(Statement.evidence_start))
            ).all()
            return article.text, list(live)
    finally:
        engine.dispose()


def test_ingesting_a_file_suggests_statements_on_its_words(tmp_path: Path) -> None:
    story = tmp_path / "ferry.txt"
    story.write_text("Ferry talks on the Tessel\n\n" + FERRY)
    db = tmp_path / "desk.db"
    env = isolated_env(tmp_path / "home")
    result = run_workbench(["--db", backend.location(db), "ingest", str(story)], env, tmp_path)
    assert result.returncode == 0, result.stderr
    text, first = _suggestions(db)
    assert len(first) >= 3 and all(s.review == "suggested" for s in first)
    for statement in first:
        assert statement.evidence_start is not None and statement.evidence_end is not None
        assert text[statement.evidence_start : statement.evidence_end] == statement.evidence_exact
    assert any("Worandt" in s.evidence_exact for s in first)

    # The outlet adds a paragraph at the top: suggestions are read from the new text and
    # anchored in it, never taken from the old text and pinned to the new one's offsets.
    story.write_text(
        "Ferry talks on the Tessel\n\n"
        "An editor's note added above the story, long enough to move it.\n\n" + FERRY
    )
    result = run_workbench(["--db", backend.location(db), "ingest", str(story)], env, tmp_path)
    assert result.returncode == 0, result.stderr
    text, second = _suggestions(db)
    assert text.startswith("An editor's note")
    assert sorted(s.evidence_exact for s in second) == sorted(s.evidence_exact for s in first)
    for statement in second:
        assert statement.evidence_start is not None and statement.evidence_end is not None
        assert text[statement.evidence_start : statement.evidence_end] == statement.evidence_exact
        assert statement.text.split()[0] in statement.evidence_exact


def test_ingest_proposes_links_for_the_statements_it_brings(tmp_path: Path) -> None:
    """The same quote in a second outlet's story arrives with a suggested duplicates link:
    the desk proposes it, no editor has to ask."""
    first, second = tmp_path / "courier.txt", tmp_path / "post.txt"
    first.write_text(
        "Bridge tolls to rise\n\nMinister Alda Rusk said the bridge toll would double "
        "from March to pay for the new deck.\n"
    )
    second.write_text(
        "Toll rise confirmed\n\nThe bridge toll would double from March to pay for the new "
        "deck, Minister Alda Rusk said on Friday.\n"
    )
    db = tmp_path / "desk.db"
    env = isolated_env(tmp_path / "home")
    assert (
        run_workbench(
            ["--db", backend.location(db), "ingest", str(first)], env, tmp_path
        ).returncode
        == 0
    )
    result = run_workbench(["--db", backend.location(db), "ingest", str(second)], env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "1 links suggested" in result.stdout
    engine = open_desk(str(db))
    try:
        (row,) = Repo(engine, "tester").suggested_links()
        assert row.relation == "duplicates"
        assert "toll would double" in row.from_side.text and "toll would double" in row.to_side.text
        assert row.from_side.article_id != row.to_side.article_id
    finally:
        engine.dispose()
