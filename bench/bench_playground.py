"""Benchmark: the live view against TensorFlow Playground, side by side (issue 8).

    .venv/bin/python bench/bench_playground.py --quick      # ~2-3 minutes
    .venv/bin/python bench/bench_playground.py              # ~8-10 minutes (2 repeats)
    .venv/bin/python bench/bench_playground.py --repeat 3 --seconds 8 --tfp DIR

One run serves TensorFlow Playground (built from its source, `<repo>/../shared/anchors/tfp`,
see its README) with `python3 -m http.server` and our app with `streamlit run
playground/serve.py`, and drives both in the same headless Chromium (/usr/bin/chromium,
1440x1000) with the SAME probe, injected before any page script (add_init_script):

  * on every requestAnimationFrame the probe reads the state shown (TFP `#iter-number`;
    ours `.live-status [data-field="epoch"]` and `[data-field="steps"]`) and counts a
    redraw when that state differs from the last counted one AND something was painted in
    the charts since the previous frame: a 2D canvas draw call (putImageData, drawImage,
    fill, stroke, fillRect, text), a bitmap handed to a canvas (transferFromImageBitmap:
    ours are painted in a worker) or a WebGL draw on a canvas under the charts (TFP
    `#network, #heatmap, #linechart`; ours `.live-view`), or a mutation of an SVG element
    under them (MutationObserver). A repaint of the same state is not a redraw; page fps
    counts every animation frame;
  * blank frames: an animation frame on which a chart that had been drawn shows nothing
    (a canvas resized or replaced and not drawn again, a plotly div without its
    `.main-svg`, an empty SVG, fewer charts drawn than when counting started), counted
    from the moment every chart was first drawn. A canvas the page wholly cleared counts
    as drawn (an overlay may be empty on purpose), so a clear in one frame and the
    drawing in the next would not be seen;
  * first impression: navigation start to the first animation frame with every chart
    drawn (TFP: its heatmap canvas; ours: the `.live-view` canvases painted, its plotly
    divs with a `.main-svg` and `window.__liveView.framesDrawn >= 1`), with the bytes
    received over HTTP until then (CDP Network.loadingFinished encodedDataLength), in a
    fresh browser context (no cache); also when the controls can be used (TFP: its Play,
    learning-rate and activation controls; ours: Play, the top bar's activation and the
    sidebar's sliders, which a tab's first run leaves to the next run). Streamlit's floor, a
    page with one button and one v2 component (written to a temporary folder at run time),
    is measured the same way. The defaults of both are also loaded, alternately, in a
    Chromium that no devtools client is attached to (`bare_browser.py`: the same probe as
    an extension's content script, reporting by beacon), as a learner's browser is:
    driven through devtools, V8 re-parses large scripts for the source positions of
    every caught exception.

Per scenario (TFP defaults and largest; ours defaults, largest, speed 1, speed max) a fresh
context opens the link, waits for every chart, presses Play, warms up, then for `--seconds`
reads the probe, the page main thread's busy time (CDP Performance.getMetrics TaskDuration),
the websocket bytes received (CDP Network.webSocketFrameReceived, per socket: ours
`/_mikir/live/...` and Streamlit's `/_stcore/stream`), the server's CPU time (/proc, the
streamlit process and its children) and its training share (`GET /_mikir/stats`
`training_cpu_seconds`). Still playing, it then moves the mouse over the output chart and
times each move to the next painted frame (the event's timeStamp to a message posted from
the next animation frame, i.e. after that frame's rendering), and (ours) drags a zoom box on
the output map and checks the range 3 s later. Last, it opens 1, 2, 4, ... tabs of ours
playing at the defaults on one server, to find how many hold >= 30 redraws/s each.

The machine is shared and has 2 cores: the server, Chromium and this script compete for
them and other jobs may run too, so the load average is printed before and after, and
`--repeat N` reports medians of N runs (scenarios interleaved TFP/ours within each run).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import math
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from bare_browser import collector, load_once, write_extension  # noqa: E402
from conftest import chromium_path, free_port, launch_chromium, streamlit_server  # noqa: E402

APP = ROOT / "playground" / "serve.py"
DEFAULT_TFP = ROOT.parent / "shared" / "anchors" / "tfp"
VIEWPORT = {"width": 1440, "height": 1000}

TFP_DEFAULTS = ("activation=tanh&batchSize=10&dataset=circle&networkShape=4,2&learningRate=0.03"
                "&regularizationRate=0&noise=0&percTrainData=50&x=true&y=true&xSquared=false"
                "&ySquared=false&xTimesY=false&sinX=false&sinY=false&cosX=false&cosY=false"
                "&problem=classification&seed=0.12345")
TFP_LARGEST = (TFP_DEFAULTS.replace("dataset=circle", "dataset=spiral")
               .replace("networkShape=4,2", "networkShape=8,8,8,8,8,8")
               .replace("=false&ySquared=false&xTimesY=false&sinX=false&sinY=false",
                        "=true&ySquared=true&xTimesY=true&sinX=true&sinY=true"))
OURS_LARGEST = ("data=spiral&layers=8,8,8,8,8,8"
                "&features=x1,x2,x1_squared,x2_squared,x1_times_x2,sin_x1,sin_x2")

TARGET_FIRST_SECONDS = 1.7
TARGET_FIRST_MB = 3.0
TARGET_BUSY = 0.50
TARGET_HOVER_MS = 100.0
TARGET_EPOCHS_MAX = 600.0
TARGET_NON_TRAINING = 0.05
TABS_REDRAWS = 30.0


@dataclass(frozen=True)
class Site:
    """One page family: where its charts are, what shows its state, how to play it."""

    name: str
    charts: tuple[str, ...]       # roots under which paints count
    blank: tuple[str, ...]        # elements checked for blankness on every frame
    state: tuple[str, ...]        # texts that together are the state shown
    epoch: str                    # text holding the epoch
    ready: str                    # the probe's ready check: "tfp", "ours" or "floor"
    play: tuple[str, ...]         # candidate selectors for the Play button
    output: str                   # the output chart (hover target)
    zoom: bool                    # has a plotly output map to zoom
    controls: tuple[str, ...] = ()  # all there: the controls can be used (first impression)


TFP = Site(
    name="TFP", charts=("#network", "#heatmap", "#linechart"),
    blank=("#heatmap canvas", "#network canvas", "#network svg#svg", "#linechart svg"),
    state=("#iter-number",), epoch="#iter-number", ready="tfp",
    play=("#play-pause-button",), output="#heatmap canvas", zoom=False,
    controls=("#play-pause-button", "#learningRate", "#activations"))
OURS = Site(
    name="ours", charts=(".live-view",),
    blank=(".live-view canvas", ".live-view .js-plotly-plot"),
    state=('.live-status [data-field="epoch"]', '.live-status [data-field="steps"]'),
    epoch='.live-status [data-field="epoch"]', ready="ours",
    play=('.live-view [data-action="play"]', ".st-key-play button"),
    output=".live-panel-output .js-plotly-plot", zoom=True,
    controls=(".st-key-play button", ".st-key-w_activation",
              "[data-testid=stSidebar] [data-testid=stSlider]"))
FLOOR = Site(name="floor", charts=("body",), blank=(), state=(), epoch="", ready="floor",
             play=(), output="", zoom=False)


@dataclass(frozen=True)
class Scenario:
    key: str
    label: str
    site: Site
    link: str            # hash (TFP) or query (ours)
    speed: int           # epochs per frame (0 = max); TFP trains 1 per frame
    zoom_output: bool = False


SCENARIOS = (
    Scenario("tfp-defaults", "TFP defaults", TFP, TFP_DEFAULTS, 1),
    Scenario("ours-defaults", "ours defaults", OURS, "", 10, zoom_output=True),
    Scenario("tfp-largest", "TFP largest", TFP, TFP_LARGEST, 1),
    Scenario("ours-largest", "ours largest", OURS, OURS_LARGEST, 10, zoom_output=True),
    Scenario("ours-speed1", "ours speed 1", OURS, "speed=1", 1),
    Scenario("ours-speedmax", "ours speed max", OURS, "speed=0", 0),
)
# main table rows: label, TFP scenario, our scenario, held to ">= TFP"? The issue sets
# that target at the defaults, the largest network and speed 1; at speed max its
# target is epochs/s (the training takes a whole core, as the learner asked), and the
# redraws beside TFP's are printed without a verdict.
COMPARISONS = (
    ("defaults", "tfp-defaults", "ours-defaults", True),
    ("largest network", "tfp-largest", "ours-largest", True),
    ("speed 1 (1 epoch/frame)", "tfp-defaults", "ours-speed1", True),
    ("speed max", "tfp-defaults", "ours-speedmax", False),
)

# ----------------------------------------------------------------- the probe
# Installed with add_init_script before any page script: wraps the canvas and WebGL draw
# calls and watches SVG mutations under the charts; counts on every animation frame.
PROBE_JS = r"""
(() => {
  if (window.__bench) return;
  const CFG = __CONFIG__;
  const B = window.__bench = {
    frames: 0, redraws: 0, paints: 0, blankFrames: 0, blankReasons: {},
    readyAt: null, marks: {}, epoch: null, state: null, countedState: null, hover: [],
    hovering: false, armed: false,
  };
  let paintsSinceTick = 0, generation = 0, roots = [], rootsAt = -1e9;
  // canvas -> 'drawn' (a draw call since the last clear or resize), 'cleared' (wholly
  // cleared by the page: an overlay may be empty on purpose), else fresh (resized: blank)
  const canvasDrawn = new WeakMap();
  const inCharts = new WeakMap();         // canvas -> [generation, bool]
  const observed = new WeakSet();
  const wasPainted = new WeakSet();
  let baseline = 0;

  // Elements matching `selector`, also inside open shadow roots.
  const deepAll = (selector) => {
    const found = [...document.querySelectorAll(selector)];
    if (found.length || !CFG.shadow) return found;
    const walk = (root) => {
      for (const el of root.querySelectorAll('*')) {
        if (el.shadowRoot) {
          found.push(...el.shadowRoot.querySelectorAll(selector));
          walk(el.shadowRoot);
        }
      }
    };
    walk(document);
    return found;
  };
  const within = (node, root) => {
    for (let n = node; n; n = n.parentNode || n.host) if (n === root) return true;
    return false;
  };
  const observer = new MutationObserver((records) => {
    for (const r of records) {
      const t = r.target.nodeType === 1 ? r.target : r.target.parentElement;
      if (t instanceof SVGElement || [...r.addedNodes].some((n) => n instanceof SVGElement)) {
        paintsSinceTick++; B.paints++;
        return;
      }
    }
  });
  const refreshRoots = () => {
    const fresh = CFG.charts.flatMap(deepAll);
    if (fresh.length !== roots.length || fresh.some((r, i) => r !== roots[i])) generation++;
    roots = fresh;
    for (const r of roots) {
      if (!observed.has(r)) {
        observed.add(r);
        observer.observe(r, {subtree: true, childList: true, attributes: true,
                             characterData: true});
      }
    }
    rootsAt = B.frames;
  };
  const canvasInCharts = (canvas) => {
    const seen = inCharts.get(canvas);
    if (seen && seen[0] === generation) return seen[1];
    const value = canvas.isConnected && roots.some((r) => within(canvas, r));
    inCharts.set(canvas, [generation, value]);
    return value;
  };
  const drew = (canvas) => {
    if (!canvas || !canvas.tagName) return;  // OffscreenCanvas
    canvasDrawn.set(canvas, 'drawn');
    if (canvasInCharts(canvas)) { paintsSinceTick++; B.paints++; }
  };
  const wrap = (proto, names, after) => {
    if (!proto) return;
    for (const name of names) {
      const original = proto[name];
      if (typeof original !== 'function') continue;
      proto[name] = function (...args) {
        const result = original.apply(this, args);
        after(this, args);
        return result;
      };
    }
  };
  const DRAW_2D = ['putImageData', 'drawImage', 'fillRect', 'strokeRect', 'fill', 'stroke',
                   'fillText', 'strokeText'];
  wrap(window.CanvasRenderingContext2D && CanvasRenderingContext2D.prototype, DRAW_2D,
       (ctx) => drew(ctx.canvas));
  wrap(window.CanvasRenderingContext2D && CanvasRenderingContext2D.prototype, ['clearRect'],
       (ctx, [x, y, w, h]) => {
         const c = ctx.canvas;
         if (c && c.tagName && x <= 0 && y <= 0 && x + w >= c.width && y + h >= c.height) {
           canvasDrawn.set(c, 'cleared');
         }
       });
  for (const gl of [window.WebGLRenderingContext, window.WebGL2RenderingContext]) {
    wrap(gl && gl.prototype, ['drawArrays', 'drawElements', 'drawArraysInstanced',
                              'drawElementsInstanced'], (ctx) => drew(ctx.canvas));
  }
  wrap(window.ImageBitmapRenderingContext && ImageBitmapRenderingContext.prototype,
       ['transferFromImageBitmap'], (ctx) => drew(ctx.canvas));
  for (const dim of ['width', 'height']) {   // resizing a canvas clears it
    const d = Object.getOwnPropertyDescriptor(HTMLCanvasElement.prototype, dim);
    Object.defineProperty(HTMLCanvasElement.prototype, dim, {
      ...d, set(value) { d.set.call(this, value); canvasDrawn.set(this, 'fresh'); },
    });
  }

  const cache = {};
  const text = (selector) => {
    let el = cache[selector];
    if (!el || !el.isConnected) {
      if (el === null && B.frames % 10) return null;
      el = cache[selector] = deepAll(selector)[0] || null;
    }
    return el ? el.textContent : null;
  };
  const number = (value) => {
    if (value === null) return null;
    const digits = value.replace(/[^0-9]/g, '');
    return digits ? Number(digits) : null;
  };
  const painted = (el) => {
    if (!el.isConnected) return false;
    if (el.tagName === 'CANVAS') {
      const state = canvasDrawn.get(el);
      return (state === 'drawn' || state === 'cleared') && el.width > 0 && el.height > 0;
    }
    if (el.classList.contains('js-plotly-plot')) return !!el.querySelector('.main-svg');
    return el.childElementCount > 0;
  };
  let blankElements = [], blankAt = -1e9;
  const blankCheck = () => {
    if (!CFG.blank.length) return;
    if (B.frames - blankAt > 30 || blankElements.some((e) => !e.isConnected)) {
      blankElements = CFG.blank.flatMap(deepAll);
      blankAt = B.frames;
    }
    let count = 0, lost = false;
    for (const el of blankElements) {
      if (painted(el)) { count++; wasPainted.add(el); }
      else if (wasPainted.has(el) && el.isConnected) lost = true;
    }
    if (!B.armed) return;
    const reason = lost ? 'a drawn chart is blank' : count < baseline ? 'fewer charts drawn' : null;
    if (reason) {
      B.blankFrames++;
      B.blankReasons[reason] = (B.blankReasons[reason] || 0) + 1;
    }
    return count;
  };
  const mark = (name, ok) => {
    if (ok && !(name in B.marks)) B.marks[name] = performance.now();
    return ok;
  };
  const ready = () => {
    if (CFG.ready === 'tfp') {
      const c = deepAll('#heatmap canvas')[0];
      return !!c && canvasDrawn.get(c) === 'drawn';
    }
    if (CFG.ready === 'floor') {
      return !!window.__floorReady && deepAll('[data-testid=stButton] button').length > 0;
    }
    const view = deepAll('.live-view')[0];
    if (!mark('view', !!view)) return false;
    const frame = mark('frame', !!window.__liveView && window.__liveView.framesDrawn >= 1);
    const canvases = [...view.querySelectorAll('canvas')]
      .filter((c) => c.width > 0 && c.offsetParent !== null);
    const drawn = mark('canvases', canvases.some((c) => canvasDrawn.get(c) === 'drawn')
                       && canvases.every((c) => painted(c)));
    const plots = [...view.querySelectorAll('.js-plotly-plot')];
    const plotted = mark('plots', plots.length > 0
                         && plots.every((p) => !!p.querySelector('.main-svg')));
    return frame && drawn && plotted;
  };
  B.arm = () => {
    B.armed = false;
    baseline = blankCheck() || 0;
    B.armed = true;
  };
  B.snapshot = () => ({
    now: performance.now(), frames: B.frames, redraws: B.redraws, paints: B.paints,
    blankFrames: B.blankFrames, blankReasons: {...B.blankReasons}, epoch: B.epoch,
    state: B.state, readyAt: B.readyAt, marks: {...B.marks},
    navigation: (() => {
      const n = performance.getEntriesByType('navigation')[0];
      return n ? {dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd} : {};
    })(),
    liveView: window.__liveView ? {...window.__liveView} : null,
  });

  const tick = () => {
    B.frames++;
    if (B.frames - rootsAt > (roots.length ? 30 : 10)
        || roots.some((r) => !r.isConnected)) refreshRoots();
    if (CFG.state.length) {
      const texts = CFG.state.map(text);
      const state = texts.every((t) => t === null) ? null : texts.join('|');
      B.state = state;
      B.epoch = number(text(CFG.epoch));
      if (state !== null && state !== B.countedState && paintsSinceTick > 0) {
        B.redraws++;
        B.countedState = state;
      }
    }
    paintsSinceTick = 0;
    if (CFG.controls.length && !('controls' in B.marks) && B.frames % 3 === 0) {
      mark('controls', CFG.controls.every((selector) => deepAll(selector).length > 0));
    }
    if (B.readyAt === null && ready()) {
      B.readyAt = performance.now();
      B.arm();
    } else if (B.readyAt !== null) {
      blankCheck();
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);

  // Input to the next painted frame: a message posted from the next animation frame
  // runs after that frame's style, layout and paint.
  window.addEventListener('mousemove', (event) => {
    if (!B.hovering) return;
    const start = event.timeStamp;
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => B.hover.push(performance.now() - start);
      channel.port2.postMessage(0);
    });
  }, true);
})();
"""


def probe_script(site: Site, shadow: bool = True) -> str:
    config = {"charts": list(site.charts), "blank": list(site.blank), "state": list(site.state),
              "controls": list(site.controls),
              "epoch": site.epoch, "ready": site.ready, "shadow": shadow}
    return PROBE_JS.replace("__CONFIG__", json.dumps(config))


# Streamlit's floor: one button and one v2 component.
FLOOR_APP = textwrap.dedent('''\
    import streamlit as st

    st.button("A button")
    component = st.components.v2.component(
        "bench_floor",
        html="<div class='floor'>a component</div>",
        js="export default function () { window.__floorReady = true; }",
    )
    component(key="floor")
    ''')

# ---------------------------------------------------------------- small tools


def proc_cpu_seconds(pid: int) -> float:
    """utime + stime of a process (all its threads), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _ppid_map() -> dict[int, int]:
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                parents[int(entry.name)] = int(stat[1])
    return parents


