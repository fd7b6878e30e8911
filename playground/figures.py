"""Plotly figures for the live views, as pure functions: session in, figure dict out.

Figures are built as plain dicts (not ``go.Figure``), because building graph
objects costs ~0.3 ms per trace and the page redraws ten times a second.
Numeric arrays travel as plotly.js typed arrays (base64 ``bdata``), which are
smaller than JSON numbers and decode without parsing.
"""

from __future__ import annotations

import base64
import math

import numpy as np

from mikir import datasets

# TensorFlow Playground's diverging scale: orange (−1) → light grey (0) → blue (+1).
ORANGE, NEUTRAL, BLUE = "#f59322", "#e8eaeb", "#0877bd"
DIVERGING = [[0.0, ORANGE], [0.5, NEUTRAL], [1.0, BLUE]]
CLASS_COLORS = (ORANGE, BLUE, "#2ca02c", "#8e44ad", "#d62728", "#17becf")
TEXT = "#31333f"
MUTED = "#6b7280"
FONT = {"family": "Inter, 'Source Sans Pro', system-ui, sans-serif", "size": 12, "color": TEXT}
LOW, HIGH = datasets.DOMAIN
TRAIN_COLOR, TEST_COLOR = "#1f6feb", "#e8590c"


# ------------------------------------------------------------------ helpers
def typed(array, dtype: str = "f4") -> dict:
    """A plotly.js typed array: {"dtype", "bdata", "shape"}."""
    array = np.ascontiguousarray(array, dtype="<" + dtype)
    spec = {"dtype": dtype, "bdata": base64.b64encode(array.tobytes()).decode("ascii")}
    if array.ndim > 1:
        spec["shape"] = ",".join(map(str, array.shape))
    return spec


def decode(value) -> np.ndarray:
    """Inverse of ``typed`` (and passes plain lists through), for tests and tools."""
    if isinstance(value, dict) and "bdata" in value:
        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype="<" + value["dtype"])
        if "shape" in value:
            array = array.reshape([int(s) for s in str(value["shape"]).split(",")])
        return array
    return np.asarray(value, dtype=float)


def grid_points(resolution: int) -> tuple[np.ndarray, np.ndarray]:
    """Cell centres over the domain: (coords (r,), points (r*r, 2)), rows = y ascending."""
    step = (HIGH - LOW) / resolution
    coords = LOW + step * (np.arange(resolution) + 0.5)
    xx, yy = np.meshgrid(coords, coords)
    return coords, np.column_stack([xx.ravel(), yy.ravel()])


_GRID_CACHE: dict = {}


def grid_features(features: tuple[str, ...], resolution: int) -> np.ndarray:
    """Feature matrix of the grid, cached (the same for every frame)."""
    key = (tuple(features), resolution)
    if key not in _GRID_CACHE:
        if len(_GRID_CACHE) > 64:
            _GRID_CACHE.clear()
        _, points = grid_points(resolution)
        _GRID_CACHE[key] = datasets.features(points, features).astype(np.float32)
        _GRID_CACHE[key].setflags(write=False)
    return _GRID_CACHE[key]


def grid_forward(session, resolution: int):
    """Every layer's activations over the grid, float32 (3× faster; drawing only)."""
    F = grid_features(session.data.features, resolution)
    with np.errstate(all="ignore"):
        return session.net.forward(F, dtype=np.float32)


def _base_layout(**extra) -> dict:
    layout = {
        "font": FONT,
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "margin": {"l": 10, "r": 10, "t": 30, "b": 10},
        "hoverlabel": {"font": {"family": FONT["family"], "size": 12}},
        "showlegend": False,
    }
    layout.update(extra)
    return layout


def _output_display(activations: np.ndarray, output_activation: str) -> np.ndarray:
    """Outputs on the −1…+1 colour scale (probabilities p ↦ 2p − 1)."""
    if output_activation in ("sigmoid", "softmax"):
        return 2.0 * activations - 1.0
    return activations


def _hidden_display(activations: np.ndarray, activation: str) -> np.ndarray:
    return 2.0 * activations - 1.0 if activation == "sigmoid" else activations


def fmt(value: float) -> str:
    return f"{value:.4g}" if math.isfinite(value) else str(value)


