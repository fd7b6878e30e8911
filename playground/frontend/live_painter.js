// The live view's painter, in a worker: every neuron's map, the output map and
// the weight cells are computed and drawn here, off the page's main thread, and
// handed to the page as ImageBitmaps (copied out of its canvases, then transferred).
// The page keeps what needs it: plotly's axes, hover, zoom, the status and the loss
// curve.
// (forward.js and live_common.js are prepended to this file by live_view.py.)
//
// Messages in:  {type: "scene", scene}   the network's shape, geometry, layout
//               {type: "paint", id, frame, view}   draw this frame as seen now
// Message out:  {type: "painted", id, network, output, weights, scale}
//               {type: "ready"} once, as the first paint begins

const THUMB = 24;           // a neuron's map: THUMB × THUMB points
// The output map's grid: work (multiply-adds, and an activation counted as 8)
// per map; 80 × 80 points at the defaults, down to 56 × 56 for the largest
// network, scaled up smoothly by the compositor.
const MAP_BUDGET = 5e5;
const MAP_GRID = [56, 80];
const CELL_PX = 12;         // a weight's cell, before the page scales it to the axes

class Painter {
  constructor() {
    this.scene = null;
    this.networkCanvas = new OffscreenCanvas(1, 1);
    this.weightsCanvas = new OffscreenCanvas(1, 1);
    this.atlas = new OffscreenCanvas(1, 1);
  }

  // Every canvas at the size this paint needs. In Chromium a worker's canvas waits for
  // a task of the page's main thread when it gets a new backing store: at its first
  // drawing, after each resize and after each transferToImageBitmap (the first frame
  // waited ~200 ms while plotly drew its first charts). So the sizes are set first
  // (`sized` tells the page, which waits for the first), and each result is copied
  // out (createImageBitmap, < 1 ms) rather than transferred.
  fit(view) {
    const { geometry, dpr, net, weights } = this.scene;
    const total = net.sizes.reduce((a, b) => a + b, 0);
    const sizes = [[this.networkCanvas, Math.max(1, Math.round(geometry.width * dpr)),
                    Math.max(1, Math.round(geometry.height * dpr))],
                   [this.atlas, THUMB * total, THUMB]];
    if (weights && view.columns) {
      sizes.push([this.weightsCanvas, view.columns * CELL_PX, weights.rows * CELL_PX]);
    }
    for (const [canvas, width, height] of sizes) {
      if (canvas.width !== width || canvas.height !== height) {
        canvas.width = width;
        canvas.height = height;
        canvas.getContext("2d").clearRect(0, 0, 1, 1);
      }
    }
  }

  setScene(scene) {
    const shape = JSON.stringify([scene.net.sizes, scene.net.features, scene.net.hidden,
                                  scene.net.output]);
    if (shape !== this.shape) {
      this.shape = shape;
      this.thumbInputs = null;
      this.mapKey = null;
    }
    this.scene = scene;
  }

  // Each bitmap is a copy of its canvas as drawn (taken before the next one is drawn).
  async paint(frame, view, sized = null) {
    this.fit(view);
    sized?.();
    const params = frame.params;
    this.computeMaps(params, view.range);
    const network = this.drawNetwork(params, view.hover);
    const output = this.drawOutput(view);
    const { bitmap: weights, scale } = this.drawWeights(params, view.columns);
    return { network: await network, output: await output, weights: await weights, scale };
  }

  // Every neuron's map (THUMB² points over the whole plane), and the output
  // view's map over the range its axes show now (zoom included).
  computeMaps(params, range) {
    const net = this.scene.net;
    const F = MikirForward;
    if (!this.thumbInputs) {
      const g = F.grid(THUMB, -6, 6, -6, 6);
      this.thumbInputs = F.features(net.features, g.xs, g.ys);
    }
    this.thumbs = F.forward(net, params, this.thumbInputs, THUMB * THUMB, this.thumbs);
    const work = net.sizes.slice(1).reduce((sum, size, l) => sum + size * (net.sizes[l] + 8), 0);
    const resolution = Math.max(MAP_GRID[0], Math.min(MAP_GRID[1],
                                                      Math.floor(Math.sqrt(MAP_BUDGET / work))));
    const key = JSON.stringify([range, resolution]);
    if (this.mapKey !== key) {
      const g = F.grid(resolution, range[0], range[1], range[2], range[3]);
      this.mapInputs = F.features(net.features, g.xs, g.ys);
      this.mapKey = key;
      this.mapResolution = resolution;
    }
    this.maps = F.forward(net, params, this.mapInputs, resolution * resolution, this.maps);
  }

