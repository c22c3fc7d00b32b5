"""Ingest end to end: the ``workbench`` commands against a real desk file and a real server.

Every test drives the CLI (Typer's runner in-process, or ``python -m workbench`` in a
subprocess where ``main()``'s exit-code contract is the point) on a SQLite desk in
``tmp_path``, and fetches from the threaded HTTP server on 127.0.0.1 in
``tests/http_server.py``. What landed is then read back from the desk itself (SQL, or the
repository), never from the command's own report alone.

The fixtures in ``tests/fixtures/ingest`` are fictional outlets covering a fictional story
(the Brennick weir between Varnia and Oskeland). Feeds served over HTTP are built here, so
each test shows the hostile bytes it sends.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pytest
from sqlalchemy import inspect, text
from typer.testing import CliRunner, Result

from db.engine import open_desk
from db.repo import Repo, ValidationError
from tests._support_data import isolated_env, run_workbench
from tests.http_server import HTTPTestServer, RecordedRequest, Reply, http_server_fixture  # noqa: F401
from workbench.cli import app

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"

#: C0 and C1 control characters other than tab and newline: nothing stored may hold one.
CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
#: What the JSON summary of every ingest command holds ("warnings" is allowed besides).
SUMMARY_KEYS = {"added", "present", "updated", "failed"}

HOSTILE_TITLE = "Gate report \x1b]0;evil\x07 [bold]x[/bold]"


# --------------------------------------------------------------------------- feeds we serve


@dataclass(frozen=True)
class Entry:
    title: str
    link: str
    description: str
    published: str = "Tue, 10 Mar 2026 09:00:00 GMT"
    author: str = ""


def rss(channel: str, entries: Sequence[Entry]) -> bytes:
    """An RSS 2.0 document; text is escaped for XML but control characters are sent as-is."""
    items = "".join(
        "<item>"
        f"<title>{escape(e.title)}</title>"
        f"<link>{escape(e.link)}</link>"
        f"<guid>{escape(e.link)}</guid>"
        f"<description>{escape(e.description)}</description>"
        + (f"<pubDate>{e.published}</pubDate>" if e.published else "")
        + (f"<author>{escape(e.author)}</author>" if e.author else "")
        + "</item>"
        for e in entries
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{escape(channel)}</title><link>https://feeds.example/</link>{items}"
        "</channel></rss>"
    ).encode()


HERALD = rss(
    "Lowmarsh Herald",
    [
        Entry(
            "Varnia and Oskeland agree to lower the Brennick weir",
            "https://lowmarsh-herald.example/news/weir-deal",
            "Ministers agreed on Tuesday to lower the weir by three metres.",
            author="desk@lowmarsh-herald.example (Petra Lindqvar)",
        ),
        Entry(
            "Market square stays dry after the night's rain",
            "https://lowmarsh-herald.example/news/market-dry",
            "The new drains held, the works office said.",
        ),
        Entry(
            HOSTILE_TITLE,
            "https://lowmarsh-herald.example/news/gate-report",
            "Two of four sluice gates failed the inspection.",
        ),
    ],
)

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>Laughing Stock Weekly</title>
<item><title>An ordinary notice</title><link>https://laughing-stock.example/notice</link>
<description>Nothing unusual here.</description></item>
<item><title>Expand me &lol9;</title><link>https://laughing-stock.example/bomb</link>
<description>&lol9;</description></item>
</channel></rss>"""

#: UTF-8 with two stray bytes (0xFF 0xFE): the accented letters around them must survive.
BROKEN_UTF8 = (
    (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        "<title>Skarre Café Courier</title><item><title>Talks resume at the Café Zürich</title>"
        "<link>https://skarre-courier.example/cafe</link><description>Ministers met again"
    ).encode()
    + b" \xff\xfe "
    + "— the café owner was pleased.</description></item></channel></rss>".encode()
)

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Fenwick Observer</title>
  <id>urn:fenwick:weir</id>
  <updated>2026-03-10T09:00:00Z</updated>
  <entry>
    <title>Anglers asked to keep clear of the sluice gates</title>
    <link href="https://fenwick-observer.example/anglers"/>
    <id>urn:fenwick:anglers</id>
    <updated>2026-03-10T09:30:00Z</updated>
    <author><name>Iva Drost</name></author>
    <summary>The works office asked anglers to stay off the lower bank.</summary>
  </entry>
