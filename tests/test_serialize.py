"""Save and load (issue §5): exact round trips, and hostile files rejected with
one ValueError that names the problem. Never pickle, never eval."""

import builtins
import json
import pickle
import time
import tracemalloc

import numpy as np
import pytest

import mikir
from mikir import NeuralNetwork, dumps, load, loads, save
from mikir import serialize as ser

ARCHITECTURES = {
    "seed": lambda: NeuralNetwork(2, 3, 1, seed=0),
    "softmax": lambda: NeuralNetwork(4, 6, 5, 3, activation=["relu", "tanh"],
                                     output_activation="softmax", init="he", seed=1),
    "playground": lambda: NeuralNetwork(2, 8, 8, 1, activation="tanh",
                                        output_activation="sigmoid",
                                        loss="binary_crossentropy", init="xavier",
                                        regularization="l2", regularization_rate=1e-3, seed=0),
    "per_layer": lambda: NeuralNetwork(3, 5, 4, 3, 2, activation=["leaky_relu", "linear",
                                                                  "sigmoid"],
                                       output_activation="tanh", init="playground",
                                       regularization="l1", regularization_rate=0.25, seed=2),
    "no_hidden": lambda: NeuralNetwork(5, 2, output_activation="linear", loss="mse",
                                       init="zeros"),
    "deep_relu": lambda: NeuralNetwork(2, *[7] * 6, 1, activation="relu",
                                       output_activation="linear", init="he", seed=None),
}


def scrambled(net, seed=0):
    """Give the net awkward weights: every binary64 detail must survive."""
    rng = np.random.default_rng(seed)
    size = net.get_parameters().size
    values = rng.normal(0, 1, size) * 10.0 ** rng.integers(-30, 3, size)
    values[:3] = [5e-324, -2.2250738585072014e-308, 0.1 + 0.2][: min(3, size)]
    net.set_parameters(values)
    return net


def sample_inputs(net, n=50):
    return np.random.default_rng(1).normal(0, 2, (n, net.input_size))


@pytest.fixture(params=list(ARCHITECTURES))
def net(request):
    return ARCHITECTURES[request.param]()


# ------------------------------------------------------------------ round trips

def assert_identical(a, b):
    assert a.config() == b.config()
    np.testing.assert_array_equal(a.get_parameters(), b.get_parameters())
    for wa, wb in zip(a.weights, b.weights):
        assert wb.dtype == np.float64 and wa.shape == wb.shape
    X = sample_inputs(a)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))  # bit for bit
    fa, fb = a.forward(X), b.forward(X)
    for za, zb in zip(fa.pre_activations, fb.pre_activations):
        np.testing.assert_array_equal(za, zb)


def test_string_round_trip_is_exact(net):
    again = loads(dumps(net))
    assert_identical(net, again)
    assert dumps(again) == dumps(net)


def test_file_round_trip_is_exact(net, tmp_path):
    path = tmp_path / "model.json"
    save(net, path)
    assert_identical(net, load(path))
    assert_identical(net, load(str(path)))


def test_round_trip_of_awkward_floats_is_exact(net, tmp_path):
    scrambled(net)
    assert_identical(net, loads(dumps(net)))
    save(net, tmp_path / "m.json")
    assert_identical(net, load(tmp_path / "m.json"))


def test_round_trip_after_training_and_bytes_input():
    net = NeuralNetwork(2, 8, 8, 1, activation="tanh", output_activation="sigmoid",
                        loss="binary_crossentropy", init="xavier", seed=0)
    X, y = mikir.datasets.spiral(n=100, noise=0.1, seed=0)
    net.fit(X, y, epochs=3, batch_size=10, optimizer=mikir.Adam(0.01), seed=0)
    assert_identical(net, loads(dumps(net).encode("utf-8")))


def test_file_is_json_with_format_version_and_every_option(tmp_path):
    net = ARCHITECTURES["per_layer"]()
    save(net, tmp_path / "m.json")
    data = json.loads((tmp_path / "m.json").read_text(encoding="utf-8"))
    assert data["format"] == "mikir.NeuralNetwork"
    assert data["version"] == 1
    for key, value in net.config().items():
        assert data[key] == value
    assert data["weights"] == [w.tolist() for w in net.weights]
    assert data["biases"] == [b.tolist() for b in net.biases]