def descendants(root: int) -> set[int]:
    parents, found, changed = _ppid_map(), {root}, True
    while changed:
        changed = False
        for pid, parent in parents.items():
            if parent in found and pid not in found:
                found.add(pid)
                changed = True
    return found


class CpuMeter:
    """CPU seconds of the server tree, this run's Chromium, the harness, the machine."""

    def __init__(self, server: int | None):
        self.server = server

    @staticmethod
    def _sum(pids) -> float:
        total = 0.0
        for pid in pids:
            with contextlib.suppress(OSError, IndexError, ValueError):
                total += proc_cpu_seconds(pid)
        return total

    def read(self) -> dict:
        mine = descendants(os.getpid())
        server = descendants(self.server) if self.server else set()
        browser, harness = set(), set()
        for pid in mine - server:
            with contextlib.suppress(OSError):
                name = Path(f"/proc/{pid}/comm").read_text().strip()
                (browser if "chrom" in name else harness).add(pid)
        ticks = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        hz = os.sysconf("SC_CLK_TCK")
        return {"server": self._sum(server), "browser": self._sum(browser),
                "harness": self._sum(harness),
                "machine_busy": (sum(ticks) - ticks[3] - ticks[4]) / hz,
                "machine_total": sum(ticks) / hz, "t": time.perf_counter()}


