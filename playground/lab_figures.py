"""Plotly figures for the learning-rate lab, as plain dicts (see figures.py for why).

Every builder is a pure function of a lab object (``Comparison``, ``RangeTest``,
``LandscapeSlice``, ``HealthTracker``) and returns a figure dict whose numeric
arrays are typed arrays and which holds no NaN outside them, so it serializes
with ``json.dumps(..., allow_nan=False)``.
"""

from __future__ import annotations

import math

import numpy as np

from . import figures
from .figures import HIGH, LOW, MUTED, TEXT, _base_layout, fmt, typed

# Tableau 10's first four: distinct at a glance, also for most colour-blind eyes.
RUN_COLORS = ("#4e79a7", "#f28e2b", "#59a14f", "#b07aa1")
LAYER_COLORS = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2", "#9c755f")
GHOST_COLOR = "#9ca3af"
GRID = "#eef0f3"
GOOD, BAD = "#16a34a", "#dc2626"
HEALTHY_RATIO = (3e-4, 3e-3)  # around the usual rule of thumb, 1e-3 per update


def run_color(index: int) -> str:
    return RUN_COLORS[index % len(RUN_COLORS)]


def _axis(**extra) -> dict:
    axis = {"gridcolor": GRID, "zeroline": False, "linecolor": "#d1d5db", "ticks": "outside",
            "tickcolor": "#d1d5db", "tickfont": {"size": 11}}
    axis.update(extra)
    return axis


def _title(text: str, size: int = 12) -> dict:
    return {"text": text, "font": {"size": size, "color": MUTED}, "standoff": 6}


def _finite(values) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    return values[np.isfinite(values)]


def _panel_title(text: str, x: float, y: float = 1.0) -> dict:
    return {"text": text, "x": x, "y": y, "xref": "paper", "yref": "paper",
            "xanchor": "left", "yanchor": "bottom", "showarrow": False,
            "font": {"size": 13, "color": TEXT}}


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _tick_label(value: float) -> str:
    if 1e-3 <= value < 1e4:
        return f"{value:g}"
    mantissa, exponent = f"{value:.0e}".split("e")
    power = f"10{str(int(exponent)).translate(_SUPERSCRIPT)}"
    return power if mantissa == "1" else f"{mantissa}·{power}"


def _log_ticks(axis_range) -> dict:
    """Readable ticks for a log axis over [10^a, 10^b]: 1-2-5 steps, or whole decades."""
    a, b = axis_range
    decades = b - a
    mantissas = (1, 2, 5) if decades <= 2.5 else (1,)
    every = max(1, math.ceil(decades / 7)) if decades > 2.5 else 1
    values = [m * 10.0**e for e in range(math.floor(a), math.ceil(b) + 1) if e % every == 0
              for m in mantissas if a <= math.log10(m) + e <= b]
    return {"tickvals": values, "ticktext": [_tick_label(v) for v in values]}


def _log_range(low: float, high: float, pad: float = 0.08) -> list[float]:
    a, b = math.log10(low), math.log10(high)
    if b - a < 0.3:  # a flat curve: show at least a third of a decade
        middle = (a + b) / 2
        a, b = middle - 0.15, middle + 0.15
    margin = (b - a) * pad
    return [a - margin, b + margin]


def _bounds(values: np.ndarray) -> tuple[float, float]:
    return (float(values.min()), float(values.max())) if values.size else (1e-3, 1.0)


