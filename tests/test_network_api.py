"""NeuralNetwork's public API (issue §2, §3, §7): validation, weights, seeds,
inits, forward, training, fit, divergence, label helpers, classes, regularization."""

import math
import warnings

import numpy as np
import pytest
from scipy import special, stats
from sklearn.metrics import accuracy_score
from sklearn.preprocessing import LabelBinarizer

import mikir
from mikir import SGD, Adam, DivergedError, NeuralNetwork, encode_labels, one_hot
from mikir import optimizers as opt

HIDDEN = ("sigmoid", "tanh", "relu", "leaky_relu", "linear")
INITS = ("uniform", "playground", "xavier", "he", "zeros")
REFERENCE = {
    "sigmoid": special.expit,
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0.0),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
    "linear": lambda z: z,
    "softmax": lambda z: special.softmax(z, axis=1),
}


def assert_clean_error(info, *words):
    """A ValueError of ours, naming the problem, not numpy's broadcast error."""
    message = str(info.value)
    assert info.type is ValueError, info.type
    assert "broadcast" not in message and "operands could not" not in message, message
    for word in words:
        assert word.lower() in message.lower(), (word, message)


def classifier(seed=0):
    return NeuralNetwork(3, 5, 4, activation="tanh", output_activation="softmax",
                         loss="categorical_crossentropy", init="xavier", seed=seed)


def data(n=12, inputs=3, outputs=4, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, inputs)), np.eye(outputs)[rng.integers(0, outputs, n)]


# ----------------------------------------------------------------- bad input

ENTRY_POINTS = {
    "predict": lambda net, X, Y: net.predict(X),
    "forward": lambda net, X, Y: net.forward(X),
    "predict_classes": lambda net, X, Y: net.predict_classes(X),
    "loss": lambda net, X, Y: net.loss(X, Y),
    "gradients": lambda net, X, Y: net.gradients(X, Y),
    "train_step": lambda net, X, Y: net.train_step(X, Y, SGD(0.1)),
    "fit": lambda net, X, Y: net.fit(X, Y, epochs=2, batch_size=5),
    "accuracy": lambda net, X, Y: net.accuracy(X, Y),
}
NEEDS_Y = ("loss", "gradients", "train_step", "fit", "accuracy")

BAD_X = {
    "too_many_columns": (np.zeros((12, 4)), "shape"),
    "too_few_columns": (np.zeros((12, 2)), "shape"),
    "three_dims": (np.zeros((12, 3, 1)), "shape"),
    "scalar": (np.float64(1.0), "shape"),
    "no_rows": (np.zeros((0, 3)), "no rows"),
    "nan": (np.where(np.eye(12, 3) > 0, np.nan, 0.0), "NaN or inf"),
    "inf": (np.where(np.eye(12, 3) > 0, np.inf, 0.0), "NaN or inf"),
    "minus_inf": (np.full((12, 3), -np.inf), "NaN or inf"),
    "strings": ([["a", "b", "c"]] * 12, "numeric"),
    "ragged": ([[1.0, 2.0, 3.0], [1.0, 2.0]] * 6, "X"),
    "none": (None, "X"),
}


@pytest.mark.parametrize("case", list(BAD_X))
@pytest.mark.parametrize("entry", list(ENTRY_POINTS))
def test_bad_X_is_a_clean_valueerror(entry, case):
    net = classifier()
    X_bad, word = BAD_X[case]
    _, Y = data()
    before = net.get_parameters()
    with pytest.raises(ValueError) as info:
        ENTRY_POINTS[entry](net, X_bad, Y)
    assert_clean_error(info, "X", word)
    np.testing.assert_array_equal(net.get_parameters(), before)


BAD_Y = {
    "too_many_columns": (np.zeros((12, 5)), "shape"),
    "too_few_rows": (np.zeros((11, 4)), "shape"),
    "too_many_rows": (np.zeros((13, 4)), "shape"),
    "three_dims": (np.zeros((12, 4, 1)), "shape"),
    "nan": (np.where(np.eye(12, 4) > 0, np.nan, 0.0), "NaN or inf"),
    "inf": (np.where(np.eye(12, 4) > 0, np.inf, 0.0), "NaN or inf"),
    "strings": ([["a"] * 4] * 12, "numeric"),
    "above_one": (np.eye(12, 4) * 2, "[0, 1]"),
    "below_zero": (-np.eye(12, 4), "[0, 1]"),
}


