"""The playground in a real Chromium: choose spiral, Play, Pause, Step, share links."""

from __future__ import annotations

import re
import time

from conftest import press_and_expect, wait_for_app
from playwright.sync_api import expect


def metric_value(page, label: str) -> str:
    metric = page.locator("[data-testid=stMetric]").filter(has_text=label).first
    return metric.locator("[data-testid=stMetricValue]").inner_text().strip()


def number(text: str) -> float:
    return float(text.replace(",", "").replace("%", ""))


def step_count(page) -> int:
    text = page.get_by_text(re.compile(r"^Step [\d,]+ ·")).first.inner_text()
    return int(re.search(r"Step ([\d,]+)", text).group(1).replace(",", ""))


def open_app(page, url: str) -> None:
    page.goto(url)
    wait_for_app(page)
    expect(page.locator(".live-chart .main-svg").first).to_be_attached(timeout=30_000)


def test_play_pause_step_on_spiral(browser_page, app_url):
    page = browser_page
    open_app(page, app_url)
    page.locator(".st-key-w_dataset").click()
    page.get_by_role("option", name="Spiral").click()
    wait_for_app(page)
    expect(page.get_by_text("network 2 → 4 → 2 → 1")).to_be_visible()
    start_loss = number(metric_value(page, "Training loss"))
    assert metric_value(page, "Epoch") == "0"

    press_and_expect(page.locator(".st-key-play button"), "Pause")
    # Epoch rises while it plays, and the training loss falls.
    deadline = time.monotonic() + 30
    while number(metric_value(page, "Epoch")) < 100 and time.monotonic() < deadline:
        time.sleep(0.3)
    assert number(metric_value(page, "Epoch")) >= 100
    assert number(metric_value(page, "Training loss")) < start_loss

    press_and_expect(page.locator(".st-key-play button"), "Play")
    expect(page.get_by_role("button", name="Play")).to_be_visible()
    wait_for_app(page)
    time.sleep(0.5)
    paused_epoch = metric_value(page, "Epoch")
    steps = step_count(page)
    time.sleep(1.0)
    assert metric_value(page, "Epoch") == paused_epoch  # really paused

    page.get_by_role("button", name="Step", exact=True).click()
    wait_for_app(page)
    expect(page.get_by_text(re.compile(rf"^Step {steps + 1:,} ·"))).to_be_visible()


def test_share_link_reproduces_data_and_initial_weights(browser, app_url):
    link = f"{app_url}/?data=xor&layers=5,3&lr=0.1&noise=20&seed=7&wseed=3&features=x1,x2,sin_x1"
    losses = []
    for _ in range(2):  # two separate visitors
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        page = context.new_page()
        open_app(page, link)
        expect(page.get_by_text("network 3 → 5 → 3 → 1")).to_be_visible()
        assert page.locator(".st-key-w_dataset input").input_value() == "Exclusive or"
        losses.append(metric_value(page, "Training loss"))
        assert "lr=0.1" in page.url and "seed=7" in page.url and "wseed=3" in page.url
        context.close()
    assert losses[0] == losses[1]  # same data, same initial weights → same loss


def test_url_follows_settings_without_flooding_history(browser_page, app_url):
    page = browser_page
    open_app(page, app_url)
    length = page.evaluate("history.length")
    for name in ("Spiral", "Gaussian", "Exclusive or"):
        page.locator(".st-key-w_dataset").click()
        page.get_by_role("option", name=name, exact=True).click()
        wait_for_app(page)
    expect(page).to_have_url(re.compile(r"data=xor"))
    assert page.evaluate("history.length") == length


def test_hostile_link_shows_a_notice(browser_page, app_url):
    page = browser_page
    open_app(page, f"{app_url}/?lr=abc&layers=1000&data=%3Cscript%3E")
    expect(page.get_by_text(re.compile("Share link: Learning rate"))).to_be_visible()
    expect(page.get_by_text(re.compile("Share link: Layers"))).to_be_visible()
    assert metric_value(page, "Epoch") == "0"
    assert page.locator("[data-testid=stException]").count() == 0


