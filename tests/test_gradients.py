"""Backprop against finite differences, activations against their formulas,
and cross-entropies that stay finite and quiet for huge logits (issue §2, §4)."""

import dataclasses
import warnings
import zlib

import numpy as np
import pytest
from scipy import special

from mikir import NeuralNetwork, activations, gradcheck, losses

HIDDEN = ("sigmoid", "tanh", "relu", "leaky_relu", "linear")
OUTPUT_PAIRS = (
    ("mse", "sigmoid"),
    ("mse", "tanh"),
    ("mse", "linear"),
    ("mse", "softmax"),
    ("mse", "relu"),
    ("binary_crossentropy", "sigmoid"),
    ("categorical_crossentropy", "softmax"),
)
REGULARIZATIONS = (None, "l1", "l2")
DEPTHS = (1, 2, 3, 4)

# independent references for every activation's value
REFERENCE = {
    "sigmoid": special.expit,
    "tanh": np.tanh,
    "relu": lambda z: np.where(z > 0, z, 0.0),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
    "linear": lambda z: z,
    "softmax": lambda z: special.softmax(z, axis=-1),
}


def stable_seed(*parts) -> int:
    return zlib.crc32(repr(parts).encode())


def targets(loss, output, rng, n, outputs):
    if loss == "categorical_crossentropy":
        return np.eye(outputs)[rng.integers(0, outputs, n)]
    if loss == "binary_crossentropy":
        return rng.integers(0, 2, (n, outputs)).astype(float)
    if output in ("sigmoid", "softmax"):
        return rng.uniform(0, 1, (n, outputs))
    if output == "tanh":
        return rng.uniform(-1, 1, (n, outputs))
    return rng.normal(0, 1, (n, outputs))


def random_net(hidden, loss, output, regularization, depth, seed, batch=6):
    rng = np.random.default_rng(seed)
    outputs = 3 if output == "softmax" else (1 if loss == "binary_crossentropy" else 2)
    sizes = [3, *rng.integers(3, 6, depth).tolist(), outputs]
    net = NeuralNetwork(
        *sizes, activation=hidden, output_activation=output, loss=loss,
        regularization=regularization,
        regularization_rate=0.05 if regularization else 0.0, seed=seed,
    )
    net.set_parameters(rng.normal(0.0, 0.7, net.get_parameters().size))
    if output == "relu":  # keep the output units alive so the check is not vacuous
        net.biases[-1] = np.ones(outputs)
    X = rng.normal(0.0, 1.0, (batch, 3))
    return net, X, targets(loss, output, rng, batch, outputs)


@pytest.mark.parametrize("depth", DEPTHS)
@pytest.mark.parametrize("regularization", REGULARIZATIONS)
@pytest.mark.parametrize(("loss", "output"), OUTPUT_PAIRS)
@pytest.mark.parametrize("hidden", HIDDEN)
def test_backprop_matches_finite_differences(hidden, loss, output, regularization, depth):
    seed = stable_seed(hidden, loss, output, regularization, depth)
    net, X, Y = random_net(hidden, loss, output, regularization, depth, seed)
    before = net.get_parameters()
    check = gradcheck.check_gradients(net, X, Y)
    assert check.relative_error < 1e-6, check.relative_error
    assert check.passed
    np.testing.assert_array_equal(net.get_parameters(), before)  # the check restores weights
    assert [g.shape for g in check.analytic_weights] == [w.shape for w in net.weights]
    assert [g.shape for g in check.numeric_biases] == [b.shape for b in net.biases]
    scale = sum(float(np.abs(g).sum()) for g in check.analytic_weights + check.analytic_biases)
    assert scale > 1e-3  # a real gradient, not zeros compared with zeros


@pytest.mark.parametrize("seed", range(8))
def test_backprop_with_per_layer_activation_lists(seed):
    rng = np.random.default_rng(seed)
    depth = int(rng.integers(1, 5))
    names = [HIDDEN[i] for i in rng.integers(0, len(HIDDEN), depth)]
    loss, output = OUTPUT_PAIRS[seed % len(OUTPUT_PAIRS)]
    regularization = REGULARIZATIONS[seed % 3]
    net, X, Y = random_net(names, loss, output, regularization, depth, seed)
    assert net.hidden_activations == names
    assert gradcheck.check_gradients(net, X, Y).relative_error < 1e-6


