"""The backprop inspector's numbers: mikir's own, re-derived by hand, and checked."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest

import mikir
from playground import inspector
from playground.config import Config
from playground.figures import network_figure
from playground.session import TrainingSession

SETUPS = {
    "tanh_bce": Config(),
    "sigmoid_mse": Config(activation="sigmoid", loss="squared_error", hidden=(3,)),
    "relu_l2_momentum": Config(dataset="xor", activation="relu", hidden=(5, 4),
                               regularization="l2", regularization_rate=0.01,
                               optimizer="momentum"),
    "leaky_l1_adam": Config(dataset="spiral", activation="leaky_relu", hidden=(6, 3, 2),
                            regularization="l1", regularization_rate=0.003, optimizer="adam",
                            features=("x1", "x2", "x1_squared", "sin_x2")),
    "softmax_ce": Config(dataset="blobs", classes=4, hidden=(4,)),
    "softmax_mse": Config(dataset="blobs", classes=3, loss="squared_error", hidden=(3,),
                          activation="sigmoid"),
    "regression": Config(dataset="plane", activation="linear", hidden=(2,)),
    "no_hidden": Config(dataset="gauss", hidden=()),
}


def trained(config: Config, epochs: int = 3) -> TrainingSession:
    session = TrainingSession(config)
    session.train_epochs(epochs)
    return session


@pytest.mark.parametrize("name", SETUPS)
@pytest.mark.parametrize("indices", [5, [0, 3, 7, 11]])
def test_numbers_are_mikirs_own(name, indices):
    session = trained(SETUPS[name])
    before = session.net.get_parameters()
    result = inspector.inspect(session, indices)
    idx = np.atleast_1d(indices)
    F, Y = session.data.F_train[idx], session.data.Y_train[idx]
    forward = session.net.forward(F)
    loss, weight_grads, bias_grads = session.net.gradients(F, Y)
    assert result.loss == loss
    np.testing.assert_array_equal(result.inputs, F)
    np.testing.assert_array_equal(result.points, session.data.X_train[idx])
    np.testing.assert_array_equal(result.outputs, forward.activations[-1])
    np.testing.assert_array_equal(result.error, forward.activations[-1] - Y)
    np.testing.assert_array_equal(result.seed_error, Y - forward.activations[-1])
    for i, layer in enumerate(result.layers):
        np.testing.assert_array_equal(layer.inputs, forward.activations[i])
        np.testing.assert_array_equal(layer.z, forward.pre_activations[i])
        np.testing.assert_array_equal(layer.a, forward.activations[i + 1])
        np.testing.assert_array_equal(layer.weight_grad, weight_grads[i])
        np.testing.assert_array_equal(layer.bias_grad, bias_grads[i])
        np.testing.assert_array_equal(layer.weights, session.net.weights[i])
    # Inspecting changes nothing.
    np.testing.assert_array_equal(session.net.get_parameters(), before)


@pytest.mark.parametrize("name", SETUPS)
def test_explicit_loops_equal_mikir(name):
    session = trained(SETUPS[name])
    result = inspector.inspect(session, list(range(10)))
    assert result.loop_difference < 1e-12
    for layer in result.layers:
        np.testing.assert_allclose(layer.weight_grad_loop, layer.weight_grad, rtol=1e-12,
                                   atol=1e-15)
        np.testing.assert_allclose(layer.bias_grad_loop, layer.bias_grad, rtol=1e-12,
                                   atol=1e-15)
    # δ reproduces the data part of the gradient: mean over the batch of a_{l−1}ᵀ δ_l.
    n = result.size
    for layer in result.layers:
        np.testing.assert_allclose(layer.inputs.T @ layer.delta / n + layer.penalty_grad,
                                   layer.weight_grad, rtol=1e-12, atol=1e-15)
    assert math.isclose(result.data_loss + result.penalty, result.loss, rel_tol=1e-12)


def test_a_disagreement_is_never_shown(monkeypatch):
    session = trained(SETUPS["tanh_bce"])
    monkeypatch.setattr(inspector, "_derivative",
                        lambda name, z, a: np.ones_like(z))  # a wrong f'
    with pytest.raises(inspector.InspectionMismatch, match="disagree"):
        inspector.inspect(session, 0)


@pytest.mark.parametrize("name", SETUPS)
def test_finite_differences_agree(name):
    session = trained(SETUPS[name])
    result = inspector.inspect(session, [1, 2, 3])
    assert result.relative_error < 1e-6
    for layer in result.layers:
        big = np.abs(layer.weight_grad) > 1e-4
        assert np.all(layer.weight_rel_error[big] < 1e-4)
        np.testing.assert_allclose(layer.weight_grad_numeric, layer.weight_grad, atol=1e-7)
        np.testing.assert_allclose(layer.bias_grad_numeric, layer.bias_grad, atol=1e-7)


def test_without_numerical_gradients():
    result = inspector.inspect(trained(Config()), 0, numerical=False)
    assert result.relative_error is None
    assert result.layers[0].weight_grad_numeric is None
    rows = inspector.table_rows(result)
    assert rows.links[0]["∂L/∂w numerical"] is None
    with pytest.raises(ValueError, match="without numerical"):
        result.link_values("numeric")


# ------------------------------------------------------------ seed formulas
def seed_by_hand(W1, b1, W2, b2, x, t, eta):
    """The seed library's 2-3-1 algorithm, neuron by neuron, in plain Python floats."""
    sig = lambda v: 1.0 / (1.0 + math.exp(-v))  # noqa: E731
    hidden = [sig(sum(x[j] * W1[j][h] for j in range(2)) + b1[h]) for h in range(3)]
    output = sig(sum(hidden[h] * W2[h][0] for h in range(3)) + b2[0])
    error = t - output
    delta = error * output * (1 - output)
    delta_h = [hidden[h] * (1 - hidden[h]) * W2[h][0] * delta for h in range(3)]
    new_W2 = [[W2[h][0] + eta * delta * hidden[h]] for h in range(3)]
    new_b2 = [b2[0] + eta * delta]
    new_W1 = [[W1[j][h] + eta * delta_h[h] * x[j] for h in range(3)] for j in range(2)]
    new_b1 = [b1[h] + eta * delta_h[h] for h in range(3)]
    return error, delta, delta_h, (new_W1, new_W2), (new_b1, new_b2)


