"""Canonical article URLs: the same story reached by different links must compare equal."""

from __future__ import annotations

import pytest

from workbench.ingest.urls import (
    TRACKING_PARAMETERS,
    TRACKING_PREFIXES,
    canonical_url,
    is_tracking_parameter,
)

CASES: list[tuple[str, str]] = [
    # scheme and host lowercased, path case kept
    ("HTTPS://News.Example.COM/World/Story", "https://news.example.com/World/Story"),
    # default ports dropped, others kept
    ("http://news.example:80/a", "http://news.example/a"),
    ("https://news.example:443/a", "https://news.example/a"),
    ("http://news.example:443/a", "http://news.example:443/a"),
    ("https://news.example:8443/a", "https://news.example:8443/a"),
    ("https://news.example:/a", "https://news.example/a"),
    # fragment dropped
    ("https://news.example/a#comments", "https://news.example/a"),
    ("https://news.example/a?id=3#top", "https://news.example/a?id=3"),
    # tracking parameters dropped, others kept in order
    (
        "https://news.example/a?utm_source=rss&id=7&utm_medium=feed&page=2",
        "https://news.example/a?id=7&page=2",
    ),
    ("https://news.example/a?fbclid=IwAR0xyz", "https://news.example/a"),
    ("https://news.example/a?z=1&gclid=abc&a=2&msclkid=q", "https://news.example/a?z=1&a=2"),
    ("https://news.example/a?mc_cid=1&mc_eid=2&igshid=3&_ga=4&_gl=5", "https://news.example/a"),
    ("https://news.example/a?yclid=1&ref_src=twsrc&cmpid=x&dclid=y", "https://news.example/a"),
    ("https://news.example/a?UTM_Campaign=Winter&Id=1", "https://news.example/a?Id=1"),
    ("https://news.example/a?ref=homepage", "https://news.example/a?ref=homepage"),
    # empty query removed, empty pieces dropped, values untouched
    ("https://news.example/a?", "https://news.example/a"),
    ("https://news.example/a?&&q=Caf%C3%A9+bar&", "https://news.example/a?q=Caf%C3%A9+bar"),
    ("https://news.example/a?q=x=y&flag", "https://news.example/a?q=x=y&flag"),
    # empty path becomes "/"
    ("https://news.example", "https://news.example/"),
    ("https://news.example?id=1", "https://news.example/?id=1"),
    ("https://news.example#x", "https://news.example/"),
    # user information keeps its case; IPv6 hosts and ports
    ("https://Editor:PaSS@News.Example/a", "https://Editor:PaSS@news.example/a"),
    ("http://[2001:DB8::1]:80/a", "http://[2001:db8::1]/a"),
    ("http://[2001:db8::1]:8080/a", "http://[2001:db8::1]:8080/a"),
    # trailing slash, dot segments and encoded path characters are the server's business
    ("https://news.example/a/", "https://news.example/a/"),
    ("https://news.example/a/../B%2Fc", "https://news.example/a/../B%2Fc"),
    # surrounding whitespace stripped
    ("  https://news.example/a\n", "https://news.example/a"),
    # not http(s): stripped, otherwise untouched
    ("  mailto:Desk@News.Example?subject=Hi  ", "mailto:Desk@News.Example?subject=Hi"),
    ("FTP://Files.Example/Doc.TXT#x", "FTP://Files.Example/Doc.TXT#x"),
    ("//news.example/a?utm_source=x", "//news.example/a?utm_source=x"),
    ("not a url at all", "not a url at all"),
    ("", ""),
    ("javascript:alert(1)", "javascript:alert(1)"),
]


@pytest.mark.parametrize(("url", "expected"), CASES)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


@pytest.mark.parametrize(("url", "_expected"), CASES)
def test_canonical_url_is_idempotent(url: str, _expected: str) -> None:
    once = canonical_url(url)
    assert canonical_url(once) == once


def test_same_story_from_different_links_is_one_url() -> None:
    links = [
        "https://News.Example/world/talks?utm_source=rss&utm_medium=feed",
        "https://news.example:443/world/talks#comments",
        "https://news.example/world/talks?fbclid=IwAR123&gclid=xyz",
    ]
    assert len({canonical_url(link) for link in links}) == 1


def test_tracking_list_is_documented_and_matches_case_insensitively() -> None:
    for name in ("utm_source", "utm_anything", "fbclid", "gclid", "dclid", "msclkid", "mc_cid"):
        assert is_tracking_parameter(name)
    for name in ("mc_eid", "igshid", "_ga", "_gl", "yclid", "ref_src", "cmpid", "FBCLID"):
        assert is_tracking_parameter(name)
    assert is_tracking_parameter("utm%5Fsource")  # percent-encoded underscore
    for name in ("id", "page", "q", "ref", "article", "utm"):
        assert not is_tracking_parameter(name)
    assert all(name == name.lower() for name in TRACKING_PARAMETERS)
    assert "utm_" in TRACKING_PREFIXES
