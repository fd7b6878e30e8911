"""fit's fast path is bit for bit a plain loop of train_step on the same batches.

fit shuffles X and Y once per epoch into buffers and trains on views of them,
with the per-batch Python work hoisted, np.dot where it reaches the same BLAS
call as np.matmul, constants as arrays, and (``record_loss=False``) no
cross-entropy when one dot product proves it finite. None of that may change a
bit of the weights, the optimizer's state, the losses or the divergence: each
test here trains a twin with ``train_step`` (the unchanged reference path) and
compares bytes, so signed zeros count too.
"""

import copy
import math
import warnings

import numpy as np
import pytest

import mikir
from mikir import SGD, Adam, NeuralNetwork, activations, losses

HIDDEN = ("tanh", "relu", "sigmoid", "leaky_relu", "linear")
OUTPUTS = (("sigmoid", "binary_crossentropy"), ("softmax", "categorical_crossentropy"),
           ("linear", "mse"), ("sigmoid", "mse"), ("tanh", "mse"), ("relu", "mse"),
           ("softmax", "mse"))
OPTIMIZERS = {
    "sgd": lambda: SGD(0.05),
    "momentum": lambda: SGD(0.05, momentum=0.9),
    "nesterov": lambda: SGD(0.05, momentum=0.9, nesterov=True),
    "adam": lambda: Adam(0.01),
}
REGULARIZATIONS = ((None, 0.0), ("l2", 0.01), ("l1", 0.003))


def reference_fit(net, X, Y, epochs, batch_size, optimizer, shuffle=True, seed=None,
                  callback=None):
    """What fit promises, spelled out: train_step on each epoch's shuffled batches.

    Returns (epoch losses, diverged message or None)."""
    X, Y = np.asarray(X, dtype=float), np.asarray(Y, dtype=float)
    if Y.ndim == 1:
        Y = Y.reshape(-1, 1)
    n = X.shape[0]
    rng = np.random.default_rng(seed)
    order = np.arange(n)
    history = []
    for epoch in range(epochs):
        if shuffle:
            rng.shuffle(order)
        total = 0.0
        for start in range(0, n, batch_size):
            # shuffled: copies of the rows; in order: views of X (as fit always did:
            # for a non-contiguous X, BLAS sums strided rows in its own order)
            batch = order[start:start + batch_size] if shuffle else slice(start,
                                                                           start + batch_size)
            try:
                total += net.train_step(X[batch], Y[batch], optimizer) * len(Y[batch])
            except mikir.DivergedError as error:
                return history, f"training diverged in epoch {epoch + 1}: {error}"
        history.append(total / n)
        if callback is not None:
            callback(epoch)
    return history, None


def problem(sizes, output, n=23, seed=0, X=None):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, sizes[0])) if X is None else X
    k = sizes[-1]
    labels = rng.integers(0, max(k, 2), X.shape[0])
    Y = np.eye(k)[labels % k] if k > 1 else (labels % 2).reshape(-1, 1).astype(float)
    if output == "tanh":
        Y = 2 * Y - 1
    return X, Y


def optimizer_state(optimizer):
    state = {k: v for k, v in vars(optimizer).items() if k != "_scratch"}
    return {k: ([a.tobytes() for a in v] if isinstance(v, list) else v)
            for k, v in state.items()}


def assert_same_training(net, twin, optimizer, twin_optimizer):
    assert net.get_parameters().tobytes() == twin.get_parameters().tobytes()
    assert optimizer_state(optimizer) == optimizer_state(twin_optimizer)


def fit_and_reference(net, X, Y, optimizer_name, record_loss, epochs=2, **kwargs):
    twin = net.copy()
    optimizer, twin_optimizer = OPTIMIZERS[optimizer_name](), OPTIMIZERS[optimizer_name]()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        history = net.fit(X, Y, epochs=epochs, optimizer=optimizer, record_loss=record_loss,
                          **kwargs)
    losses_, message = reference_fit(twin, X, Y, epochs, kwargs["batch_size"], twin_optimizer,
                                     shuffle=kwargs.get("shuffle", True),
                                     seed=kwargs.get("seed"))
    assert_same_training(net, twin, optimizer, twin_optimizer)
    assert history.epochs == len(losses_)
    assert history.loss == (losses_ if record_loss else [])
    assert history.diverged == (message is not None)
    assert history.message == (message or "")
    return history


