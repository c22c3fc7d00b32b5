"""Fetch a batch of feed and page URLs politely, safely, and without one bad URL spoiling the rest.

Editors paste URLs from anywhere, and sources change behind our back, so everything a server
sends is treated as hostile until checked:

* only http and https, for the first URL *and* every redirect hop (a feed must never be able to
  point us at ``file:///etc/passwd``), so redirects are followed here rather than by httpx;
* a size cap enforced while streaming, and on the *decoded* bytes, so neither a huge page nor a
  small gzip "bomb" can exhaust memory;
* a timeout between bytes plus an overall deadline, so a server that drips one byte a second
  cannot hold a refresh hostage;
* content types checked before the body is downloaded, so a podcast episode or a PDF is refused
  instead of read into memory.

Every failure becomes a :class:`FetchResult` with a one-line message an editor can act on; no
exception escapes :func:`fetch_all` for a bad URL or a bad response.  Conditional GET
(``If-None-Match`` / ``If-Modified-Since``) keeps repeated polling cheap for us and for the
publishers, and per-host limits keep us from hammering any one site.
"""

from __future__ import annotations

import asyncio
import http
import ipaddress
import re
import socket
import ssl
import threading
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import httpx

from workbench import __version__
from workbench.ingest.types import FetchRequest, FetchResult

__all__ = ["FetchSettings", "fetch_all", "fetch_all_sync"]

#: Statuses that carry a Location to follow.  300 and 305 are deliberately absent: neither
#: names one place to go, and 305 ("use proxy") is a known way to redirect traffic.
_REDIRECTS = frozenset({301, 302, 303, 307, 308})

#: Media types we can do something with, besides anything under ``text/``.  The ``x-`` forms
#: are what older servers still send for feeds.
_ACCEPTED_TYPES = frozenset(
    {
        "application/xml",
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/xhtml+xml",
        "application/json",
        "application/feed+json",
        "application/x-rss+xml",
        "application/x-atom+xml",
    }
)

#: "I don't know what this is" labels; for these (and a missing header) the first bytes decide.
_UNLABELLED_TYPES = frozenset({"application/octet-stream", "binary/octet-stream"})

#: Prefer feeds, then pages; still say ``*/*`` so a mislabelling server answers at all and we
#: can judge what it sent ourselves, with a clear message.
_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml, "
    "text/html;q=0.9, application/xhtml+xml;q=0.9, application/xml;q=0.8, text/xml;q=0.8, "
    "application/json;q=0.7, text/*;q=0.5, */*;q=0.1"
)

#: Only encodings we decode ourselves (see :class:`_Decoder`); httpx's default would add
#: br/zstd whenever those packages happen to be installed, which we could not bound.
_ACCEPT_ENCODING = "gzip, deflate"

#: How many leading bytes decide whether an unlabelled body is text.
_SNIFF_BYTES = 512

#: Largest piece the decoder hands out at once; this is the "one chunk" over the size cap
#: that may be held in memory.
_PIECE = 64 * 1024

#: Leading bytes of binary formats that are common on news sites yet would pass as text.
_BINARY_MAGIC = (
    b"%PDF-",
    b"\x89PNG",
    b"GIF8",
    b"\xff\xd8\xff",
    b"PK\x03\x04",
    b"\x1f\x8b",
    b"RIFF",
    b"ID3",
    b"OggS",
    b"fLaC",
)

#: Control bytes never found in text (tab, newline, form feed, carriage return and escape are
#: allowed).
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]")

#: A host name as it reaches us from httpx (already IDNA-encoded and lower-cased), or an IP
#: literal.  httpx percent-encodes stray characters instead of refusing them ("exa mple.com").
_HOST = re.compile(r"[a-z0-9._-]+|[0-9a-f:.]+")

_MB = 1024 * 1024


def _default_user_agent() -> str:
    """Name the app and where to complain, as polite crawlers do; the version helps publishers."""
    return f"NewsroomWorkbench/{__version__} (+https://github.com/newsroom-workbench)"


