"""``workbench import``: a json or jsonl export brought into another desk, ids remapped,
actors matched, nothing duplicated, and a broken file leaving the desk as it was."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import col, select

from db.engine import open_desk
from db.models import Actor, Change, Statement
from db.repo import ReadOnlyError, Repo
from db.users import set_user
from tests._support_data import export_dict, load_demo_desk, row_counts, table_dump
from tests.backend import copy_desk
from tests.test_export_json import PINNED, curated_collection
from workbench.export.importer import ImportFormatError, ImportReport, import_file
from workbench.export.json_export import write_json, write_jsonl

Writer = Any


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo-import") / "demo.db"
    repo = load_demo_desk(path, "tester")
    repo.engine.dispose()
    return path


@pytest.fixture
def source(demo_template: Path, tmp_path: Path) -> Iterator[tuple[Repo, str]]:
    """A writable copy of the demo desk with the curated collection; (repo, its name)."""
    path = tmp_path / "source.db"
    copy_desk(demo_template, path)
    engine = open_desk(str(path))
    repo = Repo(engine, "tester")
    yield repo, curated_collection(repo)
    engine.dispose()


@pytest.fixture
def target(tmp_path: Path) -> Iterator[Repo]:
    """An empty desk, opened by another editor."""
    engine = open_desk(str(tmp_path / "target.db"))
    yield Repo(engine, "importer")
    engine.dispose()


def _write(engine: Engine, path: Path, writer: Writer, collection: str | None) -> Path:
    with path.open("w", encoding="utf-8") as out:
        writer(engine, out, editor="tester", collection=collection, now=PINNED)
    return path


def _export(engine: Engine, collection: str | None) -> dict[str, Any]:
    out = io.StringIO()
    write_json(engine, out, editor="tester", collection=collection, now=PINNED)
    return json.loads(out.getvalue())  # type: ignore[no-any-return]


def _by_id(items: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    return {item["id"]: item for item in items}


def _sorted(items: Iterator[Any] | list[Any]) -> list[Any]:
    return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))


def canonical(data: dict[str, Any]) -> dict[str, Any]:
    """An export with every id replaced by what the id stands for, so exports of two
    desks (whose ids differ) compare equal exactly when they hold the same things.

    Left out: rows' system fields (``version``, ``created_at``, ``updated_at``: a new row
    on the new desk) and a source's fetch state (``fetched_at``, ``last_error``: that
    desk's fetching, not content)."""
    sources = _by_id(data["sources"])
    articles = _by_id(data["articles"])
    issues = _by_id(data["issues"])
    statements = _by_id(data["statements"])
    positions = _by_id(data["positions"])
    events = _by_id(data["events"])

    def source(i: int | None) -> Any:
        return None if i is None else [sources[i]["name"], sources[i]["url"]]

    def article(i: int | None) -> Any:
        return None if i is None else [articles[i]["url"], articles[i]["title"]]

    def issue(i: int | None) -> Any:
        return None if i is None else issues[i]["title"]

    def statement(i: int) -> Any:
        s = statements[i]
        return [s["text"], s["speaker"], s["evidence"]["exact"]]

    def key(kind: str, i: int) -> Any:
        if kind == "statement":
            return statement(i)
        if kind == "position":
            p = positions[i]
            return [issue(p["issue"]), p["actor"], p["as_of"], p["summary"]]
        return [events[i]["date"], events[i]["title"]]

    def without(item: dict[str, Any], *keys: str) -> dict[str, Any]:
        return {k: v for k, v in item.items() if k not in {"id", *keys}}

    return {
        "collection": data["collection"],
        "sources": _sorted(without(s, "fetched_at", "last_error") for s in data["sources"]),
        "articles": _sorted(
            {**without(a), "source": source(a["source"])} for a in data["articles"]
        ),
        "actors": _sorted(without(a) for a in data["actors"]),
        "issues": _sorted(without(i) for i in data["issues"]),
        "statements": _sorted(
            {
                **without(s, "version", "created_at", "updated_at"),
                "article": article(s["article"]),
                "issue": issue(s["issue"]),
            }
            for s in data["statements"]
        ),
        "links": _sorted(
            {**without(link), "from": statement(link["from"]), "to": statement(link["to"])}
            for link in data["links"]
        ),
        "positions": _sorted(
            {
                **without(p),
                "issue": issue(p["issue"]),
                "statements": _sorted(statement(s) for s in p["statements"]),
            }
            for p in data["positions"]
        ),
        "events": _sorted(
            {**without(e), "statements": _sorted(statement(s) for s in e["statements"])}
            for e in data["events"]
        ),
        "collections": _sorted(
            {
                **without(c, "items"),
                "items": [[i["kind"], key(i["kind"], i["id"]), i["note"]] for i in c["items"]],
            }
            for c in data["collections"]
        ),
    }


