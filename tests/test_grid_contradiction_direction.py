"""A contradiction marks the grid cell whichever way an editor drew the link."""

from __future__ import annotations

from pathlib import Path

from db import views
from db.engine import open_desk
from db.repo import Repo
from tests.conftest import EDITOR
from tests.test_positions_grid import story_desk


def test_a_contradicts_link_drawn_from_the_backing_statement_still_marks_the_cell(
    tmp_path: Path,
) -> None:
    path, story = story_desk(tmp_path)
    repo = Repo(open_desk(str(path)), EDITOR)
    try:

        def contradicted() -> bool:
            cells = views.grid_cells(repo.engine, [story.ferry], [story.norland])
            return bool(cells[(story.ferry, story.norland)].contradicted)

        assert contradicted()  # the story links the later statement → the backing one
        link = next(
            lv
            for lv in repo.statement_detail(story.s_ready).links  # type: ignore[union-attr]
            if lv.other_id == story.s_closed
        )
        repo.delete("link", link.link_id)
        assert not contradicted()
        repo.add_link(story.s_ready, story.s_closed, "contradicts")  # drawn the other way
        assert contradicted()
    finally:
        repo.engine.dispose()
