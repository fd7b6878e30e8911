"""Text from a link, a file or a keyboard, shown as exactly that text.

Streamlit renders the body of ``st.warning``, ``st.info``, ``st.caption`` and
``st.toast`` as Markdown with extensions: a share link's value could become a
link, an image that fetches a tracking URL, KaTeX (``$x^2$``), coloured text
(``:red[...]``), icons or emoji (``:material/...:``, ``:smile:``). Escaping
Markdown is not enough for the last ones (the emoji and icon plugins run on the
text after escapes are resolved), so these alerts are HTML instead: the text is
HTML-escaped, which leaves no markup at all, and ``st.html`` shows it (it
sanitizes too). Everything here that is not text is ours.
"""

from __future__ import annotations

import html

import streamlit as st

MAX_CHARACTERS = 500  # an alert is a sentence or two; longer text is cut with "…"
# (background, left border, text): text contrast ≥ 7:1 on its background.
KINDS = {
    "info": ("#e8f1fb", "#1f6feb", "#0b3768"),
    "success": ("#e9f6ec", "#2da44e", "#0f4a1f"),
    "warning": ("#fff6dc", "#d4a72c", "#4d3800"),
    "error": ("#fdecec", "#cf222e", "#7a0f17"),
}


def shorten(text: str, limit: int = MAX_CHARACTERS) -> str:
    text = str(text)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def quoted(text: str, limit: int = 60) -> str:
    """A name from outside (a file name, a value), short and in quotes."""
    shown = "".join(c if c.isprintable() else "\ufffd" for c in str(text))
    return f"“{shorten(shown, limit)}”"


def alert_html(text: str, kind: str = "warning", *, label: str | None = None) -> str:
    """The alert's HTML: our colours around ``text`` as text (no Markdown, no HTML)."""
    background, border, colour = KINDS[kind]
    role = "alert" if kind == "error" else "status"
    head = f"<strong>{html.escape(label)}</strong> " if label else ""
    return (f'<div class="mikir-alert" data-kind="{kind}" role="{role}" style="'
            f"background:{background};border-left:0.3rem solid {border};color:{colour};"
            "border-radius:0.5rem;padding:0.75rem 1rem;line-height:1.5;"
            f'white-space:pre-line;overflow-wrap:anywhere">{head}'
            f"{html.escape(shorten(text))}</div>")


def alert(text: str, kind: str = "warning", *, label: str | None = None) -> None:
    """Like ``st.warning(text)`` (or info, success, error), but ``text`` stays plain."""
    st.html(alert_html(text, kind, label=label))


def caption(text: str) -> None:
    """Like ``st.caption(text)``, but ``text`` stays plain."""
    st.html('<div class="mikir-caption" style="color:#57606a;font-size:0.875rem;'
            f'overflow-wrap:anywhere">{html.escape(shorten(text))}</div>')


def dismissible_alerts(texts, kind: str = "warning", *, label: str | None = None,
                       key: str, on_dismiss) -> None:
    """Alerts, each plain text, with one button that closes them all (``on_dismiss``)."""
    texts = list(texts)
    if not texts:
        return
    with st.container(key=key):
        for text in texts:
            alert(text, kind, label=label)
        st.button("Dismiss", key=f"{key}_dismiss", on_click=on_dismiss, type="tertiary",
                  icon=":material/close:",
                  help="Hide these notes; they also go when you change the setting.")


__all__ = ["alert", "alert_html", "caption", "dismissible_alerts", "quoted", "shorten"]
