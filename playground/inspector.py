"""The backprop inspector: every number of one training step, for one point or a batch.

``inspect`` runs the forward pass, the backward pass and the optimizer's next
update on chosen training samples and keeps every intermediate value. The
numbers shown are mikir's own (``net.forward``, ``net.gradients``, a copy of the
session's optimizer); this module also recomputes the whole step with plain
per-layer loops written from the textbook formulas and refuses to show anything
if the two disagree, and puts a finite-difference gradient beside each one, so a
learner sees both how backprop works and that it is right.

Conventions: weights are (fan_in, fan_out) as in mikir, so ``weights[l][j, k]``
is the link from neuron j of layer l to neuron k of layer l+1. ``delta`` is the
per-sample ∂ℓᵢ/∂z; the batch loss is the mean of ℓᵢ (plus the penalty), so
∂L/∂W = (1/n)·Σᵢ a_{l−1,i}ᵀ δ_{l,i} (+ the penalty's gradient).

Pure functions over a session: no Streamlit.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

import mikir
from mikir import gradcheck
from mikir.activations import LEAKY_SLOPE

from .figures import neuron_name

MAX_SAMPLES = 5000  # an inspected "batch" is at most the whole training set
TIMELINE_LIMIT = 200
AGREEMENT = 1e-9  # explicit loops vs mikir, relative to each array's largest entry


class InspectionMismatch(AssertionError):
    """The explicit loops and mikir disagree: a bug, never shown as a result."""


@dataclass
class LayerView:
    """One layer of weights (l = 1 … L) and the neurons it feeds."""

    index: int  # 1 … L; the input layer (0) has no weights
    activation: str
    inputs: np.ndarray  # (n, fan_in): a_{l−1}, what flows in over the links
    weights: np.ndarray  # (fan_in, fan_out), before the update
    biases: np.ndarray  # (fan_out,)
    z: np.ndarray  # (n, fan_out): weighted sums  z = a_{l−1} W + b
    a: np.ndarray  # (n, fan_out): activations   a = f(z)
    derivative: np.ndarray | None  # (n, fan_out): f'(z); None for softmax (a Jacobian)
    delta: np.ndarray  # (n, fan_out): per-sample ∂ℓᵢ/∂z
    weight_grad: np.ndarray  # ∂L/∂W from net.gradients (batch mean, penalty included)
    bias_grad: np.ndarray
    weight_grad_loop: np.ndarray  # the same, from this module's explicit loops
    bias_grad_loop: np.ndarray
    penalty_grad: np.ndarray  # the regularization part of weight_grad (zeros if none)
    weight_grad_numeric: np.ndarray | None  # central finite differences
    bias_grad_numeric: np.ndarray | None
    weight_rel_error: np.ndarray | None  # elementwise |a − n| / (|a| + |n|)
    bias_rel_error: np.ndarray | None
    weights_after: np.ndarray  # after the optimizer's real next step on these samples
    biases_after: np.ndarray

    @property
    def weight_update(self) -> np.ndarray:
        return self.weights_after - self.weights

    @property
    def bias_update(self) -> np.ndarray:
        return self.biases_after - self.biases


@dataclass
class Inspection:
    """Everything about one training step on ``indices`` of the training set."""

    indices: np.ndarray  # positions in session.data.X_train
    points: np.ndarray | None  # (n, 2) raw coordinates (None when built from arrays)
    inputs: np.ndarray  # (n, d) the feature values fed to the network
    targets: np.ndarray  # (n, outputs)
    outputs: np.ndarray  # (n, outputs)
    layer_sizes: tuple[int, ...]
    feature_names: tuple[str, ...]
    output_activation: str
    loss_name: str
    regularization: str | None
    regularization_rate: float
    optimizer: dict  # the optimizer's config(): name, learning_rate, momentum, …
    optimizer_step: int  # Adam's t for this update (0 for SGD)
    loss: float  # batch loss, penalty included (what net.gradients returns)
    data_loss: float
    penalty: float
    layers: list[LayerView]
    params_before: np.ndarray  # flat, mikir's order (all weights, then all biases)
    params_after: np.ndarray
    relative_error: float | None  # ‖analytic − numeric‖ / (‖analytic‖ + ‖numeric‖)
    loop_difference: float  # largest relative gap between the loops and mikir
    notes: list[str] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.inputs)

    @property
    def error(self) -> np.ndarray:
        """output − target (the sign mikir and scikit-learn use)."""
        return self.outputs - self.targets

    @property
    def seed_error(self) -> np.ndarray:
        """target − output (the seed library's sign)."""
        return self.targets - self.outputs

    @property
    def learning_rate(self) -> float:
        return float(self.optimizer["learning_rate"])

    def link_values(self, kind: str = "gradient") -> list[np.ndarray]:
        """Per-layer matrices to draw on the network graph's links.

        ``kind``: "gradient" (∂L/∂w), "numeric", "update" (after − before) or "after".
        """
        pick = {
            "gradient": lambda layer: layer.weight_grad,
            "numeric": lambda layer: layer.weight_grad_numeric,
            "update": lambda layer: layer.weight_update,
            "after": lambda layer: layer.weights_after,
        }
        if kind not in pick:
            raise ValueError(f"unknown kind {kind!r}; choose one of: {', '.join(pick)}")
        values = [pick[kind](layer) for layer in self.layers]
        if any(v is None for v in values):
            raise ValueError("this inspection was made without numerical gradients")
        return values


# ---------------------------------------------------------------- the step
def inspect(session, indices, numerical: bool = True) -> Inspection:
    """Inspect one training step of ``session`` on training points ``indices``.

    ``indices``: one index into ``session.data.X_train`` or a sequence of them (a
    mini-batch; see ``next_batch`` for the batch the session will train on next).
    Nothing in the session changes.
    """
    data = session.data
    n_train = len(data.F_train)
    idx = _check_indices(indices, n_train)
    inspection = inspect_arrays(session.net, data.F_train[idx], data.Y_train[idx],
                                session.optimizer, feature_names=data.features,
                                numerical=numerical)
    inspection.indices = idx
    inspection.points = np.asarray(data.X_train[idx], dtype=np.float64).copy()
    return inspection


def inspect_arrays(net: mikir.NeuralNetwork, inputs, targets, optimizer: mikir.Optimizer,
                   feature_names=None, numerical: bool = True) -> Inspection:
    """The inspector on plain arrays: a network, a batch and an optimizer (none change)."""
    inputs = net._check_X(inputs, "inputs")
    targets = net._check_Y(targets, inputs.shape[0], "targets")
    if inputs.shape[0] > MAX_SAMPLES:
        raise ValueError(f"inspect at most {MAX_SAMPLES} samples at a time")
    if feature_names is None:
        feature_names = tuple(f"x{i + 1}" for i in range(net.input_size))
    n = inputs.shape[0]

    # mikir's numbers: these are the ones shown.
    with np.errstate(all="ignore"):
        forward = net.forward(inputs)
        loss, weight_grads, bias_grads = net.gradients(inputs, targets)
    loop = _explicit_step(net, inputs, targets)
    difference = _check_agreement(forward, weight_grads, bias_grads, loop)

    numeric_w = numeric_b = None
    rel_w: list = [None] * len(weight_grads)
    rel_b: list = [None] * len(bias_grads)
    overall = None
    if numerical:
        with np.errstate(all="ignore"):
            numeric_w, numeric_b = gradcheck.numerical_gradients(net, inputs, targets)
        rel_w = [gradcheck.relative_error(a, m) for a, m in zip(weight_grads, numeric_w)]
        rel_b = [gradcheck.relative_error(a, m) for a, m in zip(bias_grads, numeric_b)]
        analytic = _flat(weight_grads, bias_grads)
        numeric = _flat(numeric_w, numeric_b)
        scale = np.linalg.norm(analytic) + np.linalg.norm(numeric)
        overall = float(np.linalg.norm(analytic - numeric) / scale) if scale > 0 else 0.0

    # The real next update: a copy of the optimizer (its momentum / Adam moments
    # included) takes one step on a copy of the parameters, as train_step would.
    before = net.get_parameters()
    after = before.copy()
    stepper = copy.deepcopy(optimizer)
    with np.errstate(all="ignore"):
        stepper.step([after], [_flat(weight_grads, bias_grads)])
    weights_after, biases_after = _split(net, after)

    layers = []
    activation_names = [*net.hidden_activations, net.output_activation]
    for i, (w, b) in enumerate(zip(net.weights, net.biases)):
        layers.append(LayerView(
            index=i + 1, activation=activation_names[i],
            inputs=forward.activations[i], weights=w.copy(), biases=b.copy(),
            z=forward.pre_activations[i], a=forward.activations[i + 1],
            derivative=loop.derivatives[i], delta=loop.deltas[i],
            weight_grad=weight_grads[i], bias_grad=bias_grads[i],
            weight_grad_loop=loop.weight_grads[i], bias_grad_loop=loop.bias_grads[i],
            penalty_grad=loop.penalty_grads[i],
            weight_grad_numeric=None if numeric_w is None else numeric_w[i],
            bias_grad_numeric=None if numeric_b is None else numeric_b[i],
            weight_rel_error=rel_w[i], bias_rel_error=rel_b[i],
            weights_after=weights_after[i], biases_after=biases_after[i],
        ))

    config = optimizer.config()
    notes = []
    if not np.isfinite(after).all() or not math.isfinite(loss):
        notes.append("The loss or an update is not finite: this step would diverge.")
    return Inspection(
        indices=np.arange(n), points=None, inputs=inputs.copy(), targets=targets.copy(),
        outputs=forward.activations[-1], layer_sizes=tuple(net.layer_sizes),
        feature_names=tuple(feature_names), output_activation=net.output_activation,
        loss_name=net.loss_name, regularization=net.regularization,
        regularization_rate=net.regularization_rate, optimizer=config,
        optimizer_step=getattr(stepper, "t", 0) if config["name"] == "adam" else 0,
        loss=float(loss), data_loss=loop.data_loss, penalty=loop.penalty, layers=layers,
        params_before=before, params_after=after, relative_error=overall,
        loop_difference=difference, notes=notes,
    )


def _check_indices(indices, n_train: int) -> np.ndarray:
    raw = np.atleast_1d(np.asarray(indices))
    if raw.ndim != 1 or raw.size == 0:
        raise ValueError("choose at least one training point")
    if raw.dtype.kind not in "iu" and not (raw.dtype.kind == "f" and np.all(raw == np.round(raw))):
        raise ValueError(f"training point indices must be integers, got {indices!r}")
    idx = raw.astype(np.int64)
    if idx.min() < 0 or idx.max() >= n_train:
        raise ValueError(f"training point indices must be in 0…{n_train - 1}")
    if idx.size > MAX_SAMPLES:
        raise ValueError(f"inspect at most {MAX_SAMPLES} points at a time")
    return idx


def _flat(weight_arrays, bias_arrays) -> np.ndarray:
    """Per-layer arrays → one vector in mikir's order (all weights, then all biases)."""
    return np.concatenate([np.ravel(a) for a in [*weight_arrays, *bias_arrays]])


def _split(net, flat) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The inverse of ``_flat`` for ``net``'s shapes."""
    return net.split_parameters(flat)


# ------------------------------------------- the explicit, textbook loops
class _Loop(NamedTuple):
    pre_activations: list
    activations: list
    derivatives: list
    deltas: list
    weight_grads: list
    bias_grads: list
    penalty_grads: list
    data_loss: float
    penalty: float


def _activate(name: str, z: np.ndarray) -> np.ndarray:
    if name == "sigmoid":
        return 0.5 * (1.0 + np.tanh(0.5 * z))  # = 1 / (1 + e^−z), without overflow
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0.0)
    if name == "leaky_relu":
        return np.where(z > 0, z, LEAKY_SLOPE * z)
    if name == "linear":
        return z.copy()
    if name == "softmax":
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    raise ValueError(f"unknown activation {name!r}")