# ------------------------------------------------------------ network graph
TILE = 1.0
COLUMN_GAP = 2.6
THUMBNAIL = 16
GAP_CELLS = 6  # rows of empty cells between two neurons: keeps every column on one grid
ROW_GAP = TILE + GAP_CELLS * TILE / THUMBNAIL
LINK_WIDTHS = (0.6, 1.5, 2.6, 4.0, 5.8, 8.0)


def neuron_positions(sizes) -> list[list[tuple[float, float]]]:
    """Centre (x, y) of every neuron, column by column, each column centred."""
    return [[(c * COLUMN_GAP, ((count - 1) / 2 - r) * ROW_GAP) for r in range(count)]
            for c, count in enumerate(sizes)]


def neuron_name(layer: int, index: int, sizes, features) -> str:
    if layer == 0:
        return datasets.FEATURE_LABELS[features[index]]
    if layer == len(sizes) - 1:
        return "Output" if sizes[-1] == 1 else f"Output {index + 1}"
    return f"Layer {layer} · neuron {index + 1}"


def _link_bucket(magnitude: np.ndarray) -> np.ndarray:
    """|w| mapped like TensorFlow Playground (0…5 → thin…thick), in width buckets."""
    scaled = np.clip(magnitude / 5.0, 0, 1) ** 0.6
    return np.minimum((scaled * len(LINK_WIDTHS)).astype(int), len(LINK_WIDTHS) - 1)