@dataclass(frozen=True)
class FetchSettings:
    """The limits for one batch; the defaults suit feeds and article pages on the open web."""

    timeout: float = 20.0  # seconds for connect, and between bytes read
    deadline: float = 60.0  # whole request, so a server that drips bytes cannot hold us
    max_bytes: int = 10 * _MB
    max_redirects: int = 5
    per_host: int = 2  # polite: at most this many requests to one host at once
    concurrency: int = 16  # overall
    user_agent: str = _default_user_agent()

    def __post_init__(self) -> None:
        """Refuse nonsense early: a zero limit would silently fail or hang every request."""
        if self.timeout <= 0 or self.deadline <= 0:
            raise ValueError("timeout and deadline must be positive")
        if self.max_bytes < 1 or self.per_host < 1 or self.concurrency < 1:
            raise ValueError("max_bytes, per_host and concurrency must be at least 1")
        if self.max_redirects < 0:
            raise ValueError("max_redirects cannot be negative")


async def fetch_all(
    requests: Sequence[FetchRequest],
    settings: FetchSettings = FetchSettings(),
    *,
    on_result: Callable[[FetchResult], None] | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    cancel: threading.Event | None = None,
) -> list[FetchResult]:
    """Fetch every request concurrently; results come back in the order of ``requests``.

    ``cancel`` (set from any thread, e.g. when the editor quits) stops what is still
    running within a tenth of a second; those requests come back as "cancelled".

    ``on_result`` is called once per request as each finishes (in finishing order), always
    from this coroutine and never concurrently, so a progress display needs no locking.  An
    exception raised by ``on_result`` is the caller's bug: it cancels the rest and propagates.

    ``transport`` replaces the network (tests use ``httpx.MockTransport``); one client serves
    the whole batch so connections to the same site are reused.
    """
    if not requests:
        return []
    gates = _Gates(settings)
    client = httpx.AsyncClient(
        headers={
            "User-Agent": settings.user_agent,
            "Accept": _ACCEPT,
            "Accept-Encoding": _ACCEPT_ENCODING,
        },
        timeout=httpx.Timeout(settings.timeout),
        follow_redirects=False,
        limits=httpx.Limits(
            max_connections=settings.concurrency,
            max_keepalive_connections=settings.concurrency,
        ),
        transport=transport,
    )
    async with client:
        tasks = [
            asyncio.create_task(_fetch_one(client, request, settings, gates))
            for request in requests
        ]
        watcher = asyncio.create_task(_cancel_when(cancel, tasks)) if cancel else None
        try:
            for finished in asyncio.as_completed(tasks):
                try:
                    result = await finished
                except asyncio.CancelledError:
                    if cancel is not None and cancel.is_set():
                        continue
                    raise
                if on_result is not None:
                    on_result(result)
        finally:
            # Only reached with work pending when on_result raised or we were cancelled.
            for task in tasks:
                task.cancel()
            if watcher is not None:
                watcher.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        return [
            _cancelled(request) if task.cancelled() else task.result()
            for request, task in zip(requests, tasks, strict=True)
        ]


async def _cancel_when(cancel: threading.Event, tasks: list[asyncio.Task[FetchResult]]) -> None:
    while not cancel.is_set():
        await asyncio.sleep(0.1)
    for task in tasks:
        task.cancel()


def _cancelled(request: FetchRequest) -> FetchResult:
    return FetchResult(
        request,
        final_url=request.url,
        etag=request.etag,
        last_modified=request.last_modified,
        error_kind="cancelled",
        error=f"{request.url}: cancelled",
    )


