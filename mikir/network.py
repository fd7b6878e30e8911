"""NeuralNetwork: a fully connected network of any depth.

All weights and biases live in one flat float64 vector; ``weights[i]`` and
``biases[i]`` are views into it. That keeps them writable in place, lets an
optimizer update every parameter with a handful of numpy calls whatever the
depth, and makes snapshots (for rewinding, timelines, loss landscapes) one copy.

Training reuses preallocated buffers per batch size, because at playground
sizes (batch 10, 8 neurons) the number of numpy calls, not arithmetic, is the
cost.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from . import activations as _activations
from . import losses as _losses
from .optimizers import SGD, Optimizer, check_learning_rate

INITS = ("uniform", "playground", "xavier", "he", "zeros")
REGULARIZATIONS = (None, "l1", "l2")
MAX_LAYER_SIZE = 100_000
# fit(record_loss=False): if the logits' sum of squares is at most this, every |z| is
# at most 1e150 and a cross-entropy is finite (< 3e150 per output) without computing it
_SAFE_SQUARES = 1e300


class DivergedError(FloatingPointError):
    """Raised when the loss becomes NaN or infinite; no update was applied."""


class ForwardPass(NamedTuple):
    """Every layer's pre-activations z[i] and activations a[i] (a[0] is the input)."""

    pre_activations: list[np.ndarray]
    activations: list[np.ndarray]


@dataclass
class History:
    """What ``fit`` measured, epoch by epoch."""

    loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    stopped_early: bool = False
    diverged: bool = False
    message: str = ""
    # epochs fit completed (``epochs`` counts them even when fit's
    # ``record_loss=False`` leaves ``loss`` empty)
    completed: int = field(default=0, repr=False, compare=False)

    @property
    def epochs(self) -> int:
        return max(len(self.loss), self.completed)


class _ParameterList(list):
    """A list of views into the flat parameter vector.

    Assigning ``net.weights[i] = array`` copies into the view (after checking the
    shape), so the flat vector and the list never drift apart.
    """

    def __init__(self, views, kind):
        super().__init__(views)
        self._kind = kind

    def __setitem__(self, index, value):
        list.__getitem__(self, index)[...] = self._check(index, value)

    def _check(self, index, value) -> np.ndarray:
        if isinstance(index, bool) or not isinstance(index, int):
            raise TypeError(f"assign one {self._kind} array at a time, by integer index")
        target = list.__getitem__(self, index)
        try:
            value = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(f"{self._kind}[{index}] must be numeric") from None
        if value.shape != target.shape:
            raise ValueError(
                f"{self._kind}[{index}] must have shape {target.shape}, got {value.shape}"
            )
        if not np.isfinite(value).all():
            raise ValueError(f"{self._kind}[{index}] contains NaN or inf")
        return value

    def append(self, value):
        raise TypeError("the number of layers is fixed; build a new NeuralNetwork")

    extend = insert = pop = remove = clear = append


