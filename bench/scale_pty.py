"""A terminal app in a real pseudo-terminal, timed from the outside: spawn to first frame,
key to repaint, and the process's peak memory (for ``bench/scale.py``).

The technique is the one of ``bench/startup.py`` and the shared ``keylatency.py`` tool,
copied here so the benchmark stands alone: Textual asks whether the terminal supports
synchronized output (``ESC[?2026$p``); we answer yes, and from then on every frame ends
with ``ESC[?2026l``. A key's latency is the time from writing its bytes to the end of the
first frame after it; "settled" is the end of the last frame of the burst it caused (rows
that arrive from a worker after the cursor moved are drawn in later frames).

Times are ``time.monotonic()``, which on Linux is one clock for every process, so the
frames seen here line up with what the app under test logs (``scale_probe.py``).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import select
import signal
import struct
import termios
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

SYNC_QUERY, SYNC_ANSWER, FRAME_END = b"\x1b[?2026$p", b"\x1b[?2026;2$y", b"\x1b[?2026l"
KEYS = {
    "down": b"\x1b[B",
    "up": b"\x1b[A",
    "left": b"\x1b[D",
    "right": b"\x1b[C",
    "pagedown": b"\x1b[6~",
    "pageup": b"\x1b[5~",
    "home": b"\x1b[H",
    "end": b"\x1b[F",
    "tab": b"\t",
    "enter": b"\r",
    "escape": b"\x1b",
}


@dataclass
class KeyTime:
    key: str
    first: float  # ms to the end of the first frame after the key
    settled: float  # ms to the end of the last frame of the burst


@dataclass
class Terminal:
    """One program in a pty of ``columns`` × ``rows``; call ``close`` when done."""

    command: Sequence[str]
    columns: int = 160
    rows: int = 45
    env: dict[str, str] | None = None
    started: float = 0.0
    frames: list[float] = field(default_factory=list)
    pid: int = 0
    fd: int = -1

    def __post_init__(self) -> None:
        env = dict(self.env if self.env is not None else os.environ)
        env.update(TERM="xterm-256color", COLORTERM="truecolor")
        command = list(self.command)
        self.started = time.monotonic()
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: a terminal of the size asked, then the program
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", self.rows, self.columns, 0, 0))
            os.execvpe(command[0], command, env)

    def pump(self, wait: float) -> bool:
        """Read what the program wrote within ``wait`` seconds; True if it wrote anything."""
        ready, _, _ = select.select([self.fd], [], [], wait)
        if not ready:
            return False
        try:
            data = os.read(self.fd, 1 << 20)
        except OSError:  # the program ended
            return False
        if SYNC_QUERY in data:
            os.write(self.fd, SYNC_ANSWER)
        if FRAME_END in data:
            now = time.monotonic()
            self.frames.extend([now] * data.count(FRAME_END))
        return bool(data)

    def first_frame(self, timeout: float = 60.0) -> float:
        """Seconds from spawn to the end of the first frame."""
        deadline = self.started + timeout
        while not self.frames and time.monotonic() < deadline:
            self.pump(0.02)
        if not self.frames:
            raise RuntimeError(f"no frame from {' '.join(self.command)} in {timeout:.0f} s")
        return self.frames[0] - self.started

    def settle(self, quiet: float = 1.0, timeout: float = 60.0) -> None:
        """Wait until the program has drawn nothing for ``quiet`` seconds."""
        deadline = time.monotonic() + timeout
        since = time.monotonic()
        while time.monotonic() - since < quiet and time.monotonic() < deadline:
            if self.pump(0.02):
                since = time.monotonic()

    def press(self, key: str, *, wait: float = 2.0, quiet: float = 0.15) -> KeyTime | None:
        """Send ``key`` (a name in ``KEYS`` or literal text); None if no frame followed it
        within ``wait`` seconds (a key that changes nothing on screen draws nothing)."""
        seen = len(self.frames)
        began = time.monotonic()
        os.write(self.fd, KEYS.get(key, key.encode()))
        deadline = began + wait
        while len(self.frames) == seen and time.monotonic() < deadline:
            self.pump(0.005)
        if len(self.frames) == seen:
            return None
        first = self.frames[seen]
        since = time.monotonic()
        while time.monotonic() - since < quiet and time.monotonic() < deadline + wait:
            if self.pump(0.005):
                since = time.monotonic()
        return KeyTime(key, (first - began) * 1000, (self.frames[-1] - began) * 1000)

    def peak_rss_mb(self) -> float | None:
        """The program's peak resident memory so far (``VmHWM``), if it still runs."""
        try:
            with open(f"/proc/{self.pid}/status") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1]) / 1024
        except OSError:
            return None
        return None

    def close(self) -> None:
        with contextlib.suppress(ProcessLookupError, ChildProcessError):
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        with contextlib.suppress(OSError):
            os.close(self.fd)


def first_frame_ms(
    command: Sequence[str], env: dict[str, str] | None = None, columns: int = 80, rows: int = 24
) -> float:
    """Spawn ``command`` in a terminal (80×24 by default, as an editor over SSH) and time
    its first frame."""
    terminal = Terminal(command, columns, rows, env)
    try:
        return terminal.first_frame() * 1000
    finally:
        terminal.close()
