"""A report as rows for export (CSV and XLSX): one per figure and per breakdown code, beside
the same period a year earlier."""

import csv
import io
from collections.abc import Iterator, Mapping

from openpyxl import Workbook

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


def _title(report: Mapping) -> str:
    period = report["period"]
    return (f"Stegvis: {report['insats_name'] or 'hela förbundet'}, "
            f"{period['from']} till {period['to']}")


def report_xlsx(report: Mapping) -> bytes:
    """One sheet: a title, then `HEADER` and the same rows as the CSV, numbers as numbers."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Rapport"
    sheet.append([_title(report)])
    sheet.append(HEADER)
    header_row = sheet.max_row
    for row in export_rows(report):
        sheet.append(row)
    sheet.freeze_panes = sheet.cell(header_row + 1, 1)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def export_filename(year: int, period: str, insats: str | None, extension: str) -> str:
    return f"stegvis-{insats or 'forbund'}-{year}-{period}.{extension}"
