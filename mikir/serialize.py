"""Save and load networks as validated JSON (never pickle, never eval).

Everything read is checked before a network is built: a malformed, truncated,
wrong-shape, non-finite or unknown-option file raises one ValueError that names
the problem in a sentence (it quotes at most a few characters of the file).
A caller with its own limits reads the JSON with ``read_json``, checks the dict,
then builds with ``from_dict``.
"""

from __future__ import annotations

import json
import math
import os

import numpy as np

from . import activations as _activations
from . import losses as _losses
from .network import INITS, REGULARIZATIONS, NeuralNetwork

FORMAT = "mikir.NeuralNetwork"
VERSION = 1
MAX_BYTES = 10_000_000
MAX_PARAMETERS = 1_000_000
MAX_LAYERS = 1000
MAX_DIGITS = 400  # an integer literal longer than this cannot be a float64 anyway
MAX_MESSAGE = 200
_FIELDS = {"format", "version", "layer_sizes", "activation", "output_activation", "loss",
           "init", "regularization", "regularization_rate", "seed", "weights", "biases"}


def to_dict(net: NeuralNetwork) -> dict:
    if not np.isfinite(net.get_parameters()).all():
        raise ValueError("cannot save a network whose weights contain NaN or inf")
    return {
        "format": FORMAT,
        "version": VERSION,
        **net.config(),
        "weights": [w.tolist() for w in net.weights],
        "biases": [b.tolist() for b in net.biases],
    }


def dumps(net: NeuralNetwork) -> str:
    """The network as a JSON string (floats written exactly: they round-trip)."""
    return json.dumps(to_dict(net), allow_nan=False)


def save(net: NeuralNetwork, path) -> None:
    text = dumps(net)
    with open(path, "w", encoding="utf-8") as file:
        file.write(text)


def _reject_constant(name):
    raise ValueError(f"non-finite number {name} in the file")


def _short(value, limit: int = 40) -> str:
    """repr(value) cut to ``limit`` characters: a message names the problem, not the data."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _integer(text: str) -> int:
    """JSON integers. Beyond 4300 digits Python's int() refuses with a message about
    interpreter limits; any integer longer than MAX_DIGITS stands in as ±10**MAX_DIGITS,
    which every field refuses as too large with its own message."""
    if len(text.lstrip("-")) > MAX_DIGITS:
        return -10**MAX_DIGITS if text.startswith("-") else 10**MAX_DIGITS
    return int(text)


def _no_duplicates(pairs):
    result = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"field {_short(key)} appears twice")
        result[key] = value
    return result


def loads(text: str | bytes) -> NeuralNetwork:
    """Build a network from a JSON string, validating every field."""
    return from_dict(read_json(text))


def read_json(text: str | bytes):
    """The parsed JSON of a model file (a leading UTF-8 BOM allowed), not yet checked."""
    if isinstance(text, (bytes, bytearray)):
        if len(text) > MAX_BYTES:
            raise ValueError(f"model file is larger than {MAX_BYTES // 1_000_000} MB")
        try:
            text = bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValueError("model file is not UTF-8 text") from None
    if not isinstance(text, str):
        raise ValueError("model must be JSON text")
    if len(text) > MAX_BYTES:
        raise ValueError(f"model file is larger than {MAX_BYTES // 1_000_000} MB")
    try:
        return json.loads(text.removeprefix("\ufeff"), parse_constant=_reject_constant,
                          parse_int=_integer, object_pairs_hook=_no_duplicates)
    except RecursionError:
        raise ValueError("model file is nested too deeply") from None
    except json.JSONDecodeError as error:
        raise ValueError(f"model file is not valid JSON ({error.msg} at line {error.lineno}, "
                         f"column {error.colno})") from None


def load(path) -> NeuralNetwork:
    size = os.path.getsize(path)
    if size > MAX_BYTES:
        raise ValueError(f"model file is larger than {MAX_BYTES // 1_000_000} MB")
    with open(path, "rb") as file:
        return loads(file.read())


def from_dict(data) -> NeuralNetwork:
    """Build a network from a model file's parsed JSON, validating every field."""
    try:
        return _from_dict(data)
    except ValueError as error:  # the last guard; each message below is short already
        message = str(error)
        if len(message) <= MAX_MESSAGE:
            raise
        raise ValueError(message[:MAX_MESSAGE - 1] + "…") from None


