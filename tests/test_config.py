"""The share link: a Config survives the URL, and hostile values are clamped or refused."""

import pytest

from playground import config as cfg
from playground.config import DEFAULT, Config, from_query, to_query


def roundtrip(config):
    query = to_query(config)
    assert all(isinstance(v, str) for v in query.values())
    parsed, notices = from_query(query)
    assert notices == []
    return parsed


@pytest.mark.parametrize("config", [
    DEFAULT,
    Config(dataset="spiral", noise=25, train_percent=70, points=800, seed=42, init_seed=7,
           features=("x1", "x2", "sin_x1"), hidden=(8, 8, 3), activation="relu",
           learning_rate=0.1, optimizer="adam", batch_size=30, regularization="l2",
           regularization_rate=0.003, speed=100),
    Config(dataset="blobs", classes=5, hidden=(), loss="squared_error", speed=0,
           hide=("data", "learning_rate")),
    Config(dataset="multi_gauss", points=1200, learning_rate=0.00001, optimizer="momentum",
           regularization="l1", regularization_rate=10.0, batch_size=1),
])
def test_share_link_round_trips_every_setting(config):
    assert roundtrip(config) == config


def test_share_link_leaves_defaults_out_but_keeps_seeds():
    query = to_query(DEFAULT)
    assert set(query) == {"seed", "wseed"}


@pytest.mark.parametrize("params, field, expected, fragment", [
    ({"noise": "70"}, "noise", 50, "outside 0–50"),
    ({"noise": "-5"}, "noise", 0, "outside"),
    ({"train": "99"}, "train_percent", 90, "outside"),
    ({"points": "1000000000"}, "points", 2000, "outside"),
    ({"seed": "-1"}, "seed", 0, "outside"),
    ({"layers": "9,20"}, "hidden", (8, 8), "outside"),
    ({"layers": "1,2,3,4,5,6,7,8"}, "hidden", (1, 2, 3, 4, 5, 6), "outside"),
    ({"lr": "0.05"}, "learning_rate", 0.03, "not on the scale"),
    ({"lr": "1e308"}, "learning_rate", 10.0, "not on the scale"),
    ({"rate": "0.002"}, "regularization_rate", 0.003, "not on the scale"),
    ({"classes": "40"}, "classes", 6, "outside"),
])
def test_out_of_range_values_are_clamped_with_a_notice(params, field, expected, fragment):
    config, notices = from_query(params)
    assert getattr(config, field) == expected
    assert len(notices) == 1 and fragment in notices[0].text


@pytest.mark.parametrize("params, field", [
    ({"data": "<script>alert(1)</script>"}, "dataset"),
    ({"data": "__import__('os')"}, "dataset"),
    ({"noise": "abc"}, "noise"),
    ({"noise": "nan"}, "noise"),
    ({"noise": "inf"}, "noise"),
    ({"noise": "1.5"}, "noise"),
    ({"lr": "0"}, "learning_rate"),
    ({"lr": "-1"}, "learning_rate"),
    ({"lr": "nan"}, "learning_rate"),
    ({"layers": "a,b"}, "hidden"),
    ({"layers": ",".join(["4"] * 500)}, "hidden"),
    ({"features": "rm -rf"}, "features"),
    ({"activation": "gelu"}, "activation"),
    ({"optimizer": "lbfgs"}, "optimizer"),
    ({"speed": "7"}, "speed"),
    ({"hide": "everything"}, "hide"),
    ({"batch": "1e400"}, "batch_size"),
    ({"points": "1_000"}, "points"),
    ({"points": "１０００"}, "points"),
    ({"noise": "١"}, "noise"),
    ({"seed": "0x10"}, "seed"),
    ({"lr": "٠.١"}, "learning_rate"),
    ({"layers": "٤,٢"}, "hidden"),
])
def test_invalid_values_fall_back_to_the_default_with_a_notice(params, field):
    config, notices = from_query(params)
    assert getattr(config, field) == getattr(DEFAULT, field)
    assert len(notices) == 1
    assert "not valid" in notices[0].text and "default" in notices[0].text


