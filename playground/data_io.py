"""The learner's own data and models: CSV in and out, clicked points, uploaded networks.

Everything here reads untrusted input. Files are size-checked before they are
decoded, parsed with the csv module and a strict number pattern (never eval,
never pickle), and every problem raises one ``DataError`` whose message names
the line and column and states the limit. Functions return new arrays and never
touch the caller's, so a rejected file leaves the current data as it was.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

import mikir
from mikir import datasets, serialize

from . import config as cfg
from .numbers import NumberError, parse_number
from .session import Data, History

PROBLEMS = ("classification", "regression")
MAX_ROWS = 2000
MAX_BYTES = 1_000_000
MAX_MODEL_BYTES = 1_000_000
MAX_ABS_VALUE = 1e6  # coordinates and regression targets
MAX_CELL_CHARS = 100
MAX_CLASSES = datasets.MAX_CLASSES  # labels 0 … 5
LOW, HIGH = datasets.DOMAIN  # the square the playground draws: [−6, 6]²
DELIMITERS = (",", ";", "\t")

_HEADER_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_ .()\-]{0,39}")


MAX_MESSAGE = 300  # a message names the problem, never quotes the data at length


class DataError(ValueError):
    """A file or an edit the playground cannot use; the message says why, briefly."""

    def __init__(self, message: str):
        if len(message) > MAX_MESSAGE:
            message = message[:MAX_MESSAGE - 1] + "…"
        super().__init__(message)


def _check_problem(problem) -> str:
    if problem not in PROBLEMS:
        raise DataError(f"problem must be one of: {', '.join(PROBLEMS)}; got {problem!r}")
    return problem


def _target_name(problem: str) -> str:
    return "label" if problem == "classification" else "target"


def _size(limit: int) -> str:
    return f"{limit / 1_000_000:g} MB" if limit >= 1_000_000 else f"{limit / 1000:g} kB"


# --------------------------------------------------------------------- CSV
class ParsedData(NamedTuple):
    X: np.ndarray  # (n, 2) float64
    y: np.ndarray  # (n,) int64 labels 0 … k−1, or float64 targets
    class_count: int  # k for classification (max label + 1), 0 for regression
    warnings: list[str]  # things worth saying that are not errors


def _decode(content, max_bytes: int) -> str:
    if isinstance(content, (bytes, bytearray, memoryview)):
        raw = bytes(content)
        if len(raw) > max_bytes:
            raise DataError(f"the file is {len(raw):,} bytes; the limit is {_size(max_bytes)}")
        if b"\x00" in raw:
            raise DataError("the file looks binary (it contains NUL bytes); upload a CSV text "
                            "file")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise DataError("the file is not UTF-8 text; save it as CSV (UTF-8)") from None
    elif isinstance(content, str):
        if len(content) > max_bytes or len(content.encode("utf-8", "replace")) > max_bytes:
            raise DataError(f"the text is larger than the limit of {_size(max_bytes)}")
        text = content.removeprefix("\ufeff")
        if "\x00" in text:
            raise DataError("the text contains NUL characters; upload a CSV text file")
    else:
        raise DataError("expected CSV text or bytes")
    if not text.strip():
        raise DataError("the file is empty")
    return text


def _delimiter(text: str) -> str:
    """The delimiter of the first real line: the one that splits it into 3, else the most."""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            counts = {d: line.count(d) for d in DELIMITERS}
            for d in DELIMITERS:
                if counts[d] == 2:
                    return d
            best = max(DELIMITERS, key=lambda d: counts[d])
            return best if counts[best] else ","
    return ","


def _show(cell: str) -> str:
    return repr(cell if len(cell) <= 20 else cell[:20] + "…")


def _number(cell: str, line: int, column: int, name: str, delimiter: str) -> float:
    text = cell.strip()
    where = f"line {line}, column {column} ({name})"
    if not text:
        raise DataError(f"{where} is empty; every row needs x1, x2 and a {name}")
    if len(text) > MAX_CELL_CHARS:
        raise DataError(f"{where} is {len(text)} characters long, too long to be a number")
    try:
        return parse_number(text)  # ASCII digits, - or −; never ١, １ or 1_000
    except NumberError as error:
        hint = ""
        if delimiter != "," and re.fullmatch(r"[+\-−]?[0-9]+,[0-9]+", text):
            hint = " (use a point, not a comma, as the decimal separator)"
        raise DataError(f"{where}: {_show(text)} {error}{hint}") from None


def _is_number(cell: str) -> bool:
    try:
        parse_number(cell)
    except NumberError:
        return False
    return True


def _is_header(row: list[str]) -> bool:
    cells = [c.strip() for c in row]
    return all(_HEADER_NAME.fullmatch(c) for c in cells) and not any(map(_is_number, cells))


def parse_csv(content, problem: str, max_rows: int = MAX_ROWS,
              max_bytes: int = MAX_BYTES) -> ParsedData:
    """Read points from CSV: ``x1,x2,label`` (classification) or ``x1,x2,target``.

    A header row is optional; commas, semicolons or tabs separate the columns;
    blank lines and lines starting with ``#`` are skipped. Labels are integers
    0 … 5 (or −1/+1, mapped to 0/1 as in TensorFlow Playground). Raises
    ``DataError`` with one message naming the problem.
    """
    problem = _check_problem(problem)
    text = _decode(content, max_bytes)
    delimiter = _delimiter(text)
    names = ("x1", "x2", _target_name(problem))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    values: list[tuple[float, float, float]] = []
    lines: list[int] = []
    first = True
    try:
        for row in reader:
            line = reader.line_num
            if not row or all(not c.strip() for c in row) or row[0].lstrip().startswith("#"):
                continue
            if first:
                first = False
                if _is_header(row):
                    if len(row) != 3:
                        raise DataError(f"line {line}: the header has {len(row)} columns; "
                                        f"expected 3 ({', '.join(names)})")
                    continue
            if len(row) != 3:
                raise DataError(f"line {line} has {len(row)} column{'s' * (len(row) != 1)}; "
                                f"expected 3 ({', '.join(names)}) separated by "
                                f"{_delimiter_name(delimiter)}")
            if len(values) >= max_rows:
                raise DataError(f"the file has more than {max_rows} rows of points; the "
                                f"limit is {max_rows}")
            values.append(tuple(_number(c, line, i + 1, names[i], delimiter)
                                for i, c in enumerate(row)))
            lines.append(line)
    except csv.Error as error:
        raise DataError(f"line {reader.line_num}: the file is not valid CSV ({error})") from None

    if len(values) < 2:
        raise DataError(f"the file has {len(values)} point{'s' * (len(values) != 1)}; "
                        "at least 2 are needed")
    array = np.array(values, dtype=np.float64)
    X, target = array[:, :2].copy(), array[:, 2].copy()
    _check_range(X, target, lines, problem)
    warnings = []
    outside = int(np.sum(np.any((X < LOW) | (X > HIGH), axis=1)))
    if outside:
        warnings.append(f"{outside} of {len(X)} points lie outside the drawn square "
                        f"[{LOW:g}, {HIGH:g}]²; they are used for training but not shown")
    if problem == "regression":
        return ParsedData(X, target, 0, warnings)
    y, classes = _labels(target, lines)
    missing = sorted(set(range(classes)) - set(y.tolist()))
    if missing:
        warnings.append(f"no point has label {', '.join(map(str, missing))}; the network "
                        f"still gets {classes} outputs (labels 0 … {classes - 1})")
    return ParsedData(X, y, classes, warnings)


def _delimiter_name(delimiter: str) -> str:
    return {",": "commas", ";": "semicolons", "\t": "tabs"}[delimiter]


def _check_range(X, target, lines, problem):
    for column, values in enumerate((X[:, 0], X[:, 1])):
        bad = np.flatnonzero(np.abs(values) > MAX_ABS_VALUE)
        if bad.size:
            raise DataError(f"line {lines[bad[0]]}, column {column + 1} (x{column + 1}): "
                            f"{values[bad[0]]:g} is outside the allowed range "
                            f"±{MAX_ABS_VALUE:g}")
    if problem == "regression":
        bad = np.flatnonzero(np.abs(target) > MAX_ABS_VALUE)
        if bad.size:
            raise DataError(f"line {lines[bad[0]]}, column 3 (target): {target[bad[0]]:g} is "
                            f"outside the allowed range ±{MAX_ABS_VALUE:g}")


def _labels(values: np.ndarray, lines) -> tuple[np.ndarray, int]:
    bad = np.flatnonzero(values != np.round(values))
    if bad.size:
        raise DataError(f"line {lines[bad[0]]}, column 3 (label): {values[bad[0]]:g} is not a "
                        f"whole number; labels are classes 0 … {MAX_CLASSES - 1} (or −1/+1)")
    present = set(np.unique(values).tolist())
    if len(present) < 2:
        label = str(int(next(iter(present)))).replace("-", "−")
        raise DataError(f"every point has label {label}; a classification needs at least 2 "
                        "classes")
    if -1 in present:
        if not present <= {-1.0, 1.0}:
            raise DataError("labels mix −1 with other values than +1; use 0 … "
                            f"{MAX_CLASSES - 1}, or only −1 and +1")
        values = (values > 0).astype(np.float64)  # TensorFlow Playground: −1 → 0, +1 → 1
    bad = np.flatnonzero((values < 0) | (values > MAX_CLASSES - 1))
    if bad.size:
        raise DataError(f"line {lines[bad[0]]}, column 3 (label): {values[bad[0]]:g} is not a "
                        f"class; labels are 0 … {MAX_CLASSES - 1} (or −1/+1)")
    y = values.astype(np.int64)
    return y, int(y.max()) + 1


def to_csv(X, y, problem: str) -> str:
    """The points as CSV text with a header; ``parse_csv`` reads it back exactly."""
    problem = _check_problem(problem)
    X, y = _check_points(X, y, problem)
    out = [f"x1,x2,{_target_name(problem)}"]
    if problem == "classification":
        out += [f"{float(a)!r},{float(b)!r},{int(c)}" for (a, b), c in zip(X, y)]
    else:
        out += [f"{float(a)!r},{float(b)!r},{float(c)!r}" for (a, b), c in zip(X, y)]
    return "\n".join(out) + "\n"


def _check_points(X, y, problem: str, classes: int | None = None):
    """Validated copies: X (n, 2) finite, y (n,) labels or finite targets."""
    try:
        X = np.array(X, dtype=np.float64).reshape(-1, 2) if np.size(X) == 0 else \
            np.array(X, dtype=np.float64)
        y = np.array(y)
    except (TypeError, ValueError):
        raise DataError("points must be numbers") from None
    if X.ndim != 2 or X.shape[1] != 2:
        raise DataError(f"points must have shape (n, 2), got {X.shape}")
    if y.ndim != 1 or len(y) != len(X):
        raise DataError(f"expected {len(X)} labels or targets, got shape {y.shape}")
    if len(X) > MAX_ROWS:
        raise DataError(f"at most {MAX_ROWS} points are allowed, got {len(X)}")
    if not np.isfinite(X).all():
        raise DataError("points contain NaN or infinity")
    if np.abs(X).max(initial=0.0) > MAX_ABS_VALUE:
        raise DataError(f"coordinates must lie within ±{MAX_ABS_VALUE:g}")
    if problem == "classification":
        if y.size and (y.dtype.kind not in "iuf" or not np.all(y == np.round(y))):
            raise DataError("labels must be whole numbers")
        y = y.astype(np.int64) if y.size else np.empty(0, np.int64)
        top = MAX_CLASSES if classes is None else classes
        if y.size and (y.min() < 0 or y.max() >= top):
            raise DataError(f"labels must be classes 0 … {top - 1}")
    else:
        try:
            y = y.astype(np.float64)
        except (TypeError, ValueError):
            raise DataError("targets must be numbers") from None
        if not np.isfinite(y).all() or np.abs(y).max(initial=0.0) > MAX_ABS_VALUE:
            raise DataError(f"targets must be finite numbers within ±{MAX_ABS_VALUE:g}")
    return X, y


# ------------------------------------------------------------ point editing
def empty_points(problem: str) -> tuple[np.ndarray, np.ndarray]:
    """No points yet: X (0, 2), y (0,) of the right type."""
    dtype = np.int64 if _check_problem(problem) == "classification" else np.float64
    return np.empty((0, 2)), np.empty(0, dtype)


@dataclass(frozen=True)
class PointEditor:
    """Add and remove points by clicking; every call returns new arrays.

    ``classes`` bounds the labels for classification (2 … 6); regression takes
    any finite target within ±1e6. Points must lie in the drawn square.
    """

    problem: str = "classification"
    classes: int = 2
    max_points: int = MAX_ROWS

    def __post_init__(self):
        _check_problem(self.problem)
        if self.problem == "classification" and (
                isinstance(self.classes, bool) or not isinstance(self.classes, int)
                or not 2 <= self.classes <= MAX_CLASSES):
            raise DataError(f"classes must be an integer in 2 … {MAX_CLASSES}")

    def add_point(self, X, y, x1, x2, label) -> tuple[np.ndarray, np.ndarray]:
        X, y = _check_points(X, y, self.problem, self.classes)
        if len(X) >= self.max_points:
            raise DataError(f"there are already {len(X)} points; the limit is "
                            f"{self.max_points}")
        point = []
        for name, value in (("x1", x1), ("x2", x2)):
            if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) \
                    or not math.isfinite(float(value)):
                raise DataError(f"{name} must be a finite number, got {value!r}")
            if not LOW <= float(value) <= HIGH:
                raise DataError(f"{name} = {float(value):g} is outside the drawn square "
                                f"[{LOW:g}, {HIGH:g}]")
            point.append(float(value))
        if self.problem == "classification":
            if isinstance(label, bool) or not isinstance(label, (int, np.integer)) \
                    or not 0 <= label < self.classes:
                raise DataError(f"label must be a class 0 … {self.classes - 1}, got {label!r}")
            new_label = np.array([int(label)], dtype=np.int64)
        else:
            if isinstance(label, bool) or not isinstance(label, (int, float, np.number)) \
                    or not math.isfinite(float(label)) or abs(float(label)) > MAX_ABS_VALUE:
                raise DataError(f"target must be a finite number within ±{MAX_ABS_VALUE:g}, "
                                f"got {label!r}")
            new_label = np.array([float(label)])
        return np.vstack([X, [point]]), np.concatenate([y, new_label])

    def remove_nearest(self, X, y, x1, x2, radius: float = 0.5
                       ) -> tuple[np.ndarray, np.ndarray]:
        """Without the point nearest (x1, x2) if it lies within ``radius``; else copies."""
        X, y = _check_points(X, y, self.problem, self.classes)
        try:
            where = np.array([x1, x2], dtype=np.float64)
            radius = float(radius)
        except (TypeError, ValueError):
            raise DataError("x1, x2 and radius must be numbers") from None
        if not (np.isfinite(where).all() and math.isfinite(radius) and radius >= 0):
            raise DataError("x1, x2 and radius must be finite (radius ≥ 0)")
        if not len(X):
            return X, y
        distances = np.hypot(*(X - where).T)
        nearest = int(np.argmin(distances))
        if distances[nearest] > radius:
            return X, y
        return np.delete(X, nearest, axis=0), np.delete(y, nearest)


def add_point(X, y, x1, x2, label, problem: str = "classification", classes: int = 2):
    return PointEditor(problem, classes).add_point(X, y, x1, x2, label)


def remove_nearest(X, y, x1, x2, radius: float = 0.5, problem: str = "classification",
                   classes: int = 2):
    return PointEditor(problem, classes).remove_nearest(X, y, x1, x2, radius)


# ---------------------------------------------------------- data for a session
def custom_data(X, y, features, problem: str, classes: int, train_percent: int,
                seed: int) -> Data:
    """The learner's points as a session's Data: shuffled with ``seed``, then split.

    The training share is round(n · train_percent / 100), kept within 1 … n−1.
    """
    problem = _check_problem(problem)
    if problem == "classification" and (isinstance(classes, bool)
                                        or not isinstance(classes, (int, np.integer))
                                        or not 2 <= classes <= MAX_CLASSES):
        raise DataError(f"classes must be an integer in 2 … {MAX_CLASSES}, got {classes!r}")
    X, y = _check_points(X, y, problem, classes if problem == "classification" else None)
    if len(X) < 2:
        raise DataError(f"{len(X)} point{'s' * (len(X) != 1)}: at least 2 are needed (one "
                        "to train on, one to test)")
    if isinstance(train_percent, bool) or not isinstance(train_percent, (int, float)) \
            or not 0 < train_percent < 100:
        raise DataError(f"train_percent must be between 0 and 100, got {train_percent!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise DataError(f"seed must be a non-negative integer, got {seed!r}")
    features = tuple(features)
    if not features or any(f not in datasets.FEATURES for f in features):
        raise DataError(f"features must be among: {', '.join(datasets.FEATURES)}")
    order = np.random.default_rng(int(seed)).permutation(len(X))
    X_train, y_train, X_test, y_test = datasets.split(X[order], y[order], train_percent / 100)
    return Data(X_train, y_train, X_test, y_test, features, problem == "regression",
                int(classes) if problem == "classification" else 0, source="custom")


def config_for_data(config: cfg.Config, problem: str, classes: int) -> cfg.Config:
    """A Config whose problem type and class count match custom data.

    ``make_network`` reads the output layer off the config's data set, so for
    the learner's own points a stand-in data set of the right kind is chosen:
    "plane" for regression, "blobs" with k classes for k > 2, else the current
    two-class set (or "circle").
    """
    problem = _check_problem(problem)
    if problem == "regression":
        return config if config.is_regression else config.replace(dataset="plane")
    if classes > 2:
        return config.replace(dataset="blobs", classes=int(classes))
    if config.is_regression or config.dataset == "blobs":
        return config.replace(dataset="circle")
    return config


# ------------------------------------------------------------------ models
@dataclass(frozen=True)
class ModelSetup:
    """How an uploaded network maps onto the playground's settings."""

    features: tuple[str, ...]
    hidden: tuple[int, ...]
    activation: str | None  # None when the model has no hidden layer
    problem: str
    classes: int  # 0 for regression
    loss: str | None  # the Config loss name; None for regression (always squared error)
    regularization: str  # "none", "l1", "l2"
    regularization_rate: float
    notes: tuple[str, ...] = field(default=())

    def config_changes(self) -> dict:
        """Keyword arguments for ``Config.replace`` (the data set is chosen apart)."""
        changes = {"features": self.features, "hidden": self.hidden,
                   "regularization": self.regularization,
                   "regularization_rate": self.regularization_rate}
        if self.activation is not None:
            changes["activation"] = self.activation
        if self.loss is not None:
            changes["loss"] = self.loss
        return changes


