"""A plotly chart that stays mounted in the browser and is redrawn in place.

`st.plotly_chart` re-creates its chart whenever the figure changes: the chart
flashes blank, the user's zoom is lost and a fragment manages only a few frames
per second. `live_chart` mounts a Streamlit v2 component once per key and, on
every rerun, hands the new figure to `Plotly.react` on the same <div>.

plotly.js (4.8 MB) is served once from the app's static folder
(`server.enableStaticServing = true`) and shared by every chart on the page;
inlining it into the component's JavaScript made each update ~5x slower.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import streamlit as st

PLOTLY_JS = "plotly.min.js"

# The figure travels as raw UTF-8 JSON bytes: Streamlit forwards bytes as they
# are, while a dict or str `data` is dumped again (twice: once more to hash it).
# On the demo's 3-panel figure (82 kB) Streamlit's share was 0.06 ms as bytes,
# 0.35 ms as str, 0.42 ms as dict; a whole live_chart() call ~0.4 ms.
_JS = r"""
const DECODER = new TextDecoder();

// One <script> tag and one promise per page, shared by every live chart.
function loadPlotly(src) {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!window.__liveChartPlotly) {
    window.__liveChartPlotly = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = src;
      script.onload = () => resolve(window.Plotly);
      script.onerror = () => {
        delete window.__liveChartPlotly;  // let a later update retry
        script.remove();
        reject(new Error(`live_chart: cannot load ${src}`));
      };
      document.head.appendChild(script);
    });
  }
  return window.__liveChartPlotly;
}

function send(chart, event) {
  if (!chart.onClick) return;
  chart.seq += 1;
  chart.setTriggerValue("click", { ...event, seq: chart.seq });
}

function listen(div, chart) {
  div.on("plotly_click", (ev) => {
    const p = ev.points && ev.points[0];
    if (!p) return;
    // Plotly dispatches a synthetic DOM click right after plotly_click.
    chart.pointClicked = true;
    setTimeout(() => { chart.pointClicked = false; }, 0);
    send(chart, {
      curve: p.curveNumber,
      point: p.pointIndex ?? p.pointNumber ?? null,
      x: p.x ?? null, y: p.y ?? null, z: p.z ?? null,
      customdata: p.customdata ?? null,
      trace_name: (p.data && p.data.name) ?? null,
    });
  });
  // A click on the plot area away from any point (plotly_click stays silent):
  // report the data coordinates of the subplot under the mouse.
  div.addEventListener("click", (ev) => {
    if (chart.pointClicked || !ev.target.closest(".draglayer")) return;
    const svg = div.querySelector(".main-svg");
    const plots = div._fullLayout && div._fullLayout._plots;
    if (!svg || !plots) return;
    const box = svg.getBoundingClientRect();
    const px = ev.clientX - box.left, py = ev.clientY - box.top;
    for (const [subplot, { xaxis: xa, yaxis: ya }] of Object.entries(plots)) {
      const dx = px - xa._offset, dy = py - ya._offset;
      if (dx >= 0 && dx <= xa._length && dy >= 0 && dy <= ya._length) {
        send(chart, {
          curve: null, point: null, x: xa.p2d(dx), y: ya.p2d(dy), z: null,
          customdata: null, trace_name: null, subplot,
        });
        return;
      }
    }
  });
}

async function draw(Plotly, div, chart, msg) {
  const figure = msg.figure || {};
  const layout = figure.layout || {};
  // A constant uirevision keeps the user's zoom, pan and legend clicks.
  if (layout.uirevision === undefined) layout.uirevision = "live_chart";
  const config = { displaylogo: false, ...msg.config };
  if (!chart.plotted) {
    await Plotly.newPlot(div, figure.data || [], layout, config);
    chart.plotted = true;
    listen(div, chart);
    // The column can change width (sidebar, window) without a window resize.
    chart.resizer = new ResizeObserver(() => Plotly.Plots.resize(div).catch(() => {}));
    chart.resizer.observe(div);
  } else {
    await Plotly.react(div, figure.data || [], layout, config);
  }
  chart.redraws += 1;
  div.dataset.redraws = chart.redraws;
  window.__liveChartRedraws = (window.__liveChartRedraws || 0) + 1;
  // Flow control: the server makes the next frame when this one is on screen.
  if (msg.ack && !chart.next) chart.setTriggerValue("drawn", chart.redraws);
}

// Draws only the newest figure: frames that arrive during a draw are skipped.
async function drain(div, chart) {
  chart.busy = true;
  try {
    while (chart.next) {
      const msg = chart.next;
      chart.next = null;
      const Plotly = await loadPlotly(msg.plotly_src);
      await draw(Plotly, div, chart, msg);
    }
  } catch (err) {
    console.error(err);
    if (!chart.plotted) div.textContent = String(err);
  } finally {
    chart.busy = false;
  }
}

