"""The Backprop inspector page: one training step, number by number.

Streamlit code only, thin over ``inspector.py`` (every number) and ``figures.py``
(every figure). Nothing here trains except the step buttons, and looking back
in the timeline draws a read-only copy (``Timeline.session_view``).

Widget values are also kept under ``_<key>`` in the session state: a tab that
is not open draws no widgets, and Streamlit forgets the value of a widget it
did not draw, so each widget gets its value back from there when it returns.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import streamlit as st

import mikir

from . import figures
from . import inspector as ins
from .live_chart import live_chart
from .session import CLASS_NAMES, TrainingSession

INTRO = ("Follow one training step through the network, number by number: pick a "
         "training point, see what every neuron computes on the way forward, how the "
         "error flows back (each neuron's δ), the gradient of every link — checked "
         "against finite differences — and the update the optimizer makes.")
NOW = "now"
CHECK_LIMIT = 1e-6  # relative error below which backprop's gradient counts as right
TINY = 1e-8  # |analytic − numerical| too small for central differences to resolve
MODES = {"point": "One point", "batch": "The next mini-batch"}
LINK_KINDS = {"weights": "weights w", "gradient": "gradient ∂L/∂w",
              "update": "update Δw", "after": "weights after"}
GREEN, RED = "#1a7f37", "#cf222e"
OUTPUT_HEIGHT = 400
ROW_HEIGHT = 35


# ------------------------------------------------------------------ helpers
def _n(value, digits: int = 4) -> str:
    """A number to 4 significant digits ("—" for none)."""
    if value is None:
        return "—"
    value = float(value)
    if not math.isfinite(value):
        return str(value)
    return f"{value:.{digits}g}"


def _remember(key: str, default, options):
    """Give widget ``key`` its kept value, or ``default`` if that is no longer an option."""
    state = st.session_state
    value = state.get(f"_{key}", default)
    if value not in options:
        value = default
    state[f"_{key}"] = value
    state[key] = value
    return value


def _keep(key: str) -> None:
    st.session_state[f"_{key}"] = st.session_state[key]


def _point_label(data, index: int) -> str:
    x1, x2 = data.X_train[index]
    if data.is_regression:
        what = f"target {float(data.y_train[index]):.3g}"
    else:
        label = int(data.y_train[index])
        colour = f" · {CLASS_NAMES[label]}" if label < len(CLASS_NAMES) else ""
        what = f"class {label}{colour}"
    return f"#{index} (x₁={x1:.2f}, x₂={x2:.2f}, {what})"


def _live_is_last(timeline: ins.Timeline, session) -> bool:
    """The newest snapshot is the session as it is now."""
    if not len(timeline):
        return False
    last = timeline.snapshots[-1]
    return (last.steps == session.steps and last.epoch == session.epoch
            and np.array_equal(last.parameters, session.net.get_parameters()))


def _timeline(state, run: int) -> ins.Timeline:
    """The tab's timeline; a new run of the trainer (``Frame.run``) starts a new one."""
    if "timeline" not in state:
        state.timeline = ins.Timeline()
    if state.get("inspector_run") != run:
        state.timeline.clear()
        state.inspector_run = run
        state["_inspect_time"] = NOW
        state["_inspect_link"] = None
    return state.timeline


def _snapshot_label(session) -> str:
    if session.steps == 0 and session.epoch == 0:
        return "start"
    return f"step {session.steps:,} · epoch {session.epoch:,}"


# ---------------------------------------------------------------- callbacks
def _step(kind: str, point: int | None = None) -> None:
    """Step the real session and record it on the timeline (before and after)."""
    state = st.session_state
    trainer = state.trainer
    timeline = _timeline(state, trainer.frame().run)

    def step(session) -> None:  # under the trainer's lock, paused first
        if session.diverged:
            raise ValueError(session.diverged)
        if not _live_is_last(timeline, session):
            timeline.push(session, _snapshot_label(session))
        if kind == "sample":
            loss = ins.train_on(session, [point])
            if not math.isfinite(loss):
                raise ValueError("this step would make the loss or a weight infinite, so "
                                 "it was not taken; lower the learning rate")
            label = f"step {session.steps:,} · point #{point}"
        elif kind == "batch":
            size = len(session.next_batch_indices())
            session.step_batch()
            label = f"step {session.steps:,} · mini-batch of {size}"
        else:
            session.step_epoch()
            label = f"epoch {session.epoch:,} · step {session.steps:,}"
        session.record()
        timeline.push(session, label)

    try:
        trainer.change(step)  # never train here while the Playground plays
        state["_inspect_time"] = NOW
    except Exception as error:  # shown on the page, never as a traceback
        state.inspector_error = f"That step could not be taken: {error}"


