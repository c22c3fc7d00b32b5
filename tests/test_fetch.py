"""Fetching against a real local HTTP server: the guarantees editors and the pipeline rely on.

Slowness is always the server's (a reply's ``delay`` or ``drip``); the tests never sleep, and
the limits are set small so the whole module stays fast.
"""

from __future__ import annotations

import asyncio
import gzip
import socket
import zlib

import httpx
import pytest

from tests.http_server import HTTPTestServer, http_server_fixture  # noqa: F401  (the fixture)
from workbench import __version__
from workbench.ingest.fetch import FetchSettings, fetch_all, fetch_all_sync
from workbench.ingest.types import FetchRequest, FetchResult

RSS = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>'
LAST_MODIFIED = "Tue, 03 Mar 2026 10:00:00 GMT"


def fetch(
    url: str, *, etag: str | None = None, last_modified: str | None = None, **limits: float
) -> FetchResult:
    """Fetch one URL with the given settings and check the message contract on failures."""
    request = FetchRequest(url, key="k", etag=etag, last_modified=last_modified)
    (result,) = fetch_all_sync([request], FetchSettings(**limits))  # type: ignore[arg-type]
    assert result.request is request
    assert_message_shape(result)
    return result


def assert_message_shape(result: FetchResult) -> None:
    """Failures say one line naming the URL; successes say nothing."""
    if result.ok:
        assert result.error is None
        return
    assert result.error is not None
    assert "\n" not in result.error and "Traceback" not in result.error
    assert result.error.startswith(" ".join(result.request.url.split()) + ": ")
    assert result.body is None


# --- success and conditional GET -------------------------------------------------------------


def test_200_returns_body_type_charset_and_validators(http_server: HTTPTestServer) -> None:
    url = http_server.route(
        "/feed.xml",
        body=RSS,
        content_type='Application/RSS+XML; Charset="ISO-8859-1"',
        etag='"v1"',
        last_modified=LAST_MODIFIED,
    )
    result = fetch(url)
    assert result.ok and result.status == 200 and not result.not_modified
    assert result.body == RSS
    assert result.content_type == "application/rss+xml"
    assert result.charset == "iso-8859-1"
    assert result.final_url == url
    assert (result.etag, result.last_modified) == ('"v1"', LAST_MODIFIED)


def test_304_on_matching_etag_keeps_validators(http_server: HTTPTestServer) -> None:
    url = http_server.route("/feed", body=RSS, etag='"v1"')
    result = fetch(url, etag='"v1"', last_modified=LAST_MODIFIED)
    assert http_server.requests[0].headers["if-none-match"] == '"v1"'
    assert http_server.requests[0].headers["if-modified-since"] == LAST_MODIFIED
    assert result.ok and result.not_modified and result.status == 304
    assert result.body is None
    # The 304 repeated the ETag but not Last-Modified: ours still holds.
    assert (result.etag, result.last_modified) == ('"v1"', LAST_MODIFIED)


def test_304_on_last_modified(http_server: HTTPTestServer) -> None:
    url = http_server.route("/feed", body=RSS, last_modified=LAST_MODIFIED)
    result = fetch(url, last_modified=LAST_MODIFIED)
    assert http_server.requests[0].headers["if-modified-since"] == LAST_MODIFIED
    assert "if-none-match" not in http_server.requests[0].headers
    assert result.ok and result.not_modified and result.body is None
    assert result.last_modified == LAST_MODIFIED


def test_changed_resource_returns_new_validators(http_server: HTTPTestServer) -> None:
    newer = "Wed, 04 Mar 2026 10:00:00 GMT"
    url = http_server.route("/feed", body=RSS, etag='"v2"', last_modified=newer)
    result = fetch(url, etag='"v1"', last_modified=LAST_MODIFIED)
    assert result.ok and not result.not_modified and result.body == RSS
    assert (result.etag, result.last_modified) == ('"v2"', newer)


