"""Parsing feeds, pages and text files into articles, and decoding their bytes first.

Every fixture is our own: small feeds and pages under tests/fixtures/parse, and hostile or
oddly encoded documents built inline, where the bytes themselves are the point of the test.
"""

from __future__ import annotations

import codecs
import datetime as dt
import os
import resource
import socket
import subprocess
import sys
import time
from dataclasses import fields
from pathlib import Path

import pytest

from workbench.ingest import parse as parse_module
from workbench.ingest.decode import decode, normalise_label
from workbench.ingest.parse import (
    ParseError,
    html_to_text,
    parse_document,
    parse_feed,
    parse_page,
    parse_text,
    sniff_kind,
)
from workbench.ingest.types import ParsedArticle, ParsedDocument

FIXTURES = Path(__file__).parent / "fixtures" / "parse"
ROOT = Path(__file__).resolve().parent.parent
UTC = dt.UTC


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def strings_of(document: ParsedDocument) -> list[str]:
    """Every string a parser handed back, for checks that must hold on all of them."""
    found = [document.title, *document.warnings]
    for article in document.articles:
        for field in fields(ParsedArticle):
            value = getattr(article, field.name)
            if isinstance(value, str):
                found.append(value)
    return found


def assert_clean(document: ParsedDocument) -> None:
    for value in strings_of(document):
        assert "\x1b" not in value and "\x07" not in value and "\x9b" not in value, value
        assert not any(ord(c) < 32 and c not in "\n\t" for c in value), value
    for article in document.articles:
        assert "\n" not in article.title and "\n" not in article.byline
        assert article.published_at is None or article.published_at.utcoffset() == dt.timedelta(0)


# --------------------------------------------------------------------------------------------
# Feeds


def test_rss2_content_encoded_entities_and_fields() -> None:
    doc = parse_feed(fixture("rss2_content.xml"), url="https://wire.example/feed.xml")
    assert doc.kind == "feed"
    assert doc.title == "Harbour Wire & Dispatch"
    assert doc.warnings == []
    assert len(doc.articles) == 3
    first, second, third = doc.articles

    assert first.title == "Envoys & ministers “ready for dialogue”, says foreign office"
    assert first.outlet == "Harbour Wire & Dispatch"
    assert first.byline == "Ines Okafor"
    assert first.guid == "wire-2024-1218-001"
    assert first.url == "https://wire.example/2024/12/envoys-ready?utm_source=rss&utm_medium=feed"
    assert first.published_at == dt.datetime(2024, 12, 18, 9, 15, tzinfo=UTC)
    # content:encoded wins over the description, through html_to_text
    assert "teaser" not in first.text
    assert first.text == (
        "The foreign office said on Wednesday that its envoys were “ready for dialogue” "
        "with the neighbouring government.\n\n"
        "A spokesperson added:\n“No date has been set.”\n\n"
        "- Talks would be held in a third country\n"
        "- Observers would be invited\n\n"
        "Issue | Foreign office | Presidency\n"
        "Talks | ready for dialogue | no call planned\n\n"
        "Café owners near the ministry reported crowds of reporters — and few answers."
    )
    assert "tracking pixel" not in first.text and "color" not in first.text

    # description as HTML; RSS "email (Name)" author; a relative link resolved
    assert (
        second.text
        == "A presidency spokesman said no call was planned.\n\nHe declined to say more."
    )
    assert second.byline == "Tomas Brandt"
    assert second.url == "https://wire.example/2024/12/no-call"
    assert second.guid is None
    assert second.published_at == dt.datetime(2024, 12, 19, 8, 0, tzinfo=UTC)

    # a javascript: link is not kept; an unparseable date is None
    assert third.url is None
    assert third.published_at is None
    assert_clean(doc)


def test_malformed_entry_links_cost_only_themselves() -> None:
    body = (
        b'<rss version="2.0"><channel><title>Links</title><link>http://[bad</link>'
        b"<item><title>A</title><link>http://[broken/x</link></item>"
        b"<item><title>B</title><link>https://ok.example/with space</link></item>"
        b"<item><title>C</title><link>data:text/html,hi</link></item>"
        b"</channel></rss>"
    )
    assert [a.url for a in parse_feed(body).articles] == [
        None,
        "https://ok.example/with%20space",
        None,
    ]


