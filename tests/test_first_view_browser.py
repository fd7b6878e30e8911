"""In Chromium: a tab's first run draws the live view (its first frame and its charts)
before the controls come (app.py), nothing moves when they come, and they come even
when the view cannot be drawn."""

from __future__ import annotations

import pytest
from conftest import wait_for_app
from playwright.sync_api import expect

# Per animation frame: [view drawn, controls there, the view's top on the page]
RECORD = r"""(() => {
  window.__firstView = [];
  const tick = () => {
    const view = document.querySelector('.live-view');
    if (view) {
      const drawn = !!window.__liveView && window.__liveView.framesDrawn >= 1
        && view.querySelectorAll('.js-plotly-plot .main-svg').length >= 3;
      const controls = !!document.querySelector('[data-testid=stSidebar] [data-testid=stSlider]')
        && !!document.querySelector('.st-key-w_activation');
      const top = Math.round(view.getBoundingClientRect().top + scrollY);
      window.__firstView.push([drawn, controls, top]);
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();"""


@pytest.mark.parametrize("viewport", [(1440, 900), (1024, 768), (900, 768), (390, 844)],
                         ids=["desktop", "narrow", "narrower", "phone"])
def test_the_live_view_is_drawn_first_and_stays_put_when_the_controls_come(browser, app_url,
                                                                           viewport):
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    try:
        context.add_init_script(RECORD)
        page = context.new_page()
        page.goto(app_url)
        wait_for_app(page, timeout=60_000)
        expect(page.locator(".st-key-w_activation")).to_be_attached()
        page.wait_for_timeout(1000)  # anything late that would still move the view
        frames = page.evaluate("window.__firstView")
    finally:
        context.close()
    first_drawn = next(i for i, (drawn, _, _) in enumerate(frames) if drawn)
    first_controls = next(i for i, (_, controls, _) in enumerate(frames) if controls)
    assert first_drawn < first_controls, "the controls came before the charts were drawn"
    assert_the_view_stayed_put(frames)


def assert_the_view_stayed_put(frames) -> None:
    """From the first frame with the view drawn, its top moved at most 2 px."""
    first_drawn = next(i for i, (drawn, _, _) in enumerate(frames) if drawn)
    tops = {top for _, _, top in frames[first_drawn:]}
    assert max(tops) - min(tops) <= 2, f"the live view moved: {sorted(tops)}"


# page.css held back (as a busy machine sometimes applies it late) until the live
# view has been on the page HOLD_MS; what the view drew meanwhile is recorded.
HOLD_PAGE_STYLE = r"""(() => {
  const HOLD_MS = 1000;
  window.__pageStyle = { held: false, released: false, drawnWhileHeld: 0 };
  const hold = (sheet) => {
    window.__pageStyle.held = true;
    sheet.media = "not all";
    const release = () => {
      window.__pageStyle.drawnWhileHeld = window.__liveView?.framesDrawn ?? 0;
      window.__pageStyle.released = true;
      sheet.media = "all";
    };
    const waitForView = () => document.querySelector('.live-view')
      ? setTimeout(release, HOLD_MS) : requestAnimationFrame(waitForView);
    waitForView();
  };
  new MutationObserver((changes, observer) => {
    for (const change of changes) for (const node of change.addedNodes) {
      const sheets = node.nodeType === 1
        ? [node, ...node.querySelectorAll('style')].filter((e) => e.tagName === 'STYLE') : [];
      const sheet = sheets.find((e) => e.textContent.includes('--mikir-page-style'));
      if (sheet) { observer.disconnect(); hold(sheet); return; }
    }
  }).observe(document, { childList: true, subtree: true });
})();"""


