const DECODER = new TextDecoder();

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// A title is plain text with **bold** parts; nothing else is interpreted.
function titleHtml(text) {
  return escapeHtml(text).replace(/\*\*(.+?)\*\*/g, "<b>$1</b>");
}

// A label's first line as text: our hover markup (<b>, </b>) dropped, the rest kept
// literally. It is never parsed as HTML, so an <img onerror> in it stays text.
function plainText(label) {
  return String(label ?? "").split("<br>")[0].replace(/<\/?b>/g, "");
}

function make(tag, props) {
  return Object.assign(document.createElement(tag), props);
}

function send(root, name, event) {
  root.seq += 1;
  root.setTriggerValue(name, { ...event, seq: root.seq });
}

// A number box at the clicked point (as TensorFlow Playground edits a weight);
// Enter or Apply sends {customdata, value}, Escape or × closes it.
function openEditor(root, panel, p, ev) {
  panel.editor?.remove();
  const label = plainText(p.text) || "value";  // set as text: built node by node
  const input = make("input", { type: "number", step: "any", required: true });
  const closer = make("button", { type: "button", title: "Close", textContent: "×" });
  const box = make("form", { className: "live-chart-editor" });
  box.append(make("label", { textContent: label }), input,
             make("button", { type: "submit", textContent: "Apply" }), closer);
  input.value = String(Number(Number(p.customdata[3] ?? 0).toPrecision(6)));
  input.setAttribute("aria-label", label);
  const close = () => { box.remove(); panel.editor = null; };
  closer.onclick = close;
  box.addEventListener("keydown", (e) => { if (e.key === "Escape") close(); });
  box.onsubmit = (e) => {
    e.preventDefault();
    send(root, "edit", { panel: panel.key, customdata: p.customdata.slice(0, 3),
                         value: input.value });
    close();
  };
  const at = panel.element.getBoundingClientRect();
  const x = (ev?.clientX ?? at.left + at.width / 2) - at.left;
  const y = (ev?.clientY ?? at.top + at.height / 2) - at.top;
  box.style.left = `${Math.max(0, Math.min(x + 8, at.width - 260))}px`;
  box.style.top = `${Math.max(0, y + 8)}px`;
  panel.element.appendChild(box);
  panel.editor = box;
  input.focus();
  input.select();
}

