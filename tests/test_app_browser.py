"""The playground's live view in a real Chromium.

The view is a component that draws frames pushed over its own websocket (status
line, network canvas, output map under plotly's axes, loss, weights); Streamlit's
buttons send commands to the tab's Trainer. These tests drive it as a learner
would and check what the page shows against the run itself: a share link's
initial weights are rebuilt here with the playground's own modules, and a
paused page must agree with the next scene the server sends.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import time
import urllib.request
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import numpy as np
import pytest
from conftest import PLAYGROUND_APP, SERVER_PIDS, press_and_expect, streamlit_server, wait_for_app
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from playground import config as cfg
from playground import figures
from playground.session import TrainingSession

HEAVY = ("?points=2000&train=90&batch=1&layers=8,8,8,8,8,8&features=x1,x2,x1_squared,"
         "x2_squared,x1_times_x2,sin_x1,sin_x2&speed=100&data=spiral")
DIVERGING = "?data=plane&activation=relu&layers=8,8,8&lr=10"
VIEW = "document.querySelector('.live-view').parentElement.liveView"
IDLE_CORES = 0.15  # a paused or closed tab: the websocket poll and nothing else


@pytest.fixture(scope="module")
def server():
    """A playground server of this module's own: (base URL, pid) for CPU readings
    that no other test file's tabs disturb."""
    with streamlit_server(PLAYGROUND_APP) as url:
        yield url, SERVER_PIDS[url]


@pytest.fixture(scope="module")
def app_url(server):
    return server[0]


# ------------------------------------------------------------------ reading
def open_app(page, url: str) -> None:
    """Open a link and wait until the live view has drawn its first frame."""
    page.goto(url)
    wait_for_app(page)
    page.wait_for_function(
        """() => { const host = document.querySelector('.live-view');
          const view = host && host.parentElement.liveView;
          return view && view.geometry && view.current && window.__liveView.framesDrawn >= 1
            && document.querySelector('.live-panel-output .js-plotly-plot'); }""",
        timeout=60_000)
    wait_for_app(page)


def field(page, name: str):
    return page.locator(f'.live-status [data-field="{name}"]')


def number(text: str) -> float:
    return float(text.replace(",", "").replace("%", ""))


def shown(page, idle: bool = False) -> dict:
    """What every view of the page shows now, read in one go (once a new scene's
    frame is drawn: until the next animation frame it is only pending). ``idle``
    (paused): also once nothing else is on its way to the screen (a paint in the
    worker, a painted frame waiting for the next animation frame: milliseconds)."""
    return page.wait_for_function(f"""(idle) => {{
      const view = {VIEW}, frame = view.current, loss = view.loss;
      if (!frame || view.pending || (idle && !view.settled)) return null;
      const last = loss && (loss.points.length ? loss.points.at(-1) : loss.start);
      const text = (name) => document.querySelector(
        `.live-status [data-field="${{name}}"]`).textContent;
      const steps = text('steps').match(/^Step ([\\d,]+)/);
      if (!steps) return null;  // a new view: its first frame is still in the painter
      return {{
        status_epoch: Number(text('epoch').replace(/,/g, '')),
        status_steps: Number(steps[1].replace(/,/g, '')),
        train_loss: text('train-loss'),
        last_epoch: window.__liveView.lastEpoch,
        frames_drawn: window.__liveView.framesDrawn,
        seq: frame.seq, run: frame.run, epoch: frame.epoch, steps: frame.steps,
        batch: frame.batch, batches: frame.batches,
        loss_x: last ? last.x : null,
        scene: {{seq: view.scene.frame.seq, run: view.scene.frame.run,
                 epoch: view.scene.frame.epoch, steps: view.scene.frame.steps}},
        params: Array.from(frame.params),
      }};
    }}""", arg=idle, timeout=10_000).json_value()


def assert_consistent(state: dict) -> None:
    """Every view shows one frame, and that frame's counters agree."""
    assert state["status_epoch"] == state["epoch"] == state["last_epoch"], state
    assert state["status_steps"] == state["steps"], state
    # steps, epoch and mini-batch from one run: no counter written by another one
    assert state["steps"] == state["epoch"] * state["batches"] + state["batch"], state
    epoch_x = state["epoch"] + (state["batch"] / state["batches"] if state["batches"] else 0)
    assert state["loss_x"] == pytest.approx(epoch_x), state


# The live canvases only show the painter's bitmaps (a "bitmaprenderer" context):
# their pixels are read by drawing them onto a scratch canvas.
PIXELS_JS = """(canvas) => {
  const scratch = document.createElement('canvas');
  scratch.width = canvas.width; scratch.height = canvas.height;
  const context = scratch.getContext('2d');
  context.drawImage(canvas, 0, 0);
  return context.getImageData(0, 0, canvas.width, canvas.height).data;
}"""
HASH_JS = f"""(selector) => {{
  const canvas = document.querySelector(selector);
  const data = ({PIXELS_JS})(canvas);
  let hash = canvas.width * 7919 + canvas.height;
  for (let i = 0; i < data.length; i++) hash = (hash * 31 + data[i]) | 0;
  return hash;
}}"""


def canvas_hash(page, selector: str) -> int:
    return page.evaluate(HASH_JS, selector)


OUTPUT_MAP = ".live-panel-output canvas.live-map"
NETWORK = ".live-panel-network canvas.live-network"
WEIGHTS = ".live-panel-weights canvas.live-map"


