"""The "Your data & model" page: click points, CSV in and out, networks in and out,
a Python script of the run, and a classroom link.

Streamlit code only; every computation lives in ``data_io`` and ``export``.

The learner's points (the "draft") live in ``state.custom_points`` as
``(X, y, problem, classes)``. An edit goes to the Playground at once when the
draft is of the same kind (regression, or k classes) as the current setup;
changing the kind changes sidebar settings (the data set), which is only
possible in a callback, before the sidebar is drawn — so kind changes, uploads
and "Use these points" are callbacks that also re-seed the sidebar widgets.
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlencode, urlsplit

import numpy as np
import streamlit as st

import mikir

from . import config as cfg
from . import controls, data_io, export, figures, plain_text
from .data_io import DataError
from .live_chart import live_chart
from .session import CLASS_NAMES, Data, TrainingSession

EDITOR_KEY = "chart_data_editor"
EDITOR_HEIGHT = 520
REMOVE_RADIUS = 0.5  # data units: a click this close to a point removes it
LOW, HIGH = data_io.LOW, data_io.HIGH
MAX_MB = data_io.MAX_BYTES / 1_000_000
HIDE_LABELS = {
    "data": "Data set", "noise": "Noise", "train": "Training share", "points": "Points",
    "seed": "Data seed & Regenerate", "features": "Features", "layers": "Hidden layers",
    "activation": "Activation", "learning_rate": "Learning rate", "optimizer": "Optimizer",
    "batch": "Batch size", "regularization": "Regularization", "loss": "Loss",
    "speed": "Speed",
}
PROBLEM_LABELS = {"classification": "Classification", "regression": "Regression"}


# ------------------------------------------------------------------ the draft
def _points_of(data: Data):
    """All of a session's points (training then test) as a draft."""
    X = np.vstack([data.X_train, data.X_test])
    y = np.concatenate([data.y_train, data.y_test])
    if data.is_regression:
        return X, y.astype(np.float64), "regression", 0
    return X, y.astype(np.int64), "classification", int(data.class_count)


def _data(state) -> Data:
    """The Playground's points (a Data is never changed in place, so keeping it is safe)."""
    return state.trainer.read(lambda session: session.data)


def _view(state) -> TrainingSession:
    """A consistent copy of the Playground's run, to read and draw from."""
    return state.trainer.read(TrainingSession.copy)


def _draft(state):
    if "custom_points" not in state:
        state.custom_points = _points_of(_data(state))
    return state.custom_points


def _sorted(X, y):
    order = np.lexsort((y, X[:, 1], X[:, 0]))
    return X[order], y[order]


def _in_use(state) -> bool:
    """Does the Playground train on exactly the draft's points?"""
    X, y, problem, classes = _draft(state)
    dX, dy, d_problem, d_classes = _points_of(_data(state))
    if (problem, classes) != (d_problem, d_classes) or len(X) != len(dX):
        return False
    (a, b), (c, d) = _sorted(X, y), _sorted(dX, dy)
    return np.array_equal(a, c) and np.array_equal(b, d)


def _kind_text(problem: str, classes: int) -> str:
    return "regression" if problem == "regression" else f"{classes} classes"


def _convert(X, y, problem, classes, new_problem, new_classes):
    """The draft as another kind of problem, and a note on what changed (or None)."""
    if problem == new_problem == "classification":
        keep = y < new_classes
        if keep.all():
            return X, y, None
        dropped = int((~keep).sum())
        return X[keep], y[keep], (f"{dropped} point{'s' * (dropped != 1)} of the removed "
                                  f"class{'es' * (classes - new_classes > 1)} "
                                  f"{'were' if dropped != 1 else 'was'} removed.")
    if problem == new_problem:
        return X, y, None
    if new_problem == "regression":  # class k of K → a target from −1 (orange) to +1 (blue)
        targets = -1.0 + 2.0 * y.astype(np.float64) / max(classes - 1, 1)
        return X, targets, ("Classes became targets from −1 (orange) to +1 (blue)."
                            if len(y) else None)
    labels = (y >= 0).astype(np.int64)  # the sign, as TensorFlow Playground colours it
    return X, labels, ("Targets became classes: below 0 → orange, 0 and above → blue."
                       if len(y) else None)


