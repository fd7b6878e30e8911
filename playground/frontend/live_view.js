// The live view: status, network graph, output map, weights and loss, drawn in
// the page at display rate from the frames the server pushes (stream.py).
//
// Streamlit reruns deliver the *scene* (structure, data points, axes, loss
// history, the current frame); the websocket delivers *frames* (counters,
// losses, every weight). Each animation frame draws the next queued frame:
// maps are computed here from the weights (forward.js) and painted on
// <canvas>; plotly keeps the axes, points, zoom, legends and the loss curve,
// which grows with extendTraces a few times a second.
// (forward.js is prepended to this file by live_view.py: MikirForward.)

const TRAIN_COLOR = "#1f6feb", TEST_COLOR = "#e8590c";
const HEADER = ["seq", "run", "epoch", "steps", "batch", "batches", "train_loss",
                "test_loss", "train_accuracy", "test_accuracy", "diverged"];
const MAGIC = 0x4d4b;
// Frames queued beyond this are skipped (the latency stays low); five (~80 ms) carry
// the page over a message that comes late without a display frame that shows no new
// state (with three, ~0.5 a second at the defaults)
const QUEUE_KEEP = 5;
// Painted results waiting for their display frame, shown one per frame in order: the
// painter may run one frame ahead (a paint longer than a display frame does not halve
// the rate) without a quick paint replacing a result before it was ever shown.
const READY_KEEP = 2;
const LOSS_MAX_POINTS = 2000;
const LOSS_EVERY_MS = 100;  // the loss curve may lag the other views by this much
const HOVER_PX = 7;
const INTEGER = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });  // 1,234

// ------------------------------------------------------------------ frames
function unpack(buffer) {
  const view = new DataView(buffer);
  if (view.getUint16(0, true) !== MAGIC) return [];
  const count = view.getUint16(2, true), params = view.getUint32(4, true);
  const frames = [];
  let offset = 8;
  for (let f = 0; f < count; f++) {
    const frame = {};
    HEADER.forEach((name, i) => { frame[name] = view.getFloat64(offset + 8 * i, true); });
    offset += 8 * HEADER.length;
    frame.params = new Float32Array(buffer.slice(offset, offset + 4 * params));
    offset += 4 * params + ((8 - (4 * params) % 8) % 8);
    frames.push(frame);
  }
  return frames;
}

function lossPoint(frame) {
  return { x: frame.epoch + (frame.batches ? frame.batch / frame.batches : 0),
           train: frame.train_loss, test: frame.test_loss,
           trainAccuracy: frame.train_accuracy, testAccuracy: frame.test_accuracy };
}

function fromScene(frame) {
  const out = { ...frame, params: Float32Array.from(frame.params.map((v) => v ?? NaN)) };
  for (const name of HEADER) if (out[name] === null) out[name] = NaN;
  return out;
}

// ------------------------------------------------------------------ helpers
function element(tag, className, parent) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (parent) parent.appendChild(node);
  return node;
}
function setText(node, text) { if (node.textContent !== text) node.textContent = text; }
function number(value, digits = 4) {
  if (!Number.isFinite(value)) return "—";
  return Math.abs(value) >= 1e4 || (value !== 0 && Math.abs(value) < 1e-3)
    ? value.toExponential(digits - 1) : value.toFixed(digits);
}
function weightText(value) {
  if (!Number.isFinite(value)) return String(value);
  return String(Number(value.toPrecision(4)));
}
function percent(value) { return Number.isFinite(value) ? `${(100 * value).toFixed(1)} %` : "—"; }
function fitCanvas(canvas, width, height) {
  const ratio = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(width * ratio)), h = Math.max(1, Math.round(height * ratio));
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
  }
  const context = canvas.getContext("2d");
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  return context;
}
function place(canvas, box) {
  const left = `${box.left}px`, top = `${box.top}px`;
  if (canvas.style.left !== left) canvas.style.left = left;
  if (canvas.style.top !== top) canvas.style.top = top;
}
// Tooltip lines as text nodes: nothing a label holds is ever parsed as HTML.
function showTip(tip, lines, x, y, box) {
  if (!lines) { tip.hidden = true; return; }
  tip.replaceChildren(...lines.flatMap((line, i) => {
    const part = i === 0 ? element("b") : document.createTextNode(line);
    if (i === 0) part.textContent = line;
    return i ? [element("br"), part] : [part];
  }));
  tip.hidden = false;
  const flip = x + 14 + tip.offsetWidth > box.clientWidth;
  tip.style.left = `${flip ? Math.max(0, x - 14 - tip.offsetWidth) : x + 14}px`;
  tip.style.top = `${Math.max(0, y - tip.offsetHeight - 6)}px`;
}

// ------------------------------------------------------------------ the view
const CONTROLS_WAIT_MS = 3000;  // the controls come by then even if the view is not drawn

// After the next animation frame has run (its callbacks included).
const nextFrame = () => new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));

// The page's style sheet (page.css) comes in the script run's messages and is
// sometimes applied after this view's first run: on a phone the view was drawn in the
// unstyled page, then jumped ~340 px when it came. The view draws nothing until the
// sheet's marker is there, or PAGE_STYLE_WAIT_MS have passed (a page without it).
const PAGE_STYLE_WAIT_MS = 1500;
let pageStyleSeen = false;
function pageStyled(since) {
  pageStyleSeen ||= getComputedStyle(document.documentElement)
    .getPropertyValue("--mikir-page-style").trim() !== "";
  return pageStyleSeen || performance.now() - since > PAGE_STYLE_WAIT_MS;
}
async function pageStyle(since) {
  while (!pageStyled(since)) await nextFrame();
}

function closeBitmaps(message) {
  for (const name of ["network", "output", "weights"]) message[name]?.close?.();
}