</feed>"""

RSS = "application/rss+xml"
HERALD_ETAG = '"herald-v1"'
HERALD_MODIFIED = "Tue, 10 Mar 2026 10:00:00 GMT"


# --------------------------------------------------------------------------- the desk


@dataclass
class Desk:
    """A desk file, the config file the commands read, and a way to run commands on it."""

    path: Path
    config: Path
    runner: CliRunner

    def configure(self, text: str) -> None:
        self.config.write_text(text, encoding="utf-8")

    def run(self, *args: str, code: int | None = 0) -> Result:
        result = self.runner.invoke(app, [*args, "--db", str(self.path)])
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        if code is not None:
            assert result.exit_code == code, (args, result.stdout, result.stderr)
        return result

    def summary(self, *args: str, code: int = 0) -> dict[str, Any]:
        """The ``--json`` summary of an ingest command, checked for its shape."""
        result = self.run(*args, "--json", code=code)
        summary = json.loads(result.stdout)
        assert SUMMARY_KEYS <= set(summary) <= SUMMARY_KEYS | {"warnings"}, summary
        for failure in summary["failed"]:
            assert set(failure) == {"source", "error"}, failure
            assert failure["error"] and "\n" not in failure["error"], failure
            assert "Traceback" not in failure["error"]
        return summary

    def sources(self) -> dict[str, dict[str, Any]]:
        """``feeds list --json``, by URL."""
        return {row["url"]: row for row in json.loads(self.run("feeds", "list", "--json").stdout)}

    def rows(self, sql: str, *params: object) -> list[Row]:
        """Rows of a query on the desk, whichever database it lives on (``?`` placeholders)."""
        parts = sql.split("?")
        named = "".join(
            part + (f":p{n}" if n < len(parts) - 1 else "") for n, part in enumerate(parts)
        )
        engine = open_desk(str(self.path), migrate=False)
        try:
            with engine.connect() as conn:
                result = conn.execute(text(named), {f"p{n}": v for n, v in enumerate(params)})
                keys = list(result.keys())
                return [Row(tuple(_as_sqlite(v) for v in r), keys) for r in result]
        finally:
            engine.dispose()

    def articles(self) -> dict[str, Row]:
        """Live articles by title."""
        rows = self.rows("SELECT * FROM article WHERE deleted_at IS NULL")
        by_title = {row["title"]: row for row in rows}
        assert len(by_title) == len(rows), "two articles share a title"
        return by_title

    @contextmanager
    def repo(self) -> Iterator[Repo]:
        engine = open_desk(str(self.path))
        try:
            yield Repo(engine, "tester")
        finally:
            engine.dispose()

    def assert_no_controls(self) -> None:
        """No string anywhere in the desk (JSON columns decoded) holds a control character."""
        engine = open_desk(str(self.path), migrate=False)
        try:
            tables = [
                name
                for name in inspect(engine).get_table_names()
                if not name.startswith("sqlite_") and name != "alembic_version"
            ]
            assert "article" in tables and "source" in tables
            with engine.connect() as conn:
                for table in tables:
                    for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                        for value in row:
                            for said in _strings(value):
                                assert not CONTROLS.search(said), (table, said)
        finally:
            engine.dispose()


def _as_sqlite(value: Any) -> Any:
    """A value as SQLite's driver reads it back (PostgreSQL's decodes JSON and dates):
    the tests compare and parse what SQLite stores."""
    if isinstance(value, list | dict):
        return json.dumps(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


class Row(tuple):  # type: ignore[type-arg]
    """A result row read by position or by column name, as ``sqlite3.Row`` reads."""

    keys: list[str]

    def __new__(cls, values: tuple[Any, ...], keys: list[str]) -> Row:
        row = super().__new__(cls, values)
        row.keys = keys
        return row

    def __getitem__(self, key: Any) -> Any:  # type: ignore[override]
        if isinstance(key, str):
            return tuple.__getitem__(self, self.keys.index(key))
        return tuple.__getitem__(self, key)


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
        if value[:1] in ("[", "{"):
            try:
                decoded = json.loads(value)
            except ValueError:
                return
            yield from _strings(decoded)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Desk:
    config = tmp_path / "workbench.toml"
    config.write_text("", encoding="utf-8")
    monkeypatch.setenv("WORKBENCH_CONFIG", str(config))
    return Desk(tmp_path / "desk.db", config, CliRunner())


def _copy(name: str, to: Path) -> Path:
    to.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(FIXTURES / name, to)
    return to


# --------------------------------------------------------------------------- feeds add/list


def test_feeds_add_then_list_and_add_again(desk: Desk, http_server: HTTPTestServer) -> None:
    herald = http_server.url("/herald.xml")
    courier = http_server.url("/courier.xml")
    assert desk.summary("feeds", "add", herald, "--name", "Lowmarsh Herald") == {
        "added": 1,
        "present": 0,
        "updated": 0,
        "failed": [],
        "warnings": [],
    }
    added = desk.run("feeds", "add", courier)
    assert added.stdout.startswith("1 added, 0 already present")

    again = desk.summary("feeds", "add", herald, "--name", "Another name")
    assert (again["added"], again["present"]) == (0, 1)

    listing = desk.run("feeds", "list").stdout
    assert "Lowmarsh Herald" in listing and herald in listing and courier in listing
    assert listing.count("never fetched") == 2
    sources = desk.sources()
    assert set(sources) == {herald, courier}
    assert sources[herald]["name"] == "Lowmarsh Herald"  # the second add did not rename it
    assert sources[courier]["name"] == f"127.0.0.1:{http_server.port}"  # default: the host
    for row in sources.values():
        assert (row["kind"], row["fetched_at"], row["error"]) == ("feed", None, None)
    assert http_server.requests == []  # subscribing fetches nothing


def test_the_same_feed_written_differently_is_one_subscription(desk: Desk) -> None:
    desk.run("feeds", "add", "https://weir-wire.example/feed.xml")
    for variant in (
        "HTTPS://Weir-Wire.example/feed.xml",
        "https://weir-wire.example:443/feed.xml?utm_source=newsletter",
        "https://weir-wire.example/feed.xml#latest",
    ):
        assert desk.summary("feeds", "add", variant)["present"] == 1, variant
    assert list(desk.sources()) == ["https://weir-wire.example/feed.xml"]


@pytest.mark.parametrize(
    "url", ["ftp://files.example/feed.xml", "file:///etc/passwd", "lowmarsh-herald.example/rss"]
)
def test_feeds_add_refuses_a_non_http_url_as_a_usage_error(desk: Desk, url: str) -> None:
    desk.run("db", "upgrade")
    result = desk.run("feeds", "add", url, code=2)
    assert "http(s) URL" in result.stderr
    assert desk.rows("SELECT * FROM source") == []


def test_feeds_add_twice_with_control_characters_in_the_url(
    desk: Desk, http_server: HTTPTestServer
) -> None:
    url = http_server.url("/herald.xml") + "\x1b[2J"
    desk.run("feeds", "add", url)
    assert list(desk.sources()) == [http_server.url("/herald.xml")]  # stored cleaned
    assert desk.summary("feeds", "add", url)["present"] == 1


# --------------------------------------------------------------------------- OPML


def _feed_set(desk: Desk) -> set[tuple[str, str]]:
    return {(row["name"], url) for url, row in desk.sources().items()}


EXPECTED_OPML_FEEDS = {
    ("Lowmarsh Herald", "https://lowmarsh-herald.example/feeds/weir.xml?edition=north&lang=en"),
    ("Calder Post & Echo", "https://calder-post.example/rss"),
    ("Oskeland Harbour Bulletin", "https://harbour-bulletin.example/notices.rss"),
}


def test_opml_import_merges_duplicates_and_warns_about_non_http(desk: Desk) -> None:
    opml = FIXTURES / "desk_feeds.opml"
    with pytest.raises(ET.ParseError):  # the bare "&" a strict parser rejects
        ET.parse(opml)

    first = desk.summary("feeds", "import", str(opml))
    assert (first["added"], first["present"], first["updated"], first["failed"]) == (3, 0, 0, [])
    (warning,) = first["warnings"]
    assert "file:///srv/archive/feed.xml" in warning["warning"]
    assert _feed_set(desk) == EXPECTED_OPML_FEEDS

    again = desk.run("feeds", "import", str(opml))
    assert again.stdout.startswith("0 added, 3 already present, 0 updated, 0 failed")
    assert "warning:" in again.stderr and "file:///srv/archive/feed.xml" in again.stderr
    assert _feed_set(desk) == EXPECTED_OPML_FEEDS


def test_opml_export_round_trips_into_another_desk(desk: Desk, tmp_path: Path) -> None:
    desk.run("feeds", "import", str(FIXTURES / "desk_feeds.opml"))
    exported = tmp_path / "exported.opml"
    desk.run("feeds", "export-opml", "-o", str(exported))
    outlines = ET.parse(exported).getroot().iter("outline")  # strict XML this time
    assert {(o.get("text"), o.get("xmlUrl")) for o in outlines} == EXPECTED_OPML_FEEDS
    assert desk.run("feeds", "export-opml").stdout == exported.read_text(encoding="utf-8")

    other = Desk(tmp_path / "other.db", desk.config, desk.runner)
    summary = other.summary("feeds", "import", str(exported))
    assert (summary["added"], summary["present"], summary["warnings"]) == (3, 0, [])
    assert _feed_set(other) == _feed_set(desk) == EXPECTED_OPML_FEEDS


@pytest.mark.parametrize(
    ("encoding", "declaration"),
    [
        pytest.param("utf-8", "", id="utf-8-undeclared"),  # XML's default
        pytest.param("cp1252", '<?xml version="1.0" encoding="windows-1252"?>', id="cp1252"),
        pytest.param("latin-1", '<?xml version="1.0" encoding="ISO-8859-1"?>', id="latin-1"),
        pytest.param("utf-16", '<?xml version="1.0" encoding="UTF-16"?>', id="utf-16"),
    ],
)
def test_opml_titles_survive_their_encoding(
    desk: Desk, tmp_path: Path, encoding: str, declaration: str
) -> None:
    title = "Skarre Café & Zürich Bote"
    opml = tmp_path / "feeds.opml"
    opml.write_bytes(
        f'{declaration}<opml version="2.0"><body><outline text="{title}" '
        f'xmlUrl="https://skarre-cafe.example/rss?lang=de&region=ost"/></body></opml>'.encode(
            encoding
        )
    )
    assert desk.summary("feeds", "import", str(opml))["added"] == 1
    assert _feed_set(desk) == {(title, "https://skarre-cafe.example/rss?lang=de&region=ost")}


def test_unreadable_opml_is_a_failure_not_a_crash(desk: Desk, tmp_path: Path) -> None:
    page = _copy("weir_page.html", tmp_path / "not-a-list.opml")
    summary = desk.summary("feeds", "import", str(page), code=1)
    (failure,) = summary["failed"]
    assert failure["source"] == str(page)
    assert desk.rows("SELECT * FROM source") == []


# --------------------------------------------------------------------------- fetch


def _serve_batch(server: HTTPTestServer) -> tuple[list[str], dict[str, str]]:
    """Good and bad feeds; returns (good URLs, bad URL → words its error must contain)."""
    good = [
        server.route(
            "/herald.xml",
            body=HERALD,
            content_type=RSS,
            etag=HERALD_ETAG,
            last_modified=HERALD_MODIFIED,
        ),
        server.route("/laughs.xml", body=BILLION_LAUGHS, content_type=RSS),
        server.route("/courier.xml", body=BROKEN_UTF8, content_type="text/xml; charset=utf-8"),
        server.route("/observer.atom", body=ATOM, content_type="application/atom+xml"),
    ]
    server.route("/loop-a", redirect="/loop-b")
    server.route("/loop-b", redirect="/loop-a")
    png = server.route("/logo.png", body=b"\x89PNG\r\n\x1a\n" + bytes(64), content_type="image/png")
    bad = {
        server.url("/gone.xml"): "HTTP 404",  # no route: 404
        server.route("/broken.xml", status=500, body=b"oops"): "HTTP 500",
        server.route("/slow.xml", delay=30.0, body=HERALD): "took longer than 0.5 s",
        server.url("/loop-a"): "loop",
        # Over the 0.01 MB cap: refused by its declared length, or cut off while streaming.
        server.route("/huge.xml", body=HERALD + b" " * 20_000, content_type=RSS): "larger than",
        server.route(
            "/huge-stream.xml",
            body=HERALD + b" " * 20_000,
            content_type=RSS,
            chunked=True,
            chunk_size=4096,
        ): "larger than",
        png: "image/png",
    }
    return good, bad


def test_fetch_stores_the_good_feeds_of_a_batch_and_names_each_bad_one(
    desk: Desk, http_server: HTTPTestServer
) -> None:
    desk.configure("[ingest]\ntimeout = 0.5\nmax_mb = 0.01\n")
    good, bad = _serve_batch(http_server)
    for url in [*good, *bad]:
        desk.run("feeds", "add", url)

    summary = desk.summary("fetch")
    # Herald 3 + laughs 2 (kept, entities left alone) + courier 1 + Atom 1.
    assert (summary["added"], summary["present"], summary["updated"]) == (7, 0, 0)
    failures = {f["source"]: f["error"] for f in summary["failed"]}
    assert set(failures) == set(bad)
    for url, words in bad.items():
        assert failures[url].startswith(url) and words in failures[url], failures[url]
    warnings = {w["source"]: w["warning"] for w in summary["warnings"]}
    assert "entities" in warnings[http_server.url("/laughs.xml")]

    articles = desk.articles()
    assert len(articles) == 7
    hostile = articles["Gate report [bold]x[/bold]"]  # escape gone, brackets kept as text
    assert hostile["text"] == "Two of four sluice gates failed the inspection."
    assert articles["Varnia and Oskeland agree to lower the Brennick weir"]["byline"] == (
        "Petra Lindqvar"
    )
    assert {"An ordinary notice", "Expand me &lol9;"} <= set(articles)
    assert not desk.rows("SELECT id FROM article WHERE text LIKE '%lollol%'")
    cafe = articles["Talks resume at the Café Zürich"]
    assert "café owner" in cafe["text"] and "Ã" not in cafe["text"]
    anglers = articles["Anglers asked to keep clear of the sluice gates"]
    assert anglers["byline"] == "Iva Drost" and anglers["published_at"].startswith("2026-03-10")

    sources = desk.sources()
    for url in good:
        assert sources[url]["error"] is None and sources[url]["status"] == 200
        assert sources[url]["fetched_at"] is not None
    for url, words in bad.items():
        assert words in sources[url]["error"]
    # A feed added without a name takes the feed's own title once fetched.
    assert sources[good[0]]["name"] == "Lowmarsh Herald"
    assert sources[http_server.url("/laughs.xml")]["warning"].startswith("feed declares")
    desk.assert_no_controls()


def test_second_fetch_sends_the_validators_and_adds_nothing_on_304(
    desk: Desk, http_server: HTTPTestServer
) -> None:
    herald = http_server.route(
        "/herald.xml",
        body=HERALD,
        content_type=RSS,
        etag=HERALD_ETAG,
        last_modified=HERALD_MODIFIED,
    )
    desk.run("feeds", "add", herald)
    assert desk.summary("fetch")["added"] == 3
    before = desk.rows("SELECT id, version FROM article ORDER BY id")

    again = desk.summary("fetch")
    assert (again["added"], again["present"], again["updated"], again["failed"]) == (0, 0, 0, [])
    first, second = http_server.requests_to("/herald.xml")
    assert "if-none-match" not in first.headers
    assert second.headers["if-none-match"] == HERALD_ETAG
    assert second.headers["if-modified-since"] == HERALD_MODIFIED
    assert second.status == 304
    assert desk.rows("SELECT id, version FROM article ORDER BY id") == before
    assert desk.sources()[herald]["status"] == 304


def test_validators_sent_with_a_304_replace_the_old_ones(
    desk: Desk, http_server: HTTPTestServer
) -> None:
    def answer(request: RecordedRequest) -> Reply:
        sent = request.headers.get("if-none-match")
        if sent == '"v1"':  # unchanged, but the server has a new ETag for it now
            return Reply(status=304, etag='"v2"', last_modified=HERALD_MODIFIED)
        if sent == '"v2"':  # unchanged; a 304 may also leave the validators out
            return Reply(status=304)
        return Reply(body=HERALD, content_type=RSS, etag='"v1"')

    herald = http_server.route("/herald.xml", answer)
    desk.run("feeds", "add", herald)
    desk.run("fetch")
    desk.run("fetch")  # 304 naming a new ETag
    desk.run("fetch")
    sent = [r.headers.get("if-none-match") for r in http_server.requests_to("/herald.xml")]
    assert sent == [None, '"v1"', '"v2"']
    (source,) = desk.rows("SELECT etag, last_modified FROM source")
    assert (source["etag"], source["last_modified"]) == ('"v2"', HERALD_MODIFIED)


def test_a_failure_is_recorded_on_its_source_and_cleared_by_a_later_success(
    desk: Desk, http_server: HTTPTestServer
) -> None:
    flaky = http_server.route("/herald.xml", status=500, body=b"down for maintenance")
    desk.run("feeds", "add", flaky)
    failed = desk.summary("fetch", code=1)  # the only source failed
    assert [f["source"] for f in failed["failed"]] == [flaky]
    (source,) = desk.rows("SELECT * FROM source")
    assert source["error_kind"] == "http" and source["error_at"] is not None
    assert "HTTP 500" in desk.sources()[flaky]["error"]
    assert "error: " in desk.run("feeds", "list").stdout

    http_server.route("/herald.xml", body=HERALD, content_type=RSS)
    recovered = desk.summary("fetch")
    assert (recovered["added"], recovered["failed"]) == (3, [])
    row = desk.sources()[flaky]
    assert (row["error"], row["status"]) == (None, 200)
    (source,) = desk.rows("SELECT * FROM source")
    assert (source["error_kind"], source["error_at"]) == (None, None)


# --------------------------------------------------------------------------- ingest


def test_ingest_files_folder_and_urls_then_again_adds_nothing(
    desk: Desk, http_server: HTTPTestServer, tmp_path: Path
) -> None:
    folder = tmp_path / "inbox"
    _copy("weir_note.txt", folder / "weir_note.txt")
    _copy("weir_briefing.md", folder / "explainers" / "weir_briefing.md")
    _copy("harbour_feed.xml", folder / "explainers" / "feeds" / "harbour_feed.xml")
    (folder / "explainers" / "scan.pdf").write_bytes(b"%PDF-1.4 not an article")
    page_file = _copy("weir_page.html", tmp_path / "saved" / "weir_page.html")
    page_url = http_server.route(
        "/2026/03/13/lock-keeper",
        body=(FIXTURES / "lock_keeper_page.html").read_bytes(),
        content_type="text/html; charset=utf-8",
    )
    feed_url = http_server.route("/herald.xml", body=HERALD, content_type=RSS)
    targets = [str(folder), str(page_file), page_url, feed_url]

    first = desk.summary("ingest", *targets)
    # txt 1 + md 1 + local feed 2 + html file 1 + page URL 1 + feed URL 3
    assert (first["added"], first["present"], first["updated"], first["failed"]) == (9, 0, 0, [])
    articles = desk.articles()

    note = articles["Varnia reopens the Brennick footbridge"]
    assert note["text"].startswith("VARNIA CITY, March 9 - The footbridge over the Brennick weir")
    assert '"People can cross to the market again," said' in note["text"]
    assert "Brennick weir: where the two capitals stand" in articles

    page = articles["Sluice gates at Brennick weir fail inspection"]
    assert page["byline"] == "Petra Lindqvar"
    assert page["published_at"].startswith("2026-03-12 16:30")
    assert "Two of the four sluice gates" in page["text"]
    assert "Nobody wants water in the market square again" in page["text"]
    for chrome in ("Subscribe today", "Sport", "Copyright", "Privacy policy", "Cookie"):
        assert chrome not in page["text"], chrome

    keeper = articles["Brennick lock keeper retires after forty years"]
    assert keeper["url"] == page_url and keeper["byline"] == "Jon Marr"
    assert "herons were my colleagues" in keeper["text"]
    for chrome in ("Jobs board", "cookies", "picnic", "Mill Lane"):
        assert chrome not in keeper["text"], chrome

    assert "Dredging of the outer channel postponed" in articles
    assert "Gate report [bold]x[/bold]" in articles
    kinds = {row["url"]: row["kind"] for row in desk.rows("SELECT url, kind FROM source")}
    assert kinds[feed_url] == "feed"  # a feed given by URL is subscribed

    second = desk.summary("ingest", *targets)
    assert (second["added"], second["updated"], second["failed"]) == (0, 0, [])
    assert second["present"] == first["added"]
    assert len(desk.articles()) == 9

    # Only the subscribed http feed is fetched: local files are no subscriptions.
    fetched = desk.summary("fetch")
    assert (fetched["added"], fetched["failed"]) == (0, [])
    assert len(http_server.requests_to("/herald.xml")) == 3
    assert "file://" not in desk.run("feeds", "export-opml").stdout
    desk.assert_no_controls()


QUOTE = "People can cross to the market again"


def _note_with_a_statement(desk: Desk, tmp_path: Path) -> tuple[Path, int]:
    """The note ingested, with a statement on its quote; returns (file, article id)."""
    note = _copy("weir_note.txt", tmp_path / "notes" / "weir_note.txt")
    assert desk.summary("ingest", str(note))["added"] == 1
    (article,) = desk.rows("SELECT id, text FROM article")
    start = article["text"].index(QUOTE)
    with desk.repo() as repo:
        repo.add_statement(
            text=QUOTE,
            article_id=article["id"],
            evidence=(start, start + len(QUOTE)),
            attribution="works director Halvard Osk",
            quote=True,
        )
    # Edited before the quote, so everything after the edit moves by two characters.
    edited = note.read_text(encoding="utf-8").replace("six weeks", "seven weeks")
    note.write_text(edited, encoding="utf-8")
    return note, int(article["id"])


def test_an_edited_text_file_is_updated_and_keeps_its_statements(
    desk: Desk, tmp_path: Path
) -> None:
    note, article_id = _note_with_a_statement(desk, tmp_path)
    summary = desk.summary("ingest", str(note))
    assert (summary["added"], summary["present"], summary["updated"]) == (0, 0, 1)

    (updated,) = desk.rows("SELECT id, text, version FROM article")
    assert updated["id"] == article_id and updated["version"] > 1
    assert "seven weeks" in updated["text"] and "six weeks" not in updated["text"]
    kept = desk.rows("SELECT article_id, text, evidence_exact, deleted_at FROM statement")
    assert [tuple(row) for row in kept] == [(article_id, QUOTE, QUOTE, None)]

    assert desk.summary("ingest", str(note))["present"] == 1  # and now it is known as is


def test_an_edited_article_keeps_its_evidence_on_the_quoted_words(
    desk: Desk, tmp_path: Path
) -> None:
    note, _article_id = _note_with_a_statement(desk, tmp_path)
    assert desk.summary("ingest", str(note))["updated"] == 1
    ((text, start, end),) = desk.rows(
        "SELECT a.text, s.evidence_start, s.evidence_end FROM statement s "
        "JOIN article a ON a.id = s.article_id"
    )
    assert text[start:end] == QUOTE


def test_missing_paths_and_file_urls_are_listed_as_failed(desk: Desk, tmp_path: Path) -> None:
    missing = str(tmp_path / "nowhere" / "story.txt")
    summary = desk.summary("ingest", missing, "file:///etc/hostname", code=1)
    assert [f["source"] for f in summary["failed"]] == [missing, "file:///etc/hostname"]
    assert summary["added"] == 0 and desk.rows("SELECT * FROM article") == []

    note = _copy("weir_note.txt", tmp_path / "weir_note.txt")
    mixed = desk.summary("ingest", missing, str(note), code=0)  # one source worked
    assert mixed["added"] == 1 and [f["source"] for f in mixed["failed"]] == [missing]
    text = desk.run("ingest", missing, code=1)
    assert "0 added" in text.stdout and f"failed: {missing}" in text.stderr


def test_ingest_without_targets_is_a_usage_error(desk: Desk) -> None:
    result = desk.run("ingest", code=2)
    assert "Missing argument" in result.stderr


def test_exit_codes_through_the_console_entry_point(
    tmp_path: Path, http_server: HTTPTestServer
) -> None:
    """``python -m workbench`` (``main()``): 2 for usage errors, 1 when all failed, else 0."""
    env = isolated_env(tmp_path / "home")
    db = ["--db", str(tmp_path / "desk.db")]

    def run(*args: str) -> tuple[int, str, str]:
        proc = run_workbench([*args, *db], env, tmp_path)
        assert "Traceback" not in proc.stderr, proc.stderr
        return proc.returncode, proc.stdout, proc.stderr

    code, _out, err = run("feeds", "add", "gopher://old.example/feed")
    assert code == 2 and err.startswith("error:") and len(err.splitlines()) == 1
    code, _out, err = run("ingest")
    assert code == 2 and err.startswith("error:")
    code, out, _err = run("ingest", str(tmp_path / "missing.md"), "--json")
    assert code == 1 and len(json.loads(out)["failed"]) == 1

    run("feeds", "add", http_server.url("/gone.xml"))
    code, out, _err = run("fetch", "--json")
    assert code == 1 and json.loads(out)["failed"][0]["error"].endswith("HTTP 404 Not Found")
    run("feeds", "add", http_server.route("/herald.xml", body=HERALD, content_type="text/xml"))
    code, out, _err = run("fetch", "--json")
    assert code == 0 and json.loads(out)["added"] == 3


# --------------------------------------------------------------------------- canonical URLs


def test_a_story_is_stored_once_whatever_tracking_its_link_carries(
    desk: Desk, http_server: HTTPTestServer
) -> None:
    clean = "https://lowmarsh-herald.example/news/weir-deal"
    tracked = f"{clean}?utm_source=rss&utm_medium=feed&fbclid=IwAR0x#comments"
    story = Entry(
        "Varnia and Oskeland agree to lower the Brennick weir",
        tracked,
        "Ministers agreed on Tuesday to lower the weir by three metres.",
    )
    other = Entry("Ferry timetable changes", "https://calder-post.example/ferry", "Earlier.")
    first = http_server.route("/herald.xml", body=rss("Lowmarsh Herald", [story]), content_type=RSS)
    second = http_server.route(
        "/aggregator.xml",
        body=rss("River News Digest", [other, Entry(story.title, clean, story.description)]),
        content_type=RSS,
    )
    assert desk.summary("ingest", first)["added"] == 1
    summary = desk.summary("ingest", second)
    assert summary["added"] == 1  # only the other story is new

    rows = desk.rows("SELECT canonical_url FROM article WHERE title = ?", story.title)
    assert [row["canonical_url"] for row in rows] == [clean]
    assert len(desk.articles()) == 2


def test_two_feeds_linking_one_story_leave_it_alone_on_refetch(
    desk: Desk, http_server: HTTPTestServer
) -> None:
    clean = "https://lowmarsh-herald.example/news/weir-deal"
    story = Entry("Weir deal agreed", f"{clean}?utm_source=rss#top", "Ministers agreed.")
    digest = Entry("Elsewhere: the Herald on the weir deal", clean, "Our neighbours report.")
    for path, channel, entry in (("/a.xml", "Herald", story), ("/b.xml", "Digest", digest)):
        desk.run(
            "feeds",
            "add",
            http_server.route(path, body=rss(channel, [entry]), content_type="text/xml"),
        )
    desk.run("fetch")
    desk.run("fetch")
    (article,) = desk.rows("SELECT title, version FROM article")
    # whichever feed arrived first keeps the story; the other's copy never rewrites it
    assert article["title"] in {story.title, digest.title}
    assert article["version"] == 1


def _intranet_feed(link: str, description: str) -> bytes:
    """An intranet wire's feed: its items carry a link but no guid."""
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        "<title>Desk Intranet Wire</title><link>http://127.0.0.1/</link>"
        f"<item><title>Weir works update</title><link>{escape(link)}</link>"
        f"<description>{escape(description)}</description></item>"
        "</channel></rss>"
    ).encode()