// Hover text is ours (from the server) but shown as HTML: keep only <br>, <b>.
function hoverHtml(text) {
  return escapeHtml(text).replace(/&#60;(\/?b|br)&#62;/g, "<$1>");
}

// Traces with meta "hover" are invisible to plotly (visible: false, so they cost
// it nothing per frame) and hovered and clicked here instead: the nearest point
// within HOVER_PX of the mouse, like plotly's "closest" hover mode.
const HOVER_PX = 20;

const TYPED = { f4: Float32Array, f8: Float64Array, u1: Uint8Array, i1: Int8Array,
                u2: Uint16Array, i2: Int16Array, u4: Uint32Array, i4: Int32Array };
const decoded = new WeakMap();

// plotly.js decodes {dtype, bdata} arrays only for the traces it draws.
function values(array) {
  if (!array || !array.bdata) return array || [];
  let out = decoded.get(array);
  if (!out) {
    const text = atob(array.bdata);
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    out = new TYPED[array.dtype](bytes.buffer);
    decoded.set(array, out);
  }
  return out;
}

function hoverTargets(div) {
  const layout = div._fullLayout;
  if (!layout) return [];
  return (div.data || []).flatMap((trace, curve) => {
    if (trace.meta !== "hover") return [];
    const xa = layout[`xaxis${(trace.xaxis || "x").slice(1)}`];
    const ya = layout[`yaxis${(trace.yaxis || "y").slice(1)}`];
    return xa && ya ? [{ trace, curve, xa, ya }] : [];
  });
}

function nearest(div, ev) {
  const box = div.getBoundingClientRect();
  const px = ev.clientX - box.left, py = ev.clientY - box.top;
  let best = null;
  for (const { trace, curve, xa, ya } of hoverTargets(div)) {
    const xs = values(trace.x), ys = values(trace.y);
    for (let i = 0; i < xs.length; i++) {
      const dx = xa._offset + xa.d2p(xs[i]) - px, dy = ya._offset + ya.d2p(ys[i]) - py;
      const d = Math.hypot(dx, dy);
      if (d <= HOVER_PX && (!best || d < best.d)) {
        best = { d, trace, curve, i, x: xs[i], y: ys[i],
                 left: xa._offset + xa.d2p(xs[i]), top: ya._offset + ya.d2p(ys[i]) };
      }
    }
  }
  return best;
}

// Like Python's format(value, ".4g") for ".4g", toFixed for ".2f"; null: "nan".
function formatNumber(value, spec) {
  if (value === null || value === undefined) return "nan";
  if (typeof value !== "number") return String(value);
  const m = /^\.(\d+)([fg])$/.exec(spec || "");
  if (!m || !isFinite(value)) return String(value);
  const digits = Number(m[1]);
  if (m[2] === "f") return value.toFixed(digits);
  if (value === 0) return "0";
  const exponent = Math.floor(Math.log10(Math.abs(value)));
  if (exponent < -4 || exponent >= digits) {
    return value.toExponential(Math.max(digits - 1, 0)).replace(/\.?0+e/, "e")
      .replace(/e([+-])(\d)$/, "e$10$2");
  }
  return String(Number(value.toPrecision(Math.max(digits, 1))));
}

// A hover trace's label: its text, or its hovertemplate filled for point i.
function hoverLabel(trace, i, x, y) {
  if (!trace.hovertemplate) return trace.text ? trace.text[i] : `${x}, ${y}`;
  return trace.hovertemplate.replace(
    /%\{(text|x|y|customdata\[(\d+)\])(?::([^}]*))?\}/g, (_, field, index, spec) => {
      if (field === "text") return trace.text ? trace.text[i] : "";
      const value = field === "x" ? x : field === "y" ? y : trace.customdata?.[i]?.[Number(index)];
      return formatNumber(value, spec);
    });
}

function showHover(panel, hit) {
  let tip = panel.tip;
  if (!hit) {
    if (tip) tip.hidden = true;
    panel.plot.style.cursor = "";
    return;
  }
  if (!tip) {
    tip = panel.tip = document.createElement("div");
    tip.className = "live-chart-tip";
    panel.element.appendChild(tip);
  }
  const html = hoverHtml(hoverLabel(hit.trace, hit.i, hit.x, hit.y));
  if (tip.innerHTML !== html) tip.innerHTML = html;
  tip.hidden = false;
  const top = panel.plot.offsetTop + hit.top, left = panel.plot.offsetLeft + hit.left;
  const flip = left + 16 + tip.offsetWidth > panel.element.clientWidth;
  tip.style.left = `${flip ? left - 16 - tip.offsetWidth : left + 16}px`;
  tip.style.top = `${Math.max(0, top - tip.offsetHeight / 2)}px`;
  panel.plot.style.cursor = panel.spec.edit || panel.spec.on_click ? "pointer" : "";
}

function pointEvent(panel, hit) {
  return {
    panel: panel.key, curve: hit.curve, point: hit.i, x: hit.x, y: hit.y, z: null,
    customdata: hit.trace.customdata ? hit.trace.customdata[hit.i] : null,
    trace_name: hit.trace.name ?? null,
  };
}

