"""Subscription lists in and out (OPML).

Reading uses listparser, given bytes only (so it never fetches anything itself): it is
forgiving with the ill-formed OPML that real lists are (bare ``&``, unescaped quotes,
wrong encodings), which a strict XML parser would reject outright. Writing uses the
standard library's ElementTree, which escapes every attribute.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from db.clean import strip_controls
from workbench.ingest.decode import decode
from workbench.ingest.urls import canonical_url

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*?\?>", re.I)


class OpmlError(Exception):
    """The file holds no subscription list; the message names it."""


@dataclass(frozen=True)
class Subscription:
    url: str
    title: str


def read_opml(body: bytes, *, name: str) -> tuple[list[Subscription], list[str]]:
    """The feeds an OPML file lists (duplicates merged) and warnings about skipped ones."""
    import listparser

    result = listparser.parse(_as_utf8(body))
    feeds = result.get("feeds") or []
    if not feeds and result.get("bozo"):
        raise OpmlError(f"{name}: not a subscription list ({result.get('bozo_exception')})")
    if not feeds:
        raise OpmlError(f"{name}: lists no feeds")
    subscriptions: dict[str, Subscription] = {}
    warnings: list[str] = []
    for feed in feeds:
        url = strip_controls(str(feed.get("url", ""))).strip()
        if urlsplit(url).scheme.lower() not in ("http", "https"):
            warnings.append(f"{name}: skipped {url or 'an entry without a URL'} (not http/https)")
            continue
        key = canonical_url(url)
        if key in subscriptions:
            continue
        title = " ".join(strip_controls(str(feed.get("title") or "")).split())
        subscriptions[key] = Subscription(url=url, title=title or urlsplit(url).netloc)
    return list(subscriptions.values()), warnings


def _as_utf8(body: bytes) -> bytes:
    """The list decoded by us and handed over as UTF-8 that says so.

    listparser reads with lxml's HTML parser, which ignores an XML declaration's legacy
    encoding (bytes come out as U+FFFD) and takes undeclared bytes for Latin-1, although
    XML without a declaration is UTF-8.
    """
    text = _XML_DECLARATION.sub("", decode(body), count=1)
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + text).encode("utf-8")


def write_opml(feeds: Iterable[tuple[str, str]], *, title: str = "Newsroom Workbench feeds") -> str:
    """OPML 2.0 for (title, url) pairs."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    body = ET.SubElement(root, "body")
    for name, url in feeds:
        ET.SubElement(body, "outline", type="rss", text=name, title=name, xmlUrl=url)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
