"""The learning-rate lab: computations behind its views, with no Streamlit.

- ``Comparison``: 2–4 runs of one setup from identical data and initial weights,
  differing only in learning rate or optimizer, advanced together.
- ``range_test``: a short run at each of a log-spaced range of learning rates.
- ``landscape_slice``: the loss along the gradient (and a random second
  direction) around the current weights, with the optimizer's next step.
- ``HealthTracker``: per layer, the gradient norm and the update ratio |Δw|/|w|.
- ``GhostRuns``: earlier runs' loss curves, kept for comparison until cleared.

Everything here leaves the sessions it looks at untouched unless its name says
it trains them (``step_*``, ``train_*``).
"""

from __future__ import annotations

import copy
import math
import time
import warnings
from dataclasses import dataclass, field

import numpy as np

from .config import LEARNING_RATES, OPTIMIZER_LABELS, OPTIMIZERS, Config, clamp_batch
from .session import (
    MAX_HISTORY,
    Data,
    TrainingSession,
    make_data,
    make_network,
    make_optimizer,
    output_setup,
)

MIN_RUNS, MAX_RUNS = 2, 4
VARIANT_KEYS = ("learning_rate", "optimizer")


def rate_label(rate: float) -> str:
    return f"{rate:g}"


def _flat(weight_grads, bias_grads) -> np.ndarray:
    """Per-layer gradients as one vector, in the network's parameter order."""
    return np.concatenate([g.ravel() for g in weight_grads] + [g.ravel() for g in bias_grads])


