"""Data sets to pick from by their look, as TensorFlow Playground shows them.

Small pictures of each data set's points, drawn in the browser from ~100 points
each (generated once per process: the same for everyone); a click chooses the
data set, exactly as the "Data set" select does (same widget key).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import streamlit as st

from mikir import datasets

from . import config as cfg
from .frontend import source

THUMBNAIL_POINTS = 120
WIDGET_KEY = "w_dataset"

_component = st.components.v2.component("mikir.dataset_picker", js=source("dataset_picker.js"),
                                        css=source("dataset_picker.css"),
                                        isolate_styles=False)


@cache
def thumbnails() -> tuple[dict, ...]:
    """Each data set's name, label and points [x, y, value] on −1…1 (value: class
    0…5, or the regression target)."""
    out = []
    for name in cfg.DATASETS:
        kwargs = {"classes": 3} if name == "blobs" else {}
        X, y = datasets.make(name, n=THUMBNAIL_POINTS, noise=0.0, seed=1, **kwargs)
        X = np.round(np.asarray(X) / 6.0, 3)
        points = np.column_stack([X, np.round(np.asarray(y, dtype=float), 3)]).tolist()
        out.append({"name": name, "label": cfg.DATASET_LABELS[name], "points": points,
                    "regression": name in cfg.REGRESSION})
    return tuple(out)


def _choose() -> None:
    """A thumbnail was clicked: choose that data set (before the widgets are drawn)."""
    event = (st.session_state.get("dataset_picker") or {}).get("chosen")
    name = event.get("name") if isinstance(event, dict) else None
    if name in cfg.DATASETS:
        st.session_state[WIDGET_KEY] = name


def dataset_picker() -> None:
    chosen = st.session_state.get(WIDGET_KEY, cfg.DEFAULT.dataset)
    _component(key="dataset_picker", data={"sets": list(thumbnails()), "chosen": chosen},
               on_chosen_change=_choose, height="content")