@pytest.mark.parametrize("case", list(BAD_Y))
@pytest.mark.parametrize("entry", [e for e in ENTRY_POINTS if e in NEEDS_Y and e != "accuracy"])
def test_bad_Y_is_a_clean_valueerror(entry, case):
    net = classifier()
    X, _ = data()
    Y_bad, word = BAD_Y[case]
    before = net.get_parameters()
    with pytest.raises(ValueError) as info:
        ENTRY_POINTS[entry](net, X, Y_bad)
    assert_clean_error(info, "Y", word)
    np.testing.assert_array_equal(net.get_parameters(), before)


@pytest.mark.parametrize("Y", [np.full((6, 1), 2.0), np.full((6, 1), -0.5),
                               np.array([0, 1, 1, 0, 3, 1.0])])
def test_binary_crossentropy_targets_outside_unit_interval(Y):
    net = NeuralNetwork(2, 3, 1, loss="binary_crossentropy", seed=0)
    with pytest.raises(ValueError) as info:
        net.loss(np.zeros((6, 2)), Y)
    assert_clean_error(info, "[0, 1]", "binary_crossentropy")
    # mse has no such restriction
    NeuralNetwork(2, 3, 1, output_activation="linear", seed=0).loss(np.zeros((6, 2)), Y)


def test_targets_in_several_spellings_mean_the_same():
    net = NeuralNetwork(2, 3, 1, loss="binary_crossentropy", seed=0)
    X = np.random.default_rng(0).normal(size=(5, 2))
    y = np.array([0, 1, 1, 0, 1])
    assert net.loss(X, y) == net.loss(X, y.reshape(-1, 1)) == net.loss(X, y.tolist())
    multi = classifier()
    X, Y = data()
    labels = Y.argmax(axis=1)
    assert multi.loss(X, labels) == multi.loss(X, Y)


@pytest.mark.parametrize(("kwargs", "valid"), [
    (dict(activation="swish"), HIDDEN),
    (dict(activation="softmax"), HIDDEN),
    (dict(activation=["tanh", "gelu"]), HIDDEN),
    (dict(activation=3), HIDDEN),
    (dict(output_activation="gelu"), (*HIDDEN, "softmax")),
    (dict(loss="hinge"), ("mse", "binary_crossentropy", "categorical_crossentropy")),
    (dict(init="orthogonal"), INITS),
    (dict(regularization="l3"), ("l1", "l2", "None")),
    (dict(regularization="L2"), ("l1", "l2", "None")),
])
def test_unknown_names_list_the_valid_ones(kwargs, valid):
    with pytest.raises(ValueError) as info:
        NeuralNetwork(2, 4, 4, 1, **kwargs)
    bad = next(iter(kwargs.values()))
    shown = bad[-1] if isinstance(bad, list) else bad
    assert_clean_error(info, repr(shown), *valid)


def test_unknown_optimizer_names_list_the_valid_ones():
    with pytest.raises(ValueError) as info:
        opt.make("rmsprop", learning_rate=0.1)
    assert_clean_error(info, "'rmsprop'", "sgd", "adam")
    assert isinstance(opt.make("adam", learning_rate=0.1), Adam)
    assert isinstance(opt.make("sgd", learning_rate=0.1, momentum=0.5), SGD)
    net = classifier()
    X, Y = data()
    for bad in ("adam", "rmsprop", None, 0.1):
        with pytest.raises(ValueError) as info:
            net.train_step(X, Y, bad)
        assert_clean_error(info, "optimizer", "SGD", "Adam")
        if bad is not None:  # fit's None means the default SGD
            with pytest.raises(ValueError) as info:
                net.fit(X, Y, optimizer=bad)
            assert_clean_error(info, "optimizer", "SGD", "Adam")


def test_mismatched_loss_and_output_pairs():
    for loss, output in [("binary_crossentropy", "softmax"), ("binary_crossentropy", "tanh"),
                         ("binary_crossentropy", "linear"), ("categorical_crossentropy", "sigmoid"),
                         ("categorical_crossentropy", "linear")]:
        with pytest.raises(ValueError) as info:
            NeuralNetwork(2, 3, 2, output_activation=output, loss=loss)
        assert_clean_error(info, loss, repr(output))
    for output in (*HIDDEN, "softmax"):  # squared error pairs with anything
        NeuralNetwork(2, 3, 2, output_activation=output, loss="mse")
    assert NeuralNetwork(2, 3, 2, output_activation="softmax").loss_name == \
        "categorical_crossentropy"


