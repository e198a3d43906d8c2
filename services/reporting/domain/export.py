"""A report as rows for the CSV export, for machines: one per figure and per breakdown code,
beside the same period a year earlier."""

import io
from collections.abc import Iterator, Mapping

from services.reporting.domain.figures import COLUMNS
from services.reporting.domain.suppression import (
    HIDDEN,
    PREVIOUS_YEAR,
    Path,
    columns_at,
    is_hidden,
)
from shared.platform.safe_csv import write_rows

HEADER = ("section", "name", "code", *COLUMNS, *(f"previous_{column}" for column in COLUMNS))

Cell = str | int | float | None


def _values(section: Mapping, path: Path, suppressed: bool) -> tuple[Cell, ...]:
    columns = columns_at(section, path) or {}
    return tuple(
        HIDDEN
        if suppressed and columns and is_hidden(section, path, column)
        else columns.get(column)
        for column in COLUMNS
    )


def export_rows(report: Mapping) -> Iterator[tuple[Cell, ...]]:
    """Rows in `HEADER`'s order; a mean with nothing to average is None; in a suppressed
    report a hidden value is `..`."""
    previous = report[PREVIOUS_YEAR]
    suppressed = "suppression" in report

    def values(path: Path) -> tuple[Cell, ...]:
        return (*_values(report, path, suppressed), *_values(previous, path, suppressed))

    for name in report["figures"]:
        yield ("figures", name, "", *values(("figures", name)))
    for name, codes in report["breakdowns"].items():
        for code in codes:
            yield ("breakdowns", name, code, *values(("breakdowns", name, code)))


def report_csv(report: Mapping) -> str:
    out = io.StringIO()
    write_rows(out, (HEADER, *export_rows(report)))
    return out.getvalue()


def export_filename(
    year: int, period: str, insats: str | None, extension: str, published: bool = False
) -> str:
    """`published`: suppressed for publishing, which the name says (`-publicerad`)."""
    suffix = "-publicerad" if published else ""
    return f"stegvis-{insats or 'forbund'}-{year}-{period}{suffix}.{extension}"
