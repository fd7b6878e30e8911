"""The learner's own data and models: round trips, and hostile files rejected cleanly."""

from __future__ import annotations

import json

import numpy as np
import pytest

import mikir
from playground import data_io
from playground.config import Config
from playground.data_io import DataError, PointEditor
from playground.session import TrainingSession, make_network


def random_points(n=200, seed=0, classes=3, regression=False):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-6, 6, (n, 2)) * rng.choice([1e-7, 1.0, 1.0, 0.3], (n, 2))
    y = rng.normal(0, 3, n) if regression else np.arange(n) % classes
    return X, y


# --------------------------------------------------------------- round trips
@pytest.mark.parametrize("problem", ["classification", "regression"])
def test_round_trip_is_exact(problem):
    X, y = random_points(regression=problem == "regression")
    text = data_io.to_csv(X, y, problem)
    assert text.splitlines()[0] == ("x1,x2,label" if problem == "classification"
                                    else "x1,x2,target")
    parsed = data_io.parse_csv(text, problem)
    np.testing.assert_array_equal(parsed.X, X)
    np.testing.assert_array_equal(parsed.y, y)
    assert parsed.warnings == []
    if problem == "classification":
        assert parsed.y.dtype == np.int64 and parsed.class_count == 3
    else:
        assert parsed.class_count == 0
    assert data_io.parse_csv(text.encode(), problem).X.tobytes() == X.tobytes()


def test_accepted_variants():
    expected_X = np.array([[1.5, -2.0], [0.25, 3.0], [-1e-3, 4.0]])
    variants = [
        "x1,x2,label\n1.5,-2,0\n0.25,3,1\n-1e-3,4,1\n",
        "1.5,-2,0\n0.25,3,1\n-1e-3,4,1",  # no header
        "x;y;class\r\n1.5;-2;0\r\n0.25;3;1\r\n-1e-3;4;1\r\n",  # semicolons, CRLF
        "X1\tX2\tlabel\n1.5\t-2\t0\n0.25\t3\t1\n-1e-3\t4\t1\n",  # tabs
        "\ufeffx1,x2,label\n\n# a comment\n 1.5 , -2 , 0 \n0.25,3,1.0\n-1E-3,+4,1\n\n",
        '"x1","x2","label"\n"1.5","-2","0"\n0.25,3,1\n-1e-3,4,1\n',
        "x1,x2,label\n1.5,-2,-1\n0.25,3,1\n-1e-3,4,1\n",  # TensorFlow Playground's ±1
    ]
    for text in variants:
        parsed = data_io.parse_csv(text.encode("utf-8"), "classification")
        np.testing.assert_array_equal(parsed.X, expected_X)
        np.testing.assert_array_equal(parsed.y, [0, 1, 1])
        assert parsed.class_count == 2


def test_points_outside_the_drawn_square_are_a_warning():
    parsed = data_io.parse_csv("7,0,0\n0,0,1\n0,-6.5,1\n6,6,0\n", "classification")
    assert len(parsed.X) == 4
    assert parsed.warnings == ["2 of 4 points lie outside the drawn square [-6, 6]²; they "
                               "are used for training but not shown"]


def test_missing_class_is_a_warning():
    parsed = data_io.parse_csv("0,0,0\n1,1,2\n", "classification")
    assert parsed.class_count == 3 and "no point has label 1" in parsed.warnings[0]


