"""First impressions in a Chromium with no devtools attached, as a learner's is.

Playwright drives Chromium through the devtools protocol, and an attached inspector
changes what a page costs: V8 then records where every caught exception happened,
re-parsing the functions on the stack for their source positions. plotly.js's start
throws and catches a few (feature tests in its bundled polyfills) inside its 1.5 MB
bundle function: ~0.25-0.35 s of re-parsing with an inspector, none without (its start
measured 250-390 ms driven by Playwright, 45-52 ms in a plain headless Chromium).

Here the benchmark's own probe runs as a browser extension's content script (in the
page's world, at document start, as Playwright's init script does), and reports by
``navigator.sendBeacon`` to a collector on 127.0.0.1: nothing is attached to the page.
Each load is a fresh Chromium process with a fresh profile (no cache).
"""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

REPORT_JS = """
(() => {
  const wantControls = __CONTROLS__;
  const send = () => {
    const B = window.__bench;
    if (!B || B.readyAt === null || (wantControls && !('controls' in B.marks))) return false;
    const n = performance.getEntriesByType('navigation')[0] || {};
    navigator.sendBeacon('__URL__', JSON.stringify({
      readyAt: B.readyAt, marks: B.marks,
      navigation: { dcl: n.domContentLoadedEventEnd || null, load: n.loadEventEnd || null } }));
    return true;
  };
  const timer = setInterval(() => { if (send()) clearInterval(timer); }, 20);
})();
"""


class _Collector(http.server.BaseHTTPRequestHandler):
    reports: list[dict]

    def do_POST(self):  # noqa: N802 - the http.server API
        length = int(self.headers.get("content-length") or 0)
        with contextlib.suppress(ValueError):
            self.reports.append(json.loads(self.rfile.read(length)))
        self.send_response(204)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.end_headers()

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def collector() -> Iterator[tuple[str, list[dict]]]:
    """(URL to post reports to, the list they arrive in), served on 127.0.0.1."""
    reports: list[dict] = []
    handler = type("Handler", (_Collector,), {"reports": reports})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/report", reports
    finally:
        server.shutdown()
        server.server_close()


def write_extension(directory: Path, probe_js: str, report_url: str, controls: bool) -> Path:
    """An unpacked extension running ``probe_js`` and the reporter in every page."""
    directory.mkdir(parents=True, exist_ok=True)
    manifest = {"manifest_version": 3, "name": "bench probe", "version": "1.0",
                "content_scripts": [{"matches": ["<all_urls>"], "js": ["probe.js"],
                                     "run_at": "document_start", "world": "MAIN"}]}
    (directory / "manifest.json").write_text(json.dumps(manifest))
    reporter = (REPORT_JS.replace("__CONTROLS__", "true" if controls else "false")
                .replace("__URL__", report_url))
    (directory / "probe.js").write_text(probe_js + "\n" + reporter)
    return directory


def load_once(chromium: str, extension: Path, url: str, reports: list[dict],
              viewport: dict, timeout: float = 30.0) -> dict | None:
    """Open ``url`` in a fresh headless Chromium; the probe's report, or None."""
    before = len(reports)
    with tempfile.TemporaryDirectory(prefix="bench-bare-") as profile:
        process = subprocess.Popen(
            [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
             f"--user-data-dir={profile}", f"--load-extension={extension}",
             f"--disable-extensions-except={extension}",
             f"--window-size={viewport['width']},{viewport['height']}", url],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            deadline = time.monotonic() + timeout
            while len(reports) == before and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return reports[before] if len(reports) > before else None
