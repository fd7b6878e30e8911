"""plotly.js named in the page's HTML head, so it loads while Streamlit starts.

A script run's elements reach the page only after Streamlit's own scripts have
loaded, connected and rendered the whole page (~2-3 s here); a component asking
for plotly.js then (even the first element of the page) left the charts waiting
another ~1 s for its download and parse. An ``async`` script in the head is
fetched at once and run in the idle time while Streamlit's modules load;
``plotly_loader.js`` finds that tag and waits for it instead of loading again.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable

MARK = b"data-mikir-plotly"  # the tag plotly_loader.js looks for
MAX_HTML_BYTES = 256 * 1024  # Streamlit's index.html is ~1.5 KB; anything else passes


def plotly_tag(src: str) -> bytes:
    # onerror marks a failed load: the loader then tries again on its own
    return (f'<script async {MARK.decode()} src="{src}" '
            'onerror="this.dataset.failed=1"></script>').encode()


class PageHead:
    """ASGI middleware: add the plotly.js tag to every HTML page Streamlit serves."""

    def __init__(self, app, src: Callable[[], str]):
        self.app = app
        self.src = src  # called per page: the URL is versioned by content

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("method") != "GET":
            await self.app(scope, receive, send)
            return
        start: dict = {}
        chunks: list[bytes] = []
        passing = False

        async def capture(message):
            nonlocal passing
            if passing:
                await send(message)
            elif message["type"] == "http.response.start":
                start.update(message)
                headers = {n.lower(): v for n, v in message.get("headers", [])}
                if (message.get("status") != 200
                        or not headers.get(b"content-type", b"").startswith(b"text/html")
                        or int(headers.get(b"content-length", b"0") or 0) > MAX_HTML_BYTES):
                    passing = True
                    await send(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    await send_page(b"".join(chunks))
            else:
                await send(message)

        async def send_page(body: bytes) -> None:
            original = start.get("headers", [])
            encoding = {n.lower(): v for n, v in original}.get(b"content-encoding", b"")
            if encoding not in (b"", b"gzip"):  # not ours to rewrite: as it came
                await send(start)
                await send({"type": "http.response.body", "body": body})
                return
            if encoding == b"gzip":
                body = gzip.decompress(body)  # ~1.5 KB: sent plain, with the tag
            if MARK not in body:
                body = body.replace(b"</head>", plotly_tag(self.src()) + b"</head>", 1)
            headers = [(n, v) for n, v in original
                       if n.lower() not in (b"content-length", b"content-encoding")]
            headers.append((b"content-length", str(len(body)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, capture)
