"""What an editor at the desk feels, measured on the app itself: ``workbench`` in a real
pseudo-terminal (first frame, rows on screen, key to repaint while scrolling each pane,
peak memory, the rows each pane loads), and live refresh (a commit by another process,
seen by the session's watcher). Used by ``bench/scale.py``.

The app runs under ``scale_probe.py``, which logs every window of rows a list loads, so
"rows on screen" and "rows loaded per page" come from the app's own lists rather than
from guessing at its drawing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scale_pty import KeyTime, Terminal, first_frame_ms

HERE = Path(__file__).resolve().parent
PROBE = HERE / "scale_probe.py"
PANES = ("feed", "statements", "positions", "timeline")
COLUMNS, ROWS = 160, 45  # every pane on screen at once (the app's grid layout)
BARE_APP = """
from textual.app import App
from textual.widgets import Footer, Header, Static
class Bare(App):
    def compose(self):
        yield Header(); yield Static("bare"); yield Footer()
Bare().run()
"""


def app_env(home: Path) -> dict[str, str]:
    """The app's environment: its own config, data and draft folders, a fixed editor."""
    env = dict(os.environ)
    for name in ("WORKBENCH_CONFIG", "WORKBENCH_DB", "WORKBENCH_DRAFTS"):
        env.pop(name, None)
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        XDG_STATE_HOME=str(home / "state"),
        USER="bench",
    )
    return env


def _loads(log: Path) -> list[dict[str, Any]]:
    try:
        text = log.read_text()
    except OSError:
        return []
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _probe_command(log: Path, location: str) -> list[str]:
    return [sys.executable, str(PROBE), str(log), "--db", location]


@dataclass
class Start:
    first_frame: float  # ms
    rows_on_screen: float  # ms: the end of the first frame after every pane's first rows


def start(location: str, home: Path, timeout: float = 120.0) -> Start:
    """Spawn the app on the desk and wait until every pane has drawn its first rows."""
    log = home / f"probe-{time.monotonic_ns()}.log"
    terminal = Terminal(_probe_command(log, location), COLUMNS, ROWS, app_env(home))
    try:
        first = terminal.first_frame(timeout)
        deadline = time.monotonic() + timeout
        arrived: float | None = None
        while time.monotonic() < deadline:
            terminal.pump(0.02)
            if arrived is None:
                firsts = _first_loads(_loads(log))
                if len(firsts) == len(PANES):
                    arrived = max(firsts.values())
            if arrived is not None:
                painted = [f for f in terminal.frames if f >= arrived]
                if painted:
                    return Start(first * 1000, (painted[0] - terminal.started) * 1000)
        raise RuntimeError(f"the panes did not all load within {timeout:.0f} s")
    finally:
        terminal.close()


def _first_loads(loads: list[dict[str, Any]]) -> dict[str, float]:
    firsts: dict[str, float] = {}
    for load in loads:
        if load["replace"] and load["current"] and load["pane"] in PANES:
            firsts.setdefault(load["pane"], load["t"])
    return firsts


def bare_first_frame(home: Path) -> float:
    """The floor: a bare Textual app (header, one line, footer) to its first frame."""
    script = home / "bare.py"
    script.write_text(BARE_APP)
    return first_frame_ms([sys.executable, str(script)], app_env(home), COLUMNS, ROWS)


@dataclass
class Session:
    keys: dict[str, list[KeyTime]] = field(default_factory=dict)  # by pane
    rss_mb: float = 0.0
    loads: list[dict[str, Any]] = field(default_factory=list)  # every window, from the probe


