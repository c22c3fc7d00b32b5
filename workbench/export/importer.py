"""``workbench import FILE``: a JSON or JSON Lines export brought into another desk.

What one desk curated (a collection, or a whole desk) arrives on another with its ids
remapped, its actors matched to the ones this desk already knows (by name or alias), and
nothing duplicated: every item is first looked for on this desk (see ``_Importer``), so
importing the same file twice, or a file this desk has part of, adds only what is new.

The whole import is one repository transaction: a file that turns out to be broken half
way (a line that is not JSON) leaves the desk as it was. Each row is written through the
repository's transaction (``_Tx``), so it is cleaned like any text from outside, checked,
indexed for search and logged as a Change by the importing editor. A single item that
cannot be stored (a link to a statement the file does not hold, a bad value) is skipped
and reported; the rest of the file still lands.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sqlalchemy import func, or_
from sqlmodel import col, select

from db.clean import strip_controls
from db.models import (
    Actor,
    ActorAlias,
    ActorKind,
    Article,
    Collection,
    CollectionItem,
    Event,
    Issue,
    ItemKind,
    Link,
    Position,
    Precision,
    Relation,
    Review,
    Source,
    SourceKind,
    Statement,
    Triage,
    Verification,
    normalise_name,
)
from db.repo import Repo
from db.repo_statements import refind_evidence
from db.tx import RepoError, _choice, _Tx, content_hash
from workbench.export.json_export import FORMAT, FORMAT_VERSION, ITEM_TYPES, JSONL_ORDER
from workbench.ingest.urls import canonical_url

#: Kinds in the order an import reports them.
KINDS = (
    "source",
    "article",
    "actor",
    "issue",
    "statement",
    "link",
    "position",
    "event",
    "collection",
    "collection item",
)
#: Problems kept word for word; beyond this many only the count grows.
PROBLEMS_KEPT = 200


class ImportFormatError(ValueError):
    """The file is not a workbench export (or is broken); nothing was imported."""


@dataclass
class ImportReport:
    """What an import did: rows created and rows found already on the desk, per kind
    (``KINDS``), and the items it skipped or changed, each named."""

    name: str = ""  # the file's name, for the summary
    created: Counter[str] = field(default_factory=Counter)
    matched: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    problem_count: int = 0  # all problems, also those past PROBLEMS_KEPT

    def problem(self, message: str) -> None:
        self.problem_count += 1
        if len(self.problems) < PROBLEMS_KEPT:
            self.problems.append(message)

    def summary(self) -> str:
        """One line, e.g. ``export.json: 14 created (3 statements, 1 collection, …),
        9 matched (5 actors, …), 1 problem``."""

        def part(counts: Counter[str], what: str) -> str:
            total = sum(counts.values())
            kinds = ", ".join(_plural(counts[k], k) for k in KINDS if counts[k])
            return f"{total} {what}" + (f" ({kinds})" if kinds else "")

        problems = _plural(self.problem_count, "problem") if self.problem_count else "no problems"
        line = f"{part(self.created, 'created')}, {part(self.matched, 'matched')}, {problems}"
        return f"{self.name}: {line}" if self.name else line


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


# --------------------------------------------------------------------------- reading files


def import_file(repo: Repo, path: Path) -> ImportReport:
    """Import a ``json`` or ``jsonl`` export into ``repo``'s desk, in one transaction.

    The format is read from the content, not the suffix: a first line that is a JSON
    Lines header (``{"type": "header", ...}``) makes a JSON Lines file; anything else is
    read as one JSON document. Raises ``ImportFormatError`` (a ``ValueError``) naming the
    file and the line for a file that is not a workbench export, with nothing written;
    ``RepoError`` (e.g. ``ReadOnlyError`` for a viewer) when the desk refuses the write.
    """
    path = Path(path)
    try:
        handle = path.open(encoding="utf-8-sig")
    except OSError as exc:
        raise ImportFormatError(f"{path}: cannot read it ({exc.strerror or exc})") from exc
    with handle:
        try:
            first, line_no = _first_line(handle)
        except UnicodeDecodeError as exc:
            raise ImportFormatError(f"{path}: not UTF-8 text ({exc.reason})") from exc
        if first is None:
            raise ImportFormatError(f"{path}: the file is empty, not a workbench export")
        if not first.lstrip().startswith("{"):
            raise ImportFormatError(
                f"{path}: line {line_no}: not a workbench export (a json or jsonl export "
                "starts with a JSON object)"
            )
        header = _json_or_none(first)
        if isinstance(header, dict) and header.get("type") == "header":
            _check_header(header, f"{path}: line {line_no}")
            items = _jsonl_items(handle, path, line_no)
            return import_data(repo, _with_first(header, items), name=path.name)
        handle.seek(0)
        try:
            document = json.load(handle)
        except json.JSONDecodeError as exc:
            raise ImportFormatError(
                f"{path}: line {exc.lineno}, column {exc.colno}: not valid JSON ({exc.msg})"
            ) from exc
        except UnicodeDecodeError as exc:
            raise ImportFormatError(f"{path}: not UTF-8 text ({exc.reason})") from exc
    if isinstance(document, dict):  # refused before the write transaction is even opened
        _check_header(document, str(path))
    return import_data(repo, document_items(document, str(path)), name=path.name)


def _first_line(handle: IO[str]) -> tuple[str | None, int]:
    line_no = 0
    while True:
        line = handle.readline()
        if not line:
            return None, line_no
        line_no += 1
        if line.strip():
            return line, line_no


def _json_or_none(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return None


def _with_first(first: dict[str, Any], rest: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    yield first
    yield from rest


def _check_header(header: dict[str, Any], where: str) -> None:
    if header.get("format") != FORMAT:
        raise ImportFormatError(
            f"{where}: not a workbench export (format is {header.get('format')!r}, "
            f"expected {FORMAT!r})"
        )
    version = header.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ImportFormatError(f"{where}: format_version {version!r} is not a version number")
    if version > FORMAT_VERSION:
        raise ImportFormatError(
            f"{where}: written by a newer workbench (format_version {version}); "
            f"this one reads version {FORMAT_VERSION}"
        )


def _jsonl_items(handle: IO[str], path: Path, after: int) -> Iterator[dict[str, Any]]:
    """The items after the header, one a line; a broken line stops the import (the
    transaction is rolled back), naming the line."""
    line_no = after
    for line in handle:
        line_no += 1
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ImportFormatError(f"{path}: line {line_no}: not JSON ({exc.msg})") from exc
        if not isinstance(item, dict) or not isinstance(item.get("type"), str):
            raise ImportFormatError(
                f'{path}: line {line_no}: not a workbench item (an object with a "type")'
            )
        if item["type"] == "header":
            raise ImportFormatError(f"{path}: line {line_no}: a second header")
        yield item


def document_items(document: Any, where: str = "the document") -> Iterator[dict[str, Any]]:
    """A JSON export (one object of lists) as the stream ``import_data`` reads: the
    header, then each list's items tagged with their type, in dependency order (the
    object lists statements before issues; the stream needs issues first)."""
    if not isinstance(document, dict):
        raise ImportFormatError(f"{where}: not a workbench export (not a JSON object)")
    _check_header(document, where)
    for key in JSONL_ORDER:
        if not isinstance(document.get(key, []), list):
            raise ImportFormatError(f"{where}: {key!r} is not a list")
    header = {k: v for k, v in document.items() if not isinstance(v, list)}
    yield {**header, "type": "header"}
    for key in JSONL_ORDER:
        for index, item in enumerate(document.get(key, [])):
            if isinstance(item, dict):
                yield {**item, "type": ITEM_TYPES[key]}
            else:
                yield {"type": ITEM_TYPES[key], "_bad": f"{key}[{index}] is not an object"}


# --------------------------------------------------------------------------- importing


def import_data(repo: Repo, items: Iterable[dict[str, Any]], *, name: str = "") -> ImportReport:
    """Import a stream of items (``{"type": "statement", ...}``, as JSON Lines holds
    them; an optional header first) in one transaction. Items should come in dependency
    order (``JSONL_ORDER``); a reference to an item not seen (yet) is reported.

    Raises ``ImportFormatError`` for a header that is not a workbench export's, and
    whatever the item stream raises; either way nothing is written."""
    report = ImportReport(name=name)
    with repo.batch(), repo._write() as tx:  # joins the batch: one transaction
        importer = _Importer(repo, tx, report)
        for item in items:
            importer.item(item)
        importer.finish()
    return report


class _Skip(Exception):
    """This one item cannot be imported; the message says which and why."""


def _label(kind: str, item: dict[str, Any]) -> str:
    if kind in ("actor", "collection", "source"):
        name = item.get("name")
        if isinstance(name, str) and name:
            return f"{kind} {name!r}"
    item_id = item.get("id")
    return f"{kind} {item_id}" if item_id is not None else kind


def _text(item: dict[str, Any], key: str, *, required: bool = False) -> str:
    value = item.get(key)
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise _Skip(f"{key} is not text")
    if required and not value.strip():
        raise _Skip(f"it has no {key}")
    return value


def _optional_text(item: dict[str, Any], key: str) -> str | None:
    value = item.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise _Skip(f"{key} is not text")
    return value


def _int(value: Any, what: str) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise _Skip(f"{what} is not an id")
    return value


def _date(item: dict[str, Any], key: str) -> dt.date | None:
    value = item.get(key)
    if value is None or value == "":
        return None
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise _Skip(f"{key} {value!r} is not an ISO date") from None


def _datetime(item: dict[str, Any], key: str) -> dt.datetime | None:
    value = item.get(key)
    if value is None or value == "":
        return None
    try:
        stamp = dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise _Skip(f"{key} {value!r} is not an ISO time") from None
    return stamp.replace(tzinfo=dt.UTC) if stamp.tzinfo is None else stamp.astimezone(dt.UTC)


def _names(item: dict[str, Any], key: str) -> list[str]:
    value = item.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _Skip(f"{key} is not a list of names")
    return value


def _ids(item: dict[str, Any], key: str) -> list[int]:
    value = item.get(key) or []
    if not isinstance(value, list):
        raise _Skip(f"{key} is not a list of ids")
    return [i for v in value if (i := _int(v, key)) is not None]


def _choice_of(item: dict[str, Any], key: str, allowed: Any, default: str) -> str:
    value = item.get(key) or default
    try:
        return _choice(value, allowed, key)
    except (RepoError, TypeError) as exc:
        raise _Skip(str(exc)) from None


def _folded(text: str) -> str:
    return " ".join(strip_controls(text).split()).casefold()


class _Importer:
    """One import's state: old id → new id per kind, and indexes of what the desk holds.

    Matching (so nothing is stored twice): sources by URL (by name when the file's has
    none); articles by canonical URL, else content hash, else title and source; actors by
    normalised name or alias; issues by title (any case); statements by article and
    evidence (exact words and start), or, with no evidence, by speaker, text and date;
    links by their two statements and relation; positions by issue, actor, as-of date and
    summary; events by date and title; collections by name (missing items are appended,
    present ones keep their place and note). A matched row is left as this desk has it.
    """

    def __init__(self, repo: Repo, tx: _Tx, report: ImportReport) -> None:
        self.repo = repo
        self.tx = tx
        self.session = tx.session
        self.report = report
        self.ids: dict[str, dict[int, int]] = {
            kind: {} for kind in ("source", "article", "issue", "statement", "position", "event")
        }
        self.actor_by_name: dict[str, int] = {}  # the file's actor name → desk actor id
        self.waiting_for_parent: dict[str, list[int]] = {}  # parent name → new children
        self.unknown_types: Counter[str] = Counter()
        self.saw_header = False
        self.handlers: dict[str, Callable[[dict[str, Any]], None]] = {
            "source": self.source,
            "article": self.article,
            "actor": self.actor,
            "issue": self.issue,
            "statement": self.statement,
            "link": self.link,
            "position": self.position,
            "event": self.event,
            "collection": self.collection,
        }
        self._actor_index()
        self._issue_index()

    # -------------------------------------------------------------- dispatch

    def item(self, item: dict[str, Any]) -> None:
        kind = item.get("type")
        if kind == "header":
            if self.saw_header:
                raise ImportFormatError("a second header in the middle of the items")
            self.saw_header = True
            _check_header(item, "the header")
            return
        handler = self.handlers.get(kind) if isinstance(kind, str) else None
        if handler is None:
            self.unknown_types[str(kind)] += 1
            return
        label = _label(str(kind), item)
        try:
            if "_bad" in item:
                raise _Skip(item["_bad"])
            handler(item)
        except _Skip as exc:
            self.report.problem(f"{label}: {exc}; skipped")
        except RepoError as exc:
            # Refused before it was stored; forget any half-set values it left on rows.
            self.session.expire_all()
            self.report.problem(f"{label}: {exc}; skipped")

    def finish(self) -> None:
        for parent, children in self.waiting_for_parent.items():
            parent_id = self._desk_actor([parent])
            for child_id in children:
                child = self.session.get(Actor, child_id)
                name = child.name if child is not None else str(child_id)
                if parent_id is None:
                    self.report.problem(
                        f"actor {name!r}: its parent {parent!r} is not in the file or on "
                        "this desk; imported without a parent"
                    )
                else:
                    self._set_parent(child_id, parent_id)
        for kind, n in sorted(self.unknown_types.items()):
            self.report.problem(f"{_plural(n, 'item')} of unknown type {kind!r}; skipped")

    def _created(self, kind: str) -> None:
        self.report.created[kind] += 1

    def _matched(self, kind: str) -> None:
        self.report.matched[kind] += 1

    def _old_id(self, item: dict[str, Any]) -> int | None:
        return _int(item.get("id"), "id")

    def _mapped(self, kind: str, old: Any, what: str) -> int:
        """The desk id of the file's ``kind`` ``old``; ``_Skip`` if the file lacks it."""
        old_id = _int(old, what)
        if old_id is None:
            raise _Skip(f"{what} is missing")
        new = self.ids[kind].get(old_id)
        if new is None:
            raise _Skip(f"{kind} {old_id} is not in the file (or was skipped)")
        return new

    def _restore(self, row: Any, what: str) -> None:
        """Bring back a deleted row that the import needs (its URL or name is unique)."""
        self.tx.update(row, {"deleted_at": None}, None, op="restore")
        self.report.problem(f"{what} was deleted on this desk; restored by the import")

    # -------------------------------------------------------------- sources & articles

    def source(self, item: dict[str, Any]) -> None:
        old = self._old_id(item)
        name = " ".join(_text(item, "name", required=True).split())
        url = _optional_text(item, "url")
        kind = _choice_of(item, "kind", SourceKind, "feed")
        row: Source | None
        if url:
            row = self.session.exec(select(Source).where(Source.url == strip_controls(url))).first()
            if row is not None and row.deleted_at is not None:
                self._restore(row, f"source {row.name!r}")
        else:
            folded = _folded(name)
            row = next(
                (
                    s
                    for s in self.session.exec(
                        select(Source)
                        .where(col(Source.deleted_at).is_(None))
                        .order_by(col(Source.id))
                    )
                    if _folded(s.name) == folded
                ),
                None,
            )
        if row is not None:
            self._matched("source")
        else:
            row = self.repo.add_source(name, url, kind)
            self._created("source")
        if old is not None:
            self.ids["source"][old] = int(row.id)  # type: ignore[arg-type]

    def article(self, item: dict[str, Any]) -> None:
        old = self._old_id(item)
        source_id: int | None = None
        if item.get("source") is not None:
            source_id = self._mapped("source", item.get("source"), "its source")
        url = _optional_text(item, "url")
        title = _text(item, "title")
        text = _text(item, "text")
        byline = _text(item, "byline")
        published_at = _datetime(item, "published_at")
        fetched_at = _datetime(item, "fetched_at")
        triage = _choice_of(item, "triage", Triage, "new")
        url = strip_controls(url) if url else None
        canonical = canonical_url(url) if url else None
        row = self._find_article(url, canonical, strip_controls(text), title, source_id)
        if row is not None:
            self._matched("article")
        else:
            fetched = fetched_at or self.tx.now
            row = self.tx.insert(
                Article(
                    source_id=source_id,
                    url=url,
                    canonical_url=canonical,
                    title=title,
                    byline=byline,
                    published_at=published_at,
                    fetched_at=fetched,
                    sort_at=published_at or fetched,
                    text=text,
                    triage=triage,
                )
            )
            self._created("article")
        if old is not None:
            self.ids["article"][old] = int(row.id)  # type: ignore[arg-type]

    def _find_article(
        self,
        url: str | None,
        canonical: str | None,
        text: str,
        title: str,
        source_id: int | None,
    ) -> Article | None:
        live = col(Article.deleted_at).is_(None)
        if url:
            # An article with an address is that address: the same wire copy carried by
            # two outlets is two articles (with their own statements), never merged by
            # its text.
            return self.session.exec(
                select(Article)
                .where(live, or_(Article.canonical_url == canonical, Article.url == url))
                .order_by(col(Article.id))
            ).first()
        if text.strip():
            found = self.session.exec(
                select(Article)
                .where(
                    live,
                    Article.content_hash == content_hash(text),
                    col(Article.source_id).is_(None)
                    if source_id is None
                    else Article.source_id == source_id,
                    col(Article.url).is_(None),
                )
                .order_by(col(Article.id))
            ).first()
            if found is not None:
                return found
        if title.strip():
            return self.session.exec(
                select(Article)
                .where(live, Article.title == strip_controls(title), Article.source_id == source_id)
                .order_by(col(Article.id))
            ).first()
        return None

    # -------------------------------------------------------------- actors & issues

    def _actor_index(self) -> None:
        """Live actors by normalised name and by alias: actors are few, so held here."""
        self.by_name: dict[str, int] = {}
        self.by_alias: dict[str, int] = {}
        for actor_id, name in self.session.exec(
            select(Actor.id, Actor.name).where(col(Actor.deleted_at).is_(None)).order_by(Actor.id)  # type: ignore[arg-type]
        ):
            self.by_name.setdefault(normalise_name(name), actor_id)  # type: ignore[arg-type]
        for actor_id, norm in self.session.exec(
            select(ActorAlias.actor_id, ActorAlias.norm)
            .join(Actor, col(Actor.id) == col(ActorAlias.actor_id))
            .where(col(Actor.deleted_at).is_(None))
            .order_by(col(ActorAlias.id))
        ):
            self.by_alias.setdefault(norm, actor_id)

    def _desk_actor(self, names: Iterable[str]) -> int | None:
        """The live actor that has one of ``names`` as its name, else as an alias (the
        first name given wins: an actor's own name before its aliases)."""
        norms = [normalise_name(strip_controls(n)) for n in names if n.strip()]
        for norm in norms:
            if norm in self.by_name:
                return self.by_name[norm]
        for norm in norms:
            if norm in self.by_alias:
                return self.by_alias[norm]
        return None

    def _remember_actor(self, actor_id: int, name: str, aliases: Iterable[str]) -> None:
        self.by_name.setdefault(normalise_name(name), actor_id)
        for alias in (name, *aliases):
            self.by_alias.setdefault(normalise_name(alias), actor_id)

    def actor(self, item: dict[str, Any]) -> None:
        name = " ".join(strip_controls(_text(item, "name", required=True)).split())
        aliases = [" ".join(strip_controls(a).split()) for a in _names(item, "aliases")]
        kind = _choice_of(item, "kind", ActorKind, "person")
        parent = _optional_text(item, "parent")
        found = self._desk_actor([name, *aliases])
        if found is not None:
            self.actor_by_name[name] = found
            self._matched("actor")
        else:
            found = self._new_actor(name, kind, aliases, parent)
        self._adopt_children(name, found)

    def _new_actor(self, name: str, kind: str, aliases: list[str], parent: str | None) -> int:
        parent_id = self.actor_by_name.get(parent) if parent else None
        deleted = self.session.exec(select(Actor).where(Actor.name == name)).first()
        if deleted is not None:  # names are unique, deleted actors' too: bring it back
            self._restore(deleted, f"actor {name!r}")
            actor_id = int(deleted.id)  # type: ignore[arg-type]
            self._matched("actor")
        else:
            actor = self.repo.add_actor(name, kind, aliases=aliases, parent_id=parent_id)
            actor_id = int(actor.id)  # type: ignore[arg-type]
            self._created("actor")
            if parent and parent_id is None:  # the parent comes later in the file, or never
                self.waiting_for_parent.setdefault(parent, []).append(actor_id)
        self.actor_by_name[name] = actor_id
        self._remember_actor(actor_id, name, aliases)
        return actor_id

    def _adopt_children(self, name: str, actor_id: int) -> None:
        for child_id in self.waiting_for_parent.pop(name, []):
            self._set_parent(child_id, actor_id)

    def _set_parent(self, child_id: int, parent_id: int) -> None:
        child = self.tx.get(Actor, child_id)
        try:
            self.tx.update(child, {"parent_id": parent_id}, None)
        except RepoError as exc:
            self.session.expire_all()
            self.report.problem(f"actor {child.name!r}: {exc}; imported without a parent")

    def _actor_named(self, name: str) -> int:
        """The desk actor for a name the file uses (a speaker, a position's actor): the
        file's own actor, else one this desk knows by that name or alias, else a new one."""
        clean = " ".join(strip_controls(name).split())
        if not clean:
            raise _Skip("an actor without a name")
        known = self.actor_by_name.get(clean) or self._desk_actor([clean])
        if known is None:
            known = self._new_actor(clean, "person", [], None)
        self.actor_by_name[clean] = known
        return known

    def _issue_index(self) -> None:
        self.issues_by_title: dict[str, int] = {}
        for issue_id, title in self.session.exec(
            select(Issue.id, Issue.title).where(col(Issue.deleted_at).is_(None)).order_by(Issue.id)  # type: ignore[arg-type]
        ):
            self.issues_by_title.setdefault(_folded(title), issue_id)  # type: ignore[arg-type]

    def issue(self, item: dict[str, Any]) -> None:
        old = self._old_id(item)
        title = _text(item, "title", required=True)
        description = _text(item, "description")
        issue_id = self.issues_by_title.get(_folded(title))
        if issue_id is not None:
            self._matched("issue")
        else:
            issue_id = int(self.repo.add_issue(title, description).id)  # type: ignore[arg-type]
            self.issues_by_title[_folded(title)] = issue_id
            self._created("issue")
        if old is not None:
            self.ids["issue"][old] = issue_id

    # -------------------------------------------------------------- statements & links

    def statement(self, item: dict[str, Any]) -> None:
        old = self._old_id(item)
        article_id: int | None = None
        if item.get("article") is not None:
            article_id = self._mapped("article", item.get("article"), "its article")
        speaker = _optional_text(item, "speaker")
        speaker_id = self._actor_named(speaker) if speaker else None
        issue_id: int | None = None
        if item.get("issue") is not None:
            try:
                issue_id = self._mapped("issue", item.get("issue"), "its issue")
            except _Skip as exc:
                self.report.problem(f"{_label('statement', item)}: {exc}; imported without it")
        text = _text(item, "text", required=True)
        evidence = item.get("evidence") or {}
        if not isinstance(evidence, dict):
            raise _Skip("evidence is not an object")
        exact = strip_controls(_text(evidence, "exact"))
        start = _int(evidence.get("start"), "evidence start")
        end = _int(evidence.get("end"), "evidence end")
        said_on = _date(item, "said_on")
        tags = _names(item, "tags")
        values: dict[str, Any] = {
            "article_id": article_id,
            "speaker_id": speaker_id,
            "attribution": _text(item, "attribution"),
            "text": text.strip(),
            "quote": bool(item.get("quote")),
            "said_on": said_on,
            "said_until": _date(item, "said_until"),
            "date_precision": _choice_of(item, "date_precision", Precision, "unknown"),
            "review": _choice_of(item, "review", Review, "accepted"),
            "verification": _choice_of(item, "verification", Verification, "unverified"),
            "tags": list(dict.fromkeys(t.strip() for t in tags if t.strip())),
            "notes": _text(item, "notes"),
            "issue_id": issue_id,
            "editor": _text(item, "editor"),
        }
        found = self._find_statement(
            article_id, exact, start, speaker_id, strip_controls(text).strip(), said_on
        )
        if found is not None:
            self._matched("statement")
        else:
            if article_id is not None and (exact or start is not None):
                values.update(
                    self._anchor(item, article_id, exact, evidence, start, end),
                )
            elif exact:  # a quote whose article is gone: kept, unanchored
                values.update(
                    evidence_exact=exact,
                    evidence_prefix=_text(evidence, "prefix"),
                    evidence_suffix=_text(evidence, "suffix"),
                )
            found = int(self.tx.insert(Statement(**values)).id)  # type: ignore[arg-type]
            self._created("statement")
        if old is not None:
            self.ids["statement"][old] = found

    def _find_statement(
        self,
        article_id: int | None,
        exact: str,
        start: int | None,
        speaker_id: int | None,
        text: str,
        said_on: dt.date | None,
    ) -> int | None:
        live = col(Statement.deleted_at).is_(None)
        if article_id is not None and exact:
            # The same words at the same place; or, where an earlier import had to find
            # the words elsewhere in this desk's copy of the article, the same statement.
            candidates = self.session.exec(
                select(Statement.id, Statement.evidence_start, Statement.text)
                .where(live, Statement.article_id == article_id, Statement.evidence_exact == exact)
                .order_by(col(Statement.id))
            ).all()
            same_place = [i for i, at, _ in candidates if at == start]
            same_text = [i for i, _, said in candidates if said == text]
            found = same_place or same_text
            return found[0] if found else None  # type: ignore[return-value]
        else:
            query = select(Statement.id).where(
                live,
                Statement.article_id == article_id,
                Statement.speaker_id == speaker_id,
                Statement.text == text,
                Statement.said_on == said_on,
            )
        return self.session.exec(query.order_by(Statement.id)).first()  # type: ignore[arg-type]

    def _anchor(
        self,
        item: dict[str, Any],
        article_id: int,
        exact: str,
        evidence: dict[str, Any],
        start: int | None,
        end: int | None,
    ) -> dict[str, Any]:
        """Evidence on this desk's copy of the article: the file's offsets when the words
        stand there, else where the words are found (the article may differ a little),
        else the quote kept unanchored, and said so."""
        article_text = self.tx.get(Article, article_id).text
        fits = start is not None and end is not None and 0 <= start <= end <= len(article_text)
        if fits and (not exact or article_text[start:end] == exact):
            return {"evidence_start": start, "evidence_end": end}
        prefix = strip_controls(_text(evidence, "prefix"))
        suffix = strip_controls(_text(evidence, "suffix"))
        if exact:
            found = refind_evidence(article_text, prefix, exact, suffix, start)
            if found is not None:
                return {"evidence_start": found[0], "evidence_end": found[1]}
        self.report.problem(
            f"{_label('statement', item)}: its evidence is not in the article's text on this "
            "desk; the quote is kept without a position"
        )
        return {"evidence_exact": exact, "evidence_prefix": prefix, "evidence_suffix": suffix}

    def link(self, item: dict[str, Any]) -> None:
        from_id = self._mapped("statement", item.get("from"), "from")
        to_id = self._mapped("statement", item.get("to"), "to")
        relation = _choice_of(item, "relation", Relation, "")
        review = _choice_of(item, "review", Review, "accepted")
        note = _text(item, "note")
        rows = self.session.exec(
            select(Link).where(
                Link.from_id == from_id, Link.to_id == to_id, Link.relation == relation
            )
        ).all()
        if any(row.deleted_at is None for row in rows):
            self._matched("link")
            return
        if rows:  # linking again brings the deleted link (and its history) back
            values = {"deleted_at": None, "note": note, "review": review}
            self.tx.update(rows[0], values, None, op="restore")
        else:
            self.tx.insert(
                Link(
                    from_id=from_id,
                    to_id=to_id,
                    relation=relation,
                    note=note,
                    review=review,
                    editor=_text(item, "editor"),
                )
            )
        self._created("link")

    # -------------------------------------------------------------- positions & events

    def _backing(self, item: dict[str, Any], label: str) -> list[int]:
        """The file's backing statements on this desk; ones the file lacks are dropped."""
        found: list[int] = []
        for old in _ids(item, "statements"):
            new = self.ids["statement"].get(old)
            if new is None:
                self.report.problem(
                    f"{label}: backing statement {old} is not in the file; left out"
                )
            elif new not in found:
                found.append(new)
        return found

    def position(self, item: dict[str, Any]) -> None:
        old = self._old_id(item)
        label = _label("position", item)
        issue_id = self._mapped("issue", item.get("issue"), "its issue")
        actor = _optional_text(item, "actor")
        if actor is None:
            raise _Skip("it names no actor")
        actor_id = self._actor_named(actor)
        summary = " ".join(strip_controls(_text(item, "summary", required=True)).split())
        as_of = _date(item, "as_of")
        review = _choice_of(item, "review", Review, "accepted")
        found = self.session.exec(
            select(Position.id)
            .where(
                col(Position.deleted_at).is_(None),
                Position.issue_id == issue_id,
                Position.actor_id == actor_id,
                Position.as_of == as_of,
                Position.summary == summary,
            )
            .order_by(col(Position.id))
        ).first()
        if found is not None:
            self._matched("position")
        else:
            found = self.repo.add_position(
                issue_id=issue_id,
                actor_id=actor_id,
                summary=summary,
                as_of=as_of,
                review=review,
                statement_ids=self._backing(item, label),
            ).id
            self._created("position")
        if old is not None:
            self.ids["position"][old] = int(found)  # type: ignore[arg-type]

    def event(self, item: dict[str, Any]) -> None:
        old = self._old_id(item)
        label = _label("event", item)
        day = _date(item, "date")
        if day is None:
            raise _Skip("it has no date")
        title = " ".join(strip_controls(_text(item, "title", required=True)).split())
        found = self.session.exec(
            select(Event.id)
            .where(col(Event.deleted_at).is_(None), Event.date == day, Event.title == title)
            .order_by(col(Event.id))
        ).first()
        if found is not None:
            self._matched("event")
        else:
            actor_ids = list(dict.fromkeys(self._actor_named(n) for n in _names(item, "actors")))
            found = self.repo.add_event(
                title=title,
                date=day,
                date_end=_date(item, "date_end"),
                precision=_choice_of(item, "precision", Precision, "day"),
                description=_text(item, "description"),
                review=_choice_of(item, "review", Review, "accepted"),
                actor_ids=actor_ids,
                statement_ids=self._backing(item, label),
            ).id
            self._created("event")
        if old is not None:
            self.ids["event"][old] = int(found)  # type: ignore[arg-type]

    # -------------------------------------------------------------- collections

    def collection(self, item: dict[str, Any]) -> None:
        name = " ".join(strip_controls(_text(item, "name", required=True)).split())
        items = item.get("items") or []
        if not isinstance(items, list):
            raise _Skip("items is not a list")
        row = self._find_collection(name)
        if row is not None:
            self._matched("collection")
        else:
            row = self.tx.insert(Collection(name=name, description=_text(item, "description")))
            self._created("collection")
        collection_id = int(row.id)  # type: ignore[arg-type]
        present = {
            (kind, item_id)
            for kind, item_id in self.session.exec(
                select(CollectionItem.kind, CollectionItem.item_id).where(
                    CollectionItem.collection_id == collection_id,
                    col(CollectionItem.deleted_at).is_(None),
                )
            )
        }
        rank = (
            self.session.exec(
                select(func.max(CollectionItem.rank)).where(
                    CollectionItem.collection_id == collection_id
                )
            ).one()
            or 0
        )
        for index, entry in enumerate(items):
            where = f"collection {name!r}"
            try:
                if not isinstance(entry, dict):
                    raise _Skip(f"item {index + 1} is not an object")
                kind = _choice_of(entry, "kind", ItemKind, "")
                item_id = self._mapped(kind, entry.get("id"), f"item {index + 1}")
                note = _text(entry, "note")
            except _Skip as exc:
                self.report.problem(f"{where}: {exc}; item left out")
                continue
            if (kind, item_id) in present:
                self._matched("collection item")
                continue
            present.add((kind, item_id))
            rank += 1
            self.tx.insert(
                CollectionItem(
                    collection_id=collection_id, rank=rank, kind=kind, item_id=item_id, note=note
                )
            )
            self._created("collection item")

    def _find_collection(self, name: str) -> Collection | None:
        folded = _folded(name)
        rows = self.session.exec(select(Collection).order_by(col(Collection.id))).all()
        live = next((c for c in rows if c.deleted_at is None and _folded(c.name) == folded), None)
        if live is not None:
            return live
        deleted = next((c for c in rows if c.name == name), None)
        if deleted is not None:  # names are unique, deleted collections' too
            self._restore(deleted, f"collection {name!r}")
        return deleted


__all__ = [
    "KINDS",
    "ImportFormatError",
    "ImportReport",
    "document_items",
    "import_data",
    "import_file",
]
