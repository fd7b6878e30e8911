"""The training session behind the live page, without a browser."""

import math
import time

import numpy as np
import pytest

import mikir
from playground import session as sess
from playground.config import DEFAULT, Config
from playground.session import MAX_HISTORY, TrainingSession


def test_session_builds_the_configured_data_and_network():
    config = Config(dataset="spiral", points=400, train_percent=60,
                    features=("x1", "x2", "sin_x1"), hidden=(5, 3))
    session = TrainingSession(config)
    X, y = mikir.datasets.spiral(n=400, noise=0.0, seed=config.seed)
    assert np.array_equal(session.data.X_train, X[:240])
    assert np.array_equal(session.data.X_test, X[240:])
    assert session.net.layer_sizes == (3, 5, 3, 1)
    assert np.array_equal(session.data.F_train[:, 2], np.sin(X[:240, 0]))
    assert session.net.output_activation == "sigmoid"
    assert session.net.loss_name == "binary_crossentropy"


@pytest.mark.parametrize("dataset, loss, expected", [
    ("blobs", "cross_entropy", ("softmax", "categorical_crossentropy", 3)),
    ("blobs", "squared_error", ("softmax", "mse", 3)),
    ("xor", "squared_error", ("sigmoid", "mse", 1)),
    ("plane", "cross_entropy", ("linear", "mse", 1)),
])
def test_output_and_loss_follow_the_problem(dataset, loss, expected):
    session = TrainingSession(Config(dataset=dataset, loss=loss))
    net = session.net
    assert (net.output_activation, net.loss_name, net.output_size) == expected


def test_same_config_gives_the_same_data_and_initial_weights():
    a, b = TrainingSession(DEFAULT), TrainingSession(DEFAULT)
    assert np.array_equal(a.data.X_train, b.data.X_train)
    assert np.array_equal(a.net.get_parameters(), b.net.get_parameters())
    c = TrainingSession(DEFAULT.replace(init_seed=2))
    assert not np.array_equal(a.net.get_parameters(), c.net.get_parameters())


def test_step_trains_one_mini_batch_and_epochs_do_not_spill():
    session = TrainingSession(DEFAULT.replace(points=100, train_percent=50, batch_size=15))
    before = session.net.get_parameters()
    session.step_batch()
    assert session.steps == 1 and session.epoch == 0
    assert not np.array_equal(before, session.net.get_parameters())
    session.step_epoch()  # finishes the epoch: 50 points in batches of 15 → 4 steps
    assert session.epoch == 1 and session.steps == 4
    session.train_epochs(3)
    assert session.epoch == 4 and session.steps == 16


def test_one_step_equals_a_train_step_on_the_same_batch():
    session = TrainingSession(DEFAULT.replace(batch_size=10))
    twin = session.net.copy()
    order = np.arange(session.train_size)
    np.random.default_rng(DEFAULT.init_seed).shuffle(order)
    session.step_batch()
    batch = order[:10]
    twin.train_step(session.data.F_train[batch], session.data.Y_train[batch],
                    mikir.SGD(learning_rate=DEFAULT.learning_rate))
    assert np.array_equal(twin.get_parameters(), session.net.get_parameters())


def test_learning_rate_and_optimizer_change_without_reset():
    session = TrainingSession(DEFAULT.replace(optimizer="adam"))
    session.train_epochs(5)
    weights, epoch, adam = session.net.get_parameters(), session.epoch, session.optimizer
    restarted = session.apply(session.config.replace(learning_rate=0.3))
    assert not restarted and session.epoch == epoch
    assert np.array_equal(weights, session.net.get_parameters())
    assert session.optimizer is adam and adam.learning_rate == 0.3 and adam.t > 0
    session.apply(session.config.replace(optimizer="momentum"))
    assert isinstance(session.optimizer, mikir.SGD) and session.optimizer.momentum == 0.9
    assert np.array_equal(weights, session.net.get_parameters())


def test_structural_changes_start_over():
    session = TrainingSession(DEFAULT)
    session.train_epochs(3)
    assert session.apply(DEFAULT.replace(hidden=(3,)))
    assert session.epoch == 0 and session.net.layer_sizes == (2, 3, 1)


def test_reset_returns_to_the_same_initial_weights():
    session = TrainingSession(DEFAULT)
    initial = session.net.get_parameters()
    session.train_epochs(10)
    session.reset()
    assert session.epoch == 0
    assert np.array_equal(initial, session.net.get_parameters())


def test_regenerate_keeps_the_network():
    session = TrainingSession(DEFAULT)
    session.train_epochs(3)
    weights = session.net.get_parameters()
    old_points = session.data.X_train.copy()
    assert not session.regenerate(session.config.replace(seed=99))
    assert np.array_equal(weights, session.net.get_parameters())
    assert not np.array_equal(old_points, session.data.X_train)
    assert session.epoch == 3


