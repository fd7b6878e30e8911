"""Benchmark: live_chart (Plotly.react in a mounted component) vs st.plotly_chart.

    .venv/bin/python bench/bench_live_chart.py [--seconds 10]

Starts bench/live_chart_demo.py once, opens it in headless Chromium in each mode
(`?mode=live`, `?mode=plotly_chart`, `?mode=none` for the fragment's ceiling)
and, for `--seconds`, samples the chart on every animation frame (what the
screen shows): how many distinct heatmaps were shown, whether the chart was
ever blank, and how often its <svg> was replaced (a re-created chart). Prints a
table and writes bench/results/live_chart.json.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from conftest import launch_chromium, streamlit_server, wait_for_app  # noqa: E402

DEMO = ROOT / "bench" / "live_chart_demo_serve.py"
MODES = ("live", "plotly_chart", "none")

# Runs in the page on every requestAnimationFrame, i.e. right before a paint.
SAMPLER = """() => {
  const s = window.__bench = {samples: 0, blank: 0, episodes: 0, longest: 0, shown: 0,
                              recreated: 0, start: performance.now(), stop: false};
  let href = null, svg = null, blankSince = null;
  const tick = (now) => {
    const root = document.querySelector(".st-key-chart");
    const main = root && root.querySelector(".main-svg");
    const image = main && root.querySelector("g.hm image");
    const src = image && image.getAttribute("href");
    const visible = root && root.getBoundingClientRect().height > 50;
    s.samples++;
    if (visible && src && src.length > 100) {
      if (blankSince !== null) s.longest = Math.max(s.longest, now - blankSince);
      blankSince = null;
      if (src !== href) { s.shown++; href = src; }
      if (main !== svg) { if (svg) s.recreated++; svg = main; }
    } else {
      s.blank++;
      if (blankSince === null) { s.episodes++; blankSince = now; }
    }
    if (!s.stop) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}"""

FRAME = """() => {
  const text = [...document.querySelectorAll("[data-testid=stText]")]
    .map((e) => e.textContent).find((t) => t.startsWith("frame "));
  return text ? Number(text.slice(6)) : null;
}"""

# Counted by playground/live_chart.py: figures received, Plotly draws done.
COUNTERS = "() => [window.__liveChartUpdates || 0, window.__liveChartRedraws || 0]"


def measure(browser, url: str, mode: str, seconds: float) -> dict:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    received = [0]

    def count(payload: str | bytes) -> None:
        received[0] += len(payload)

    page.on("websocket", lambda websocket: websocket.on("framereceived", count))
    try:
        page.goto(f"{url}/?mode={mode}")
        wait_for_app(page)
        if mode != "none":
            page.locator(".st-key-chart g.hm image").wait_for(state="attached", timeout=60_000)
        page.wait_for_function(f"({FRAME})() > 0")
        time.sleep(2)  # warm up: plotly.js loaded, first draws done
        if mode != "none":
            page.evaluate(SAMPLER)
        start = time.perf_counter()
        frame0, bytes0 = page.evaluate(FRAME), received[0]
        counters0 = page.evaluate(COUNTERS)
        time.sleep(seconds)
        frame1, bytes1 = page.evaluate(FRAME), received[0]
        counters1 = page.evaluate(COUNTERS)
        elapsed = time.perf_counter() - start
        sampled = page.evaluate(
            "() => window.__bench && Object.assign(window.__bench, {stop: true})"
        )
    finally:
        context.close()
    frames = frame1 - frame0
    result = {
        "mode": mode,
        "seconds": round(elapsed, 2),
        "server_frames_per_s": frames / elapsed,
        "updates_per_s": (counters1[0] - counters0[0]) / elapsed,
        "redraws_per_s": (counters1[1] - counters0[1]) / elapsed,
        "kb_per_frame": (bytes1 - bytes0) / max(frames, 1) / 1024,
        "kb_per_s": (bytes1 - bytes0) / elapsed / 1024,
    }
    if sampled:
        result |= {
            "shown_per_s": sampled["shown"] / elapsed,
            "samples": sampled["samples"],
            "blank_samples": sampled["blank"],
            "blank_episodes": sampled["episodes"],
            "longest_blank_ms": sampled["longest"],
            "recreated": sampled["recreated"],
        }
    return result


def table(results: list[dict]) -> str:
    columns = [
        ("mode", "mode", "{}"),
        ("server frames/s", "server_frames_per_s", "{:.1f}"),
        ("shown/s", "shown_per_s", "{:.1f}"),
        ("Plotly.react/s", "redraws_per_s", "{:.1f}"),
        ("blank samples", "blank_samples", "{}"),
        ("rAF samples", "samples", "{}"),
        ("blank episodes", "blank_episodes", "{}"),
        ("longest blank ms", "longest_blank_ms", "{:.0f}"),
        ("svg re-created", "recreated", "{}"),
        ("KB/frame", "kb_per_frame", "{:.1f}"),
        ("KB/s", "kb_per_s", "{:.0f}"),
    ]
    rows = [[title for title, _, _ in columns]]
    for result in results:
        rows.append([
            fmt.format(result[name]) if name in result else "-" for _, name, fmt in columns
        ])  # fmt: skip
    widths = [max(len(row[i]) for row in rows) for i in range(len(columns))]
    lines = ["  ".join(cell.rjust(width) for cell, width in zip(row, widths)) for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--modes", default=",".join(MODES), help=f"comma-separated {MODES}")
    args = parser.parse_args()
    modes = [mode for mode in re.split(r"[,\s]+", args.modes) if mode]

    with streamlit_server(DEMO) as url, launch_chromium() as browser:
        results = [measure(browser, url, mode, args.seconds) for mode in modes]
    print(table(results))
    out = ROOT / "bench" / "results" / "live_chart.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
