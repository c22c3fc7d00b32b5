"""A real HTTP server on 127.0.0.1 for tests that fetch over the network.

Why a real server instead of mocking the HTTP library: timeouts, streamed bodies, redirects,
connection reuse, cut-off connections and concurrency are exactly what mocks get wrong, and a
server on a free local port costs a few milliseconds.  It runs in a daemon thread and answers
each request on its own thread (``ThreadingHTTPServer``), so slow routes really overlap.

Use it from a test module either way (both provide the ``http_server`` fixture)::

    from tests.http_server import HTTPTestServer, http_server_fixture  # noqa: F401
    # or, at the top of the module:
    pytest_plugins = ["tests.http_server"]

(The function is called ``http_server_fixture`` and registered under the name
``http_server``, so importing it does not clash with the test parameter of that name, which
ruff would report as a redefinition.)

    def test_reads_feed(http_server: HTTPTestServer) -> None:
        http_server.route("/feed.xml", body=b"<rss/>", content_type="application/rss+xml")
        result = fetch(http_server.url("/feed.xml"))
        assert http_server.requests[0].headers["user-agent"].startswith("NewsroomWorkbench/")

A route maps a path to a :class:`Reply` (status, headers, body, and how to send it: a delay
before answering, a slow "drip" of the body, chunked encoding, a lying Content-Length, a
redirect, conditional-GET validators), or to a function that builds one per request.  Unknown
paths answer 404.  Every request is recorded as a :class:`RecordedRequest`, including how much
of the body the server managed to write before the client hung up.

Waiting never uses ``sleep``: :meth:`HTTPTestServer.wait_for_requests` blocks on a condition
until the server has *finished* handling requests (e.g. to inspect a cut-short write), and
every delay in a reply wakes up at once when the fixture shuts down, so slow routes cost a
test nothing after it ends.
"""

from __future__ import annotations

import dataclasses
import email.utils
import os
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Literal

import pytest

__all__ = [
    "HTTPTestServer",
    "RecordedRequest",
    "Reply",
    "ReplyFunction",
    "http_server_fixture",
    "now_http_date",
]


@dataclass(frozen=True)
class Reply:
    """What a route answers, and how it sends it.

    Timing knobs exist because client behaviour under slow servers is what tests need to pin
    down: ``delay`` holds back the whole response (a server that does not answer), while
    ``drip`` spaces out the body (a server that answers but trickles).
    """

    #: None means 200, or 302 when ``redirect`` is set.
    status: int | None = None
    body: bytes | str = b""  # str is sent as UTF-8
    #: Sent as the Content-Type header; None sends none.
    content_type: str | None = "text/plain; charset=utf-8"
    #: Extra headers, sent after the ones above (so they can override them).
    headers: Mapping[str, str] = field(default_factory=dict)
    #: Seconds to wait after reading the request, before sending anything.
    delay: float = 0.0
    #: Seconds to wait before each piece of the body (see ``chunk_size``).
    drip: float = 0.0
    #: Bytes per write of the body; None writes it in one go.
    chunk_size: int | None = None
    #: Send ``Transfer-Encoding: chunked`` (no Content-Length); each piece is one chunk.
    chunked: bool = False
    #: "auto" sends the true length; an int sends that (a lie, for truncation tests, after
    #: which the connection is closed); None sends no length and ends the body by closing.
    content_length: int | Literal["auto"] | None = "auto"
    #: Sent as Location (relative or absolute, any scheme: tests need hostile ones too).
    redirect: str | None = None
    #: Conditional GET: with these set, a request whose If-None-Match matches ``etag`` (or,
    #: without If-None-Match, whose If-Modified-Since is not older than ``last_modified``)
    #: gets a bodiless 304; every other answer carries them as ETag / Last-Modified.
    etag: str | None = None
    last_modified: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.body, str):
            object.__setattr__(self, "body", self.body.encode("utf-8"))
        if self.chunk_size is not None and self.chunk_size < 1:
            raise ValueError("chunk_size must be at least 1")

    @property
    def payload(self) -> bytes:
        """The body as bytes (``__post_init__`` already encoded a str)."""
        assert isinstance(self.body, bytes)
        return self.body