def test_no_pickle_and_no_eval_ever(monkeypatch, tmp_path):
    def forbidden(*args, **kwargs):
        raise AssertionError("pickle/eval must never be used")

    for name in ("load", "loads", "dump", "dumps", "Unpickler", "Pickler"):
        monkeypatch.setattr(pickle, name, forbidden)
    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(np, "load", forbidden)
    for make in ARCHITECTURES.values():
        net = make()
        save(net, tmp_path / "m.json")
        assert_identical(net, load(tmp_path / "m.json"))
        assert_identical(net, loads(dumps(net)))
    with pytest.raises(ValueError):
        loads(b"\x80\x04K\x01.")  # a pickle stream (of the int 1) is not a model
    assert "pickle" not in vars(ser)


def test_saving_non_finite_weights_is_refused(tmp_path):
    net = NeuralNetwork(2, 3, 1, seed=0)
    net._params[0] = np.nan  # e.g. after a diverged run
    with pytest.raises(ValueError, match="NaN or inf"):
        dumps(net)
    with pytest.raises(ValueError, match="NaN or inf"):
        save(net, tmp_path / "m.json")


# -------------------------------------------------------------- hostile files

def valid():
    return json.loads(dumps(NeuralNetwork(2, 3, 1, seed=0)))


def edited(change):
    data = valid()
    change(data)
    return json.dumps(data)


def setter(key, value):
    return lambda d: d.__setitem__(key, value)


def weight_setter(value):
    return lambda d: d["weights"][0][0].__setitem__(0, value)


GOOD = dumps(NeuralNetwork(2, 3, 1, seed=0))

