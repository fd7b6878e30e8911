"""The learning-rate lab's computations and figures (playground/lab.py, lab_figures.py)."""

from __future__ import annotations

import copy
import json
import math
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import mikir
from playground import figures, lab
from playground import lab_figures as lf
from playground.config import Config
from playground.session import Data, TrainingSession, make_network, make_optimizer

ROOT = Path(__file__).resolve().parents[1]
REGRESSION = Config(dataset="plane", activation="relu", hidden=(4, 2))


def optimizer_state(optimizer) -> dict:
    """Every array and counter an optimizer keeps, copied."""
    return {k: copy.deepcopy(v) for k, v in vars(optimizer).items() if k != "_scratch"}


def assert_same_state(a: dict, b: dict):
    assert a.keys() == b.keys()
    for key in a:
        if isinstance(a[key], list):
            for x, y in zip(a[key], b[key], strict=True):
                np.testing.assert_array_equal(x, y)
        else:
            assert a[key] == b[key], key


# ------------------------------------------------------------------ comparison
def test_comparison_runs_share_data_and_initial_weights():
    config = Config(learning_rate=0.03)
    comparison = lab.Comparison.from_config(
        config, [{"learning_rate": 0.003}, {"learning_rate": 0.03}, {"learning_rate": 0.3}])
    first = comparison.sessions[0]
    for session, rate in zip(comparison.sessions, (0.003, 0.03, 0.3), strict=True):
        assert session.data is first.data
        np.testing.assert_array_equal(session.net.get_parameters(), first.net.get_parameters())
        assert session.optimizer.learning_rate == rate
        assert session.config == config.replace(learning_rate=rate)
    assert comparison.labels == ["lr 0.003", "lr 0.03", "lr 0.3"]
    # the same initial weights as a fresh network from the config
    np.testing.assert_array_equal(first.net.get_parameters(),
                                  make_network(config).get_parameters())


def test_comparison_equals_independent_sessions_step_by_step():
    config = Config(dataset="xor", hidden=(5, 3), batch_size=7)
    rates = (0.01, 0.1, 1.0)
    comparison = lab.Comparison.from_config(config, [{"learning_rate": r} for r in rates])
    alone = [TrainingSession(config.replace(learning_rate=r)) for r in rates]
    for _ in range(13):  # crosses an epoch boundary mid-way (250 / 7 batches per epoch)
        comparison.step_batch()
        for session in alone:
            session.step_batch()
    comparison.train_epochs(3)
    comparison.step_epoch()
    for session in alone:
        session.train_epochs(3)
        session.step_epoch()
    for together, single in zip(comparison.sessions, alone, strict=True):
        np.testing.assert_array_equal(together.net.get_parameters(),
                                      single.net.get_parameters())
        assert (together.epoch, together.steps) == (single.epoch, single.steps)
    # they really did differ in learning rate
    assert not np.array_equal(comparison.sessions[0].net.get_parameters(),
                              comparison.sessions[2].net.get_parameters())


def test_comparison_optimizer_variants_and_labels():
    comparison = lab.Comparison.from_config(
        Config(), [{"optimizer": "sgd"}, {"optimizer": "momentum"},
                   {"optimizer": "adam", "learning_rate": 0.01}])
    assert comparison.labels == ["SGD, lr 0.03", "SGD + momentum, lr 0.03", "Adam, lr 0.01"]
    assert isinstance(comparison.sessions[2].optimizer, mikir.Adam)
    assert comparison.sessions[1].optimizer.momentum == 0.9


@pytest.mark.parametrize("variants", [
    [{"learning_rate": 0.1}],
    [{"learning_rate": r} for r in (0.001, 0.01, 0.1, 1.0, 10.0)],
    [{"learning_rate": 0.1}, {"learning_rate": 0.1}],
    [{"learning_rate": 0.1}, {"batch_size": 3}],
    [{"learning_rate": 0.1}, {"learning_rate": -1}],
    [{"learning_rate": 0.1}, {"optimizer": "rmsprop"}],
])
def test_comparison_rejects_bad_variants(variants):
    with pytest.raises(ValueError):
        lab.Comparison.from_config(Config(), variants)


