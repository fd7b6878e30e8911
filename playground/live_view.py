"""The live view's component: the scene from Python, the frames over its own socket.

A script run sends the *scene*: the network's shape and names, the data points
and axes (plotly figures without the animated maps), the loss history and the
run's current frame. While playing, frames (counters, losses and every weight)
reach the page through ``stream.py``'s websocket and the browser draws them at
display rate (``frontend/live_view.js``): no script run per frame.
"""

from __future__ import annotations

import json
import math

import numpy as np
import streamlit as st

from . import figures, stream
from .config import MAX_NEURONS
from .frontend import source


def _ignore() -> None:
    """Trigger values surface only for events that have a callback."""


def _view_js() -> str:
    """The view's module, with its painter's source (a worker started from a Blob:
    no file to serve, nothing written)."""
    painter = source("forward.js", "live_common.js", "live_painter.js")
    return (f"const PAINTER_SOURCE = {json.dumps(painter)};\n"
            + source("forward.js", "live_common.js", "plotly_loader.js", "live_view.js"))


_component = st.components.v2.component(
    "mikir.live_view", js=_view_js(),
    css=source("live_view.css"), isolate_styles=False)


def _number(value) -> float | None:
    """A number JSON can carry (NaN, infinities and None become null)."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def frame_dict(frame) -> dict:
    """A Frame as the page reads it (the same fields as a packed frame)."""
    params = np.asarray(frame.params, dtype=np.float64)
    with np.errstate(over="ignore"):
        params32 = params.astype(np.float32).astype(np.float64)
    return {
        **{name: _number(getattr(frame, name)) for name in stream.HEADER_FIELDS[:-1]},
        "diverged": 1.0 if frame.diverged else 0.0,
        "params": [v if math.isfinite(v) else None for v in params32.tolist()],
    }


def network_dict(session) -> dict:
    net = session.net
    sizes = list(net.layer_sizes)
    return {
        "sizes": sizes,
        "features": list(session.data.features),
        "labels": figures.neuron_names(sizes, session.data.features),
        "hidden": list(net.hidden_activations),
        "output": net.output_activation,
        "regression": bool(session.data.is_regression),
        "classes": int(session.data.class_count),
    }


LOSS_TRACES = {"training loss": "train", "test loss": "test",
               "training accuracy": "train_accuracy", "test accuracy": "test_accuracy"}


def extendable_loss(figure: dict) -> tuple[dict, dict[str, int]]:
    """The loss figure with plain lists in the traces the page extends with new
    frames (plotly's extendTraces cannot extend typed arrays), and their indices."""
    indices = {}
    for index, trace in enumerate(figure["data"]):
        if trace.get("name") in LOSS_TRACES:
            indices[LOSS_TRACES[trace["name"]]] = index
            for axis in ("x", "y"):
                values = figures.decode(trace[axis]).astype(float)
                trace[axis] = [v if math.isfinite(v) else None for v in values.tolist()]
    return figure, indices


def scene(session, frame, *, socket: str, plotly_src: str, playing: bool = False,
          show_test: bool = False,
          discretize: bool = False, log_scale: bool = False, ghosts=(), edit: bool = True,
          layers: bool = True, notice: str = "", controls_follow: bool = False) -> dict:
    """Everything the page draws that changes only on a script run (pure)."""
    loss, loss_traces = extendable_loss(
        figures.loss_figure(session, log_scale=log_scale, ghosts=ghosts))
    # The page grows the loss axes while playing; each scene starts them afresh.
    loss["layout"]["uirevision"] = f"loss-{log_scale}-{frame.seq}"
    weights, blocks, rows = figures.weights_axes_figure(session)
    return {
        "socket": socket,
        "plotly_src": plotly_src,
        "playing": playing,
        "net": network_dict(session),
        "frame": frame_dict(frame),
        "options": {"show_test": show_test, "discretize": discretize, "edit": edit,
                    "layers": layers, "max_neurons": MAX_NEURONS},
        "figures": {"output": figures.output_axes_figure(session, show_test=show_test),
                    "loss": loss, "weights": weights},
        "loss_traces": loss_traces,
        "weights": {"blocks": blocks, "rows": rows},
        "titles": {
            "network": [["Network", True], [" · each neuron drawn as its output over the "
                                            "input plane · hover a neuron to see it large"
                                            + (" · click a link or a bias to edit it"
                                               if edit else ""), False]],
            "output": [["Output", True], [" · the network's prediction, with the "
                                          + ("training and test data" if show_test
                                             else "training data"), False]],
            "loss": [["Loss", True], [" per epoch" if session.data.is_regression
                                      else " and accuracy per epoch", False]],
            "weights": [["Weights", True], [" · each row is one neuron's incoming weights "
                                            "· one colour scale", False]],
        },
        "notice": notice,  # plain text (the page never parses it as HTML)
        "controls_follow": controls_follow,  # the page asks for them once it is drawn
    }


def live_view(payload: dict, *, key: str, on_neurons=_ignore) -> dict | None:
    """Mount (or update) the live view; return this run's event, if any.

    Events: {"kind": "edit", "target": [layer, j, k], "value": str} when a weight
    or bias was typed in the graph; {"kind": "diverged"} when a frame showed
    the run diverged (the page reruns to say so). A scene with ``controls_follow``
    makes the page ask for one more run once it is drawn (or cannot be), to draw
    the controls; that run is the whole event. ＋/－ under a hidden layer
    calls ``on_neurons`` before the script runs (it may set widget values):
    read the change with ``neurons_change(key)``.
    """
    data = json.dumps(payload, separators=(",", ":"), allow_nan=False).encode()
    result = _component(key=key, data=data, on_edit_change=_ignore,
                        on_diverged_change=_ignore, on_neurons_change=on_neurons,
                        on_drawn_change=_ignore,
                        height="content")
    for kind in ("edit", "diverged"):
        event = result.get(kind)
        if event:
            return {"kind": kind, **event}
    return None


def neurons_change(key: str) -> tuple[int, int] | None:
    """(hidden layer index from 0, +1 or -1) of a ＋/－ click, checked."""
    event = (st.session_state.get(key) or {}).get("neurons")
    if not isinstance(event, dict):
        return None
    layer, delta = event.get("layer"), event.get("delta")
    if isinstance(layer, int) and isinstance(delta, int) and delta in (-1, 1) and layer >= 0:
        return layer, delta
    return None