def test_gzip_body_is_decoded(http_server: HTTPTestServer) -> None:
    page = b"<html><body>" + b"<p>news</p>" * 5000 + b"</body></html>"
    url = http_server.route(
        "/page",
        body=gzip.compress(page),
        content_type="text/html",
        headers={"Content-Encoding": "gzip"},
        chunk_size=1000,
    )
    assert fetch(url).body == page


def test_raw_deflate_body_is_decoded(http_server: HTTPTestServer) -> None:
    squeezer = zlib.compressobj(wbits=-zlib.MAX_WBITS)  # no zlib header, as some servers do
    page = b"plain text " * 100
    url = http_server.route(
        "/t",
        body=squeezer.compress(page) + squeezer.flush(),
        headers={"Content-Encoding": "deflate"},
    )
    assert fetch(url).body == page


# --- HTTP errors and timeouts ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "words"), [(404, "HTTP 404 Not Found"), (500, "HTTP 500 Internal Server Error")]
)
def test_http_error_status(http_server: HTTPTestServer, status: int, words: str) -> None:
    url = http_server.route("/feed", status=status, body=b"nope")
    result = fetch(url)
    assert (result.error_kind, result.status) == ("http", status)
    assert result.error == f"{url}: {words}"


def test_server_that_does_not_answer_times_out(http_server: HTTPTestServer) -> None:
    url = http_server.route("/slow", body=RSS, delay=3.0)
    result = fetch(url, timeout=0.3)
    assert result.error_kind == "timeout"
    assert result.error == f"{url}: took longer than 0.3 s"


def test_server_that_drips_hits_the_deadline(http_server: HTTPTestServer) -> None:
    # One byte every 0.1 s never trips the 1 s gap timeout; only the overall deadline stops it.
    url = http_server.route("/drip", body=b"x" * 100, drip=0.1, chunk_size=1)
    result = fetch(url, timeout=1.0, deadline=0.5)
    assert result.error_kind == "timeout"
    assert result.error == f"{url}: took longer than 0.5 s in all"
    (record,) = http_server.wait_for_requests("/drip")
    assert not record.completed and record.body_bytes_sent < 100


def test_connection_refused(http_server: HTTPTestServer) -> None:
    url = http_server.refused_url("/feed")
    result = fetch(url)
    assert result.error_kind == "connect" and result.status is None
    assert result.error == f"{url}: could not connect (connection refused)"


def test_redirect_to_a_dead_server_reports_no_status(http_server: HTTPTestServer) -> None:
    dead = http_server.refused_url("/moved")
    url = http_server.route("/old", redirect=dead, status=301)
    result = fetch(url)
    assert result.error_kind == "connect" and result.status is None
    assert result.final_url == dead
    assert result.error == f"{url}: could not connect (connection refused)"


def test_password_in_url_stays_out_of_the_message(http_server: HTTPTestServer) -> None:
    url = http_server.refused_url("/feed").replace("//", "//editor:s3cret@")
    result = fetch_all_sync([FetchRequest(url)])[0]
    assert result.error_kind == "connect"
    assert result.error is not None and "s3cret" not in result.error
    assert "editor:***@" in result.error


# --- redirects and schemes -------------------------------------------------------------------


def test_redirect_chain_of_three_arrives(http_server: HTTPTestServer) -> None:
    http_server.route("/a", redirect="/b", status=301)  # relative
    http_server.route("/b", redirect=http_server.url("/c"), status=307)  # absolute
    http_server.route("/c", redirect="final.xml", status=308)  # relative to /c
    http_server.route("/final.xml", body=RSS, content_type="application/rss+xml")
    result = fetch(http_server.url("/a"))
    assert result.ok and result.body == RSS
    assert result.final_url == http_server.url("/final.xml")
    assert [r.path for r in http_server.requests] == ["/a", "/b", "/c", "/final.xml"]


