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


GAP = 255  # the "no cell here" code of a quantized heatmap
LEVELS = 254  # codes 0…254 for the values from zmin to zmax


def quantized(values, low: float, high: float) -> dict:
    """Values on [low, high] as one byte each (NaN -> GAP): a quarter of float32's bytes.

    254 levels are finer than any colour scale shows; the browser gets 4x fewer bytes.
    """
    values = np.asarray(values, dtype=np.float64)
    codes = np.rint((np.clip(values, low, high) - low) * (LEVELS / (high - low)))
    return typed(np.where(np.isnan(values), GAP, np.nan_to_num(codes)), "u1")


def quantized_scale(colorscale: list) -> list:
    """``colorscale`` spread over the codes 0…LEVELS, GAP transparent (zmin 0, zmax GAP)."""
    scale = [[position * LEVELS / GAP, color] for position, color in colorscale]
    return scale + [[(LEVELS + 0.5) / GAP, "rgba(0,0,0,0)"], [1.0, "rgba(0,0,0,0)"]]


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
# The graph is drawn on one grid of heatmap cells: a neuron is THUMBNAIL cells
# square, neighbours in a column GAP_CELLS apart, columns COLUMN_CELLS apart, so
# every neuron's map goes into one heatmap trace. The browser redraws the whole
# figure each frame, and its cost grows with the number of traces and SVG
# elements, not with the number of cells: the graph is ~12 traces at any size.
TILE = 1.0
THUMBNAIL = 16
GAP_CELLS = 6  # empty rows between two neurons of a column
COLUMN_CELLS = 42  # from one column's left edge to the next one's
ROW_GAP = TILE + GAP_CELLS * TILE / THUMBNAIL
COLUMN_GAP = COLUMN_CELLS * TILE / THUMBNAIL
BIAS_CELLS = 4  # the side of a bias square, one cell from its tile
LINK_PX = (0.6, 8.0)  # link width in pixels for |w| = 0 and for |w| >= 5
LINK_SHADES = (0.35, 0.6, 0.85)  # link opacity, from weak to strong
MARGIN = {"l": 64, "r": 10, "t": 40, "b": 6}  # feature names in l, column titles in t


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


def hover_trace(name: str, x, y, text: list[str] | None = None, customdata=None,
                template: str | None = None) -> dict:
    """Points that live_chart hovers and clicks itself: plotly does not draw them.

    Invisible to plotly (no cost per frame); ``meta: "hover"`` tells live_chart's
    browser code to show the point's label near the mouse and to report clicks
    with ``customdata``. The label is ``text``, or ``template`` filled in the
    browser like a plotly hovertemplate (%{text}, %{x:.2f}, %{customdata[3]:.4g}):
    numbers travel once instead of inside a string per point. Labels may hold
    <b> and <br> only.
    """
    trace = {"type": "scatter", "visible": False, "meta": "hover", "name": name,
             "x": typed(x), "y": typed(y)}
    if text is not None:
        trace["text"] = text
    if customdata is not None:
        trace["customdata"] = customdata
    if template is not None:
        trace["hovertemplate"] = template
    return trace


def neuron_names(sizes, features) -> list[list[str]]:
    """``neuron_name`` of every neuron, layer by layer."""
    return [[neuron_name(layer, i, sizes, features) for i in range(count)]
            for layer, count in enumerate(sizes)]


def _finite(value) -> float | None:
    """A number JSON can carry (NaN and infinities become null)."""
    value = float(value)
    return value if math.isfinite(value) else None


def _rgba(color: str, alpha: float) -> str:
    r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _network_ranges(sizes) -> tuple[list[float], list[float]]:
    half_height = (max(sizes) - 1) / 2 * ROW_GAP + TILE / 2
    return ([-TILE / 2 - 0.3, (len(sizes) - 1) * COLUMN_GAP + TILE / 2 + 0.2],
            [-half_height - 0.2, half_height + 0.1])


def _tile_values(net, forward, layer: int) -> np.ndarray:
    """(cells, neurons) on the −1…+1 scale: inputs show the feature, others their output."""
    if layer == 0:
        tiles = forward.activations[0]
        return tiles / np.maximum(np.abs(tiles).max(axis=0), 1e-9)
    if layer == len(net.layer_sizes) - 1:
        return _output_display(forward.activations[layer], net.output_activation)
    return _hidden_display(forward.activations[layer], net.hidden_activations[layer - 1])