def _back_to_now() -> None:
    st.session_state["_inspect_time"] = NOW


def _clear_link() -> None:
    st.session_state["_inspect_link"] = None


def _use_seed_setup() -> None:
    """Sigmoid everywhere and squared error: the setup the seed library taught."""
    state = st.session_state
    state.trainer.pause()
    state["w_activation"] = "sigmoid"
    state["w_loss"] = "squared_error"
    config = state.config
    if config.is_regression or config.class_count != 2:
        state["w_dataset"] = "circle"  # the seed's formulas need one sigmoid output


# --------------------------------------------------------------------- page
def render(state) -> None:
    st.markdown("### Backprop inspector")
    st.caption(INTRO)
    try:
        _render(state)
    except Exception as error:  # never a traceback on the page
        st.error(f"The inspector could not show this step: {error}",
                 icon=":material/error:")


def _render(state) -> None:
    trainer = state.trainer
    run = trainer.frame().run
    session = trainer.read(TrainingSession.copy)  # a consistent copy to draw from
    data = session.data
    message = state.pop("inspector_error", None)
    if message:
        st.error(message, icon=":material/error:")
    if session.diverged:
        st.error(session.diverged, icon=":material/error:")
    if session.train_size == 0:
        st.info("There are no training points: add some under “Your data & model”.")
        return
    timeline = _timeline(state, run)

    # ---- stepping and the timeline
    live_is_last = _live_is_last(timeline, session)
    options = list(range(len(timeline))) + ([] if live_is_last else [NOW])
    labels = timeline.labels
    moment = _remember("inspect_time", options[-1], options)
    looking_back = moment != options[-1]
    view = timeline.session_view(session, moment) if looking_back else session

    n = session.train_size
    mode = _remember("inspect_mode", "point", MODES)
    point = _remember("inspect_point", 0, range(n))
    batch = session.next_batch_indices()  # the run's next step, also when looking back
    focus = _remember("inspect_focus", 0, range(len(batch))) if mode == "batch" else 0
    indices = [point] if mode == "point" else batch
    chosen = int(indices[focus])

    st.markdown("##### Step and look back")
    bar = st.columns([1.2, 1.3, 1.1, 1, 2.4], vertical_alignment="center")
    disabled = looking_back or bool(session.diverged)
    bar[0].button("Step this sample", key="inspect_step_sample", on_click=_step,
                  args=("sample", chosen), type="primary", icon=":material/skip_next:",
                  disabled=disabled, width="stretch",
                  help=f"One optimizer step on point #{chosen} alone")
    bar[1].button("Step the mini-batch", key="inspect_step_batch", on_click=_step,
                  args=("batch",), icon=":material/playlist_play:", disabled=disabled,
                  width="stretch",
                  help=f"The Playground's next step: the next mini-batch of {len(batch)} points")
    bar[2].button("Step an epoch", key="inspect_step_epoch", on_click=_step, args=("epoch",),
                  icon=":material/fast_forward:", disabled=disabled, width="stretch",
                  help="Finish the current epoch (or train one whole epoch)")
    bar[3].button("Back to now", key="inspect_now", on_click=_back_to_now,
                  icon=":material/update:", disabled=not looking_back,
                  width="stretch")
    with bar[4]:
        note = "Stepping here pauses the Playground. " if trainer.playing else ""
        st.caption(f"{note}Each step is recorded on the timeline below; slide back to see "
                   "the network as it was.")

    def moment_label(option) -> str:
        if option == NOW:
            return "now"
        text = labels[option]
        return f"{text} (now)" if live_is_last and option == len(labels) - 1 else text

    if len(options) > 1:
        st.select_slider("Timeline", options, format_func=moment_label, key="inspect_time",
                         on_change=_keep, args=("inspect_time",))
    if looking_back:
        st.info(f"Looking back at **{moment_label(moment)}**: the graph, the output map and "
                "every number below show the network as it was then (the update uses the "
                "optimizer's current state). Steps are off until you go **Back to now**.",
                icon=":material/history:")

    metrics_box = st.container()
    pick, graph = st.columns([1, 1.55], gap="large")

    # ---- 1. the point (or the batch)
    with pick:
        st.markdown("#### 1 · Pick a training point")
        st.radio("Inspect", list(MODES), format_func=MODES.get, key="inspect_mode",
                 horizontal=True, on_change=_keep, args=("inspect_mode",),
                 label_visibility="collapsed")
        if mode == "point":
            st.selectbox("Training point", range(n), key="inspect_point",
                         format_func=lambda i: _point_label(data, i),
                         on_change=_keep, args=("inspect_point",))
        else:
            st.selectbox(f"The next mini-batch ({len(batch)} points): per-neuron numbers for",
                         range(len(batch)), key="inspect_focus",
                         format_func=lambda s: _point_label(data, int(batch[s])),
                         on_change=_keep, args=("inspect_focus",))
        figure = figures.output_figure(view, selected=chosen, height=OUTPUT_HEIGHT)
        if mode == "batch":
            X = data.X_train[batch]
            figure["data"].append({
                "type": "scatter", "mode": "markers", "name": "batch", "hoverinfo": "skip",
                "x": X[:, 0].tolist(), "y": X[:, 1].tolist(),
                "marker": {"size": 12, "color": "rgba(0,0,0,0)",
                           "line": {"color": "#111827", "width": 1.2}}})
        click = live_chart(figure, key="chart_inspect_output", height=OUTPUT_HEIGHT,
                           on_click=True)
        picked = _clicked_point(click, data)
        if picked is not None and (picked != point or mode != "point"):
            state["_inspect_point"] = picked
            state["_inspect_mode"] = "point"
            st.rerun()
        st.caption("Click a training point (or near one) to inspect it; the ring marks it."
                   + (" Small rings: the rest of the mini-batch." if mode == "batch" else ""))

    inspection = ins.inspect(view, indices)

    # ---- 2. the network graph
    with graph:
        st.markdown("#### 2 · Follow it through the network")
        kind = _remember("inspect_links", "gradient", LINK_KINDS)
        st.radio("The links show", list(LINK_KINDS), format_func=LINK_KINDS.get,
                 key="inspect_links", horizontal=True, on_change=_keep,
                 args=("inspect_links",))
        link = _valid_link(state.get("_inspect_link"), view.net)
        network, peak = _network_figure(view, inspection, kind, link)
        click = live_chart(network, key="chart_inspect_network",
                           height=network["layout"]["height"], on_click=True)
        if click and isinstance(click.get("customdata"), list) \
                and len(click["customdata"]) >= 3:
            clicked = tuple(int(v) for v in click["customdata"][:3])
            if clicked != link and _valid_link(clicked, view.net):
                state["_inspect_link"] = clicked
                st.rerun()
        st.caption(_graph_caption(kind, peak))
        _link_detail(inspection, focus, link, data.features)

    with metrics_box:
        _metrics(view, inspection, focus, mode, chosen)
    for note in inspection.notes:
        st.warning(note, icon=":material/warning:")

    # ---- 3–6. the tables
    forward, backward = st.columns(2, gap="large")
    with forward:
        st.markdown("#### 3 · Forward pass")
        st.caption(f"Point #{chosen}: each neuron's weighted sum z = Σ w·a + b and its "
                   "activation a = f(z), layer by layer.")
        _table(_forward_rows(inspection, focus))
    with backward:
        st.markdown("#### 4 · Backward pass: the error and each δ")
        st.caption(_error_caption(inspection, focus))
        _table(_backward_rows(inspection, focus))
    st.markdown("#### 5 · Every gradient, checked")
    _check_summary(inspection)
    _table(_gradient_rows(inspection), check=True, wide=("from", "to"))
    st.markdown("#### 6 · The update")
    st.markdown(ins.general_formulas(inspection, focus)[-1].replace("**Update**:",
                                                                       "The optimizer's rule:"))
    _table(_update_rows(inspection), wide=("from", "to"))

    # ---- 7. the formulas
    st.markdown("#### 7 · The formulas, with the numbers filled in")
    _formulas(state, inspection, focus)