def test_training_lowers_the_loss_and_records_accuracy():
    session = TrainingSession(DEFAULT.replace(dataset="xor", features=("x1", "x2", "x1_times_x2")))
    start = session.train_loss
    session.train_epochs(100)
    session.record()
    assert session.train_loss < start * 0.5
    assert session.history.test_accuracy[-1] > 0.9
    assert session.history.epoch[-1] == 100


def test_divergence_pauses_with_a_message_and_rewinds():
    config = DEFAULT.replace(dataset="plane", activation="relu", hidden=(8, 8, 8),
                             learning_rate=10.0)
    session = TrainingSession(config)
    assert not session.train_epochs(50)
    assert session.diverged and "diverged" in session.diverged
    assert not session.train_epochs(1) and not session.step_batch()  # stays paused
    session.record()
    assert all(math.isfinite(v) or math.isnan(v) for v in session.history.train_loss)
    session.rewind()
    assert session.diverged is None
    assert np.isfinite(session.net.get_parameters()).all()
    assert np.isfinite(session.train_loss)


@pytest.mark.parametrize("by_batches", [False, True])
def test_a_blow_up_is_told_once_and_shown_with_the_last_finite_weights(by_batches):
    config = DEFAULT.replace(dataset="plane", activation="relu", hidden=(8, 8, 8),
                             learning_rate=10.0)
    session = TrainingSession(config)
    for _ in range(2000):
        if not (session.step_batch() if by_batches else session.train_epochs(1)):
            break
    message = session.diverged
    assert message and message.count("epoch") == 2 and message.count("learning rate") == 1
    assert "diverged in epoch" in message and "diverged at" not in message
    shown = session.parameters_to_show()
    twin = mikir.NeuralNetwork(*session.net.layer_sizes, activation="relu",
                               output_activation="linear", loss="mse")
    twin.set_parameters(shown)
    assert np.isfinite(shown).all() and np.abs(shown).max() < 1e6
    assert np.isfinite(twin.loss(session.data.F_train, session.data.Y_train))
    shown_epoch = int(message.split("as it was at epoch ")[1].split(",")[0])
    session.rewind()  # goes exactly where the views showed
    assert session.epoch == shown_epoch
    np.testing.assert_array_equal(session.net.get_parameters(), shown)


def test_a_blow_up_inside_a_chunk_of_epochs_is_told_epoch_by_epoch(monkeypatch):
    """Playing trains up to 64 epochs in one fit; when they blow up, the loss curve
    still rises epoch by epoch to the one that failed, the run ends in the same bits
    as the chunk that failed, and Rewind goes to the newest sane epoch."""
    # its time is another test's: here a trainer of an earlier test still winding down
    # in this process (the GIL shared) could make the retelling's ~4 ms take 20
    monkeypatch.setattr(sess, "RETELL_SECONDS", 1.0)
    config = DEFAULT.replace(dataset="plane", activation="linear", learning_rate=1.0)
    session = TrainingSession(config)
    blown_up = []
    retell = TrainingSession._retell

    def watched(self):
        blown_up.append(self.net.get_parameters())  # the chunk's own result
        return retell(self)

    monkeypatch.setattr(TrainingSession, "_retell", watched)
    assert not session.train_epochs(64)
    assert len(blown_up) == 1
    failed = int(session.diverged.split("diverged in epoch ")[1].split(":")[0].replace(",", ""))
    assert failed == session.epoch + 1 >= 3
    history = session.history
    assert history.epoch == list(range(session.epoch + 1))
    assert np.isfinite(history.train_loss).all()
    with np.errstate(all="ignore"):
        np.testing.assert_array_equal(session.net.get_parameters(), blown_up[0])
    session.record()  # the frame after it: a NaN point at the failed epoch, after the last
    assert history.epoch[-2:] == [failed - 1, failed] and math.isnan(history.train_loss[-1])
    shown = session.parameters_to_show()
    session.rewind()
    assert 0 < session.epoch < failed and not session.diverged  # not the chunk's start
    np.testing.assert_array_equal(session.net.get_parameters(), shown)
    assert session.history.epoch[-1] == session.epoch


@pytest.mark.parametrize("why", ["estimated too long", "ran out of time"])
def test_a_blow_up_too_long_to_retell_keeps_the_blown_up_run(monkeypatch, why):
    """Without the retelling (it would take too long, or its time ran out half-way)
    the run still ends as it blew up: the views show a sane epoch, the network keeps
    its own (blown-up) weights, and the history has no half-told epochs."""
    if why == "estimated too long":
        monkeypatch.setattr(sess, "RETELL_SECONDS", 0.0)
    else:
        checks = []
        monkeypatch.setattr(TrainingSession, "_retold_too_long",
                            lambda self: checks.append(self.epoch) or len(checks) > 1)
    config = DEFAULT.replace(dataset="plane", activation="linear", learning_rate=1.0)
    session = TrainingSession(config)
    assert not session.train_epochs(64)
    assert session.history.epoch == [0]  # nothing retold
    with np.errstate(all="ignore"):
        blown_up = session.net.get_parameters()
        assert not np.isfinite(session.net.loss(session.data.F_train, session.data.Y_train))
    session.record()
    assert math.isnan(session.history.train_loss[-1])
    np.testing.assert_array_equal(session.net.get_parameters(), blown_up)
    assert np.isfinite(session.parameters_to_show()).all()
    if why == "ran out of time":
        assert checks[:2] == [1, 2]  # it retold epoch 1, then stopped once told to