def tile_grid(session) -> tuple[np.ndarray, list[np.ndarray]]:
    """Every neuron's map on one grid (NaN between tiles), and each layer's raw tiles.

    Row 0 of the grid is the bottom of the graph (plotly draws y upwards). Each
    neuron's bias is a BIAS_CELLS square left of its tile's lower corner, on the
    same −1…+1 scale (clipped).
    """
    net = session.net
    sizes = net.layer_sizes
    forward = grid_forward(session, THUMBNAIL)
    pitch = THUMBNAIL + GAP_CELLS
    rows = (max(sizes) - 1) * pitch + THUMBNAIL
    grid = np.full((rows, (len(sizes) - 1) * COLUMN_CELLS + THUMBNAIL), np.nan, np.float32)
    layers = []
    for layer, count in enumerate(sizes):
        tiles = _tile_values(net, forward, layer)
        layers.append(tiles)
        top = rows - (max(sizes) - count) * pitch // 2  # columns are centred
        left = layer * COLUMN_CELLS
        for index in range(count):
            first = top - index * pitch - THUMBNAIL
            grid[first:first + THUMBNAIL, left:left + THUMBNAIL] = np.nan_to_num(
                tiles[:, index], nan=0.0).reshape(THUMBNAIL, THUMBNAIL)
            if layer:
                bias = np.clip(np.nan_to_num(net.biases[layer - 1][index]), -1, 1)
                grid[first:first + BIAS_CELLS, left - BIAS_CELLS - 1:left - 1] = bias
    return grid, layers


def _link_traces(values, positions, px_per_unit: float) -> list[dict]:
    """Each link a thin quadrilateral as wide as its |value|; one trace per sign and shade."""
    parts: dict[tuple[int, int], list[np.ndarray]] = {}
    for layer, matrix in enumerate(values):
        matrix = np.nan_to_num(np.asarray(matrix, dtype=float))
        j, k = np.nonzero(matrix)
        start = np.array(positions[layer])[j] + [TILE / 2, 0]
        end = np.array(positions[layer + 1])[k] - [TILE / 2, 0]
        strength = np.clip(np.abs(matrix[j, k]) / 5.0, 0, 1) ** 0.6
        half = (LINK_PX[0] + (LINK_PX[1] - LINK_PX[0]) * strength) / 2 / px_per_unit
        along = end - start
        normal = np.column_stack([-along[:, 1], along[:, 0]])
        normal *= (half / np.maximum(np.hypot(along[:, 0], along[:, 1]), 1e-9))[:, None]
        corners = np.stack([start + normal, end + normal, end - normal, start - normal,
                            np.full_like(start, np.nan)], axis=1)  # NaN: next polygon
        shade = np.minimum((strength * len(LINK_SHADES)).astype(int), len(LINK_SHADES) - 1)
        sign = np.sign(matrix[j, k]).astype(int)
        for key in zip(sign.tolist(), shade.tolist()):
            parts.setdefault(key, [])
        for key in parts:
            chosen = (sign == key[0]) & (shade == key[1])
            parts[key].append(corners[chosen].reshape(-1, 2))
    traces = []
    for (sign, shade), pieces in sorted(parts.items()):
        xy = np.vstack(pieces)
        traces.append({
            "type": "scatter", "mode": "none", "fill": "toself", "hoverinfo": "skip",
            "x": typed(xy[:, 0]), "y": typed(xy[:, 1]), "name": f"links {sign:+d}",
            "fillcolor": _rgba(BLUE if sign > 0 else ORANGE, LINK_SHADES[shade]),
        })
    return traces


