"""Losses, each with its gradient at the output beside it.

A loss is the mean over samples of a per-sample loss. Cross-entropies are
computed from the output layer's pre-activations (logits), so they never take
log(0) and stay finite for logits up to ±1e4 and beyond.

``output_delta`` writes ∂(per-sample loss)/∂z for the output layer. For the
matched pairs (sigmoid + binary cross-entropy, softmax + categorical
cross-entropy, linear + squared error) that is simply output − target, as in
scikit-learn; squared error with any other output activation goes back through
that activation's derivative.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .activations import ACTIVATIONS

Value = Callable[[np.ndarray, np.ndarray, np.ndarray], float]


@dataclass(frozen=True)
class Loss:
    name: str
    value: Value  # (z, a, targets) -> mean loss over samples
    output_activations: tuple[str, ...]  # output activations it can pair with


def _mse(z, a, y):
    diff = a - y
    return 0.5 * float(np.einsum("ij,ij->", diff, diff)) / a.shape[0]


def _binary_crossentropy(z, a, y):
    # −[y log σ(z) + (1−y) log(1−σ(z))] = log(1 + e^z) − y·z; logaddexp never overflows
    return float((np.logaddexp(0.0, z) - y * z).sum()) / z.shape[0]


def _categorical_crossentropy(z, a, y):
    # −Σ y log softmax(z) = Σ y · (logsumexp(z) − z)
    top = z.max(axis=1, keepdims=True)
    log_sum = top + np.log(np.exp(z - top).sum(axis=1, keepdims=True))
    return float((y * (log_sum - z)).sum()) / z.shape[0]


LOSSES: dict[str, Loss] = {
    "mse": Loss("mse", _mse, tuple(ACTIVATIONS)),
    "binary_crossentropy": Loss("binary_crossentropy", _binary_crossentropy, ("sigmoid",)),
    "categorical_crossentropy": Loss(
        "categorical_crossentropy", _categorical_crossentropy, ("softmax",)
    ),
}


def get(name: str) -> Loss:
    if not isinstance(name, str) or name not in LOSSES:
        raise ValueError(f"unknown loss {name!r}; choose one of: {', '.join(LOSSES)}")
    return LOSSES[name]


def check_pair(loss: str, output_activation: str) -> None:
    """Cross-entropies are defined on logits of one output activation only."""
    allowed = get(loss).output_activations
    if output_activation not in allowed:
        raise ValueError(
            f"loss {loss!r} needs output_activation {' or '.join(map(repr, allowed))}, "
            f"got {output_activation!r}"
        )


def is_matched(loss: str, output_activation: str) -> bool:
    """True when ∂loss/∂z at the output is exactly output − target."""
    return (loss, output_activation) in {
        ("mse", "linear"),
        ("binary_crossentropy", "sigmoid"),
        ("categorical_crossentropy", "softmax"),
    }


def output_delta(loss: str, output_activation: str, z, a, y, out, scratch) -> np.ndarray:
    """∂(per-sample loss)/∂z at the output layer, written into ``out``."""
    np.subtract(a, y, out=out)
    if not is_matched(loss, output_activation):  # only mse reaches here
        ACTIVATIONS[output_activation].backward(z, a, out, scratch)
    return out
