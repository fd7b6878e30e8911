"""The Learning-rate lab in a real Chromium, used the way a learner would.

Compare three learning rates (Play, watch every run advance, Pause), run the
range test, slice the loss landscape, and watch one diverging run stop while
the others go on.
"""

from __future__ import annotations

import re
import time

from conftest import press_and_expect, wait_for_app
from playwright.sync_api import expect


def settle(page) -> None:
    """Wait for the rerun an action started to finish."""
    time.sleep(0.15)  # let the click reach the server before asking whether it runs
    wait_for_app(page)


def open_lab(page, url: str) -> None:
    page.goto(url)
    wait_for_app(page)
    expect(page.locator(".live-panel-output .main-svg").first).to_be_attached(timeout=30_000)
    page.get_by_role("radio", exact=True, name="Learning-rate lab").click()
    settle(page)
    expect(page.get_by_role("button", name="Set up comparison")).to_be_visible()


def choose_rates(page, wanted: set[str]) -> None:
    """Click the learning-rate pills until exactly `wanted` are selected."""
    for _ in range(12):  # each click reruns the page and redraws the pills
        pills = page.locator(".st-key-lab_rates button")
        selected = {pills.nth(i).inner_text().strip():
                    pills.nth(i).get_attribute("aria-pressed") == "true"
                    for i in range(pills.count())}
        wrong = [name for name, active in selected.items() if active != (name in wanted)]
        if not wrong:
            return
        # Deselect first so the selection never passes the limit of four.
        wrong.sort(key=lambda name: name in wanted)
        pills.filter(has_text=re.compile(rf"^{re.escape(wrong[0])}$")).click()
        settle(page)
    raise AssertionError(f"could not select {sorted(wanted)}")


def play_button(page):
    """The toolbar's Play or Pause, whichever is shown (page_lab.PLAY_KEYS: both are
    drawn, the other one disabled and hidden)."""
    return page.locator(".st-key-lab_play, .st-key-lab_pause").locator("button:enabled")


def run_card(page, index: int):
    return page.locator(f".st-key-lab_run_{index}")


def run_epoch(page, index: int) -> int:
    text = run_card(page, index).inner_text()
    match = re.search(r"epoch ([\d,]+)", text)
    assert match, text
    return int(match.group(1).replace(",", ""))


def chart_traces(page, key: str) -> list[dict]:
    """Name and point count of each trace the browser drew in a live chart."""
    return page.evaluate(
        """key => {
            const div = document.querySelector(`.st-key-${key} .js-plotly-plot`);
            if (!div || !div._fullData) return [];
            return div._fullData.map(t => ({
                name: t.name, type: t.type,
                points: t.x ? t.x.length : (t.z ? t.z.length : 0),
            }));
        }""",
        key,
    )