def test_entry_links_on_intranet_hosts_are_kept() -> None:
    """feedparser-rs 0.7.1 hands back '' for links to private and local hosts; desks
    subscribe to intranet feeds (fetch allows them), and a lost link loses dedupe too."""
    body = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Intranet</title>'
        b"<link>http://wire.local/</link>"
        b"<item><title>Loopback</title><link>http://127.0.0.1:8080/story</link></item>"
        b"<item><title>Public</title><link>https://wire.example/p</link></item>"
        b"<item><title>Mdns</title><link>http://desk.local/a?x=1</link><guid>g-1</guid></item>"
        b"<item><title>Ten net</title><link>http://10.1.2.3/b</link></item>"
        b"<item><title>No link</title><description>Only text.</description></item>"
        b"<item><title>Internal</title><link>http://wire.internal/c</link></item>"
        b"<item><title>Lan</title><link>http://printer.lan/d</link></item>"
        b"<item><title>Permalink</title><guid>http://192.168.1.9/e</guid></item>"
        b"<item><title>Relative</title><link>/f</link></item>"
        b"</channel></rss>"
    )
    doc = parse_feed(body, url="http://10.0.0.7/rss.xml")
    assert [(a.title, a.url) for a in doc.articles] == [
        ("Loopback", "http://127.0.0.1:8080/story"),
        ("Public", "https://wire.example/p"),
        ("Mdns", "http://desk.local/a?x=1"),
        ("Ten net", "http://10.1.2.3/b"),
        ("No link", None),
        ("Internal", "http://wire.internal/c"),
        ("Lan", "http://printer.lan/d"),
        ("Permalink", "http://192.168.1.9/e"),
        ("Relative", "http://10.0.0.7/f"),
    ]
    assert doc.articles[2].guid == "g-1" and not doc.warnings

    atom = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>Desk wire</title>'
        b'<entry><title>One</title><id>urn:one</id><link rel="self" href="http://x.local/s"/>'
        b'<link rel="alternate" href="http://x.local/one"/></entry>'
        b'<entry><title>Two</title><id>urn:two</id><link href="http://[::1]:9/two"/></entry>'
        b"</feed>"
    )
    assert [a.url for a in parse_feed(atom).articles] == [
        "http://x.local/one",
        "http://[::1]:9/two",
    ]

    # the Rust parser never reads an RSS item's atom:link; feedparser does
    namespaced = (
        b'<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>W</title>'
        b'<item><title>A</title><atom:link rel="alternate" href="https://wire.example/a"/>'
        b"</item><item><title>B</title><link>https://wire.example/b</link></item>"
        b"</channel></rss>"
    )
    assert [a.url for a in parse_feed(namespaced).articles] == [
        "https://wire.example/a",
        "https://wire.example/b",
    ]


def test_lost_links_are_paired_by_guid_when_the_parsers_count_differently() -> None:
    """A broken feed can leave the two parsers with different entries, so position no
    longer pairs them; a guid both give, and no other entry shares, still does."""
    from types import SimpleNamespace

    rust = [{"id": "a", "link": ""}, {"id": "c", "link": ""}, {"id": "d", "link": ""}]
    python = SimpleNamespace(
        entries=[
            {"id": "a", "link": "http://10.0.0.1/a"},
            {"id": "b", "link": "http://10.0.0.1/b"},
            {"id": "c", "link": "http://10.0.0.1/c"},
            {"id": "d", "link": "http://10.0.0.1/d1"},
            {"id": "d", "link": "http://10.0.0.1/d2"},
        ]
    )
    links = parse_module._recover_links(rust, ["", "", ""], python)
    assert links == ["http://10.0.0.1/a", "http://10.0.0.1/c", ""]


def test_atom10_html_and_text_constructs() -> None:
    doc = parse_feed(fixture("atom10.xml"))
    assert doc.title == "Northern Ledger"
    html_entry, text_entry = doc.articles
    assert html_entry.title == "Cabinet splits over sanctions"  # type="html": markup removed
    assert html_entry.text == (
        "Two ministers contradicted each other on sanctions within an hour.\n\n"
        "The finance minister said the measures were “under review”."
    )
    assert html_entry.published_at == dt.datetime(2024, 12, 20, 3, 30, tzinfo=UTC)
    assert html_entry.guid == "tag:ledger.example,2024:cabinet-splits"
    assert html_entry.url == "https://ledger.example/news/cabinet-splits"
    assert html_entry.byline == "Priya Natarajan"
    # type="text": angle brackets are text; summary paragraphs kept; updated stands in
    assert text_entry.title == "Plain title with <angle> brackets"
    assert text_entry.text == (
        "First line of a plain summary.\n\nSecond paragraph of the plain summary."
    )
    assert text_entry.published_at == dt.datetime(2024, 12, 20, 7, 0, tzinfo=UTC)
    assert text_entry.byline == "Leo Marsh, Ana Duarte"
    assert_clean(doc)


def test_rss10_rdf() -> None:
    doc = parse_feed(fixture("rss10.rdf"))
    (article,) = doc.articles
    assert doc.title == "Capital Observer"
    assert article.title == "Spokeswoman denies reports of a summit"
    assert article.byline == "Hanna Virtanen"  # dc:creator
    assert article.published_at == dt.datetime(2024, 12, 17, 13, 0, tzinfo=UTC)  # dc:date
    assert article.url == "https://observer.example/a1"
    assert article.text == "The spokeswoman said reports of a summit were premature."


def test_atom03() -> None:
    (article,) = parse_feed(fixture("atom03.xml")).articles
    assert article.title == "Old-format entry"
    assert article.text == "Escaped HTML content from an Atom 0.3 feed."
    assert article.published_at == dt.datetime(2004, 5, 1, 9, 0, tzinfo=UTC)
    assert article.byline == "Rui Costa"


def test_json_feed() -> None:
    body = (
        b'{"version": "https://jsonfeed.org/version/1.1", "title": "Pocket Desk",'
        b' "items": [{"id": "p1", "url": "https://pocket.example/1", "title": "Briefing",'
        b' "content_html": "<p>One.</p><p>Two.</p>", "date_published": "2024-12-20T08:00:00Z",'
        b' "authors": [{"name": "Sam Ortiz"}]},'
        b' {"id": "p2", "url": "https://pocket.example/2", "content_text": "No title here."}]}'
    )
    assert sniff_kind(body) == "feed"
    doc = parse_document(body, content_type="application/feed+json")
    assert doc.kind == "feed" and doc.title == "Pocket Desk"
    briefing, untitled = doc.articles
    assert (briefing.title, briefing.text, briefing.byline) == (
        "Briefing",
        "One.\n\nTwo.",
        "Sam Ortiz",
    )
    assert briefing.published_at == dt.datetime(2024, 12, 20, 8, 0, tzinfo=UTC)
    # an entry without a title gets its first line as one
    assert untitled.title == "No title here." and untitled.text == "No title here."