def test_a_story_on_an_intranet_host_keeps_its_link_and_is_updated_in_place(
    desk: Desk, http_server: HTTPTestServer
) -> None:
    story = http_server.url("/story")  # http://127.0.0.1:PORT/story
    feed = http_server.route(
        "/wire.xml",
        body=_intranet_feed(story, "Crews start on the east gate."),
        content_type=RSS,
    )
    first = desk.summary("ingest", feed)
    assert (first["added"], first["failed"]) == (1, [])

    http_server.route(
        "/wire.xml",
        body=_intranet_feed(story, "Crews start on the east gate; the west gate follows."),
        content_type=RSS,
    )
    second = desk.summary("ingest", feed)
    assert (second["added"], second["present"], second["updated"]) == (0, 0, 1)
    (row,) = desk.rows("SELECT url, canonical_url, text FROM article")
    assert row["url"] == story and row["canonical_url"] == story
    assert "the west gate follows" in row["text"]


# --------------------------------------------------------------------------- near-duplicates

HERALD_STORY = Entry(
    "Varnia and Oskeland agree to lower the Brennick weir",
    "https://lowmarsh-herald.example/news/weir-deal",
    "Ministers from Varnia and Oskeland agreed on Tuesday to lower the Brennick weir by three "
    "metres before the spring floods.",
    published="Tue, 10 Mar 2026 09:00:00 GMT",
)
CALDER_STORY = Entry(
    "Weir deal: Varnia, Oskeland agree to lower Brennick weir",
    "https://calder-post.example/2026/03/10/weir",
    "Varnia and Oskeland agreed on Tuesday to lower the Brennick weir by three metres ahead of "
    "the spring floods, ministers said.",
    published="Tue, 10 Mar 2026 11:00:00 GMT",
)
CALDER_OTHER = Entry(
    "Lock keeper retires after forty years",
    "https://calder-post.example/2026/03/10/keeper",
    "Aldo Fenn worked his last shift at the Brennick lock on Friday, waved off by boat owners.",
    published="Tue, 10 Mar 2026 12:00:00 GMT",
)