def network_figure(session, highlight=None, link_values=None, title_suffix: str = "",
                   width: int = 640) -> dict:
    """Inputs, every neuron's map of its activation over the plane, links and biases.

    ``link_values`` (a list like ``net.weights``) draws other numbers on the links,
    e.g. gradients in the backprop inspector; ``highlight`` = (layer, j, k) marks a link.
    """
    net, data = session.net, session.data
    sizes = net.layer_sizes
    positions = neuron_positions(sizes)
    forward = grid_forward(session, THUMBNAIL)
    step = TILE / THUMBNAIL
    traces: list[dict] = []
    values = link_values if link_values is not None else net.weights

    # Links first, so the tiles sit on top of their ends.
    mids_x, mids_y, mids_text, mids_data = [], [], [], []
    for layer, matrix in enumerate(values):
        matrix = np.asarray(matrix, dtype=float)
        buckets = _link_bucket(np.abs(np.nan_to_num(matrix)))
        for sign, color in ((1, BLUE), (-1, ORANGE)):
            for bucket, line_width in enumerate(LINK_WIDTHS):
                chosen = np.argwhere((np.sign(matrix) == sign) & (buckets == bucket))
                if not len(chosen):
                    continue
                xs, ys = [], []
                for j, k in chosen:
                    x0, y0 = positions[layer][j]
                    x1, y1 = positions[layer + 1][k]
                    xs += [x0 + TILE / 2, x1 - TILE / 2, None]
                    ys += [y0, y1, None]
                traces.append({
                    "type": "scatter", "mode": "lines", "x": xs, "y": ys,
                    "line": {"color": color, "width": line_width}, "hoverinfo": "skip",
                    "opacity": 0.35 + 0.1 * bucket,
                })
        for j in range(matrix.shape[0]):
            for k in range(matrix.shape[1]):
                x0, y0 = positions[layer][j]
                x1, y1 = positions[layer + 1][k]
                t = 0.3 + 0.4 * (k + 0.5) / matrix.shape[1]  # spread the hover points
                mids_x.append(x0 + TILE / 2 + t * (x1 - x0 - TILE))
                mids_y.append(y0 + t * (y1 - y0))
                source = neuron_name(layer, j, sizes, data.features)
                target = neuron_name(layer + 1, k, sizes, data.features)
                label = "weight" if link_values is None else "value"
                mids_text.append(f"{source} → {target}<br>{label} = {fmt(matrix[j, k])}"
                                 + ("" if link_values is None
                                    else f"<br>weight = {fmt(net.weights[layer][j, k])}"))
                mids_data.append([layer, int(j), int(k)])
    if highlight is not None:
        layer, j, k = highlight
        x0, y0 = positions[layer][j]
        x1, y1 = positions[layer + 1][k]
        traces.append({"type": "scatter", "mode": "lines", "hoverinfo": "skip",
                       "x": [x0 + TILE / 2, x1 - TILE / 2], "y": [y0, y1],
                       "line": {"color": "#111827", "width": 3, "dash": "dot"}})
    traces.append({
        "type": "scatter", "mode": "markers", "x": mids_x, "y": mids_y, "name": "links",
        "text": mids_text, "customdata": mids_data, "hovertemplate": "%{text}<extra></extra>",
        "marker": {"size": 9, "color": "rgba(0,0,0,0)"},
    })

    # Neuron tiles: inputs show the feature itself; others their activation.
    for layer, column in enumerate(positions):
        if layer == 0:
            tiles = forward.activations[0]
            tiles = tiles / np.maximum(np.abs(tiles).max(axis=0), 1e-9)
        elif layer == len(sizes) - 1:
            tiles = _output_display(forward.activations[layer], net.output_activation)
        else:
            tiles = _hidden_display(forward.activations[layer],
                                    net.hidden_activations[layer - 1])
        # One heatmap per column (empty rows between neurons): one trace to draw
        # instead of one per neuron, which is what makes the browser keep up.
        rows = []
        for index in range(len(column) - 1, -1, -1):  # bottom neuron first: y ascends
            rows.append(np.nan_to_num(tiles[:, index], nan=0.0).reshape(THUMBNAIL, THUMBNAIL))
            if index:
                rows.append(np.full((GAP_CELLS, THUMBNAIL), np.nan))
        x, bottom = column[0][0], column[-1][1]
        traces.append({
            "type": "heatmap", "z": typed(np.vstack(rows)), "x0": x - TILE / 2 + step / 2,
            "dx": step, "y0": bottom - TILE / 2 + step / 2, "dy": step, "zmin": -1, "zmax": 1,
            "colorscale": DIVERGING, "showscale": False, "zsmooth": "best",
            "name": f"column {layer}", "hoverinfo": "skip",
        })
        names = [neuron_name(layer, i, sizes, data.features) for i in range(len(column))]
        traces.append({  # hover targets for the neurons (the heatmap itself is skipped)
            "type": "scatter", "mode": "markers", "name": f"neurons {layer}",
            "x": [px for px, _ in column], "y": [py for _, py in column],
            "marker": {"symbol": "square", "size": 26, "color": "rgba(0,0,0,0)"},
            "text": [f"<b>{name}</b>" + ("" if layer == 0 else
                     f"<br>bias = {fmt(net.biases[layer - 1][i])}") +
                     f"<br>output over the plane: {fmt(float(np.nanmin(tiles[:, i])))} … "
                     f"{fmt(float(np.nanmax(tiles[:, i])))}"
                     for i, name in enumerate(names)],
            "hovertemplate": "%{text}<extra></extra>",
        })
    # Biases: a small square at each neuron's lower left, coloured by value.
    bx, by, bc, btext, bdata = [], [], [], [], []
    for layer in range(1, len(sizes)):
        for index, (x, y) in enumerate(positions[layer]):
            value = float(net.biases[layer - 1][index])
            bx.append(x - TILE / 2 - 0.12)
            by.append(y - TILE / 2 + 0.12)
            bc.append(value)
            btext.append(f"bias of {neuron_name(layer, index, sizes, data.features)}"
                         f" = {fmt(value)}")
            bdata.append([layer - 1, index, -1])
    traces.append({
        "type": "scatter", "mode": "markers", "x": bx, "y": by, "text": btext, "name": "biases",
        "customdata": bdata, "hovertemplate": "%{text}<extra></extra>",
        "marker": {"symbol": "square", "size": 9, "color": np.nan_to_num(bc).tolist(),
                   "colorscale": DIVERGING, "cmin": -1, "cmax": 1,
                   "line": {"color": "#9ca3af", "width": 0.5}},
    })

    annotations = []
    for layer, column in enumerate(positions):
        x = column[0][0]
        top = column[0][1] + TILE / 2 + 0.25
        if layer == 0:
            title = "Features"
        elif layer == len(sizes) - 1:
            title = "Output"
        else:
            count = sizes[layer]
            title = f"Layer {layer}<br><span style='color:{MUTED};font-size:10px'>{count} " \
                    f"neuron{'s' if count > 1 else ''}</span>"
        annotations.append({"x": x, "y": top, "text": f"<b>{title}</b>" if layer in
                            (0, len(sizes) - 1) else title, "showarrow": False,
                            "yanchor": "bottom", "font": {"size": 12}})
        if layer == 0:
            for index, (cx, cy) in enumerate(column):
                annotations.append({"x": cx - TILE / 2 - 0.12, "y": cy, "xanchor": "right",
                                    "text": datasets.FEATURE_LABELS[data.features[index]],
                                    "showarrow": False, "font": {"size": 13}})
    rows = max(sizes)
    half_height = (rows - 1) / 2 * ROW_GAP + TILE / 2
    x_min, x_max = -TILE / 2 - 0.3, (len(sizes) - 1) * COLUMN_GAP + TILE / 2 + 0.2
    y_min, y_max = -half_height - 0.3, half_height + 1.25
    # Square tiles: the height follows the width the page gives the chart.
    height = int(min(max((width - 74) * (y_max - y_min) / (x_max - x_min) + 20, 240), 720))
    return {
        "data": traces,
        "layout": _base_layout(
            height=height,
            margin={"l": 64, "r": 10, "t": 10, "b": 10},  # the feature labels sit in l
            xaxis={"visible": False, "range": [x_min, x_max], "fixedrange": True},
            yaxis={"visible": False, "range": [y_min, y_max],
                   "fixedrange": True, "scaleanchor": "x", "scaleratio": 1},
            annotations=annotations, hovermode="closest", uirevision="network",
            title={"text": title_suffix} if title_suffix else None,
        ),
    }