def parse_model(content, features=None, max_bytes: int = MAX_MODEL_BYTES
                ) -> tuple[mikir.NeuralNetwork, ModelSetup]:
    """A network from an uploaded mikir JSON file, checked to fit the playground.

    ``features`` are the currently selected input features; when their number
    differs from the model's inputs, a 2-input model uses x1, x2 and a 7-input
    model all seven; any other mismatch is an error that says how many to select.
    """
    if isinstance(content, (bytes, bytearray, memoryview)):
        content = bytes(content)
    elif not isinstance(content, str):
        raise DataError("expected the model file's bytes or text")
    size = len(content) if isinstance(content, bytes) else len(content.encode("utf-8", "replace"))
    if size > max_bytes:
        raise DataError(f"the model file is {size:,} bytes; the limit is {_size(max_bytes)}")
    if not content.strip():
        raise DataError("the model file is empty")
    try:
        data = serialize.read_json(content)
        _check_shape(data)  # before anything is built: 52,000 layers fail in microseconds
        net = serialize.from_dict(data)
    except DataError:
        raise
    except ValueError as error:
        raise DataError(f"not a valid mikir model: {error}") from None
    return net, describe_model(net, features)


def _amount(number: int) -> str:
    return f"{number:,}" if number < 10**9 else "over a billion"