def test_bozo_feed_keeps_recovered_entries_with_a_warning() -> None:
    doc = parse_feed(fixture("bozo.xml"), url="https://sloppy.example/rss")
    assert [a.title for a in doc.articles] == [
        "First story is fine",
        "Second story has a broken tag",
        "Third story after the damage",
    ]
    assert doc.warnings == [
        "feed is not well-formed XML (line 14: mismatched tag); 3 entries recovered"
    ]


def test_fallback_parser_used_when_the_fast_parser_rejects(monkeypatch: pytest.MonkeyPatch) -> None:
    import feedparser_rs

    def reject(*_args: object, **_kwargs: object) -> object:
        raise RuntimeError("rejected")

    monkeypatch.setattr(feedparser_rs, "parse_with_limits", reject)
    doc = parse_feed(fixture("rss10.rdf"))
    assert [a.title for a in doc.articles] == ["Spokeswoman denies reports of a summit"]
    assert doc.articles[0].byline == "Hanna Virtanen"


def test_empty_feed_is_a_feed_without_articles() -> None:
    body = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Quiet</title></channel></rss>'
    doc = parse_feed(body)
    assert (doc.kind, doc.title, doc.articles, doc.warnings) == ("feed", "Quiet", [], [])


def test_html_given_as_feed_is_a_parse_error_naming_the_source() -> None:
    with pytest.raises(ParseError) as caught:
        parse_feed(fixture("not_a_feed.html"), url="https://site.example/feed")
    message = str(caught.value)
    assert message.startswith("https://site.example/feed: not a feed (")
    assert "HTML" in message and "\n" not in message


@pytest.mark.parametrize("body", [b"just some words, no markup", b'{"hello": "world"}', b"<x/>"])
def test_other_non_feeds_are_parse_errors(body: bytes) -> None:
    with pytest.raises(ParseError, match=r"^feed: not a feed \(.+\)$"):
        parse_feed(body)


LATIN_FEED = """<?xml version="1.0" encoding="{encoding}"?>
<rss version="2.0"><channel><title>Gazette française</title>
<item><title>Le ministre déclare « prêt au dialogue »</title>
<description>Réunion à Genève ; l’Élysée dément. Über Köln, señor.</description>
</item></channel></rss>"""


def test_latin1_declared_feed() -> None:
    body = LATIN_FEED.format(encoding="ISO-8859-1").replace("’", "'").encode("latin-1")
    (article,) = parse_feed(body).articles
    assert article.title == "Le ministre déclare « prêt au dialogue »"
    assert article.text == "Réunion à Genève ; l'Élysée dément. Über Köln, señor."
    assert article.outlet == "Gazette française"


def test_latin1_label_with_windows_1252_quotes() -> None:
    # Servers say ISO-8859-1 and send cp1252 curly quotes: they must not become controls.
    body = LATIN_FEED.format(encoding="ISO-8859-1").encode("cp1252")
    (article,) = parse_feed(body).articles
    assert "l’Élysée" in article.text


def test_charset_from_http_header_and_a_declaration_that_lies() -> None:
    plain = LATIN_FEED.replace(' encoding="{encoding}"', "")
    (by_header,) = parse_feed(plain.encode("cp1252"), charset="windows-1252").articles
    assert by_header.title == "Le ministre déclare « prêt au dialogue »"
    # declared UTF-8 (header and document), bytes are cp1252
    lying = LATIN_FEED.format(encoding="utf-8").encode("cp1252")
    (article,) = parse_feed(lying, charset="utf-8").articles
    assert article.title == "Le ministre déclare « prêt au dialogue »"
    assert "l’Élysée dément" in article.text


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_feed_with_bom(codec: str) -> None:
    bom = codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE
    body = bom + LATIN_FEED.format(encoding="UTF-16").encode(codec)
    doc = parse_feed(body)
    assert doc.articles[0].title == "Le ministre déclare « prêt au dialogue »"
    assert doc.warnings == []