// The painter worker, from its source (no file to serve): null where a browser
// cannot draw off the main thread, and the view says so. `worker.started` resolves
// once its first paint has begun (the page's first messages reach a worker that is
// still starting only with a task of the page's main thread, and its canvases' first
// backing stores need one too: asked for just before plotly's first charts, the first
// frame waited for all three).
function startPainter(onMessage) {
  if (typeof OffscreenCanvas === "undefined" || typeof Worker === "undefined") return null;
  const url = URL.createObjectURL(new Blob([PAINTER_SOURCE], { type: "text/javascript" }));
  const worker = new Worker(url);
  URL.revokeObjectURL(url);
  let started;
  worker.started = new Promise((resolve) => { started = resolve; });
  worker.onmessage = ({ data }) => (data.type === "ready" ? started() : onMessage(data));
  return worker;
}
const PAINTER_START_WAIT_MS = 200;  // plotly does not wait longer for the painter's start

class LiveView {
  constructor(parent) {
    this.root = element("div", "live-view", parent);
    this.status = element("div", "live-status", this.root);
    this.status.setAttribute("role", "status");
    this.fields = {};
    for (const [field, label] of [["epoch", "Epoch"], ["train-loss", "Training loss"],
                                  ["test-loss", "Test loss"], ["accuracy", "Test accuracy"]]) {
      const box = element("div", "live-metric", this.status);
      element("div", "live-metric-label", box).textContent = label;
      this.fields[field] = element("div", "live-metric-value", box);
      this.fields[field].dataset.field = field;
      if (field === "accuracy") this.accuracyBox = box;
    }
    this.fields.steps = element("div", "live-steps", this.status);
    this.fields.steps.dataset.field = "steps";
    this.offline = element("div", "live-offline", this.status);
    this.offline.textContent = "Waiting for the live connection to the server…";
    this.offline.hidden = true;

    const top = element("div", "live-row", this.root);
    this.networkPanel = this.panel(top, "network", 1.7, 400);
    this.notice = element("div", "live-notice", this.networkPanel.body);
    this.notice.setAttribute("role", "alert");
    this.notice.hidden = true;
    this.networkCanvas = element("canvas", "live-network", this.networkPanel.body);
    this.networkLabels = element("canvas", "live-network-labels", this.networkPanel.body);
    this.layerButtons = element("div", "live-layer-buttons", this.networkPanel.body);
    this.networkCanvas.tabIndex = 0;
    this.networkCanvas.setAttribute("role", "img");
    this.networkCanvas.setAttribute("aria-label", "Network graph: each neuron drawn as its "
      + "output. Arrow keys pick a weight or a bias, Enter or Space edits it.");
    this.outputPanel = this.panel(top, "output", 1, 300);
    this.outputMap = element("canvas", "live-map", this.outputPanel.body);
    this.outputPlot = element("div", "live-plot", this.outputPanel.body);
    this.legend = element("div", "live-legend", this.outputPanel.root);
    const bottom = element("div", "live-row", this.root);
    this.lossPanel = this.panel(bottom, "loss", 1, 300);
    this.lossPlot = element("div", "live-plot", this.lossPanel.body);
    this.lossLines = element("canvas", "live-map", this.lossPanel.body);  // on top
    this.weightsPanel = this.panel(bottom, "weights", 1.45, 300);
    this.weightsCells = element("canvas", "live-map live-sharp", this.weightsPanel.body);  // crisp cells
    this.weightsPlot = element("div", "live-plot", this.weightsPanel.body);

    // The painter's bitmaps are handed over, not copied: these canvases only show them.
    this.shown = {};
    for (const [name, canvas] of [["network", this.networkCanvas], ["output", this.outputMap],
                                  ["weights", this.weightsCells]]) {
      this.shown[name] = { canvas, context: canvas.getContext("bitmaprenderer") };
    }
    this.painter = startPainter((message) => this.painted(message));
    this.inFlight = null;    // the frame the painter is drawing (one at a time)
    this.parked = {};        // maps painted before plotly drew their axes: {name: {bitmap, frame}}
    this.presented = null;   // the frame whose status and graph are on screen
    this.ready = [];         // painted, to be shown one per display frame (READY_KEEP)
    this.queue = [];
    this.current = null;     // the frame drawn
    this.scene = null;
    this.hoverNeuron = null; // [layer, index]: shown large in the output view
    this.loss = null;        // client-side loss arrays since the scene's history
    this.lossDrawn = 0;
    this.scale = 1;          // the weights' colour limit
    // counters for tests and benchmarks; paintedUnseen: results dropped before shown
    window.__liveView = window.__liveView
      || { framesDrawn: 0, framesReceived: 0, lastEpoch: null, paintedUnseen: 0 };
    this.created = performance.now();
    this.listen();
    this.resizer = new ResizeObserver(() => this.layout());
    this.resizer.observe(this.root);
  }

  panel(row, name, flex, minWidth) {
    const root = element("section", `live-panel live-panel-${name}`, row);
    root.style.flex = `${flex} 1 ${minWidth}px`;
    const title = element("div", "live-title", root);
    const body = element("div", "live-body", root);
    const tip = element("div", "live-tip", root);
    tip.hidden = true;
    return { root, title, body, tip };
  }

