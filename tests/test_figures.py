"""Figures show the network's real numbers (decoded from what the browser receives)."""

import json

import numpy as np
import pytest
from scipy.ndimage import zoom

from mikir import datasets
from playground import figures
from playground.config import DEFAULT
from playground.figures import decode
from playground.session import TrainingSession


@pytest.fixture(scope="module")
def trained():
    session = TrainingSession(DEFAULT.replace(dataset="spiral", hidden=(5, 3),
                                              features=("x1", "x2", "x1_squared")))
    session.train_epochs(20)
    session.record()
    return session


def by_name(figure, name):
    return [t for t in figure["data"] if t.get("name") == name]


def test_typed_arrays_round_trip():
    array = np.arange(12, dtype=float).reshape(3, 4) / 7
    assert np.array_equal(decode(figures.typed(array, "f8")), array)
    assert decode(figures.typed(array))[1, 2] == np.float32(array[1, 2])


def test_figures_are_json_serializable(trained):
    for figure in (figures.network_figure(trained), figures.output_figure(trained, True, True),
                   figures.weights_axes_figure(trained)[0], figures.loss_figure(trained, True)):
        json.dumps(figure, allow_nan=False)


def output_map(figure) -> np.ndarray:
    """The output heatmap's cells back on −1…+1 (one byte each on the way)."""
    heatmap = figure["data"][0]
    assert heatmap["zmin"] == 0 and heatmap["zmax"] == figures.GAP
    return decode(heatmap["z"]).astype(float) * 2 / figures.LEVELS - 1


def test_output_map_is_the_networks_prediction_on_the_grid(trained):
    figure = figures.output_figure(trained)
    heatmap = figure["data"][0]
    coords, points = figures.grid_points(figures.OUTPUT_RESOLUTION)
    expected = 2 * trained.net.predict(datasets.features(points, trained.data.features)) - 1
    grid = expected[:, 0].reshape(len(coords), len(coords))
    # drawn on a grid twice as fine, interpolated as image resizing does
    fine = zoom(grid, 2, order=1, grid_mode=True, mode="nearest")
    assert np.allclose(output_map(figure), fine, atol=1 / figures.LEVELS + 1e-5)
    step = coords[1] - coords[0]
    assert heatmap["dx"] == pytest.approx(step / 2)
    assert heatmap["x0"] - heatmap["dx"] / 2 == pytest.approx(figures.LOW)  # edge to edge
    assert heatmap["zsmooth"] == "fast"


def test_output_points_are_the_training_data(trained):
    figure = figures.output_figure(trained, show_test=True)
    (train,) = by_name(figure, "training")  # hover and click targets
    (test,) = by_name(figure, "test")
    data = trained.data
    assert np.array_equal(decode(train["x"]), data.X_train[:, 0].astype(np.float32))
    assert np.array_equal(decode(test["y"]), data.X_test[:, 1].astype(np.float32))
    assert train["meta"] == "hover" and train["visible"] is False
    assert [c[0] for c in train["customdata"]] == list(range(len(data.X_train)))
    assert train["customdata"][5][1] == data.y_train[5]
    assert "class = %{customdata[1]}" in train["hovertemplate"]
    assert not by_name(figures.output_figure(trained, show_test=False), "test")
    # What is drawn: one marker per point, in its class colour, as big on screen at
    # any zoom (shapes in data units grew into big rings when zoomed in).
    for name, X, y in (("training", data.X_train, data.y_train),
                       ("test", data.X_test, data.y_test)):
        (drawn,) = by_name(figure, f"{name} points")
        assert drawn["mode"] == "markers" and "fill" not in drawn
        assert np.array_equal(decode(drawn["x"]), X[:, 0].astype(np.float32))
        assert np.array_equal(decode(drawn["y"]), X[:, 1].astype(np.float32))
        assert drawn["marker"]["size"] == figures.POINT_SIZE == 7  # px, as the live view
        assert drawn["marker"]["color"] == [figures.CLASS_COLORS[int(k)] for k in y]
    assert not [t for t in figure["data"] if t.get("fill") or t.get("mode") == "lines"]


def test_discretized_output_is_the_predicted_class(trained):
    z = output_map(figures.output_figure(trained, discretize=True))
    coords, points = figures.grid_points(figures.OUTPUT_RESOLUTION)
    classes = trained.net.predict_classes(datasets.features(points, trained.data.features))
    sign = np.where(classes == 1, 1.0, -1.0).reshape(len(coords), len(coords))
    expected = zoom(sign, 2, order=1, grid_mode=True, mode="nearest")
    agree = np.mean(np.abs(z - expected) <= 1 / figures.LEVELS + 1e-6)
    assert agree > 0.999  # float32 rounding can flip a cell sitting on the boundary


