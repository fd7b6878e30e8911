"""Toy 2-D data sets for the playground, matching TensorFlow Playground.

The four classification sets (circle, xor, gauss, spiral) and the two
regression sets (plane, multi_gauss) reproduce the geometry of TensorFlow
Playground's ``src/dataset.ts`` exactly, including what ``noise`` means for
each of them. ``moons`` and ``blobs`` (multi-class) are additions.

Every generator takes ``(n, noise, seed)``, draws everything from one
``numpy.random.default_rng(seed)`` (so a seed reproduces the data), shuffles
the points once as TFP does, and returns ``(X, y)``: ``X`` float64 of shape
(n, 2); ``y`` int64 labels (TFP's +1 -> 1, -1 -> 0) for classification or
float64 targets for regression. ``noise`` is TFP's slider divided by 100, so
it lies in [0, 0.5].
"""

from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np

__all__ = [
    "CLASSIFICATION",
    "DATASETS",
    "DOMAIN",
    "FEATURES",
    "FEATURE_LABELS",
    "MAX_CLASSES",
    "MAX_N",
    "MAX_NOISE",
    "MIN_CLASSES",
    "REGRESSION",
    "blob_centers",
    "blobs",
    "circle",
    "features",
    "gauss",
    "make",
    "moons",
    "multi_gauss",
    "plane",
    "spiral",
    "split",
    "xor",
]

DOMAIN = (-6.0, 6.0)
"""The square [-6, 6]^2 the playground draws and evaluates on (as TFP)."""

MAX_N = 100_000
MAX_NOISE = 0.5
MIN_CLASSES, MAX_CLASSES = 2, 6


# --------------------------------------------------------------------------
# validation helpers


def _check_n(n) -> int:
    """Reject non-integers (incl. bool) and sizes the app could not handle."""
    if isinstance(n, bool) or not isinstance(n, Integral) or not 1 <= n <= MAX_N:
        raise ValueError(f"n must be an integer in [1, {MAX_N}], got {n!r}")
    return int(n)


def _check_noise(noise) -> float:
    """TFP's generators are only defined for noise in [0, 0.5]."""
    if (
        isinstance(noise, bool)
        or not isinstance(noise, Real)
        or not math.isfinite(noise)
        or not 0.0 <= noise <= MAX_NOISE
    ):
        raise ValueError(
            f"noise must be a finite number in [0, {MAX_NOISE}], got {noise!r}"
        )
    return float(noise)


def _setup(n, noise, seed):
    return _check_n(n), _check_noise(noise), np.random.default_rng(seed)


def _finish(rng, X, y, y_dtype):
    """Shuffle once with the generator's own rng, as TFP does before splitting."""
    order = rng.permutation(len(X))
    X = np.ascontiguousarray(np.asarray(X, dtype=np.float64)[order])
    y = np.ascontiguousarray(np.asarray(y, dtype=y_dtype)[order])
    return X, y


def _halves(n: int) -> tuple[int, int]:
    """Split n into (positive, negative) counts that add up to n exactly.

    TFP loops ``i < n/2`` for each class, which yields n+1 points for odd n;
    here the positive class takes the extra point instead.
    """
    return n - n // 2, n // 2


# --------------------------------------------------------------------------
# classification (TFP)


def circle(n: int = 500, noise: float = 0.0, seed=None):
    """TFP "circle": a disc of positives inside a ring of negatives.

    Half the points have radius U[0, 2.5), half U[3.5, 5); angle U[0, 2pi);
    x = r sin(angle), y = r cos(angle). Noise never moves a point: a
    perturbation U(-5, 5)*noise per coordinate is added only to decide the
    label, positive when |(x+nx, y+ny)| < 2.5, so noise flips labels near the
    boundary.
    """
    n, noise, rng = _setup(n, noise, seed)
    n_in, n_out = _halves(n)
    r = np.concatenate([rng.uniform(0.0, 2.5, n_in), rng.uniform(3.5, 5.0, n_out)])
    angle = rng.uniform(0.0, 2.0 * np.pi, n)
    x, y = r * np.sin(angle), r * np.cos(angle)
    nx = rng.uniform(-5.0, 5.0, n) * noise
    ny = rng.uniform(-5.0, 5.0, n) * noise
    label = np.hypot(x + nx, y + ny) < 2.5
    return _finish(rng, np.column_stack([x, y]), label, np.int64)


