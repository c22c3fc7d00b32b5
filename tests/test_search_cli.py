"""`workbench search` and `workbench links suggest` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

from db.engine import open_desk
from db.repo import Repo
from tests import backend
from tests._support_data import isolated_env, run_workbench
from tests._support_links import build_story
from tests.conftest import EDITOR


def _story_desk(tmp_path: Path) -> str:
    """The story's desk, as the ``--db`` a ``workbench`` process is given: the file, or on
    the PostgreSQL pass the database standing in for it (a subprocess does not share this
    process's redirection of desk paths, tests/backend.py)."""
    path = tmp_path / "story.db"
    engine = open_desk(str(path))
    build_story(Repo(engine, EDITOR))
    engine.dispose()
    return backend.location(path)


def test_search_ranks_and_prints_json(tmp_path: Path) -> None:
    desk = _story_desk(tmp_path)
    env = isolated_env(tmp_path / "home")
    proc = run_workbench(
        ["--db", desk, "search", '"call between" NOT fishing', "--json"], env, tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    payload = json.loads(proc.stdout)
    hits = payload["hits"]
    assert len(hits) >= 6
    assert all("call between" in (h["title"] + h["snippet"]).lower() for h in hits)
    statement = next(h for h in hits if h["kind"] == "statement")
    assert statement["speaker"] in ("Orin Hask", "Marta Sol") and statement["date"].startswith(
        "2026-12"
    )
    proc = run_workbench(["--db", desk, "search", "quota*", "-k", "statement"], env, tmp_path)
    assert proc.returncode == 0 and "Fishing quotas in the bay" in proc.stdout
    assert "Orin Hask" in proc.stdout


def test_a_malformed_search_is_one_line_and_exit_2(tmp_path: Path) -> None:
    desk = _story_desk(tmp_path)
    env = isolated_env(tmp_path / "home")
    for query, words in (('"call', "quote is not closed"), ("call AND", "AND needs a word")):
        proc = run_workbench(["--db", desk, "search", query], env, tmp_path)
        assert proc.returncode == 2, proc
        assert "Traceback" not in proc.stderr
        (line,) = proc.stderr.splitlines()
        assert line.startswith("error:") and words in line, line


def test_links_suggest_stores_suggestions_once(tmp_path: Path) -> None:
    desk = _story_desk(tmp_path)
    env = isolated_env(tmp_path / "home")
    proc = run_workbench(["--db", desk, "links", "suggest"], env, tmp_path)
    assert proc.returncode == 0, proc.stderr
    count = int(proc.stdout.split()[0])
    assert count >= 4
    proc = run_workbench(["--db", desk, "links", "suggest"], env, tmp_path)
    assert proc.stdout.startswith("0 links suggested")
    engine = open_desk(desk)
    try:
        assert len(Repo(engine, EDITOR).suggested_links()) == count
    finally:
        engine.dispose()
