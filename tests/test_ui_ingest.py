"""The Feed pane and review keys, driven by Pilot: triage, filters, fetching, sources, rules."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

from textual.widgets import ProgressBar

from db.engine import open_desk
from db.repo import Repo
from db.repo_ingest import IncomingArticle, TableFound
from tests.conftest import EDITOR, wait_for
from tests.http_server import HTTPTestServer, Reply, http_server_fixture  # noqa: F401
from tests.ui_support import (
    detail_text,
    main_screen,
    make_app,
    pane,
    plist,
    row_text,
    wait_loaded,
)
from workbench.ui.panes.feed import FeedList, FeedPane
from workbench.ui.screens import RuleForm, RulesScreen, SourcesScreen

DAY = dt.datetime(2026, 10, 14, 8, 0, tzinfo=dt.UTC)

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Harbour Wire</title><link>https://wire.example/</link>
<item><title>Envoys meet at the dam</title><link>https://wire.example/1</link>
<guid>w1</guid><pubDate>Wed, 14 Oct 2026 09:00:00 GMT</pubDate>
<description>&lt;p&gt;The envoys met on Wednesday.&lt;/p&gt;</description></item>
<item><title>Border crossing reopens</title><link>https://wire.example/2</link>
<guid>w2</guid><pubDate>Wed, 14 Oct 2026 10:00:00 GMT</pubDate>
<description>&lt;p&gt;Trucks queued for hours.&lt;/p&gt;</description></item>
</channel></rss>"""


def _desk(path: Path, n: int = 4) -> Repo:
    repo = Repo(open_desk(str(path)), EDITOR)
    source = repo.add_source("Harbour Wire", "https://wire.example/rss")
    repo.ingest_articles(
        source.id,
        [
            IncomingArticle(
                title=f"Story {i}",
                text=f"Body of story {i}.",
                canonical_url=f"https://wire.example/s{i}",
                published_at=DAY + dt.timedelta(hours=i),
            )
            for i in range(n)
        ],
    )
    return repo


def _feed(app: object) -> FeedPane:
    found = pane(app, "feed")  # type: ignore[arg-type]
    assert isinstance(found, FeedPane)
    return found


async def test_triage_keys_mark_and_move_on(tmp_path: Path) -> None:
    repo = _desk(tmp_path / "d.db")
    app = make_app(tmp_path / "d.db")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        feed = plist(app, "feed")
        top = feed.current
        assert top is not None and top.title == "Story 3"
        await pilot.press("y")
        assert feed.cursor == 1  # moved on to the next article
        await pilot.press("c", "n")

        def shown() -> dict[str, str]:
            return {r.title: r.triage for r in feed.loaded_rows}

        # Story 1, marked not relevant, leaves the inbox; the others show their triage.
        await wait_for(
            pilot,
            lambda: shown() == {"Story 3": "relevant", "Story 2": "needs_check", "Story 0": "new"},
            "triage shown in the list",
        )
        triages = shown()
        assert "✓" in row_text(feed, 0) and "?" in row_text(feed, 1)
        await pilot.press("home", "s", "m")
        await wait_for(
            pilot,
            lambda: (
                feed.current is not None
                and feed.current.starred
                and feed.current.assignee == EDITOR
            ),
            "star and assignment",
        )
        assert "★" in row_text(feed, 0) and f"@{EDITOR}" in row_text(feed, 0)
    stored = {a.title: a.triage for a in _articles(repo)}
    assert stored["Story 3"] == "relevant" and stored["Story 2"] == "needs_check"
    assert stored["Story 1"] == "not_relevant"
    assert triages  # the list was read while triaging


def _articles(repo: Repo) -> list:  # type: ignore[type-arg]
    from sqlmodel import select

    from db.models import Article

    with repo.read() as session:
        return list(session.exec(select(Article)))


async def test_enter_reads_the_article_and_marks_it_read_for_this_editor_only(
    tmp_path: Path,
) -> None:
    repo = _desk(tmp_path / "d.db", n=2)
    app = make_app(tmp_path / "d.db")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        feed = plist(app, "feed")
        assert row_text(feed, 0).startswith("●")
        await pilot.press("enter")
        await wait_for(pilot, lambda: feed.current is not None and feed.current.is_read)
        assert not row_text(feed, 0).startswith("●")
    first = max(_articles(repo), key=lambda a: a.sort_at)
    assert repo.is_read(int(first.id))
    assert not Repo(repo.engine, "colleague").is_read(int(first.id))