def settled(page) -> dict:
    """Once a command's rerun is over and its scene has reached the view: what it shows."""
    wait_for_app(page)
    page.wait_for_function(f"() => {{ const v = {VIEW}; return v.current && !v.pending"
                           f" && v.scene.frame.seq >= v.current.seq; }}", timeout=10_000)
    page.wait_for_timeout(100)
    return shown(page)


def rerun_scene(page) -> None:
    """A whole-page rerun that changes nothing in the run: the page then holds the
    scene the server drew from the trainer's newest frame."""
    toggle = page.locator(".st-key-log_scale label")
    toggle.click()
    page.wait_for_timeout(200)
    wait_for_app(page)
    toggle.click()
    page.wait_for_timeout(200)
    wait_for_app(page)


def play_button(page):
    return page.locator(".st-key-play button").first  # with a help text, a hidden copy follows


def choose_dataset(page, name: str) -> None:
    """Pick a data set in the sidebar (a rerun may close the list once: open it again)."""
    option = page.get_by_role("option", name=name, exact=True)
    for _ in range(3):
        page.locator(".st-key-w_dataset input").click()
        try:
            option.click(timeout=5_000)
            break
        except Exception:  # noqa: BLE001 - the list closed under the click
            page.keyboard.press("Escape")
    wait_for_app(page)
    expect(page.locator(".st-key-w_dataset input")).to_have_value(name)


def click_and_settle(page, key: str) -> None:
    page.locator(f".st-key-{key} button").first.click()
    page.wait_for_timeout(200)
    wait_for_app(page)


# --------------------------------------------------------------- reference
def reference_session(link: str) -> TrainingSession:
    """The run a share link starts, built here with the playground's own modules."""
    config, _ = cfg.from_query(dict(parse_qsl(urlsplit(link).query)))
    return TrainingSession(config)


def names_of(session: TrainingSession) -> list[list[str]]:
    return figures.neuron_names(session.net.layer_sizes, session.data.features)


def weight_index(sizes, layer: int, source: int, target: int) -> int:
    """Where weight (layer, source → target) sits in get_parameters (weights first)."""
    return sum(a * b for a, b in zip(sizes[:layer], sizes[1:layer + 1])) \
        + source * sizes[layer + 1] + target


def bias_index(sizes, layer: int, neuron: int) -> int:
    weights = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    return weights + sum(sizes[1:layer + 1]) + neuron


def js_text(value: float) -> str:
    """A weight as the page writes it: 4 significant digits of its float32 value."""
    value = float(f"{float(np.float32(value)):.4g}")
    return str(int(value)) if value.is_integer() else repr(value)


# ------------------------------------------------------------ the network
def geometry(page) -> dict:
    """The graph's tiles in page coordinates (the component's own geometry)."""
    page.locator(NETWORK).scroll_into_view_if_needed()
    return page.evaluate(f"""() => {{
      const view = {VIEW}, box = view.networkCanvas.getBoundingClientRect();
      return {{left: box.left, top: box.top, tiles: view.geometry.tiles,
               tile: view.geometry.tile, bias: view.geometry.bias}};
    }}""")


def neuron_point(page, layer: int, index: int) -> tuple[float, float]:
    geo = geometry(page)  # read anew: a notice above the view moves it
    tile = geo["tiles"][layer][index]
    return (geo["left"] + tile["x"] + geo["tile"] / 2, geo["top"] + tile["y"] + geo["tile"] / 2)


def bias_point(page, layer: int, index: int) -> tuple[float, float]:
    """The bias square of a neuron in `layer` (≥ 1), at its tile's lower left."""
    geo = geometry(page)
    tile, size, s = geo["tiles"][layer][index], geo["tile"], geo["bias"]
    return (geo["left"] + tile["x"] - s / 2 - 2, geo["top"] + tile["y"] + size - s / 2)


def link_point(page, layer: int, source: int, target: int) -> tuple[float, float]:
    """A point on the link's curve a quarter of the way along (links fan apart there)."""
    geo = geometry(page)
    size = geo["tile"]
    a, b = geo["tiles"][layer][source], geo["tiles"][layer + 1][target]
    x0, y0, x1, y1 = a["x"] + size, a["y"] + size / 2, b["x"], b["y"] + size / 2
    mid, t = (x0 + x1) / 2, 0.25
    u = 1 - t
    x = u ** 3 * x0 + 3 * u * u * t * mid + 3 * u * t * t * mid + t ** 3 * x1
    y = (u ** 3 + 3 * u * u * t) * y0 + (3 * u * t * t + t ** 3) * y1
    return geo["left"] + x, geo["top"] + y


def tip_lines(page) -> list[str]:
    tip = page.locator(".live-panel-network .live-tip")
    expect(tip).to_be_visible()
    return tip.inner_text().split("\n")


# ------------------------------------------------------------------- server
def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process, all its threads, from /proc."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cores_between(pid: int, start: float, end: float) -> float:
    """The process's CPU use (cores) from monotonic time `start` to `end` (waits)."""
    time.sleep(max(0.0, start - time.monotonic()))
    begun, used = time.monotonic(), cpu_seconds(pid)
    time.sleep(max(0.0, end - time.monotonic()))
    return (cpu_seconds(pid) - used) / (time.monotonic() - begun)


