"""Numbers as people type them: one strict reading for the URL, CSV cells and typed weights.

Python's ``float`` and ``int`` accept far more than a person means: Arabic-Indic
and full-width digits (``float("١")`` is 1.0), underscores (``float("1_000")``),
and ``int`` of a 5000-digit string raises a message about interpreter limits.
Here a number is ASCII digits with an optional sign (``-``, ``+`` or the Unicode
minus ``−``), an optional decimal point and exponent; anything else is refused.
Messages never repeat the text: the caller says where it came from.
"""

from __future__ import annotations

import math
import re

MAX_CHARACTERS = 1000  # a guard only: callers set their own, shorter limits
MINUS = "\u2212"  # −, what word processors and our own labels write
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_NON_FINITE = re.compile(r"[+-]?(?:nan|inf|infinity)", re.IGNORECASE)
# "1,5" or "-0,25": a decimal comma. "1,500" is not taken: it may mean 1500.
_DECIMAL_COMMA = re.compile(r"([+-]?[0-9]+),([0-9]{1,2}|[0-9]{4,})")
_THOUSANDS = re.compile(r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?")
_EXACT_DIGITS = 18  # integers this long convert exactly; longer ones go through float


class NumberError(ValueError):
    """Text that is not a number the playground reads; the message says why."""


def _normalized(text) -> str:
    if not isinstance(text, str):
        raise NumberError("is not text")
    text = text.strip().replace(MINUS, "-")
    if not text:
        raise NumberError("is empty")
    if len(text) > MAX_CHARACTERS:
        raise NumberError(f"is longer than {MAX_CHARACTERS} characters")
    return text


def parse_number(text, *, decimal_comma: bool = False) -> float:
    """The finite float ``text`` spells, or NumberError.

    ``decimal_comma``: also read ``1,5`` as 1.5 (a typed value, where no column
    separator can be meant); ``1,500`` is refused as ambiguous.
    """
    text = _normalized(text)
    if decimal_comma and "," in text:
        match = _DECIMAL_COMMA.fullmatch(text)
        if match:
            text = f"{match[1]}.{match[2]}"
        elif _THOUSANDS.fullmatch(text):
            raise NumberError("is ambiguous: write the decimal point as '.' and no "
                              "thousands separator")
    if _NON_FINITE.fullmatch(text):
        raise NumberError("is not a finite number (NaN and infinity are not allowed)")
    if not _NUMBER.fullmatch(text):
        raise NumberError("is not a number")
    value = float(text)
    if not math.isfinite(value):
        raise NumberError("is too large to be a finite number")
    return value


def parse_integer(text) -> int:
    """The integer ``text`` spells (``1e3`` too, never ``1.5``), or NumberError."""
    normalized = _normalized(text)
    if _INTEGER.fullmatch(normalized) and len(normalized.lstrip("+-")) <= _EXACT_DIGITS:
        return int(normalized)
    value = parse_number(normalized)
    if value != int(value):
        raise NumberError("is not a whole number")
    return int(value)


__all__ = ["MINUS", "NumberError", "parse_integer", "parse_number"]