  // ---------------------------------------------------------------- scene
  async setScene(scene, trigger) {
    this.trigger = trigger;
    const previous = this.scene;
    this.scene = scene;
    const net = scene.net;
    const shape = JSON.stringify([net.sizes, net.features, net.hidden, net.output]);
    if (!previous || previous.shapeKey !== shape) {
      this.hoverNeuron = null;
      this.layoutKey = null;
    }
    scene.shapeKey = shape;
    this.layoutParams = MikirForward.layout(net.sizes);
    for (const key of ["network", "output", "loss", "weights"]) {
      this.setTitle(this[`${key}Panel`].title, scene.titles[key]);
    }
    this.accuracyBox.hidden = net.regression;
    if (!this.painter) {
      setText(this.outputPanel.title, "This browser cannot draw the live view: it needs "
              + "OffscreenCanvas (Chrome 69+, Firefox 105+, Safari 16.4+).");
    }
    this.notice.textContent = scene.notice || "";  // text, never HTML: it quotes the learner
    this.notice.hidden = !scene.notice;
    clearTimeout(this.noticeTimer);
    if (scene.notice) this.noticeTimer = setTimeout(() => { this.notice.hidden = true; }, 8000);
    this.connect(scene.socket);
    this.watchConnection();
    const frame = fromScene(scene.frame);
    // A frame newer than what is drawn (a step, a reset, an edit) is drawn now;
    // the loss curve restarts from the scene's history.
    const newer = !this.current || frame.seq >= this.current.seq || frame.run !== this.current.run
      || previous?.socket !== scene.socket;
    if (newer) {
      this.queue = this.queue.filter((f) => f.seq > frame.seq && f.run === frame.run);
      this.pending = frame;  // drawn on the next animation frame, whatever is shown now
    }
    this.loss = { run: frame.run, seq: frame.seq, start: lossPoint(frame), points: [] };
    this.lossZoomed = false;
    this.layout();
    if (scene.controls_follow && !this.controlsAsked) {  // whatever happens, within seconds
      this.controlsTimer ??= setTimeout(() => this.askForControls(true), CONTROLS_WAIT_MS);
      if (!this.painter) this.askForControls(true);
    }
    try {
      if (!previous) {  // the painter starts, and is given the first frame, meanwhile
        await nextFrame();
        if (this.inFlight) {  // it paints that frame while plotly draws
          await Promise.race([this.painter.started,
                              new Promise((done) => setTimeout(done, PAINTER_START_WAIT_MS))]);
        }
      }
      await pageStyle(this.created);
      const Plotly = await loadPlotly(scene.plotly_src);
      if (this.scene !== scene) return;
      await this.plotFigures(Plotly, scene);
      this.plotted = true;
      this.showParked();
      this.askForControls();
    } catch (error) {
      console.error(error);
      setText(this.outputPanel.title, String(error.message || error));
      this.askForControls(true);
    }
    this.request();
  }

  setTitle(node, parts) {  // [[text, bold?], ...]: plain text, never HTML
    const key = JSON.stringify(parts);
    if (node.dataset.key === key) return;
    node.dataset.key = key;
    node.replaceChildren(...parts.map(([text, bold]) => {
      const span = element(bold ? "b" : "span");
      span.textContent = text;
      return span;
    }));
  }

  async plotFigures(Plotly, scene) {
    const zoomable = { displaylogo: false, responsive: true,
                       modeBarButtonsToRemove: ["select2d", "lasso2d", "toImage"] };
    // no toolbar over the loss legend and the weights' titles (drag to zoom the loss,
    // double-click to reset it); the output map keeps its zoom tools
    const plain = { displaylogo: false, responsive: true, displayModeBar: false };
    for (const [div, figure, config] of [[this.outputPlot, scene.figures.output, zoomable],
                                         [this.lossPlot, scene.figures.loss, plain],
                                         [this.weightsPlot, scene.figures.weights, plain]]) {
      const text = JSON.stringify(figure);
      if (div.dataset.figure === text) continue;
      div.dataset.figure = text;
      const copy = JSON.parse(text);
      delete copy.layout.height;  // the panel's height (CSS, smaller on a phone) decides
      copy.layout.autosize = true;
      if (div === this.weightsPlot && scene.weights) {
        // the colour bar on the frame's own scale: no restyle when its maps come
        const frame = this.current || fromScene(scene.frame);
        this.scale = weightScale(frame.params, this.layoutParams.layers);
        Object.assign(copy.data[0], { zmin: -this.scale, zmax: this.scale });
      }
      if (!div.classList.contains("js-plotly-plot")) {
        await Plotly.newPlot(div, copy.data, copy.layout, config);
        div.on("plotly_relayout", (change) => {
          if (div === this.lossPlot && !this.relayoutPending && change
              && Object.keys(change).some((k) => k.startsWith("xaxis.range") || k.startsWith("yaxis.range"))) {
            this.lossZoomed = true;  // the learner's zoom: the axes stop following
          }
          if (change && change["xaxis.autorange"]) this.lossZoomed = false;
          this.placeLayers();
          this.request(true);
        });
      } else {
        await Plotly.react(div, copy.data, copy.layout, config);
      }
    }
    this.placeLayers();
    this.request(true);
  }

