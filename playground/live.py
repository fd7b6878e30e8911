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

FRAME_SECONDS = 0.08  # the fragment timer; the browser redraws as fast as frames arrive
MAX_SPEED_SECONDS = 0.05  # the training budget of a frame at speed "max"


def toolbar(state, toggle_play, step_batch, step_epoch, reset) -> None:
    session = state.session
    columns = st.columns([1.1, 1, 1.2, 1, 4], vertical_alignment="center")
    columns[0].button("Pause" if state.playing else "Play", key="play", type="primary",
                      icon=":material/pause:" if state.playing else ":material/play_arrow:",
                      on_click=toggle_play, use_container_width=True,
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
            speed = state.config.speed
            if speed == 0:
                session.train_for(MAX_SPEED_SECONDS, 10**6)
            else:
                session.train_epochs(speed)
            session.record()
            if session.diverged:
                state.playing = False
                st.rerun()  # the whole page: the Play button becomes "Play" again
        state.train_seconds = time.perf_counter() - started
        _metrics(session)
        if session.diverged:
            st.error(session.diverged, icon="💥")
            st.button("Rewind to the last good epoch", key="rewind",
                      on_click=lambda: session.rewind())
        _charts(session, options)
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


def _charts(session, options) -> None:
    graph, output = st.columns([1.7, 1])
    with graph:
        st.markdown("**Network** · each neuron drawn as its output over the input plane")
        network = figures.network_figure(session, width=640)
        live_chart(network, key="chart_network", height=network["layout"]["height"])
    with output:
        st.markdown("**Output** · the network's prediction, with the data")
        live_chart(figures.output_figure(session, show_test=options["show_test"],
                                         discretize=options["discretize"]),
                   key="chart_output", height=430)
    loss, weights = st.columns([1, 1.45])
    with loss:
        st.markdown("**Loss**")
        live_chart(figures.loss_figure(session, log_scale=options["log_scale"]),
                   key="chart_loss", height=270)
    with weights:
        st.markdown("**Weights** · one heatmap per layer, one colour scale")
        live_chart(figures.weights_figure(session), key="chart_weights", height=270)