# --------------------------------------------------------------------------- round trips


@pytest.mark.parametrize(
    ("writer", "file_name"),
    [
        (write_json, "briefing.json"),
        (write_jsonl, "briefing.jsonl"),
        # The format is read from the content, not the name.
        (write_jsonl, "briefing.json"),
        (write_json, "briefing.txt"),
    ],
)
def test_round_trip_into_an_empty_desk_reproduces_the_collection(
    source: tuple[Repo, str], target: Repo, tmp_path: Path, writer: Writer, file_name: str
) -> None:
    repo, name = source
    original = _export(repo.engine, name)
    path = _write(repo.engine, tmp_path / file_name, writer, name)

    report = import_file(target, path)

    assert report.problems == []
    again = _export(target.engine, name)
    assert canonical(again) == canonical(original)
    # Not vacuous: the collection has every kind of item, links between its statements,
    # backing statements, and its order and notes came across.
    for key in ("statements", "links", "positions", "events", "actors", "articles"):
        assert again[key], key
    assert any(p["statements"] for p in again["positions"])
    assert any(e["statements"] for e in again["events"])
    notes = [i["note"] for i in again["collections"][0]["items"]]
    assert notes == [i["note"] for i in original["collections"][0]["items"]]
    assert report.created["statement"] == len(original["statements"])
    assert report.created["collection item"] == len(original["collections"][0]["items"])
    assert report.matched.total() == 0
    # Every imported row was logged as the importing editor's change.
    with target.read() as session:
        ids = session.exec(select(Statement.id)).all()
        logged = session.exec(
            select(Change.entity_id).where(
                Change.entity == "statement", Change.op == "create", Change.editor == "importer"
            )
        ).all()
    assert sorted(ids) == sorted(logged)


def test_whole_desk_round_trip(source: tuple[Repo, str], target: Repo, tmp_path: Path) -> None:
    repo, _ = source
    original = _export(repo.engine, None)
    report = import_file(target, _write(repo.engine, tmp_path / "desk.json", write_json, None))
    assert report.problems == []
    assert canonical(_export(target.engine, None)) == canonical(original)
    assert len(original["collections"]) == 2


# --------------------------------------------------------------------------- nothing twice


@pytest.mark.parametrize("writer", [write_json, write_jsonl])
def test_importing_twice_duplicates_nothing(
    source: tuple[Repo, str], target: Repo, tmp_path: Path, writer: Writer
) -> None:
    repo, name = source
    path = _write(repo.engine, tmp_path / "briefing.export", writer, name)
    first = import_file(target, path)
    counts = row_counts(target.engine)
    state = table_dump(target.engine)

    second = import_file(target, path)

    assert row_counts(target.engine) == counts
    assert table_dump(target.engine) == state  # not a row written, not a Change logged
    assert second.created.total() == 0
    assert second.matched == first.created
    assert second.problems == []
    assert second.summary().startswith(f"{path.name}: 0 created, {first.created.total()} matched")


def test_importing_into_the_desk_it_came_from_creates_nothing(
    source: tuple[Repo, str], tmp_path: Path
) -> None:
    repo, name = source
    path = _write(repo.engine, tmp_path / "briefing.jsonl", write_jsonl, name)
    state = table_dump(repo.engine)
    report = import_file(repo, path)
    assert table_dump(repo.engine) == state
    assert report.created.total() == 0 and report.problems == []


def test_an_actor_known_under_an_alias_is_matched(
    source: tuple[Repo, str], target: Repo, tmp_path: Path
) -> None:
    repo, name = source
    # This desk files the president under another name, with the file's name as an alias.
    known = target.add_actor("Idrevo, Tomás", aliases=["Tomás Idrevo"])
    original = _export(repo.engine, name)
    spoken = [s for s in original["statements"] if s["speaker"] == "Tomás Idrevo"]
    assert spoken

    report = import_file(target, _write(repo.engine, tmp_path / "b.json", write_json, name))

    assert report.problems == []
    assert report.matched["actor"] == 1
    with target.read() as session:
        assert session.exec(select(Actor).where(Actor.name == "Tomás Idrevo")).first() is None
        speakers = session.exec(
            select(Statement.speaker_id).where(col(Statement.text).in_([s["text"] for s in spoken]))
        ).all()
    assert speakers == [known.id] * len(spoken)
    again = _export(target.engine, name)
    call = next(e for e in again["events"] if "Idrevo, Tomás" in e["actors"])
    assert "Tomás Idrevo" not in call["actors"]
    # New actors came with their aliases and their parent chain.
    actors = {a["name"]: a for a in again["actors"]}
    assert actors["Luka Fendrel"]["parent"] == "Office of the President of Pellara"
    assert actors["Office of the President of Pellara"]["parent"] == "Pellara"
    assert "Fendrel" in actors["Luka Fendrel"]["aliases"]