def test_the_live_view_waits_for_the_page_style_before_it_draws(browser, app_url):
    """Drawn in the unstyled page, the view jumped ~340 px on a phone when page.css
    came; it draws nothing until the sheet applies (live_view.js)."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        context.add_init_script(HOLD_PAGE_STYLE)
        context.add_init_script(RECORD)
        page = context.new_page()
        page.goto(app_url)
        page.wait_for_function("() => window.__pageStyle.released || (!window.__pageStyle.held"
                               " && window.__liveView?.framesDrawn >= 1)", timeout=60_000)
        page.wait_for_function("() => window.__liveView?.framesDrawn >= 1", timeout=30_000)
        wait_for_app(page, timeout=60_000)
        page.wait_for_timeout(500)
        held = page.evaluate("window.__pageStyle")
        frames = page.evaluate("window.__firstView")
    finally:
        context.close()
    assert held["held"], "page.css was not found (its marker --mikir-page-style is gone?)"
    assert held["drawnWhileHeld"] == 0, "the view drew before the page's style applied"
    assert_the_view_stayed_put(frames)


# Each widget of the first view beside a stand-in such as Streamlit draws while it loads
# the widget's code (a skeleton in the widget's place, 40 px tall by a class rule, as
# Streamlit's own): [key, widget px, stand-in px].
FIRST_VIEW_WIDGETS = ["page", "play", "step", "step_epoch", "reset",
                      "show_test", "discretize", "log_scale"]
WIDGET_AND_STAND_IN = """(keys) => {
  const sheet = document.createElement('style');
  sheet.textContent = '.test-stand-in { height: 2.5rem; }';
  document.head.appendChild(sheet);
  return keys.map((key) => {
    const place = document.querySelector('.st-key-' + key);
    const height = () => Math.round(place.getBoundingClientRect().height);
    const widget = height();
    const shown = [...place.children];
    for (const child of shown) child.style.display = 'none';
    const standIn = document.createElement('div');
    standIn.dataset.testid = 'stSkeleton';
    standIn.className = 'test-stand-in';
    place.appendChild(standIn);
    const standInHeight = height();
    standIn.remove();
    for (const child of shown) child.style.display = '';
    return [key, widget, standInHeight];
  });
}"""


@pytest.mark.parametrize("width", [360, 390, 480, 640, 700, 800, 900, 1024, 1440])
def test_the_first_views_stand_ins_are_as_tall_as_their_widgets(browser, app_url, width):
    """The page choice wrapped as the width allowed (68 px beside a 40 px stand-in on a
    phone), a toggle is 32 px beside a 40 px stand-in: the live view moved when they
    came. page.css sizes each stand-in as its widget, at every width."""
    context = browser.new_context(viewport={"width": width, "height": 844})
    try:
        page = context.new_page()
        page.goto(app_url)
        wait_for_app(page, timeout=60_000)
        expect(page.locator(".st-key-page button")).to_have_count(4)
        heights = page.evaluate(WIDGET_AND_STAND_IN, FIRST_VIEW_WIDGETS)
        rows = len(set(page.locator(".st-key-page button").evaluate_all(
            "(buttons) => buttons.map((b) => Math.round(b.getBoundingClientRect().top))")))
    finally:
        context.close()
    unlike = [(key, widget, stand_in) for key, widget, stand_in in heights
              if abs(widget - stand_in) > 1]
    assert unlike == [], f"[widget, its px, its stand-in's px] at {width} px: {unlike}"
    assert rows in (1, 2), f"the four pages in {rows} rows"


def test_the_controls_come_when_the_charts_cannot_be_drawn(browser, app_url):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    try:
        context.route("**/_mikir/plotly.js*", lambda route: route.abort())
        page = context.new_page()
        page.goto(app_url)
        expect(page.locator(".live-panel-output .live-title")).to_have_text(
            "The charts could not be loaded.", timeout=30_000)
        wait_for_app(page, timeout=30_000)
        expect(page.locator(".st-key-w_activation")).to_be_attached()
        sliders = page.locator("[data-testid=stSidebar] [data-testid=stSlider]")
        expect(sliders.first).to_be_attached()
    finally:
        context.close()


@pytest.mark.parametrize("width", [1440, 1024, 900])
def test_the_top_bar_shows_whole_choices_beside_an_open_sidebar(browser, app_url, width):
    """Five fields in one row beside the open sidebar left selects two letters wide at
    900 px ("Ta" for Tanh); a page top narrower than 620 px wraps them (page.css)."""
    context = browser.new_context(viewport={"width": width, "height": 768})
    try:
        page = context.new_page()
        page.goto(app_url)
        wait_for_app(page, timeout=60_000)
        expect(page.locator("[data-testid=stSidebar]")).to_be_visible()
        combos = page.locator(".st-key-top_bar [data-testid=stSelectbox] input")
        expect(combos).to_have_count(3)  # drawn once Streamlit has loaded their code
        fields = combos.evaluate_all("""(inputs) => inputs.map((input) => [
            input.value, input.scrollWidth, input.clientWidth,
            Math.round(input.closest('[data-testid=stSelectbox]').getBoundingClientRect().width)])""")
    finally:
        context.close()
    assert [name for name, *_ in fields] == ["Tanh", "None", "Circle"], fields
    for name, needed, shown, width_px in fields:
        assert needed <= shown and width_px >= 90, f"{name!r} cut: {fields}"


@pytest.mark.parametrize("width", [700, 900, 1024, 1440])
def test_the_play_buttons_show_their_whole_names(browser, app_url, width):
    """At 700 px four buttons beside the description showed "S…", "Ste…", "R…"; below
    760 px of page they share a row of their own (page.css)."""
    context = browser.new_context(viewport={"width": width, "height": 768})
    try:
        page = context.new_page()
        page.goto(app_url)
        wait_for_app(page, timeout=60_000)
        buttons = page.locator(":is(.st-key-play, .st-key-step, .st-key-step_epoch, "
                               ".st-key-reset) button:visible")
        expect(buttons).to_have_count(4)
        cut = buttons.evaluate_all("""(buttons) => buttons.filter((button) =>
            [...button.querySelectorAll('*')].some((e) => e.scrollWidth > e.clientWidth + 1))
            .map((button) => button.innerText)""")
    finally:
        context.close()
    assert cut == [], f"cut at {width} px: {cut}"


# Per animation frame: [plotly's three charts drawn, output map shown, weight cells shown];
# plotly's first chart held back DELAY_MS (as on a busy first visit), so the painter's
# first frame is ready before any of plotly's axes.
RECORD_MAPS = r"""(() => {
  const DELAY_MS = 700;
  const original = ImageBitmapRenderingContext.prototype.transferFromImageBitmap;
  ImageBitmapRenderingContext.prototype.transferFromImageBitmap = function (bitmap) {
    if (bitmap) this.canvas.dataset.shown = "yes";
    return original.call(this, bitmap);
  };
  let plotly;
  Object.defineProperty(window, 'Plotly', { configurable: true, get: () => plotly, set: (value) => {
    const newPlot = value.newPlot;
    let first = true;
    value.newPlot = async (...args) => {
      if (first) {
        first = false;
        window.__plotlyHeld = true;
        await new Promise((done) => setTimeout(done, DELAY_MS));
      }
      return newPlot.apply(value, args);
    };
    plotly = value;
  } });
  window.__maps = [];
  const shown = (panel) => !!document.querySelector(`.live-panel-${panel} canvas[data-shown]`);
  const tick = () => {
    const plots = document.querySelectorAll('.live-view .js-plotly-plot .main-svg').length >= 3;
    if (document.querySelector('.live-view')) {
      const frames = window.__liveView?.framesDrawn ?? 0;
      window.__maps.push([plots, shown('output'), shown('weights'), frames]);
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();"""


def test_the_first_maps_come_with_plotlys_axes(browser, app_url):
    """The first frame is painted while plotly draws; its output map and weight cells,
    which need plotly's axes for their place, wait for them and are shown as they come
    instead of being dropped and painted again (~40-90 ms later on a first visit)."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    try:
        context.add_init_script(RECORD_MAPS)
        page = context.new_page()
        page.goto(app_url)
        page.wait_for_function("() => window.__maps.some(([plots]) => plots)", timeout=60_000)
        held = page.evaluate("window.__plotlyHeld")
        frames = page.evaluate("window.__maps")
    finally:
        context.close()
    assert held, "plotly's first chart was not held back (window.Plotly not set?)"
    first_plotted = next(i for i, row in enumerate(frames) if row[0])
    assert frames[first_plotted - 1][3] >= 1, "the first frame was not on screen before the charts"
    assert frames[first_plotted - 1][1:3] == [False, False], "maps shown before their axes"
    assert frames[first_plotted][:3] == [True, True, True], (
        f"[plots, output map, weights, frames] at the first frame with plotly's charts: "
        f"{frames[first_plotted]}")