def test_gradient_check_catches_a_wrong_derivative():
    net, X, Y = random_net("tanh", "mse", "linear", None, 2, seed=5)
    assert gradcheck.check_gradients(net, X, Y).passed

    def wrong(z, a, grad, scratch):  # forgets the 1 − tanh² factor
        return None

    net._layer_fns[0] = dataclasses.replace(net._layer_fns[0], backward=wrong)
    check = gradcheck.check_gradients(net, X, Y)
    assert not check.passed
    assert check.relative_error > 1e-3


def test_numerical_gradients_agree_with_a_central_difference_done_here():
    net, X, Y = random_net("sigmoid", "binary_crossentropy", "sigmoid", "l2", 1, seed=11)
    numeric_w, numeric_b = gradcheck.numerical_gradients(net, X, Y)
    eps = 1e-6
    for layer in range(len(net.weights)):
        w = net.weights[layer]
        original = w[0, 0]
        w[0, 0] = original + eps
        plus = net.loss(X, Y)
        w[0, 0] = original - eps
        minus = net.loss(X, Y)
        w[0, 0] = original
        assert numeric_w[layer][0, 0] == pytest.approx((plus - minus) / (2 * eps), rel=1e-12)
        b = net.biases[layer]
        original = b[-1]
        b[-1] = original + eps
        plus = net.loss(X, Y)
        b[-1] = original - eps
        minus = net.loss(X, Y)
        b[-1] = original
        assert numeric_b[layer][-1] == pytest.approx((plus - minus) / (2 * eps), rel=1e-12)


# ------------------------------------------------------------------ activations

POINTS = np.concatenate([
    np.linspace(-6, -0.01, 37), np.linspace(0.013, 6, 41), [-30.0, -0.5, 0.25, 17.0],
])


@pytest.mark.parametrize("name", [*HIDDEN, "softmax"])
def test_activation_values_match_reference_formulas(name):
    z = np.random.default_rng(0).normal(0, 3, (7, 5))
    np.testing.assert_allclose(activations.apply(name, z), REFERENCE[name](z),
                               rtol=1e-14, atol=1e-15)
    one = z[0]
    np.testing.assert_allclose(activations.apply(name, one), REFERENCE[name](one),
                               rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("name", HIDDEN)
def test_activation_derivative_matches_finite_differences(name):
    h = 1e-6
    numeric = (activations.apply(name, POINTS + h) - activations.apply(name, POINTS - h)) / (2 * h)
    np.testing.assert_allclose(activations.derivative(name, POINTS), numeric,
                               rtol=1e-7, atol=1e-9)


def test_leaky_relu_slope_and_kinks():
    assert activations.LEAKY_SLOPE == 0.01
    np.testing.assert_array_equal(activations.derivative("relu", [-1.0, 0.0, 1.0]), [0, 0, 1])
    np.testing.assert_allclose(activations.derivative("leaky_relu", [-1.0, 0.0, 1.0]),
                               [0.01, 0.01, 1.0])


def test_softmax_backward_is_its_jacobian_times_the_gradient():
    rng = np.random.default_rng(1)
    z = rng.normal(0, 2, (4, 5))
    g = rng.normal(0, 1, (4, 5))
    softmax = activations.ACTIVATIONS["softmax"]
    a = activations.apply("softmax", z)
    got = g.copy()
    softmax.backward(z, a, got, np.empty_like(z))
    h = 1e-6
    for row in range(z.shape[0]):
        jac = np.empty((5, 5))
        for j in range(5):
            step = np.zeros(5)
            step[j] = h
            jac[:, j] = (special.softmax(z[row] + step) - special.softmax(z[row] - step)) / (2 * h)
        np.testing.assert_allclose(got[row], jac.T @ g[row], rtol=1e-7, atol=1e-9)
    with pytest.raises(ValueError, match="Jacobian"):
        activations.derivative("softmax", z)


# -------------------------------------------------------- stable cross-entropies

def logit_net(loss, output, logits):
    """A net without hidden layers whose output pre-activations are ``logits``."""
    n, k = logits.shape
    net = NeuralNetwork(n, k, output_activation=output, loss=loss, init="zeros")
    net.weights[0] = logits  # X = identity picks row i of the weights for sample i
    return net, np.eye(n)


HUGE_BINARY = np.array([[1e4], [-1e4], [1e4], [-1e4], [750.0], [-750.0], [0.0]])
HUGE_BINARY_Y = np.array([[1.0], [1.0], [0.0], [0.0], [0.0], [1.0], [1.0]])
HUGE_SOFTMAX = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 3.0], [1e4, 1e4, -1e4],
                         [-1e4, -1e4, -1e4], [800.0, -800.0, 2.0]])