def fetch_all_sync(
    requests: Sequence[FetchRequest],
    settings: FetchSettings = FetchSettings(),
    *,
    on_result: Callable[[FetchResult], None] | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    cancel: threading.Event | None = None,
) -> list[FetchResult]:
    """Run :func:`fetch_all` on a fresh event loop, for the CLI and for UI thread workers.

    ``on_result`` then runs on the calling thread; a UI must hand it over to its own thread.
    Not for use inside a running event loop (await :func:`fetch_all` there instead).
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass  # no loop here: the normal case
    else:
        raise RuntimeError("fetch_all_sync cannot run inside an event loop; await fetch_all")
    return asyncio.run(
        fetch_all(requests, settings, on_result=on_result, transport=transport, cancel=cancel)
    )


# --- one request -----------------------------------------------------------------------------


class _Failure(Exception):
    """A problem with one request; carried up to :func:`_fetch_one`, which turns it into a result.

    ``problem`` is the plain-words part of the message; the URL is prefixed later so every
    message names the URL the editor actually entered.
    """

    def __init__(self, kind: str, problem: str) -> None:
        super().__init__(problem)
        self.kind = kind
        self.problem = problem


@dataclass
class _Progress:
    """What we know so far about a request, so a failure can still report where it got to."""

    url: str
    status: int | None = None
    content_type: str | None = None
    charset: str | None = None


class _Gates:
    """The politeness limits: one overall semaphore, and one per host created on first use.

    Hosts are told apart by name only: two ports on one machine are still one publisher.
    """

    def __init__(self, settings: FetchSettings) -> None:
        self.overall = asyncio.Semaphore(settings.concurrency)
        self._per_host = settings.per_host
        self._hosts: dict[str, asyncio.Semaphore] = {}

    def host(self, name: str) -> asyncio.Semaphore:
        """The semaphore for ``name`` (single-threaded event loop, so no lock is needed)."""
        gate = self._hosts.get(name)
        if gate is None:
            gate = self._hosts[name] = asyncio.Semaphore(self._per_host)
        return gate


async def _fetch_one(
    client: httpx.AsyncClient, request: FetchRequest, settings: FetchSettings, gates: _Gates
) -> FetchResult:
    """Fetch one request; every failure, expected or not, comes back as a result."""
    progress = _Progress(url=request.url)
    try:
        url = _start_url(request.url)
        progress.url = str(url)
        async with gates.overall:
            return await _follow(client, request, url, settings, gates, progress)
    except _Failure as failure:
        return _failed(request, progress, failure.kind, failure.problem)
    except Exception as exc:  # any surprise stays inside this one request
        return _failed(request, progress, "error", f"failed unexpectedly ({type(exc).__name__})")


async def _follow(
    client: httpx.AsyncClient,
    request: FetchRequest,
    url: httpx.URL,
    settings: FetchSettings,
    gates: _Gates,
    progress: _Progress,
) -> FetchResult:
    """Fetch ``url``, following redirects one hop at a time so each Location is checked.

    Each hop holds only its own host's slot (holding two at once could deadlock two requests
    redirecting towards each other's hosts), and the deadline only runs while a slot is held:
    waiting politely behind other requests must not count against a slow-but-working site.
    """
    loop = asyncio.get_running_loop()
    budget = settings.deadline
    visited = {_without_fragment(url)}
    hops = 0
    while True:
        async with gates.host(url.host):
            started = loop.time()
            deadline = asyncio.timeout(budget)
            try:
                async with deadline:
                    outcome = await _one_hop(client, request, url, settings, progress)
            except TimeoutError:
                if deadline.expired():
                    raise _Failure(
                        "timeout", f"took longer than {settings.deadline:g} s in all"
                    ) from None
                raise
            budget -= loop.time() - started
        if isinstance(outcome, FetchResult):
            return outcome
        hops += 1
        url = _next_url(url, outcome)
        if hops > settings.max_redirects:
            raise _Failure("redirects", f"redirected more than {settings.max_redirects} times")
        key = _without_fragment(url)
        if key in visited:
            raise _Failure("redirects", "redirects in a loop")
        visited.add(key)
        progress.url = str(url)
        if budget <= 0:
            raise _Failure("timeout", f"took longer than {settings.deadline:g} s in all")


async def _one_hop(
    client: httpx.AsyncClient,
    request: FetchRequest,
    url: httpx.URL,
    settings: FetchSettings,
    progress: _Progress,
) -> FetchResult | str:
    """One GET: the final result, or the raw Location of a redirect to follow."""
    progress.status = None  # an earlier hop's 302 is not this hop's answer
    headers: dict[str, str] = {}
    if request.etag:
        headers["If-None-Match"] = request.etag
    if request.last_modified:
        headers["If-Modified-Since"] = request.last_modified
    try:
        async with client.stream("GET", url, headers=headers) as response:
            return await _handle_response(request, response, settings, progress)
    except httpx.HTTPError as exc:
        raise _transport_failure(exc, settings) from None


async def _handle_response(
    request: FetchRequest, response: httpx.Response, settings: FetchSettings, progress: _Progress
) -> FetchResult | str:
    """Judge the status and headers first, and read the body only when we want it.

    Returning early leaves the body unread; httpx then closes the connection instead of
    draining it, which is the point for huge or unwanted bodies.
    """
    status = response.status_code
    progress.status = status
    if status in _REDIRECTS:
        location = str(response.headers.get("location", "")).strip()
        if not location:
            raise _Failure("http", f"{_status_text(response)} without saying where to")
        return location
    if status == 304:
        return FetchResult(
            request=request,
            final_url=str(response.url),
            status=status,
            not_modified=True,
            # A 304 may repeat the validators or omit them; either way they still hold.
            etag=response.headers.get("etag") or request.etag,
            last_modified=response.headers.get("last-modified") or request.last_modified,
        )
    if not 200 <= status < 300:
        raise _Failure("http", _status_text(response))

    media_type, charset = _split_content_type(response.headers.get("content-type"))
    progress.content_type, progress.charset = media_type, charset
    labelled = media_type is not None and media_type not in _UNLABELLED_TYPES
    if media_type is not None and labelled and not _is_accepted(media_type):
        raise _Failure("content_type", f"not a feed or web page ({media_type})")
    declared = _content_length(response.headers.get("content-length"))
    if declared is not None and declared > settings.max_bytes:
        raise _Failure("too_large", f"larger than {_size(settings.max_bytes)}")

    body = await _read_body(response, settings.max_bytes, sniff=not labelled)
    return FetchResult(
        request=request,
        final_url=str(response.url),
        status=status,
        body=body,
        content_type=media_type,
        charset=charset,
        etag=response.headers.get("etag"),
        last_modified=response.headers.get("last-modified"),
    )


async def _read_body(response: httpx.Response, max_bytes: int, *, sniff: bool) -> bytes:
    """Stream and decode the body, stopping as soon as it exceeds ``max_bytes``.

    With ``sniff``, the first bytes must look like markup or text; a binary body is refused
    after reading only that much.
    """
    pieces: list[bytes] = []
    total = 0

    def take(piece: bytes) -> None:
        nonlocal total, sniff
        pieces.append(piece)
        total += len(piece)
        if total > max_bytes:
            raise _Failure("too_large", f"larger than {_size(max_bytes)}")
        if sniff and total >= _SNIFF_BYTES:
            _check_sniff(b"".join(pieces)[:_SNIFF_BYTES], response)
            sniff = False

    if response.is_stream_consumed:
        # Only a transport that hands over a ready-made body (httpx.MockTransport) gets here;
        # httpx has already read and decoded it, so there is nothing left to bound.
        for piece in _Decoder(None).feed(response.content):
            take(piece)
    else:
        decoder = _Decoder.for_encoding(response.headers.get("content-encoding"))
        async for raw in response.aiter_raw():
            for piece in decoder.feed(raw):
                take(piece)
        for piece in decoder.finish():
            take(piece)
    body = b"".join(pieces)
    if sniff:
        _check_sniff(body, response)
    return body


def _check_sniff(sample: bytes, response: httpx.Response) -> None:
    """Refuse an unlabelled body whose first bytes are binary."""
    if not _looks_textual(sample):
        label = response.headers.get("content-type") or "no content type"
        raise _Failure("content_type", f"not a feed or web page ({label}, and it looks binary)")


# --- URLs ------------------------------------------------------------------------------------


def _start_url(raw: str) -> httpx.URL:
    """Parse and check the URL an editor gave; pasted URLs often carry stray spaces."""
    return _checked(_parse(raw.strip()), redirect=False)


def _next_url(current: httpx.URL, location: str) -> httpx.URL:
    """Resolve a Location (relative ones are common) against the URL that sent it, and check it."""
    try:
        target = current.join(location)
    except (httpx.InvalidURL, ValueError, TypeError):
        raise _Failure("invalid_url", "redirected to an invalid address") from None
    return _checked(target, redirect=True)


def _parse(raw: str) -> httpx.URL:
    try:
        return httpx.URL(raw)
    except (httpx.InvalidURL, ValueError, TypeError):
        raise _Failure("invalid_url", "not a valid web address") from None


def _checked(url: httpx.URL, *, redirect: bool) -> httpx.URL:
    """Allow only http(s) URLs with a plausible host and port.

    The scheme is checked before the host because ``file:///etc/passwd`` has no host, and
    "not http" is the truer complaint about it.
    """
    scheme = url.scheme
    if scheme and scheme not in ("http", "https"):
        if redirect:
            raise _Failure(
                "scheme", f"redirected to a {scheme}: address; only http and https are fetched"
            )
        raise _Failure("scheme", f"a {scheme}: address; only http and https can be fetched")
    if not scheme or not url.host or not _HOST.fullmatch(url.host):
        problem = "redirected to an invalid address" if redirect else "not a valid web address"
        raise _Failure("invalid_url", problem)
    if url.port is not None and not 0 < url.port < 65536:
        raise _Failure("invalid_url", f"port {url.port} does not exist")
    if _link_local(url.host):
        raise _Failure("blocked", "a link-local address (cloud metadata); never fetched")
    return url


def _link_local(host: str) -> bool:
    """169.254.0.0/16 and fe80::/10 serve cloud instance metadata (credentials) and never
    news: a feed or a redirect pointing there is refused. Private and loopback addresses
    stay allowed, since desks do subscribe to intranet feeds. (A hostname that resolves to
    such an address is not caught here; that needs a resolving transport.)"""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_link_local
    except ValueError:
        return host.lower() in ("metadata.google.internal", "metadata")


def _without_fragment(url: httpx.URL) -> str:
    """Fragments never reach the server, so ``/a#x`` and ``/a`` are the same stop in a loop."""
    return str(url.copy_with(fragment=None))


