"""live_chart's messages, without a browser: large traces the browser holds travel once."""

import json
import math

from playground.live_chart import REUSE_MIN_BYTES, Panel, figure_payload, panels_payload


def figure(points: int = 300, extra: float = 0.0) -> dict:
    big = {"type": "scatter", "name": "points", "x": list(range(points)),
           "y": [i * 0.5 for i in range(points)]}
    small = {"type": "scatter", "name": "marker", "x": [extra], "y": [1]}
    return {"data": [big, small], "layout": {"height": 300, "title": {"text": "t"}}}


def test_a_large_trace_carries_its_digest_and_small_ones_go_as_they_are():
    payload, _ = figure_payload(figure())
    sent = json.loads(payload)
    big, small = sent["data"]
    assert len(json.dumps(figure()["data"][0])) > REUSE_MIN_BYTES
    assert big["digest"] and big["x"] == figure()["data"][0]["x"]
    assert "digest" not in small and small == figure()["data"][1]
    assert sent["layout"] == figure()["layout"]


def test_a_trace_the_browser_holds_is_sent_as_a_reference():
    full, digest_full = figure_payload(figure())
    held = json.loads(full)["data"][0]["digest"]
    reused, digest_reused = figure_payload(figure(), frozenset({held}))
    assert json.loads(reused)["data"][0] == {"reuse": held}
    assert len(reused) < len(full) / 3
    assert digest_reused == digest_full  # the same picture: not redrawn


def test_a_changed_trace_is_sent_again_and_changes_the_figure_digest():
    first, digest = figure_payload(figure())
    held = json.loads(first)["data"][0]["digest"]
    changed, changed_digest = figure_payload(figure(points=301), frozenset({held}))
    assert json.loads(changed)["data"][0]["digest"] != held
    assert len(json.loads(changed)["data"][0]["x"]) == 301
    _, moved = figure_payload(figure(extra=2.0), frozenset({held}))  # a small trace moved
    assert changed_digest != digest and moved != digest


def test_nan_and_plain_json_strings_still_work():
    payload, _ = figure_payload({"data": [{"type": "scatter", "x": [math.nan, 1]}],
                                 "layout": {}})
    assert json.loads(payload)["data"][0]["x"] == [None, 1]  # plotly's encoder: NaN → null
    text = '{"data": [], "layout": {"height": 10}}'
    assert figure_payload(text)[0] == text.encode()


def test_the_message_holds_every_panel_in_its_row():
    rows = [[Panel("a", figure(), 300, "**A**", flex=2), Panel("b", figure(), 200)],
            [Panel("c", figure(), 100, edit=True)]]
    message = json.loads(panels_payload(rows, ack=True, cache="live"))
    assert [[p["key"] for p in row] for row in message["rows"]] == [["a", "b"], ["c"]]
    assert message["rows"][0][0]["flex"] == 2 and message["rows"][1][0]["edit"] is True
    assert message["ack"] is True and message["cache"] == "live"
    assert set(message["figures"]) == {"a", "b", "c"}
    assert message["figures"]["b"]["layout"]["height"] == 300
