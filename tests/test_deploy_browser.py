"""Hosting: the app runs from a read-only tree, from any folder.

A hosted app (a container image, a hosting service) may not write into its own
tree and is started from wherever the host likes. Here the source is copied,
made read-only (chmod) and started from `/`, twice: as root (as in CI, where
permissions do not stop root's writes) on a read-only bind mount, where the kernel
refuses every write; and as the unprivileged user ``nobody``, who owns nothing
there. The page must draw every chart and show no traceback, and the tree must be
unchanged. (``nobody`` keeps one capability, to read and search folders: the
interpreter lives under /root here, which no other user may enter. It cannot write
anything it does not own.)
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path

import pytest
from conftest import ROOT, SERVER_PIDS, streamlit_server, wait_for_app
from playwright.sync_api import expect


def read_only_copy(target: Path) -> Path:
    for folder in ("mikir", "playground"):
        shutil.copytree(ROOT / folder, target / folder,
                        ignore=shutil.ignore_patterns("__pycache__", "static"))
    for path in [target, *target.rglob("*")]:
        mode = path.stat().st_mode
        path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
                   | stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH
                   | (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH if path.is_dir() else 0))
    return target


@contextlib.contextmanager
def mounted_read_only(source: Path, target: Path):
    """``source`` at ``target`` on a read-only bind mount (root only)."""
    target.mkdir()
    subprocess.run(["mount", "--bind", str(source), str(target)], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(target)], check=True)
        yield target
    finally:
        subprocess.run(["umount", str(target)], check=False)


UNPRIVILEGED = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                "--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search"]


def uid_of(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Uid:"):
            return int(line.split()[1])
    raise AssertionError(f"no Uid line for {pid}")


@pytest.mark.parametrize("user", ["root on a read-only mount", "nobody"])
def test_read_only_tree_started_from_the_root_folder(browser, user):
    as_nobody = user == "nobody"
    if as_nobody and os.geteuid() != 0:
        pytest.skip("switching to another user needs root")
    with tempfile.TemporaryDirectory() as scratch, contextlib.ExitStack() as stack:
        scratch = Path(scratch)
        tree = read_only_copy(scratch / "app")
        if not as_nobody and os.geteuid() == 0:
            tree = stack.enter_context(mounted_read_only(tree, scratch / "mounted"))
            probe = tree / "probe"
            try:
                probe.write_text("x")
                raise AssertionError("the mount is writable")
            except OSError:
                pass
        home = scratch / "home"  # the user's own home may be written, the tree not
        home.mkdir()
        if as_nobody:
            shutil.chown(home, "nobody", "nogroup")
            probe = subprocess.run([*UNPRIVILEGED, "touch", str(tree / "probe")],
                                   capture_output=True)
            assert probe.returncode != 0, "nobody may write into the tree"
        env = {**os.environ, "HOME": str(home), "PYTHONDONTWRITEBYTECODE": "1"}
        before = {p: p.stat().st_mtime for p in tree.rglob("*")}
        with streamlit_server(tree / "playground" / "serve.py", cwd="/", env=env,
                              run_as=UNPRIVILEGED if as_nobody else ()) as url:
            if as_nobody:
                assert uid_of(SERVER_PIDS[url]) == pwd.getpwnam("nobody").pw_uid
            page = browser.new_page(viewport={"width": 1440, "height": 1000})
            try:
                page.goto(url)
                wait_for_app(page)
                page.wait_for_function("window.__liveView && window.__liveView.framesDrawn >= 1",
                                       timeout=30_000)
                expect(page.locator(".live-panel-output .main-svg").first).to_be_attached(
                    timeout=30_000)
                expect(page.locator(".live-panel-loss .main-svg").first).to_be_attached()
                assert page.locator("[data-testid=stException]").count() == 0
                assert "Traceback" not in page.inner_text("body")
                assert "PermissionError" not in page.inner_text("body")
            finally:
                page.close()
        after = {p: p.stat().st_mtime for p in tree.rglob("*")}
        assert after == before, "the app wrote into its own tree"
        stack.close()  # unmounted: make the copy removable again
        copy = scratch / "app"
        for path in [copy, *copy.rglob("*")]:
            path.chmod(path.stat().st_mode | stat.S_IWUSR)


FAILING_SCRIPT = """
import streamlit as st
st.write("before the bug")
raise ZeroDivisionError("secret detail from /srv/app/internal.py")
"""


@pytest.mark.parametrize("with_our_config", [True, False])
def test_an_unforeseen_exception_shows_no_traceback(browser, with_our_config):
    """With the app's own config (playground/.streamlit/config.toml) a bug shows a
    generic message; without it (the control) Streamlit shows the traceback."""
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        (folder / "failing.py").write_text(FAILING_SCRIPT)
        if with_our_config:
            (folder / ".streamlit").mkdir()
            shutil.copy(ROOT / "playground" / ".streamlit" / "config.toml",
                        folder / ".streamlit" / "config.toml")
        with streamlit_server(folder / "failing.py", cwd="/") as url:
            page = browser.new_page()
            try:
                page.goto(url)
                expect(page.get_by_text("before the bug")).to_be_visible(timeout=30_000)
                expect(page.locator("[data-testid=stException]")).to_have_count(1)
                body = page.inner_text("body")
                shown = ("secret detail" in body, "ZeroDivisionError" in body,
                         "Traceback" in body or "internal.py" in body)
                assert shown == ((False, False, False) if with_our_config
                                 else (True, True, True)), shown
            finally:
                page.close()
