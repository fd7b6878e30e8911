"""Finite-difference gradient check: proof that backprop computes the right thing.

Used by the tests and by the playground's backprop inspector, which shows the
numerical gradient beside the analytic one for every weight.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class GradientCheck:
    """Analytic and numerical gradients side by side."""

    analytic_weights: list[np.ndarray]
    analytic_biases: list[np.ndarray]
    numeric_weights: list[np.ndarray]
    numeric_biases: list[np.ndarray]
    relative_error: float  # ‖analytic − numeric‖ / (‖analytic‖ + ‖numeric‖)

    @property
    def passed(self) -> bool:
        return self.relative_error < 1e-6


def numerical_gradients(net, X, Y, epsilon: float = 1e-6):
    """Central differences (L(w+ε) − L(w−ε)) / 2ε for every weight and bias."""
    params = net._params  # the flat vector the weight and bias views share
    saved = params.copy()
    numeric = np.empty_like(params)
    try:
        for k in range(params.size):
            params[k] = saved[k] + epsilon
            plus = net.loss(X, Y)
            params[k] = saved[k] - epsilon
            minus = net.loss(X, Y)
            params[k] = saved[k]
            numeric[k] = (plus - minus) / (2 * epsilon)
    finally:
        params[...] = saved
    return net.split_parameters(numeric)


def relative_error(analytic, numeric, floor: float = 1e-12) -> np.ndarray:
    """Elementwise |a − n| / max(|a| + |n|, floor)."""
    analytic, numeric = np.asarray(analytic), np.asarray(numeric)
    return np.abs(analytic - numeric) / np.maximum(np.abs(analytic) + np.abs(numeric), floor)


def check_gradients(net, X, Y, epsilon: float = 1e-6) -> GradientCheck:
    """Compare ``net.gradients`` with finite differences on the batch (X, Y)."""
    _, weight_grads, bias_grads = net.gradients(X, Y)
    numeric_weights, numeric_biases = numerical_gradients(net, X, Y, epsilon)
    analytic = np.concatenate([g.ravel() for g in weight_grads + bias_grads])
    numeric = np.concatenate([g.ravel() for g in numeric_weights + numeric_biases])
    scale = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    error = float(np.linalg.norm(analytic - numeric) / scale) if scale > 0 else 0.0
    return GradientCheck(weight_grads, bias_grads, numeric_weights, numeric_biases, error)
