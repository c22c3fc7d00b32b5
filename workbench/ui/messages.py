"""Messages shared across widgets."""

from __future__ import annotations

from textual.message import Message
from textual.message_pump import MessagePump
from textual.worker import Worker, WorkerState


class WorkFailed(Message):
    """A worker failed; the app tells the editor. (Textual's own worker messages do not
    bubble, so each widget that runs workers forwards failures with this.)"""

    def __init__(self, what: str, error: BaseException | None) -> None:
        super().__init__()
        self.what = what
        self.error = error


def forward_failure(sender: MessagePump, event: Worker.StateChanged) -> bool:
    """Post ``WorkFailed`` from ``sender`` for a failed worker; returns whether it failed."""
    if event.state != WorkerState.ERROR:
        return False
    sender.post_message(WorkFailed(event.worker.name or "finish a task", event.worker.error))
    return True