function listen(root, panel) {
  const div = panel.plot;
  div.addEventListener("mousemove", (ev) => {
    panel.mouse = ev.buttons ? null : { clientX: ev.clientX, clientY: ev.clientY };
    panel.hit = panel.mouse && nearest(div, panel.mouse);  // not while dragging a zoom box
    showHover(panel, panel.hit);
  });
  div.addEventListener("mouseleave", () => {
    panel.mouse = panel.hit = null;
    showHover(panel, null);
  });
  div.on("plotly_click", (ev) => {
    const p = ev.points && ev.points[0];
    if (!p || panel.hit) return;  // our own hover target wins
    // Plotly dispatches a synthetic DOM click right after plotly_click.
    panel.pointClicked = true;
    setTimeout(() => { panel.pointClicked = false; }, 0);
    if (!panel.spec.on_click) return;
    send(root, "click", {
      panel: panel.key,
      curve: p.curveNumber,
      point: p.pointIndex ?? p.pointNumber ?? null,
      x: p.x ?? null, y: p.y ?? null, z: p.z ?? null,
      customdata: p.customdata ?? null,
      trace_name: (p.data && p.data.name) ?? null,
    });
  });
  div.addEventListener("click", (ev) => {
    const hit = nearest(div, ev);
    if (hit) {
      const custom = hit.trace.customdata && hit.trace.customdata[hit.i];
      if (panel.spec.edit && Array.isArray(custom) && custom.length >= 4) {
        openEditor(root, panel, { text: hit.trace.text?.[hit.i], customdata: custom }, ev);
      } else if (panel.spec.on_click) {
        send(root, "click", pointEvent(panel, hit));
      }
      return;
    }
    // A click on the plot area away from any point (plotly_click stays silent):
    // report the data coordinates of the subplot under the mouse.
    if (!panel.spec.on_click || panel.pointClicked || !ev.target.closest(".draglayer")) return;
    const svg = div.querySelector(".main-svg");
    const plots = div._fullLayout && div._fullLayout._plots;
    if (!svg || !plots) return;
    const box = svg.getBoundingClientRect();
    const px = ev.clientX - box.left, py = ev.clientY - box.top;
    for (const [subplot, { xaxis: xa, yaxis: ya }] of Object.entries(plots)) {
      const dx = px - xa._offset, dy = py - ya._offset;
      if (dx >= 0 && dx <= xa._length && dy >= 0 && dy <= ya._length) {
        send(root, "click", {
          panel: panel.key, curve: null, point: null, x: xa.p2d(dx), y: ya.p2d(dy), z: null,
          customdata: null, trace_name: null, subplot,
        });
        return;
      }
    }
  });
}

function purgePanels(root) {
  for (const panel of root.panels.values()) {
    panel.resizer?.disconnect();
    window.Plotly?.purge(panel.plot);
  }
}

// Rows of panels, each a title over a plotly <div>; rebuilt only when the set
// of panels changes, so the charts stay mounted from frame to frame.
function layout(root, msg) {
  const shape = JSON.stringify(msg.rows.map((row) => row.map((s) => [s.key, s.flex])));
  if (shape === root.shape) return;
  purgePanels(root);
  root.element.replaceChildren();
  root.panels = new Map();
  root.shape = shape;
  for (const row of msg.rows) {
    const line = document.createElement("div");
    line.className = "live-chart-row";
    for (const spec of row) {
      const element = document.createElement("div");
      element.className = "live-chart-panel";
      element.style.flex = `${spec.flex} 1 ${spec.min_width}px`;
      const title = document.createElement("div");
      title.className = "live-chart-title";
      const plot = document.createElement("div");
      plot.className = "live-chart";
      plot.dataset.key = spec.key;
      element.append(title, plot);
      line.appendChild(element);
      root.panels.set(spec.key, { key: spec.key, element, title, plot, spec,
                                  plotted: false, digest: null, redraws: 0 });
    }
    root.element.appendChild(line);
  }
}

async function drawPanel(Plotly, root, panel, spec, figure, config) {
  panel.spec = spec;
  const html = spec.title ? titleHtml(spec.title) : "";
  if (panel.title.innerHTML !== html) panel.title.innerHTML = html;
  panel.title.hidden = !html;
  panel.plot.style.height = `${spec.height}px`;
  if (panel.plotted && panel.digest === spec.digest) return;  // the same figure
  const layout = figure.layout || {};
  // A constant uirevision keeps the user's zoom, pan and legend clicks.
  if (layout.uirevision === undefined) layout.uirevision = "live_chart";
  if (!panel.plotted) {
    await Plotly.newPlot(panel.plot, figure.data || [], layout, config);
    panel.plotted = true;
    listen(root, panel);
    // The column can change width (sidebar, window) without a window resize.
    panel.resizer = new ResizeObserver(() => Plotly.Plots.resize(panel.plot).catch(() => {}));
    panel.resizer.observe(panel.plot);
  } else {
    await Plotly.react(panel.plot, figure.data || [], layout, config);
  }
  panel.digest = spec.digest;
  if (panel.mouse) {  // the value under a resting mouse follows the training
    panel.hit = nearest(panel.plot, panel.mouse);
    showHover(panel, panel.hit);
  }
  panel.redraws += 1;
  panel.plot.dataset.redraws = panel.redraws;
  window.__liveChartRedraws = (window.__liveChartRedraws || 0) + 1;
}