HUGE_SOFTMAX_Y = np.eye(3)[[1, 1, 2, 0, 0]]


def test_binary_crossentropy_is_finite_and_quiet_for_huge_logits():
    net, X = logit_net("binary_crossentropy", "sigmoid", HUGE_BINARY)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", divide="raise", invalid="raise"):
            value = net.loss(X, HUGE_BINARY_Y)
            loss, wg, bg = net.gradients(X, HUGE_BINARY_Y)
            direct = losses.LOSSES["binary_crossentropy"].value(
                HUGE_BINARY, special.expit(HUGE_BINARY), HUGE_BINARY_Y)
    # stable reference: −log σ(z) = log(1 + e^−z), −log(1 − σ(z)) = log(1 + e^z)
    z, y = HUGE_BINARY, HUGE_BINARY_Y
    reference = np.mean(y * np.logaddexp(0, -z) + (1 - y) * np.logaddexp(0, z))
    assert np.isfinite(value) and np.isfinite(loss)
    assert value == pytest.approx(reference, rel=1e-14)
    assert loss == pytest.approx(reference, rel=1e-14)
    assert direct == pytest.approx(reference, rel=1e-14)
    assert all(np.isfinite(g).all() for g in wg + bg)


def test_categorical_crossentropy_is_finite_and_quiet_for_huge_logits():
    net, X = logit_net("categorical_crossentropy", "softmax", HUGE_SOFTMAX)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", divide="raise", invalid="raise"):
            value = net.loss(X, HUGE_SOFTMAX_Y)
            loss, wg, bg = net.gradients(X, HUGE_SOFTMAX_Y)
            direct = losses.LOSSES["categorical_crossentropy"].value(
                HUGE_SOFTMAX, special.softmax(HUGE_SOFTMAX, axis=1), HUGE_SOFTMAX_Y)
            probabilities = net.predict(X)
    z, y = HUGE_SOFTMAX, HUGE_SOFTMAX_Y
    reference = np.mean(special.logsumexp(z, axis=1) - (y * z).sum(axis=1))
    assert np.isfinite(value) and np.isfinite(loss)
    assert value == pytest.approx(reference, rel=1e-14)
    assert loss == pytest.approx(reference, rel=1e-14)
    assert direct == pytest.approx(reference, rel=1e-14)
    assert all(np.isfinite(g).all() for g in wg + bg)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)


@pytest.mark.parametrize("seed", range(5))
def test_crossentropies_equal_the_direct_log_formula_where_it_is_finite(seed):
    rng = np.random.default_rng(seed)
    z = rng.uniform(-8, 8, (9, 1))
    y = rng.integers(0, 2, (9, 1)).astype(float)
    net, X = logit_net("binary_crossentropy", "sigmoid", z)
    p = special.expit(z)
    direct = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert net.loss(X, y) == pytest.approx(direct, rel=1e-10)

    z = rng.uniform(-8, 8, (9, 4))
    y = np.eye(4)[rng.integers(0, 4, 9)]
    net, X = logit_net("categorical_crossentropy", "softmax", z)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    direct = -np.mean(np.sum(y * np.log(p), axis=1))
    assert net.loss(X, y) == pytest.approx(direct, rel=1e-12)


@pytest.mark.parametrize("seed", range(5))
def test_mse_is_half_the_summed_squared_error_averaged_over_samples(seed):
    rng = np.random.default_rng(seed)
    net = NeuralNetwork(3, 4, 2, activation="tanh", output_activation="linear", seed=seed)
    X, Y = rng.normal(size=(8, 3)), rng.normal(size=(8, 2))
    out = net.predict(X)
    assert net.loss(X, Y) == pytest.approx(np.mean(0.5 * np.sum((out - Y) ** 2, axis=1)),
                                           rel=1e-14)
