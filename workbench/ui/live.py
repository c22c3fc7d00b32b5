"""The live link between the database and an open session.

A thread follows the change feed (``db.changes``) and posts one ``DeskChanged`` per batch
of commits, however many there were: a burst of a thousand changes repaints once. On
SQLite it polls every ``POLL_SECONDS``; on PostgreSQL it blocks on the watcher's
notifications (``ChangeWatcher.wait``), so a commit shows at once, and it wakes every
``LISTEN_SECONDS`` to see whether the session is quitting. After a batch it pauses
``POLL_SECONDS`` either way, so a stream of commits repaints at most that often.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from textual.message import Message
from textual.message_pump import MessagePump

if TYPE_CHECKING:
    from db.changes import ChangeBatch, ChangeWatcher

POLL_SECONDS = 0.05
#: PostgreSQL: the longest a wait for notifications lasts before checking for quit.
LISTEN_SECONDS = 0.25
#: After a failed poll (database busy, file gone), wait this long before trying again.
RETRY_SECONDS = 1.0


class DeskChanged(Message):
    """Someone (any process, this one included) committed changes to the desk."""

    def __init__(self, batch: ChangeBatch) -> None:
        super().__init__()
        self.batch = batch


class LiveTrouble(Message):
    """Following the desk failed (the database is busy or gone, the server restarted);
    the session keeps trying, and says so once until it works again."""

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason


def watch_desk(watcher: ChangeWatcher, target: MessagePump, stop: threading.Event) -> None:
    """Run until ``stop`` is set, posting ``DeskChanged`` to ``target``; call from a thread.

    The watcher is created by the caller before the panes first read the desk, so a commit
    that lands between that read and the first poll is still reported.
    """
    from workbench.errors import describe

    failing = False
    try:
        while not stop.is_set():
            try:
                batch = watcher.wait(LISTEN_SECONDS) if watcher.blocking else watcher.poll()
            except Exception as exc:
                if not failing:
                    target.post_message(LiveTrouble(describe(exc) or repr(exc)))
                failing = True
                watcher.close()  # a fresh connection on the next try
                stop.wait(RETRY_SECONDS)
                continue
            failing = False
            if batch is not None:
                target.post_message(DeskChanged(batch))
            if batch is not None or not watcher.blocking:
                stop.wait(POLL_SECONDS)
    finally:
        watcher.close()
