"""Live refresh: commit in one process → seen by an open session's change watcher.

Run: ``python bench/live.py [--commits 60]``. A writer process commits statements through
the repository at irregular intervals and prints each commit's wall time; this process
polls the same desk exactly as the TUI's live worker does (``db.changes.ChangeWatcher``
every ``workbench.ui.live.POLL_SECONDS``) and notes when each change is seen. The baseline,
measured in the same run, is the cost of one poll when nothing changed: the floor that the
polling interval adds on top of it is half the interval on average.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from db.changes import ChangeWatcher
from db.engine import open_desk
from db.repo import Repo

WRITER = """
import random, sys, time
from db.engine import open_desk
from db.repo import Repo
repo = Repo(open_desk(sys.argv[1]), "writer")
for n in range(int(sys.argv[2])):
    time.sleep(random.uniform(0.02, 0.15))
    statement = repo.add_statement(text=f"statement {n}")
    print(statement.id, time.time(), flush=True)
"""
POLL_SECONDS = 0.05  # as workbench.ui.live (not imported: that module needs Textual)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        desk = str(Path(tmp) / "live.db")
        engine = open_desk(desk)
        Repo(engine, "setup").add_issue("warm-up")
        watcher = ChangeWatcher(engine)
        watcher.poll()

        idle = []
        for _ in range(200):
            start = time.perf_counter()
            watcher.poll()
            idle.append((time.perf_counter() - start) * 1000)

        seen: dict[int, float] = {}
        stop = threading.Event()

        def watch() -> None:
            while not stop.is_set():
                batch = watcher.poll()
                if batch is not None:
                    now = time.time()
                    for statement_id in batch.ids_by_entity.get("statement", ()):
                        seen.setdefault(statement_id, now)
                stop.wait(POLL_SECONDS)

        thread = threading.Thread(target=watch)
        thread.start()
        writer = subprocess.run(
            [sys.executable, "-c", WRITER, desk, str(args.commits)],
            capture_output=True,
            text=True,
            check=True,
        )
        committed = {
            int(i): float(t)
            for i, t in (line.split() for line in writer.stdout.split("\n") if line)
        }
        deadline = time.time() + 5
        while len(seen) < len(committed) and time.time() < deadline:
            time.sleep(0.05)
        stop.set()
        thread.join()

    latencies = [(seen[i] - t) * 1000 for i, t in committed.items() if i in seen]
    missed = len(committed) - len(latencies)
    print(f"live refresh, {len(committed)} commits from another process, poll every 50 ms")
    print(f"{'':36} {'p50':>8} {'p95':>8} {'max':>8}")
    print(
        f"{'one idle poll (baseline, ms)':36} {statistics.median(idle):8.3f} "
        f"{percentile(idle, 0.95):8.3f} {max(idle):8.3f}"
    )
    print(
        f"{'commit → seen by the watcher (ms)':36} {statistics.median(latencies):8.1f} "
        f"{percentile(latencies, 0.95):8.1f} {max(latencies):8.1f}"
    )
    print(f"missed: {missed}")


if __name__ == "__main__":
    main()