// Large traces the browser holds, per component, newest last (see figure_payload):
// the server sends {"reuse": digest} for those it was told are here.
const REUSE_KEEP = 64;

function traceCache(name) {
  const all = (window.__liveChartTraces ??= {});
  return (all[name] ??= new Map());
}

// Swaps references for the traces they name; false if one is not here (then
// the message is not drawn and the server is asked for a whole one).
function resolve(msg) {
  const cache = traceCache(msg.cache);
  let complete = true;
  const keep = (digest, trace) => { cache.delete(digest); cache.set(digest, trace); };
  for (const figure of Object.values(msg.figures)) {
    figure.data = (figure.data || []).map((trace) => {
      if (trace.reuse) {
        const held = cache.get(trace.reuse);
        if (!held) { complete = false; return trace; }
        keep(trace.reuse, held);
        window.__liveChartReused = (window.__liveChartReused || 0) + 1;
        return held;
      }
      if (trace.digest) keep(trace.digest, trace);
      return trace;
    });
  }
  while (cache.size > REUSE_KEEP) cache.delete(cache.keys().next().value);
  return complete;
}

function held(msg) {
  return { have: [...traceCache(msg.cache).keys()] };
}

// Draws only the newest message: messages that arrive during a draw are skipped.
async function drain(root) {
  root.busy = true;
  try {
    while (root.next) {
      const msg = root.next;
      root.next = null;
      const Plotly = await loadPlotly(msg.plotly_src);
      // Flow control: the server makes the next frame while this one is drawn,
      // and waits for this acknowledgement before it makes another.
      if (msg.ack) send(root, "drawn", held(msg));
      const config = { displaylogo: false, ...msg.config };
      for (const row of msg.rows) {
        for (const spec of row) {
          const panel = root.panels.get(spec.key);
          if (panel) await drawPanel(Plotly, root, panel, spec, msg.figures[spec.key], config);
        }
      }
    }
  } catch (err) {
    console.error(err);
    if (![...root.panels.values()].some((p) => p.plotted)) root.element.textContent = String(err);
  } finally {
    root.busy = false;
  }
}

// Streamlit calls this on mount and again each time `data` changes; the
// parent element (and our <div> in it) survives those calls.
export default function ({ data, parentElement, setTriggerValue }) {
  window.__liveChartUpdates = (window.__liveChartUpdates || 0) + 1;
  let element = parentElement.querySelector(":scope > .live-chart-root");
  if (!element) {
    element = document.createElement("div");
    element.className = "live-chart-root";
    parentElement.appendChild(element);
  }
  const root = (element.liveChart ??= { element, seq: 0, panels: new Map(), busy: false });
  root.setTriggerValue = setTriggerValue;
  // Reruns that leave the message unchanged (another widget moved) cost nothing.
  const text = DECODER.decode(data);
  if (text !== root.text) {
    root.text = text;
    try {
      const msg = JSON.parse(text);
      if (!resolve(msg)) {
        send(root, "drawn", held(msg));  // a rerun with every trace in full
      } else {
        layout(root, msg);
        root.next = msg;
        if (!root.busy) drain(root);
      }
    } catch (err) {
      console.error(err);
      element.textContent = `live_chart: ${err}`;
    }
  }
  // Streamlit keeps only the newest cleanup and may call it while the chart
  // stays mounted (a cancelled update), so purge only a detached chart.
  return () => setTimeout(() => {
    if (!element.isConnected) purgePanels(root);
  }, 0);
}
