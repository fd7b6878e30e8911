"""Benchmark: the playground's live view against issue 3's speed targets.

    .venv/bin/python bench/bench_playground.py            # ~3 minutes
    .venv/bin/python bench/bench_playground.py --quick    # ~1 minute, ~3 s per scenario

Targets (issue 3, "Speed"), measured in a real headless Chromium (1440x1000):
  * the live view sustains >= 10 redraws/s with all four charts visible, with the
    defaults and with the largest network (6 hidden layers x 8 neurons, 7 features);
  * training runs >= 600 epochs/s at the defaults with speed "max" (`?speed=0`);
  * no chart is ever blank on an animation frame;
  * a user's zoom on the output map survives the updates.

Per scenario the script starts the app once (tests/conftest.py `streamlit_server`),
opens a fresh browser context on a share link, waits for the app and the charts,
clicks Play, warms up, then for `--seconds`:
  * counts Plotly draws per chart (live_chart's `div.dataset.redraws`);
  * reads the "Epoch" metric at both ends (epochs/s as the learner sees it);
  * samples every chart on every requestAnimationFrame (blank = no `.main-svg`,
    or fewer drawn heatmap images / line paths than when sampling started);
  * parses Streamlit's websocket ForwardMsgs (frames = finished fragment runs,
    bytes received per frame);
  * times every `Plotly.react` in the page and reads Chrome's main-thread busy time
    (CDP Performance.getMetrics) and the server process's CPU time (/proc);
then zooms the output map with Plotly.relayout and checks the range after 3 s of
updates. Server time per frame is measured in this process, without a browser, by
doing what one fragment run does (train, record, build the four figures, serialize
them as live_chart does), with a cProfile of it. Memory: 20 TrainingSessions per
config after 2000 recorded epochs, and the server's RSS with 0, 1 and 5 tabs.

The machine is shared and has 2 cores: the server, Chromium and this script all
compete for them, and other jobs may run too; the load average is printed before
and after. Expect 10-20 % run-to-run noise on rates.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import gc
import io
import json
import math
import os
import platform
import pstats
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))
from conftest import launch_chromium, streamlit_server, wait_for_app  # noqa: E402

APP = ROOT / "playground" / "app.py"
CHARTS = ("chart_network", "chart_output", "chart_loss", "chart_weights")
LARGEST = "layers=8,8,8,8,8,8&features=x1,x2,x1_squared,x2_squared,x1_times_x2,sin_x1,sin_x2"
SCENARIOS = {  # name: share-link query
    "default, speed 10": "speed=10",
    "default, speed max": "speed=0",
    "largest, speed 10": f"{LARGEST}&speed=10",
    "largest, speed max": f"{LARGEST}&speed=0",
}
SHORT = {"default-10": "default, speed 10", "default-max": "default, speed max",
         "largest-10": "largest, speed 10", "largest-max": "largest, speed max"}
TARGET_REDRAWS = 10.0
TARGET_EPOCHS = 600.0  # at speed max with the defaults
EPOCHS_TARGET_SCENARIO = "default, speed max"
ZOOM = [-2.0, 2.0]
VARIANTS = {  # diagnostics: server environment -> what it removes
    "BLAS 1 thread": {"OPENBLAS_NUM_THREADS": "1"},
    "BLAS 1 thread + no post-run GC": {"OPENBLAS_NUM_THREADS": "1",
                                       "STREAMLIT_RUNNER_POST_SCRIPT_GC": "false"},
}

# --------------------------------------------------------------------- page JS
EPOCH_JS = """() => {
  const metric = [...document.querySelectorAll('[data-testid=stMetric]')].find((m) => {
    const label = m.querySelector('[data-testid=stMetricLabel]');
    return (label ? label.innerText : m.innerText).trim().startsWith('Epoch');
  });
  const value = metric && metric.querySelector('[data-testid=stMetricValue]');
  return value ? Number(value.innerText.replace(/[^0-9]/g, '')) : null;
}"""

# live_chart's plot <div>s carry their key (several can share one component).
CHART_DIV_JS = """window.chartDiv = (key) =>
  document.querySelector('.live-chart[data-key="' + key + '"]');"""

CHARTS_READY_JS = """(keys) => keys.every((k) => {
  const div = chartDiv(k);
  return div && div.querySelector('.main-svg');
})"""

REDRAWS_JS = """(keys) => ({
  perChart: Object.fromEntries(keys.map((k) => {
    const div = chartDiv(k);
    return [k, div ? Number(div.dataset.redraws || 0) : null];
  })),
  redraws: window.__liveChartRedraws || 0,
  updates: window.__liveChartUpdates || 0,
  now: performance.now(),
})"""

# Wraps Plotly.react (live_chart calls it as a method of window.Plotly) to time it:
# `sync` is the synchronous part (what blocks the main thread), `done` until its
# promise resolves. Keeps the durations per chart key.
REACT_TIMER_JS = """(keys) => {
  if (window.__benchReact) return;
  const times = window.__benchReact = {};
  const original = window.Plotly.react;
  window.Plotly.react = function (div, ...rest) {
    const key = (div.dataset && keys.find((k) => k === div.dataset.key)) || 'other';
    const t0 = performance.now();
    const result = original.call(this, div, ...rest);
    const t1 = performance.now();
    const entry = (times[key] ??= {sync: [], done: []});
    entry.sync.push(t1 - t0);
    return Promise.resolve(result).then((value) => {
      entry.done.push(performance.now() - t0);
      return value;
    });
  };
}"""

# Runs on every requestAnimationFrame (right before a paint) and checks each chart.
SAMPLER_JS = """(keys) => {
  const images = (div) => [...div.querySelectorAll('g.hm image')]
    .filter((i) => (i.getAttribute('href') || '').length > 100).length;
  const lines = (div) => [...div.querySelectorAll('.scatterlayer path.js-line')]
    .filter((p) => (p.getAttribute('d') || '').length > 2).length;
  const look = (k) => {
    const div = chartDiv(k);
    const svg = div && div.querySelector('.main-svg');
    if (!svg || div.getBoundingClientRect().height < 50) return null;
    return {svg, images: images(div), lines: lines(div)};
  };
  const s = window.__benchSampler = {samples: 0, stop: false, start: performance.now(),
                                     charts: {}};
  for (const k of keys) {
    const first = look(k);
    s.charts[k] = {blank: 0, episodes: 0, longest: 0, recreated: 0,
                   images: first ? first.images : 1, lines: first ? first.lines : 0,
                   svg: first && first.svg, since: null, reasons: {}};
  }
  const tick = (now) => {
    s.samples++;
    for (const k of keys) {
      const c = s.charts[k], seen = look(k);
      let reason = null;
      if (!seen) reason = 'no svg';
      else if (seen.images < c.images) reason = 'heatmap missing';
      else if (seen.lines < c.lines) reason = 'line missing';
      if (reason) {
        c.blank++;
        c.reasons[reason] = (c.reasons[reason] || 0) + 1;
        if (c.since === null) { c.episodes++; c.since = now; }
      } else {
        if (c.since !== null) c.longest = Math.max(c.longest, now - c.since);
        c.since = null;
        if (seen.svg !== c.svg) { c.recreated++; c.svg = seen.svg; }
      }
    }
    if (!s.stop) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}"""

STOP_SAMPLER_JS = """() => {
  const s = window.__benchSampler;
  s.stop = true;
  const charts = {};
  for (const [k, c] of Object.entries(s.charts)) {
    charts[k] = {blank: c.blank, episodes: c.episodes, longest: c.longest,
                 recreated: c.recreated, reasons: c.reasons};
  }
  return {samples: s.samples, seconds: (performance.now() - s.start) / 1000, charts};
}"""

# Scrolls the page so the four charts are all inside the viewport (at 1440x1000 the loss
# and weight charts start below the fold); returns the visible share of each chart.
SHOW_ALL_JS = """(keys) => {
  const boxes = () => keys.map((k) => chartDiv(k)
                                        .getBoundingClientRect());
  let top = Math.min(...boxes().map((b) => b.top));
  const bottom = Math.max(...boxes().map((b) => b.bottom));
  const margin = Math.max(0, (innerHeight - (bottom - top)) / 2);
  let scroller = chartDiv(keys[0]);
  while (scroller && !(scroller.scrollHeight > scroller.clientHeight + 1
         && /(auto|scroll)/.test(getComputedStyle(scroller).overflowY))) {
    scroller = scroller.parentElement;
  }
  (scroller || document.scrollingElement).scrollTop += top - margin;
  return Object.fromEntries(keys.map((k, i) => {
    const b = boxes()[i];
    const shown = Math.max(0, Math.min(b.bottom, innerHeight) - Math.max(b.top, 0));
    return [k, b.height ? shown / b.height : 0];
  }));
}"""

ALERTS_JS = """() => [...document.querySelectorAll(
  '[data-testid=stAlert], [data-testid=stException]')].map((e) => e.innerText.slice(0, 300))"""

ZOOM_JS = """async ([key, range]) => {
  const div = chartDiv(key);
  await window.Plotly.relayout(div, {'xaxis.range': range, 'yaxis.range': range});
  return Number(div.dataset.redraws || 0);
}"""

ZOOM_READ_JS = """(key) => {
  const div = chartDiv(key);
  const full = div._fullLayout;
  return {x: full.xaxis.range.slice(), y: full.yaxis.range.slice(),
          redraws: Number(div.dataset.redraws || 0)};
}"""

# Self time of the page's main thread by origin, from a CDP CPU profile.
PROFILE_CATEGORIES = (
    ("plotly.min.js", "plotly.js"),
    ("/static/js/", "Streamlit frontend"),
    ("(garbage collector)", "JS garbage collector"),
    ("(program)", "engine (style/layout/paint/parse)"),
    ("(idle)", "idle"),
)


# ---------------------------------------------------------------- small tools
def proc_cpu_seconds(pid: int) -> float:
    """utime + stime of a process (all its threads), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def proc_rss_mb(pid: int | str = "self") -> tuple[float, float]:
    """(VmRSS, VmHWM) in MB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            key, amount, _unit = line.split()
            values[key[:-1]] = int(amount) / 1024
    return values.get("VmRSS", math.nan), values.get("VmHWM", math.nan)


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
    """CPU seconds of the server tree, this benchmark's Chromium, the harness, the machine."""

    def __init__(self, server: int | None):
        self.server = server

    def _sum(self, pids) -> float:
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
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
        ticks = [int(x) for x in fields]
        idle = ticks[3] + ticks[4]
        hz = os.sysconf("SC_CLK_TCK")
        return {"server": self._sum(server), "browser": self._sum(browser),
                "harness": self._sum(harness), "machine_busy": (sum(ticks) - idle) / hz,
                "machine_total": sum(ticks) / hz, "t": time.perf_counter()}


def cpu_delta(before: dict, after: dict) -> dict:
    wall = after["t"] - before["t"]
    result = {k: (after[k] - before[k]) / wall for k in ("server", "browser", "harness")}
    total = after["machine_total"] - before["machine_total"]
    busy = after["machine_busy"] - before["machine_busy"]
    result["machine_busy"] = busy / total if total else 0.0
    result["others"] = max(0.0, result["machine_busy"] * (os.cpu_count() or 1)
                           - result["server"] - result["browser"] - result["harness"])
    return result  # cores busy (1.0 = one core), machine_busy as a share of all cores


def server_pid(url: str) -> int | None:
    """The streamlit process listening on the URL's port (conftest doesn't expose it)."""
    port = f"--server.port\0{urlparse(url).port}\0"
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
            if "streamlit" in cmdline and port in cmdline:
                return int(entry.name)
    return None


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def median(values) -> float:
    values = list(values)
    return statistics.median(values) if values else math.nan


def percentile(values, q: float) -> float:
    values = sorted(values)
    if not values:
        return math.nan
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def machine_info(browser_version: str | None = None) -> list[str]:
    import numpy
    import plotly
    import streamlit

    cpu = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GB"
    commit = "?"
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                                capture_output=True, text=True, timeout=5).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=ROOT, capture_output=True, text=True, timeout=5).stdout
        commit += " (+ uncommitted changes)" if dirty.strip() else ""
    lines = [
        f"machine   : {platform.node()} · {cpu} · {os.cpu_count()} CPUs · {memory} RAM · "
        f"{platform.platform()}",
        f"software  : Python {platform.python_version()} · numpy {numpy.__version__} · "
        f"streamlit {streamlit.__version__} · plotly {plotly.__version__}"
        + (f" · Chromium {browser_version}" if browser_version else ""),
        f"repository: {ROOT} @ {commit}",
    ]
    return lines


