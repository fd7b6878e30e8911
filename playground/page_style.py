"""The page's own look and keyboard aids, on every page: contrast, focus, phone layout.

Streamlit's theme sets colours; what it cannot express (caption contrast, a
compact play row on a phone, scrolling regions a keyboard can reach) lives in
``frontend/page.css`` and ``frontend/page.js``.
"""

from __future__ import annotations

import streamlit as st

from .frontend import source

_aids = st.components.v2.component("mikir.page_aids", js=source("page.js"),
                                   isolate_styles=False)


def apply() -> None:
    """The style sheet for the whole page, and the keyboard aids (in the sidebar: no gap)."""
    st.html(f"<style>{source('page.css')}</style>")
    with st.sidebar:
        _aids(key="page_aids", height=0)