class _Workspace:
    """Preallocated buffers for training on batches of one size.

    Every layer's z, a and scratch are views of one buffer each (hidden layers
    first), so fit computes the hidden layers' derivative factors in one go.
    ``plans`` lists fit's numpy calls on these buffers once per network.
    """

    def __init__(self, sizes, n):
        outs = sizes[1:]
        self.z, self._z = self._views(n, outs)
        self.a, self._a = self._views(n, outs)
        self.scratch, self._scratch = self._views(n, outs)
        self.delta = [np.empty((n, s)) for s in outs]
        self.ones = np.ones(n)
        self.inv_n = 1.0 / n
        self.n = n
        self._plans = None

    @staticmethod
    def _views(n, outs):
        flat = np.empty(n * sum(outs))
        views, offset = [], 0
        for size in outs:
            views.append(flat[offset:offset + n * size].reshape(n, size))
            offset += n * size
        return views, flat

    def plans(self, net):
        """fit's calls for ``net`` (the network that owns this workspace), see _build."""
        if self._plans is None:
            self._plans = self._build(net)
        return self._plans

    def _build(self, net):
        """(W[0], z[0], the forward calls after X @ W[0] (then the derivative factors),
        δ at the output, the output layer's (z, a, z as a flat view, backward calls),
        1/n like δ, the backward calls before Xᵀ @ δ[0], δ[0], ∂W[0], n)."""
        matmul, add = np.matmul, np.add
        fns, weights, biases = net._layer_fns, net._weights, net._biases
        z, a, delta, scratch = self.z, self.a, self.delta, self.scratch
        last = len(z) - 1
        forward = []
        for i in range(last + 1):
            if i:
                forward.append((matmul, (a[i - 1], weights[i], z[i])))
            # a 0-d view of a single bias adds without broadcasting (cheaper)
            bias = biases[i].reshape(()) if biases[i].shape == (1,) else biases[i]
            forward.append((add, (z[i], bias, z[i])))
            forward.extend(fns[i].forward_calls(z[i], a[i]))
        hidden = fns[:last]
        if hidden and all(fn is hidden[0] for fn in hidden):  # one go over all of them
            span = sum(x.size for x in z[:last])
            forward.extend(hidden[0].factor_calls(self._z[:span], self._a[:span],
                                                  self._scratch[:span]))
        else:
            for i, fn in enumerate(hidden):
                forward.extend(fn.factor_calls(z[i], a[i], scratch[i]))
        output_backward = []
        if not net._matched:  # squared error through the output activation
            forward.extend(fns[last].factor_calls(z[last], a[last], scratch[last]))
            output_backward = fns[last].apply_calls(z[last], a[last], delta[last],
                                                    scratch[last])
        backward = []
        for i in range(last, -1, -1):
            if i:
                backward.append((matmul, (a[i - 1].T, delta[i], net._grad_weights[i])))
            backward.append((matmul, (self.ones, delta[i], net._grad_biases[i])))
            if i:
                backward.append((matmul, (delta[i], weights[i].T, delta[i - 1])))
                backward.extend(fns[i - 1].apply_calls(z[i - 1], a[i - 1], delta[i - 1],
                                                       scratch[i - 1]))
        return (weights[0], z[0], tuple(forward), delta[last],
                (z[last], a[last], z[last].reshape(-1), tuple(output_backward)),
                np.full(delta[last].shape, self.inv_n), tuple(backward), delta[0],
                net._grad_weights[0], self.n)


def _check_size(size, what):
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)):
        raise ValueError(f"{what} must be an integer, got {size!r}")
    if not 1 <= size <= MAX_LAYER_SIZE:
        raise ValueError(f"{what} must be between 1 and {MAX_LAYER_SIZE}, got {size}")
    return int(size)


