"""CSV that is safe to open in a spreadsheet: a text cell that Excel or LibreOffice would
read as a formula (`=`, `+`, `-`, `@`, or a tab or carriage return first) is written with an
apostrophe before it, so it shows as the text it is and runs nothing (OWASP's CSV injection).
Numbers are left as they are: a count or a mean, negative too, stays a number."""

import csv
import re
from collections.abc import Iterable
from typing import TextIO

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]+)?")
"""Text that is only a number (`-3`, `+4,5`): a spreadsheet reads it as the number."""


def safe_cell(value: object) -> object:
    """`value`, or a text starting as a formula would with an apostrophe before it."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def write_rows(file: TextIO, rows: Iterable[Iterable[object]], delimiter: str = ",") -> None:
    """Every row to `file` as CSV (None as an empty field), each cell made safe."""
    writer = csv.writer(file, delimiter=delimiter)
    writer.writerows([safe_cell(value) for value in row] for row in rows)