def test_invalid_utf8_bytes_in_a_feed() -> None:
    body = LATIN_FEED.format(encoding="utf-8").encode("utf-8")
    body = body.replace("Genève".encode(), b"Gen\xe8ve \xff\xc3(")
    doc = parse_feed(body)
    (article,) = doc.articles
    assert article.title == "Le ministre déclare « prêt au dialogue »"  # valid UTF-8 intact
    assert "Réunion à Gen" in article.text and "l’Élysée dément" in article.text
    assert_clean(doc)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY ha "ha">
  <!ENTITY ha1 "&ha;&ha;&ha;&ha;&ha;&ha;&ha;&ha;&ha;&ha;">
  <!ENTITY ha2 "&ha1;&ha1;&ha1;&ha1;&ha1;&ha1;&ha1;&ha1;&ha1;&ha1;">
  <!ENTITY ha3 "&ha2;&ha2;&ha2;&ha2;&ha2;&ha2;&ha2;&ha2;&ha2;&ha2;">
  <!ENTITY ha4 "&ha3;&ha3;&ha3;&ha3;&ha3;&ha3;&ha3;&ha3;&ha3;&ha3;">
  <!ENTITY ha5 "&ha4;&ha4;&ha4;&ha4;&ha4;&ha4;&ha4;&ha4;&ha4;&ha4;">
  <!ENTITY ha6 "&ha5;&ha5;&ha5;&ha5;&ha5;&ha5;&ha5;&ha5;&ha5;&ha5;">
  <!ENTITY ha7 "&ha6;&ha6;&ha6;&ha6;&ha6;&ha6;&ha6;&ha6;&ha6;&ha6;">
  <!ENTITY ha8 "&ha7;&ha7;&ha7;&ha7;&ha7;&ha7;&ha7;&ha7;&ha7;&ha7;">
  <!ENTITY ha9 "&ha8;&ha8;&ha8;&ha8;&ha8;&ha8;&ha8;&ha8;&ha8;&ha8;">
]>
<rss version="2.0"><channel><title>Laughing Stock &ha9;</title>
<item><title>Joke &ha9;</title><link>https://laugh.example/1</link>
<description>Punchline &ha9; &ha9; &ha9;</description></item>
<item><title>Second joke</title><description>Plain.</description></item>
</channel></rss>"""


def test_billion_laughs_neither_expands_nor_hangs() -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    doc = parse_feed(BILLION_LAUGHS)
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mib < 100  # a full expansion would need gigabytes
    assert len(doc.articles) == 2
    assert all("hahaha" not in value for value in strings_of(doc))
    assert sum(len(value) for value in strings_of(doc)) < 2_000
    # the refusal is explained, and the entries are kept
    (warning,) = doc.warnings
    assert "entities" in warning and "not expanded" in warning and "2 entries recovered" in warning


def test_external_entities_are_never_read_or_fetched(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-MARKER-4711", "utf-8")
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        body = f"""<?xml version="1.0"?>
<!DOCTYPE rss SYSTEM "http://127.0.0.1:{port}/evil.dtd" [
  <!ENTITY passwd SYSTEM "file:///etc/passwd">
  <!ENTITY secret SYSTEM "{secret.as_uri()}">
  <!ENTITY remote SYSTEM "http://127.0.0.1:{port}/leak">
]>
<rss version="2.0"><channel><title>XXE &passwd;</title>
<item><title>Entry &secret;</title><description>Body &passwd; &secret; &remote;</description>
<link>https://xxe.example/1</link></item></channel></rss>""".encode()
        doc = parse_feed(body)
        listener.setblocking(False)
        with pytest.raises(BlockingIOError):
            listener.accept()  # nobody tried to fetch the DTD or the entity
    everything = "\n".join(strings_of(doc))
    assert "TOP-SECRET-MARKER" not in everything
    assert "root:" not in everything and "/bin/" not in everything
    assert len(doc.articles) == 1 and doc.articles[0].url == "https://xxe.example/1"


def test_escape_sequences_are_stripped_and_bracket_markup_kept_literally() -> None:
    body = (
        '<?xml version="1.0"?><rss version="2.0"><channel>'
        "<title>Esc\x1b]0;pwned terminal title\x07 Wire</title><item>"
        "<title>Red \x1b[31mALERT\x1b[0m [bold]markup[/bold]</title>"
        "<link>https://esc.example/1</link>"
        "<dc:creator xmlns:dc='http://purl.org/dc/elements/1.1/'>Eve\x1b[2J Mallory</dc:creator>"
        "<description><![CDATA[<p>Body \x1b[31mred&#x1b;[0m text &#27;]2;retitle&#7; "
        "and [link=https://x.example]click[/link] end\x9b31m.</p>]]></description>"
        "</item></channel></rss>"
    ).encode()
    doc = parse_feed(body)
    (article,) = doc.articles
    assert doc.title == "Esc Wire"
    assert article.title == "Red ALERT [bold]markup[/bold]"
    assert article.text == "Body red text and [link=https://x.example]click[/link] end."
    assert article.byline == "Eve Mallory"
    assert_clean(doc)


def test_two_thousand_entries() -> None:
    """A big feed parses whole (speed is measured in bench/ingest.py, not here)."""
    items = "".join(
        f"<item><title>Story {n} &amp; more</title><link>https://big.example/{n}</link>"
        f"<guid>big-{n}</guid><pubDate>Wed, 18 Dec 2024 11:15:00 +0200</pubDate>"
        f"<description>&lt;p&gt;Paragraph one of story {n}.&lt;/p&gt;"
        f"&lt;p&gt;Paragraph two: &amp;ldquo;nothing planned&amp;rdquo;.&lt;/p&gt;</description>"
        "</item>"
        for n in range(2000)
    )
    body = (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Big</title>'
        f"{items}</channel></rss>"
    ).encode()
    doc = parse_feed(body)
    assert len(doc.articles) == 2000
    last = doc.articles[-1]
    assert last.guid == "big-1999" and last.title == "Story 1999 & more"
    assert "“nothing planned”" in last.text


# --------------------------------------------------------------------------------------------
# Pages