# ------------------------------------------------------- server side, in-process
def _configs():
    from playground import config as cfg

    configs = {}
    for name, query in SCENARIOS.items():
        params = dict(part.split("=", 1) for part in query.split("&"))
        config, notices = cfg.from_query(params)
        if notices:
            raise SystemExit(f"share link of {name!r} is not clean: {notices}")
        configs[name] = config
    return configs


def encode_figure(figure: dict) -> bytes:
    """The bytes live_chart sends for a figure dict (see live_chart.live_chart)."""
    try:
        return json.dumps(figure, separators=(",", ":"), allow_nan=False).encode()
    except (TypeError, ValueError):
        from plotly.io.json import to_json_plotly

        return to_json_plotly(figure).encode()


class Frame:
    """What one fragment run of playground/live.py does, minus Streamlit itself."""

    def __init__(self, config):
        from playground import live
        from playground.session import TrainingSession

        self.live = live
        self.session = TrainingSession(config)
        self.speed = config.speed

    def train(self) -> int:
        session, before = self.session, self.session.epoch
        if self.speed == 0:
            session.train_for(self.live.MAX_SPEED_SECONDS, 10**6)
        else:
            session.train_epochs(self.speed)
        session.record()
        return session.epoch - before

    def figures(self) -> list[dict]:
        from playground import figures

        s = self.session
        return [figures.network_figure(s, width=640),
                figures.output_figure(s, show_test=False, discretize=False),
                figures.loss_figure(s, log_scale=False),
                figures.weights_figure(s)]

    def run(self) -> tuple[int, list[bytes]]:
        epochs = self.train()
        return epochs, [encode_figure(f) for f in self.figures()]


