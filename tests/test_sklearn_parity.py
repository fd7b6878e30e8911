"""Differential tests against scikit-learn's MLPClassifier / MLPRegressor (issue §3, §4).

From identical starting weights and data, k epochs of SGD (plain, momentum,
Nesterov) and Adam must leave our weights and biases equal to scikit-learn's
within 1e-10, and our epoch losses equal to its ``loss_curve_``.

Technique: fit the scikit-learn estimator once (max_iter=1) so it creates its
arrays, copy our starting weights into ``coefs_`` / ``intercepts_``, then fit
again with ``warm_start=True`` and ``max_iter=k`` (scikit-learn builds a fresh
optimizer on every ``fit``, so the optimizer state starts from zero like ours).
"""

import math
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier, MLPRegressor

from mikir import SGD, Adam, NeuralNetwork, one_hot

N = 40
HIDDEN = (5, 4)
OUR_ACTIVATION = {"logistic": "sigmoid", "tanh": "tanh", "relu": "relu"}
OPTIMIZERS = {
    # name: (sklearn keyword arguments, a factory for ours)
    "sgd": (dict(solver="sgd", learning_rate_init=0.1, momentum=0.0, nesterovs_momentum=False),
            lambda: SGD(learning_rate=0.1)),
    "momentum": (dict(solver="sgd", learning_rate_init=0.05, momentum=0.9,
                      nesterovs_momentum=False),
                 lambda: SGD(learning_rate=0.05, momentum=0.9)),
    "nesterov": (dict(solver="sgd", learning_rate_init=0.05, momentum=0.9,
                      nesterovs_momentum=True),
                 lambda: SGD(learning_rate=0.05, momentum=0.9, nesterov=True)),
    "adam": (dict(solver="adam", learning_rate_init=0.01, beta_1=0.8, beta_2=0.99,
                  epsilon=1e-7),
             lambda: Adam(learning_rate=0.01, beta1=0.8, beta2=0.99, epsilon=1e-7)),
}
KINDS = ("binary", "multiclass", "regression")


def problem(kind, activation, l2, seed, n=N):
    """Data, class labels (for scikit-learn), targets and a net (for us)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(0.0, 1.0, (n, 3))
    if kind == "binary":
        y = (X[:, 0] * X[:, 1] + 0.3 * rng.normal(size=n) > 0).astype(np.int64)
        Y, outputs, output, loss = y.reshape(-1, 1).astype(float), 1, "sigmoid", \
            "binary_crossentropy"
    elif kind == "multiclass":
        y = np.arange(n) % 3
        rng.shuffle(y)
        Y, outputs, output, loss = one_hot(y, 3), 3, "softmax", "categorical_crossentropy"
    else:
        y = np.sin(X[:, 0]) + 0.5 * X[:, 1] - X[:, 2] ** 2 / 4
        Y, outputs, output, loss = y.reshape(-1, 1), 1, "linear", "mse"
    net = NeuralNetwork(
        3, *HIDDEN, outputs, activation=OUR_ACTIVATION[activation], output_activation=output,
        loss=loss, init="xavier", regularization="l2" if l2 else None,
        regularization_rate=l2, seed=seed,
    )
    for b in net.biases:  # xavier leaves biases at 0: make them matter too
        b[...] = rng.normal(0.0, 0.3, b.shape)
    return X, y, Y, net


def sklearn_twin(kind, activation, optimizer, l2, batch_size, X, y, net):
    """A scikit-learn estimator holding a copy of ``net``'s weights, ready to fit."""
    options, _ = OPTIMIZERS[optimizer]
    estimator_class = MLPRegressor if kind == "regression" else MLPClassifier
    estimator = estimator_class(
        hidden_layer_sizes=HIDDEN, activation=activation, alpha=l2 * batch_size,
        batch_size=batch_size, learning_rate="constant", max_iter=1, shuffle=False, tol=0.0,
        n_iter_no_change=10**9, early_stopping=False, warm_start=True, random_state=0,
        **options,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        estimator.fit(X, y)  # creates coefs_ / intercepts_ of the right shapes
    assert [c.shape for c in estimator.coefs_] == [w.shape for w in net.weights]
    assert [b.shape for b in estimator.intercepts_] == [b.shape for b in net.biases]
    for ours, theirs in zip(net.weights, estimator.coefs_):
        theirs[...] = ours
    for ours, theirs in zip(net.biases, estimator.intercepts_):
        theirs[...] = ours
    return estimator


def fit_sklearn(estimator, X, y, epochs):
    estimator.set_params(max_iter=epochs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        estimator.fit(X, y)
    assert estimator.n_iter_ == epochs  # it really ran k epochs, no early stop
    return estimator.loss_curve_[-epochs:]


def assert_same_parameters(net, estimator, atol=1e-10):
    for i, (ours, theirs) in enumerate(zip(net.weights, estimator.coefs_)):
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=atol, err_msg=f"weights[{i}]")
    for i, (ours, theirs) in enumerate(zip(net.biases, estimator.intercepts_)):
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=atol, err_msg=f"biases[{i}]")


