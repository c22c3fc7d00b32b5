"""Unsaved statement forms, kept on disk while the editor types.

An editor on a flaky SSH link must not lose a half-written statement to a dropped
connection, a killed terminal or a crash. The form writes its fields here a moment after
each change (write to a temporary file, fsync, rename: a crash leaves the old draft or the
new one, never half of one); saving or discarding the form removes the draft; the next
start offers what is left. Drafts are per login and per desk, in the user's state folder,
never in the shared database (they are not desk data until saved).

A draft of an existing statement also keeps the version the form was opened at and the
field values it showed then (``_base_version``, ``_base``): resumed a day later, its save
must still name that version, or a colleague's save in between would be overwritten
without anyone seeing it, and the conflict view needs the base to tell what they changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from platformdirs import user_state_dir

APP_NAME = "workbench"
_SAFE_KEY = re.compile(r"[^A-Za-z0-9_.-]")


def drafts_root() -> Path:
    override = os.environ.get("WORKBENCH_DRAFTS")
    return (
        Path(override) if override else Path(user_state_dir(APP_NAME, appauthor=False)) / "drafts"
    )


def desk_key(location: str) -> str:
    """A stable folder name for one desk (its resolved location, hashed)."""
    return hashlib.sha256(location.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Draft:
    key: str  # "statement-12" (editing statement 12) or "new-<uuid>"
    fields: dict[str, Any]
    saved_at: dt.datetime
    title: str  # what the recovery list shows

    @property
    def statement_id(self) -> int | None:
        """The statement this draft edits (None: a new statement)."""
        value = self.fields.get("_statement_id")
        return value if isinstance(value, int) and not isinstance(value, bool) else None


class DraftStore:
    """The drafts of one editor on one desk."""

    def __init__(self, desk: str, editor: str, root: Path | None = None) -> None:
        self.folder = (root or drafts_root()) / desk_key(desk) / _SAFE_KEY.sub("_", editor)

    def _path(self, key: str) -> Path:
        return self.folder / f"{_SAFE_KEY.sub('_', key)}.json"

    def save(self, key: str, fields: dict[str, Any], title: str = "") -> None:
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        payload = {
            "key": key,
            "title": title,
            "saved_at": dt.datetime.now(dt.UTC).isoformat(),
            "fields": fields,
        }
        fd, tmp = tempfile.mkstemp(prefix=".draft-", dir=self.folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(payload, handle, ensure_ascii=False, default=str)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self._path(key))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def discard(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def load(self, key: str) -> Draft | None:
        return _read(self._path(key))

    def for_statement(self, statement_id: int) -> list[Draft]:
        """The drafts editing one statement, newest first: opening that statement must
        offer them rather than start a form whose first keystroke overwrites one."""
        return [d for d in self.all() if d.statement_id == statement_id]

    def all(self) -> list[Draft]:
        """Every readable draft, newest first; an unreadable file is skipped, not fatal."""
        if not self.folder.is_dir():
            return []
        drafts = [d for p in self.folder.glob("*.json") if (d := _read(p)) is not None]
        return sorted(drafts, key=lambda d: d.saved_at, reverse=True)


def _read(path: Path) -> Draft | None:
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
        return Draft(
            key=str(payload["key"]),
            fields=dict(payload["fields"]),
            saved_at=dt.datetime.fromisoformat(payload["saved_at"]),
            title=str(payload.get("title", "")),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
