"""How a number a person typed (a form's input, a spreadsheet's cell) is read before its
model checks it: ASCII digits only, a Swedish decimal comma, and an integer of at most
`MAX_INTEGER_DIGITS` digits. Anything else is left as typed, so that the model refuses it
and the form or the import says why: converting a 5,000-digit integer would raise (Python
converts at most 4,300 digits) and be a server error, and `str.isdigit` takes `²`, which
`int` does not.
"""

import re

MAX_INTEGER_DIGITS = 9
"""More than any typed field takes (a count's bound is 100,000)."""

_INTEGER = re.compile(rf"[+-]?[0-9]{{1,{MAX_INTEGER_DIGITS}}}")
_DECIMAL = re.compile(r"[+-]?([0-9]+([.,][0-9]*)?|[.,][0-9]+)")


def typed_integer(text: str) -> int | str:
    """The integer typed, or the text as typed when it is none (or too long to be one)."""
    return int(text) if _INTEGER.fullmatch(text) else text


def typed_decimal(text: str) -> float | str:
    """The decimal number typed (`12,5` or `12.5`), or the text as typed when it is none."""
    return float(text.replace(",", ".")) if _DECIMAL.fullmatch(text) else text
