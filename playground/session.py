"""A training run: the data, the network, the optimizer, and what happened so far.

Plain Python over mikir, so every behaviour of the live page (steps, epochs,
live learning-rate changes, divergence, bounded history) is testable without a
browser. The page owns one session per browser tab.
"""

from __future__ import annotations

import copy
import math
import time
import warnings
from collections import deque
from dataclasses import dataclass, field

import numpy as np

import mikir
from mikir import datasets, losses

from .config import Config, clamp_batch, needs_rebuild, train_size
from .numbers import parse_number

# The session reports divergence on the page; the library's warning would only reach the log.
warnings.filterwarnings("ignore", message="training diverged", category=RuntimeWarning)

BLOWN_UP = 100.0  # a loss this many times the run's first one is past saving
REWIND_POINTS = 8  # earlier epoch boundaries kept, in case the newest is already bad
# A blow-up is retold epoch by epoch only within this much of the thread's CPU time
# (CPU, not wall-clock: on a busy machine a preempted thread would never fit in it),
# plus what the slice it happened in had left (a unit of work stays within ~50 ms).
RETELL_SECONDS = 0.02
SLICE_LEFT_MAX = 0.03  # the most of a slice's unspent time a retelling may add
MAX_HISTORY = 1000  # points kept per curve; older ones are thinned, never dropped wholesale
CLASS_NAMES = ("orange", "blue", "green", "purple", "red", "teal")