def test_news_page_keeps_the_article_and_drops_the_chrome() -> None:
    doc = parse_page(fixture("news_page.html"))
    assert doc.kind == "page"
    (article,) = doc.articles
    assert article.title == "Ministers split over talks" == doc.title
    assert article.byline == "Mara Lindqvist"
    assert article.published_at == dt.datetime(2024, 12, 18, 8, 30, tzinfo=UTC)
    assert article.outlet == "The Harbour Ledger"
    assert article.url == "https://ledger.example/world/ministers-split"  # canonical link
    paragraphs = article.text.split("\n\n")
    assert len(paragraphs) == 4
    assert paragraphs[0].startswith("The foreign minister said on Wednesday")
    assert "“ready for dialogue”" in paragraphs[0]
    assert paragraphs[3].endswith("no strategy at all.")
    for chrome in ("Weather desk", "Subscribe now", "Most read", "All rights reserved"):
        assert chrome not in article.text
    assert "analyticsQueue" not in article.text and "page-view-tracker" not in article.text
    assert_clean(doc)


def test_page_url_given_wins_over_canonical() -> None:
    doc = parse_page(fixture("news_page.html"), url="https://ledger.example/w/123")
    assert doc.articles[0].url == "https://ledger.example/w/123"


def test_page_pipe_table_in_paragraphs_stays_a_table() -> None:
    (article,) = parse_page(fixture("table_page.html")).articles
    assert article.title == "Where the capitals stand"
    assert article.outlet == "Continental Review"
    assert (
        "Issue | Paris | Moscow | Berlin\n"
        "Leaders' call | open to it | not planned | no comment\n"
        "Ceasefire talks | supports | conditions first | supports"
    ) in article.text
    assert article.text.startswith("Officials in three capitals")
    assert article.text.endswith("between Monday and Thursday only.")


def test_page_falls_back_to_selectolax(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parse_module, "_extract", lambda _html, _url: None)
    (article,) = parse_page(fixture("news_page.html")).articles
    assert article.title == "Ministers split over talks"
    assert article.byline == "Mara Lindqvist"
    assert article.published_at == dt.datetime(2024, 12, 18, 8, 30, tzinfo=UTC)
    assert "“ready for dialogue”" in article.text
    assert "Weather desk" not in article.text and "Subscribe now" not in article.text


def test_small_page_without_metadata_tags() -> None:
    page = (
        b"<html><head><title>Tiny page</title></head><body>"
        b'<p>By <a rel="author" href="/staff/ruth">Ruth Adeyemi</a></p><p>Short note.</p>'
        b'<p>Filed <time datetime="2024-12-21T10:00:00Z">Saturday</time></p></body></html>'
    )
    doc = parse_page(page, url="https://tiny.example/n")
    (article,) = doc.articles
    assert (article.title, article.byline) == ("Tiny page", "Ruth Adeyemi")
    assert article.published_at == dt.datetime(2024, 12, 21, 10, 0, tzinfo=UTC)
    assert "Short note." in article.text
    assert article.outlet == ""  # the host name is not the outlet's name
    empty = parse_page(b"<html><head><title>Only a title</title></head><body></body></html>")
    assert empty.articles[0].title == "Only a title" and empty.articles[0].text == ""
    assert empty.warnings == ["no article text found, only a title"]
    with pytest.raises(ParseError, match=r"^page: no article text or title found$"):
        parse_page(b"<html><body><script>var only = 'code';</script></body></html>")


def test_page_in_a_declared_legacy_encoding() -> None:
    html = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=koi8-r">'
        "<title>Кремль: звонок не планируется</title></head><body><article>"
        "<h1>Кремль: звонок не планируется</h1>"
        "<p>Представитель Кремля заявил журналистам, что телефонный разговор двух лидеров "
        "на этой неделе не планируется и что позиция Москвы остаётся неизменной.</p>"
        "<p>Министр иностранных дел подтвердил эту позицию на пресс-конференции в четверг, "
        "добавив, что контакты на уровне экспертов продолжаются.</p>"
        "</article></body></html>"
    ).encode("koi8_r")
    (article,) = parse_page(html).articles
    assert article.title == "Кремль: звонок не планируется"
    assert "телефонный разговор" in article.text and "экспертов продолжаются" in article.text


