"""Layering: storage and non-UI code stay free of Textual, and the CLI starts light."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests._support_data import PROJECT

HEAVY = ("textual", "rapidfuzz", "httpx", "feedparser")


def _lint_imports() -> str:
    beside_python = Path(sys.executable).parent / "lint-imports"
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("lint-imports")
    assert found, "lint-imports (import-linter) is not installed"
    return found


def test_import_linter_contracts_are_kept() -> None:
    proc = subprocess.run(
        [_lint_imports(), "--no-cache", "--no-logo"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "broken" in output and "0 broken" in output, output
    assert "Storage and non-UI code never import Textual KEPT" in output, output
    assert "Storage does not depend on the app KEPT" in output, output


def test_cli_and_storage_imports_stay_light() -> None:
    code = (
        "import json, sys\n"
        "import workbench.cli, db.repo, db.views, workbench.export.json_export\n"
        f"heavy = {HEAVY!r}\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in heavy)\n"
        "print(json.dumps(loaded))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    loaded = json.loads(proc.stdout.strip().splitlines()[-1])
    assert loaded == [], f"imported at start-up: {loaded}"


def test_the_light_import_check_would_notice_textual() -> None:
    """Guard the guard: the same probe reports Textual once something imports it."""
    code = (
        "import json, sys\n"
        "import workbench.cli\n"
        "import textual.app\n"
        "print(json.dumps('textual' in sys.modules))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.strip().splitlines()[-1]) is True