@pytest.mark.parametrize(
    ("config", "kinds"),
    [
        pytest.param("", {"possible"}, id="defaults"),
        pytest.param(
            "[ingest]\nsuggest_match = 50\nsame_story = 60\n", {"same"}, id="low-thresholds"
        ),
        pytest.param("[ingest]\nsuggest_match = 99\nsame_story = 99\n", set(), id="at-99"),
        pytest.param("[ingest]\nmin_match_length = 1000\n", set(), id="long-minimum"),
    ],
)
def test_near_duplicates_from_two_outlets_are_flagged_not_dropped(
    desk: Desk, http_server: HTTPTestServer, config: str, kinds: set[str]
) -> None:
    desk.configure(config)
    for path, channel, entries in (
        ("/herald.xml", "Lowmarsh Herald", [HERALD_STORY]),
        ("/calder.xml", "Calder Post", [CALDER_STORY, CALDER_OTHER]),
    ):
        desk.run(
            "feeds",
            "add",
            http_server.route(path, body=rss(channel, entries), content_type="text/xml"),
        )
    assert desk.summary("fetch")["added"] == 3  # nothing dropped

    articles = desk.articles()
    # feeds are stored as they arrive: the later-stored copy of the story carries the flag
    first, later = sorted(
        (articles[HERALD_STORY.title], articles[CALDER_STORY.title]), key=lambda a: a["id"]
    )
    assert (first["duplicate_of"], first["match_kind"]) == (None, None)
    assert articles[CALDER_OTHER.title]["match_kind"] is None
    if kinds:
        assert later["match_kind"] in kinds and later["duplicate_of"] == first["id"]
        assert later["match_score"] >= (50 if "same" in kinds else 82)
    else:
        assert (later["match_kind"], later["duplicate_of"]) == (None, None)