def cpu_delta(before: dict, after: dict) -> dict:
    """Cores busy (1.0 = one core) per part; `others` = the rest of the machine."""
    wall = after["t"] - before["t"]
    result = {k: (after[k] - before[k]) / wall for k in ("server", "browser", "harness")}
    total = after["machine_total"] - before["machine_total"]
    busy = (after["machine_busy"] - before["machine_busy"]) / total if total else 0.0
    result["others"] = max(0.0, busy * (os.cpu_count() or 1) - result["server"]
                           - result["browser"] - result["harness"])
    return result


def server_pid(url: str) -> int | None:
    """The streamlit process listening on the URL's port (conftest doesn't expose it)."""
    port = f"--server.port\0{urlparse(url).port}\0"
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
                if "streamlit" in cmdline and port in cmdline:
                    return int(entry.name)
    return None


def mikir_stats(url: str | None) -> dict | None:
    if not url:
        return None
    try:
        with urllib.request.urlopen(f"{url}/_mikir/stats", timeout=2) as response:
            return json.loads(response.read())
    except (OSError, ValueError):
        return None


def wait_idle(url: str | None, timeout: float = 6.0) -> None:
    """Until no trainer of this server plays (a closed tab's lease runs out within 2 s)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stats = mikir_stats(url)
        if stats is None:
            time.sleep(2.5)
            return
        if not stats.get("playing"):
            return
        time.sleep(0.2)


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def median(values) -> float:
    values = [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    return statistics.median(values) if values else math.nan


@contextlib.contextmanager
def static_server(directory: Path):
    """`python3 -m http.server` on 127.0.0.1, in its own process group."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
         "--directory", str(directory)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                with urllib.request.urlopen(f"{url}/index.html", timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"http.server did not answer on {url}") from None
                time.sleep(0.1)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)