  // Values of one neuron on the −1…+1 scale: inputs scaled by their largest
  // size, sigmoid and softmax outputs as 2p − 1, others as they are.
  display(layer, values, index, count, scale = null) {
    const net = this.scene.net;
    const last = layer === net.sizes.length - 1;
    const name = layer === 0 ? "input" : last ? net.output : net.hidden[layer - 1];
    const n = values.length / count;
    const out = new Float32Array(n);
    let top = scale || 1e-9;
    if (layer === 0 && !scale) for (let i = 0; i < n; i++) top = Math.max(top, Math.abs(values[i * count + index]));
    for (let i = 0; i < n; i++) {
      const v = values[i * count + index];
      out[i] = layer === 0 ? v / top
        : (name === "sigmoid" || name === "softmax") ? 2 * v - 1 : v;
    }
    return out;
  }

  // Links as curves as wide as |w|, each neuron's map from an atlas, the biases;
  // the column titles and names are drawn once by the page, under this layer.
  drawNetwork(params, hover) {
    const { geometry, layers, dpr } = this.scene;
    const canvas = this.networkCanvas;
    const context = canvas.getContext("2d");
    context.setTransform(dpr, 0, 0, dpr, 0, 0);
    const { tiles, tile, sizes } = geometry;
    context.clearRect(0, 0, geometry.width, geometry.height);
    context.lineCap = "round";
    layers.forEach((layer, l) => {
      for (let j = 0; j < layer.fanIn; j++) {
        for (let k = 0; k < layer.fanOut; k++) {
          const value = params[layer.weights + j * layer.fanOut + k];
          const strength = Math.pow(Math.min(Math.abs(value) / 5, 1), 0.6) || 0;
          const p = linkPath(tiles[l][j], tiles[l + 1][k], tile);
          context.strokeStyle = css(value < 0 ? ORANGE : BLUE, 0.3 + 0.6 * strength);
          context.lineWidth = 0.7 + 7 * strength;
          context.beginPath();
          context.moveTo(p[0], p[1]);
          context.bezierCurveTo(p[2], p[3], p[4], p[5], p[6], p[7]);
          context.stroke();
        }
      }
    });
    const total = sizes.reduce((a, b) => a + b, 0);
    const atlas = this.atlas;
    if (this.atlasImage?.width !== THUMB * total) this.atlasImage = new ImageData(THUMB * total, THUMB);
    const pixels = new Uint32Array(this.atlasImage.data.buffer);
    let column = 0;
    sizes.forEach((count, layer) => {
      for (let i = 0; i < count; i++, column++) {
        const values = this.display(layer, this.thumbs[layer], i, count);
        for (let p = 0; p < THUMB * THUMB; p++) {
          const row = Math.floor(p / THUMB), col = p % THUMB;
          pixels[row * THUMB * total + column * THUMB + col] = LUT[lutIndex(values[p])];
        }
      }
    });
    atlas.getContext("2d").putImageData(this.atlasImage, 0, 0);
    context.imageSmoothingEnabled = true;
    column = 0;
    sizes.forEach((count, layer) => {
      for (let i = 0; i < count; i++, column++) {
        const t = tiles[layer][i];
        context.drawImage(atlas, column * THUMB, 0, THUMB, THUMB, t.x, t.y, tile, tile);
        const hovered = hover && hover[0] === layer && hover[1] === i;
        context.strokeStyle = hovered ? TEXT : "rgba(0,0,0,0.25)";
        context.lineWidth = hovered ? 2 : 1;
        context.strokeRect(t.x + 0.5, t.y + 0.5, tile - 1, tile - 1);
        if (layer) {  // the bias: a small square at the tile's lower left
          const b = params[layers[layer - 1].biases + i];
          const s = geometry.bias;
          context.fillStyle = css(diverging(b));
          context.fillRect(t.x - s - 2, t.y + tile - s, s, s);
          context.strokeStyle = "rgba(0,0,0,0.45)";
          context.lineWidth = 1;
          context.strokeRect(t.x - s - 2 + 0.5, t.y + tile - s + 0.5, s - 1, s - 1);
        }
      }
    });
    return createImageBitmap(canvas);
  }

