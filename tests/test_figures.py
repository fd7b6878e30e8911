"""Figures show the network's real numbers (decoded from what the browser receives)."""

import json

import numpy as np
import pytest

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
                   figures.weights_figure(trained), figures.loss_figure(trained, True)):
        json.dumps(figure, allow_nan=False)


def test_output_map_is_the_networks_prediction_on_the_grid(trained):
    figure = figures.output_figure(trained)
    heatmap = figure["data"][0]
    z = decode(heatmap["z"]).astype(float)
    coords, points = figures.grid_points(figures.OUTPUT_RESOLUTION)
    expected = 2 * trained.net.predict(datasets.features(points, trained.data.features)) - 1
    assert np.allclose(z.ravel(), expected[:, 0], atol=1e-5)  # float32 drawing
    assert heatmap["x0"] == pytest.approx(coords[0]) and heatmap["dx"] == pytest.approx(0.12)


def test_output_points_are_the_training_data(trained):
    figure = figures.output_figure(trained, show_test=True)
    (train,) = by_name(figure, "training")
    (test,) = by_name(figure, "test")
    assert np.array_equal(decode(train["x"]), trained.data.X_train[:, 0])
    assert np.array_equal(decode(test["y"]), trained.data.X_test[:, 1])
    assert not by_name(figures.output_figure(trained, show_test=False), "test")


def test_discretized_output_is_the_predicted_class(trained):
    z = decode(figures.output_figure(trained, discretize=True)["data"][0]["z"]).ravel()
    _, points = figures.grid_points(figures.OUTPUT_RESOLUTION)
    classes = trained.net.predict_classes(datasets.features(points, trained.data.features))
    agree = np.mean((z > 0) == (classes == 1))
    assert agree > 0.999  # float32 rounding can flip a cell sitting on the boundary


def test_multiclass_output_encodes_the_winning_class():
    session = TrainingSession(DEFAULT.replace(dataset="blobs", classes=4))
    session.train_epochs(10)
    z = decode(figures.output_figure(session)["data"][0]["z"]).ravel()
    _, points = figures.grid_points(figures.OUTPUT_RESOLUTION)
    winner = session.net.predict_classes(datasets.features(points, session.data.features))
    assert np.array_equal(np.floor(z).astype(int), winner)


def tile(figure, layer, index, count):
    """Neuron ``index`` of a column's heatmap (bottom neuron first, empty rows between)."""
    column = next(t for t in figure["data"] if t.get("name") == f"column {layer}")
    z = decode(column["z"]).astype(float)
    size, gap = figures.THUMBNAIL, figures.GAP_CELLS
    start = (count - 1 - index) * (size + gap)
    return z[start:start + size], column


def test_network_tiles_show_each_neurons_activation(trained):
    figure = figures.network_figure(trained)
    forward = trained.net.forward(figures.grid_features(trained.data.features,
                                                        figures.THUMBNAIL))
    z, column = tile(figure, 1, 1, 5)
    assert np.allclose(z.ravel(), forward.activations[1][:, 1], atol=1e-5)  # tanh: as is
    out, _ = tile(figure, 3, 0, 1)
    assert np.allclose(out.ravel(), 2 * forward.activations[-1][:, 0] - 1, atol=1e-5)
    assert np.isnan(decode(column["z"])).sum() == 4 * figures.GAP_CELLS * figures.THUMBNAIL
    (neurons,) = by_name(figure, "neurons 1")
    assert f"bias = {figures.fmt(trained.net.biases[0][1])}" in neurons["text"][1]
    assert neurons["text"][1].startswith("<b>Layer 1 · neuron 2</b>")


def test_links_carry_every_weight_with_its_exact_value(trained):
    figure = figures.network_figure(trained)
    (links,) = by_name(figure, "links")
    weights = trained.net.weights
    assert len(links["customdata"]) == sum(w.size for w in weights)
    for (layer, j, k), text in zip(links["customdata"], links["text"]):
        assert f"weight = {figures.fmt(weights[layer][j, k])}" in text
    (biases,) = by_name(figure, "biases")
    expected = np.concatenate([b for b in trained.net.biases])
    assert np.allclose(biases["marker"]["color"], expected)


def test_link_thickness_and_colour_follow_the_weights(trained):
    figure = figures.network_figure(trained)
    line_traces = [t for t in figure["data"] if t.get("mode") == "lines"]
    segments = sum(len(t["x"]) // 3 for t in line_traces)
    weights = np.concatenate([w.ravel() for w in trained.net.weights])
    assert segments == np.count_nonzero(weights)
    blue = sum(len(t["x"]) // 3 for t in line_traces if t["line"]["color"] == figures.BLUE)
    assert blue == np.count_nonzero(weights > 0)


def test_weight_heatmaps_share_a_symmetric_scale(trained):
    figure = figures.weights_figure(trained)
    heatmaps = figure["data"]
    assert len(heatmaps) == len(trained.net.weights)
    limit = max(np.abs(w).max() for w in trained.net.weights)
    for heatmap, weights in zip(heatmaps, trained.net.weights):
        assert np.array_equal(decode(heatmap["z"]), weights)
        assert heatmap["zmin"] == -limit and heatmap["zmax"] == limit


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
                   figures.weights_figure(session)):
        text = json.dumps(figure, allow_nan=False)  # raises on NaN/inf numbers
        for trace in figure["data"]:
            if isinstance(trace.get("z"), dict) and not trace.get("name", "").startswith("column"):
                assert np.isfinite(decode(trace["z"])).all()
        assert text
    z, _ = tile(figures.network_figure(session), 1, 0, 8)  # empty rows between neurons
    assert np.isfinite(z).all()
