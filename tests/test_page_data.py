"""AppTest checks of the "Your data & model" tab: its callbacks keep the sidebar,
the Config and the session consistent. (Clicks on the plane and file uploads
need a browser: tests/test_data_browser.py.)"""

import html
import re

import numpy as np
from conftest import playground_app_test
from streamlit.testing.v1 import AppTest


def session_of(at):
    """The run the tab's trainer owns (tests may hold it; pages go through the trainer)."""
    return at.session_state["trainer"].read(lambda session: session)


def open_tab() -> AppTest:
    at = playground_app_test()
    at.run()
    at.session_state["page"] = "Your data & model"
    at.run()
    assert not at.exception, at.exception
    return at


def counts(at) -> str:
    return next(m.value for m in at.markdown if re.match(r"\*\*[\d,]+ points?\*\*", m.value))


def assert_consistent(at) -> None:
    """The sidebar widgets describe the session's Config, so the next run changes nothing."""
    session = session_of(at)
    config = at.session_state["config"]
    assert config == session.config
    assert at.session_state["w_dataset"] == config.dataset
    if config.dataset == "blobs":
        assert at.session_state["w_classes"] == config.classes
    data, net = session.data, session.net
    assert data.is_regression == config.is_regression
    if not data.is_regression:
        assert data.class_count == config.class_count
    at.run()
    assert not at.exception, at.exception
    assert session_of(at).net is net  # nothing was rebuilt


def test_tab_shows_the_current_points():
    at = open_tab()
    assert counts(at) == "**500 points** (250 orange · 250 blue)"
    assert "points of the **Circle** data set" in at.info[0].value
    assert any("import mikir" in c.value for c in at.code)
    assert not at.error


def test_regression_and_more_classes_change_the_setup_consistently():
    at = open_tab()
    at.segmented_control(key="dm_problem").set_value("regression").run()
    session = session_of(at)
    assert session.config.dataset == "plane" and session.data.source == "custom"
    assert session.data.is_regression and len(session.data.X_train) == 250
    assert sorted(set(np.concatenate([session.data.y_train, session.data.y_test]))) == [-1, 1]
    assert_consistent(at)

    at.segmented_control(key="dm_problem").set_value("classification").run()
    at.slider(key="dm_classes").set_value(4).run()
    session = session_of(at)
    assert session.config.dataset == "blobs" and session.config.classes == 4
    assert session.data.class_count == 4 and session.net.layer_sizes[-1] == 4
    assert_consistent(at)


def test_start_from_empty_then_use_new_points():
    at = open_tab()
    at.button(key="dm_empty").click().run()
    assert counts(at) == "**0 points**"
    assert "Add at least 2 points" in at.info[0].value
    before = session_of(at)
    assert before.data.source == "generated"  # the Playground keeps its data

    # Points of three classes (as clicks would make them): not usable live,
    # since three classes need other sidebar settings; "Use these points" is.
    X = np.array([[-3.0, 1.0], [0.0, 2.0], [3.0, -1.0], [1.0, 1.0]])
    y = np.array([0, 1, 2, 2])
    at.session_state["custom_points"] = (X, y, "classification", 3)
    at.run()
    assert "does not use these 4 points (3 classes)" in at.warning[0].value
    at.button(key="dm_use").click().run()
    session = session_of(at)
    assert session.data.source == "custom" and session.data.class_count == 3
    assert session.config.dataset == "blobs" and at.session_state["w_classes"] == 3
    assert "trains on these points: 2 for training, 2 for testing" in at.success[0].value
    assert_consistent(at)


def test_start_from_the_current_data_set():
    at = open_tab()
    at.button(key="dm_empty").click().run()
    at.button(key="dm_current").click().run()
    assert counts(at) == "**500 points** (250 orange · 250 blue)"


def test_classroom_link_hides_chosen_controls():
    at = open_tab()
    at.multiselect(key="dm_hide").set_value(["learning_rate", "data"]).run()
    links = [c.value for c in at.code if "hide=" in c.value]
    assert links and links[0].endswith("hide=data,learning_rate")


def alerts(at) -> str:
    return html.unescape(" ".join(h.proto.body for h in at.get("html")
                                  if 'class="mikir-alert"' in h.proto.body))


def use_own_points(at) -> None:
    X = np.array([[-3.0, 1.0], [0.0, 2.0], [3.0, -1.0], [1.0, 1.0]])
    y = np.array([0, 1, 0, 1])
    at.session_state["custom_points"] = (X, y, "classification", 2)
    at.run()
    at.button(key="dm_use").click().run()
    assert session_of(at).data.source == "custom"
    assert "Training on your own 4 points" in alerts(at)


def test_choosing_another_data_set_leaves_own_data_and_its_note():
    at = open_tab()
    use_own_points(at)
    at.selectbox(key="w_dataset").set_value("xor").run()
    assert session_of(at).data.source == "generated"
    assert session_of(at).config.dataset == "xor"
    assert "Training on your own" not in alerts(at)


def test_back_button_leaves_own_data_for_the_data_set_the_selector_shows():
    at = open_tab()
    use_own_points(at)
    shown = at.selectbox(key="w_dataset").value
    assert "go back to Circle" in alerts(at)
    at.button(key="leave_own_data").click().run()
    session = session_of(at)
    assert session.data.source == "generated" and session.config.dataset == shown
    assert len(session.data.X_train) + len(session.data.X_test) == session.config.points
    assert "Training on your own" not in alerts(at)
    assert not any(b.key == "leave_own_data" for b in at.button)
    assert_consistent(at)


def test_an_upload_message_does_not_outlive_a_visit_to_another_page():
    at = open_tab()
    at.session_state["dm_csv_result"] = ("error", "“bad.csv” was not used: line 3.", [])
    at.session_state["dm_model_result"] = ("error", "“net.json” was not loaded.", [])
    at.run()
    assert "bad.csv" in alerts(at) and "net.json" in alerts(at)
    at.session_state["page"] = "Playground"
    at.run()
    at.session_state["page"] = "Your data & model"
    at.run()
    assert not at.exception, at.exception
    assert "bad.csv" not in alerts(at) and "net.json" not in alerts(at)


def open_tab_with(query) -> AppTest:
    at = playground_app_test()
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    at.session_state["page"] = "Your data & model"
    at.run()
    assert not at.exception, at.exception
    return at


def test_a_classroom_link_that_hides_the_data_fixes_it_on_this_page_too():
    at = open_tab_with({"hide": "data,learning_rate", "lr": "0.3"})
    keys = {b.key for b in at.button}
    assert not {"dm_empty", "dm_current", "dm_use"} & keys
    assert not any(getattr(w, "key", None) in ("dm_problem", "dm_mode", "dm_label")
                   for w in at.get("button_group"))
    assert not at.get("file_uploader")  # neither a CSV nor a network
    assert "Your teacher's link sets the data" in alerts(at)
    assert not any(c.proto.component_name == "mikir.live_chart" for c in at.get("bidi_component")
                   if hasattr(c.proto, "component_name"))  # no clickable plane
    assert any(b.key == "dm_download_csv" for b in at.get("download_button"))


def test_hiding_only_the_learning_rate_keeps_uploads_and_says_the_rate():
    at = open_tab_with({"hide": "learning_rate", "lr": "0.3"})
    assert len(at.get("file_uploader")) == 2
    captions = " ".join(h.proto.body for h in at.get("html") if "mikir-caption" in h.proto.body)
    assert "Set by your teacher: learning rate 0.3." in captions
