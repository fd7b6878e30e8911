"""AppTest smoke tests: the page runs, its widgets work, bad links give notices."""

import json

import numpy as np
import pytest
from conftest import playground_app_test
from streamlit.testing.v1 import AppTest


def session_of(at):
    """The run the tab's trainer owns (tests may hold it; pages go through the trainer)."""
    return at.session_state["trainer"].read(lambda session: session)


def run_app(query=None) -> AppTest:
    at = playground_app_test()
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def scene(at) -> dict:
    """What the page sends the live view (AppTest does not run its JavaScript)."""
    element = next(e for e in at.get("bidi_component")
                   if e.proto.component_name == "mikir.live_view")
    return json.loads(element.proto.bytes)


def button(at, key):
    return next(b for b in at.button if b.key == key)


def test_page_runs_with_every_view():
    at = run_app()
    view = scene(at)
    assert view["frame"]["epoch"] == 0 and view["frame"]["steps"] == 0
    assert view["net"]["sizes"] == [2, 4, 2, 1]
    assert len(view["frame"]["params"]) == 2 * 4 + 4 * 2 + 2 + 4 + 2 + 1
    assert set(view["figures"]) == {"output", "loss", "weights"}
    assert button(at, "play").label == "Play"
    assert at.selectbox(key="w_dataset").value == "circle"


def test_play_button_toggles_its_label():
    at = run_app()
    button(at, "play").click().run()
    assert button(at, "play").label == "Pause"
    button(at, "play").click().run()
    assert button(at, "play").label == "Play"


def test_step_trains_one_batch_and_step_epoch_one_epoch():
    at = run_app()
    trainer = at.session_state["trainer"]
    loss = trainer.frame().train_loss
    button(at, "step").click().run()
    frame = trainer.frame()
    assert (frame.steps, frame.epoch, frame.batch) == (1, 0, 1)
    button(at, "step_epoch").click().run()
    frame = trainer.frame()
    assert (frame.epoch, frame.batch) == (1, 0) and frame.steps == frame.batches
    assert frame.train_loss != loss and not trainer.playing


def test_choosing_spiral_rebuilds_the_run():
    at = run_app()
    at.selectbox(key="w_dataset").select("spiral").run()
    session = session_of(at)
    assert session.config.dataset == "spiral"
    assert session.data.X_train.shape == (250, 2)


def test_learning_rate_change_keeps_training_state():
    at = run_app()
    button(at, "step_epoch").click().run()
    at.select_slider(key="w_learning_rate").set_value(0.3).run()
    session = session_of(at)
    assert session.epoch == 1 and session.optimizer.learning_rate == 0.3


def test_adding_a_layer_changes_the_network():
    at = run_app()
    button(at, "add_layer").click().run()
    assert session_of(at).net.layer_sizes == (2, 4, 2, 4, 1)


def test_share_link_sets_up_the_run():
    at = run_app({"data": "xor", "layers": "3,3", "lr": "0.1", "seed": "5", "wseed": "9"})
    session = session_of(at)
    assert session.config.dataset == "xor" and session.net.layer_sizes == (2, 3, 3, 1)
    assert session.config.seed == 5 and session.config.init_seed == 9
    assert not at.warning


@pytest.mark.parametrize("query", [
    {"data": "<img src=x onerror=alert(1)>"},
    {"lr": "NaN"},
    {"layers": "99999999999999999999"},
    {"noise": "1e999"},
])
def test_hostile_share_links_give_a_notice_not_a_traceback(query):
    at = run_app(query)
    notices = [h.proto.body for h in at.get("html") if 'class="mikir-alert"' in h.proto.body]
    assert notices and "Share link:" in notices[0]
    assert scene(at)["frame"]["epoch"] == 0


def test_classroom_link_hides_chosen_controls():
    at = run_app({"hide": "learning_rate,data"})
    keys = {w.key for w in at.select_slider} | {w.key for w in at.selectbox}
    assert "w_learning_rate" not in keys and "w_dataset" not in keys
    assert "w_activation" in keys


def test_diverging_run_pauses_with_a_message():
    at = run_app({"data": "plane", "activation": "relu", "layers": "8,8,8", "lr": "10"})
    for _ in range(8):
        button(at, "step_epoch").click().run()
        if at.session_state["trainer"].frame().diverged:
            break
    assert any("diverged" in error.value for error in at.error)
    assert at.session_state["trainer"].frame().diverged
    assert button(at, "play").disabled
    at.button(key="rewind").click().run()  # Play is possible again, the status finite
    frame = at.session_state["trainer"].frame()
    assert frame.diverged is None and np.isfinite(frame.train_loss)
    assert not button(at, "play").disabled



def test_widget_state_lost_by_an_interrupted_run_is_restored_from_the_config(monkeypatch):
    from playground import config as cfg
    from playground import controls

    config = cfg.DEFAULT.replace(dataset="spiral", features=("x1", "x2", "sin_x1"))
    state = {"w_dataset": "xor"}  # Streamlit dropped every other widget key
    monkeypatch.setattr(controls.st, "session_state", state)
    controls.seed_widgets(config, only_missing=True)
    assert state["w_features"] == ["x1", "x2", "sin_x1"]
    assert state["w_dataset"] == "xor"  # what the learner chose is kept
    assert set(state) == set(controls.widget_values(config))


def test_ghost_runs_of_another_problem_are_not_shown():
    at = run_app()
    button(at, "step_epoch").click().run()
    button(at, "step_epoch").click().run()
    at.selectbox(key="w_dataset").set_value("xor").run()  # two classes again: comparable
    assert len(at.session_state["ghosts"]) == 1
    button(at, "step_epoch").click().run()
    at.selectbox(key="w_dataset").set_value("plane").run()  # regression: not comparable
    assert not at.exception, at.exception
    assert list(at.session_state["ghosts"]) == []
    assert all(t.get("legendgroup") != "ghosts" for t in scene(at)["figures"]["loss"]["data"])


def test_play_pressed_with_a_change_that_restarts_the_run_plays_the_new_run():
    """Streamlit runs Play's callback before the script applies a new data set
    (which starts the run over, paused): the learner's last word, Play, wins."""
    at = run_app()
    at.selectbox(key="w_dataset").select("spiral")
    button(at, "play").click()
    at.run()
    trainer = at.session_state["trainer"]
    assert session_of(at).config.dataset == "spiral"
    assert trainer.playing and button(at, "play").label == "Pause"
    trainer.pause()


def test_clicking_the_page_shown_keeps_it_selected():
    at = run_app()
    at.button_group(key="page").set_value("Learning-rate lab").run()
    at.button_group(key="page").set_value(None).run()  # the shown page clicked again
    assert at.button_group(key="page").value == "Learning-rate lab"
    assert not at.exception
