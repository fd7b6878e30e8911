"""Plotly charts that stay mounted in the browser and are redrawn in place.

`st.plotly_chart` re-creates its chart whenever the figure changes: the chart
flashes blank, the user's zoom is lost and a fragment manages only a few frames
per second. `live_chart` mounts a Streamlit v2 component once per key and, on
every rerun, hands the new figure to `Plotly.react` on the same <div>.
`live_panels` does the same for several charts in rows under one component: one
message and one React update per frame instead of one per chart, and a panel
whose figure did not change is not redrawn.

plotly.js (its cartesian bundle) is served once by stream.py's route and
shared by every chart on the page; inlining it into the component's
JavaScript made each update ~5x slower. The JavaScript and CSS live in
frontend/live_chart.js and .css.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

import streamlit as st

from . import stream
from .frontend import source

# The figure travels as raw UTF-8 JSON bytes: Streamlit forwards bytes as they
# are, while a dict or str `data` is dumped again (twice: once more to hash it).
# On the demo's 3-panel figure (82 kB) Streamlit's share was 0.06 ms as bytes,
# 0.35 ms as str, 0.42 ms as dict; a whole live_chart() call ~0.4 ms.
# Shadow DOM (isolate_styles=True) would hide the CSS plotly.js adds to
# document.head (modebar, hover labels), so the chart lives in the page DOM.
_component = st.components.v2.component(
    "mikir.live_chart", js=source("plotly_loader.js", "live_chart.js"),
    css=source("live_chart.css"), isolate_styles=False)


def _ignore() -> None:
    """Trigger values surface only for events that have a callback."""


@dataclass(frozen=True)
class Panel:
    """One chart of a ``live_panels`` row.

    ``title`` is plain text in which **bold** is the only markup. ``flex`` is the
    panel's share of its row; below ``min_width`` pixels panels wrap onto a new
    line. ``edit``: a click on a point whose customdata is [a, b, c, value] opens
    a number box there; what the user applies comes back as an "edit" event.
    """

    key: str
    figure: dict | str
    height: int
    title: str = ""
    flex: float = 1.0
    min_width: int = 320
    on_click: bool = False
    edit: bool = False


def _json(value) -> bytes:
    try:  # NaN is not JSON: the browser's JSON.parse would reject it
        return json.dumps(value, separators=(",", ":"), allow_nan=False).encode()
    except (TypeError, ValueError):  # numpy values, NaN: plotly's encoder copes
        from plotly.io.json import to_json_plotly

        return to_json_plotly(value).encode()


REUSE_MIN_BYTES = 2000  # smaller traces are cheaper to resend than to look up


def trace_digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=10).hexdigest()


def figure_payload(figure, have: frozenset[str] = frozenset()) -> tuple[bytes, str]:
    """A figure's JSON for the browser, and a digest of what it shows.

    Each large trace of a dict figure carries its digest; one of REUSE_MIN_BYTES
    or more whose digest is in ``have`` (what the browser said it holds) is sent
    as {"reuse": digest} instead: the data points, say, travel once, not every
    frame. A str figure (``fig.to_json()``) is sent as it is.
    """
    if hasattr(figure, "to_json"):
        figure = figure.to_json()
    if isinstance(figure, str):
        raw = figure.encode()
        return raw, trace_digest(raw)
    traces, digests = [], []
    for trace in figure.get("data", []):
        raw = _json(trace)
        digest = trace_digest(raw)
        digests.append(digest)
        if len(raw) < REUSE_MIN_BYTES or not raw.startswith(b"{"):
            traces.append(raw)
        elif digest in have:
            traces.append(b'{"reuse":"' + digest.encode() + b'"}')
        else:
            traces.append(b'{"digest":"' + digest.encode() + b'",' + raw[1:])
    layout = _json(figure.get("layout", {}))
    digests.append(trace_digest(layout))
    payload = b'{"data":[' + b",".join(traces) + b'],"layout":' + layout + b"}"
    return payload, trace_digest(",".join(digests).encode())


def panels_payload(rows: Sequence[Sequence[Panel]], have: frozenset[str] = frozenset(), *,
                   ack: bool = False, config: dict | None = None, cache: str = "",
                   plotly_src: str = "") -> bytes:
    """The component's message: the panels' layout and their figures (see figure_payload)."""
    specs, figures = [], []
    for row in rows:
        specs.append([])
        for panel in row:
            figure, digest = figure_payload(panel.figure, have)
            figures.append(json.dumps(panel.key).encode() + b":" + figure)
            specs[-1].append({
                "key": panel.key, "height": int(panel.height), "title": panel.title,
                "flex": float(panel.flex), "min_width": int(panel.min_width),
                "on_click": bool(panel.on_click), "edit": bool(panel.edit),
                "digest": digest,  # unchanged figures are not redrawn
            })
    header = {"rows": specs, "ack": bool(ack), "config": config or {}, "cache": cache,
              "plotly_src": plotly_src}
    # Splice the figures' bytes into the message instead of parsing them again.
    head = json.dumps(header, separators=(",", ":")).encode()[:-1]
    return head + b',"figures":{' + b",".join(figures) + b"}}"


def live_panels(rows: Sequence[Sequence[Panel]], *, key: str, ack: bool = False,
                config: dict | None = None) -> dict | None:
    """Rows of live charts in one component; return this rerun's event, if any.

    An event is {"kind": "click" | "edit", "panel": <panel key>, "seq", ...}: a
    click carries curve, point, x, y, z, customdata, trace_name (see
    ``live_chart``); an edit carries customdata (the point's first three values)
    and the typed value as a string (the caller validates it).

    With ``ack``, the browser acknowledges each frame as it starts drawing it
    (a rerun of the fragment holding the component): the server makes the next
    frame while the browser draws this one, one frame in flight at most, so a
    live loop never floods the websocket. The acknowledgement lists the large
    traces the browser holds; those are then sent as references.
    """
    # Only a live loop reuses traces: its acknowledgements keep ``have`` current.
    memory = f"_live_chart_have:{key}"
    have = st.session_state.get(memory, frozenset()) if ack else frozenset()
    payload = panels_payload(rows, have, ack=ack, config=config, cache=key,
                             plotly_src=stream.plotly_src())
    result = _component(key=key, data=payload, on_click_change=_ignore,
                        on_edit_change=_ignore, on_drawn_change=_ignore)
    drawn = result.get("drawn")
    if isinstance(drawn, dict) and isinstance(drawn.get("have"), list):
        st.session_state[memory] = frozenset(str(d) for d in drawn["have"][:256])
    for kind in ("click", "edit"):
        event = result.get(kind)
        if event:
            return {"kind": kind, **event}
    return None


def live_chart(
    figure_json: dict | str,
    *,
    key: str,
    height: int,
    on_click: bool = False,
    config: dict | None = None,
    ack: bool = False,
) -> dict | None:
    """Show a plotly figure that updates in place; return a click, if any.

    `figure_json` is `fig.to_json()` (cheapest: sent as is) or a JSON-able dict
    such as `json.loads(fig.to_json())`; a plotly Figure is accepted too.
    `key` keeps the chart mounted across reruns. Unless the layout sets its own
    `uirevision`, a constant one keeps the user's zoom between updates.

    With `on_click`, a click on a point or heatmap cell returns, on that rerun
    only, {"curve", "point", "x", "y", "z", "customdata", "trace_name", "seq"};
    a click on empty plot area returns x, y and "subplot" with curve None.
    `seq` counts clicks per chart. Otherwise the result is None.

    With `ack`, the browser answers each frame with a rerun of the fragment
    holding the chart (see ``live_panels``).
    """
    event = live_panels([[Panel(key, figure_json, height, on_click=on_click)]], key=key,
                        ack=ack, config=config)
    if not event or event["kind"] != "click":
        return None
    return {k: v for k, v in event.items() if k not in ("kind", "panel")}