def _clicked_point(click, data) -> int | None:
    """A click on the output map → the training point it meant (the nearest one)."""
    if not click:
        return None
    X = data.X_train
    custom = click.get("customdata")
    if click.get("trace_name") == "training" and isinstance(custom, list) and custom:
        index = custom[0]
        if isinstance(index, (int, float)) and 0 <= index < len(X) and index == int(index):
            return int(index)
    x, y = click.get("x"), click.get("y")
    if isinstance(x, (int, float)) and isinstance(y, (int, float)) and len(X):
        return int(np.argmin((X[:, 0] - x) ** 2 + (X[:, 1] - y) ** 2))
    return None


def _valid_link(link, net):
    """(layer, j, k) of a link, or (layer, j, −1) of a bias, if it exists in ``net``."""
    if not link or len(link) != 3:
        return None
    layer, j, k = link
    if not 0 <= layer < len(net.weights):
        return None
    fan_in, fan_out = net.weights[layer].shape
    if k == -1:
        return tuple(link) if 0 <= j < fan_out else None
    return tuple(link) if 0 <= j < fan_in and 0 <= k < fan_out else None


# -------------------------------------------------------------------- graph
def _network_figure(view, inspection, kind: str, link):
    """The network graph with ``kind`` on its links; gradients and updates rescaled."""
    net, features = view.net, view.data.features
    values = None if kind == "weights" else inspection.link_values(kind)
    drawn, peak = values, None
    if kind in ("gradient", "update"):
        magnitudes = [np.abs(np.nan_to_num(v, nan=0.0, posinf=0.0, neginf=0.0)) for v in values]
        peak = max(float(m.max(initial=0.0)) for m in magnitudes)
        if peak > 0:  # link widths are made for weights (0…5): scale the largest to 4
            drawn = [v * (4.0 / peak) for v in values]
    highlight = link if link and link[2] >= 0 else None
    figure = figures.network_figure(view, highlight=highlight, link_values=drawn, width=640)
    if values is not None:  # the hover text tells the true values, not the drawn ones
        sizes = net.layer_sizes
        for trace in figure["data"]:
            if trace.get("name") != "links":
                continue
            trace["text"] = [
                f"{figures.neuron_name(layer, j, sizes, features)} → "
                f"{figures.neuron_name(layer + 1, k, sizes, features)}<br>"
                f"{LINK_KINDS[kind]} = {_n(values[layer][j, k])}<br>"
                f"weight now = {_n(net.weights[layer][j, k])}"
                for layer, j, k, *_ in trace["customdata"]]
    return figure, peak


