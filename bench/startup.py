"""Start-up: spawn to first frame of ``workbench`` on a demo desk, next to a bare Textual app.

Run: ``python bench/startup.py [--runs 5]``. Both are started in a real pseudo-terminal of
80×24; a frame is the end of a synchronized-output block (Textual asks whether the terminal
supports it, and we answer yes). The bare app, measured in the same run, is the floor that
Python and Textual alone cost on this machine.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

SYNC_QUERY, SYNC_ANSWER, FRAME_END = b"\x1b[?2026$p", b"\x1b[?2026;2$y", b"\x1b[?2026l"
BARE_APP = """
from textual.app import App
from textual.widgets import Footer, Header, Static
class Bare(App):
    def compose(self):
        yield Header(); yield Static("bare"); yield Footer()
Bare().run()
"""


def first_frame_ms(cmd: list[str], timeout: float = 20.0) -> float:
    start = time.monotonic()
    pid, fd = pty.fork()
    if pid == 0:  # child: a terminal of 80x24, then the program
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        os.execvpe(cmd[0], cmd, dict(os.environ, TERM="xterm-256color"))
    try:
        while time.monotonic() - start < timeout:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if not ready:
                continue
            data = os.read(fd, 1 << 20)
            if SYNC_QUERY in data:
                os.write(fd, SYNC_ANSWER)
            if FRAME_END in data:
                return (time.monotonic() - start) * 1000
        raise RuntimeError(f"no frame from {cmd}")
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        desk = Path(tmp) / "demo.db"
        workbench = [sys.executable, "-m", "workbench", "--db", str(desk)]
        subprocess.run([*workbench, "demo", "--no-ui"], check=True, capture_output=True)
        bare_file = Path(tmp) / "bare.py"
        bare_file.write_text(BARE_APP)
        rows = {
            "bare Textual app (baseline)": [sys.executable, str(bare_file)],
            "workbench on the demo desk": workbench,
        }
        print(f"spawn to first frame, 80x24, {args.runs} runs (ms)")
        print(f"{'':32} {'p50':>8} {'min':>8} {'max':>8}")
        for label, cmd in rows.items():
            times = [first_frame_ms(cmd) for _ in range(args.runs)]
            print(f"{label:32} {statistics.median(times):8.0f} {min(times):8.0f} {max(times):8.0f}")


if __name__ == "__main__":
    main()