def _install(state, in_callback: bool) -> bool:
    """Make the Playground train on the draft (True), when that is possible now.

    Outside a callback the sidebar is already drawn, so only an install that
    keeps the Config (same kind of problem) is allowed there.
    """
    X, y, problem, classes = _draft(state)
    config = data_io.config_for_data(state.config, problem, classes)
    if len(X) < 2 or (config != state.config and not in_callback):
        return False
    data = data_io.custom_data(X, y, config.features, problem, classes or 2,
                               config.train_percent, config.seed)
    _use_session(state, TrainingSession(config, data=data), in_callback)
    return True


def _use_session(state, session: TrainingSession, in_callback: bool) -> None:
    """The trainer takes over ``session`` (paused); nothing else keeps it."""
    config = session.config
    state.trainer.adopt(session)
    state.config = config
    if in_callback:
        controls.seed_widgets(config)


# ------------------------------------------------------------------ callbacks
def _start_empty() -> None:
    state = st.session_state
    _, _, problem, classes = _draft(state)
    X, y = data_io.empty_points(problem)
    state.custom_points = (X, y, problem, classes)
    state.dm_flash = None


def _start_current() -> None:
    state = st.session_state
    state.custom_points = _points_of(_data(state))
    state.dm_flash = None


def _change_kind() -> None:
    """The Problem or Classes control changed: convert the draft and use it."""
    state = st.session_state
    X, y, problem, classes = _draft(state)
    new_problem = state.get("dm_problem") or problem
    new_classes = int(state.get("dm_classes") or 2) if new_problem == "classification" else 0
    X, y, note = _convert(X, y, problem, classes, new_problem, new_classes)
    state.custom_points = (X, y, new_problem, new_classes)
    state.dm_flash = ("info", note) if note else None
    try:
        installed = _install(state, in_callback=True)
    except DataError as error:
        state.dm_flash = ("error", f"These points cannot be used: {error}")
        return
    if not installed:
        # Too few points yet: switch to a generated data set of the new kind, so
        # the points clicked next go to the Playground as they are added.
        config = data_io.config_for_data(state.config, new_problem, new_classes)
        if config != state.config:
            _use_session(state, TrainingSession(config), in_callback=True)


def _use_points() -> None:
    state = st.session_state
    try:
        _install(state, in_callback=True)
    except DataError as error:
        state.dm_flash = ("error", f"These points cannot be used: {error}")


def _header_problem(raw: bytes) -> str | None:
    """The problem a CSV header names: ``x1,x2,label`` or ``x1,x2,target``; else None."""
    text = raw[:500].decode("utf-8", "replace").removeprefix("\ufeff")
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        for delimiter in (",", ";", "\t"):
            cells = [c.strip().strip('"').lower() for c in line.split(delimiter)]
            if len(cells) == 3:
                if cells[2] in ("target", "value"):
                    return "regression"
                if cells[2] in ("label", "class"):
                    return "classification"
        return None
    return None


def _load_csv() -> None:
    """A CSV was uploaded (or the column choice changed): read it, use it if it is good."""
    state = st.session_state
    file = state.get("dm_csv")
    if file is None:  # the learner removed the file: the data stays as it is
        state.pop("dm_csv_result", None)
        state.pop("dm_csv_digest", None)
        return
    raw = file.getvalue()
    name = plain_text.quoted(file.name)  # the browser's name for it: plain text
    digest = (hashlib.sha256(raw).hexdigest(), state.get("dm_csv_problem"))
    if state.get("dm_csv_digest") == digest:
        return  # this very file was read already
    state.dm_csv_digest = digest
    problem = _header_problem(raw) or state.get("dm_csv_problem", "classification")
    try:
        parsed = data_io.parse_csv(raw, problem)
        state.custom_points = (parsed.X, parsed.y, problem, parsed.class_count)
        _install(state, in_callback=True)
    except DataError as error:
        state.dm_csv_result = ("error", f"{name} was not used: {error}. Your data is "
                                        "unchanged.", [])
        return
    except Exception as error:  # noqa: BLE001 — never a traceback on the page
        state.dm_csv_result = ("error", f"{name} could not be read "
                                        f"({type(error).__name__}). Your data is unchanged.", [])
        return
    kind = _kind_text(problem, parsed.class_count)
    state.dm_csv_result = ("success", f"Using {len(parsed.X):,} points ({kind}) from "
                                      f"{name}.", list(parsed.warnings))
    state.dm_flash = None