def _graph_caption(kind: str, peak) -> str:
    tiles = "Each tile is that neuron's output over the whole input plane."
    largest = f" (the largest, {_n(peak)}, is drawn thickest)" if peak else ""
    return {
        "weights": f"Thickness shows |w|: blue positive, orange negative. {tiles}",
        "gradient": f"Thickness shows |∂L/∂w|{largest}. Blue: positive, so the step lowers "
                    f"that weight; orange: negative, it raises it. {tiles}",
        "update": f"Thickness shows how much each weight moves{largest}. Blue: it grows; "
                  f"orange: it shrinks. {tiles}",
        "after": f"The weights after this step (thickness |w|). {tiles}",
    }[kind] + " Click a link's middle or a bias square to see its numbers."


def _link_detail(inspection, focus: int, link, features) -> None:
    """The numbers of the clicked link (or bias), as one short derivation."""
    if not link:
        return
    layer_index, j, k = link
    layer = inspection.layers[layer_index]
    sizes = inspection.layer_sizes
    n = inspection.size
    target = figures.neuron_name(layer_index + 1, k if k >= 0 else j, sizes, features)
    if k == -1:
        title = f"Bias of {target}: b = {_n(layer.biases[j])}"
        delta = layer.delta[focus, j]
        gradient, numeric = layer.bias_grad[j], layer.bias_grad_numeric[j]
        relative, update, after = layer.bias_rel_error[j], layer.bias_update[j], \
            layer.biases_after[j]
        rule = (f"`∂L/∂b = δ = {_n(delta)}`" if n == 1 else
                f"`∂L/∂b = mean(δ) = {_n(gradient)}` over the {n} points "
                f"(#{int(inspection.indices[focus])}: δ = {_n(delta)})")
        penalty = 0.0
    else:
        source = figures.neuron_name(layer_index, j, sizes, features)
        title = f"{source} → {target}: w = {_n(layer.weights[j, k])}"
        a_in, delta = layer.inputs[focus, j], layer.delta[focus, k]
        gradient, numeric = layer.weight_grad[j, k], layer.weight_grad_numeric[j, k]
        relative, update, after = layer.weight_rel_error[j, k], layer.weight_update[j, k], \
            layer.weights_after[j, k]
        penalty = float(layer.penalty_grad[j, k])
        rule = (f"`∂L/∂w = a_in · δ_out = {_n(a_in)} · {_n(delta)} = {_n(a_in * delta)}`"
                if n == 1 else
                f"`∂L/∂w = mean(a_in · δ_out)` over the {n} points "
                f"(#{int(inspection.indices[focus])}: {_n(a_in)} · {_n(delta)})")
    if penalty:
        rule += f", plus the penalty's {_n(penalty)}, gives **{_n(gradient)}**"
    check = _check(relative, gradient, numeric)
    colour = "green" if check.startswith("✓") else "red"
    with st.container(border=True):
        head, close = st.columns([12, 1], vertical_alignment="center")
        head.markdown(f"**{title}**")
        close.button("", key="inspect_clear_link", icon=":material/close:", type="tertiary",
                     on_click=_clear_link, help="Clear the selection")
        st.markdown(f"- {rule}\n"
                    f"- finite differences: {_n(numeric)} · relative error "
                    f"{relative:.1e} :{colour}[**{check}**]\n"
                    f"- update {_n(update)} → after this step: **{_n(after)}**")