def server_stats(url: str) -> dict:
    with urllib.request.urlopen(f"{url}/_mikir/stats", timeout=5) as response:
        return json.load(response)


# =================================================================== tests
def test_play_pause_step_on_spiral(browser_page, app_url):
    page = browser_page
    open_app(page, app_url)
    choose_dataset(page, "Spiral")
    expect(page.get_by_text("network 2 → 4 → 2 → 1")).to_be_visible()
    expect(field(page, "epoch")).to_have_text("0")
    start_loss = number(field(page, "train-loss").inner_text())

    press_and_expect(play_button(page), "Pause")
    # The epoch rises while it plays (no rerun needed), and the training loss falls.
    page.wait_for_function(
        "() => Number(document.querySelector('.live-status [data-field=\"epoch\"]')"
        ".textContent.replace(/,/g, '')) >= 100", timeout=30_000)
    assert number(field(page, "train-loss").inner_text()) < start_loss

    press_and_expect(play_button(page), "Play")
    wait_for_app(page)
    paused = shown(page, idle=True)
    assert_consistent(paused)
    page.wait_for_timeout(1500)
    assert shown(page)["seq"] == paused["seq"]  # really paused

    click_and_settle(page, "step")
    expect(field(page, "steps")).to_contain_text(f"Step {paused['steps'] + 1:,} ")
    stepped = shown(page)
    assert_consistent(stepped)
    assert stepped["steps"] == paused["steps"] + 1


def test_share_link_reproduces_data_and_initial_weights(browser, app_url):
    link = f"{app_url}/?data=xor&layers=5,3&lr=0.1&noise=20&seed=7&wseed=3&features=x1,x2,sin_x1"
    reference = reference_session(link)
    losses = []
    for _ in range(2):  # two separate visitors
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        try:
            page = context.new_page()
            open_app(page, link)
            expect(page.get_by_text("network 3 → 5 → 3 → 1")).to_be_visible()
            assert page.locator(".st-key-w_dataset input").input_value() == "Exclusive or"
            assert "lr=0.1" in page.url and "seed=7" in page.url and "wseed=3" in page.url
            state = shown(page)
            # the very weights this link starts from, as float32 on the wire
            np.testing.assert_array_equal(
                np.float32(state["params"]), reference.net.get_parameters().astype(np.float32))
            losses.append(state["train_loss"])
        finally:
            context.close()
    assert losses[0] == losses[1] == f"{reference.train_loss:.4f}"


def test_url_follows_settings_without_flooding_history(browser_page, app_url):
    page = browser_page
    open_app(page, app_url)
    length = page.evaluate("history.length")
    for name in ("Spiral", "Gaussian", "Exclusive or"):
        choose_dataset(page, name)
    expect(page).to_have_url(re.compile(r"data=xor"))
    assert page.evaluate("history.length") == length


def test_hostile_link_shows_a_notice(browser_page, app_url):
    page = browser_page
    open_app(page, f"{app_url}/?lr=abc&layers=1000&data=%3Cscript%3E")
    expect(page.get_by_text(re.compile("Learning rate")).first).to_be_visible()
    expect(page.get_by_text(re.compile("Layers")).first).to_be_visible()
    expect(page.get_by_text(re.compile("Share link"))).not_to_have_count(0)
    expect(field(page, "epoch")).to_have_text("0")
    assert page.locator("[data-testid=stException]").count() == 0


def test_each_tab_is_its_own_run(browser, app_url):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        first, second = context.new_page(), context.new_page()
        open_app(first, app_url)
        open_app(second, app_url)
        click_and_settle(first, "step_epoch")
        expect(field(first, "epoch")).to_have_text("1")
        second.reload()
        wait_for_app(second)
        # the other tab never saw it
        expect(field(second, "epoch")).to_have_text("0", timeout=30_000)
        first.reload()  # a reload is a new run too
        wait_for_app(first)
        expect(field(first, "epoch")).to_have_text("0", timeout=30_000)
    finally:
        context.close()


def test_clicking_a_page_during_the_first_run_keeps_the_setup(browser, app_url):
    for _ in range(2):
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        try:
            page = context.new_page()
            page.goto(f"{app_url}/?data=spiral&lr=0.1")
            page.get_by_role("radio", exact=True, name="Backprop inspector").click()  # no waiting
            wait_for_app(page)
            page.wait_for_timeout(1500)
            wait_for_app(page)
            assert "data=spiral" in page.url and "lr=0.1" in page.url
            assert "points=" not in page.url and "layers=" not in page.url
        finally:
            context.close()


