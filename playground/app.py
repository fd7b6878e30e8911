"""mikir playground: pick data, shape a network, press Play, watch it learn.

Run from the repository root:  streamlit run playground/app.py

Data flows one way: widgets → Config → TrainingSession → figure dicts → page.
This file only wires them together; the logic lives in plain modules.
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

if __package__ in (None, ""):  # `streamlit run playground/app.py` runs this as a script
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playground import config as cfg  # noqa: E402
from playground import controls, live  # noqa: E402
from playground.live_chart import ensure_plotly_js  # noqa: E402
from playground.session import TrainingSession  # noqa: E402
from playground.url_sync import sync_url  # noqa: E402

st.set_page_config(page_title="mikir playground", page_icon="🧠", layout="wide",
                   initial_sidebar_state="expanded")
ensure_plotly_js()
state = st.session_state


def start() -> None:
    """First run of this tab: the setup comes from the URL, validated."""
    config, notices = cfg.from_query(st.query_params.to_dict())
    state.config = config
    state.notices = notices
    state.session = TrainingSession(config)
    state.playing = False
    state.w_same_weights = True
    controls.seed_widgets(config)


def toggle_play() -> None:
    state.playing = not state.playing and not state.session.diverged


def step_batch() -> None:
    state.playing = False
    state.session.step_batch()
    state.session.record()


def step_epoch() -> None:
    state.playing = False
    state.session.step_epoch()
    state.session.record()


def regenerate() -> None:
    """New points from a new seed; the network keeps its weights."""
    state.w_seed = (int(state.w_seed) * 1103515245 + 12345) % (2**31 - 1)
    state.regenerating = True


def reset() -> None:
    if state.get("w_same_weights", True):
        state.session.reset()
    else:  # a new weight seed, so the share link still reproduces these weights
        state.w_init_seed = (int(state.w_init_seed) * 69069 + 1) % (2**31 - 1)
    state.playing = False


if "session" not in state:
    start()

with st.sidebar:
    st.markdown("## mikir playground")
    st.caption("A neural network, learning live, built on **mikir** (numpy only).")
for notice in state.notices:
    st.warning(f"Share link: {notice}", icon="⚠️")

config = controls.sidebar(state.config, on_regenerate=regenerate, on_reset=reset)
if config != state.config:
    session: TrainingSession = state.session
    try:
        if state.pop("regenerating", False):
            restarted = session.regenerate(config)
        else:
            restarted = session.apply(config)
        if restarted:
            state.playing = False
        state.config = session.config
    except ValueError as error:
        st.error(f"That setting could not be applied: {error}")
sync_url(cfg.to_query(state.config))

live.toolbar(state, toggle_play, step_batch, step_epoch, reset)
live.view(state)
