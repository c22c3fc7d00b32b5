"""The JSON and JSON Lines exports (a public contract) of the demo desk and of one
collection, and the demo desk itself."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from db.engine import open_desk
from db.repo import Repo
from tests._support_data import export_dict, load_demo_desk
from tests.backend import copy_desk
from workbench.demo import demo_data
from workbench.export.errors import ExportError
from workbench.export.json_export import (
    FORMAT,
    FORMAT_VERSION,
    ITEM_TYPES,
    JSONL_ORDER,
    write_json,
    write_jsonl,
)

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
    copy_desk(demo_template, path)
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


# --------------------------------------------------------------------------- a collection

CURATED = "Round trip: Idrevo call"
PINNED = dt.datetime(2026, 11, 12, 9, 30, tzinfo=dt.UTC)


def curated_collection(repo: Repo) -> str:
    """A second collection on the demo desk that exercises every part of a collection
    export: the demo collection's items (events, statements, positions, in its order,
    with its notes), plus statements chosen so that two links run between members (one an
    *updates* link), a speaker with a parent chain, and a position and an event each with
    one backing statement in the collection and one outside it. Returns its name."""
    data = export_dict(repo.engine)
    statements = _by_id(data["statements"])
    demo = data["collections"][0]
    collected = {i["id"] for i in demo["items"] if i["kind"] == "statement"}
    extra: list[int] = []
    updates = next(
        link
        for link in data["links"]
        if link["relation"] == "updates" and link["from"] in collected
    )
    extra.append(updates["to"])
    idrevo = next(
        link
        for link in data["links"]
        if statements[link["to"]]["speaker"] == "Tomás Idrevo"
        and {link["from"], link["to"]}.isdisjoint(collected | set(extra))
    )
    extra += [idrevo["from"], idrevo["to"]]
    positions = _by_id(data["positions"])
    backed = next(
        positions[i["id"]]
        for i in demo["items"]
        if i["kind"] == "position" and len(positions[i["id"]]["statements"]) >= 2
    )
    extra.append(backed["statements"][0])
    events = _by_id(data["events"])
    event = next(
        events[i["id"]]
        for i in demo["items"]
        if i["kind"] == "event" and len(events[i["id"]]["statements"]) >= 2
    )
    extra.append(event["statements"][0])

    collection = repo.ensure_collection(CURATED, "For the partner desk")
    for item in demo["items"]:
        repo.add_items(int(collection.id), [(item["kind"], item["id"])], note=item["note"])  # type: ignore[arg-type]
    repo.add_items(int(collection.id), [("statement", i) for i in extra], note="Added for context")  # type: ignore[arg-type]
    return CURATED


def _export(engine: Engine, writer: Any = write_json, **kwargs: Any) -> str:
    out = io.StringIO()
    writer(engine, out, editor="tester", now=PINNED, **kwargs)
    return out.getvalue()


def _jsonl_as_lists(raw: str) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
    """A JSON Lines export regrouped into the JSON object's lists (``type`` dropped)."""
    lines = raw.split("\n")
    assert lines[-1] == "", "the file ends with a newline"
    items = [json.loads(line) for line in lines[:-1]]
    header, rest = items[0], items[1:]
    grouped: dict[str, list[dict[str, Any]]] = {key: [] for key in LISTS}
    plural = {value: key for key, value in ITEM_TYPES.items()}
    for item in rest:
        kind = item.pop("type")
        grouped[plural[kind]].append(item)
    return header, grouped


def test_whole_desk_header_names_no_collection(exported: dict[str, Any]) -> None:
    assert "collection" in exported
    assert exported["collection"] is None


