"""Start the live chart demo with the routes live_chart needs (plotly.js):

    streamlit run bench/live_chart_demo_serve.py
"""

import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playground import stream  # noqa: E402

app = st.App("live_chart_demo.py", routes=stream.routes())