def machine_info(browser_version: str | None) -> list[str]:
    import numpy
    import streamlit

    cpu = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    commit = "?"
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                                capture_output=True, text=True, timeout=5).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=ROOT, capture_output=True, text=True, timeout=5).stdout
        commit += " (+ uncommitted changes)" if dirty.strip() else ""
    return [
        f"machine   : {platform.node()} · {cpu} · {os.cpu_count()} CPUs · {platform.platform()}",
        f"software  : Python {platform.python_version()} · numpy {numpy.__version__} · "
        f"streamlit {streamlit.__version__}"
        + (f" · Chromium {browser_version}" if browser_version else ""),
        f"repository: {ROOT} @ {commit}",
    ]


# ---------------------------------------------------------------- the browser


class Network:
    """HTTP bytes (loadingFinished) and websocket bytes received per socket, from CDP."""

    def __init__(self, cdp):
        self.http_bytes = 0
        self.requests: dict[str, str] = {}
        self.by_url: dict[str, int] = {}
        self.sockets: dict[str, str] = {}
        self.ws_bytes: dict[str, int] = {}
        self.ws_frames: dict[str, int] = {}
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.webSocketCreated", self._created)
        cdp.on("Network.webSocketFrameReceived", self._frame)
        cdp.send("Network.enable")

    def _sent(self, params) -> None:
        self.requests[params["requestId"]] = params["request"]["url"]

    def _finished(self, params) -> None:
        size = int(params.get("encodedDataLength", 0))
        self.http_bytes += size
        path = urlparse(self.requests.get(params["requestId"], "?")).path
        self.by_url[path] = self.by_url.get(path, 0) + size

    def largest(self, count: int = 3) -> str:
        """The biggest downloads, e.g. 'bundle.js 0.4 MB'."""
        top = sorted(self.by_url.items(), key=lambda item: -item[1])[:count]
        return ", ".join(f"{Path(path).name or path} {size / 1e6:.2f}" for path, size in top)

    def _created(self, params) -> None:
        self.sockets[params["requestId"]] = params.get("url", "")

    def _frame(self, params) -> None:
        url = self.sockets.get(params["requestId"], "")
        kind = "live" if "/_mikir/live" in url else "stcore" if "/_stcore/" in url else "other"
        response = params["response"]
        payload = response.get("payloadData", "")
        if response.get("opcode") == 2:  # binary: CDP sends it base64-encoded
            size = len(base64.b64decode(payload)) if payload else 0
        else:
            size = len(payload.encode())
        self.ws_bytes[kind] = self.ws_bytes.get(kind, 0) + size
        self.ws_frames[kind] = self.ws_frames.get(kind, 0) + 1

    def snapshot(self) -> dict:
        return {"http": self.http_bytes, "ws": dict(self.ws_bytes),
                "ws_frames": dict(self.ws_frames)}


DIAGNOSE_JS = """() => ({
  marks: window.__bench && window.__bench.marks, liveView: window.__liveView || null,
  errors: [...document.querySelectorAll('[data-testid=stException], [data-testid=stAlert]')]
    .map((e) => e.innerText.slice(0, 200)),
  canvases: [...document.querySelectorAll('.live-view canvas')].map(
    (c) => [c.className, c.width, c.height, c.offsetParent !== null]),
  plots: document.querySelectorAll('.live-view .js-plotly-plot').length,
})"""


@dataclass
class Tab:
    context: object
    page: object
    cdp: object
    network: Network
    site: Site
    notes: list[str] = field(default_factory=list)

    def probe(self) -> dict:
        return self.page.evaluate("() => window.__bench.snapshot()")

    def busy(self) -> float:
        metrics = self.cdp.send("Performance.getMetrics")["metrics"]
        return next((m["value"] for m in metrics if m["name"] == "TaskDuration"), 0.0)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.context.close()


def open_tab(browser, site: Site, url: str, timeout: float = 60.0) -> Tab:
    """A fresh context (no cache, own session) on `url`; returns once every chart is drawn."""
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(probe_script(site))
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    network = Network(cdp)
    cdp.send("Performance.enable")
    tab = Tab(context, page, cdp, network, site)
    try:
        page.goto(url)
        page.wait_for_function(
            "() => (window.__bench && window.__bench.readyAt !== null)"
            " || !!document.querySelector('[data-testid=stException]')",
            timeout=timeout * 1000, polling=50)
        if page.evaluate("() => window.__bench.readyAt === null"):
            raise RuntimeError("the app shows an exception")
        if site.controls:  # ours draws the charts first, the controls in the next run
            page.wait_for_function("() => 'controls' in window.__bench.marks",
                                   timeout=timeout * 1000, polling=50)
    except Exception as error:
        seen = "?"
        with contextlib.suppress(Exception):
            seen = json.dumps(page.evaluate(DIAGNOSE_JS))
        tab.close()
        why = (str(error) if isinstance(error, RuntimeError)
               else f"not drawn within {timeout:g} s")
        raise RuntimeError(f"{why}; the page had {seen}") from None
    return tab


def press_play(tab: Tab, timeout: float = 30.0) -> None:
    """Click the first Play button found; wait until the state shown starts moving."""
    page = tab.page
    deadline = time.monotonic() + timeout
    while True:
        for selector in tab.site.play:
            button = page.locator(selector).first
            if button.count() and button.is_visible():
                before = tab.probe()["state"]
                button.click()
                with contextlib.suppress(Exception):
                    page.wait_for_function(
                        "(s) => window.__bench.state !== null && window.__bench.state !== s",
                        arg=before, timeout=10_000, polling=50)
                    return
        if time.monotonic() > deadline:
            raise TimeoutError(f"no Play button among {tab.site.play} started training")
        page.wait_for_timeout(300)


def hover_latency(tab: Tab, moves: int) -> dict:
    """Mouse moves over the output chart while playing; each to its next painted frame."""
    page = tab.page
    box = page.locator(tab.site.output).first.bounding_box()
    if not box:
        return {"error": f"no {tab.site.output}"}
    page.mouse.move(box["x"] - 20, box["y"] - 20)
    page.evaluate("() => { window.__bench.hover = []; window.__bench.hovering = true; }")
    for i in range(moves):
        fx = 0.35 + 0.3 * ((i * 7) % moves) / moves
        fy = 0.35 + 0.3 * ((i * 3) % moves) / moves
        page.mouse.move(box["x"] + fx * box["width"], box["y"] + fy * box["height"])
        page.wait_for_timeout(150)
    page.wait_for_timeout(200)
    times = page.evaluate("() => { window.__bench.hovering = false; return window.__bench.hover; }")
    label = page.evaluate("""(selector) => {
        const div = document.querySelector(selector);
        const root = div && (div.closest('.live-view') || div.parentElement);
        return !!root && !!root.querySelector('.hoverlayer .hovertext, .live-tip:not([hidden])');
    }""", tab.site.output)
    page.mouse.move(5, 5)
    return {"median_ms": median(times), "max_ms": max(times) if times else math.nan,
            "count": len(times), "label": label}


