"""Start the playground:  streamlit run playground/serve.py

The page is ``app.py``; this entry adds the live view's own routes beside
Streamlit's (a websocket that pushes training frames, plotly.js from the source
tree, process stats). Nothing is written anywhere: the app runs from a
read-only checkout and from any working directory.
"""

import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playground import stream  # noqa: E402

app = st.App("app.py", routes=stream.routes())
