"""Cells a spreadsheet would run as a formula are written as text; numbers stay numbers."""

import csv
import io

from shared.platform.safe_csv import safe_cell, write_rows


def test_text_starting_as_a_formula_is_neutralised_and_numbers_are_not() -> None:
    out = io.StringIO()
    write_rows(
        out,
        [
            ["=1+1", "+46", "-x", "@SUM(A1)", "\tA", "\rB", "Umeå", "25-29"],
            [-3, -1.5, "-3", "+4,5", None, 0, ".."],
        ],
        delimiter=";",
    )
    assert list(csv.reader(io.StringIO(out.getvalue()), delimiter=";")) == [
        ["'=1+1", "+46", "'-x", "'@SUM(A1)", "'\tA", "'\rB", "Umeå", "25-29"],
        ["-3", "-1.5", "-3", "+4,5", "", "0", ".."],
    ]
    assert safe_cell(-2) == -2