def test_hover_shows_exact_values_and_a_click_edits_a_weight(browser_page, app_url):
    link = f"{app_url}/?data=xor&seed=7&wseed=3"
    reference = reference_session(link)
    sizes, names = reference.net.layer_sizes, names_of(reference)
    page = browser_page
    open_app(page, link)

    # A link: its two neurons and the weight, exactly (float32, 4 digits).
    weight = reference.net.weights[0][1, 2]
    at = link_point(page, 0, 1, 2)
    page.mouse.move(*at)
    assert tip_lines(page) == [f"{names[0][1]} → {names[1][2]}", f"weight = {js_text(weight)}",
                               "click to edit"]
    # A neuron: its name and its bias.
    page.mouse.move(*neuron_point(page, 1, 2))
    bias = reference.net.biases[0][2]
    expect(page.locator(".live-panel-network .live-tip")).to_contain_text(names[1][2])
    assert f"bias = {js_text(bias)}" in tip_lines(page)
    # The bias square.
    page.mouse.move(*bias_point(page, 1, 2))
    assert tip_lines(page)[:2] == [f"bias of {names[1][2]}", f"= {js_text(bias)}"]

    # A click on the link opens a number box there; a bad value changes nothing.
    index = weight_index(sizes, 0, 1, 2)
    page.mouse.click(*at)
    editor = page.locator("form.live-editor input")
    expect(editor).to_be_focused()
    expect(editor).to_have_value(js_text(weight))
    graph = page.locator(".live-panel-network canvas.live-network")
    where = graph.bounding_box()
    editor.fill("1e9")
    editor.press("Enter")
    expect(page.locator(".live-notice")).to_contain_text("Enter a finite value between")
    wait_for_app(page)
    assert shown(page)["params"][index] == np.float32(weight)
    assert graph.bounding_box() == where  # the refusal does not push the graph away

    # A good value is applied at once: the frame, the hover and the losses show it.
    loss_before = field(page, "train-loss").inner_text()
    at = link_point(page, 0, 1, 2)
    page.mouse.click(*at)
    editor.fill("-2.5")
    page.locator("form.live-editor button[type=submit]").click()
    expect(page.get_by_text(re.compile(r"Set the weight .* to -2\.5"))).to_be_visible()
    page.wait_for_function(f"(i) => {VIEW}.current.params[i] === -2.5", arg=index,
                           timeout=15_000)
    expect(field(page, "train-loss")).not_to_have_text(loss_before)
    page.mouse.move(5, 5)
    page.mouse.move(*link_point(page, 0, 1, 2))
    assert tip_lines(page)[1] == "weight = -2.5"

    # The bias too.
    page.mouse.click(*bias_point(page, 1, 2))
    expect(editor).to_be_focused()
    editor.fill("0.25")
    editor.press("Enter")
    expect(page.get_by_text(re.compile(r"Set the bias of .* to 0\.25"))).to_be_visible()
    page.wait_for_function(f"(i) => {VIEW}.current.params[i] === 0.25",
                           arg=bias_index(sizes, 0, 2), timeout=15_000)

    # While it trains, the label under a resting mouse follows the weight.
    press_and_expect(play_button(page), "Pause")
    page.mouse.move(*link_point(page, 0, 1, 2))
    tip = page.locator(".live-panel-network .live-tip")
    expect(tip).to_be_visible()
    resting = tip.inner_text()
    expect(tip).not_to_have_text(resting, timeout=10_000)  # the mouse has not moved
    expect(tip).to_contain_text(f"{names[0][1]} → {names[1][2]}")
    press_and_expect(play_button(page), "Play")


def test_a_typed_decimal_comma_is_read_as_a_decimal_point(browser_page, app_url):
    link = f"{app_url}/?data=xor&seed=7&wseed=3"
    reference = reference_session(link)
    page = browser_page
    open_app(page, link)
    index = weight_index(reference.net.layer_sizes, 1, 0, 1)
    page.mouse.click(*link_point(page, 1, 0, 1))
    editor = page.locator("form.live-editor input")
    expect(editor).to_be_focused()
    editor.fill("1,5")  # numbers.parse_number(decimal_comma=True): 1.5
    editor.press("Enter")
    expect(page.get_by_text(re.compile(r"Set the weight .* to 1\.5\."))).to_be_visible()
    page.wait_for_function(f"(i) => {VIEW}.current.params[i] === 1.5", arg=index,
                           timeout=15_000)
    # "1,500" could mean 1500: refused with the reason, the weight stays 1.5.
    page.mouse.click(*link_point(page, 1, 0, 1))
    editor.fill("1,500")
    editor.press("Enter")
    expect(page.get_by_text(re.compile("ambiguous"))).to_be_visible()
    wait_for_app(page)
    assert shown(page)["params"][index] == 1.5


def test_hovering_a_neuron_shows_its_map_large(browser_page, app_url):
    link = f"{app_url}/?data=xor&seed=7&wseed=3"
    names = names_of(reference_session(link))
    page = browser_page
    open_app(page, link)
    legend = page.locator(".live-panel-output .live-legend")
    expect(legend).to_contain_text("Colour:")
    output = canvas_hash(page, OUTPUT_MAP)

    page.mouse.move(*neuron_point(page, 1, 0))
    expect(legend).to_contain_text(f"Showing {names[1][0]}")
    page.wait_for_function(f"([selector, before]) => ({HASH_JS})(selector) !== before",
                           arg=[OUTPUT_MAP, output], timeout=5_000)
    neuron = canvas_hash(page, OUTPUT_MAP)

    page.mouse.move(*neuron_point(page, 0, 1))  # an input feature: its own map
    expect(legend).to_contain_text(f"Showing {names[0][1]}")
    page.wait_for_timeout(300)
    assert canvas_hash(page, OUTPUT_MAP) not in (output, neuron)

    page.mouse.move(5, 5)  # off the graph: the output again, pixel for pixel
    expect(legend).to_contain_text("Colour:")
    page.wait_for_timeout(300)
    assert canvas_hash(page, OUTPUT_MAP) == output