# ------------------------------------------------------------------ comparison
class Comparison:
    """Several runs of one setup advanced together; each diverges on its own.

    All runs share the same ``Data`` object and start from the same weights (the
    config's ``init_seed``); their mini-batches come in the same order too (each
    session shuffles with a generator seeded by ``init_seed``), so the only
    difference is the learning rate or optimizer.
    """

    def __init__(self, sessions: list[TrainingSession], labels: list[str]):
        if not MIN_RUNS <= len(sessions) <= MAX_RUNS:
            raise ValueError(f"compare {MIN_RUNS}–{MAX_RUNS} runs, got {len(sessions)}")
        if len(labels) != len(sessions):
            raise ValueError("give one label per run")
        self.sessions = list(sessions)
        self.labels = list(labels)
        self._recorded_steps = [s.steps for s in self.sessions]

    @classmethod
    def from_config(cls, config: Config, variants: list[dict],
                    data: Data | None = None) -> Comparison:
        """One run per variant, e.g. ``[{"learning_rate": 0.3}, {"optimizer": "adam"}]``.

        A variant changes only ``learning_rate`` and/or ``optimizer``; the rest
        comes from ``config``. ``data`` (e.g. the main session's, which may be the
        learner's own points) is shared by every run; by default it is generated
        from ``config``.
        """
        variants = [_check_variant(v) for v in variants]
        if not MIN_RUNS <= len(variants) <= MAX_RUNS:
            raise ValueError(f"compare {MIN_RUNS}–{MAX_RUNS} runs, got {len(variants)}")
        configs = [config.replace(**v) for v in variants]
        keys = [(c.learning_rate, c.optimizer) for c in configs]
        if len(set(keys)) != len(keys):
            raise ValueError("the runs must differ in learning rate or optimizer")
        first = TrainingSession(configs[0], data=data)
        sessions = [first] + [TrainingSession(c, data=first.data) for c in configs[1:]]
        start = first.net.get_parameters()
        for session in sessions[1:]:
            # Same init_seed ⇒ same weights; if that ever stopped holding, the
            # comparison would be meaningless, so fail loudly.
            assert np.array_equal(session.net.get_parameters(), start), "initial weights differ"
            assert session.data is first.data
        show_optimizer = any("optimizer" in v for v in variants)
        labels = [run_label(c, show_optimizer) for c in configs]
        return cls(sessions, labels)

    @classmethod
    def from_session(cls, session: TrainingSession, variants: list[dict]) -> Comparison:
        """Runs of ``session``'s setup on its data, from its config's initial weights."""
        return cls.from_config(session.config, variants, data=session.data)

    # ----------------------------------------------------------------- state
    def __len__(self) -> int:
        return len(self.sessions)

    @property
    def data(self) -> Data:
        return self.sessions[0].data

    @property
    def epoch(self) -> int:
        """The furthest epoch any run reached (running runs stay in step)."""
        return max(s.epoch for s in self.sessions)

    @property
    def running(self) -> list[bool]:
        return [not s.diverged for s in self.sessions]

    @property
    def any_running(self) -> bool:
        return any(self.running)

    @property
    def diverged(self) -> list[str | None]:
        """Each run's divergence message, or None."""
        return [s.diverged for s in self.sessions]

    # -------------------------------------------------------------- training
    def _each_running(self, method: str, *args) -> bool:
        for session in self.sessions:
            if not session.diverged:
                getattr(session, method)(*args)
        return self.any_running

    def step_batch(self) -> bool:
        """One mini-batch for every running run. False once all have diverged."""
        return self._each_running("step_batch")

    def step_epoch(self) -> bool:
        return self._each_running("step_epoch")

    def train_epochs(self, count: int) -> bool:
        return self._each_running("train_epochs", count)

    def train_for(self, seconds: float, max_epochs: int) -> int:
        """Whole epochs for all runs until the time budget or the cap; returns epochs done."""
        deadline = time.perf_counter() + seconds
        done, chunk = 0, 1
        while done < max_epochs and self.any_running and time.perf_counter() < deadline:
            started = time.perf_counter()
            todo = min(chunk, max_epochs - done)
            self.train_epochs(todo)
            done += todo
            if time.perf_counter() - started < (deadline - time.perf_counter()) / 4:
                chunk = min(chunk * 2, 64)
        return done

    def train_until(self, deadline: float, max_epochs: float = math.inf) -> float:
        """Train every running run by the same amount until ``deadline`` (by
        ``time.perf_counter()``) or ``max_epochs``; returns the epochs done.

        The first running run gets its share of the time left; the others then
        train exactly as many mini-batches, so the runs stay in step.
        """
        done = 0.0
        while self.any_running and done < max_epochs - 1e-9:
            now = time.perf_counter()
            running = [s for s in self.sessions if not s.diverged]
            share = (deadline - now) / len(running)
            if share <= 0:
                break
            amount = running[0].train_until(now + share, max_epochs - done)
            if amount <= 0:
                break
            for session in running[1:]:
                session.train_until(math.inf, amount)
            done += amount
        return done

    def copy(self) -> Comparison:
        """Independent copies of the runs (sharing the data), to draw from."""
        twin = copy.copy(self)
        twin.sessions = [session.copy() for session in self.sessions]
        twin.labels = list(self.labels)
        twin._recorded_steps = list(self._recorded_steps)
        return twin

    def record(self) -> None:
        """Measure every run whose weights changed since the last record."""
        for i, session in enumerate(self.sessions):
            if session.diverged and self._recorded_steps[i] == session.steps:
                continue  # a stopped run: its last record stands
            session.record()
            self._recorded_steps[i] = session.steps

    def rewind(self, index: int) -> None:
        """Rewind one diverged run to its last good weights (it then lags the others)."""
        self.sessions[index].rewind()
        self._recorded_steps[index] = self.sessions[index].steps

    def reset(self) -> None:
        """Every run back to the shared initial weights."""
        for session in self.sessions:
            session.reset()
        self._recorded_steps = [s.steps for s in self.sessions]


def _check_variant(variant) -> dict:
    if not isinstance(variant, dict) or not variant:
        raise ValueError(f"a variant is a dict like {{'learning_rate': 0.3}}, got {variant!r}")
    unknown = set(variant) - set(VARIANT_KEYS)
    if unknown:
        raise ValueError(f"a variant may only change {', '.join(VARIANT_KEYS)}; "
                         f"got {', '.join(sorted(map(str, unknown)))}")
    checked = {}
    if "learning_rate" in variant:
        try:
            rate = float(variant["learning_rate"])
        except (TypeError, ValueError):
            rate = math.nan
        if not (math.isfinite(rate) and rate > 0):
            raise ValueError(f"learning_rate must be a positive number, "
                             f"got {variant['learning_rate']!r}")
        checked["learning_rate"] = rate
    if "optimizer" in variant:
        if variant["optimizer"] not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {variant['optimizer']!r}; choose one of: "
                             f"{', '.join(OPTIMIZERS)}")
        checked["optimizer"] = variant["optimizer"]
    return checked