def test_evidence_is_found_again_in_this_desks_copy_of_the_article(
    source: tuple[Repo, str], target: Repo, tmp_path: Path
) -> None:
    """The target already has the article (same URL) with a line added on top: the
    statements match it, their evidence is anchored where the words now stand, and a
    second import still duplicates nothing."""
    repo, name = source
    original = _export(repo.engine, name)
    article = original["articles"][0]
    target.add_article(
        title=article["title"], text="Updated 14:02.\n\n" + article["text"], url=article["url"]
    )
    path = _write(repo.engine, tmp_path / "b.jsonl", write_jsonl, name)

    first = import_file(target, path)
    state = table_dump(target.engine)
    second = import_file(target, path)

    assert first.problems == [] and first.matched["article"] == 1
    assert table_dump(target.engine) == state and second.created.total() == 0
    on_it = [s for s in original["statements"] if s["article"] == article["id"]]
    assert on_it
    again = _export(target.engine, name)
    moved = {s["text"]: s["evidence"] for s in again["statements"]}
    for statement in on_it:
        evidence = moved[statement["text"]]
        assert evidence["exact"] == statement["evidence"]["exact"]
        assert evidence["start"] == statement["evidence"]["start"] + len("Updated 14:02.\n\n")


# --------------------------------------------------------------------------- bad input


def _jsonl_lines(repo: Repo, name: str) -> list[dict[str, Any]]:
    out = io.StringIO()
    write_jsonl(repo.engine, out, editor="tester", collection=name, now=PINNED)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def _save_lines(path: Path, items: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(i) + "\n" for i in items), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        ("jsonl-bad-line", "line {n}: not JSON"),
        ("jsonl-not-an-item", "line {n}: not a workbench item"),
        ("jsonl-wrong-format", "line 1: not a workbench export (format is 'other-tool'"),
        ("jsonl-newer", "line 1: written by a newer workbench (format_version 99)"),
        ("json-truncated", "not valid JSON"),
        ("json-wrong-format", "not a workbench export (format is None"),
        ("text", "line 1: not a workbench export"),
        ("empty", "the file is empty"),
    ],
)
def test_a_broken_file_leaves_the_desk_untouched(
    source: tuple[Repo, str], target: Repo, tmp_path: Path, breakage: str, message: str
) -> None:
    repo, name = source
    target.add_actor("Already here")
    lines = _jsonl_lines(repo, name)
    path = tmp_path / "broken.jsonl"
    n = len(lines)  # the last line: everything before it was imported, then undone
    if breakage == "jsonl-bad-line":
        text = "".join(json.dumps(i) + "\n" for i in lines[:-1]) + '{"type": "collection", \n'
        path.write_text(text, encoding="utf-8")
    elif breakage == "jsonl-not-an-item":
        _save_lines(path, [*lines[:-1], [1, 2]])  # type: ignore[list-item]
    elif breakage == "jsonl-wrong-format":
        _save_lines(path, [{**lines[0], "format": "other-tool"}, *lines[1:]])
    elif breakage == "jsonl-newer":
        _save_lines(path, [{**lines[0], "format_version": 99}, *lines[1:]])
    elif breakage == "json-truncated":
        whole = tmp_path / "whole.json"
        _write(repo.engine, whole, write_json, name)
        path.write_text(whole.read_text("utf-8")[:-200], encoding="utf-8")
    elif breakage == "json-wrong-format":
        path.write_text(json.dumps({"statements": []}), encoding="utf-8")
    elif breakage == "text":
        path.write_text("speaker,text\nIdrevo,hello\n", encoding="utf-8")
    else:
        path.write_text("\n  \n", encoding="utf-8")
    state = table_dump(target.engine)

    with pytest.raises(ImportFormatError) as failure:
        import_file(target, path)

    assert str(failure.value).startswith(str(path))
    assert message.format(n=n) in str(failure.value)
    assert table_dump(target.engine) == state


def test_a_link_to_a_statement_missing_from_the_file_is_reported_not_fatal(
    source: tuple[Repo, str], target: Repo, tmp_path: Path
) -> None:
    repo, name = source
    lines = _jsonl_lines(repo, name)
    links = [i for i in lines if i["type"] == "link"]
    gone = links[0]["to"]
    broken = [i for i in links if gone in (i["from"], i["to"])]
    kept = [i for i in lines if not (i["type"] == "statement" and i["id"] == gone)]
    path = _save_lines(tmp_path / "partial.jsonl", kept)

    report = import_file(target, path)

    for link in broken:
        assert f"link {link['id']}: statement {gone} is not in the file" in "\n".join(
            report.problems
        )
    assert report.created["link"] == len(links) - len(broken)
    statements = sum(1 for i in lines if i["type"] == "statement")
    assert report.created["statement"] == statements - 1
    collection = next(i for i in lines if i["type"] == "collection")
    assert report.created["collection item"] == len(collection["items"]) - 1
    assert any(p.startswith(f"collection {name!r}: ") for p in report.problems)
    assert report.problem_count == len(report.problems) >= len(broken) + 1
    assert report.summary().endswith(f", {report.problem_count} problems")