# A sampler on every animation frame: the output map and every neuron tile of the
# network must be painted (opaque) on each one after the first draw.
BLANK_SAMPLER = """() => {
  const probe = window.__blankProbe = {frames: 0, blank: 0, first: null};
  const opaque = (canvas, points) => {
    if (!canvas || !canvas.isConnected || canvas.width < 2 || canvas.height < 2) return false;
    const data = (""" + PIXELS_JS + """)(canvas);
    return points.every(([x, y]) =>
      data[4 * (Math.floor(y) * canvas.width + Math.floor(x)) + 3] === 255);
  };
  const sample = () => {
    if (probe.stop) return;
    const host = document.querySelector('.live-view');
    const view = host && host.parentElement.liveView;
    if (view && view.current && window.__liveView.framesDrawn >= 1) {
      const ratio = window.devicePixelRatio || 1;
      const map = view.outputMap;
      const mapPoints = [];
      for (const fx of [0.05, 0.5, 0.95]) for (const fy of [0.05, 0.5, 0.95])
        mapPoints.push([fx * map.width, fy * map.height]);
      const g = view.geometry;
      const tilePoints = g.tiles.flat().map((t) =>
        [(t.x + g.tile / 2) * ratio, (t.y + g.tile / 2) * ratio]);
      probe.frames += 1;
      const mapOk = opaque(map, mapPoints), networkOk = opaque(view.networkCanvas, tilePoints);
      if (!mapOk || !networkOk) {
        probe.blank += 1;
        probe.first = probe.first || {frame: probe.frames, map: mapOk, network: networkOk};
      }
    }
    requestAnimationFrame(sample);
  };
  requestAnimationFrame(sample);
}"""


def test_no_blank_frames_while_playing(browser_page, app_url):
    page = browser_page
    open_app(page, app_url)
    page.evaluate(BLANK_SAMPLER)
    press_and_expect(play_button(page), "Pause")
    drawn = page.evaluate("window.__liveView.framesDrawn")
    page.wait_for_function("(n) => window.__liveView.framesDrawn >= n + 60", arg=drawn,
                           timeout=30_000)
    # a whole-page rerun while it plays (a new scene) must not blank anything either
    page.locator(".st-key-show_test label").click()
    page.wait_for_timeout(200)
    wait_for_app(page)
    drawn = page.evaluate("window.__liveView.framesDrawn")
    page.wait_for_function("(n) => window.__liveView.framesDrawn >= n + 60", arg=drawn,
                           timeout=30_000)
    probe = page.evaluate("() => { window.__blankProbe.stop = true; return window.__blankProbe; }")
    press_and_expect(play_button(page), "Play")
    assert probe["frames"] >= 60
    assert probe["blank"] == 0, probe


def test_every_painted_frame_is_shown_in_order(browser_page, app_url):
    """The painter runs ahead of the display by at most one frame: no result it
    painted is replaced before it was shown (a quick painter once lost every other
    frame that way), and the states shown only move forward."""
    page = browser_page
    open_app(page, app_url + "/?speed=1")
    page.evaluate("""() => {
      const seen = window.__shownOrder = {frames: 0, backwards: 0, drawn: null, epoch: null};
      const sample = () => {  // what the page shows, on every display frame
        if (seen.stop) return;
        const live = window.__liveView;
        if (live && live.framesDrawn !== seen.drawn) {
          if (seen.epoch !== null && live.lastEpoch < seen.epoch) seen.backwards += 1;
          seen.drawn = live.framesDrawn;
          seen.epoch = live.lastEpoch;
          seen.frames += 1;
        }
        requestAnimationFrame(sample);
      };
      requestAnimationFrame(sample);
    }""")
    press_and_expect(play_button(page), "Pause")
    drawn = page.evaluate("window.__liveView.framesDrawn")
    page.wait_for_function("(n) => window.__liveView.framesDrawn >= n + 120", arg=drawn,
                           timeout=30_000)
    press_and_expect(play_button(page), "Play")
    shown = page.evaluate("() => { window.__shownOrder.stop = true; return {"
                          " unseen: window.__liveView.paintedUnseen,"
                          " frames: window.__shownOrder.frames,"
                          " backwards: window.__shownOrder.backwards}; }")
    assert shown["frames"] >= 100 and shown["backwards"] == 0, shown
    assert shown["unseen"] == 0, shown


def test_frames_that_arrive_go_to_the_painter_at_once_and_a_late_message_is_bridged(
        browser_page, app_url):
    """Frames made on the server's clock arrive in messages (~2-3 frames each): the
    page keeps up to five queued, so one message late by a few display frames leaves
    none without a new state, and a painter left idle gets the next frame as it
    arrives rather than at the next animation frame (each was a display frame
    showing nothing new, ~0.5 a second at the defaults)."""
    page = browser_page
    open_app(page, app_url)
    result = page.evaluate("""async (view) => {
      const v = eval(view);
      const settle = async () => { while (!v.settled) await new Promise(requestAnimationFrame); };
      await settle();
      const base = v.current;
      const make = (k) => ({...base, seq: base.seq + k, epoch: base.epoch + k,
                            steps: base.steps + k, params: base.params.slice()});
      v.receive([make(1)]);
      const painting = v.inFlight?.frame.seq ?? null;  // before any animation frame
      await settle();
      // a message of seven frames: the five newest are kept, each shown on its own frame
      let drawn = window.__liveView.framesDrawn;
      const epochs = [];
      v.receive([2, 3, 4, 5, 6, 7, 8].map(make));
      const queued = v.queue.length + (v.inFlight ? 1 : 0);
      for (let i = 0; i < 12; i++) {
        await new Promise(requestAnimationFrame);
        if (window.__liveView.framesDrawn !== drawn) {
          drawn = window.__liveView.framesDrawn;
          epochs.push(window.__liveView.lastEpoch - base.epoch);
        }
      }
      return {painting: painting - base.seq, queued, epochs};
    }""", VIEW)
    assert result["painting"] == 1, result  # at once, not an animation frame later
    assert result["queued"] == 5, result  # the newest five: one painting, four waiting
    assert result["epochs"] == [4, 5, 6, 7, 8], result  # in order, each on its own frame


