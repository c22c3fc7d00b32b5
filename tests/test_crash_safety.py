"""Nothing committed is lost and nothing half-written is kept: writers that meet a locked
desk wait and retry; ``kill -9`` of an ingest keeps every committed document whole and the
rest ingests on the next run; ``kill -9`` of a session mid-edit keeps the draft; eight
processes writing at once for 30 s lose no write and see no error.

The processes here are real (``python -m workbench``, writers started with
``subprocess``), killed with SIGKILL, and every wait is for a condition (rows in the
desk, a file on disk, text on the screen) with a deadline, never a sleep.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import event

import db.engine
from db.engine import make_engine, open_desk, resolve_url
from db.repo import DeskBusyError, Repo
from db.search import check as check_search
from tests.test_pty import PtyApp, start
from workbench.drafts import DraftStore

WORKBENCH = [sys.executable, "-m", "workbench"]
DEADLINE = 60.0  # bound on any wait for another process; only a broken feature reaches it


def wait_for(predicate: Callable[[], bool], what: str, timeout: float = DEADLINE) -> None:
    """Poll ``predicate`` until it holds (another process is doing the work)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)  # a polling interval, not a synchronisation: the predicate is


#: Change rows of one entity: every write leaves exactly its own.
LOGGED = "SELECT count(*) FROM change WHERE entity = ? AND entity_id = ?"


def integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


