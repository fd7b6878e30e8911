"""Shared fixtures for real-browser tests: a Streamlit server and a Chromium page.

Modelled on Streamlit's own e2e_playwright/conftest.py. `streamlit_server` is
also used by bench/bench_live_chart.py, so it imports nothing from the tests.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
SERVER_PIDS: dict[str, int] = {}  # base URL -> pid of the server process (for /proc reads)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(app_path: str | Path, timeout: float = 30.0, cwd: str | Path = ROOT,
                     env: dict | None = None, run_as: Sequence[str] = ()) -> Iterator[str]:
    """Run `streamlit run app_path` on 127.0.0.1 and yield its base URL.

    Started from the repository root (``cwd`` to start it elsewhere), in its
    own process group so stopping it stops every child too; ``run_as`` goes
    before the command (e.g. setpriv, to run it as another user).
    """
    app_path = Path(app_path).resolve()
    port = free_port()
    log = tempfile.TemporaryFile()
    command = [
        *run_as, sys.executable, "-m", "streamlit", "run", str(app_path),
        "--server.headless", "true",
        "--server.address", "127.0.0.1",
        "--server.port", str(port),
        "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                log.seek(0)
                output = log.read().decode(errors="replace")
                raise RuntimeError(f"streamlit exited early:\n{output}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
                    if response.read() == b"ok":
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"streamlit did not answer on {url} within {timeout} s")
            time.sleep(0.1)
        SERVER_PIDS[url] = process.pid
        yield url
    finally:
        SERVER_PIDS.pop(url, None)
        _stop(process)
        log.close()


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM the server's process group, SIGKILL it if it lingers."""
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def chromium_path() -> str | None:
    """A Chromium to drive: $CHROMIUM_PATH, a system one, else None."""
    candidates = [os.environ.get("CHROMIUM_PATH"), "/usr/bin/chromium"]
    candidates += [shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome")]
    return next((path for path in candidates if path and os.access(path, os.X_OK)), None)


@contextlib.contextmanager
def launch_chromium() -> Iterator[object]:
    """Yield a Playwright Browser: the system Chromium, else Playwright's own."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


def playground_app_test(timeout: float = 30):
    """The playground as a Streamlit AppTest, whole from its first run: a browser's live
    view asks for the run that draws the controls (app.py), and AppTest has none."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(PLAYGROUND_APP.parent / "app.py"), default_timeout=timeout)
    at.session_state["controls_shown"] = True
    return at


def wait_for_app(page, timeout: float = 30_000) -> None:
    """Wait until Streamlit has run the script (not mid-run) and the page is whole: a
    tab's first run keeps places for controls the next run draws (app.py)."""
    page.wait_for_function(
        "() => !!document.querySelector('[data-testid=stApp][data-test-script-state=notRunning]')"
        " && !document.querySelector('[class*=\"st-key-controls_coming\"]')",
        timeout=timeout, polling=50,
    )


@pytest.fixture(scope="session")
def browser():
    try:
        context = launch_chromium()
        browser = context.__enter__()
    except Exception as error:  # no Chromium, or Playwright without browsers
        message = f"no browser for real-browser tests: {error}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    try:
        yield browser
    finally:
        context.__exit__(None, None, None)


@pytest.fixture
def browser_page(browser):
    """A fresh page (own context: own cookies, own Streamlit session)."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


PLAYGROUND_APP = ROOT / "playground" / "serve.py"  # the page is app.py; serve.py adds routes


@pytest.fixture(scope="session")
def app_url():
    """One playground server for every browser test (each page is its own session)."""
    with streamlit_server(PLAYGROUND_APP) as url:
        yield url


@pytest.fixture
def page(browser):
    """A fresh 1440×1000 page with its own cookies, Streamlit session and downloads."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000},
                                  accept_downloads=True)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def press_and_expect(button, label: str) -> None:
    """Click a Play/Pause button once; it must then show ``label``.

    While the live view redraws ten times a second, Streamlit's page can fold a
    click into the charts' own fragment rerun; live.folded_input recovers it, so
    one click has to do (this used to need a second click now and then).
    """
    from playwright.sync_api import expect

    button.click()
    expect(button).to_contain_text(label, timeout=10_000)