# ------------------------------------------------------------------ metrics
def _metrics(view, inspection, focus: int, mode: str, chosen: int) -> None:
    columns = st.columns(6)
    data = view.data
    x1, x2 = data.X_train[chosen]
    if mode == "point":
        columns[0].metric("Point", f"#{chosen}", help=f"x₁ = {x1:.3f}, x₂ = {x2:.3f}")
    else:
        columns[0].metric("Mini-batch", f"{inspection.size} points",
                          help=f"per-neuron numbers for #{chosen}")
    output, target = inspection.outputs[focus], inspection.targets[focus]
    if len(output) == 1:
        columns[1].metric(f"Output (target {_n(target[0])})", _n(output[0]),
                          help=f"what the network says for #{chosen}")
    else:
        columns[1].metric(f"Prediction (target class {int(np.argmax(target))})",
                          f"class {int(np.argmax(output))}",
                          help="p = " + ", ".join(_n(p) for p in output))
    where = "this point" if inspection.size == 1 else "this batch"
    columns[2].metric(f"Loss on {where}", _n(inspection.loss),
                      help="what this step's gradients are the gradients of")
    train_loss = view.evaluate(data.F_train, data.Y_train, data.y_train)[0]
    columns[3].metric("Training loss", _n(train_loss), help="on the whole training set")
    columns[4].metric("Steps", f"{view.steps:,}", help=f"epoch {view.epoch:,}")
    error = inspection.relative_error
    passed = error is not None and error < CHECK_LIMIT
    columns[5].metric(
        "Gradient check", "—" if error is None else f"{error:.1e}",
        delta="✓ backprop is right" if passed else "✗ mismatch",
        delta_color="normal" if passed else "inverse", delta_arrow="off",
        help="‖backprop − finite differences‖ / (‖backprop‖ + ‖finite differences‖) over "
             "every weight and bias: below 1e-6 means the two agree.")