def _display(url: str) -> str:
    """The URL for a message: one line, and without a password an editor may have pasted in."""
    url = " ".join(url.split())
    return re.sub(r"(//[^/@:]*):[^/@]*@", r"\1:***@", url) or "(no address)"


# --- responses -------------------------------------------------------------------------------


def _split_content_type(value: str | None) -> tuple[str | None, str | None]:
    """Media type and charset from a Content-Type header, both lower-cased."""
    if not value:
        return None, None
    media, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, param_value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = param_value.strip().strip("\"'").lower() or None
    return media.strip().lower() or None, charset


def _is_accepted(media_type: str) -> bool:
    return media_type.startswith("text/") or media_type in _ACCEPTED_TYPES


def _content_length(value: str | None) -> int | None:
    """The declared length, or None when absent or garbled (the stream cap still applies)."""
    if value is None:
        return None
    try:
        return int(value.split(",")[0].strip())
    except ValueError:
        return None


def _looks_textual(sample: bytes) -> bool:
    """Whether unlabelled leading bytes are markup or text rather than a binary file.

    Legacy 8-bit encodings are text too, so this looks for binary signs (magic numbers,
    control bytes) rather than demanding valid UTF-8.
    """
    if sample.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return True  # a byte-order mark is only ever put on text
    if sample.startswith(_BINARY_MAGIC):
        return False
    return _CONTROL.search(sample) is None