@pytest.mark.parametrize("output, loss", OUTPUTS)
@pytest.mark.parametrize("hidden", HIDDEN + (["relu", "tanh"], ["sigmoid", "linear"]))
def test_fit_equals_a_train_step_loop_bit_for_bit(hidden, output, loss):
    """Every activation (one for all hidden layers, or one per layer) and loss; every
    optimizer; no, L1 and L2 penalties; batches of 1, of 5 (the last one 3) and the
    whole set; shuffled or not; with and without record_loss."""
    k = 3 if output == "softmax" else 1
    X, Y = problem((3, k), output)
    for case, optimizer_name in enumerate(OPTIMIZERS):
        regularization, rate = REGULARIZATIONS[case % 3]
        for batch_size, shuffle in ((5, True), (23, True), (5, False), (1, case == 0)):
            for record_loss in (True, False):
                net = NeuralNetwork(3, 5, 4, k, activation=hidden, output_activation=output,
                                    loss=loss, init="xavier", regularization=regularization,
                                    regularization_rate=rate, seed=case)
                fit_and_reference(net, X, Y, optimizer_name, record_loss, batch_size=batch_size,
                                  shuffle=shuffle, seed=11)


@pytest.mark.parametrize("sizes", [(1, 1), (1, 3, 1), (2, 1, 3), (3, 1, 1, 2), (4, 6, 3, 1)])
@pytest.mark.parametrize("layout", ["C", "F", "strided", "reversed"])
def test_fit_bit_for_bit_with_layers_of_one_and_any_memory_layout(sizes, layout):
    """Sizes of 1 (where np.dot and np.matmul take different routes, so fit keeps
    matmul), zero weights (signed zeros), and inputs that are not C-ordered."""
    rng = np.random.default_rng(3)
    wide = rng.normal(size=(17, 9))
    d = sizes[0]
    X = {"C": np.ascontiguousarray(wide[:, :d]), "F": np.asfortranarray(wide[:, :d]),
         "strided": wide[:, ::2][:, :d], "reversed": wide[::-1, :d]}[layout]
    for hidden, (output, loss) in (("relu", ("sigmoid", "binary_crossentropy")),
                                   ("tanh", ("linear", "mse")),
                                   ("leaky_relu", ("softmax", "categorical_crossentropy"))):
        if output == "softmax" and sizes[-1] == 1:
            continue
        _, Y = problem(sizes, output, X=X)
        for init in ("zeros", "playground"):
            for batch_size in (1, 2, 5, 17):
                for shuffle in (False, True):
                    net = NeuralNetwork(*sizes, activation=hidden, output_activation=output,
                                        loss=loss, init=init, seed=2)
                    fit_and_reference(net, X, Y, "sgd" if batch_size % 2 else "adam",
                                      record_loss=shuffle, batch_size=batch_size,
                                      shuffle=shuffle, seed=4)


@pytest.mark.parametrize("loss, output", [("binary_crossentropy", "sigmoid"),
                                          ("categorical_crossentropy", "softmax"),
                                          ("mse", "linear")])
@pytest.mark.parametrize("regularization", [(None, 0.0), ("l2", 0.1), ("l2", 1e300),
                                            ("l1", 1e300)])
def test_divergence_is_the_same_without_recording_the_loss(loss, output, regularization):
    """Losses that become inf or NaN, penalties that overflow: fit stops at the same
    batch, with the same message and weights, whether or not it records the loss."""
    k = 3 if output == "softmax" else 1
    X, Y = problem((3, k), output, n=40)
    messages = set()
    for rate in (1.0, 30.0, 1e4):
        OPTIMIZERS["large"] = lambda rate=rate: SGD(rate)
        try:
            for record_loss in (True, False):
                net = NeuralNetwork(3, 6, k, activation="relu", output_activation=output,
                                    loss=loss, init="he", regularization=regularization[0],
                                    regularization_rate=regularization[1], seed=5)
                history = fit_and_reference(net, 30 * X, Y, "large", record_loss, epochs=25,
                                            batch_size=8, seed=2)
                messages.add(history.message.split(": ")[-1][:20])
        finally:
            del OPTIMIZERS["large"]
    assert any("loss became" in message for message in messages), messages


