"""What the sidebar says, in a real Chromium (issue 9, items 7, 10 and 12): the
own-data note goes with the own data, an upload error does not outlive the page,
a classroom link names its hidden settings, and Regenerate is not cut off."""

from __future__ import annotations

import re

import pytest
from conftest import wait_for_app
from playwright.sync_api import expect
from test_data_browser import RUN_COUNTER, rerun, upload

GOOD_CSV = b"x1,x2,label\n-3,1,0\n0,2,1\n3,-1,0\n1,1,1\n-2,-2,0\n2,2,1\n"
BAD_CSV = b"x1,x2,label\n-3,1,0\n0,two,1\n"
SIDEBAR = "[data-testid=stSidebar]"


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    context.add_init_script(RUN_COUNTER)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def open_app(page, url: str) -> None:
    page.goto(url)
    expect(page.get_by_role("button", name="Step epoch")).to_be_visible(timeout=60_000)
    expect(page).to_have_url(re.compile(r"wseed="), timeout=30_000)
    wait_for_app(page)


def open_page(page, name: str) -> None:
    rerun(page, page.get_by_role("radio", exact=True, name=name).click)
    wait_for_app(page)


def test_own_data_note_and_upload_error_go_when_they_no_longer_hold(page, app_url):
    open_app(page, app_url)
    open_page(page, "Your data & model")
    upload(page, "dm_csv", "bad.csv", "text/csv", BAD_CSV)
    error = page.locator(".mikir-alert[data-kind=error]").filter(has_text="bad.csv")
    expect(error).to_be_visible(timeout=15_000)
    open_page(page, "Playground")
    open_page(page, "Your data & model")
    expect(page.get_by_text("Upload a CSV file of points")).to_be_visible()
    expect(error).to_have_count(0)

    upload(page, "dm_csv", "mine.csv", "text/csv", GOOD_CSV)
    note = page.locator(SIDEBAR).locator(".mikir-alert").filter(
        has_text="Training on your own 6 points")
    expect(note).to_be_visible(timeout=15_000)
    expect(note).to_contain_text("go back to Circle")
    back = page.locator(SIDEBAR).get_by_role("button", name="Back to Circle")
    rerun(page, back.click)
    expect(note).to_have_count(0)
    expect(back).to_have_count(0)
    expect(page.locator(".st-key-dm_counts strong").first).to_have_text("6 points")


def test_a_classroom_link_shows_its_hidden_settings_read_only(page, app_url):
    open_app(page, f"{app_url}?lr=0.3&hide=learning_rate,data")
    sidebar = page.locator(SIDEBAR)
    expect(sidebar.locator(".mikir-caption").filter(has_text="Set by your teacher")) \
        .to_have_text("Set by your teacher: data set Circle; learning rate 0.3.")
    expect(sidebar.get_by_text("Learning rate", exact=True)).to_have_count(0)
    open_page(page, "Your data & model")
    expect(page.get_by_text("Your teacher's link sets the data: clicking")).to_be_visible()
    expect(page.locator("input[type=file]")).to_have_count(0)


def test_regenerate_fits_its_column_and_says_what_it_does(page, app_url):
    open_app(page, app_url)
    button = page.locator(".st-key-regenerate button").first  # (a hidden copy follows)
    expect(button).to_be_visible()
    fits = button.evaluate("""(b) => {
        const box = b.getBoundingClientRect();
        const icon = b.querySelector('[data-testid=stIconMaterial]').getBoundingClientRect();
        return b.scrollWidth <= b.clientWidth + 1 && icon.left >= box.left
            && icon.right <= box.right && icon.width > 10;
    }""")
    assert fits
    tip = page.get_by_text("Regenerate: new points from a new seed")
    for _ in range(3):  # a tooltip opens on the mouse entering: move off and on again
        page.mouse.move(5, 5)
        button.hover()
        try:
            expect(tip).to_be_visible(timeout=4_000)
            break
        except AssertionError:
            continue
    expect(tip).to_be_visible()
