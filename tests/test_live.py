"""Live refresh: what another process commits appears in an open session without a key press.

The change watcher first (``db.changes``: SQLite's ``data_version`` poll, PostgreSQL's
LISTEN/NOTIFY) and the live worker driving it (``workbench.ui.live``), then the TUI. On the
PostgreSQL pass "another process" opens the database standing in for the desk path, by
its URL (``desk_location``).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from textual.message import Message

from db.changes import ChangeBatch, ChangeWatcher, clip_spans, parse_spans, take_ids
from db.engine import open_desk
from db.repo import Repo
from tests.backend import location
from tests.conftest import wait_for
from tests.ui_support import main_screen, make_app, plist, row_text, wait_loaded
from workbench.ui import live
from workbench.ui.app import PaneTabs
from workbench.ui.live import DeskChanged, LiveTrouble, watch_desk

PROJECT = Path(__file__).resolve().parent.parent


def desk_location(path: Path, backend: str) -> str:
    """What another process passes as ``--db`` to open the desk at ``path`` (see
    ``tests.backend.location``; ``backend`` is the pass, kept for the call sites)."""
    return location(path)


def needs_postgres(backend: str) -> None:
    if backend != "postgres":
        pytest.skip("LISTEN/NOTIFY: PostgreSQL pass only")


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Engine]:
    engine = open_desk(str(tmp_path / "live.db"))
    yield engine
    engine.dispose()


@pytest.fixture
def other(desk: Engine, tmp_path: Path) -> Iterator[Repo]:
    """Another session on the same desk: its own engine, so its own connections."""
    engine = open_desk(str(tmp_path / "live.db"))
    yield Repo(engine, "other-editor")
    engine.dispose()


def next_batch(watcher: ChangeWatcher) -> ChangeBatch:
    """The watcher's next batch, driven as the live worker drives it (bounded)."""
    stop = threading.Event()
    for _ in range(400):
        batch = watcher.wait(live.LISTEN_SECONDS) if watcher.blocking else watcher.poll()
        if batch is not None:
            return batch
        if not watcher.blocking:
            stop.wait(live.POLL_SECONDS)
    raise AssertionError("no batch came")


