"""One reading of typed numbers for the URL, CSV cells and typed weights."""

import pytest

from playground.numbers import NumberError, parse_integer, parse_number


@pytest.mark.parametrize("text, number", [
    ("1", 1.0), (" -2.5 ", -2.5), ("−2.5", -2.5), ("+.5", 0.5), ("1.", 1.0),
    ("1e3", 1000.0), ("1E−3", 0.001), ("-0", 0.0),
])
def test_ascii_numbers_with_either_minus_are_read(text, number):
    assert parse_number(text) == number


@pytest.mark.parametrize("text, reason", [
    ("١,٢", "not a number"), ("١", "not a number"), ("１０００", "not a number"),
    ("1_000", "not a number"), ("0x10", "not a number"), ("1,5", "not a number"),
    ("", "empty"), ("nan", "not a finite number"), ("-Infinity", "not a finite number"),
    ("1e999", "too large"), ("²", "not a number"), ("1 000", "not a number"),
    ("x" * 5000, "longer than"), (None, "not text"),
])
def test_everything_else_is_refused_with_the_reason(text, reason):
    with pytest.raises(NumberError, match=reason):
        parse_number(text)


@pytest.mark.parametrize("text, number", [("1,5", 1.5), ("−0,25", -0.25), ("1,5000", 1.5),
                                          ("1.5", 1.5)])
def test_a_decimal_comma_is_read_where_asked_for(text, number):
    assert parse_number(text, decimal_comma=True) == number


@pytest.mark.parametrize("text, reason", [("1,500", "ambiguous"), ("12,345.5", "ambiguous"),
                                          ("1,2,3", "not a number"), ("0x1,5", "not a number")])
def test_a_comma_that_could_mean_thousands_is_refused(text, reason):
    with pytest.raises(NumberError, match=reason):
        parse_number(text, decimal_comma=True)


@pytest.mark.parametrize("text, number", [("7", 7), ("−3", -3), ("1e3", 1000),
                                          ("2147483647", 2**31 - 1), ("9" * 200, int(1e200))])
def test_integers(text, number):
    assert parse_integer(text) == number


@pytest.mark.parametrize("text", ["1.5", "9" * 5000, "1_0", "٣"])
def test_integers_refused_with_a_normal_message(text):
    with pytest.raises(NumberError) as caught:
        parse_integer(text)
    assert "set_int_max_str_digits" not in str(caught.value)
