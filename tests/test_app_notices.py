"""Share-link notices on the page: plain text, gone once the setting changes, closable."""

from html.parser import HTMLParser

import pytest
from conftest import playground_app_test
from streamlit.testing.v1 import AppTest

HOSTILE = {  # issue 9: each rendered as a link, an image (a beacon), red text or maths
    "data": "[Your session expired - click here](https://evil.example/login)",
    "activation": "![x](http://127.0.0.1:8677/beacon.png)",
    "reg": ":red[**ADMIN NOTICE**]",
    "optimizer": "$x^2$",
}


class Text(HTMLParser):
    def __init__(self, html: str):
        super().__init__()
        self.tags, self.text = [], ""
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text += data


def run_app(query) -> AppTest:
    at = playground_app_test()
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def notices(at) -> list[Text]:
    return [Text(h.proto.body) for h in at.get("html")
            if 'class="mikir-alert"' in h.proto.body and "Share link:" in h.proto.body]


def test_hostile_values_are_shown_as_the_text_they_are():
    at = run_app(HOSTILE)
    shown = notices(at)
    assert len(shown) == len(HOSTILE)
    assert all(notice.tags == ["div", "strong"] for notice in shown)  # no <a>, <img>, …
    for value in HOSTILE.values():
        assert any(f"“{value[:30]}" in notice.text for notice in shown)
    markdown = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    assert "evil.example" not in markdown and "beacon" not in markdown
    assert not at.warning


@pytest.mark.parametrize("query, change", [
    ({"lr": "0.05"}, lambda at: at.select_slider(key="w_learning_rate").set_value(0.1)),
    ({"data": "nonsense"}, lambda at: at.selectbox(key="w_dataset").select("xor")),
    ({"noise": "70"}, lambda at: at.slider(key="w_noise").set_value(10)),
])
def test_a_notice_goes_once_its_setting_is_changed(query, change):
    at = run_app({**query, "batch": "0"})  # a second notice that stays
    assert len(notices(at)) == 2
    change(at).run()
    left = notices(at)
    assert len(left) == 1 and "Batch size" in left[0].text


def test_notices_can_be_dismissed():
    at = run_app({"lr": "abc", "layers": ""})
    assert len(notices(at)) == 2
    next(b for b in at.button if b.key == "share_link_notices_dismiss").click().run()
    assert notices(at) == []
    at.run()
    assert notices(at) == []