def _load_model() -> None:
    """A model JSON was uploaded: check it, and continue training from its weights."""
    state = st.session_state
    file = state.get("dm_model")
    if file is None:
        state.pop("dm_model_result", None)
        state.pop("dm_model_digest", None)
        return
    raw = file.getvalue()
    name = plain_text.quoted(file.name)  # the browser's name for it: plain text
    digest = hashlib.sha256(raw).hexdigest()
    if state.get("dm_model_digest") == digest:
        return
    state.dm_model_digest = digest
    try:
        net, setup = data_io.parse_model(raw, features=state.config.features)
        # Into a new session on the same data: a failed load must change nothing.
        session = TrainingSession(state.trainer.session_config, data=_data(state))
        data_io.load_model_into(session, net, setup)
    except DataError as error:
        state.dm_model_result = ("error", f"{name} was not loaded: {error}. Nothing "
                                          "was changed.", [])
        return
    except Exception as error:  # noqa: BLE001 — never a traceback on the page
        state.dm_model_result = ("error", f"{name} could not be loaded "
                                          f"({type(error).__name__}). Nothing was changed.", [])
        return
    layers = " → ".join(map(str, session.net.layer_sizes))
    _use_session(state, session, in_callback=True)
    state.dm_model_result = ("success", f"Loaded {name}: network {layers}, "
                                        f"{_kind_text(setup.problem, setup.classes)}. The "
                                        "Playground continues from its weights (epoch 0).",
                             list(setup.notes))


# ---------------------------------------------------------------------- page
def leave(state) -> None:
    """Another page is shown: the upload fields empty themselves (Streamlit drops an
    undrawn widget's file), so their messages and the memory of the files go too."""
    for key in ("dm_csv_result", "dm_csv_digest", "dm_model_result", "dm_model_digest",
                "dm_flash"):
        state.pop(key, None)


def render(state) -> None:
    st.markdown("Make the data yours — click points onto the plane or upload a CSV — "
                "and take the network with you: as JSON, or as a Python script.")
    if _data_fixed(state):
        st.markdown("#### Your own data")
        plain_text.alert("Your teacher's link sets the data: clicking points and uploading "
                         "a CSV are switched off. You can still download the points.", "info")
    else:
        _editor(state)
    st.divider()
    left, right = st.columns(2, gap="large")
    with left:
        _csv_section(state)
    with right:
        _model_section(state)
    st.divider()
    _script_section(state)
    st.divider()
    _classroom_section(state)


def _editor(state) -> None:
    X, y, problem, classes = _draft(state)
    st.markdown("#### Your own data")
    chart_column, controls_column = st.columns([1.25, 1], gap="large")

    with controls_column:
        state.dm_problem = problem
        if problem == "classification":
            state.dm_classes = classes
        kind, count = st.columns([1.3, 1])
        kind.segmented_control("Problem", data_io.PROBLEMS, key="dm_problem", required=True,
                               format_func=PROBLEM_LABELS.get, on_change=_change_kind)
        if problem == "classification":
            count.slider("Classes", 2, data_io.MAX_CLASSES, key="dm_classes",
                         on_change=_change_kind)
        state.setdefault("dm_mode", "Add")
        mode = st.segmented_control("Click on the plane to", ("Add", "Remove"), key="dm_mode",
                                    required=True,
                                    help=f"Remove takes away the point nearest the click "
                                         f"(within {REMOVE_RADIUS:g}).")
        if problem == "classification":
            if state.get("dm_label") is None or state.dm_label >= classes:
                state.dm_label = 0
            _class_pill_colours(classes)
            label = st.pills("Class of new points", list(range(classes)), key="dm_label",
                             required=True, format_func=CLASS_NAMES.__getitem__)
        else:
            state.setdefault("dm_target", 1.0)
            label = st.slider("Target of new points", -1.0, 1.0, step=0.1, key="dm_target",
                              help="Drawn from orange (−1) through grey (0) to blue (+1). "
                                   f"Any value within ±{data_io.MAX_ABS_VALUE:g} is allowed "
                                   "in a CSV.")
        with st.container(horizontal=True):
            st.button("Start from empty", key="dm_empty", on_click=_start_empty,
                      icon=":material/layers_clear:")
            st.button("Start from the current data set", key="dm_current",
                      on_click=_start_current, icon=":material/refresh:",
                      help="Copy the points the Playground uses now (training and test).")
        _counts(state)
        _status(state)
        flash = state.pop("dm_flash", None)
        if flash:
            plain_text.alert(flash[1], flash[0])  # may quote a file's or a click's values

    with chart_column:
        hint = ("click to add a point" if mode != "Remove"
                else "click a point to remove it")
        st.markdown(f"**Input plane** · {hint} · the background is the network's output")
        figure = _editor_figure(state, mode)
        click = live_chart(figure, key=EDITOR_KEY, height=EDITOR_HEIGHT, on_click=True,
                           config={"displayModeBar": False})
    if click:
        _apply_click(state, click, mode, label)