def xor(n: int = 500, noise: float = 0.0, seed=None):
    """TFP "xor": positive in the 1st and 3rd quadrants.

    x, y ~ U(-5, 5), each pushed 0.3 away from zero (so |x|, |y| in
    [0.3, 5.3]) to leave a gap at the axes. Noise U(-5, 5)*noise only enters
    the label: positive when (x+nx)(y+ny) >= 0.
    """
    n, noise, rng = _setup(n, noise, seed)
    pts = rng.uniform(-5.0, 5.0, (n, 2))
    pts += np.where(pts > 0, 0.3, -0.3)  # TFP pads 0 itself to -0.3
    nxy = rng.uniform(-5.0, 5.0, (n, 2)) * noise
    p = pts + nxy
    label = p[:, 0] * p[:, 1] >= 0
    return _finish(rng, pts, label, np.int64)


def gauss(n: int = 500, noise: float = 0.0, seed=None):
    """TFP "gauss": two Gaussian clouds, positives at (2, 2), negatives at (-2, -2).

    Each coordinate has variance 0.5 + 7*noise (std 0.71 .. 2), so here noise
    does move the points and makes the clouds overlap.
    """
    n, noise, rng = _setup(n, noise, seed)
    n_pos, n_neg = _halves(n)
    std = math.sqrt(0.5 + 7.0 * noise)
    pos = rng.normal(2.0, std, (n_pos, 2))
    neg = rng.normal(-2.0, std, (n_neg, 2))
    label = np.concatenate([np.ones(n_pos), np.zeros(n_neg)])
    return _finish(rng, np.vstack([pos, neg]), label, np.int64)


def spiral(n: int = 500, noise: float = 0.0, seed=None):
    """TFP "spiral": two interleaved arms of 1.75 turns each.

    For arm point i: r = 5*i/(n/2), t = 1.75*2pi*i/(n/2) + delta (0 for
    positives, pi for negatives), x = r sin t + U(-1, 1)*noise,
    y = r cos t + U(-1, 1)*noise. The points themselves are deterministic
    for noise 0 (the seed then only changes the order). For odd n the
    positive arm gets the extra point; the denominator stays n/2 as in TFP.
    """
    n, noise, rng = _setup(n, noise, seed)
    half = n / 2.0
    arms = []
    for count, delta in zip(_halves(n), (0.0, np.pi), strict=True):
        i = np.arange(count, dtype=np.float64)
        r = i / half * 5.0
        t = 1.75 * i / half * 2.0 * np.pi + delta
        arms.append(np.column_stack([r * np.sin(t), r * np.cos(t)]))
    pts = np.vstack(arms)
    pts += rng.uniform(-1.0, 1.0, (n, 2)) * noise
    n_pos, n_neg = _halves(n)
    label = np.concatenate([np.ones(n_pos), np.zeros(n_neg)])
    return _finish(rng, pts, label, np.int64)


# --------------------------------------------------------------------------
# classification (additions)

MOONS_SCALE = 3.0
MOONS_CENTER = (0.5, 0.25)


def moons(n: int = 500, noise: float = 0.0, seed=None):
    """Two interleaving half circles (like sklearn's ``make_moons``), scaled.

    Unit moons as in sklearn: label 0 on (cos t, sin t), label 1 on
    (1 - cos t, 0.5 - sin t), t ~ U[0, pi] (random angles rather than
    sklearn's evenly spaced ones, so the seed matters at noise 0). They are
    centred on (0.5, 0.25) and scaled by 3, so the data spans about
    [-4.5, 4.5] x [-2.25, 2.25] inside the [-6, 6]^2 domain:
    X = 3 * (unit - (0.5, 0.25)). Noise is Gaussian with std 3*noise in
    playground units, i.e. the same as sklearn's ``noise=noise`` before
    scaling. Label 0 gets the extra point for odd n.
    """
    n, noise, rng = _setup(n, noise, seed)
    n_out, n_in = _halves(n)
    t_out = rng.uniform(0.0, np.pi, n_out)
    t_in = rng.uniform(0.0, np.pi, n_in)
    outer = np.column_stack([np.cos(t_out), np.sin(t_out)])
    inner = np.column_stack([1.0 - np.cos(t_in), 0.5 - np.sin(t_in)])
    unit = np.vstack([outer, inner])
    pts = MOONS_SCALE * (unit - np.asarray(MOONS_CENTER))
    pts += rng.normal(0.0, MOONS_SCALE * noise, (n, 2))
    label = np.concatenate([np.zeros(n_out), np.ones(n_in)])
    return _finish(rng, pts, label, np.int64)