def test_redirect_loop(http_server: HTTPTestServer) -> None:
    http_server.route("/loop/a", redirect="/loop/b")
    http_server.route("/loop/b", redirect="/loop/a#again")
    result = fetch(http_server.url("/loop/a"))
    assert result.error_kind == "redirects"
    assert result.error == f"{http_server.url('/loop/a')}: redirects in a loop"
    assert len(http_server.requests) == 2


@pytest.mark.parametrize(("hops", "ok"), [(5, True), (6, False)])
def test_redirect_limit(http_server: HTTPTestServer, hops: int, ok: bool) -> None:
    first = http_server.redirect_chain("/hop", hops)
    result = fetch(first, max_redirects=5)
    assert result.ok is ok
    if not ok:
        assert result.error_kind == "redirects"
        assert result.error == f"{first}: redirected more than 5 times"
        assert len(http_server.requests) == 6  # the 7th URL was never asked for
        assert result.final_url == http_server.url("/hop5")  # the last one answered


@pytest.mark.parametrize("target", ["file:///etc/passwd", "ftp://ftp.example.com/feed.xml"])
def test_redirect_to_another_scheme_is_refused(http_server: HTTPTestServer, target: str) -> None:
    url = http_server.route("/sneaky", redirect=target)
    result = fetch(url)
    assert result.error_kind == "scheme" and result.status == 302
    scheme = target.split(":")[0]
    assert result.error == (
        f"{url}: redirected to a {scheme}: address; only http and https are fetched"
    )


@pytest.mark.parametrize("target", ["http://[::1", "http://exa mple.com/"])
def test_redirect_to_a_broken_address(http_server: HTTPTestServer, target: str) -> None:
    url = http_server.route("/broken", redirect=target)
    result = fetch(url)
    assert result.error_kind == "invalid_url"
    assert result.error == f"{url}: redirected to an invalid address"


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.com/f", "data:text/html,hi", "javascript:x()"]
)
def test_first_url_must_be_http(url: str) -> None:
    result = fetch(url)
    assert result.error_kind == "scheme" and result.status is None


@pytest.mark.parametrize(
    "url", ["http://[::1", "not a url", "http://", "http:///feed", "https://exa mple.com/"]
)
def test_unparseable_url(url: str) -> None:
    result = fetch(url)
    assert result.error_kind == "invalid_url" and result.status is None
    assert result.error == f"{url}: not a valid web address"


def test_empty_url_still_gets_a_readable_message() -> None:
    (result,) = fetch_all_sync([FetchRequest("  ")])
    assert result.error_kind == "invalid_url"
    assert result.error == "(no address): not a valid web address"


# --- size and content type -------------------------------------------------------------------


def test_declared_length_over_the_cap_is_refused_unread(http_server: HTTPTestServer) -> None:
    body = b"<rss>" + b"x" * (1024 * 1024)
    # The server writes slowly, so it notices the client hanging up long before the end.
    url = http_server.route("/big", body=body, chunk_size=4096, drip=0.005)
    result = fetch(url, max_bytes=1000)
    assert result.error_kind == "too_large" and result.status == 200
    assert result.error == f"{url}: larger than 1000 bytes"
    (record,) = http_server.wait_for_requests("/big")
    assert not record.completed
    assert record.body_bytes_sent < len(body) // 10


def test_chunked_body_over_the_cap_is_cut_off(http_server: HTTPTestServer) -> None:
    url = http_server.route("/chunked", body=b"y" * 50_000, chunked=True, chunk_size=512)
    result = fetch(url, max_bytes=10 * 1024)
    assert result.error_kind == "too_large"
    assert result.error == f"{url}: larger than 10 KB"


def test_small_gzip_that_inflates_past_the_cap_is_refused(http_server: HTTPTestServer) -> None:
    bomb = gzip.compress(b" " * (20 * 1024 * 1024))  # ~20 KB on the wire
    url = http_server.route("/bomb", body=bomb, headers={"Content-Encoding": "gzip"})
    result = fetch(url, max_bytes=1024 * 1024)
    assert result.error_kind == "too_large"
    assert result.error == f"{url}: larger than 1 MB"


