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
    tops = {top for _, _, top in frames[first_drawn:]}
    # (once in ~10 loads a stand-in 8 px taller than its widget: allowed)
    assert max(tops) - min(tops) <= 10, f"the live view moved: {sorted(tops)}"


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
    900 px ("Ta" for Tanh); a bar narrower than 600 px wraps them (page.css)."""
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