  // The map's own pixels (resolution²): the page scales them to the plot area.
  drawOutput(view) {
    const net = this.scene.net;
    const r = this.mapResolution;
    const last = net.sizes.length - 1;
    if (this.mapImage?.width !== r) this.mapImage = new ImageData(r, r);
    const pixels = new Uint32Array(this.mapImage.data.buffer);
    const hover = view.hover;
    if (hover) {
      const [layer, index] = hover;
      const values = this.display(layer, this.maps[layer], index, net.sizes[layer],
                                  layer === 0 ? this.inputScale(index) : null);
      for (let p = 0; p < r * r; p++) pixels[p] = LUT[lutIndex(values[p])];
    } else if (net.sizes[last] > 1) {  // classes: the winner's colour, paler when unsure
      const k = net.sizes[last], out = this.maps[last];
      for (let p = 0; p < r * r; p++) {
        let best = 0;
        for (let c = 1; c < k; c++) if (out[p * k + c] > out[p * k + best]) best = c;
        const confidence = view.discretize ? 1
          : Math.max(0, Math.min(1, (out[p * k + best] - 1 / k) / (1 - 1 / k)));
        const white = 0.85 - 0.45 * confidence;  // paler than the points
        const [cr, cg, cb] = CLASS_RGB[best % CLASS_RGB.length].map((c) => Math.round(c + (255 - c) * white));
        pixels[p] = (255 << 24) | (cb << 16) | (cg << 8) | cr;
      }
    } else {
      const values = this.display(last, this.maps[last], 0, 1);
      for (let p = 0; p < r * r; p++) {
        const v = view.discretize ? (values[p] >= 0 ? 1 : -1) : values[p];
        pixels[p] = LUT[lutIndex(0.62 * v)];  // never fully saturated: points keep their colour
      }
    }
    return createImageBitmap(this.mapImage);
  }

  inputScale(index) {  // an input feature's largest size over the whole plane
    const values = this.thumbs[0], count = this.scene.net.sizes[0];
    let top = 1e-9;
    for (let i = index; i < values.length; i += count) top = Math.max(top, Math.abs(values[i]));
    return top;
  }

  // One cell per weight (CELL_PX, one a gap), on a "nice" colour limit that
  // moves in steps, so the page's colour bar rarely changes.
  drawWeights(params, columns) {
    const weights = this.scene.weights;
    if (!weights || !columns) return { bitmap: null, scale: null };
    const { blocks } = weights;
    const layers = this.scene.layers;
    const scale = weightScale(params, layers);
    const canvas = this.weightsCanvas;
    const context = canvas.getContext("2d");
    context.clearRect(0, 0, canvas.width, canvas.height);
    blocks.forEach((block, i) => {
      const layer = layers[i];
      for (let k = 0; k < layer.fanOut; k++) {
        for (let j = 0; j < layer.fanIn; j++) {
          const value = params[layer.weights + j * layer.fanOut + k];
          context.fillStyle = css(diverging(value / scale));
          context.fillRect((block.left + j) * CELL_PX, k * CELL_PX, CELL_PX - 1, CELL_PX - 1);
        }
      }
    });
    return { bitmap: createImageBitmap(canvas), scale };
  }
}

const painter = new Painter();
// "ready": the first paint's canvases are sized (and the page's first messages, which
// reach a worker still starting only with a task of the page's main thread, are here),
// so the page may keep its main thread busy (plotly's first charts) while it paints.
let announced = false;
const announce = () => {
  if (!announced) self.postMessage({ type: "ready" });
  announced = true;
};
self.onmessage = async ({ data }) => {
  if (data.type === "scene") {
    painter.setScene(data.scene);
  } else if (data.type === "paint") {
    let painted;
    try {
      painted = await painter.paint(data.frame, data.view, announce);
    } catch (error) {
      self.postMessage({ type: "failed", id: data.id, message: String(error?.message || error) });
      return;
    }
    const bitmaps = [painted.network, painted.output, painted.weights].filter(Boolean);
    self.postMessage({ type: "painted", id: data.id, ...painted }, bitmaps);
  }
};
