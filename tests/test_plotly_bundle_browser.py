"""The plotly.js we serve (stream.py) against the vendored file, in a real browser.

stream.py replaces the bundle's throwing start-up feature tests: plotly must then
start without throwing a single exception (each one costs a re-parse of the bundle
while devtools are attached) and draw exactly what the unchanged bundle draws.
"""

from __future__ import annotations

from playground import stream

# Heatmap, contour and scatter on two axes pairs: what the live view and the lab draw.
DRAW = """async () => {
  const div = document.createElement('div');
  div.style.cssText = 'width:500px;height:400px';
  document.body.appendChild(div);
  const Plotly = window.__mikirPlotlyInit();
  const z = [[0, 0.2, 0.9], [0.4, 0.5, 0.1], [1, 0.3, 0.6]];
  await Plotly.newPlot(div, [
    {type: 'heatmap', z, colorscale: [[0, '#f59322'], [1, '#0877bd']]},
    {type: 'contour', z, xaxis: 'x2', yaxis: 'y2', contours: {coloring: 'lines'}},
    {type: 'scatter', x: [0, 1, 2], y: [2, 0, 1], mode: 'markers+lines'},
  ], {xaxis2: {domain: [0.6, 1], anchor: 'y2'}, yaxis2: {anchor: 'x2'},
      xaxis: {domain: [0, 0.5]}, width: 500, height: 400, showlegend: false});
  const svg = div.querySelector('.main-svg');
  const tags = {};
  for (const node of div.querySelectorAll('svg *')) {
    tags[node.tagName] = (tags[node.tagName] || 0) + 1;
  }
  return {
    tags,
    image: div.querySelector('g.hm image').getAttribute('href'),
    ticks: [...div.querySelectorAll('.xtick text, .ytick text')].map((t) => t.textContent),
    paths: [...div.querySelectorAll('.contourlevel path, .scatterlayer path')]
      .map((p) => p.getAttribute('d')),
    width: svg.getAttribute('width'),
    callable: typeof Plotly.react === 'function' && Plotly.Fx !== undefined,
  };
}"""


def draw(browser, bundle: bytes) -> tuple[dict, list[str]]:
    """What the bundle draws, and the exceptions thrown (caught or not) meanwhile."""
    context = browser.new_context(viewport={"width": 800, "height": 600})
    try:
        page = context.new_page()
        # a page with an origin (plotly reads localStorage), served by the test itself
        page.route("http://plotly.test/", lambda route: route.fulfill(
            content_type="text/html", body="<!doctype html><body></body>"))
        page.goto("http://plotly.test/")
        cdp = context.new_cdp_session(page)
        thrown: list[str] = []

        def paused(event):
            thrown.append(event.get("data", {}).get("description", "?").splitlines()[0])
            cdp.send("Debugger.resume")

        cdp.on("Debugger.paused", paused)
        cdp.send("Debugger.enable")
        cdp.send("Debugger.setPauseOnExceptions", {"state": "all"})
        body = stream.PLOTLY_WRAP[0] + bundle + stream.PLOTLY_WRAP[1]
        page.add_script_tag(content=body.decode())
        drawn = page.evaluate(DRAW)
        cdp.send("Debugger.setPauseOnExceptions", {"state": "none"})
        return drawn, thrown
    finally:
        context.close()


def test_the_served_bundle_starts_without_throwing_and_draws_the_same(browser):
    vendored = stream.PLOTLY_FILE.read_bytes()
    served, thrown = draw(browser, stream.without_throws(vendored))
    original, thrown_before = draw(browser, vendored)
    assert len(thrown_before) >= len(stream.PLOTLY_NO_THROW)  # the tests threw before
    assert thrown == []
    assert served["callable"] and served["image"].startswith("data:image/png")
    assert served["tags"].get("path", 0) > 10 and served["ticks"]
    assert served == original
