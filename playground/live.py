"""The Playground page: the play controls and the live view.

Script runs only send commands to the run's Trainer and draw the scene; while
playing, nothing here runs per frame: the Trainer makes frames on its own
clock and the page draws them as they arrive (live_view.py, stream.py).
"""

from __future__ import annotations

import streamlit as st

from . import controls, figures, live_view, stream
from .config import MAX_NEURONS

TOOLBAR_BUTTONS = ("play", "step", "step_epoch", "reset")
TOGGLES = {"show_test": "Show test data", "discretize": "Discretize output",
           "log_scale": "Log-scale loss"}


def toolbar(state, set_playing, step_batch, step_epoch, reset, coming: bool = False) -> None:
    """Play, Step, Step epoch, Reset and what is trained. ``coming``: the buttons'
    places only, the next run draws them (app.py: a tab's first run; drawn there, the
    buttons and the toggles held the charts up ~0.13 s)."""
    trainer = state.trainer
    playing = trainer.playing
    diverged = bool(trainer.frame().diverged)
    columns = st.columns([1.1, 1, 1.2, 1, 4], vertical_alignment="center")
    with columns[4]:
        st.caption(trainer.read(lambda session: _describe(state.config, session)))
    if coming:
        for column, key in zip(columns, TOOLBAR_BUTTONS):
            controls.coming_place(column, f"{key}_coming")
        return
    columns[0].button("Pause" if playing else "Play", key="play", type="primary",
                      icon=":material/pause:" if playing else ":material/play_arrow:",
                      on_click=set_playing, args=(not playing,), use_container_width=True,
                      disabled=diverged,
                      help="Rewind or reset first: this run diverged" if diverged else None)
    columns[1].button("Step", key="step", on_click=step_batch, use_container_width=True,
                      icon=":material/skip_next:", help="Train on one mini-batch")
    columns[2].button("Step epoch", key="step_epoch", on_click=step_epoch,
                      use_container_width=True, icon=":material/fast_forward:",
                      help="Finish the current epoch (or train one whole epoch)")
    columns[3].button("Reset", key="reset", on_click=reset, use_container_width=True,
                      icon=":material/restart_alt:",
                      help="New run on the same data (same initial weights unless you "
                           "turned that off in the sidebar)")


def _describe(config, session) -> str:
    layers = " → ".join(map(str, session.net.layer_sizes))
    problem = ("regression" if config.is_regression
               else f"{config.class_count}-class classification")
    return (f"**{problem}** · network {layers} · {session.train_size} training / "
            f"{len(session.data.X_test)} test points · batch {session.batch_size}")


def controls_follow(state) -> bool:
    """True in a tab's first run on the Playground while the live view is live: the run
    draws the view alone and the view asks for the next run, which draws the controls."""
    if "controls_shown" in state:
        return False
    state.controls_shown = True
    return stream.serving() and state.get("page") in (None, "Playground")


def view(state, controls_follow: bool = False) -> None:
    trainer = state.trainer
    trainer.keep_alive()
    if not stream.serving():
        st.error("The live view needs its own routes: start the playground with "
                 "`streamlit run playground/serve.py`.", icon=":material/error:")
    frame = trainer.frame()
    if frame.diverged:
        st.error(frame.diverged, icon=":material/error:")
        st.button("Rewind to the last good epoch", key="rewind", on_click=trainer.rewind,
                  icon=":material/history:")
    options = {}
    for column, (key, label) in zip(st.columns(3), TOGGLES.items()):
        if controls_follow:  # their places: the next run draws them
            controls.coming_place(column, f"{key}_coming")
            options[key] = bool(state.get(key, False))
        else:
            options[key] = column.toggle(label, key=key)
    ghosts = list(state.ghosts) if "ghosts" in state else []
    socket = f"{stream.PREFIX}/live/{stream.token_for(trainer)}" if stream.serving() else ""
    notice = state.pop("edit_notice", "")  # a refused edit, said over the graph

    def scene(session):  # the frame and the figures from one instant
        return live_view.scene(session, trainer.frame(), socket=socket,
                               plotly_src=stream.plotly_src(), playing=trainer.playing,
                               ghosts=ghosts, notice=notice, controls_follow=controls_follow,
                               layers="layers" not in state.config.hide, **options)

    event = live_view.live_view(trainer.read(scene), key="live_view",
                                on_neurons=_change_neurons)
    if event and event["kind"] == "edit":
        _apply_edit(state, trainer, event)
    if ghosts:
        st.button(f"Clear {len(ghosts)} earlier run{'s' if len(ghosts) > 1 else ''} "
                  "(dotted)", key="clear_ghosts", on_click=state.ghosts.clear)


def _change_neurons() -> None:
    """＋/－ under a layer of the graph: the sidebar's neuron count of that layer
    (a callback: it runs before the sidebar's widgets are drawn)."""
    change = live_view.neurons_change("live_view")
    state = st.session_state
    if change is None or "layers" in state.config.hide:
        return
    layer, delta = change
    key = controls.NEURON_KEY.format(layer)
    if layer < state.get("layer_count", 0) and key in state:
        state[key] = min(max(int(state[key]) + delta, 1), MAX_NEURONS)


def _apply_edit(state, trainer, event) -> None:
    """A weight or bias typed into the network graph (as TensorFlow Playground allows).

    A refusal quotes what was typed: the page shows it as plain text over the
    graph (not above it, where it would push the graph from under the mouse)."""
    target = event.get("target")
    try:
        if not (isinstance(target, list) and len(target) == 3
                and all(isinstance(v, int) for v in target)):
            raise ValueError("That click did not name a weight.")
        number = trainer.set_parameter(*target, event.get("value"))
        layer, j, k = target
        names = trainer.read(lambda s: figures.neuron_names(s.net.layer_sizes, s.data.features))
        what = (f"bias of {names[layer + 1][j]}" if k == -1 else
                f"weight {names[layer][j]} → {names[layer + 1][k]}")
        st.toast(f"Set the {what} to {number:g}.", icon=":material/edit:")
    except ValueError as error:
        state.edit_notice = f"Not applied: {error}"
    st.rerun()  # the charts and the losses show the new value (or the refusal) at once
