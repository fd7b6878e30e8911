"""Alert icons must draw without an emoji font (an emoji there showed as an empty box)."""

import ast
from pathlib import Path

from conftest import playground_app_test

PLAYGROUND = Path(__file__).resolve().parents[1] / "playground"
ALERTS = {"error", "warning", "info", "success", "exception", "toast"}


def _alert_icons(source: str):
    """Every literal icon= passed to an st.error/warning/info/success/toast call."""
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in ALERTS):
            for keyword in node.keywords:
                if keyword.arg == "icon" and isinstance(keyword.value, ast.Constant):
                    yield node.lineno, keyword.value.value


def test_no_page_gives_an_alert_an_emoji_icon():
    found = [(path.name, line, icon) for path in sorted(PLAYGROUND.glob("*.py"))
             for line, icon in _alert_icons(path.read_text(encoding="utf-8"))]
    assert found, "the scan found no alert icons at all"
    emoji = [hit for hit in found if not hit[2].startswith(":material/")]
    assert not emoji, emoji


def test_divergence_alerts_on_the_lab_and_inspector_use_material_icons():
    at = playground_app_test()
    for key, value in {"data": "plane", "activation": "relu", "layers": "8,8,8",
                       "lr": "10"}.items():
        at.query_params[key] = value
    at.run()
    for _ in range(8):
        next(b for b in at.button if b.key == "step_epoch").click().run()
        if at.session_state["trainer"].frame().diverged:
            break
    assert at.session_state["trainer"].frame().diverged
    for page in ("Backprop inspector", "Learning-rate lab"):
        at.button_group(key="page").set_value(page).run()
        assert not at.exception, at.exception
        alerts = [*at.error, *at.warning]
        assert any("diverged" in alert.value for alert in alerts), page
        icons = {alert.icon for alert in alerts}
        assert all(icon.startswith(":material/") for icon in icons), (page, icons)
