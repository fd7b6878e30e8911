"""In Chromium: a hostile share link's values appear as text, never as a link, an image
(a tracking beacon), coloured text or maths (issue 9, item 1)."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from conftest import wait_for_app
from playwright.sync_api import expect

HOSTILE = {
    "data": "[Your session expired - click here](https://evil.example/login)",
    "activation": "![x](http://127.0.0.1:8677/beacon.png)",
    "reg": ":red[**ADMIN NOTICE**]",
    "optimizer": "$x^2$",
}


def test_hostile_share_link_values_are_shown_as_plain_text(browser_page, app_url):
    page = browser_page
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{app_url}/?{urlencode(HOSTILE)}")
    wait_for_app(page)
    notices = page.locator(".mikir-alert").filter(has_text="Share link:")
    expect(notices).to_have_count(len(HOSTILE), timeout=30_000)
    for value in HOSTILE.values():
        expect(notices.filter(has_text=f"“{value[:30]}")).to_have_count(1)
    assert page.locator("a[href*='evil.example']").count() == 0
    assert page.locator("img[src*='beacon']").count() == 0
    assert page.locator(".katex, math").count() == 0
    assert notices.locator("a, img, span, em, code").count() == 0  # only our <strong>
    hosts = {urlsplit(url).netloc for url in requests}
    assert not hosts & {"evil.example", "127.0.0.1:8677"}  # the beacon was never fetched

    # Dismiss closes them all, and they stay closed.
    page.locator(".st-key-share_link_notices").get_by_role("button", name="Dismiss").click()
    wait_for_app(page)
    expect(page.locator(".mikir-alert").filter(has_text="Share link:")).to_have_count(0)
    assert page.locator("[data-testid=stException]").count() == 0