def _class_pill_colours(classes: int) -> None:
    """A dot of each class's colour before its name on the class pills."""
    rules = "".join(
        f".st-key-dm_label button:nth-of-type({k + 1}) p::before {{content: '●'; "
        f"color: {figures.CLASS_COLORS[k]}; margin-right: 0.3em; font-size: 1.15em}}"
        for k in range(classes))
    st.html(f"<style>{rules}</style>")


def _counts(state) -> None:
    X, y, problem, classes = _draft(state)
    with st.container(key="dm_counts"):
        if problem == "classification" and len(y):
            per_class = np.bincount(y, minlength=classes)
            parts = " · ".join(f"{n} {CLASS_NAMES[k]}" for k, n in enumerate(per_class))
            text = f"**{len(X):,} points** ({parts})"
        elif len(y):
            text = (f"**{len(X):,} point{'s' * (len(X) != 1)}** (targets from "
                    f"{y.min():.3g} to {y.max():.3g})")
        else:
            text = "**0 points**"
        st.markdown(text)
        st.caption(f"Limits: at most {data_io.MAX_ROWS:,} points, inside the square "
                   f"[{LOW:g}, {HIGH:g}]². The Playground splits them at random (data seed) "
                   "into training and test points by the sidebar's training share.")


def _status(state) -> None:
    X, y, problem, classes = _draft(state)
    data = _data(state)
    if _in_use(state):
        if data.source == "custom":
            st.success(f"The Playground trains on these points: {len(data.X_train):,} for "
                       f"training, {len(data.X_test):,} for testing.", icon=":material/check:")
        else:
            name = cfg.DATASET_LABELS.get(state.config.dataset, state.config.dataset)
            st.info(f"These are the points of the **{name}** data set. Your first click "
                    "makes them your own data.", icon=":material/info:")
        return
    if len(X) < 2:
        name = cfg.DATASET_LABELS.get(state.config.dataset, state.config.dataset)
        current = "its current data" if data.source == "custom" else f"the {name} data set"
        st.info("Add at least 2 points (one to train on, one to test). Until then the "
                f"Playground uses {current}.", icon=":material/info:")
        return
    st.warning(f"The Playground does not use these {len(X):,} points "
               f"({_kind_text(problem, classes)}) yet.", icon=":material/pending:")
    st.button("Use these points", key="dm_use", type="primary", on_click=_use_points,
              icon=":material/check:")