class Collector:
    """Stands in for the app: keeps what the live worker posts."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.arrived = threading.Condition()

    def post_message(self, message: Message) -> bool:
        with self.arrived:
            self.messages.append(message)
            self.arrived.notify_all()
        return True

    def wait_until(self, predicate: Callable[[list[Message]], bool], what: str) -> None:
        with self.arrived:
            if not self.arrived.wait_for(lambda: predicate(self.messages), timeout=60):
                raise AssertionError(f"timed out waiting for {what}: {self.messages}")


def _changed_ids(messages: list[Message], entity: str) -> set[int]:
    found: set[int] = set()
    for message in messages:
        if isinstance(message, DeskChanged):
            found |= message.batch.ids_by_entity.get(entity, frozenset())
    return found


# --------------------------------------------------------------------------- the watcher


def test_spans_in_notifications() -> None:
    assert parse_spans("3,7-9") == [(3, 3), (7, 9)]
    for bad in ("", "x", "9-7", "0", "1-"):
        with pytest.raises(ValueError):
            parse_spans(bad)
    spans = [(1, 3), (10, 10), (20, 29)]
    assert take_ids(spans, 5) == [(1, 3), (10, 10), (20, 20)]
    assert spans == [(21, 29)]
    assert clip_spans([(1, 10), (12, 12), (20, 30)], 5, 25) == [(1, 4), (26, 30)]


def test_a_commit_by_another_engine_reaches_the_watcher(desk: Engine, other: Repo) -> None:
    watcher = ChangeWatcher(desk)
    try:
        issue = other.add_issue("Committed by another engine")
        batch = next_batch(watcher)
        assert batch.ids_by_entity == {"issue": frozenset({issue.id})}
        assert batch.editors == {"other-editor"} and batch.count == 1
        assert batch.last_id == watcher.last_id
        # Nothing more was committed: nothing more is reported.
        assert (watcher.wait(0) if watcher.blocking else watcher.poll()) is None
    finally:
        watcher.close()


@pytest.mark.sqlite_only(reason="PRAGMA data_version is SQLite's own commit counter")
def test_sqlite_watcher_reads_no_rows_until_data_version_moves(
    desk: Engine, other: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    watcher = ChangeWatcher(desk)
    assert watcher.poll() is None  # the first poll takes the baseline
    statements: list[str] = []

    def spy(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    from sqlalchemy import event

    event.listen(desk, "before_cursor_execute", spy)
    try:
        for _ in range(5):
            assert watcher.poll() is None
        assert any("data_version" in s for s in statements)
        assert not any("FROM change" in s for s in statements)
        other.add_issue("Now it moves")
        assert next_batch(watcher).entities == {"issue"}
        assert any("FROM change" in s for s in statements)
    finally:
        event.remove(desk, "before_cursor_execute", spy)
        watcher.close()


def test_the_live_worker_posts_changes_and_stops_promptly(desk: Engine, other: Repo) -> None:
    watcher = ChangeWatcher(desk)
    target, stop = Collector(), threading.Event()
    thread = threading.Thread(target=watch_desk, args=(watcher, target, stop), daemon=True)
    thread.start()
    try:
        issue = other.add_issue("Seen by the worker")
        target.wait_until(lambda m: issue.id in _changed_ids(m, "issue"), "the issue")
    finally:
        stop.set()
        # Nothing is committed from here on: the worker must not wait for a change to
        # notice it should stop (on PostgreSQL its wait on the socket has a timeout).
        thread.join(30)
    assert not thread.is_alive()
    assert watcher._conn is None and watcher._listener is None  # its connections closed


def test_postgres_watcher_sleeps_on_notifications_reading_nothing_while_idle(
    backend: str, desk: Engine, other: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    needs_postgres(backend)
    watcher = ChangeWatcher(desk)
    reads: list[str] = []
    fetch = watcher._fetch

    def counting(sql: str, params: Any) -> Any:
        reads.append(sql)
        return fetch(sql, params)

    monkeypatch.setattr(watcher, "_fetch", counting)
    try:
        assert watcher.blocking
        assert watcher.wait(0.2) is None and watcher.wait(0) is None
        assert reads == []  # idle: no query at all, the watcher sleeps on its socket
        writer = threading.Thread(target=other.add_issue, args=("Woken by NOTIFY",))
        writer.start()
        # Far longer than any poll interval: only a notification ends it early with rows.
        batch = watcher.wait(60)
        writer.join()
        assert batch is not None and batch.entities == {"issue"}
        assert len(reads) == 1  # exactly the notified rows were read
    finally:
        watcher.close()


WRITE_ISSUE = """
import sys
from db.engine import open_desk
from db.repo import Repo
Repo(open_desk(sys.argv[1]), "other-process").add_issue("From another process")
"""


def test_postgres_watcher_hears_another_process(backend: str, desk: Engine, tmp_path: Path) -> None:
    needs_postgres(backend)
    watcher = ChangeWatcher(desk)
    try:
        subprocess.run(
            [sys.executable, "-c", WRITE_ISSUE, desk_location(tmp_path / "live.db", backend)],
            env={**os.environ, "PYTHONPATH": str(PROJECT)},
            check=True,
            capture_output=True,
        )
        batch = watcher.wait(60)
        assert batch is not None
        assert batch.editors == {"other-process"} and batch.entities == {"issue"}
    finally:
        watcher.close()


def _insert_change(conn: Any, entity_id: int) -> int:
    return int(
        conn.execute(
            text(
                "INSERT INTO change (at, editor, txn, op, entity, entity_id, diff) "
                "VALUES (now(), 'script', 't', 'update', 'issue', :id, '{}') RETURNING id"
            ),
            {"id": entity_id},
        ).scalar_one()
    )


def test_postgres_a_transaction_committing_after_a_later_id_is_still_reported(
    backend: str, desk: Engine, tmp_path: Path
) -> None:
    """PostgreSQL hands out ids at insert, not at commit: "above the last id seen" would
    skip a slow transaction's rows for good. Writes by any tool (here plain SQL) count."""
    needs_postgres(backend)
    watcher = ChangeWatcher(desk)
    slow, fast = desk.connect(), desk.connect()
    try:
        slow_tx = slow.begin()
        early = _insert_change(slow, 1)  # takes the lower id, commits last
        with fast.begin():
            late = _insert_change(fast, 2)
        assert early < late
        first = watcher.wait(60)
        assert first is not None and first.ids_by_entity == {"issue": frozenset({2})}
        assert watcher.last_id == late
        slow_tx.commit()
        second = watcher.wait(60)
        assert second is not None and second.ids_by_entity == {"issue": frozenset({1})}
        assert watcher.wait(0) is None  # each row once
        # A rolled-back transaction is never reported.
        with slow.begin() as tx:
            _insert_change(slow, 3)
            tx.rollback()
        assert watcher.wait(0.3) is None
    finally:
        slow.close()
        fast.close()
        watcher.close()