@pytest.mark.parametrize(
    ("herald_date", "calder_dates"),
    [
        # Undated entries are sorted by when they arrive (now), next to an old dated one.
        pytest.param("", ("", "Tue, 10 Mar 2026 12:00:00 GMT"), id="undated"),
        # 2.9 days apart; the batch's other entry 1.9 days later still leaves the full 3 days.
        pytest.param(
            "Sat, 07 Mar 2026 02:00:00 GMT",
            ("Tue, 10 Mar 2026 00:00:00 GMT", "Wed, 11 Mar 2026 22:00:00 GMT"),
            id="batch-edge",
        ),
    ],
)
def test_near_duplicates_are_compared_around_each_articles_own_time(
    desk: Desk, http_server: HTTPTestServer, herald_date: str, calder_dates: tuple[str, str]
) -> None:
    herald = replace(HERALD_STORY, published=herald_date)
    calder = replace(CALDER_STORY, published=calder_dates[0])
    other = replace(CALDER_OTHER, published=calder_dates[1])
    desk.summary(
        "ingest", http_server.route("/h.xml", body=rss("Herald", [herald]), content_type=RSS)
    )
    desk.summary(
        "ingest", http_server.route("/c.xml", body=rss("Calder", [calder, other]), content_type=RSS)
    )
    articles = desk.articles()
    later = articles[CALDER_STORY.title]
    assert later["duplicate_of"] == articles[HERALD_STORY.title]["id"]
    assert later["match_kind"] == "possible"


