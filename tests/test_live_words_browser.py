"""What the Playground's live view says and shows, in Chromium (issue 9, item 12): the
status names test accuracy, one mini-batch is singular, plotly's toolbar covers no
legend or title, and a trained map stays paler than the points drawn on it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import wait_for_app
from playwright.sync_api import expect

FRONTEND = Path(__file__).resolve().parents[1] / "playground" / "frontend"
ORANGE, NEUTRAL, BLUE = (245, 147, 34), (232, 234, 235), (8, 119, 189)
CLASS_RGB = [(245, 147, 34), (8, 119, 189), (44, 160, 44)]


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def open_playground(page, url: str) -> None:
    page.goto(url)
    expect(page.locator(".live-panel-output .main-svg").first).to_be_attached(timeout=60_000)
    wait_for_app(page)


def test_the_status_says_test_accuracy_and_one_mini_batch(page, app_url):
    open_playground(page, f"{app_url}/?batch=250")  # 250 training points: one mini-batch
    labels = page.locator(".live-status .live-metric-label")
    expect(labels).to_have_text(["Epoch", "Training loss", "Test loss", "Test accuracy"])
    steps = page.locator('.live-status [data-field="steps"]')
    expect(steps).to_have_text(re.compile(r"^Step 0 · 1 mini-batch per epoch · "))
    open_playground(page, f"{app_url}/?batch=125")
    expect(steps).to_have_text(re.compile(r"^Step 0 · 2 mini-batches per epoch · "))


# Every box on the page that the toolbar must leave readable, and every toolbar shown.
BOXES = """() => {
  const box = (e) => { const b = e.getBoundingClientRect();
                       return {name: e.className.baseVal ?? e.className,
                               text: e.textContent.slice(0, 30),
                               left: b.left, top: b.top, right: b.right, bottom: b.bottom}; };
  const shown = (e) => { const b = e.getBoundingClientRect();
                         return b.width > 0 && b.height > 0
                           && getComputedStyle(e).visibility !== "hidden"
                           && Number(getComputedStyle(e).opacity) > 0; };
  const keep = ".live-title, .live-legend, .legend, .colorbar, .annotation, .live-panel-network";
  return {bars: [...document.querySelectorAll(".modebar")].filter(shown).map(box),
          keep: [...document.querySelectorAll(keep)].filter(shown).map(box)};
}"""


def test_the_plotly_toolbar_covers_no_legend_or_title(page, app_url):
    open_playground(page, app_url)
    for panel in ("output", "loss", "weights"):
        chart = page.locator(f".live-panel-{panel} .js-plotly-plot").first
        chart.scroll_into_view_if_needed()
        chart.hover()  # plotly shows its toolbar while the pointer is over the chart
        page.wait_for_timeout(300)
        boxes = page.evaluate(BOXES)
        if panel == "output":
            assert boxes["bars"], "the output map's toolbar was not shown"
        for bar in boxes["bars"]:
            for other in boxes["keep"]:
                overlap = (min(bar["right"], other["right"]) - max(bar["left"], other["left"]),
                           min(bar["bottom"], other["bottom"]) - max(bar["top"], other["top"]))
                assert min(overlap) <= 0, (panel, other)


# The painter worker, as the page starts it, painting one frame of a network whose
# output is certain everywhere; the output map's pixels, read back as RGB.
PAINT = """async ([source, net, params, discretize]) => {
  const worker = new Worker(URL.createObjectURL(new Blob([source])));
  const layers = MikirForward.layout(net.sizes).layers;
  worker.postMessage({type: "scene", scene: {net, layers, dpr: 1, weights: null,
                                             geometry: networkGeometry(net.sizes, 300)}});
  const view = {range: [-6, 6, -6, 6], hover: null, discretize, columns: 0};
  worker.postMessage({type: "paint", id: 1, frame: {params: Float32Array.from(params)}, view});
  const message = await new Promise((done) => {  // after its "ready"
    worker.onmessage = (e) => { if (e.data.type !== "ready") done(e.data); };
  });
  worker.terminate();
  if (message.type !== "painted") throw new Error(message.message);
  const canvas = new OffscreenCanvas(message.output.width, message.output.height);
  const context = canvas.getContext("2d");
  context.drawImage(message.output, 0, 0);
  const rgba = context.getImageData(0, 0, canvas.width, canvas.height).data;
  const pixels = new Set();
  for (let i = 0; i < rgba.length; i += 4) pixels.add(`${rgba[i]},${rgba[i + 1]},${rgba[i + 2]}`);
  return [...pixels].map((p) => p.split(",").map(Number));
}"""


@pytest.fixture(scope="module")
def painter(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_content("<html><body></body></html>")
    page.add_script_tag(content=(FRONTEND / "forward.js").read_text()
                        + (FRONTEND / "live_common.js").read_text())
    source = "\n".join((FRONTEND / name).read_text()
                       for name in ("forward.js", "live_common.js", "live_painter.js"))
    yield lambda *args: page.evaluate(PAINT, [source, *args])
    context.close()


def distance(a, b) -> float:
    return sum((x - y) ** 2 for x, y in zip(a, b)) ** 0.5


@pytest.mark.parametrize("discretize", [False, True])
def test_a_certain_two_class_map_stays_paler_than_the_points(painter, discretize):
    net = {"sizes": [1, 1], "features": ["x1"], "hidden": [], "output": "sigmoid"}
    pixels = painter(net, [100.0, 0.0], discretize)  # p ≈ 0 left of x1 = 0, ≈ 1 right
    for point in (ORANGE, BLUE):
        assert min(distance(p, point) for p in pixels) > 60  # never the points' colour
        assert min(distance(p, point) for p in pixels) < distance(NEUTRAL, point) - 100


def test_a_certain_multi_class_map_stays_paler_than_the_points(painter):
    net = {"sizes": [2, 3], "features": ["x1", "x2"], "hidden": [], "output": "softmax"}
    weights = [-100.0, 0.0, 100.0, 0.0, 100.0, -100.0]  # x1 → class 0 or 2, x2 → 1
    pixels = painter(net, weights + [0.0, 0.0, 0.0], False)
    for colour in CLASS_RGB:
        nearest = min(distance(p, colour) for p in pixels)
        assert 60 < nearest < distance((255, 255, 255), colour) - 60