def network_figure(session, highlight=None, link_values=None, title_suffix: str = "",
                   width: int = 640) -> dict:
    """Inputs, every neuron's map of its activation over the plane, links and biases.

    ``link_values`` (a list like ``net.weights``) draws other numbers on the links,
    e.g. gradients in the backprop inspector; ``highlight`` = (layer, j, k) marks a link.
    Hover targets are invisible (mode "none": no SVG element per point). Links and
    biases carry customdata [layer, j, k, current weight] (k = -1 for a bias).
    """
    net, data = session.net, session.data
    sizes = net.layer_sizes
    positions = neuron_positions(sizes)
    values = link_values if link_values is not None else net.weights
    x_range, y_range = _network_ranges(sizes)
    px_per_unit = (width - MARGIN["l"] - MARGIN["r"]) / (x_range[1] - x_range[0])
    names = neuron_names(sizes, data.features)
    step = TILE / THUMBNAIL

    # Links first, so the tiles sit on top of their ends.
    traces = _link_traces(values, positions, px_per_unit)
    link_x, link_y, link_text, link_data = [], [], [], []
    label = "weight" if link_values is None else "value"
    for layer, matrix in enumerate(values):
        matrix = np.asarray(matrix, dtype=float)
        for j in range(matrix.shape[0]):
            x0, y0 = positions[layer][j]
            for k in range(matrix.shape[1]):
                x1, y1 = positions[layer + 1][k]
                t = 0.3 + 0.4 * (k + 0.5) / matrix.shape[1]  # spread the hover points
                link_x.append(x0 + TILE / 2 + t * (x1 - x0 - TILE))
                link_y.append(y0 + t * (y1 - y0))
                link_text.append(f"{names[layer][j]} → {names[layer + 1][k]}"
                                 + ("" if link_values is None else
                                    f"<br>{label} = {fmt(matrix[j, k])}"
                                    f"<br>weight = {fmt(net.weights[layer][j, k])}"))
                link_data.append([layer, j, k, _finite(net.weights[layer][j, k])])
    if highlight is not None:
        layer, j, k = highlight
        x0, y0 = positions[layer][j]
        x1, y1 = positions[layer + 1][k]
        traces.append({"type": "scatter", "mode": "lines", "hoverinfo": "skip",
                       "x": [x0 + TILE / 2, x1 - TILE / 2], "y": [y0, y1],
                       "line": {"color": "#111827", "width": 3, "dash": "dot"}})
    traces.append(hover_trace("links", link_x, link_y, link_text, link_data,
                              "%{text}<br>weight = %{customdata[3]:.4g}"
                              if link_values is None else None))

    grid, tiles = tile_grid(session)
    traces.append({
        "type": "heatmap", "z": quantized(grid, -1, 1), "name": "neurons map",
        "x0": -TILE / 2 + step / 2, "dx": step,
        "y0": -((max(sizes) - 1) / 2 * ROW_GAP + TILE / 2) + step / 2, "dy": step,
        "zmin": 0, "zmax": GAP, "colorscale": quantized_scale(DIVERGING), "showscale": False,
        # "fast" colours one canvas pixel per cell and lets the browser scale the
        # image smoothly: "best" interpolates every screen pixel in JavaScript
        "zsmooth": "fast", "hoverinfo": "skip",
    })
    neuron_x, neuron_y, neuron_text = [], [], []
    for layer, column in enumerate(positions):
        for i, (x, y) in enumerate(column):
            neuron_x.append(x)
            neuron_y.append(y)
            column_tiles = np.nan_to_num(tiles[layer][:, i])
            neuron_text.append(
                f"<b>{names[layer][i]}</b>"
                + ("" if layer == 0 else f"<br>bias = {fmt(net.biases[layer - 1][i])}")
                + f"<br>output over the plane: {fmt(float(column_tiles.min()))} … "
                  f"{fmt(float(column_tiles.max()))}")
    traces.append(hover_trace("neurons", neuron_x, neuron_y, neuron_text))
    # Biases: drawn by tile_grid as small squares left of each tile's lower corner.
    bias_x, bias_y, bias_text, bias_data = [], [], [], []
    for layer in range(1, len(sizes)):
        for index, (x, y) in enumerate(positions[layer]):
            value = float(net.biases[layer - 1][index])
            bias_x.append(x - TILE / 2 - (BIAS_CELLS / 2 + 1) * step)
            bias_y.append(y - TILE / 2 + BIAS_CELLS / 2 * step)
            bias_text.append(f"bias of {names[layer][index]}")
            bias_data.append([layer - 1, index, -1, _finite(value)])
    traces.append(hover_trace("biases", bias_x, bias_y, bias_text, bias_data,
                              "%{text} = %{customdata[3]:.4g}"))

    # Column titles and feature names as axis tick labels: cheaper to redraw than
    # annotations, which plotly removes and re-creates on every frame.
    titles = []
    for layer, count in enumerate(sizes):
        if layer == 0:
            titles.append("<b>Features</b>")
        elif layer == len(sizes) - 1:
            titles.append("<b>Output</b>")
        else:
            titles.append(f"Layer {layer}<br><span style='color:{MUTED};font-size:10px'>"
                          f"{count} neuron{'s' if count > 1 else ''}</span>")
    tick_font = {"size": 12, "color": TEXT}
    height = int(min(max((width - MARGIN["l"] - MARGIN["r"]) * (y_range[1] - y_range[0])
                         / (x_range[1] - x_range[0]) + MARGIN["t"] + MARGIN["b"], 240), 720))
    return {
        "data": traces,
        "layout": _base_layout(
            height=height, margin=MARGIN,
            xaxis={"range": x_range, "fixedrange": True, "side": "top", "showgrid": False,
                   "zeroline": False, "showline": False, "ticks": "", "tickangle": 0,
                   "ticklabeloverflow": "allow",
                   "tickmode": "array", "tickvals": [c[0][0] for c in positions],
                   "ticktext": titles, "tickfont": tick_font},
            yaxis={"range": y_range, "fixedrange": True, "scaleanchor": "x", "scaleratio": 1,
                   "showgrid": False, "zeroline": False, "showline": False, "ticks": "",
                   "ticklabeloverflow": "allow",
                   "tickmode": "array", "tickvals": [y for _, y in positions[0]],
                   "ticktext": names[0], "tickfont": {"size": 13, "color": TEXT}},
            hovermode="closest", uirevision="network",
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


def upsample(z: np.ndarray) -> np.ndarray:
    """(n, m) -> (2n, 2m): bilinear at the centres of each cell's four quarters.

    Edge cells are extended (as image resizing with half-pixel centres does), so
    the finer grid covers exactly the same square.
    """
    def rows(a):
        padded = np.pad(a, ((1, 1), (0, 0)), mode="edge")
        out = np.empty((2 * a.shape[0], a.shape[1]), dtype=a.dtype)
        out[0::2] = 0.75 * a + 0.25 * padded[:-2]
        out[1::2] = 0.75 * a + 0.25 * padded[2:]
        return out

    return rows(rows(np.asarray(z, dtype=np.float32)).T).T


def plane_layout(height: int) -> dict:
    """The input plane's square axes (zoomable; the zoom survives updates)."""
    axis = {"range": [LOW, HIGH], "zeroline": False, "showgrid": False, "ticks": "outside",
            "ticklabeloverflow": "allow", "tickvals": [-6, -4, -2, 0, 2, 4, 6],
            "mirror": True, "linecolor": "#8c959f"}
    return _base_layout(
        height=height, margin={"l": 36, "r": 10, "t": 10, "b": 30},
        xaxis={**axis, "constrain": "domain"},
        yaxis={**axis, "scaleanchor": "x", "scaleratio": 1, "constrain": "domain"},
        hovermode="closest", uirevision="output", dragmode="zoom",
    )


POINT_SIZE = 7  # px across, at any zoom (the live view's output map too)


def _point_colors(session, y) -> list[str]:
    """Class colours, or for regression the target on the diverging scale (9 shades)."""
    if session.data.is_regression:
        shades = [_mix_scale(v) for v in np.linspace(-1, 1, 9)]
        index = np.rint((np.clip(np.asarray(y, dtype=float), -1, 1) + 1) * 4).astype(int)
        return [shades[i] for i in index]
    return [CLASS_COLORS[int(label) % len(CLASS_COLORS)] for label in y]


def _mix_scale(value: float) -> str:
    """A colour of DIVERGING at value −1…+1."""
    end = ORANGE if value < 0 else BLUE
    r, g, b = (int(end[i:i + 2], 16) for i in (1, 3, 5))
    n = tuple(int(NEUTRAL[i:i + 2], 16) for i in (1, 3, 5))
    t = abs(value)
    return "#" + "".join(f"{round(c0 + (c1 - c0) * t):02x}" for c0, c1 in zip(n, (r, g, b)))


def _point_markers(name: str, X, colors: list[str], edge: str, edge_width: float) -> dict:
    """Data points as markers: a constant size on screen, so zooming in spreads them
    apart instead of growing them into big rings (as the live view draws them)."""
    return {"type": "scatter", "mode": "markers", "name": f"{name} points",
            "x": typed(X[:, 0]), "y": typed(X[:, 1]), "hoverinfo": "skip",
            "marker": {"size": POINT_SIZE, "color": colors,
                       "line": {"color": edge, "width": edge_width}}}


def output_figure(session, show_test: bool = False, discretize: bool = False,
                  selected: int | None = None, height: int = 420) -> dict:
    """The network's output over the input plane, with the data points on top."""
    data = session.data
    z, zmin, zmax, scale = output_values(session, OUTPUT_RESOLUTION, discretize)
    step = (HIGH - LOW) / OUTPUT_RESOLUTION
    heatmap = {"type": "heatmap", "x0": LOW + step / 2, "dx": step, "y0": LOW + step / 2,
               "dy": step, "zmin": zmin, "zmax": zmax, "colorscale": scale,
               "showscale": False, "name": "output", "zsmooth": False, "hoverinfo": "skip"}
    if zmin == -1:
        # Values interpolated here, one byte per cell, and drawn with "fast" (one
        # canvas pixel per cell, scaled by the browser): a boundary stays smooth at
        # a quarter of the bytes and a third of the browser time of plotly's "best".
        # Class bands (multi-class) are never blended: false colours on boundaries.
        half = step / 2
        heatmap.update(z=quantized(upsample(z), -1, 1), x0=LOW + half / 2, dx=half,
                       y0=LOW + half / 2, dy=half, zmin=0, zmax=GAP,
                       colorscale=quantized_scale(scale), zsmooth="fast")
    else:
        heatmap["z"] = typed(z)
    traces = [heatmap]
    for name, X, y, edge, edge_width in _point_splits(data, show_test, train_edge=1.2):
        traces.append(_point_markers(name, X, _point_colors(session, y), edge, edge_width))
        traces.append(hover_trace(
            name, X[:, 0], X[:, 1], customdata=np.column_stack([np.arange(len(X)), y]).tolist(),
            template=_point_hover(name, data.is_regression)))
    if selected is not None and 0 <= selected < len(data.X_train):
        px, py = data.X_train[selected]
        traces.append({"type": "scatter", "mode": "markers", "name": "selected",
                       "x": [float(px)], "y": [float(py)], "hoverinfo": "skip",
                       "marker": {"size": 18, "color": "rgba(0,0,0,0)",
                                  "line": {"color": "#111827", "width": 2.5}}})
    return {"data": traces, "layout": plane_layout(height)}


WEIGHT_LABEL_COLUMNS = 24  # wider than this, the feature names under W1 would collide


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
        margin={"l": 50, "r": 50 if has_accuracy else 10, "t": 36, "b": 40},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0,
                "font": {"size": 11}},
        xaxis={"title": {"text": "epoch"}, "gridcolor": "#eef0f3", "zeroline": False,
               "ticklabeloverflow": "allow", "rangemode": "tozero",
               # one point (epoch 0) would get an axis of −1…1
               **({"range": [0, 1]} if len(epochs) < 2 or epochs.max() <= 0 else {})},
        yaxis={"title": {"text": "loss"}, "type": "log" if log_scale else "linear",
               "ticklabeloverflow": "allow",
               "gridcolor": "#eef0f3", "zeroline": False, "rangemode": "tozero"},
        uirevision=f"loss-{log_scale}",
    )
    if has_accuracy:
        # its own ticks, 0-100 %, not the loss grid's positions
        layout["yaxis2"] = {"overlaying": "y", "side": "right", "range": [0, 1.02],
                            "ticklabeloverflow": "allow", "tickmode": "array",
                            "tickvals": [0, 0.25, 0.5, 0.75, 1.0],
                            "ticktext": ["0 %", "25 %", "50 %", "75 %", "100 %"],
                            "showgrid": False, "title": {"text": "accuracy"}}
    return {"data": traces, "layout": layout}