def _editor_figure(state, mode: str) -> dict:
    """The output map with the draft's points; clicks report exact plane coordinates."""
    X, y, problem, classes = _draft(state)
    figure = figures.output_figure(_view(state), height=EDITOR_HEIGHT)
    heatmap = figure["data"][0]
    heatmap.pop("hovertemplate", None)
    heatmap["hoverinfo"] = "skip"
    heatmap["opacity"] = 0.75
    points = {
        "type": "scatter", "mode": "markers", "name": "points",
        "x": X[:, 0].tolist(), "y": X[:, 1].tolist(),
        "customdata": (y.tolist() if problem == "regression"
                       else [CLASS_NAMES[int(k)] for k in y]),
        "marker": {"size": 10, "line": {"color": "#ffffff", "width": 1.3}},
        "hovertemplate": ("x₁ = %{x:.2f}, x₂ = %{y:.2f}<br>"
                          + ("target = %{customdata:.2f}" if problem == "regression"
                             else "class: %{customdata}")
                          + "<br><b>click to remove</b><extra></extra>"),
    }
    if problem == "regression":
        points["marker"].update(color=np.clip(y, -1, 1).tolist(),
                                colorscale=figures.DIVERGING, cmin=-1, cmax=1)
    else:
        points["marker"]["color"] = [figures.CLASS_COLORS[int(k)] for k in y]
    figure["data"] = [heatmap, points]
    layout = figure["layout"]
    layout["dragmode"] = False
    layout["xaxis"]["fixedrange"] = True
    layout["yaxis"]["fixedrange"] = True
    # Adding: no hover at all, so every click reports where it landed (not the
    # nearest point's place). Removing: hovering a point picks it.
    layout["hovermode"] = "closest" if mode == "Remove" else False
    layout["uirevision"] = "data_editor"
    return figure


def _apply_click(state, click: dict, mode: str, label) -> None:
    x, y_ = click.get("x"), click.get("y")
    if not isinstance(x, (int, float)) or not isinstance(y_, (int, float)):
        return
    seen = (click.get("seq"), x, y_)
    if state.get("dm_last_click") == seen:  # the same click again (a rerun): once only
        return
    state.dm_last_click = seen
    X, y, problem, classes = _draft(state)
    editor = data_io.PointEditor(problem, classes if problem == "classification" else 2)
    try:
        if mode == "Remove":
            new_X, new_y = editor.remove_nearest(X, y, x, y_, radius=REMOVE_RADIUS)
        else:
            value = int(label if label is not None else 0) if problem == "classification" \
                else float(label)
            new_X, new_y = editor.add_point(X, y, x, y_, value)
        if len(new_X) == len(X):
            state.dm_flash = ("info", "No point there to remove: click on a point.")
        else:
            state.custom_points = (new_X, new_y, problem, classes)
            _install(state, in_callback=False)
    except DataError as error:
        state.dm_flash = ("warning", f"That click was not used: {error}.")
    st.rerun()  # this run drew the chart before the click was applied


# ------------------------------------------------------------------- CSV
# What a classroom link hides is fixed for the learner: an upload must not change it.
MODEL_FIXED_BY = ("data", "features", "layers", "activation", "loss")


def _data_fixed(state) -> bool:
    return "data" in state.config.hide


def _csv_section(state) -> None:
    if _data_fixed(state):
        st.markdown("#### Download data (CSV)")
    else:
        st.markdown("#### Upload or download data (CSV)")
        _csv_upload(state)
    data = _data(state)
    X, y, problem, _ = _points_of(data)
    try:
        text = data_io.to_csv(X, y, problem)
    except DataError as error:
        st.error(f"The current data cannot be written as CSV: {error}")
        return
    st.download_button("Download data as CSV", text, file_name="mikir_data.csv",
                       mime="text/csv", key="dm_download_csv", icon=":material/download:",
                       on_click="ignore",
                       help="The points the Playground uses now, training and test together.")
    st.caption(f"The Playground's current {len(X):,} points "
               f"({len(data.X_train):,} training + {len(data.X_test):,} test).")


def _csv_upload(state) -> None:
    limits = (f"Columns **x1, x2, label** (classes 0 … {data_io.MAX_CLASSES - 1}, or −1/+1) "
              "or **x1, x2, target** (regression); a header row is optional. At most "
              f"{data_io.MAX_ROWS:,} rows and {MAX_MB:g} MB.")
    st.file_uploader("Upload a CSV file of points", type=["csv"], key="dm_csv",
                     on_change=_load_csv, max_upload_size=1,
                     help=limits.replace("**", ""))
    st.caption(limits)
    st.radio("Without a header, the third column is", data_io.PROBLEMS, key="dm_csv_problem",
             horizontal=True, on_change=_reload_csv,
             format_func=lambda p: "a class label" if p == "classification"
             else "a regression target")
    result = state.get("dm_csv_result")
    if result:
        kind, message, warnings = result
        plain_text.alert(message, kind)  # names the file and quotes its cells: plain text
        for warning in warnings:
            plain_text.alert(warning, "warning")