def _derivative(name: str, z: np.ndarray, a: np.ndarray) -> np.ndarray | None:
    """f'(z), written from the activation where that is the usual form."""
    if name == "sigmoid":
        return a * (1.0 - a)
    if name == "tanh":
        return 1.0 - a * a
    if name == "relu":
        return (z > 0).astype(np.float64)
    if name == "leaky_relu":
        return np.where(z > 0, 1.0, LEAKY_SLOPE)
    if name == "linear":
        return np.ones_like(z)
    return None  # softmax: a Jacobian, handled where it is used


def _output_delta(net, z, a, y, derivative) -> np.ndarray:
    """Per-sample ∂ℓ/∂z at the output."""
    if mikir.losses.is_matched(net.loss_name, net.output_activation):
        return a - y  # the derivative cancels against the loss (sigmoid+BCE, softmax+CE, …)
    grad_a = a - y  # squared error ½Σ(a − y)²: ∂ℓ/∂a = a − y
    if derivative is None:  # softmax: Jᵀg = a ⊙ (g − Σ g⊙a)
        return a * (grad_a - (grad_a * a).sum(axis=1, keepdims=True))
    return grad_a * derivative


def _explicit_step(net, X, Y) -> _Loop:
    names = [*net.hidden_activations, net.output_activation]
    zs, activations, derivatives = [], [X], []
    a = X
    with np.errstate(all="ignore"):
        for W, b, name in zip(net.weights, net.biases, names):
            z = a @ W + b
            a = _activate(name, z)
            zs.append(z)
            activations.append(a)
            derivatives.append(_derivative(name, z, a))
        data_loss = mikir.losses.LOSSES[net.loss_name].value(zs[-1], a, Y)

        last = len(zs) - 1
        deltas: list = [None] * len(zs)
        deltas[last] = _output_delta(net, zs[last], a, Y, derivatives[last])
        for layer in range(last - 1, -1, -1):  # backwards: δ_l = (δ_{l+1} W_{l+1}ᵀ) ⊙ f'(z_l)
            deltas[layer] = (deltas[layer + 1] @ net.weights[layer + 1].T) * derivatives[layer]

        n = X.shape[0]
        weight_grads, bias_grads, penalty_grads = [], [], []
        rate = net.regularization_rate if net.regularization else 0.0
        for layer, W in enumerate(net.weights):
            if net.regularization == "l2":
                penalty_grad = rate * W
            elif net.regularization == "l1":
                penalty_grad = rate * np.sign(W)
            else:
                penalty_grad = np.zeros_like(W)
            weight_grads.append(activations[layer].T @ deltas[layer] / n + penalty_grad)
            bias_grads.append(deltas[layer].sum(axis=0) / n)
            penalty_grads.append(penalty_grad)
        all_weights = np.concatenate([W.ravel() for W in net.weights])
        if net.regularization == "l2":
            penalty = 0.5 * rate * float(all_weights @ all_weights)
        elif net.regularization == "l1":
            penalty = rate * float(np.abs(all_weights).sum())
        else:
            penalty = 0.0
    return _Loop(zs, activations, derivatives, deltas, weight_grads, bias_grads, penalty_grads,
                 float(data_loss), penalty)


