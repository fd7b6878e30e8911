"""In Chromium: live_chart's JavaScript shows hover and label text as text (issue 9, item 4).

A label is set node by node (no innerHTML, no HTML parser), so an ``<img onerror>`` in
it creates no element and runs nothing; the only innerHTML writes left in the page's
own JavaScript take text that was escaped first.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

FRONTEND = Path(__file__).resolve().parents[1] / "playground" / "frontend"
HOSTILE = '<b>w</b> <img src=x onerror="window.__ran = 1"><svg onload="window.__ran = 2">'

# live_chart.js is an ES module: import it with its helpers exported.
IMPORT = """async (source) => {
  const url = URL.createObjectURL(new Blob(
    [source + "\\nexport { plainText, openEditor, hoverHtml, titleHtml };"],
    {type: "text/javascript"}));
  window.liveChart = await import(url);
}"""


@pytest.fixture(scope="module")
def js(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_content("<html><body><div id=panel></div></body></html>")
    page.evaluate("""() => {
      window.__ran = 0;
      window.__made = [];
      new MutationObserver((records) => records.forEach((r) => r.addedNodes.forEach(
        (n) => n.nodeType === 1 && window.__made.push(n.tagName)))).observe(
        document, {childList: true, subtree: true});
      const parse = DOMParser.prototype.parseFromString;
      DOMParser.prototype.parseFromString = function (...args) {
        window.__made.push("DOMParser");
        return parse.apply(this, args);
      };
    }""")
    page.evaluate(IMPORT, (FRONTEND / "live_chart.js").read_text())
    yield page
    context.close()


def settled(page) -> dict:
    page.wait_for_timeout(200)  # an <img src=x> would have failed (and fired) by now
    return page.evaluate("() => ({ran: window.__ran, made: window.__made.splice(0),"
                         " images: document.querySelectorAll('img, svg').length})")


def test_plain_text_keeps_hostile_markup_as_literal_text(js):
    text = js.evaluate("(t) => window.liveChart.plainText(t + '<br>0.25')", HOSTILE)
    assert text == 'w <img src=x onerror="window.__ran = 1"><svg onload="window.__ran = 2">'
    assert settled(js) == {"ran": 0, "made": [], "images": 0}


def test_the_weight_editor_shows_a_hostile_label_as_text(js):
    label = js.evaluate("""(t) => {
      const panel = {key: "p", element: document.getElementById("panel"), editor: null};
      window.liveChart.openEditor({seq: 0}, panel, {text: t, customdata: [0, 1, 2, 0.5]});
      return panel.editor.querySelector("label").textContent;
    }""", HOSTILE)
    assert label == 'w <img src=x onerror="window.__ran = 1"><svg onload="window.__ran = 2">'
    result = settled(js)
    assert result["ran"] == 0 and result["images"] == 0
    assert result["made"] == ["FORM"]  # the editor itself: its parts were built inside it
    assert js.locator("#panel form input").input_value() == "0.5"


def test_hover_and_title_html_escape_everything_but_our_markup(js):
    html = js.evaluate("""(t) => {
      const tip = document.getElementById("panel");
      tip.innerHTML = window.liveChart.hoverHtml(t + "<br>0.25");
      const hover = tip.innerHTML;
      tip.innerHTML = window.liveChart.titleHtml("**W1** " + t);
      return [hover, tip.innerHTML, tip.querySelectorAll("b").length];
    }""", HOSTILE)
    assert html[0].startswith("<b>w</b> &lt;img src=x") and "<br>0.25" in html[0]
    assert html[1].startswith("<b>W1</b> &lt;b&gt;w&lt;/b&gt; &lt;img") and html[2] == 1
    result = settled(js)
    assert result["ran"] == 0 and result["images"] == 0


def test_the_page_javascript_sets_inner_html_only_from_escaped_text():
    """Every innerHTML write in our own JavaScript is of a value escapeHtml made."""
    writes = []
    for path in sorted(FRONTEND.glob("*.js")):
        if path.name.startswith("plotly-"):
            continue  # the vendored plotly.js bundle
        source = path.read_text()
        assert not re.search(r"insertAdjacentHTML|outerHTML\s*=|document\.write|DOMParser",
                             source), path.name
        writes += [(path.name, line.strip()) for line in source.splitlines()
                   if re.search(r"innerHTML\s*=[^=]", line)]
    assert writes == [("live_chart.js", "if (tip.innerHTML !== html) tip.innerHTML = html;"),
                      ("live_chart.js", "if (panel.title.innerHTML !== html) "
                                        "panel.title.innerHTML = html;")]
    chart = (FRONTEND / "live_chart.js").read_text()
    assert "const html = hoverHtml(" in chart
    assert 'const html = spec.title ? titleHtml(spec.title) : "";' in chart
    assert re.search(r"function hoverHtml\(text\) \{\n  return escapeHtml\(text\)", chart)
    assert re.search(r"function titleHtml\(text\) \{\n  return escapeHtml\(text\)", chart)
