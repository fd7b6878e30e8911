"""Neuron: one neuron, exactly as the seed library taught it."""

from __future__ import annotations

import numpy as np

from . import activations as _activations


class Neuron:
    """Weights and bias drawn uniformly from [0, 1); ``activate`` = f(w·x + b)."""

    def __init__(self, input_count: int, activation: str = "sigmoid", seed: int | None = None):
        if isinstance(input_count, bool) or not isinstance(input_count, (int, np.integer)) \
                or input_count < 1:
            raise ValueError(f"input_count must be an integer >= 1, got {input_count!r}")
        self.activation = _activations.get(activation, hidden=True).name
        rng = np.random.default_rng(seed)
        self.weights = rng.random(int(input_count))
        self.bias = float(rng.random())

    def weighted_sum(self, inputs) -> float:
        x = np.asarray(inputs, dtype=np.float64)
        if x.shape != self.weights.shape:
            raise ValueError(f"inputs must have {self.weights.size} values, got shape {x.shape}")
        if not np.isfinite(x).all():
            raise ValueError("inputs contain NaN or inf")
        return float(x @ self.weights + self.bias)

    def activate(self, inputs) -> float:
        return float(_activations.apply(self.activation, self.weighted_sum(inputs)))

    def __repr__(self) -> str:
        return f"Neuron(weights={self.weights.tolist()}, bias={self.bias}, {self.activation!r})"