def _gap(mine: np.ndarray, theirs: np.ndarray) -> float:
    """Largest |difference| relative to the largest entry (0 for equal arrays)."""
    mine, theirs = np.asarray(mine), np.asarray(theirs)
    if not (np.isfinite(mine).all() and np.isfinite(theirs).all()):
        same = np.array_equal(np.isfinite(mine), np.isfinite(theirs))
        return 0.0 if same else math.inf  # overflowed alike: nothing to compare
    scale = max(float(np.abs(theirs).max(initial=0.0)), float(np.abs(mine).max(initial=0.0)))
    if scale == 0.0:
        return 0.0
    return float(np.abs(mine - theirs).max(initial=0.0)) / scale


def _check_agreement(forward, weight_grads, bias_grads, loop: _Loop) -> float:
    pairs = [(f"z of layer {i + 1}", m, t)
             for i, (m, t) in enumerate(zip(loop.pre_activations, forward.pre_activations))]
    pairs += [(f"a of layer {i + 1}", m, t)
              for i, (m, t) in enumerate(zip(loop.activations[1:], forward.activations[1:]))]
    pairs += [(f"∂L/∂W of layer {i + 1}", m, t)
              for i, (m, t) in enumerate(zip(loop.weight_grads, weight_grads))]
    pairs += [(f"∂L/∂b of layer {i + 1}", m, t)
              for i, (m, t) in enumerate(zip(loop.bias_grads, bias_grads))]
    worst = 0.0
    for what, mine, theirs in pairs:
        gap = _gap(mine, theirs)
        if gap > AGREEMENT:
            raise InspectionMismatch(
                f"the explicit loops and mikir disagree on {what} (relative gap {gap:.3g})")
        worst = max(worst, gap)
    return worst