def _status_text(response: httpx.Response) -> str:
    """``HTTP 404 Not Found``, with the standard phrase if the server's is missing or odd."""
    status = response.status_code
    phrase = " ".join(response.reason_phrase.split())[:60]
    if not phrase or not phrase.isprintable():
        try:
            phrase = http.HTTPStatus(status).phrase
        except ValueError:
            phrase = ""
    return f"HTTP {status} {phrase}".rstrip()


def _size(n: int) -> str:
    """``10 MB`` rather than ``10485760``, since editors read these messages."""
    for unit, factor in (("GB", 1024 * _MB), ("MB", _MB), ("KB", 1024)):
        if n >= factor:
            return f"{round(n / factor, 1):g} {unit}"
    return f"{n} bytes"


def _failed(request: FetchRequest, progress: _Progress, kind: str, problem: str) -> FetchResult:
    return FetchResult(
        request=request,
        final_url=progress.url,
        status=progress.status,
        content_type=progress.content_type,
        charset=progress.charset,
        etag=request.etag,
        last_modified=request.last_modified,
        error_kind=kind,
        error=f"{_display(request.url)}: {problem}",
    )


def _transport_failure(exc: httpx.HTTPError, settings: FetchSettings) -> _Failure:
    """Translate an httpx exception into a kind and words an editor understands."""
    limit = f"{settings.timeout:g} s"
    if isinstance(exc, httpx.ConnectTimeout):
        return _Failure("timeout", f"took longer than {limit} to connect")
    if isinstance(exc, httpx.TimeoutException):
        return _Failure("timeout", f"took longer than {limit}")
    if isinstance(exc, httpx.UnsupportedProtocol):
        return _Failure("scheme", "only http and https can be fetched")
    if isinstance(exc, httpx.InvalidURL):
        return _Failure("invalid_url", "not a valid web address")
    if isinstance(exc, httpx.ProxyError):
        return _Failure("connect", "could not get through the proxy")
    if isinstance(exc, httpx.ConnectError):
        return _Failure("connect", _connect_problem(exc))
    if isinstance(exc, httpx.RemoteProtocolError):
        if "location header" in str(exc).lower():
            # httpx parses a redirect's Location even when not following it.
            return _Failure("invalid_url", "redirected to an invalid address")
        return _Failure("error", "the server broke off the connection or answered garbled")
    if isinstance(exc, httpx.NetworkError):
        return _Failure("error", "the connection broke off")
    return _Failure("error", f"failed ({type(exc).__name__})")