def test_untrusted_text_is_cleaned_on_the_way_in(
    source: tuple[Repo, str], target: Repo, tmp_path: Path
) -> None:
    repo, name = source
    lines = _jsonl_lines(repo, name)
    statement = next(i for i in lines if i["type"] == "statement")
    statement["text"] = "\x1b]0;pwned\x07Rigged\u202e text\x1b[2J"
    statement["notes"] = "note\x00\x9b31m"
    import_file(target, _save_lines(tmp_path / "hostile.jsonl", lines))
    with target.read() as session:
        texts = set(session.exec(select(Statement.text)).all())
        notes = set(session.exec(select(Statement.notes)).all())
    assert "Rigged text" in texts
    assert "note" in notes
    assert not any(ch in "".join(texts | notes) for ch in "\x1b\x07\x00\x9b\u202e")


def test_a_viewer_cannot_import(source: tuple[Repo, str], tmp_path: Path) -> None:
    repo, name = source
    path = _write(repo.engine, tmp_path / "b.json", write_json, name)
    engine = open_desk(str(tmp_path / "guarded.db"))
    try:
        set_user(engine, "chief", "admin", by="chief")  # from now on, unlisted = viewer
        state = table_dump(engine)
        with pytest.raises(ReadOnlyError):
            import_file(Repo(engine, "visitor"), path)
        assert table_dump(engine) == state
    finally:
        engine.dispose()


def test_summary_line_of_a_small_hand_written_file(target: Repo, tmp_path: Path) -> None:
    header = {"type": "header", "format": "newsroom-workbench", "format_version": 1}
    items = [
        header,
        {"type": "source", "id": 7, "name": "Wire", "kind": "feed", "url": "https://w.example/"},
        {"type": "article", "id": 3, "source": 7, "url": None, "title": "T", "text": "He said no."},
        {"type": "actor", "id": 1, "name": "Ana Berg", "aliases": ["Berg"], "parent": None},
        {
            "type": "statement",
            "id": 11,
            "article": 3,
            "speaker": "Ana Berg",
            "text": "No.",
            "evidence": {"exact": "no", "start": 8, "end": 10},
        },
        {"type": "link", "id": 5, "from": 11, "to": 12, "relation": "supports"},
        {"type": "rule", "id": 1},
    ]
    report = import_file(target, _save_lines(tmp_path / "tiny.jsonl", items))
    assert isinstance(report, ImportReport)
    assert report.summary() == (
        "tiny.jsonl: 4 created (1 source, 1 article, 1 actor, 1 statement), 0 matched, 2 problems"
    )
    assert report.problems == [
        "link 5: statement 12 is not in the file (or was skipped); skipped",
        "1 item of unknown type 'rule'; skipped",
    ]
    data = export_dict(target.engine)
    assert data["statements"][0]["evidence"]["exact"] == "no"
    assert data["statements"][0]["speaker"] == "Ana Berg"


def test_wire_copy_carried_by_two_outlets_stays_two_articles(target: Repo, tmp_path: Path) -> None:
    """The same text at two addresses is two articles, each with its own statement: a
    match by content alone would merge them and drop a statement silently."""
    desk = Repo(open_desk(str(tmp_path / "wire.db")), "ed")
    text = "Minister Vell said the sluice opens on Friday, officials confirmed."
    statements = []
    for outlet in ("a", "b"):
        source = desk.add_source(f"Paper {outlet.upper()}", f"https://{outlet}.example/rss")
        article = desk.add_article(
            title="Sluice", text=text, source_id=source.id, url=f"https://{outlet}.example/s"
        )
        statements.append(
            desk.add_statement(text=f"The sluice opens Friday ({outlet}).", article_id=article.id)
        )
    collection = desk.ensure_collection("Wire")
    desk.add_items(int(collection.id), [("statement", int(s.id)) for s in statements])  # type: ignore[arg-type]
    path = _write(desk.engine, tmp_path / "wire.json", write_json, "Wire")
    desk.engine.dispose()

    report = import_file(target, path)
    assert report.created["article"] == 2 and report.created["statement"] == 2, report.summary()
    members = target.collection_members(int(target.collection_named("Wire").id))  # type: ignore[union-attr, arg-type]
    assert len(members["statement"]) == 2