def zoom_output(tab: Tab, wait_seconds: float = 3.0) -> dict:
    """Drag a zoom box on the output map while it updates; is the range kept 3 s later?"""
    page = tab.page
    plot = page.locator(tab.site.output).first
    drag = plot.locator(".nsewdrag").first
    if not drag.count():
        return {"state": "no zoom area"}
    read = """(el) => { const f = el._fullLayout;
                        return f ? [f.xaxis.range.slice(), f.yaxis.range.slice()] : null; }"""
    before = plot.evaluate(read)
    box = drag.bounding_box()
    x0, y0 = box["x"] + 0.3 * box["width"], box["y"] + 0.3 * box["height"]
    x1, y1 = box["x"] + 0.6 * box["width"], box["y"] + 0.6 * box["height"]
    page.mouse.move(x0, y0)
    page.mouse.down()
    for i in range(1, 11):
        page.mouse.move(x0 + (x1 - x0) * i / 10, y0 + (y1 - y0) * i / 10)
        page.wait_for_timeout(40)
    page.mouse.up()
    page.wait_for_timeout(100)
    zoomed = plot.evaluate(read)
    redraws0 = tab.probe()["redraws"]
    page.wait_for_timeout(wait_seconds * 1000)
    later = plot.evaluate(read)
    redraws = tab.probe()["redraws"] - redraws0

    def same(a, b):
        return a is not None and b is not None and all(
            abs(p - q) < 1e-6 for ra, rb in zip(a, b) for p, q in zip(ra, rb))

    if same(before, zoomed):
        state = "no zoom"
    elif not same(zoomed, later):
        state = "LOST"
    else:
        state = "kept" if redraws else "kept (no redraw)"
    return {"state": state, "redraws_during": redraws, "range": later}


def measure_scenario(browser, scenario: Scenario, url: str, server: int | None,
                     settings: dict) -> dict:
    """Load, Play, warm up, measure; then hover and zoom while playing."""
    meter = CpuMeter(server)
    link = (f"{url}/index.html#{scenario.link}" if scenario.site is TFP
            else f"{url}/?{scenario.link}")
    started = time.perf_counter()
    tab = open_tab(browser, scenario.site, link)
    try:
        first = first_impression(tab, started)
        press_play(tab)
        tab.page.wait_for_timeout(settings["warmup"] * 1000)
        tab.page.evaluate("() => window.__bench.arm()")
        cpu0, stats0 = meter.read(), mikir_stats(server and url)
        net0, probe0 = tab.network.snapshot(), tab.probe()
        busy0, busy_t0 = tab.busy(), time.perf_counter()
        tab.page.wait_for_timeout(settings["seconds"] * 1000)
        busy1, busy_t1 = tab.busy(), time.perf_counter()
        probe1, net1 = tab.probe(), tab.network.snapshot()
        cpu1, stats1 = meter.read(), mikir_stats(server and url)
        cpu_wall = cpu1["t"] - cpu0["t"]
        wall = (probe1["now"] - probe0["now"]) / 1000
        redraws = probe1["redraws"] - probe0["redraws"]
        ws = {k: net1["ws"].get(k, 0) - net0["ws"].get(k, 0) for k in ("live", "stcore", "other")}
        cpu = cpu_delta(cpu0, cpu1)
        result = {
            **first,
            "redraws_per_s": redraws / wall,
            "fps": (probe1["frames"] - probe0["frames"]) / wall,
            "view_frames_per_s": ((probe1["liveView"]["framesDrawn"]
                                   - probe0["liveView"]["framesDrawn"]) / wall
                                  if probe0["liveView"] and probe1["liveView"] else math.nan),
            "paints_per_s": (probe1["paints"] - probe0["paints"]) / wall,
            "epochs_per_s": ((probe1["epoch"] - probe0["epoch"]) / wall
                             if None not in (probe0["epoch"], probe1["epoch"]) else math.nan),
            "busy": (busy1 - busy0) / (busy_t1 - busy_t0),
            "ws_live_kb_per_frame": ws["live"] / redraws / 1024 if redraws else math.nan,
            "ws_stcore_kb_per_frame": ws["stcore"] / redraws / 1024 if redraws else math.nan,
            "ws_kb_per_frame": sum(ws.values()) / redraws / 1024 if redraws else math.nan,
            "ws_kb_per_s": sum(ws.values()) / wall / 1024,
            "server_cores": cpu["server"] if server else math.nan,
            "browser_cores": cpu["browser"], "others_cores": cpu["others"],
            "blank_frames": probe1["blankFrames"],
            "blank_reasons": probe1["blankReasons"],
            "epochs": [probe0["epoch"], probe1["epoch"]],
        }
        if stats0 and stats1 and "training_cpu_seconds" in stats0:
            training = (stats1["training_cpu_seconds"]
                        - stats0["training_cpu_seconds"]) / cpu_wall
            result["training_cores"] = training
            result["non_training_cores"] = cpu["server"] - training
            if stats0.get("frames_sent") is not None:
                result["frames_sent_per_s"] = (stats1["frames_sent"]
                                               - stats0["frames_sent"]) / cpu_wall
        hover = hover_latency(tab, settings["hover_moves"])
        result["hover_ms"] = hover.get("median_ms", math.nan)
        result["hover_max_ms"] = hover.get("max_ms", math.nan)
        result["hover_label"] = hover.get("label")
        if scenario.zoom_output:
            zoom = zoom_output(tab)
            result["zoom"] = zoom["state"]
        final = tab.probe()
        result["blank_frames_all"] = final["blankFrames"]
        result["blank_reasons_all"] = final["blankReasons"]
        result["live_view"] = final["liveView"]
        return result
    finally:
        tab.close()


def first_seconds(report: dict) -> dict:
    """A probe's readyAt, marks and navigation times (ms) as first_*_s seconds."""
    seconds = {"first_s": report["readyAt"] / 1000}
    for times in (report["marks"], report["navigation"]):
        seconds.update({f"first_{k}_s": v / 1000 for k, v in times.items() if v})
    return seconds


def first_impression(tab: Tab, started: float) -> dict:
    """Seconds from navigation start to every chart drawn, and what came before."""
    return {**first_seconds(tab.probe()), "first_mb": tab.network.snapshot()["http"] / 1e6,
            "goto_s": time.perf_counter() - started, "first_largest": tab.network.largest()}


def measure_floor(browser, url: str) -> dict:
    started = time.perf_counter()
    tab = open_tab(browser, FLOOR, url)
    try:
        return first_impression(tab, started)
    finally:
        tab.close()