def test_seed_formulas_equal_a_hand_computation_and_net_train():
    net = mikir.NeuralNetwork(2, 3, 1, seed=4)  # the seed's network: sigmoid, mse, [0, 1)
    x, t, eta = [0.3, -0.8], 1.0, 0.5
    W1, b1 = net.weights[0].tolist(), net.biases[0].tolist()
    W2, b2 = net.weights[1].tolist(), net.biases[1].tolist()
    result = inspector.inspect_arrays(net, [x], [t], mikir.SGD(learning_rate=eta))
    formulas = inspector.seed_formulas(result)
    assert formulas.applies and formulas.update_is_real
    error, delta, delta_h, new_weights, new_biases = seed_by_hand(W1, b1, W2, b2, x, t, eta)
    assert formulas.error[0, 0] == pytest.approx(error, rel=1e-13)
    assert formulas.deltas[1][0, 0] == pytest.approx(delta, rel=1e-13)
    np.testing.assert_allclose(formulas.deltas[0][0], delta_h, rtol=1e-12)
    for mine, theirs in zip(formulas.new_weights, new_weights):
        np.testing.assert_allclose(mine, theirs, rtol=1e-14)
    for mine, theirs in zip(formulas.new_biases, new_biases):
        np.testing.assert_allclose(mine, theirs, rtol=1e-14)
    # The numbers appear in the lines as written.
    text = "\n".join(formulas.seed)
    assert f"= {error:.4g}`".replace("-", "−") in text
    assert f"= {delta:.4g}`".replace("-", "−") in text
    assert f"= {new_weights[1][0][0]:.6g}`".replace("-", "−") in text
    assert "error = target − output" in text and "δ = error·o·(1−o)" in text
    assert "δ_h = o_h(1−o_h)·Σ w·δ" in text and "new w = w + η·δ·input" in text
    # Applying "new w = w + η·δ·input" is exactly what the seed's train() does.
    net.train(x, [t], learning_rate=eta)
    for mine, real in zip(formulas.new_weights, net.weights):
        np.testing.assert_allclose(mine, real, rtol=1e-14, atol=1e-16)
    for mine, real in zip(formulas.new_biases, net.biases):
        np.testing.assert_allclose(mine, real, rtol=1e-14, atol=1e-16)
    np.testing.assert_allclose(result.params_after, net.get_parameters(), rtol=1e-14)


def test_seed_formulas_for_a_batch_match_the_sgd_step():
    session = trained(SETUPS["sigmoid_mse"])
    result = inspector.inspect(session, [0, 4, 9])
    formulas = inspector.seed_formulas(result, sample=1)
    assert formulas.applies and formulas.update_is_real
    for layer, new_w, new_b in zip(result.layers, formulas.new_weights, formulas.new_biases):
        np.testing.assert_allclose(new_w, layer.weights_after, rtol=1e-13, atol=1e-16)
        np.testing.assert_allclose(new_b, layer.biases_after, rtol=1e-13, atol=1e-16)
    assert "point 2 of 3" in formulas.seed[0]
    assert "averaged over the 3 points" in "\n".join(formulas.seed)


