"""The app as an editor reaches it over SSH: a real pseudo-terminal of 80×24 with
``TERM=xterm-256color``, keys typed as bytes, the screen read back from what the app wrote;
and the files a shared desk's editors create, which must stay writable by the group.

``PtyApp`` starts a command on a new pty (``pty.fork``, as sshd does: its own session with
the pty as controlling terminal) and feeds everything the app writes to ``Screen``, a
minimal terminal that keeps the characters at their cursor positions (Textual positions
every run of text with ``CSI row;col H``), so a test asserts on what the editor would see
on a line, not on bytes that happen to pass by. Waiting is always "read until this text is
on the screen", with a deadline, never a sleep. Standard library only.
"""

from __future__ import annotations

import codecs
import fcntl
import os
import pty
import re
import select
import signal
import sqlite3
import stat
import struct
import sys
import termios
import time
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

import pytest

from db.engine import backup, open_desk
from db.repo import Repo

ROWS, COLS = 24, 80
#: Bounds for waiting on the app; generous because a loaded CI machine is slow, and a
#: bound only costs time when the feature is broken.
START_TIMEOUT = 60.0
STEP_TIMEOUT = 30.0
WORKBENCH = [sys.executable, "-m", "workbench"]

# ---------------------------------------------------------------- a minimal terminal

#: CSI (with parameters), OSC / DCS / APC strings, two-byte escapes, or one character.
_TOKEN = re.compile(
    r"\x1b\[([0-?]*)[ -/]*([@-~])"
    r"|\x1b[\]P_^][^\x07\x1b]*(?:\x07|\x1b\\)"
    r"|\x1b[^\[\]P_^]"
    r"|[^\x1b]",
    re.S,
)
#: An escape sequence cut off at the end of a read: kept until the rest arrives.
_PARTIAL = re.compile(r"\x1b(\[[0-?]*[ -/]*|[\]P_^][^\x07\x1b]*\x1b?)?\Z", re.S)


def _width(char: str) -> int:
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


class Screen:
    """The visible characters of a terminal: cursor addressing, CR/LF and text; colours,
    modes and queries are read past. Enough for Textual, which redraws by positioning
    the cursor before each run of text and turns autowrap off."""

    def __init__(self, rows: int = ROWS, cols: int = COLS) -> None:
        self.rows, self.cols = rows, cols
        self.cells = [[" "] * cols for _ in range(rows)]
        self.row = self.col = 0
        self._pending = ""

    def feed(self, data: str) -> None:
        data = self._pending + data
        partial = _PARTIAL.search(data)
        if partial is not None:
            data, self._pending = data[: partial.start()], data[partial.start() :]
        else:
            self._pending = ""
        for match in _TOKEN.finditer(data):
            final = match.group(2)
            if final is not None:
                self._control(match.group(1), final)
            elif len(match.group(0)) == 1:
                self._char(match.group(0))

    def _control(self, params: str, final: str) -> None:
        if final in "Hf":
            parts = [int(p) if p.isdigit() else 1 for p in params.split(";")] + [1, 1]
            self.row = min(max(parts[0], 1), self.rows) - 1
            self.col = min(max(parts[1], 1), self.cols) - 1
        elif final == "J" and params in ("2", "3"):
            self.cells = [[" "] * self.cols for _ in range(self.rows)]

    def _char(self, char: str) -> None:
        if char == "\r":
            self.col = 0
        elif char == "\n":
            self.row = min(self.row + 1, self.rows - 1)
        elif char == "\b":
            self.col = max(self.col - 1, 0)
        elif char >= " ":
            width = _width(char)
            if width and self.col + width <= self.cols:
                self.cells[self.row][self.col] = char
                for extra in range(1, width):
                    self.cells[self.row][self.col + extra] = ""
                self.col += width

    def lines(self) -> list[str]:
        return ["".join(row).rstrip() for row in self.cells]

    def text(self) -> str:
        return "\n".join(self.lines())


# ---------------------------------------------------------------- an app on a pty

KEYS = {"enter": b"\r", "escape": b"\x1b", "tab": b"\t", "down": b"\x1b[B", "up": b"\x1b[A"}