def _check_summary(inspection) -> None:
    error = inspection.relative_error
    if error is None:
        return
    if error < CHECK_LIMIT:
        st.markdown(f":green[**✓ Backprop agrees with finite differences**] — overall "
                    f"relative error {error:.1e} (below 1e-6). Each gradient beside the "
                    "finite-difference estimate (L(w+ε) − L(w−ε)) / 2ε, ε = 1e-6:")
    else:
        st.markdown(f":red[**✗ Backprop and finite differences disagree**] — overall "
                    f"relative error {error:.1e} (above 1e-6). Finite differences fail "
                    "where the numbers are huge (a diverging network) or a step of ε "
                    "crosses a ReLU kink; look for the ✗ rows.")


def _error_caption(inspection, focus: int) -> str:
    out = inspection.layers[-1]
    error = _vector(inspection.error[focus])
    text = (f"Error at the output: a − y = {_vector(out.a[focus])} − "
            f"{_vector(inspection.targets[focus])} = {error}. Then δ = ∂ℓ/∂z, from the "
            "output back: each hidden δ is Σ w·δ from the layer above times f′(z).")
    if mikir.losses.is_matched(inspection.loss_name, inspection.output_activation):
        text += " At the output f′ cancels against the loss: δ = a − y."
    return text


def _vector(values) -> str:
    values = np.ravel(values)
    return _n(values[0]) if len(values) == 1 else "[" + ", ".join(map(_n, values)) + "]"


# ------------------------------------------------------------------- tables
def _forward_rows(inspection, focus: int) -> pd.DataFrame:
    rows = ins.table_rows(inspection, focus).neurons
    activations = ["input"] + [layer.activation for layer in inspection.layers]
    return pd.DataFrame({
        "layer": [r["layer"] for r in rows],
        "neuron": [r["neuron"] for r in rows],
        "f": [activations[r["layer"]] for r in rows],
        "z = Σ w·a + b": [r["z"] for r in rows],
        "a = f(z)": [r["a"] for r in rows],
    })


def _backward_rows(inspection, focus: int) -> pd.DataFrame:
    layers = inspection.layers
    sizes = inspection.layer_sizes
    matched = mikir.losses.is_matched(inspection.loss_name, inspection.output_activation)
    rows = []
    for i in range(len(layers) - 1, -1, -1):
        layer = layers[i]
        if i == len(layers) - 1:
            incoming = inspection.error[focus]
            derivative = None if matched else layer.derivative
        else:
            above = layers[i + 1]
            incoming = above.delta[focus] @ above.weights.T
            derivative = layer.derivative
        for k in range(sizes[layer.index]):
            rows.append({
                "layer": layer.index,
                "neuron": figures.neuron_name(layer.index, k, sizes, inspection.feature_names),
                "error in (a − y or Σ w·δ)": float(incoming[k]),
                "f′(z)": None if derivative is None else float(derivative[focus, k]),
                "δ = ∂ℓ/∂z": float(layer.delta[focus, k]),
            })
    return pd.DataFrame(rows)


def _check(relative: float | None, analytic: float, numeric: float | None) -> str:
    if relative is None or numeric is None:
        return "—"
    if relative < CHECK_LIMIT:
        return "✓"
    if abs(analytic - numeric) < TINY:
        return "✓ (≈ 0)"
    return "✗"


def _gradient_rows(inspection) -> pd.DataFrame:
    tables = ins.table_rows(inspection)
    rows = [{"layer": r["layer"], "from": r["from"], "to": r["to"],
             "∂L/∂w backprop": r["∂L/∂w analytic"],
             "∂L/∂w finite diff.": r["∂L/∂w numerical"], "rel. error": r["rel. error"],
             "check": _check(r["rel. error"], r["∂L/∂w analytic"], r["∂L/∂w numerical"])}
            for r in tables.links]
    rows += [{"layer": r["layer"], "from": "bias", "to": r["neuron"],
              "∂L/∂w backprop": r["∂L/∂b analytic"],
              "∂L/∂w finite diff.": r["∂L/∂b numerical"], "rel. error": r["rel. error"],
              "check": _check(r["rel. error"], r["∂L/∂b analytic"], r["∂L/∂b numerical"])}
             for r in tables.neurons if r["layer"] > 0]
    return pd.DataFrame(rows)


