"""Save and load networks as validated JSON (never pickle, never eval).

Everything read is checked before a network is built: a malformed, truncated,
wrong-shape, non-finite or unknown-option file raises one ValueError that names
the problem.
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


def _no_duplicates(pairs):
    result = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"field {key!r} appears twice")
        result[key] = value
    return result


def loads(text: str | bytes) -> NeuralNetwork:
    """Build a network from a JSON string, validating every field."""
    if isinstance(text, (bytes, bytearray)):
        if len(text) > MAX_BYTES:
            raise ValueError(f"model file is larger than {MAX_BYTES // 1_000_000} MB")
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError("model file is not UTF-8 text") from None
    if not isinstance(text, str):
        raise ValueError("model must be JSON text")
    if len(text) > MAX_BYTES:
        raise ValueError(f"model file is larger than {MAX_BYTES // 1_000_000} MB")
    try:
        data = json.loads(text, parse_constant=_reject_constant,
                          object_pairs_hook=_no_duplicates)
    except RecursionError:
        raise ValueError("model file is nested too deeply") from None
    except json.JSONDecodeError as error:
        raise ValueError(f"model file is not valid JSON ({error.msg} at line {error.lineno}, "
                         f"column {error.colno})") from None
    return from_dict(data)


def load(path) -> NeuralNetwork:
    size = os.path.getsize(path)
    if size > MAX_BYTES:
        raise ValueError(f"model file is larger than {MAX_BYTES // 1_000_000} MB")
    with open(path, "rb") as file:
        return loads(file.read())


def from_dict(data) -> NeuralNetwork:
    if not isinstance(data, dict):
        raise ValueError("model must be a JSON object")
    if data.get("format") != FORMAT:
        raise ValueError(f"not a mikir model: field 'format' must be {FORMAT!r}")
    if type(data.get("version")) is not int or data["version"] != VERSION:  # not True, not 1.0
        raise ValueError(f"unsupported model version {data.get('version')!r}; "
                         f"this mikir reads version {VERSION}")
    unknown = sorted(set(data) - _FIELDS)
    if unknown:
        raise ValueError(f"unknown field(s) in model: {', '.join(map(repr, unknown))}")
    missing = sorted(_FIELDS - {"seed"} - set(data))
    if missing:
        raise ValueError(f"model is missing field(s): {', '.join(missing)}")

    sizes = data["layer_sizes"]
    if (not isinstance(sizes, list) or len(sizes) < 2
            or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 1 for s in sizes)):
        raise ValueError("layer_sizes must be a list of at least two positive integers")
    if sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:])) > MAX_PARAMETERS:
        raise ValueError(f"model has more than {MAX_PARAMETERS} parameters")
    activation = data["activation"]
    if not isinstance(activation, list) or len(activation) != len(sizes) - 2:
        raise ValueError(f"activation must be a list of {len(sizes) - 2} names")
    for name in activation:
        _activations.get(name, hidden=True)
    _activations.get(data["output_activation"])
    _losses.get(data["loss"])
    if data["init"] not in INITS:
        raise ValueError(f"unknown init {data['init']!r}; choose one of: {', '.join(INITS)}")
    if data["regularization"] not in REGULARIZATIONS:
        raise ValueError(f"unknown regularization {data['regularization']!r}")
    rate = data["regularization_rate"]
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not _finite(rate):
        raise ValueError("regularization_rate must be a finite number")
    seed = data.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        raise ValueError("seed must be a non-negative integer or null")

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