def test_zoom_is_kept_while_playing(browser_page, app_url):
    page = browser_page
    open_app(page, app_url)
    plot = ".live-panel-output .js-plotly-plot"
    press_and_expect(play_button(page), "Pause")
    page.evaluate("""(selector) => Plotly.relayout(document.querySelector(selector),
                     {'xaxis.range': [-2, 2], 'yaxis.range': [-1, 3]})""", plot)
    drawn = page.evaluate("window.__liveView.framesDrawn")
    page.wait_for_timeout(3000)
    state = page.evaluate(f"""(selector) => {{
      const layout = document.querySelector(selector)._fullLayout;
      return {{x: layout.xaxis.range, y: layout.yaxis.range,
               drawn: window.__liveView.framesDrawn, range: {VIEW}.outputRange()}};
    }}""", plot)
    assert state["drawn"] >= drawn + 30  # it went on drawing
    assert state["x"] == pytest.approx([-2, 2]) and state["y"] == pytest.approx([-1, 3])
    assert state["range"] == pytest.approx([-2, 2, -1, 3])  # the map follows the zoom
    first = canvas_hash(page, OUTPUT_MAP)
    page.wait_for_timeout(500)
    assert canvas_hash(page, OUTPUT_MAP) != first  # and is still being drawn

    press_and_expect(play_button(page), "Play")  # a whole-page rerun: a new scene
    wait_for_app(page)
    page.wait_for_timeout(500)
    ranges = page.evaluate("""(selector) => { const l = document.querySelector(selector)
      ._fullLayout; return [l.xaxis.range, l.yaxis.range]; }""", plot)
    assert ranges[0] == pytest.approx([-2, 2]) and ranges[1] == pytest.approx([-1, 3])


def test_once_paused_every_view_shows_the_same_epoch(browser_page, app_url):
    page = browser_page
    open_app(page, app_url)
    press_and_expect(play_button(page), "Pause")
    page.wait_for_function(f"() => {VIEW}.current.epoch >= 20", timeout=30_000)
    press_and_expect(play_button(page), "Play")
    paused = settled(page)
    assert_consistent(paused)
    pictures = [canvas_hash(page, selector) for selector in (NETWORK, OUTPUT_MAP, WEIGHTS)]
    page.wait_for_timeout(3000)
    later = shown(page)
    assert later == paused  # nothing moved
    assert [canvas_hash(page, s) for s in (NETWORK, OUTPUT_MAP, WEIGHTS)] == pictures
    rerun_scene(page)  # the server's own newest frame is the one shown
    scene = shown(page)["scene"]
    assert (scene["seq"], scene["epoch"], scene["steps"]) == \
        (paused["seq"], paused["epoch"], paused["steps"])


def test_pause_and_settings_take_effect_while_it_redraws(browser_page, app_url):
    """Clicks and changes that land together with a frame are not lost."""
    page = browser_page
    open_app(page, app_url)
    button = play_button(page)
    for _ in range(6):  # each click once, timed against the frames by chance
        press_and_expect(button, "Pause")
        page.wait_for_timeout(700)
        press_and_expect(button, "Play")
        page.wait_for_timeout(300)
    press_and_expect(button, "Pause")
    rate = page.locator(".st-key-w_learning_rate input[type=range]")
    if not rate.count():
        rate = page.locator(".st-key-w_learning_rate [role=slider]")
    for expected in ("0.1", "0.3", "1"):  # TensorFlow Playground's scale after 0.03
        rate.focus()
        rate.press("ArrowRight")
        page.wait_for_function("(lr) => new URL(location.href).searchParams.get('lr') === lr",
                               arg=expected, timeout=10_000)
        page.wait_for_timeout(400)
    assert "Pause" in button.inner_text()  # still playing, at the new rate
    epoch = shown(page)["epoch"]
    page.wait_for_function(f"(e) => {VIEW}.current.epoch > e + 5", arg=epoch, timeout=15_000)
    press_and_expect(button, "Play")


# ------------------------------------------------ commands during long frames
def play_heavy(page, url: str, seconds: float = 2.5) -> None:
    """Open the heavy link and let it play for a while (slices of ≤ 40 ms)."""
    open_app(page, url + "/" + HEAVY)
    press_and_expect(play_button(page), "Pause")
    page.wait_for_function(f"() => {VIEW}.current.steps > 0", timeout=30_000)
    page.wait_for_timeout(seconds * 1000)