def loss_tolerance(kind):
    # scikit-learn clips probabilities to [eps, 1 − eps] and takes log(p) of
    # them; we use the logits. Squared error is the same formula.
    return 1e-12 if kind == "regression" else 1e-8


@pytest.mark.parametrize("epochs", [1, 5, 25])
@pytest.mark.parametrize("l2", [0.0, 0.01])
@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
@pytest.mark.parametrize("activation", list(OUR_ACTIVATION))
@pytest.mark.parametrize("kind", KINDS)
def test_full_batch_training_matches_sklearn(kind, activation, optimizer, l2, epochs):
    seed = KINDS.index(kind) * 100 + list(OUR_ACTIVATION).index(activation) * 10 + epochs
    X, y, Y, net = problem(kind, activation, l2, seed)
    start = net.get_parameters()
    estimator = sklearn_twin(kind, activation, optimizer, l2, N, X, y, net)
    their_losses = fit_sklearn(estimator, X, y, epochs)

    history = net.fit(X, Y, epochs=epochs, batch_size=N, shuffle=False,
                      optimizer=OPTIMIZERS[optimizer][1]())
    assert not history.diverged
    assert not np.array_equal(net.get_parameters(), start)  # training moved the weights
    assert_same_parameters(net, estimator)
    np.testing.assert_allclose(history.loss, their_losses, rtol=loss_tolerance(kind), atol=0)


@pytest.mark.parametrize(("kind", "activation", "optimizer"), [
    ("regression", "tanh", "adam"),
    ("binary", "relu", "momentum"),
    ("multiclass", "logistic", "nesterov"),
    ("regression", "relu", "sgd"),
])
def test_mini_batch_training_matches_sklearn(kind, activation, optimizer):
    batch, epochs, l2 = 10, 6, 0.02
    X, y, Y, net = problem(kind, activation, l2, seed=7)
    estimator = sklearn_twin(kind, activation, optimizer, l2, batch, X, y, net)
    their_losses = fit_sklearn(estimator, X, y, epochs)
    history = net.fit(X, Y, epochs=epochs, batch_size=batch, shuffle=False,
                      optimizer=OPTIMIZERS[optimizer][1]())
    assert_same_parameters(net, estimator)
    np.testing.assert_allclose(history.loss, their_losses, rtol=loss_tolerance(kind), atol=0)


def test_train_step_sequence_matches_sklearn_full_batch():
    """k calls of train_step with one optimizer == k epochs of full-batch fit."""
    X, y, Y, net = problem("multiclass", "tanh", 0.01, seed=3)
    estimator = sklearn_twin("multiclass", "tanh", "adam", 0.01, N, X, y, net)
    their_losses = fit_sklearn(estimator, X, y, 10)
    optimizer = OPTIMIZERS["adam"][1]()
    our_losses = [net.train_step(X, Y, optimizer) for _ in range(10)]
    assert_same_parameters(net, estimator)
    np.testing.assert_allclose(our_losses, their_losses, rtol=1e-8)


