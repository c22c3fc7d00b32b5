"""Several sessions on one desk: commit → visible in another editor's TUI, and write
throughput with eight editors writing at once.

Run: ``python bench/concurrency.py [--commits 40] [--seconds 10] [--writers 8]``.

1. *Commit → visible.* A real ``workbench`` session runs under a pseudo-terminal (80×24,
   ``TERM=xterm-256color``, on its Statements pane); this process is the other editor: it
   commits a statement through the repository, then reads the session's terminal output
   until the statement's text is drawn. Commits come at irregular intervals so they do not
   fall in step with the session's 50 ms poll. The baseline, measured on the same commits,
   is a bare ``ChangeWatcher`` polling like the session's live worker: what the polling
   alone costs; the difference is the session's reload and redraw. Goal: p95 < 300 ms.
2. *Write throughput.* Editor processes, started together, each loop for ``--seconds``:
   add a statement, link it to their previous one, edit one of theirs (with its expected
   version). The baseline is one writer with the same workload in the same run. Every
   commit's latency (call → committed) is recorded; any exception is an error.

Standard library plus the project; the terminal is driven as ``bench/startup.py`` does.
"""

from __future__ import annotations

import argparse
import codecs
import datetime as dt
import fcntl
import json
import os
import pty
import random
import re
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
import unicodedata
from pathlib import Path

from db.changes import ChangeWatcher
from db.engine import open_desk
from db.repo import Repo

SYNC_QUERY, SYNC_ANSWER = b"\x1b[?2026$p", b"\x1b[?2026;2$y"
POLL_SECONDS = 0.05  # as workbench.ui.live (not imported: that module needs Textual)
GOAL_P95_MS = 300.0
FIRST_ROW = 3  # the Statements list's first row on an 80×24 screen (header, tabs, frame)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# ---------------------------------------------------------------- a session under a pty


#: CSI (parameters, final byte), OSC/DCS strings, other escapes, or one character.
_TOKEN = re.compile(
    r"\x1b\[([0-?]*)[ -/]*([@-~])|\x1b[\]P_^][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[^\[\]P_^]|[^\x1b]",
    re.S,
)
_PARTIAL = re.compile(r"\x1b(\[[0-?]*[ -/]*|[\]P_^][^\x07\x1b]*\x1b?)?\Z", re.S)


