"""Tests for mikir.datasets: TFP geometry, reproducibility, features, split."""

import math

import numpy as np
import pytest

from mikir import datasets as ds

ALL = ds.CLASSIFICATION + ds.REGRESSION


# --------------------------------------------------------------------------
# registry, shapes, reproducibility


def test_registry_is_consistent():
    assert set(ds.DATASETS) == set(ds.CLASSIFICATION) | set(ds.REGRESSION)
    assert not set(ds.CLASSIFICATION) & set(ds.REGRESSION)
    assert ds.CLASSIFICATION == ("circle", "xor", "gauss", "spiral", "moons", "blobs")
    assert ds.REGRESSION == ("plane", "multi_gauss")
    assert ds.DOMAIN == (-6.0, 6.0)


@pytest.mark.parametrize("name", ALL)
def test_default_sizes_shapes_and_dtypes(name):
    X, y = ds.make(name, seed=1)
    expected_n = 500 if name in ds.CLASSIFICATION else 1200
    assert X.shape == (expected_n, 2)
    assert y.shape == (expected_n,)
    assert X.dtype == np.float64
    assert np.all(np.isfinite(X))
    if name in ds.CLASSIFICATION:
        assert np.issubdtype(y.dtype, np.integer)
    else:
        assert y.dtype == np.float64


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("n", [1, 2, 7, 101])
def test_exact_counts_for_any_n(name, n):
    X, y = ds.make(name, n=n, noise=0.1, seed=3)
    assert X.shape == (n, 2)
    assert y.shape == (n,)


@pytest.mark.parametrize("name", ALL)
def test_same_seed_reproduces_other_seed_differs(name):
    X1, y1 = ds.make(name, n=300, noise=0.2, seed=42)
    X2, y2 = ds.make(name, n=300, noise=0.2, seed=42)
    X3, _ = ds.make(name, n=300, noise=0.2, seed=43)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)


@pytest.mark.parametrize("name", ALL)
def test_make_matches_direct_call_and_keywords(name):
    X1, y1 = ds.make(name, 50, 0.1, 5)
    X2, y2 = ds.DATASETS[name](n=50, noise=0.1, seed=5)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)


def test_data_is_shuffled():
    # Generation order is positives then negatives; the shuffle must mix them.
    _, y = ds.gauss(n=200, seed=0)
    assert not np.array_equal(y, np.sort(y)[::-1])
    assert 0 < y[:100].sum() < 100


@pytest.mark.parametrize("name", ["circle", "gauss", "spiral", "moons"])
def test_two_class_balance_for_odd_n(name):
    _, y = ds.make(name, n=101, noise=0.0, seed=0)
    assert set(np.unique(y)) == {0, 1}
    assert sorted(np.bincount(y)) == [50, 51]


# --------------------------------------------------------------------------
# circle


def test_circle_noise_free_labels_follow_radius():
    X, y = ds.circle(n=2000, noise=0.0, seed=0)
    r = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_array_equal(y == 1, r < 2.5)
    inner, outer = r[y == 1], r[y == 0]
    assert len(inner) == len(outer) == 1000
    assert inner.min() >= 0 and inner.max() <= 2.5
    assert outer.min() >= 3.5 and outer.max() <= 5.0
    # radii spread across the whole bands, not a thin shell
    assert inner.max() > 2.4 and outer.min() < 3.6 and outer.max() > 4.9


def test_circle_noise_flips_labels_but_not_points():
    X, y = ds.circle(n=2000, noise=0.3, seed=0)
    r = np.hypot(X[:, 0], X[:, 1])
    # stored points are noise free: every radius is in one of the two bands
    assert np.all((r <= 2.5) | ((r >= 3.5) & (r <= 5.0)))
    assert np.sum(r <= 2.5) == 1000
    disagree = (y == 1) != (r < 2.5)
    assert disagree.sum() > 20
    # a flip needs the perturbation (at most 5*0.3*sqrt(2)) to cross r = 2.5
    assert np.all(np.abs(r[disagree] - 2.5) <= 5 * 0.3 * math.sqrt(2) + 1e-12)


