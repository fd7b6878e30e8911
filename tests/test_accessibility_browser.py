"""Everyone can use it: axe-core finds nothing on any page, the main controls work
from the keyboard with a visible focus, and a phone shows Play and the output map
on its first screen (issue 9, items 14 and 15). Real Chromium."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("playwright")
pytest.importorskip("axe_playwright_python")

from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from conftest import wait_for_app  # noqa: E402
from playwright.sync_api import expect  # noqa: E402

PAGES = ("Playground", "Learning-rate lab", "Backprop inspector", "Your data & model")
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa"]},
           "resultTypes": ["violations"]}
PHONE = {"width": 390, "height": 844}


def open_app(page, url: str) -> None:
    page.goto(url)
    wait_for_app(page)
    expect(page.locator(".live-view .js-plotly-plot").first).to_be_attached(timeout=30_000)


def choose_page(page, name: str) -> None:
    if name != PAGES[0]:
        page.locator(".st-key-page button", has_text=name).click()
        wait_for_app(page)
    page.wait_for_timeout(1_000)
    page.mouse.move(700, 500)
    for _ in range(12):  # down to the end: Streamlit draws some elements (code) when seen
        page.mouse.wheel(0, 900)
        page.wait_for_timeout(150)
    page.wait_for_timeout(1_500)  # charts drawn, the keyboard aids applied (twice a second)


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:8]:
            lines.append(f"    {node['html'][:160]}")
            lines.append(f"      {node['failureSummary'].splitlines()[-1].strip()[:200]}")
    return "\n".join(lines)


@pytest.mark.parametrize("name", PAGES)
def test_every_page_has_no_wcag_a_or_aa_violations(app_url, page, name):
    open_app(page, app_url)
    choose_page(page, name)
    violations = Axe().run(page, options=WCAG_AA).response["violations"]
    assert not violations, f"{name}:\n{describe(violations)}"


def tab_to(page, locator, presses: int = 120) -> None:
    """Press Tab until ``locator`` holds the focus (as a keyboard user gets there)."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if locator.evaluate("(node) => node.contains(document.activeElement)"):
            return
    raise AssertionError(f"Tab never reached {locator}")


def focus_ring(locator) -> str:
    """The focused element's outline and box-shadow, as computed."""
    return locator.evaluate("""(node) => {
        const style = getComputedStyle(document.activeElement);
        return `${style.outlineStyle} ${style.outlineWidth} | ${style.boxShadow}`;
    }""")


def test_play_step_and_reset_work_from_the_keyboard_with_a_visible_focus(app_url, page):
    open_app(page, app_url)
    play = page.locator(".st-key-play button:visible")
    tab_to(page, play)
    outline, shadow = focus_ring(play).split(" | ")
    assert not outline.startswith("none") or shadow != "none", (outline, shadow)
    assert not outline.startswith("none"), f"no outline on the focused Play: {outline}"
    page.keyboard.press("Space")
    expect(play).to_contain_text("Pause", timeout=10_000)
    page.locator(".st-key-play button:visible").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".st-key-play button:visible")).to_contain_text("Play", timeout=10_000)

    page.locator(".st-key-reset button:visible").focus()  # a fresh run: Step 0
    page.keyboard.press("Enter")
    wait_for_app(page)
    step = page.locator(".st-key-step button:visible")
    page.locator(".st-key-play button:visible").focus()
    tab_to(page, step, presses=3)  # Step comes straight after Play in the tab order
    page.keyboard.press("Enter")
    expect(page.locator('.live-status [data-field="steps"]')).to_contain_text("Step 1 ",
                                                                            timeout=10_000)


def test_the_page_selector_works_from_the_keyboard(app_url, page):
    open_app(page, app_url)
    lab = page.locator(".st-key-page button", has_text="Learning-rate lab")
    tab_to(page, page.locator(".st-key-page"))
    for _ in range(len(PAGES)):  # one tab stop; the arrow keys move between the pages
        if lab.evaluate("(node) => node === document.activeElement"):
            break
        page.keyboard.press("ArrowRight")
    outline = focus_ring(lab).split(" | ")[0]
    assert not outline.startswith("none"), f"no outline on the focused page button: {outline}"
    page.keyboard.press("Enter")
    wait_for_app(page)
    expect(page.locator(".live-view")).to_have_count(0, timeout=10_000)
    expect(page.get_by_text("What the learning rate does")).to_be_visible()


