"""Optimizers with exactly scikit-learn's update rules.

An optimizer updates a list of parameter arrays in place from a matching list
of gradients. Its state (velocities, moments, step count) is created on the
first step and kept while the shapes stay the same, so ``learning_rate`` can be
changed between steps without losing it.
"""

from __future__ import annotations

import math

import numpy as np


def check_learning_rate(value) -> float:
    if isinstance(value, (bool, str, bytes)):
        raise ValueError(f"learning_rate must be a positive number, got {value!r}")
    try:
        rate = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"learning_rate must be a positive number, got {value!r}") from None
    if not math.isfinite(rate) or rate <= 0:
        raise ValueError(f"learning_rate must be a positive finite number, got {value!r}")
    return rate


def _check_fraction(name: str, value, *, allow_zero: bool = True) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number in [0, 1), got {value!r}") from None
    low_ok = number >= 0 if allow_zero else number > 0
    if not (math.isfinite(number) and low_ok and number < 1):
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")
    return number


class Optimizer:
    """Base class: keeps state per parameter shape list; subclasses define ``_update``."""

    name = "optimizer"

    def __init__(self, learning_rate: float):
        self.learning_rate = learning_rate
        self._shapes: tuple | None = None

    @property
    def learning_rate(self) -> float:
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value) -> None:
        self._learning_rate = check_learning_rate(value)

    def reset(self) -> None:
        """Forget velocities and moments (as if no step had been taken)."""
        self._shapes = None

    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        """Update ``params`` in place. ``grads`` may be overwritten."""
        shapes = tuple(p.shape for p in params)
        if shapes != self._shapes:
            self._shapes = shapes
            self._init_state(params)
        self._update(params, grads)

    def _bind(self, params: list[np.ndarray], grads: list[np.ndarray]):
        """A no-argument callable doing ``self.step(params, grads)``, for fit's loop.

        It reads the learning rate at every call; fit binds again after each
        callback, in case the callback changed other settings.
        """
        step = self.step
        return lambda: step(params, grads)

    def _init_state(self, params):  # pragma: no cover - overridden
        pass

    def _update(self, params, grads):  # pragma: no cover - overridden
        raise NotImplementedError

    def config(self) -> dict:
        return {"name": self.name, "learning_rate": self.learning_rate}


class SGD(Optimizer):
    """v = μ·v − η·g; param += v (Nesterov: param += μ·v − η·g with the new v)."""

    name = "sgd"

    def __init__(self, learning_rate: float = 0.01, momentum: float = 0.0, nesterov: bool = False):
        super().__init__(learning_rate)
        self.momentum = _check_fraction("momentum", momentum)
        if nesterov and self.momentum == 0:
            raise ValueError("nesterov=True needs a momentum > 0")
        self.nesterov = bool(nesterov)

    def _init_state(self, params):
        self.velocities = [np.zeros_like(p) for p in params]
        self._scratch = [np.empty_like(p) for p in params]

    def _bind(self, params, grads):
        if self.momentum != 0.0 or type(self) is not SGD:  # a subclass may override step
            return super()._bind(params, grads)
        # plain SGD: ``step``'s state check and ``_update``'s two calls, nothing else;
        # the rate as an array like the gradient (numpy takes it faster than a float)
        shapes = tuple(p.shape for p in params)
        triples = tuple((p, g, np.empty_like(g)) for p, g in zip(params, grads))
        multiply, subtract = np.multiply, np.subtract
        filled = [None]  # the learning rate the rate arrays hold

        def step():
            if self._shapes != shapes:
                self._shapes = shapes
                self._init_state(params)
            rate = self._learning_rate
            if rate != filled[0]:
                for _, _, rates in triples:
                    rates.fill(rate)
                filled[0] = rate
            for param, grad, rates in triples:
                multiply(grad, rates, grad)  # grad *= rate; param -= grad
                subtract(param, grad, param)

        return step

    def _update(self, params, grads):
        rate, momentum = self.learning_rate, self.momentum
        if momentum == 0.0:
            for param, grad in zip(params, grads):
                grad *= rate  # the velocity is just −η·g: skip its buffer
                param -= grad
            return
        for param, grad, velocity, scratch in zip(params, grads, self.velocities, self._scratch):
            velocity *= momentum
            grad *= rate
            velocity -= grad
            if self.nesterov:
                # scikit-learn: update = μ·v_new − η·g
                np.multiply(velocity, momentum, out=scratch)
                scratch -= grad
                param += scratch
            else:
                param += velocity

    def config(self) -> dict:
        return {**super().config(), "momentum": self.momentum, "nesterov": self.nesterov}


class Adam(Optimizer):
    """scikit-learn's Adam: lr_t = η·√(1−β2ᵗ)/(1−β1ᵗ); param −= lr_t·m/(√v + ε)."""

    name = "adam"

    def __init__(self, learning_rate: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
                 epsilon: float = 1e-8):
        super().__init__(learning_rate)
        self.beta1 = _check_fraction("beta1", beta1)
        self.beta2 = _check_fraction("beta2", beta2)
        epsilon = float(epsilon)
        if not (math.isfinite(epsilon) and epsilon > 0):
            raise ValueError(f"epsilon must be a positive number, got {epsilon!r}")
        self.epsilon = epsilon

    def _init_state(self, params):
        self.t = 0
        self.first_moments = [np.zeros_like(p) for p in params]
        self.second_moments = [np.zeros_like(p) for p in params]
        self._scratch = [np.empty_like(p) for p in params]

    def _update(self, params, grads):
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        rate_t = self.learning_rate * math.sqrt(1 - b2**self.t) / (1 - b1**self.t)
        for param, grad, m, v, scratch in zip(
            params, grads, self.first_moments, self.second_moments, self._scratch
        ):
            # m = β1·m + (1−β1)·g ; v = β2·v + (1−β2)·g², in scikit-learn's order
            m *= b1
            np.multiply(grad, 1 - b1, out=scratch)
            m += scratch
            v *= b2
            np.multiply(grad, grad, out=scratch)
            scratch *= 1 - b2
            v += scratch
            np.sqrt(v, out=scratch)
            scratch += self.epsilon
            np.divide(m, scratch, out=scratch)
            scratch *= -rate_t
            param += scratch

    def config(self) -> dict:
        return {**super().config(), "beta1": self.beta1, "beta2": self.beta2,
                "epsilon": self.epsilon}


OPTIMIZERS = {"sgd": SGD, "adam": Adam}


def make(name: str, **options) -> Optimizer:
    """Build an optimizer by name ('sgd', 'adam'), checking the name."""
    if not isinstance(name, str) or name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; choose one of: {', '.join(OPTIMIZERS)}")
    return OPTIMIZERS[name](**options)