def test_collection_export_holds_its_members_and_exactly_what_they_depend_on(
    demo_repo: Repo,
) -> None:
    name = curated_collection(demo_repo)
    whole = export_dict(demo_repo.engine)
    members = demo_repo.collection_members(int(demo_repo.collection_named(name).id))  # type: ignore[union-attr, arg-type]

    data = json.loads(_export(demo_repo.engine, collection=name.upper()))  # any case

    assert data["collection"] == name
    assert data["exported_at"] == "2026-11-12T09:30:00+00:00"
    statements = set(members["statement"])
    assert _ids(data, "statements") == statements
    assert _ids(data, "positions") == set(members["position"])
    assert _ids(data, "events") == set(members["event"])
    by_id = {key: _by_id(whole[key]) for key in LISTS}
    articles = {by_id["statements"][s]["article"] for s in statements}
    assert _ids(data, "articles") == articles
    assert _ids(data, "sources") == {by_id["articles"][a]["source"] for a in articles}
    issues = {by_id["statements"][s]["issue"] for s in statements} - {None}
    issues |= {by_id["positions"][p]["issue"] for p in members["position"]}
    assert _ids(data, "issues") == issues
    named = {by_id["statements"][s]["speaker"] for s in statements} - {None}
    named |= {by_id["positions"][p]["actor"] for p in members["position"]}
    named |= {a for e in members["event"] for a in by_id["events"][e]["actors"]}
    parents = {a["name"]: a["parent"] for a in whole["actors"]}
    chain = set(named)
    for actor in named:
        while parents[actor] is not None:
            actor = parents[actor]
            chain.add(actor)
    assert {a["name"] for a in data["actors"]} == chain
    assert chain - named  # actors that only come in as someone's parent
    inside = [
        link["id"]
        for link in whole["links"]
        if link["from"] in statements and link["to"] in statements
    ]
    assert len(inside) >= 2
    assert sorted(_ids(data, "links")) == inside
    # Rows are exported as the whole desk exports them.
    for key in LISTS[:-1]:
        for item in data[key]:
            assert item == by_id[key][item["id"]] or key in {"positions", "events"}, key
    # The one collection, its items in order with their notes.
    (collection,) = data["collections"]
    order = [(i["kind"], i["id"]) for i in collection["items"]]
    assert order == [(i["kind"], i["id"]) for i in by_id["collections"][collection["id"]]["items"]]
    assert collection["items"][0]["note"] == whole["collections"][0]["items"][0]["note"]
    assert collection["items"][-1]["note"] == "Added for context"
    assert collection["description"] == "For the partner desk"
    _assert_references_resolve(data)


def test_backing_statements_outside_the_collection_are_left_out(demo_repo: Repo) -> None:
    """Documented choice: a position's or event's ``statements`` lists only backing
    statements that are in the collection; the others are not pulled in."""
    name = curated_collection(demo_repo)
    whole = export_dict(demo_repo.engine)
    data = json.loads(_export(demo_repo.engine, collection=name))
    statements = _ids(data, "statements")
    whole_positions = _by_id(whole["positions"])
    whole_events = _by_id(whole["events"])
    kept = left_out = 0
    for key, full in (("positions", whole_positions), ("events", whole_events)):
        for item in data[key]:
            backing = full[item["id"]]["statements"]
            assert item["statements"] == [s for s in backing if s in statements]
            kept += len(item["statements"])
            left_out += len(backing) - len(item["statements"])
            assert {k: v for k, v in item.items() if k != "statements"} == {
                k: v for k, v in full[item["id"]].items() if k != "statements"
            }
    assert kept >= 1 and left_out >= 1


def test_collection_export_skips_deleted_members_and_still_resolves(demo_repo: Repo) -> None:
    name = curated_collection(demo_repo)
    before = json.loads(_export(demo_repo.engine, collection=name))
    linked = before["links"][0]
    position = before["positions"][0]
    demo_repo.delete("statement", linked["from"])
    demo_repo.delete("issue", position["issue"])
    after = json.loads(_export(demo_repo.engine, collection=name))
    assert linked["from"] not in _ids(after, "statements")
    assert linked["id"] not in _ids(after, "links")
    assert position["id"] not in _ids(after, "positions")
    assert position["issue"] not in _ids(after, "issues")
    items = after["collections"][0]["items"]
    assert ("statement", linked["from"]) not in {(i["kind"], i["id"]) for i in items}
    assert len(items) == len(before["collections"][0]["items"]) - 2
    _assert_references_resolve(after)


@pytest.mark.parametrize("writer", [write_json, write_jsonl])
def test_unknown_collection_fails_before_writing(demo_repo: Repo, writer: Any) -> None:
    curated_collection(demo_repo)
    out = io.StringIO()
    with pytest.raises(ExportError) as failure:
        writer(demo_repo.engine, out, editor="tester", collection="Nope")
    assert str(failure.value) == (
        f"no collection named 'Nope' (have: Morning briefing, 12 Nov, {CURATED})"
    )
    assert out.getvalue() == ""