@pytest.mark.parametrize("media", ["image/png", "application/pdf", "video/mp4"])
def test_unwanted_content_type_is_refused(http_server: HTTPTestServer, media: str) -> None:
    url = http_server.route("/file", body=b"\x89PNG\r\n" + b"\0" * 5000, content_type=media)
    result = fetch(url)
    assert result.error_kind == "content_type" and result.content_type == media
    assert result.error == f"{url}: not a feed or web page ({media})"


@pytest.mark.parametrize(
    ("content_type", "body", "ok"),
    [
        (None, b"\n  <?xml version='1.0'?><feed/>", True),
        ("application/octet-stream", b"<!doctype html><p>hi</p>", True),
        ("application/octet-stream", "Caf\u00e9 news, plain text".encode("latin-1"), True),
        ("application/json", b'{"version": "https://jsonfeed.org/version/1.1"}', True),
        ("text/markdown", b"# Heading\n\nText.", True),
        ("application/octet-stream", b"\x89PNG\r\n\x1a\n" + b"\0" * 600, False),
        (None, b"%PDF-1.7\n" + b"x" * 600, False),
        (None, b"abc\x00\x01\x02", False),
    ],
)
def test_unlabelled_bodies_are_judged_by_their_first_bytes(
    http_server: HTTPTestServer, content_type: str | None, body: bytes, ok: bool
) -> None:
    url = http_server.route("/thing", body=body, content_type=content_type)
    result = fetch(url)
    assert result.ok is ok, result.error
    if ok:
        assert result.body == body
    else:
        assert result.error_kind == "content_type"
        assert "looks binary" in (result.error or "")


# --- batches, politeness, progress -----------------------------------------------------------


def test_batch_keeps_order_and_isolates_failures(http_server: HTTPTestServer) -> None:
    for n in range(4):
        http_server.route(f"/good/{n}", body=f"body {n}")
    http_server.route("/missing", status=404)
    urls = [
        http_server.url("/good/0"),
        http_server.url("/missing"),
        http_server.url("/good/1"),
        http_server.url("/good/2"),
        "file:///etc/passwd",
        http_server.url("/good/3"),
    ]
    results = fetch_all_sync([FetchRequest(url, key=i) for i, url in enumerate(urls)])
    assert [r.request.key for r in results] == list(range(6))
    assert [r.error_kind for r in results] == [None, "http", None, None, "scheme", None]
    assert [r.body for r in results if r.ok] == [b"body 0", b"body 1", b"body 2", b"body 3"]
    for result in results:
        assert_message_shape(result)


def test_at_most_per_host_requests_at_once(http_server: HTTPTestServer) -> None:
    for n in range(6):
        http_server.route(f"/slow/{n}", body=b"ok", delay=0.15)
    requests = [FetchRequest(http_server.url(f"/slow/{n}")) for n in range(6)]
    results = fetch_all_sync(requests, FetchSettings(per_host=2, concurrency=16))
    assert all(r.ok for r in results)
    assert http_server.max_concurrent("/slow/") == 2


def test_overall_concurrency_limit_holds_too(http_server: HTTPTestServer) -> None:
    for n in range(4):
        http_server.route(f"/slow/{n}", body=b"ok", delay=0.1)
    requests = [FetchRequest(http_server.url(f"/slow/{n}")) for n in range(4)]
    fetch_all_sync(requests, FetchSettings(per_host=4, concurrency=1))
    assert http_server.max_concurrent("/slow/") == 1


def test_identifies_itself_and_prefers_feeds(http_server: HTTPTestServer) -> None:
    url = http_server.route("/feed", body=RSS)
    fetch(url)
    headers = http_server.requests[0].headers
    assert headers["user-agent"] == (
        f"NewsroomWorkbench/{__version__} (+https://github.com/newsroom-workbench)"
    )
    accept = headers["accept"]
    assert accept.startswith("application/rss+xml, application/atom+xml")
    assert "text/html;q=0.9" in accept
    assert headers["accept-encoding"] == "gzip, deflate"


