"""A report as rows for export: one per figure and per breakdown code, beside the same
period a year earlier."""

import csv
import io
from collections.abc import Iterator, Mapping

COLUMNS = ("total", "kvinna", "man", "annan")
HEADER = ("section", "name", "code", *COLUMNS, *(f"previous_{column}" for column in COLUMNS))

Cell = str | int | float | None


def _values(columns: Mapping[str, Cell]) -> tuple[Cell, ...]:
    return tuple(columns.get(column) for column in COLUMNS)


def export_rows(report: Mapping) -> Iterator[tuple[Cell, ...]]:
    """Rows in `HEADER`'s order; a mean with nothing to average is None."""
    previous = report["previous_year"]
    for name, columns in report["figures"].items():
        yield ("figures", name, "", *_values(columns), *_values(previous["figures"][name]))
    for name, codes in report["breakdowns"].items():
        for code, columns in codes.items():
            last_year = previous["breakdowns"][name].get(code, {})
            yield ("breakdowns", name, code, *_values(columns), *_values(last_year))


def report_csv(report: Mapping) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(export_rows(report))  # csv writes None as an empty field
    return out.getvalue()


def export_filename(year: int, period: str, insats: str | None, extension: str) -> str:
    return f"stegvis-{insats or 'forbund'}-{year}-{period}.{extension}"
