"""The page's JavaScript and CSS, kept in their own files and read once."""

from __future__ import annotations

from functools import cache
from pathlib import Path

FOLDER = Path(__file__).resolve().parent


@cache
def source(*names: str) -> str:
    """The named files joined in order (a component's JS is one module: helpers first)."""
    return "\n".join((FOLDER / name).read_text() for name in names)