# ------------------------------------------------- the live view's static parts
# The live view (live_view.py) paints the animated maps and weight cells on
# canvases under these figures' transparent plot areas; plotly keeps the axes,
# the points, hover, zoom and the colour bar, and is not redrawn per frame.
def output_axes_figure(session, show_test: bool = False, height: int = 420) -> dict:
    """The output view's axes and data points (the map is painted under them).

    Points are markers (a constant size on screen, also when zoomed in) with
    plotly's own hover: the figure changes only when the data or a toggle does.
    """
    data = session.data
    traces = []
    for name, X, y, edge, edge_width in _point_splits(data, show_test, train_edge=1.0):
        traces.append({
            "type": "scatter", "mode": "markers", "name": f"{name} points",
            "x": typed(X[:, 0]), "y": typed(X[:, 1]),
            "customdata": np.column_stack([np.arange(len(X)), y]).tolist(),
            "marker": {"size": POINT_SIZE, "color": _point_colors(session, y),
                       "line": {"color": edge, "width": edge_width}},
            "hovertemplate": _point_hover(name, data.is_regression) + "<extra></extra>",
        })
    return {"data": traces, "layout": plane_layout(height)}


def _point_splits(data, show_test: bool, train_edge: float) -> list[tuple]:
    """(name, X, y, edge colour, edge width) of each point set drawn, non-empty."""
    splits = [("training", data.X_train, data.y_train, "#ffffff", train_edge)]
    if show_test:
        splits.append(("test", data.X_test, data.y_test, "#111827", 1.6))
    return [split for split in splits if len(split[1])]