# ------------------------------------------------------------- comparison
def comparison_loss_figure(comparison, log_scale: bool = True, ghosts=(),
                           height: int = 300) -> dict:
    """Every run's training loss over epochs, one colour each; diverged runs end in ✕."""
    traces = []
    for ghost in ghosts:
        traces.append({
            "type": "scatter", "mode": "lines", "name": ghost["name"],
            "x": typed(ghost["epoch"], "f8"), "y": typed(ghost["loss"], "f8"),
            "line": {"color": GHOST_COLOR, "width": 1.2, "dash": "dot"}, "opacity": 0.6,
            "legendgroup": "ghosts",
            "hovertemplate": f"{ghost['name']}<br>epoch %{{x}}<br>loss %{{y:.4g}}<extra></extra>",
        })
    starts, lows, highs = [], [], []
    marks = []
    for i, (session, label) in enumerate(zip(comparison.sessions, comparison.labels)):
        color = run_color(i)
        epochs = np.asarray(session.history.epoch, dtype=float)
        loss = np.asarray(session.history.train_loss, dtype=float)
        finite = np.isfinite(loss) & (loss > 0 if log_scale else True)
        if finite.any():
            starts.append(loss[finite][0])
            lows.append(loss[finite].min())
            highs.append(loss[finite].max())
        name = label + ("  (diverged)" if session.diverged else "")
        traces.append({
            "type": "scatter", "mode": "lines", "name": name, "legendgroup": label,
            "x": typed(epochs, "f8"), "y": typed(loss, "f8"),
            "line": {"color": color, "width": 2.4},
            "hovertemplate": f"{label}<br>epoch %{{x}}<br>loss %{{y:.4g}}<extra></extra>",
        })
        if session.diverged and finite.any():
            last = int(np.flatnonzero(finite)[-1])
            marks.append((i, label, float(epochs[last]), float(loss[last]), session.epoch))
    layout_y = {"title": _title("training loss"), "type": "log" if log_scale else "linear"}
    top = None
    if starts:
        # A run that blows up would squash the others: cut the axis at 10× the start.
        top = 10 * max(starts)
        if log_scale:
            layout_y["range"] = _log_range(min(lows), min(max(highs), top))
            layout_y.update(_log_ticks(layout_y["range"]))
        else:
            layout_y["range"] = [0, min(max(highs), top) * 1.05]
    for i, label, epoch, value, stopped in marks:
        shown = value if top is None else min(value, top)
        traces.append({
            "type": "scatter", "mode": "markers", "name": f"{label} diverged",
            "legendgroup": label, "showlegend": False, "x": [epoch], "y": [shown],
            "marker": {"symbol": "x-thin", "size": 14, "color": run_color(i),
                       "line": {"width": 3, "color": run_color(i)}},
            "hovertemplate": f"{label} diverged in epoch {stopped + 1}<br>last loss "
                             f"{fmt(value)}<extra></extra>",
        })
    layout = _base_layout(
        height=height, showlegend=True, hovermode="closest",
        margin={"l": 56, "r": 12, "t": 12, "b": 44},
        legend={"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom",
                "font": {"size": 12}, "itemwidth": 40},
        xaxis=_axis(title=_title("epoch"), rangemode="tozero"),
        yaxis=_axis(**layout_y),
        uirevision=f"comparison-loss-{log_scale}",
    )
    layout["margin"]["t"] = 36  # room for the legend above the plot
    return {"data": traces, "layout": layout}


def comparison_maps_figure(comparison, resolution: int = 50, height: int = 250,
                           show_points: bool = True) -> dict:
    """Each run's output over the input plane, small and side by side."""
    count = len(comparison.sessions)
    gap = 0.03
    width = (1 - gap * (count - 1)) / count
    step = (HIGH - LOW) / resolution
    traces, axes, annotations, shapes = [], {}, [], []
    for i, (session, label) in enumerate(zip(comparison.sessions, comparison.labels)):
        suffix = "" if i == 0 else str(i + 1)
        x_name, y_name = f"x{suffix}", f"y{suffix}"
        z, zmin, zmax, scale = figures.output_values(session, resolution)
        traces.append({
            "type": "heatmap", "z": typed(z), "x0": LOW + step / 2, "dx": step,
            "y0": LOW + step / 2, "dy": step, "zmin": zmin, "zmax": zmax,
            "colorscale": scale, "showscale": False, "zsmooth": "best", "name": label,
            "xaxis": x_name, "yaxis": y_name, "opacity": 0.35 if session.diverged else 1.0,
            "hovertemplate": f"{label}<br>x₁ = %{{x:.2f}}, x₂ = %{{y:.2f}}<extra></extra>",
        })
        if show_points:
            data = session.data
            marker = {"size": 4, "line": {"color": "#ffffff", "width": 0.6}}
            colors = figures._point_colors(session, data.y_train)
            if data.is_regression:
                marker.update(color=colors, colorscale=figures.DIVERGING, cmin=-1, cmax=1)
            else:
                marker["color"] = colors
            traces.append({
                "type": "scatter", "mode": "markers", "name": "training points",
                "x": typed(data.X_train[:, 0], "f8"), "y": typed(data.X_train[:, 1], "f8"),
                "marker": marker, "hoverinfo": "skip", "xaxis": x_name, "yaxis": y_name,
            })
        start = i * (width + gap)
        domain = [start, start + width]
        common = {"range": [LOW, HIGH], "showgrid": False, "zeroline": False,
                  "showticklabels": False, "ticks": "", "fixedrange": True}
        axes[f"xaxis{suffix}"] = {**common, "domain": domain, "anchor": y_name,
                                  "constrain": "domain"}
        axes[f"yaxis{suffix}"] = {**common, "domain": [0, 1], "anchor": x_name,
                                  "scaleanchor": x_name, "scaleratio": 1, "constrain": "domain"}
        color = run_color(i)
        shapes.append({"type": "rect", "xref": f"{x_name} domain", "yref": f"{y_name} domain",
                       "x0": 0, "x1": 1, "y0": 0, "y1": 1, "layer": "above",
                       "line": {"color": color, "width": 3}})
        if session.diverged:
            status = f"<span style='color:{figures.CLASS_COLORS[4]}'>diverged</span>"
        else:
            status = f"loss {fmt(session.train_loss)}"
        annotations.append({
            "text": f"<b><span style='color:{color}'>{label}</span></b>  ·  {status}",
            "xref": f"{x_name} domain", "yref": f"{y_name} domain", "x": 0.5, "y": 1.0,
            "xanchor": "center", "yanchor": "bottom", "showarrow": False,
            "font": {"size": 12, "color": TEXT}, "yshift": 3,
        })
    return {
        "data": traces,
        "layout": _base_layout(height=height, margin={"l": 4, "r": 4, "t": 26, "b": 4},
                               annotations=annotations, shapes=shapes, hovermode="closest",
                               uirevision="comparison-maps", **axes),
    }


