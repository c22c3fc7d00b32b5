"""The demo desk's data file keeps every promise the brief makes of it."""

from __future__ import annotations

import pytest

from tests.check_desk import DEFAULT_PATH, main


def test_demo_desk_file_passes_its_validator(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check_desk", str(DEFAULT_PATH)]) == 0, capsys.readouterr().out
    assert capsys.readouterr().out.startswith("OK")
