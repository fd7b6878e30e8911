"""User-given text (share-link values, file names, CSV cells) is shown as text, never markup."""

from html.parser import HTMLParser

import pytest
from streamlit.testing.v1 import AppTest

from playground import plain_text
from playground.config import from_query

PAYLOADS = [
    "[Your session expired - click here](https://evil.example/login)",
    "![x](http://127.0.0.1:8677/beacon.png)",
    ":red[**ADMIN NOTICE**]",
    "$x^2$",
    "<img src=x onerror=alert(1)>",
    ":material/warning: :smile: www.evil.example https://evil.example",
    "</div><script>alert(1)</script>",
    "line one\n# heading\n- item",
]


class Elements(HTMLParser):
    """The tags and the text of an HTML fragment, as a browser reads them."""

    def __init__(self):
        super().__init__()
        self.tags, self.text = [], ""

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text += data


def read(html: str) -> Elements:
    parser = Elements()
    parser.feed(html)
    parser.close()
    return parser


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("kind", list(plain_text.KINDS))
def test_an_alert_shows_the_text_itself_and_no_markup(payload, kind):
    page = read(plain_text.alert_html(payload, kind, label="Share link:"))
    assert page.tags == ["div", "strong"]  # ours only: no <a>, <img>, <script>
    assert page.text == f"Share link: {payload}"


def test_long_text_is_cut():
    page = read(plain_text.alert_html("x" * 10_000))
    assert len(page.text) == plain_text.MAX_CHARACTERS and page.text.endswith("…")


def test_quoted_names_are_short_and_printable():
    assert plain_text.quoted("a\nb.csv") == "“a\ufffdb.csv”"
    assert len(plain_text.quoted("n" * 500)) == 62


SCRIPT = """
import streamlit as st
from playground import plain_text
from playground.config import from_query

state = st.session_state
if "notes" not in state:
    state.notes = [str(n) for n in from_query(st.query_params.to_dict())[1]]
plain_text.dismissible_alerts(state.notes, label="Share link:", key="notes",
                              on_dismiss=state.notes.clear)
plain_text.caption("caption: " + st.query_params.get("data", ""))
"""


def alerts(at) -> list[str]:
    return [read(h.proto.body).text for h in at.get("html")
            if 'class="mikir-alert"' in h.proto.body]


def test_share_link_notices_reach_the_page_as_text_and_can_be_dismissed():
    at = AppTest.from_string(SCRIPT, default_timeout=10)
    query = {"data": PAYLOADS[0], "activation": PAYLOADS[1], "reg": PAYLOADS[2],
             "optimizer": PAYLOADS[3]}
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception and not at.markdown and not at.warning
    shown = alerts(at)
    assert len(shown) == 4
    for text, notice in zip(shown, from_query(query)[1]):
        assert text == f"Share link: {notice}"
    assert "[Your session expired - click here](http" in shown[0]
    caption = next(h.proto.body for h in at.get("html") if "mikir-caption" in h.proto.body)
    assert read(caption).tags == ["div"] and read(caption).text == f"caption: {PAYLOADS[0]}"
    at.button(key="notes_dismiss").click().run()
    assert alerts(at) == []