def time_frames(config, frames: int, warm_frames: int, history: int = 0) -> dict:
    """Median per-frame server work over `frames` frames (after `warm_frames`)."""
    frame = Frame(config)
    if history:  # a long run: fill the loss history to its cap first
        for _ in range(history):
            frame.session.train_epochs(1)
            frame.session.record()
    for _ in range(warm_frames):
        frame.run()
    train, build, encode, sizes, epochs = [], [], [], [], []
    per_chart = {key: [] for key in CHARTS}
    for _ in range(frames):
        t0 = time.perf_counter()
        epochs.append(frame.train())
        t1 = time.perf_counter()
        figs = frame.figures()
        t2 = time.perf_counter()
        payloads = [encode_figure(f) for f in figs]
        t3 = time.perf_counter()
        train.append(t1 - t0)
        build.append(t2 - t1)
        encode.append(t3 - t2)
        sizes.append(sum(map(len, payloads)))
        for key, payload in zip(CHARTS, payloads):
            per_chart[key].append(len(payload))
    total = [a + b + c for a, b, c in zip(train, build, encode)]
    return {
        "train_ms": median(train) * 1e3, "figures_ms": median(build) * 1e3,
        "encode_ms": median(encode) * 1e3, "total_ms": median(total) * 1e3,
        "total_p90_ms": percentile(total, 0.9) * 1e3,
        "epochs_per_frame": median(epochs),
        "train_epochs_per_s": sum(epochs) / sum(train),
        "bytes_per_frame": median(sizes),
        "bytes_per_chart": {k: median(v) for k, v in per_chart.items()},
        "history_points": len(frame.session.history.epoch),
    }


def figure_breakdown(config, frames: int) -> dict:
    """Median ms to build + encode each figure on its own."""
    from playground import figures

    frame = Frame(config)
    for _ in range(10):
        frame.run()
    s = frame.session
    builders = {
        "chart_network": lambda: figures.network_figure(s, width=640),
        "chart_output": lambda: figures.output_figure(s),
        "chart_loss": lambda: figures.loss_figure(s),
        "chart_weights": lambda: figures.weights_figure(s),
    }
    result = {}
    for key, build in builders.items():
        times = []
        for _ in range(frames):
            t0 = time.perf_counter()
            encode_figure(build())
            times.append(time.perf_counter() - t0)
        result[key] = median(times) * 1e3
    result["record"] = median(_timed(s.record, frames)) * 1e3
    return result


def _timed(function, count: int) -> list[float]:
    times = []
    for _ in range(count):
        t0 = time.perf_counter()
        function()
        times.append(time.perf_counter() - t0)
    return times


def profile_frames(config, frames: int, top: int) -> str:
    frame = Frame(config)
    for _ in range(5):
        frame.run()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(frames):
        frame.run()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    text = out.getvalue()
    # keep the table, drop pstats' preamble lines
    lines = [line for line in text.splitlines() if line.strip()]
    start = next((i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls")), 0)
    header = next((line.strip() for line in lines if "function calls" in line), "")
    return "\n".join([f"    {header}"] + [f"    {line}" for line in lines[start:]])


def blas_worker(scenario: str, seconds: float = 1.0) -> None:
    """(Subprocess) time the output map's grid forward pass; print JSON."""
    from playground import figures
    from playground.session import TrainingSession

    session = TrainingSession(_configs()[scenario])
    figures.grid_forward(session, figures.OUTPUT_RESOLUTION)
    walls, cpus = [], []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline or len(walls) < 20:
        t0, c0 = time.perf_counter(), time.process_time()
        figures.grid_forward(session, figures.OUTPUT_RESOLUTION)
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)  # all threads: OpenBLAS workers included
    print(json.dumps({"wall_ms": median(walls) * 1e3, "cpu_ms": median(cpus) * 1e3}))


def blas_check(scenario: str = "largest, speed 10", rounds: int = 2) -> dict:
    """The output map's 100x100 grid forward pass (figures.grid_forward) in a fresh
    process, with numpy's OpenBLAS at its default thread count and with
    OPENBLAS_NUM_THREADS=1, on the machine as it is and with one busy-looping process
    per core (as when Chromium and the server compete). Medians over `rounds` runs."""
    env_default = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    env_one = {**env_default, "OPENBLAS_NUM_THREADS": "1"}
    command = [sys.executable, str(Path(__file__).resolve()), "--blas-worker", scenario]
    result = {"scenario": scenario}
    for load in ("idle", "busy"):
        hogs = []
        if load == "busy":
            hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
                    for _ in range(os.cpu_count() or 2)]
        try:
            runs: dict[str, list[dict]] = {"default": [], "one": []}
            for _ in range(rounds):  # alternate, so both see the same noise
                for label, env in (("default", env_default), ("one", env_one)):
                    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True,
                                          text=True, timeout=120)
                    if done.returncode:
                        return {"error": done.stderr.strip().splitlines()[-1:]}
                    runs[label].append(json.loads(done.stdout.strip().splitlines()[-1]))
        finally:
            for hog in hogs:
                hog.kill()
                hog.wait()
        for label, values in runs.items():
            result[f"{load}_{label}"] = (median(v["wall_ms"] for v in values),
                                         median(v["cpu_ms"] for v in values))
    return result


def session_memory(config, count: int, epochs: int) -> dict:
    """Bytes kept per TrainingSession after `epochs` epochs, each one recorded.

    One session is trained (every epoch recorded, so the loss history reaches its cap
    and is thinned). Then `count` new sessions get its weights and a copy of its
    history and train 2 more epochs each (so any buffers training keeps exist): the
    same state as `count` sessions trained alike, without training each one.
    """
    import copy

    from playground.session import TrainingSession

    started = time.perf_counter()
    trained = TrainingSession(config)
    for _ in range(epochs):
        trained.train_epochs(1)
        trained.record()
    seconds = time.perf_counter() - started
    gc.collect()
    rss0, _ = proc_rss_mb()
    tracemalloc.start()
    base, _ = tracemalloc.get_traced_memory()
    sessions = []
    for _ in range(count):
        session = TrainingSession(config)
        session.net.set_parameters(trained.net.get_parameters())
        session.history = copy.deepcopy(trained.history)
        session.epoch, session.steps = trained.epoch, trained.steps
        session.train_epochs(2)
        session.record()
        sessions.append(session)
    gc.collect()
    traced, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss1, _ = proc_rss_mb()
    history = len(sessions[0].history.epoch)
    del sessions
    gc.collect()
    return {"count": count, "epochs": epochs, "history_points": history,
            "traced_kb_per_session": (traced - base) / count / 1024,
            "rss_kb_per_session": (rss1 - rss0) * 1024 / count, "seconds": seconds}


