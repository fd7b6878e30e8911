"""The Backprop inspector in a real Chromium: click a point, check backprop, step, look back."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import wait_for_app
from playwright.sync_api import expect

SHOTS = Path("/tmp")

# The most isolated training point on the output map, away from the edges, and
# where it is on the screen (plotly's own axis transforms, relative to the div).
FIND_POINT = """
() => {
  const div = document.querySelector('.st-key-chart_inspect_output .live-chart');
  // the points' hover targets: drawn by live_chart, not plotly (typed arrays as sent)
  const input = div.data.find(t => t.name === 'training');
  const decode = (v) => {
    if (!v.bdata) return v;
    const bytes = Uint8Array.from(atob(v.bdata), (c) => c.charCodeAt(0));
    return new Float32Array(bytes.buffer);
  };
  const trace = {x: decode(input.x), y: decode(input.y), customdata: input.customdata};
  const xa = div._fullLayout.xaxis, ya = div._fullLayout.yaxis;
  const n = trace.x.length;
  let best = -1, bestGap = -1;
  for (let i = 1; i < n; i++) {
    const x = trace.x[i], y = trace.y[i];
    if (Math.abs(x) > 4.5 || Math.abs(y) > 4.5) continue;
    let gap = Infinity;
    for (let j = 0; j < n; j++) {
      if (j !== i) gap = Math.min(gap, Math.hypot(trace.x[j] - x, trace.y[j] - y));
    }
    if (gap > bestGap) { bestGap = gap; best = i; }
  }
  const box = div.getBoundingClientRect();
  return {
    index: trace.customdata[best][0],
    x: box.left + xa._offset + xa.d2p(trace.x[best]),
    y: box.top + ya._offset + ya.d2p(trace.y[best]),
  };
}
"""




def metric(page, label: str):
    box = page.locator("[data-testid=stMetric]").filter(
        has=page.locator("[data-testid=stMetricLabel]", has_text=label))
    return box.first


def metric_value(page, label: str):
    return metric(page, label).locator("[data-testid=stMetricValue]")


def settled_point(page) -> dict:
    """FIND_POINT once the chart has stopped moving (layout and redraws settled)."""
    previous = None
    for _ in range(50):
        page.wait_for_timeout(200)
        current = page.evaluate(FIND_POINT)
        if current == previous:
            return current
        previous = current
    raise AssertionError("the output map kept moving")


def open_inspector(page, url: str) -> None:
    page.goto(url)
    # The first run must be over before a click: a click during it can leave the
    # sidebar's feature pills empty (seen in Streamlit 1.67).
    expect(page.locator(".live-panel-output .main-svg").first).to_be_attached(timeout=30_000)
    wait_for_app(page)
    page.get_by_role("radio", exact=True, name="Backprop inspector").click()
    wait_for_app(page)
    expect(page.locator(".st-key-chart_inspect_output .live-chart .main-svg").first) \
        .to_be_attached(timeout=30_000)
    expect(page.locator(".st-key-chart_inspect_network .live-chart .main-svg").first) \
        .to_be_attached(timeout=30_000)


def test_inspect_a_clicked_point_step_it_and_look_back(page, app_url):
    open_inspector(page, app_url)
    expect(metric_value(page, "Point")).to_have_text("#0")
    page.screenshot(path=str(SHOTS / "inspector_1_open.png"))

    # Click a training point on the output map: the inspector follows it.
    page.locator(".st-key-chart_inspect_output").scroll_into_view_if_needed()
    target = settled_point(page)
    assert target["index"] != 0
    page.mouse.click(target["x"], target["y"])
    expect(metric_value(page, "Point")).to_have_text(f"#{target['index']}", timeout=15_000)
    wait_for_app(page)
    expect(page.locator(".st-key-inspect_point input")) \
        .to_have_value(re.compile(rf"^#{target['index']} \(x₁="))

    # Backprop is checked against finite differences: overall and link by link.
    check = metric(page, "Gradient check")
    expect(check.locator("[data-testid=stMetricDelta]")).to_contain_text("✓")
    assert float(check.locator("[data-testid=stMetricValue]").inner_text()) < 1e-6
    for heading in ("Forward pass", "Backward pass", "Every gradient, checked", "The update"):
        expect(page.get_by_role("heading", name=re.compile(heading))).to_be_visible()
    expect(page.locator("[data-testid=stDataFrame]")).to_have_count(4)
    expect(page.get_by_text("Backprop agrees with finite differences")).to_be_visible()
    page.screenshot(path=str(SHOTS / "inspector_2_point.png"))
    page.screenshot(path=str(SHOTS / "inspector_full.png"), full_page=True)

    # Step on this point alone: the step count rises and the timeline appears.
    expect(metric_value(page, "Steps")).to_have_text("0")
    output_before = metric_value(page, "Output").inner_text()
    page.get_by_role("button", name="Step this sample").click()
    expect(metric_value(page, "Steps")).to_have_text("1")
    wait_for_app(page)
    expect(metric_value(page, "Point")).to_have_text(f"#{target['index']}")
    slider = page.locator(".st-key-inspect_time").get_by_role("slider", name="Timeline")
    expect(slider).to_have_attribute("aria-valuetext", re.compile(r"point #\d+ \(now\)"))
    page.get_by_role("button", name="Step this sample").click()
    expect(metric_value(page, "Steps")).to_have_text("2")
    wait_for_app(page)
    assert metric_value(page, "Output").inner_text() != output_before

    # Slide the timeline back to the start: the network as it was, read-only.
    slider.focus()
    slider.press("Home")
    expect(page.get_by_text(re.compile("Looking back at"))).to_be_visible()
    expect(metric_value(page, "Steps")).to_have_text("0")
    expect(metric_value(page, "Output")).to_have_text(output_before)
    expect(page.get_by_role("button", name="Step this sample")).to_be_disabled()
    wait_for_app(page)
    page.screenshot(path=str(SHOTS / "inspector_3_back.png"))

    # Back to now: the real session was never touched by looking.
    page.get_by_role("button", name="Back to now").click()
    expect(metric_value(page, "Steps")).to_have_text("2")
    expect(page.get_by_text(re.compile("Looking back at"))).to_have_count(0)
    assert page.locator("[data-testid=stException]").count() == 0


def test_seed_formulas_one_click_away(page, app_url):
    open_inspector(page, app_url)
    page.get_by_role("button", name="Use sigmoid + squared error").click()
    wait_for_app(page)
    expect(page.get_by_text(re.compile(r"The seed's formulas \(sigmoid everywhere"))) \
        .to_be_visible(timeout=15_000)
    expect(page.get_by_text("✓ The seed's new weights are the optimizer's real update")) \
        .to_be_visible()
    assert page.locator(".st-key-w_activation input").input_value() == "Sigmoid"
    page.get_by_role("radio", name="The next mini-batch").check(force=True)
    expect(metric_value(page, "Mini-batch")).to_have_text("10 points")
    wait_for_app(page)
    page.get_by_role("button", name="Step the mini-batch").click()
    expect(metric_value(page, "Steps")).to_have_text("1")
    wait_for_app(page)
    page.get_by_text(re.compile(r"The seed's formulas \(sigmoid everywhere")).first \
        .scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "inspector_4_seed.png"))
    assert page.locator("[data-testid=stException]").count() == 0