#: A route that computes its reply from the request (e.g. to answer differently each time).
ReplyFunction = Callable[["RecordedRequest"], Reply]


@dataclass(eq=False)
class RecordedRequest:
    """One request the server received, and what became of the reply.

    The ``body_bytes_sent`` / ``completed`` / ``error`` fields are filled in while the reply is
    written; read them after :meth:`HTTPTestServer.wait_for_requests` so they are final.
    """

    method: str
    path: str  # as sent, query string included
    headers: dict[str, str]  # names lower-cased; a repeated header keeps its last value
    body: bytes = b""
    status: int | None = None  # the status answered, once known
    body_bytes_sent: int = 0  # body bytes (not chunk framing) the socket accepted
    completed: bool = False  # the whole reply was written
    error: str | None = None  # e.g. "BrokenPipeError" when the client hung up mid-reply
    done: threading.Event = field(default_factory=threading.Event, repr=False)
    _counted_out: bool = field(default=False, repr=False)

    @property
    def bare_path(self) -> str:
        """The path without its query string."""
        return self.path.split("?", 1)[0]


class _Aborted(Exception):
    """The fixture is shutting down; stop answering at once."""


class HTTPTestServer:
    """A threaded HTTP/1.1 server on 127.0.0.1 with a route table that tests fill in.

    Thread-safe: handlers run on server threads while the test reads ``requests``.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._routes: dict[str, Reply | ReplyFunction] = {}
        self._requests: list[RecordedRequest] = []
        #: (+1 | -1, path) in the order requests started and finished, for max_concurrent.
        self._activity: list[tuple[int, str]] = []
        self._closing = threading.Event()
        self._refusing: list[socket.socket] = []
        self._httpd = _Server(("127.0.0.1", 0), _Handler, owner=self)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.01},  # also how long shutting down takes
            name="http-test-server",
            daemon=True,
        )

    # --- lifecycle -------------------------------------------------------------------------

    def start(self) -> HTTPTestServer:
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving; delays and drips still running wake up and give up."""
        self._closing.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)
        for sock in self._refusing:
            sock.close()

    def __enter__(self) -> HTTPTestServer:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.close()

    # --- addresses -------------------------------------------------------------------------

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "/") -> str:
        """The absolute URL of ``path`` on this server."""
        return self.base_url + (path if path.startswith("/") else "/" + path)

    def refused_url(self, path: str = "/") -> str:
        """A URL on a local port where connections are refused, for as long as the server lives.

        The port is held by a bound socket that never listens, so unlike "a port that was free
        a moment ago" no other process can grab it in between.
        """
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self._refusing.append(sock)
        port = sock.getsockname()[1]
        return f"http://127.0.0.1:{port}" + (path if path.startswith("/") else "/" + path)

    # --- routes ----------------------------------------------------------------------------

    def route(
        self, path: str, reply: Reply | ReplyFunction | None = None, /, **fields: object
    ) -> str:
        """Answer ``path`` with ``reply``, or with ``Reply(**fields)``; returns the route's URL.

        ``path`` matches the request path exactly, query string included; a route without a
        query also answers requests whose path has one.  Re-routing a path replaces it.
        """
        if reply is None:
            reply = Reply(**fields)  # type: ignore[arg-type]
        elif fields:
            raise TypeError("give either a Reply (or function) or Reply fields, not both")
        with self._lock:
            self._routes[path] = reply
        return self.url(path)

    def redirect_chain(self, prefix: str, hops: int, final: Reply | None = None) -> str:
        """Routes ``{prefix}0`` → ``{prefix}1`` → … → ``{prefix}{hops}`` (which answers
        ``final``, by default "ok"); returns the first URL.  Locations are relative.
        """
        for hop in range(hops):
            self.route(f"{prefix}{hop}", redirect=f"{prefix}{hop + 1}")
        self.route(f"{prefix}{hops}", final or Reply(body=b"ok"))
        return self.url(f"{prefix}0")

    # --- what happened ---------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request so far, in arrival order (a snapshot)."""
        with self._lock:
            return list(self._requests)

    def requests_to(self, path: str) -> list[RecordedRequest]:
        """The requests for ``path`` (compared without query string unless ``path`` has one)."""
        return [r for r in self.requests if _path_matches(r, path)]

    def max_concurrent(self, prefix: str = "/") -> int:
        """The most requests whose path starts with ``prefix`` that were in progress at once.

        A request counts from when it has been read until just *before* the last byte of its
        reply is written, so its interval lies strictly inside the client's own view of it: a
        client limiting itself to N requests in flight can never be seen here as N + 1.
        """
        with self._lock:
            activity = list(self._activity)
        current = peak = 0
        for step, path in activity:
            if path.startswith(prefix):
                current += step
                peak = max(peak, current)
        return peak

    def wait_for_requests(
        self, path: str, count: int = 1, timeout: float = 5.0
    ) -> list[RecordedRequest]:
        """Block until ``count`` requests for ``path`` have arrived and been fully handled.

        For asserting on what the server did after the client gave up (a cut-short write),
        without guessing with sleeps.  Fails the test after ``timeout`` seconds.
        """

        def finished() -> list[RecordedRequest]:
            found = [r for r in self._requests if _path_matches(r, path)]
            return found if len(found) >= count and all(r.done.is_set() for r in found) else []

        with self._changed:
            if not self._changed.wait_for(finished, timeout):
                raise AssertionError(f"{count} request(s) to {path} not handled in {timeout} s")
            return finished()

    # --- used by the handler threads -------------------------------------------------------

    def _begin(self, record: RecordedRequest) -> None:
        with self._changed:
            self._requests.append(record)
            self._activity.append((1, record.bare_path))
            self._changed.notify_all()

    def _count_out(self, record: RecordedRequest) -> None:
        with self._lock:
            if not record._counted_out:
                record._counted_out = True
                self._activity.append((-1, record.bare_path))

    def _finish(self, record: RecordedRequest) -> None:
        self._count_out(record)
        with self._changed:
            record.done.set()
            self._changed.notify_all()

    def _reply_for(self, record: RecordedRequest) -> Reply:
        with self._lock:
            found = self._routes.get(record.path) or self._routes.get(record.bare_path)
        if found is None:
            return Reply(status=404, body=f"no route for {record.path}\n")
        if isinstance(found, Reply):
            reply = found
        else:
            try:
                reply = found(record)
            except Exception as exc:  # a broken test route should say so, not hang the client
                return Reply(status=500, body=f"route function failed: {exc!r}\n")
        if _not_modified(reply, record.headers):
            return dataclasses.replace(reply, status=304, body=b"", content_type=None)
        return reply

    def _pause(self, seconds: float) -> None:
        """Wait, unless the server is closing: then give up at once."""
        if seconds > 0 and self._closing.wait(seconds):
            raise _Aborted


