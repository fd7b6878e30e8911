"""In Chromium, beside the open sidebar on screens ~900-1024 px wide (the page ~470-560
px wide) and on a phone: no button, number or figure label is cut to an ellipsis on any
page, and the live view's four numbers share one row (page.css, live_view.css)."""

from __future__ import annotations

import pytest
from conftest import wait_for_app
from playwright.sync_api import expect
from test_data_browser import RUN_COUNTER, rerun

PAGES = ("Playground", "Learning-rate lab", "Backprop inspector", "Your data & model")

# Visible buttons, metric labels and values with a box that clips its text (an
# ellipsis, or hidden overflow): [the text, px needed, px shown].
CUT_TEXT = """() => [...document.querySelectorAll('.stMainBlockContainer :is(button, '
    + '[data-testid=stMetricLabel], [data-testid=stMetricValue])')]
  .filter((e) => e.getClientRects().length)
  .flatMap((e) => [e, ...e.querySelectorAll('*')].filter((box) =>
      getComputedStyle(box).overflowX !== 'visible' && box.textContent.trim()
      && box.scrollWidth > box.clientWidth + 1)
    .map((box) => [box.textContent.trim(), box.scrollWidth, box.clientWidth]))"""


@pytest.mark.parametrize("width", [390, 900, 1024, 1440])
def test_no_button_or_number_is_cut_on_any_page(browser, app_url, width):
    """At 1024 px the inspector read "Ste…", "0.5…", "Trainin…" and the lab "Set up
    co…": below 620 px of page its columns stack, as Streamlit's do on a phone."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    cut = {}
    try:
        context.add_init_script(RUN_COUNTER)
        page = context.new_page()
        page.goto(app_url)
        wait_for_app(page, timeout=60_000)
        for name in PAGES:
            choice = page.locator(".st-key-page button", has_text=name)
            rerun(page, choice.click)
            expect(choice).to_have_attribute("aria-checked", "true")
            page.wait_for_timeout(1000)  # metrics and fonts settle
            found = page.evaluate(CUT_TEXT)
            if found:
                cut[name] = found
    finally:
        context.close()
    assert cut == {}, f"cut at {width} px: {cut}"


def test_the_live_views_numbers_share_one_row_beside_the_open_sidebar(browser, app_url):
    context = browser.new_context(viewport={"width": 900, "height": 900})
    try:
        page = context.new_page()
        page.goto(app_url)
        wait_for_app(page, timeout=60_000)
        expect(page.locator("[data-testid=stSidebar]")).to_be_visible()
        tops = page.locator(".live-status .live-metric").evaluate_all(
            "(metrics) => metrics.map((m) => Math.round(m.getBoundingClientRect().top))")
    finally:
        context.close()
    assert len(tops) == 4 and len(set(tops)) == 1, f"the numbers' tops: {tops}"
