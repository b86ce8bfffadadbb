"""parse_int: the one reader of numbers typed by people or sent by clients."""
import pytest

from veille.numbers import parse_int


@pytest.mark.parametrize("text, expected", [
    ("0", 0), ("42", 42), ("007", 7),
    (None, None), ("", None), ("-1", None), ("+1", None), (" 1", None), ("1 ", None), ("1.0", None),
    ("²", None), ("①", None), ("２", None), ("٣", None),  # digits str.isdigit() accepts
    ("9" * 18, 10 ** 18 - 1), ("9" * 19, None),  # no unbounded int() on client input
])
def test_only_plain_ascii_digits_are_numbers(text, expected):
    assert parse_int(text) == expected


def test_bounds_are_inclusive_and_either_may_be_given_alone():
    assert [parse_int(str(n), minimum=1, maximum=3) for n in range(5)] == [None, 1, 2, 3, None]
    assert parse_int("0", minimum=1) is None and parse_int("1", minimum=1) == 1
    assert parse_int("5", maximum=4) is None and parse_int("4", maximum=4) == 4
    assert parse_int("1000000", minimum=1) == 1000000  # no maximum given: none applies
    assert parse_int("0", maximum=4) == 0  # no minimum given: none applies