def rows(path: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def count(path: Path, sql: str, *params: object) -> int:
    return int(rows(path, sql, *params)[0][0])  # type: ignore[call-overload]


# ---------------------------------------------------------------- writers wait and retry


@pytest.fixture
def short_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """A busy timeout of 50 ms, so "database is locked" comes back in a test's time."""
    monkeypatch.setattr(db.engine, "BUSY_TIMEOUT_MS", 50)


@pytest.fixture
def desk(tmp_path: Path, short_busy_timeout: None) -> Iterator[tuple[Path, Repo]]:
    path = tmp_path / "desk.db"
    engine = open_desk(str(path))
    yield path, Repo(engine, "maria")
    engine.dispose()


@pytest.fixture
def blocker(desk: tuple[Path, Repo]) -> Iterator[sqlite3.Connection]:
    """Another connection holding the desk's write lock (as a long ingest would)."""
    conn = sqlite3.connect(desk[0], isolation_level=None, timeout=0)
    conn.execute("BEGIN IMMEDIATE")
    yield conn
    conn.close()


@pytest.mark.sqlite_only(reason="SQLite's file lock and busy retries")
def test_a_writer_that_finds_the_desk_locked_retries_and_saves(
    desk: tuple[Path, Repo], blocker: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, repo = desk
    waits: list[float] = []

    def backoff(seconds: float) -> None:  # the other writer finishes while we back off
        waits.append(seconds)
        if blocker.in_transaction:
            blocker.execute("COMMIT")

    monkeypatch.setattr(db.engine, "backoff_sleep", backoff)
    issue = repo.add_issue("Will the talks open?")
    assert len(waits) == 1
    assert db.engine.BUSY_BACKOFF_BASE / 2 <= waits[0] <= db.engine.BUSY_BACKOFF_BASE
    assert count(path, "SELECT count(*) FROM issue WHERE id = ?", issue.id) == 1
    assert (
        count(
            path, "SELECT count(*) FROM change WHERE entity = 'issue' AND entity_id = ?", issue.id
        )
        == 1
    )


@pytest.mark.sqlite_only(reason="SQLite's file lock and busy retries")
def test_retries_are_bounded_and_a_desk_that_stays_locked_says_so(
    desk: tuple[Path, Repo], blocker: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, repo = desk
    waits: list[float] = []
    monkeypatch.setattr(db.engine, "backoff_sleep", waits.append)
    with pytest.raises(DeskBusyError, match="nothing was saved"):
        repo.add_issue("Is a call planned?")
    assert len(waits) == db.engine.BUSY_RETRIES
    for retry, seconds in enumerate(waits):  # exponential, jittered, capped
        ceiling = min(db.engine.BUSY_BACKOFF_CAP, db.engine.BUSY_BACKOFF_BASE * 2**retry)
        assert ceiling / 2 <= seconds <= ceiling
    blocker.execute("ROLLBACK")
    assert count(path, "SELECT count(*) FROM issue") == 0
    repo.add_issue("Is a call planned?")  # the session goes on once the lock is free
    assert count(path, "SELECT count(*) FROM issue") == 1


@pytest.mark.sqlite_only(reason="SQLite's file lock")
def test_an_ingest_batch_waits_for_the_lock_and_lands_whole(
    desk: tuple[Path, Repo], blocker: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, repo = desk
    retries: list[float] = []

    def backoff(seconds: float) -> None:
        retries.append(seconds)
        if len(retries) == 2 and blocker.in_transaction:  # two failed tries, then free
            blocker.execute("COMMIT")

    monkeypatch.setattr(db.engine, "backoff_sleep", backoff)
    with repo.batch():
        source = repo.add_source("Meridian Wire", "https://meridianwire.example/feed")
        repo.add_article(title="Guards swapped at Merrow", text="Five guards.", source_id=source.id)
    assert len(retries) == 2
    assert count(path, "SELECT count(*) FROM article") == 1
    assert count(path, "SELECT count(DISTINCT txn) FROM change") == 1  # one transaction


@pytest.mark.sqlite_only(reason="SQLite's busy COMMIT")
def test_a_busy_commit_is_retried_with_the_transaction_intact(
    tmp_path: Path, short_busy_timeout: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a desk with a rollback journal (a file system without shared memory for WAL),
    COMMIT waits for readers and can answer busy; the transaction stays open, so the
    COMMIT alone is retried, and everything the operation wrote lands with its log."""
    path = tmp_path / "journal.db"
    open_desk(str(path)).dispose()
    engine = make_engine(str(path))

    def rollback_journal(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.execute("PRAGMA journal_mode = DELETE")

    event.listen(engine, "connect", rollback_journal)  # after the engine's own pragmas
    repo = Repo(engine, "maria")
    repo.add_issue("Warm-up")  # the connection exists, in rollback-journal mode
    assert rows(path, "PRAGMA journal_mode") == [("delete",)]
    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM issue").fetchall()  # a reader's SHARED lock
    waits: list[float] = []

    def backoff(seconds: float) -> None:
        waits.append(seconds)
        if reader.in_transaction:
            reader.execute("COMMIT")  # the reader finishes

    monkeypatch.setattr(db.engine, "backoff_sleep", backoff)
    try:
        issue = repo.add_issue("Who chairs the commission?")
    finally:
        reader.close()
        engine.dispose()
    assert len(waits) == 1
    assert count(path, "SELECT count(*) FROM issue WHERE id = ?", issue.id) == 1
    assert (
        count(
            path, "SELECT count(*) FROM change WHERE entity_id = ? AND entity = 'issue'", issue.id
        )
        == 1
    )


# ---------------------------------------------------------------- kill -9 of an ingest


_WORDS = (
    "river",
    "dam",
    "border",
    "guards",
    "talks",
    "venue",
    "ministry",
    "envoy",
    "treaty",
    "water",
    "flow",
    "season",
    "quota",
    "summit",
    "delegation",
    "ceasefire",
    "observers",
    "bridge",
    "harbour",
    "tariff",
    "grain",
    "pipeline",
    "sanctions",
    "elections",
    "referendum",
    "parliament",
    "coalition",
    "budget",
    "customs",
    "railway",
    "airport",
    "corridor",
    "refugees",
    "monitors",
    "commission",
    "inquiry",
    "archive",
    "satellite",
    "drought",
    "flood",
    "reservoir",
    "turbine",
)


_SPEAKERS = ("Piet Savolder", "Ottoline Prasz", "Luka Fendrel", "Mira Oskarsdottir")


def _documents(folder: Path, n: int) -> None:
    """``n`` articles, each with statements of its own words: alike enough to be read as
    statements, unlike enough that the linker does not pair every one with every other."""
    folder.mkdir()
    for i in range(n):
        rng = random.Random(i)
        paragraphs = "\n\n".join(
            f'"The {" and the ".join(rng.sample(_WORDS, 4))} come first," '
            f"{rng.choice(_SPEAKERS)} told reporters in Lisk on Tuesday."
            for _ in range(4)
        )
        (folder / f"story-{i:04d}.txt").write_text(
            f"Story {i}: {' and '.join(rng.sample(_WORDS, 2))}\n\n{paragraphs}\n",
            encoding="utf-8",
        )


def _assert_whole(path: Path) -> None:
    """Every stored article is whole: its text, its hash, its search entry, its log row
    and the suggestions read from it (one transaction per document)."""
    assert integrity(path) == "ok"
    engine = make_engine(str(path))
    try:
        with engine.connect() as conn:
            check_search(conn, "article")
            check_search(conn, "statement")
    finally:
        engine.dispose()
    articles = rows(path, "SELECT id, title, text, content_hash FROM article")
    assert articles
    logged = {r[0] for r in rows(path, "SELECT entity_id FROM change WHERE entity = 'article'")}
    suggested = Counter(r[0] for r in rows(path, "SELECT article_id FROM statement"))
    for article_id, title, text, digest in articles:
        assert str(title).startswith("Story "), article_id
        assert str(text).count("told reporters in Lisk") == 4, f"article {article_id} is cut"
        assert digest == hashlib.sha256(str(text).encode()).hexdigest(), article_id
        assert article_id in logged, f"article {article_id} has no Change row"
        assert suggested[article_id] >= 4, f"article {article_id} lost its suggestions"
    in_index = count(path, "SELECT count(*) FROM article_fts")
    assert in_index == len(articles)


@pytest.mark.sqlite_only(reason="checks the SQLite file after kill -9")
def test_kill_9_of_an_ingest_keeps_each_committed_document_whole(tmp_path: Path) -> None:
    n = 150
    folder = tmp_path / "incoming"
    _documents(folder, n)
    path = tmp_path / "desk.db"
    open_desk(str(path)).dispose()
    env = dict(os.environ)
    ingest = subprocess.Popen(
        [*WORKBENCH, "--db", str(path), "ingest", str(folder), "--json"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(
            lambda: count(path, "SELECT count(*) FROM article") > 0 or ingest.poll() is not None,
            "the ingest's first commit",
        )
    finally:
        ingest.send_signal(signal.SIGKILL)
        ingest.wait()
    assert ingest.returncode == -signal.SIGKILL, "the ingest ended before it was killed"
    kept = count(path, "SELECT count(*) FROM article")
    assert 0 < kept < n
    _assert_whole(path)

    again = subprocess.run(
        [*WORKBENCH, "--db", str(path), "ingest", str(folder), "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert again.returncode == 0, again.stderr
    summary = json.loads(again.stdout)
    assert summary["failed"] == []
    assert (summary["present"], summary["added"]) == (kept, n - kept)
    assert count(path, "SELECT count(*) FROM article") == n
    assert count(path, "SELECT count(DISTINCT url) FROM article") == n
    _assert_whole(path)


# ---------------------------------------------------------------- kill -9 mid-edit


@pytest.fixture
def pty_apps() -> Iterator[list[PtyApp]]:
    apps: list[PtyApp] = []
    yield apps
    for app in apps:
        app.close()


@pytest.mark.sqlite_only(reason="checks the SQLite file after kill -9")
def test_kill_9_of_a_session_mid_edit_keeps_the_draft_and_the_desk(
    demo_db: Path, tmp_path: Path, pty_apps: list[PtyApp]
) -> None:
    drafts = tmp_path / "drafts"
    store = DraftStore(resolve_url(str(demo_db)), "maria", root=drafts)
    app = start(pty_apps, demo_db, USER="maria", WORKBENCH_DRAFTS=str(drafts))
    app.expect("◆8")  # the Feed has its rows
    app.send("2")
    app.expect("#55 Piet Savolder")
    app.send("n")  # a new statement
    app.expect("Save (ctrl+s)")
    app.send("Zorbanek Ilvo")
    app.expect("New actor “Zorbanek Ilvo” will be added")
    wait_for(lambda: any(d.title == "Zorbanek Ilvo" for d in store.all()), "the draft on disk")
    assert app.kill() == -signal.SIGKILL

    assert integrity(demo_db) == "ok"
    (draft,) = store.all()
    assert draft.fields["speaker"] == "Zorbanek Ilvo"
    assert draft.statement_id is None

    again = start(pty_apps, demo_db, USER="maria", WORKBENCH_DRAFTS=str(drafts))
    again.expect("Unsaved statements from an earlier session")
    again.expect("Zorbanek Ilvo")
    again.key("enter")  # resume it: the editor opens with what was typed
    again.expect("New actor “Zorbanek Ilvo” will be added")
    again.key("escape")  # a changed form asks before closing
    again.expect("Discard")
    again.send("d")
    wait_for(lambda: not store.all(), "the discarded draft to go")
    again.wait_until(lambda s: "Discard" not in s.text(), "the editor to close")
    again.expect("1 Feed ─")  # back where the session started
    again.send("q")
    assert again.wait_exit() == 0
    assert integrity(demo_db) == "ok"


# ---------------------------------------------------------------- 8 writers at once

WRITER = textwrap.dedent(
    """
    import json, os, random, sys, time, traceback
    from db.engine import open_desk
    from db.repo import Repo

    desk, name, seconds, log_path = sys.argv[1:5]
    os.nice(10)  # a contention test, not a CPU hog: the suite's other tests keep running
    repo = Repo(open_desk(desk), name)
    deadline = time.monotonic() + float(seconds)
    mine = []  # [id, version] of this writer's statements
    with open(log_path, "w", encoding="utf-8") as log:
        def record(*entry):
            log.write(json.dumps(entry) + "\\n")
            log.flush()
        try:
            n = 0
            while time.monotonic() < deadline:
                n += 1
                statement = repo.add_statement(text=f"{name} says {n}", tags=[name])
                record("statement", statement.id, statement.version)
                if mine:
                    link = repo.add_link(statement.id, mine[-1][0], "supports", note=name)
                    record("link", link.id)
                mine.append([statement.id, statement.version])
                target = random.choice(mine)
                edited = repo.update("statement", target[0], target[1], notes=f"{name} {n}")
                target[1] = edited.version
                record("update", edited.id, edited.version, edited.notes)
        except BaseException:
            traceback.print_exc()
            sys.exit(1)
    """
)


def test_eight_processes_writing_for_30_s_lose_nothing_and_see_no_error(tmp_path: Path) -> None:
    """``WORKBENCH_STRESS_SECONDS`` shortens (or lengthens) the run; 30 by default."""
    seconds = float(os.environ.get("WORKBENCH_STRESS_SECONDS", "30"))
    path = tmp_path / "desk.db"
    open_desk(str(path)).dispose()
    writers = []
    for i in range(8):
        log = tmp_path / f"writer{i}.jsonl"
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), f"writer{i}", str(seconds), str(log)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        writers.append((f"writer{i}", proc, log))
    outcomes = [
        (name, proc.communicate(timeout=seconds + 300), proc, log) for name, proc, log in writers
    ]
    for name, (_out, err), proc, _log in outcomes:
        assert proc.returncode == 0 and not err, f"{name} failed:\n{err}"

    statements = {
        r[0]: r[1:] for r in rows(path, "SELECT id, version, notes, text, editor FROM statement")
    }
    links = {r[0]: r[1] for r in rows(path, "SELECT id, editor FROM link")}
    changes = Counter(
        (r[0], r[1], r[2]) for r in rows(path, "SELECT entity, entity_id, op FROM change")
    )
    total = 0
    for name, _streams, _proc, log in outcomes:
        entries = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
        assert entries, f"{name} wrote nothing"
        total += len(entries)
        last: dict[int, tuple[int, str]] = {}
        updates = Counter()
        for entry in entries:
            kind, row_id = entry[0], entry[1]
            if kind == "statement":
                assert row_id in statements, f"{name}: statement {row_id} lost"
                assert changes[("statement", row_id, "create")] == 1
            elif kind == "link":
                assert links.get(row_id) == name, f"{name}: link {row_id} lost"
                assert changes[("link", row_id, "create")] == 1
            else:
                last[row_id] = (entry[2], entry[3])
                updates[row_id] += 1
        for statement_id, (version, notes) in last.items():
            assert statements[statement_id][0] == version
            assert statements[statement_id][1] == notes
            assert changes[("statement", statement_id, "update")] == updates[statement_id]
    assert sum(changes.values()) == total  # no write without its log, no log without a write
    assert integrity(path) == "ok"