def test_seed_formulas_note_when_the_update_differs():
    config = SETUPS["sigmoid_mse"].replace(optimizer="adam", regularization="l2",
                                           regularization_rate=0.01)
    formulas = inspector.seed_formulas(inspector.inspect(trained(config), 0))
    assert formulas.applies and not formulas.update_is_real
    assert "Adam" in formulas.reason and "L2" in formulas.reason


@pytest.mark.parametrize("name", ["tanh_bce", "softmax_ce", "softmax_mse", "regression",
                                  "relu_l2_momentum", "leaky_l1_adam"])
def test_other_setups_get_the_general_form(name):
    result = inspector.inspect(trained(SETUPS[name]), [2, 3])
    formulas = inspector.seed_formulas(result)
    assert not formulas.applies and formulas.seed is None and formulas.reason
    text = "\n".join(formulas.general)
    assert "δ_l = ∂ℓ/∂z_l" in text and "∂L/∂W_l" in text and "**Update**" in text
    last = len(result.layers)
    assert f"δ_{last} =" in text
    if last > 1:
        assert f"δ_{last - 1} = (W_{last}·δ_{last}) ⊙ f'(z_{last - 1})" in text
    # The output δ's numbers are the inspection's.
    delta = result.layers[-1].delta[0]
    assert inspector._vec(delta) in text


def test_general_form_names_the_update_rule():
    text = "\n".join(inspector.general_formulas(
        inspector.inspect(trained(SETUPS["leaky_l1_adam"]), 0)))
    assert "η_t = η·√(1−β2ᵗ)/(1−β1ᵗ)" in text and "λ·sign(W_l)" in text
    text = "\n".join(inspector.general_formulas(
        inspector.inspect(trained(SETUPS["relu_l2_momentum"]), 0)))
    assert "v ← μ·v − η·g" in text and "λ·W_l" in text


# ----------------------------------------------------------------- updates
def test_sgd_update_is_the_real_train_step():
    session = trained(Config(learning_rate=0.3))
    idx = [1, 8, 20]
    result = inspector.inspect(session, idx)
    eta = session.optimizer.learning_rate
    for layer in result.layers:
        np.testing.assert_array_equal(layer.weights_after, layer.weights - eta * layer.weight_grad)
        np.testing.assert_array_equal(layer.biases_after, layer.biases - eta * layer.bias_grad)
    session.net.train_step(session.data.F_train[idx], session.data.Y_train[idx],
                           session.optimizer)
    np.testing.assert_array_equal(session.net.get_parameters(), result.params_after)
    for layer, w, b in zip(result.layers, session.net.weights, session.net.biases):
        np.testing.assert_array_equal(layer.weights_after, w)
        np.testing.assert_array_equal(layer.biases_after, b)


@pytest.mark.parametrize("name", ["relu_l2_momentum", "leaky_l1_adam"])
def test_momentum_and_adam_updates_are_the_real_next_step(name):
    session = trained(SETUPS[name], epochs=2)  # state: velocities, moments, t > 0
    state = copy.deepcopy(session.optimizer.__dict__)
    result = inspector.inspect(session, [3, 4])
    # The session's optimizer is untouched by the inspection ...
    for key, value in state.items():
        current = session.optimizer.__dict__[key]
        if isinstance(value, list):
            for a, b in zip(value, current):
                np.testing.assert_array_equal(a, b)
        else:
            assert current == value
    # ... and its real next step lands exactly where the inspection said.
    assert inspector.train_on(session, [3, 4]) == result.loss
    np.testing.assert_array_equal(session.net.get_parameters(), result.params_after)
    plain = result.params_before - session.optimizer.learning_rate * np.concatenate(
        [g.ravel() for g in [*(l.weight_grad for l in result.layers),
                             *(l.bias_grad for l in result.layers)]])
    assert not np.allclose(plain, result.params_after)  # not the plain SGD step
    if name == "leaky_l1_adam":
        assert result.optimizer_step == session.optimizer.t


@pytest.mark.parametrize("steps_first", [0, 3])
def test_next_batch_is_what_step_batch_trains_on(steps_first):
    session = TrainingSession(Config(batch_size=7, optimizer="momentum"))
    for _ in range(steps_first):
        session.step_batch()
    batch = inspector.next_batch(session)
    assert len(batch) == 7
    result = inspector.inspect(session, batch)
    session.step_batch()
    np.testing.assert_array_equal(session.net.get_parameters(), result.params_after)