def measure_bare(tfp_url: str | None, ours_url: str | None, loads: int) -> dict:
    """First impressions at the defaults with no devtools attached (bare_browser.py),
    TFP and ours alternately, each load a fresh Chromium process."""
    chromium = chromium_path()
    targets = [(key, site, url, server) for key, site, url, server in (
        ("tfp-defaults", TFP, tfp_url and f"{tfp_url}/index.html#{TFP_DEFAULTS}", None),
        ("ours-defaults", OURS, ours_url and f"{ours_url}/?", ours_url)) if url]
    if not chromium or not loads or not targets:
        return {}
    runs: dict[str, list[dict]] = {key: [] for key, *_ in targets}
    with collector() as (report_url, reports), \
            tempfile.TemporaryDirectory(prefix="bench-bare-ext-") as folder:
        extensions = {key: write_extension(Path(folder) / key, probe_script(site), report_url,
                                           bool(site.controls))
                      for key, site, *_ in targets}
        for _ in range(loads):
            for key, _site, url, server in targets:
                if server:
                    wait_idle(server)
                report = load_once(chromium, extensions[key], url, reports, VIEWPORT)
                if report is None:
                    runs[key].append({"error": "no report within 30 s"})
                    continue
                runs[key].append(first_seconds(report))
    return {key: aggregate(rows) for key, rows in runs.items()}


def measure_tabs(browser, url: str, server: int | None, counts, settings) -> list[dict]:
    """1, 2, 4, ... tabs of ours playing at the defaults on one server; stops at a miss."""
    rows = []
    meter = CpuMeter(server)
    for count in counts:
        tabs: list[Tab] = []
        try:
            for _ in range(count):
                tab = open_tab(browser, OURS, f"{url}/?")
                tabs.append(tab)
                press_play(tab)
            tabs[0].page.wait_for_timeout(settings["warmup"] * 1000)
            before = [t.probe() for t in tabs]
            cpu0 = meter.read()
            tabs[0].page.wait_for_timeout(settings["tab_seconds"] * 1000)
            cpu1 = meter.read()
            after = [t.probe() for t in tabs]
            rates = [(a["redraws"] - b["redraws"]) / ((a["now"] - b["now"]) / 1000)
                     for a, b in zip(after, before)]
            cpu = cpu_delta(cpu0, cpu1)
            rows.append({"tabs": count, "median": median(rates), "min": min(rates),
                         "server_cores": cpu["server"], "browser_cores": cpu["browser"]})
        except Exception as error:
            message = f"{type(error).__name__}: {error}".splitlines()[0]
            rows.append({"tabs": count, "error": message})
        finally:
            for tab in tabs:
                tab.close()
            wait_idle(url)
        if "error" in rows[-1] or rows[-1]["median"] < TABS_REDRAWS:
            break
    return rows


# ------------------------------------------------------------------ the report


def render_table(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.rjust(w) if i else cell.ljust(w)
                       for i, (cell, w) in enumerate(zip(row, widths))) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def fmt(value, spec: str = ".1f", suffix: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:{spec}}{suffix}"


def verdict(ok: bool | None) -> str:
    return "-" if ok is None else "PASS" if ok else "FAIL"


def aggregate(runs: list[dict]) -> dict:
    """Medians over repeats of the numeric fields; other fields listed."""
    good = [r for r in runs if "error" not in r]
    result: dict = {"runs": len(runs), "errors": [r["error"] for r in runs if "error" in r]}
    if not good:
        return result
    for key in good[0]:
        values = [r.get(key) for r in good]
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            result[key] = median(values)
        else:
            result[key] = values
    return result


def main_table(results: dict) -> str:
    rows = [["scenario", "TFP redraws/s", "ours redraws/s", "ratio ours/TFP", "target", "verdict"]]
    for label, tfp_key, ours_key, held in COMPARISONS:
        tfp, ours = results.get(tfp_key, {}), results.get(ours_key, {})
        t, o = tfp.get("redraws_per_s", math.nan), ours.get("redraws_per_s", math.nan)
        ratio = o / t if t and not math.isnan(t) and not math.isnan(o) else math.nan
        ok = None if math.isnan(ratio) or not held else ratio >= 1.0
        rows.append([label, fmt(t), fmt(o), fmt(ratio, ".2f", "x"),
                     ">= TFP (1.00x)" if held else "- (epochs/s)", verdict(ok)])
    return render_table(rows)


def targets_table(results: dict, floor: dict, tabs: list[dict], bare: dict) -> str:
    """Every other target of issue 8, part 4."""
    rows = [["target", "measured", "TFP", "verdict"]]

    def get(key, field_name):
        return results.get(key, {}).get(field_name, math.nan)

    def add(name, value, tfp_value, ok):
        rows.append([name, value, tfp_value, verdict(ok)])

    def check(value, limit, below=True):
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return None
        return value <= limit if below else value >= limit

    busy = get("ours-defaults", "busy")
    add(f"page main thread busy <= {TARGET_BUSY:.0%} (defaults)", fmt(busy * 100, ".0f", " %"),
        fmt(get("tfp-defaults", "busy") * 100, ".0f", " %"), check(busy, TARGET_BUSY))
    for key, label in (("ours-defaults", "defaults"), ("ours-largest", "largest")):
        hover = get(key, "hover_ms")
        tfp_key = "tfp-" + key.split("-")[1]
        add(f"hover -> next frame < {TARGET_HOVER_MS:.0f} ms ({label}, median)",
            fmt(hover, ".0f", " ms"), fmt(get(tfp_key, "hover_ms"), ".0f", " ms"),
            check(hover, TARGET_HOVER_MS))
        zoom = results.get(key, {}).get("zoom")
        states = zoom if isinstance(zoom, list) else []
        add(f"zoom kept 3 s after a drag ({label})", "/".join(states) or "-", "n/a",
            (all(s.startswith("kept") for s in states)) if states else None)
    epochs = get("ours-speedmax", "epochs_per_s")
    add(f"epochs/s at speed max >= {TARGET_EPOCHS_MAX:.0f} (defaults)", fmt(epochs, ".0f"),
        fmt(get("tfp-defaults", "epochs_per_s"), ".0f"), check(epochs, TARGET_EPOCHS_MAX, False))
    for key, label, limit in (("ours-defaults", "defaults", 5.0),
                              ("ours-largest", "largest", 20.0)):
        kb = get(key, "ws_kb_per_frame")
        add(f"websocket KB per drawn frame <= {limit:g} ({label})", fmt(kb, ".2f", " KB"), "n/a",
            check(kb, limit))
    for key, label in (("ours-defaults", "defaults"), ("ours-speed1", "speed 1")):
        cores = get(key, "non_training_cores")
        add(f"server non-training cores per tab <= {TARGET_NON_TRAINING} ({label})",
            fmt(cores, ".3f"), "n/a", check(cores, TARGET_NON_TRAINING))
    held = [r["tabs"] for r in tabs if "error" not in r and r["median"] >= TABS_REDRAWS]
    add(f"tabs held at >= {TABS_REDRAWS:.0f} redraws/s each (one process)",
        str(max(held)) if held else ("0" if tabs else "-"), "n/a", None)
    for key, label in (("ours-defaults", "defaults"), ("ours-largest", "largest")):
        first, mb = get(key, "first_s"), get(key, "first_mb")
        tfp_key = "tfp-" + key.split("-")[1]
        add(f"first impression <= {TARGET_FIRST_SECONDS} s ({label})", fmt(first, ".2f", " s"),
            fmt(get(tfp_key, "first_s"), ".2f", " s"), check(first, TARGET_FIRST_SECONDS))
        add(f"bytes over HTTP until drawn <= {TARGET_FIRST_MB:g} MB ({label})",
            fmt(mb, ".2f", " MB"), fmt(get(tfp_key, "first_mb"), ".2f", " MB"),
            check(mb, TARGET_FIRST_MB))
        add(f"  (controls usable, no target; {label})", fmt(get(key, "first_controls_s"), ".2f",
                                                           " s"),
            fmt(get(tfp_key, "first_controls_s"), ".2f", " s"), None)
        if key in bare and "first_s" in bare[key]:
            add(f"  (no devtools attached, no target; {label})",
                fmt(bare[key]["first_s"], ".2f", " s"),
                fmt(bare.get(tfp_key, {}).get("first_s"), ".2f", " s"), None)
    if floor:
        add("  (Streamlit's floor: 1 button + 1 v2 component)",
            f"{fmt(floor.get('first_s'), '.2f', ' s')}, {fmt(floor.get('first_mb'), '.2f', ' MB')}",
            "", None)
    blanks = [results[k].get("blank_frames_all") for k in results if k.startswith("ours")
              and "blank_frames_all" in results[k]]
    total = sum(v for v in blanks if isinstance(v, (int, float)))
    tfp_total = sum(results[k].get("blank_frames_all", 0) for k in results
                    if k.startswith("tfp") and "blank_frames_all" in results[k])
    add("blank frames = 0 (all our scenarios, from first drawn)",
        str(int(total)) if blanks else "-", str(int(tfp_total)), (total == 0) if blanks else None)
    return render_table(rows)