def test_huge_and_list_values_are_bounded():
    config, notices = from_query({"data": ["spiral", "xor"], "noise": "1" * 100_000})
    assert config.dataset == "spiral"
    assert config.noise == 50 and notices  # clamped, not a crash


def test_unknown_parameters_are_ignored():
    config, notices = from_query({"evil": "1", "__class__": "x"})
    assert config == DEFAULT and notices == []


def test_batch_is_clamped_to_the_training_set():
    config, notices = from_query({"points": "100", "train": "10", "batch": "30"})
    assert config.batch_size == cfg.train_size(config) == 10
    assert any("Batch size" in n.text for n in notices)


def test_feature_order_is_canonical_and_duplicates_dropped():
    config, _ = from_query({"features": "sin_x2,x1,x1"})
    assert config.features == ("x1", "sin_x2")


def test_rebuild_needed_only_for_structural_changes():
    assert not cfg.needs_rebuild(DEFAULT, DEFAULT.replace(learning_rate=1.0, optimizer="adam",
                                                          batch_size=5, speed=100))
    assert cfg.needs_rebuild(DEFAULT, DEFAULT.replace(hidden=(3,)))
    assert cfg.needs_rebuild(DEFAULT, DEFAULT.replace(dataset="xor"))


@pytest.mark.parametrize("params, field, expected", [
    ({"seed": "−5"}, "seed", 0),  # the Unicode minus: a negative number, clamped
    ({"rate": "−1"}, "regularization_rate", DEFAULT.regularization_rate),
    ({"noise": "１０"}, "noise", DEFAULT.noise),
])
def test_url_numbers_are_ascii_digits_with_either_minus(params, field, expected):
    config, notices = from_query(params)
    assert getattr(config, field) == expected and len(notices) == 1


@pytest.mark.parametrize("params, text", [
    ({"features": "sin_x1,bad"}, "Features: “bad”"),
    ({"lr": "abc"}, "using the default (0.03)."),
    ({"features": "nonsense"}, "using the default (x1, x2)."),
    ({"hide": "everything"}, "using the default (none)."),
    ({"rate": "11"}, "using 10."),
    ({"lr": "0.000011"}, "using 0.00001."),
    ({"layers": "9,20"}, "using 8, 8."),
])
def test_notices_print_values_as_people_write_them(params, text):
    _, notices = from_query(params)
    assert len(notices) == 1 and text in notices[0].text
    assert not any(python in notices[0].text for python in ("((", "'", "10.0", "()"))


def test_one_bad_name_keeps_the_good_ones_and_is_named():
    config, notices = from_query({"hide": "data,foo"})
    assert config.hide == ("data",)
    assert len(notices) == 1 and "“foo”" in notices[0].text and "data" in notices[0].text
    config, notices = from_query({"features": "foo,x1,bar"})
    assert config.features == ("x1",)
    assert "“foo”, “bar” are not features" in notices[0].text


@pytest.mark.parametrize("key, field", [("layers", "hidden"), ("features", "features"),
                                        ("data", "dataset"), ("noise", "noise")])
def test_an_empty_value_gives_a_notice(key, field):
    config, notices = from_query({key: ""})
    assert getattr(config, field) == getattr(DEFAULT, field)
    assert len(notices) == 1 and "no value given" in notices[0].text


def test_no_hidden_layers_is_written_and_read_as_zero():
    config, notices = from_query({"layers": "0"})
    assert config.hidden == () and notices == []


def test_a_notice_holds_until_its_setting_changes():
    config, notices = from_query({"lr": "0.05", "noise": "70", "hide": "data,foo"})
    assert len(cfg.current_notices(notices, config)) == 3
    changed = config.replace(learning_rate=0.1)
    left = cfg.current_notices(notices, changed)
    assert [n.setting for n in left] == ["noise", "hide"]
    assert cfg.current_notices(notices, changed.replace(noise=10, hide=())) == []


def test_rejected_values_are_shown_short_and_printable():
    _, notices = from_query({"data": "a\nb\x00" + "x" * 500})
    text = notices[0].text
    assert "\n" not in text and "\x00" not in text and len(text) < 120
