"""The Backprop inspector tab (Streamlit code only; the logic lives in plain modules)."""

from __future__ import annotations

import streamlit as st


def render(state) -> None:
    st.info("The Backprop inspector is being built.")
