"""The live view's painter (frontend/live_painter.js, a worker) in Chromium: it paints
while the page's main thread is busy.

In Chromium a worker's canvas waits for a task of the page's main thread whenever it
gets a new backing store (its first drawing, a resize, the drawing after each
transferToImageBitmap). Transferring its results, the painter's first frame waited
for plotly's first charts (~200 ms) and each later frame for whatever held the page;
now it sizes its canvases before it says "ready" and copies its results out.
Here the worker runs alone in a blank page, its messages stamped with the worker's
clock, and the page's main thread is held busy right after each paint is asked for.
"""

from __future__ import annotations

import pytest

from playground.frontend import source

BUSY_MS = 600

HARNESS = r"""
window.startPainter = (painterSource) => {
  // every message the worker sends carries the time it was sent (the page's clock)
  const stamp = "const __post = self.postMessage.bind(self);\n"
    + "self.postMessage = (m, t) => __post({ ...m, at: performance.timeOrigin"
    + " + performance.now() - " + String(performance.timeOrigin) + " }, t);\n";
  const url = URL.createObjectURL(new Blob([stamp + painterSource], { type: "text/javascript" }));
  const worker = new Worker(url);
  window.__messages = [];
  worker.onmessage = ({ data }) => {
    for (const name of ["network", "output", "weights"]) {
      if (data[name]) {
        data[name + "Size"] = [data[name].width, data[name].height];
        data[name].close();
        delete data[name];
      }
    }
    window.__messages.push(data);
  };
  window.__worker = worker;
};
window.busy = (ms) => {
  const start = performance.now();
  while (performance.now() - start < ms) { /* the page's main thread, held */ }
  return performance.now();
};
window.sceneFor = (sizes, width) => {
  const layers = MikirForward.layout(sizes).layers;
  const blocks = [];
  let left = 0;
  for (const size of sizes.slice(0, -1)) { blocks.push({ left }); left += size + 1; }
  return {
    net: { sizes, features: ["x1", "x2"], hidden: sizes.slice(1, -1).map(() => "tanh"),
           output: "sigmoid", regression: false, classes: 2 },
    layers, geometry: networkGeometry(sizes, width), dpr: 1,
    weights: { blocks, rows: Math.max(...sizes.slice(1)) },
    columns: left - 1,
  };
};
window.paintMessage = (id, scene, seed, hover = null) => {
  const count = MikirForward.layout(scene.net.sizes).count;
  const params = Float32Array.from({ length: count }, (_, i) => Math.sin(seed + i * 1.7));
  return { type: "paint", id, frame: { params },
           view: { range: [-6, 6, -6, 6], hover, discretize: false, columns: scene.columns } };
};
"""


@pytest.fixture
def painter_page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_content("<html><body></body></html>")
    page.add_script_tag(content=source("forward.js", "live_common.js") + HARNESS)
    page.evaluate("(code) => startPainter(code)",
                  source("forward.js", "live_common.js", "live_painter.js"))
    yield page
    context.close()


def wait_for(page, kind: str, id_: int | None = None) -> dict:
    page.wait_for_function(
        "([kind, id]) => window.__messages.some((m) => m.type === kind"
        " && (id === null || m.id === id))", arg=[kind, id_], timeout=10_000)
    return page.evaluate("([kind, id]) => window.__messages.find((m) => m.type === kind"
                         " && (id === null || m.id === id))", [kind, id_])


def test_the_painter_paints_while_the_page_is_busy(painter_page):
    page = painter_page
    scene = page.evaluate("() => sceneFor([2, 4, 2, 1], 640)")
    # The first paint: the worker says "ready" once its canvases are sized, and from
    # then on needs nothing of the page's main thread.
    page.evaluate("""(scene) => {
      __worker.postMessage({ type: "scene", scene });
      __worker.postMessage(paintMessage(1, scene, 0.3));
    }""", scene)
    wait_for(page, "ready")
    busy_until = page.evaluate("(ms) => busy(ms)", BUSY_MS)
    first = wait_for(page, "painted", 1)
    assert first["at"] < busy_until - 100, (
        f"the first frame was painted {first['at'] - busy_until:+.0f} ms after the page's "
        f"main thread was free: it waited for it")
    geometry = scene["geometry"]
    assert first["networkSize"] == [round(geometry["width"]), round(geometry["height"])]
    assert first["weightsSize"] == [scene["columns"] * 12, scene["weights"]["rows"] * 12]
    assert first["outputSize"][0] == first["outputSize"][1] >= 56
    # Later paints, other weights and a hovered neuron (new drawing on every canvas),
    # asked for while the page is busy at once
    for paint_id, hover in ((2, None), (3, [1, 2]), (4, None)):
        busy_until = page.evaluate("""([id, scene, hover, ms]) => {
          __worker.postMessage(paintMessage(id, scene, id * 0.9, hover));
          return busy(ms);
        }""", [paint_id, scene, hover, BUSY_MS])
        painted = wait_for(page, "painted", paint_id)
        assert painted["at"] < busy_until - 100, (
            f"paint {paint_id} finished {painted['at'] - busy_until:+.0f} ms after the page's "
            f"main thread was free: it waited for it")
        assert painted["scale"] > 0