# ----------------------------------------------------------------- browser side
class WebsocketCounter:
    """Counts bytes and finished script runs in Streamlit's websocket messages."""

    def __init__(self, page):
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        self.ForwardMsg = ForwardMsg
        self.bytes = 0
        self.figure_bytes = 0
        self.js_bytes = 0
        self.fragment_runs = 0
        self.full_runs = 0
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _frame(self, payload) -> None:
        if isinstance(payload, str):
            self.bytes += len(payload.encode())
            return
        self.bytes += len(payload)
        with contextlib.suppress(Exception):
            msg = self.ForwardMsg.FromString(payload)
            if (msg.WhichOneof("type") == "delta"
                    and msg.delta.WhichOneof("type") == "new_element"
                    and msg.delta.new_element.WhichOneof("type") == "bidi_component"):
                element = msg.delta.new_element.bidi_component
                self.figure_bytes += len(element.bytes)
                self.js_bytes += len(element.js_content)
            if msg.WhichOneof("type") == "script_finished":
                if msg.script_finished == ForwardMsgStatus.FRAGMENT:
                    self.fragment_runs += 1
                else:
                    self.full_runs += 1

    def snapshot(self) -> tuple[int, int, int, int]:
        return self.bytes, self.fragment_runs, self.figure_bytes, self.js_bytes


class ForwardMsgStatus:
    FRAGMENT = 3  # ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY


def open_app(browser, url: str, query: str, timeout: float = 90_000):
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    context.add_init_script(CHART_DIV_JS)
    page = context.new_page()
    counter = WebsocketCounter(page)
    page.goto(f"{url}/?{query}")
    wait_for_app(page, timeout=timeout)
    page.wait_for_function(CHARTS_READY_JS, arg=list(CHARTS), timeout=timeout)
    page.wait_for_function("() => !!window.Plotly", timeout=timeout)
    return context, page, counter


def click_play(page) -> None:
    button = page.locator(".st-key-play button")
    button.wait_for(state="visible", timeout=30_000)
    if "Pause" in button.inner_text():
        return
    button.click()
    page.wait_for_function(f"() => ({EPOCH_JS})() > 0", timeout=60_000, polling=100)


def cdp_busy(cdp) -> dict:
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    keys = ("TaskDuration", "ScriptDuration", "LayoutDuration", "RecalcStyleDuration")
    return {k: metrics.get(k, 0.0) for k in keys}


def drag_zoom(page, key: str, steps: int = 20, pause_ms: int = 50) -> None:
    """A user's zoom box on a chart: press, drag slowly (~1 s) while it updates, release."""
    box = page.locator(f'.live-chart[data-key="{key}"] .nsewdrag').first.bounding_box()
    x0, y0 = box["x"] + 0.3 * box["width"], box["y"] + 0.3 * box["height"]
    x1, y1 = box["x"] + 0.6 * box["width"], box["y"] + 0.6 * box["height"]
    page.mouse.move(x0, y0)
    page.mouse.down()
    for i in range(1, steps + 1):
        page.mouse.move(x0 + (x1 - x0) * i / steps, y0 + (y1 - y0) * i / steps)
        page.wait_for_timeout(pause_ms)
    page.mouse.up()


def _same(a, b) -> bool:
    return all(abs(x - y) < 1e-6 for x, y in zip(a, b))


def js_profile(cdp, page, seconds: float) -> dict:
    """Main-thread self time by origin over `seconds` (CDP sampling profiler)."""
    cdp.send("Profiler.enable")
    cdp.send("Profiler.setSamplingInterval", {"interval": 500})
    cdp.send("Profiler.start")
    page.wait_for_timeout(seconds * 1000)
    profile = cdp.send("Profiler.stop")["profile"]
    cdp.send("Profiler.disable")
    nodes = {node["id"]: node["callFrame"] for node in profile["nodes"]}
    parent = {child: node["id"] for node in profile["nodes"] for child in node.get("children", ())}

    def origin(node_id: int) -> str:
        """A native function (DOM call, toDataURL...) counts for the script that called it."""
        frame = nodes[node_id]
        name = frame.get("functionName", "")
        seen = node_id
        while not frame.get("url") and seen in parent:
            seen = parent[seen]
            frame = nodes[seen]
        url = frame.get("url", "")
        for needle, label in PROFILE_CATEGORIES:
            if (url and needle in url) or (not url and needle == name):
                return label
        return "other scripts (components, Playwright)" if url else "native (other)"

    totals: dict[str, float] = {}
    labels: dict[int, str] = {}
    for node_id, delta in zip(profile.get("samples", []), profile.get("timeDeltas", [])):
        label = labels.get(node_id) or labels.setdefault(node_id, origin(node_id))
        totals[label] = totals.get(label, 0.0) + delta / 1e6
    wall = sum(totals.values()) or 1.0
    return {label: value / wall for label, value in
            sorted(totals.items(), key=lambda item: -item[1])}