class PtyApp:
    """A command on its own pseudo-terminal, with the screen it draws."""

    def __init__(
        self,
        argv: Sequence[str],
        env: Mapping[str, str],
        *,
        rows: int = ROWS,
        cols: int = COLS,
        cwd: str | None = None,
    ) -> None:
        self.screen = Screen(rows, cols)
        self.raw = bytearray()  # everything the app wrote, for failure messages
        self.returncode: int | None = None
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        pid, fd = pty.fork()
        if pid == 0:  # the child: only what must happen before exec
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
                if cwd is not None:
                    os.chdir(cwd)
                os.execvpe(argv[0], list(argv), dict(env))
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        self.closed = False

    # reading --------------------------------------------------------------

    def _pump(self, timeout: float) -> bool:
        """Read what is there (waiting up to ``timeout``); False once the app has closed
        its side of the terminal."""
        if self.closed:
            return False
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return True
        try:
            data = os.read(self.fd, 1 << 16)
        except OSError:  # EIO: the child is gone and the pty closed
            data = b""
        if not data:
            self.closed = True
            return False
        self.raw += data
        self.screen.feed(self._decoder.decode(data))
        return True

    def wait_until(
        self, predicate: Callable[[Screen], bool], what: str, timeout: float = STEP_TIMEOUT
    ) -> Screen:
        """Read until ``predicate(screen)`` holds; fail with the screen as it is if the
        deadline passes or the app ends first."""
        deadline = time.monotonic() + timeout
        while not predicate(self.screen):
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self._pump(min(remaining, 0.1)):
                if predicate(self.screen):
                    break
                state = "ended" if self.closed else "timed out"
                raise AssertionError(
                    f"{state} waiting for {what}; the screen shows:\n{self.screen.text()}"
                )
        return self.screen

    def expect(self, text: str, timeout: float = STEP_TIMEOUT) -> Screen:
        return self.wait_until(lambda s: text in s.text(), repr(text), timeout)

    def expect_line(self, pattern: str, timeout: float = STEP_TIMEOUT) -> str:
        """Wait for a screen line matching the regular expression; returns the line."""
        regex = re.compile(pattern)
        self.wait_until(
            lambda s: any(regex.search(line) for line in s.lines()), f"/{pattern}/", timeout
        )
        return next(line for line in self.screen.lines() if regex.search(line))

    # writing --------------------------------------------------------------

    def send(self, keys: str | bytes) -> None:
        os.write(self.fd, keys.encode() if isinstance(keys, str) else keys)

    def key(self, name: str) -> None:
        self.send(KEYS[name])

    # ending ---------------------------------------------------------------

    def wait_exit(self, timeout: float = STEP_TIMEOUT) -> int:
        """Read to the end of the output, then reap the app; its exit code."""
        deadline = time.monotonic() + timeout
        while self._pump(0.1):
            if time.monotonic() > deadline:
                raise AssertionError(f"the app did not exit; screen:\n{self.screen.text()}")
        while self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
            elif time.monotonic() > deadline:
                raise AssertionError("the app closed its terminal but did not exit")
            else:
                select.select([], [], [], 0.05)  # the child is between close and exit
        return self.returncode

    def kill(self, sig: int = signal.SIGKILL) -> int:
        if self.returncode is None:
            os.kill(self.pid, sig)
            _, status = os.waitpid(self.pid, 0)
            self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def close(self) -> None:
        if self.returncode is None:
            self.kill()
        if not self.closed or self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
            self.closed = True