def test_reset_while_playing_the_heavy_link_stays_at_epoch_zero(browser_page, app_url):
    initial = reference_session(app_url + "/" + HEAVY).net.get_parameters().astype(np.float32)
    page = browser_page
    play_heavy(page, app_url)
    for _ in range(3):
        click_and_settle(page, "reset")
        expect(play_button(page)).to_contain_text("Play")
        expect(field(page, "epoch")).to_have_text("0")
        expect(field(page, "steps")).to_contain_text(re.compile(r"^Step 0 "))
        page.wait_for_timeout(3000)  # no late write from a slice that was running
        expect(field(page, "epoch")).to_have_text("0")
        expect(field(page, "steps")).to_contain_text(re.compile(r"^Step 0 "))
        state = shown(page)
        assert_consistent(state)
        assert state["steps"] == 0
        np.testing.assert_array_equal(np.float32(state["params"]), initial)  # untrained
        rerun_scene(page)
        scene = shown(page)["scene"]
        assert (scene["epoch"], scene["steps"]) == (0, 0), scene
        press_and_expect(play_button(page), "Pause")
        page.wait_for_function(f"() => {VIEW}.current.steps > 0", timeout=30_000)
        page.wait_for_timeout(1000)
    press_and_expect(play_button(page), "Play")


@pytest.mark.parametrize("command", ["pause", "step"])
def test_pause_or_step_while_playing_the_heavy_link_stops_for_good(browser_page, app_url,
                                                                   command):
    page = browser_page
    play_heavy(page, app_url)
    before = shown(page)
    if command == "pause":
        press_and_expect(play_button(page), "Play")
    else:
        click_and_settle(page, "step")
        expect(play_button(page)).to_contain_text("Play")
    wait_for_app(page)
    page.wait_for_timeout(300)
    stopped = shown(page, idle=True)
    assert_consistent(stopped)
    assert stopped["steps"] > before["steps"]
    page.wait_for_timeout(3000)
    assert shown(page) == stopped  # no late writes
    rerun_scene(page)
    scene = shown(page)["scene"]
    assert (scene["seq"], scene["epoch"], scene["steps"]) == \
        (stopped["seq"], stopped["epoch"], stopped["steps"]), (scene, stopped)


def test_switching_page_while_playing_the_heavy_link(browser, server):
    url, _ = server
    for _ in range(2):  # fresh tabs: this used to fail about half the time
        context = browser.new_context(viewport={"width": 1440, "height": 1000})
        try:
            page = context.new_page()
            play_heavy(page, url, seconds=1.5)
            page.get_by_role("radio", exact=True, name="Backprop inspector").click()
            expect(page.get_by_role("heading", name="Backprop inspector")).to_be_visible(
                timeout=10_000)
            expect(page.locator(".live-view")).to_have_count(0, timeout=10_000)
            wait_for_app(page)
            # Nobody watches the Playground now: its training stops with the lease.
            switched = time.monotonic()
            cpu = server_stats(url)["training_cpu_seconds"]
            time.sleep(max(0.0, switched + 2.5 - time.monotonic()))
            first = server_stats(url)["training_cpu_seconds"]
            time.sleep(1.0)
            assert server_stats(url)["training_cpu_seconds"] - first < 0.02, cpu
            # Back on the Playground, it shows one consistent frame.
            page.get_by_role("radio", exact=True, name="Playground").click()
            page.wait_for_function("() => { const h = document.querySelector('.live-view');"
                                   " return h && h.parentElement.liveView &&"
                                   " h.parentElement.liveView.current; }", timeout=30_000)
            if "Pause" in play_button(page).inner_text():
                press_and_expect(play_button(page), "Play")
            wait_for_app(page)
            page.wait_for_timeout(300)
            assert_consistent(shown(page))
        finally:
            context.close()


def test_server_cpu_idles_after_pause_and_after_a_tab_closes(browser, server):
    url, pid = server
    time.sleep(2.5)  # tabs of earlier tests: their leases lapse
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    try:
        open_app(page, url + "/" + HEAVY)
        page.wait_for_timeout(1000)
        idle = cores_between(pid, time.monotonic(), time.monotonic() + 1.0)
        press_and_expect(play_button(page), "Pause")
        playing = cores_between(pid, time.monotonic() + 0.5, time.monotonic() + 1.5)
        assert playing > 0.2, (idle, playing)  # it trains (on a shared core): readings tell

        paused_at = time.monotonic()
        play_button(page).click()
        # the Pause click's page rerun is not training: the window starts 1 s after
        # Pause, or once that rerun is drawn if it takes longer on a busy machine
        expect(play_button(page)).to_contain_text("Play")
        wait_for_app(page)
        start = max(paused_at + 1.0, time.monotonic())
        after_pause = cores_between(pid, start, start + 1.0)
        assert after_pause < IDLE_CORES, (idle, playing, after_pause)

        press_and_expect(play_button(page), "Pause")
        page.wait_for_timeout(1500)
        closed_at = time.monotonic()
        context.close()
        after_close = cores_between(pid, closed_at + 2.0, closed_at + 3.0)
        assert after_close < IDLE_CORES, (idle, playing, after_close)
    finally:
        context.close()


def autogroup_nice(pid: int) -> int:
    """The niceness of a process's session (Linux autogroup), e.g. "/autogroup-7 nice 10"."""
    return int(Path(f"/proc/{pid}/autogroup").read_text().split()[-1])


