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
class IngestSettings:
    """How ingest fetches and when it calls two articles the same story."""

    timeout: float = 20.0  # seconds per connect/read
    max_mb: float = 10.0  # a larger response is aborted
    per_host: int = 2  # politeness: requests to one host at once
    #: near-duplicates across outlets (rapidfuzz token-set ratio on title + lead, 0–100)
    suggest_match: float = 82.0  # flag as a possible duplicate
    same_story: float = 93.0  # flag as the same story
    min_match_length: int = 60  # shorter title + lead is never compared
    #: propose statements (who said what, when) for every new or changed article
    suggest_statements: bool = True


@dataclass(frozen=True)
class ExportSettings:
    """Who publishes the desk's exports: ClaimReview names the organisation as the
    fact-check's author, and per-statement review URLs are made under its address."""

    organisation: str = ""
    organisation_url: str = ""  # http(s) address of the organisation's fact-check pages


#: Keys a [[rules]] entry may have, and which are required.
RULE_KEYS = {"name", "pattern", "action", "value", "field", "regex", "source"}


@dataclass(frozen=True)
class Config:
    editor: str
    db: str | None = None
    #: binding id → comma-separated keys, as Textual's keymaps take them
    keymap: dict[str, str] = field(default_factory=dict)
    path: Path | None = None
    ingest: IngestSettings = field(default_factory=IngestSettings)
    #: [[rules]] from the file, as written (checked for shape here, compiled at ingest)
    rules: tuple[dict[str, object], ...] = ()
    export: ExportSettings = field(default_factory=ExportSettings)


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
    return Config(
        editor=editor,
        db=db,
        keymap=dict(keymap),
        path=path,
        ingest=_ingest_settings(data.get("ingest", {}), path),
        rules=_rules(data.get("rules", []), path),
        export=_export_settings(data.get("export", {}), path),
    )


def _ingest_settings(raw: object, path: Path) -> IngestSettings:
    if not isinstance(raw, dict):
        raise ConfigError(f"config {path}: [ingest] must be a table")
    defaults = IngestSettings()
    values: dict[str, float | int] = {}
    for key, value in raw.items():
        if not hasattr(defaults, key):
            raise ConfigError(f"config {path}: [ingest] has no setting {key!r}")
        if isinstance(getattr(defaults, key), bool):
            if not isinstance(value, bool):
                raise ConfigError(f"config {path}: [ingest] {key} must be true or false")
            values[key] = value
            continue
        must_be_positive = key in ("timeout", "max_mb", "per_host")
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or value < 0
            or (must_be_positive and value == 0)
        ):
            kind = "a number above zero" if must_be_positive else "a number, zero or more"
            raise ConfigError(f"config {path}: [ingest] {key} must be {kind}")
        values[key] = type(getattr(defaults, key))(value)
    settings = IngestSettings(**values)  # type: ignore[arg-type]
    if settings.suggest_match > settings.same_story:
        raise ConfigError(f"config {path}: [ingest] suggest_match must not exceed same_story")
    return settings


def _export_settings(raw: object, path: Path) -> ExportSettings:
    if not isinstance(raw, dict):
        raise ConfigError(f"config {path}: [export] must be a table")
    values: dict[str, str] = {}
    for key, value in raw.items():
        if key not in ExportSettings.__dataclass_fields__:
            raise ConfigError(f"config {path}: [export] has no setting {key!r}")
        if not isinstance(value, str):
            raise ConfigError(f"config {path}: [export] {key} must be a string")
        values[key] = " ".join(value.split()) if key == "organisation" else value.strip()
    url = values.get("organisation_url", "")
    if url:
        scheme, _, rest = url.partition("://")
        if scheme.lower() not in ("http", "https") or not rest or any(c.isspace() for c in url):
            raise ConfigError(
                f"config {path}: [export] organisation_url must be an http(s) address"
            )
    return ExportSettings(**values)


def _rules(raw: object, path: Path) -> tuple[dict[str, object], ...]:
    if not isinstance(raw, list):
        raise ConfigError(f"config {path}: rules must be a list of [[rules]] tables")
    rules = []
    for n, rule in enumerate(raw, start=1):
        if not isinstance(rule, dict):
            raise ConfigError(f"config {path}: rule {n} must be a table")
        unknown = set(rule) - RULE_KEYS
        missing = {"name", "pattern", "action"} - set(rule)
        if unknown or missing:
            problem = (
                f"unknown key {sorted(unknown)[0]!r}" if unknown else f"needs {sorted(missing)}"
            )
            raise ConfigError(f"config {path}: rule {n} {problem}")
        rules.append(dict(rule))
    return tuple(rules)