def _point_hover(name: str, regression: bool) -> str:
    label = "target" if regression else "class"
    value = "%{customdata[1]:.3g}" if regression else "%{customdata[1]}"
    return (f"{name} point #%{{customdata[0]}}<br>x₁ = %{{x:.2f}}, x₂ = %{{y:.2f}}"
            f"<br>{label} = {value}")


def weights_axes_figure(session, height: int = 270) -> tuple[dict, list[dict], int]:
    """The weights view's axes, block titles and colour bar; the cells are painted
    under it. Returns (figure, blocks [{"left"}], rows): block i's weight
    ``net.weights[i][j, k]`` sits at column left + j, row k."""
    sizes = session.net.layer_sizes
    names = neuron_names(sizes, session.data.features)
    rows = max(sizes[1:])
    columns = sum(sizes[:-1]) + len(sizes) - 2  # one empty column between blocks
    blocks, annotations, tick_values, tick_text = [], [], [], []
    left = 0
    for i, (count_in, count_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        blocks.append({"left": left})
        if i == 0 and columns <= WEIGHT_LABEL_COLUMNS:
            tick_values += range(left, left + count_in)
            tick_text += names[0]
        # "W3 8→8" needs ~3 columns' room at 24 columns; many layers: "W3" only (the
        # sizes stay in the title's hover text) so the titles do not run together.
        wide = count_in >= 3 and columns <= WEIGHT_LABEL_COLUMNS
        annotations.append({"text": f"<b>W{i + 1}</b>" + (f" {count_in}→{count_out}"
                                                          if wide else ""),
                            "hovertext": f"W{i + 1}: {count_in} → {count_out} neurons",
                            "x": left - 0.5, "y": -0.55, "xanchor": "left",
                            "yanchor": "bottom", "showarrow": False,
                            "font": {"size": 10, "color": TEXT}})
        left += count_in + 1
    colour_bar = {  # no visible cells: only its colour bar, rescaled by the page
        "type": "heatmap", "z": [[None]], "x": [-1000], "y": [-1000], "zmin": -1, "zmax": 1,
        "colorscale": DIVERGING, "hoverinfo": "skip", "name": "weights",
        "colorbar": {"thickness": 10, "len": 0.9, "outlinewidth": 0, "tickfont": {"size": 10}},
    }
    axis = {"showgrid": False, "zeroline": False, "ticks": "", "fixedrange": True,
            "tickfont": {"size": 9, "color": TEXT}}
    figure = {
        "data": [colour_bar],
        "layout": _base_layout(
            height=height, margin={"l": 34, "r": 10, "t": 4, "b": 50},
            annotations=annotations, uirevision="weights",
            xaxis={**axis, "range": [-0.5, columns - 0.5], "tickmode": "array",
                   "tickvals": tick_values, "ticktext": tick_text},
            yaxis={**axis, "range": [rows - 0.5, -1.3],  # the top row holds the titles
                   "tickmode": "array", "tickvals": list(range(rows)),
                   "ticktext": [str(k + 1) for k in range(rows)],
                   "title": {"text": "neuron", "font": {"size": 10, "color": TEXT}}},
        ),
    }
    return figure, blocks, rows