def test_each_tab_is_its_own_run(browser, app_url):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        first, second = context.new_page(), context.new_page()
        open_app(first, app_url)
        open_app(second, app_url)
        first.get_by_role("button", name="Step epoch").click()
        wait_for_app(first)
        expect(first.locator("[data-testid=stMetric]").filter(has_text="Epoch").first
               .locator("[data-testid=stMetricValue]")).to_have_text("1")
        second.reload()
        wait_for_app(second)
        assert metric_value(second, "Epoch") == "0"  # the other tab never saw it
        first.reload()  # a reload is a new run too
        wait_for_app(first)
        expect(first.locator("[data-testid=stMetric]").filter(has_text="Epoch").first
               .locator("[data-testid=stMetricValue]")).to_have_text("0")
    finally:
        context.close()


def test_clicking_a_tab_during_the_first_run_keeps_the_setup(browser, app_url):
    for _ in range(2):
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        try:
            page = context.new_page()
            page.goto(f"{app_url}/?data=spiral&lr=0.1")
            page.get_by_role("radio", exact=True, name="Backprop inspector").click()  # no waiting
            wait_for_app(page)
            time.sleep(1.5)
            wait_for_app(page)
            assert "data=spiral" in page.url and "lr=0.1" in page.url
            assert "points=" not in page.url and "layers=" not in page.url
        finally:
            context.close()


# Where live_chart's hover targets of one trace are on the screen (decoded from
# what the browser received; plotly does not draw these traces).
HOVER_POINTS = """([key, name]) => {
  const div = document.querySelector(`.live-chart[data-key="${key}"]`);
  const trace = div.data.find((t) => t.name === name);
  const decode = (v) => v.bdata ? new Float32Array(
    Uint8Array.from(atob(v.bdata), (c) => c.charCodeAt(0)).buffer) : v;
  const xs = decode(trace.x), ys = decode(trace.y);
  const box = div.getBoundingClientRect();
  const xa = div._fullLayout.xaxis, ya = div._fullLayout.yaxis;
  return Array.from(xs, (x, i) => ({
    x: box.left + xa._offset + xa.d2p(x), y: box.top + ya._offset + ya.d2p(ys[i]),
    text: trace.text[i], customdata: trace.customdata ? trace.customdata[i] : null,
  }));
}"""


def hover_points(page, key: str, name: str) -> list[dict]:
    return page.evaluate(HOVER_POINTS, [key, name])