def test_huge_but_finite_logits_are_proven_or_computed():
    """record_loss=False skips the cross-entropy only when Σz² ≤ 1e300, so every
    |z| ≤ 1e150: then the loss is finite whatever the targets (even a thousand
    samples at the bound). Beyond, it is computed, so an overflow is still caught."""
    for z_value in (1e150, -1e150):
        z = np.full((1000, 3), z_value)
        z[::2] *= -1
        y = np.eye(3)[np.arange(1000) % 3]
        assert math.isfinite(losses.LOSSES["categorical_crossentropy"].value(z, None, y))
        assert math.isfinite(losses.LOSSES["binary_crossentropy"].value(z[:, :1], None,
                                                                          y[:, :1]))
    net = NeuralNetwork(1, 1, output_activation="sigmoid", loss="binary_crossentropy",
                        init="zeros")
    X, Y = np.array([[1.0], [-1.0]]), np.array([[0.0], [1.0]])
    for weight in (1e149, 1e155, 1e307, 1.5e308):
        results = []
        for record_loss in (True, False):
            net.set_parameters([weight, 0.0])
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                history = net.fit(X, Y, epochs=1, batch_size=2, optimizer=SGD(1e-300),
                                  shuffle=False, record_loss=record_loss)
            results.append((net.get_parameters().tobytes(), history.diverged, history.message))
        assert results[0] == results[1]
    assert results[0][1] and "loss became inf" in results[0][2]  # 1.5e308 + 1.5e308


def test_a_callback_changing_the_learning_rate_and_penalty_takes_effect_next_epoch():
    X, Y = problem((3, 1), "sigmoid", n=30)
    for name in ("sgd", "adam"):
        net = NeuralNetwork(3, 4, 1, activation="tanh", loss="binary_crossentropy",
                            init="playground", regularization="l2", seed=1)
        twin = net.copy()
        optimizer, twin_optimizer = OPTIMIZERS[name](), OPTIMIZERS[name]()

        def change(epoch, net=net, optimizer=optimizer):
            optimizer.learning_rate *= 0.5
            net.regularization_rate = 0.01 * (epoch + 1)

        def change_twin(epoch, net=twin, optimizer=twin_optimizer):
            optimizer.learning_rate *= 0.5
            net.regularization_rate = 0.01 * (epoch + 1)

        history = net.fit(X, Y, epochs=4, batch_size=7, optimizer=optimizer, seed=3,
                          callback=lambda epoch, history: change(epoch))
        reference, _ = reference_fit(twin, X, Y, 4, 7, twin_optimizer, seed=3,
                                     callback=change_twin)
        assert history.loss == reference
        assert_same_training(net, twin, optimizer, twin_optimizer)


def test_an_optimizer_is_shared_between_fit_and_train_step():
    """fit's bound update keeps the optimizer's state exactly as step does, so
    fit, then train_step, then fit with the same optimizer equals the plain loop."""
    X, Y = problem((3, 1), "sigmoid", n=20)
    for name in OPTIMIZERS:
        net = NeuralNetwork(3, 4, 1, activation="relu", loss="binary_crossentropy",
                            init="he", seed=7)
        twin = net.copy()
        optimizer, twin_optimizer = OPTIMIZERS[name](), OPTIMIZERS[name]()
        net.fit(X, Y, epochs=2, batch_size=6, optimizer=optimizer, seed=1, record_loss=False)
        net.train_step(X[:4], Y[:4], optimizer)
        optimizer.learning_rate = 0.02
        net.fit(X, Y, epochs=1, batch_size=6, optimizer=optimizer, seed=2)
        reference_fit(twin, X, Y, 2, 6, twin_optimizer, seed=1)
        twin.train_step(X[:4], Y[:4], twin_optimizer)
        twin_optimizer.learning_rate = 0.02
        reference_fit(twin, X, Y, 1, 6, twin_optimizer, seed=2)
        assert_same_training(net, twin, optimizer, twin_optimizer)


