"""Real-browser tests of playground/live_chart.py through bench/live_chart_demo.py.

AppTest cannot run a component's JavaScript nor fire `run_every`, so these
drive the demo in headless Chromium: the chart must draw, keep updating in
place without ever going blank, keep the user's zoom, and send clicks back.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from conftest import streamlit_server, wait_for_app
from playwright.sync_api import expect

DEMO = Path(__file__).resolve().parents[1] / "bench" / "live_chart_demo_serve.py"
CHART = ".st-key-chart .live-chart"

# Checks, right before every paint, that the chart and its heatmap are drawn.
BLANK_SAMPLER = """(selector) => {
  const s = window.__blank = {samples: 0, blank: 0, stop: false};
  const tick = () => {
    const div = document.querySelector(selector);
    const image = div && div.querySelector(".main-svg g.hm image");
    s.samples++;
    if (!(image && (image.getAttribute("href") || "").length > 100)) s.blank++;
    if (!s.stop) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}"""


@pytest.fixture(scope="module")
def demo_url():
    with streamlit_server(DEMO) as url:
        yield url


def open_demo(page, url: str):
    page.goto(url)
    wait_for_app(page)
    chart = page.locator(CHART)
    # The first draw waits for plotly.js to load from its route.
    expect(chart.locator(".main-svg g.hm image")).to_be_attached(timeout=60_000)
    return chart


def redraws(chart) -> int:
    return int(chart.get_attribute("data-redraws") or 0)


def wait_for_redraws(page, count: int) -> None:
    page.wait_for_function(
        "([selector, count]) => Number(document.querySelector(selector).dataset.redraws) >= count",
        arg=[CHART, count],
        timeout=30_000,
    )


def test_chart_updates_in_place_never_blank_and_keeps_zoom(browser_page, demo_url):
    page = browser_page
    chart = open_demo(page, demo_url)
    page.evaluate(BLANK_SAMPLER, CHART)

    before = redraws(chart)
    time.sleep(2)
    assert redraws(chart) > before, "the chart did not redraw in 2 s"

    # The user zooms the heatmap; more frames arrive; the zoom stays.
    zoom = "(div) => Plotly.relayout(div, {'xaxis.range': [10, 30]})"
    page.locator(CHART).evaluate(zoom)
    wait_for_redraws(page, redraws(chart) + 5)
    x_range = page.locator(CHART).evaluate("(div) => div._fullLayout.xaxis.range")
    assert x_range == [10, 30]

    sampled = page.evaluate("() => Object.assign(window.__blank, {stop: true})")
    assert sampled["samples"] > 30
    assert sampled["blank"] == 0, f"blank in {sampled['blank']} of {sampled['samples']} paints"
    # Still the same plot: Plotly.react updated it, nothing re-created it.
    expect(page.locator(CHART)).to_have_count(1)
    expect(page.locator(f"{CHART} .main-svg").first).to_be_attached()


def test_clicks_reach_python(browser_page, demo_url):
    page = browser_page
    chart = open_demo(page, demo_url)
    heatmap, line = chart.locator(".nsewdrag").nth(0), chart.locator(".nsewdrag").nth(1)

    # Hover first: plotly_click reports the last hovered point, and hovering is
    # throttled (50 ms), so an instant move-and-click may report a stale cell.
    box = heatmap.bounding_box()
    x, y = box["x"] + box["width"] * 0.25, box["y"] + box["height"] * 0.5
    page.mouse.move(x, y)
    page.wait_for_timeout(300)
    page.mouse.click(x, y)
    clicked = page.get_by_text(re.compile(r'^clicked \{"curve": 0, .*"point": \[\d+, \d+\]'))
    expect(clicked).to_be_visible(timeout=10_000)
    expect(clicked).to_contain_text('"trace_name": "field"')
    expect(clicked).to_contain_text('"seq": 1')

    # Empty plot area: no point under the mouse, data coordinates still come back.
    box = line.bounding_box()
    page.mouse.click(box["x"] + 5, box["y"] + box["height"] - 5)
    clicked = page.get_by_text(re.compile(r'^clicked \{"curve": null'))
    expect(clicked).to_be_visible(timeout=10_000)
    expect(clicked).to_contain_text('"subplot": "x2y2"')
    expect(clicked).to_contain_text('"seq": 2')
