"""Every user choice in one dataclass, and its round trip through the URL.

The URL is untrusted input: ``from_query`` parses each value on its own,
clamps numbers into their allowed range, and replaces anything it cannot read
with the default, returning a notice for each change so the page can say so.
Only settings and seeds go into the URL, never weights.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

from mikir import datasets

from .numbers import parse_integer, parse_number

DATASETS = ("circle", "xor", "gauss", "spiral", "moons", "blobs", "plane", "multi_gauss")
DATASET_LABELS = {
    "circle": "Circle", "xor": "Exclusive or", "gauss": "Gaussian", "spiral": "Spiral",
    "moons": "Moons", "blobs": "Blobs (multi-class)", "plane": "Plane (regression)",
    "multi_gauss": "Multi-Gaussian (regression)",
}
REGRESSION = datasets.REGRESSION
FEATURES = datasets.FEATURES
ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear", "leaky_relu")
ACTIVATION_LABELS = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid",
                     "linear": "Linear", "leaky_relu": "Leaky ReLU"}
LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
REGULARIZATION_RATES = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
OPTIMIZERS = ("sgd", "momentum", "adam")
OPTIMIZER_LABELS = {"sgd": "SGD", "momentum": "SGD + momentum", "adam": "Adam"}
REGULARIZATIONS = ("none", "l1", "l2")
LOSSES = ("cross_entropy", "squared_error")
SPEEDS = (1, 3, 10, 30, 100, 0)  # epochs per frame; 0 means "as fast as it goes"
MAX_HIDDEN_LAYERS, MAX_NEURONS = 6, 8
POINTS_RANGE = (50, 2000)
NOISE_RANGE = (0, 50)
TRAIN_PERCENT_RANGE = (10, 90)
CLASSES_RANGE = (3, 6)
SEED_RANGE = (0, 2**31 - 1)
BATCH_RANGE = (1, 2000)
# Controls a classroom link may hide (the teacher's focused exercise).
HIDEABLE = ("data", "noise", "train", "points", "seed", "features", "layers", "activation",
            "learning_rate", "optimizer", "batch", "regularization", "loss", "speed")


@dataclass(frozen=True)
class Config:
    dataset: str = "circle"
    noise: int = 0  # percent, 0–50 as in TensorFlow Playground
    train_percent: int = 50
    points: int = 500
    classes: int = 3  # blobs only
    seed: int = 1  # the data
    init_seed: int = 1  # the initial weights
    features: tuple[str, ...] = ("x1", "x2")
    hidden: tuple[int, ...] = (4, 2)
    activation: str = "tanh"
    loss: str = "cross_entropy"
    learning_rate: float = 0.03
    optimizer: str = "sgd"
    batch_size: int = 10
    regularization: str = "none"
    regularization_rate: float = 0.0
    speed: int = 10
    hide: tuple[str, ...] = field(default=())

    @property
    def is_regression(self) -> bool:
        return self.dataset in REGRESSION

    @property
    def class_count(self) -> int:
        if self.is_regression:
            return 0
        return self.classes if self.dataset == "blobs" else 2

    def replace(self, **changes) -> Config:
        return dataclasses.replace(self, **changes)


DEFAULT = Config()


# ---------------------------------------------------------------- to the URL
def _format_number(value: float) -> str:
    return f"{value:g}"


def _query_values(config: Config) -> dict[str, str]:
    return {
        "data": config.dataset,
        "noise": str(config.noise),
        "train": str(config.train_percent),
        "points": str(config.points),
        "classes": str(config.classes),
        "seed": str(config.seed),
        "wseed": str(config.init_seed),
        "features": ",".join(config.features),
        "layers": ",".join(map(str, config.hidden)) or "0",
        "activation": config.activation,
        "loss": config.loss,
        "lr": _format_number(config.learning_rate),
        "optimizer": config.optimizer,
        "batch": str(config.batch_size),
        "reg": config.regularization,
        "rate": _format_number(config.regularization_rate),
        "speed": str(config.speed),
        "hide": ",".join(config.hide),
    }


def to_query(config: Config) -> dict[str, str]:
    """Short, readable query parameters for a share link (defaults left out, seeds kept)."""
    defaults = _query_values(DEFAULT)
    return {k: v for k, v in _query_values(config).items()
            if v != defaults[k] or k in ("seed", "wseed")}


# -------------------------------------------------------------- from the URL
MAX_VALUE_LENGTH = 200
MAX_SHOWN_LENGTH = 40  # of a rejected value, quoted in a notice


@dataclass(frozen=True)
class Notice:
    """What ``from_query`` changed in one setting, said in words for the page.

    ``value`` is what the setting became; once the learner picks another value
    the notice no longer holds (``holds``) and the page drops it.
    """

    setting: str  # a Config field
    value: object
    text: str

    def holds(self, config: Config) -> bool:
        return getattr(config, self.setting) == self.value

    def __str__(self) -> str:
        return self.text


def human(value) -> str:
    """A setting's value as a person writes it: ``x1, x2``, ``none``, ``10``, ``0.00001``."""
    if isinstance(value, (tuple, list)):
        return ", ".join(map(human, value)) if value else "none"
    if isinstance(value, float):
        if value == int(value):
            return str(int(value))
        fixed = f"{value:.10f}".rstrip("0")
        return fixed if abs(value) >= 1e-6 else f"{value:g}"
    return str(value)