def test_browsers_draw_first_while_a_run_trains_at_a_set_speed(browser_page, server):
    """The server leads its own session here (as a service would): its share of the CPU
    is lowered against the browser while the run trains at the defaults' speed, and
    normal while nothing trains (Streamlit's runs and a new tab's page come first)."""
    url, pid = server
    if not Path(f"/proc/{pid}/autogroup").exists():
        pytest.skip("this kernel has no autogroups: the worker's niceness is enough")
    page = browser_page
    open_app(page, url + "/")
    assert autogroup_nice(pid) == 0
    for label, nice in (("Pause", 10), ("Play", 0)):
        press_and_expect(play_button(page), label)
        deadline = time.monotonic() + 10
        while autogroup_nice(pid) != nice and time.monotonic() < deadline:
            time.sleep(0.05)
        assert autogroup_nice(pid) == nice, label


def test_divergence_pauses_and_rewind_plays_again(browser_page, app_url):
    page = browser_page
    open_app(page, app_url + "/" + DIVERGING)
    play_button(page).click()  # it diverges within the first slices
    expect(page.get_by_text(re.compile("diverged")).first).to_be_visible(timeout=30_000)
    expect(play_button(page)).to_be_disabled()
    # the loss curve shows the blow-up: it rises from the start to a last finite
    # point before the epoch that failed (not one point at epoch 0 and a gap)
    message = page.get_by_text(re.compile("Training diverged in epoch")).first.inner_text()
    failed = int(re.search(r"diverged in epoch ([\d,]+)", message)[1].replace(",", ""))
    finite_points = """() => {
      const plot = document.querySelector('.live-panel-loss .js-plotly-plot');
      const trace = plot?.data?.find((t) => t.name === 'training loss');
      return trace ? Array.from(trace.x).map((x, i) => [x, trace.y[i]])
        .filter(([, y]) => Number.isFinite(y)) : [];
    }"""
    # the curve comes with the scene of the run that told the divergence (drawn
    # asynchronously, maybe after Play is shown disabled): wait for it, bounded
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(f"() => ({finite_points})().length >= 2", timeout=10_000)
    points = page.evaluate(finite_points)
    assert len(points) >= 2 and points[0][0] == 0, (message, points)
    assert points[-1][1] > 100 * points[0][1] and points[-1][0] < failed, (failed, points)
    # the status says the views show an earlier epoch than its counters
    expect(field(page, "steps")).to_contain_text("drawn as they were before the blow-up")
    rewind = page.get_by_role("button", name="Rewind to the last good epoch")
    rewind.click()
    page.wait_for_timeout(200)
    wait_for_app(page)
    expect(rewind).to_have_count(0)
    expect(play_button(page)).to_be_enabled()
    expect(field(page, "train-loss")).to_have_text(re.compile(r"^\d"))
    expect(field(page, "test-loss")).to_have_text(re.compile(r"^\d"))
    expect(field(page, "steps")).not_to_contain_text("diverged")
    state = shown(page)
    assert_consistent(state)
    assert all(np.isfinite(state["params"]))
    rerun_scene(page)
    scene = shown(page)["scene"]
    assert (scene["epoch"], scene["steps"]) == (state["epoch"], state["steps"])


def test_plus_and_minus_under_a_layer_change_its_neurons(browser_page, app_url):
    """As in TensorFlow Playground: ＋/－ under each hidden layer of the graph."""
    page = browser_page
    open_app(page, f"{app_url}/?layers=4,2")
    sizes = lambda: page.evaluate(f"{VIEW}.scene.net.sizes")  # noqa: E731
    assert sizes() == [2, 4, 2, 1]
    add = page.get_by_role("button", name="Add a neuron to layer 1")
    remove = page.get_by_role("button", name="Remove a neuron from layer 2")
    add.click()
    page.wait_for_function(f"() => {VIEW}.scene.net.sizes[1] === 5", timeout=15_000)
    expect(page).to_have_url(re.compile(r"layers=5%2C2|layers=5,2"))
    remove.click()
    page.wait_for_function(f"() => {VIEW}.scene.net.sizes[2] === 1", timeout=15_000)
    assert sizes() == [2, 5, 1, 1]
    expect(page.get_by_role("button", name="Remove a neuron from layer 2")).to_be_disabled()
    # the keyboard reaches them too
    add = page.get_by_role("button", name="Add a neuron to layer 2")
    add.focus()
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => {VIEW}.scene.net.sizes[2] === 2", timeout=15_000)
    assert page.locator("[data-testid=stException]").count() == 0


def test_a_data_set_is_chosen_by_its_picture(browser_page, app_url):
    """As in TensorFlow Playground: the data sets as small pictures of their points."""
    page = browser_page
    open_app(page, app_url)
    picker = page.locator(".dataset-picker")
    expect(picker.get_by_role("button", name="Circle")).to_have_attribute("aria-pressed", "true")
    painted = page.evaluate("""() => [...document.querySelectorAll('.dataset-picker canvas')]
        .map((c) => c.getContext('2d').getImageData(0, 0, c.width, c.height).data
                     .some((v, i) => i % 4 === 0 && v !== 246))""")
    assert len(painted) == 8 and all(painted)  # every picture shows points
    picker.get_by_role("button", name="Spiral").click()
    expect(page).to_have_url(re.compile(r"data=spiral"), timeout=15_000)
    expect(picker.get_by_role("button", name="Spiral")).to_have_attribute("aria-pressed", "true")
    select = page.get_by_role("combobox", name="Data set")  # the same choice
    expect(select).to_have_value("Spiral")
    assert page.locator("[data-testid=stException]").count() == 0