def measure_scenario(browser, url: str, pid: int | None, name: str, query: str,
                     warmup: float, seconds: float, zoom_seconds: float,
                     profile_seconds: float = 0.0) -> dict:
    context, page, counter = open_app(browser, url, query)
    meter = CpuMeter(pid)
    try:
        cdp = context.new_cdp_session(page)
        cdp.send("Performance.enable")
        page.evaluate(REACT_TIMER_JS, list(CHARTS))
        click_play(page)
        page.wait_for_function(CHARTS_READY_JS, arg=list(CHARTS), timeout=60_000)
        visible = page.evaluate(SHOW_ALL_JS, list(CHARTS))
        page.wait_for_timeout(warmup * 1000)

        page.evaluate(SAMPLER_JS, list(CHARTS))
        page.evaluate("() => { for (const t of Object.values(window.__benchReact))"
                      " { t.sync.length = 0; t.done.length = 0; } }")
        t0 = time.perf_counter()
        epoch0 = page.evaluate(EPOCH_JS)
        draws0 = page.evaluate(REDRAWS_JS, list(CHARTS))
        ws0 = counter.snapshot()
        busy0 = cdp_busy(cdp)
        cpu0 = meter.read()
        page.wait_for_timeout(seconds * 1000)
        cpu1 = meter.read()
        busy1 = cdp_busy(cdp)
        draws1 = page.evaluate(REDRAWS_JS, list(CHARTS))
        epoch1 = page.evaluate(EPOCH_JS)
        ws1 = counter.snapshot()
        elapsed = time.perf_counter() - t0
        sampled = page.evaluate(STOP_SAMPLER_JS)
        react = page.evaluate("() => window.__benchReact")

        # Zoom survival, still playing. First as the issue words it, Plotly.relayout from
        # code; plotly's uirevision keeps only GUI edits, so this one is informational.
        api_draws0 = page.evaluate(ZOOM_JS, ["chart_output", ZOOM])
        page.wait_for_timeout(zoom_seconds * 1000)
        api = page.evaluate(ZOOM_READ_JS, "chart_output")
        # Then as a user does it: a zoom box dragged with the mouse (decisive).
        drag_zoom(page, "chart_output")
        dragged = page.evaluate(ZOOM_READ_JS, "chart_output")
        zoom_epoch0 = page.evaluate(EPOCH_JS)
        zoom_ws0 = counter.snapshot()
        page.wait_for_timeout(zoom_seconds * 1000)
        after = page.evaluate(ZOOM_READ_JS, "chart_output")
        zoom_epoch1 = page.evaluate(EPOCH_JS)
        zoom_ws1 = counter.snapshot()
        alerts = page.evaluate(ALERTS_JS)
        # Still live? Streamlit drops a session whose send queue (500 messages) overflows
        # but leaves the websocket open: the page keeps asking and nothing comes back.
        alive0 = counter.snapshot()[1]
        page.wait_for_timeout(2000)
        alive_runs = counter.snapshot()[1] - alive0
        profile = js_profile(cdp, page, profile_seconds) if profile_seconds else None
    finally:
        context.close()

    page_seconds = (draws1["now"] - draws0["now"]) / 1000
    per_chart = {k: (draws1["perChart"][k] - draws0["perChart"][k]) / page_seconds
                 for k in CHARTS}
    runs = ws1[1] - ws0[1]
    cpu = cpu_delta(cpu0, cpu1)
    zoomed = not _same(dragged["x"], [-6, 6]) and not _same(dragged["x"], ZOOM)
    range_kept = _same(after["x"], dragged["x"]) and _same(after["y"], dragged["y"])
    redrawn = after["redraws"] > dragged["redraws"]
    drag_kept = zoomed and range_kept and redrawn
    zoom_state = ("kept" if drag_kept else "no zoom" if not zoomed else "LOST" if not range_kept
                  else "frozen" if zoom_ws1[1] == zoom_ws0[1] else "no redraw")
    return {
        "scenario": name, "query": query, "seconds": elapsed, "visible": visible,
        "redraws_per_s": per_chart,
        "min_redraws_per_s": min(per_chart.values()),
        "total_redraws_per_s": (draws1["redraws"] - draws0["redraws"]) / page_seconds,
        "updates_per_s": (draws1["updates"] - draws0["updates"]) / page_seconds,
        "epochs_per_s": (epoch1 - epoch0) / elapsed if None not in (epoch0, epoch1) else math.nan,
        "epochs": [epoch0, epoch1],
        "server_frames_per_s": runs / elapsed,
        "ws_bytes_per_frame": (ws1[0] - ws0[0]) / runs if runs else math.nan,
        "ws_figure_bytes_per_frame": (ws1[2] - ws0[2]) / runs if runs else math.nan,
        "ws_js_bytes_per_frame": (ws1[3] - ws0[3]) / runs if runs else math.nan,
        "ws_kb_per_s": (ws1[0] - ws0[0]) / elapsed / 1024,
        "cpu": cpu,
        "server_cpu_ms_per_frame": cpu["server"] * elapsed * 1e3 / runs if runs else math.nan,
        "browser_cpu_ms_per_frame": cpu["browser"] * elapsed * 1e3 / runs if runs else math.nan,
        "page_busy": {k: (busy1[k] - busy0[k]) / elapsed for k in busy0},
        "react_ms": {k: {"sync_median": median(v["sync"]), "sync_p90": percentile(v["sync"], .9),
                         "done_median": median(v["done"]), "count": len(v["sync"])}
                     for k, v in (react or {}).items()},
        "rAF_samples": sampled["samples"],
        "rAF_per_s": sampled["samples"] / sampled["seconds"],
        "blank": sampled["charts"],
        "blank_frames": sum(c["blank"] for c in sampled["charts"].values()),
        "zoom_api": {"x": api["x"], "y": api["y"], "redraws_during": api["redraws"] - api_draws0,
                     "kept": _same(api["x"], ZOOM) and _same(api["y"], ZOOM)},
        "zoom_drag": {"after_drag": [dragged["x"], dragged["y"]], "later": [after["x"], after["y"]],
                      "redraws_during": after["redraws"] - dragged["redraws"],
                      "epochs_during": [zoom_epoch0, zoom_epoch1], "zoomed": zoomed,
                      "fragment_runs_during": zoom_ws1[1] - zoom_ws0[1],
                      "bytes_during": zoom_ws1[0] - zoom_ws0[0], "alerts": alerts,
                      "state": zoom_state},
        "zoom_kept": drag_kept,
        "alive_runs": alive_runs,
        "js_profile": profile,
    }


def measure_tabs(browser, seconds: float, tabs: int = 5) -> dict:
    """Server RSS on a fresh server: no tab, 1 tab playing, `tabs` tabs playing."""
    with streamlit_server(APP) as url:
        pid = server_pid(url)
        if pid is None:
            return {"error": "server process not found"}
        time.sleep(1)
        result = {"rss_0_tabs_mb": proc_rss_mb(pid)[0]}
        pages = []
        try:
            counters = []
            for i in range(tabs):
                context, page, counter = open_app(browser, url, SCENARIOS["default, speed 10"])
                pages.append((context, page))
                counters.append(counter)
                click_play(page)
                if i == 0:
                    page.wait_for_timeout(seconds * 1000)
                    result["rss_1_tab_mb"] = proc_rss_mb(pid)[0]
            # all tabs playing at once: how the rates share the 2 cores
            first = pages[0][1]
            epochs0 = [page.evaluate(EPOCH_JS) for _, page in pages]
            draws0 = [page.evaluate(REDRAWS_JS, list(CHARTS)) for _, page in pages]
            t0 = time.perf_counter()
            first.wait_for_timeout(seconds * 1000)
            elapsed = time.perf_counter() - t0
            epochs1 = [page.evaluate(EPOCH_JS) for _, page in pages]
            draws1 = [page.evaluate(REDRAWS_JS, list(CHARTS)) for _, page in pages]
            rss, hwm = proc_rss_mb(pid)
            result[f"rss_{tabs}_tabs_mb"] = rss
            result["hwm_mb"] = hwm
            result["tabs"] = tabs
            result["epochs_per_s_per_tab"] = [(b - a) / elapsed for a, b in zip(epochs0, epochs1)]
            result["min_redraws_per_s_per_tab"] = [
                min((d1["perChart"][k] - d0["perChart"][k]) for k in CHARTS)
                / ((d1["now"] - d0["now"]) / 1000) for d0, d1 in zip(draws0, draws1)]
            # A tab whose session Streamlit dropped (send queue overflow) gets no frames.
            runs0 = [c.snapshot()[1] for c in counters]
            first.wait_for_timeout(3000)
            result["frozen_tabs"] = sum(c.snapshot()[1] == r for c, r in zip(counters, runs0))
        finally:
            for context, _ in pages:
                context.close()
        return result