# ------------------------------------------------------------- hostile CSVs
TEN_MB_LINE = b"1" * 10_000_000
BINARY = bytes(range(256)) * 40
HOSTILE = [
    (b"", "empty"),
    (b"   \n\n", "empty"),
    ("x1,x2,label\n", "0 points; at least 2"),
    ("1,2,0\n", "1 point; at least 2"),
    ("x1,x2\n1,2\n", "header has 2 columns; expected 3 (x1, x2, label)"),
    ("1,2,0\n3,4\n", "line 2 has 2 columns; expected 3 (x1, x2, label)"),
    ("1,2,0,5\n3,4,1,5\n", "line 1 has 4 columns"),
    ("1,2,0\nabc,2,1\n", "line 2, column 1 (x1): 'abc' is not a number"),
    ("1,2,0\n1,2,one\n", "line 2, column 3 (label): 'one' is not a number"),
    ("1,2,0\n3,,1\n", "line 2, column 2 (x2) is empty"),
    ("1,2,0\n0x1F,2,1\n", "'0x1F' is not a number"),
    ("1,2,0\n1_000,2,1\n", "'1_000' is not a number"),
    ("1,2,0\n=cmd()|' /C calc'!A0,2,1\n",
     "line 2, column 1 (x1): \"=cmd()|' /C calc'!A0\" is not a number"),
    ("1,2,0\n@SUM(1+1),2,1\n", "'@SUM(1+1)' is not a number"),
    ("=HYPERLINK(\"x\"),2,0\n1,2,1\n", "line 1, column 1 (x1)"),
    ("1,nan,0\n2,2,1\n", "line 1, column 2 (x2): 'nan' is not a finite number (NaN"),
    ("1,2,0\n-inf,2,1\n", "'-inf' is not a finite number"),
    ("1,2,0\nInfinity,2,1\n", "'Infinity' is not a finite number"),
    ("1,1e999,0\n2,2,1\n", "'1e999' is too large to be a finite number"),
    ("1,2,0\n2e6,2,1\n", "line 2, column 1 (x1): 2e+06 is outside the allowed range ±1e+06"),
    ("1;2;0\n1,5;2;1\n", "(use a point, not a comma, as the decimal separator)"),
    ("1,2,0\n1,2,1.5\n", "line 2, column 3 (label): 1.5 is not a whole number"),
    ("1,2,0\n1,2,6\n", "line 2, column 3 (label): 6 is not a class; labels are 0 … 5"),
    ("1,2,-2\n1,2,1\n", "-2 is not a class"),
    ("1,2,-1\n1,2,0\n1,2,1\n", "labels mix −1 with other values"),
    ("1,2,1\n3,4,1\n", "every point has label 1; a classification needs at least 2 classes"),
    ("1,2,-1\n3,4,-1\n", "every point has label −1; a classification needs"),
    ("1,2,−1\n3,4,−1\n", "every point has label −1"),
    ("1,2,0\n١,٢,1\n", "line 2, column 1 (x1): '١' is not a number"),
    ("1,2,0\n１０００,2,1\n", "'１０００' is not a number"),
    ("1,2,0\n1,２,1\n", "line 2, column 2 (x2): '２' is not a number"),
    ("1;2;0\n1,5;2;1\n1;2;1", "(use a point, not a comma, as the decimal separator)"),
    ('"1,2,0\n3,4,1\n', "not valid CSV"),
    ("1,2,0\n" + "9" * 200 + ",1,1\n", "too long to be a number"),
    (b"x1,x2,label\n1,2,0\n\x00\x00\x01,2,1\n", "binary (it contains NUL bytes)"),
    (BINARY, "binary"),
    (b"\xff\xfe\x00\x01garbage", "binary"),
    (b"\xc3\x28,1,0\n1,2,1\n", "not UTF-8 text"),
    (b"\x80\x04\x95\x1f" + b"pickle-ish payload", "not UTF-8 text"),
    (TEN_MB_LINE, "the file is 10,000,000 bytes; the limit is 1 MB"),
    (b"1,2,0\n" * 200_000, "the file is 1,200,000 bytes; the limit is 1 MB"),
    ("1,2,0\n" * 200_000, "larger than the limit of 1 MB"),
    ("1,2,0\n2,1,1\n" * 1001, "more than 2000 rows of points; the limit is 2000"),
]


@pytest.mark.parametrize("content,message", HOSTILE,
                         ids=[f"hostile{i}" for i in range(len(HOSTILE))])
def test_hostile_csv_gives_one_clear_error(content, message):
    with pytest.raises(DataError) as caught:
        data_io.parse_csv(content, "classification")
    assert message in str(caught.value)
    assert isinstance(caught.value, ValueError)
    assert "\n" not in str(caught.value)


