"""The live view: the play controls, a status fragment and a fragment that trains and redraws.

Play/Pause sits outside the fragments (a button inside one would not stop its
loop). Each frame trains ``speed`` epochs, records the losses and sends the four
figures to one component whose charts stay mounted (``live_panels``), so nothing
flashes and a zoom on the output map survives. The metrics refresh in their own,
slower fragment.
"""

from __future__ import annotations

import math
import time

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from . import controls, figures
from .live_chart import Panel, live_panels
from .session import train_frame

# While playing, the next frame is made when the browser starts drawing the last
# one (live_panels' ack); the timer only restarts the loop if an ack is ever lost.
FRAME_SECONDS = 1.0
MAX_SPEED_SECONDS = 0.04  # the training budget of a frame at speed "max"
TOOLBAR_BUTTONS = ("play", "step", "step_epoch", "reset")
STATUS_SECONDS = 0.3  # the metrics' refresh while playing


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


def folded_input(state, buttons) -> bool:
    """Input meant for the whole page that arrived with this fragment's rerun.

    Streamlit's page sends the widget updates of one instant as one rerun,
    scoped to the fragment of the first: a click on Pause (or a moved slider)
    that lands together with the charts' acknowledgement is folded into the
    fragment's rerun, where its callback never runs. The click stays recorded,
    so a whole-page rerun delivers it. True when one of ``buttons`` (keys) is
    pressed or a value differs from what the last whole-page run drew.
    """
    ctx = get_script_run_ctx()
    if not (ctx and ctx.fragment_ids_this_run):
        return False  # a whole-page run: every callback has run
    if any(st.session_state.get(key) is True for key in buttons):
        return True
    drawn = state.get("page_widgets")
    return drawn is not None and drawn != controls.widget_snapshot()


def view(state, buttons=()) -> None:
    # The status has its own, slower fragment: the page re-renders every element
    # a fragment sends, and four metrics each frame cost the browser more than a
    # chart does (10.8 -> 7.8 redraws/s in a profile at the defaults).
    @st.fragment(run_every=STATUS_SECONDS if state.playing else None)
    def status():
        _metrics(state.session)

    status()
    left, right = st.columns([1, 1])
    with right:
        toggles = st.columns(3)
        show_test = toggles[0].toggle("Show test data", key="show_test")
        discretize = toggles[1].toggle("Discretize output", key="discretize")
        log_scale = toggles[2].toggle("Log-scale loss", key="log_scale")
    options = {"show_test": show_test, "discretize": discretize, "log_scale": log_scale}

    @st.fragment(run_every=FRAME_SECONDS if state.playing else None)
    def frame():
        if folded_input(state, buttons):
            st.rerun()  # the whole page, with the click or value it carries
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
        if session.diverged:
            st.error(session.diverged, icon="💥")
            st.button("Rewind to the last good epoch", key="rewind",
                      on_click=lambda: session.rewind())
        _charts(state, session, options)
        state.frame_seconds = time.perf_counter() - started

    frame()


def _metrics(session) -> None:
    """The status line. Plain metrics without tooltips: every element in the
    fragment is re-rendered by the page each frame, and a tooltip costs more
    than the metric itself."""
    row = st.container(horizontal=True, gap="large")
    row.metric("Epoch", f"{session.epoch:,}")
    row.metric("Training loss", _format_loss(session.train_loss))
    row.metric("Test loss", _format_loss(session.test_loss))
    history = session.history
    if history.test_accuracy and history.test_accuracy[-1] is not None:
        row.metric("Accuracy", f"{history.test_accuracy[-1]:.1%}")
    batches = -(-session.train_size // session.batch_size)
    done = -(-session._cursor // session.batch_size)
    accuracy = (f" · training accuracy {history.train_accuracy[-1]:.1%}"
                if history.train_accuracy and history.train_accuracy[-1] is not None else "")
    st.caption((f"Step {session.steps:,} · batch {done} of {batches} in epoch "
                f"{session.epoch + 1:,}" if done else
                f"Step {session.steps:,} · {batches} mini-batches per epoch") + accuracy)


NETWORK_TITLE = ("**Network** · each neuron drawn as its output over the input plane "
                 "· click a link or a bias to edit it")


def _charts(state, session, options) -> None:
    """All four live charts in one component: one message and one update per frame."""
    network = figures.network_figure(session, width=640)
    ghosts = list(state.ghosts) if "ghosts" in state else []
    rows = [
        [Panel("chart_network", network, network["layout"]["height"], NETWORK_TITLE,
               flex=1.7, min_width=420, edit=True),
         Panel("chart_output", figures.output_figure(session, show_test=options["show_test"],
                                                     discretize=options["discretize"]),
               430, "**Output** · the network's prediction, with the data", min_width=300)],
        [Panel("chart_loss", figures.loss_figure(session, log_scale=options["log_scale"],
                                                 ghosts=ghosts), 270, "**Loss**"),
         Panel("chart_weights", figures.weights_figure(session), 270,
               "**Weights** · each row is one neuron's incoming weights · one colour scale",
               flex=1.45)],
    ]
    event = live_panels(rows, key="live_charts", ack=bool(state.playing))
    if event and event["kind"] == "edit":
        _apply_edit(session, event)
    if ghosts:
        st.button(f"Clear {len(ghosts)} earlier run{'s' if len(ghosts) > 1 else ''} "
                  "(dotted)", key="clear_ghosts", on_click=state.ghosts.clear)


def _apply_edit(session, event) -> None:
    """A weight or bias typed into the network graph (as TensorFlow Playground allows)."""
    target = event.get("customdata")
    try:
        if not (isinstance(target, list) and len(target) == 3
                and all(isinstance(v, int) for v in target)):
            raise ValueError("That click did not name a weight.")
        number = session.set_parameter(*target, event.get("value"))
        layer, j, k = target
        names = figures.neuron_names(session.net.layer_sizes, session.data.features)
        what = (f"bias of {names[layer + 1][j]}" if k == -1 else
                f"weight {names[layer][j]} → {names[layer + 1][k]}")
        st.toast(f"Set the {what} to {number:g}.", icon="✏️")
    except ValueError as error:
        st.toast(str(error), icon="⚠️")
        return
    st.rerun()  # the charts and the losses show the new value at once
