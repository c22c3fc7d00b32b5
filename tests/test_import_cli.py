"""``workbench import FILE`` (issue 7): a collection exported from one desk comes into
another through the CLI; a second import matches everything; a bad file changes nothing
and says why in one line."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tests._support_data import row_counts
from workbench.cli import CliError, app

COLLECTION = "Morning briefing, 12 Nov"


def test_export_then_import_a_collection_into_another_desk(demo_db: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "briefing.jsonl"
    target = tmp_path / "other.db"
    exported = runner.invoke(
        app,
        ["export", "--db", str(demo_db), "-f", "jsonl", "--collection", COLLECTION, "-o", str(out)],
    )
    assert exported.exit_code == 0, exported.output
    assert runner.invoke(app, ["db", "upgrade", "--db", str(target)]).exit_code == 0

    first = runner.invoke(app, ["import", str(out), "--db", str(target)])
    assert first.exit_code == 0, first.output
    assert "created" in first.output and "no problems" in first.output
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    statements = sum(1 for item in lines if item["type"] == "statement")
    assert f"{statements} statements" in first.output

    from db.engine import open_desk

    engine = open_desk(str(target))
    before = row_counts(engine)
    second = runner.invoke(app, ["import", str(out), "--db", str(target)])
    assert second.exit_code == 0, second.output
    assert second.output.startswith(f"{out.name}: 0 created")
    assert row_counts(engine) == before  # nothing duplicated
    engine.dispose()


def test_a_file_that_is_not_an_export_is_refused_on_one_line(demo_db: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    bad = tmp_path / "notes.json"
    bad.write_text('{"hello": "world"}', encoding="utf-8")
    from db.engine import open_desk

    engine = open_desk(str(demo_db))
    before = row_counts(engine)
    result = runner.invoke(app, ["import", str(bad), "--db", str(demo_db)])
    # main() prints a CliError as one "error: …" line and exits with its code
    assert isinstance(result.exception, CliError) and result.exception.code == 1
    said = str(result.exception)
    assert "\n" not in said
    assert "notes.json" in said and "not a workbench export" in said
    assert row_counts(engine) == before
    engine.dispose()