def _connect_problem(exc: BaseException) -> str:
    """Why a connection failed, judged from the OS error underneath httpx's own exception."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, socket.gaierror):
            return "could not find the server (unknown host name)"
        if isinstance(seen, ConnectionRefusedError):
            return "could not connect (connection refused)"
        if isinstance(seen, ssl.SSLCertVerificationError):
            return "secure connection failed (the site's certificate is not trusted)"
        if isinstance(seen, ssl.SSLError):
            return "secure connection failed"
        seen = seen.__cause__ or seen.__context__
    text = str(exc).lower()
    if "name or service not known" in text or "nodename nor servname" in text:
        return "could not find the server (unknown host name)"
    if "refused" in text:
        return "could not connect (connection refused)"
    return "could not connect"


class _Decoder:
    """Undo gzip or deflate at most ``_PIECE`` bytes at a time.

    httpx decodes each network chunk in one go, so a few kilobytes of gzip could become
    gigabytes before the size cap saw them; bounding each step keeps memory to the cap plus
    one piece.
    """

    def __init__(self, wbits: int | None) -> None:
        self._wbits = wbits
        self._zlib = zlib.decompressobj(wbits) if wbits is not None else None
        self._started = False

    @classmethod
    def for_encoding(cls, header: str | None) -> _Decoder:
        encoding = (header or "").strip().lower()
        if encoding in ("", "identity"):
            return cls(None)
        if encoding in ("gzip", "x-gzip"):
            return cls(16 + zlib.MAX_WBITS)
        if encoding == "deflate":
            return cls(zlib.MAX_WBITS)
        label = " ".join(encoding.split())[:40]
        raise _Failure("error", f"sent in a compression we cannot read ({label})")

    def feed(self, data: bytes) -> Iterator[bytes]:
        """Yield the decoded form of ``data`` in pieces of at most ``_PIECE`` bytes."""
        if self._zlib is None:
            for start in range(0, len(data), _PIECE):
                yield data[start : start + _PIECE]
            return
        yield from self._inflate(data)

    def finish(self) -> Iterator[bytes]:
        """Yield whatever the decompressor still holds once the input has ended."""
        if self._zlib is not None:
            yield from self._inflate(b"")

    def _inflate(self, data: bytes) -> Iterator[bytes]:
        assert self._zlib is not None
        pending = data
        while True:
            try:
                out = self._zlib.decompress(pending, _PIECE)
            except zlib.error:
                # Some servers send raw deflate without the zlib wrapper the standard asks for.
                if self._started or self._wbits != zlib.MAX_WBITS:
                    raise _Failure("error", "sent a damaged compressed body") from None
                self._wbits = -zlib.MAX_WBITS
                self._zlib = zlib.decompressobj(self._wbits)
                continue
            self._started = True
            pending = self._zlib.unconsumed_tail
            if out:
                yield out
            # A full piece may mean more output is buffered even with no input left.
            if not pending and len(out) < _PIECE:
                return
