"""The Learning-rate lab tab (Streamlit code only; the logic lives in plain modules)."""

from __future__ import annotations

import streamlit as st


def render(state) -> None:
    st.info("The Learning-rate lab is being built.")