def test_postgres_live_worker_resumes_after_the_connection_drops(
    backend: str, desk: Engine, other: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server restarting looks to the session like its connection being killed."""
    needs_postgres(backend)
    monkeypatch.setattr(live, "RETRY_SECONDS", 0.05)
    watcher = ChangeWatcher(desk)
    # The watcher reconnects only once the test has committed while nobody listened.
    committed = threading.Event()
    listen = watcher._listen

    def reconnect_later() -> Any:
        if watcher._listener is None:
            assert committed.wait(60)
        return listen()

    monkeypatch.setattr(watcher, "_listen", reconnect_later)
    target, stop = Collector(), threading.Event()
    thread = threading.Thread(target=watch_desk, args=(watcher, target, stop), daemon=True)
    thread.start()
    try:
        first = other.add_issue("Before the drop")
        target.wait_until(lambda m: first.id in _changed_ids(m, "issue"), "the first issue")
        pid = watcher._listener.info.backend_pid
        with desk.connect() as admin:
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        target.wait_until(lambda m: any(isinstance(x, LiveTrouble) for x in m), "the trouble")
        # Committed while the session is not listening: its notification is lost, and
        # the change is reported all the same.
        second = other.add_issue("During the drop")
        committed.set()
        trouble = next(m for m in target.messages if isinstance(m, LiveTrouble))
        assert trouble.reason.startswith("database: ")
        target.wait_until(lambda m: second.id in _changed_ids(m, "issue"), "the second issue")
        third = other.add_issue("After the drop")
        target.wait_until(lambda m: third.id in _changed_ids(m, "issue"), "the third issue")
        assert watcher._listener.info.backend_pid != pid  # a new listening session
        assert sum(isinstance(m, LiveTrouble) for m in target.messages) == 1
    finally:
        stop.set()
        thread.join(30)
    assert not thread.is_alive()


# --------------------------------------------------------------------------- the TUI

WRITE_STATEMENT = """
import sys
from db.engine import open_desk
from db.repo import Repo
repo = Repo(open_desk(sys.argv[1]), "other-editor")
speaker = repo.find_actor("Idrevo")
repo.add_statement(text="A statement typed in another session", speaker_id=speaker.id)
"""


async def _run(*args: str) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *args,
        env={**os.environ, "PYTHONPATH": str(PROJECT)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _out, err = await process.communicate()
    assert process.returncode == 0, err.decode()


async def test_demo_loaded_by_another_process_fills_an_open_session(
    empty_db: Path, backend: str
) -> None:
    app = make_app(empty_db)
    async with app.run_test(size=(200, 50)) as pilot:
        await wait_loaded(pilot, app)
        assert plist(app, "feed").total == 0
        assert "No articles here" in row_text(plist(app, "feed"), 0)
        location = desk_location(empty_db, backend)
        await _run("-m", "workbench", "--db", location, "demo", "--no-ui")
        await wait_for(pilot, lambda: plist(app, "feed").total == 10, "feed to fill live")
        await wait_for(pilot, lambda: plist(app, "statements").total == 53, "statements")
        await wait_for(pilot, lambda: plist(app, "positions").total == 4, "positions")
        await wait_for(pilot, lambda: (plist(app, "timeline").total or 0) > 12, "timeline")
        grid = plist(app, "positions")
        await wait_for(pilot, lambda: len(grid.columns) == 3, "grid columns")  # type: ignore[attr-defined]
        status = main_screen(app).query_one(PaneTabs).status
        assert status.startswith("↻ ")


async def test_statement_saved_elsewhere_appears_on_top(demo_db: Path, backend: str) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(200, 50)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("2")
        statements = plist(app, "statements")
        before = statements.total
        await _run("-c", WRITE_STATEMENT, desk_location(demo_db, backend))
        await wait_for(pilot, lambda: statements.total == (before or 0) + 1, "new statement")
        await wait_for(
            pilot, lambda: "A statement typed in another" in row_text(statements, 0), "row drawn"
        )
        status = main_screen(app).query_one(PaneTabs).status
        assert "other-editor" in status


MARK_READ = """
import sys
from db.engine import open_desk
from db.repo import Repo
Repo(open_desk(sys.argv[1]), "other-editor").mark_read(int(sys.argv[2]))
"""


async def test_a_live_refresh_keeps_the_readers_place(demo_db: Path, backend: str) -> None:
    from tests.ui_support import pane

    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        feed = pane(app, "feed")

        def detail_idle() -> bool:
            return not [w for w in app.workers if w.group == "detail-feed" and not w.is_finished]

        await wait_for(pilot, lambda: feed._shown is not None and detail_idle())
        feed.detail.focus()  # reading the article in the pane's lower half
        await pilot.pause()
        feed.detail.scroll_to(y=6, animate=False, immediate=True)
        await pilot.pause()
        assert feed.detail.scroll_y == 6
        reading = feed.list.current
        other = plist(app, "feed").loaded_rows[-1]
        assert reading is not None and other.id != reading.id
        token, loads = feed._detail_token, feed.list.loads
        await _run("-c", MARK_READ, desk_location(demo_db, backend), str(other.id))
        await wait_for(pilot, lambda: feed.list.loads > loads and feed._detail_token > token)
        await wait_for(pilot, detail_idle)
        await pilot.pause()
        assert feed.detail.scroll_y == 6
        assert app.focused is feed.detail
