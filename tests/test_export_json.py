"""The JSON export (a public contract) on the demo desk, and the demo desk itself."""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from db.engine import open_desk
from db.repo import Repo
from tests._support_data import export_dict, load_demo_desk
from workbench.demo import demo_data
from workbench.export.json_export import FORMAT, FORMAT_VERSION, write_json

LISTS = (
    "sources",
    "articles",
    "actors",
    "statements",
    "links",
    "issues",
    "positions",
    "events",
    "collections",
)
RELATIONS = {"supports", "contradicts", "updates", "duplicates", "responds_to"}
REVIEWS = {"suggested", "accepted", "dismissed"}
PRECISIONS = {"day", "month", "year", "approximate", "unknown"}
HOSTILE = 'He said "stop"\nthen left </script><script>alert(1)</script> \u2028 \u2029 \\ é 🙂'


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo-export") / "demo.db"
    repo = load_demo_desk(path, "tester")
    repo.engine.dispose()
    assert not path.with_name(path.name + "-wal").exists()
    return path


@pytest.fixture(scope="module")
def exported(demo_template: Path) -> dict[str, Any]:
    engine = open_desk(str(demo_template))
    try:
        return export_dict(engine, "tester")
    finally:
        engine.dispose()


@pytest.fixture
def demo_repo(demo_template: Path, tmp_path: Path) -> Iterator[Repo]:
    """A private, writable copy of the demo desk."""
    path = tmp_path / "demo.db"
    shutil.copyfile(demo_template, path)
    engine = open_desk(str(path))
    yield Repo(engine, "tester")
    engine.dispose()


