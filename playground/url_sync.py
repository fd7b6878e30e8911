"""Keep the address bar's query string equal to the current setup.

``st.query_params`` writes push a browser history entry each time; this tiny
component rewrites the URL with ``history.replaceState`` instead, so a
learner's Back button is not flooded by every slider move.
"""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from .frontend import source

_component = st.components.v2.component("mikir_url_sync", js=source("url_sync.js"),
                                        isolate_styles=False)


def sync_url(query: dict[str, str]) -> None:
    """Make the page's URL carry ``query`` (no new history entry)."""
    _component(key="url_sync", data={"query": urlencode(query, safe=",")}, height=0)