async def test_on_result_reports_each_request_once_as_it_finishes(
    http_server: HTTPTestServer,
) -> None:
    slow = http_server.route("/slow", body=b"slow", delay=0.3)
    fast = http_server.route("/fast", body=b"fast")
    requests = [FetchRequest(slow), FetchRequest(fast), FetchRequest("not a url")]
    seen: list[FetchResult] = []
    results = await fetch_all(requests, on_result=seen.append)
    assert [r.request for r in results] == requests
    assert len(seen) == 3 and {id(r) for r in seen} == {id(r) for r in results}
    assert seen[-1].request.url == slow  # reported when it finished, not in list order


def test_empty_batch() -> None:
    assert fetch_all_sync([]) == []


# --- failures below HTTP (the transport is faked only here) -----------------------------------


def test_unknown_host_is_a_connect_error() -> None:
    def lookup_fails(request: httpx.Request) -> httpx.Response:
        try:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        except socket.gaierror as exc:
            raise httpx.ConnectError("[Errno -2] Name or service not known") from exc

    url = "https://no-such-host.example/feed"
    (result,) = fetch_all_sync([FetchRequest(url)], transport=httpx.MockTransport(lookup_fails))
    assert result.error_kind == "connect"
    assert result.error == f"{url}: could not find the server (unknown host name)"


def test_a_surprise_inside_one_request_stays_there() -> None:
    def transport(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/boom":
            raise RuntimeError("something\nmultiline")
        return httpx.Response(200, content=b"fine", headers={"Content-Type": "text/plain"})

    requests = [FetchRequest("https://a.example/boom"), FetchRequest("https://a.example/ok")]
    boom, fine = fetch_all_sync(requests, transport=httpx.MockTransport(transport))
    assert boom.error_kind == "error"
    assert boom.error == "https://a.example/boom: failed unexpectedly (RuntimeError)"
    assert fine.ok and fine.body == b"fine"


def test_a_failing_progress_callback_stops_the_batch() -> None:
    def transport(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"x", headers={"Content-Type": "text/plain"})

    def broken(result: FetchResult) -> None:
        raise ValueError("UI bug")

    with pytest.raises(ValueError, match="UI bug"):
        fetch_all_sync(
            [FetchRequest("https://a.example/1"), FetchRequest("https://a.example/2")],
            on_result=broken,
            transport=httpx.MockTransport(transport),
        )


def test_settings_refuse_nonsense() -> None:
    with pytest.raises(ValueError):
        FetchSettings(per_host=0)
    with pytest.raises(ValueError):
        FetchSettings(timeout=0)


def test_sync_wrapper_refuses_a_running_loop() -> None:
    async def inside() -> None:
        with pytest.raises(RuntimeError):
            fetch_all_sync([FetchRequest("https://a.example/")])

    asyncio.run(inside())


@pytest.mark.parametrize(
    "address", ["http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/feed"]
)
def test_link_local_metadata_addresses_are_never_fetched(address: str) -> None:
    result = fetch_all_sync([FetchRequest(address)])[0]
    assert result.error_kind == "blocked" and "link-local" in (result.error or "")


def test_a_redirect_to_a_metadata_address_is_refused(http_server: HTTPTestServer) -> None:
    url = http_server.route("/bounce", redirect="http://169.254.169.254/latest/meta-data/")
    result = fetch(url)
    assert result.error_kind == "blocked" and result.body is None


def test_a_fetch_can_be_cancelled_from_another_thread(http_server: HTTPTestServer) -> None:
    import threading

    url = http_server.route("/stuck", body=b"late", delay=30.0)
    cancel = threading.Event()
    timer = threading.Timer(0.2, cancel.set)
    timer.start()
    result = fetch_all_sync([FetchRequest(url)], cancel=cancel)[0]
    timer.join()
    assert result.error_kind == "cancelled"