# ------------------------------------------------------------------ output map
OUTPUT_RESOLUTION = 100


def class_colorscale(count: int) -> list:
    """Piecewise scale: class k's band [k, k+1) runs from pale to full colour."""
    scale = []
    for k in range(count):
        color = CLASS_COLORS[k]
        scale.append([k / count, _mix(color, 0.85)])
        scale.append([(k + 1) / count - 1e-6, _mix(color, 0.25)])
    scale[-1][0] = 1.0
    return scale


def _mix(color: str, white: float) -> str:
    r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    r, g, b = (round(c + (255 - c) * white) for c in (r, g, b))
    return f"rgb({r},{g},{b})"


def output_values(session, resolution: int = OUTPUT_RESOLUTION, discretize: bool = False):
    """(z to draw, zmin, zmax, colorscale) for the output over the grid."""
    forward = grid_forward(session, resolution)
    output = forward.activations[-1].astype(np.float64)
    net = session.net
    if output.shape[1] > 1:  # multi-class: band = class, position in band = confidence
        count = output.shape[1]
        winner = output.argmax(axis=1)
        confidence = output.max(axis=1)
        shade = 1.0 if discretize else np.clip((confidence - 1 / count) / (1 - 1 / count), 0, 1)
        z = winner + 0.999 * shade
        return z.reshape(resolution, resolution), 0, count, class_colorscale(count)
    z = _output_display(output[:, 0], net.output_activation)
    if discretize:
        z = np.where(z >= 0, 1.0, -1.0)
    z = np.clip(np.nan_to_num(z, nan=0.0), -1, 1)
    return z.reshape(resolution, resolution), -1, 1, DIVERGING


def _point_colors(session, y) -> list:
    if session.data.is_regression:
        return np.clip(np.asarray(y, dtype=float), -1, 1).tolist()
    return [CLASS_COLORS[int(label) % len(CLASS_COLORS)] for label in y]


