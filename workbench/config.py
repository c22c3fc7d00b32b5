"""Configuration: who the editor is, where the desk lives, and the user's keymap.

A TOML file (``$WORKBENCH_CONFIG``, else the platform's config dir) that an editor or a desk
admin edits by hand. Everything in it is optional; a broken file is reported with its path
and the parser's reason instead of being silently ignored.
"""

from __future__ import annotations

import getpass
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from platformdirs import user_config_dir, user_data_dir

APP_NAME = "workbench"


class ConfigError(Exception):
    pass


def data_dir() -> Path:
    return Path(user_data_dir(APP_NAME, appauthor=False))


def default_db_path() -> Path:
    return data_dir() / "desk.db"


def demo_db_path() -> Path:
    return data_dir() / "demo.db"


def config_path() -> Path:
    override = os.environ.get("WORKBENCH_CONFIG")
    if override:
        return Path(override).expanduser()
    return Path(user_config_dir(APP_NAME, appauthor=False)) / "config.toml"


def login_name() -> str:
    try:
        return os.environ.get("USER") or getpass.getuser()
    except (KeyError, OSError):  # no passwd entry, e.g. in a bare container
        return "editor"


@dataclass(frozen=True)
class Config:
    editor: str
    db: str | None = None
    #: binding id → comma-separated keys, as Textual's keymaps take them
    keymap: dict[str, str] = field(default_factory=dict)
    path: Path | None = None


def load_config(path: Path | None = None) -> Config:
    path = path or config_path()
    if not path.exists():
        return Config(editor=login_name(), path=path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config {path}: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config {path} is not valid TOML: {exc}") from exc
    editor = data.get("editor") or login_name()
    if not isinstance(editor, str):
        raise ConfigError(f"config {path}: 'editor' must be a string")
    db = data.get("db")
    if db is not None and not isinstance(db, str):
        raise ConfigError(f"config {path}: 'db' must be a string")
    keymap = data.get("keymap", {})
    if not isinstance(keymap, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in keymap.items()
    ):
        raise ConfigError(f"config {path}: [keymap] maps binding ids to key strings")
    return Config(editor=editor, db=db, keymap=dict(keymap), path=path)