# --------------------------------------------------------------------- report
def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def render_table(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.rjust(w) if i else cell.ljust(w) for i, (cell, w)
                       in enumerate(zip(row, widths))) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main_table(browser_results: dict, server: dict) -> str:
    rows = [["scenario", "redraws/s min", "net/out/loss/wts", "total", "frames/s",
             "epochs/s", "blank", "zoom (drag)", "relayout()", "server ms train/fig/json/tot",
             "server CPU ms", "KB fig", "KB ws", "verdict"]]
    for name in [n for n in SCENARIOS if n in browser_results or n in server]:
        b, s = browser_results.get(name), server.get(name)
        cells = [name]
        checks = []
        if b and "error" in b:
            cells += ["ERROR"] + ["-"] * 8
            checks.append(("error", False))
        elif b:
            per = "/".join(f"{b['redraws_per_s'][k]:.1f}" for k in CHARTS)
            redraws_ok = b["min_redraws_per_s"] >= TARGET_REDRAWS
            blank_ok = b["blank_frames"] == 0
            zoom_ok = b["zoom_kept"]
            checks += [("redraws", redraws_ok), ("blank", blank_ok), ("zoom", zoom_ok),
                       ("froze", b["alive_runs"] > 0)]
            epochs = f"{b['epochs_per_s']:.0f}"
            if name == EPOCHS_TARGET_SCENARIO:
                epochs_ok = b["epochs_per_s"] >= TARGET_EPOCHS
                checks.append(("epochs", epochs_ok))
                epochs += f" {verdict(epochs_ok)}"
            cells += [f"{b['min_redraws_per_s']:.1f} {verdict(redraws_ok)}", per,
                      f"{b['total_redraws_per_s']:.1f}", f"{b['server_frames_per_s']:.1f}",
                      epochs, f"{b['blank_frames']} {verdict(blank_ok)}",
                      f"{b['zoom_drag']['state']} {verdict(zoom_ok)}",
                      "kept" if b["zoom_api"]["kept"] else "reset (info)"]
        else:
            cells += ["-"] * 8
        if s:
            cells += [f"{s['train_ms']:.1f}/{s['figures_ms']:.1f}/{s['encode_ms']:.1f}/"
                      f"{s['total_ms']:.1f}"]
        else:
            cells += ["-"]
        ok_b = b and "error" not in b
        cells.append(f"{b['server_cpu_ms_per_frame']:.0f}" if ok_b else "-")
        cells.append(f"{s['bytes_per_frame'] / 1024:.1f}" if s else "-")
        cells.append(f"{b['ws_bytes_per_frame'] / 1024:.1f}" if ok_b else "-")
        failed = [what for what, ok in checks if not ok]
        cells.append(("FAIL: " + ", ".join(failed)) if failed else ("PASS" if checks else "-"))
        rows.append(cells)
    return render_table(rows)


def browser_detail_table(browser_results: dict) -> str:
    rows = [["scenario", "CPU cores: server/chromium/harness/others", "machine busy",
             "CPU ms/frame server/chromium", "page main thread busy (script/layout/style)",
             "Plotly.react ms med net/out/loss/wts", "p90", "rAF/s", "KB/frame ws: fig/js/rest",
             "updates/s", "charts in view"]]
    for name, b in browser_results.items():
        if "error" in b:
            continue
        busy, react, cpu = b["page_busy"], b["react_ms"], b["cpu"]

        def r(key, field, react=react):
            return f"{react[key][field]:.0f}" if key in react else "-"

        rest = (b["ws_bytes_per_frame"] - b["ws_figure_bytes_per_frame"]
                - b["ws_js_bytes_per_frame"])
        rows.append([
            name,
            f"{cpu['server']:.2f}/{cpu['browser']:.2f}/{cpu['harness']:.2f}/{cpu['others']:.2f}",
            f"{cpu['machine_busy']:.0%}",
            f"{b['server_cpu_ms_per_frame']:.0f}/{b['browser_cpu_ms_per_frame']:.0f}",
            f"{busy['TaskDuration']:.0%} ({busy['ScriptDuration']:.0%}/"
            f"{busy['LayoutDuration']:.0%}/{busy['RecalcStyleDuration']:.0%})",
            "/".join(r(k, "sync_median") for k in CHARTS),
            "/".join(r(k, "sync_p90") for k in CHARTS),
            f"{b['rAF_per_s']:.0f}",
            f"{b['ws_figure_bytes_per_frame'] / 1024:.1f}/{b['ws_js_bytes_per_frame'] / 1024:.1f}/"
            f"{rest / 1024:.1f}",
            f"{b['updates_per_s']:.1f}",
            f"{min(b['visible'].values()):.0%}",
        ])
    return render_table(rows)


def server_detail_table(server: dict, long_run: dict, breakdown: dict) -> str:
    rows = [["config", "epochs/frame", "train epochs/s (in-process)", "total ms p90",
             "KB net/out/loss/wts", "ms build+json net/out/loss/wts", "record ms",
             "after long run: total ms, KB/frame (history pts)"]]
    for name, s in server.items():
        kb = "/".join(f"{s['bytes_per_chart'][k] / 1024:.1f}" for k in CHARTS)
        b = breakdown.get(name)
        ms = "/".join(f"{b[k]:.1f}" for k in CHARTS) if b else "-"
        long = long_run.get(name)
        rows.append([
            name, f"{s['epochs_per_frame']:.0f}", f"{s['train_epochs_per_s']:.0f}",
            f"{s['total_p90_ms']:.1f}", kb, ms, f"{b['record']:.2f}" if b else "-",
            f"{long['total_ms']:.1f} ms, {long['bytes_per_frame'] / 1024:.1f} KB "
            f"({long['history_points']})" if long else "-",
        ])
    return render_table(rows)