def _quoted(raw: str) -> str:
    """A rejected value, short and printable, in quotes (the page shows it as plain text)."""
    shown = "".join(c if c.isprintable() else "\ufffd" for c in raw)
    if len(shown) > MAX_SHOWN_LENGTH:
        shown = shown[:MAX_SHOWN_LENGTH] + "…"
    return f"“{shown}”"


def _first(value) -> str:
    """Query params may arrive as lists; take the first, bounded in length."""
    if isinstance(value, (list, tuple)):
        value = value[0] if value else ""
    return str(value)[:MAX_VALUE_LENGTH].strip()


def _parse_int(text: str, low: int, high: int):
    """(value, clamped?) or raises ValueError for anything not an integer."""
    value = parse_integer(text)
    clamped = min(max(value, low), high)
    return clamped, clamped != value


def _nearest(value: float, choices) -> float:
    """The choice closest on a log scale (0 only for 0 itself)."""
    if value == 0:
        return 0.0 if 0 in choices else min(choices)
    return min((c for c in choices if c > 0), key=lambda c: abs(math.log10(c / value)))


def from_query(params) -> tuple[Config, list[Notice]]:
    """Build a Config from untrusted query parameters, with notices for what changed."""
    notices: list[Notice] = []
    values: dict = {}

    def take(key, parse, attribute, label):
        if key not in params:
            return
        raw = _first(params[key])
        default = getattr(DEFAULT, attribute)
        try:
            value, note = parse(raw)
        except (ValueError, OverflowError):
            reason = "no value given" if not raw else f"{_quoted(raw)} is not valid"
            notices.append(Notice(attribute, default, f"{label}: {reason}; using the "
                                                      f"default ({human(default)})."))
            return
        if note:
            notices.append(Notice(attribute, value, f"{label}: {note}; using {human(value)}."))
        values[attribute] = value

    def choice(options):
        def parse(raw):
            if raw not in options:
                raise ValueError(raw)
            return raw, None
        return parse

    def integer(low, high):
        def parse(raw):
            value, clamped = _parse_int(raw, low, high)
            return value, f"{_quoted(raw)} is outside {low}–{high}" if clamped else None
        return parse

    def rate(options, allow_zero):
        def parse(raw):
            number = parse_number(raw)
            if number < 0 or (number == 0 and not allow_zero):
                raise ValueError(raw)
            value = _nearest(number, options)
            return value, None if value == number else f"{_quoted(raw)} is not on the scale"
        return parse

    def name_list(options, kind):
        """The known names, in the given order; the unknown ones are named in the note."""
        def parse(raw):
            names = list(dict.fromkeys(n.strip() for n in raw.split(",") if n.strip()))
            known = tuple(n for n in names if n in options)
            unknown = [n for n in names if n not in options]
            if not known:
                raise ValueError(raw)
            if not unknown:
                return known, None
            shown = ", ".join(map(_quoted, unknown[:3])) + (", …" if len(unknown) > 3 else "")
            return known, (f"{shown} {'is' if len(unknown) == 1 else 'are'} not "
                           f"{kind if len(unknown) == 1 else kind.split()[-1] + 's'}, "
                           "left out")
        return parse

    def features(raw):
        value, note = name_list(FEATURES, "a feature")(raw)
        return tuple(f for f in FEATURES if f in value), note  # canonical order

    def hidden_controls(raw):
        value, note = name_list(HIDEABLE, "a control")(raw)
        return tuple(h for h in HIDEABLE if h in value), note

    def layers(raw):
        if raw == "0":
            return (), None
        parts = raw.split(",")
        if len(parts) > MAX_HIDDEN_LAYERS * 2:
            raise ValueError(raw)
        sizes = [_parse_int(p, 1, MAX_NEURONS) for p in parts]
        clamped = any(c for _, c in sizes) or len(parts) > MAX_HIDDEN_LAYERS
        value = tuple(s for s, _ in sizes)[:MAX_HIDDEN_LAYERS]
        note = (f"{_quoted(raw)} is outside 0–{MAX_HIDDEN_LAYERS} layers of "
                f"1–{MAX_NEURONS} neurons" if clamped else None)
        return value, note

    def speed(raw):
        value, _ = _parse_int(raw, 0, 10**9)
        if value not in SPEEDS:
            raise ValueError(raw)
        return value, None

    take("data", choice(DATASETS), "dataset", "Data set")
    take("noise", integer(*NOISE_RANGE), "noise", "Noise")
    take("train", integer(*TRAIN_PERCENT_RANGE), "train_percent", "Training share")
    take("points", integer(*POINTS_RANGE), "points", "Points")
    take("classes", integer(*CLASSES_RANGE), "classes", "Classes")
    take("seed", integer(*SEED_RANGE), "seed", "Data seed")
    take("wseed", integer(*SEED_RANGE), "init_seed", "Weight seed")
    take("features", features, "features", "Features")
    take("layers", layers, "hidden", "Layers")
    take("activation", choice(ACTIVATIONS), "activation", "Activation")
    take("loss", choice(LOSSES), "loss", "Loss")
    take("lr", rate(LEARNING_RATES, allow_zero=False), "learning_rate", "Learning rate")
    take("optimizer", choice(OPTIMIZERS), "optimizer", "Optimizer")
    take("batch", integer(*BATCH_RANGE), "batch_size", "Batch size")
    take("reg", choice(REGULARIZATIONS), "regularization", "Regularization")
    take("rate", rate(REGULARIZATION_RATES, allow_zero=True), "regularization_rate",
         "Regularization rate")
    take("speed", speed, "speed", "Speed")
    take("hide", hidden_controls, "hide", "Hidden controls")
    config = DEFAULT.replace(**values)
    return clamp_batch(config, notices), notices