@pytest.mark.parametrize("sizes", [
    (2, 0, 1), (0, 3, 1), (2, 3, 0), (2, -3, 1), (2, 3.0, 1), (2, 2.5, 1), (2, True, 1),
    (2, "3", 1), (2, None, 1), (2, 10**6, 1),
])
def test_bad_layer_sizes(sizes):
    with pytest.raises(ValueError) as info:
        NeuralNetwork(*sizes)
    assert_clean_error(info, "layer size")
    with pytest.raises(ValueError):
        NeuralNetwork(list(sizes))


def test_too_few_layers_and_activation_list_length():
    for sizes in [(), (2,), ([3],)]:
        with pytest.raises(ValueError, match="at least two layer sizes"):
            NeuralNetwork(*sizes)
    with pytest.raises(ValueError, match="2 names but the network has 3 hidden layers"):
        NeuralNetwork(2, 3, 3, 3, 1, activation=["tanh", "relu"])
    assert NeuralNetwork(np.int64(2), np.int32(3), 1).layer_sizes == (2, 3, 1)
    assert NeuralNetwork([2, 3, 1]).layer_sizes == (2, 3, 1)


BAD_RATES = [0, 0.0, -0.1, -1, math.nan, math.inf, -math.inf, "fast", None, [0.1]]


@pytest.mark.parametrize("rate", BAD_RATES)
def test_bad_learning_rates(rate):
    for make in (lambda r: SGD(learning_rate=r), lambda r: Adam(learning_rate=r),
                 lambda r: SGD(0.1, momentum=0.9, nesterov=True).__setattr__("learning_rate", r)):
        with pytest.raises(ValueError) as info:
            make(rate)
        assert_clean_error(info, "learning_rate")
    optimizer = Adam(0.01)
    with pytest.raises(ValueError):
        optimizer.learning_rate = rate
    assert optimizer.learning_rate == 0.01  # unchanged
    net = NeuralNetwork(2, 3, 1, seed=0)
    before = net.get_parameters()
    with pytest.raises(ValueError) as info:
        net.train([0, 1], [1], learning_rate=rate)
    assert_clean_error(info, "learning_rate")
    np.testing.assert_array_equal(net.get_parameters(), before)


@pytest.mark.parametrize(("make", "word"), [
    (lambda: SGD(0.1, momentum=1.0), "momentum"),
    (lambda: SGD(0.1, momentum=-0.1), "momentum"),
    (lambda: SGD(0.1, momentum=math.nan), "momentum"),
    (lambda: SGD(0.1, nesterov=True), "nesterov"),
    (lambda: Adam(0.1, beta1=1.0), "beta1"),
    (lambda: Adam(0.1, beta2=-0.5), "beta2"),
    (lambda: Adam(0.1, epsilon=0.0), "epsilon"),
    (lambda: NeuralNetwork(2, 1, regularization="l2", regularization_rate=-1), "regularization"),
    (lambda: NeuralNetwork(2, 1, regularization="l2", regularization_rate=math.nan),
     "regularization"),
    (lambda: NeuralNetwork(2, 1, regularization="l2", regularization_rate="x"), "regularization"),
])
def test_other_bad_hyperparameters(make, word):
    with pytest.raises(ValueError) as info:
        make()
    assert_clean_error(info, word)


@pytest.mark.parametrize(("kwargs", "word"), [
    (dict(epochs=-1), "epochs"), (dict(epochs=1.5), "epochs"), (dict(epochs=True), "epochs"),
    (dict(batch_size=0), "batch_size"), (dict(batch_size=2.0), "batch_size"),
    (dict(validation_data=(np.zeros((3, 3)),)), "validation_data"),
    (dict(validation_data=(np.zeros((3, 2)), np.zeros((3, 4)))), "shape"),
    (dict(validation_data=(np.zeros((3, 3)), np.full((3, 4), np.nan))), "NaN"),
])
def test_bad_fit_arguments(kwargs, word):
    net = classifier()
    X, Y = data()
    with pytest.raises(ValueError) as info:
        net.fit(X, Y, **kwargs)
    assert_clean_error(info, word)


# ------------------------------------------------------------ weights and biases

def test_weights_and_biases_layout():
    net = NeuralNetwork(3, 5, 4, 2, seed=0)
    assert [w.shape for w in net.weights] == [(3, 5), (5, 4), (4, 2)]
    assert [b.shape for b in net.biases] == [(5,), (4,), (2,)]
    for array in [*net.weights, *net.biases]:
        assert isinstance(array, np.ndarray)
        assert array.dtype == np.float64
        assert array.flags.writeable


def direct_predict(net, X):
    """The net's output computed here from its public weights."""
    a = np.asarray(X, dtype=float)
    names = [*net.hidden_activations, net.output_activation]
    for w, b, name in zip(net.weights, net.biases, names):
        a = REFERENCE[name](a @ w + b)
    return a