  // -------------------------------------------------------------- websocket
  connect(path) {
    if (this.socketPath === path && this.socket) return;
    this.socket?.close();
    this.socketPath = path;
    if (!path) return;
    const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${path}`;
    const socket = new WebSocket(url);
    socket.binaryType = "arraybuffer";
    socket.onmessage = (event) => this.receive(unpack(event.data));
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (this.root.isConnected) setTimeout(() => this.connect(this.socketPath), 1000);
    };
    this.socket = socket;
  }

  // While playing, frames must come: say so when the live connection is down
  // (a proxy without websockets, a server restart) instead of freezing quietly.
  watchConnection() {
    clearTimeout(this.connectionTimer);
    const check = () => {
      const down = this.scene?.playing && this.socket?.readyState !== WebSocket.OPEN;
      this.offline.hidden = !down;
      if (this.scene?.playing && this.root.isConnected) {
        this.connectionTimer = setTimeout(check, 1000);
      }
    };
    this.connectionTimer = setTimeout(check, 2000);
  }

  receive(frames) {
    window.__liveView.framesReceived += frames.length;
    const run = this.scene ? Math.max(this.scene.frame.run, this.current?.run ?? 0) : 0;
    for (const frame of frames) {
      if (frame.params.length !== this.layoutParams?.count || frame.run < run) continue;
      if (this.pending && frame.seq <= this.pending.seq) continue;
      this.queue.push(frame);
    }
    if (this.queue.length > QUEUE_KEEP) this.queue.splice(0, this.queue.length - QUEUE_KEEP);
    // an idle painter starts now, not at the next animation frame: its result is then
    // ready for that frame instead of the one after
    if (!this.inFlight && pageStyled(this.created)) this.startPaint();
    this.request();
  }

  // ---------------------------------------------------------------- drawing
  request(redraw = false) {
    if (redraw) this.dirty = true;
    if (this.raf || !this.root.isConnected) return;
    this.raf = requestAnimationFrame(() => { this.raf = 0; this.tick(); });
  }

  // On each animation frame: show the painter's newest result (one new state per
  // display frame), and give it the next frame if it is idle.
  tick() {
    if (!pageStyled(this.created)) {
      this.request();
      return;
    }
    const ready = this.ready.shift();
    if (ready) this.present(ready);
    if (!this.inFlight) this.startPaint();
    if (this.ready.length || (!this.inFlight && (this.queue.length || this.pending))) {
      this.request();
    }
  }

  startPaint() {
    if (this.ready.length >= READY_KEEP) return;  // the painter waits for the display
    const pending = this.pending;
    this.pending = null;
    let frame = pending || this.queue.shift();
    if (frame && !pending && this.current && frame.seq <= this.current.seq
        && frame.run === this.current.run) {
      frame = null;  // older than what is shown
    }
    if (frame) {
      this.apply(frame);
      this.paint(frame, true);
    } else if (this.dirty && this.current) {
      this.paint(this.current, false);
    }
    if (this.dirty || (frame && performance.now() - this.lossDrawn >= LOSS_EVERY_MS)) {
      this.lossDrawn = performance.now();
      this.drawLoss();
    } else if (frame) {
      clearTimeout(this.lossTimer);  // the newest points are drawn once it goes quiet
      this.lossTimer = setTimeout(() => { this.lossDrawn = performance.now(); this.drawLoss(); },
                                  LOSS_EVERY_MS);
    }
    this.dirty = false;
  }

  // Nothing on its way to the screen: every view shows `current` (tests wait for it).
  get settled() {
    return !this.pending && !this.inFlight && !this.ready.length;
  }

  apply(frame) {
    this.current = frame;
    if (frame.diverged && this.reported !== frame.run) {
      this.reported = frame.run;
      this.trigger?.("diverged", { run: frame.run, seq: frame.seq });
    }
    const loss = this.loss;  // points since the scene's history, same run only
    if (loss && frame.run === loss.run && frame.seq > loss.seq) {
      loss.seq = frame.seq;
      loss.points.push(lossPoint(frame));
      if (loss.points.length > LOSS_MAX_POINTS) {  // thin to half, keep the newest
        loss.points = loss.points.filter((_, i, all) => i % 2 === 1 || i === all.length - 1);
      }
    }
  }

  // The painter draws `frame` as the page shows it now (zoom, hovered neuron);
  // `painted` puts the result on screen with the status of the same frame.
  paint(frame, isNew) {
    if (!this.geometry || !this.painter) return;
    this.sendScene();
    const view = {
      range: this.outputRange(), hover: this.hoverNeuron,
      discretize: !!this.scene.options.discretize, columns: this.weightColumns(),
    };
    const id = (this.paintId = (this.paintId || 0) + 1);
    this.inFlight = { id, frame, isNew, sent: performance.now() };
    this.painter.postMessage({ type: "paint", id, frame: { params: frame.params }, view });
  }

  // The painter's copy of the shape and geometry, sent again only when a rerun
  // brought a new scene, the layout changed or the screen's pixel ratio did.
  sendScene() {
    const dpr = window.devicePixelRatio || 1, sent = this.painterSent;
    if (sent && sent.scene === this.scene && sent.geometry === this.geometry && sent.dpr === dpr) {
      return;
    }
    this.painterSent = { scene: this.scene, geometry: this.geometry, dpr };
    this.painter.postMessage({ type: "scene", scene: {
      net: this.scene.net, layers: this.layoutParams.layers, geometry: this.geometry, dpr,
      weights: this.scene.weights || null } });
  }

  painted(message) {
    const flight = this.inFlight;
    if (!flight || message.id !== flight.id) {
      closeBitmaps(message);
      return;
    }
    this.inFlight = null;
    if (message.type === "failed") {
      console.error(message.message);
      setText(this.outputPanel.title, `The live view could not be drawn: ${message.message}`);
      return;
    }
    const timing = window.__liveView.timing ??= {};
    timing.painter = (timing.painter || 0) + performance.now() - flight.sent;
    // shown on a coming animation frame, after the results before it
    this.ready.push({ message, flight });
    while (this.ready.length > READY_KEEP) {
      closeBitmaps(this.ready.shift().message);
      window.__liveView.paintedUnseen += 1;
    }
    // the next frame goes to the painter at once, not at the next animation frame:
    // a paint that takes longer than a display frame would otherwise halve the rate
    if (this.queue.length || this.pending) this.startPaint();
    this.request();
  }

  present({ message, flight }) {
    const started = performance.now();
    const timing = window.__liveView.timing ??= {};
    const geometry = this.geometry;
    const network = this.show("network", message.network, geometry
                              && { left: 0, top: 0, width: geometry.width, height: geometry.height });
    this.presented = flight.frame;
    const output = this.show("output", message.output, this.outputBox(), flight.frame);
    const weights = this.show("weights", message.weights, this.weightsBox(), flight.frame);
    this.outputMap.classList.toggle("live-sharp",
                                    !!this.scene.options.discretize && !this.hoverNeuron);
    // (before plotly drew the weights' axes, their first plot takes the frame's scale)
    if (message.scale !== null && message.scale !== this.scale && this.weightsPlot._fullLayout) {
      this.scale = message.scale;
      window.Plotly?.restyle(this.weightsPlot, { zmin: [-message.scale], zmax: [message.scale] }, [0]);
    }
    this.drawStatus(flight.frame);
    this.drawLegend();
    if (flight.isNew) {
      window.__liveView.framesDrawn += 1;
      window.__liveView.lastEpoch = flight.frame.epoch;
    }
    // every map on screen (before plotly drew its axes, only the graph: the maps wait)
    this.framePresented ||= network && output && (weights || !this.scene.weights);
    this.askForControls();
    timing.shown = (timing.shown || 0) + performance.now() - started;
  }

  // The tab's first run drew this view alone: once a frame and the charts are on
  // screen (or cannot be: `anyway`), ask for the run that draws the controls. Not
  // sooner: that run's ~40 widgets hold the main thread for ~0.5 s, and the maps'
  // second paint (plotly's axes place them) would wait behind them.
  askForControls(anyway = false) {
    if (!this.scene?.controls_follow || this.controlsAsked) return;
    if (!anyway && !(this.framePresented && this.plotted)) return;
    this.controlsAsked = true;
    clearTimeout(this.controlsTimer);
    this.trigger?.("drawn", {});
  }

  // A bitmap on its canvas, the canvas scaled by the compositor to `box` (CSS px);
  // false when there was none to show or no place yet. A map painted before plotly
  // drew its axes waits for them (parked), shown as they come if its frame is still
  // the one on screen: the first frame is painted while plotly draws, not after.
  show(name, bitmap, box, frame = null) {
    if (!bitmap) return false;
    const { canvas, context } = this.shown[name];
    if (name !== "network") {
      this.parked[name]?.bitmap.close();
      delete this.parked[name];
      if (!box && frame && context) {
        this.parked[name] = { bitmap, frame };
        return false;
      }
    }
    if (!box || !context) { bitmap.close(); return false; }
    if (canvas.width !== bitmap.width || canvas.height !== bitmap.height) {
      canvas.width = bitmap.width;
      canvas.height = bitmap.height;
    }
    const width = `${box.width}px`, height = `${box.height}px`;
    if (canvas.style.width !== width) canvas.style.width = width;
    if (canvas.style.height !== height) canvas.style.height = height;
    if (name !== "network") place(canvas, box);
    context.transferFromImageBitmap(bitmap);
    return true;
  }

  showParked() {
    const boxes = { output: this.outputBox(), weights: this.weightsBox() };
    const shown = {};
    for (const name of ["output", "weights"]) {
      const parked = this.parked[name];
      delete this.parked[name];
      if (!parked) continue;
      if (parked.frame === this.presented && boxes[name]) {
        shown[name] = this.show(name, parked.bitmap, boxes[name]);
      } else {
        parked.bitmap.close();
      }
    }
    this.framePresented ||= shown.output && (shown.weights || !this.scene.weights);
  }

  drawStatus(frame) {
    setText(this.fields.epoch, INTEGER.format(Math.floor(frame.epoch)));
    setText(this.fields["train-loss"], number(frame.train_loss));
    setText(this.fields["test-loss"], number(frame.test_loss));
    setText(this.fields.accuracy, percent(frame.test_accuracy));
    const steps = INTEGER.format(Math.round(frame.steps));
    if (frame.diverged) {  // the counters are the run's; the views show an earlier epoch
      setText(this.fields.steps, `Step ${steps} · diverged: the network, the output and `
              + "the weights are drawn as they were before the blow-up");
      return;
    }
    const batches = Math.round(frame.batches);
    const training = Number.isFinite(frame.train_accuracy)
      ? ` · training accuracy ${percent(frame.train_accuracy)}` : "";
    setText(this.fields.steps, frame.batch
      ? `Step ${steps} · mini-batch ${Math.round(frame.batch)} of ${batches} in epoch ${INTEGER.format(frame.epoch + 1)}${training}`
      : `Step ${steps} · ${batches} mini-batch${batches === 1 ? "" : "es"} per epoch${training}`);
  }

  // The column titles and the features' names: drawn once per layout, under the
  // painter's layer (text needs the page's fonts; the painter draws the rest).
  drawLabels() {
    const geometry = this.geometry;
    if (!geometry) return;
    const context = fitCanvas(this.networkLabels, geometry.width, geometry.height);
    const { tiles, tile, sizes } = geometry;
    context.clearRect(0, 0, geometry.width, geometry.height);
    context.textBaseline = "middle";
    context.textAlign = "center";
    sizes.forEach((count, layer) => {
      const x = tiles[layer][0].x + tile / 2;
      const title = layer === 0 ? "Features" : layer === sizes.length - 1 ? "Output"
        : `Layer ${layer}`;
      context.font = "600 12px 'Source Sans Pro', system-ui, sans-serif";
      context.fillStyle = TEXT;
      context.fillText(title, x, 12);
      if (layer && layer < sizes.length - 1) {
        context.font = "11px 'Source Sans Pro', system-ui, sans-serif";
        context.fillStyle = MUTED;
        context.fillText(`${count} neuron${count === 1 ? "" : "s"}`, x, 26);
      }
    });
    context.textAlign = "right";
    context.font = "13px 'Source Sans Pro', system-ui, sans-serif";
    context.fillStyle = TEXT;
    const names = this.scene.net.labels;
    tiles[0].forEach((t, i) => context.fillText(names[0][i], t.x - 6, t.y + tile / 2));
  }

  // The output map's place and range, plotly's once it drew its axes; before, the
  // scene figure's range (explicit: plotly shows the same), so the first frame is
  // painted while plotly draws.
  outputBox() {
    return this.outputPlot._fullLayout?.xaxis ? this.mapBox : null;
  }

  outputRange() {
    const layout = this.outputPlot._fullLayout;
    const axes = layout?.xaxis ? layout : this.scene.figures.output.layout;
    const [x0, x1] = axes.xaxis?.range ?? [-6, 6], [y0, y1] = axes.yaxis?.range ?? [-6, 6];
    return [x0, x1, y0, y1].map((v) => Math.round(v * 1e4) / 1e4);
  }

  drawLegend() {
    const net = this.scene.net;
    const hovered = this.hoverNeuron;
    const key = JSON.stringify([hovered, net.regression, net.classes]);
    if (this.legendKey === key) return;
    this.legendKey = key;
    const parts = [];
    if (hovered) {
      parts.push(["Showing ", false], [net.labels[hovered[0]][hovered[1]], true],
                 [" (move off the neuron to see the output)", false]);
    } else if (net.classes > 2) {
      parts.push(["Colour: the predicted class, paler where the network is unsure", false]);
    } else if (net.regression) {
      parts.push(["Colour: the predicted value, orange −1 … grey 0 … blue +1", false]);
    } else {
      parts.push(["Colour: predicted class, ", false], ["orange", true], [" 0 … ", false],
                 ["blue", true], [" 1; paler where the network is unsure", false]);
    }
    const bar = element("span", "live-legend-bar");
    this.legend.replaceChildren(bar, ...parts.map(([text, bold]) => {
      const span = element(bold ? "b" : "span");
      span.textContent = text;
      return span;
    }));
  }

  // The weight cells' columns: from plotly's axes, or before it drew them from the
  // scene figure's (explicit) range, so the first frame's cells are painted meanwhile.
  weightColumns() {
    const axis = this.weightsPlot._fullLayout?.xaxis ?? this.scene.figures.weights?.layout.xaxis;
    return this.scene.weights && axis?.range ? Math.round(axis.range[1] + 0.5) : 0;
  }

  // The weight cells' box on the page (the weights plot's axes, cell −0.5 to n − 0.5)
  // and its number of columns.
  weightsBox() {
    const layout = this.weightsPlot._fullLayout;
    if (!layout?.xaxis || !this.scene.weights) return null;
    const xa = layout.xaxis, ya = layout.yaxis, rows = this.scene.weights.rows;
    const columns = Math.round(xa.range[1] + 0.5);
    const left = xa._offset + xa.l2p(-0.5), right = xa._offset + xa.l2p(columns - 0.5);
    const top = ya._offset + ya.l2p(-0.5), bottom = ya._offset + ya.l2p(rows - 0.5);
    return { left, top, width: right - left, height: bottom - top, columns };
  }

  // ＋/－ under each hidden layer, as in TensorFlow Playground: real buttons
  // (keyboard, screen readers); the page changes the layer's neuron count.
  placeLayerButtons() {
    const { sizes, tiles, tile } = this.geometry;
    const options = this.scene.options;
    this.layerButtons.replaceChildren();
    if (!options.layers) return;
    for (let layer = 1; layer < sizes.length - 1; layer++) {
      const group = element("div", "live-layer-button-group", this.layerButtons);
      group.style.left = `${tiles[layer][0].x + tile / 2}px`;
      for (const [delta, text, verb] of [[-1, "−", "Remove a neuron from"], [1, "+", "Add a neuron to"]]) {
        const button = element("button", "live-layer-button", group);
        button.type = "button";
        button.textContent = text;
        const count = sizes[layer] + delta;
        button.disabled = count < 1 || count > options.max_neurons;
        button.title = `${verb} layer ${layer} (${sizes[layer]} neuron${sizes[layer] === 1 ? "" : "s"} now; 1 to ${options.max_neurons})`;
        button.setAttribute("aria-label", `${verb} layer ${layer}`);
        button.onclick = () => this.trigger?.("neurons", { layer: layer - 1, delta,
                                                           seq: (this.neuronSeq = (this.neuronSeq || 0) + 1) });
      }
    }
  }

  // The canvases sit under plotly's transparent plot area, on its axes.
  placeLayers() {
    const layout = this.outputPlot._fullLayout;
    if (layout?.xaxis) {
      const xa = layout.xaxis, ya = layout.yaxis;
      this.mapBox = { left: xa._offset, top: ya._offset, width: xa._length, height: ya._length };
    }
  }

  layout() {
    if (!this.scene) return;
    const width = Math.floor(this.networkPanel.body.clientWidth) || 600;
    const key = JSON.stringify([width, this.scene.shapeKey]);
    if (this.layoutKey === key) return;
    this.layoutKey = key;
    this.geometry = networkGeometry(this.scene.net.sizes, width);
    this.drawLabels();
    this.placeLayerButtons();
    this.placeLayers();
    this.request(true);
  }

  // ------------------------------------------------------------- the loss
  // The scene's history is a plotly figure; the points of frames since then
  // are drawn on a canvas over its plot area, on its axes (an extendTraces per
  // update cost ~15-50 ms here). The axes grow, with headroom, when a point
  // would leave them, and the next scene puts every point into the figure.
  drawLoss() {
    const loss = this.loss, layout = this.lossPlot._fullLayout;
    if (!loss || !layout?.xaxis || !this.scene) return;
    const started = performance.now();
    const xa = layout.xaxis, ya = layout.yaxis, ya2 = layout.yaxis2;
    const points = loss.points;
    const last = points.at(-1);
    if (last && !this.relayoutPending) {
      const update = {};
      const [x0, x1] = xa.range;
      if (last.x > x1 && !this.lossZoomed) update["xaxis.range"] = [x0, Math.max(1, last.x * 1.5)];
      const top = Math.max(...[last.train, last.test].filter(Number.isFinite));
      if (ya.type !== "log" && Number.isFinite(top) && top > ya.range[1] && !this.lossZoomed) {
        update["yaxis.range"] = [ya.range[0], top * 1.3];
      }
      if (Object.keys(update).length) {
        this.relayoutPending = true;
        window.Plotly.relayout(this.lossPlot, update).finally(() => {
          this.relayoutPending = false;
          this.request(true);
        });
      }
    }
    const box = { width: this.lossPlot.clientWidth, height: this.lossPlot.clientHeight };
    const context = fitCanvas(this.lossLines, box.width, box.height);
    context.clearRect(0, 0, box.width, box.height);
    if (points.length) {
      context.save();
      context.beginPath();
      context.rect(xa._offset, ya._offset, xa._length, ya._length);
      context.clip();
      const px = (x) => xa._offset + xa.c2p(x);
      const lines = [["train", ya, TRAIN_COLOR, 2.2, []], ["test", ya, TEST_COLOR, 2.2, []]];
      if (ya2) lines.push(["trainAccuracy", ya2, TRAIN_COLOR, 1.3, [5, 4]],
                          ["testAccuracy", ya2, TEST_COLOR, 1.3, [5, 4]]);
      for (const [name, axis, color, width, dash] of lines) {
        context.strokeStyle = color;
        context.lineWidth = width;
        context.setLineDash(dash);
        context.beginPath();
        let drawing = false;
        for (const point of [loss.start, ...points]) {
          const value = point?.[name];
          if (!Number.isFinite(value) || (axis.type === "log" && value <= 0)) { drawing = false; continue; }
          const x = px(point.x), y = axis._offset + axis.c2p(value);
          if (drawing) context.lineTo(x, y); else context.moveTo(x, y);
          drawing = true;
        }
        context.stroke();
      }
      context.restore();
    }
    const timing = window.__liveView.timing ??= {};
    timing.loss = (timing.loss || 0) + performance.now() - started;
  }

  // -------------------------------------------------------------- pointer
  listen() {
    const canvas = this.networkCanvas;
    canvas.addEventListener("mousemove", (event) => this.hoverNetwork(event));
    canvas.addEventListener("mouseleave", () => {
      showTip(this.networkPanel.tip, null);
      if (this.hoverNeuron) { this.hoverNeuron = null; this.legendKey = null; this.request(true); }
    });
    canvas.addEventListener("click", (event) => {
      const hit = this.hitNetwork(event);
      if (hit?.target && this.scene?.options.edit) this.openEditor(hit, event);
    });
    canvas.addEventListener("keydown", (event) => this.keyNetwork(event));
    canvas.addEventListener("blur", () => showTip(this.networkPanel.tip, null));
    this.weightsPanel.body.addEventListener("mousemove", (event) => this.hoverWeights(event));
    this.weightsPanel.body.addEventListener("mouseleave", () => showTip(this.weightsPanel.tip, null));
  }

  point(event, node) {
    const box = node.getBoundingClientRect();
    return [event.clientX - box.left, event.clientY - box.top];
  }

  // What is under the mouse in the graph: a bias, a neuron, or the nearest link.
  hitNetwork(event) {
    const geometry = this.geometry, frame = this.current;
    if (!geometry || !frame) return null;
    const [x, y] = this.point(event, this.networkCanvas);
    const { tiles, tile } = geometry;
    const names = this.scene.net.labels;
    const layers = this.layoutParams.layers;
    for (let layer = 1; layer < tiles.length; layer++) {
      for (const t of tiles[layer]) {
        const s = geometry.bias;
        if (x >= t.x - s - 4 && x <= t.x && y >= t.y + tile - s - 2 && y <= t.y + tile + 2) {
          const value = frame.params[layers[layer - 1].biases + t.index];
          return { kind: "bias", target: [layer - 1, t.index, -1], value, x, y,
                   lines: [`bias of ${names[layer][t.index]}`, `= ${weightText(value)}`,
                           "click to edit"] };
        }
      }
    }
    for (const column of tiles) {
      for (const t of column) {
        if (x >= t.x && x <= t.x + tile && y >= t.y && y <= t.y + tile) {
          const lines = [names[t.layer][t.index]];
          if (t.layer) lines.push(`bias = ${weightText(frame.params[layers[t.layer - 1].biases + t.index])}`);
          lines.push("its map is shown large in the output view");
          return { kind: "neuron", neuron: [t.layer, t.index], x, y, lines };
        }
      }
    }
    let best = null;
    layers.forEach((layer, l) => {
      for (let j = 0; j < layer.fanIn; j++) {
        for (let k = 0; k < layer.fanOut; k++) {
          const path = linkPath(tiles[l][j], tiles[l + 1][k], tile);
          if (x < path[0] - HOVER_PX || x > path[6] + HOVER_PX) continue;
          for (let s = 0; s <= 16; s++) {
            const [px, py] = bezierPoint(path, s / 16);
            const d = Math.hypot(px - x, py - y);
            if (d <= HOVER_PX && (!best || d < best.d)) best = { d, l, j, k };
          }
        }
      }
    });
    if (!best) return null;
    const value = frame.params[layers[best.l].weights + best.j * layers[best.l].fanOut + best.k];
    return { kind: "link", target: [best.l, best.j, best.k], value, x, y,
             lines: [`${names[best.l][best.j]} → ${names[best.l + 1][best.k]}`,
                     `weight = ${weightText(value)}`, "click to edit"] };
  }

  // The keyboard's way to the weight editor: the arrow keys walk every bias and
  // link (the one chosen is named in the tooltip), Enter or Space opens the editor.
  keyHits() {
    const geometry = this.geometry, frame = this.current, layers = this.layoutParams?.layers;
    if (!geometry || !frame || !layers) return [];
    const { tiles, tile } = geometry;
    const names = this.scene.net.labels, hits = [];
    layers.forEach((layer, l) => {
      for (let k = 0; k < layer.fanOut; k++) {
        const to = tiles[l + 1][k], bias = frame.params[layer.biases + k];
        hits.push({ kind: "bias", target: [l, k, -1], value: bias,
                    x: to.x - geometry.bias / 2 - 2, y: to.y + tile - geometry.bias / 2,
                    lines: [`bias of ${names[l + 1][k]}`, `= ${weightText(bias)}`,
                            "Enter to edit · arrow keys for the next"] });
        for (let j = 0; j < layer.fanIn; j++) {
          const value = frame.params[layer.weights + j * layer.fanOut + k];
          const [x, y] = bezierPoint(linkPath(tiles[l][j], to, tile), 0.5);
          hits.push({ kind: "link", target: [l, j, k], value, x, y,
                      lines: [`${names[l][j]} → ${names[l + 1][k]}`, `weight = ${weightText(value)}`,
                              "Enter to edit · arrow keys for the next"] });
        }
      }
    });
    return hits;
  }

  keyNetwork(event) {
    const moves = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
    const open = event.key === "Enter" || event.key === " ";
    if (!(event.key in moves) && !open) return;
    const hits = this.keyHits();
    if (!hits.length) return;
    event.preventDefault();
    const count = hits.length, index = this.keyIndex ?? -1;
    this.keyIndex = event.key in moves ? (index + moves[event.key] + count) % count
      : Math.max(0, Math.min(index, count - 1));
    const hit = hits[this.keyIndex];
    const box = this.networkCanvas.getBoundingClientRect();
    const at = { clientX: box.left + hit.x, clientY: box.top + hit.y };
    if (open && this.scene?.options.edit) {
      showTip(this.networkPanel.tip, null);
      this.openEditor(hit, at);
      return;
    }
    const [bx, by] = this.point(at, this.networkPanel.root);
    showTip(this.networkPanel.tip, hit.lines, bx, by, this.networkPanel.root);
  }

  hoverNetwork(event) {
    const hit = this.hitNetwork(event);
    this.networkCanvas.style.cursor = hit?.target ? "pointer" : "";
    const neuron = hit?.kind === "neuron" ? hit.neuron : null;
    if (JSON.stringify(neuron) !== JSON.stringify(this.hoverNeuron)) {
      this.hoverNeuron = neuron;
      this.legendKey = null;
      this.request(true);
    }
    const [bx, by] = this.point(event, this.networkPanel.root);
    showTip(this.networkPanel.tip, hit?.lines, bx, by, this.networkPanel.root);
  }

  hoverWeights(event) {
    const layout = this.weightsPlot._fullLayout;
    const frame = this.current;
    if (!layout?.xaxis || !frame || !this.scene.weights) return;
    const [px, py] = this.point(event, this.weightsPlot);
    const x = layout.xaxis.p2l(px - layout.xaxis._offset);
    const y = layout.yaxis.p2l(py - layout.yaxis._offset);
    const column = Math.round(x), row = Math.round(y);
    const names = this.scene.net.labels;
    let lines = null;
    this.scene.weights.blocks.forEach((block, i) => {
      const layer = this.layoutParams.layers[i];
      const j = column - block.left;
      if (j >= 0 && j < layer.fanIn && row >= 0 && row < layer.fanOut) {
        const w = frame.params[layer.weights + j * layer.fanOut + row];
        lines = [`W${i + 1}: ${names[i][j]} → ${names[i + 1][row]}`, `weight = ${weightText(w)}`];
      }
    });
    const [bx, by] = this.point(event, this.weightsPanel.root);
    showTip(this.weightsPanel.tip, lines, bx, by, this.weightsPanel.root);
  }

  // A number box where the learner clicked (as TensorFlow Playground edits a
  // weight). The typed text goes to the server, which parses and checks it.
  openEditor(hit, event) {
    this.editor?.remove();
    const box = element("form", "live-editor", this.networkPanel.root);
    const label = element("label", "", box);
    label.textContent = hit.lines[0];
    const input = element("input", "", box);
    input.type = "text";
    input.inputMode = "decimal";
    input.required = true;
    input.setAttribute("aria-label", `New value for ${hit.lines[0]}`);
    input.value = weightText(hit.value);
    const apply = element("button", "", box);
    apply.type = "submit";
    apply.textContent = "Apply";
    const cancel = element("button", "", box);
    cancel.type = "button";
    cancel.textContent = "×";
    cancel.title = "Close";
    cancel.setAttribute("aria-label", "Close the editor");
    const close = () => { box.remove(); this.editor = null; this.networkCanvas.focus(); };
    cancel.onclick = close;
    box.addEventListener("keydown", (e) => { if (e.key === "Escape") close(); });
    box.onsubmit = (e) => {
      e.preventDefault();
      this.trigger?.("edit", { target: hit.target, value: input.value,
                              seq: (this.editSeq = (this.editSeq || 0) + 1) });
      close();
    };
    const [x, y] = this.point(event, this.networkPanel.root);
    box.style.left = `${Math.max(0, Math.min(x + 8, this.networkPanel.root.clientWidth - 250))}px`;
    box.style.top = `${Math.max(0, y + 8)}px`;
    this.editor = box;
    input.focus();
    input.select();
  }

  destroy() {
    this.resizer.disconnect();
    const socket = this.socket;
    this.socket = null;
    socket?.close();
    this.painter?.terminate();
    this.painter = null;
    for (const div of [this.outputPlot, this.lossPlot, this.weightsPlot]) window.Plotly?.purge(div);
  }
}

const DECODER = new TextDecoder();

// Streamlit calls this on mount and on every rerun that changes `data`.
export default function ({ data, parentElement, setTriggerValue }) {
  let view = parentElement.liveView;
  if (!view || !view.root.isConnected) {
    view = parentElement.liveView = new LiveView(parentElement);
  }
  const text = typeof data === "string" ? data : DECODER.decode(data);
  if (text !== view.sceneText) {
    view.sceneText = text;
    view.setScene(JSON.parse(text), setTriggerValue);
  } else {
    view.trigger = setTriggerValue;
  }
  return () => setTimeout(() => {
    if (!parentElement.isConnected) view.destroy();
  }, 0);
}
