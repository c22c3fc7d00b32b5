"""The ``workbench`` command: fast cases through Typer's runner, the error contract end to end.

``workbench.cli.main()`` (what the console script and ``python -m workbench`` run) is what turns
failures into one ``error:`` line, so the exit-code/one-line contract is checked in a real
subprocess with no terminal attached.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from db.engine import open_desk
from db.migrations import HEAD
from db.models import Change
from db.repo import Repo
from tests._support_data import (
    export_dict,
    isolated_env,
    load_demo_desk,
    row_counts,
    run_workbench,
    table_dump,
)
from workbench.cli import CliError, app


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private HOME/XDG tree, with no WORKBENCH_* variables from the caller."""
    home = tmp_path / "home"
    (home / "data").mkdir(parents=True)
    (home / "config").mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("USER", "tester")
    monkeypatch.delenv("WORKBENCH_CONFIG", raising=False)
    monkeypatch.delenv("WORKBENCH_DB", raising=False)
    return home


@pytest.fixture
def runner(home: Path) -> CliRunner:
    return CliRunner()


@pytest.fixture
def env(home: Path) -> dict[str, str]:
    return isolated_env(home)


@pytest.fixture
def desk(tmp_path: Path) -> Path:
    return tmp_path / "desk.db"


@pytest.fixture
def demo_desk(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "demo.db"
    repo = load_demo_desk(path)
    repo.engine.dispose()
    yield path


def _open(path: Path) -> Engine:
    return open_desk(str(path))


def _counts(path: Path) -> dict[str, int]:
    engine = _open(path)
    try:
        return row_counts(engine)
    finally:
        engine.dispose()


def assert_one_line_error(proc: subprocess.CompletedProcess[str], *needles: str) -> str:
    """Non-zero exit, exactly one ``error:`` line on stderr naming ``needles``, no traceback."""
    assert proc.returncode != 0, proc
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout, proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    line = lines[0]
    assert line.startswith("error:"), line
    for needle in needles:
        assert needle in line, (needle, line)
    return line


# --------------------------------------------------------------------------- bad --db values


def _bad_db(tmp_path: Path, kind: str) -> str:
    if kind == "missing folder":
        return str(tmp_path / "no-such-folder" / "desk.db")
    if kind == "directory":
        folder = tmp_path / "a-folder"
        folder.mkdir()
        return str(folder)
    if kind == "text file":
        text = tmp_path / "notes.txt"
        text.write_text("These are my notes, not a database.\n", encoding="utf-8")
        return str(text)
    if kind == "mysql url":
        return "mysql://user@localhost/desk"
    raise AssertionError(kind)


BAD_DBS = ["missing folder", "directory", "text file", "mysql url"]


@pytest.mark.parametrize("kind", BAD_DBS)
def test_bad_db_is_one_error_line_naming_it(tmp_path: Path, env: dict[str, str], kind: str) -> None:
    location = _bad_db(tmp_path, kind)
    proc = run_workbench(["--db", location, "db", "upgrade"], env, tmp_path)
    assert_one_line_error(proc, location)
    if kind == "text file":
        assert Path(location).read_text(encoding="utf-8").startswith("These are my notes")


@pytest.mark.sqlite_only(reason="paths that are not SQLite files")
@pytest.mark.parametrize("kind", BAD_DBS)
def test_bad_db_raises_a_cli_error_naming_it(tmp_path: Path, runner: CliRunner, kind: str) -> None:
    """The message itself (before main() prints it): names the location, no other output."""
    location = _bad_db(tmp_path, kind)
    result = runner.invoke(app, ["--db", location, "export"])
    assert result.exit_code != 0
    assert isinstance(result.exception, CliError), result.exception
    message = str(result.exception)
    assert location in message
    assert "\n" not in message
    assert result.stdout == ""


def test_workbench_db_env_var_is_an_error_like_db(tmp_path: Path, env: dict[str, str]) -> None:
    location = _bad_db(tmp_path, "missing folder")
    proc = run_workbench(["db", "upgrade"], {**env, "WORKBENCH_DB": location}, tmp_path)
    assert_one_line_error(proc, location)


def test_workbench_db_env_var_is_honoured(tmp_path: Path, runner: CliRunner, desk: Path) -> None:
    result = runner.invoke(app, ["db", "upgrade"], env={"WORKBENCH_DB": str(desk)})
    assert result.exit_code == 0, result.output
    assert desk.exists()
    assert HEAD in result.stdout
    engine = _open(desk)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == HEAD
    finally:
        engine.dispose()
    # --db wins over the environment.
    other = tmp_path / "other.db"
    result = runner.invoke(
        app, ["--db", str(other), "db", "upgrade"], env={"WORKBENCH_DB": str(desk)}
    )
    assert result.exit_code == 0
    assert other.exists()


# --------------------------------------------------------------------------- help


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["demo", "--help"],
        ["db", "--help"],
        ["db", "upgrade", "--help"],
        ["db", "backup", "--help"],
        ["export", "--help"],
    ],
    ids=" ".join,
)
def test_help_works_on_every_command(tmp_path: Path, env: dict[str, str], args: list[str]) -> None:
    proc = run_workbench(args, env, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "Usage:" in proc.stdout
    command = args[:-1]
    if command:
        assert " ".join(command) in proc.stdout
    assert not list(tmp_path.rglob("*.db")), "--help must not create a desk"


def test_help_lists_the_commands(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("demo", "db", "export", "--db"):
        assert command in result.stdout


# --------------------------------------------------------------------------- demo


def _demo_export(path: Path) -> dict[str, Any]:
    engine = _open(path)
    try:
        return export_dict(engine)
    finally:
        engine.dispose()


def test_demo_no_ui_loads_once(runner: CliRunner, desk: Path) -> None:
    result = runner.invoke(app, ["--db", str(desk), "demo", "--no-ui"])
    assert result.exit_code == 0, result.output
    assert "Loaded the demo desk" in result.output
    data = _demo_export(desk)
    assert len(data["articles"]) >= 8
    assert len(data["statements"]) >= 25
    assert len(data["events"]) >= 12
    assert len(data["issues"]) == 4
    assert len(data["collections"]) == 1
    counts = _counts(desk)
    assert counts["change"] > 0

    again = runner.invoke(app, ["--db", str(desk), "demo", "--no-ui"])
    assert again.exit_code == 0, again.output
    assert "already" in again.output
    assert _counts(desk) == counts


def test_demo_accepts_db_after_the_subcommand(runner: CliRunner, desk: Path) -> None:
    """The documented form ``workbench demo --no-ui --db F``."""
    result = runner.invoke(app, ["demo", "--no-ui", "--db", str(desk)])
    assert result.exit_code == 0, result.output
    assert len(_demo_export(desk)["statements"]) >= 25


def test_demo_without_db_uses_its_own_file_in_the_data_folder(
    runner: CliRunner, home: Path
) -> None:
    result = runner.invoke(app, ["demo", "--no-ui"])
    assert result.exit_code == 0, result.output
    demo_file = home / "data" / "workbench" / "demo.db"
    assert demo_file.exists()
    assert _counts(demo_file)["statement"] >= 25
    assert not (home / "data" / "workbench" / "desk.db").exists()


# --------------------------------------------------------------------------- db upgrade / backup


def _schema(path: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()


@pytest.mark.sqlite_only(reason="creates the desk file")
def test_db_upgrade_creates_and_is_idempotent(runner: CliRunner, desk: Path) -> None:
    first = runner.invoke(app, ["--db", str(desk), "db", "upgrade"])
    assert first.exit_code == 0, first.output
    assert f"revision {HEAD}" in first.stdout
    schema = _schema(desk)
    assert any(name == "statement" for _type, name, _sql in schema)

    second = runner.invoke(app, ["--db", str(desk), "db", "upgrade"])
    assert second.exit_code == 0, second.output
    assert f"revision {HEAD}" in second.stdout
    assert _schema(desk) == schema
    with sqlite3.connect(desk) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(HEAD,)]


def test_db_upgrade_through_main_exits_zero(tmp_path: Path, env: dict[str, str]) -> None:
    desk = tmp_path / "desk.db"
    proc = run_workbench(["--db", str(desk), "db", "upgrade"], env, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert HEAD in proc.stdout
    assert desk.exists()


@pytest.mark.sqlite_only(reason="SQLite's online backup")
def test_db_backup_writes_an_equal_sqlite_copy(
    runner: CliRunner, demo_desk: Path, tmp_path: Path
) -> None:
    target = tmp_path / "backups" / "copy.db"
    target.parent.mkdir()
    result = runner.invoke(app, ["--db", str(demo_desk), "db", "backup", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_bytes()[:16] == b"SQLite format 3\x00"
    with sqlite3.connect(target) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert not list(target.parent.glob("*.partial"))
    source_engine, copy_engine = _open(demo_desk), _open(target)
    try:
        assert row_counts(copy_engine) == row_counts(source_engine)
        assert row_counts(copy_engine)["statement"] >= 25
        assert table_dump(copy_engine) == table_dump(source_engine)
    finally:
        source_engine.dispose()
        copy_engine.dispose()


def test_db_backup_to_a_missing_folder_is_one_error_line(
    tmp_path: Path, env: dict[str, str], demo_desk: Path
) -> None:
    target = tmp_path / "no-such-folder" / "copy.db"
    proc = run_workbench(["--db", str(demo_desk), "db", "backup", str(target)], env, tmp_path)
    assert_one_line_error(proc, str(target.parent))
    assert not target.parent.exists()


@pytest.mark.sqlite_only(reason="SQLite's online backup")
def test_db_backup_to_a_missing_folder_raises_cli_error(
    runner: CliRunner, tmp_path: Path, demo_desk: Path
) -> None:
    target = tmp_path / "no-such-folder" / "copy.db"
    result = runner.invoke(app, ["--db", str(demo_desk), "db", "backup", str(target)])
    assert result.exit_code != 0
    assert isinstance(result.exception, CliError)
    assert str(target.parent) in str(result.exception)


# --------------------------------------------------------------------------- export


def test_export_json_to_a_file(runner: CliRunner, demo_desk: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "desk.json"
    out.parent.mkdir()
    result = runner.invoke(
        app, ["--db", str(demo_desk), "export", "--format", "json", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["format"] == "newsroom-workbench"
    assert len(data["statements"]) >= 25
    assert data["exported_by"] == "tester"
    assert sorted(p.name for p in out.parent.iterdir()) == ["desk.json"]  # no temp files left


def test_export_json_to_stdout(runner: CliRunner, demo_desk: Path) -> None:
    result = runner.invoke(app, ["--db", str(demo_desk), "export"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert len(data["articles"]) >= 8


def test_export_unknown_format_is_a_usage_error(
    tmp_path: Path, env: dict[str, str], demo_desk: Path
) -> None:
    out = tmp_path / "out.xml"
    proc = run_workbench(
        ["--db", str(demo_desk), "export", "--format", "xml", "-o", str(out)], env, tmp_path
    )
    assert proc.returncode == 2
    assert_one_line_error(proc, "xml")
    assert not out.exists()


# --------------------------------------------------------------------------- no terminal


def test_bare_workbench_without_a_terminal_is_one_error_line(
    tmp_path: Path, env: dict[str, str], desk: Path
) -> None:
    proc = run_workbench(["--db", str(desk)], env, tmp_path)
    assert_one_line_error(proc, "terminal")


def test_bare_workbench_without_a_terminal_raises_cli_error(runner: CliRunner, desk: Path) -> None:
    result = runner.invoke(app, ["--db", str(desk)])
    assert result.exit_code != 0
    assert isinstance(result.exception, CliError)
    assert "terminal" in str(result.exception)


# --------------------------------------------------------------------------- config


def test_invalid_config_toml_is_one_error_line_naming_the_file(
    tmp_path: Path, env: dict[str, str], desk: Path
) -> None:
    config = tmp_path / "conf" / "workbench.toml"
    config.parent.mkdir()
    config.write_text('editor = "maria\n[keymap\n', encoding="utf-8")
    proc = run_workbench(
        ["--db", str(desk), "export", "-o", str(tmp_path / "out.json")],
        {**env, "WORKBENCH_CONFIG": str(config)},
        tmp_path,
    )
    assert_one_line_error(proc, str(config))


def test_invalid_config_toml_raises_cli_error_naming_the_file(
    runner: CliRunner, tmp_path: Path, desk: Path
) -> None:
    config = tmp_path / "broken.toml"
    config.write_text("editor = = 'x'\n", encoding="utf-8")
    result = runner.invoke(
        app, ["--db", str(desk), "export"], env={"WORKBENCH_CONFIG": str(config)}
    )
    assert result.exit_code != 0
    assert isinstance(result.exception, CliError)
    assert str(config) in str(result.exception)
    assert "\n" not in str(result.exception)


def test_configured_editor_signs_changes_and_export(
    runner: CliRunner, tmp_path: Path, desk: Path
) -> None:
    config = tmp_path / "workbench.toml"
    config.write_text('editor = "maria"\n', encoding="utf-8")
    cfg = {"WORKBENCH_CONFIG": str(config)}

    loaded = runner.invoke(app, ["--db", str(desk), "demo", "--no-ui"], env=cfg)
    assert loaded.exit_code == 0, loaded.output
    out = tmp_path / "desk.json"
    exported = runner.invoke(app, ["--db", str(desk), "export", "-o", str(out)], env=cfg)
    assert exported.exit_code == 0, exported.output

    engine = _open(desk)
    try:
        with engine.connect() as conn:
            editors = set(conn.execute(select(Change.editor)).scalars())
        assert editors == {"maria"}
        assert Repo(engine, "x").last_change_id() > 0
    finally:
        engine.dispose()
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["exported_by"] == "maria"
    assert {s["editor"] for s in data["statements"]} == {"maria"}


@pytest.mark.sqlite_only(reason="an unreadable SQLite file")
def test_unreadable_db_file_is_one_error_line(
    tmp_path: Path, env: dict[str, str], runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An existing desk the login cannot read: named, with the OS's reason, on one line."""
    desk = tmp_path / "locked.db"
    load_demo_desk(desk).engine.dispose()
    if os.geteuid() != 0:  # the real thing; root reads through any permission bits
        desk.chmod(0)
        try:
            proc = run_workbench(["--db", str(desk), "export"], env, tmp_path)
        finally:
            desk.chmod(0o600)
        assert_one_line_error(proc, str(desk))
        assert "Permission denied" in proc.stderr
    # And the same failure injected where the OS reports it, so root runs check it too.
    real_open = Path.open

    def refuse(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self == desk:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse)
    result = runner.invoke(app, ["--db", str(desk), "export"])
    assert result.exit_code == 1
    assert isinstance(result.exception, CliError)
    assert str(result.exception) == f"cannot read database {desk}: Permission denied"


@pytest.mark.parametrize(
    ("location", "says"),
    [
        ("", "empty database location"),
        ("sqlite://", "in-memory database cannot be shared"),
        ("postgresql://editor@127.0.0.1:9/desk", "Connection refused"),
    ],
)
def test_unusable_locations_are_refused_on_one_line(
    tmp_path: Path, env: dict[str, str], location: str, says: str
) -> None:
    proc = run_workbench(["--db", location, "demo", "--no-ui"], env, tmp_path)
    line = assert_one_line_error(proc)
    assert says in line


@pytest.mark.parametrize("command", [["export"], ["db", "backup", "out.db"]])
def test_maintenance_commands_refuse_a_desk_that_does_not_exist(
    tmp_path: Path, env: dict[str, str], command: list[str]
) -> None:
    typo = tmp_path / "typo-desk.db"
    proc = run_workbench(["--db", str(typo), *command], env, tmp_path)
    assert_one_line_error(proc, str(typo), "no desk at")
    assert not typo.exists()
    assert not (tmp_path / "out.db").exists()


def test_demo_never_loads_into_the_desk_named_by_workbench_db(
    tmp_path: Path, env: dict[str, str], home: Path
) -> None:
    real = tmp_path / "real-desk.db"
    proc = run_workbench(["demo", "--no-ui"], {**env, "WORKBENCH_DB": str(real)}, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert not real.exists()
    assert (home / "data" / "workbench" / "demo.db").exists()
    # An explicit --db, before or after the command, is obeyed.
    explicit = tmp_path / "explicit.db"
    proc = run_workbench(["demo", "--no-ui", "--db", str(explicit)], env, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert explicit.exists()
