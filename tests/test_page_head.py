"""plotly.js named in the page's HTML head (playground/page_head.py), driven as ASGI,
and in Chromium: loaded once, before the live view asks for it."""

from __future__ import annotations

import gzip
import re

from test_compressed_assets import Files, get

from playground import stream
from playground.page_head import MARK, PageHead

INDEX = b"<!doctype html><html><head><title>x</title></head><body><div id=root></div></body></html>"
SRC = "/_mikir/plotly.js?v=abc123"


def head_of(body: bytes) -> bytes:
    return body.split(b"</head>", 1)[0]


def test_the_page_gets_one_async_plotly_tag_in_its_head():
    status, headers, body = get(PageHead(Files(kind=b"text/html; charset=utf-8", body=INDEX),
                                         src=lambda: SRC), path="/")
    assert status == 200
    assert body.count(MARK) == 1 and MARK in head_of(body)
    assert f'src="{SRC}"'.encode() in head_of(body) and b"<script async" in body
    assert int(headers[b"content-length"]) == len(body)
    assert body.replace(body[body.index(b"<script async"):body.index(b"</script>") + 9],
                        b"") == INDEX  # nothing else changed


def test_a_gzipped_page_is_tagged_and_a_tagged_page_is_not_tagged_twice():
    packed = Files(kind=b"text/html", body=gzip.compress(INDEX))

    async def gzipped(scope, receive, send):  # as Streamlit's gzip middleware sends it
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/html"), (b"content-encoding", b"gzip"),
                                (b"content-length", str(len(packed.body)).encode())]})
        await send({"type": "http.response.body", "body": packed.body})

    status, headers, body = get(PageHead(gzipped, src=lambda: SRC), path="/")
    assert b"content-encoding" not in headers and body.count(MARK) == 1
    tagged = body
    status, headers, body = get(PageHead(Files(kind=b"text/html", body=tagged),
                                         src=lambda: SRC), path="/")
    assert body == tagged


def test_everything_but_html_pages_passes_through_untouched():
    for files, request in [(Files(), {}), (Files(status=404, kind=b"text/html", body=INDEX), {}),
                           (Files(kind=b"application/json", body=b"{}"), {"path": "/x"}),
                           (Files(kind=b"text/html", body=INDEX), {"method": "HEAD"})]:
        status, headers, body = get(PageHead(files, src=lambda: SRC), **request)
        assert (status, body) == (files.status, files.body), request


def test_the_browser_loads_plotly_once_from_the_head_and_draws_the_charts(app_url, page):
    loads = []
    page.on("request", lambda request: loads.append(request.url)
            if "/_mikir/plotly.js" in request.url else None)
    page.goto(app_url)
    page.wait_for_function("window.__liveView && window.__liveView.framesDrawn >= 1"
                           " && document.querySelectorAll('.live-view .main-svg').length >= 3",
                           timeout=60_000)
    assert page.locator("head script[data-mikir-plotly]").count() == 1
    assert len(loads) == 1, loads
    assert page.evaluate("document.querySelectorAll('script[src*=\"/_mikir/plotly.js\"]')"
                         ".length") == 1
    # the file starts plotly when asked, once: the same Plotly each time, the bundle's own
    version = re.search(rb"plotly\.js \(cartesian - minified\) v([0-9.]+)",
                        stream.PLOTLY_FILE.read_bytes()[:400]).group(1).decode()
    assert page.evaluate("window.__mikirPlotlyInit() === window.Plotly"
                         " && window.__mikirPlotlyInit() === window.Plotly") is True
    assert page.evaluate("window.Plotly.version") == version
