"""Streamlit's scripts gzipped once (playground/compressed_assets.py), driven as ASGI."""

from __future__ import annotations

import asyncio
import concurrent.futures
import gzip

from playground.compressed_assets import CompressedAssets

SCRIPT = b"export const x = 1;\n" * 400  # 8 KB of JavaScript


class Files:
    """A stand-in for Streamlit's static route: counts how often it is asked."""

    def __init__(self, status=200, kind=b"application/javascript", body=SCRIPT):
        self.calls, self.status, self.kind, self.body = 0, status, kind, body

    async def __call__(self, scope, receive, send):
        self.calls += 1
        await send({"type": "http.response.start", "status": self.status,
                    "headers": [(b"content-type", self.kind),
                                (b"content-length", str(len(self.body)).encode()),
                                (b"etag", b'"abc"')]})
        await send({"type": "http.response.body", "body": self.body})


def get(app, path="/static/js/index.abc.js", method="GET", headers=None):
    headers = [(b"accept-encoding", b"gzip, deflate")] if headers is None else headers
    scope = {"type": "http", "method": method, "path": path, "headers": headers}
    sent = []

    async def receive():
        return {"type": "http.request", "body": b""}

    async def send(message):
        sent.append(message)

    # in a thread of its own: a test run may already have an event loop here
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, app(scope, receive, send)).result()
    start = sent[0]
    return start["status"], dict(start["headers"]), b"".join(
        m.get("body", b"") for m in sent[1:])


def test_a_script_is_gzipped_once_and_then_served_from_memory():
    files = Files()
    app = CompressedAssets(files)
    for _ in range(3):
        status, headers, body = get(app)
        assert status == 200 and headers[b"content-encoding"] == b"gzip"
        assert gzip.decompress(body) == SCRIPT
        assert int(headers[b"content-length"]) == len(body) < len(SCRIPT) / 5
        assert headers[b"vary"] == b"Accept-Encoding" and headers[b"etag"] == b'"abc"'
    assert files.calls == 1


def test_everything_else_passes_through_untouched():
    cases = [
        (Files(), {"headers": []}),  # the browser did not ask for gzip
        (Files(), {"method": "HEAD"}),
        (Files(), {"path": "/_stcore/health"}),
        (Files(), {"headers": [(b"accept-encoding", b"gzip"), (b"range", b"bytes=0-9")]}),
        (Files(), {"headers": [(b"accept-encoding", b"gzip"), (b"if-none-match", b'"abc"')]}),
        (Files(status=404), {}),
        (Files(kind=b"image/png"), {}),
        (Files(body=b"tiny"), {}),
    ]
    for files, request in cases:
        status, headers, body = get(CompressedAssets(files), **request)
        assert b"content-encoding" not in headers, request
        assert (status, body) == (files.status, files.body) and files.calls == 1