# --------------------------------------------------------------------------- JSON Lines


def test_jsonl_whole_desk_has_the_json_items_one_a_line(demo_template: Path) -> None:
    engine = open_desk(str(demo_template))
    try:
        raw = _export(engine, write_jsonl)
        counts = write_jsonl(engine, io.StringIO(), editor="tester")
        whole = json.loads(_export(engine))
    finally:
        engine.dispose()
    header, data = _jsonl_as_lists(raw)
    assert header == {
        "type": "header",
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": "2026-11-12T09:30:00+00:00",
        "exported_by": "tester",
        "collection": None,
    }
    for key in LISTS:
        assert counts[key] == len(data[key]) > 0, key
        expected = whole[key]
        if key == "actors":  # parents first, else id order
            assert sorted(data[key], key=lambda a: a["id"]) == expected
        else:
            assert data[key] == expected, key
    _assert_references_resolve(data)


def _assert_dependency_order(raw: str) -> None:
    """Each line refers only to lines above it, as a line-by-line importer needs."""
    order = [ITEM_TYPES[key] for key in JSONL_ORDER]
    kinds = [json.loads(line)["type"] for line in raw.splitlines()]
    assert kinds[0] == "header"
    ranks = [order.index(kind) for kind in kinds[1:]]
    assert ranks == sorted(ranks)
    seen_actors: set[str] = set()
    for line in raw.splitlines()[1:]:
        item = json.loads(line)
        if item["type"] == "actor":
            assert item["parent"] is None or item["parent"] in seen_actors, item
            seen_actors.add(item["name"])


def test_jsonl_lines_come_in_dependency_order_parents_first(demo_repo: Repo) -> None:
    # Put an older actor under a newer one: id order alone would list the child first.
    late = demo_repo.add_actor("Council of Elders", "organisation")
    oldest = demo_repo.find_actor("Pellara")
    assert oldest is not None and oldest.id < late.id  # type: ignore[operator]
    demo_repo.update("actor", int(oldest.id), None, parent_id=late.id)  # type: ignore[arg-type]
    raw = _export(demo_repo.engine, write_jsonl)
    _assert_dependency_order(raw)
    names = [json.loads(line).get("name") for line in raw.splitlines()]
    assert names.index("Council of Elders") < names.index("Pellara")


def test_jsonl_collection_export_matches_the_json_one(demo_repo: Repo) -> None:
    name = curated_collection(demo_repo)
    raw = _export(demo_repo.engine, write_jsonl, collection=name)
    header, data = _jsonl_as_lists(raw)
    assert header["collection"] == name
    as_json = json.loads(_export(demo_repo.engine, collection=name))
    for key in LISTS:
        assert sorted(data[key], key=lambda i: i["id"]) == as_json[key], key
    _assert_references_resolve(data)
    _assert_dependency_order(raw)


def test_jsonl_is_one_item_a_line_even_with_hostile_text(tmp_path: Path) -> None:
    engine: Engine = open_desk(str(tmp_path / "hostile.db"))
    try:
        repo = Repo(engine, "tester")
        article = repo.add_article(title=HOSTILE, text=HOSTILE + "\n\nbody")
        statement = repo.add_statement(text=HOSTILE, article_id=article.id, evidence=(0, 5))
        collection = repo.add_collection("Hostile", HOSTILE)
        repo.add_to_collection(int(collection.id), "statement", int(statement.id), note=HOSTILE)  # type: ignore[arg-type]
        raw = _export(engine, write_jsonl, collection="hostile")
    finally:
        engine.dispose()
    # Every splitter agrees on the lines: U+2028/U+2029 are escaped, newlines too.
    assert raw.splitlines() == raw.split("\n")[:-1]
    _, data = _jsonl_as_lists(raw)
    assert data["statements"][0]["text"] == HOSTILE
    assert data["articles"][0]["text"] == HOSTILE + "\n\nbody"
    assert data["collections"][0]["items"][0]["note"] == HOSTILE