class Terminal:
    """``workbench`` on a pseudo-terminal, with the characters on its screen: Textual
    positions each run of text with ``CSI row;col H`` and redraws only the cells that
    changed, so a new row is found on the screen, not in the bytes that went by (as in
    ``tests/test_pty.py``, whose emulator this is, cut down)."""

    def __init__(self, argv: list[str], env: dict[str, str], cols: int = 80, rows: int = 24):
        pid, fd = pty.fork()
        if pid == 0:
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
                os.execvpe(argv[0], argv, env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        self.rows, self.cols = rows, cols
        self.cells = [[" "] * cols for _ in range(rows)]
        self.row = self.col = 0
        self._pending = ""
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")

    def _feed(self, data: str) -> None:
        data = self._pending + data
        partial = _PARTIAL.search(data)
        cut = partial.start() if partial is not None else len(data)
        data, self._pending = data[:cut], data[cut:]
        for match in _TOKEN.finditer(data):
            final = match.group(2)
            if final in ("H", "f"):
                parts = [int(p) if p.isdigit() else 1 for p in match.group(1).split(";")]
                parts += [1, 1]
                self.row = min(max(parts[0], 1), self.rows) - 1
                self.col = min(max(parts[1], 1), self.cols) - 1
            elif final is None and len(match.group(0)) == 1:
                char = match.group(0)
                if char == "\r":
                    self.col = 0
                elif char == "\n":
                    self.row = min(self.row + 1, self.rows - 1)
                elif char >= " " and self.col < self.cols:
                    wide = unicodedata.east_asian_width(char) in ("W", "F")
                    self.cells[self.row][self.col] = char
                    self.col += 2 if wide else 1

    def screen(self) -> str:
        return "\n".join("".join(row) for row in self.cells)

    def wait_for(self, text: str, timeout: float, line: int | None = None) -> float | None:
        """Monotonic time at which ``text`` was on the screen (on ``line``, if given), or
        None after ``timeout``."""
        deadline = time.monotonic() + timeout
        while text not in (self.screen() if line is None else "".join(self.cells[line])):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            ready, _, _ = select.select([self.fd], [], [], remaining)
            if not ready:
                continue
            try:
                data = os.read(self.fd, 1 << 20)
            except OSError:
                return None
            if not data:
                return None
            if SYNC_QUERY in data:
                os.write(self.fd, SYNC_ANSWER)
            self._feed(self._decoder.decode(data))
        return time.monotonic()

    def send(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def close(self) -> None:
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        os.close(self.fd)


def commit_to_visible(desk: str, home: Path, commits: int) -> tuple[list[float], list[float], int]:
    """(TUI latencies, watcher latencies, missed), in ms."""
    repo = Repo(open_desk(desk), "writer")
    repo.add_statement(text="Seed0 the desk is open")
    env = dict(
        os.environ,
        TERM="xterm-256color",
        COLORTERM="truecolor",
        LANG="C.UTF-8",
        LC_ALL="C.UTF-8",
        USER="reader",
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        XDG_STATE_HOME=str(home / "state"),
    )
    env.pop("WORKBENCH_CONFIG", None)
    session = Terminal([sys.executable, "-m", "workbench", "--db", desk], env)
    watcher = ChangeWatcher(repo.engine)
    watcher.poll()
    seen_by_watcher: dict[int, float] = {}
    stop = threading.Event()

    def watch() -> None:  # the baseline: the session's polling, without a session
        while not stop.is_set():
            batch = watcher.poll()
            if batch is not None:
                now = time.monotonic()
                for statement_id in batch.ids_by_entity.get("statement", ()):
                    seen_by_watcher.setdefault(statement_id, now)
            stop.wait(POLL_SECONDS)

    tui: list[float] = []
    committed: dict[int, float] = {}
    missed = 0
    try:
        if session.wait_for("Feed", 60) is None:
            raise RuntimeError("the session did not start")
        session.send("2")
        if session.wait_for("Seed0", 60) is None:
            raise RuntimeError("the session did not show the Statements pane")
        thread = threading.Thread(target=watch)
        thread.start()
        day = dt.date(2026, 11, 1)
        for n in range(commits):
            time.sleep(random.uniform(0.02, 0.15))  # pacing, so commits fall out of step
            marker = f"Q{n:04d}x"
            statement = repo.add_statement(text=f"{marker} said at the desk", said_on=day)
            done = time.monotonic()
            committed[int(statement.id)] = done  # type: ignore[arg-type]
            shown = session.wait_for(marker, 5.0)
            if shown is None:
                missed += 1
                continue
            tui.append((shown - done) * 1000)
            # The list keeps its cursor on the same item, so rows added above it scroll
            # out of view once they fill the window: go back to the top (the newest row)
            # before the next commit, and wait until the list shows it there.
            session.send("g")
            if session.wait_for(marker, 5.0, line=FIRST_ROW) is None:
                raise RuntimeError(f"g did not bring the list to its top:\n{session.screen()}")
        stop.set()
        thread.join()
    finally:
        stop.set()
        session.close()
        watcher.close()
        repo.engine.dispose()
    watched = [
        (seen_by_watcher[i] - t) * 1000 for i, t in committed.items() if i in seen_by_watcher
    ]
    return tui, watched, missed


# ---------------------------------------------------------------- writers

WRITER = """
import json, random, sys, time
from db.engine import open_desk
from db.repo import Repo
desk, name, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
repo = Repo(open_desk(desk), name)
repo.add_issue(f"{name} warms up")  # connection, pragmas and imports before the start
print("ready", flush=True)
sys.stdin.readline()
latencies, errors, mine, n = [], [], [], 0
deadline = time.monotonic() + seconds

def timed(call):
    start = time.perf_counter()
    try:
        return call()
    except Exception as exc:
        errors.append(f"{type(exc).__name__}: {exc}")
        return None
    finally:
        latencies.append((time.perf_counter() - start) * 1000)

while time.monotonic() < deadline:
    n += 1
    statement = timed(lambda: repo.add_statement(text=f"{name} says {n}"))
    if statement is None:
        continue
    if mine:
        previous = mine[-1][0]
        timed(lambda: repo.add_link(statement.id, previous, "supports"))
    mine.append([statement.id, statement.version])
    target = random.choice(mine)
    edited = timed(lambda: repo.update("statement", target[0], target[1], notes=f"{n}"))
    if edited is not None:
        target[1] = edited.version
print(json.dumps({"latencies": latencies, "errors": errors}), flush=True)
"""


def throughput(desk: str, writers: int, seconds: float) -> dict[str, object]:
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, desk, f"editor{i}", str(seconds)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for i in range(writers)
    ]
    for proc in procs:  # every writer ready before any starts
        assert proc.stdout is not None
        if proc.stdout.readline().strip() != "ready":
            raise RuntimeError("a writer did not start")
    start = time.monotonic()
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    latencies: list[float] = []
    errors: list[str] = []
    for proc in procs:
        out, _ = proc.communicate(timeout=seconds + 120)
        result = json.loads(out.strip().splitlines()[-1])
        latencies += result["latencies"]
        errors += result["errors"]
        if proc.returncode != 0:
            errors.append(f"writer exited {proc.returncode}")
    elapsed = time.monotonic() - start
    return {
        "writers": writers,
        "commits": len(latencies) - len(errors),
        "per_second": (len(latencies) - len(errors)) / elapsed,
        "p50": statistics.median(latencies),
        "p95": percentile(latencies, 0.95),
        "max": max(latencies),
        "errors": errors,
    }


# ---------------------------------------------------------------- report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=40, help="commits watched in the TUI")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of a write run")
    parser.add_argument("--writers", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        tui, watched, missed = commit_to_visible(str(root / "live.db"), root / "home", args.commits)
        single = throughput(str(root / "one.db"), 1, args.seconds)
        many = throughput(str(root / "many.db"), args.writers, args.seconds)

    print(f"commit → visible in another session, {args.commits} commits (poll every 50 ms)")
    print(f"{'':44} {'p50':>8} {'p95':>8} {'max':>8}")
    for label, values in (
        ("ChangeWatcher alone (baseline, ms)", watched),
        ("TUI under a pty, 80×24: on screen (ms)", tui),
    ):
        if values:
            print(
                f"{label:44} {statistics.median(values):8.1f} "
                f"{percentile(values, 0.95):8.1f} {max(values):8.1f}"
            )
    verdict = "met" if tui and percentile(tui, 0.95) < GOAL_P95_MS and not missed else "MISSED"
    print(f"not shown within 5 s: {missed}; goal p95 < {GOAL_P95_MS:.0f} ms: {verdict}")
    print()
    print(
        f"write throughput, {args.seconds:g} s a run: add a statement, link it, edit one "
        "(expected version)"
    )
    print(
        f"{'writers':16} {'commits':>8} {'commits/s':>10} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'max ms':>8} {'errors':>7}"
    )
    for label, row in (("1 (baseline)", single), (str(args.writers), many)):
        print(
            f"{label:16} {row['commits']:>8} {row['per_second']:>10.0f} {row['p50']:>8.1f} "
            f"{row['p95']:>8.1f} {row['max']:>8.1f} {len(row['errors']):>7}"  # type: ignore[arg-type]
        )
    for row in (single, many):
        for error in row["errors"][:5]:  # type: ignore[index]
            print(f"error: {error}")


if __name__ == "__main__":
    main()