def ssh_env(**extra: str) -> dict[str, str]:
    """What an SSH login hands the app, per the README's recipe: the terminal type and
    colour depth the client sent, a UTF-8 locale, the login as $USER."""
    env = {
        key: os.environ[key]
        for key in ("PATH", "HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "USER")
        if key in os.environ
    }
    env.update(TERM="xterm-256color", COLORTERM="truecolor", LANG="C.UTF-8", LC_ALL="C.UTF-8")
    env.update(extra)
    return env


@pytest.fixture
def pty_apps() -> Iterator[list[PtyApp]]:
    """Apps started by a test; whatever is still running at its end is killed."""
    apps: list[PtyApp] = []
    yield apps
    for app in apps:
        app.close()


def start(apps: list[PtyApp], db: Path, **env: str) -> PtyApp:
    app = PtyApp([*WORKBENCH, "--db", str(db)], ssh_env(**env))
    apps.append(app)
    return app


# ---------------------------------------------------------------- the app over a pty


@pytest.mark.sqlite_only(reason="a separate process opens the desk path")
def test_an_editor_over_ssh_browses_searches_and_quits(
    demo_db: Path, pty_apps: list[PtyApp]
) -> None:
    app = start(pty_apps, demo_db, USER="maria")
    # The header names the desk and the editor, who is the login ($USER).
    app.wait_until(lambda s: "demo.db · maria" in s.lines()[0], "the desk and login in the header")
    app.expect("◆8")  # the Feed lists the demo's articles
    screen = app.screen.text()
    assert "1 Feed ─" in screen and "2 Statements ─" not in screen  # 80×24: one pane

    app.send("2")
    app.expect("#55 Piet Savolder")  # Statements, newest first, the first one's detail
    assert app.expect_line(r"Piet Savolder +.Everything is on the agenda")
    app.send("j")
    app.expect("#54 Savoren")

    app.send("/")
    app.expect("Type to search.")
    app.send("Villa Ardenne")
    app.expect_line(r"\d+ hits, best first")
    # the typed words show in the box; the hits for them (after the debounce) below it
    app.wait_until(
        lambda s: sum("Villa Ardenne" in line for line in s.lines()) >= 2,
        "hits naming Villa Ardenne",
    )
    app.key("escape")
    app.wait_until(lambda s: "best first" not in s.text(), "the search to close")
    app.expect("#54 Savoren")  # the pane as it was left

    app.send("q")
    assert app.wait_exit() == 0


# ---------------------------------------------------------------- files of a shared desk


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def group_umask() -> Iterator[None]:
    """umask 002, as the README asks of a shared desk's editors."""
    old = os.umask(0o002)
    try:
        yield
    finally:
        os.umask(old)


@pytest.mark.sqlite_only(reason="SQLite file modes")
def test_a_new_desk_and_its_wal_files_are_group_writable_under_umask_002(
    tmp_path: Path, group_umask: None
) -> None:
    """SQLite alone would create the desk 0644 whatever the umask, and the WAL and
    shared-memory files copy the desk's mode: a second editor could then not write."""
    path = tmp_path / "shared.db"
    engine = open_desk(str(path))
    try:
        Repo(engine, "maria").add_issue("Will the talks open?")
        with engine.connect() as conn:  # a live connection keeps the WAL files around
            conn.exec_driver_sql("SELECT count(*) FROM issue").scalar()
            for name in ("shared.db", "shared.db-wal", "shared.db-shm"):
                assert _mode(tmp_path / name) == 0o664, name
    finally:
        engine.dispose()


@pytest.mark.sqlite_only(reason="SQLite WAL file modes")
def test_the_wal_files_keep_the_desks_mode_whatever_the_editors_umask(
    tmp_path: Path,
) -> None:
    path = tmp_path / "shared.db"
    old = os.umask(0o007)
    try:
        open_desk(str(path)).dispose()
    finally:
        os.umask(old)
    assert _mode(path) == 0o660
    old = os.umask(0o077)  # an editor who did not set the umask
    try:
        engine = open_desk(str(path))
        Repo(engine, "tomas").add_issue("Is a call planned?")
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1").scalar()
            assert _mode(tmp_path / "shared.db-wal") == 0o660
            assert _mode(tmp_path / "shared.db-shm") == 0o660
        engine.dispose()
    finally:
        os.umask(old)


@pytest.mark.sqlite_only(reason="SQLite backup file modes")
def test_a_backup_honours_the_umask(demo_db: Path, tmp_path: Path, group_umask: None) -> None:
    target = tmp_path / "copy.db"
    engine = open_desk(str(demo_db))
    try:
        backup(engine, target)
    finally:
        engine.dispose()
    assert _mode(target) == 0o664
    with sqlite3.connect(target) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()