def test_hover_shows_exact_values_and_a_click_edits_a_weight(browser_page, app_url):
    page = browser_page
    open_app(page, app_url)
    tip = page.locator(".live-chart-tip")

    links = hover_points(page, "chart_network", "links")
    assert len(links) == 2 * 4 + 4 * 2 + 2 * 1  # every weight of 2 → 4 → 2 → 1
    link = links[5]
    page.mouse.move(link["x"] + 2, link["y"] + 1)
    expect(tip).to_be_visible()
    weight = link["customdata"][3]
    expect(tip).to_have_text(f"{link['text']}weight = {weight:.4g}")  # <br>: no space

    (neuron,) = [p for p in hover_points(page, "chart_network", "neurons")
                 if p["text"].startswith("<b>Layer 1 · neuron 2</b>")]
    page.mouse.move(neuron["x"], neuron["y"])
    expect(tip).to_contain_text("Layer 1 · neuron 2")
    expect(tip).to_contain_text("bias = ")

    # A click on the link opens a number box there; a bad value changes nothing.
    page.mouse.click(link["x"] + 2, link["y"] + 1)
    editor = page.locator(".live-chart-editor input")
    expect(editor).to_be_focused()
    editor.fill("1e9")
    editor.press("Enter")
    expect(page.get_by_text("Enter a finite value between")).to_be_visible()
    wait_for_app(page)
    assert hover_points(page, "chart_network", "links")[5]["customdata"][3] == weight

    # A good value is applied at once: the graph, its hover and the losses show it.
    loss_before = metric_value(page, "Training loss")
    page.mouse.click(link["x"] + 2, link["y"] + 1)
    editor.fill("-2.5")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text(re.compile(r"Set the weight .* to -2\.5"))).to_be_visible()
    wait_for_app(page)
    page.wait_for_function(
        """([key, i]) => {
          const div = document.querySelector(`.live-chart[data-key="${key}"]`);
          return div.data.find((t) => t.name === 'links').customdata[i][3] === -2.5;
        }""", arg=["chart_network", 5], timeout=15_000)
    page.mouse.move(link["x"] + 2, link["y"] + 1)
    expect(tip).to_have_text(f"{link['text']}weight = -2.5")

    # While it trains, the label under a resting mouse follows the weight.
    press_and_expect(page.locator(".st-key-play button"), "Pause")
    page.mouse.move(link["x"] + 2, link["y"] + 1)
    expect(tip).to_be_visible()
    shown = tip.inner_text()
    expect(tip).not_to_have_text(shown, timeout=15_000)  # the mouse has not moved
    expect(tip).to_contain_text(link["text"])
    press_and_expect(page.locator(".st-key-play button"), "Play")
    expect(page.locator("[data-testid=stMetric]").filter(has_text="Training loss")
           .locator("[data-testid=stMetricValue]")).not_to_have_text(loss_before)


def test_data_points_travel_once_while_playing_and_stay_drawn(browser_page, app_url):
    page = browser_page
    open_app(page, app_url)
    press_and_expect(page.locator(".st-key-play button"), "Pause")
    page.wait_for_function("() => (window.__liveChartReused || 0) >= 5", timeout=30_000)
    # A page that lost what it held asks for whole traces and goes on drawing.
    redraws = page.evaluate("() => { window.__liveChartTraces = {}; "
                            "return window.__liveChartRedraws; }")
    page.wait_for_function("(n) => window.__liveChartRedraws >= n + 20", arg=redraws,
                           timeout=30_000)
    press_and_expect(page.locator(".st-key-play button"), "Play")
    drawn = page.evaluate("""() => {
      const div = document.querySelector('.live-chart[data-key="chart_output"]');
      const points = div._fullData.filter((t) => t.name === 'training points');
      return {traces: points.length,
              paths: [...div.querySelectorAll('.scatterlayer path.js-fill')]
                .filter((p) => (p.getAttribute('d') || '').length > 1000).length};
    }""")
    assert drawn["traces"] == 2  # one per class, held by the page and reused
    assert drawn["paths"] >= 2


def test_pause_and_settings_take_effect_while_it_redraws(browser_page, app_url):
    """Clicks and changes that land together with a frame are not lost."""
    page = browser_page
    open_app(page, app_url)
    button = page.locator(".st-key-play button")
    for _ in range(6):  # each click once, timed against the frames by chance
        press_and_expect(button, "Pause")
        page.wait_for_timeout(700)
        press_and_expect(button, "Play")
        page.wait_for_timeout(300)
    press_and_expect(button, "Pause")
    rate = page.locator(".st-key-w_learning_rate input[type=range]")
    for expected in ("0.1", "0.3", "1"):  # TensorFlow Playground's scale after 0.03
        rate.focus()
        rate.press("ArrowRight")
        expect(page.get_by_text(re.compile(r"^Step [\d,]+ ·")).first).to_be_visible()
        page.wait_for_function("(lr) => new URL(location.href).searchParams.get('lr') === lr",
                               arg=expected, timeout=10_000)
        page.wait_for_timeout(400)
    assert "Pause" in button.inner_text()  # still playing, at the new rate
    press_and_expect(button, "Play")