// Streamlit calls this on mount and again each time `data` changes; the
// parent element (and our <div> in it) survives those calls.
export default function ({ data, parentElement, setTriggerValue }) {
  window.__liveChartUpdates = (window.__liveChartUpdates || 0) + 1;
  let div = parentElement.querySelector(":scope > .live-chart");
  if (!div) {
    div = document.createElement("div");
    div.className = "live-chart";
    div.style.width = "100%";
    parentElement.appendChild(div);
  }
  const chart = (div.liveChart ??= { seq: 0, redraws: 0, plotted: false, busy: false });
  chart.setTriggerValue = setTriggerValue;
  // Reruns that leave the figure unchanged (another widget moved) cost nothing.
  const text = DECODER.decode(data);
  if (text !== chart.text) {
    chart.text = text;
    try {
      const msg = JSON.parse(text);
      div.style.height = `${msg.height}px`;
      chart.onClick = msg.on_click;
      chart.next = msg;
      if (!chart.busy) drain(div, chart);
    } catch (err) {
      console.error(err);
      if (!chart.plotted) div.textContent = `live_chart: ${err}`;
    }
  }
  // Streamlit keeps only the newest cleanup and may call it while the chart
  // stays mounted (a cancelled update), so purge only a detached chart.
  return () => setTimeout(() => {
    if (div.isConnected) return;
    chart.resizer?.disconnect();
    window.Plotly?.purge(div);
  }, 0);
}
"""

# Shadow DOM (isolate_styles=True) would hide the CSS plotly.js adds to
# document.head (modebar, hover labels), so the chart lives in the page DOM.
_component = st.components.v2.component("mikir.live_chart", js=_JS, isolate_styles=False)


def ensure_plotly_js(static_dir: str | Path | None = None) -> Path:
    """Copy plotly.js from the plotly package into the app's static folder.

    The file is too big to commit, so it is copied when missing or when the
    installed plotly differs (size or mtime). The copy is atomic: a browser
    must never fetch half a file. Defaults to the folder Streamlit serves for
    the running app (`<main script dir>/static`).
    """
    import plotly

    target_dir = Path(static_dir) if static_dir is not None else _app_static_dir()
    target = target_dir / PLOTLY_JS
    source = Path(plotly.__file__).parent / "package_data" / PLOTLY_JS
    wanted = source.stat()
    try:
        have = target.stat()
        if have.st_size == wanted.st_size and int(have.st_mtime) == int(wanted.st_mtime):
            return target
    except FileNotFoundError:
        pass
    target_dir.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target_dir, prefix=".plotly-", suffix=".tmp")
    os.close(handle)
    try:
        shutil.copy2(source, temporary)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    finally:
        Path(temporary).unlink(missing_ok=True)
    return target


def _app_static_dir() -> Path:
    """The folder Streamlit serves at /app/static: next to the main script."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    main_script = Path(ctx.main_script_path) if ctx else Path(__file__)
    return main_script.resolve().parent / "static"


def _plotly_src() -> str:
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}/app/static/{PLOTLY_JS}" if base else f"/app/static/{PLOTLY_JS}"


def _ignore() -> None:
    """Trigger values surface only for events that have a callback."""


def live_chart(
    figure_json: dict | str,
    *,
    key: str,
    height: int,
    on_click: bool = False,
    config: dict | None = None,
    ack: bool = False,
) -> dict | None:
    """Show a plotly figure that updates in place; return a click, if any.

    `figure_json` is `fig.to_json()` (cheapest: sent as is) or a JSON-able dict
    such as `json.loads(fig.to_json())`; a plotly Figure is accepted too.
    `key` keeps the chart mounted across reruns. Unless the layout sets its own
    `uirevision`, a constant one keeps the user's zoom between updates.

    With `on_click`, a click on a point or heatmap cell returns, on that rerun
    only, {"curve", "point", "x", "y", "z", "customdata", "trace_name", "seq"};
    a click on empty plot area returns x, y and "subplot" with curve None.
    `seq` counts clicks per chart. Otherwise the result is None.

    With `ack`, the browser answers each drawn frame with a rerun (of the fragment
    holding the chart), so a live loop makes frames only as fast as they are drawn
    and never floods the websocket.
    """
    if not st.get_option("server.enableStaticServing"):
        raise RuntimeError(
            "live_chart loads plotly.js from /app/static: "
            "set [server] enableStaticServing = true in .streamlit/config.toml"
        )
    # A stat() per call (µs): the copy comes back if someone deleted it.
    ensure_plotly_js()

    if hasattr(figure_json, "to_json"):
        figure_json = figure_json.to_json()
    if isinstance(figure_json, str):
        figure = figure_json.encode()
    else:
        try:  # NaN is not JSON: the browser's JSON.parse would reject it
            figure = json.dumps(figure_json, separators=(",", ":"), allow_nan=False).encode()
        except (TypeError, ValueError):  # numpy values, NaN: plotly's encoder copes
            from plotly.io.json import to_json_plotly

            figure = to_json_plotly(figure_json).encode()
    header = {
        "height": int(height),
        "on_click": bool(on_click),
        "ack": bool(ack),
        "config": config or {},
        "plotly_src": _plotly_src(),
    }
    # Splice the figure's bytes into the message instead of parsing them.
    head = json.dumps(header, separators=(",", ":")).encode()[:-1]
    payload = head + b',"figure":' + figure + b"}"

    result = _component(key=key, data=payload, height=int(height), on_click_change=_ignore,
                        on_drawn_change=_ignore)
    click = result.get("click") if on_click else None
    return dict(click) if click else None