def test_regression_rejects_what_it_must():
    with pytest.raises(DataError, match=r"column 3 \(target\): 'x' is not a number"):
        data_io.parse_csv("1,2,0.5\n1,2,x\n", "regression")
    with pytest.raises(DataError, match="outside the allowed range"):
        data_io.parse_csv("1,2,0.5\n1,2,1e7\n", "regression")
    parsed = data_io.parse_csv("x1,x2,target\n1,2,0.5\n1,2,-7.25\n", "regression")
    np.testing.assert_array_equal(parsed.y, [0.5, -7.25])
    with pytest.raises(DataError, match="problem must be one of"):
        data_io.parse_csv("1,2,0\n", "clustering")


def test_limits_are_parameters():
    text = "1,2,0\n2,1,1\n" * 3
    with pytest.raises(DataError, match="limit is 5"):
        data_io.parse_csv(text, "classification", max_rows=5)
    with pytest.raises(DataError, match="the file is 36 bytes; the limit is 0.01 kB"):
        data_io.parse_csv(text.encode(), "classification", max_bytes=10)
    assert len(data_io.parse_csv(text, "classification", max_rows=6).X) == 6


def test_nothing_changes_on_error():
    session = TrainingSession(Config())
    data, params = session.data, session.net.get_parameters()
    X_before = data.X_train.copy()
    for content, _ in HOSTILE[:20]:
        with pytest.raises(DataError):
            data_io.parse_csv(content, "classification")
    assert session.data is data
    np.testing.assert_array_equal(session.data.X_train, X_before)
    np.testing.assert_array_equal(session.net.get_parameters(), params)


# ------------------------------------------------------------- point editor
def test_add_and_remove_points_return_new_arrays():
    editor = PointEditor("classification", classes=3)
    X, y = data_io.empty_points("classification")
    X1, y1 = editor.add_point(X, y, 1.0, 2.0, 0)
    X2, y2 = editor.add_point(X1, y1, -3.0, 0.5, 2)
    assert X.shape == (0, 2) and X1.shape == (1, 2)  # inputs untouched
    np.testing.assert_array_equal(X2, [[1.0, 2.0], [-3.0, 0.5]])
    np.testing.assert_array_equal(y2, [0, 2])
    assert y2.dtype == np.int64
    X3, y3 = editor.remove_nearest(X2, y2, -2.8, 0.6, radius=0.5)
    np.testing.assert_array_equal(X3, [[1.0, 2.0]])
    np.testing.assert_array_equal(y3, [0])
    assert len(X2) == 2
    X4, y4 = editor.remove_nearest(X3, y3, 5.0, 5.0)  # nothing near: unchanged copies
    np.testing.assert_array_equal(X4, X3)
    assert X4 is not X3
    X5, _ = editor.remove_nearest(*data_io.empty_points("classification"), 0, 0)
    assert X5.shape == (0, 2)


def test_point_editor_validates():
    editor = PointEditor("classification", classes=2, max_points=3)
    X, y = np.array([[0.0, 0.0]]), np.array([1])
    for x1, x2, label, message in [
        (6.5, 0, 0, "outside the drawn square"),
        (0, -7, 0, "outside the drawn square"),
        (float("nan"), 0, 0, "finite"),
        ("1", 0, 0, "finite number"),
        (0, 0, 2, "label must be a class 0 … 1"),
        (0, 0, True, "label must be a class"),
        (0, 0, 0.5, "label must be a class"),
    ]:
        with pytest.raises(DataError, match=message):
            editor.add_point(X, y, x1, x2, label)
    X, y = editor.add_point(X, y, 1, 1, 0)
    X, y = editor.add_point(X, y, 2, 2, 0)
    with pytest.raises(DataError, match="the limit is 3"):
        editor.add_point(X, y, 3, 3, 1)
    with pytest.raises(DataError):
        PointEditor("classification", classes=7)
    regression = PointEditor("regression")
    Xr, yr = regression.add_point(*data_io.empty_points("regression"), 1, 1, -0.25)
    np.testing.assert_array_equal(yr, [-0.25])
    with pytest.raises(DataError, match="target must be a finite number"):
        regression.add_point(Xr, yr, 0, 0, float("inf"))
    # module-level helpers
    X, y = data_io.add_point(np.empty((0, 2)), [], 0, 0, 1)
    assert data_io.remove_nearest(X, y, 0.1, 0.1)[0].shape == (0, 2)