def wait_until(condition, timeout: float = 30.0, message: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(message or "timed out")
        time.sleep(0.25)


def no_tracebacks(page) -> None:
    assert page.locator("[data-testid=stException]").count() == 0


def test_compare_three_rates_range_test_and_landscape(page, app_url):
    open_lab(page, f"{app_url}/?lr=0.1")  # the pills start at 0.01, 0.1 and 1
    choose_rates(page, {"0.003", "0.03", "0.3"})
    page.get_by_role("button", name="Set up comparison").click()
    settle(page)
    expect(page.get_by_text(re.compile("Identical data .* identical initial weights"))) \
        .to_be_visible()
    for index, label in enumerate(("lr 0.003", "lr 0.03", "lr 0.3")):
        expect(run_card(page, index)).to_contain_text(label)
        expect(run_card(page, index)).to_contain_text("epoch 0")
    expect(run_card(page, 3)).to_have_count(0)

    play = play_button(page)
    expect(play).to_have_text(re.compile("Play"))
    press_and_expect(play, "Pause")
    # Every run advances, together.
    wait_until(lambda: min(run_epoch(page, i) for i in range(3)) >= 30,
               message="the runs did not all reach epoch 30")
    names = lambda: [t["name"] for t in chart_traces(page, "chart_lab_loss")]  # noqa: E731
    wait_until(lambda: {"lr 0.003", "lr 0.03", "lr 0.3"} <= set(names()),
               message=f"loss chart traces: {names()}")
    runs = [t for t in chart_traces(page, "chart_lab_loss") if t["name"].startswith("lr ")]
    assert len(runs) == 3 and all(t["points"] > 2 for t in runs), runs
    maps = [t for t in chart_traces(page, "chart_lab_maps") if t["type"] == "heatmap"]
    assert len(maps) == 3

    press_and_expect(play, "Play")
    settle(page)
    # none of these rates diverges: all in step (the cards are read one by one, so
    # allow the page a moment to finish drawing the paused state)
    epochs = lambda: [run_epoch(page, i) for i in range(3)]  # noqa: E731
    wait_until(lambda: len(set(epochs())) == 1, timeout=5,
               message=f"the runs are not in step once paused: {epochs()}")
    paused = epochs()
    time.sleep(1.0)
    assert epochs() == paused, f"still training after Pause (label {play.inner_text()!r})"

    page.get_by_role("button", name="Step epoch").click()
    settle(page)
    expect(run_card(page, 0)).to_contain_text(f"epoch {paused[0] + 1:,}")

    # The range test: a figure of loss against rate, and a verdict.
    page.get_by_role("button", name="Run range test").click()
    settle(page)
    verdict = page.locator(".st-key-lab_range_verdict")
    expect(verdict).to_contain_text("Best rate", timeout=30_000)
    expect(verdict).to_contain_text(re.compile(r"usable band \d"))
    expect(verdict).to_contain_text(re.compile(r"Your rate 0\.1 is (in|below|above) the band"))
    expect(verdict).to_contain_text(re.compile(r"measured in \d+\.\d\d s"))
    expect(page.locator(".st-key-chart_lab_range .js-plotly-plot")).to_be_attached()
    wait_until(lambda: any(t["name"] == "loss after the run" and t["points"] == 20
                           for t in chart_traces(page, "chart_lab_range")),
               message="no range-test curve")

    # The landscape slice around the Playground run's weights.
    page.get_by_role("button", name="Slice the landscape now").click()
    settle(page)
    expect(page.locator(".st-key-chart_lab_landscape .js-plotly-plot")).to_be_attached()
    wait_until(lambda: {"loss along −gradient", "now", "loss on the plane"}
               <= {t["name"] for t in chart_traces(page, "chart_lab_landscape")},
               message="no landscape curve")
    expect(page.get_by_text(re.compile(r"^Sliced at epoch 0"))).to_be_visible()
    no_tracebacks(page)


def test_a_diverging_run_stops_while_the_others_go_on(page, app_url):
    # A regression with a deep ReLU net: learning rate 10 blows up within epochs.
    open_lab(page, f"{app_url}/?data=plane&activation=relu&layers=8,8,8&lr=0.01")
    choose_rates(page, {"0.001", "0.01", "10"})
    page.get_by_role("button", name="Set up comparison").click()
    settle(page)
    expect(run_card(page, 2)).to_contain_text("lr 10")
    play_button(page).click()
    expect(run_card(page, 2)).to_contain_text("diverged", timeout=30_000)
    stopped = run_epoch(page, 2)
    wait_until(lambda: min(run_epoch(page, 0), run_epoch(page, 1)) > stopped + 20,
               message="the other runs did not go on")
    assert run_epoch(page, 2) == stopped
    press_and_expect(play_button(page), "Play")  # paused
    settle(page)
    rewind = run_card(page, 2).get_by_role("button", name="Rewind")
    expect(rewind).to_be_visible()
    rewind.click()  # one click (a Pause delivered twice used to undo itself: PLAY_KEYS)
    settle(page)
    expect(run_card(page, 2)).not_to_contain_text("diverged", timeout=5_000)
    expect(play_button(page)).to_have_text(re.compile("Play"))
    no_tracebacks(page)


def test_the_keyboard_focus_stays_on_play_and_pause(page, app_url):
    """Play and Pause are two buttons, the pressed one hidden once the runs start or
    stop: the focus went with it to the page's start. It moves to the other (page.js)."""
    open_lab(page, app_url)
    page.get_by_role("button", name="Set up comparison").click()
    settle(page)
    focused = "() => document.activeElement?.closest('.st-key-lab_play, .st-key-lab_pause')" \
              "?.className.match(/st-key-lab_(play|pause)/)?.[1] ?? document.activeElement?.tagName"
    page.locator(".st-key-lab_play button").focus()
    for pressed, now_shown in (("play", "pause"), ("pause", "play"), ("play", "pause")):
        assert page.evaluate(focused) == pressed
        page.keyboard.press("Enter")
        expect(page.locator(f".st-key-lab_{now_shown} button")).to_be_enabled(timeout=30_000)
        page.wait_for_function(f"() => ({focused})() === '{now_shown}'", timeout=5_000)
    expect(play_button(page)).to_have_text(re.compile("Pause"))
    page.keyboard.press("Enter")  # the focus is where a keyboard user expects: Pause
    expect(play_button(page)).to_have_text(re.compile("Play"), timeout=30_000)