# ------------------------------------------------- stepping the session
def next_batch(session) -> np.ndarray:
    """The training indices the session's next ``step_batch`` will use (nothing changes)."""
    return session.next_batch_indices()


def train_on(session, indices) -> float:
    """One optimizer step of the session on exactly these training points.

    The update equals ``inspect(session, indices).params_after``. Returns the
    loss before the step, or NaN (and changes nothing) if the step would diverge.
    """
    idx = _check_indices(indices, len(session.data.F_train))
    try:
        loss = session.net.train_step(session.data.F_train[idx], session.data.Y_train[idx],
                                      session.optimizer)
    except mikir.DivergedError:
        return math.nan
    session.steps += 1
    return loss


# ---------------------------------------------------------------- formulas
def _num(value: float, digits: int = 4) -> str:
    value = float(value)
    if not math.isfinite(value):
        return str(value)
    text = f"{value:.{digits}g}"
    return text.replace("-", "−")


def _factor(value: float, digits: int = 4) -> str:
    """A number to multiply by: negatives in parentheses, so 0.3·(−0.14) reads right."""
    text = _num(value, digits)
    return f"({text})" if text.startswith("−") else text


def _vec(values, digits: int = 4) -> str:
    return "[" + ", ".join(_num(v, digits) for v in np.ravel(values)) + "]"