def run_label(config: Config, show_optimizer: bool = False) -> str:
    """"lr 0.03", or "Adam, lr 0.03" when runs differ in optimizer."""
    rate = f"lr {rate_label(config.learning_rate)}"
    return f"{OPTIMIZER_LABELS[config.optimizer]}, {rate}" if show_optimizer else rate


def default_variants(config: Config) -> list[dict]:
    """Three rates around the current one: 10× smaller, the current one, 10× larger."""
    scale = LEARNING_RATES
    i = min(range(len(scale)), key=lambda k: abs(math.log10(scale[k] / config.learning_rate)))
    picks = sorted({scale[max(i - 2, 0)], config.learning_rate, scale[min(i + 2, len(scale) - 1)]})
    return [{"learning_rate": r} for r in picks]


# ------------------------------------------------------------------ range test
DEFAULT_RATES = tuple(float(r) for r in np.logspace(-5, 1, 20))
RANGE_TEST_EPOCHS = 20
RANGE_TEST_MAX_STEPS = 500
EXPLODED = 1e3  # a final loss this many times the initial one counts as diverged


@dataclass
class RangeTest:
    """What a learning-rate range test measured.

    ``losses[i]`` is the training objective (the loss the optimizer minimizes,
    regularization included) after a short run at ``rates[i]``; NaN where the
    run diverged (``diverged[i]``): its loss became NaN or inf, or ended more
    than ``EXPLODED`` (1000) times the initial loss, which is the same blow-up
    caught a few steps before it overflows.

    The usable band: a rate is *usable* if its run finished (finite loss) below
    the initial loss and kept at least half of the best run's improvement on a
    log scale, i.e. ``log(initial/loss) ≥ ½·log(initial/best)``, equivalently
    ``loss ≤ √(initial·best)``. The band is the unbroken stretch of usable rates
    around the best one, ``(band[0], band[1])``. If no rate lowered the loss,
    ``best_rate`` and ``band`` are None.
    """

    rates: np.ndarray
    losses: np.ndarray
    diverged: np.ndarray
    initial_loss: float
    epochs: int
    steps: int
    seconds: float
    best_index: int | None = None
    band_indices: tuple[int, int] | None = None
    usable: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))

    @property
    def best_rate(self) -> float | None:
        return None if self.best_index is None else float(self.rates[self.best_index])

    @property
    def best_loss(self) -> float | None:
        return None if self.best_index is None else float(self.losses[self.best_index])

    @property
    def band(self) -> tuple[float, float] | None:
        if self.band_indices is None:
            return None
        low, high = self.band_indices
        return float(self.rates[low]), float(self.rates[high])

    @property
    def band_threshold(self) -> float | None:
        """The largest loss a usable rate may reach."""
        if self.best_index is None:
            return None
        return math.sqrt(self.initial_loss * self.best_loss)

    def in_band(self, rate: float) -> bool:
        band = self.band
        return band is not None and band[0] <= rate <= band[1]