# ------------------------------------------------------------- range test
def range_test_figure(result, current_rate: float | None = None, height: int = 320) -> dict:
    """Loss after a short run against the learning rate, with the usable band shaded."""
    rates, losses, diverged = result.rates, result.losses, result.diverged
    finite = _finite(losses)
    finite = finite[finite > 0]
    values = np.concatenate([finite, [result.initial_loss]]) if math.isfinite(
        result.initial_loss) and result.initial_loss > 0 else finite
    low = float(values.min()) if values.size else 0.1
    high = float(values.max()) if values.size else 1.0
    y_range = _log_range(low, high * 1.6, pad=0.08)  # headroom for the ✕ row
    top = 10 ** (y_range[1] - 0.04 * (y_range[1] - y_range[0]))
    log_rates = np.log10(rates)
    x_values = list(log_rates) + ([math.log10(current_rate)] if current_rate else [])
    half_step = (log_rates[1] - log_rates[0]) / 2 if rates.size > 1 else 0.25
    x_range = [min(x_values) - half_step, max(x_values) + half_step]

    traces, shapes, annotations = [], [], []
    band = result.band_indices
    if band is not None:
        lo, hi = band
        x0 = 10 ** (log_rates[lo] - half_step) if lo == 0 else math.sqrt(rates[lo - 1] * rates[lo])
        x1 = (10 ** (log_rates[hi] + half_step) if hi == rates.size - 1
              else math.sqrt(rates[hi] * rates[hi + 1]))
        shapes.append({"type": "rect", "xref": "x", "yref": "paper", "x0": x0, "x1": x1,
                       "y0": 0, "y1": 1, "fillcolor": "rgba(22,163,74,0.10)", "layer": "below",
                       "line": {"width": 0}})
        low_rate, high_rate = result.band
        span = (f"{low_rate:.2g}–{high_rate:.2g}" if hi > lo else f"{low_rate:.2g}")
        annotations.append({"x": (math.log10(x0) + math.log10(x1)) / 2, "y": 1.0,
                            "xref": "x", "yref": "paper", "yanchor": "bottom",
                            "text": f"usable band {span}", "showarrow": False,
                            "font": {"size": 11, "color": GOOD}})
    if math.isfinite(result.initial_loss) and result.initial_loss > 0:
        shapes.append({"type": "line", "xref": "paper", "yref": "y", "x0": 0, "x1": 1,
                       "y0": result.initial_loss, "y1": result.initial_loss, "layer": "below",
                       "line": {"color": MUTED, "width": 1, "dash": "dash"}})
        annotations.append({"x": 0.005, "y": math.log10(result.initial_loss), "xref": "paper",
                            "yref": "y", "xanchor": "left", "yanchor": "bottom",
                            "text": "loss before training", "showarrow": False,
                            "font": {"size": 10, "color": MUTED}})
    usable = result.usable if result.usable.size == rates.size else np.zeros(rates.size, bool)
    traces.append({
        "type": "scatter", "mode": "lines+markers", "name": "loss after the run",
        "x": typed(rates, "f8"), "y": typed(losses, "f8"),
        "line": {"color": figures.TRAIN_COLOR, "width": 2},
        "marker": {"size": 7, "color": [GOOD if u else figures.TRAIN_COLOR for u in usable],
                   "line": {"color": "#ffffff", "width": 1}},
        "hovertemplate": "learning rate %{x:.3g}<br>loss %{y:.4g}<extra></extra>",
    })
    if diverged.any():
        traces.append({
            "type": "scatter", "mode": "markers", "name": "diverged",
            "x": typed(rates[diverged], "f8"), "y": [top] * int(diverged.sum()),
            "marker": {"symbol": "x-thin", "size": 11, "color": BAD,
                       "line": {"width": 2.5, "color": BAD}},
            "hovertemplate": "learning rate %{x:.3g}<br>diverged (NaN, inf or exploded)"
                             "<extra></extra>",
        })
        first = float(rates[diverged][0])
        annotations.append({"x": math.log10(first), "y": math.log10(top), "xref": "x",
                            "yref": "y", "xanchor": "right", "xshift": -9, "showarrow": False,
                            "text": "diverged", "font": {"size": 11, "color": BAD}})
    if result.best_index is not None:
        traces.append({
            "type": "scatter", "mode": "markers", "name": "best",
            "x": [result.best_rate], "y": [result.best_loss],
            "marker": {"symbol": "circle-open", "size": 15, "color": GOOD,
                       "line": {"width": 2.5, "color": GOOD}},
            "hovertemplate": "best: learning rate %{x:.3g}<br>loss %{y:.4g}<extra></extra>",
            "cliponaxis": False,
        })
    if current_rate:
        shapes.append({"type": "line", "xref": "x", "yref": "paper", "x0": current_rate,
                       "x1": current_rate, "y0": 0, "y1": 1,
                       "line": {"color": TEXT, "width": 1.6, "dash": "dot"}})
        verdict = ("in the band" if result.in_band(current_rate)
                   else "below the band" if result.band and current_rate < result.band[0]
                   else "above the band" if result.band else "")
        right_side = math.log10(current_rate) < (x_range[0] + x_range[1]) / 2
        annotations.append({
            "x": math.log10(current_rate), "y": 0.02, "xref": "x", "yref": "paper",
            "xanchor": "left" if right_side else "right", "yanchor": "bottom",
            "xshift": 4 if right_side else -4, "showarrow": False,
            "text": f"<b>current {fmt(current_rate)}</b>"
                    + (f"<br><span style='color:{MUTED}'>{verdict}</span>" if verdict else ""),
            "font": {"size": 11, "color": TEXT}, "align": "left" if right_side else "right",
            "bgcolor": "rgba(255,255,255,0.8)",
        })
    layout = _base_layout(
        height=height, hovermode="closest", shapes=shapes, annotations=annotations,
        margin={"l": 56, "r": 12, "t": 26, "b": 44},
        xaxis=_axis(type="log", range=x_range, title=_title("learning rate"),
                    dtick=1, exponentformat="power"),
        yaxis=_axis(type="log", range=y_range, **_log_ticks(y_range),
                    title=_title(f"loss after {result.epochs} epoch"
                                 f"{'s' if result.epochs != 1 else ''}")),
        uirevision="range-test",
    )
    return {"data": traces, "layout": layout}