class NeuralNetwork:
    """A fully connected network: ``NeuralNetwork(inputs, *hidden, outputs, ...)``.

    The defaults are the seed library's: sigmoid everywhere, squared error,
    weights and biases uniform in [0, 1).
    """

    def __init__(
        self,
        *layer_sizes: int,
        activation: str | list[str] = "sigmoid",
        output_activation: str = "sigmoid",
        loss: str | None = None,
        init: str = "uniform",
        regularization: str | None = None,
        regularization_rate: float = 0.0,
        seed: int | None = None,
    ):
        if len(layer_sizes) == 1 and isinstance(layer_sizes[0], (list, tuple)):
            layer_sizes = tuple(layer_sizes[0])
        if len(layer_sizes) < 2:
            raise ValueError(
                "give at least two layer sizes (inputs and outputs), e.g. NeuralNetwork(2, 3, 1)"
            )
        sizes = [_check_size(s, f"layer size #{i}") for i, s in enumerate(layer_sizes)]
        self.layer_sizes = tuple(sizes)
        hidden_count = len(sizes) - 2

        if isinstance(activation, (list, tuple)):
            if len(activation) != hidden_count:
                raise ValueError(
                    f"activation list has {len(activation)} names but the network has "
                    f"{hidden_count} hidden layers"
                )
            names = list(activation)
        else:
            names = [activation] * hidden_count
        self.hidden_activations = [_activations.get(a, hidden=True).name for a in names]
        self.output_activation = _activations.get(output_activation).name
        if loss is None:
            loss = "categorical_crossentropy" if self.output_activation == "softmax" else "mse"
        self.loss_name = _losses.get(loss).name
        _losses.check_pair(self.loss_name, self.output_activation)
        if init not in INITS:
            raise ValueError(f"unknown init {init!r}; choose one of: {', '.join(INITS)}")
        self.init = init
        if regularization not in REGULARIZATIONS:
            raise ValueError(
                f"unknown regularization {regularization!r}; choose one of: None, 'l1', 'l2'"
            )
        self.regularization = regularization
        self.regularization_rate = regularization_rate  # validated by the setter
        self.seed = seed

        self._layer_fns = [_activations.ACTIVATIONS[n] for n in self.hidden_activations]
        self._layer_fns.append(_activations.ACTIVATIONS[self.output_activation])
        self._loss = _losses.LOSSES[self.loss_name]
        self._matched = _losses.is_matched(self.loss_name, self.output_activation)
        self._allocate()
        self.initialize(seed)

    # ------------------------------------------------------------------ setup
    def _allocate(self):
        sizes = self.layer_sizes
        weight_shapes = list(zip(sizes[:-1], sizes[1:]))
        self.weight_count = sum(i * o for i, o in weight_shapes)
        total = self.weight_count + sum(sizes[1:])
        self._params = np.zeros(total)
        self._grads = np.zeros(total)
        self._weight_scratch = np.zeros(self.weight_count)
        self._weights = _ParameterList(self._views(self._params, weight_shapes), "weights")
        self._biases = _ParameterList(self._views(self._params, weight_shapes, biases=True),
                                      "biases")
        self._grad_weights = self._views(self._grads, weight_shapes)
        self._grad_biases = self._views(self._grads, weight_shapes, biases=True)
        self._workspaces: dict[int, _Workspace] = {}
        self._plain_sgd = SGD(learning_rate=0.1)
        self._shuffle_rng = None

    def _views(self, flat, weight_shapes, biases=False):
        """Weights first (so regularization touches one contiguous block), then biases."""
        views, offset = [], 0 if not biases else self.weight_count
        for fan_in, fan_out in weight_shapes:
            size = fan_out if biases else fan_in * fan_out
            view = flat[offset:offset + size]
            views.append(view if biases else view.reshape(fan_in, fan_out))
            offset += size
        return views

    def initialize(self, seed: int | None = None) -> None:
        """Draw new weights and biases with this network's init scheme."""
        rng = np.random.default_rng(seed)
        for weights, biases in zip(self.weights, self.biases):
            fan_in, fan_out = weights.shape
            if self.init == "uniform":  # the seed library: Math.random() for both
                weights[...] = rng.random(weights.shape)
                biases[...] = rng.random(biases.shape)
            elif self.init == "playground":  # TensorFlow Playground
                weights[...] = rng.random(weights.shape) - 0.5
                biases[...] = 0.1
            elif self.init == "xavier":  # Glorot uniform
                bound = math.sqrt(6.0 / (fan_in + fan_out))
                weights[...] = rng.uniform(-bound, bound, weights.shape)
                biases[...] = 0.0
            elif self.init == "he":
                weights[...] = rng.normal(0.0, math.sqrt(2.0 / fan_in), weights.shape)
                biases[...] = 0.0
            else:
                weights[...] = 0.0
                biases[...] = 0.0

    @property
    def weights(self) -> list[np.ndarray]:
        """weights[i]: (fan_in, fan_out) float64, writable in place."""
        return self._weights

    @weights.setter
    def weights(self, arrays) -> None:
        self._assign(self._weights, arrays)

    @property
    def biases(self) -> list[np.ndarray]:
        """biases[i]: (fan_out,) float64, writable in place."""
        return self._biases

    @biases.setter
    def biases(self, arrays) -> None:
        self._assign(self._biases, arrays)

    @staticmethod
    def _assign(target: _ParameterList, arrays) -> None:
        arrays = list(arrays)
        if len(arrays) != len(target):
            raise ValueError(f"expected {len(target)} arrays, got {len(arrays)}")
        for i, array in enumerate(arrays):
            _ParameterList._check(target, i, array)
        for i, array in enumerate(arrays):
            target[i] = array

    @property
    def regularization_rate(self) -> float:
        return self._regularization_rate

    @regularization_rate.setter
    def regularization_rate(self, value) -> None:
        if isinstance(value, (bool, str, bytes)):
            raise ValueError(f"regularization_rate must be a number, got {value!r}")
        try:
            rate = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"regularization_rate must be a number, got {value!r}") from None
        if not (math.isfinite(rate) and rate >= 0):
            raise ValueError(f"regularization_rate must be finite and >= 0, got {value!r}")
        self._regularization_rate = rate

    @property
    def input_size(self) -> int:
        return self.layer_sizes[0]

    @property
    def output_size(self) -> int:
        return self.layer_sizes[-1]

    @property
    def is_classifier(self) -> bool:
        return self.loss_name != "mse" or self.output_activation in ("sigmoid", "softmax", "tanh")

    def config(self) -> dict:
        """Every option needed to rebuild this network (weights aside)."""
        return {
            "layer_sizes": list(self.layer_sizes),
            "activation": list(self.hidden_activations),
            "output_activation": self.output_activation,
            "loss": self.loss_name,
            "init": self.init,
            "regularization": self.regularization,
            "regularization_rate": self.regularization_rate,
            "seed": self.seed,
        }

    def copy(self) -> NeuralNetwork:
        """An independent network with the same options and parameters."""
        twin = NeuralNetwork(*self.layer_sizes, **{k: v for k, v in self.config().items()
                                                  if k != "layer_sizes"})
        twin._params[...] = self._params
        return twin

    def get_parameters(self) -> np.ndarray:
        """A copy of every weight and bias as one vector (weights first, then biases)."""
        return self._params.copy()

    def split_parameters(self, vector) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """A flat vector in ``get_parameters`` order → (weight arrays, bias arrays), copies."""
        vector = np.asarray(vector, dtype=np.float64)
        if vector.shape != self._params.shape:
            raise ValueError(
                f"parameter vector must have shape {self._params.shape}, got {vector.shape}"
            )
        weight_shapes = [w.shape for w in self._weights]
        return ([w.copy() for w in self._views(vector, weight_shapes)],
                [b.copy() for b in self._views(vector, weight_shapes, biases=True)])

    def set_parameters(self, vector) -> None:
        vector = np.asarray(vector, dtype=np.float64)
        if vector.shape != self._params.shape:
            raise ValueError(
                f"parameter vector must have shape {self._params.shape}, got {vector.shape}"
            )
        if not np.isfinite(vector).all():
            raise ValueError("parameter vector contains NaN or inf")
        self._params[...] = vector

    def __repr__(self) -> str:
        sizes = ", ".join(map(str, self.layer_sizes))
        return (f"NeuralNetwork({sizes}, activation={self.hidden_activations!r}, "
                f"output_activation={self.output_activation!r}, loss={self.loss_name!r})")

    # ------------------------------------------------------------- validation
    def _check_X(self, X, name="X") -> np.ndarray:
        try:
            X = np.asarray(X, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be numeric") from None
        if X.ndim == 1 and X.shape[0] == self.input_size:
            X = X.reshape(1, -1)
        if X.ndim != 2 or X.shape[1] != self.input_size:
            raise ValueError(
                f"{name} must have shape (n, {self.input_size}) or ({self.input_size},), "
                f"got {X.shape}"
            )
        if X.shape[0] == 0:
            raise ValueError(f"{name} has no rows")
        if not np.isfinite(X).all():
            raise ValueError(f"{name} contains NaN or inf")
        return X

    def _check_Y(self, Y, n, name="Y") -> np.ndarray:
        try:
            Y = np.asarray(Y, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be numeric") from None
        outputs = self.output_size
        if Y.ndim == 0:
            Y = Y.reshape(1, 1)
        if Y.ndim == 1:
            if outputs == 1 and Y.shape[0] == n:
                Y = Y.reshape(-1, 1)
            elif n == 1 and Y.shape[0] == outputs:
                Y = Y.reshape(1, -1)
            elif outputs > 1 and Y.shape[0] == n:
                Y = one_hot(Y, outputs)  # class labels for a multi-output classifier
        if Y.shape != (n, outputs):
            raise ValueError(f"{name} must have shape ({n}, {outputs}), got {Y.shape}")
        if not np.isfinite(Y).all():
            raise ValueError(f"{name} contains NaN or inf")
        if self.loss_name != "mse" and (Y.min() < 0 or Y.max() > 1):
            raise ValueError(
                f"{name} must hold targets in [0, 1] for {self.loss_name} "
                "(0/1 labels, or one-hot rows)"
            )
        return Y

    def _check_XY(self, X, Y):
        X = self._check_X(X)
        return X, self._check_Y(Y, X.shape[0])

    # ---------------------------------------------------------------- forward
    def forward(self, X, dtype=np.float64) -> ForwardPass:
        """Every layer's pre-activations and activations, in fresh arrays.

        ``dtype=np.float32`` is about 3× faster for drawing maps over a grid.
        """
        X = self._check_X(X)
        a = X.astype(dtype, copy=False)
        zs, activations = [], [a]
        with np.errstate(over="ignore", invalid="ignore"):
            for weights, biases, fn in zip(self.weights, self.biases, self._layer_fns):
                z = a @ weights.astype(dtype, copy=False)
                z += biases.astype(dtype, copy=False)
                a = fn.forward(z, np.empty_like(z))
                zs.append(z)
                activations.append(a)
        return ForwardPass(zs, activations)

    def predict(self, X) -> np.ndarray:
        """Outputs: shape (outputs,) for one sample, (n, outputs) for a batch."""
        try:
            single = np.ndim(X) == 1
        except ValueError:  # ragged nested lists: let forward's check name the problem
            single = False
        output = self.forward(X).activations[-1]
        return output[0] if single else output

    def predict_classes(self, X) -> np.ndarray:
        """Class indices: argmax for several outputs, a threshold for one."""
        output = self.forward(X).activations[-1]
        if self.output_size > 1:
            return output.argmax(axis=1)
        threshold = 0.0 if self.output_activation == "tanh" else 0.5
        return (output[:, 0] >= threshold).astype(np.int64)

    def accuracy(self, X, y) -> float:
        """Share of samples whose predicted class is right (labels or targets)."""
        X = self._check_X(X)
        y = np.asarray(y, dtype=np.float64)
        if y.ndim == 2 and y.shape[1] > 1:
            labels = y.argmax(axis=1)
        else:
            labels = y.reshape(-1)
            if self.output_activation == "tanh" and self.output_size == 1:
                labels = (labels > 0).astype(np.int64)  # ±1 labels
        if labels.shape[0] != X.shape[0]:
            raise ValueError(f"y must have {X.shape[0]} labels, got {labels.shape[0]}")
        return float(np.mean(self.predict_classes(X) == labels))

    def loss(self, X, Y) -> float:
        """The mean loss over the samples, regularization included."""
        X, Y = self._check_XY(X, Y)
        ws = self._workspace(X.shape[0])
        with np.errstate(over="ignore", invalid="ignore"):
            self._forward_into(X, ws)
            return self._loss.value(ws.z[-1], ws.a[-1], Y) + self._penalty()

    # --------------------------------------------------------------- training
    def _workspace(self, n) -> _Workspace:
        ws = self._workspaces.get(n)
        if ws is None:
            if len(self._workspaces) > 8:  # bound memory when batch sizes vary
                self._workspaces.clear()
            ws = self._workspaces[n] = _Workspace(self.layer_sizes, n)
        return ws

    def _forward_into(self, X, ws):
        a = X
        for weights, biases, fn, z, out in zip(self.weights, self.biases, self._layer_fns,
                                               ws.z, ws.a):
            np.matmul(a, weights, out=z)
            z += biases
            a = fn.forward(z, out)
        return a

    def _penalty(self) -> float:
        rate = self._regularization_rate
        if not self.regularization or rate == 0.0:
            return 0.0
        w = self._params[: self.weight_count]
        if self.regularization == "l2":
            return 0.5 * rate * float(w @ w)
        return rate * float(np.abs(w).sum())

    def _backprop(self, X, Y, ws) -> float:
        """Fill the flat gradient vector for one batch; return the batch loss."""
        self._forward_into(X, ws)
        loss = self._loss.value(ws.z[-1], ws.a[-1], Y)
        last = len(ws.z) - 1
        delta = ws.delta[last]
        np.subtract(ws.a[last], Y, out=delta)
        if not self._matched:
            self._layer_fns[last].backward(ws.z[last], ws.a[last], delta, ws.scratch[last])
        delta *= ws.inv_n  # gradients are averaged over the batch
        weights, fns = self.weights, self._layer_fns
        for i in range(last, -1, -1):
            a_prev = ws.a[i - 1] if i else X
            np.matmul(a_prev.T, delta, out=self._grad_weights[i])
            np.matmul(ws.ones, delta, out=self._grad_biases[i])
            if i:
                previous = ws.delta[i - 1]
                np.matmul(delta, weights[i].T, out=previous)
                fns[i - 1].backward(ws.z[i - 1], ws.a[i - 1], previous, ws.scratch[i - 1])
                delta = previous
        rate = self._regularization_rate
        if self.regularization and rate:
            w = self._params[: self.weight_count]
            grad_w = self._grads[: self.weight_count]
            scratch = self._weight_scratch
            if self.regularization == "l2":
                loss += 0.5 * rate * float(w @ w)
                np.multiply(w, rate, out=scratch)
            else:
                np.abs(w, out=scratch)
                loss += rate * float(scratch.sum())
                np.sign(w, out=scratch)
                scratch *= rate
            grad_w += scratch
        return loss

    def _batch_trainer(self, update: Callable[[], None], record_loss: bool):
        """``step(X, Xᵀ, Y, plans)``: fit's training step on one batch.

        The arithmetic of ``_step`` (``_backprop`` then ``update()``), bit for bit,
        with the per-call Python work hoisted out (``_Workspace.plans``). Returns
        the batch loss with the penalty; raises DivergedError, before any update,
        exactly when ``_step`` would. With ``record_loss=False`` a cross-entropy
        is only computed when one dot product of the logits cannot prove it
        finite; otherwise the value returned is just the penalty (0.0 without one).
        """
        matmul, subtract, multiply, einsum = np.matmul, np.subtract, np.multiply, np.einsum
        isfinite = math.isfinite
        value = self._loss.value
        mse = self.loss_name == "mse"
        prove = not (record_loss or mse)
        rate = self._regularization_rate
        regularization = self.regularization if rate else None
        w = self._params[: self.weight_count]
        grad_w = self._grads[: self.weight_count]
        scratch_w = self._weight_scratch

        def step(X, XT, Y, plans):
            (first_weights, first_z, forward, delta, output, inv_n, backward, first_delta,
             first_grad, n) = plans
            z, a, z_flat, output_backward = output
            matmul(X, first_weights, first_z)
            for function, args in forward:
                function(*args)
            subtract(a, Y, delta)
            proven = False
            if mse:  # _mse's formula, on the a − y that δ holds already
                loss = 0.5 * float(einsum("ij,ij->", delta, delta)) / n
            elif prove and matmul(z_flat, z_flat) <= _SAFE_SQUARES:  # False for NaN
                loss, proven = 0.0, True
            else:
                loss = value(z, a, Y)
            for function, args in output_backward:
                function(*args)
            multiply(delta, inv_n, delta)  # gradients are averaged over the batch
            for function, args in backward:
                function(*args)
            matmul(XT, first_delta, first_grad)
            if regularization is not None:
                if regularization == "l2":
                    penalty = 0.5 * rate * float(w @ w)
                    np.multiply(w, rate, out=scratch_w)
                else:
                    np.abs(w, out=scratch_w)
                    penalty = rate * float(scratch_w.sum())
                    np.sign(w, out=scratch_w)
                    np.multiply(scratch_w, rate, out=scratch_w)
                np.add(grad_w, scratch_w, out=grad_w)
                if proven and not penalty < _SAFE_SQUARES:  # the sum might overflow
                    loss, proven = value(z, a, Y), False
                loss += penalty
            if not isfinite(loss):
                raise DivergedError(f"the loss became {loss} (try a smaller learning rate)")
            update()
            return loss

        return step

    def gradients(self, X, Y):
        """(loss, weight_grads, bias_grads) at the current weights; no update."""
        X, Y = self._check_XY(X, Y)
        with np.errstate(over="ignore", invalid="ignore"):
            loss = self._backprop(X, Y, self._workspace(X.shape[0]))
        return (loss, [g.copy() for g in self._grad_weights],
                [g.copy() for g in self._grad_biases])

    def _step(self, X, Y, ws, optimizer) -> float:
        loss = self._backprop(X, Y, ws)
        if not math.isfinite(loss):
            raise DivergedError(f"the loss became {loss} (try a smaller learning rate)")
        optimizer.step([self._params], [self._grads])
        return loss

    def train_step(self, X, Y, optimizer: Optimizer) -> float:
        """One update on one batch; returns the batch loss before the update.

        Raises DivergedError (and leaves the weights alone) if the loss is NaN/inf.
        """
        if not isinstance(optimizer, Optimizer):
            raise ValueError(f"optimizer must be an SGD or Adam instance, got {optimizer!r}")
        X, Y = self._check_XY(X, Y)
        with np.errstate(over="ignore", invalid="ignore"):
            return self._step(X, Y, self._workspace(X.shape[0]), optimizer)

    def train(self, inputs, targets, learning_rate: float = 0.1) -> float:
        """The seed library's call: one plain SGD step on one sample."""
        self._plain_sgd.learning_rate = check_learning_rate(learning_rate)
        X, Y = self._check_XY(inputs, targets)
        with np.errstate(over="ignore", invalid="ignore"):
            return self._step(X, Y, self._workspace(X.shape[0]), self._plain_sgd)

    def fit(
        self,
        X,
        Y,
        epochs: int = 1,
        batch_size: int | None = None,
        optimizer: Optimizer | None = None,
        shuffle: bool = True,
        seed: int | None = None,
        validation_data: tuple | None = None,
        callback: Callable[[int, History], bool | None] | None = None,
        record_loss: bool = True,
    ) -> History:
        """Mini-batch training; returns the loss of every epoch.

        Batches never spill across epochs (the last one may be smaller) and the
        order is reshuffled every epoch. ``callback(epoch, history)`` runs after
        each epoch; returning True stops training. A loss that becomes NaN or
        inf stops training with ``history.diverged`` set and a warning.

        ``record_loss=False`` leaves ``history.loss`` empty (``history.epochs``
        still counts) and skips computing a cross-entropy whenever one dot
        product of the logits proves it finite (about a tenth of a tiny
        network's step). The weights, the optimizer's state, the divergence
        and its message are exactly those of ``record_loss=True``.
        """
        X, Y = self._check_XY(X, Y)
        n = X.shape[0]
        epochs = _check_count(epochs, "epochs", low=0)
        batch_size = n if batch_size is None else min(_check_count(batch_size, "batch_size"), n)
        optimizer = SGD(learning_rate=0.1) if optimizer is None else optimizer
        if not isinstance(optimizer, Optimizer):
            raise ValueError(f"optimizer must be an SGD or Adam instance, got {optimizer!r}")
        if validation_data is not None:
            if len(validation_data) != 2:
                raise ValueError("validation_data must be a pair (X_val, Y_val)")
            X_val, Y_val = self._check_XY(*validation_data)
        if seed is None:  # one generator per network: creating one costs ~8 µs per call
            if self._shuffle_rng is None:
                self._shuffle_rng = np.random.default_rng()
            rng = self._shuffle_rng
        else:
            rng = np.random.default_rng(seed)
        record_loss = bool(record_loss)
        history = History()
        if epochs == 0:
            return history
        order = np.arange(n)
        if shuffle:  # each epoch: one take of X and of Y, the batches are views of them
            X_source, Y_source = X, Y
            X = np.empty((n, X.shape[1]))
            Y = np.empty((n, Y.shape[1]))
        batches = []
        for start in range(0, n, batch_size):
            stop = min(start + batch_size, n)
            Xb = X[start:stop]
            plans = self._workspace(stop - start).plans(self)
            batches.append((Xb, Xb.T, Y[start:stop], plans, stop - start))
        step = self._batch_trainer(optimizer._bind([self._params], [self._grads]), record_loss)
        loss_history = history.loss
        with np.errstate(over="ignore", invalid="ignore"):
            for epoch in range(epochs):
                if shuffle:
                    rng.shuffle(order)
                    # the method with mode="clip" skips numpy's buffered copy
                    X_source.take(order, 0, X, "clip")
                    Y_source.take(order, 0, Y, "clip")
                total = 0.0
                try:
                    if record_loss:
                        for Xb, XbT, Yb, plans, size in batches:
                            total += step(Xb, XbT, Yb, plans) * size
                    else:
                        for Xb, XbT, Yb, plans, _ in batches:
                            step(Xb, XbT, Yb, plans)
                except DivergedError as error:
                    history.diverged = True
                    history.message = f"training diverged in epoch {epoch + 1}: {error}"
                    warnings.warn(history.message, RuntimeWarning, stacklevel=2)
                    break
                history.completed += 1
                if record_loss:
                    loss_history.append(total / n)
                if validation_data is not None:
                    history.val_loss.append(self.loss(X_val, Y_val))
                if callback is not None:
                    if callback(epoch, history):
                        history.stopped_early = True
                        break
                    # the callback may change the optimizer or the penalty: rebind
                    step = self._batch_trainer(
                        optimizer._bind([self._params], [self._grads]), record_loss)
        return history


def _check_count(value, name, low=1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    return int(value)


def one_hot(labels, num_classes: int | None = None) -> np.ndarray:
    """Class indices 0..k-1 → one-hot rows (n, k)."""
    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(f"labels must be one-dimensional, got shape {labels.shape}")
    if labels.size and (not np.isfinite(labels.astype(float)).all()
                        or np.any(labels != np.round(labels)) or labels.min() < 0):
        raise ValueError("labels must be class indices 0, 1, 2, …")
    indices = labels.astype(np.int64)
    k = int(indices.max()) + 1 if num_classes is None else int(num_classes)
    if indices.size and indices.max() >= k:
        raise ValueError(f"label {int(indices.max())} is out of range for {k} classes")
    encoded = np.zeros((indices.size, k))
    encoded[np.arange(indices.size), indices] = 1.0
    return encoded


def encode_labels(labels, num_classes: int | None = None) -> np.ndarray:
    """Targets for a classifier: one 0/1 column for two classes, one-hot for more."""
    encoded = one_hot(labels, num_classes)
    return encoded[:, 1:] if encoded.shape[1] == 2 else encoded
