"""Fixes from the review of issue 7: an export never lands on the desk's own file; the
publishing formats have names of their own; a jump to an event the timeline filter hides
clears the filter instead of landing on a neighbour."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from db.models import Event
from tests.conftest import wait_for
from tests.ui_support import make_app, pane, plist, wait_loaded
from workbench.cli import CliError, app
from workbench.export import FORMATS
from workbench.ui.timeline_filter import TimelineFilter


@pytest.mark.sqlite_only(reason="the desk's own file")
@pytest.mark.parametrize("suffix", ["", "-wal"])
def test_an_export_is_never_written_over_the_desk(demo_db: Path, suffix: str) -> None:
    before = demo_db.read_bytes()
    target = demo_db.with_name(demo_db.name + suffix)
    result = CliRunner().invoke(
        app, ["export", "--db", str(demo_db), "-f", "md", "-o", str(target)]
    )
    assert isinstance(result.exception, CliError), result.output
    assert "is the desk itself" in str(result.exception)
    assert demo_db.read_bytes()[:100] == before[:100]


def test_every_format_has_a_file_name_of_its_own() -> None:
    suffixes = [f.suffix for f in FORMATS.values()]
    assert len(set(suffixes)) == len(suffixes), suffixes


async def test_a_jump_to_an_event_the_filter_hides_clears_the_filter(demo_db: Path) -> None:
    wb = make_app(demo_db, live=False)
    async with wb.run_test(size=(160, 45)) as pilot:
        await wait_loaded(pilot, wb)
        timeline = pane(wb, "timeline")
        timeline.set_filter(TimelineFilter(verification="verified"))  # type: ignore[attr-defined]
        await wait_for(
            pilot,
            lambda: all(r.kind == "statement" for r in plist(wb, "timeline").loaded_rows),
            "the filter to hide the events",
        )
        assert wb.repo is not None
        with wb.repo.read() as session:
            event_id = session.exec(select(Event.id).order_by(Event.date)).first()
        wb._search_done(("event", int(event_id)))  # what Enter on it in Collections does
        await wait_for(
            pilot,
            lambda: (
                (row := plist(wb, "timeline").current) is not None
                and (row.kind, row.id) == ("event", event_id)
            ),
            "the cursor on the event",
        )
        assert timeline.filter is None  # type: ignore[attr-defined]