@pytest.mark.filterwarnings("ignore:training diverged")
def test_a_diverged_run_stops_and_the_others_go_on():
    comparison = lab.Comparison.from_config(
        REGRESSION, [{"learning_rate": 0.01}, {"learning_rate": 10.0}])
    for _ in range(10):
        comparison.train_epochs(3)
        comparison.record()
    slow, fast = comparison.sessions
    assert fast.diverged and not slow.diverged
    assert comparison.running == [True, False] and comparison.any_running
    assert slow.epoch == 30 and fast.epoch < 30
    stopped = (fast.steps, len(fast.history.epoch))
    comparison.step_batch()
    comparison.step_epoch()
    comparison.record()
    assert (fast.steps, len(fast.history.epoch)) == stopped
    assert slow.epoch == 31
    assert np.isfinite(slow.history.train_loss).all()


def test_comparison_train_for_respects_the_epoch_cap():
    comparison = lab.Comparison.from_config(Config(), lab.default_variants(Config()))
    assert len(comparison) == 3
    done = comparison.train_for(seconds=5.0, max_epochs=7)
    assert done == 7
    assert [s.epoch for s in comparison.sessions] == [7, 7, 7]


# ------------------------------------------------------------------ range test
def test_range_test_small_rates_finite_huge_rate_diverged():
    rates = [1e-4, 1e-3, 1e-2, 0.1, 10.0]
    result = lab.range_test(REGRESSION, rates=rates)  # must not raise
    np.testing.assert_array_equal(result.rates, rates)
    assert np.isfinite(result.losses[:4]).all()
    assert result.diverged.tolist() == [False, False, False, False, True]
    assert math.isnan(result.losses[-1])
    assert result.losses[3] < result.losses[0] < result.initial_loss * 1.01


def test_range_test_best_rate_lies_inside_the_usable_band():
    result = lab.range_test(Config())
    assert result.rates.size == 20
    assert result.rates[0] == pytest.approx(1e-5) and result.rates[-1] == pytest.approx(10)
    best = result.best_rate
    low, high = result.band
    assert low <= best <= high and result.in_band(best)
    assert result.best_loss == np.nanmin(result.losses) < result.initial_loss
    lo, hi = result.band_indices
    threshold = math.sqrt(result.initial_loss * result.best_loss)
    assert result.band_threshold == pytest.approx(threshold)
    inside = result.losses[lo:hi + 1]
    assert (inside <= threshold).all() and (inside < result.initial_loss).all()
    # the band is maximal: its neighbours are not usable
    for edge in (lo - 1, hi + 1):
        if 0 <= edge < result.rates.size:
            assert result.diverged[edge] or result.losses[edge] > threshold
    # very small rates barely move, so they are outside the band
    assert not result.in_band(1e-5)


def test_range_test_trains_fresh_copies_from_the_same_initial_weights():
    config = Config(dataset="xor", batch_size=25)
    result = lab.range_test(config, rates=[0.3, 0.03], epochs=4)
    assert result.epochs == 4 and result.steps == 4 * 10
    for rate, loss in zip(result.rates, result.losses, strict=True):
        net = make_network(config)
        data = TrainingSession(config).data
        net.fit(data.F_train, data.Y_train, epochs=4, batch_size=25, shuffle=True,
                optimizer=make_optimizer(config.replace(learning_rate=rate)),
                seed=config.init_seed)
        assert loss == net.loss(data.F_train, data.Y_train)


def test_range_test_budget_is_bounded():
    # batch size 1: one epoch is 250 updates, so 20 epochs are cut to 2 (500 updates)
    result = lab.range_test(Config(batch_size=1), rates=[0.01, 0.1])
    assert result.epochs == 2 and result.steps == 500 <= lab.RANGE_TEST_MAX_STEPS
    # one epoch would be 250 updates: one epoch over a fixed subset of 100 points instead
    result = lab.range_test(Config(batch_size=1), rates=[0.01], max_steps=100)
    assert result.epochs == 1 and result.steps == 100
    big = Config(hidden=(8,) * 6, batch_size=1, points=2000, train_percent=90)
    result = lab.range_test(big, rates=[0.01, 0.1, 1.0])
    assert result.steps == lab.RANGE_TEST_MAX_STEPS and np.isfinite(result.losses[:2]).all()
    started = time.perf_counter()
    result = lab.range_test(Config())  # the default network and rates
    elapsed = time.perf_counter() - started
    assert result.steps <= lab.RANGE_TEST_MAX_STEPS
    assert result.seconds <= elapsed
    assert elapsed < 4.0  # ~0.45 s measured on 2 cores; generous for slow CI machines