def _mat(values, digits: int = 3) -> str:
    values = np.atleast_2d(values)
    return "[" + ", ".join(_vec(row, digits) for row in values) + "]"


@dataclass
class Formulas:
    """The step as formulas with numbers, as markdown lines.

    ``seed`` holds the seed library's own formulas (sigmoid everywhere, squared
    error) or None with ``reason`` saying why they do not apply; ``general`` is
    the general backprop form, for any setup. ``error``, ``deltas`` (per layer,
    seed sign), ``new_weights`` and ``new_biases`` are the seed formulas' numbers.
    """

    applies: bool
    reason: str
    seed: list[str] | None
    general: list[str]
    sample: int  # position in the batch the per-sample numbers are for
    error: np.ndarray | None = None  # (n, outputs): target − output
    deltas: list[np.ndarray] | None = None  # (n, size) per layer: the seed's δ
    new_weights: list[np.ndarray] | None = None  # w + η·mean(δ·input)
    new_biases: list[np.ndarray] | None = None  # b + η·mean(δ)
    update_is_real: bool = False  # True when the seed update is the optimizer's update


def seed_applies(inspection: Inspection) -> tuple[bool, str]:
    layers = inspection.layers
    if inspection.loss_name != "mse":
        return False, ("The seed's formulas are for squared error; this network uses "
                       f"{inspection.loss_name.replace('_', ' ')}. The general form below "
                       "applies.")
    if any(layer.activation != "sigmoid" for layer in layers):
        return False, ("The seed's formulas need sigmoid in every layer; this network uses "
                       f"{', '.join(dict.fromkeys(layer.activation for layer in layers))}. "
                       "The general form below applies.")
    return True, ""


