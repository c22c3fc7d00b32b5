"""``workbench export``: every format from the command line, its options and its errors
(one clear line and a non-zero exit), and the config's ``[export]`` table."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests._support_data import isolated_env, run_workbench
from tests._support_export import (
    COLLECTION,
    EDITOR,
    ORGANISATION,
    ORGANISATION_URL,
    build_fixture_desk,
)
from tests.backend import copy_desk
from workbench.cli import CliError, app
from workbench.config import ConfigError, ExportSettings, load_config


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("export-cli") / "template.db"
    build_fixture_desk(path).repo.engine.dispose()
    return path


@pytest.fixture
def desk(template: Path, tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "desk.db"
    copy_desk(template, path)
    yield path


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "workbench.toml"
    path.write_text(
        f'editor = "maria"\n[export]\norganisation = "{ORGANISATION}"\n'
        f'organisation_url = "{ORGANISATION_URL}"\n',
        encoding="utf-8",
    )
    return path


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _export(runner: CliRunner, desk: Path, *args: str, config: Path | None = None):  # type: ignore[no-untyped-def]
    env = {"WORKBENCH_CONFIG": str(config)} if config else {}
    return runner.invoke(app, ["--db", str(desk), "export", *args], env=env)


@pytest.mark.parametrize(
    ("fmt", "says"),
    [
        ("md", "## Positions"),
        ("html", "<!DOCTYPE html>"),
        ("claimreview", '"@type": "ClaimReview"'),
        ("timelinejs", '"events"'),
        ("annotations", '"AnnotationCollection"'),
        ("json", '"format": "newsroom-workbench"'),
    ],
)
def test_each_format_to_a_file_and_to_stdout(
    runner: CliRunner, desk: Path, config: Path, tmp_path: Path, fmt: str, says: str
) -> None:
    out = tmp_path / "out" / f"export.{fmt}"
    out.parent.mkdir()
    result = _export(runner, desk, "--format", fmt, "-o", str(out), config=config)
    assert result.exit_code == 0, result.output
    assert says in out.read_text("utf-8")
    assert "maria" in out.read_text("utf-8")  # exported_by from the config's editor
    assert result.stderr.startswith(f"Exported to {out}: ")
    assert sorted(p.name for p in out.parent.iterdir()) == [out.name]  # no temp files
    streamed = _export(runner, desk, "--format", fmt, config=config)
    assert streamed.exit_code == 0, streamed.output
    assert says in streamed.stdout


def test_collection_option_exports_that_collection(
    runner: CliRunner, desk: Path, config: Path
) -> None:
    result = _export(runner, desk, "-f", "md", "--collection", "verrin talks", config=config)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"# Desk export: {COLLECTION}\n")
    assert "Suggested but never accepted." in result.stdout  # in the collection, so exported


def test_unknown_collection_is_one_line_naming_the_others(
    runner: CliRunner, desk: Path, tmp_path: Path
) -> None:
    out = tmp_path / "x.html"
    result = _export(runner, desk, "-f", "html", "--collection", "Nope", "-o", str(out))
    assert result.exit_code == 1
    assert isinstance(result.exception, CliError)
    assert str(result.exception) == "no collection named 'Nope' (have: Archive, Verrin talks)"
    assert not out.exists()
    streamed = _export(runner, desk, "-f", "md", "-c", "Nope")
    assert streamed.exit_code == 1 and streamed.stdout == ""


def test_csv_to_stdout_needs_a_kind(runner: CliRunner, desk: Path) -> None:
    result = _export(runner, desk, "-f", "csv")
    assert isinstance(result.exception, CliError) and result.exception.code == 2
    message = str(result.exception)
    assert "--kind" in message and "-o FILE" in message and "\n" not in message
    assert result.stdout == ""


def test_csv_kind_to_stdout_with_bom(runner: CliRunner, desk: Path) -> None:
    result = _export(runner, desk, "-f", "csv", "--kind", "positions", "--bom")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("\ufeffid,issue,actor")
    table = list(csv.DictReader(io.StringIO(result.stdout.lstrip("\ufeff"))))
    assert len(table) == 4 and {r["exported_by"] for r in table} == {"tester"}


def test_csv_to_a_file_writes_one_file_per_kind(
    runner: CliRunner, desk: Path, tmp_path: Path
) -> None:
    out = tmp_path / "set" / "verrin.csv"
    out.parent.mkdir()
    result = _export(runner, desk, "-f", "csv", "-c", COLLECTION, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.parent.iterdir()) == [
        "verrin-events.csv", "verrin-links.csv", "verrin-positions.csv", "verrin-statements.csv",
    ]  # fmt: skip
    assert "4 statements, 1 positions, 1 events, 2 links" in result.stderr


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["-f", "md", "--kind", "statements"], "--kind is for csv only"),
        (["-f", "csv", "--kind", "people"], "unknown kind 'people'"),
        (["-f", "html", "--bom"], "--bom is for csv only"),
    ],
)
def test_options_that_do_not_fit_the_format_are_usage_errors(
    runner: CliRunner, desk: Path, args: list[str], says: str
) -> None:
    result = _export(runner, desk, *args)
    assert isinstance(result.exception, CliError) and result.exception.code == 2
    assert says in str(result.exception)


def test_csv_without_a_kind_is_one_line_from_the_console_script(tmp_path: Path, desk: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    proc = run_workbench(["--db", str(desk), "export", "-f", "csv"], isolated_env(home), tmp_path)
    assert proc.returncode == 2 and proc.stdout == ""
    [line] = proc.stderr.strip().splitlines()
    assert line.startswith("error: csv writes one file per kind: give --kind")


def test_unknown_format_lists_the_formats(tmp_path: Path, desk: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    proc = run_workbench(["--db", str(desk), "export", "-f", "xml"], isolated_env(home), tmp_path)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "xml" in lines[0] and "claimreview" in lines[0]


def test_claimreview_without_an_organisation_says_so(runner: CliRunner, desk: Path) -> None:
    result = _export(runner, desk, "-f", "claimreview")
    assert result.exit_code == 0, result.output
    assert "note: no organisation in the config's [export] table" in result.stderr
    authors = {json.dumps(r["author"]) for r in json.loads(result.stdout)}
    assert authors == {json.dumps({"@type": "Person", "name": "tester"})}


def test_claimreview_author_comes_from_the_config(
    runner: CliRunner, desk: Path, config: Path
) -> None:
    result = _export(runner, desk, "-f", "claimreview", config=config)
    assert result.exit_code == 0, result.output
    assert "note:" not in result.stderr
    reviews = json.loads(result.stdout)
    assert {r["author"]["name"] for r in reviews} == {ORGANISATION}
    assert all(r["url"].startswith(ORGANISATION_URL + "#statement-") for r in reviews)
    assert {r["itemReviewed"]["appearance"][0]["url"][:8] for r in reviews} == {"https://"}
    assert EDITOR not in {r["author"]["name"] for r in reviews}


def test_a_failed_export_leaves_the_old_file(runner: CliRunner, desk: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.md"
    out.write_text("yesterday's report", encoding="utf-8")
    result = _export(runner, desk, "-f", "md", "-c", "Nope", "-o", str(out))
    assert result.exit_code == 1
    assert out.read_text("utf-8") == "yesterday's report"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".report")) == []


def test_export_to_a_missing_folder_is_one_line(
    runner: CliRunner, desk: Path, tmp_path: Path
) -> None:
    target = tmp_path / "nowhere" / "out.md"
    result = _export(runner, desk, "-f", "md", "-o", str(target))
    assert result.exit_code == 1
    assert str(result.exception) == f"cannot write {target}: folder {target.parent} does not exist"


# --------------------------------------------------------------------------- config


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_export_settings_are_read_from_the_config(tmp_path: Path) -> None:
    path = _config(
        tmp_path,
        '[export]\norganisation = "  Example   Desk "\norganisation_url = "https://x.example/c "\n',
    )
    assert load_config(path).export == ExportSettings("Example Desk", "https://x.example/c")
    assert load_config(_config(tmp_path, 'editor = "a"\n')).export == ExportSettings()


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('export = "x"\n', "[export] must be a table"),
        ("[export]\norganization = 'typo'\n", "[export] has no setting 'organization'"),
        ("[export]\norganisation = 3\n", "[export] organisation must be a string"),
        ("[export]\norganisation_url = 'javascript:alert(1)'\n", "must be an http(s) address"),
        ("[export]\norganisation_url = 'factdesk.example'\n", "must be an http(s) address"),
    ],
)
def test_bad_export_settings_are_named(tmp_path: Path, text: str, says: str) -> None:
    path = _config(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert says in str(caught.value) and str(path) in str(caught.value)


def test_a_bad_export_setting_stops_the_export(
    runner: CliRunner, desk: Path, tmp_path: Path
) -> None:
    path = _config(tmp_path, "[export]\norganisation_url = 'ftp://x'\n")
    result = _export(runner, desk, "-f", "md", config=path)
    assert result.exit_code == 1
    assert "organisation_url must be an http(s) address" in str(result.exception)