def _path_matches(record: RecordedRequest, path: str) -> bool:
    return record.path == path if "?" in path else record.bare_path == path


def _not_modified(reply: Reply, headers: Mapping[str, str]) -> bool:
    """Conditional GET as RFC 9110 has it: If-None-Match wins over If-Modified-Since."""
    if_none_match = headers.get("if-none-match")
    if if_none_match is not None:
        if reply.etag is None:
            return False
        tags = [tag.strip() for tag in if_none_match.split(",")]
        weak = reply.etag.removeprefix("W/")
        return "*" in tags or any(tag.removeprefix("W/") == weak for tag in tags)
    since = headers.get("if-modified-since")
    if since is None or reply.last_modified is None:
        return False
    try:
        return email.utils.parsedate_to_datetime(
            reply.last_modified
        ) <= email.utils.parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False


class _Server(ThreadingHTTPServer):
    """The socket server, knowing its :class:`HTTPTestServer`."""

    daemon_threads = True
    # Many clients connect at once in concurrency tests; the default backlog of 5 would drop
    # connections, and the client's retry after a second would make tests slow and flaky.
    request_queue_size = 128

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        *,
        owner: HTTPTestServer,
    ) -> None:
        self.owner = owner
        super().__init__(address, handler)

    def handle_error(self, request: object, client_address: object) -> None:
        """A client hanging up is normal in these tests; don't print tracebacks for it."""
        if not isinstance(sys.exc_info()[1], ConnectionError | _Aborted):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class _Handler(BaseHTTPRequestHandler):
    """Reads a request, records it, and writes the routed :class:`Reply` as instructed."""

    protocol_version = "HTTP/1.1"  # keep-alive and chunked encoding, as real servers do
    server: _Server

    def do_GET(self) -> None:
        self._serve(with_body=True)

    def do_POST(self) -> None:
        self._serve(with_body=True)

    def do_PUT(self) -> None:
        self._serve(with_body=True)

    def do_DELETE(self) -> None:
        self._serve(with_body=True)

    def do_HEAD(self) -> None:
        self._serve(with_body=False)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: pytest output is for failures."""

    def _serve(self, *, with_body: bool) -> None:
        owner = self.server.owner
        length = int(self.headers.get("Content-Length") or 0)
        record = RecordedRequest(
            method=self.command,
            path=self.path,
            headers={name.lower(): value for name, value in self.headers.items()},
            body=self.rfile.read(length) if length else b"",
        )
        owner._begin(record)
        try:
            reply = owner._reply_for(record)
            self._send(reply, record, with_body=with_body)
        except (ConnectionError, _Aborted) as exc:
            record.error = type(exc).__name__
            self.close_connection = True
        finally:
            owner._finish(record)

    def _send(self, reply: Reply, record: RecordedRequest, *, with_body: bool) -> None:
        owner = self.server.owner
        owner._pause(reply.delay)
        status = reply.status if reply.status is not None else (302 if reply.redirect else 200)
        record.status = status
        body = reply.payload if status not in (204, 304) else b""
        self.send_response(status)
        if reply.content_type is not None:
            self.send_header("Content-Type", reply.content_type)
        if reply.redirect is not None:
            self.send_header("Location", reply.redirect)
        if reply.etag is not None:
            self.send_header("ETag", reply.etag)
        if reply.last_modified is not None:
            self.send_header("Last-Modified", reply.last_modified)
        if status not in (204, 304):
            if reply.chunked:
                self.send_header("Transfer-Encoding", "chunked")
            elif reply.content_length == "auto":
                self.send_header("Content-Length", str(len(body)))
            elif reply.content_length is None:
                self.send_header("Connection", "close")
                self.close_connection = True
            else:
                self.send_header("Content-Length", str(reply.content_length))
                if reply.content_length != len(body):
                    self.close_connection = True  # the client would wait for the rest forever
        for name, value in reply.headers.items():
            self.send_header(name, value)

        pieces = list(_pieces(body, reply.chunk_size)) if with_body else []
        frames = [(len(p), b"%x\r\n%s\r\n" % (len(p), p)) for p in pieces] if reply.chunked else []
        if reply.chunked and with_body:
            frames.append((0, b"0\r\n\r\n"))
        elif not reply.chunked:
            frames = [(len(p), p) for p in pieces]
        if not frames:
            owner._count_out(record)  # the header block is the last write
        self.end_headers()
        for index, (size, frame) in enumerate(frames):
            if size:
                owner._pause(reply.drip)
            if index == len(frames) - 1:
                owner._count_out(record)
            self.wfile.write(frame)
            record.body_bytes_sent += size
        record.completed = True


def _pieces(body: bytes, size: int | None) -> Iterator[bytes]:
    if not body:
        return
    step = size or len(body)
    for start in range(0, len(body), step):
        yield body[start : start + step]


@pytest.fixture(name="http_server")
def http_server_fixture(monkeypatch: pytest.MonkeyPatch) -> Iterator[HTTPTestServer]:
    """A fresh local HTTP server per test; see the module docstring for how to use it.

    Adds the loopback addresses to NO_PROXY, so a developer's HTTP(S)_PROXY setting (which
    HTTP clients honour) cannot send test traffic off to a proxy that cannot reach it.
    """
    for name in ("NO_PROXY", "no_proxy"):
        hosts = [os.environ.get(name, ""), "127.0.0.1", "localhost"]
        monkeypatch.setenv(name, ",".join(h for h in hosts if h))
    with HTTPTestServer() as server:
        yield server


def now_http_date() -> str:
    """The current time as an HTTP date, for ``Reply(last_modified=...)``."""
    return email.utils.formatdate(time.time(), usegmt=True)