def seed_formulas(inspection: Inspection, sample: int = 0) -> Formulas:
    """The seed's formulas with the numbers filled in, plus the general form."""
    if not 0 <= sample < inspection.size:
        raise ValueError(f"sample must be in 0…{inspection.size - 1}")
    applies, reason = seed_applies(inspection)
    general = general_formulas(inspection, sample)
    if not applies:
        return Formulas(False, reason, None, general, sample)

    eta = inspection.learning_rate
    n = inspection.size
    layers = inspection.layers
    sizes = inspection.layer_sizes
    features = inspection.feature_names

    # The seed, literally: error = target − output; δ = error·o(1−o);
    # δ_h = o_h(1−o_h)·Σ_k w_hk δ_k; new w = w + η·δ·input.
    error = inspection.targets - inspection.outputs
    deltas: list = [None] * len(layers)
    out = layers[-1].a
    deltas[-1] = error * out * (1.0 - out)
    for i in range(len(layers) - 2, -1, -1):
        o = layers[i].a
        deltas[i] = o * (1.0 - o) * (deltas[i + 1] @ layers[i + 1].weights.T)
    new_weights = [layer.weights + eta * (layer.inputs.T @ d) / n
                   for layer, d in zip(layers, deltas)]
    new_biases = [layer.biases + eta * d.sum(axis=0) / n for layer, d in zip(layers, deltas)]

    s = sample
    lines = [f"**The seed's formulas** (sigmoid everywhere, squared error), point {s + 1} "
             f"of {n}, η = {_num(eta)}:"]
    last = len(layers)
    for k in range(sizes[-1]):
        t, o, e = inspection.targets[s, k], out[s, k], error[s, k]
        who = neuron_name(last, k, sizes, features)
        lines.append(f"- {who}: `error = target − output = {_num(t)} − {_factor(o)} "
                     f"= {_num(e)}`")
        lines.append(f"- {who}: `δ = error·o·(1−o) = {_factor(e)}·{_factor(o)}·"
                     f"(1−{_factor(o)}) = {_num(deltas[-1][s, k])}`")
    for i in range(len(layers) - 2, -1, -1):
        W_next = layers[i + 1].weights
        for j in range(sizes[i + 1]):
            o = layers[i].a[s, j]
            terms = " + ".join(f"{_factor(W_next[j, k])}·{_factor(deltas[i + 1][s, k])}"
                               for k in range(W_next.shape[1]))
            total = float(W_next[j] @ deltas[i + 1][s])
            lines.append(f"- {neuron_name(i + 1, j, sizes, features)}: `δ_h = o_h(1−o_h)·Σ w·δ "
                         f"= {_num(o)}·(1−{_num(o)})·({terms}) = {_num(o)}·(1−{_num(o)})·"
                         f"{_factor(total)} = {_num(deltas[i][s, j])}`")
    mean = "" if n == 1 else f" (averaged over the {n} points of the batch)"
    lines.append(f"**Updates**{mean}: `new w = w + η·δ·input`, `new b = b + η·δ`")
    for i, layer in enumerate(layers):
        for j in range(layer.weights.shape[0]):
            for k in range(layer.weights.shape[1]):
                w = layer.weights[j, k]
                link = (f"{neuron_name(i, j, sizes, features)} → "
                        f"{neuron_name(i + 1, k, sizes, features)}")
                if n == 1:
                    product = (f"{_num(w, 6)} + {_num(eta)}·{_factor(deltas[i][0, k])}·"
                               f"{_factor(layer.inputs[0, j])}")
                else:
                    average = float(layer.inputs[:, j] @ deltas[i][:, k]) / n
                    product = (f"{_num(w, 6)} + {_num(eta)}·mean(δ·input) = {_num(w, 6)} + "
                               f"{_num(eta)}·{_factor(average)}")
                lines.append(f"- {link}: `new w = {product} = {_num(new_weights[i][j, k], 6)}`")
        for k in range(layer.biases.shape[0]):
            lines.append(f"- bias of {neuron_name(i + 1, k, sizes, features)}: `new b = "
                         f"{_num(layer.biases[k], 6)} + {_num(eta)}·"
                         f"{_factor(deltas[i][:, k].mean())} = {_num(new_biases[i][k], 6)}`")

    plain_sgd = (inspection.optimizer["name"] == "sgd"
                 and not inspection.optimizer.get("momentum"))
    no_penalty = not inspection.regularization or inspection.regularization_rate == 0
    notes = []
    if not plain_sgd:
        notes.append(f"The session uses {_optimizer_label(inspection.optimizer)}, so its real "
                     "update (in the table) differs from the seed's plain step.")
    if not no_penalty:
        notes.append(f"With {inspection.regularization.upper()} regularization the real step "
                     "also shrinks each weight (the penalty's gradient, in the table).")
    lines.append("_The seed's error and δ have the opposite sign of ∂ℓ/∂z in the general "
                 "form, which is why its update adds: w + η·δ·input = w − η·∂L/∂w._")
    lines += [f"_{note}_" for note in notes]
    return Formulas(True, " ".join(notes), lines, general, sample, error, deltas, new_weights,
                    new_biases, update_is_real=plain_sgd and no_penalty)


def _optimizer_label(config: dict) -> str:
    if config["name"] == "adam":
        return "Adam"
    return "SGD with momentum" if config.get("momentum") else "plain SGD"


