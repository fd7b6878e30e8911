"""Start the playground:  streamlit run playground/serve.py

The page is ``app.py``; this entry adds the live view's own routes beside
Streamlit's (a websocket that pushes training frames, plotly.js from the source
tree, process stats), gzips Streamlit's own scripts once (compressed_assets.py) and
names plotly.js in the page's head so it loads while Streamlit starts (page_head.py),
lets browsers on the same cores draw first while runs train at a set speed
(trainer.SessionPriority), and turns Nagle's algorithm off (no_delay.py).
Nothing is written anywhere: the app runs from a
read-only checkout and from any working directory.
"""

import sys
from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playground import stream  # noqa: E402
from playground.compressed_assets import CompressedAssets  # noqa: E402
from playground.no_delay import listening_without_delay  # noqa: E402
from playground.page_head import PageHead  # noqa: E402
from playground.trainer import session_priority  # noqa: E402

listening_without_delay()  # responses leave at once, not 40 ms later (no_delay.py)
session_priority.manage()  # browsers on the same cores first while runs train (trainer.py)

app = st.App("app.py", routes=stream.routes(),
             middleware=[Middleware(PageHead, src=stream.plotly_src),
                         Middleware(CompressedAssets)])