def detail_table(results: dict) -> str:
    rows = [["scenario", "redraws/s", "page fps", "framesDrawn/s", "paints/s", "main thread",
             "epochs/s", "speed x frames/s", "KB/frame live+stcore", "KB/s", "server cores",
             "training", "non-training", "chromium", "others", "hover ms med/max",
             "blank", "first s", "first MB"]]
    for scenario in SCENARIOS:
        r = results.get(scenario.key)
        if not r:
            continue
        if "redraws_per_s" not in r:
            rows.append([scenario.label, "ERROR"] + ["-"] * (len(rows[0]) - 2))
            continue
        frames = r["redraws_per_s"]
        speed = (f"{scenario.speed} x {frames:.1f} = {scenario.speed * frames:.0f}"
                 if scenario.speed else "max")
        rows.append([
            scenario.label, fmt(frames), fmt(r["fps"]), fmt(r.get("view_frames_per_s")),
            fmt(r["paints_per_s"], ".0f"),
            fmt(r["busy"] * 100, ".0f", " %"), fmt(r["epochs_per_s"], ".0f"), speed,
            (f"{fmt(r['ws_live_kb_per_frame'], '.2f')}+{fmt(r['ws_stcore_kb_per_frame'], '.2f')}"
             if scenario.site is OURS else "-"),
            fmt(r["ws_kb_per_s"], ".1f") if scenario.site is OURS else "-",
            fmt(r.get("server_cores"), ".3f") if scenario.site is OURS else "-",
            fmt(r.get("training_cores"), ".3f"), fmt(r.get("non_training_cores"), ".3f"),
            fmt(r["browser_cores"], ".2f"), fmt(r["others_cores"], ".2f"),
            f"{fmt(r['hover_ms'], '.0f')}/{fmt(r['hover_max_ms'], '.0f')}",
            f"{r['blank_frames']:.0f}/{r['blank_frames_all']:.0f}",
            fmt(r["first_s"], ".2f"), fmt(r["first_mb"], ".2f"),
        ])
    return render_table(rows)


def first_table(results: dict, floor: dict, bare: dict) -> str:
    rows = [["page", "all drawn s", "HTTP MB", "DOMContentLoaded", "load", ".live-view",
             "plotly axes", "1st frame", "canvases", "controls", "largest downloads (MB)"]]
    named = [(s.label, results.get(s.key, {})) for s in SCENARIOS] + [("Streamlit floor", floor)]
    named += [(f"{s.label}, no devtools", bare[s.key]) for s in SCENARIOS if s.key in bare]
    for label, r in named:
        if "first_s" not in r:
            continue
        largest = r.get("first_largest")
        rows.append([label, fmt(r["first_s"], ".2f"), fmt(r.get("first_mb"), ".2f")]
                    + [fmt(r.get(f"first_{k}_s"), ".2f") for k in
                       ("dcl", "load", "view", "plots", "frame", "canvases", "controls")]
                    + [largest[0] if isinstance(largest, list) else str(largest or "-")])
    return render_table(rows)


def tabs_table(tabs: list[dict]) -> str:
    rows = [["tabs playing", "redraws/s per tab median", "min", "server cores", "chromium cores"]]
    for r in tabs:
        if "error" in r:
            rows.append([str(r["tabs"]), "ERROR: " + r["error"][:60], "-", "-", "-"])
        else:
            rows.append([str(r["tabs"]), fmt(r["median"]), fmt(r["min"]),
                         fmt(r["server_cores"], ".2f"), fmt(r["browser_cores"], ".2f")])
    return render_table(rows)


# ----------------------------------------------------------------------- main