def range_test(
    config: Config,
    data: Data | None = None,
    rates=None,
    epochs: int = RANGE_TEST_EPOCHS,
    max_steps: int = RANGE_TEST_MAX_STEPS,
    seed: int | None = None,
    parameters: np.ndarray | None = None,
) -> RangeTest:
    """Train a fresh copy at each rate from the same weights; never raises on divergence.

    Each rate gets the same budget: ``epochs`` epochs of the config's optimizer
    and mini-batches, cut to fewer whole epochs so that no run takes more than
    ``max_steps`` updates; if even one epoch would (tiny batches, many points),
    one epoch over a fixed random subset of ``max_steps`` batches. Every rate
    sees the same batches in the same order (shuffled with ``seed``, by default
    the config's ``init_seed``). The final loss is measured on the whole
    training set. Runs start from the config's initial weights, or from
    ``parameters`` (e.g. a session's current weights) if given.

    Cost, measured on this project's 2-core machine with the 20 default rates:
    ~0.2 s for the default setup (0.45 s with other work running), ~0.43 s for
    the largest network (6 layers of 8) at batch size 1 on 1800 points.
    """
    started = time.perf_counter()
    config = clamp_batch(config)
    data = make_data(config) if data is None else data
    rates = np.asarray(DEFAULT_RATES if rates is None else rates, dtype=np.float64).ravel()
    if rates.size == 0 or not (np.isfinite(rates).all() and (rates > 0).all()):
        raise ValueError("rates must be positive finite numbers")
    rates = np.sort(rates)
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 1:
        raise ValueError(f"epochs must be an integer >= 1, got {epochs!r}")
    if isinstance(max_steps, bool) or not isinstance(max_steps, (int, np.integer)) \
            or max_steps < 1:
        raise ValueError(f"max_steps must be an integer >= 1, got {max_steps!r}")
    F, Y = data.F_train, data.Y_train
    n = len(F)
    batch_size = max(1, min(config.batch_size, n))
    seed = config.init_seed if seed is None else seed
    # Training points seen during the runs: all of them, unless one epoch alone
    # would exceed the budget; then one epoch over a fixed random subset.
    F_run, Y_run = F, Y
    if math.ceil(n / batch_size) > max_steps:
        subset = np.random.default_rng(seed).permutation(n)[: max_steps * batch_size]
        F_run, Y_run = F[subset], Y[subset]
    per_epoch = math.ceil(len(F_run) / batch_size)
    epochs = int(max(1, min(epochs, max_steps // per_epoch)))

    net = make_network(config)
    if parameters is not None:
        net.set_parameters(parameters)
    start = net.get_parameters()
    with np.errstate(all="ignore"):
        initial = float(net.loss(F, Y))
    losses = np.full(rates.size, np.nan)
    diverged = np.zeros(rates.size, dtype=bool)
    for i, rate in enumerate(rates):
        net.set_parameters(start)
        optimizer = make_optimizer(config.replace(learning_rate=float(rate)))
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            history = net.fit(F_run, Y_run, epochs=epochs, batch_size=batch_size,
                              optimizer=optimizer, shuffle=True, seed=seed)
            loss = math.nan if history.diverged else float(net.loss(F, Y))
        if math.isfinite(loss) and not loss > EXPLODED * initial:
            losses[i] = loss
        else:
            diverged[i] = True

    result = RangeTest(rates=rates, losses=losses, diverged=diverged, initial_loss=initial,
                       epochs=epochs, steps=epochs * per_epoch, seconds=0.0,
                       usable=np.zeros(rates.size, dtype=bool))
    finite = ~diverged
    if finite.any() and math.isfinite(initial):
        best = int(np.nanargmin(np.where(finite, losses, np.inf)))
        if losses[best] < initial:
            threshold = math.sqrt(initial * max(float(losses[best]), 0.0))
            usable = finite & (np.nan_to_num(losses, nan=np.inf) < initial) & (
                np.nan_to_num(losses, nan=np.inf) <= threshold)
            usable[best] = True
            low = high = best
            while low > 0 and usable[low - 1]:
                low -= 1
            while high < rates.size - 1 and usable[high + 1]:
                high += 1
            result.best_index = best
            result.band_indices = (low, high)
            result.usable = usable
    result.seconds = time.perf_counter() - started
    return result


# ------------------------------------------------------------- loss landscape
@dataclass
class LandscapeSlice:
    """The loss around the current weights w along d1 = −g/‖g‖ (and a random d2 ⊥ d1).

    ``losses[k] = L(w + offsets[k]·d1)``; ``surface[i, k] = L(w + offsets[k]·d1 +
    offsets[i]·d2)`` (rows along d2). L is the full training set's objective,
    regularization included. The optimizer's next update Δw (on the full-batch
    gradient, from a copy of its state) projects to ``step`` along d1 and
    ``step_side`` along d2; for plain SGD Δw = −ηg, so ``step = η‖g‖`` and
    ``step_side = 0``.
    """

    offsets: np.ndarray
    losses: np.ndarray
    loss: float  # L(w)
    gradient_norm: float  # ‖g‖
    step: float  # Δw · d1
    step_side: float  # Δw · d2
    step_length: float  # ‖Δw‖
    step_loss: float  # L(w + Δw): where the update really lands
    step_line_loss: float  # L(w + step·d1): the 1-D curve at the step
    step_plane_loss: float  # L(w + step·d1 + step_side·d2): the plane at the step
    span: float
    learning_rate: float
    optimizer: str
    surface: np.ndarray | None = None
    note: str = ""

    @property
    def improves(self) -> bool:
        """Does the next update lower the loss?"""
        return bool(self.step_loss < self.loss)


class _Probe:
    """Evaluates the objective at any parameter vector, on a private copy of the net."""

    def __init__(self, net, X, Y):
        self.net = net.copy()
        self.X, self.Y = X, Y
        self.count = 0

    def __call__(self, vector) -> float:
        self.count += 1
        if not np.isfinite(vector).all():
            return math.nan
        self.net.set_parameters(vector)
        with np.errstate(all="ignore"):
            value = float(self.net.loss(self.X, self.Y))
        return value if math.isfinite(value) else math.nan


def _valley(probe, w, direction, base) -> float:
    """Roughly where the loss along ``direction`` stops falling (doubling search)."""
    t, best = 1e-3, base
    for _ in range(40):
        value = probe(w + 2 * t * direction)
        if not (value < best):
            return t
        t, best = 2 * t, value
    return t


def landscape_slice(
    session: TrainingSession,
    span: float | None = None,
    points: int = 61,
    second_direction: bool = True,
    grid_points: int = 31,
    seed: int = 0,
) -> LandscapeSlice:
    """The loss around the session's current weights; the session is left untouched.

    With ``span=None`` the span is chosen so that both the optimizer's next step
    and the bottom of the valley along −g are visible: the larger of 1.3× the
    step and 2× the distance at which the loss along −g stops falling.
    """
    if points < 3 or grid_points < 3:
        raise ValueError("points and grid_points must be at least 3")
    net, data = session.net, session.data
    X, Y = data.F_train, data.Y_train
    probe = _Probe(net, X, Y)
    w = net.get_parameters()
    with np.errstate(all="ignore"):
        base_loss, weight_grads, bias_grads = probe.net.gradients(X, Y)
    g = _flat(weight_grads, bias_grads)
    rng = np.random.default_rng(seed)
    note = ""
    norm = float(np.linalg.norm(g)) if np.isfinite(g).all() else math.nan
    if math.isfinite(norm) and norm > 0:
        d1 = -g / norm
    else:
        note = ("the gradient is zero here: the first direction is random" if norm == 0
                else "the gradient is not finite here: the first direction is random")
        d1 = rng.standard_normal(w.size)
        d1 /= np.linalg.norm(d1)
    d2 = rng.standard_normal(w.size)
    d2 -= (d2 @ d1) * d1
    d2 /= np.linalg.norm(d2)

    # The update the optimizer would make next, from a copy of its state.
    optimizer = copy.deepcopy(session.optimizer)
    updated = w.copy()
    if np.isfinite(g).all():
        with np.errstate(all="ignore"):
            optimizer.step([updated], [g.copy()])
    else:
        updated[...] = np.nan
    delta = updated - w
    step, side = float(delta @ d1), float(delta @ d2)
    loss = probe(w)

    if span is None:
        reach = max(abs(step), abs(side)) if math.isfinite(step) else 0.0
        valley = _valley(probe, w, d1, loss) if math.isfinite(loss) else 1.0
        span = max(1.3 * reach, 2.0 * valley, 1e-3)
    span = float(span)
    if not (math.isfinite(span) and span > 0):
        raise ValueError(f"span must be a positive number, got {span!r}")
    offsets = np.linspace(-span, span, points if points % 2 else points + 1)  # odd: has 0
    offsets[len(offsets) // 2] = 0.0
    losses = np.array([probe(w + t * d1) for t in offsets])
    surface = None
    if second_direction:
        grid = np.linspace(-span, span, grid_points if grid_points % 2 else grid_points + 1)
        grid[len(grid) // 2] = 0.0
        surface = np.empty((grid.size, grid.size))
        for i, s in enumerate(grid):
            shifted = w + s * d2
            for k, t in enumerate(grid):
                surface[i, k] = probe(shifted + t * d1)
    return LandscapeSlice(
        offsets=offsets, losses=losses, loss=loss, gradient_norm=norm,
        step=step, step_side=side, step_length=float(np.linalg.norm(delta)),
        step_loss=probe(updated), step_line_loss=probe(w + step * d1),
        step_plane_loss=probe(w + step * d1 + side * d2), span=span,
        learning_rate=session.optimizer.learning_rate,
        optimizer=OPTIMIZER_LABELS.get(session.config.optimizer, session.optimizer.name),
        surface=surface, note=note,
    )


# ---------------------------------------------------------------- health
HEALTH_SAMPLE = 256


class HealthTracker:
    """Per layer, over time: the gradient norm and the update ratio |ΔW|/|W|.

    Call ``measure(session)`` after each ``session.record()``. Each measurement
    stores, for every weight matrix W_l (biases left out, as usual):

    - ``gradient_norms[l]``: ‖∂L/∂W_l‖ (Frobenius) on a fixed subsample of at
      most 256 training points (all of them if fewer), regularization included;
    - ``update_ratios[l]``: ‖W_l(now) − W_l(previous measurement)‖ / ‖W_l(previous)‖,
      the change over ``updates[k]`` optimizer steps (NaN for the first);
    - ``step_ratios[l]``: the ratio for one single update, ‖ΔW_l‖/‖W_l‖, of
      the update the optimizer would make next (from a copy of its state, on
      the subsample's gradient). Unlike the interval ratio it does not depend
      on how many steps pass between measurements, so it is the one to hold
      against the usual rule of thumb (about 1e-3).

    Memory stays bounded: past ``max_points`` measurements every other one is
    dropped (the newest always kept), like the session's history. A new network
    (reset, rebuild) starts the record over; a rewind drops the measurements
    after the epoch rewound to.
    """

    def __init__(self, sample_size: int = HEALTH_SAMPLE, seed: int = 0,
                 max_points: int = MAX_HISTORY):
        self.sample_size = sample_size
        self.seed = seed
        self.max_points = max_points
        self.clear()

    def clear(self) -> None:
        self.epoch: list[int] = []
        self.steps: list[int] = []
        self.updates: list[int] = []  # optimizer steps since the previous measurement
        self.gradient_norms: list[list[float]] = []
        self.update_ratios: list[list[float]] = []
        self.step_ratios: list[list[float]] = []
        self.layer_names: list[str] = []
        self._net = None
        self._data = None
        self._previous: list[np.ndarray] | None = None
        self._sample: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.epoch)

    def sample_indices(self, n: int) -> np.ndarray:
        """The fixed training subsample (sorted indices), the same for every measurement."""
        if self._sample is None or self._sample_n != n:
            rng = np.random.default_rng(self.seed)
            size = min(n, self.sample_size)
            self._sample = np.sort(rng.choice(n, size=size, replace=False)) if size < n \
                else np.arange(n)
            self._sample_n = n
        return self._sample

    def measure(self, session: TrainingSession) -> None:
        net, data = session.net, session.data
        if net is not self._net or data is not self._data:
            self.clear()
            self._net, self._data = net, data
            count = len(net.weights)
            self.layer_names = [f"W{i + 1} → " + ("output" if i == count - 1 else f"layer {i + 1}")
                                for i in range(count)]
        elif self.epoch and session.steps < self.steps[-1]:  # rewound
            self._truncate(session.epoch, session.steps)

        index = self.sample_indices(len(data.F_train))
        X, Y = data.F_train[index], data.Y_train[index]
        with np.errstate(all="ignore"):
            _, weight_grads, bias_grads = net.gradients(X, Y)
        grad_norms = [float(np.linalg.norm(g)) for g in weight_grads]
        weights = [w.copy() for w in net.weights]

        flat = _flat(weight_grads, bias_grads)
        step_ratios = [math.nan] * len(weights)
        if np.isfinite(flat).all():
            optimizer = copy.deepcopy(session.optimizer)
            params = net.get_parameters()
            before = params.copy()
            with np.errstate(all="ignore"):
                optimizer.step([params], [flat])
            offset = 0
            for layer, w in enumerate(weights):
                delta = params[offset:offset + w.size] - before[offset:offset + w.size]
                step_ratios[layer] = _ratio(delta, w)
                offset += w.size

        if self.steps and session.steps == self.steps[-1]:  # nothing trained: refresh
            self.gradient_norms[-1] = grad_norms
            self.step_ratios[-1] = step_ratios
            self._previous = weights
            return
        if self._previous is None:
            ratios, updates = [math.nan] * len(weights), 0
        else:
            ratios = [_ratio(now - then, then) for now, then in zip(weights, self._previous)]
            updates = session.steps - self.steps[-1]
        self.epoch.append(session.epoch)
        self.steps.append(session.steps)
        self.updates.append(updates)
        self.gradient_norms.append(grad_norms)
        self.update_ratios.append(ratios)
        self.step_ratios.append(step_ratios)
        self._previous = weights
        if len(self.epoch) > self.max_points:
            self._thin()

    def series(self, name: str) -> np.ndarray:
        """(measurements, layers) array of 'gradient_norms', 'update_ratios' or 'step_ratios'."""
        values = getattr(self, name)
        return np.array(values, dtype=float).reshape(len(values), len(self.layer_names))

    _FIELDS = ("epoch", "steps", "updates", "gradient_norms", "update_ratios", "step_ratios")

    def _thin(self):
        for name in self._FIELDS:
            values = getattr(self, name)
            setattr(self, name, values[:-1:2] + values[-1:])

    def _truncate(self, epoch: int, steps: int):
        keep = sum(1 for s in self.steps if s <= steps)
        for name in self._FIELDS:
            del getattr(self, name)[keep:]
        self._previous = None  # the weights jumped: no ratio across a rewind


def _ratio(delta: np.ndarray, weights: np.ndarray) -> float:
    size = float(np.linalg.norm(weights))
    change = float(np.linalg.norm(delta))
    if size == 0:
        return math.inf if change > 0 else math.nan
    return change / size


# ---------------------------------------------------------------- ghost runs
MAX_GHOSTS = 8


def describe(config: Config) -> str:
    """A short name for a run: "lr 0.03 · SGD · tanh · 4-2"."""
    layers = "-".join(map(str, config.hidden)) or "no hidden"
    return (f"lr {rate_label(config.learning_rate)} · {OPTIMIZER_LABELS[config.optimizer]}"
            f" · {config.activation} · {layers}")


class GhostRuns:
    """Earlier runs' training-loss curves, newest last, at most ``limit`` per problem.

    Each ghost is a plain dict {"name", "epoch", "loss", "problem"} of plain
    values (what ``figures.loss_figure(ghosts=...)`` reads), so it is cheap to
    keep in a browser tab's state. Only runs of the same problem and loss are
    comparable (a squared error of a regression is no cross-entropy of two
    classes): ``follow(config)`` names the current problem, and iterating gives
    only its ghosts; the others come back when their problem does.
    """

    def __init__(self, limit: int = MAX_GHOSTS):
        self.limit = limit
        self.runs: list[dict] = []
        self.problem: tuple | None = None  # None: every ghost is shown
        self._counts: dict[str, int] = {}

    def add(self, session: TrainingSession, name: str | None = None) -> dict | None:
        """Keep ``session``'s loss curve; None (nothing kept) if it has under 2 points."""
        history = session.history
        if len(history.epoch) < 2:
            return None
        name = name or describe(session.config)
        # the same name again (the same setup tried twice) is numbered: "… (2)"
        count = self._counts[name] = self._counts.get(name, 0) + 1
        taken = {run["name"] for run in self.runs}
        unique = name if count == 1 else f"{name} ({count})"
        while unique in taken:
            count = self._counts[name] = count + 1
            unique = f"{name} ({count})"
        problem = problem_of(session.config)
        ghost = {"name": unique, "epoch": [int(e) for e in history.epoch],
                 "loss": [float(v) for v in history.train_loss], "problem": problem}
        self.runs.append(ghost)
        same = [run for run in self.runs if run["problem"] == problem]
        for old in same[:-self.limit]:
            self.runs.remove(old)
        return ghost

    def follow(self, config: Config) -> None:
        """Show only the ghosts whose problem and loss are ``config``'s."""
        self.problem = problem_of(config)

    def clear(self) -> None:
        """Forget the shown ghosts (those of other problems stay for their problem)."""
        self.runs = [run for run in self.runs if not self._shown(run)]
        if not self.runs:
            self._counts.clear()

    def _shown(self, run: dict) -> bool:
        return self.problem is None or run["problem"] == self.problem

    def __len__(self) -> int:
        return sum(1 for run in self.runs if self._shown(run))

    def __iter__(self):
        return iter([run for run in self.runs if self._shown(run)])


def problem_of(config: Config) -> tuple:
    """What makes two loss curves comparable: outputs, output activation and loss
    (regression, two classes or k classes; cross-entropy or squared error)."""
    return output_setup(config)


__all__ = ["Comparison", "GhostRuns", "HealthTracker", "LandscapeSlice", "RangeTest",
           "default_variants", "describe", "landscape_slice", "problem_of", "range_test",
           "run_label"]