def current_notices(notices, config: Config) -> list[Notice]:
    """The notices still true of ``config`` (a setting changed since: its notice goes)."""
    return [n for n in notices if n.holds(config)]


def train_size(config: Config) -> int:
    return max(1, min(config.points - 1, round(config.points * config.train_percent / 100)))


def clamp_batch(config: Config, notices: list[Notice] | None = None) -> Config:
    """The batch can be at most the whole training set."""
    limit = train_size(config)
    if config.batch_size > limit:
        if notices is not None:
            notices.append(Notice("batch_size", limit,
                                  f"Batch size: {config.batch_size} is more than the "
                                  f"{limit} training points; using {limit}."))
        return config.replace(batch_size=limit)
    return config


# Settings that make new points: changing one replaces the learner's own data.
GENERATED_FIELDS = ("dataset", "noise", "points", "classes", "seed")


def makes_new_points(old: Config, new: Config) -> bool:
    return any(getattr(old, f) != getattr(new, f) for f in GENERATED_FIELDS)


# Changes that need new data or a new network; everything else applies live.
REBUILD_FIELDS = ("dataset", "noise", "train_percent", "points", "classes", "seed",
                  "init_seed", "features", "hidden", "activation", "loss")


def needs_rebuild(old: Config, new: Config) -> bool:
    return any(getattr(old, f) != getattr(new, f) for f in REBUILD_FIELDS)