def run_once(browser, scenarios, tfp_url, ours_url, ours_pid, floor_url, settings, log) -> tuple:
    results, floor = {}, []
    for scenario in scenarios:
        url = tfp_url if scenario.site is TFP else ours_url
        if url is None:
            continue
        mark = time.perf_counter()
        try:
            results[scenario.key] = measure_scenario(
                browser, scenario, url, ours_pid if scenario.site is OURS else None, settings)
        except Exception as error:
            results[scenario.key] = {"error": f"{type(error).__name__}: {error}".splitlines()[0]}
        log(f"  {scenario.label}: {time.perf_counter() - mark:.0f} s"
            + (f" ERROR {results[scenario.key]['error']}" if "error" in results[scenario.key]
               else f", {results[scenario.key]['redraws_per_s']:.1f} redraws/s"))
        if scenario.site is OURS:
            wait_idle(ours_url)
    if floor_url:
        for _ in range(settings["floor_loads"]):
            try:
                floor.append(measure_floor(browser, floor_url))
            except Exception as error:
                floor.append({"error": f"{type(error).__name__}: {error}".splitlines()[0]})
    tabs = []
    if ours_url and settings["tab_counts"]:
        mark = time.perf_counter()
        tabs = measure_tabs(browser, ours_url, ours_pid, settings["tab_counts"], settings)
        log(f"  tabs: {time.perf_counter() - mark:.0f} s")
    return results, floor, tabs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="~2-3 minutes: 3 s windows, 1 run")
    parser.add_argument("--seconds", type=float, help="measuring window (default 10, quick 3)")
    parser.add_argument("--warmup", type=float, help="after Play (default 2, quick 1)")
    parser.add_argument("--repeat", type=int, help="runs to take medians of (default 2, quick 1)")
    parser.add_argument("--tfp", type=Path, default=DEFAULT_TFP, help="TFP's built folder")
    parser.add_argument("--app", type=Path, default=APP, help="our app (streamlit run APP)")
    parser.add_argument("--only", help="comma-separated scenario keys: "
                        + ",".join(s.key for s in SCENARIOS))
    parser.add_argument("--no-tabs", action="store_true", help="skip the tabs-per-process test")
    parser.add_argument("--json", type=Path, help="also write every number to this file")
    args = parser.parse_args()
    settings = {
        "seconds": args.seconds or (3.0 if args.quick else 10.0),
        "warmup": args.warmup if args.warmup is not None else (1.0 if args.quick else 2.0),
        "hover_moves": 8 if args.quick else 15,
        "floor_loads": 2 if args.quick else 3,
        "tab_seconds": 3.0 if args.quick else 5.0,
        "tab_counts": [] if args.no_tabs else ([1, 2, 4] if args.quick else [1, 2, 4, 8]),
        "bare_loads": 3 if args.quick else 5,
    }
    repeat = args.repeat or (1 if args.quick else 2)
    scenarios = [s for s in SCENARIOS
                 if not args.only or s.key in {k.strip() for k in args.only.split(",")}]
    log = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731
    started = time.perf_counter()
    load_before = load_average()
    notes = []
    if not (args.tfp / "index.html").exists():
        raise SystemExit(f"no TensorFlow Playground build in {args.tfp} (see --tfp)")
    have_ours = args.app.exists()
    if not have_ours:
        notes.append(f"our app {args.app} does not exist: our side was not measured")

    runs: list[tuple] = []
    with contextlib.ExitStack() as stack:
        tfp_url = stack.enter_context(static_server(args.tfp.resolve()))
        ours_url = stack.enter_context(streamlit_server(args.app)) if have_ours else None
        ours_pid = server_pid(ours_url) if ours_url else None
        if ours_url and mikir_stats(ours_url) is None:
            notes.append("GET /_mikir/stats did not answer: no training share, no idle wait")
        floor_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-floor-")))
        (floor_dir / "floor_app.py").write_text(FLOOR_APP)
        floor_url = stack.enter_context(streamlit_server(floor_dir / "floor_app.py"))
        browser = stack.enter_context(launch_chromium())
        browser_version = browser.version
        # One unmeasured load per server: the first session pays imports a learner never sees.
        for site, url in ((TFP, f"{tfp_url}/index.html#{TFP_DEFAULTS}"),
                          (OURS, f"{ours_url}/?" if ours_url else None),
                          (FLOOR, floor_url)):
            if url:
                with contextlib.suppress(Exception):
                    open_tab(browser, site, url, timeout=90).close()
        wait_idle(ours_url)
        log(f"servers up, warm loads done in {time.perf_counter() - started:.0f} s")
        for index in range(repeat):
            log(f"run {index + 1} of {repeat}")
            runs.append(run_once(browser, scenarios, tfp_url, ours_url, ours_pid, floor_url,
                                 settings, log))
        if any(s.key.endswith("-defaults") for s in scenarios):
            mark = time.perf_counter()
            bare = measure_bare(tfp_url, ours_url, settings["bare_loads"])
            log(f"no devtools: {time.perf_counter() - mark:.0f} s")
        else:
            bare = {}
    load_after = load_average()

    results = {s.key: aggregate([run[0][s.key] for run in runs if s.key in run[0]])
               for s in scenarios}
    results = {k: v for k, v in results.items() if v.get("runs")}
    floor = aggregate([f for run in runs for f in run[1]])
    tabs_by_count: dict[int, list[dict]] = {}
    for run in runs:
        for row in run[2]:
            tabs_by_count.setdefault(row["tabs"], []).append(row)
    tabs = []
    for count, rows in sorted(tabs_by_count.items()):
        ok = [r for r in rows if "error" not in r]
        tabs.append({"tabs": count, **{k: median(r[k] for r in ok) for k in
                                       ("median", "min", "server_cores", "browser_cores")}}
                    if ok else rows[0])

    out = print
    out("mikir playground against TensorFlow Playground: the live view (issue 8)")
    out("=" * 78)
    for line in machine_info(browser_version):
        out(line)
    out(f"load avg  : {load_before} before, {load_after} after (1/5/15 min; 2 cores shared "
        "by the servers, Chromium and this script)")
    command = " ".join(["bench/bench_playground.py"] + sys.argv[1:])
    out(f"reproduce : .venv/bin/python {command}")
    out(f"settings  : {settings['warmup']:g} s warm-up + {settings['seconds']:g} s per scenario,"
        f" medians of {repeat} run(s); headless Chromium {VIEWPORT['width']}x"
        f"{VIEWPORT['height']}; TFP from {args.tfp}")
    for note in notes:
        out(f"NOTE      : {note}")
    out("")
    out("Redraws/s = animation frames showing a new state (epoch/steps text changed) with a "
        "chart painted since the")
    out("previous frame; same probe in both pages. TFP trains one epoch per frame; speed 1 "
        "and speed max are ours")
    out("against TFP's defaults.")
    out(main_table(results))
    out("")
    out("Targets (issue 8, part 4):")
    out(targets_table(results, floor, tabs, bare))
    out("")
    out("Detail: paints/s = chart draw calls and SVG mutation batches; main thread = CDP "
        "TaskDuration / wall; cores =")
    out("CPU s per s (server = streamlit + children from /proc; training from /_mikir/stats); "
        "hover = mouse move to the")
    out("next painted frame; blank = in the window / since first drawn; framesDrawn/s = the "
        "live view's own count")
    out("(window.__liveView), a check on the probe.")
    out(detail_table(results))
    out("")
    out("First impression: seconds from navigation start (fresh context, no cache) to the first "
        "animation frame")
    out("with each part drawn; HTTP MB = encoded bytes received until every chart was drawn "
        "(medians; downloads of the first run);")
    out(f"\"no devtools\": the defaults in a Chromium no devtools client is attached to, "
        f"{settings['bare_loads']} loads each, alternated")
    out("(bare_browser.py: an attached inspector makes V8 re-parse large scripts for caught "
        "exceptions).")
    out(first_table(results, floor, bare))
    if tabs:
        out("")
        out(f"Tabs on one server, ours at the defaults, all playing ({settings['tab_seconds']:g} s"
            " window; every tab is a Chromium")
        out("page on the same 2 cores, so this measures the machine as much as the server):")
        out(tabs_table(tabs))
    problems = []
    for key, r in results.items():
        if r.get("errors"):
            problems.append(f"{key}: {r['runs'] - len(r['errors'])} of {r['runs']} runs measured")
        for error in r.get("errors", []):
            problems.append(f"{key}: {error}")
        reasons = r.get("blank_reasons_all")
        if isinstance(reasons, list) and any(reasons):
            problems.append(f"{key}: blank frames {reasons}")
    for error in floor.get("errors", []):
        problems.append(f"floor: {error}")
    for key, r in bare.items():
        for error in r.get("errors", []):
            problems.append(f"{key}, no devtools: {error}")
    if problems:
        out("")
        for line in problems:
            out(f"  {line}")
    out("")
    out(f"total benchmark time {time.perf_counter() - started:.0f} s")
    if args.json:
        args.json.write_text(json.dumps({"results": results, "floor": floor, "tabs": tabs,
                                         "no_devtools": bare,
                                         "runs": runs, "load": [load_before, load_after]},
                                        indent=2, default=str))


if __name__ == "__main__":
    main()