def test_range_test_where_everything_diverges_reports_no_band():
    result = lab.range_test(REGRESSION, rates=[30.0, 100.0])
    assert result.diverged.all()
    assert result.best_rate is None and result.band is None and not result.in_band(30.0)
    json.dumps(lf.range_test_figure(result, 0.03), allow_nan=False)


def test_range_test_rejects_bad_rates():
    for rates in ([], [0.1, -1.0], [float("nan")]):
        with pytest.raises(ValueError):
            lab.range_test(Config(), rates=rates)


# ------------------------------------------------------------ loss landscape
def trained_session(**changes) -> TrainingSession:
    session = TrainingSession(Config(batch_size=250, **changes))  # 250 training points
    assert session.batch_size == session.train_size  # full batch
    session.train_epochs(5)
    return session


def test_landscape_is_the_loss_at_the_current_weights_at_zero():
    session = trained_session(regularization="l2", regularization_rate=0.01)
    piece = lab.landscape_slice(session)
    middle = len(piece.offsets) // 2
    assert piece.offsets[middle] == 0.0
    expected = session.net.loss(session.data.F_train, session.data.Y_train)
    assert piece.losses[middle] == expected == piece.loss
    assert piece.surface is not None
    assert piece.surface[piece.surface.shape[0] // 2, piece.surface.shape[1] // 2] == expected


def test_landscape_falls_along_the_negative_gradient_at_rate_norm_g():
    session = trained_session()
    h = 1e-4
    piece = lab.landscape_slice(session, span=h, points=3, second_direction=False)
    assert piece.surface is None
    before, at, after = piece.losses
    assert after < at < before
    _, weight_grads, bias_grads = session.net.gradients(session.data.F_train,
                                                        session.data.Y_train)
    norm = np.linalg.norm(np.concatenate([g.ravel() for g in weight_grads + bias_grads]))
    assert piece.gradient_norm == pytest.approx(norm, rel=1e-12)
    derivative = (after - before) / (2 * h)
    assert derivative == pytest.approx(-norm, rel=1e-5)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_landscape_step_is_the_step_the_session_takes(optimizer):
    session = trained_session(optimizer=optimizer, learning_rate=0.3)
    piece = lab.landscape_slice(session)
    if optimizer == "sgd":
        assert piece.step == pytest.approx(0.3 * piece.gradient_norm, rel=1e-12)
        assert abs(piece.step_side) < 1e-12 * piece.step
        assert piece.step_line_loss == pytest.approx(piece.step_loss, abs=1e-12)
    assert piece.span >= abs(piece.step)
    before = session.net.get_parameters()
    session.step_batch()  # one full-batch update
    actual = session.net.loss(session.data.F_train, session.data.Y_train)
    assert piece.step_loss == pytest.approx(actual, abs=1e-9)
    assert piece.step_length == pytest.approx(np.linalg.norm(session.net.get_parameters()
                                                             - before), rel=1e-9)
    assert piece.improves == (actual < piece.loss)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_landscape_leaves_the_session_untouched(optimizer):
    session = trained_session(optimizer=optimizer)
    params = session.net.get_parameters()
    state = optimizer_state(session.optimizer)
    history = list(session.history.train_loss)
    lab.landscape_slice(session, seed=3)
    np.testing.assert_array_equal(session.net.get_parameters(), params)
    assert_same_state(optimizer_state(session.optimizer), state)
    assert session.history.train_loss == history


def test_landscape_plane_row_matches_the_curve_and_directions_are_seeded():
    session = trained_session()
    a = lab.landscape_slice(session, points=21, grid_points=21, seed=1)
    b = lab.landscape_slice(session, points=21, grid_points=21, seed=1)
    c = lab.landscape_slice(session, points=21, grid_points=21, seed=2)
    np.testing.assert_allclose(a.surface[10], a.losses, rtol=1e-12)
    np.testing.assert_array_equal(a.surface, b.surface)
    assert not np.array_equal(a.surface, c.surface)


def test_landscape_with_zero_gradient_uses_a_random_direction():
    # zero weights on two mirrored points of either class: every gradient is exactly 0
    data = Data(np.array([[1.0, 1.0], [-1.0, -1.0]]), np.array([0, 1]), np.empty((0, 2)),
                np.empty(0), ("x1", "x2"), is_regression=False, class_count=2, source="custom")
    session = TrainingSession(Config(hidden=(3,)), data=data)
    session.net.set_parameters(np.zeros_like(session.net.get_parameters()))
    piece = lab.landscape_slice(session, second_direction=False)
    assert piece.gradient_norm == 0.0 and "random" in piece.note
    assert piece.step == 0.0 and np.isfinite(piece.losses).all()


# ------------------------------------------------------------------ health
def test_health_gradient_norms_are_per_layer_norms():
    session = TrainingSession(Config(hidden=(5, 4, 3)))
    session.train_epochs(2)
    tracker = lab.HealthTracker()
    tracker.measure(session)
    assert session.train_size <= 256  # so the subsample is the whole set
    _, weight_grads, _ = session.net.gradients(session.data.F_train, session.data.Y_train)
    expected = [np.linalg.norm(g) for g in weight_grads]
    np.testing.assert_allclose(tracker.gradient_norms[-1], expected, rtol=1e-12)
    assert tracker.layer_names == ["W1 → layer 1", "W2 → layer 2", "W3 → layer 3",
                                   "W4 → output"]


def test_health_uses_a_fixed_subsample_of_a_large_training_set():
    session = TrainingSession(Config(points=1000, train_percent=80))
    tracker = lab.HealthTracker()
    tracker.measure(session)
    index = tracker.sample_indices(session.train_size)
    assert len(index) == 256 == len(set(index.tolist()))
    np.testing.assert_array_equal(index, tracker.sample_indices(session.train_size))
    _, weight_grads, _ = session.net.gradients(session.data.F_train[index],
                                               session.data.Y_train[index])
    np.testing.assert_allclose(tracker.gradient_norms[-1],
                               [np.linalg.norm(g) for g in weight_grads], rtol=1e-12)


def test_health_update_ratio_by_hand():
    session = TrainingSession(Config(learning_rate=0.1))
    tracker = lab.HealthTracker()
    tracker.measure(session)
    assert all(math.isnan(r) for r in tracker.update_ratios[0])
    before = [w.copy() for w in session.net.weights]
    steps_before = session.steps
    session.train_epochs(3)
    session.record()
    tracker.measure(session)
    expected = [np.linalg.norm(now - then) / np.linalg.norm(then)
                for now, then in zip(session.net.weights, before, strict=True)]
    np.testing.assert_allclose(tracker.update_ratios[-1], expected, rtol=1e-12)
    assert tracker.updates[-1] == session.steps - steps_before == 75
    # one plain SGD step: ΔW = −η·g, so the step ratio is η‖g‖/‖W‖
    _, weight_grads, _ = session.net.gradients(session.data.F_train, session.data.Y_train)
    np.testing.assert_allclose(
        tracker.step_ratios[-1],
        [0.1 * np.linalg.norm(g) / np.linalg.norm(w)
         for g, w in zip(weight_grads, session.net.weights, strict=True)], rtol=1e-9)


def test_health_leaves_the_optimizer_alone_and_stays_bounded():
    session = TrainingSession(Config(optimizer="adam", hidden=(3,)))
    tracker = lab.HealthTracker(max_points=10)
    for _ in range(25):
        session.train_epochs(1)
        state = optimizer_state(session.optimizer)
        params = session.net.get_parameters()
        tracker.measure(session)
        assert_same_state(optimizer_state(session.optimizer), state)
        np.testing.assert_array_equal(session.net.get_parameters(), params)
    assert len(tracker) <= 10
    assert tracker.epoch[-1] == 25 and tracker.epoch[0] == 1
    assert tracker.series("gradient_norms").shape == (len(tracker), 2)


def test_health_starts_over_on_a_new_network_and_truncates_on_rewind():
    session = TrainingSession(Config())
    tracker = lab.HealthTracker()
    for _ in range(4):
        session.train_epochs(2)
        tracker.measure(session)
    session.train_epochs(2)  # the session's last good point is now epoch 8
    tracker.measure(session)
    assert tracker.epoch == [2, 4, 6, 8, 10]
    ratio_at_8 = tracker.update_ratios[3]
    session.rewind()
    tracker.measure(session)
    assert tracker.epoch == [2, 4, 6, 8]
    assert tracker.update_ratios[-1] == ratio_at_8
    session.train_epochs(1)
    tracker.measure(session)  # a ratio from the rewound weights, not from epoch 10's
    expected_previous = session.last_good[2][: session.net.weight_count]
    first = session.net.weights[0]
    then = expected_previous[: first.size].reshape(first.shape)
    assert tracker.update_ratios[-1][0] == pytest.approx(
        np.linalg.norm(first - then) / np.linalg.norm(then), rel=1e-12)
    session.reset()
    tracker.measure(session)
    assert tracker.epoch == [0]


# ---------------------------------------------------------------- ghosts
def test_ghost_runs_keep_plain_curves_up_to_a_limit():
    ghosts = lab.GhostRuns(limit=3)
    session = TrainingSession(Config())
    assert ghosts.add(session) is None  # a single point is not a curve
    session.train_epochs(2)
    session.record()
    for _ in range(5):
        ghosts.add(session, name="try")
    assert len(ghosts) == 3
    assert [g["name"] for g in ghosts] == ["try (3)", "try (4)", "try (5)"]
    ghost = ghosts.runs[-1]
    assert ghost["epoch"] == [0, 2] and ghost["loss"] == session.history.train_loss
    assert all(type(v) is float for v in ghost["loss"])
    assert lab.describe(session.config) == "lr 0.03 · SGD · tanh · 4-2"
    figure = figures.loss_figure(session, ghosts=list(ghosts))
    np.testing.assert_array_equal(figures.decode(figure["data"][0]["y"]), ghost["loss"])
    ghosts.clear()
    assert len(ghosts) == 0


# ---------------------------------------------------------------- figures
def _by_name(figure, name):
    return [t for t in figure["data"] if t.get("name") == name]


@pytest.mark.filterwarnings("ignore:training diverged")
def test_comparison_figures_hold_every_run():
    comparison = lab.Comparison.from_config(
        REGRESSION, [{"learning_rate": 0.01}, {"learning_rate": 0.1}, {"learning_rate": 10.0}])
    for _ in range(5):
        comparison.train_epochs(4)
        comparison.record()
    assert comparison.diverged[2] and not comparison.diverged[0]
    figure = lf.comparison_loss_figure(comparison)
    json.dumps(figure, allow_nan=False)
    assert figure["layout"]["yaxis"]["type"] == "log"
    for i, session in enumerate(comparison.sessions[:2]):
        (trace,) = _by_name(figure, comparison.labels[i])
        np.testing.assert_array_equal(figures.decode(trace["y"]), session.history.train_loss)
        np.testing.assert_array_equal(figures.decode(trace["x"]), session.history.epoch)
        assert trace["line"]["color"] == lf.RUN_COLORS[i]
    (diverged,) = _by_name(figure, "lr 10  (diverged)")
    (cross,) = _by_name(figure, "lr 10 diverged")
    assert cross["marker"]["symbol"] == "x-thin"
    losses = np.asarray(comparison.sessions[2].history.train_loss)
    last = np.flatnonzero(np.isfinite(losses))[-1]
    assert cross["x"] == [comparison.sessions[2].history.epoch[last]]

    maps = lf.comparison_maps_figure(comparison, resolution=20)
    json.dumps(maps, allow_nan=False)
    heatmaps = [t for t in maps["data"] if t["type"] == "heatmap"]
    assert len(heatmaps) == 3
    for heatmap, session in zip(heatmaps, comparison.sessions, strict=True):
        z = figures.output_values(session, 20)[0]
        np.testing.assert_allclose(figures.decode(heatmap["z"]), z, rtol=1e-6)
    titles = [a["text"] for a in maps["layout"]["annotations"]]
    assert "lr 0.01" in titles[0] and "loss" in titles[0] and "diverged" in titles[2]


def test_range_test_figure_marks_data_band_and_current_rate():
    result = lab.range_test(REGRESSION, rates=np.logspace(-4, 1, 11))
    assert result.diverged.any()
    figure = lf.range_test_figure(result, current_rate=0.03)
    json.dumps(figure, allow_nan=False)
    (curve,) = _by_name(figure, "loss after the run")
    np.testing.assert_array_equal(figures.decode(curve["x"]), result.rates)
    np.testing.assert_array_equal(figures.decode(curve["y"]), result.losses)
    (crosses,) = _by_name(figure, "diverged")
    np.testing.assert_array_equal(figures.decode(crosses["x"]), result.rates[result.diverged])
    shapes = figure["layout"]["shapes"]
    (current,) = [s for s in shapes if s["type"] == "line" and s.get("x0") == 0.03]
    assert current["x1"] == 0.03
    (band,) = [s for s in shapes if s["type"] == "rect"]
    low, high = result.band
    assert band["x0"] <= low and band["x1"] >= high
    texts = " ".join(a["text"] for a in figure["layout"]["annotations"])
    assert "current 0.03" in texts and "usable band" in texts
    assert figure["layout"]["xaxis"]["type"] == "log"


def test_landscape_figure_draws_the_curve_and_the_step():
    session = trained_session(learning_rate=3.0)
    piece = lab.landscape_slice(session)
    figure = lf.landscape_figure(piece)
    json.dumps(figure, allow_nan=False)
    (curve,) = _by_name(figure, "loss along −gradient")
    np.testing.assert_array_equal(figures.decode(curve["x"]), piece.offsets)
    np.testing.assert_array_equal(figures.decode(curve["y"]), piece.losses)
    (contour,) = [t for t in figure["data"] if t["type"] == "contour"]
    np.testing.assert_allclose(10 ** figures.decode(contour["z"]), piece.surface, rtol=1e-12)
    arrows = [a for a in figure["layout"]["annotations"] if a.get("showarrow")]
    (line_arrow,) = [a for a in arrows if a["xref"] == "x"]
    assert line_arrow["x"] == piece.step and line_arrow["ax"] == 0.0
    assert line_arrow["arrowcolor"] == (lf.GOOD if piece.improves else lf.BAD)
    (next_point,) = _by_name(figure, "after the next step")
    assert next_point["x"] == [piece.step]


def test_landscape_figure_labels_a_step_too_short_to_see():
    session = trained_session(learning_rate=1e-4)
    piece = lab.landscape_slice(session, second_direction=False)
    figure = lf.landscape_figure(piece)
    json.dumps(figure, allow_nan=False)
    assert "xaxis2" not in figure["layout"]
    texts = [a["text"] for a in figure["layout"]["annotations"]]
    assert any("short at this scale" in t for t in texts)


def test_health_figure_holds_every_layer():
    session = TrainingSession(Config(hidden=(4, 3)))
    tracker = lab.HealthTracker()
    assert "no measurements" in json.dumps(lf.health_figure(tracker))
    for _ in range(4):
        session.train_epochs(2)
        tracker.measure(session)
    figure = lf.health_figure(tracker)
    json.dumps(figure, allow_nan=False)
    gradients = tracker.series("gradient_norms")
    ratios = tracker.series("step_ratios")
    for layer, name in enumerate(tracker.layer_names):
        left, right = _by_name(figure, name)
        np.testing.assert_allclose(figures.decode(left["y"]), gradients[:, layer])
        np.testing.assert_allclose(figures.decode(right["y"]), ratios[:, layer])
        assert right["yaxis"] == "y2" and left["line"]["color"] == right["line"]["color"]
    (band,) = figure["layout"]["shapes"]
    assert band["y0"] < 1e-3 < band["y1"]
    assert figure["layout"]["yaxis"]["type"] == figure["layout"]["yaxis2"]["type"] == "log"


def test_lab_modules_do_not_import_streamlit():
    code = ("import sys; import playground.lab, playground.lab_figures; "
            "assert 'streamlit' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_ghost_runs_show_only_runs_of_the_same_problem_and_loss():
    ghosts = lab.GhostRuns()
    trained = {}
    for name, config in {"circle": Config(), "squared": Config(loss="squared_error"),
                         "plane": Config(dataset="plane"),
                         "blobs": Config(dataset="blobs", classes=3)}.items():
        session = TrainingSession(config)
        session.train_epochs(1)
        session.record()
        trained[name] = session
        ghosts.add(session, name=name)
    ghosts.follow(Config(dataset="xor"))  # two classes, cross-entropy: like the circle
    assert [g["name"] for g in ghosts] == ["circle"] and len(ghosts) == 1
    ghosts.follow(Config(dataset="multi_gauss"))  # regression
    assert [g["name"] for g in ghosts] == ["plane"]
    figure = figures.loss_figure(trained["plane"], ghosts=list(ghosts))
    assert sum(t.get("legendgroup") == "ghosts" for t in figure["data"]) == 1
    ghosts.follow(Config(dataset="blobs", classes=4))  # four classes: none comparable
    assert list(ghosts) == []
    ghosts.follow(Config(dataset="circle", loss="squared_error"))
    assert [g["name"] for g in ghosts] == ["squared"]
    ghosts.clear()  # clears what is shown; the others wait for their problem
    ghosts.follow(Config())
    assert [g["name"] for g in ghosts] == ["circle"]
