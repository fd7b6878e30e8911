"""Streamlit's own scripts and styles, gzipped once and kept in memory.

Streamlit serves its front end (~2.9 MB of JavaScript and CSS for a first visit)
uncompressed: its gzip middleware skips the static paths to spare the CPU of
compressing on every request. These files never change while the server runs
(their names carry a content hash), so compressing each once and keeping the
result costs ~1 MB of memory and cuts what a learner on a slow link downloads
about threefold. Everything else passes through untouched.
"""

from __future__ import annotations

import gzip
import threading

COMPRESSIBLE = (b"javascript", b"text/css", b"json", b"svg", b"text/plain")
MAX_CACHE_BYTES = 16 * 2**20  # compressed bytes kept; beyond it files go uncompressed
MIN_BYTES = 1024


class CompressedAssets:
    """ASGI middleware: gzip GET responses under ``prefixes`` once, serve the copy."""

    def __init__(self, app, prefixes: tuple[str, ...] = ("/static/",)):
        self.app = app
        self.prefixes = prefixes
        self._cache: dict[str, tuple[list, bytes]] = {}
        self._cached_bytes = 0
        self._lock = threading.Lock()

    async def __call__(self, scope, receive, send):
        if not self._wanted(scope):
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        with self._lock:
            hit = self._cache.get(path)
        if hit is not None:
            await _send(send, *hit)
            return
        start, chunks = {}, []

        async def capture(message):
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        body = b"".join(chunks)
        headers = list(start.get("headers", []))
        names = {name.lower(): value for name, value in headers}
        kind = names.get(b"content-type", b"")
        if (start.get("status") != 200 or b"content-encoding" in names
                or len(body) < MIN_BYTES or not any(k in kind for k in COMPRESSIBLE)):
            await send(start or {"type": "http.response.start", "status": 500, "headers": []})
            await send({"type": "http.response.body", "body": body})
            return
        packed = gzip.compress(body, compresslevel=6, mtime=0)
        headers = [(n, v) for n, v in headers if n.lower() not in (b"content-length", b"vary")]
        headers += [(b"content-encoding", b"gzip"), (b"vary", b"Accept-Encoding"),
                    (b"content-length", str(len(packed)).encode())]
        with self._lock:
            if self._cached_bytes + len(packed) <= MAX_CACHE_BYTES:
                self._cache[path] = (headers, packed)
                self._cached_bytes += len(packed)
        await _send(send, headers, packed)

    def _wanted(self, scope) -> bool:
        if scope["type"] != "http" or scope.get("method") != "GET":
            return False
        if not scope["path"].startswith(self.prefixes):
            return False
        headers = dict(scope.get("headers", []))
        return (b"gzip" in headers.get(b"accept-encoding", b"")
                and b"range" not in headers and b"if-none-match" not in headers)


async def _send(send, headers, body) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})