def _check_shape(data) -> None:
    """Refuse layer sizes the playground cannot show; anything malformed is left to
    ``serialize.from_dict``, which names it."""
    sizes = data.get("layer_sizes") if isinstance(data, dict) else None
    if not isinstance(sizes, list) or len(sizes) < 2:
        return
    if len(sizes) - 2 > cfg.MAX_HIDDEN_LAYERS:
        raise DataError(f"the model has {len(sizes) - 2:,} hidden layers; the playground "
                        f"shows at most {cfg.MAX_HIDDEN_LAYERS}")
    if not all(isinstance(s, int) and not isinstance(s, bool) and s >= 1 for s in sizes):
        return
    inputs, hidden, outputs = sizes[0], sizes[1:-1], sizes[-1]
    count = len(datasets.FEATURES)
    if inputs > count:
        raise DataError(f"the model has {_amount(inputs)} inputs; the playground offers 1 … "
                        f"{count} input features")
    if any(h > cfg.MAX_NEURONS for h in hidden):
        raise DataError(f"a hidden layer of the model has {_amount(max(hidden))} neurons; the "
                        f"playground shows at most {cfg.MAX_NEURONS} per layer")
    if outputs > MAX_CLASSES:
        raise DataError(f"the model has {_amount(outputs)} outputs; the playground shows at "
                        f"most {MAX_CLASSES} (one per class)")