def test_multiclass_output_encodes_the_winning_class():
    session = TrainingSession(DEFAULT.replace(dataset="blobs", classes=4))
    session.train_epochs(10)
    z = decode(figures.output_figure(session)["data"][0]["z"]).ravel()
    _, points = figures.grid_points(figures.OUTPUT_RESOLUTION)
    winner = session.net.predict_classes(datasets.features(points, session.data.features))
    assert np.array_equal(np.floor(z).astype(int), winner)


def neuron_map(figure) -> tuple[np.ndarray, dict]:
    """The graph's one heatmap, decoded back to −1…+1 (NaN where no tile is)."""
    (heatmap,) = by_name(figure, "neurons map")
    codes = decode(heatmap["z"]).astype(float)
    values = codes * 2 / figures.LEVELS - 1
    values[codes == figures.GAP] = np.nan
    return values, heatmap


def tile(figure, layer, index, sizes):
    """The cells of neuron ``index`` in column ``layer``: those centred inside its tile."""
    values, heatmap = neuron_map(figure)
    cx, cy = figures.neuron_positions(sizes)[layer][index]
    xs = heatmap["x0"] + heatmap["dx"] * np.arange(values.shape[1])
    ys = heatmap["y0"] + heatmap["dy"] * np.arange(values.shape[0])
    half = figures.TILE / 2
    rows = np.flatnonzero(np.abs(ys - cy) < half)
    columns = np.flatnonzero(np.abs(xs - cx) < half)
    return values[np.ix_(rows, columns)]


def test_network_tiles_show_each_neurons_activation(trained):
    figure = figures.network_figure(trained)
    sizes = trained.net.layer_sizes
    forward = trained.net.forward(figures.grid_features(trained.data.features,
                                                        figures.THUMBNAIL))
    step = 1 / figures.LEVELS  # one byte per cell: half a level of rounding on −1…+1
    z = tile(figure, 1, 1, sizes)
    assert z.shape == (figures.THUMBNAIL, figures.THUMBNAIL)
    assert np.allclose(z.ravel(), forward.activations[1][:, 1], atol=step + 1e-5)  # tanh
    out = tile(figure, 3, 0, sizes)
    assert np.allclose(out.ravel(), 2 * forward.activations[-1][:, 0] - 1, atol=step + 1e-5)
    feature = tile(figure, 0, 2, sizes)  # x1²: the feature itself, scaled to ±1
    expected = forward.activations[0][:, 2] / np.abs(forward.activations[0][:, 2]).max()
    assert np.allclose(feature.ravel(), expected, atol=step + 1e-5)
    values, _ = neuron_map(figure)
    tiles = sum(sizes) * figures.THUMBNAIL ** 2
    biases = sum(sizes[1:]) * figures.BIAS_CELLS ** 2
    assert np.isfinite(values).sum() == tiles + biases  # everything else is see-through
    (neurons,) = by_name(figure, "neurons")
    text = neurons["text"][sizes[0] + 1]  # layer 1, neuron 2
    assert text.startswith("<b>Layer 1 · neuron 2</b>")
    assert f"bias = {figures.fmt(trained.net.biases[0][1])}" in text


def test_links_carry_every_weight_with_its_exact_value(trained):
    figure = figures.network_figure(trained)
    (links,) = by_name(figure, "links")
    weights = trained.net.weights
    assert len(links["customdata"]) == sum(w.size for w in weights)
    sizes, features = trained.net.layer_sizes, trained.data.features
    # the browser fills the template with each link's exact weight
    assert links["hovertemplate"] == "%{text}<br>weight = %{customdata[3]:.4g}"
    for (layer, j, k, value), text in zip(links["customdata"], links["text"]):
        assert value == weights[layer][j, k]  # shown on hover, and the editor starts from it
        assert text == (f"{figures.neuron_name(layer, j, sizes, features)} → "
                        f"{figures.neuron_name(layer + 1, k, sizes, features)}")
    (biases,) = by_name(figure, "biases")
    expected = np.concatenate([b for b in trained.net.biases])
    assert [d[3] for d in biases["customdata"]] == expected.tolist()
    assert all(d[2] == -1 for d in biases["customdata"])
    # each bias is drawn as a square of cells in the graph's heatmap, on its scale
    values, heatmap = neuron_map(figure)
    xs = heatmap["x0"] + heatmap["dx"] * np.arange(values.shape[1])
    ys = heatmap["y0"] + heatmap["dy"] * np.arange(values.shape[0])
    half = figures.BIAS_CELLS / 2 * heatmap["dx"]
    for x, y, value in zip(decode(biases["x"]), decode(biases["y"]), expected):
        cells = values[np.ix_(np.abs(ys - y) < half, np.abs(xs - x) < half)]
        assert cells.shape == (figures.BIAS_CELLS, figures.BIAS_CELLS)
        assert np.allclose(cells, np.clip(value, -1, 1), atol=1 / figures.LEVELS + 1e-6)