def test_a_blow_up_in_a_slice_may_be_retold_in_the_time_the_slice_left(monkeypatch):
    """A slice that blew up early has time left: the retelling may use it (its own
    budget alone, set to nothing here, would not even let it try), so the loss curve
    rises to the blow-up also on a machine busy enough to slow every epoch."""
    monkeypatch.setattr(sess, "RETELL_SECONDS", 0.0)
    config = DEFAULT.replace(dataset="plane", activation="linear", learning_rate=1.0)
    session = TrainingSession(config)
    session.train_until(time.perf_counter() + 5.0, 64)
    assert session.diverged
    failed = int(session.diverged.split("diverged in epoch ")[1].split(":")[0].replace(",", ""))
    # every epoch from the newest sane start to the one before the failed one
    epochs = session.history.epoch
    assert epochs[-1] == failed - 1 and len(epochs) >= 3 and epochs == sorted(set(epochs))
    assert np.isfinite(session.history.train_loss).all()
    # outside a slice (a Step, a command) only its own budget counts: not retold
    again = TrainingSession(config)
    assert not again.train_epochs(64)
    assert again.history.epoch == [0]


def test_history_stays_bounded():
    session = TrainingSession(DEFAULT.replace(points=50))
    for _ in range(3 * MAX_HISTORY):
        session.epoch += 1
        session.record()
    assert len(session.history.epoch) <= MAX_HISTORY
    assert session.history.epoch[-1] == session.epoch
    assert session.history.epoch == sorted(session.history.epoch)


def test_train_for_respects_the_time_budget():
    session = TrainingSession(DEFAULT)
    done = session.train_for(0.05, 10**6)
    assert done > 0 and session.epoch == done


def test_each_session_is_independent():
    a, b = TrainingSession(DEFAULT), TrainingSession(DEFAULT)
    a.train_epochs(5)
    assert b.epoch == 0
    assert not np.shares_memory(a.net._params, b.net._params)
    assert not np.shares_memory(a.data.F_train, b.data.F_train) or a.data is not b.data


def test_output_setup_matches_make_network():
    for config in (DEFAULT, DEFAULT.replace(dataset="blobs", classes=4)):
        outputs, activation, loss = sess.output_setup(config)
        net = sess.make_network(config)
        assert (net.output_size, net.output_activation, net.loss_name) == \
            (outputs, activation, loss)


@pytest.mark.parametrize("typed, number", [("1,5", 1.5), ("−0,25", -0.25), ("1.5", 1.5),
                                           ("2", 2.0), ("1e-3", 0.001), (0.75, 0.75)])
def test_a_typed_weight_is_read_as_typed_with_a_decimal_point_or_comma(typed, number):
    session = TrainingSession(DEFAULT)
    assert session.set_parameter(0, 0, 0, typed) == number
    assert session.net.weights[0][0, 0] == number


def test_a_typed_weight_or_bias_changes_that_parameter_only_and_is_recorded():
    session = TrainingSession(DEFAULT.replace(hidden=(3,)))
    before = session.net.get_parameters()
    assert session.set_parameter(1, 2, 0, " −1.5 ") == -1.5
    assert session.net.weights[1][2, 0] == -1.5
    session.set_parameter(0, 1, -1, "0.25")  # k = -1: the bias of neuron 2 of layer 1
    assert session.net.biases[0][1] == 0.25
    changed = np.flatnonzero(session.net.get_parameters() != before)
    assert len(changed) == 2
    expected, _ = session.evaluate(session.data.F_train, session.data.Y_train,
                                   session.data.y_train)
    assert session.train_loss == pytest.approx(expected)  # the history has the new loss


@pytest.mark.parametrize("target, value, message", [
    ((0, 0, 0), "abc", "not a number"),
    ((0, 0, 0), "nan", "not a finite number"),
    ((0, 0, 0), "0x10", "not a number"),
    ((0, 0, 0), "1_5", "not a number"),
    ((0, 0, 0), "١", "not a number"),
    ((0, 0, 0), "1,500", "ambiguous"),
    ((0, 0, 0), "1,5,0", "not a number"),
    ((0, 0, 0), "1e7", "finite value"),
    ((0, 9, 0), "1", "no longer in the network"),
    ((5, 0, 0), "1", "no longer in the network"),
    ((0, 0, -1), "1", None),  # a bias is fine
    ((0, 0, 7), "1", "no longer in the network"),
])
def test_bad_edits_are_refused_with_a_message_and_change_nothing(target, value, message):
    session = TrainingSession(DEFAULT)
    before = session.net.get_parameters()
    if message is None:
        session.set_parameter(*target, value)
        return
    with pytest.raises(ValueError, match=message):
        session.set_parameter(*target, value)
    assert np.array_equal(session.net.get_parameters(), before)