def describe_model(net: mikir.NeuralNetwork, features=None) -> ModelSetup:
    """Check that ``net`` fits the playground and say which settings it needs."""
    sizes = net.layer_sizes
    inputs, hidden, outputs = sizes[0], tuple(sizes[1:-1]), sizes[-1]
    notes = []

    count = len(datasets.FEATURES)
    if not 1 <= inputs <= count:
        raise DataError(f"the model has {inputs} inputs; the playground offers 1 … {count} "
                        "input features")
    selected = tuple(features) if features is not None else None
    if selected is not None and len(selected) == inputs:
        chosen = selected
    elif inputs == 2:
        chosen = ("x1", "x2")
    elif inputs == count:
        chosen = tuple(datasets.FEATURES)
    elif selected is not None:
        raise DataError(f"the model has {inputs} inputs but {len(selected)} features are "
                        f"selected; select exactly {inputs} features (the model does not "
                        "say which) and upload it again")
    else:
        chosen = tuple(datasets.FEATURES[:inputs])
        notes.append(f"the model has {inputs} inputs; they are taken to be the first "
                     f"{inputs} features")
    if selected is not None and chosen != selected:
        notes.append(f"input features set to {', '.join(chosen)} to match the model's "
                     f"{inputs} inputs")

    if len(hidden) > cfg.MAX_HIDDEN_LAYERS or any(h > cfg.MAX_NEURONS for h in hidden):
        raise DataError(f"the model's hidden layers {list(hidden)} do not fit the playground "
                        f"(at most {cfg.MAX_HIDDEN_LAYERS} layers of at most "
                        f"{cfg.MAX_NEURONS} neurons)")
    kinds = list(dict.fromkeys(net.hidden_activations))
    if len(kinds) > 1:
        raise DataError(f"the model mixes hidden activations ({', '.join(kinds)}); the "
                        "playground uses one activation for all hidden layers")
    activation = kinds[0] if kinds else None
    if activation is not None and activation not in cfg.ACTIVATIONS:
        raise DataError(f"hidden activation {activation!r} is not one of the playground's: "
                        f"{', '.join(cfg.ACTIVATIONS)}")

    output, loss = net.output_activation, net.loss_name
    if outputs == 1 and output == "sigmoid":
        problem, classes = "classification", 2
        config_loss = "cross_entropy" if loss == "binary_crossentropy" else "squared_error"
    elif outputs == 1 and output == "linear" and loss == "mse":
        problem, classes, config_loss = "regression", 0, None
    elif output == "softmax" and 3 <= outputs <= MAX_CLASSES:
        problem, classes = "classification", outputs
        config_loss = "cross_entropy" if loss == "categorical_crossentropy" else "squared_error"
    else:
        raise DataError(
            f"the model's output ({outputs} × {output}, {loss}) does not fit the playground: "
            "use 1 sigmoid output (two classes), 1 linear output with mse (regression) or "
            f"3 … {MAX_CLASSES} softmax outputs (classes)")

    regularization = net.regularization or "none"
    rate = float(net.regularization_rate) if net.regularization else 0.0
    if regularization != "none" and rate not in cfg.REGULARIZATION_RATES:
        nearest = min(cfg.REGULARIZATION_RATES[1:], key=lambda r: abs(math.log10(r / rate))
                      ) if rate > 0 else 0.0
        notes.append(f"regularization rate {rate:g} is not on the playground's scale; "
                     f"training continues with {nearest:g}")
        rate = nearest
    return ModelSetup(chosen, hidden, activation, problem, classes, config_loss,
                      regularization, rate, tuple(notes))


