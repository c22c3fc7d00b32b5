"""The live link between the database and an open session.

A thread polls the change feed (``db.changes``) and posts one ``DeskChanged`` per poll that
found commits, however many there were: a burst of a thousand changes repaints once.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from textual.message import Message
from textual.message_pump import MessagePump

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from db.changes import ChangeBatch

POLL_SECONDS = 0.05


class DeskChanged(Message):
    """Someone (any process, this one included) committed changes to the desk."""

    def __init__(self, batch: ChangeBatch) -> None:
        super().__init__()
        self.batch = batch


def watch_desk(engine: Engine, target: MessagePump, stop: threading.Event) -> None:
    """Run until ``stop`` is set, posting ``DeskChanged`` to ``target``; call from a thread."""
    from db.changes import ChangeWatcher

    watcher = ChangeWatcher(engine)
    try:
        while not stop.is_set():
            batch = watcher.poll()
            if batch is not None:
                target.post_message(DeskChanged(batch))
            stop.wait(POLL_SECONDS)
    finally:
        watcher.close()