def test_weights_are_writable_in_place():
    net = NeuralNetwork(2, 3, 1, activation="tanh", output_activation="linear", seed=0)
    X = np.random.default_rng(0).normal(size=(4, 2))
    before = net.predict(X)
    net.weights[0][1, 2] += 0.75  # the playground edits one weight
    after = net.predict(X)
    assert not np.allclose(before, after)
    np.testing.assert_allclose(after, direct_predict(net, X), rtol=1e-14)
    net.biases[1][0] = -3.0
    np.testing.assert_allclose(net.predict(X), direct_predict(net, X), rtol=1e-14)
    np.testing.assert_allclose(net.predict(X), before - before + net.predict(X))
    # writes through the list and through the property are copies, not aliases
    source = np.ones((3, 1))
    net.weights[1] = source
    source[0, 0] = 99.0
    assert net.weights[1][0, 0] == 1.0
    net.weights = [np.zeros((2, 3)), np.full((3, 1), 2.0)]
    net.biases = [np.zeros(3), np.zeros(1)]
    np.testing.assert_allclose(net.predict(X), 0.0)  # tanh(0)·2 + 0


def test_copying_weights_from_sklearn_layout():
    from sklearn.neural_network import MLPRegressor

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(30, 3)), rng.normal(size=30)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reg = MLPRegressor(hidden_layer_sizes=(6, 4), activation="tanh", max_iter=50,
                           random_state=0).fit(X, y)
    net = NeuralNetwork(3, 6, 4, 1, activation="tanh", output_activation="linear")
    net.weights = reg.coefs_
    net.biases = reg.intercepts_
    np.testing.assert_allclose(net.predict(X)[:, 0], reg.predict(X), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("bad", [np.zeros((3, 2)), np.zeros(6), np.zeros((2, 3, 1)),
                                 np.full((2, 3), np.nan), [["a"] * 3] * 2, np.zeros((2, 4))])
def test_assigning_a_wrong_array_raises_and_changes_nothing(bad):
    net = NeuralNetwork(2, 3, 1, seed=0)
    before = net.get_parameters()
    with pytest.raises(ValueError) as info:
        net.weights[0] = bad
    assert_clean_error(info, "weights[0]")
    with pytest.raises(ValueError):
        net.weights = [bad, np.zeros((3, 1))]
    with pytest.raises(ValueError):
        net.weights = [np.zeros((2, 3)), np.zeros((3, 1)), np.zeros((1, 1))]
    with pytest.raises(ValueError):
        net.biases[0] = np.zeros(4)
    with pytest.raises(ValueError):
        net.set_parameters(np.zeros(before.size + 1))
    np.testing.assert_array_equal(net.get_parameters(), before)
    assert net.weights[0].shape == (2, 3)


# ------------------------------------------------------------------ seeds, inits

@pytest.mark.parametrize("init", INITS)
def test_same_seed_same_network_bit_for_bit(init):
    a = NeuralNetwork(4, 7, 5, 2, init=init, seed=123)
    b = NeuralNetwork(4, 7, 5, 2, init=init, seed=123)
    c = NeuralNetwork(4, 7, 5, 2, init=init, seed=124)
    np.testing.assert_array_equal(a.get_parameters(), b.get_parameters())
    if init != "zeros":
        assert not np.array_equal(a.get_parameters(), c.get_parameters())
    a.initialize(5)
    b.initialize(5)
    np.testing.assert_array_equal(a.get_parameters(), b.get_parameters())


def test_same_seed_same_training_bit_for_bit():
    X, y = mikir.datasets.spiral(n=60, noise=0.1, seed=0)

    def run(fit_seed, net_seed=3):
        net = NeuralNetwork(2, 6, 6, 1, activation="tanh", loss="binary_crossentropy",
                            init="xavier", seed=net_seed)
        history = net.fit(X, y, epochs=5, batch_size=7, optimizer=Adam(0.01), seed=fit_seed)
        return net.get_parameters(), history.loss

    p1, l1 = run(11)
    p2, l2 = run(11)
    np.testing.assert_array_equal(p1, p2)
    assert l1 == l2
    p3, _ = run(12)
    assert not np.array_equal(p1, p3)
    p4, _ = run(11, net_seed=4)
    assert not np.array_equal(p1, p4)


BIG = (300, 200, 100)  # 60 000 + 20 000 weights: enough for distribution tests


def ks(values, distribution, *args):
    return stats.kstest(np.ravel(values), distribution, args=args).pvalue


def test_init_uniform_is_the_seeds_unit_interval():
    net = NeuralNetwork(*BIG, init="uniform", seed=0)
    for array in [*net.weights, *net.biases]:
        assert np.all((array >= 0) & (array < 1))
        assert ks(array, "uniform", 0, 1) > 1e-3
    assert ks(net.weights[0], "uniform", 0, 0.9) < 1e-6  # the test can tell


def test_init_playground():
    net = NeuralNetwork(*BIG, init="playground", seed=0)
    for w, b in zip(net.weights, net.biases):
        assert np.all((w >= -0.5) & (w < 0.5))
        assert ks(w, "uniform", -0.5, 1.0) > 1e-3
        np.testing.assert_array_equal(b, 0.1)
    assert ks(net.weights[0], "uniform", -0.4, 0.8) < 1e-6


def test_init_xavier_bound():
    net = NeuralNetwork(*BIG, init="xavier", seed=0)
    for w, b in zip(net.weights, net.biases):
        fan_in, fan_out = w.shape
        bound = math.sqrt(6.0 / (fan_in + fan_out))
        assert np.abs(w).max() <= bound
        assert np.abs(w).max() > 0.999 * bound
        assert ks(w, "uniform", -bound, 2 * bound) > 1e-3
        assert ks(w, "uniform", -1.1 * bound, 2.2 * bound) < 1e-6
        np.testing.assert_array_equal(b, 0.0)


def test_init_he_std():
    net = NeuralNetwork(*BIG, init="he", seed=0)
    for w, b in zip(net.weights, net.biases):
        std = math.sqrt(2.0 / w.shape[0])
        assert ks(w, "norm", 0.0, std) > 1e-3
        assert ks(w, "norm", 0.0, 1.1 * std) < 1e-6
        assert w.std() == pytest.approx(std, rel=0.02)
        np.testing.assert_array_equal(b, 0.0)


def test_init_zeros():
    net = NeuralNetwork(3, 4, 2, init="zeros", seed=0)
    np.testing.assert_array_equal(net.get_parameters(), 0.0)


# ---------------------------------------------------------------------- forward

def test_forward_matches_a_direct_numpy_computation():
    net = NeuralNetwork(3, 6, 5, 4, 3, activation=["relu", "tanh", "leaky_relu"],
                        output_activation="softmax", init="he", seed=2)
    for b in net.biases:
        b[...] = np.random.default_rng(1).normal(size=b.shape)
    X = np.random.default_rng(0).normal(size=(9, 3))
    result = net.forward(X)
    assert isinstance(result, mikir.ForwardPass)
    zs, acts = result.pre_activations, result.activations
    assert len(zs) == 4 and len(acts) == 5
    np.testing.assert_array_equal(acts[0], X)
    names = [*net.hidden_activations, "softmax"]
    a = X
    for i, (w, b, name) in enumerate(zip(net.weights, net.biases, names)):
        z = a @ w + b
        a = REFERENCE[name](z)
        np.testing.assert_allclose(zs[i], z, rtol=1e-13, atol=1e-13)
        np.testing.assert_allclose(acts[i + 1], a, rtol=1e-13, atol=1e-13)
        assert zs[i].shape == (9, net.layer_sizes[i + 1])
    np.testing.assert_array_equal(net.predict(X), acts[-1])
    # one sample: a batch of one
    one = net.forward(X[0])
    np.testing.assert_allclose(one.activations[-1], acts[-1][:1], rtol=1e-14)


def test_forward_float32_is_close_to_float64():
    net = NeuralNetwork(2, 8, 8, 1, activation="tanh", init="xavier", seed=0)
    grid = np.stack(np.meshgrid(np.linspace(-6, 6, 100), np.linspace(-6, 6, 100)), -1)
    grid = grid.reshape(-1, 2)
    double = net.forward(grid)
    single = net.forward(grid, dtype=np.float32)
    for a64, a32 in zip(double.activations[1:], single.activations[1:]):
        assert a32.dtype == np.float32
        np.testing.assert_allclose(a32, a64, rtol=1e-4, atol=1e-5)
    assert net.weights[0].dtype == np.float64  # the weights are not converted in place


# --------------------------------------------------------------------- training

def test_gradients_do_not_change_the_weights():
    net = classifier()
    net.regularization, net.regularization_rate = "l2", 0.1
    X, Y = data()
    before = net.get_parameters()
    loss, wg, bg = net.gradients(X, Y)
    np.testing.assert_array_equal(net.get_parameters(), before)
    assert loss == net.loss(X, Y)
    assert [g.shape for g in wg] == [w.shape for w in net.weights]
    assert [g.shape for g in bg] == [b.shape for b in net.biases]
    wg[0][...] = 1e9  # returned arrays are copies: scribbling on them changes nothing
    _, wg2, _ = net.gradients(X, Y)
    assert np.abs(wg2[0]).max() < 1e3
    np.testing.assert_array_equal(net.get_parameters(), before)


@pytest.mark.parametrize("optimizer", [SGD(0.1), SGD(0.05, momentum=0.9), Adam(0.01)])
def test_train_step_returns_the_loss_before_the_update(optimizer):
    net = classifier()
    X, Y = data()
    loss_before = net.loss(X, Y)
    _, wg, bg = net.gradients(X, Y)
    before = net.get_parameters()
    returned = net.train_step(X, Y, optimizer)
    assert returned == loss_before
    assert net.loss(X, Y) != loss_before
    if isinstance(optimizer, SGD):  # first step: param −= η·g (the velocity starts at 0)
        expected = before - optimizer.learning_rate * np.concatenate(
            [g.ravel() for g in wg + bg])
        np.testing.assert_allclose(net.get_parameters(), expected, rtol=0, atol=1e-15)


def test_fit_history_and_validation_loss():
    net = classifier()
    X, Y = data(n=30)
    Xv, Yv = data(n=10, seed=1)
    history = net.fit(X, Y, epochs=7, batch_size=8, optimizer=Adam(0.01), seed=0,
                      validation_data=(Xv, Yv))
    assert isinstance(history, mikir.History)
    assert len(history.loss) == len(history.val_loss) == history.epochs == 7
    assert history.val_loss[-1] == net.loss(Xv, Yv)
    assert all(math.isfinite(v) for v in history.loss + history.val_loss)
    assert not history.stopped_early and not history.diverged
    assert history.loss[-1] < history.loss[0]
    assert net.fit(X, Y, epochs=0).epochs == 0


def test_fit_loss_is_the_mean_of_batch_losses_before_each_step():
    net = classifier()
    X, Y = data(n=23)
    twin = net.copy()
    optimizer, twin_optimizer = SGD(0.1, momentum=0.5), SGD(0.1, momentum=0.5)
    history = net.fit(X, Y, epochs=2, batch_size=5, shuffle=False, optimizer=optimizer)
    for epoch in range(2):
        total = sum(twin.train_step(X[s:s + 5], Y[s:s + 5], twin_optimizer) * len(X[s:s + 5])
                    for s in range(0, 23, 5))
        assert history.loss[epoch] == pytest.approx(total / 23, rel=1e-15)
    np.testing.assert_array_equal(net.get_parameters(), twin.get_parameters())


def test_callback_returning_true_stops_early():
    net = classifier()
    X, Y = data()
    seen = []

    def callback(epoch, history):
        seen.append((epoch, len(history.loss)))
        return epoch == 2

    history = net.fit(X, Y, epochs=50, callback=callback)
    assert seen == [(0, 1), (1, 2), (2, 3)]
    assert history.epochs == 3 and history.stopped_early
    history = net.fit(X, Y, epochs=4, callback=lambda epoch, history: None)
    assert history.epochs == 4 and not history.stopped_early


class RecordingSGD(SGD):
    """Counts steps and records which samples each step saw (via one-hot inputs)."""

    def __init__(self, n, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.n, self.batches = n, []

    def step(self, params, grads):
        self.batches.append(np.flatnonzero(grads[0][: self.n]).tolist())
        super().step(params, grads)


def recorded_batches(n, batch_size, epochs, shuffle=True, seed=None):
    """With X = identity and zero weights, step k's weight gradient is nonzero
    exactly in the rows of the samples in its batch."""
    net = NeuralNetwork(n, 1, output_activation="linear", init="zeros")
    optimizer = RecordingSGD(n, learning_rate=0.01)
    net.fit(np.eye(n), np.ones(n), epochs=epochs, batch_size=batch_size, shuffle=shuffle,
            seed=seed, optimizer=optimizer)
    return optimizer.batches


def test_batches_do_not_spill_across_epochs():
    n, batch, epochs = 23, 5, 3
    batches = recorded_batches(n, batch, epochs, shuffle=True, seed=0)
    assert len(batches) == epochs * math.ceil(n / batch)
    assert [len(b) for b in batches] == [5, 5, 5, 5, 3] * epochs
    for epoch in range(epochs):
        seen = sum(batches[epoch * 5:(epoch + 1) * 5], [])
        assert sorted(seen) == list(range(n))  # every sample once per epoch
    assert len(recorded_batches(10, 10, 4)) == 4
    assert len(recorded_batches(10, 100, 2)) == 2  # batch larger than the data: one step
    assert len(recorded_batches(7, 1, 2)) == 14


def test_shuffle_differs_per_epoch_and_is_reproducible_with_seed():
    n = 12
    orders = [sum(recorded_batches(n, 1, 4, seed=7)[e * n:(e + 1) * n], []) for e in range(4)]
    assert all(sorted(o) == list(range(n)) for o in orders)
    assert len({tuple(o) for o in orders}) == 4  # a new order every epoch
    assert recorded_batches(n, 1, 4, seed=7) == recorded_batches(n, 1, 4, seed=7)
    assert recorded_batches(n, 1, 4, seed=7) != recorded_batches(n, 1, 4, seed=8)
    assert recorded_batches(n, 4, 2, shuffle=False) == [[0, 1, 2, 3], [4, 5, 6, 7],
                                                        [8, 9, 10, 11]] * 2


# -------------------------------------------------------------------- divergence

def diverging_problem():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    Y = 1e3 * (X @ [[3.0], [-2.0]]) + 1e3
    net = NeuralNetwork(2, 16, 1, activation="relu", output_activation="linear", loss="mse",
                        init="he", seed=0)
    return net, X, Y


def test_fit_stops_and_says_so_when_training_diverges():
    net, X, Y = diverging_problem()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = net.fit(X, Y, epochs=200, batch_size=10, optimizer=SGD(10.0), seed=0)
    assert history.diverged
    assert "diverged" in history.message
    assert history.epochs < 200
    runtime = [w for w in caught if issubclass(w.category, RuntimeWarning)]
    assert len(runtime) == 1, [str(w.message) for w in caught]  # one warning, no numpy spam
    assert "diverged" in str(runtime[0].message)
    net.predict(X)  # still usable, whatever the weights became
    assert all(math.isfinite(v) for v in history.loss)


def test_train_step_raises_divergederror_and_does_not_update():
    net = NeuralNetwork(2, 1, output_activation="linear", seed=0)
    X, Y = np.array([[1.0, 2.0]]), np.array([[0.0]])
    optimizer = Adam(0.1)
    net.train_step(X, Y, optimizer)  # a good step: the state exists
    assert optimizer.t == 1
    net.weights[0] = np.array([[1e200], [1e200]])
    before = net.get_parameters()
    moments = [m.copy() for m in optimizer.first_moments]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(DivergedError, match="loss became"):
            net.train_step(1e200 * X, Y, optimizer)
        with pytest.raises(DivergedError):
            net.train(1e200 * X[0], Y[0])
    assert issubclass(DivergedError, FloatingPointError)
    np.testing.assert_array_equal(net.get_parameters(), before)
    assert optimizer.t == 1
    np.testing.assert_array_equal(optimizer.first_moments[0], moments[0])


# ------------------------------------------------------------------ label helpers

@pytest.mark.parametrize("k", [2, 3, 6])
def test_one_hot_and_encode_labels_match_sklearn(k):
    labels = np.random.default_rng(k).permutation(np.arange(30) % k)
    binarized = LabelBinarizer().fit_transform(labels)
    np.testing.assert_array_equal(encode_labels(labels), binarized)
    np.testing.assert_array_equal(one_hot(labels), np.eye(k)[labels])
    assert one_hot(labels).dtype == np.float64
    assert encode_labels(labels).shape == ((30, 1) if k == 2 else (30, k))
    np.testing.assert_array_equal(one_hot(labels, k + 2)[:, :k], np.eye(k)[labels])
    np.testing.assert_array_equal(one_hot(labels.astype(float)), one_hot(labels))


@pytest.mark.parametrize(("labels", "kwargs", "word"), [
    ([0, -1, 2], {}, "class indices"),
    ([0, 1.5, 2], {}, "class indices"),
    ([0, np.nan, 1], {}, "class indices"),
    ([[0, 1], [1, 0]], {}, "one-dimensional"),
    ([0, 1, 5], {"num_classes": 3}, "out of range"),
])
def test_one_hot_rejects_non_labels(labels, kwargs, word):
    with pytest.raises(ValueError) as info:
        one_hot(labels, **kwargs)
    assert_clean_error(info, word)


# ----------------------------------------------------------- classes and accuracy

def test_predict_classes_and_accuracy_binary_sigmoid():
    rng = np.random.default_rng(0)
    net = NeuralNetwork(2, 5, 1, activation="tanh", loss="binary_crossentropy", init="xavier",
                        seed=1)
    net.biases[-1][0] = 0.2
    X = rng.normal(size=(200, 2))
    y = rng.integers(0, 2, 200)
    expected = (net.predict(X)[:, 0] >= 0.5).astype(int)
    assert 0 < expected.sum() < 200
    np.testing.assert_array_equal(net.predict_classes(X), expected)
    assert net.accuracy(X, y) == accuracy_score(y, expected)
    assert net.accuracy(X, y.reshape(-1, 1)) == accuracy_score(y, expected)


def test_predict_classes_and_accuracy_tanh_with_plus_minus_one_labels():
    rng = np.random.default_rng(0)
    net = NeuralNetwork(2, 5, 1, activation="relu", output_activation="tanh", init="xavier",
                        seed=2)
    X = rng.normal(size=(200, 2))
    y = rng.choice([-1.0, 1.0], 200)
    out = net.predict(X)[:, 0]
    assert (out < 0).any() and (out > 0).any()
    np.testing.assert_array_equal(net.predict_classes(X), (out >= 0).astype(int))
    assert net.accuracy(X, y) == accuracy_score(y, np.where(out >= 0, 1.0, -1.0))


def test_predict_classes_and_accuracy_multiclass():
    net = classifier(seed=3)
    X, Y = data(n=300)
    labels = Y.argmax(axis=1)
    expected = net.predict(X).argmax(axis=1)
    assert len(np.unique(expected)) > 1
    np.testing.assert_array_equal(net.predict_classes(X), expected)
    assert net.accuracy(X, labels) == accuracy_score(labels, expected)
    assert net.accuracy(X, Y) == accuracy_score(labels, expected)
    with pytest.raises(ValueError) as info:
        net.accuracy(X, labels[:-1])
    assert_clean_error(info, "labels")


def test_training_reaches_full_accuracy_on_an_easy_problem():
    X, y = mikir.datasets.gauss(n=200, noise=0.0, seed=0)
    net = NeuralNetwork(2, 4, 1, activation="tanh", loss="binary_crossentropy", init="xavier",
                        seed=0)
    net.fit(X, y, epochs=30, batch_size=10, optimizer=SGD(0.03), seed=0)
    assert net.accuracy(X, y) >= 0.99


# ---------------------------------------------------------------- regularization

@pytest.mark.parametrize("kind", ["l1", "l2"])
def test_regularization_term_and_its_gradient(kind):
    rate = 0.3
    net = NeuralNetwork(3, 5, 4, 2, activation="tanh", output_activation="linear",
                        regularization=kind, regularization_rate=rate, init="xavier", seed=0)
    plain = NeuralNetwork(3, 5, 4, 2, activation="tanh", output_activation="linear",
                          init="xavier", seed=0)
    rng = np.random.default_rng(0)
    net.set_parameters(rng.normal(size=net.get_parameters().size))
    plain.set_parameters(net.get_parameters())
    X, Y = rng.normal(size=(10, 3)), rng.normal(size=(10, 2))
    w = np.concatenate([w.ravel() for w in net.weights])  # biases excluded
    term = rate * 0.5 * np.sum(w**2) if kind == "l2" else rate * np.sum(np.abs(w))
    assert net.loss(X, Y) == pytest.approx(plain.loss(X, Y) + term, rel=1e-14)
    loss, wg, bg = net.gradients(X, Y)
    plain_loss, pwg, pbg = plain.gradients(X, Y)
    assert loss == pytest.approx(plain_loss + term, rel=1e-14)
    for g, pg, weights in zip(wg, pwg, net.weights):
        extra = rate * weights if kind == "l2" else rate * np.sign(weights)
        np.testing.assert_allclose(g, pg + extra, rtol=1e-13, atol=1e-15)
    for g, pg in zip(bg, pbg):
        np.testing.assert_array_equal(g, pg)  # biases are not regularized
    # changing a bias changes both losses by the same amount
    for n in (net, plain):
        n.biases[0][...] = 50.0
    assert net.loss(X, Y) - plain.loss(X, Y) == pytest.approx(term, rel=1e-12)


def test_no_regularization_when_rate_is_zero_or_none():
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(10, 3)), rng.normal(size=(10, 2))
    base = NeuralNetwork(3, 4, 2, output_activation="linear", seed=0)
    for kind in ("l1", "l2"):
        zero = NeuralNetwork(3, 4, 2, output_activation="linear", regularization=kind,
                             regularization_rate=0.0, seed=0)
        assert zero.loss(X, Y) == base.loss(X, Y)
    assert NeuralNetwork(3, 4, 2, output_activation="linear", regularization=None,
                         regularization_rate=5.0, seed=0).loss(X, Y) == base.loss(X, Y)
