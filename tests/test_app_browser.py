"""The playground in a real Chromium: choose spiral, Play, Pause, Step, share links."""

from __future__ import annotations

import re
import time

from conftest import press_until, wait_for_app
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

    press_until(page.locator(".st-key-play button"), "Pause")
    # Epoch rises while it plays, and the training loss falls.
    deadline = time.monotonic() + 30
    while number(metric_value(page, "Epoch")) < 100 and time.monotonic() < deadline:
        time.sleep(0.3)
    assert number(metric_value(page, "Epoch")) >= 100
    assert number(metric_value(page, "Training loss")) < start_loss

    press_until(page.locator(".st-key-play button"), "Play")
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
            page.get_by_role("tab", name="Backprop inspector").click()  # no waiting
            wait_for_app(page)
            time.sleep(1.5)
            wait_for_app(page)
            assert "data=spiral" in page.url and "lr=0.1" in page.url
            assert "points=" not in page.url and "layers=" not in page.url
        finally:
            context.close()
