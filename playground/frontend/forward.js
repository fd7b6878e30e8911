// mikir's forward pass, in the browser, for drawing: every neuron's map over the
// input plane is computed here from the weights a frame carries (a few hundred
// numbers), instead of being sent as pixels. tests/test_forward_js.py holds it
// equal to mikir's NeuralNetwork.forward within float32 precision.
const MikirForward = (() => {
  const FEATURES = {
    x1: (a, b) => a,
    x2: (a, b) => b,
    x1_squared: (a, b) => a * a,
    x2_squared: (a, b) => b * b,
    x1_times_x2: (a, b) => a * b,
    sin_x1: (a, b) => Math.sin(a),
    sin_x2: (a, b) => Math.sin(b),
  };
  const LEAKY_SLOPE = 0.01; // as mikir (PyTorch's default)

  // Where each layer's weights (fan_in × fan_out, row-major) and biases sit in
  // the flat parameter vector: every weight matrix first, then every bias.
  function layout(sizes) {
    const layers = [];
    let offset = 0;
    for (let l = 0; l + 1 < sizes.length; l++) {
      layers.push({ fanIn: sizes[l], fanOut: sizes[l + 1], weights: offset, biases: 0 });
      offset += sizes[l] * sizes[l + 1];
    }
    for (const layer of layers) {
      layer.biases = offset;
      offset += layer.fanOut;
    }
    return { layers, count: offset };
  }

  // Feature rows for points (x, y): Float32Array of n × features.
  function features(names, xs, ys) {
    const n = xs.length, f = names.length;
    const out = new Float32Array(n * f);
    const funcs = names.map((name) => FEATURES[name]);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < f; j++) out[i * f + j] = funcs[j](xs[i], ys[i]);
    }
    return out;
  }

  // Points of an r × r grid over [x0, x1] × [y0, y1], cell centres, the first
  // row at the top (y1), as a canvas draws rows.
  function grid(resolution, x0, x1, y0, y1) {
    const n = resolution * resolution;
    const xs = new Float32Array(n), ys = new Float32Array(n);
    const dx = (x1 - x0) / resolution, dy = (y1 - y0) / resolution;
    for (let row = 0; row < resolution; row++) {
      const y = y1 - dy * (row + 0.5);
      for (let col = 0; col < resolution; col++) {
        xs[row * resolution + col] = x0 + dx * (col + 0.5);
        ys[row * resolution + col] = y;
      }
    }
    return { xs, ys };
  }

  // Every layer's activations for n input rows: [inputs, hidden..., output],
  // each a Float32Array of n × size. ``net`` = {sizes, hidden: [activation per
  // hidden layer], output: activation of the output layer ("softmax" too)}.
  // ``reuse`` (an earlier result for the same net and n) is overwritten in place:
  // drawing calls this every frame, and fresh arrays cost garbage collections.
  function forward(net, params, inputs, n, reuse = null) {
    const { layers } = layout(net.sizes);
    const out = [inputs];
    let a = inputs;
    layers.forEach((layer, l) => {
      const { fanIn, fanOut } = layer;
      const w = layer.weights, b = layer.biases;
      const old = reuse?.[l + 1];
      const z = old && old.length === n * fanOut ? old : new Float32Array(n * fanOut);
      for (let i = 0; i < n; i++) {
        const row = i * fanIn;
        for (let k = 0; k < fanOut; k++) {
          let sum = params[b + k];
          for (let j = 0; j < fanIn; j++) sum += a[row + j] * params[w + j * fanOut + k];
          z[i * fanOut + k] = sum;
        }
      }
      activate(l < layers.length - 1 ? net.hidden[l] : net.output, z, n, fanOut);
      out.push(z);
      a = z;
    });
    return out;
  }

  // In place; one loop per activation (a call per value cost ~3x here).
  function activate(name, z, n, k) {
    const count = z.length;
    if (name === "tanh") for (let i = 0; i < count; i++) z[i] = Math.tanh(z[i]);
    else if (name === "relu") for (let i = 0; i < count; i++) z[i] = z[i] > 0 ? z[i] : 0;
    else if (name === "leaky_relu") {
      for (let i = 0; i < count; i++) z[i] = z[i] > 0 ? z[i] : LEAKY_SLOPE * z[i];
    } else if (name === "sigmoid") {
      for (let i = 0; i < count; i++) z[i] = 0.5 + 0.5 * Math.tanh(0.5 * z[i]);
    } else if (name === "softmax") softmax(z, n, k);
    else if (name !== "linear") throw new Error(`unknown activation ${name}`);
  }

  function softmax(z, n, k) {
    for (let i = 0; i < n; i++) {
      let top = -Infinity;
      for (let c = 0; c < k; c++) top = Math.max(top, z[i * k + c]);
      let total = 0;
      for (let c = 0; c < k; c++) {
        const e = Math.exp(z[i * k + c] - top);
        z[i * k + c] = e;
        total += e;
      }
      for (let c = 0; c < k; c++) z[i * k + c] /= total;
    }
  }

  return { FEATURES, layout, features, grid, forward };
})();