@contextlib.contextmanager
def environment(**values: str):
    """Environment variables for a server started inside the block."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run_scenarios(browser, names, warmup, seconds, zoom_seconds, profile_seconds=0.0) -> dict:
    results = {}
    with streamlit_server(APP) as url:
        pid = server_pid(url)
        for name in names:
            first_error = ""
            for attempt in (1, 2):  # one retry: other people's edits can reload the app
                try:
                    results[name] = measure_scenario(browser, url, pid, name, SCENARIOS[name],
                                                     warmup, seconds, zoom_seconds,
                                                     profile_seconds)
                    if attempt > 1:
                        results[name]["retried"] = first_error
                    break
                except Exception as error:  # keep going: report it in the table
                    first_error = f"{type(error).__name__}: {error}".splitlines()[0]
                    results[name] = {"error": first_error}
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="~3 s per scenario; only the summary, browser and server tables")
    parser.add_argument("--seconds", type=float, help="measuring window (default 10, quick 3)")
    parser.add_argument("--warmup", type=float, help="after Play (default 2, quick 1)")
    parser.add_argument("--scenarios", help="comma-separated subset of " + ",".join(SHORT))
    parser.add_argument("--no-browser", action="store_true", help="in-process numbers only")
    parser.add_argument("--no-profile", action="store_true", help="skip the cProfile tables")
    parser.add_argument("--no-memory", action="store_true", help="skip memory and 1 vs 5 tabs")
    parser.add_argument("--no-diagnose", action="store_true",
                        help="skip the diagnostics (JS profile, server without post-run GC); "
                             "--quick skips them too")
    parser.add_argument("--json", type=Path, help="also write all numbers to this file")
    parser.add_argument("--blas-worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.blas_worker:
        blas_worker(args.blas_worker)
        return
    seconds = args.seconds or (3.0 if args.quick else 10.0)
    warmup = args.warmup if args.warmup is not None else (1.0 if args.quick else 2.0)
    zoom_seconds = 1.5 if args.quick else 3.0
    frames = 15 if args.quick else 50
    diagnose = not (args.quick or args.no_diagnose or args.no_browser)
    memory_on = not (args.quick or args.no_memory)
    profile_on = not (args.quick or args.no_profile)
    stages: dict[str, float] = {}
    names = list(SCENARIOS)
    if args.scenarios:
        wanted = [SHORT[n.strip()] for n in args.scenarios.split(",") if n.strip()]
        names = [n for n in names if n in wanted]

    started = time.perf_counter()
    load_before = load_average()
    configs = _configs()
    from playground import live

    # ------------------------------------------------ in-process server timing
    server, long_run, breakdown, profiles = {}, {}, {}, {}
    for name in names:
        server[name] = time_frames(configs[name], frames, warm_frames=10)
        long_run[name] = time_frames(configs[name], max(5, frames // 5), warm_frames=2,
                                     history=1100)
        breakdown[name] = figure_breakdown(configs[name], max(5, frames // 2))
    stages["in-process frames"] = time.perf_counter() - started
    if profile_on:
        for name in names:
            profiles[name] = profile_frames(configs[name], max(5, frames // 2), top=12)
    memory = {}
    if memory_on:
        for label in ("default", "largest"):
            memory[label] = session_memory(configs[f"{label}, speed 10"], 20, 2000)
    blas = blas_check() if diagnose else {}
    stages["in-process total"] = time.perf_counter() - started

    # ------------------------------------------------------------ the browser
    browser_results, no_gc, tabs, browser_version = {}, {}, {}, None
    if not args.no_browser:
        with launch_chromium() as browser:
            browser_version = browser.version
            mark = time.perf_counter()
            browser_results = run_scenarios(browser, names, warmup, seconds, zoom_seconds,
                                            profile_seconds=3.0 if diagnose else 0.0)
            stages["browser scenarios"] = time.perf_counter() - mark
            mark = time.perf_counter()
            if diagnose:
                # The same scenarios on servers with the two server-side costs removed:
                # OpenBLAS threads (numpy's BLAS; they spin against Chromium for the CPU),
                # then also Streamlit's gc.collect(2) after every script run
                # (runner.postScriptGC, on by default).
                for label, env in VARIANTS.items():
                    with environment(**env):
                        no_gc[label] = run_scenarios(browser, names, warmup, seconds,
                                                     zoom_seconds)
                stages["diagnostic servers"] = time.perf_counter() - mark
            if memory_on:
                mark = time.perf_counter()
                tabs = measure_tabs(browser, seconds=5.0)
                stages["1 vs 5 tabs"] = time.perf_counter() - mark
    load_after = load_average()

    # ------------------------------------------------------------- the report
    out = print
    out("mikir playground: live-view speed benchmark (issue 3)")
    out("=" * 72)
    for line in machine_info(browser_version):
        out(line)
    out(f"load avg  : {load_before} before, {load_after} after (1/5/15 min). A shared, "
        "noisy 2-core machine: the server, Chromium and this script share the cores")
    out(f"reproduce : .venv/bin/python bench/bench_playground.py{' --quick' if args.quick else ''}"
        f"   ({warmup:g} s warm-up + {seconds:g} s per scenario, zoom checks "
        f"{zoom_seconds:g} s each; in-process timings: median of {frames} frames)")
    out(f"app       : fragment timer {live.FRAME_SECONDS * 1e3:.0f} ms (at most "
        f"{1 / live.FRAME_SECONDS:.1f} frames/s); speed max trains "
        f"{live.MAX_SPEED_SECONDS * 1e3:.0f} ms per frame; headless Chromium at 1440x1000")
    out(f"targets   : >= {TARGET_REDRAWS:g} redraws/s on every chart, >= {TARGET_EPOCHS:g} "
        f"epochs/s ({EPOCHS_TARGET_SCENARIO}), 0 blank frames, zoom kept")
    out("")
    out("Summary. redraws/s = Plotly draws rendered in the page per chart; frames/s = finished "
        "fragment runs received;")
    out("  epochs/s from the page's Epoch metric; zoom (drag) = a mouse zoom box on the output "
        "map, checked after")
    out("  updates; relayout() = Plotly.relayout from code (not a GUI edit: uirevision does not "
        "keep it; info only);")
    out("  server ms = in-process median of one frame's train+record / 4 figures / json / total; "
        "server CPU ms =")
    out("  the real server's CPU time per frame (/proc), Streamlit included; KB fig = the 4 "
        "figures' JSON, KB ws = all")
    out("  websocket bytes received per frame")
    if browser_results or server:
        out(main_table(browser_results, server))
    for name, b in browser_results.items():
        if "error" in b:
            out(f"  ERROR in {name}: {b['error']}")
        elif "retried" in b:
            out(f"  {name} was measured on a second try; the first failed: {b['retried']}")
    for name, b in browser_results.items():
        if "error" not in b and not b["alive_runs"]:
            out(f"  FROZE in {name}: no fragment run arrived in the last 2 s although Play "
                "is on (see the diagnosis: the server dropped the session)")
    noisy = {n: b["cpu"]["others"] for n, b in browser_results.items()
             if "error" not in b and b["cpu"]["others"] > 0.25}
    if noisy:
        out("  NOISY: other jobs on the machine used " + ", ".join(
            f"{v:.2f} cores during {n}" for n, v in noisy.items())
            + " (of 2); those rows understate what the app can do")
    good = {n: b for n, b in browser_results.items() if "error" not in b}
    if good:
        out("")
        out("Browser detail. CPU cores = CPU seconds per second (2 = both cores) for the server, "
            "this run's Chromium")
        out("  processes, this script + Playwright, and everything else; page main thread busy "
            "from CDP Performance metrics;")
        out("  Plotly.react ms = synchronous time of each call, timed in the page; rAF/s = "
            "animation frames painted;")
        out("  charts in view = the smallest visible share of a chart after scrolling them all "
            "into the 1000 px viewport")
        out(browser_detail_table(good))
        for name, b in good.items():
            bad = {k: c for k, c in b["blank"].items() if c["blank"]}
            if bad:
                out(f"  blank in {name}: " + "; ".join(
                    f"{k}: {c['blank']} samples, {c['episodes']} episodes, longest "
                    f"{c['longest']:.0f} ms, {c['reasons']}" for k, c in bad.items()))
            d, a = b["zoom_drag"], b["zoom_api"]
            rounded = [[round(v, 3) for v in r] for r in d["later"]]
            if d["state"] != "kept":
                out(f"  zoom detail in {name}: {d['fragment_runs_during']} fragment runs and "
                    f"{d['bytes_during']} bytes received during the wait; alerts "
                    f"{d['alerts']}")
            out(f"  zoom in {name}: mouse zoom box -> x,y {rounded}, "
                f"{d['state']} over {d['redraws_during']} redraws (epochs {d['epochs_during'][0]}"
                f"->{d['epochs_during'][1]}); "
                f"Plotly.relayout to {ZOOM} -> x {a['x']} after {a['redraws_during']} redraws")
        profiled = {n: b["js_profile"] for n, b in good.items() if b.get("js_profile")}
        if profiled:
            out("")
            out("Page main thread by origin (CDP CPU profile, 3 s while playing; share of the "
                "sampled wall time; a native call")
            out("  such as toDataURL or setAttribute counts for the script that made it):")
            for name, shares in profiled.items():
                out(f"  {name:19s}: " + ", ".join(f"{label} {share:.0%}"
                                                  for label, share in shares.items()))
    if blas:
        out("")
        if "error" in blas:
            out(f"Diagnostic BLAS check failed: {blas['error']}")
        else:
            out(f"Diagnostic: the output map's 100x100 grid forward pass ({blas['scenario']}), "
                "in a fresh process, median ms per call,")
            out("  wall / CPU of all threads (OpenBLAS workers included): numpy's default BLAS "
                "threads vs OPENBLAS_NUM_THREADS=1")
            for load, label in (("idle", "machine as it is"),
                                ("busy", f"with {os.cpu_count()} busy-looping processes")):
                d, o = blas[f"{load}_default"], blas[f"{load}_one"]
                out(f"  {label:34s}: default {d[0]:.1f} / {d[1]:.1f}   1 thread {o[0]:.1f} / "
                    f"{o[1]:.1f}")
    if no_gc:
        out("")
        out("Diagnostic: the same scenarios on servers started with the server-side costs "
            "removed (environment variables;")
        out("  no app change): OPENBLAS_NUM_THREADS=1, then also "
            "STREAMLIT_RUNNER_POST_SCRIPT_GC=false (no gc.collect(2) after every")
        out("  fragment run). Each cell: as measured above -> BLAS 1 thread -> + no post-run GC")
        rows = [["scenario", "redraws/s min", "frames/s", "epochs/s", "server CPU ms/frame",
                 "chromium CPU ms/frame", "page busy", "blank", "zoom"]]
        for name in names:
            runs = [good.get(name)] + [no_gc[label].get(name) for label in VARIANTS]

            def chain(key, fmt, runs=runs):
                return " -> ".join("ERR" if not r or "error" in r else fmt.format(r[key])
                                   for r in runs)

            def chain_busy(runs=runs):
                return " -> ".join("ERR" if not r or "error" in r
                                   else f"{r['page_busy']['TaskDuration']:.0%}" for r in runs)

            ok = [r for r in runs[1:] if r and "error" not in r]
            rows.append([name, chain("min_redraws_per_s", "{:.1f}"),
                         chain("server_frames_per_s", "{:.1f}"), chain("epochs_per_s", "{:.0f}"),
                         chain("server_cpu_ms_per_frame", "{:.0f}"),
                         chain("browser_cpu_ms_per_frame", "{:.0f}"), chain_busy(),
                         "/".join(str(r["blank_frames"]) for r in ok),
                         "/".join(r["zoom_drag"]["state"] + ("" if r["alive_runs"] else " FROZE")
                                  for r in ok)])
        out(render_table(rows))
        for label, results in no_gc.items():
            for name, r in results.items():
                if "error" in r:
                    out(f"  ERROR in {name} ({label}): {r['error']}")
                elif r["zoom_drag"]["state"] != "kept":
                    d = r["zoom_drag"]
                    out(f"  zoom in {name} ({label}): {d['state']}: epochs {d['epochs_during']}, "
                        f"{d['redraws_during']} redraws, {d['fragment_runs_during']} fragment "
                        f"runs, {d['bytes_during']} bytes received in {zoom_seconds:g} s; "
                        f"alerts {d['alerts']}")
    out("")
    out("Server detail (in-process). 'after long run' = the loss history filled to its "
        "1000-point cap first")
    out(server_detail_table(server, long_run, breakdown))
    if memory:
        out("")
        out("Memory per TrainingSession (one trained 2000 epochs, each recorded, "
            "then N sessions given its state; tracemalloc:")
        out("  the Python and numpy allocations those sessions keep):")
        for label, m in memory.items():
            out(f"  {label:8s}: {m['traced_kb_per_session']:.0f} KB per session ({m['count']} "
                "sessions, "
                f"history {m['history_points']} points; training took {m['seconds']:.1f} s)")
    if tabs:
        out("")
        if "error" in tabs:
            out(f"Server RSS: {tabs['error']}")
        else:
            n = tabs["tabs"]
            out(f"Server RSS (a fresh server, tabs at the defaults, playing): "
                f"0 tabs {tabs['rss_0_tabs_mb']:.0f} MB, 1 tab {tabs['rss_1_tab_mb']:.0f} MB, "
                f"{n} tabs {tabs[f'rss_{n}_tabs_mb']:.0f} MB (peak {tabs['hwm_mb']:.0f} MB), "
                f"about {(tabs[f'rss_{n}_tabs_mb'] - tabs['rss_1_tab_mb']) / (n - 1):.1f} MB "
                "per extra tab")
            out(f"  {n} tabs playing at once: epochs/s per tab "
                + ", ".join(f"{v:.0f}" for v in tabs["epochs_per_s_per_tab"])
                + "; min redraws/s per tab "
                + ", ".join(f"{v:.1f}" for v in tabs["min_redraws_per_s_per_tab"])
                + f"; {tabs['frozen_tabs']} of {n} tabs received no frame in the next 3 s")
    if profiles:
        out("")
        out("cProfile of the in-process frame (train + record + 4 figures + json), top "
            "functions by own time:")
        for name, text in profiles.items():
            out(f"  [{name}]")
            out(text)
    out("")
    if args.quick:
        out("(--quick: no memory, tabs, cProfile or diagnostics; run without it for those)")
    out(f"total benchmark time {time.perf_counter() - started:.0f} s ("
        + ", ".join(f"{k} {v:.0f} s" for k, v in stages.items()) + ")")
    if args.json:
        args.json.write_text(json.dumps({
            "browser": browser_results, "browser_variants": no_gc, "blas": blas,
            "server": server,
            "server_long_run": long_run, "figure_breakdown": breakdown, "memory": memory,
            "tabs": tabs, "load_before": load_before, "load_after": load_after,
        }, indent=2, default=str))


if __name__ == "__main__":
    main()