def _from_dict(data) -> NeuralNetwork:
    if not isinstance(data, dict):
        raise ValueError("model must be a JSON object")
    if data.get("format") != FORMAT:
        raise ValueError(f"not a mikir model: field 'format' must be {FORMAT!r}")
    if type(data.get("version")) is not int or data["version"] != VERSION:  # not True, not 1.0
        raise ValueError(f"unsupported model version {_short(data.get('version'))}; "
                         f"this mikir reads version {VERSION}")
    unknown = sorted(set(data) - _FIELDS)
    if unknown:
        shown = ", ".join(map(_short, unknown[:3])) + (", …" if len(unknown) > 3 else "")
        raise ValueError(f"{len(unknown)} unknown field(s) in model: {shown}")
    missing = sorted(_FIELDS - {"seed"} - set(data))
    if missing:
        raise ValueError(f"model is missing field(s): {', '.join(missing)}")

    sizes = data["layer_sizes"]
    if isinstance(sizes, list) and len(sizes) > MAX_LAYERS + 2:
        raise ValueError(f"model has {len(sizes) - 2:,} hidden layers; the limit is "
                         f"{MAX_LAYERS:,}")
    if (not isinstance(sizes, list) or len(sizes) < 2
            or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 1 for s in sizes)):
        raise ValueError("layer_sizes must be a list of at least two positive integers")
    if sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:])) > MAX_PARAMETERS:
        raise ValueError(f"model has more than {MAX_PARAMETERS} parameters")
    activation = data["activation"]
    if not isinstance(activation, list) or len(activation) != len(sizes) - 2:
        raise ValueError(f"activation must be a list of {len(sizes) - 2} names")
    for name in activation:
        _activations.get(_name(name), hidden=True)
    _activations.get(_name(data["output_activation"]))
    _losses.get(_name(data["loss"]))
    if data["init"] not in INITS:
        raise ValueError(f"unknown init {_short(data['init'])}; choose one of: "
                         f"{', '.join(INITS)}")
    if data["regularization"] not in REGULARIZATIONS:
        raise ValueError(f"unknown regularization {_short(data['regularization'])}")
    rate = data["regularization_rate"]
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not _finite(rate):
        raise ValueError("regularization_rate must be a finite number")
    seed = data.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0
                             or seed >= 2**128):
        raise ValueError("seed must be a non-negative integer below 2**128, or null")

    net = NeuralNetwork(*sizes, activation=activation,
                        output_activation=data["output_activation"], loss=data["loss"],
                        init=data["init"], regularization=data["regularization"],
                        regularization_rate=rate, seed=seed)
    net.weights = _arrays(data["weights"], [w.shape for w in net.weights], "weights")
    net.biases = _arrays(data["biases"], [b.shape for b in net.biases], "biases")
    return net


def _arrays(value, shapes, name):
    if not isinstance(value, list) or len(value) != len(shapes):
        raise ValueError(f"{name} must be a list of {len(shapes)} arrays")
    arrays = []
    for i, (item, shape) in enumerate(zip(value, shapes)):
        if not _is_numeric_nested(item, len(shape)):
            raise ValueError(f"{name}[{i}] must be a nested list of numbers of shape {shape}")
        try:
            array = np.array(item, dtype=np.float64)
        except OverflowError:  # an integer literal beyond float64, e.g. 10**400
            raise ValueError(f"{name}[{i}] contains a number too large to be finite") from None
        except (TypeError, ValueError):
            raise ValueError(f"{name}[{i}] is ragged; expected shape {shape}") from None
        if array.shape != shape:
            raise ValueError(f"{name}[{i}] has shape {array.shape}, expected {shape}")
        if not np.isfinite(array).all():
            raise ValueError(f"{name}[{i}] contains a number too large to be finite")
        arrays.append(array)
    return arrays


def _name(value):
    """A name as written, or a shortened stand-in that no list of names contains."""
    return value if not isinstance(value, str) or len(value) <= 40 else value[:39] + "…"


def _finite(number) -> bool:
    try:
        return math.isfinite(number)
    except OverflowError:  # an int too large for a float
        return False


def _is_numeric_nested(item, depth) -> bool:
    """True when ``item`` is lists nested ``depth`` deep holding only numbers."""
    if depth == 0:
        return isinstance(item, (int, float)) and not isinstance(item, bool)
    return isinstance(item, list) and all(_is_numeric_nested(x, depth - 1) for x in item)