def test_sklearn_alpha_is_our_rate_times_the_batch_size():
    """Without the ×n, the two runs drift apart: the conversion is not vacuous."""
    X, y, Y, net = problem("regression", "tanh", 0.05, seed=1)
    estimator = sklearn_twin("regression", "tanh", "sgd", 0.05 / N, N, X, y, net)  # wrong α
    fit_sklearn(estimator, X, y, 5)
    net.fit(X, Y, epochs=5, batch_size=N, shuffle=False, optimizer=SGD(learning_rate=0.1))
    with pytest.raises(AssertionError):
        assert_same_parameters(net, estimator)


# ------------------------------------------- learning rate changes keep optimizer state

def reference_run(kind, net, X, Y, schedule, beta1=0.9, beta2=0.999, eps=1e-8, momentum=0.9,
                  nesterov=False):
    """Hand-rolled scikit-learn update rules on a copy, learning rate from ``schedule``."""
    twin = net.copy()
    params = twin.get_parameters()
    m, v = np.zeros_like(params), np.zeros_like(params)
    velocity = np.zeros_like(params)
    for t, rate in enumerate(schedule, start=1):
        twin.set_parameters(params)
        _, wg, bg = twin.gradients(X, Y)
        g = np.concatenate([x.ravel() for x in wg + bg])
        if kind == "adam":
            m = beta1 * m + (1 - beta1) * g
            v = beta2 * v + (1 - beta2) * g * g
            rate_t = rate * math.sqrt(1 - beta2**t) / (1 - beta1**t)
            params = params - rate_t * m / (np.sqrt(v) + eps)
        else:
            velocity = momentum * velocity - rate * g
            params = params + (momentum * velocity - rate * g if nesterov else velocity)
    return params


@pytest.mark.parametrize("kind", ["adam", "momentum", "nesterov"])
def test_changing_learning_rate_between_steps_keeps_optimizer_state(kind):
    X, _, Y, net = problem("binary", "tanh", 0.0, seed=4)
    schedule = [0.1, 0.05, 0.2, 0.01, 0.3, 0.07, 0.02, 0.15]
    if kind == "adam":
        optimizer = Adam(learning_rate=schedule[0])
    else:
        optimizer = SGD(learning_rate=schedule[0], momentum=0.9, nesterov=kind == "nesterov")
    expected = reference_run(kind, net, X, Y, schedule, nesterov=kind == "nesterov")
    for rate in schedule:
        optimizer.learning_rate = rate
        net.train_step(X, Y, optimizer)
    if kind == "adam":
        assert optimizer.t == len(schedule)
    np.testing.assert_allclose(net.get_parameters(), expected, rtol=0, atol=1e-12)

    # and the state really matters: restarting the optimizer at each step differs
    X, _, Y, fresh = problem("binary", "tanh", 0.0, seed=4)
    for rate in schedule:
        restarted = (Adam(learning_rate=rate) if kind == "adam"
                     else SGD(learning_rate=rate, momentum=0.9, nesterov=kind == "nesterov"))
        fresh.train_step(X, Y, restarted)
    assert np.abs(fresh.get_parameters() - expected).max() > 1e-3


def test_changing_learning_rate_in_fit_callback_keeps_adam_state():
    """The playground changes the rate mid-run through fit's callback."""
    X, _, Y, net = problem("regression", "relu", 0.0, seed=9)
    schedule = [0.02, 0.005, 0.03, 0.01]
    expected = reference_run("adam", net, X, Y, schedule)
    optimizer = Adam(learning_rate=schedule[0])

    def callback(epoch, history):
        if epoch + 1 < len(schedule):
            optimizer.learning_rate = schedule[epoch + 1]

    net.fit(X, Y, epochs=len(schedule), batch_size=N, shuffle=False, optimizer=optimizer,
            callback=callback)
    np.testing.assert_allclose(net.get_parameters(), expected, rtol=0, atol=1e-12)