def general_formulas(inspection: Inspection, sample: int = 0) -> list[str]:
    """Backprop in its general form, for any activations and loss, with numbers."""
    s = sample
    layers = inspection.layers
    n = inspection.size
    last = len(layers)
    lines = [f"**Forward** (point {s + 1} of {n}): `z_l = a_(l−1)·W_l + b_l`, `a_l = f(z_l)`"]
    lines.append(f"- inputs: `a_0 = {_vec(inspection.inputs[s])}`")
    for layer in layers:
        lines.append(f"- layer {layer.index} ({layer.activation}): `z_{layer.index} = "
                     f"{_vec(layer.z[s])}`, `a_{layer.index} = {_vec(layer.a[s])}`")
    out = layers[-1]
    y = inspection.targets[s]
    lines.append(f"**Backward**: `δ_l = ∂ℓ/∂z_l`, from the output (layer {last}) back")
    if mikir.losses.is_matched(inspection.loss_name, inspection.output_activation):
        why = {"sigmoid": "sigmoid + cross-entropy", "softmax": "softmax + cross-entropy",
               "linear": "linear + squared error"}[inspection.output_activation]
        lines.append(f"- `δ_{last} = ∂ℓ/∂a ⊙ f'(z_{last}) = a_{last} − y` ({why}: the "
                     f"derivative cancels) `= {_vec(out.a[s])} − {_vec(y)} = "
                     f"{_vec(out.delta[s])}`")
    elif out.derivative is None:
        lines.append(f"- `δ_{last} = J_softmax(z_{last})ᵀ·∂ℓ/∂a = a ⊙ (g − Σ g⊙a)`, "
                     f"`g = a − y = {_vec(out.a[s] - y)}` → `{_vec(out.delta[s])}`")
    else:
        lines.append(f"- `δ_{last} = ∂ℓ/∂a ⊙ f'(z_{last}) = (a − y) ⊙ f'(z) = "
                     f"{_vec(out.a[s] - y)} ⊙ {_vec(out.derivative[s])} = "
                     f"{_vec(out.delta[s])}`")
    for i in range(last - 2, -1, -1):
        layer, above = layers[i], layers[i + 1]
        back = above.delta[s] @ above.weights.T
        lines.append(f"- `δ_{layer.index} = (W_{above.index}·δ_{above.index}) ⊙ "
                     f"f'(z_{layer.index}) = {_vec(back)} ⊙ {_vec(layer.derivative[s])} = "
                     f"{_vec(layer.delta[s])}`")
    mean = "" if n == 1 else f"(1/{n})·Σ over the batch of "
    penalty = {"l2": " + λ·W_l", "l1": " + λ·sign(W_l)"}.get(inspection.regularization or "", "")
    if inspection.regularization and inspection.regularization_rate:
        penalty += f" (λ = {_num(inspection.regularization_rate)})"
    else:
        penalty = ""
    lines.append(f"**Gradients**: `∂L/∂W_l = {mean}a_(l−1)ᵀ·δ_l{penalty}`, "
                 f"`∂L/∂b_l = {mean}δ_l`")
    for layer in layers:
        lines.append(f"- layer {layer.index}: `∂L/∂W_{layer.index} = "
                     f"{_mat(layer.weight_grad)}`, `∂L/∂b_{layer.index} = "
                     f"{_vec(layer.bias_grad, 3)}`")
    lines.append(f"**Update**: {_update_rule(inspection)}")
    return lines


def _update_rule(inspection: Inspection) -> str:
    config = inspection.optimizer
    eta = _num(config["learning_rate"])
    if config["name"] == "adam":
        return ("`m ← β1·m + (1−β1)·g`, `v ← β2·v + (1−β2)·g²`, "
                "`w ← w − η_t·m/(√v + ε)` with `η_t = η·√(1−β2ᵗ)/(1−β1ᵗ)`, "
                f"η = {eta}, β1 = {_num(config['beta1'])}, β2 = {_num(config['beta2'])}, "
                f"t = {inspection.optimizer_step}")
    if config.get("momentum"):
        rule = "`v ← μ·v − η·g`, `w ← w + v`"
        if config.get("nesterov"):
            rule = "`v ← μ·v − η·g`, `w ← w + μ·v − η·g`"
        return f"{rule}, η = {eta}, μ = {_num(config['momentum'])}"
    return f"`w ← w − η·g`, η = {eta}"


# ------------------------------------------------------------------ tables
NEURON_COLUMNS = ("point", "layer", "neuron", "z", "a", "δ", "bias", "∂L/∂b numerical",
                  "∂L/∂b analytic", "rel. error", "update", "bias after")
LINK_COLUMNS = ("layer", "from", "to", "w", "∂L/∂w numerical", "∂L/∂w analytic",
                "rel. error", "update", "w after")


class Tables(NamedTuple):
    neurons: list[dict]
    links: list[dict]


def _value(array, *index):
    return None if array is None else float(array[index])