def _by_id(items: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    return {item["id"]: item for item in items}


def _iso_date_or_none(value: Any) -> bool:
    if value is None:
        return True
    return isinstance(value, str) and dt.date.fromisoformat(value).isoformat() == value


def _assert_references_resolve(data: dict[str, Any]) -> None:
    articles = _by_id(data["articles"])
    statements = _by_id(data["statements"])
    issues = _by_id(data["issues"])
    sources = _by_id(data["sources"])
    positions = _by_id(data["positions"])
    events = _by_id(data["events"])
    actor_names = {actor["name"] for actor in data["actors"]}
    for article in data["articles"]:
        assert article["source"] is None or article["source"] in sources
    for statement in data["statements"]:
        assert statement["article"] is None or statement["article"] in articles
        assert statement["speaker"] is None or statement["speaker"] in actor_names
        assert statement["issue"] is None or statement["issue"] in issues
    for link in data["links"]:
        assert link["from"] in statements, link
        assert link["to"] in statements, link
    for position in data["positions"]:
        assert position["issue"] in issues
        assert position["actor"] in actor_names
        assert all(sid in statements for sid in position["statements"]), position
    for event in data["events"]:
        assert all(name in actor_names for name in event["actors"])
        assert all(sid in statements for sid in event["statements"]), event
    for actor in data["actors"]:
        assert actor["parent"] is None or actor["parent"] in actor_names
    lists = {"statement": statements, "position": positions, "event": events}
    for collection in data["collections"]:
        for item in collection["items"]:
            assert item["id"] in lists[item["kind"]], item


# --------------------------------------------------------------------------- shape


def test_export_is_valid_json_with_the_documented_lists(demo_template: Path) -> None:
    engine = open_desk(str(demo_template))
    try:
        out = io.StringIO()
        counts = write_json(engine, out, editor="tester")
    finally:
        engine.dispose()
    data = json.loads(out.getvalue())
    assert data["format"] == FORMAT == "newsroom-workbench"
    assert data["format_version"] == FORMAT_VERSION == 1
    assert data["exported_by"] == "tester"
    assert dt.datetime.fromisoformat(data["exported_at"]).utcoffset() == dt.timedelta(0)
    for key in LISTS:
        assert isinstance(data[key], list), key
        assert data[key], f"{key} is empty on the demo desk"
        ids = [item["id"] for item in data[key]]
        assert all(isinstance(i, int) for i in ids), key
        assert len(set(ids)) == len(ids), key
        assert ids == sorted(ids), key
        assert counts[key] == len(data[key])


def test_statement_fields(exported: dict[str, Any]) -> None:
    actor_names = {actor["name"] for actor in exported["actors"]}
    for statement in exported["statements"]:
        assert isinstance(statement["article"], int)
        assert statement["speaker"] is None or statement["speaker"] in actor_names
        assert isinstance(statement["text"], str) and statement["text"]
        assert isinstance(statement["quote"], bool)
        assert _iso_date_or_none(statement["said_on"])
        assert _iso_date_or_none(statement["said_until"])
        assert statement["date_precision"] in PRECISIONS
        assert statement["review"] in REVIEWS
        assert statement["verification"] in {
            "unverified",
            "verified",
            "disputed",
            "false",
            "misleading",
            "retracted",
            "superseded",
        }
        evidence = statement["evidence"]
        assert set(evidence) >= {"exact", "prefix", "suffix", "start", "end"}
    # The demo uses the variety the fields allow.
    statements = exported["statements"]
    assert any(s["speaker"] is None for s in statements)
    assert any(s["speaker"] is not None for s in statements)
    assert {True, False} <= {s["quote"] for s in statements}
    assert any(s["said_until"] for s in statements)
    assert {s["review"] for s in statements} == REVIEWS
    speakers = Counter(s["speaker"] for s in statements)
    assert "Tomás Idrevo" in speakers  # canonical name, not an alias or an id


def test_position_event_link_and_actor_fields(exported: dict[str, Any]) -> None:
    for position in exported["positions"]:
        assert set(position) >= {"issue", "actor", "summary", "as_of", "review"}
        assert isinstance(position["actor"], str)
        assert _iso_date_or_none(position["as_of"])
        assert position["review"] in REVIEWS
    for event in exported["events"]:
        assert set(event) >= {"date", "date_end", "precision", "title", "review"}
        assert _iso_date_or_none(event["date"]) and event["date"] is not None
        assert _iso_date_or_none(event["date_end"])
        assert event["precision"] in PRECISIONS
        assert event["review"] in REVIEWS
    for link in exported["links"]:
        assert set(link) >= {"from", "to", "relation", "review"}
        assert link["relation"] in RELATIONS
        assert link["review"] in REVIEWS
        assert link["from"] != link["to"]
    for actor in exported["actors"]:
        assert set(actor) >= {"name", "aliases", "parent"}
        assert isinstance(actor["aliases"], list)
        assert actor["name"] not in actor["aliases"]
    by_name = {actor["name"]: actor for actor in exported["actors"]}
    assert by_name["Tomás Idrevo"]["parent"] == "Pellara"
    assert "President Idrevo" in by_name["Tomás Idrevo"]["aliases"]


def test_cross_references_resolve(exported: dict[str, Any]) -> None:
    _assert_references_resolve(exported)


# --------------------------------------------------------------------------- the demo desk


def test_demo_desk_meets_the_brief(exported: dict[str, Any]) -> None:
    assert len(exported["articles"]) >= 8
    assert len({article["source"] for article in exported["articles"]}) >= 4
    assert len(exported["statements"]) >= 25
    assert {link["relation"] for link in exported["links"]} == RELATIONS

    data = demo_data()
    names = {actor["key"]: actor["name"] for actor in data["actors"]}
    grid_actors = {names[key] for key in data["grid"]["columns"]}
    assert len(grid_actors) == 3
    issues = {issue["id"] for issue in exported["issues"]}
    assert len(issues) == 4
    cells = {(p["issue"], p["actor"]) for p in exported["positions"]}
    for issue_id in issues:
        for actor in grid_actors:
            assert (issue_id, actor) in cells, (issue_id, actor)

    events = exported["events"]
    assert len(events) >= 12
    assert any(event["date_end"] for event in events)
    assert any(event["precision"] in {"month", "year", "approximate"} for event in events)

    assert len(exported["collections"]) == 1
    assert exported["collections"][0]["items"]


def test_demo_evidence_quotes_the_article_exactly(exported: dict[str, Any]) -> None:
    articles = _by_id(exported["articles"])
    for statement in exported["statements"]:
        evidence = statement["evidence"]
        text = articles[statement["article"]]["text"]
        start, end = evidence["start"], evidence["end"]
        assert isinstance(start, int) and isinstance(end, int)
        assert evidence["exact"], statement["id"]
        assert evidence["exact"] == text[start:end], statement["id"]
        assert text[:start].endswith(evidence["prefix"])
        assert text[end:].startswith(evidence["suffix"])


def test_demo_editor_is_recorded(exported: dict[str, Any]) -> None:
    assert {s["editor"] for s in exported["statements"]} == {"tester"}
    assert {link["editor"] for link in exported["links"]} == {"tester"}


# --------------------------------------------------------------------------- deletions


def _first_linked_collected_statement(data: dict[str, Any]) -> int:
    collected = {
        item["id"]
        for collection in data["collections"]
        for item in collection["items"]
        if item["kind"] == "statement"
    }
    linked = {link["from"] for link in data["links"]} | {link["to"] for link in data["links"]}
    candidates = sorted(collected & linked)
    assert candidates
    return candidates[0]


def _ids(data: dict[str, Any], key: str) -> set[int]:
    return {item["id"] for item in data[key]}


def test_deleted_rows_are_not_exported(demo_repo: Repo) -> None:
    before = export_dict(demo_repo.engine)
    statement_id = _first_linked_collected_statement(before)
    link_id = max(
        link["id"] for link in before["links"] if statement_id not in (link["from"], link["to"])
    )
    event_id = before["events"][0]["id"]
    issue_id = before["issues"][-1]["id"]
    position_id = next(p["id"] for p in before["positions"] if p["issue"] != issue_id)
    article_id = before["articles"][-1]["id"]
    actor = next(a for a in before["actors"] if a["parent"] is not None)

    demo_repo.delete("statement", statement_id)
    demo_repo.delete("link", link_id)
    demo_repo.delete("event", event_id)
    demo_repo.delete("position", position_id)
    demo_repo.delete("issue", issue_id)
    demo_repo.delete("article", article_id)
    demo_repo.delete("actor", actor["id"])
    after = export_dict(demo_repo.engine)

    for key, deleted in [
        ("statements", statement_id),
        ("links", link_id),
        ("events", event_id),
        ("positions", position_id),
        ("issues", issue_id),
        ("articles", article_id),
        ("actors", actor["id"]),
    ]:
        assert deleted not in _ids(after, key), key
        # Nothing else disappears, except rows that only make sense with the deleted ones.
        assert _ids(after, key) <= _ids(before, key) - {deleted}, key
    assert _ids(after, "statements") == _ids(before, "statements") - {statement_id}
    assert _ids(after, "articles") == _ids(before, "articles") - {article_id}
    assert _ids(after, "issues") == _ids(before, "issues") - {issue_id}
    assert _ids(after, "events") == _ids(before, "events") - {event_id}
    assert _ids(after, "links") >= {
        link["id"]
        for link in before["links"]
        if link["id"] != link_id and statement_id not in (link["from"], link["to"])
    }
    assert actor["name"] not in {a["name"] for a in after["actors"]}

    demo_repo.restore("statement", statement_id)
    assert statement_id in _ids(export_dict(demo_repo.engine), "statements")


def test_cross_references_still_resolve_after_deletions(demo_repo: Repo) -> None:
    """Deleted rows must not leave links, backing statements, collection items, speakers,
    articles or issues pointing at nothing."""
    before = export_dict(demo_repo.engine)
    statement_id = _first_linked_collected_statement(before)
    speaker = next(s["speaker"] for s in before["statements"] if s["speaker"])
    speaker_id = next(a["id"] for a in before["actors"] if a["name"] == speaker)
    article_id = before["statements"][0]["article"]
    issue_id = before["positions"][0]["issue"]
    collected_event = next(
        item["id"]
        for collection in before["collections"]
        for item in collection["items"]
        if item["kind"] == "event"
    )

    demo_repo.delete("statement", statement_id)
    demo_repo.delete("actor", speaker_id)
    demo_repo.delete("article", article_id)
    demo_repo.delete("issue", issue_id)
    demo_repo.delete("event", collected_event)
    after = export_dict(demo_repo.engine)

    assert statement_id not in _ids(after, "statements")
    assert speaker not in {a["name"] for a in after["actors"]}
    _assert_references_resolve(after)


# --------------------------------------------------------------------------- hostile text


def test_hostile_text_round_trips_exactly(tmp_path: Path) -> None:
    engine: Engine = open_desk(str(tmp_path / "hostile.db"))
    try:
        repo = Repo(engine, 'ed "the" editor\n</script>')
        source = repo.add_source(HOSTILE, "https://hostile.example/?a=1&b=</script>")
        article = repo.add_article(
            title=HOSTILE, text=HOSTILE + "\n\nbody", source_id=source.id, byline=HOSTILE
        )
        actor = repo.add_actor("Speaker \u2028 </script>", aliases=['"Quoted" alias'])
        issue = repo.add_issue(HOSTILE, description=HOSTILE)
        repo.add_statement(
            text=HOSTILE,
            article_id=article.id,
            evidence=(0, len(HOSTILE)),
            speaker_id=actor.id,
            notes=HOSTILE,
            tags=[HOSTILE],
            issue_id=issue.id,
        )
        event = repo.add_event(title=HOSTILE, date=dt.date(2026, 10, 1), description=HOSTILE)
        collection = repo.add_collection(HOSTILE, HOSTILE)
        repo.add_to_collection(int(collection.id), "event", int(event.id), note=HOSTILE)  # type: ignore[arg-type]

        out = io.StringIO()
        write_json(engine, out, editor=HOSTILE)
        raw = out.getvalue()
        stored = {
            entity: getattr(repo.get(entity, int(row.id)), field)  # type: ignore[arg-type]
            for entity, row, field in [
                ("actor", actor, "name"),
                ("issue", issue, "title"),
                ("event", event, "title"),
                ("collection", collection, "name"),
            ]
        }
    finally:
        engine.dispose()

    data = json.loads(raw)
    assert "\u2028" in raw or "\\u2028" in raw
    assert data["exported_by"] == HOSTILE
    # Free text is stored as given and comes back exactly.
    assert data["sources"][0]["name"] == HOSTILE
    assert data["articles"][0]["title"] == HOSTILE
    assert data["articles"][0]["byline"] == HOSTILE
    assert data["articles"][0]["text"] == HOSTILE + "\n\nbody"
    assert data["actors"][0]["aliases"] == ['"Quoted" alias']
    assert data["issues"][0]["description"] == HOSTILE
    exported_statement = data["statements"][0]
    assert exported_statement["text"] == HOSTILE
    assert exported_statement["notes"] == HOSTILE
    assert exported_statement["tags"] == [HOSTILE]
    assert exported_statement["evidence"]["exact"] == HOSTILE
    assert data["events"][0]["description"] == HOSTILE
    assert data["collections"][0]["description"] == HOSTILE
    assert data["collections"][0]["items"][0]["note"] == HOSTILE
    # Names and titles are whitespace-normalised on entry; the export matches what is stored.
    assert data["actors"][0]["name"] == stored["actor"] == "Speaker </script>"
    assert exported_statement["speaker"] == stored["actor"]
    assert data["issues"][0]["title"] == stored["issue"]
    assert data["events"][0]["title"] == stored["event"]
    assert data["collections"][0]["name"] == stored["collection"]
    assert '"stop"' in stored["issue"] and "</script>" in stored["issue"]