def test_point_bound_matches_csv_limit():
    assert PointEditor().max_points == data_io.MAX_ROWS == 2000


# ------------------------------------------------------------- custom data
def test_custom_data_is_reproducible_and_trains():
    X, y = random_points(n=40, classes=4)
    a = data_io.custom_data(X, y, ("x1", "x2", "x1_squared"), "classification", 4, 70, seed=3)
    b = data_io.custom_data(X, y, ("x1", "x2", "x1_squared"), "classification", 4, 70, seed=3)
    c = data_io.custom_data(X, y, ("x1", "x2", "x1_squared"), "classification", 4, 70, seed=4)
    np.testing.assert_array_equal(a.X_train, b.X_train)
    np.testing.assert_array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.X_train, c.X_train)
    assert a.source == "custom" and len(a.X_train) == 28 and len(a.X_test) == 12
    assert a.class_count == 4 and a.Y_train.shape == (28, 4) and a.F_train.shape == (28, 3)
    # Every point is kept, once.
    both = np.vstack([a.X_train, a.X_test])
    assert sorted(map(tuple, both)) == sorted(map(tuple, X))
    config = data_io.config_for_data(Config(features=("x1", "x2", "x1_squared")),
                                     "classification", 4)
    session = TrainingSession(config, data=a)
    assert session.net.output_size == 4
    assert session.train_epochs(3)


def test_custom_data_edges():
    tiny = data_io.custom_data([[0, 0], [1, 1]], [0, 1], ("x1", "x2"), "classification", 2,
                               10, seed=0)
    assert len(tiny.X_train) == 1 and len(tiny.X_test) == 1
    with pytest.raises(DataError, match="at least 2"):
        data_io.custom_data([[0, 0]], [0], ("x1", "x2"), "classification", 2, 50, seed=0)
    with pytest.raises(DataError, match="labels must be classes 0 … 1"):
        data_io.custom_data([[0, 0], [1, 1]], [0, 2], ("x1", "x2"), "classification", 2, 50,
                            seed=0)
    with pytest.raises(DataError, match="features"):
        data_io.custom_data([[0, 0], [1, 1]], [0, 1], ("x3",), "classification", 2, 50, seed=0)
    X, y = random_points(n=30, regression=True)
    data = data_io.custom_data(X, y, ("x1", "x2"), "regression", 0, 50, seed=1)
    assert data.is_regression and data.class_count == 0
    config = data_io.config_for_data(Config(), "regression", 0)
    assert config.is_regression
    assert TrainingSession(config, data=data).train_epochs(2)
    assert data_io.config_for_data(Config(dataset="blobs"), "classification", 2).dataset \
        == "circle"
    assert data_io.config_for_data(Config(dataset="xor"), "classification", 2).dataset == "xor"


# ------------------------------------------------------------------ models
def trained_session(config=None):
    session = TrainingSession(config or Config(hidden=(5, 3), activation="relu"))
    session.train_epochs(3)
    return session


@pytest.mark.parametrize("config", [
    Config(hidden=(5, 3), activation="relu"),
    Config(dataset="blobs", classes=5, loss="squared_error", hidden=(2,)),
    Config(dataset="multi_gauss", hidden=(8, 8, 8), features=tuple(data_io.datasets.FEATURES)),
    Config(dataset="spiral", hidden=(), regularization="l1", regularization_rate=0.003),
])
def test_model_round_trip(config):
    session = trained_session(config)
    text = mikir.dumps(session.net)
    net, setup = data_io.parse_model(text.encode(), features=config.features)
    np.testing.assert_array_equal(net.get_parameters(), session.net.get_parameters())
    assert setup.features == config.features and setup.hidden == config.hidden
    rebuilt = data_io.config_for_model(Config(), setup)
    for key, value in setup.config_changes().items():
        assert getattr(rebuilt, key) == value
    assert make_network(rebuilt).config() | {"seed": None} == net.config() | {"seed": None}
    assert setup.notes == ()