async def test_filters_narrow_the_list_and_say_what_they_show(tmp_path: Path) -> None:
    repo = _desk(tmp_path / "d.db")
    ids = sorted(int(a.id) for a in _articles(repo))
    repo.set_triage(ids[0], "not_relevant")
    repo.set_starred(ids[1], True)
    app = make_app(tmp_path / "d.db")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        feed = plist(app, "feed")
        assert feed.total == 3  # the inbox leaves out what was triaged away
        header = str(_feed(app).query_one("#feed-filter").content)
        assert "inbox" in header and "all sources" in header

        async def show(state: str, total: int) -> None:
            loads = feed.loads
            _feed(app).state = state
            await wait_for(pilot, lambda: feed.loads > loads and feed.total == total, state)

        await show("starred", 1)
        assert feed.current is not None and feed.current.id == ids[1]
        await show("not_relevant", 1)
        assert feed.current is not None and feed.current.id == ids[0]
        await show("all", 4)
        loads = feed.loads
        await pilot.press("f")  # cycles on from "all" back to the inbox
        await wait_for(pilot, lambda: feed.loads > loads and feed.total == 3)
        assert "inbox" in str(_feed(app).query_one("#feed-filter").content)


async def test_source_picker_shows_one_outlet(tmp_path: Path) -> None:
    repo = _desk(tmp_path / "d.db", n=2)
    other = repo.add_source("Lisk Courier", "https://lisk.example/rss")
    repo.ingest_articles(
        other.id,
        [IncomingArticle(title="Courier story", text="x", canonical_url="https://lisk.example/1")],
    )
    app = make_app(tmp_path / "d.db")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        feed = plist(app, "feed")
        assert feed.total == 3
        await pilot.press("o")
        await wait_for(pilot, lambda: app.screen.query("OptionList").first().option_count == 3)
        await pilot.press("down", "down", "enter")  # All, Harbour Wire, Lisk Courier
        await wait_for(pilot, lambda: feed.total == 1, "one outlet")
        assert feed.current is not None and feed.current.title == "Courier story"
        assert "Lisk Courier" in str(_feed(app).query_one("#feed-filter").content)


async def test_fetch_runs_in_a_worker_and_new_articles_arrive_live(
    tmp_path: Path, http_server: HTTPTestServer
) -> None:
    url = http_server.route("/rss", body=RSS, content_type="application/rss+xml")
    broken = http_server.route("/broken", status=500, body=b"oops [bold]markup[/bold]")
    # The slow feed answers only when the test says so: "still fetching" holds for as long
    # as the test needs it, however slow the machine.
    gate = threading.Event()

    def held(_request: object) -> Reply:
        gate.wait(60)
        return Reply(body=RSS, content_type="application/rss+xml")

    slow = http_server.route("/slow", held)
    repo = Repo(open_desk(str(tmp_path / "d.db")), EDITOR)
    repo.add_source("Harbour Wire", url)
    repo.add_source("Broken Feed [bold]", broken)
    repo.add_source("Slow Wire", slow)
    app = make_app(tmp_path / "d.db")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        feed = plist(app, "feed")
        assert feed.total == 0
        await pilot.press("R")
        # The fast feed's articles arrive while the slow server still holds its request,
        # and keys keep working meanwhile.
        await wait_for(pilot, lambda: feed.total == 2, "fetched articles to appear live")
        assert _feed(app).has_class("-fetching")
        await pilot.press("2")
        assert main_screen(app).active == "statements" and _feed(app).has_class("-fetching")
        await pilot.press("1")
        gate.set()
        await wait_for(pilot, lambda: not _feed(app).has_class("-fetching"), "fetch to end")
        progress = _feed(app).query_one(ProgressBar)
        assert progress.total == 3 and progress.progress == 3  # one step per source
        await wait_for(
            pilot,
            lambda: "1 source failing" in str(_feed(app).query_one("#feed-filter").content),
            "the failing source to be flagged in the pane",
        )

        def summary() -> str:
            return "\n".join(n.message for n in app._notifications)

        # the summary is posted from the worker's completion, which may trail the pane
        await wait_for(pilot, lambda: "2 added" in summary(), "the fetch summary")
        assert "1 failed" in summary() and "HTTP 500" in summary()
        assert not any(n.markup for n in app._notifications)  # outside text is never markup
        await pilot.press("S")
        await wait_for(
            pilot,
            lambda: (
                isinstance(app.screen, SourcesScreen)
                and "HTTP 500"
                in str(app.screen.query_one("#sources-table").content.columns[3]._cells)
            ),  # type: ignore[union-attr]
            "the sources screen to show the failure",
        )