def test_page_nested_deep_enough_to_stall_a_tree_builder(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Past the depth limit the page never reaches a tree builder (lexbor is quadratic in
    depth: this page would take over a minute), yet its title and text are kept."""
    import selectolax.lexbor

    real = selectolax.lexbor.LexborHTMLParser

    def guarded(html: str, *args: object, **kwargs: object) -> object:
        assert html.count("<div>") < 1_000, "a deeply nested page reached the tree builder"
        return real(html, *args, **kwargs)

    monkeypatch.setattr(selectolax.lexbor, "LexborHTMLParser", guarded)
    page = (
        "<html><head><title>Deep trap</title></head><body><article><p>An opening paragraph "
        "long enough to be taken for the article by any extractor at all.</p>"
        + "<div>" * 200_000
        + "buried"
        + "</div>" * 200_000
        + "</article></body></html>"
    ).encode()
    (article,) = parse_page(page).articles
    assert article.title == "Deep trap"
    assert article.text.startswith("An opening paragraph")


@pytest.mark.parametrize(
    "body",
    [
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nstream\n"
        + bytes(range(256)) * 8,
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(300),
        b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)) * 4,
    ],
)
def test_binary_files_are_refused_by_name(body: bytes) -> None:
    for call in (
        lambda: parse_document(body, name="scan.pdf"),
        lambda: parse_feed(body, url="scan.pdf"),
        lambda: parse_page(body, url="scan.pdf"),
        lambda: parse_text(body, name="scan.pdf"),
    ):
        with pytest.raises(ParseError, match=r"^scan\.pdf: binary data, not a text document$"):
            call()


# --------------------------------------------------------------------------------------------
# Text and Markdown


def test_markdown_heading_is_the_title_and_the_rest_is_kept_as_written() -> None:
    doc = parse_text(fixture("briefing.md"), name="briefing.md", markdown=True)
    assert doc.kind == "text"
    (article,) = doc.articles
    assert article.title == "Morning briefing: the call that is not happening" == doc.title
    assert article.text == (
        "Three outlets reported overnight that a leaders' call was being prepared.\n"
        "The presidency denied it before breakfast.\n\n"
        "| Outlet | Claim | Time |\n|---|---|---|\n"
        "| Wire A | call being prepared | 23:10 |\n| Wire B | no call planned | 06:45 |\n\n"
        "**Editor's note:** treat the first report as unverified."
    )
    assert article.published_at is None and article.url is None


def test_title_line_in_a_text_file() -> None:
    (article,) = parse_text(fixture("titled_note.txt"), name="titled_note.txt").articles
    assert article.title == "Notes from the ministry press conference"
    assert article.text.startswith("Reporter: desk\n\nThe minister took four questions")
    assert "Title:" not in article.text


def test_first_line_of_a_text_file_is_the_title() -> None:
    (article,) = parse_text(fixture("wire_note.txt"), name="wire_note.txt").articles
    assert article.title == "Envoy returns from talks without agreement"
    assert article.text == (
        "The envoy landed at 21:00 and did not speak to reporters.\n\n"
        "An aide said a statement would follow in the morning."
    )
    assert article.published_at is None


def test_long_first_line_is_shortened_for_the_title_and_kept_in_the_text() -> None:
    line = "word " * 100
    (article,) = parse_text(f"\n\n{line}\n\nsecond paragraph\n".encode()).articles
    assert len(article.title) <= 200 and article.title.endswith("…")
    assert article.text.startswith("word word") and article.text.endswith("second paragraph")


def test_markdown_front_matter_and_setext_titles() -> None:
    front = b'---\ntitle: "Desk memo"\nauthor: x\n---\n\nBody line.\n'
    assert parse_text(front, markdown=True).articles[0].title == "Desk memo"
    assert parse_text(front, markdown=True).articles[0].text == "Body line."
    setext = b"Setext title\n============\n\nBody.\r\nMore body.\r\n"
    (article,) = parse_text(setext, markdown=True).articles
    assert (article.title, article.text) == ("Setext title", "Body.\nMore body.")


def test_text_file_controls_stripped_and_encoding_detected() -> None:
    body = "Заголовок новости\n\nТекст \x1b[31mновости\x1b[0m о переговорах министров.\n"
    (article,) = parse_text(body.encode("koi8_r"), name="note.txt").articles
    assert article.title == "Заголовок новости"
    assert article.text == "Текст новости о переговорах министров."


@pytest.mark.parametrize(
    "call",
    [
        lambda body: parse_feed(body, url="https://empty.example/feed"),
        lambda body: parse_page(body, url="https://empty.example/feed"),
        lambda body: parse_text(body, name="https://empty.example/feed"),
        lambda body: parse_document(body, url="https://empty.example/feed"),
    ],
)
@pytest.mark.parametrize("body", [b"", b"   \n\t  ", codecs.BOM_UTF8 + b"\n"])
def test_empty_input_is_a_parse_error(call: object, body: bytes) -> None:
    with pytest.raises(ParseError, match=r"^https://empty\.example/feed: empty document$"):
        call(body)  # type: ignore[operator]


# --------------------------------------------------------------------------------------------
# Sniffing and dispatch

RSS_BYTES = b'<?xml version="1.0"?>\n<rss version="2.0"><channel><title>T</title></channel></rss>'


@pytest.mark.parametrize(
    ("body", "content_type", "name", "expected"),
    [
        (b"anything", "application/rss+xml; charset=utf-8", None, "feed"),
        (b"anything", "application/atom+xml", None, "feed"),
        (b"<html><p>x</p></html>", "text/html; charset=utf-8", None, "page"),
        (RSS_BYTES, "text/html", None, "feed"),  # mislabelled feed
        (RSS_BYTES, "text/xml", None, "feed"),
        (b"<!DOCTYPE html><html></html>", "application/xml", None, "page"),
        (b"# Title", "text/markdown", None, "markdown"),
        (b"# Title", "text/plain", "notes.md", "markdown"),
        (b"Hello", None, "notes.txt", "text"),
        (b"Hello", None, "https://x.example/feed.rss?x=1", "feed"),
        (b"Hello", None, "page.HTM", "page"),
        (b"Hello", None, "story.markdown", "markdown"),
        (b"Hello", "application/octet-stream", "feed.atom", "feed"),
        (b"\xef\xbb\xbf  \n<?xml version='1.0'?><feed xmlns='x'/>", None, None, "feed"),
        (b"<!-- generator -->\n<rdf:RDF></rdf:RDF>", None, None, "feed"),
        (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "b">]><rss/>', None, None, "feed"),
        (b"<!doctype html>\n<html>", None, None, "page"),
        (b"  <HTML><body>x</body></HTML>", None, None, "page"),
        (b'<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml">', None, None, "page"),
        (codecs.BOM_UTF16_LE + "<rss>".encode("utf-16-le"), None, None, "feed"),
        (b"Plain words on a line.", None, None, "text"),
        (b"", None, None, "text"),
    ],
)
def test_sniff_kind(body: bytes, content_type: str | None, name: str | None, expected: str) -> None:
    assert sniff_kind(body, content_type=content_type, name=name) == expected


def test_parse_document_dispatches() -> None:
    assert parse_document(fixture("rss2_content.xml"), content_type="text/html").kind == "feed"
    page = parse_document(
        fixture("news_page.html"), content_type="text/xml", url="https://l.example/a"
    )
    assert page.kind == "page" and page.articles[0].url == "https://l.example/a"
    md = parse_document(fixture("briefing.md"), name="briefing.md")
    assert md.kind == "text" and md.title.startswith("Morning briefing")
    txt = parse_document(fixture("wire_note.txt"), name="wire_note.txt")
    assert txt.title == "Envoy returns from talks without agreement"
    with pytest.raises(ParseError, match=r"^local\.xml: not a feed"):
        parse_document(b"<?xml version='1.0'?><catalogue/>", name="local.xml")


def test_parse_error_is_one_line() -> None:
    error = ParseError("https://x.example/feed", "not a feed (line 1:\n  junk\x1b[2J)")
    assert str(error) == "https://x.example/feed: not a feed (line 1: junk)"
    assert error.source == "https://x.example/feed"


def test_heavy_libraries_are_imported_lazily() -> None:
    code = (
        "import sys, workbench.ingest.parse, workbench.ingest.decode, workbench.ingest.urls;"
        "heavy = ['trafilatura', 'feedparser', 'feedparser_rs', 'charset_normalizer',"
        " 'selectolax', 'lxml'];"
        "print(','.join(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert out.stdout.strip() == ""


# --------------------------------------------------------------------------------------------
# html_to_text


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>One</p><p>Two</p>", "One\n\nTwo"),
        ("<p>Line<br>break<br/>again</p>", "Line\nbreak\nagain"),
        ("<p>a<br><br>b</p>", "a\n\nb"),
        ("<div>Outer <span>inline</span>  text\n here</div>", "Outer inline text here"),
        ("<ul><li>one</li><li>two<ul><li>deep</li></ul></li></ul>", "- one\n- two\n  - deep"),
        ("<ol><li>first</li><li>second</li></ol><p>after</p>", "- first\n- second\n\nafter"),
        (
            "<table><tr><th>Issue</th><th>France</th><th>Russia</th></tr>"
            "<tr><td>Call</td><td>open</td><td>not <b>planned</b></td></tr></table>",
            "Issue | France | Russia\nCall | open | not planned",
        ),
        ("<table><tr><td>a|b</td><td><p>x</p><p>y</p></td></tr></table>", "a\\|b | x y"),
        (
            "<p>Before</p><table><caption>Positions, 18 Dec</caption><thead><tr><th>Actor</th>"
            "<th>Position</th></tr></thead><tbody><tr><td>Paris</td><td>open</td></tr>"
            "<tr><td></td><td></td></tr></tbody></table><p>After</p>",
            "Before\n\nPositions, 18 Dec\n\nActor | Position\nParis | open\n\nAfter",
        ),
        ("<td>stray cell</td> text", "stray cell text"),
        ("<p>Issue | A</p><p>Row | 1</p><p>prose</p>", "Issue | A\nRow | 1\n\nprose"),
        ("<p>only | one</p><p>prose</p>", "only | one\n\nprose"),
        ("<script>alert(1)</script><style>p{}</style><p>kept</p>", "kept"),
        ("<noscript>no</noscript><template><p>t</p></template>kept", "kept"),
        ("&lt;not a tag&gt; &amp; &eacute;&#233;&#x263A;", "<not a tag> & éé☺"),
        ("<pre>  two  spaces\n    indented</pre>", "  two  spaces\n    indented"),
        ("<h2>Head</h2>Body text", "Head\n\nBody text"),
        ("<blockquote>“We are ready,” he said.</blockquote>", "“We are ready,” he said."),
        ("[bold]not markup[/bold] <b>x</b>", "[bold]not markup[/bold] x"),
        ("<p>esc \x1b[31mred\x1b[0m &#27;[2J gone</p>", "esc red gone"),
        ("<p>unclosed <b>bold<p>next", "unclosed bold\n\nnext"),
        ("plain text\nwith newline", "plain text with newline"),
        ("no markup &amp; an entity &#8212; here", "no markup & an entity — here"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_html_to_text(html: str, expected: str) -> None:
    assert html_to_text(html) == expected


def test_html_to_text_survives_hostile_nesting() -> None:
    html = "<div>" * 200_000 + "deep words" + "</div>" * 200_000
    started = time.perf_counter()
    text = html_to_text(html)
    assert time.perf_counter() - started < 2.0
    assert text == "deep words"
    tricky = "<b>" * 50_000 + "bold" + "<script>" + "<div>" * 1000 + "hidden</script>shown"
    assert html_to_text(tricky) == "boldshown"


# --------------------------------------------------------------------------------------------
# decode

FRENCH = "Le président a déclaré « prêt au dialogue » — mais l’Élysée dément. Où est la vérité ?"
GERMAN = "Der Außenminister sagte, ein Gespräch sei „nicht geplant“. Später hieß es, man prüfe."
JAPANESE = (
    "首相は記者会見で、対話の用意があると述べた。しかし政府筋は電話会談の予定はないと語った。"
)
RUSSIAN = (
    "Представитель Кремля заявил, что телефонный разговор не планируется. "
    "Министр иностранных дел подтвердил позицию."
)


@pytest.mark.parametrize(
    ("text", "codec", "declared"),
    [
        (FRENCH, "cp1252", None),
        (FRENCH, "cp1252", "utf-8"),  # declaration contradicts the bytes
        (GERMAN, "cp1252", "UTF-8"),
        (FRENCH.replace("’", "'").replace("—", "-"), "latin-1", "ISO-8859-1"),
        ("“Curly” quotes – and a dash", "cp1252", "iso-8859-1"),
        (FRENCH, "utf-8", "iso-8859-1"),  # server default in front of a UTF-8 file
        (FRENCH, "utf-8", None),
        (FRENCH, "utf-8", "no-such-charset"),
        (JAPANESE, "shift_jis", None),
        (JAPANESE, "shift_jis", "utf-8"),
        (JAPANESE, "shift_jis", "Shift_JIS"),
        (JAPANESE, "euc_jp", "euc-jp"),
        (RUSSIAN, "koi8_r", None),
        (RUSSIAN, "koi8_r", "koi8-r"),
        (RUSSIAN, "cp1251", "windows-1251"),
        (JAPANESE, "utf-16", None),  # Python writes a BOM
        (FRENCH, "utf-8-sig", None),
        (FRENCH, "utf-8-sig", "windows-1252"),  # a BOM beats the header
        (FRENCH, "utf-32", None),
        ("", "utf-8", None),
    ],
)
def test_decode(text: str, codec: str, declared: str | None) -> None:
    assert decode(text.encode(codec), declared=declared) == text


@pytest.mark.parametrize(
    ("document", "codec"),
    [
        ('<?xml version="1.0" encoding="ISO-8859-1"?><a>{}</a>', "latin-1"),
        ('<?xml version="1.0" encoding="windows-1252"?><a>{}</a>', "cp1252"),
        ('<html><head><meta charset="shift_jis"></head><p>{}</p>', "shift_jis"),
        ('<meta http-equiv="Content-Type" content="text/html; charset=KOI8-R"><p>{}</p>', "koi8_r"),
    ],
)
def test_decode_in_document_declarations(document: str, codec: str) -> None:
    sample = {"latin-1": FRENCH.replace("’", "'").replace("—", "-"), "cp1252": FRENCH}.get(
        codec, JAPANESE if codec == "shift_jis" else RUSSIAN
    )
    text = document.format(sample)
    assert decode(text.encode(codec)) == text


def test_decode_ignores_a_utf16_label_on_ascii_bytes() -> None:
    text = '<?xml version="1.0" encoding="UTF-16"?><rss>Plain</rss>'
    assert decode(text.encode("utf-8")) == text
    assert decode(text.encode("utf-8"), declared="utf-16") == text


def test_decode_utf16_without_bom_by_its_xml_declaration() -> None:
    text = '<?xml version="1.0" encoding="UTF-16"?><rss>café</rss>'
    assert decode(text.encode("utf-16-le")) == text
    assert decode(text.encode("utf-16-be")) == text


def test_decode_never_raises_and_keeps_good_utf8_around_bad_bytes() -> None:
    assert decode("Genève et Zürich ".encode() + b"\xff\xfe\xfd").startswith("Genève et Zürich")
    for body in (bytes(range(256)), b"\x80" * 100, b"\x00\x01\x02", os.urandom(4096)):
        assert isinstance(decode(body), str)


def test_normalise_label() -> None:
    assert normalise_label("ISO-8859-1") == "cp1252"
    assert normalise_label(" US-ASCII ") == "cp1252"
    assert normalise_label('"utf-8"') == "utf_8"
    assert normalise_label("Shift_JIS") == "cp932"
    assert normalise_label("x-sjis") == "cp932"
    assert normalise_label("bogus-charset") is None
    assert normalise_label(None) is None


@pytest.mark.parametrize(
    "sentence",
    [
        "A seleção campeã não jogará amanhã; o técnico anunciou mudanças na convocação.",
        "La selección ganó el título y el entrenador anunció cambios en la convocatoria.",
        "Últimas notícias: a reunião dos ministros terminou sem acordo sobre a barragem.",
    ],
)
def test_undeclared_latin1_iberian_text_is_not_read_as_baltic(sentence: str) -> None:
    body = ("<rss><channel><title>Notícias</title><item><title>" + sentence).encode("latin-1")
    assert decode(body) == body.decode("cp1252")


@pytest.mark.parametrize(
    ("stamp", "expected"),
    [
        ("Mon, 04 Mar 2024 05:31:45 EST", dt.datetime(2024, 3, 4, 10, 31, 45, tzinfo=dt.UTC)),
        ("Sat, Dec 16 2023 02:02:33 PM", dt.datetime(2023, 12, 16, 2, 2, 33, tzinfo=dt.UTC)),
    ],
)
def test_dates_in_forms_the_fast_parser_leaves_are_still_read(
    stamp: str, expected: dt.datetime
) -> None:
    body = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item>'
        f"<title>Dated</title><link>https://d.example/1</link><pubDate>{stamp}</pubDate>"
        "</item></channel></rss>"
    ).encode()
    (article,) = parse_feed(body).articles
    assert article.published_at == expected