def output_figure(session, show_test: bool = False, discretize: bool = False,
                  selected: int | None = None, height: int = 420) -> dict:
    """The network's output over the input plane, with the data points on top."""
    data = session.data
    z, zmin, zmax, scale = output_values(session, OUTPUT_RESOLUTION, discretize)
    step = (HIGH - LOW) / OUTPUT_RESOLUTION
    traces = [{
        "type": "heatmap", "z": typed(z), "x0": LOW + step / 2, "dx": step,
        "y0": LOW + step / 2, "dy": step, "zmin": zmin, "zmax": zmax, "colorscale": scale,
        # smoothing would blend class bands into false colours along the boundaries
        # "best" interpolates: "fast" is cheaper but shows 3-px blocks in the page
        "showscale": False, "zsmooth": "best" if zmin == -1 else False, "name": "output",
        "hovertemplate": "x₁ = %{x:.2f}, x₂ = %{y:.2f}<extra></extra>",
    }]
    splits = [("training", data.X_train, data.y_train, "#ffffff", 1.2)]
    if show_test:
        splits.append(("test", data.X_test, data.y_test, "#111827", 1.6))
    regression = data.is_regression
    for name, X, y, edge, edge_width in splits:
        if not len(X):
            continue
        label = "target" if regression else "class"
        marker = {"size": 7, "line": {"color": edge, "width": edge_width}}
        if regression:
            marker.update(color=_point_colors(session, y), colorscale=DIVERGING, cmin=-1, cmax=1)
        else:
            marker["color"] = _point_colors(session, y)
        traces.append({
            "type": "scatter", "mode": "markers", "name": name,
            "x": typed(X[:, 0], "f8"), "y": typed(X[:, 1], "f8"),
            "customdata": np.column_stack([np.arange(len(X)), y]).tolist(),
            "marker": marker,
            "hovertemplate": f"{name} point #%{{customdata[0]}}<br>x₁ = %{{x:.2f}}, "
                             f"x₂ = %{{y:.2f}}<br>{label} = %{{customdata[1]}}<extra></extra>",
        })
    if selected is not None and 0 <= selected < len(data.X_train):
        px, py = data.X_train[selected]
        traces.append({"type": "scatter", "mode": "markers", "name": "selected",
                       "x": [float(px)], "y": [float(py)], "hoverinfo": "skip",
                       "marker": {"size": 18, "color": "rgba(0,0,0,0)",
                                  "line": {"color": "#111827", "width": 2.5}}})
    axis = {"range": [LOW, HIGH], "zeroline": False, "showgrid": False, "ticks": "outside",
            "tickvals": [-6, -4, -2, 0, 2, 4, 6], "mirror": True, "linecolor": "#d1d5db"}
    return {
        "data": traces,
        "layout": _base_layout(
            height=height, margin={"l": 36, "r": 10, "t": 10, "b": 30},
            xaxis={**axis, "constrain": "domain"},
            yaxis={**axis, "scaleanchor": "x", "scaleratio": 1, "constrain": "domain"},
            hovermode="closest", uirevision="output", dragmode="zoom",
        ),
    }


# ------------------------------------------------------------- weight heatmaps
def weights_figure(session, height: int = 260) -> dict:
    """One heatmap per weight matrix, all on one symmetric colour scale."""
    net, data = session.net, session.data
    sizes = net.layer_sizes
    count = len(net.weights)
    limit = max(float(np.nanmax(np.abs(w))) if w.size else 0.0 for w in net.weights)
    limit = limit if math.isfinite(limit) and limit > 0 else 1.0
    gap = 0.04
    width = (1 - gap * (count - 1)) / count
    traces, layout_axes, annotations = [], {}, []
    for i, matrix in enumerate(net.weights):
        suffix = "" if i == 0 else str(i + 1)
        rows = [neuron_name(i, j, sizes, data.features) for j in range(sizes[i])]
        cols = [neuron_name(i + 1, k, sizes, data.features) for k in range(sizes[i + 1])]
        short_rows = [r.replace("Layer ", "L").replace(" · neuron ", "·") for r in rows]
        short_cols = [c.replace("Layer ", "L").replace(" · neuron ", "·") for c in cols]
        traces.append({
            "type": "heatmap", "z": typed(np.nan_to_num(matrix), "f8"),
            "x": short_cols, "y": short_rows, "xaxis": f"x{suffix}", "yaxis": f"y{suffix}",
            "zmin": -limit, "zmax": limit, "colorscale": DIVERGING, "xgap": 1, "ygap": 1,
            "showscale": i == count - 1, "customdata": [[i, j, -2] for j in range(sizes[i])],
            "colorbar": {"thickness": 10, "len": 0.9, "outlinewidth": 0,
                         "tickfont": {"size": 10}},
            "hovertemplate": "%{y} → %{x}<br>weight = %{z:.4g}<extra></extra>",
        })
        start = i * (width + gap)
        layout_axes[f"xaxis{suffix}"] = {"domain": [start, start + width * 0.92],
                                         "anchor": f"y{suffix}", "tickangle": -45,
                                         "tickfont": {"size": 9}, "fixedrange": True}
        layout_axes[f"yaxis{suffix}"] = {"anchor": f"x{suffix}", "autorange": "reversed",
                                         "tickfont": {"size": 9}, "fixedrange": True}
        annotations.append({"text": f"W{i + 1}  ({sizes[i]}×{sizes[i + 1]})", "x": start,
                            "y": 1.02, "xref": "paper", "yref": "paper", "xanchor": "left",
                            "yanchor": "bottom", "showarrow": False, "font": {"size": 11}})
    return {
        "data": traces,
        "layout": _base_layout(height=height, margin={"l": 70, "r": 10, "t": 30, "b": 60},
                               annotations=annotations, uirevision="weights", **layout_axes),
    }


