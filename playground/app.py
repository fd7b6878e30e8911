"""mikir playground: pick data, shape a network, press Play, watch it learn.

Run from the repository root:  streamlit run playground/app.py

Data flows one way: widgets → Config → TrainingSession → figure dicts → page.
This file only wires them together; the logic lives in plain modules.
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st
from threadpoolctl import threadpool_limits

# Our matrices are tiny: BLAS worker threads only spin and steal the other core.
threadpool_limits(1, "blas")

if __package__ in (None, ""):  # `streamlit run playground/app.py` runs this as a script
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playground import config as cfg  # noqa: E402
from playground import (  # noqa: E402
    controls,
    live,
    page_data,
    page_inspector,
    page_lab,
    page_style,
    plain_text,
)
from playground.lab import GhostRuns, HealthTracker  # noqa: E402
from playground.session import TrainingSession, make_data  # noqa: E402
from playground.trainer import Trainer  # noqa: E402
from playground.url_sync import sync_url  # noqa: E402

# "auto": the sidebar starts open on a wide screen and collapsed on a phone.
st.set_page_config(page_title="mikir playground", page_icon="🧠", layout="wide",
                   initial_sidebar_state="auto")
state = st.session_state
page_style.apply()  # contrast, focus rings, the phone layout, keyboard aids


def start() -> None:
    """First run of this tab: the setup comes from the URL, validated."""
    config, notices = cfg.from_query(st.query_params.to_dict())
    state.config = config
    state.notices = notices
    state.w_same_weights = True
    state.ghosts = GhostRuns()
    state.health = HealthTracker()
    # The one owner of this tab's run: every page reads and changes it through here.
    state.trainer = Trainer(TrainingSession(config), watch=state.health.measure)
    controls.seed_widgets(config)


def set_playing(playing: bool) -> None:
    """Sets, not toggles: a click delivered twice cannot undo itself."""
    if playing:
        state.trainer.play()  # refused (stays paused) when the run has diverged
        state.play_pressed = True
    else:
        state.trainer.pause()


def step_batch() -> None:
    state.trainer.step_batch()  # pauses first


def step_epoch() -> None:
    state.trainer.step_epoch()


def regenerate() -> None:
    """New points from a new seed; the network keeps its weights."""
    state.w_seed = (int(state.w_seed) * 1103515245 + 12345) % (2**31 - 1)
    state.regenerating = True


def reset() -> None:
    trainer = state.trainer
    trainer.pause()
    if state.get("w_same_weights", True):
        trainer.read(state.ghosts.add)  # the run just ended stays as a faded curve
        trainer.reset()
    else:  # a new weight seed, so the share link still reproduces these weights
        # (the rebuild that follows keeps the run as a ghost: not twice)
        state.w_init_seed = (int(state.w_init_seed) * 69069 + 1) % (2**31 - 1)


def leave_own_data() -> None:
    """Back to the generated points of the data set the selector shows (choosing it
    again in the selector changes nothing, so it cannot do this)."""
    trainer = state.trainer
    trainer.pause()
    trainer.read(state.ghosts.add)
    trainer.set_data(make_data(state.config))


if "trainer" not in state:
    start()
else:
    controls.seed_widgets(state.config, only_missing=True)

with st.sidebar:
    st.markdown("## mikir playground")
    st.caption("A neural network, learning live, built on **mikir** (numpy only).")
page_top = st.container(key="page_top")  # share-link notices, the page choice, the top bar, Play
page_body = st.container()
# A tab's first run draws the live view and the page's top without the sidebar's
# controls, the top bar's choices, the play buttons or the toggles (their places kept,
# page.css); the live view asks for the next run, which draws them, once its first
# frame is on screen. Drawn at once, the browser built ~40 widgets first and the
# charts waited ~0.7 s for them.
controls_follow = live.controls_follow(state)
if controls_follow:
    controls.coming_place(st.sidebar, "controls_coming")
    chosen_config = state.config
else:
    data = state.trainer.read(lambda session: session.data)  # never changed in place
    with st.sidebar:
        chosen_config = controls.read(state.config)  # the widgets' values, not yet applied
        if data.source == "custom" and not cfg.makes_new_points(state.config, chosen_config):
            points = len(data.X_train) + len(data.X_test)
            name = cfg.DATASET_LABELS[state.config.dataset]
            plain_text.alert(f"Training on your own {points} points (page “Your data & "
                             f"model”). Choose another data set below, or go back to "
                             f"{name}.", "info")
            st.button(f"Back to {name}", key="leave_own_data", on_click=leave_own_data,
                      icon=":material/undo:", use_container_width=True,
                      help="Train on the generated points of this data set again; your "
                           "own points stay on the page “Your data & model”.")
# Share-link notices go once their setting is changed, or all at once with Dismiss.
state.notices = cfg.current_notices(state.notices, chosen_config)
with page_top:
    plain_text.dismissible_alerts(map(str, state.notices), label="Share link:",
                                  key="share_link_notices", on_dismiss=state.notices.clear)

# The Playground page draws the main choices in its top bar, the other pages in the sidebar.
on_playground = state.get("page") in (None, "Playground")
config = (state.config if controls_follow else
          controls.sidebar(state.config, on_regenerate=regenerate, top_bar=on_playground))
if config != state.config:
    trainer: Trainer = state.trainer
    try:
        if cfg.needs_rebuild(trainer.session_config, config):
            trainer.read(lambda session: session.epoch and state.ghosts.add(session))
        if state.pop("regenerating", False):
            trainer.regenerate(config)  # pauses if the run started over
        else:
            trainer.apply(config)
        state.config = trainer.session_config
        if state.get("play_pressed"):
            # Play pressed while a change was still on its way (Streamlit runs the
            # callback first): the new run plays, as the learner asked last
            trainer.play()
    except ValueError as error:
        page_top.error(f"That setting could not be applied: {error}")
state.play_pressed = False
state.ghosts.follow(state.config)  # only runs of this problem and loss are comparable
if not controls_follow:
    sync_url(cfg.to_query(state.config))

PAGES = ("Playground", "Learning-rate lab", "Backprop inspector", "Your data & model")


def keep_a_page() -> None:
    """A click on the page already shown would unselect it (nothing highlighted)."""
    if not state.get("page"):
        state.page = state.get("page_shown", PAGES[0])


state.setdefault("page", PAGES[0])
with page_top:
    chosen = st.segmented_control("Page", PAGES, key="page", label_visibility="collapsed",
                                  on_change=keep_a_page) or PAGES[0]
state.page_shown = chosen
if chosen != PAGES[0] and state.trainer.playing:
    state.trainer.pause()  # another page looks at the run: it holds still meanwhile
if chosen == PAGES[0]:
    with page_top:
        controls.top_bar(state.config, coming=controls_follow)
        live.toolbar(state, set_playing, step_batch, step_epoch, reset, coming=controls_follow)
with page_body:
    if chosen == PAGES[0]:
        live.view(state, controls_follow=controls_follow)
    elif chosen == PAGES[1]:
        page_lab.render(state)
    elif chosen == PAGES[2]:
        page_inspector.render(state)
    else:
        page_data.render(state)
if chosen != PAGES[3]:
    page_data.leave(state)