def test_circle_flip_rate_matches_reference_simulation():
    # Independent Monte Carlo of TFP's rule: both coordinates perturbed by
    # U(-5, 5)*noise; the label flips in about 10.4 % of points at noise 0.3.
    noise, m = 0.3, 400_000
    rng = np.random.default_rng(12345)
    r = np.concatenate([rng.uniform(0, 2.5, m // 2), rng.uniform(3.5, 5, m // 2)])
    a = rng.uniform(0, 2 * np.pi, m)
    px, py = r * np.sin(a), r * np.cos(a)
    nx, ny = rng.uniform(-5, 5, (2, m)) * noise
    expected = np.mean((np.hypot(px + nx, py + ny) < 2.5) != (r < 2.5))
    X, y = ds.circle(n=100_000, noise=noise, seed=1)
    got = np.mean((y == 1) != (np.hypot(X[:, 0], X[:, 1]) < 2.5))
    assert abs(got - expected) < 0.006


# --------------------------------------------------------------------------
# xor


def test_xor_noise_free_geometry_and_labels():
    X, y = ds.xor(n=2000, noise=0.0, seed=0)
    a = np.abs(X)
    assert a.min() >= 0.3 and a.max() <= 5.3
    np.testing.assert_array_equal(y == 1, X[:, 0] * X[:, 1] >= 0)
    assert 0.4 < y.mean() < 0.6


def test_xor_noise_only_flips_labels_near_axes():
    X, y = ds.xor(n=2000, noise=0.2, seed=0)
    assert np.abs(X).min() >= 0.3
    sign_label = X[:, 0] * X[:, 1] >= 0
    disagree = (y == 1) != sign_label
    assert disagree.sum() > 10
    # perturbation per coordinate is at most 5*noise = 1
    assert np.all(np.abs(X[disagree]).min(axis=1) <= 1.0 + 1e-12)


# --------------------------------------------------------------------------
# gauss


@pytest.mark.parametrize("noise", [0.0, 0.25, 0.5])
def test_gauss_means_and_variance(noise):
    X, y = ds.gauss(n=40_000, noise=noise, seed=0)
    var = 0.5 + 7 * noise
    for label, centre in ((1, 2.0), (0, -2.0)):
        pts = X[y == label]
        assert len(pts) == 20_000
        np.testing.assert_allclose(pts.mean(axis=0), [centre, centre], atol=0.06)
        np.testing.assert_allclose(pts.var(axis=0), [var, var], rtol=0.05)


# --------------------------------------------------------------------------
# spiral


def _spiral_ideal(n):
    """Independent re-implementation of TFP's noise-free spiral point sets."""
    half = n / 2
    pts = {1: [], 0: []}
    for label, delta, count in ((1, 0.0, n - n // 2), (0, math.pi, n // 2)):
        for i in range(count):
            r = i / half * 5
            t = 1.75 * i / half * 2 * math.pi + delta
            pts[label].append((r * math.sin(t), r * math.cos(t)))
    return {k: np.array(v) for k, v in pts.items()}


def _sorted_rows(a):
    return a[np.lexsort((a[:, 1], a[:, 0]))]


@pytest.mark.parametrize("n", [500, 101])
def test_spiral_noise_free_points_lie_on_arms(n):
    X, y = ds.spiral(n=n, noise=0.0, seed=0)
    ideal = _spiral_ideal(n)
    for label in (0, 1):
        np.testing.assert_allclose(
            _sorted_rows(X[y == label]), _sorted_rows(ideal[label]), atol=1e-12
        )
    # angle/radius relation: x = r sin t, y = r cos t with t = 1.75*2pi*r/5 + delta
    r = np.hypot(X[:, 0], X[:, 1])
    t = 1.75 * 2 * np.pi * r / 5 + np.where(y == 1, 0.0, np.pi)
    np.testing.assert_allclose(X[:, 0], r * np.sin(t), atol=1e-9)
    np.testing.assert_allclose(X[:, 1], r * np.cos(t), atol=1e-9)
    # radii are exactly 5*i/(n/2)
    i = r * (n / 2) / 5
    np.testing.assert_allclose(i, np.round(i), atol=1e-9)
    assert r.max() < 5


def test_spiral_noise_jitters_within_bounds():
    n, noise = 400, 0.3
    X, y = ds.spiral(n=n, noise=noise, seed=0)
    X0, y0 = ds.spiral(n=n, noise=0.0, seed=0)  # same rng → same order
    np.testing.assert_array_equal(y, y0)
    delta = X - X0
    assert np.abs(delta).max() <= noise + 1e-12
    assert np.abs(delta).max() > 0.9 * noise
    assert np.abs(delta.mean()) < 0.05


# --------------------------------------------------------------------------
# moons


def test_moons_noise_free_on_scaled_half_circles():
    X, y = ds.moons(n=1000, noise=0.0, seed=0)
    unit = X / ds.MOONS_SCALE + np.array(ds.MOONS_CENTER)
    outer, inner = unit[y == 0], unit[y == 1]
    assert len(outer) == len(inner) == 500
    np.testing.assert_allclose(np.hypot(outer[:, 0], outer[:, 1]), 1.0, atol=1e-12)
    assert outer[:, 1].min() >= -1e-12
    np.testing.assert_allclose(
        np.hypot(inner[:, 0] - 1.0, inner[:, 1] - 0.5), 1.0, atol=1e-12
    )
    assert inner[:, 1].max() <= 0.5 + 1e-12
    lo, hi = ds.DOMAIN
    assert X.min() >= lo + 1 and X.max() <= hi - 1
    # centred in the domain
    np.testing.assert_allclose(X.mean(axis=0), [0.0, 0.0], atol=0.3)


def test_moons_noise_is_gaussian_in_scaled_units():
    noise = 0.2
    X, y = ds.moons(n=20_000, noise=noise, seed=1)
    unit = X / ds.MOONS_SCALE + np.array(ds.MOONS_CENTER)
    # radial residual from the outer arc, for points well away from the inner moon
    outer = unit[(y == 0) & (unit[:, 1] > 0.7)]
    resid = np.hypot(outer[:, 0], outer[:, 1]) - 1.0
    assert 0.8 * noise < resid.std() < 1.2 * noise


# --------------------------------------------------------------------------
# blobs


@pytest.mark.parametrize("k", [2, 3, 4, 5, 6])
def test_blobs_classes_balanced_and_centred(k):
    X, y = ds.blobs(n=6000, noise=0.0, seed=0, classes=k)
    counts = np.bincount(y)
    assert len(counts) == k and counts.min() > 0
    assert counts.max() - counts.min() <= 1
    centres = ds.blob_centers(k)
    np.testing.assert_allclose(np.hypot(centres[:, 0], centres[:, 1]), 3.5)
    for c in range(k):
        pts = X[y == c]
        np.testing.assert_allclose(pts.mean(axis=0), centres[c], atol=0.05)
        np.testing.assert_allclose(pts.std(axis=0), [0.5, 0.5], rtol=0.08)
    # evenly spaced: all neighbouring centres equally far apart
    d = np.hypot(*(centres - np.roll(centres, 1, axis=0)).T)
    np.testing.assert_allclose(d, d[0])


def test_blobs_noise_widens():
    X, y = ds.blobs(n=6000, noise=0.5, seed=0, classes=3)
    c = ds.blob_centers(3)
    spread = (X - c[y]).std(axis=0)
    np.testing.assert_allclose(spread, [1.5, 1.5], rtol=0.06)


def test_blobs_odd_n_balanced():
    _, y = ds.blobs(n=10, seed=0, classes=4)
    assert sorted(np.bincount(y, minlength=4)) == [2, 2, 3, 3]


@pytest.mark.parametrize("k", [0, 1, 7, 2.5, "3", True, None])
def test_blobs_bad_classes(k):
    with pytest.raises(ValueError, match=r"classes.*\[2, 6\]"):
        ds.blobs(n=10, classes=k)


def test_make_passes_kwargs_to_blobs():
    _, y = ds.make("blobs", 60, 0.0, 0, classes=5)
    assert set(np.unique(y)) == set(range(5))


# --------------------------------------------------------------------------
# regression


def test_plane_noise_free_target():
    X, y = ds.plane(n=1200, noise=0.0, seed=0)
    np.testing.assert_allclose(y, (X[:, 0] + X[:, 1]) / 10, rtol=0, atol=1e-15)
    assert X.min() >= -6 and X.max() <= 6
    assert X.min() < -5.9 and X.max() > 5.9


def test_plane_noise_moves_target_only_within_bound():
    noise = 0.4
    X, y = ds.plane(n=2000, noise=noise, seed=0)
    dev = y - (X[:, 0] + X[:, 1]) / 10
    bound = 2 * 6 * noise / 10
    assert np.abs(dev).max() <= bound + 1e-12
    assert np.abs(dev).max() > 0.7 * bound
    assert X.min() >= -6 and X.max() <= 6


def _multi_gauss_reference(x, y):
    """Loop-by-loop copy of TFP's regressGaussian getLabel."""
    gaussians = [
        (-4, 2.5, 1),
        (0, 2.5, -1),
        (4, 2.5, 1),
        (-4, -2.5, -1),
        (0, -2.5, 1),
        (4, -2.5, -1),
    ]
    label = 0.0
    for cx, cy, sign in gaussians:
        d = math.sqrt((x - cx) ** 2 + (y - cy) ** 2)
        new = sign * min(max(1 - d / 2, 0.0), 1.0)
        if abs(new) > abs(label):
            label = new
    return label


def test_multi_gauss_noise_free_matches_reference():
    X, y = ds.multi_gauss(n=1200, noise=0.0, seed=0)
    expected = np.array([_multi_gauss_reference(a, b) for a, b in X])
    np.testing.assert_allclose(y, expected, rtol=0, atol=1e-12)
    assert y.min() < -0.8 and y.max() > 0.8
    assert np.mean(y == 0) > 0.2  # flat zero between the bumps


def test_multi_gauss_at_centres_exactly():
    pts = ds.MULTI_GAUSS_CENTERS[:, :2]
    vals = ds._multi_gauss_value(pts)
    np.testing.assert_array_equal(vals, ds.MULTI_GAUSS_CENTERS[:, 2])


def test_multi_gauss_noise_changes_targets():
    X, y = ds.multi_gauss(n=1200, noise=0.3, seed=0)
    expected = np.array([_multi_gauss_reference(a, b) for a, b in X])
    assert np.mean(np.abs(y - expected) > 1e-9) > 0.2
    assert np.abs(y).max() <= 1.0


# --------------------------------------------------------------------------
# features


def test_features_formulas_and_order():
    X = np.array([[0.5, -2.0], [3.0, 1.5], [-1.0, 0.0]])
    F = ds.features(X, ds.FEATURES)
    assert F.shape == (3, 7) and F.dtype == np.float64
    x1, x2 = X[:, 0], X[:, 1]
    expected = np.column_stack([x1, x2, x1**2, x2**2, x1 * x2, np.sin(x1), np.sin(x2)])
    np.testing.assert_allclose(F, expected)
    G = ds.features(X, ["sin_x2", "x1"])
    np.testing.assert_allclose(G, np.column_stack([np.sin(x2), x1]))


def test_features_labels():
    assert tuple(ds.FEATURE_LABELS) == ds.FEATURES
    assert list(ds.FEATURE_LABELS.values()) == [
        "X₁",
        "X₂",
        "X₁²",
        "X₂²",
        "X₁X₂",
        "sin(X₁)",
        "sin(X₂)",
    ]


def test_features_int_input_becomes_float():
    F = ds.features(np.array([[1, 2]]), ["x1_times_x2"])
    assert F.dtype == np.float64 and F[0, 0] == 2.0


def test_features_errors():
    X = np.zeros((4, 2))
    with pytest.raises(ValueError, match=r"x3.*valid features: x1, x2"):
        ds.features(X, ["x1", "x3"])
    with pytest.raises(ValueError, match="empty"):
        ds.features(X, [])
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        ds.features(np.zeros((4, 3)), ["x1"])


# --------------------------------------------------------------------------
# split


def test_split_takes_first_share():
    X, y = ds.circle(n=10, seed=0)
    Xtr, ytr, Xte, yte = ds.split(X, y, 0.3)
    assert len(Xtr) == len(ytr) == 3 and len(Xte) == len(yte) == 7
    np.testing.assert_array_equal(np.vstack([Xtr, Xte]), X)
    np.testing.assert_array_equal(np.concatenate([ytr, yte]), y)


def test_split_default_half_and_never_empty():
    X, y = ds.plane(n=1200, seed=0)
    Xtr, _, Xte, _ = ds.split(X, y)
    assert len(Xtr) == len(Xte) == 600
    X2, y2 = ds.xor(n=5, seed=0)
    for frac in (0.01, 0.99):
        Xtr, ytr, Xte, yte = ds.split(X2, y2, frac)
        assert len(Xtr) == len(ytr) >= 1 and len(Xte) == len(yte) >= 1
        assert len(Xtr) + len(Xte) == 5


@pytest.mark.parametrize("frac", [0.0, 1.0, -0.1, 1.5, float("nan"), "0.5", True])
def test_split_bad_fraction(frac):
    X, y = ds.xor(n=10, seed=0)
    with pytest.raises(ValueError, match="train_fraction"):
        ds.split(X, y, frac)


def test_split_too_few_or_mismatched():
    with pytest.raises(ValueError, match="at least 2"):
        ds.split(np.zeros((1, 2)), np.zeros(1))
    with pytest.raises(ValueError, match="same length"):
        ds.split(np.zeros((4, 2)), np.zeros(3))


# --------------------------------------------------------------------------
# input validation


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("n", [0, -5, 2.5, "10", True, None, 100_001])
def test_bad_n(name, n):
    with pytest.raises(ValueError, match=r"n must be an integer in \[1, 100000\]"):
        ds.DATASETS[name](n=n)


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("noise", [-0.01, 0.51, float("nan"), float("inf"), "0.1"])
def test_bad_noise(name, noise):
    with pytest.raises(
        ValueError, match=r"noise must be a finite number in \[0, 0\.5\]"
    ):
        ds.DATASETS[name](n=10, noise=noise)


def test_numpy_scalars_accepted():
    X, _ = ds.circle(n=np.int64(20), noise=np.float64(0.1), seed=0)
    assert X.shape == (20, 2)


def test_make_unknown_name_lists_valid():
    with pytest.raises(
        ValueError, match=r"unknown data set 'moon'.*circle.*multi_gauss"
    ):
        ds.make("moon")
    with pytest.raises(ValueError, match="valid names"):
        ds.make(None)