def config_for_model(config: cfg.Config, setup: ModelSetup) -> cfg.Config:
    """The session's Config changed to build the uploaded model's architecture."""
    return config_for_data(config.replace(**setup.config_changes()), setup.problem,
                           setup.classes)


def load_model_into(session, net: mikir.NeuralNetwork, setup: ModelSetup) -> None:
    """Continue from an uploaded network: settings to match, then its weights.

    The run starts over (epoch 0, empty history, fresh optimizer state) from the
    model's weights. Raises DataError, changing nothing, when the model does not
    fit the learner's own data.
    """
    data = session.data
    if data.source == "custom":
        problem = "regression" if data.is_regression else "classification"
        if problem != setup.problem or (problem == "classification"
                                        and data.class_count != setup.classes):
            raise DataError(f"the model is for {_problem_text(setup.problem, setup.classes)} "
                            f"but your data is {_problem_text(problem, data.class_count)}")
    config = config_for_model(session.config, setup)
    previous = (session.config, session.data)
    session.apply(config)
    session.reset()
    if session.net.layer_sizes != net.layer_sizes or session.net.loss_name != net.loss_name \
            or session.net.output_activation != net.output_activation:
        session.config, session.data = previous
        session.reset()
        raise DataError("the model could not be rebuilt with the playground's settings")
    session.net.set_parameters(net.get_parameters())
    session.history = History()
    session.last_good = (0, 0, session.net.get_parameters())
    session.record()


def _problem_text(problem: str, classes: int) -> str:
    return "regression" if problem == "regression" else f"{classes} classes"


__all__ = ["DataError", "MAX_BYTES", "MAX_MODEL_BYTES", "MAX_ROWS", "ModelSetup", "ParsedData",
           "PointEditor", "add_point", "config_for_data", "config_for_model", "custom_data",
           "describe_model", "empty_points", "load_model_into", "parse_csv", "parse_model",
           "remove_nearest", "to_csv"]