# ------------------------------------------------------------- landscape
def landscape_figure(landscape, height: int = 340) -> dict:
    """The loss along −gradient (left) and on a plane with a random direction (right).

    The optimizer's next step is an arrow from the current point, green if the
    loss goes down, red if it goes up; a step too short to see is labelled.
    """
    s = landscape
    two_d = s.surface is not None
    color = GOOD if s.improves else BAD
    offsets, losses = s.offsets, s.losses
    finite = _finite(losses)
    positive = finite[finite > 0]
    # A log axis when the curve spans orders of magnitude (a large step's far side).
    log_y = bool(positive.size > 1 and positive.max() / max(positive.min(), 1e-300) > 50)

    def y_of(value):
        return math.log10(value) if log_y else value

    has_step = all(math.isfinite(v) for v in (s.loss, s.step, s.step_line_loss))
    visible = has_step and abs(s.step) >= 0.06 * s.span  # else the arrow is a few pixels
    traces = [{
        "type": "scatter", "mode": "lines", "name": "loss along −gradient",
        "x": typed(offsets, "f8"), "y": typed(losses, "f8"),
        "line": {"color": figures.TRAIN_COLOR, "width": 2.4},
        "hovertemplate": "t = %{x:.3g}<br>loss %{y:.4g}<extra></extra>",
    }]
    annotations, shapes = [], []
    left_domain = [0, 0.5] if two_d else [0, 1]
    if has_step:
        traces.append({"type": "scatter", "mode": "markers", "name": "after the next step",
                       "x": [s.step], "y": [s.step_line_loss],
                       "marker": {"size": 10, "color": color,
                                  "line": {"color": "#fff", "width": 1.5}},
                       "hovertemplate": "after the next step<br>t = %{x:.3g}<br>"
                                        "loss %{y:.4g}<extra></extra>"})
    if math.isfinite(s.loss):
        traces.append({"type": "scatter", "mode": "markers", "name": "now",
                       "x": [0.0], "y": [s.loss],
                       "marker": {"size": 10, "color": TEXT,
                                  "line": {"color": "#fff", "width": 1.5}},
                       "hovertemplate": "now<br>loss %{y:.4g}<extra></extra>"})
    if visible:
        annotations.append({
            "x": s.step, "y": y_of(s.step_line_loss), "ax": 0.0, "ay": y_of(s.loss),
            "xref": "x", "yref": "y", "axref": "x", "ayref": "y", "text": "",
            "showarrow": True, "arrowhead": 2, "arrowsize": 1.1, "arrowwidth": 2.2,
            "arrowcolor": color, "standoff": 6, "startstandoff": 6,
        })
        annotations.append({
            "x": s.step, "y": y_of(s.step_line_loss), "xref": "x", "yref": "y",
            "text": "next step", "showarrow": False, "yanchor": "top", "yshift": -8,
            "font": {"size": 11, "color": color},
        })
    elif has_step:
        annotations.append({
            "x": s.step, "y": y_of(s.step_line_loss), "xref": "x", "yref": "y",
            "text": f"next step: t = {fmt(s.step)}<br>(short at this scale)",
            "showarrow": True, "arrowhead": 0, "arrowwidth": 1, "arrowcolor": color,
            "ax": 30, "ay": 36, "xanchor": "left", "align": "left",
            "font": {"size": 11, "color": color}, "bgcolor": "rgba(255,255,255,0.85)",
        })
    if math.isfinite(s.loss):
        annotations.append({"x": 0, "y": y_of(s.loss), "xref": "x", "yref": "y",
                            "text": "now", "showarrow": False, "yanchor": "bottom",
                            "yshift": 7, "font": {"size": 11, "color": TEXT}})

    change = s.step_loss - s.loss
    if has_step and math.isfinite(s.step_loss):
        sgd_like = abs(s.step_side) <= 1e-9 * abs(s.step)
        step_text = (f"step η‖g‖ = {fmt(s.step)}" if sgd_like
                     else f"step along −g {fmt(s.step)} (length {fmt(s.step_length)})")
        summary = (f"<b>{s.optimizer}, lr {fmt(s.learning_rate)}</b> · ‖g‖ = "
                   f"{fmt(s.gradient_norm)} · {step_text}<br>loss {fmt(s.loss)} → "
                   f"<span style='color:{color}'><b>{fmt(s.step_loss)} "
                   f"{'↓' if s.improves else '↑'}</b></span> "
                   f"({'+' if change >= 0 else '−'}{fmt(abs(change))}) after the next step")
    else:
        summary = "no step to draw: the loss or the gradient is not finite here"
    if s.note:
        summary += f"  <span style='color:{MUTED}'>({s.note})</span>"
    annotations.append({"text": summary, "x": 0, "y": 1.0, "xref": "paper",
                        "yref": "paper", "xanchor": "left", "yanchor": "bottom",
                        "showarrow": False, "align": "left", "font": {"size": 12},
                        "yshift": 22})
    annotations.append(_panel_title("along the gradient", left_domain[0]))

    y_axis = _axis(title=_title("loss"), type="log" if log_y else "linear")
    if log_y:
        y_axis["range"] = _log_range(float(positive.min()), float(positive.max()), pad=0.05)
        y_axis.update(_log_ticks(y_axis["range"]))
    elif finite.size:
        # the valley matters more than the far walls: cut at 3× the rise to 'now'
        floor, ceiling = float(finite.min()), float(finite.max())
        if math.isfinite(s.loss):
            ceiling = min(ceiling, s.loss + 3 * max(s.loss - floor, abs(s.loss) * 0.05, 1e-12))
        if math.isfinite(s.step_line_loss):
            ceiling = max(ceiling, s.step_line_loss)
        pad = (ceiling - floor) * 0.1 or 0.01
        y_axis["range"] = [floor - pad, ceiling + pad]
    x_range = [-s.span, s.span]
    if math.isfinite(s.step):
        x_range = [min(x_range[0], s.step * 1.05), max(x_range[1], s.step * 1.05)]
    layout = {
        "xaxis": _axis(domain=left_domain, range=x_range, anchor="y",
                       title=_title("t: distance along −gradient")),
        "yaxis": y_axis,
    }
    shapes.append({"type": "line", "xref": "x", "yref": "y domain", "x0": 0, "x1": 0,
                   "y0": 0, "y1": 1, "layer": "below",
                   "line": {"color": "#d1d5db", "width": 1, "dash": "dot"}})

    if two_d:
        plane_domain = [0.6, 0.92]
        surface = np.asarray(s.surface, dtype=float)
        grid = np.linspace(-s.span, s.span, surface.shape[0])
        grid[len(grid) // 2] = 0.0
        with np.errstate(all="ignore"):
            z = np.log10(np.where(surface > 0, surface, np.nan))
        z_finite = _finite(z)
        z_low, z_high = ((float(z_finite.min()), float(z_finite.max())) if z_finite.size
                         else (0.0, 1.0))
        if z_high - z_low < 1e-9:
            z_high = z_low + 1e-3
        ticks = np.linspace(z_low, z_high, 5)
        traces.append({
            "type": "contour", "name": "loss on the plane", "xaxis": "x2", "yaxis": "y2",
            "x": typed(grid, "f8"), "y": typed(grid, "f8"), "z": typed(z, "f8"),
            "text": [[fmt(v) for v in row] for row in surface],
            "zmin": z_low, "zmax": z_high, "ncontours": 18, "colorscale": "Viridis",
            "contours": {"coloring": "heatmap", "showlines": True},
            "line": {"color": "rgba(255,255,255,0.45)", "width": 0.7},
            "colorbar": {"thickness": 10, "len": 0.85, "outlinewidth": 0, "x": plane_domain[1],
                         "xanchor": "left", "xpad": 8, "y": 0.5,
                         "title": {"text": "loss", "side": "top", "font": {"size": 11}},
                         "tickvals": ticks.tolist(),
                         "ticktext": [f"{10 ** t:.2g}" for t in ticks],
                         "tickfont": {"size": 10}},
            "hovertemplate": "along −g %{x:.3g}<br>random %{y:.3g}<br>loss %{text}"
                             "<extra></extra>",
        })
        if math.isfinite(s.step) and math.isfinite(s.step_side):
            traces.append({"type": "scatter", "mode": "markers", "name": "next",
                           "xaxis": "x2", "yaxis": "y2", "x": [s.step], "y": [s.step_side],
                           "marker": {"size": 9, "color": color,
                                      "line": {"color": "#ffffff", "width": 1.5}},
                           "hovertemplate": f"after the next step<br>loss "
                                            f"{fmt(s.step_plane_loss)}<extra></extra>"})
            if visible or math.hypot(s.step, s.step_side) >= 0.06 * s.span:
                annotations.append({
                    "x": s.step, "y": s.step_side, "ax": 0.0, "ay": 0.0, "xref": "x2",
                    "yref": "y2", "axref": "x2", "ayref": "y2", "text": "",
                    "showarrow": True, "arrowhead": 2, "arrowsize": 1.1, "arrowwidth": 2.2,
                    "arrowcolor": "#ffffff", "standoff": 5, "startstandoff": 6,
                })
        traces.append({"type": "scatter", "mode": "markers", "name": "now", "xaxis": "x2",
                       "yaxis": "y2", "x": [0.0], "y": [0.0], "hoverinfo": "skip",
                       "marker": {"size": 10, "color": "#ffffff",
                                  "line": {"color": TEXT, "width": 2}}})
        plane = [-s.span, s.span]
        if math.isfinite(s.step) and math.isfinite(s.step_side):
            plane = [min(-s.span, s.step, s.step_side), max(s.span, s.step, s.step_side)]
        annotations.append(_panel_title("on a plane: −gradient × a random direction",
                                        plane_domain[0]))
        layout["xaxis2"] = _axis(domain=plane_domain, anchor="y2", range=plane,
                                 title=_title("along −gradient"), showgrid=False)
        layout["yaxis2"] = _axis(anchor="x2", range=plane, showgrid=False,
                                 title=_title("random direction"))
    return {
        "data": traces,
        "layout": _base_layout(height=height, hovermode="closest", shapes=shapes,
                               annotations=annotations,
                               margin={"l": 56, "r": 8, "t": 72, "b": 44},
                               uirevision="landscape", **layout),
    }


# ------------------------------------------------------------------ health
def health_figure(tracker, height: int = 300) -> dict:
    """Per layer: the gradient norm (left) and the update ratio |Δw|/|w| (right), log y."""
    epochs = np.asarray(tracker.epoch, dtype=float)
    gradients = tracker.series("gradient_norms")
    ratios = tracker.series("step_ratios")
    traces = []
    for layer, name in enumerate(tracker.layer_names):
        color = LAYER_COLORS[layer % len(LAYER_COLORS)]
        for values, axis, show in ((gradients[:, layer], "", True),
                                   (ratios[:, layer], "2", False)):
            values = np.where(values > 0, values, np.nan)  # log axes: no zeros
            traces.append({
                "type": "scatter", "mode": "lines", "name": name, "legendgroup": name,
                "showlegend": show, "xaxis": f"x{axis}", "yaxis": f"y{axis}",
                "x": typed(epochs, "f8"), "y": typed(values, "f8"),
                "line": {"color": color, "width": 2},
                "hovertemplate": f"{name}<br>epoch %{{x}}<br>%{{y:.3g}}<extra></extra>",
            })
    low, high = HEALTHY_RATIO
    shapes = [{"type": "rect", "xref": "x2 domain", "yref": "y2", "x0": 0, "x1": 1,
               "y0": low, "y1": high, "fillcolor": "rgba(22,163,74,0.10)", "layer": "below",
               "line": {"width": 0}}]
    annotations = [
        _panel_title("gradient norm ‖∂L/∂W‖", 0.0),
        _panel_title("update ratio ‖Δw‖/‖w‖ of one step  "
                     f"<span style='color:{GOOD};font-size:11px'>▮ healthy ≈ 10⁻³</span>", 0.54),
    ]
    ratio_values = _finite(ratios)
    ratio_values = ratio_values[ratio_values > 0]
    ratio_range = _log_range(*_bounds(np.concatenate([ratio_values, [low, high]])))
    gradient_values = _finite(gradients)
    gradient_values = gradient_values[gradient_values > 0]
    gradient_range = _log_range(*_bounds(gradient_values))
    layout = _base_layout(
        height=height, hovermode="closest", showlegend=True, shapes=shapes,
        annotations=annotations, margin={"l": 56, "r": 12, "t": 28, "b": 44},
        legend={"orientation": "h", "x": 0, "y": -0.2, "yanchor": "top", "font": {"size": 11}},
        xaxis=_axis(domain=[0, 0.44], title=_title("epoch"), anchor="y"),
        yaxis=_axis(type="log", anchor="x", range=gradient_range, **_log_ticks(gradient_range)),
        xaxis2=_axis(domain=[0.54, 1], title=_title("epoch"), anchor="y2"),
        yaxis2=_axis(type="log", anchor="x2", range=ratio_range, **_log_ticks(ratio_range)),
        uirevision="health",
    )
    if not len(epochs):
        layout["annotations"].append({"text": "no measurements yet", "showarrow": False,
                                      "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5,
                                      "font": {"size": 13, "color": MUTED}})
    return {"data": traces, "layout": layout}


__all__ = ["GHOST_COLOR", "LAYER_COLORS", "RUN_COLORS", "comparison_loss_figure",
           "comparison_maps_figure", "health_figure", "landscape_figure", "range_test_figure",
           "run_color"]
