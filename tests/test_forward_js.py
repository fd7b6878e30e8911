"""The browser's forward pass (playground/frontend/forward.js) against mikir's.

The live view draws every neuron's map from the weights in the page, so the
page holds a second implementation of the forward pass. Here it runs in
Chromium on random networks (every activation, softmax, 0-4 hidden layers,
random features) and must equal NeuralNetwork.forward within float32 precision
(the page computes in float32, from float32 weights as the wire carries them).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import mikir
from mikir import datasets

FORWARD_JS = Path(__file__).resolve().parents[1] / "playground" / "frontend" / "forward.js"
ACTIVATIONS = ("tanh", "relu", "leaky_relu", "sigmoid", "linear")


@pytest.fixture(scope="module")
def js(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_content("<html><body></body></html>")
    page.add_script_tag(content=FORWARD_JS.read_text() + "\nwindow.MikirForward = MikirForward;")
    yield page
    context.close()


def browser_forward(page, sizes, hidden, output, features, params, points):
    return page.evaluate(
        """([net, params, xs, ys]) => {
          const F = window.MikirForward;
          const inputs = F.features(net.features, Float32Array.from(xs), Float32Array.from(ys));
          const layers = F.forward(net, Float32Array.from(params), inputs, xs.length);
          return layers.map((a) => Array.from(a));
        }""",
        [{"sizes": sizes, "hidden": hidden, "output": output, "features": features},
         params.tolist(), points[:, 0].tolist(), points[:, 1].tolist()])


CASES = [(hidden_layers, activation, output)
         for hidden_layers in (0, 1, 2, 4)
         for activation in ACTIVATIONS
         for output in ("sigmoid", "softmax", "linear", "tanh")
         if not (hidden_layers == 0 and activation != "tanh")]


@pytest.mark.parametrize(("hidden_layers", "activation", "output"), CASES)
def test_browser_forward_equals_mikir(js, hidden_layers, activation, output):
    rng = np.random.default_rng(hidden_layers * 100 + ACTIVATIONS.index(activation) * 10
                                + len(output))
    features = [f for f in datasets.FEATURES if rng.random() < 0.6] or ["x1"]
    hidden = [int(n) for n in rng.integers(1, 9, size=hidden_layers)]
    outputs = 3 if output == "softmax" else 1
    loss = "categorical_crossentropy" if output == "softmax" else "mse"
    net = mikir.NeuralNetwork(len(features), *hidden, outputs, activation=activation,
                              output_activation=output, loss=loss, init="xavier",
                              seed=int(rng.integers(1000)))
    # weights as the wire carries them (float32), larger than an init so every
    # activation's both sides are exercised
    params = (net.get_parameters() * 2.5).astype(np.float32)
    net.set_parameters(params.astype(np.float64))
    points = rng.uniform(-6, 6, size=(50, 2))
    got = browser_forward(js, list(net.layer_sizes), [activation] * hidden_layers, output,
                          features, params, points)
    expected = net.forward(datasets.features(points, features)).activations
    assert len(got) == len(expected)
    for layer, (a, b) in enumerate(zip(got, expected)):
        a = np.asarray(a).reshape(b.shape)
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-5,
                                   err_msg=f"layer {layer} of {net.layer_sizes}")


def test_grid_rows_run_from_the_top_as_a_canvas_draws_them(js):
    got = js.evaluate("""() => { const g = window.MikirForward.grid(4, -6, 6, -6, 6);
                                 return [Array.from(g.xs), Array.from(g.ys)]; }""")
    xs, ys = np.asarray(got[0]).reshape(4, 4), np.asarray(got[1]).reshape(4, 4)
    np.testing.assert_allclose(xs[0], [-4.5, -1.5, 1.5, 4.5])
    np.testing.assert_allclose(ys[:, 0], [4.5, 1.5, -1.5, -4.5])


def test_parameter_layout_is_mikirs(js):
    net = mikir.NeuralNetwork(3, 4, 2, 1, seed=0)
    layout = js.evaluate("(sizes) => window.MikirForward.layout(sizes)", [3, 4, 2, 1])
    assert layout["count"] == len(net.get_parameters())
    flat = net.get_parameters()
    for i, layer in enumerate(layout["layers"]):
        weights = flat[layer["weights"]:layer["weights"] + layer["fanIn"] * layer["fanOut"]]
        np.testing.assert_array_equal(weights.reshape(layer["fanIn"], layer["fanOut"]),
                                      net.weights[i])
        np.testing.assert_array_equal(flat[layer["biases"]:layer["biases"] + layer["fanOut"]],
                                      net.biases[i])