def test_indices_are_checked():
    session = TrainingSession(Config())
    for bad in ([], [-1], [10**6], "a", [0.5], [True]):
        with pytest.raises(ValueError):
            inspector.inspect(session, bad)


# ------------------------------------------------------------------ tables
def test_table_rows():
    session = trained(SETUPS["relu_l2_momentum"])
    result = inspector.inspect(session, [4, 6])
    tables = inspector.table_rows(result, sample=1)
    sizes = session.net.layer_sizes
    assert len(tables.neurons) == sum(sizes)
    assert len(tables.links) == session.net.weight_count
    for row in tables.neurons:
        assert set(row) == set(inspector.NEURON_COLUMNS)
        assert row["point"] == 6
    for row in tables.links:
        assert set(row) == set(inspector.LINK_COLUMNS)
    first_link = tables.links[0]
    layer = result.layers[0]
    assert first_link["from"] == "X₁" and first_link["to"] == "Layer 1 · neuron 1"
    assert first_link["w"] == layer.weights[0, 0]
    assert first_link["∂L/∂w analytic"] == layer.weight_grad[0, 0]
    assert first_link["∂L/∂w numerical"] == layer.weight_grad_numeric[0, 0]
    assert first_link["w after"] == layer.weights_after[0, 0]
    assert first_link["update"] == pytest.approx(layer.weights_after[0, 0] - layer.weights[0, 0])
    hidden = tables.neurons[sizes[0]]
    assert hidden["z"] == layer.z[1, 0] and hidden["δ"] == layer.delta[1, 0]
    assert hidden["∂L/∂b analytic"] == layer.bias_grad[0]
    output = tables.neurons[-1]
    assert output["neuron"] == "Output" and output["a"] == result.outputs[1, 0]
    with pytest.raises(ValueError):
        inspector.table_rows(result, sample=2)


def test_link_values_draw_on_the_network_graph():
    session = trained(Config())
    result = inspector.inspect(session, 0)
    for kind in ("gradient", "numeric", "update", "after"):
        values = result.link_values(kind)
        assert [v.shape for v in values] == [w.shape for w in session.net.weights]
    figure = network_figure(session, link_values=result.link_values("gradient"))
    assert figure["data"]


# ---------------------------------------------------------------- timeline
def test_timeline_is_bounded_and_restores_exact_parameters():
    session = TrainingSession(Config(batch_size=5))
    timeline = inspector.Timeline(limit=20)
    recorded = {}
    for step in range(150):
        index = timeline.push(session, label=f"step {step}")
        recorded[f"step {step}"] = session.net.get_parameters()
        assert index == len(timeline) - 1
        assert len(timeline) <= 20
        session.step_batch()
    labels = timeline.labels
    assert labels[0] == "step 0" and labels[-1] == "step 149"
    assert len(set(labels)) == len(labels)
    assert len(labels) >= 10  # thinned, not emptied
    steps = [int(label.split()[1]) for label in labels]
    assert steps == sorted(steps)
    for index, label in enumerate(labels):
        np.testing.assert_array_equal(timeline.restore_view(index), recorded[label])
    # Looking back destroys nothing and returns copies.
    view = timeline.restore_view(3)
    view[:] = 0
    np.testing.assert_array_equal(timeline.restore_view(3), recorded[labels[3]])
    assert timeline.labels == labels
    np.testing.assert_array_equal(timeline.restore_view(-1), recorded["step 149"])
    with pytest.raises(IndexError):
        timeline.restore_view(len(labels))
    # A view of the session as it was, for the figure builders.
    past = timeline.session_view(session, 0)
    np.testing.assert_array_equal(past.net.get_parameters(), recorded["step 0"])
    assert past.net is not session.net and past.steps == 0
    assert network_figure(past)["data"]
    assert not np.array_equal(session.net.get_parameters(), recorded["step 0"])


def test_timeline_default_labels_and_new_runs():
    session = TrainingSession(Config())
    timeline = inspector.Timeline()
    timeline.push(session)
    session.train_epochs(2)
    timeline.push(session)
    assert timeline.labels[0] == "epoch 0, step 0"
    assert timeline.labels[1].startswith("epoch 2, step ")
    session.apply(session.config.replace(hidden=(3,)))  # another shape: a new timeline
    timeline.push(session)
    assert len(timeline) == 1
    with pytest.raises(ValueError):
        inspector.Timeline(limit=1)