def test_record_loss_false_counts_epochs_and_still_calls_back():
    X, Y = problem((3, 1), "sigmoid")
    net = NeuralNetwork(3, 4, 1, loss="binary_crossentropy", seed=0)
    seen = []
    history = net.fit(X, Y, epochs=5, batch_size=4, record_loss=False,
                      validation_data=(X, Y), callback=lambda e, h: seen.append(h.epochs))
    assert history.loss == [] and history.epochs == 5 and seen == [1, 2, 3, 4, 5]
    assert len(history.val_loss) == 5 and history.val_loss[-1] == net.loss(X, Y)
    assert mikir.History(loss=[1.0, 2.0]).epochs == 2


def run(calls):
    for function, args in calls:
        function(*args)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu", "linear",
                                  "softmax"])
def test_activation_calls_are_the_functions_bit_for_bit(name):
    """forward_calls = forward; factor_calls then apply_calls = backward, also with
    the factor computed over one buffer of which the layers' arrays are views."""
    rng = np.random.default_rng(0)
    special = [0.0, -0.0, np.nan, np.inf, -np.inf, 5e-324, -5e-324, 1e-310, 1e308, -1e308,
               710.0, -710.0, 20.0, -20.0]
    z = np.concatenate([rng.normal(scale=4, size=66), special]).reshape(20, 4)
    if name == "softmax":
        z = np.nan_to_num(z, nan=0.0, posinf=30.0, neginf=-30.0)
    activation = activations.ACTIVATIONS[name]
    with np.errstate(all="ignore"):
        expected = activation.forward(z, np.empty_like(z))
        got = np.empty_like(z)
        run(activation.forward_calls(z, got))
        assert got.tobytes() == expected.tobytes()
        grad = rng.normal(size=z.shape)
        grad.flat[:len(special)] = special
        expected_grad = grad.copy()
        activation.backward(z, expected, expected_grad, np.empty_like(z))
        factor = np.empty(z.size + 6)  # two "layers": rows 0-9 and 10-19, one buffer
        for buffers in ([(z, expected, grad.copy(), factor[:80].reshape(20, 4))],
                        [(z[:10], expected[:10], grad[:10].copy(), factor[:40].reshape(10, 4)),
                         (z[10:], expected[10:], grad[10:].copy(),
                          factor[40:80].reshape(10, 4))]):
            if len(buffers) == 1 or name == "softmax":
                for z_i, a_i, _, factor_i in buffers:
                    run(activation.factor_calls(z_i, a_i, factor_i))
            else:  # one factor call list over the whole buffer
                run(activation.factor_calls(z.reshape(-1), expected.reshape(-1),
                                            factor[:80]))
            for z_i, a_i, grad_i, factor_i in buffers:
                run(activation.apply_calls(z_i, a_i, grad_i, factor_i))
            got_grad = np.concatenate([grad_i for *_, grad_i, _ in buffers])
            assert got_grad.tobytes() == expected_grad.tobytes()


@pytest.mark.parametrize("changes", [{}, {"optimizer": "adam"}, {"batch_size": 7},
                                     {"regularization": "l2", "regularization_rate": 0.01},
                                     {"dataset": "plane", "activation": "relu",
                                      "hidden": (8, 8, 8), "learning_rate": 10.0},
                                     {"learning_rate": 3.0, "hidden": (8, 8), "batch_size": 3}])
def test_session_train_epochs_equals_train_steps_on_the_same_batches(changes):
    """The playground's whole-epoch path (fit with record_loss=False) against the
    plain loop on the batches its seed draws: same weights, same epochs, and the
    same divergence when the learning rate is too large."""
    from playground.config import Config
    from playground.session import TrainingSession

    session = TrainingSession(Config().replace(**changes))
    twin = session.net.copy()
    twin_optimizer = copy.deepcopy(session.optimizer)
    seeds = copy.deepcopy(session._rng)
    epochs, diverged = 0, None
    for count in (1, 7, 60):
        if diverged:
            break
        ok = session.train_epochs(count)
        history, diverged = reference_fit(twin, session.data.F_train, session.data.Y_train,
                                          count, session.batch_size, twin_optimizer,
                                          seed=int(seeds.integers(2**63)))
        epochs += len(history)
        assert ok == (diverged is None and np.isfinite(twin.get_parameters()).all())
        assert session.epoch == epochs
        assert_same_training(session.net, twin, session.optimizer, twin_optimizer)
    if changes.get("dataset") == "plane":
        assert diverged and session.diverged
