"""The import-linter contract names every non-UI part of the app, so none escapes it."""

from __future__ import annotations

import tomllib
from pathlib import Path

import workbench

ROOT = Path(__file__).resolve().parent.parent
#: Parts that may import Textual: the UI itself, and the CLI that starts it.
UI_SIDE = {"ui", "cli", "__main__"}


def test_every_non_ui_module_is_under_the_no_textual_contract() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    guarded = set(
        next(c for c in contracts if "textual" in c["forbidden_modules"])["source_modules"]
    )
    package = Path(workbench.__file__).parent
    parts = {
        p.stem for p in package.iterdir() if (p.suffix == ".py" or (p / "__init__.py").exists())
    } - {"__init__"}
    missing = {f"workbench.{part}" for part in parts - UI_SIDE} - guarded
    assert not missing, f"add to the import-linter contract in pyproject.toml: {sorted(missing)}"
    assert "db" in guarded
