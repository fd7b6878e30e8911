"""Activations, each with its derivative right beside it.

Every function works in place on preallocated arrays (``out=``), because at
playground sizes the cost of a numpy call, not its arithmetic, sets the speed.
The derivative formulas are written exactly as scikit-learn writes them (from
the activation, not the pre-activation) so that training matches it bit for bit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

LEAKY_SLOPE = 0.01  # PyTorch's default negative slope

Forward = Callable[[np.ndarray, np.ndarray], np.ndarray]
Backward = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], None]
Call = tuple[Callable, tuple]  # fit runs ``function(*args)``


class Calls(NamedTuple):
    """An activation's arithmetic as lists of numpy calls on given arrays, for fit.

    ``backward`` is split in two: ``factor(z, a, f)`` computes from z and a only
    what ``apply(z, a, grad, f)`` then multiplies ∂loss/∂a by; fit can so run
    ``factor`` once over all hidden layers (views of one buffer). Together they
    do ``backward(z, a, grad, f)`` bit for bit, and ``forward(z, out)`` does
    ``forward``. Constants are arrays shaped like the arguments: numpy takes an
    operand of the same shape faster than a Python float (≈1 µs a call).
    """

    forward: Callable[[np.ndarray, np.ndarray], list[Call]]
    factor: Callable[[np.ndarray, np.ndarray, np.ndarray], list[Call]]
    apply: Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], list[Call]]


@dataclass(frozen=True)
class Activation:
    """An activation: ``forward(z, out)`` and ``backward(z, a, grad, scratch)``.

    ``backward`` turns ∂loss/∂a into ∂loss/∂z in place in ``grad``; ``scratch``
    is a buffer of the same shape it may overwrite. ``calls`` (optional) is the
    same arithmetic as call lists (see ``Calls``); ``forward_calls``,
    ``factor_calls`` and ``apply_calls`` fall back to the functions without it.
    """

    name: str
    forward: Forward
    backward: Backward
    hidden_allowed: bool = True
    calls: Calls | None = None

    def forward_calls(self, z, out) -> list[Call]:
        return [(self.forward, (z, out))] if self.calls is None else self.calls.forward(z, out)

    def factor_calls(self, z, a, factor) -> list[Call]:
        return [] if self.calls is None else self.calls.factor(z, a, factor)

    def apply_calls(self, z, a, grad, factor) -> list[Call]:
        if self.calls is None:  # backward as a whole, the factor buffer as its scratch
            return [(self.backward, (z, a, grad, factor))]
        return self.calls.apply(z, a, grad, factor)


# --- sigmoid: σ(z) = ½(1 + tanh(z/2)) never overflows, unlike 1/(1+e^(-z)). ---
def _sigmoid(z, out):
    np.multiply(z, 0.5, out=out)
    np.tanh(out, out=out)
    out *= 0.5
    out += 0.5
    return out


def _sigmoid_backward(z, a, grad, scratch):
    grad *= a  # σ' = σ(1 − σ)
    np.subtract(1.0, a, out=scratch)
    grad *= scratch


def _sigmoid_calls(z, out):
    half = np.full(z.shape, 0.5)
    return [(np.multiply, (z, half, out)), (np.tanh, (out, out)),
            (np.multiply, (out, half, out)), (np.add, (out, half, out))]


_SIGMOID_CALLS = Calls(
    _sigmoid_calls,
    lambda z, a, f: [(np.subtract, (np.ones(a.shape), a, f))],  # f = 1 − σ
    lambda z, a, grad, f: [(np.multiply, (grad, a, grad)), (np.multiply, (grad, f, grad))],
)


# --- tanh ---
def _tanh(z, out):
    return np.tanh(z, out=out)


def _tanh_backward(z, a, grad, scratch):
    np.multiply(a, a, out=scratch)  # tanh' = 1 − tanh²
    np.subtract(1.0, scratch, out=scratch)
    grad *= scratch


_TANH_CALLS = Calls(
    lambda z, out: [(np.tanh, (z, out))],
    lambda z, a, f: [(np.multiply, (a, a, f)), (np.subtract, (np.ones(a.shape), f, f))],
    lambda z, a, grad, f: [(np.multiply, (grad, f, grad))],
)


# --- relu ---
def _relu(z, out):
    return np.maximum(z, 0.0, out=out)


def _relu_backward(z, a, grad, scratch):
    np.greater(z, 0.0, out=scratch)  # relu' = 1 where z > 0 (0 at the kink)
    grad *= scratch


_RELU_CALLS = Calls(
    lambda z, out: [(_relu, (z, out))],  # np.maximum takes ``out`` by keyword only
    lambda z, a, f: [(np.greater, (z, np.zeros(z.shape), f))],
    lambda z, a, grad, f: [(np.multiply, (grad, f, grad))],
)


# --- leaky relu ---
def _leaky_relu(z, out):
    np.multiply(z, LEAKY_SLOPE, out=out)
    return np.maximum(z, out, out=out)


def _leaky_relu_backward(z, a, grad, scratch):
    np.greater(z, 0.0, out=scratch)  # 1 where z > 0, else the slope
    scratch *= 1.0 - LEAKY_SLOPE
    scratch += LEAKY_SLOPE
    grad *= scratch


_LEAKY_RELU_CALLS = Calls(
    lambda z, out: [(_leaky_relu, (z, out))],
    lambda z, a, f: [(np.greater, (z, np.zeros(z.shape), f)),
                     (np.multiply, (f, np.full(z.shape, 1.0 - LEAKY_SLOPE), f)),
                     (np.add, (f, np.full(z.shape, LEAKY_SLOPE), f))],
    lambda z, a, grad, f: [(np.multiply, (grad, f, grad))],
)


# --- linear ---
def _linear(z, out):
    if out is not z:
        np.copyto(out, z)
    return out


def _linear_backward(z, a, grad, scratch):
    return None  # derivative 1


_LINEAR_CALLS = Calls(
    lambda z, out: [] if out is z else [(np.copyto, (out, z))],
    lambda z, a, f: [],
    lambda z, a, grad, f: [],
)


# --- softmax (output layer only): shift by the row max so exp never overflows ---
def _softmax(z, out):
    np.subtract(z, z.max(axis=1, keepdims=True), out=out)
    np.exp(out, out=out)
    out /= out.sum(axis=1, keepdims=True)
    return out


def _softmax_backward(z, a, grad, scratch):
    # Jacobian-vector product: ∂L/∂z = a ⊙ (g − Σ g⊙a)
    np.multiply(grad, a, out=scratch)
    grad -= scratch.sum(axis=1, keepdims=True)
    grad *= a


ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation("sigmoid", _sigmoid, _sigmoid_backward, calls=_SIGMOID_CALLS),
    "tanh": Activation("tanh", _tanh, _tanh_backward, calls=_TANH_CALLS),
    "relu": Activation("relu", _relu, _relu_backward, calls=_RELU_CALLS),
    "leaky_relu": Activation("leaky_relu", _leaky_relu, _leaky_relu_backward,
                             calls=_LEAKY_RELU_CALLS),
    "linear": Activation("linear", _linear, _linear_backward, calls=_LINEAR_CALLS),
    "softmax": Activation("softmax", _softmax, _softmax_backward, hidden_allowed=False),
}

HIDDEN_ACTIVATIONS = tuple(name for name, a in ACTIVATIONS.items() if a.hidden_allowed)
OUTPUT_ACTIVATIONS = tuple(ACTIVATIONS)


def get(name: str, *, hidden: bool = False) -> Activation:
    """Look an activation up by name, with an error that lists the valid ones."""
    allowed = HIDDEN_ACTIVATIONS if hidden else OUTPUT_ACTIVATIONS
    if not isinstance(name, str) or name not in allowed:
        where = "hidden layer" if hidden else "output layer"
        raise ValueError(
            f"unknown {where} activation {name!r}; choose one of: {', '.join(allowed)}"
        )
    return ACTIVATIONS[name]


def apply(name: str, z) -> np.ndarray:
    """Evaluate an activation on a fresh array (for plots and single neurons)."""
    z = np.asarray(z, dtype=float)
    if name == "softmax" and z.ndim == 1:
        return _softmax(z[None, :], np.empty((1, z.size)))[0]
    return ACTIVATIONS[get(name).name].forward(z, np.empty_like(z))


def derivative(name: str, z) -> np.ndarray:
    """f'(z) elementwise (not for softmax, whose derivative is a Jacobian)."""
    if name == "softmax":
        raise ValueError("softmax has a Jacobian, not an elementwise derivative")
    z = np.asarray(z, dtype=float)
    a = apply(name, z)
    grad = np.ones_like(z)
    ACTIVATIONS[name].backward(z, a, grad, np.empty_like(z))
    return grad