# --------------------------------------------------------------------------- tables


def _suggestions(desk: Desk) -> dict[str, list[tuple[Any, ...]]]:
    live = "deleted_at IS NULL"
    return {
        "issues": [
            tuple(r) for r in desk.rows(f"SELECT title, review FROM issue WHERE {live} ORDER BY id")
        ],
        "actors": [
            tuple(r) for r in desk.rows(f"SELECT name, review FROM actor WHERE {live} ORDER BY id")
        ],
        "positions": [
            tuple(r)
            for r in desk.rows(
                "SELECT i.title, a.name, p.summary, p.review, p.article_id FROM position p "
                "JOIN issue i ON i.id = p.issue_id JOIN actor a ON a.id = p.actor_id "
                "WHERE p.deleted_at IS NULL ORDER BY i.title, a.name"
            )
        ],
        "events": [
            tuple(r)
            for r in desk.rows(
                "SELECT date, date_end, precision, title, review, article_id FROM event "
                f"WHERE {live} ORDER BY date"
            )
        ],
        "tables": [
            tuple(r) for r in desk.rows("SELECT article_id, kind FROM article_table ORDER BY start")
        ],
    }


def test_tables_in_an_article_become_suggestions_once(desk: Desk, tmp_path: Path) -> None:
    briefing = _copy("weir_briefing.md", tmp_path / "weir_briefing.md")
    assert desk.summary("ingest", str(briefing))["added"] == 1
    (article,) = desk.rows("SELECT id, title, text FROM article")
    assert article["title"] == "Brennick weir: where the two capitals stand"
    aid = article["id"]

    expected = {
        "issues": [("Summer water quota", "suggested"), ("Height of the weir", "suggested")],
        "actors": [("Varnia", "suggested"), ("Oskeland", "suggested")],
        "positions": [
            ("Height of the weir", "Oskeland", "Lower it to 9 metres", "suggested", aid),
            ("Height of the weir", "Varnia", "Keep it at 12 metres", "suggested", aid),
            ("Summer water quota", "Oskeland", "Offers an even split", "suggested", aid),
            (
                "Summer water quota",
                "Varnia",
                "Wants 60 percent of the summer flow",
                "suggested",
                aid,
            ),
        ],
        "events": [
            # The year is the header's (2025), not the desk clock's nor the ingest date's.
            (
                "2025-03-03",
                None,
                "day",
                "Ministers meet at the Brennick lock house",
                "suggested",
                aid,
            ),
            (
                "2025-03-10",
                "2025-03-12",
                "day",
                "Engineers from both sides inspect the sluice gates",
                "suggested",
                aid,
            ),
        ],
        "tables": [(aid, "positions"), (aid, "dated")],
    }
    assert _suggestions(desk) == expected
    (said,) = desk.rows("SELECT description FROM event WHERE date = '2025-03-03'")
    assert "We are closer than we were" in said["description"]

    assert desk.summary("ingest", str(briefing))["present"] == 1
    assert _suggestions(desk) == expected

    # An edited article is read again: its suggestions are replaced, never doubled.
    text = briefing.read_text(encoding="utf-8")
    briefing.write_text(text.replace("Neither ministry", "Neither capital"), encoding="utf-8")
    assert desk.summary("ingest", str(briefing))["updated"] == 1
    assert _suggestions(desk) == expected