# ------------------------------------------------------------------ loss curve
def loss_figure(session, log_scale: bool = False, ghosts=(), height: int = 260) -> dict:
    """Training and test loss over epochs, accuracy on a second axis."""
    history = session.history
    epochs = np.asarray(history.epoch, dtype=float)
    traces = []
    for number, ghost in enumerate(ghosts):  # earlier runs, faded, one legend entry
        traces.append({"type": "scatter", "mode": "lines", "name": "earlier runs",
                       "legendgroup": "ghosts", "showlegend": number == 0,
                       "x": typed(ghost["epoch"], "f8"), "y": typed(ghost["loss"], "f8"),
                       "line": {"color": "#9ca3af", "width": 1.2, "dash": "dot"},
                       "opacity": 0.6, "hovertemplate": f"{ghost['name']}<br>epoch %{{x}}"
                       "<br>loss %{y:.4f}<extra></extra>"})
    for name, values, color in (("training loss", history.train_loss, TRAIN_COLOR),
                                ("test loss", history.test_loss, TEST_COLOR)):
        traces.append({
            "type": "scatter", "mode": "lines", "name": name, "x": typed(epochs, "f8"),
            "y": typed(np.asarray(values, dtype=float), "f8"),
            "line": {"color": color, "width": 2.2},
            "hovertemplate": f"{name}<br>epoch %{{x}}<br>%{{y:.4f}}<extra></extra>",
        })
    has_accuracy = not session.data.is_regression
    if has_accuracy:
        for name, values, color in (("training accuracy", history.train_accuracy, TRAIN_COLOR),
                                    ("test accuracy", history.test_accuracy, TEST_COLOR)):
            values = np.array([math.nan if v is None else v for v in values], dtype=float)
            traces.append({
                "type": "scatter", "mode": "lines", "name": name, "yaxis": "y2",
                "x": typed(epochs, "f8"), "y": typed(values, "f8"),
                "line": {"color": color, "width": 1.3, "dash": "dash"},
                "hovertemplate": f"{name}<br>epoch %{{x}}<br>%{{y:.1%}}<extra></extra>",
            })
    layout = _base_layout(
        height=height, showlegend=True, hovermode="x unified",
        margin={"l": 50, "r": 50 if has_accuracy else 10, "t": 10, "b": 40},
        legend={"orientation": "h", "y": -0.25, "x": 0, "font": {"size": 11}},
        xaxis={"title": {"text": "epoch"}, "gridcolor": "#eef0f3", "zeroline": False},
        yaxis={"title": {"text": "loss"}, "type": "log" if log_scale else "linear",
               "gridcolor": "#eef0f3", "zeroline": False, "rangemode": "tozero"},
        uirevision=f"loss-{log_scale}",
    )
    if has_accuracy:
        layout["yaxis2"] = {"overlaying": "y", "side": "right", "range": [0, 1.02],
                            "tickformat": ".0%", "showgrid": False, "title": {"text": "accuracy"}}
    return {"data": traces, "layout": layout}
