// Shared by the page (live_view.js) and its painter (live_painter.js, a worker):
// the colour scale and the network's geometry, so both agree on every pixel.

const ORANGE = [245, 147, 34], NEUTRAL = [232, 234, 235], BLUE = [8, 119, 189];
const CLASS_RGB = [[245, 147, 34], [8, 119, 189], [44, 160, 44], [142, 68, 173],
                   [214, 39, 40], [23, 190, 207]];
const TEXT = "#1f2328", MUTED = "#57606a";

// ------------------------------------------------------------------ colours
// The diverging scale (TensorFlow Playground's): orange −1, light grey 0, blue +1.
function diverging(value) {
  const t = Math.max(-1, Math.min(1, Number.isFinite(value) ? value : 0));
  const end = t < 0 ? ORANGE : BLUE, a = Math.abs(t);
  return [0, 1, 2].map((i) => Math.round(NEUTRAL[i] + (end[i] - NEUTRAL[i]) * a));
}
const LUT = (() => {  // 256 steps of the scale, RGBA packed for an ImageData
  const lut = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    const [r, g, b] = diverging(i / 127.5 - 1);
    lut[i] = (255 << 24) | (b << 16) | (g << 8) | r;
  }
  return lut;
})();
function lutIndex(value) {
  if (!(value === value)) return 128;  // NaN: neutral
  const i = Math.round((value + 1) * 127.5);
  return i < 0 ? 0 : i > 255 ? 255 : i;
}
function css([r, g, b], alpha = 1) { return `rgba(${r},${g},${b},${alpha})`; }

// ------------------------------------------------------------- the network
// Columns of neuron tiles, links as curves as wide as |w|, each bias a small
// square at its tile's lower left; every neuron's map painted from an atlas.
function networkGeometry(sizes, width) {
  const columns = sizes.length, rows = Math.max(...sizes);
  const left = 58, right = 12, top = 40, bottom = 8;
  const usable = Math.max(120, width - left - right);
  const tile = Math.max(18, Math.min(44, usable / (columns + (columns - 1) * 1.9)));
  const pitchX = columns > 1 ? (usable - tile) / (columns - 1) : 0;
  const pitchY = tile * 1.3;
  const height = top + bottom + (rows - 1) * pitchY + tile;
  const tiles = sizes.map((count, layer) => Array.from({ length: count }, (_, i) => ({
    layer, index: i,
    x: left + layer * pitchX,
    y: top + ((rows - count) / 2 + i) * pitchY,
  })));
  return { sizes, width, height, tile, tiles, bias: Math.max(5, Math.round(tile * 0.26)) };
}

function linkPath(from, to, tile) {
  const x0 = from.x + tile, y0 = from.y + tile / 2, x1 = to.x, y1 = to.y + tile / 2;
  const mid = (x0 + x1) / 2;
  return [x0, y0, mid, y0, mid, y1, x1, y1];
}

function bezierPoint([x0, y0, c1x, c1y, c2x, c2y, x1, y1], t) {
  const u = 1 - t;
  return [u * u * u * x0 + 3 * u * u * t * c1x + 3 * u * t * t * c2x + t * t * t * x1,
          u * u * u * y0 + 3 * u * u * t * c1y + 3 * u * t * t * c2y + t * t * t * y1];
}

// The weights' colour limit: the largest |weight| (biases excluded) rounded up to a
// "nice" step, so the colour bar rarely changes. The page sets it on the colour bar
// before its first plot, the painter colours the cells with it.
function weightScale(params, layers) {
  let limit = 0;
  for (let i = 0; i < layers.at(-1).biases; i++) {
    if (Number.isFinite(params[i])) limit = Math.max(limit, Math.abs(params[i]));
  }
  return limit > 0 ? niceCeil(limit) : 1;
}

function niceCeil(value) {
  const power = Math.pow(10, Math.floor(Math.log10(value)));
  for (const step of [1, 2, 5, 10]) if (value <= step * power) return step * power;
  return 10 * power;
}

