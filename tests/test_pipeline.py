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