async def test_rules_screen_adds_a_rule_that_applies_on_rerun(tmp_path: Path) -> None:
    repo = _desk(tmp_path / "d.db", n=2)
    app = make_app(tmp_path / "d.db")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("K")
        await wait_for(pilot, lambda: isinstance(app.screen, RulesScreen))
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, RuleForm))
        await pilot.press(*"story one")  # name
        await pilot.press("tab")
        await pilot.press(*"Story")  # pattern
        form = app.screen
        await pilot.press("ctrl+s")  # a tag rule without its tag: refused in place
        assert isinstance(app.screen, RuleForm)
        assert "needs a value" in str(form.query_one("#rule-error").content)  # type: ignore[union-attr]
        assert form.query_one("#rule-pattern").value == "Story"  # type: ignore[union-attr]
        form.query_one("#rule-value").value = "watch"  # type: ignore[union-attr]
        form.query_one("#rule-source").value = repo.sources()[0].id  # type: ignore[union-attr]
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, RulesScreen))
        await wait_for(pilot, lambda: len(repo.rules()) == 1, "the rule to be stored")
        rule = repo.rules()[0]
        assert (rule.name, rule.pattern, rule.action, rule.value, rule.source_id) == (
            "story one",
            "Story",
            "tag",
            "watch",
            repo.sources()[0].id,
        )
        await pilot.press("r")
        await wait_for(
            pilot, lambda: all(a.tags == ["watch"] for a in _articles(repo)), "rules re-run"
        )
        await pilot.press("escape")
        feed = plist(app, "feed")
        await wait_for(pilot, lambda: "⚑" in row_text(feed, 0), "the rule mark in the feed")
        await wait_for(pilot, lambda: "story one" in detail_text(app, "feed"), "rule named")


async def test_suggestions_from_a_table_are_accepted_and_dismissed_by_key(tmp_path: Path) -> None:
    repo = _desk(tmp_path / "d.db", n=1)
    article_id = int(_articles(repo)[0].id)
    repo.store_tables(
        article_id,
        [
            TableFound(
                0,
                10,
                "positions",
                ["Issue", "Calvera"],
                [["Dam", "Keep filling"]],
                positions=[("Dam", "Calvera", "Keep filling")],
            ),
            TableFound(
                20,
                30,
                "dated",
                ["Date", "Event"],
                [["Oct 12", "Summit"]],
                events=[(dt.date(2026, 10, 12), None, "day", "Summit", "")],
            ),
        ],
    )
    app = make_app(tmp_path / "d.db")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("3")
        grid = plist(app, "positions")
        await wait_for(pilot, lambda: grid.current is not None)
        assert "? Dam" in row_text(grid, 0)  # a suggested issue, shown as such
        await pilot.press("a")
        await wait_for(
            pilot,
            lambda: grid.current is not None and grid.current.review == "accepted",
            "the issue to be accepted with its position",
        )
        await pilot.press("4")
        timeline = plist(app, "timeline")
        await wait_for(pilot, lambda: timeline.current is not None)
        assert timeline.current.review == "suggested"
        await pilot.press("d")
        await wait_for(pilot, lambda: timeline.total == 0, "the dismissed event to leave")
    from sqlmodel import select

    from db.models import Actor, Event, Position

    with repo.read() as session:
        assert session.exec(select(Position.review)).one() == "accepted"
        assert session.exec(select(Actor.review)).one() == "accepted"
        assert session.exec(select(Event.review)).one() == "dismissed"


def test_feed_list_marks(tmp_path: Path) -> None:
    """Unread, triage, star, priority, near-duplicate, rule and assignee marks in a row."""
    from db.rows import FeedRow

    row = FeedRow(
        key=(DAY, 1),
        id=1,
        sort_at=DAY,
        title="Envoys meet",
        outlet="Harbour Wire",
        triage="needs_check",
        is_read=False,
        starred=True,
        statements=2,
        assignee="maria",
        priority=2,
        rule_hits=("dam watch",),
        match_kind="same",
    )
    text = FeedList().render_row(row, 100, False, 0).plain
    assert text.startswith("●?★!=")
    assert "⚑" in text and "@maria" in text and "◆2" in text