def scroll_keys(reps: int) -> list[str]:
    """What scrolling a pane is: line by line, a screen at a time, a jump to the end and
    back up from there, and home again."""
    return (
        ["down"] * reps
        + ["pagedown"] * max(2, reps // 3)
        + ["end"]
        + ["pageup"] * max(2, reps // 6)
        + ["up"] * max(2, reps // 6)
        + ["home"]
    )


def session(location: str, home: Path, reps: int) -> Session:
    """One session on the desk: every pane scrolled with ``scroll_keys``, then its peak
    memory and the windows its lists loaded."""
    log = home / f"probe-{time.monotonic_ns()}.log"
    terminal = Terminal(_probe_command(log, location), COLUMNS, ROWS, app_env(home))
    result = Session()
    try:
        terminal.first_frame(120.0)
        deadline = time.monotonic() + 120.0
        while len(_first_loads(_loads(log))) < len(PANES) and time.monotonic() < deadline:
            terminal.pump(0.05)
        terminal.settle(quiet=1.0)
        for number, pane in enumerate(PANES, 1):
            terminal.press(str(number), wait=0.5)
            terminal.settle(quiet=0.5)
            times = []
            for key in scroll_keys(reps):
                timed = terminal.press(key)
                if timed is not None:
                    times.append(timed)
            result.keys[pane] = times
            terminal.settle(quiet=0.3)
        result.rss_mb = terminal.peak_rss_mb() or 0.0
    finally:
        terminal.close()
    result.loads = _loads(log)
    return result


# --------------------------------------------------------------------------- live

WRITER = """
import random, sys, time
from db.engine import open_desk
from db.repo import Repo
repo = Repo(open_desk(sys.argv[1]), "writer")
n = int(sys.argv[2])
with repo.engine.connect() as conn:
    ids = [r[0] for r in conn.exec_driver_sql(
        "SELECT id FROM article WHERE starred = false AND deleted_at IS NULL "
        "ORDER BY id DESC LIMIT %d" % n)]
print("ready", flush=True)
sys.stdin.readline()
for article_id in ids:
    time.sleep(random.uniform(0.05, 0.2))
    repo.update("article", article_id, None, starred=True)
    print(article_id, time.monotonic(), flush=True)
print("done", flush=True)
sys.stdin.readline()
for article_id in ids:  # leave the desk as it was
    repo.update("article", article_id, None, starred=False)
"""


class _Seen:
    """Stands in for the app as the target of the session's watcher thread."""

    def __init__(self) -> None:
        self.at: dict[int, float] = {}

    def post_message(self, message: Any) -> bool:
        now = time.monotonic()
        batch = getattr(message, "batch", None)
        if batch is not None:
            for article_id in batch.ids_by_entity.get("article", ()):
                self.at.setdefault(article_id, now)
        return True


def live(location: str, commits: int) -> list[float]:
    """Latencies (ms) from a commit in another process to the moment the watcher loop the
    app runs (``workbench.ui.live.watch_desk``, polling on SQLite, LISTEN on PostgreSQL)
    hands the change to the app. The other process stars articles one commit at a time,
    at irregular intervals, and unstars them afterwards."""
    from db.changes import ChangeWatcher
    from db.engine import make_engine
    from workbench.ui.live import watch_desk

    engine = make_engine(location)
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, location, str(commits)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert writer.stdin is not None and writer.stdout is not None
    stop = threading.Event()
    seen = _Seen()
    thread: threading.Thread | None = None
    committed: dict[int, float] = {}
    try:
        if writer.stdout.readline().strip() != "ready":
            raise RuntimeError("the writer did not start")
        watcher = ChangeWatcher(engine)
        thread = threading.Thread(target=watch_desk, args=(watcher, seen, stop), daemon=True)
        thread.start()
        time.sleep(0.3)
        writer.stdin.write("go\n")
        writer.stdin.flush()
        for line in writer.stdout:
            if line.strip() == "done":
                break
            article_id, at = line.split()
            committed[int(article_id)] = float(at)
        deadline = time.monotonic() + 5
        while len(seen.at.keys() & committed.keys()) < len(committed):
            if time.monotonic() > deadline:
                break
            time.sleep(0.02)
    finally:
        stop.set()
        if thread is not None:
            thread.join(timeout=5)
        try:
            writer.stdin.write("undo\n")
            writer.stdin.close()
        except OSError:
            pass
        writer.wait(timeout=120)
        engine.dispose()
    return [(seen.at[i] - at) * 1000 for i, at in committed.items() if i in seen.at]


def temporary_home() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="wb-scale-")


def page_bound(shown: int) -> int:
    """The most rows one load may bring: what the list shows plus its prefetch margin
    above and below (``workbench.ui.virtual_list.MARGIN``)."""
    from workbench.ui.virtual_list import MARGIN

    return shown + 2 * MARGIN


def largest_loads(loads: Sequence[dict[str, Any]]) -> dict[str, tuple[int, int, int]]:
    """Per pane: (most rows in one load, rows shown then, loads seen)."""
    found: dict[str, tuple[int, int, int]] = {}
    for load in loads:
        pane = load["pane"]
        rows, shown, n = found.get(pane, (0, 0, 0))
        if load["rows"] > rows:
            rows, shown = load["rows"], load["shown"]
        found[pane] = (rows, shown, n + 1)
    return found