@dataclass
class Data:
    """Raw 2-D points (for drawing) and the feature matrices fed to the network."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    features: tuple[str, ...]
    is_regression: bool
    class_count: int
    source: str = "generated"  # or "custom" (clicked / uploaded points)

    def __post_init__(self):
        self.F_train = datasets.features(self.X_train, self.features)
        self.F_test = (datasets.features(self.X_test, self.features) if len(self.X_test)
                       else np.empty((0, len(self.features))))
        self.Y_train = self.targets(self.y_train)
        self.Y_test = self.targets(self.y_test)

    def targets(self, y) -> np.ndarray:
        y = np.asarray(y)
        if self.is_regression:
            return y.astype(np.float64).reshape(-1, 1)
        if self.class_count > 2:
            return mikir.one_hot(y, self.class_count)
        return y.astype(np.float64).reshape(-1, 1)


@dataclass
class History:
    """Loss and accuracy per recorded epoch, thinned to stay bounded."""

    epoch: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    test_accuracy: list[float] = field(default_factory=list)

    def append(self, epoch, train_loss, test_loss, train_accuracy, test_accuracy):
        if self.epoch and self.epoch[-1] == epoch:  # same epoch again: replace
            for name in ("epoch", "train_loss", "test_loss", "train_accuracy", "test_accuracy"):
                getattr(self, name).pop()
        self.epoch.append(epoch)
        self.train_loss.append(train_loss)
        self.test_loss.append(test_loss)
        self.train_accuracy.append(train_accuracy)
        self.test_accuracy.append(test_accuracy)
        if len(self.epoch) > MAX_HISTORY:
            self._thin()

    def _thin(self):
        """Keep every other point (and always the newest) so memory stays bounded."""
        for name in ("epoch", "train_loss", "test_loss", "train_accuracy", "test_accuracy"):
            values = getattr(self, name)
            setattr(self, name, values[:-1:2] + values[-1:])

    def truncate(self, epoch: int):
        keep = sum(1 for e in self.epoch if e <= epoch)
        for name in ("epoch", "train_loss", "test_loss", "train_accuracy", "test_accuracy"):
            del getattr(self, name)[keep:]


def make_data(config: Config) -> Data:
    kwargs = {"classes": config.classes} if config.dataset == "blobs" else {}
    X, y = datasets.make(config.dataset, n=config.points, noise=config.noise / 100,
                         seed=config.seed, **kwargs)
    X_train, y_train, X_test, y_test = datasets.split(X, y, config.train_percent / 100)
    return Data(X_train, y_train, X_test, y_test, config.features, config.is_regression,
                config.class_count)


def output_setup(config: Config) -> tuple[int, str, str]:
    """(outputs, output activation, loss) for the problem type and loss choice."""
    if config.is_regression:
        return 1, "linear", "mse"
    cross_entropy = config.loss == "cross_entropy"
    if config.class_count > 2:
        return config.class_count, "softmax", "categorical_crossentropy" if cross_entropy else "mse"
    return 1, "sigmoid", "binary_crossentropy" if cross_entropy else "mse"


def make_network(config: Config) -> mikir.NeuralNetwork:
    outputs, output_activation, loss = output_setup(config)
    return mikir.NeuralNetwork(
        len(config.features), *config.hidden, outputs,
        activation=config.activation, output_activation=output_activation, loss=loss,
        init="playground", regularization=_regularization(config),
        regularization_rate=config.regularization_rate, seed=config.init_seed,
    )


def make_optimizer(config: Config) -> mikir.Optimizer:
    if config.optimizer == "adam":
        return mikir.Adam(learning_rate=config.learning_rate)
    momentum = 0.9 if config.optimizer == "momentum" else 0.0
    return mikir.SGD(learning_rate=config.learning_rate, momentum=momentum)


def _regularization(config: Config):
    return None if config.regularization == "none" else config.regularization


MAX_EDIT = 1e6  # the largest weight a learner may type


@dataclass(frozen=True)
class _ReplayStart:
    """An epoch boundary with everything that decides what training does next
    (weights, optimizer state, shuffling), and the call made from it: ``epochs``
    in one fit, or 0 for one epoch of single mini-batches. From here the same
    calls give the same bits."""

    epoch: int
    steps: int
    params: np.ndarray
    optimizer: object
    rng_state: dict
    order: np.ndarray
    epochs: int


class TrainingSession:
    """One learner's run. ``apply`` takes a new Config and changes only what must change."""

    def __init__(self, config: Config, data: Data | None = None):
        self.config = clamp_batch(config)
        self.data = data if data is not None else make_data(self.config)
        self._start()

    # ------------------------------------------------------------ lifecycle
    def _start(self):
        """A fresh network on the current data, and an empty history."""
        self.net = make_network(self.config)
        self.optimizer = make_optimizer(self.config)
        self.epoch = 0
        self.steps = 0
        self.history = History()
        self.diverged: str | None = None
        self.shown_parameters: np.ndarray | None = None
        self._rng = np.random.default_rng(self.config.init_seed)
        self._order = np.arange(len(self.data.F_train))
        self._cursor = 0
        self._epoch_seconds: float | None = None  # measured by train_until
        self._epoch_cpu_seconds: float | None = None  # of the thread, in mikir's fit
        self.last_good = (0, 0, self.net.get_parameters())
        self._first_params = self.last_good[2]
        self._earlier_good: deque = deque(maxlen=REWIND_POINTS)
        self._replay_starts: deque[_ReplayStart] = deque(maxlen=REWIND_POINTS + 1)
        self._retelling = False
        self._retell_deadline = math.inf  # a retelling past it stops and is undone
        self._slice_deadline = -math.inf  # train_until's deadline while it runs
        self.record()

    def apply(self, config: Config) -> bool:
        """Adopt new settings; returns True if the run started over."""
        config = clamp_batch(config)
        old, self.config = self.config, config
        data_fields = ("dataset", "noise", "train_percent", "points", "classes", "seed",
                       "features")
        if needs_rebuild(old, config):
            generated = ("dataset", "noise", "points", "classes", "seed")
            if self.data.source == "custom" and any(
                    getattr(old, f) != getattr(config, f) for f in generated):
                self.data = make_data(config)  # a data set chosen in the sidebar replaces them
            elif self.data.source != "custom" and any(
                    getattr(old, f) != getattr(config, f) for f in data_fields):
                self.data = make_data(config)
            elif old.features != config.features:
                self.data = self._with_features(config.features)
            self._start()
            return True
        self._replay_starts.clear()  # what follows no longer follows from them
        if old.optimizer != config.optimizer:
            self.optimizer = make_optimizer(config)  # new state, same weights
        self.optimizer.learning_rate = config.learning_rate  # keeps momentum/Adam state
        self.net.regularization = _regularization(config)
        self.net.regularization_rate = config.regularization_rate
        return False

    def regenerate(self, config: Config) -> bool:
        """New points for a new data seed, keeping the network (TensorFlow Playground's
        Regenerate). Other changes made at the same time are applied as usual."""
        if self.data.source == "custom" or needs_rebuild(self.config.replace(seed=config.seed),
                                                         config):
            return self.apply(config)
        self.config = clamp_batch(config)
        self.data = make_data(self.config)
        self._order = np.arange(len(self.data.F_train))
        self._cursor = 0
        self._epoch_seconds = self._epoch_cpu_seconds = None
        self._replay_starts.clear()
        self.record()
        return False

    def _with_features(self, features):
        d = self.data
        return Data(d.X_train, d.y_train, d.X_test, d.y_test, features, d.is_regression,
                    d.class_count, d.source)

    def reset(self):
        """New run on the same data from the config's initial weights."""
        self._start()

    def set_data(self, data: Data):
        """Replace the points (the learner's own); the network starts over."""
        self.data = data
        self.config = clamp_batch(self.config)
        self._start()

    @property
    def batch_size(self) -> int:
        return max(1, min(self.config.batch_size, len(self.data.F_train)))

    @property
    def train_size(self) -> int:
        return len(self.data.F_train)

    @property
    def batches_per_epoch(self) -> int:
        return max(1, -(-self.train_size // self.batch_size))

    @property
    def batch_in_epoch(self) -> int:
        """Mini-batches done in the current epoch (0 at an epoch boundary)."""
        return -(-self._cursor // self.batch_size)

    def next_batch_indices(self) -> np.ndarray:
        """The training indices the next ``step_batch`` will use; nothing changes.

        When a new epoch is about to start, a copy of the shuffle generator
        draws that epoch's order, exactly as ``step_batch`` will.
        """
        order = self._order.copy()
        if self._cursor == 0:
            copy.deepcopy(self._rng).shuffle(order)
        return order[self._cursor:self._cursor + self.batch_size]

    def copy(self) -> TrainingSession:
        """An independent copy to draw from while the original trains on.

        The data is shared: no one changes a ``Data`` in place (new points make a
        new one). Network, optimizer, history and shuffle state are copies.
        """
        twin = copy.copy(self)
        twin.net = self.net.copy()
        twin.optimizer = copy.deepcopy(self.optimizer)
        twin.history = copy.deepcopy(self.history)
        twin._rng = copy.deepcopy(self._rng)
        twin._order = self._order.copy()
        return twin

    # -------------------------------------------------------------- training
    def step_batch(self) -> bool:
        """Train on the next mini-batch of the current epoch. False if diverged."""
        if self.diverged:
            return False
        n = self.train_size
        if self._cursor == 0:
            # an epoch boundary with finite weights: where a rewind comes back to
            self._keep_rewind_point()
            self._mark_replay_start(0)
            self._rng.shuffle(self._order)
        batch = self._order[self._cursor:self._cursor + self.batch_size]
        try:
            self.net.train_step(self.data.F_train[batch], self.data.Y_train[batch],
                                self.optimizer)
        except mikir.DivergedError as error:
            self._diverge(str(error))
            return False
        self.steps += 1
        self._cursor += len(batch)
        if self._cursor >= n:
            self._cursor = 0
            self.epoch += 1
            if self._retelling:
                self.record()
        return self._check_finite()

    def step_epoch(self) -> bool:
        """Finish the current epoch (or train one whole epoch)."""
        if self._cursor:
            start = self.epoch
            while self.epoch == start:
                if not self.step_batch():
                    return False
            return True
        return self.train_epochs(1)

    def train_epochs(self, count: int) -> bool:
        """Whole epochs with mikir's fit (fast path). False if it diverged."""
        if self.diverged:
            return False
        if self._cursor:
            if not self.step_epoch():
                return False
            count -= 1
        if count <= 0:
            return True
        self._keep_rewind_point()
        self._mark_replay_start(count)
        started, started_cpu = time.perf_counter(), time.thread_time()
        # record_loss=False: the epochs' losses are not used here (the history's are
        # measured on the whole set), and the weights are the same bit for bit
        history = self.net.fit(
            self.data.F_train, self.data.Y_train, epochs=count, batch_size=self.batch_size,
            optimizer=self.optimizer, shuffle=True, seed=int(self._rng.integers(2**63)),
            record_loss=False, callback=self._retold_epoch if self._retelling else None,
        )
        if not self._retelling:  # (retold epochs were counted one by one)
            self._count_epochs(history.epochs)
            self._epoch_seconds = (time.perf_counter() - started) / max(history.epochs, 1)
            self._epoch_cpu_seconds = (time.thread_time() - started_cpu) / max(history.epochs, 1)
        if history.diverged:
            self._diverge(history.message)
            return False
        return self._check_finite()

    def _count_epochs(self, done: int) -> None:
        self.epoch += done
        self.steps += done * math.ceil(self.train_size / self.batch_size)

    def _retold_epoch(self, epoch: int, history) -> bool:
        """Each epoch of a fit being retold: its losses and a rewind point; True
        (stop the fit) once the retelling's time is up."""
        self._count_epochs(1)
        self.record()
        self._keep_rewind_point()
        return self._retold_too_long()

    def _retold_too_long(self) -> bool:
        return time.thread_time() > self._retell_deadline

    def _mark_replay_start(self, epochs: int) -> None:
        self._replay_starts.append(_ReplayStart(
            self.epoch, self.steps, self.net.get_parameters(), copy.deepcopy(self.optimizer),
            copy.deepcopy(self._rng.bit_generator.state), self._order.copy(), epochs))

    def _retell(self) -> bool:
        """After a blow-up, train again from the newest sane epoch boundary with the
        same calls (the same bits), recording every epoch: the loss curve then rises
        to the epoch that failed and Rewind can go to the newest sane epoch, where
        playing many epochs per call left no points. True if it did (the run is then
        diverged and told); False leaves the run as it was."""
        starts = list(self._replay_starts)
        epoch_seconds = self._epoch_cpu_seconds or self._epoch_seconds
        if not starts or epoch_seconds is None:
            return False
        budget = RETELL_SECONDS + min(max(self._slice_deadline - time.perf_counter(), 0.0),
                                      SLICE_LEFT_MAX)
        blown_up = self.net.get_parameters()
        limit = BLOWN_UP * self._first_loss()
        index = next((i for i in reversed(range(len(starts)))
                      if self._loss_of(starts[i].params) <= limit), None)
        self.net.set_parameters(blown_up)
        if index is None:
            return False
        epochs = self.epoch - starts[index].epoch + 1  # to the one that failed
        # Not even tried when it would take twice the budget. The estimate may be
        # wall-clock time (one slice of mini-batches, no whole epoch timed yet), which
        # a busy machine inflates: the CPU deadline below is what bounds the work.
        if epochs * epoch_seconds > 2 * budget:
            return False
        # the estimate may be off (a busy machine): past the deadline it stops, undone
        saved = copy.copy(self.__dict__)
        saved["history"] = copy.deepcopy(self.history)
        saved["_earlier_good"] = copy.copy(self._earlier_good)
        saved["_rng"] = copy.deepcopy(self._rng)
        start = starts[index]
        self.net.set_parameters(start.params)
        self.optimizer = copy.deepcopy(start.optimizer)
        self._rng.bit_generator.state = copy.deepcopy(start.rng_state)
        self._order = start.order.copy()
        self.epoch, self.steps, self._cursor = start.epoch, start.steps, 0
        self.history.truncate(start.epoch)
        self._replay_starts = deque(starts[:index], maxlen=self._replay_starts.maxlen)
        self._retelling = True
        self._retell_deadline = time.thread_time() + budget
        try:
            for start in starts[index:]:
                if not (self.train_epochs(start.epochs) if start.epochs
                        else self._batch_epoch()) or self._retold_too_long():
                    break
        finally:
            self._retelling = False
            self._retell_deadline = math.inf
        if self.diverged and (self.epoch, self.steps) == (saved["epoch"], saved["steps"]) \
                and np.array_equal(self.net.get_parameters(), blown_up, equal_nan=True):
            return True
        self.__dict__.update(saved)  # out of time (or not the same run): as it was
        self.net.set_parameters(blown_up)
        return False

    def _batch_epoch(self) -> bool:
        while self.step_batch():
            if self._cursor == 0:
                return True
            if self._retold_too_long():
                return False
        return False

    def _first_loss(self) -> float:
        first = self.history.train_loss[0] if self.history.train_loss else math.nan
        return first if math.isfinite(first) and first > 0 else 1.0

    def _loss_of(self, params: np.ndarray) -> float:
        """The training loss with these weights (it leaves them in the network)."""
        self.net.set_parameters(params)
        with np.errstate(all="ignore"):
            loss = self.net.loss(self.data.F_train, self.data.Y_train)
        return loss if math.isfinite(loss) else math.inf

    def train_for(self, seconds: float, max_epochs: int) -> int:
        """Train whole epochs until the time budget or the epoch cap is reached."""
        deadline = time.perf_counter() + seconds
        done = 0
        chunk = 1
        while done < max_epochs and time.perf_counter() < deadline:
            started = time.perf_counter()
            todo = min(chunk, max_epochs - done)
            if not self.train_epochs(todo):
                break
            done += todo
            spent = time.perf_counter() - started
            # grow chunks while they are cheap, so per-call overhead stays small
            if spent < (deadline - time.perf_counter()) / 4:
                chunk = min(chunk * 2, 64)
        return done

    def train_until(self, deadline: float, max_epochs: float = math.inf) -> float:
        """Train until ``time.perf_counter()`` reaches ``deadline`` or ``max_epochs``
        are done; returns the epochs done (fractional: a slice may end mid-epoch).

        Whole epochs go through the fast path (``train_epochs``) when they fit in
        the time left, judged by the last measured epoch time; otherwise
        mini-batches one at a time, so a slice overruns by at most one batch.
        """
        self._slice_deadline = deadline  # a blow-up's retelling may use what is left
        try:
            return self._train_until(deadline, max_epochs)
        finally:
            self._slice_deadline = -math.inf

    def _train_until(self, deadline: float, max_epochs: float) -> float:
        per_epoch = self.batches_per_epoch
        todo = math.inf if math.isinf(max_epochs) else round(max_epochs * per_epoch)
        done = 0
        budget = deadline - time.perf_counter()
        while done < todo and not self.diverged:
            now = time.perf_counter()
            left = deadline - now
            if left <= 0:
                break
            epoch_seconds = self._epoch_seconds
            if self._cursor == 0 and epoch_seconds is not None:
                # half the time left at a time: epochs vary (a slow one, a pause),
                # and a chunk that runs 2x its estimate still ends by the deadline
                whole = int(min(64, 0.5 * left / max(epoch_seconds, 1e-9),
                                (todo - done) // per_epoch if todo < math.inf else 64))
                if whole >= 1:
                    self.train_epochs(whole)
                    self._epoch_seconds = (time.perf_counter() - now) / whole
                    done += whole * per_epoch
                    continue
                if epoch_seconds < budget and done and todo - done >= per_epoch:
                    # an epoch fits in a whole slice: the next slice starts with it on
                    # the fast path (mini-batches one by one cost ~1.5x per epoch)
                    break
            self.step_batch()
            done += 1
            # a batch's cost times the batches: an estimate (on the high side, one
            # step at a time costs more than inside fit) until a whole epoch is timed;
            # also lowers an estimate that a one-off pause made too high
            estimate = (time.perf_counter() - now) * per_epoch
            if epoch_seconds is None or (self._cursor == 0 and estimate < epoch_seconds):
                self._epoch_seconds = estimate
        return done / per_epoch

    def _check_finite(self) -> bool:
        if not np.isfinite(self.net.get_parameters()).all():
            self._diverge("a weight became infinite")
            return False
        return True

    def _diverge(self, reason: str):
        """One message naming one epoch, and the weights the views show meanwhile:
        those of the newest epoch before the blow-up (where Rewind goes), not the
        ~1e58 ones a blow-up leaves, which would paint every chart grey."""
        if not self._retelling and self._retell():
            return
        cause = ("the loss became NaN (not a number)" if "nan" in reason.lower()
                 else "a weight became infinite" if "weight" in reason
                 else "the loss became infinite")
        current = self.net.get_parameters()
        epoch, _, params = self._rewind_point()
        self.net.set_parameters(current)
        self.shown_parameters = params
        self.diverged = (f"Training diverged in epoch {self.epoch + 1:,}: {cause}. The "
                         f"network is shown as it was at epoch {epoch:,}, the last before "
                         "it blew up. Lower the learning rate, then rewind or reset.")

    def parameters_to_show(self) -> np.ndarray:
        """The weights the views draw: the run's own, or after a blow-up the last
        finite ones (see ``_diverge``)."""
        if self.diverged and self.shown_parameters is not None:
            return self.shown_parameters.copy()
        return self.net.get_parameters()

    def _keep_rewind_point(self) -> None:
        if self.last_good[0] != self.epoch or self.last_good[1] != self.steps:
            self._earlier_good.append(self.last_good)
        self.last_good = (self.epoch, self.steps, self.net.get_parameters())

    def _rewind_point(self) -> tuple[int, int, np.ndarray]:
        """The newest kept epoch boundary whose loss is finite and not blown up (at
        most BLOWN_UP × the run's first loss); it leaves those weights in the network."""
        limit = BLOWN_UP * self._first_loss()
        points = [self.last_good, *reversed(self._earlier_good)]
        return next((p for p in points if self._loss_of(p[2]) <= limit),
                    (0, 0, self._first_params))

    def rewind(self):
        """Back to the newest epoch boundary before the loss blew up.

        Finite weights are not enough: just before a blow-up they can be ~1e150,
        and rewinding there would show NaN losses again. The run's first weights
        are the last resort."""
        epoch, steps, params = self._rewind_point()
        self.net.set_parameters(params)
        self.last_good = (epoch, steps, params)
        self.optimizer = make_optimizer(self.config)  # its moments may be NaN too
        self.epoch, self.steps, self._cursor = epoch, steps, 0
        self.history.truncate(epoch)
        self.diverged = None
        self._replay_starts.clear()
        self.record()

    def set_parameter(self, layer: int, source: int, target: int, value) -> float:
        """Set one weight by hand (``target`` -1: the bias of neuron ``source``).

        ``value`` is what the learner typed. Raises ValueError with a message for
        the page; returns the number set. The history records the new losses.
        """
        net = self.net
        try:
            number = parse_number(str(value), decimal_comma=True)  # 1,5 is 1.5; 0x10 refused
        except ValueError as error:  # the parser says why: not a number, ambiguous, NaN
            raise ValueError(f"“{str(value)[:40]}” {error}.") from None
        if not math.isfinite(number) or abs(number) > MAX_EDIT:
            raise ValueError(f"Enter a finite value between −{MAX_EDIT:,.0f} and {MAX_EDIT:,.0f}.")
        if not 0 <= layer < len(net.weights):
            raise ValueError("That link is no longer in the network.")
        count_in, count_out = net.weights[layer].shape
        if target == -1 and 0 <= source < count_out:
            net.biases[layer][source] = number
        elif 0 <= source < count_in and 0 <= target < count_out:
            net.weights[layer][source, target] = number
        else:
            raise ValueError("That link is no longer in the network.")
        self._replay_starts.clear()  # a hand-made change: no replay goes through it
        self.record()
        return number

    # ------------------------------------------------------------- measuring
    def evaluate(self, F, Y, y) -> tuple[float, float | None]:
        """(data loss without the penalty, accuracy or None) on one split."""
        if len(F) == 0:
            return math.nan, None
        with np.errstate(all="ignore"):
            forward = self.net.forward(F)
            loss = losses.LOSSES[self.net.loss_name].value(
                forward.pre_activations[-1], forward.activations[-1], Y)
        if self.data.is_regression:
            return loss, None
        output = forward.activations[-1]
        predicted = output.argmax(1) if output.shape[1] > 1 else (output[:, 0] >= 0.5)
        return loss, float(np.mean(predicted == np.asarray(y)))

    def record(self):
        """Measure train and test loss now and add them to the history.

        A diverged run's (NaN) point goes at the epoch that failed, after the last
        finished one, whose loss stays on the curve."""
        d = self.data
        train_loss, train_accuracy = self.evaluate(d.F_train, d.Y_train, d.y_train)
        test_loss, test_accuracy = self.evaluate(d.F_test, d.Y_test, d.y_test)
        self.history.append(self.epoch + (1 if self.diverged else 0),
                            _finite_or_nan(train_loss), _finite_or_nan(test_loss),
                            train_accuracy, test_accuracy)

    @property
    def train_loss(self) -> float:
        return self.history.train_loss[-1]

    @property
    def test_loss(self) -> float:
        return self.history.test_loss[-1]


def _finite_or_nan(value: float) -> float:
    return value if math.isfinite(value) else math.nan


__all__ = ["CLASS_NAMES", "Data", "History", "TrainingSession", "make_data", "make_network",
           "make_optimizer", "output_setup", "train_size"]