def test_link_width_and_colour_follow_each_weight(trained):
    """Every link is a quadrilateral from neuron to neuron as wide as its |w| says."""
    width = 640
    figure = figures.network_figure(trained, width=width)
    sizes = trained.net.layer_sizes
    positions = figures.neuron_positions(sizes)
    x_range = figure["layout"]["xaxis"]["range"]
    margin = figure["layout"]["margin"]
    px_per_unit = (width - margin["l"] - margin["r"]) / (x_range[1] - x_range[0])
    ends = {}
    for layer, matrix in enumerate(trained.net.weights):
        for j in range(matrix.shape[0]):
            for k in range(matrix.shape[1]):
                start = positions[layer][j][0] + figures.TILE / 2, positions[layer][j][1]
                end = positions[layer + 1][k][0] - figures.TILE / 2, positions[layer + 1][k][1]
                ends[np.round(start + end, 4).tobytes()] = matrix[j, k]
    seen = 0
    for trace in by_name(figure, "links +1") + by_name(figure, "links -1"):
        corners = np.column_stack([decode(trace["x"]), decode(trace["y"])]).reshape(-1, 5, 2)
        assert np.isnan(corners[:, 4]).all()  # a gap after each polygon
        for quad in corners[:, :4].astype(float):
            start, end = (quad[0] + quad[3]) / 2, (quad[1] + quad[2]) / 2
            weight = ends[np.round(np.concatenate([start, end]), 4).astype(float).tobytes()]
            strength = min(abs(weight) / 5, 1) ** 0.6
            expected = figures.LINK_PX[0] + (figures.LINK_PX[1] - figures.LINK_PX[0]) * strength
            assert np.hypot(*(quad[0] - quad[3])) * px_per_unit == pytest.approx(expected,
                                                                               rel=1e-3)
            assert (weight > 0) == (trace["name"] == "links +1")
            assert figures._rgba(figures.BLUE if weight > 0 else figures.ORANGE, 0)[:-2] \
                in trace["fillcolor"]
            seen += 1
    assert seen == sum(np.count_nonzero(w) for w in trained.net.weights)


def test_weight_axes_place_every_matrix_block_by_block(trained):
    """The page paints weight [i][j, k] at column blocks[i].left + j, row k."""
    figure, blocks, rows = figures.weights_axes_figure(trained)
    weights = trained.net.weights
    assert rows == max(w.shape[1] for w in weights)
    left = 0
    for block, matrix in zip(blocks, weights):
        assert block["left"] == left  # one empty column between blocks
        left += matrix.shape[0] + 1
    assert figure["layout"]["xaxis"]["range"] == [-0.5, left - 1 - 0.5]
    assert figure["layout"]["yaxis"]["range"][0] == rows - 0.5
    titles = [a["text"] for a in figure["layout"]["annotations"]]
    assert [t.split("</b>")[0] for t in titles] == [f"<b>W{i + 1}" for i in range(len(weights))]
    (colour_bar,) = figure["data"]
    assert colour_bar["type"] == "heatmap" and colour_bar["colorscale"] == figures.DIVERGING


def test_loss_curve_is_the_history(trained):
    figure = figures.loss_figure(trained, log_scale=True)
    (train,) = by_name(figure, "training loss")
    assert np.array_equal(decode(train["y"]), trained.history.train_loss)
    assert np.array_equal(decode(train["x"]), trained.history.epoch)
    assert figure["layout"]["yaxis"]["type"] == "log"
    (accuracy,) = by_name(figure, "test accuracy")
    assert np.allclose(decode(accuracy["y"]), trained.history.test_accuracy)


def test_nan_never_reaches_a_chart():
    session = TrainingSession(DEFAULT.replace(dataset="plane", activation="relu",
                                              hidden=(8, 8, 8), learning_rate=10.0))
    session.train_epochs(50)
    assert session.diverged
    session.net._params[:3] = np.nan  # the worst case: weights already broken
    for figure in (figures.network_figure(session), figures.output_figure(session),
                   figures.weights_axes_figure(session)[0]):
        text = json.dumps(figure, allow_nan=False)  # raises on NaN/inf numbers
        assert text
    (output,) = by_name(figures.output_figure(session), "output")
    assert np.isfinite(decode(output["z"])).all()
    z = tile(figures.network_figure(session), 1, 0, session.net.layer_sizes)
    assert np.isfinite(z).all()


def test_accuracy_has_its_own_percent_axis_and_epoch_zero_starts_at_zero():
    session = TrainingSession(DEFAULT)
    layout = figures.loss_figure(session)["layout"]
    assert layout["yaxis2"]["tickvals"] == [0, 0.25, 0.5, 0.75, 1.0]
    assert layout["yaxis2"]["ticktext"][-1] == "100 %"
    assert layout["xaxis"]["range"] == [0, 1]  # one point: not an axis of −1…1
    session.train_epochs(3)
    session.record()
    assert "range" not in figures.loss_figure(session)["layout"]["xaxis"]
