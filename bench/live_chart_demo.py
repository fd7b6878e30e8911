"""Live chart demo: a 3-panel figure redrawn every 50 ms by a fragment.

    streamlit run bench/live_chart_demo_serve.py     (plotly.js needs its route), then
    /?mode=live          live_chart (default)
    /?mode=plotly_chart  the same figure through st.plotly_chart
    /?mode=none          no chart: the fragment timer's own ceiling

Used by bench/bench_live_chart.py and tests/test_live_chart_browser.py. The
frame number is shown as text under the chart, not in the figure: text that
changes every frame makes each Plotly.react re-measure it (~40% slower here).
"""

import json
import sys
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from playground.live_chart import live_chart  # noqa: E402

HEIGHT = 360
SIZE = 100
MODE = st.query_params.get("mode", "live")

st.set_page_config(page_title="live_chart demo", layout="wide")


def new_figure() -> go.Figure:
    """Built once per session: make_subplots costs milliseconds, data updates don't."""
    figure = make_subplots(
        rows=1, cols=3, subplot_titles=("heatmap", "line", "scatter"), horizontal_spacing=0.08
    )
    figure.add_trace(
        go.Heatmap(
            z=np.zeros((SIZE, SIZE)),
            colorscale="RdBu",
            zmin=-1,
            zmax=1,
            showscale=False,
            name="field",
        ),
        1,
        1,
    )
    figure.add_trace(go.Scatter(y=[], mode="lines", name="loss"), 1, 2)
    figure.add_trace(
        go.Scatter(x=[], y=[], mode="markers", name="points", marker={"size": 6}), 1, 3
    )
    figure.update_layout(
        template="plotly_white", margin={"l": 30, "r": 10, "t": 60, "b": 30}, showlegend=False
    )
    return figure


def update(figure: go.Figure, frame: int) -> None:
    t = frame * 0.1
    grid = np.linspace(0, 2 * np.pi, SIZE, dtype=np.float32)
    z = np.sin(grid[None, :] * 2 + t) * np.cos(grid[:, None] * 3 - t)
    steps = np.arange(max(0, frame - 200), frame + 1)
    angle = np.linspace(0, 2 * np.pi, 200, endpoint=False) + t
    radius = 1 + 0.3 * np.sin(5 * angle)
    with figure.batch_update():
        figure.data[0].z = z
        figure.data[1].update(x=steps, y=np.exp(-steps / 300) + 0.05 * np.sin(steps / 5))
        figure.data[2].update(x=radius * np.cos(angle), y=radius * np.sin(angle))


@st.fragment(run_every=0.05)
def animate() -> None:
    state = st.session_state
    if "figure" not in state:
        state.figure, state.frame = new_figure(), 0
    state.frame += 1
    update(state.figure, state.frame)
    if MODE == "plotly_chart":
        st.plotly_chart(state.figure, key="chart", height=HEIGHT)
    elif MODE == "live":
        click = live_chart(state.figure.to_json(), key="chart", height=HEIGHT, on_click=True)
        if click:
            state.click = click
    st.text(f"frame {state.frame}")
    if "click" in state:
        st.text("clicked " + json.dumps(state.click, sort_keys=True))


st.caption(f"mode: {MODE}")
animate()
