"""The live view: the play controls and a fragment that trains and redraws.

Play/Pause sits outside the fragment (a button inside it would not stop the
timer). Each tick of the fragment trains ``speed`` epochs, records the losses
and sends four figures to charts that stay mounted (``live_chart``), so
nothing flashes and a zoom on the output map survives.
"""

from __future__ import annotations

import math
import time

import streamlit as st

from . import figures
from .live_chart import live_chart
from .session import train_frame

# While playing, the next frame is made when the browser has drawn the last one
# (live_chart's ack); the timer only restarts the loop if an ack is ever lost.
FRAME_SECONDS = 1.0
MAX_SPEED_SECONDS = 0.05  # the training budget of a frame at speed "max"


def toolbar(state, set_playing, step_batch, step_epoch, reset) -> None:
    session = state.session
    columns = st.columns([1.1, 1, 1.2, 1, 4], vertical_alignment="center")
    columns[0].button("Pause" if state.playing else "Play", key="play", type="primary",
                      icon=":material/pause:" if state.playing else ":material/play_arrow:",
                      on_click=set_playing, args=(not state.playing,),
                      use_container_width=True,
                      disabled=bool(session.diverged))
    columns[1].button("Step", key="step", on_click=step_batch, use_container_width=True,
                      icon=":material/skip_next:", help="Train on one mini-batch")
    columns[2].button("Step epoch", key="step_epoch", on_click=step_epoch,
                      use_container_width=True, icon=":material/fast_forward:",
                      help="Finish the current epoch (or train one whole epoch)")
    columns[3].button("Reset", key="reset", on_click=reset, use_container_width=True,
                      icon=":material/restart_alt:",
                      help="New run on the same data (same initial weights unless you "
                           "turned that off in the sidebar)")
    with columns[4]:
        st.caption(_describe(state.config, session))


def _describe(config, session) -> str:
    layers = " → ".join(map(str, session.net.layer_sizes))
    problem = ("regression" if config.is_regression
               else f"{config.class_count}-class classification")
    return (f"**{problem}** · network {layers} · {session.train_size} training / "
            f"{len(session.data.X_test)} test points · batch {session.batch_size}")


def _format_loss(value: float) -> str:
    return "—" if value is None or not math.isfinite(value) else f"{value:.4f}"


def view(state) -> None:
    left, right = st.columns([1, 1])
    with right:
        toggles = st.columns(3)
        show_test = toggles[0].toggle("Show test data", key="show_test")
        discretize = toggles[1].toggle("Discretize output", key="discretize")
        log_scale = toggles[2].toggle("Log-scale loss", key="log_scale")
    options = {"show_test": show_test, "discretize": discretize, "log_scale": log_scale}

    @st.fragment(run_every=FRAME_SECONDS if state.playing else None)
    def frame():
        session = state.session
        started = time.perf_counter()
        if state.playing and not session.diverged:
            train_frame(session, state.config.speed, MAX_SPEED_SECONDS)
            session.record()
            if "health" in state:
                state.health.measure(session)
            if session.diverged:
                state.playing = False
                st.rerun()  # the whole page: the Play button becomes "Play" again
        state.train_seconds = time.perf_counter() - started
        _metrics(session)
        if session.diverged:
            st.error(session.diverged, icon="💥")
            st.button("Rewind to the last good epoch", key="rewind",
                      on_click=lambda: session.rewind())
        _charts(state, session, options)
        state.frame_seconds = time.perf_counter() - started

    frame()


def _metrics(session) -> None:
    columns = st.columns(4)
    batches = -(-session.train_size // session.batch_size)
    done = -(-session._cursor // session.batch_size)
    st.caption(f"Step {session.steps:,} · batch {done} of {batches} in epoch "
               f"{session.epoch + 1:,}" if done else f"Step {session.steps:,} · "
               f"{batches} mini-batches per epoch")
    columns[0].metric("Epoch", f"{session.epoch:,}", help=f"{session.steps:,} mini-batch steps")
    columns[1].metric("Training loss", _format_loss(session.train_loss))
    columns[2].metric("Test loss", _format_loss(session.test_loss))
    accuracy = session.history.test_accuracy[-1] if session.history.test_accuracy else None
    if accuracy is not None:
        train_accuracy = session.history.train_accuracy[-1]
        columns[3].metric("Accuracy", f"{accuracy:.1%}",
                          help=f"test accuracy (training: {train_accuracy:.1%})")


def _charts(state, session, options) -> None:
    graph, output = st.columns([1.7, 1])
    with graph:
        st.markdown("**Network** · each neuron drawn as its output over the input plane "
                    "· click a link or a bias to edit it")
        network = figures.network_figure(session, width=640, highlight=_edited_link(state))
        click = live_chart(network, key="chart_network", height=network["layout"]["height"],
                           on_click=True)
        if click and isinstance(click.get("customdata"), list) \
                and len(click["customdata"]) == 3:
            state.edit_target = tuple(int(v) for v in click["customdata"])
        _weight_editor(state, session)
    with output:
        st.markdown("**Output** · the network's prediction, with the data")
        live_chart(figures.output_figure(session, show_test=options["show_test"],
                                         discretize=options["discretize"]),
                   key="chart_output", height=430, ack=bool(state.playing))
    loss, weights = st.columns([1, 1.45])
    with loss:
        st.markdown("**Loss**")
        ghosts = list(state.ghosts) if "ghosts" in state else []
        live_chart(figures.loss_figure(session, log_scale=options["log_scale"], ghosts=ghosts),
                   key="chart_loss", height=270)
        if ghosts:
            st.button(f"Clear {len(ghosts)} earlier run{'s' if len(ghosts) > 1 else ''} "
                      "(dotted)", key="clear_ghosts", on_click=state.ghosts.clear)
    with weights:
        st.markdown("**Weights** · one heatmap per layer, one colour scale")
        live_chart(figures.weights_figure(session), key="chart_weights", height=270)


def _edited_link(state):
    target = state.get("edit_target")
    return target if target and target[2] >= 0 else None


def _weight_editor(state, session) -> None:
    """Type a new value for the clicked weight or bias (as TensorFlow Playground allows)."""
    target = state.get("edit_target")
    net = session.net
    if not target:
        return
    layer, j, k = target
    sizes, features = net.layer_sizes, session.data.features
    if not (0 <= layer < len(net.weights) and 0 <= j < sizes[layer]
            and -1 <= k < sizes[layer + 1]):
        state.edit_target = None  # the network changed shape since the click
        return
    if k >= 0:
        label = (f"Weight {figures.neuron_name(layer, j, sizes, features)} → "
                 f"{figures.neuron_name(layer + 1, k, sizes, features)}")
        current = float(net.weights[layer][j, k])
    else:  # a bias: customdata is [layer, neuron, -1]
        label = f"Bias of {figures.neuron_name(layer + 1, j, sizes, features)}"
        current = float(net.biases[layer][j])
    with st.form("weight_editor", border=True):
        left, mid, right = st.columns([3, 2, 1], vertical_alignment="bottom")
        value = mid.number_input(label, value=current, step=0.1, format="%.6f",
                                 key=f"edit_value_{layer}_{j}_{k}")
        left.caption(f"{label}: now {current:.6g}. Type a value and apply; the views "
                     "update at once.")
        if right.form_submit_button("Apply", use_container_width=True):
            if not math.isfinite(value) or abs(value) > 1e6:
                st.error("Enter a finite value between −1,000,000 and 1,000,000.")
            elif k >= 0:
                net.weights[layer][j, k] = value
            else:
                net.biases[layer][j] = value
            session.record()
            state.edit_target = None
            st.rerun(scope="fragment")