HOSTILE = {
    # name: (text, pattern the message must contain)
    "not_json": ("this is not a model", r"not valid JSON"),
    "empty": ("", r"not valid JSON"),
    "truncated": (GOOD[: len(GOOD) // 2], r"not valid JSON"),
    "truncated_end": (GOOD[:-1], r"not valid JSON"),
    "array": ("[1, 2, 3]", r"JSON object"),
    "null": ("null", r"JSON object"),
    "number": ("42", r"JSON object"),
    "wrong_format": (edited(setter("format", "keras.Model")), r"format"),
    "no_format": (edited(lambda d: d.pop("format")), r"format"),
    "wrong_version": (edited(setter("version", 2)), r"version"),
    "string_version": (edited(setter("version", "1")), r"version"),
    "bool_version": (edited(setter("version", True)), r"version"),
    "missing_weights": (edited(lambda d: d.pop("weights")), r"missing.*weights"),
    "missing_loss": (edited(lambda d: d.pop("loss")), r"missing.*loss"),
    "unknown_field": (edited(setter("dropout", 0.5)), r"unknown field.*dropout"),
    "duplicate_key": (GOOD.replace('"loss": "mse"', '"loss": "mse", "loss": "mse"'),
                      r"'loss' appears twice"),
    "duplicate_nested": ('{"format": "mikir.NeuralNetwork", "format": "x"}', r"twice"),
    "weight_shape": (edited(lambda d: d["weights"].__setitem__(0, [[0.1, 0.2]] * 3)),
                     r"weights\[0\].*shape"),
    "bias_shape": (edited(lambda d: d["biases"].__setitem__(1, [0.1, 0.2])),
                   r"biases\[1\].*shape"),
    "too_few_weight_arrays": (edited(lambda d: d["weights"].pop()), r"weights.*2 arrays"),
    "weights_flat": (edited(lambda d: d["weights"].__setitem__(0, [0.1] * 6)),
                     r"weights\[0\]"),
    "ragged": (edited(lambda d: d["weights"][0].__setitem__(1, [0.1])),
               r"weights\[0\].*(ragged|shape)"),
    "ragged_deeper": (edited(lambda d: d["weights"][0].__setitem__(1, [[0.1], 0.2, 0.3])),
                      r"weights\[0\]"),
    "string_weight": (edited(weight_setter("0.5")), r"weights\[0\].*numbers"),
    "bool_weight": (edited(weight_setter(True)), r"weights\[0\].*numbers"),
    "null_weight": (edited(weight_setter(None)), r"weights\[0\].*numbers"),
    "null_weights": (edited(setter("weights", None)), r"weights"),
    "object_weight": (edited(weight_setter({"v": 1})), r"weights\[0\].*numbers"),
    "string_bias": (edited(lambda d: d["biases"][0].__setitem__(0, "x")),
                    r"biases\[0\].*numbers"),
    "nan_literal": (GOOD.replace(str(valid()["weights"][0][0][0]), "NaN", 1), r"non-finite"),
    "infinity_literal": (GOOD.replace(str(valid()["biases"][1][0]), "Infinity", 1),
                         r"non-finite"),
    "minus_infinity": (GOOD.replace(str(valid()["biases"][0][0]), "-Infinity", 1),
                       r"non-finite"),
    "overflowing_float": (GOOD.replace(str(valid()["weights"][1][0][0]), "1e999", 1),
                          r"weights\[1\].*finite"),
    "overflowing_int": (GOOD.replace(str(valid()["weights"][1][0][0]), "9" * 400, 1),
                        r"weights\[1\]"),
    "overflowing_rate": (edited(setter("regularization_rate", 10**400)),
                         r"regularization_rate"),
    "nan_rate": ('{"regularization_rate": NaN}', r"non-finite"),
    "string_rate": (edited(setter("regularization_rate", "0.1")), r"regularization_rate"),
    "bool_rate": (edited(setter("regularization_rate", True)), r"regularization_rate"),
    "negative_rate": (edited(setter("regularization_rate", -1.0)), r"regularization_rate"),
    "unknown_activation": (edited(setter("activation", ["swish"])), r"activation.*'swish'"),
    "softmax_hidden": (edited(setter("activation", ["softmax"])), r"activation.*'softmax'"),
    "activation_not_list": (edited(setter("activation", "sigmoid")), r"activation"),
    "activation_count": (edited(setter("activation", ["sigmoid", "tanh"])), r"activation"),
    "unknown_output": (edited(setter("output_activation", "gelu")), r"activation.*'gelu'"),
    "unknown_loss": (edited(setter("loss", "hinge")), r"loss.*'hinge'"),
    "mismatched_loss": (edited(setter("loss", "categorical_crossentropy")),
                        r"categorical_crossentropy.*softmax"),
    "unknown_init": (edited(setter("init", "orthogonal")), r"init.*'orthogonal'"),
    "unknown_regularization": (edited(setter("regularization", "l3")),
                               r"regularization.*'l3'"),
    "list_as_init": (edited(setter("init", ["uniform"])), r"init"),
    "sizes_not_list": (edited(setter("layer_sizes", 3)), r"layer_sizes"),
    "sizes_too_short": (edited(setter("layer_sizes", [2])), r"layer_sizes"),
    "size_zero": (edited(setter("layer_sizes", [2, 0, 1])), r"layer_sizes"),
    "size_negative": (edited(setter("layer_sizes", [2, -3, 1])), r"layer_sizes"),
    "size_float": (edited(setter("layer_sizes", [2, 3.0, 1])), r"layer_sizes"),
    "size_bool": (edited(setter("layer_sizes", [2, True, 1])), r"layer_sizes"),
    "size_string": (edited(setter("layer_sizes", [2, "3", 1])), r"layer_sizes"),
    "huge_sizes": (edited(setter("layer_sizes", [2, 10**9, 1])), r"parameters"),
    "huge_sizes_many": (edited(setter("layer_sizes", [10**6] * 50)), r"parameters"),
    "huge_int_size": (edited(setter("layer_sizes", [2, 10**400, 1])), r"parameters"),
    "bad_seed": (edited(setter("seed", "zero")), r"seed"),
    "negative_seed": (edited(setter("seed", -1)), r"seed"),
    "deep_array": ("[" * 100_000 + "]" * 100_000, r"nested too deeply"),
    "deep_unclosed": ("[" * 100_000, r"nested too deeply|not valid JSON"),
    "deep_object": ('{"a": ' * 100_000 + "1" + "}" * 100_000, r"nested too deeply"),
    "deep_weights": (GOOD.replace('"weights": [', '"weights": ' + "[" * 100_000, 1),
                     r"nested too deeply|not valid JSON"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_text_raises_one_valueerror_naming_the_problem(case):
    text, pattern = HOSTILE[case]
    with pytest.raises(ValueError, match=pattern) as info:
        loads(text)
    assert info.type in (ValueError, json.JSONDecodeError)
    assert len(str(info.value)) < 500  # a message, not a dump of the file
    # the same text as bytes, and as a file, gets the same answer
    with pytest.raises(ValueError, match=pattern):
        loads(text.encode("utf-8"))


@pytest.mark.parametrize("case", ["truncated", "ragged", "nan_literal", "huge_sizes",
                                  "deep_array", "unknown_loss"])
def test_hostile_files_raise_valueerror_from_load(case, tmp_path):
    text, pattern = HOSTILE[case]
    path = tmp_path / "model.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=pattern):
        load(path)


def test_huge_layer_sizes_fail_fast_without_allocating():
    text = edited(setter("layer_sizes", [2, 10**9, 1]))
    tracemalloc.start()
    try:
        start = time.perf_counter()
        with pytest.raises(ValueError, match="parameters"):
            loads(text)
        elapsed = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert elapsed < 1.0
    assert peak < 5_000_000  # nothing near 8 GB of weights was allocated


def test_over_10_megabytes_is_refused_as_text_bytes_and_file(tmp_path):
    padded = GOOD + " " * (ser.MAX_BYTES + 1 - len(GOOD))
    assert len(padded) > 10_000_000
    with pytest.raises(ValueError, match="larger than 10 MB"):
        loads(padded)
    with pytest.raises(ValueError, match="larger than 10 MB"):
        loads(padded.encode())
    path = tmp_path / "big.json"
    path.write_text(padded, encoding="utf-8")
    with pytest.raises(ValueError, match="larger than 10 MB"):
        load(path)
    # just under the limit, the same model with padding still loads
    assert_identical(loads(GOOD + " " * 1000), NeuralNetwork(2, 3, 1, seed=0))


def test_non_utf8_bytes_are_refused(tmp_path):
    raw = GOOD.encode("utf-8").replace(b'"mse"', b'"\xff\xfe"')
    with pytest.raises(ValueError, match="UTF-8"):
        loads(raw)
    path = tmp_path / "latin1.json"
    path.write_bytes(raw)
    with pytest.raises(ValueError, match="UTF-8"):
        load(path)
    with pytest.raises(ValueError, match="UTF-8"):
        loads(b"\x80\x81\x82")


@pytest.mark.parametrize("value", [None, 42, 3.5, ["{}"], {"format": "x"}])
def test_loads_of_something_that_is_not_text(value):
    with pytest.raises(ValueError, match="JSON"):
        loads(value)


# ------------------------------------------------- BOM, long numbers, short messages

def test_a_leading_utf8_bom_is_accepted_as_bytes_and_text(tmp_path):
    net = scrambled(NeuralNetwork(2, 3, 1, seed=0))
    text = dumps(net)
    assert_identical(loads(b"\xef\xbb\xbf" + text.encode("utf-8")), net)
    assert_identical(loads("\ufeff" + text), net)
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert_identical(load(path), net)


MARK = 987654321987


@pytest.mark.parametrize("change, pattern", [
    (weight_setter(MARK), r"weights\[0\] contains a number too large"),
    (setter("regularization_rate", -MARK), r"regularization_rate"),
    (setter("seed", MARK), r"seed"),
    (setter("layer_sizes", [2, MARK, 1]), r"parameters"),
])
def test_a_5000_digit_integer_gets_a_short_normal_message(change, pattern):
    text = edited(change).replace(str(MARK), "9" * 5000)
    with pytest.raises(ValueError, match=pattern) as info:
        loads(text)
    message = str(info.value)
    assert "set_int_max_str_digits" not in message and len(message) <= ser.MAX_MESSAGE


@pytest.mark.parametrize("change", [
    setter("version", "v" * 100_000),
    setter("init", "x" * 100_000),
    setter("regularization", ["y"] * 50_000),
    setter("activation", ["z" * 100_000]),
    setter("output_activation", "o" * 100_000),
    setter("loss", "l" * 100_000),
    lambda data: data.update({f"field{i}": i for i in range(10_000)}),
    setter("layer_sizes", [1] * 52_000),
])
def test_messages_name_the_problem_not_the_data(change):
    with pytest.raises(ValueError) as info:
        loads(edited(change))
    assert len(str(info.value)) <= ser.MAX_MESSAGE


def test_many_layers_are_refused_before_the_network_is_built(monkeypatch):
    built = []
    monkeypatch.setattr(ser, "NeuralNetwork", lambda *a, **k: built.append(a))
    with pytest.raises(ValueError, match="52,000 hidden layers"):
        loads(edited(setter("layer_sizes", [1] * 52_002)))
    assert built == []