def _update_rows(inspection) -> pd.DataFrame:
    tables = ins.table_rows(inspection)
    rows = [{"layer": r["layer"], "from": r["from"], "to": r["to"], "before": r["w"],
             "gradient g": r["∂L/∂w analytic"], "update": r["update"], "after": r["w after"]}
            for r in tables.links]
    rows += [{"layer": r["layer"], "from": "bias", "to": r["neuron"], "before": r["bias"],
              "gradient g": r["∂L/∂b analytic"], "update": r["update"],
              "after": r["bias after"]}
             for r in tables.neurons if r["layer"] > 0]
    return pd.DataFrame(rows)


def _table(frame: pd.DataFrame, check: bool = False, wide: tuple = ()) -> None:
    numbers = [c for c in frame.columns if c not in ("layer", "neuron", "f", "from", "to",
                                                      "check")]
    styler = frame.style.format(
        lambda v: _n(None if v is None or (isinstance(v, float) and math.isnan(v)) else v),
        subset=numbers)
    styler = styler.format(lambda v: f"{v:.1e}" if isinstance(v, float) and math.isfinite(v)
                           else "—", subset=[c for c in numbers if c == "rel. error"])
    if check:
        styler = styler.map(lambda v: f"color: {GREEN if v.startswith('✓') else RED}; "
                                      "font-weight: 600", subset=["check"])
    height = min(len(frame), 18) * ROW_HEIGHT + ROW_HEIGHT + 3
    names = {c: st.column_config.TextColumn(c, width="medium")
             for c in wide}
    st.dataframe(styler, hide_index=True, height=height, width="stretch",
                 column_config=names, placeholder="—")


# ----------------------------------------------------------------- formulas
def _markdown(lines: list[str]) -> str:
    """Inspector lines → markdown (a paragraph after a list needs a blank line)."""
    out = []
    for line in lines:
        out.append(line if line.startswith("- ") else f"\n{line}\n")
    return "\n".join(out)


def _formulas(state, inspection, focus: int) -> None:
    formulas = ins.seed_formulas(inspection, focus)
    if formulas.applies:
        with st.expander("The seed's formulas: error = target − output, δ = error·o·(1−o), "
                         "new w = w + η·δ·input", expanded=True, icon=":material/function:"):
            with st.container(height=460, border=False):
                st.markdown(_markdown(formulas.seed))
            gap = max(float(np.abs(w - layer.weights_after).max())
                      for w, layer in zip(formulas.new_weights, inspection.layers))
            if formulas.update_is_real:
                st.badge(f"✓ The seed's new weights are the optimizer's real update "
                         f"(largest difference {_n(gap)})", color="green")
        with st.expander("The general form, for any activation and loss"):
            st.markdown(_markdown(formulas.general))
        return
    config = state.config
    hidden = {"activation", "loss"} & set(config.hide)
    two_class = not config.is_regression and config.class_count == 2
    setup = "sigmoid activation and squared-error loss" + ("" if two_class else
                                                           " on a two-class data set")
    with st.container(border=True):
        left, right = st.columns([3, 1.2], vertical_alignment="center")
        left.markdown(f"{formulas.reason}  \nTo see the seed's own formulas "
                      f"(error = target − output, δ = error·o·(1−o), new w = w + η·δ·input) "
                      f"with these numbers, choose **{setup}**.")
        if hidden:
            right.caption("This classroom link hides those controls.")
        else:
            right.button("Use sigmoid + squared error", key="inspect_seed_setup",
                         on_click=_use_seed_setup, icon=":material/function:",
                         width="stretch",
                         help="Sets Activation to Sigmoid and Loss to Squared error "
                              + ("" if two_class else "and the data set to Circle ")
                              + "(a new run starts)")
    with st.expander("The general form, with this step's numbers", expanded=True,
                     icon=":material/function:"):
        with st.container(height=460, border=False):
            st.markdown(_markdown(formulas.general))