BLOBS_RADIUS = 3.5


def blob_centers(classes: int = 3) -> np.ndarray:
    """Centres of ``blobs``: evenly on a circle of radius 3.5, class 0 on top."""
    k = _check_classes(classes)
    a = np.pi / 2.0 + 2.0 * np.pi * np.arange(k) / k
    return BLOBS_RADIUS * np.column_stack([np.cos(a), np.sin(a)])


def _check_classes(classes) -> int:
    if (
        isinstance(classes, bool)
        or not isinstance(classes, Integral)
        or not MIN_CLASSES <= classes <= MAX_CLASSES
    ):
        raise ValueError(
            f"classes must be an integer in [{MIN_CLASSES}, {MAX_CLASSES}], "
            f"got {classes!r}"
        )
    return int(classes)


def blobs(n: int = 500, noise: float = 0.0, seed=None, classes: int = 3):
    """``classes`` (2..6) isotropic Gaussian blobs, labels 0..classes-1.

    Centres are evenly spaced on a circle of radius 3.5 (see
    ``blob_centers``); each coordinate has std 0.5 + 2*noise (0.5 .. 1.5), so
    noise makes neighbouring blobs overlap. Class sizes differ by at most one.
    This is the multi-class problem TFP lacks (its issue #68).
    """
    k = _check_classes(classes)
    n, noise, rng = _setup(n, noise, seed)
    centers = blob_centers(k)
    label = np.arange(n) % k  # balanced: sizes differ by at most one
    std = 0.5 + 2.0 * noise
    pts = centers[label] + rng.normal(0.0, std, (n, 2))
    return _finish(rng, pts, label, np.int64)


# --------------------------------------------------------------------------
# regression (TFP)


def plane(n: int = 1200, noise: float = 0.0, seed=None):
    """TFP "plane": target (x + nx + y + ny) / 10 for x, y ~ U(-6, 6).

    (nx, ny) ~ U(-6, 6)*noise perturb only the target, never the point, so
    the target stays within [-1.2 - 1.2*noise, 1.2 + 1.2*noise].
    """
    n, noise, rng = _setup(n, noise, seed)
    pts = rng.uniform(-6.0, 6.0, (n, 2))
    nxy = rng.uniform(-6.0, 6.0, (n, 2)) * noise
    target = (pts + nxy).sum(axis=1) / 10.0
    return _finish(rng, pts, target, np.float64)


MULTI_GAUSS_CENTERS = np.array(
    [
        [-4.0, 2.5, 1.0],
        [0.0, 2.5, -1.0],
        [4.0, 2.5, 1.0],
        [-4.0, -2.5, -1.0],
        [0.0, -2.5, 1.0],
        [4.0, -2.5, -1.0],
    ]
)
"""TFP's multi_gauss bumps as rows (cx, cy, sign)."""


def _multi_gauss_value(p: np.ndarray) -> np.ndarray:
    """TFP's getLabel: among the six bumps, the value with the largest |.|.

    Bump value = sign * clamp(1 - d/2, 0, 1). TFP keeps the first maximum
    (strict ``>``) and 0 if every bump is 0; argmax picks the first maximum
    too, and bump 0 is positive so an all-zero row yields +0.
    """
    d = np.hypot(
        p[:, 0:1] - MULTI_GAUSS_CENTERS[:, 0], p[:, 1:2] - MULTI_GAUSS_CENTERS[:, 1]
    )
    vals = MULTI_GAUSS_CENTERS[:, 2] * np.clip(1.0 - d / 2.0, 0.0, 1.0)
    best = np.argmax(np.abs(vals), axis=1)
    return vals[np.arange(len(p)), best]


def multi_gauss(n: int = 1200, noise: float = 0.0, seed=None):
    """TFP "multi_gauss": six signed cone-shaped bumps on a 3 x 2 grid.

    x, y ~ U(-6, 6); the target is evaluated at the point perturbed by
    U(-6, 6)*noise per coordinate (the stored point has no noise).
    """
    n, noise, rng = _setup(n, noise, seed)
    pts = rng.uniform(-6.0, 6.0, (n, 2))
    nxy = rng.uniform(-6.0, 6.0, (n, 2)) * noise
    target = _multi_gauss_value(pts + nxy)
    return _finish(rng, pts, target, np.float64)


