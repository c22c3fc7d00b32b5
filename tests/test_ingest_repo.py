"""Repository side of ingest: bulk upsert, read state, fetch state, rules, table suggestions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db.engine import open_desk
from db.models import Actor, Article, ArticleTable, Change, Event, Issue, Position
from db.repo import Repo, ValidationError
from db.repo_ingest import IncomingArticle, RuleSpec, TableFound, ruled_values

UTC = dt.UTC
DAY = dt.datetime(2026, 10, 14, 8, 0, tzinfo=UTC)


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[Repo]:
    engine = open_desk(str(tmp_path / "ingest.db"))
    yield Repo(engine, "ingester")
    engine.dispose()


def _item(n: int, **overrides: object) -> IncomingArticle:
    values: dict[str, object] = {
        "title": f"Story {n}",
        "text": f"Paragraph one of story {n}.\n\nParagraph two.",
        "canonical_url": f"https://wire.example/{n}",
        "url": f"https://wire.example/{n}?utm_source=rss",
        "published_at": DAY + dt.timedelta(hours=n),
        "guid": f"wire-{n}",
    }
    values.update(overrides)
    return IncomingArticle(**values)  # type: ignore[arg-type]


def _count(repo: Repo, model: type, *where: object) -> int:
    with repo.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(model).where(*where)).scalar_one())  # type: ignore[arg-type]


def test_new_articles_land_with_one_change_each_in_one_transaction(repo: Repo) -> None:
    source = repo.add_source("Wire", "https://wire.example/rss")
    last = repo.last_change_id()
    outcome = repo.ingest_articles(source.id, [_item(n) for n in range(5)])
    assert len(outcome.added) == 5 and outcome.present == 0 and not outcome.updated
    changes = repo.changes_since(last)
    assert [c.entity_id for c in changes] == outcome.added
    assert {c.op for c in changes} == {"create"} and len({c.txn for c in changes}) == 1
    assert changes[0].diff["title"] == [None, "Story 0"]
    stored = repo.get("article", outcome.added[0])
    assert stored.url == "https://wire.example/0?utm_source=rss"  # type: ignore[attr-defined]
    assert stored.sort_at == DAY  # type: ignore[attr-defined]


def test_ingesting_the_same_thing_twice_adds_nothing(repo: Repo) -> None:
    source = repo.add_source("Wire", "https://wire.example/rss")
    repo.ingest_articles(source.id, [_item(n) for n in range(3)])
    last = repo.last_change_id()
    again = repo.ingest_articles(source.id, [_item(n) for n in range(3)])
    assert (again.added, again.updated, again.present) == ([], [], 3)
    assert repo.changes_since(last) == []
    assert _count(repo, Article) == 3


def test_the_same_article_twice_in_one_batch_is_stored_once(repo: Repo) -> None:
    outcome = repo.ingest_articles(None, [_item(1), _item(1)])
    assert len(outcome.added) == 1 and outcome.present == 1


def test_a_changed_article_is_updated_in_place_and_keeps_its_statements(repo: Repo) -> None:
    source = repo.add_source("Wire", "https://wire.example/rss")
    [article_id] = repo.ingest_articles(source.id, [_item(1)]).added
    statement = repo.add_statement(text="Claim", article_id=article_id, evidence=(0, 9))
    changed = _item(1, text="Paragraph one of story 1, corrected.\n\nParagraph two.")
    outcome = repo.ingest_articles(source.id, [changed])
    assert outcome.updated == [article_id] and not outcome.added
    article = repo.get("article", article_id)
    assert article.version == 2  # type: ignore[attr-defined]
    assert article.text.startswith("Paragraph one of story 1, corrected")  # type: ignore[attr-defined]
    update = repo.changes_for("article", article_id)[-1]
    assert update.op == "update" and set(update.diff) == {"text", "content_hash"}
    assert repo.get("statement", int(statement.id)).article_id == article_id  # type: ignore[arg-type, attr-defined]


def test_identity_falls_back_to_guid_then_content_hash(repo: Repo) -> None:
    source = repo.add_source("Wire", "https://wire.example/rss")
    by_guid = _item(1, canonical_url=None, url=None)
    by_hash = _item(2, canonical_url=None, url=None, guid=None)
    first = repo.ingest_articles(source.id, [by_guid, by_hash])
    assert len(first.added) == 2
    second = repo.ingest_articles(source.id, [by_guid, by_hash])
    assert second.present == 2 and not second.added


def test_bulk_path_strips_terminal_controls_too(repo: Repo) -> None:
    hostile = _item(1, title="Title\x1b]0;evil\x07 \x1b[31mred", text="Body\x1b[2J\r\nline")
    [article_id] = repo.ingest_articles(None, [hostile]).added
    article = repo.get("article", article_id)
    assert article.title == "Title red"  # type: ignore[attr-defined]
    assert article.text == "Body\nline"  # type: ignore[attr-defined]


def test_read_state_belongs_to_each_editor(repo: Repo) -> None:
    [article_id] = repo.ingest_articles(None, [_item(1)]).added
    other = Repo(repo.engine, "colleague")
    repo.mark_read(article_id)
    assert repo.is_read(article_id) and not other.is_read(article_id)
    assert repo.get("article", article_id).version == 1  # type: ignore[attr-defined]
    repo.mark_read(article_id)  # again: nothing to do, nothing logged
    assert [c.op for c in repo.changes_for("article", article_id)] == ["create", "read"]
    repo.mark_read(article_id, False)
    assert not repo.is_read(article_id)


def test_star_assign_and_triage_are_logged_updates(repo: Repo) -> None:
    [article_id] = repo.ingest_articles(None, [_item(1)]).added
    repo.set_starred(article_id, True)
    repo.assign(article_id, "maria")
    repo.set_triage(article_id, "needs_check")
    diffs = [c.diff for c in repo.changes_for("article", article_id)[1:]]
    assert diffs == [
        {"starred": [False, True]},
        {"assignee": [None, "maria"]},
        {"triage": ["new", "needs_check"]},
    ]
    with pytest.raises(ValidationError):
        repo.set_triage(article_id, "maybe")


def test_a_failed_fetch_is_recorded_and_keeps_the_validators(repo: Repo) -> None:
    source = repo.add_source("Wire", "https://wire.example/rss")
    repo.record_fetch(source.id, ok=True, http_status=200, etag='"v1"', last_modified="Mon")  # type: ignore[arg-type]
    failed = repo.record_fetch(
        source.id,  # type: ignore[arg-type]
        ok=False,
        http_status=500,
        error_kind="http",
        error="https://wire.example/rss: HTTP 500 Internal Server Error",
    )
    assert failed.etag == '"v1"' and failed.last_modified == "Mon"
    assert failed.error_kind == "http" and "HTTP 500" in (failed.error_message or "")
    assert failed.error_at is not None
    ok = repo.record_fetch(source.id, ok=True, http_status=304)  # type: ignore[arg-type]
    assert ok.error_message is None and ok.etag == '"v1"'


# ---------------------------------------------------------------------- rules


def test_rules_are_validated(repo: Repo) -> None:
    with pytest.raises(ValidationError, match="not a valid regex"):
        repo.add_rule("broken", "(unclosed", "tag", value="x", regex=True)
    with pytest.raises(ValidationError, match="needs a value"):
        repo.add_rule("no tag", "dam", "tag")
    with pytest.raises(ValidationError, match="whole number"):
        repo.add_rule("bad priority", "dam", "priority", value="high")
    with pytest.raises(ValidationError, match="action must be one of"):
        repo.add_rule("bad action", "dam", "explode")
    rule = repo.add_rule("dam watch", "dam reservoir", "tag", value="water")
    with pytest.raises(ValidationError, match="not a valid regex"):
        repo.update("rule", int(rule.id), rule.version, pattern="[", regex=True)  # type: ignore[arg-type]


class _Art:
    def __init__(self, title: str = "", text: str = "", byline: str = "") -> None:
        self.title, self.text, self.byline = title, text, byline
        self.triage, self.tags, self.priority, self.assignee, self.rule_hits = (
            "new",
            [],
            0,
            None,
            [],
        )


def test_ruled_values_apply_each_action_and_name_the_rules() -> None:
    specs = [
        RuleSpec("horoscopes", "horoscope", "dismiss", field="title"),
        RuleSpec("dam", r"\bdam\b", "tag", value="water", regex=True),
        RuleSpec("urgent", "flash breaking", "priority", value="2"),
        RuleSpec("maria's beat", "Tessel", "assign", value="maria"),
        RuleSpec("other source", "dam", "tag", value="never", source_id=99),
        RuleSpec("byline only", "Reuters", "tag", value="wire", field="byline"),
    ]
    article = _Art(title="FLASH: dam report", text="On the Tessel river the dam…")
    values = ruled_values(specs, article, source_id=1)
    assert values["tags"] == ["water"]
    assert values["priority"] == 2
    assert values["assignee"] == "maria"
    assert values["triage"] == "new"
    assert values["rule_hits"] == ["dam", "maria's beat", "urgent"]
    dismissed = ruled_values(specs, _Art(title="Your horoscope"), source_id=1)
    assert dismissed["triage"] == "not_relevant" and dismissed["rule_hits"] == ["horoscopes"]
    triaged = _Art(title="Your horoscope")
    triaged.triage = "relevant"  # an editor's decision is never overridden
    assert ruled_values(specs, triaged, source_id=1)["triage"] == "relevant"


def test_rules_can_be_run_again_over_stored_articles(repo: Repo) -> None:
    outcome = repo.ingest_articles(
        None, [_item(1, title="Dam filling halted"), _item(2, title="Weather")]
    )
    repo.add_rule("dam", "dam", "tag", value="water")
    specs = [RuleSpec(r.name, r.pattern, r.action, r.value, r.field, r.regex) for r in repo.rules()]
    assert repo.apply_rules(specs) == 1
    tagged = repo.get("article", outcome.added[0])
    assert tagged.tags == ["water"] and tagged.rule_hits == ["dam"]  # type: ignore[attr-defined]
    assert repo.get("article", outcome.added[1]).tags == []  # type: ignore[attr-defined]
    assert repo.apply_rules(specs) == 0  # nothing new to do


# ---------------------------------------------------------------------- tables → suggestions


def _tables() -> list[TableFound]:
    return [
        TableFound(
            10,
            90,
            "positions",
            ["Issue", "Calvera", "Drossland"],
            [["Dam", "Keep filling", "Stop now"]],
            positions=[("Dam", "Calvera", "Keep filling"), ("Dam", "Drossland", "Stop now")],
        ),
        TableFound(
            100,
            160,
            "dated",
            ["Date (2026)", "Event"],
            [["Oct 12–13", "Summit"]],
            events=[(dt.date(2026, 10, 12), dt.date(2026, 10, 13), "day", "Summit", "")],
        ),
    ]


def test_tables_become_suggestions_an_editor_reviews(repo: Repo) -> None:
    [article_id] = repo.ingest_articles(None, [_item(1)]).added
    repo.add_actor("Calvera", "government")  # known actors are reused, not suggested again
    repo.store_tables(article_id, _tables())
    assert [t.kind for t in repo.article_tables(article_id)] == ["positions", "dated"]
    positions = _rows(repo, Position)
    assert {p.review for p in positions} == {"suggested"}
    assert {p.article_id for p in positions} == {article_id}
    assert positions[0].as_of == DAY.replace(hour=9).date()
    issue = _rows(repo, Issue)[0]
    assert issue.title == "Dam" and issue.review == "suggested"
    actors = {a.name: a.review for a in _rows(repo, Actor)}
    assert actors == {"Calvera": "accepted", "Drossland": "suggested"}
    event = _rows(repo, Event)[0]
    assert (event.date, event.date_end, event.review) == (
        dt.date(2026, 10, 12),
        dt.date(2026, 10, 13),
        "suggested",
    )
    drossland = next(p for p in positions if p.summary == "Stop now")
    repo.review("position", int(drossland.id), "accepted")  # type: ignore[arg-type]
    assert repo.get("issue", int(issue.id)).review == "accepted"  # type: ignore[arg-type, attr-defined]
    assert {a.name: a.review for a in _rows(repo, Actor)}["Drossland"] == "accepted"
    repo.review("event", int(event.id), "dismissed")  # type: ignore[arg-type]
    assert repo.get("event", int(event.id)).review == "dismissed"  # type: ignore[arg-type, attr-defined]


def test_reading_tables_again_never_resuggests_what_an_editor_reviewed(repo: Repo) -> None:
    [article_id] = repo.ingest_articles(None, [_item(1)]).added
    repo.store_tables(article_id, _tables())
    accepted, dismissed = _rows(repo, Position)
    repo.review("position", int(accepted.id), "accepted")  # type: ignore[arg-type]
    repo.review("position", int(dismissed.id), "dismissed")  # type: ignore[arg-type]
    [event] = _rows(repo, Event)
    repo.review("event", int(event.id), "dismissed")  # type: ignore[arg-type]
    repo.store_tables(article_id, _tables())
    live = [p for p in _rows(repo, Position) if p.deleted_at is None]
    assert sorted(p.review for p in live) == ["accepted", "dismissed"]  # nothing comes back
    assert [e.review for e in _rows(repo, Event) if e.deleted_at is None] == ["dismissed"]
    assert _count(repo, ArticleTable) == 2
    assert _count(repo, Issue) == 1  # the issue is found again, not created twice


def test_reading_tables_again_refreshes_what_is_still_a_suggestion(repo: Repo) -> None:
    [article_id] = repo.ingest_articles(None, [_item(1)]).added
    repo.store_tables(article_id, _tables())
    first = {p.id for p in _rows(repo, Position)}
    repo.store_tables(article_id, _tables())
    live = [p for p in _rows(repo, Position) if p.deleted_at is None]
    assert len(live) == 2 and {p.review for p in live} == {"suggested"}
    assert not first & {p.id for p in live}  # replaced, not piled up


def test_a_deleted_actor_named_by_a_table_comes_back_as_a_suggestion(repo: Repo) -> None:
    [article_id] = repo.ingest_articles(None, [_item(1)]).added
    drossland = repo.add_actor("Drossland", "government")
    repo.delete("actor", int(drossland.id))  # type: ignore[arg-type]
    repo.store_tables(article_id, _tables())
    back = repo.get("actor", int(drossland.id))  # type: ignore[arg-type]
    assert back.deleted_at is None and back.review == "suggested"  # type: ignore[attr-defined]


def _rows(repo: Repo, model: type) -> list:  # type: ignore[type-arg]
    with repo.read() as session:
        return list(session.exec(select(model).order_by(model.id)).scalars())  # type: ignore[attr-defined, call-overload]


def test_near_duplicate_flags_are_recorded_not_dropped(repo: Repo) -> None:
    a = repo.add_source("A", "https://a.example/rss")
    b = repo.add_source("B", "https://b.example/rss")
    [first] = repo.ingest_articles(a.id, [_item(1)]).added
    [second] = repo.ingest_articles(b.id, [_item(2, canonical_url="https://b.example/2")]).added
    assert (first, a.id) in {(i, s) for i, s, _t, _l in repo.recent_for_matching(DAY)}
    repo.flag_duplicates([(second, first, "same", 97.25)])
    flagged = repo.get("article", second)
    assert (flagged.duplicate_of, flagged.match_kind, flagged.match_score) == (first, "same", 97.2)  # type: ignore[attr-defined]
    assert _count(repo, Article) == 2
    assert _count(repo, Change, Change.entity == "article") == 3


def test_running_the_rules_again_repairs_what_a_fixed_or_deleted_rule_did(repo: Repo) -> None:
    [noise, keep] = repo.ingest_articles(
        None, [_item(1, title="Horoscope for Tuesday"), _item(2, title="Dam talks")]
    ).added
    repo.set_triage(keep, "relevant")  # an editor's decision a rule must never undo
    rule = repo.add_rule("noise", "horoscope dam", "dismiss")
    tag = repo.add_rule("dam watch", "dam", "tag", value="water")

    def specs() -> list[RuleSpec]:
        return [
            RuleSpec(r.name, r.pattern, r.action, r.value, r.field, r.regex) for r in repo.rules()
        ]

    repo.apply_rules(specs())
    assert repo.get("article", noise).triage == "not_relevant"  # type: ignore[attr-defined]
    assert repo.get("article", keep).triage == "relevant"  # type: ignore[attr-defined]
    assert repo.get("article", keep).tags == ["water"]  # type: ignore[attr-defined]
    # The dismiss rule was too broad: narrowing it and running again brings nothing back
    # that it did not do, and undoes what it no longer should.
    repo.update("rule", int(rule.id), rule.version, name="horoscopes", pattern="horoscope")  # type: ignore[arg-type]
    repo.delete("rule", int(tag.id))  # type: ignore[arg-type]
    repo.apply_rules(specs())
    noisy, kept = repo.get("article", noise), repo.get("article", keep)
    assert noisy.triage == "not_relevant" and noisy.rule_hits == ["horoscopes"]  # type: ignore[attr-defined]
    assert kept.tags == [] and kept.rule_hits == [] and kept.triage == "relevant"  # type: ignore[attr-defined]
    repo.delete("rule", int(rule.id))  # type: ignore[arg-type]
    repo.apply_rules(specs())
    assert repo.get("article", noise).triage == "new"  # type: ignore[attr-defined]