def test_the_weight_editor_works_from_the_keyboard(app_url, page):
    open_app(page, app_url)
    graph = page.locator(".live-network")
    expect(graph).to_have_attribute("aria-label", "Network graph: each neuron drawn as its "
                                    "output. Arrow keys pick a weight or a bias, Enter or "
                                    "Space edits it.")
    tab_to(page, graph)
    assert graph.evaluate("(node) => getComputedStyle(node).outlineStyle") != "none"
    page.keyboard.press("ArrowRight")  # the first bias, then the first link
    tip = page.locator(".live-panel-network .live-tip")
    expect(tip).to_contain_text("bias of")
    page.keyboard.press("ArrowRight")
    expect(tip).to_contain_text("→")
    expect(tip).to_contain_text("weight =")
    page.keyboard.press("Enter")
    editor = page.locator(".live-editor input")
    expect(editor).to_be_focused()
    editor.fill("0.5")
    page.keyboard.press("Enter")
    expect(page.get_by_text("to 0.5.")).to_be_visible(timeout=10_000)  # the toast


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def test_a_phone_shows_play_and_the_output_map_on_its_first_screen(app_url, phone):
    open_app(phone, app_url)
    phone.wait_for_timeout(1_000)
    phone.screenshot(path="/tmp/mikir_phone_first_screen.png")
    sidebar = phone.locator("[data-testid=stSidebar]")
    box = sidebar.bounding_box()
    assert box is None or box["x"] + box["width"] <= 0 or box["width"] == 0, \
        f"the sidebar starts open on a phone: {box}"
    buttons = [phone.locator(f".st-key-{key} button:visible").bounding_box()
               for key in ("play", "step", "step_epoch", "reset")]
    assert len({round(b["y"]) for b in buttons}) == 1, f"the play buttons stack: {buttons}"
    assert all(b["width"] < PHONE["width"] / 3 for b in buttons), buttons
    play = buttons[0]
    assert play["y"] + play["height"] <= PHONE["height"], f"Play below the first screen: {play}"
    output = phone.locator(".live-panel-output .live-body").bounding_box()
    assert 0 <= output["y"] < PHONE["height"] - 150, f"the output map starts at {output}"
    assert phone.evaluate("() => window.scrollY") == 0
    phone.screenshot(path="/tmp/mikir_phone_full.png", full_page=True)


TOP_BAR = ("w_learning_rate", "w_activation", "w_regularization", "w_regularization_rate",
           "w_dataset")


def test_the_main_choices_are_in_a_top_bar_on_the_first_screen(app_url, browser):
    """As TensorFlow Playground's top bar: learning rate, activation, regularization and
    the problem (the data set) seen at 1440×900 without scrolling; other pages keep
    them in the sidebar."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    try:
        open_app(page, app_url)
        page.wait_for_timeout(1_000)
        page.screenshot(path="/tmp/mikir_top_bar_1440x900.png")
        sidebar = page.locator("[data-testid=stSidebar]")
        for key in TOP_BAR:
            box = page.locator(f".st-key-top_bar .st-key-{key}").bounding_box()
            assert box and box["y"] + box["height"] <= 900, f"{key} below the fold: {box}"
            assert sidebar.locator(f".st-key-{key}").count() == 0, f"{key} twice"
        slider = page.locator(".st-key-top_bar .st-key-w_learning_rate input[type=range]")
        slider.focus()
        slider.press("ArrowRight")  # 0.03 -> 0.1, from the keyboard
        expect(page).to_have_url(re.compile(r"[?&]lr=0\.1(&|$)"), timeout=10_000)
        choose_page(page, "Learning-rate lab")
        for key in TOP_BAR:
            expect(sidebar.locator(f".st-key-{key}")).to_have_count(1)
        expect(sidebar.locator(".st-key-w_learning_rate")).to_contain_text("0.1")
    finally:
        context.close()