def test_loaded_model_continues_training():
    source = trained_session(Config(dataset="blobs", classes=3, hidden=(4, 4)))
    net, setup = data_io.parse_model(mikir.dumps(source.net))
    target = TrainingSession(Config())  # another setup: two classes, (4, 2)
    data_io.load_model_into(target, net, setup)
    assert target.config.dataset == "blobs" and target.config.hidden == (4, 4)
    np.testing.assert_array_equal(target.net.get_parameters(), net.get_parameters())
    assert target.epoch == 0 and len(target.history.epoch) == 1
    assert target.train_epochs(1)


def test_model_that_does_not_fit_custom_data_changes_nothing():
    X, y = random_points(n=30, classes=2)
    session = TrainingSession(Config(), data=data_io.custom_data(
        X, y, ("x1", "x2"), "classification", 2, 50, seed=0))
    params, config = session.net.get_parameters(), session.config
    net, setup = data_io.parse_model(mikir.dumps(trained_session(
        Config(dataset="blobs", classes=4)).net))
    with pytest.raises(DataError, match="the model is for 4 classes but your data is 2 classes"):
        data_io.load_model_into(session, net, setup)
    np.testing.assert_array_equal(session.net.get_parameters(), params)
    assert session.config == config


def test_model_inputs_must_match_the_selected_features():
    net = mikir.NeuralNetwork(3, 4, 1, activation="tanh", init="playground", seed=0)
    with pytest.raises(DataError) as caught:
        data_io.parse_model(mikir.dumps(net), features=("x1", "x2"))
    message = str(caught.value)
    assert "the model has 3 inputs but 2 features are selected" in message
    assert "select exactly 3 features" in message
    # With 3 features selected it fits.
    _, setup = data_io.parse_model(mikir.dumps(net), features=("x1", "x2", "sin_x1"))
    assert setup.features == ("x1", "x2", "sin_x1")
    # 2 and 7 inputs say which features they are.
    two = mikir.NeuralNetwork(2, 1, output_activation="sigmoid", seed=0)
    _, setup = data_io.parse_model(mikir.dumps(two), features=("x1", "x2", "x1_squared"))
    assert setup.features == ("x1", "x2") and "input features set to x1, x2" in setup.notes[0]
    seven = mikir.NeuralNetwork(7, 3, 1, seed=0)
    _, setup = data_io.parse_model(mikir.dumps(seven), features=("x1",))
    assert setup.features == tuple(data_io.datasets.FEATURES)


def good_model() -> dict:
    return json.loads(mikir.dumps(mikir.NeuralNetwork(2, 3, 1, activation="tanh",
                                                      init="playground", seed=0)))


def variant(**changes) -> str:
    data = good_model()
    data.update(changes)
    return json.dumps(data)


HOSTILE_MODELS = [
    (b"", "empty"),
    (b"not json at all", "not valid JSON"),
    (b"[]", "must be a JSON object"),
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    (b"\x80\x04\x95 pickle", "not UTF-8"),
    (b"x" * 1_000_001, "the model file is 1,000,001 bytes; the limit is 1 MB"),
    (variant(format="keras"), "not a mikir model"),
    (variant(weights=[[[1, 2, 3], [4, 5, 6]], [[1], [2]]]), "weights[1] has shape (2, 1)"),
    (variant(weights=[[["1", 2, 3], [4, 5, 6]], [[1], [2], [3]]]), "nested list of numbers"),
    (variant(biases=[[0, 0, 0], [1e999]]).replace("Infinity", "1e999"), "finite"),
    (variant(biases=[[0, 0, 0], [0]]).replace("[0]]", "[NaN]]"), "non-finite number NaN"),
    (variant(extra=1), "unknown field"),
    (variant(activation=["softmax"]), "activation"),
    (variant(output_activation="__import__('os')"), "unknown output layer activation"),
    (variant(layer_sizes=[2, 9, 1], activation=["tanh"],
             weights=[[[0] * 9] * 2, [[0]] * 9], biases=[[0] * 9, [0]]),
     "has 9 neurons; the playground shows at most 8 per layer"),
    (variant(layer_sizes=[2, 1, 1, 1, 1, 1, 1, 1, 1], activation=["tanh"] * 7,
             weights=[[[0]] * 2] + [[[0]]] * 7, biases=[[0]] * 8),
     "7 hidden layers; the playground shows at most 6"),
    (variant(layer_sizes=[2, 3, 7]), "7 outputs; the playground shows at most 6"),
    (variant(layer_sizes=[2, 3, 2], output_activation="softmax",
             loss="categorical_crossentropy", weights=[[[0] * 3] * 2, [[0] * 2] * 3],
             biases=[[0] * 3, [0] * 2]), "does not fit the playground"),
    (variant(output_activation="tanh"), "does not fit the playground"),
    (variant(layer_sizes=[9, 3, 1], weights=[[[0] * 3] * 9, [[0]] * 3]), "9 inputs"),
    (variant(layer_sizes=[2, 3, 3, 1], activation=["tanh", "relu"],
             weights=[[[0] * 3] * 2, [[0] * 3] * 3, [[0]] * 3], biases=[[0] * 3] * 2 + [[0]]),
     "mixes hidden activations"),
]


