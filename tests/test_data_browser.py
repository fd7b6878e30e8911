"""The "Your data & model" tab in a real Chromium, used the way a learner would:
click points onto the plane, upload a bad CSV and a good one, take the network
away as JSON and bring it back, and try a hostile model file."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import wait_for_app
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

EDITOR = ".st-key-chart_data_editor .live-chart"
SHOTS = Path("/tmp")
ORANGE, BLUE = "#f59322", "#0877bd"

# Data coordinates → page pixels, from plotly's own axis mapping.
TO_PIXELS = """([selector, x, y]) => {
  const div = document.querySelector(selector);
  const xa = div._fullLayout.xaxis, ya = div._fullLayout.yaxis;
  const box = div.getBoundingClientRect();
  return [box.left + xa._offset + xa.d2p(x), box.top + ya._offset + ya.d2p(y)];
}"""

# Counts finished script runs (changes of stApp's script state to notRunning).
RUN_COUNTER = """(() => {
  window.__scriptRuns = 0;
  const attach = () => {
    const app = document.querySelector("[data-testid=stApp]");
    if (!app) return setTimeout(attach, 10);
    new MutationObserver((records) => {
      records.forEach((record, i) => {
        const now = i + 1 < records.length ? records[i + 1].oldValue
                                           : app.dataset.testScriptState;
        if (now === "notRunning" && record.oldValue !== "notRunning") window.__scriptRuns++;
      });
    }).observe(app, {attributes: true, attributeOldValue: true,
                     attributeFilter: ["data-test-script-state"]});
  };
  attach();
})();"""

POINTS = """(selector) => {
  const div = document.querySelector(selector);
  const trace = div && div.data && div.data.find((t) => t.name === "points");
  return trace ? {x: Array.from(trace.x), y: Array.from(trace.y),
                  color: Array.from(trace.marker.color)} : null;
}"""



@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1000},
                                  accept_downloads=True)
    context.add_init_script(RUN_COUNTER)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def rerun(page, action) -> None:
    """Do something that reruns the script, and wait until that run has finished.

    ``wait_for_app`` alone can pass before the rerun has even started, and
    acting on the page mid-run loses typed text or a click when the run redraws
    it. A very fast run may finish without the page ever showing "running", so
    the wait for a finished run is bounded; callers then check the content.
    """
    before = page.evaluate("window.__scriptRuns")
    action()
    try:
        page.wait_for_function("(n) => window.__scriptRuns > n", arg=before, timeout=5_000)
    except PlaywrightTimeout:
        pass
    wait_for_app(page)


TAB_CONTENT = {"Playground": "button:has-text('Step epoch')",
               "Your data & model": f"{EDITOR} .main-svg"}


def open_tab(page, name: str) -> None:
    rerun(page, page.get_by_role("radio", exact=True, name=name).click)
    expect(page.locator(TAB_CONTENT[name]).first).to_be_visible(timeout=60_000)
    wait_for_app(page)


def open_data_tab(page, url: str) -> None:
    page.goto(url)
    # Let the first run finish (the live charts drawn, the URL synced) before
    # switching tabs: a rerun that interrupts the very first run can lose the
    # sidebar's seeded widget values.
    expect(page.locator(".live-panel-output .main-svg").first).to_be_attached(timeout=60_000)
    expect(page).to_have_url(re.compile(r"wseed="))
    wait_for_app(page)
    open_tab(page, "Your data & model")


def points(page) -> dict:
    return page.evaluate(POINTS, EDITOR)


def wait_for_points(page, count: int) -> None:
    expect(page.locator(".st-key-dm_counts strong").first).to_have_text(
        re.compile(rf"^{count:,} points?$"), timeout=15_000)
    page.wait_for_function(f"(selector) => ({POINTS})(selector)?.x.length === {count}",
                           arg=EDITOR, timeout=15_000)
    wait_for_app(page)


def click_plane(page, x: float, y: float) -> None:
    page.locator(EDITOR).scroll_into_view_if_needed()
    px, py = page.evaluate(TO_PIXELS, [EDITOR, x, y])
    page.mouse.click(px, py)


STATUS = {"Epoch": "epoch", "Training loss": "train-loss"}  # the live view's status line


def metric_value(page, label: str) -> str:
    return page.locator(f'.live-status [data-field="{STATUS[label]}"]').inner_text().strip()


def expect_metric(page, label: str, value: str) -> None:
    expect(page.locator(f'.live-status [data-field="{STATUS[label]}"]')).to_have_text(value)


def no_traceback(page) -> None:
    assert page.locator("[data-testid=stException]").count() == 0


def upload(page, key: str, name: str, mime: str, content: bytes) -> None:
    rerun(page, lambda: page.locator(f".st-key-{key} input[type=file]").set_input_files(
        {"name": name, "mimeType": mime, "buffer": content}))


def test_click_points_and_upload_csv(page, app_url):
    open_data_tab(page, app_url)
    rerun(page, page.get_by_role("button", name="Start from empty").click)
    wait_for_points(page, 0)

    # Two orange points, then two blue ones, clicked onto the plane.
    clicked = [(-3.0, 2.0, ORANGE), (-2.0, -3.5, ORANGE), (3.0, 3.0, BLUE), (2.5, -2.0, BLUE)]
    for n, (x, y, _) in enumerate(clicked, start=1):
        if n == 3:
            rerun(page, page.locator(".st-key-dm_label").get_by_role("radio", name="blue").click)
        click_plane(page, x, y)
        wait_for_points(page, n)
    drawn = points(page)
    for (x, y, color), px, py, pc in zip(clicked, drawn["x"], drawn["y"], drawn["color"]):
        assert abs(px - x) < 0.05 and abs(py - y) < 0.05 and pc == color
    expect(page.locator(".st-key-dm_counts")).to_contain_text("2 orange · 2 blue")
    expect(page.get_by_text("The Playground trains on these points: 2 for training, "
                            "2 for testing.")).to_be_visible()
    page.screenshot(path=str(SHOTS / "data_tab_clicked.png"))

    # Remove: a click near a point takes it away.
    rerun(page, page.locator(".st-key-dm_mode").get_by_role("radio", name="Remove").click)
    click_plane(page, 3.1, 2.9)
    wait_for_points(page, 3)
    assert [round(v, 1) for v in points(page)["x"]] == [-3.0, -2.0, 2.5]
    click_plane(page, -5.5, 5.5)  # far from every point: nothing to remove
    expect(page.get_by_text("No point there to remove")).to_be_visible()
    wait_for_points(page, 3)

    # The data as CSV: the three points the Playground uses.
    with page.expect_download() as download:
        page.get_by_role("button", name="Download data as CSV").click()
    lines = Path(download.value.path()).read_text().splitlines()
    assert lines[0] == "x1,x2,label" and len(lines) == 4

    # A bad file: one clear message naming the problem, and the data unchanged.
    upload(page, "dm_csv", "bad.csv", "text/csv", b"x1,x2,label\n1,2,cat\n")
    error = page.locator(".mikir-alert").filter(has_text="bad.csv")
    expect(error).to_contain_text("line 2, column 3 (label): 'cat' is not a number")
    expect(error).to_contain_text("Your data is unchanged")
    assert page.locator(".mikir-alert[data-kind=error]").count() == 1
    wait_for_points(page, 3)
    expect(page.get_by_text("The Playground trains on these points")).to_be_visible()
    no_traceback(page)
    page.locator(".st-key-dm_csv").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "data_tab_bad_csv.png"))

    # A good file with three classes: used at once, and the sidebar follows.
    rows = ["x1,x2,label"] + [f"{-4 + 4 * (i % 3) + 0.1 * (i // 3)},{(i // 3) % 5 - 2},{i % 3}"
                              for i in range(30)]
    upload(page, "dm_csv", "three.csv", "text/csv", ("\n".join(rows) + "\n").encode())
    expect(page.get_by_text("Using 30 points (3 classes) from “three.csv”.")).to_be_visible()
    wait_for_points(page, 30)
    expect(page.locator(".st-key-dm_counts")).to_contain_text("10 orange · 10 blue · 10 green")
    assert page.locator(".st-key-w_dataset input").input_value() == "Blobs (multi-class)"
    no_traceback(page)
    open_tab(page, "Playground")
    expect(page.get_by_text(re.compile(r"3-class classification.*2 → 4 → 2 → 3"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"15 training / 15 test points"))).to_be_visible()


def test_model_download_upload_and_hostile_file(page, app_url):
    open_data_tab(page, app_url)
    open_tab(page, "Playground")
    for epoch in range(1, 4):
        rerun(page, page.get_by_role("button", name="Step epoch").click)
        expect_metric(page, "Epoch", str(epoch))
    trained_loss = metric_value(page, "Training loss")

    open_tab(page, "Your data & model")
    expect(page.get_by_text("Network 2 → 4 → 2 → 1 at epoch 3:")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download network (JSON)").click()
    assert download.value.suggested_filename == "mikir_network.json"
    model = Path(download.value.path()).read_bytes()
    assert json.loads(model)["format"] == "mikir.NeuralNetwork"

    # Back to the initial weights, then continue from the downloaded ones.
    open_tab(page, "Playground")
    rerun(page, page.get_by_role("button", name="Reset", exact=True).click)
    expect_metric(page, "Epoch", "0")
    assert metric_value(page, "Training loss") != trained_loss
    open_tab(page, "Your data & model")
    upload(page, "dm_model", "mikir_network.json", "application/json", model)
    expect(page.get_by_text("Loaded “mikir_network.json”: network 2 → 4 → 2 → 1")).to_be_visible()
    no_traceback(page)
    open_tab(page, "Playground")
    expect_metric(page, "Training loss", trained_loss)

    # A hostile file: deeply nested JSON. A clear message, nothing changed.
    open_tab(page, "Your data & model")
    upload(page, "dm_model", "evil.json", "application/json", b"[" * 200_000 + b"]" * 200_000)
    error = page.locator(".mikir-alert").filter(has_text="evil.json")
    expect(error).to_contain_text("was not loaded")
    expect(error).to_contain_text("Nothing was changed")
    no_traceback(page)
    page.locator(".st-key-dm_model").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "data_tab_model.png"))
    open_tab(page, "Playground")
    expect_metric(page, "Training loss", trained_loss)


def test_script_and_classroom_link(page, app_url):
    open_data_tab(page, app_url)
    code = page.locator("[data-testid=stCode]").filter(has_text="import mikir")
    expect(code).to_contain_text("net.fit(")
    choose = page.locator(".st-key-dm_hide")
    choose.scroll_into_view_if_needed()
    choose.locator("input").click()
    page.keyboard.type("Learning rate")
    rerun(page, page.get_by_role("option", name="Learning rate", exact=True).click)
    page.keyboard.press("Escape")
    link = page.locator("[data-testid=stCode]").filter(has_text="hide=")
    expect(link).to_contain_text(re.compile(r"^http://127\.0\.0\.1:\d+/\?.*hide=learning_rate"))
    link.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "data_tab_script.png"))
    url = link.inner_text().strip()
    page.goto(url)
    wait_for_app(page)
    expect(page.locator(".st-key-w_activation")).to_be_visible()
    assert page.locator(".st-key-w_learning_rate").count() == 0


HOSTILE_NAME = "[click](https://evil.example)**x**<img src=x onerror=alert(1)>"


def test_hostile_file_names_are_shown_as_plain_text(page, app_url):
    """A file's name is the uploader's text: it must not become a link, an image or bold."""
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.add_init_script("window.__alerted = 0; window.alert = () => { window.__alerted++; };")
    open_data_tab(page, app_url)
    rows = "x1,x2,label\n" + "".join(f"{i % 5 - 2},{i // 5 - 2},{i % 2}\n" for i in range(20))
    upload(page, "dm_csv", f"{HOSTILE_NAME}.csv", "text/csv", rows.encode())
    alerts = page.locator(".mikir-alert, [data-testid=stAlert]")
    used = alerts.filter(has_text="Using 20 points")
    expect(used).to_contain_text("from “[click](https://evil.example)**x**<img src=x")
    upload(page, "dm_model", f"{HOSTILE_NAME}.json", "application/json", b"{}")
    refused = alerts.filter(has_text="was not loaded")
    expect(refused).to_contain_text("“[click](https://evil.example)**x**<img src=x")
    no_traceback(page)
    for alert in (used, refused):
        assert alert.locator("a, img, strong, em, b").count() == 0  # the name stayed text
    assert page.locator("a[href*='evil.example']").count() == 0
    assert page.locator("img[src='x'], img[onerror]").count() == 0
    assert page.evaluate("window.__alerted") == 0
    assert not [url for url in requests if "evil.example" in url or url.endswith("/x")]
