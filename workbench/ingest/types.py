"""The shapes that pass between the ingest stages (fetch → parse → tables → store).

Plain dataclasses with no behaviour, so each stage can be written and tested alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class FetchRequest:
    """One URL to fetch, with what we know from the last time (for a conditional GET)."""

    url: str
    key: int | str | None = None  # the caller's id for it (a source id)
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class FetchResult:
    request: FetchRequest
    final_url: str  # after redirects
    status: int | None = None  # HTTP status, None when no response arrived
    body: bytes | None = None  # None for 304 and for failures
    content_type: str | None = None  # media type only, lowercased ("application/rss+xml")
    charset: str | None = None  # from the Content-Type header, if any
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False  # 304: nothing new since the validators we sent
    #: None on success; else one of: "timeout", "connect", "http", "too_large",
    #: "redirects", "scheme", "content_type", "invalid_url", "blocked", "cancelled", "error"
    error_kind: str | None = None
    error: str | None = None  # one line, names the URL's problem, fit for an editor

    @property
    def ok(self) -> bool:
        return self.error_kind is None


@dataclass(frozen=True)
class ParsedArticle:
    """One article as a parser found it; text already decoded and cleaned of controls."""

    title: str
    text: str  # paragraphs separated by a blank line
    url: str | None = None
    byline: str = ""
    published_at: dt.datetime | None = None  # aware UTC
    guid: str | None = None  # a feed entry's id
    outlet: str = ""  # the site or feed name, when the document says


@dataclass(frozen=True)
class ParsedDocument:
    """What one fetched or read document turned out to hold."""

    kind: str  # "feed" | "page" | "text"
    articles: list[ParsedArticle]
    title: str = ""  # the feed's own title, or the page title
    warnings: list[str] = field(default_factory=list)  # e.g. a bozo feed that still parsed