# --------------------------------------------------------------------------
# registry

DATASETS = {
    "circle": circle,
    "xor": xor,
    "gauss": gauss,
    "spiral": spiral,
    "moons": moons,
    "blobs": blobs,
    "plane": plane,
    "multi_gauss": multi_gauss,
}
CLASSIFICATION = ("circle", "xor", "gauss", "spiral", "moons", "blobs")
REGRESSION = ("plane", "multi_gauss")


def make(name: str, n: int | None = None, noise: float = 0.0, seed=None, **kwargs):
    """Generate data set ``name``; ``n=None`` uses its default (500 or 1200).

    Extra keyword arguments go to the generator (e.g. ``classes`` for blobs).
    """
    try:
        fn = DATASETS[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown data set {name!r}; valid names: {', '.join(DATASETS)}"
        ) from None
    if n is None:
        return fn(noise=noise, seed=seed, **kwargs)
    return fn(n=n, noise=noise, seed=seed, **kwargs)


# --------------------------------------------------------------------------
# input features

FEATURES = ("x1", "x2", "x1_squared", "x2_squared", "x1_times_x2", "sin_x1", "sin_x2")
FEATURE_LABELS = {
    "x1": "X₁",
    "x2": "X₂",
    "x1_squared": "X₁²",
    "x2_squared": "X₂²",
    "x1_times_x2": "X₁X₂",
    "sin_x1": "sin(X₁)",
    "sin_x2": "sin(X₂)",
}
"""Display label for each name in ``FEATURES`` (same order)."""

_FEATURE_FUNCS = {
    "x1": lambda a, b: a,
    "x2": lambda a, b: b,
    "x1_squared": lambda a, b: a * a,
    "x2_squared": lambda a, b: b * b,
    "x1_times_x2": lambda a, b: a * b,
    "sin_x1": lambda a, b: np.sin(a),
    "sin_x2": lambda a, b: np.sin(b),
}


def features(X, names) -> np.ndarray:
    """TFP's hand-made inputs: columns of ``X`` (n, 2) transformed, in ``names`` order.

    Lets a network without hidden layers solve e.g. circle via X1^2 and X2^2.
    A single name may be given as a plain string.
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have shape (n, 2), got {X.shape}")
    if isinstance(names, str):
        names = (names,)
    names = tuple(names)
    if not names:
        raise ValueError(
            f"names must not be empty; valid features: {', '.join(FEATURES)}"
        )
    unknown = [nm for nm in names if nm not in _FEATURE_FUNCS]
    if unknown:
        raise ValueError(
            f"unknown feature(s) {', '.join(map(repr, unknown))}; "
            f"valid features: {', '.join(FEATURES)}"
        )
    a, b = X[:, 0], X[:, 1]
    out = np.empty((X.shape[0], len(names)), dtype=np.float64)
    for j, nm in enumerate(names):
        out[:, j] = _FEATURE_FUNCS[nm](a, b)
    return out


# --------------------------------------------------------------------------
# train/test split


def split(X, y, train_fraction: float = 0.5):
    """Split already-shuffled data: the first share trains, the rest tests.

    The training size is round(train_fraction * n), kept within [1, n-1] so
    neither side is empty (TFP's slider spans 10..90 %).
    Returns ``(X_train, y_train, X_test, y_test)``.
    """
    if (
        isinstance(train_fraction, bool)
        or not isinstance(train_fraction, Real)
        or not math.isfinite(train_fraction)
        or not 0.0 < train_fraction < 1.0
    ):
        raise ValueError(
            "train_fraction must be a number in (0, 1) exclusive, "
            f"got {train_fraction!r}"
        )
    X = np.asarray(X)
    y = np.asarray(y)
    if len(X) != len(y):
        raise ValueError(
            f"X and y must have the same length, got {len(X)} and {len(y)}"
        )
    n = len(X)
    if n < 2:
        raise ValueError(f"need at least 2 points to split, got n={n}")
    k = min(max(round(float(train_fraction) * n), 1), n - 1)
    return X[:k], y[:k], X[k:], y[k:]