# --------------------------------------------------------------------------- rules


def test_desk_and_config_rules_apply_at_ingest_and_run_again(desk: Desk, tmp_path: Path) -> None:
    desk.configure(
        '[[rules]]\nname = "Water desk"\npattern = "weir reservoir"\naction = "tag"\n'
        'value = "water"\n'
    )
    desk.run("db", "upgrade")
    added = desk.run("rules", "add", "Ferry notices", "--pattern", "ferry", "--action", "dismiss")
    assert added.stdout.startswith("Added rule")
    listing = desk.run("rules", "list").stdout
    assert "Ferry notices" in listing and "Water desk (config)" in listing

    feed = _copy("harbour_feed.xml", tmp_path / "harbour_feed.xml")
    assert desk.summary("ingest", str(feed))["added"] == 2
    articles = desk.articles()
    ferry = articles["Ferry timetable changes for the spring"]
    dredging = articles["Dredging of the outer channel postponed"]
    assert ferry["triage"] == "not_relevant"
    assert json.loads(ferry["tags"]) == ["water"]
    assert json.loads(ferry["rule_hits"]) == ["Ferry notices", "Water desk (config)"]
    assert dredging["triage"] == "new"
    assert json.loads(dredging["tags"]) == ["water"]
    assert json.loads(dredging["rule_hits"]) == ["Water desk (config)"]
    assert dredging["assignee"] is None

    dredging_rule = ["Dredging desk", "--pattern", r"dredg\w*", "--regex"]
    desk.run("rules", "add", *dredging_rule, "--action", "assign", "--value", "maria")
    assert desk.run("rules", "run").stdout.strip() == "Rules changed 1 articles."
    articles = desk.articles()
    dredging = articles["Dredging of the outer channel postponed"]
    assert dredging["assignee"] == "maria"
    assert json.loads(dredging["rule_hits"]) == ["Dredging desk", "Water desk (config)"]
    assert articles["Ferry timetable changes for the spring"]["assignee"] is None
    assert desk.run("rules", "run").stdout.strip() == "Rules changed 0 articles."


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        pytest.param('field = "titel"\naction = "dismiss"', "field must be one of", id="field"),
        pytest.param('action = "dimiss"', "action must be one of", id="action"),
        pytest.param('action = "priority"\nvalue = "high"', "whole number", id="priority"),
        pytest.param('action = "tag"', "needs a value", id="tag-without-value"),
        pytest.param(
            'regex = true\npattern = "(weir"\naction = "dismiss"', "not a valid regex", id="regex"
        ),
    ],
)
def test_a_broken_config_rule_is_refused_by_name(
    desk: Desk, tmp_path: Path, rule: str, problem: str
) -> None:
    """Checked like the desk's own rules: never a KeyError mid-ingest, never a silent no-op."""
    pattern = "" if "pattern" in rule else 'pattern = "weir"\n'
    desk.configure(f'[[rules]]\nname = "Typo"\n{pattern}{rule}\n')
    note = _copy("weir_note.txt", tmp_path / "weir_note.txt")
    with pytest.raises(ValidationError, match=f"config rule 'Typo': .*{problem}"):
        desk.run("ingest", str(note))
    assert desk.rows("SELECT * FROM article") == []


