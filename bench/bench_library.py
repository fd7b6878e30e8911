#!/usr/bin/env python
"""Speed of one mikir training step against its peers, measured side by side.

    python bench/bench_library.py            # full run (about two minutes)
    python bench/bench_library.py --quick    # smoke run (a few seconds)

The playground's typical work: the spiral, 500 points
(``mikir.datasets.spiral(n=500, noise=0.1, seed=0)``), a 2-8-8-8-1 net (tanh
hidden, sigmoid output, binary cross-entropy), mini-batch SGD (learning rate
0.03, no momentum, no penalty), one epoch at a time. Also full batch (500) and
a 2-8-8-8-8-8-8-1 net.

Rows, all from the same initial weights:

* mikir ``net.fit(X, Y, epochs=1, batch_size=b, optimizer=SGD(0.03), shuffle=True)``;
* mikir ``net.train_step`` in a Python loop (the public per-step API);
* the numpy floor: a hand-written numpy loop doing the same math (checked below
  to give mikir's weights to 1e-10);
* scikit-learn's ``MLPClassifier.fit`` with ``max_iter=E`` epochs, per step
  (fit time / (E × steps per epoch), nothing subtracted);
* PyTorch on the CPU (if importable): ``nn.Sequential`` of Linear/Tanh,
  ``BCEWithLogitsLoss``, ``torch.optim.SGD``, a ``randperm`` per epoch; float64
  and float32 on one thread, and float64 with torch's default thread count.

Each number is the median over many repeats of time-of-a-sample / steps in it,
after warm-up. The implementations take turns (round-robin, the starting one
rotating every round) so that machine noise hits all alike. numpy's BLAS is
limited to one thread for everyone (the matrices are tiny).

The spec's targets (the issue): a mikir step ≥ 3× faster than scikit-learn,
≥ 5× faster than PyTorch, ≤ 1.25× the numpy floor; evaluating the net and
every hidden neuron on a 100×100 grid (``net.forward(grid)``, what the
playground draws each frame) cheaper than one training epoch (batch 10).
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import os
import platform
import statistics
import sys
import time
import warnings

# numpy's BLAS must be limited before numpy loads if threadpoolctl is missing.
HAVE_THREADPOOLCTL = importlib.util.find_spec("threadpoolctl") is not None
BLAS_ENV = ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS",
            "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")
if not HAVE_THREADPOOLCTL:
    for _var in BLAS_ENV:
        os.environ[_var] = "1"

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import numpy as np  # noqa: E402

import mikir  # noqa: E402
from mikir import SGD, NeuralNetwork  # noqa: E402

try:
    import sklearn
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
except ImportError:  # pragma: no cover - the dev requirements have it
    sklearn = None

try:
    import torch
    from torch import nn

    TORCH_DEFAULT_THREADS = torch.get_num_threads()
    TORCH_ERROR = ""
except Exception as error:  # noqa: BLE001 - any import failure just skips the rows
    torch = None
    TORCH_DEFAULT_THREADS = 0
    TORCH_ERROR = f"{type(error).__name__}: {error}"

BLAS_LIMITER = None
if HAVE_THREADPOOLCTL:
    from threadpoolctl import threadpool_info, threadpool_limits

    # Only the BLAS pools (numpy's OpenBLAS); torch's own threads are set per row.
    BLAS_LIMITER = threadpool_limits(limits=1, user_api="blas")

LEARNING_RATE = 0.03
SPEC_SKLEARN = 3.0
SPEC_TORCH = 5.0
SPEC_FLOOR = 1.25


# ---------------------------------------------------------------- the work
def make_data():
    X, y = mikir.datasets.spiral(n=500, noise=0.1, seed=0)
    return np.ascontiguousarray(X, dtype=np.float64), y.astype(np.float64).reshape(-1, 1)


def make_net(sizes, seed=0) -> NeuralNetwork:
    return NeuralNetwork(*sizes, activation="tanh", output_activation="sigmoid",
                         loss="binary_crossentropy", init="xavier", seed=seed)


def make_grid(points=100):
    lo, hi = mikir.datasets.DOMAIN
    axis = np.linspace(lo, hi, points)
    gx, gy = np.meshgrid(axis, axis)
    return np.column_stack([gx.ravel(), gy.ravel()])


class NumpyFloor:
    """The same math in plain numpy, written the way a careful person would.

    Per epoch: shuffle the index order (in place, like mikir, so a shared seed
    gives the same batches), slice batches, forward tanh layers and a sigmoid
    output, the binary cross-entropy from the logits, backward, SGD update.
    """

    def __init__(self, weights, biases, learning_rate, n, seed=None):
        self.W = [np.array(w, dtype=np.float64) for w in weights]
        self.b = [np.array(b, dtype=np.float64) for b in biases]
        self.lr = learning_rate
        self.rng = np.random.default_rng(seed)
        self.order = np.arange(n)

    def epoch(self, X, Y, batch_size, shuffle=True):
        W, b, lr = self.W, self.b, self.lr
        last = len(W) - 1
        n = X.shape[0]
        order = self.order
        if shuffle:
            self.rng.shuffle(order)
        total = 0.0
        for start in range(0, n, batch_size):
            if shuffle:
                rows = order[start:start + batch_size]
                xb, yb = X[rows], Y[rows]
            else:
                xb, yb = X[start:start + batch_size], Y[start:start + batch_size]
            m = xb.shape[0]
            # forward
            acts = [xb]
            a = xb
            for i in range(last):
                a = np.tanh(a @ W[i] + b[i])
                acts.append(a)
            z = a @ W[last] + b[last]
            p = 1.0 / (1.0 + np.exp(-z))
            # BCE from the logits: softplus(z) - y z, stable for any z
            loss = float((np.logaddexp(0.0, z) - yb * z).sum()) / m
            if not np.isfinite(loss):
                raise FloatingPointError("diverged")
            total += loss * m
            # backward + update (a layer's delta is taken before its weights move)
            delta = (p - yb) / m
            for i in range(last, -1, -1):
                grad_w = acts[i].T @ delta
                grad_b = delta.sum(axis=0)
                if i:
                    delta = (delta @ W[i].T) * (1.0 - acts[i] * acts[i])
                W[i] -= lr * grad_w
                b[i] -= lr * grad_b
        return total / n


def torch_model(weights, biases, dtype):
    layers = []
    last = len(weights) - 1
    for i, (w, b) in enumerate(zip(weights, biases)):
        linear = nn.Linear(w.shape[0], w.shape[1], dtype=dtype)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(np.ascontiguousarray(w.T)))
            linear.bias.copy_(torch.from_numpy(b.copy()))
        layers.append(linear)
        if i < last:
            layers.append(nn.Tanh())
    return nn.Sequential(*layers)


class TorchLoop:
    """The ordinary PyTorch training loop (zero_grad, loss, backward, step, item)."""

    def __init__(self, weights, biases, X, Y, batch_size, dtype, threads, seed=0):
        self.model = torch_model(weights, biases, dtype)
        self.loss_fn = nn.BCEWithLogitsLoss()
        self.opt = torch.optim.SGD(self.model.parameters(), lr=LEARNING_RATE)
        self.X = torch.from_numpy(X).to(dtype)
        self.Y = torch.from_numpy(Y).to(dtype)
        self.batch_size = batch_size
        self.threads = threads
        self.gen = torch.Generator().manual_seed(seed)

    def prepare(self):
        torch.set_num_threads(self.threads)

    def epoch(self, shuffle=True):
        X, Y, b = self.X, self.Y, self.batch_size
        n = X.shape[0]
        model, loss_fn, opt = self.model, self.loss_fn, self.opt
        perm = torch.randperm(n, generator=self.gen) if shuffle else None
        total = 0.0
        for start in range(0, n, b):
            if shuffle:
                rows = perm[start:start + b]
                xb, yb = X[rows], Y[rows]
            else:
                xb, yb = X[start:start + b], Y[start:start + b]
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            total += loss.item() * xb.shape[0]
        return total / n

    def parameters(self):
        linears = [m for m in self.model if isinstance(m, nn.Linear)]
        return ([m.weight.detach().numpy().T.copy() for m in linears],
                [m.bias.detach().numpy().copy() for m in linears])


# ------------------------------------------------------------- correctness
def check_same_math(X, Y, quiet=False):
    """The floor (and torch float64) must land on mikir's weights exactly."""
    lines = []
    cases = [((2, 8, 8, 8, 1), 10, False), ((2, 8, 8, 8, 1), 500, False),
             ((2, 8, 8, 8, 8, 8, 8, 1), 10, False), ((2, 8, 8, 8, 1), 10, True)]
    epochs = 3
    for sizes, batch, shuffle in cases:
        net = make_net(sizes, seed=1)
        w0 = [w.copy() for w in net.weights]
        b0 = [b.copy() for b in net.biases]
        floor = NumpyFloor(w0, b0, LEARNING_RATE, X.shape[0], seed=7)
        history = net.fit(X, Y, epochs=epochs, batch_size=batch, optimizer=SGD(LEARNING_RATE),
                          shuffle=shuffle, seed=7)
        floor_losses = [floor.epoch(X, Y, batch, shuffle=shuffle) for _ in range(epochs)]
        steps = epochs * -(-X.shape[0] // batch)
        worst = max(float(np.max(np.abs(a - c))) for a, c in
                    zip(list(net.weights) + list(net.biases), floor.W + floor.b))
        np.testing.assert_allclose(np.concatenate([w.ravel() for w in floor.W + floor.b]),
                                   net.get_parameters(), rtol=0, atol=1e-10,
                                   err_msg=f"floor and mikir differ for {sizes} batch {batch}")
        np.testing.assert_allclose(floor_losses, history.loss, rtol=1e-10, atol=1e-12)
        what = f"{'-'.join(map(str, sizes))} batch {batch}, {steps} steps, shuffle " + \
            ("on (same seed)" if shuffle else "off")
        line = f"floor vs mikir: {what}: max |Δparam| = {worst:.1e}  OK"
        if torch is not None and not shuffle:
            loop = TorchLoop(w0, b0, X, Y, batch, torch.float64, 1)
            loop.prepare()
            for _ in range(epochs):
                loop.epoch(shuffle=False)
            tw, tb = loop.parameters()
            t_worst = max(float(np.max(np.abs(a - c))) for a, c in
                          zip(list(net.weights) + list(net.biases), tw + tb))
            assert t_worst < 1e-10, f"torch float64 differs from mikir by {t_worst}"
            line += f"; torch f64 vs mikir: {t_worst:.1e}  OK"
        lines.append(line)
    return lines


# ------------------------------------------------------------------ timing
class Row:
    """One timed implementation: ``sample()`` runs some steps, returns (seconds, steps)."""

    def __init__(self, label, sample, prepare=None, kind="peer", note=""):
        self.label = label
        self.sample = sample
        self.prepare = prepare
        self.kind = kind  # mikir | train_step | floor | sklearn | torch | grid
        self.note = note
        self.per_step: list[float] = []
        self.per_sample: list[float] = []

    @property
    def median_step(self) -> float:
        return statistics.median(self.per_step)

    @property
    def median_sample(self) -> float:
        return statistics.median(self.per_sample)


def timed(fn):
    def run():
        start = time.perf_counter()
        steps = fn()
        return time.perf_counter() - start, steps
    return run


def run_round_robin(rows, rounds, warmup, budget, min_rounds):
    """Every round runs each row once, starting one further along each time.

    Stops after ``rounds`` timed rounds, or earlier once ``budget`` seconds
    have passed and at least ``min_rounds`` are in. Returns the rounds timed.
    """
    started = time.perf_counter()
    timed_rounds = 0
    for r in range(warmup + rounds):
        shift = r % len(rows)
        for row in rows[shift:] + rows[:shift]:
            if row.prepare is not None:
                row.prepare()
            seconds, steps = row.sample()
            if r >= warmup:
                row.per_sample.append(seconds)
                row.per_step.append(seconds / steps)
        if r >= warmup:
            timed_rounds += 1
            if timed_rounds >= min_rounds and time.perf_counter() - started > budget:
                break
    return timed_rounds


def scenario_rows(sizes, batch, X, Y, args, grid=None):
    n = X.shape[0]
    steps = -(-n // batch)
    # epochs per timed sample: about 50 steps for the cheap rows
    epochs_per_sample = max(1, 50 // steps)
    net0 = make_net(sizes, seed=0)
    w0 = [w.copy() for w in net0.weights]
    b0 = [b.copy() for b in net0.biases]
    rows = []

    net = net0.copy()
    opt = SGD(LEARNING_RATE)

    def mikir_fit():
        for _ in range(epochs_per_sample):
            net.fit(X, Y, epochs=1, batch_size=batch, optimizer=opt, shuffle=True)
        return epochs_per_sample * steps

    rows.append(Row("mikir fit", timed(mikir_fit), kind="mikir",
                    note=f"fit(epochs=1) ×{epochs_per_sample}"))

    net_ts = net0.copy()
    opt_ts = SGD(LEARNING_RATE)
    rng_ts = np.random.default_rng(0)
    order_ts = np.arange(n)

    def mikir_train_step():
        for _ in range(epochs_per_sample):
            rng_ts.shuffle(order_ts)
            for start in range(0, n, batch):
                rows_ = order_ts[start:start + batch]
                net_ts.train_step(X[rows_], Y[rows_], opt_ts)
        return epochs_per_sample * steps

    rows.append(Row("mikir train_step loop", timed(mikir_train_step), kind="train_step"))

    floor = NumpyFloor(w0, b0, LEARNING_RATE, n, seed=0)

    def numpy_floor():
        for _ in range(epochs_per_sample):
            floor.epoch(X, Y, batch)
        return epochs_per_sample * steps

    rows.append(Row("numpy floor (hand-written)", timed(numpy_floor), kind="floor"))

    if sklearn is not None:
        sk_epochs = max(1, (args.sklearn_steps + steps - 1) // steps)
        y_labels = Y.ravel().astype(np.int64)
        hidden = tuple(sizes[1:-1])

        def sklearn_fit():
            clf = MLPClassifier(hidden_layer_sizes=hidden, activation="tanh", solver="sgd",
                                momentum=0.0, nesterovs_momentum=False,
                                learning_rate="constant", learning_rate_init=LEARNING_RATE,
                                batch_size=batch, max_iter=sk_epochs, shuffle=True, tol=0.0,
                                n_iter_no_change=10**9, alpha=0.0, random_state=0)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                clf.fit(X, y_labels)
            return sk_epochs * steps

        rows.append(Row("scikit-learn MLPClassifier", timed(sklearn_fit), kind="sklearn",
                        note=f"fit(max_iter={sk_epochs}) / {sk_epochs * steps} steps"))

    if torch is not None:
        configs = [(torch.float64, 1), (torch.float32, 1)]
        if TORCH_DEFAULT_THREADS != 1:
            configs.append((torch.float64, TORCH_DEFAULT_THREADS))
        for dtype, threads in configs:
            loop = TorchLoop(w0, b0, X, Y, batch, dtype, threads)

            def torch_epochs(loop=loop):
                for _ in range(epochs_per_sample):
                    loop.epoch()
                return epochs_per_sample * steps

            name = "f64" if dtype == torch.float64 else "f32"
            label = f"torch {name}, {threads} thread{'s' if threads > 1 else ''}"
            if threads == TORCH_DEFAULT_THREADS:
                label += " (default)"
            rows.append(Row(label, timed(torch_epochs), prepare=loop.prepare, kind="torch"))

    if grid is not None:
        grid_net = net0.copy()
        for dtype, name in ((np.float64, "float64"), (np.float32, "float32")):
            def grid_forward(dtype=dtype):
                grid_net.forward(grid, dtype=dtype)
                return 1

            rows.append(Row(f"net.forward(100×100 grid) {name}", timed(grid_forward),
                            kind="grid"))
    return rows, steps


# ------------------------------------------------------------------ output
def header_lines(args):
    lines = ["mikir benchmark: one training step, side by side (bench/bench_library.py)"]
    lines.append(f"reproduce: python bench/bench_library.py{' --quick' if args.quick else ''}"
                 "   (--quick: smoke run)")
    lines.append(f"python {platform.python_version()} ({platform.python_implementation()}), "
                 f"{platform.platform()}")
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    lines.append(f"cpus: {os.cpu_count()} (usable {usable}); machine {platform.machine()}")
    lines.append(f"numpy {np.__version__}; mikir {mikir.__version__}; "
                 f"scikit-learn {sklearn.__version__ if sklearn else 'not installed'}; "
                 + (f"torch {torch.__version__} (default threads {TORCH_DEFAULT_THREADS})"
                    if torch is not None else "torch: not importable"))
    if HAVE_THREADPOOLCTL:
        pools = [f"{p.get('internal_api')} {p.get('version') or ''} "
                 f"[{p.get('architecture', '-')}] threads={p.get('num_threads')}"
                 for p in threadpool_info() if p.get("user_api") == "blas"]
        lines.append("BLAS limited to 1 thread with threadpoolctl (tiny matrices): "
                     + ("; ".join(pools) or "no BLAS pool found"))
    else:
        lines.append("BLAS limited to 1 thread via " + ", ".join(f"{v}=1" for v in BLAS_ENV)
                     + " set before importing numpy (threadpoolctl not installed)")
    blas_env = {k: v for k, v in os.environ.items() if k.startswith("OPENBLAS_")}
    blas_env.setdefault("OPENBLAS_CORETYPE", "(unset)")
    lines.append("environment, left as found: "
                 + ", ".join(f"{k}={v}" for k, v in sorted(blas_env.items())))
    lines.append(f"repeats: up to {args.rounds} timed rounds per scenario (fewer if it takes "
                 f"over {args.budget:g} s) after {args.warmup} warm-up; each round runs every "
                 "row once, round-robin; numbers are medians")
    return lines


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def format_table(headers, body, right=(2, 3)):
    widths = [max(len(str(r[i])) for r in [headers] + body) for i in range(len(headers))]
    out = []
    for k, r in enumerate([headers] + body):
        cells = []
        for i, cell in enumerate(r):
            cell = str(cell)
            cells.append(cell.rjust(widths[i]) if i in right else cell.ljust(widths[i]))
        out.append("  ".join(cells).rstrip())
        if k == 0:
            out.append("  ".join("-" * w for w in widths))
    return out


def spread(values) -> str:
    """Interquartile range as a percentage of the median."""
    if len(values) < 4:
        return "-"
    q1, _, q3 = statistics.quantiles(values, n=4)
    return f"{100 * (q3 - q1) / statistics.median(values):.0f}%"


def scenario_table_rows(title, rows, failures):
    body = []
    mikir_step = next(r for r in rows if r.kind == "mikir").median_step
    floor_step = next(r for r in rows if r.kind == "floor").median_step
    first = True
    for row in rows:
        if row.kind == "grid":
            continue
        t = row.median_step
        ratio = t / mikir_step
        target, result = "", ""
        if row.kind == "mikir":
            target = f"mikir/floor ≤ {SPEC_FLOOR:g}"
            result = verdict(mikir_step / floor_step <= SPEC_FLOOR)
        elif row.kind == "sklearn":
            target = f"≥ {SPEC_SKLEARN:g}× slower than mikir"
            result = verdict(ratio >= SPEC_SKLEARN)
        elif row.kind == "torch":
            target = f"≥ {SPEC_TORCH:g}× slower than mikir"
            result = verdict(ratio >= SPEC_TORCH)
        elif row.kind == "train_step":
            target = "(info: public per-step API)"
        elif row.kind == "floor":
            target = "(the floor)"
        if result == "FAIL":
            failures.append(f"{title}: {row.label}: {target}")
        body.append([title if first else "", row.label, f"{t * 1e6:.1f}", spread(row.per_step),
                     f"{ratio:.2f}", f"{t / floor_step:.2f}", target, result])
        first = False
    return body


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fast smoke run (few repeats)")
    parser.add_argument("--rounds", type=int, default=None,
                        help="timed rounds per scenario at most (default 100, quick 5)")
    parser.add_argument("--budget", type=float, default=None,
                        help="seconds per scenario after which timing stops early "
                             "(default 50, quick 5)")
    args = parser.parse_args(argv)
    args.rounds = args.rounds or (5 if args.quick else 100)
    args.budget = args.budget or (5.0 if args.quick else 50.0)
    args.min_rounds = min(args.rounds, 3 if args.quick else 20)
    args.warmup = 1 if args.quick else 5
    args.sklearn_steps = 50 if args.quick else 250  # steps per timed sklearn fit

    for line in header_lines(args):
        print(line)
    if torch is None:
        print(f"note: torch rows skipped (torch is not importable: {TORCH_ERROR})")
    print(flush=True)

    X, Y = make_data()
    grid = make_grid()
    for line in check_same_math(X, Y):
        print("check " + line)
    print(flush=True)

    scenarios = [
        ("a) 2-8-8-8-1, batch 10", (2, 8, 8, 8, 1), 10, True),
        ("b) 2-8-8-8-1, batch 500", (2, 8, 8, 8, 1), 500, False),
        ("c) 2-8-8-8-8-8-8-1, b 10", (2, 8, 8, 8, 8, 8, 8, 1), 10, True),
    ]
    body, grid_body, failures, notes = [], [], [], []
    started = time.perf_counter()
    for title, sizes, batch, with_grid in scenarios:
        rows, steps = scenario_rows(sizes, batch, X, Y, args, grid if with_grid else None)
        gc.collect()
        done = run_round_robin(rows, args.rounds, args.warmup, args.budget, args.min_rounds)
        notes.append(f"{title}: {done} timed rounds of {len(rows)} rows, {steps} steps/epoch")
        body += scenario_table_rows(title, rows, failures)
        body.append([""] * len(body[-1]))
        for row in rows:
            if row.note:
                notes.append(f"{title}: {row.label}: {row.note}")
        if with_grid:
            mikir_row = next(r for r in rows if r.kind == "mikir")
            epoch = mikir_row.median_step * steps  # one epoch of batch-10 fit
            for row in rows:
                if row.kind != "grid":
                    continue
                t = row.median_sample
                ok = t < epoch
                if not ok:
                    failures.append(f"{title}: {row.label} costs more than one epoch")
                grid_body.append([title, row.label, f"{t * 1e6:.0f}", spread(row.per_sample),
                                  f"{epoch * 1e6:.0f}", f"{t / epoch:.2f}", verdict(ok)])
    elapsed = time.perf_counter() - started

    print("Per optimizer step: median µs, spread = interquartile range / median,")
    print("×mikir = this row's time / mikir fit's (> 1: mikir is faster), "
          "×floor = this row's time / the numpy floor's")
    for line in format_table(["scenario", "implementation", "µs/step", "spread", "×mikir",
                              "×floor", "target", "result"], body[:-1], right=(2, 3, 4, 5)):
        print(line)
    print()
    print("Grid: net.forward(grid) = every layer's activations (each hidden neuron's map) "
          "on 100×100 points of [-6, 6]², vs one mikir fit epoch (batch 10)")
    for line in format_table(["scenario", "evaluation", "µs/frame", "spread", "µs/epoch",
                              "frame/epoch", "result"], grid_body, right=(2, 3, 4, 5)):
        print(line)
    print()
    for note in notes:
        print("note: " + note)
    print(f"timed in {elapsed:.0f} s; targets: "
          + ("all PASS" if not failures else f"{len(failures)} FAIL:"))
    for failure in failures:
        print("  FAIL " + failure)
    return 0


if __name__ == "__main__":
    sys.exit(main())
