"""Pipeline details not covered end to end: config checks, rules on rewritten articles,
validators from an ingested feed URL."""

from __future__ import annotations

from pathlib import Path

import pytest

from db.engine import open_desk
from db.repo import Repo
from db.repo_ingest import RuleSpec
from tests.http_server import HTTPTestServer, http_server_fixture  # noqa: F401
from workbench.config import Config, ConfigError, load_config
from workbench.ingest.pipeline import ingest_targets, store_document
from workbench.ingest.types import ParsedArticle, ParsedDocument

FEED = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Weir Wire</title>
<item><title>Sluice gates open</title><link>https://weir.example/1</link><guid>1</guid>
<description>The gates opened at dawn.</description></item></channel></rss>"""


@pytest.mark.parametrize("key", ["timeout", "max_mb", "per_host"])
def test_fetch_settings_of_zero_are_refused_in_the_config(tmp_path: Path, key: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f"[ingest]\n{key} = 0\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=f"{key} must be a number above zero"):
        load_config(path)


def test_a_rewritten_article_is_ruled_again(tmp_path: Path) -> None:
    repo = Repo(open_desk(str(tmp_path / "d.db")), "tester")
    specs = [RuleSpec("sluice", "sluice", "tag", value="water")]

    def document(text: str) -> ParsedDocument:
        article = ParsedArticle(title="Gates", text=text, url="https://weir.example/1")
        return ParsedDocument("feed", [article])

    first = store_document(repo, None, document("The gates opened."), specs=specs)
    assert (first.added, first.present, first.updated) == (1, 0, 0)
    [article_id] = first.new
    assert repo.get("article", article_id).tags == []  # type: ignore[attr-defined]
    second = store_document(repo, None, document("The sluice gates opened."), specs=specs)
    assert (second.added, second.present, second.updated) == (0, 0, 1)
    assert repo.get("article", article_id).tags == ["water"]  # type: ignore[attr-defined]


def test_a_feed_ingested_by_url_keeps_its_validators_for_the_next_fetch(
    tmp_path: Path, http_server: HTTPTestServer
) -> None:
    url = http_server.route("/feed", body=FEED, content_type="application/rss+xml", etag='"e1"')
    repo = Repo(open_desk(str(tmp_path / "d.db")), "tester")
    report = ingest_targets(repo, Config(editor="tester"), [url])
    assert report.added == 1 and not report.failed
    source = repo.source_by_url(url)
    assert source is not None and source.kind == "feed" and source.etag == '"e1"'
    assert source.fetched_at is not None and source.http_status == 200


def test_a_dated_table_row_without_a_date_is_reported_not_lost_silently(tmp_path: Path) -> None:
    note = tmp_path / "timeline.md"
    note.write_text(
        "# Weir timeline\n\n"
        "| Date (2026) | Event |\n"
        "| --- | --- |\n"
        "| Mar 3 | Envoys meet |\n"
        "| TBD | Leaders' call |\n",
        encoding="utf-8",
    )
    repo = Repo(open_desk(str(tmp_path / "d.db")), "tester")
    report = ingest_targets(repo, Config(editor="tester"), [str(note)])
    assert report.added == 1
    (warning,) = [w for w in report.warnings if "readable date" in w["warning"]]
    assert "Leaders' call" in warning["warning"] and warning["source"] == str(note)


def _repo(tmp_path: Path) -> Repo:
    return Repo(open_desk(str(tmp_path / "d.db")), "tester")


def test_an_ingested_url_that_fails_is_recorded_on_its_source(
    tmp_path: Path, http_server: HTTPTestServer
) -> None:
    """`ingest URL` of a feed the desk has: its failure shows on the source (and so in the
    Feed pane's count of failing sources), like a failed `fetch`, until it works again."""
    from workbench.ingest.pipeline import subscribe

    url = http_server.route("/feed", body=FEED, content_type="application/rss+xml")
    repo = _repo(tmp_path)
    source, _new = subscribe(repo, f"{url}?utm_source=desk", "Weir Wire")  # spelled otherwise
    config = Config(editor="tester")

    http_server.route("/feed", status=500, body=b"down")
    report = ingest_targets(repo, config, [url])
    assert [f["source"] for f in report.failed] == [url]
    failed = repo.get("source", source.id)
    assert failed.error_kind == "http" and failed.error_at is not None  # type: ignore[attr-defined]
    assert "HTTP 500" in (failed.error_message or "")  # type: ignore[attr-defined]
    assert repo.failing_sources() == 1

    http_server.route("/feed", body=b"no feed here", content_type="application/rss+xml")
    assert ingest_targets(repo, config, [url]).failed
    broken = repo.get("source", source.id)
    assert broken.error_kind == "parse" and "not a feed" in broken.error_message  # type: ignore[attr-defined]

    http_server.route("/feed", body=FEED, content_type="application/rss+xml")
    report = ingest_targets(repo, config, [url])
    assert report.added == 1 and not report.failed
    assert [s.id for s in repo.sources()] == [source.id]  # stored under the subscription
    cleared = repo.get("source", source.id)
    assert (cleared.error_kind, cleared.error_message) == (None, None)  # type: ignore[attr-defined]
    assert repo.failing_sources() == 0


def test_a_local_feed_file_that_no_longer_parses_is_recorded_on_its_source(
    tmp_path: Path,
) -> None:
    feed = tmp_path / "wire.xml"
    feed.write_bytes(FEED)
    repo = _repo(tmp_path)
    config = Config(editor="tester")
    assert ingest_targets(repo, config, [str(feed)]).added == 1
    (source,) = repo.sources()
    assert source.url == f"file://{feed.resolve()}"

    feed.write_text("The wire is down today.", encoding="utf-8")
    report = ingest_targets(repo, config, [str(feed)])
    assert [f["source"] for f in report.failed] == [str(feed)]
    failed = repo.get("source", source.id)
    assert failed.error_kind == "parse" and failed.error_at is not None  # type: ignore[attr-defined]
    assert str(feed) in (failed.error_message or "")  # type: ignore[attr-defined]
    assert repo.failing_sources() == 1

    feed.write_bytes(FEED)
    report = ingest_targets(repo, config, [str(feed)])
    assert report.present == 1 and not report.failed
    assert repo.get("source", source.id).error_message is None  # type: ignore[attr-defined]
    assert repo.failing_sources() == 0


def test_a_table_after_a_dated_table_is_kept_without_undated_warnings(tmp_path: Path) -> None:
    note = tmp_path / "briefing.md"
    note.write_text(
        "# Weir briefing\n\n"
        "Date (2026) | Event | What was said\n"
        "Mar 3 | Envoys meet | No comment\n"
        "\n"
        "Name | Age | City\n"
        "Ada Brandt | 34 | Lowmarsh\n"
        "Teo Vrana | 51 | Calder\n",
        encoding="utf-8",
    )
    repo = _repo(tmp_path)
    report = ingest_targets(repo, Config(editor="tester"), [str(note)])
    assert report.added == 1
    assert not [w for w in report.warnings if "readable date" in w["warning"]]
    with repo.engine.connect() as conn:
        (article_id,) = conn.exec_driver_sql("SELECT id FROM article").scalars().all()
    tables = repo.article_tables(article_id)
    assert [(t.kind, len(t.rows)) for t in tables] == [("dated", 1), ("other", 2)]
    assert tables[1].header == ["Name", "Age", "City"]