# --------------------------------------------------------------------------- control characters


def test_control_characters_never_reach_the_desk(
    desk: Desk, http_server: HTTPTestServer, tmp_path: Path
) -> None:
    esc = "\x1b[31m"
    feed = rss(
        f"Evil {esc}Gazette\x1b[0m\x07",
        [
            Entry(
                f"{HOSTILE_TITLE}\x9b2J",
                "https://evil-gazette.example/gate\x1b[2J",
                f"Body with {esc}colour\x1b[0m, a NUL\x00, a C1 \x85 and \x9d8;;x\x9c a link.",
                author=f"ed@evil-gazette.example (Mal {esc}Ice\x1b]0;pwned\x07)",
            )
        ],
    )
    url = http_server.route("/evil.xml", body=feed, content_type=RSS)
    desk.run("feeds", "add", url, "--name", f"Hostile {esc}Outlet\x1b[0m")
    desk.run("feeds", "add", http_server.url("/down.xml"), "--name", "Down\x1b[5m\x08 Outlet")
    page = (
        f"<html><head><title>Page {esc}title\x1b[0m</title>"
        f'<meta name="author" content="Ann {esc}Author"></head>'
        f"<body><article><p>Page body \x1b]52;c;Y29weQ==\x07with a clipboard grab and "
        f"enough words to be read as the article text of this page.</p></article></body></html>"
    )
    page_url = http_server.route("/page.html", body=page, content_type="text/html; charset=utf-8")
    note = tmp_path / "hostile.txt"
    note.write_bytes(
        f"Note {esc}title\x1b[0m\x0c\nNote body \x1b[2J\x1bc with \x7f DEL.\n".encode()
    )
    opml = tmp_path / "hostile.opml"
    listed = quoteattr(http_server.url("/listed.xml"))
    opml.write_text(
        f'<opml version="2.0"><body><outline text={quoteattr("Listed " + esc + "Feed")} '
        f"xmlUrl={listed}/></body></opml>",
        encoding="utf-8",
    )

    desk.run("feeds", "import", str(opml))
    fetched = desk.summary("fetch")
    assert fetched["added"] == 1 and len(fetched["failed"]) == 2  # /down.xml, /listed.xml
    ingested = desk.summary("ingest", str(note), page_url)
    assert ingested["added"] == 2

    articles = desk.articles()
    assert set(articles) == {"Gate report [bold]x[/bold]", "Page title", "Note title"}
    gate = articles["Gate report [bold]x[/bold]"]
    assert gate["byline"] == "Mal Ice"
    assert gate["text"].startswith("Body with colour, a NUL")
    assert "evil" not in gate["title"] and "pwned" not in gate["byline"]
    assert articles["Page title"]["byline"] == "Ann Author"
    assert "Y29weQ" not in articles["Page title"]["text"]
    assert "Note body" in articles["Note title"]["text"]
    names = {row["name"] for row in desk.rows("SELECT name FROM source")}
    assert {"Hostile Outlet", "Down Outlet", "Listed Feed"} <= names
    desk.assert_no_controls()