@pytest.mark.parametrize("content,message", HOSTILE_MODELS,
                         ids=[f"model{i}" for i in range(len(HOSTILE_MODELS))])
def test_hostile_models_are_rejected(content, message):
    session = TrainingSession(Config())
    params = session.net.get_parameters()
    with pytest.raises(DataError) as caught:
        data_io.parse_model(content, features=("x1", "x2"))
    assert message in str(caught.value)
    np.testing.assert_array_equal(session.net.get_parameters(), params)


def test_off_scale_regularization_rate_is_snapped_with_a_note():
    net = mikir.NeuralNetwork(2, 3, 1, activation="tanh", regularization="l2",
                              regularization_rate=0.0004, seed=0)
    _, setup = data_io.parse_model(mikir.dumps(net))
    assert setup.regularization == "l2" and setup.regularization_rate == 0.001
    assert "not on the playground's scale" in setup.notes[0]


def test_unicode_minus_is_read_as_minus():
    parsed = data_io.parse_csv("x1,x2,target\n−1.5,2,−0.25\n1,−2e−1,3\n", "regression")
    np.testing.assert_array_equal(parsed.X, [[-1.5, 2], [1, -0.2]])
    np.testing.assert_array_equal(parsed.y, [-0.25, 3])


def test_a_model_file_with_a_utf8_bom_is_accepted():
    text = mikir.dumps(mikir.NeuralNetwork(2, 3, 1, activation="tanh", seed=0))
    net, setup = data_io.parse_model(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert net.layer_sizes == (2, 3, 1) and setup.hidden == (3,)


def test_a_huge_integer_in_a_model_gets_a_short_normal_message():
    content = variant(biases=[[0, 0, 987654321], [0]]).replace("987654321", "9" * 5000)
    with pytest.raises(DataError, match="biases") as caught:
        data_io.parse_model(content)
    assert "set_int_max_str_digits" not in str(caught.value)


def test_a_model_too_deep_for_the_playground_is_refused_before_it_is_built(monkeypatch):
    """52,000 one-neuron layers fit the size and parameter limits; the shape does not."""
    sizes = [2] + [1] * 52_000 + [1]
    data = good_model() | {"layer_sizes": sizes, "activation": ["tanh"] * 52_000,
                           "weights": [[[0]] * a for a in sizes[:-1]],
                           "biases": [[0]] * (len(sizes) - 1)}
    content = json.dumps(data, separators=(",", ":"))
    assert len(content) < data_io.MAX_MODEL_BYTES
    monkeypatch.setattr(data_io.serialize, "from_dict",
                        lambda data: pytest.fail("the network was built"))
    with pytest.raises(DataError) as caught:
        data_io.parse_model(content)
    assert str(caught.value) == ("the model has 52,000 hidden layers; the playground "
                                 "shows at most 6")


@pytest.mark.parametrize("sizes, message", [
    ([10**30, 3, 1], "over a billion inputs"),
    ([2, 10**30, 1], "has over a billion neurons"),
    ([2, 3, 10**30], "over a billion outputs"),
])
def test_absurd_layer_sizes_are_named_briefly(sizes, message):
    with pytest.raises(DataError, match=message) as caught:
        data_io.parse_model(variant(layer_sizes=sizes))
    assert len(str(caught.value)) < 120


def test_every_data_error_message_is_short():
    assert len(str(DataError("x" * 100_000))) == data_io.MAX_MESSAGE
