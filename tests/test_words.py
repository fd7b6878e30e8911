"""AppTest checks of what the sidebar and the lab say (issue 9, item 12): every
label names what its control does, and a refused value is said, not only outlined."""


import pytest
from conftest import playground_app_test
from streamlit.testing.v1 import AppTest

from playground import config as cfg


def run_app() -> AppTest:
    at = playground_app_test()
    at.run()
    assert not at.exception, at.exception
    return at


def session_of(at):
    return at.session_state["trainer"].read(lambda session: session)


def captions(at) -> str:
    return " ".join(h.proto.body for h in at.get("html") if "mikir-caption" in h.proto.body)


def button(at, key):
    return next(b for b in at.button if b.key == key)


def test_the_sidebar_button_beside_reset_draws_new_initial_weights():
    at = run_app()
    assert at.session_state["w_same_weights"]
    assert not any(b.label == "Reset weights" for b in at.button)
    before = session_of(at).net.weights[0].copy()
    seed = at.session_state["config"].init_seed
    button(at, "new_weights").click().run()
    assert at.session_state["config"].init_seed != seed
    assert (session_of(at).net.weights[0] != before).any()
    button(at, "reset").click().run()  # the toolbar's Reset: back to these weights
    assert at.session_state["config"].init_seed != seed


def test_turning_off_the_last_feature_keeps_it_visibly_on_and_says_why():
    at = run_app()
    at.session_state["w_features"] = ["x2"]
    at.run()
    pills = next(p for p in at.get("button_group") if p.key == "w_features")
    pills.set_value([]).run()
    assert not at.exception, at.exception
    assert at.session_state["w_features"] == ["x2"]  # shown on, as the network uses it
    assert session_of(at).config.features == ("x2",)
    assert "at least one input" in captions(at)


@pytest.mark.parametrize("typed, kept", [(9, 8), (0, 1)])
def test_a_neuron_count_out_of_range_is_brought_in_and_said(typed, kept):
    at = run_app()
    at.number_input(key="neurons_0").set_value(typed).run()
    assert not at.exception, at.exception
    assert at.number_input(key="neurons_0").value == kept
    assert session_of(at).config.hidden[0] == kept
    assert f"{typed} became {kept}" in captions(at)


def test_regenerate_is_an_icon_named_by_its_tooltip():
    at = run_app()
    regenerate = button(at, "regenerate")
    assert regenerate.label == "" and regenerate.help.startswith("Regenerate")


def test_the_range_test_names_a_rate_the_slider_offers():
    at = run_app()
    at.session_state["page"] = "Learning-rate lab"
    at.run()
    button(at, "lab_range_run").click().run()
    assert not at.exception, at.exception
    best = next(m for m in at.metric if m.label.startswith("Best rate"))
    assert best.value in {f"{rate:g}" for rate in cfg.LEARNING_RATES}
    text = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption) \
        + " ".join(i.value for i in at.info)
    assert "Playground tab" not in text


def test_counts_of_one_are_singular():
    from playground import page_lab

    assert page_lab._count(1, "epoch") == "1 epoch"
    assert page_lab._count(1200, "epoch") == "1,200 epochs"


def test_weight_titles_are_short_when_many_layers_share_the_width():
    from playground import figures
    from playground.session import TrainingSession

    deep = TrainingSession(cfg.Config(hidden=(8,) * 6))
    figure, blocks, _ = figures.weights_axes_figure(deep)
    titles = [a["text"] for a in figure["layout"]["annotations"]]
    assert titles == [f"<b>W{i}</b>" for i in range(1, 8)]
    assert figure["layout"]["annotations"][1]["hovertext"] == "W2: 8 → 8 neurons"
    shallow = TrainingSession(cfg.Config())  # 2 → 4 → 2 → 1: room for the sizes
    titles = [a["text"] for a in figures.weights_axes_figure(shallow)[0]["layout"]["annotations"]]
    assert titles == ["<b>W1</b>", "<b>W2</b> 4→2", "<b>W3</b>"]


@pytest.mark.parametrize("same_weights", [True, False])
def test_reset_keeps_the_run_as_one_ghost(same_weights):
    at = run_app()
    at.session_state["w_same_weights"] = same_weights
    button(at, "step_epoch").click().run()
    button(at, "step_epoch").click().run()
    button(at, "reset").click().run()
    assert [g["name"] for g in at.session_state["ghosts"]] == ["lr 0.03 · SGD · tanh · 4-2"]


def test_the_script_caption_counts_epochs_in_the_singular_for_one():
    at = run_app()
    at.session_state["page"] = "Your data & model"
    at.run()
    script = next(c.value for c in at.caption if "Rebuilds this run" in c.value)
    assert "and trains 0 epochs." in script
    at.session_state["page"] = "Playground"
    at.run()
    button(at, "step_epoch").click().run()
    at.session_state["page"] = "Your data & model"
    at.run()
    assert not at.exception, at.exception
    script = next(c.value for c in at.caption if "Rebuilds this run" in c.value)
    assert "and trains 1 epoch." in script and "1 epochs" not in script