def _reload_csv() -> None:
    st.session_state.pop("dm_csv_digest", None)
    _load_csv()


# ------------------------------------------------------------------- model
def _model_section(state) -> None:
    st.markdown("#### Your own model")
    session = _view(state)
    try:
        text = mikir.dumps(session.net)
    except ValueError:
        text = None
    layers = " → ".join(map(str, session.net.layer_sizes))
    st.download_button("Download network (JSON)", text or "", file_name="mikir_network.json",
                       mime="application/json", key="dm_download_model",
                       icon=":material/download:", on_click="ignore", disabled=text is None,
                       help="mikir's save format: load it with mikir.load(path).")
    if text is None:
        st.caption("The network's weights are not finite (training diverged): rewind or reset "
                   "it in the Playground first.")
    else:
        st.caption(f"Network {layers} at epoch {session.epoch:,}: its settings and weights, "
                   "readable with `mikir.load(\"mikir_network.json\")`.")
    fixed = [HIDE_LABELS[h].lower() for h in MODEL_FIXED_BY if h in state.config.hide]
    if fixed:
        plain_text.alert("Your teacher's link sets the " + ", ".join(fixed) + ": uploading a "
                         "network is switched off.", "info")
        return
    st.file_uploader("Upload a network (JSON) to continue training or inspect it",
                     type=["json"], key="dm_model", on_change=_load_model, max_upload_size=1,
                     help="A file saved by mikir (or downloaded here), at most "
                          f"{data_io.MAX_MODEL_BYTES / 1_000_000:g} MB. Its inputs must fit "
                          f"the features, its hidden layers at most {cfg.MAX_HIDDEN_LAYERS} "
                          f"of {cfg.MAX_NEURONS} neurons.")
    result = state.get("dm_model_result")
    if result:
        kind, message, notes = result
        plain_text.alert(message, kind)
        for note in notes:
            plain_text.alert(f"Note: {note}.", "info")


# ------------------------------------------------------------------ script
def _script_section(state) -> None:
    st.markdown("#### Export a Python script")
    session = _view(state)
    try:
        script = export.python_script(state.config, epochs=session.epoch, data=session.data)
    except ValueError as error:
        st.error(f"No script for this run: {error}")
        return
    left, right = st.columns([3, 1], vertical_alignment="center")
    epochs = f"{session.epoch:,} epoch{'s' * (session.epoch != 1)}"
    left.caption(f"Rebuilds this run with mikir — the data, the seeds, the network, the "
                 f"optimizer — and trains {epochs}. Run it from the folder that "
                 "holds mikir/. It reproduces the run exactly when it was trained in one go "
                 "from the start; Play and Step train in chunks, each shuffled on its own, so "
                 "the script's final loss can differ a little.")
    right.download_button("Download script", script,
                          file_name=export.script_filename(state.config, session.data),
                          mime="text/x-python", key="dm_download_script",
                          icon=":material/download:", on_click="ignore",
                          use_container_width=True)
    st.code(script, language="python", height=360)


# --------------------------------------------------------------- classroom
def _classroom_section(state) -> None:
    st.markdown("#### Classroom link")
    st.caption("Hand out a focused exercise: the link opens this setup with the chosen "
               "controls hidden from the sidebar.")
    hidden = st.multiselect("Controls to hide", cfg.HIDEABLE, key="dm_hide",
                            default=[h for h in state.config.hide if h in cfg.HIDEABLE],
                            format_func=HIDE_LABELS.get, placeholder="Choose controls")
    hide = tuple(h for h in cfg.HIDEABLE if h in hidden)
    query = "?" + urlencode(cfg.to_query(state.config.replace(hide=hide)), safe=",")
    base = _base_url()
    st.code(base + query if base else query, language=None, wrap_lines=True)
    if base:
        st.caption(f"[Open the link in a new tab]({query})")
    else:
        st.caption("Append this to the address of this page (without its own \"?…\" part).")
    if _data(state).source == "custom":
        st.caption(":material/info: Links carry settings and seeds, never data: the link "
                   "opens a generated data set. Hand out your CSV with it.")


def _base_url() -> str | None:
    try:
        url = st.context.url
    except Exception:  # noqa: BLE001 — an older Streamlit, or no browser
        return None
    if not url:
        return None
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path or '/'}"