def table_rows(inspection: Inspection, sample: int = 0) -> Tables:
    """Rows for two tables (lists of dicts with ``NEURON_COLUMNS``/``LINK_COLUMNS``).

    Per-neuron values (z, a, δ) are for point ``sample`` of the batch; gradients
    and updates are for the whole batch. Input neurons have only ``a``.
    """
    if not 0 <= sample < inspection.size:
        raise ValueError(f"sample must be in 0…{inspection.size - 1}")
    sizes, features = inspection.layer_sizes, inspection.feature_names
    point = int(inspection.indices[sample])
    neurons = []
    for j in range(sizes[0]):
        neurons.append(dict.fromkeys(NEURON_COLUMNS) | {
            "point": point, "layer": 0, "neuron": neuron_name(0, j, sizes, features),
            "a": float(inspection.inputs[sample, j])})
    links = []
    for layer in inspection.layers:
        l = layer.index
        for k in range(layer.weights.shape[1]):
            neurons.append({
                "point": point, "layer": l, "neuron": neuron_name(l, k, sizes, features),
                "z": float(layer.z[sample, k]), "a": float(layer.a[sample, k]),
                "δ": float(layer.delta[sample, k]), "bias": float(layer.biases[k]),
                "∂L/∂b numerical": _value(layer.bias_grad_numeric, k),
                "∂L/∂b analytic": float(layer.bias_grad[k]),
                "rel. error": _value(layer.bias_rel_error, k),
                "update": float(layer.bias_update[k]), "bias after": float(layer.biases_after[k]),
            })
        for j in range(layer.weights.shape[0]):
            for k in range(layer.weights.shape[1]):
                links.append({
                    "layer": l, "from": neuron_name(l - 1, j, sizes, features),
                    "to": neuron_name(l, k, sizes, features), "w": float(layer.weights[j, k]),
                    "∂L/∂w numerical": _value(layer.weight_grad_numeric, j, k),
                    "∂L/∂w analytic": float(layer.weight_grad[j, k]),
                    "rel. error": _value(layer.weight_rel_error, j, k),
                    "update": float(layer.weight_update[j, k]),
                    "w after": float(layer.weights_after[j, k]),
                })
    return Tables(neurons, links)


# ---------------------------------------------------------------- timeline
@dataclass
class Snapshot:
    label: str
    epoch: int
    steps: int
    parameters: np.ndarray


class Timeline:
    """Parameter snapshots after each inspector step, so a slider can look back.

    Bounded: past ``limit`` snapshots every other older one is dropped (the first
    and the newest always stay), so a long session keeps an evenly thinned
    history. A network of another shape (a new run) starts a new timeline.
    """

    def __init__(self, limit: int = TIMELINE_LIMIT):
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 2:
            raise ValueError(f"limit must be an integer >= 2, got {limit!r}")
        self.limit = limit
        self._snapshots: list[Snapshot] = []
        self._layer_sizes: tuple | None = None

    def __len__(self) -> int:
        return len(self._snapshots)

    @property
    def labels(self) -> list[str]:
        return [s.label for s in self._snapshots]

    @property
    def snapshots(self) -> list[Snapshot]:
        return list(self._snapshots)

    def clear(self) -> None:
        self._snapshots.clear()
        self._layer_sizes = None

    def push(self, session, label: str | None = None) -> int:
        """Record the session's current parameters; returns the new snapshot's index."""
        sizes = tuple(session.net.layer_sizes)
        if sizes != self._layer_sizes:
            self.clear()
            self._layer_sizes = sizes
        epoch, steps = int(session.epoch), int(session.steps)
        if label is None:
            label = f"epoch {epoch}, step {steps}"
        self._snapshots.append(Snapshot(str(label), epoch, steps, session.net.get_parameters()))
        if len(self._snapshots) > self.limit:
            self._thin()
        return len(self._snapshots) - 1

    def _thin(self) -> None:
        kept = self._snapshots[:-1:2] + self._snapshots[-1:]
        self._snapshots = kept

    def restore_view(self, index: int) -> np.ndarray:
        """A copy of the parameters at snapshot ``index`` (negative counts from the end)."""
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
            raise ValueError(f"index must be an integer, got {index!r}")
        if not -len(self) <= index < len(self):
            raise IndexError(f"the timeline has {len(self)} snapshots, no index {index}")
        return self._snapshots[index].parameters.copy()

    def network(self, session, index: int) -> mikir.NeuralNetwork:
        """A copy of the session's network with the parameters of snapshot ``index``."""
        twin = session.net.copy()
        twin.set_parameters(self.restore_view(index))
        return twin

    def session_view(self, session, index: int):
        """A read-only stand-in for the session as it was at snapshot ``index``.

        A shallow copy whose ``net`` is ``network(session, index)``: hand it to the
        figure builders (``network_figure(view)``, …). Do not train it: it shares
        the data, optimizer and history with the real session.
        """
        view = copy.copy(session)
        view.net = self.network(session, index)
        snapshot = self._snapshots[index]
        view.epoch, view.steps = snapshot.epoch, snapshot.steps
        return view


__all__ = ["Formulas", "Inspection", "InspectionMismatch", "LINK_COLUMNS", "LayerView",
           "NEURON_COLUMNS", "Snapshot", "Tables", "Timeline", "general_formulas", "inspect",
           "inspect_arrays", "next_batch", "seed_applies", "seed_formulas", "table_rows",
           "train_on"]
