"""The report as an XLSX workbook laid out like the förbund's report template: a sheet per
report (the whole förbund's "Förbundet", then each insats's), each with its figures by
gender beside the same period a year earlier, in sections under Swedish labels, ready to
print; the whole förbund's opens with its överblick ("Översikt": every insats side by side
with the förbund)."""

import io
import re
from collections.abc import Iterator, Mapping, Sequence

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from services.reporting.domain.breakdowns import BREAKDOWNS, MULTI_VALUED
from services.reporting.domain.document import Overview, OverviewRow, Path, Report, Section
from services.reporting.domain.economy import PERCENTS, is_hidden_cost
from services.reporting.domain.figures import (
    FIGURES,
    FOLLOWUP,
    NUMBER_FORMATS,
    SHARES,
    Kind,
    kind_of,
)
from services.reporting.domain.overview import ECONOMY_SHOWN, SHOWN
from services.reporting.domain.suppression import HIDDEN, is_hidden
from services.reporting.entrypoints import labels
from services.reporting.service_layer.workbook import ReportSet

OVERVIEW_SHEET = labels.OVERVIEW
FORBUND_SHEET = "Förbundet"
FORBUND_TITLE = labels.FORBUND
HEADER = (
    "Mått",
    *labels.COLUMNS.values(),
    *(f"Föregående år: {name}" for name in labels.COLUMNS.values()),
)
FLOWS = "Flöden och utfall"
TARGETS = "Mål"
TARGET_HEADER = ("Mått", "Mål", "Utfall", "Bedömning")
STEP_MOVEMENT = "Stegförflyttning"
RESTATED_NOTE = "Siffrorna har ändrats sedan perioden stängdes."
MET = {True: "Uppnått", False: "Ej uppnått", None: labels.DASH}
GOALS = "Styrelsens mål"
GOAL_HEADER = ("Målet", "Utfall", "Bedömning")
ECONOMY = "Ekonomi"
ECONOMY_HEADER = ("Post", "Perioden", "Året innan")
KRONOR_FORMAT = '#,##0 "kr"'

_LABEL_WIDTH, _VALUE_WIDTH = 56, 13
_MAX_TITLE = 31
_NOT_IN_TITLE = re.compile(r"[\[\]:*?/\\]")
"""What Excel refuses in a sheet's title."""

_BOLD, _ITALIC, _TITLE = Font(bold=True), Font(italic=True), Font(bold=True, size=14)


def sheet_titles(names: Sequence[str]) -> list[str]:
    """The names as valid, distinct sheet titles: without the characters Excel refuses, at
    most 31 characters, a number added to one already taken (Excel ignores case)."""
    taken: set[str] = set()
    titles = []
    for name in names:
        words = " ".join(_NOT_IN_TITLE.sub(" ", name).split())
        base = words.strip("'")[:_MAX_TITLE].strip(" '") or "Insats"
        title, number = base, 1
        # "History" is reserved by Excel itself.
        while title.casefold() in taken or title.casefold() == "history":
            number += 1
            suffix = f" ({number})"
            title = base[: _MAX_TITLE - len(suffix)].rstrip() + suffix
        taken.add(title.casefold())
        titles.append(title)
    return titles


def report_workbook(read: ReportSet) -> bytes:
    """A sheet per report, in the set's order (the whole förbund's titled `FORBUND_SHEET`),
    after the överblick (`OVERVIEW_SHEET`) in the whole förbund's workbook."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    reports = read.reports
    names = [
        FORBUND_SHEET if report.insats is None else report.insats_name or "" for report in reports
    ]
    insats_names = {report.insats: report.insats_name for report in reports if report.insats}
    forbund = reports[0].insats is None
    titles = sheet_titles([OVERVIEW_SHEET, *names] if forbund else names)
    if forbund:
        _overview(_Sheet(workbook.create_sheet(titles.pop(0))), read.overview())
    for report, title in zip(reports, titles, strict=True):
        _fill(_Sheet(workbook.create_sheet(title)), report, insats_names)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


class _Sheet:
    """A worksheet written a row at a time. It keeps the sheet's width itself: openpyxl's
    `max_row`, `max_column` and `sheet[row]` scan every cell, so asking them on each row
    appended made a sheet quadratic in its cells."""

    def __init__(self, sheet: Worksheet) -> None:
        self.sheet = sheet
        self.rows = 0
        self.width = 1

    def skip(self) -> None:
        """An empty row."""
        self.sheet.append([])
        self.rows += 1

    def append(self, values: Sequence, font: Font | None = None) -> list[Cell]:
        """Append a row; text stays text (openpyxl takes one starting with `=` for a
        formula, and an insats name is anyone's text). Its cells across the sheet's width
        so far, as `sheet[row]` gives them (so an empty one in a row with a font has it)."""
        self.sheet.append(values)
        self.rows += 1
        self.width = max(self.width, len(values))
        cells = [self.sheet.cell(self.rows, column) for column in range(1, self.width + 1)]
        for cell in cells:
            if isinstance(cell.value, str):
                cell.data_type = "s"
                if cell.column > 1:
                    cell.alignment = Alignment(horizontal="right")
            if font is not None:
                cell.font = font
        return cells


def _value(section: Section, path: Path, column: str, suppressed: bool) -> str | float | None:
    """A value as the cell shows it: a number, a share as a fraction (shown as a percentage),
    `..` if hidden, a dash if there is nobody to count; nothing where the section has no
    such row."""
    row = section.row(path)
    if row is None:
        return None
    value = row.of(column)
    if value is None:
        return HIDDEN if suppressed and is_hidden(section, path, column) else labels.DASH
    return value / 100 if kind_of(path) is Kind.SHARE else value


def _row(sheet: _Sheet, report: Report, label: str, path: Path, indent: int = 0) -> None:
    suppressed = report.suppression is not None
    values = [
        _value(section, path, column, suppressed)
        for section in report.sections()
        for column in labels.COLUMNS
    ]
    cells = sheet.append([label, *values])
    cells[0].alignment = Alignment(indent=indent)
    for cell in cells[1:]:
        cell.number_format = NUMBER_FORMATS[kind_of(path)]


def _heading(sheet: _Sheet, text: str) -> None:
    sheet.skip()
    sheet.append([text], _BOLD)


def _preamble(report: Report) -> Iterator[str]:
    """The lines under the title: notes on the figures first, then what the sheet shows
    beside them and how far they reach."""
    if report.suppression is not None:
        yield report.suppression.note
    if report.closing.restated:
        yield RESTATED_NOTE
    yield (
        f"Föregående år: samma period året innan "
        f"({labels.period_title(report.previous_year.period)}), i kolumnerna till höger."
    )
    yield labels.base_line(report.base)
    processed = report.processed_through
    when = (
        labels.timestamp(processed.occurred_at)
        if processed.occurred_at
        else ("inga händelser ännu")
    )
    yield f"Siffrorna omfattar händelser till och med position {processed.position} ({when})."


def _fill(sheet: _Sheet, report: Report, insats_names: Mapping[str, str | None]) -> None:
    name = FORBUND_TITLE if report.insats is None else report.insats_name
    sheet.append([f"{name}: {labels.period_title(report.period)}"], _TITLE)
    for line in _preamble(report):
        sheet.append([line])
    sheet.skip()
    header = sheet.append(HEADER, _BOLD)
    for cell in header:
        cell.alignment = Alignment(
            wrap_text=True, vertical="bottom", horizontal="left" if cell.column == 1 else "right"
        )

    _heading(sheet, FLOWS)
    for figure in FIGURES:
        _row(sheet, report, labels.figure_label(figure), ("figures", figure))
        if figure in SHARES:
            _row(sheet, report, labels.share_label(figure), ("shares", figure), indent=1)
    _targets(sheet, report)
    _goals(sheet, report, insats_names)
    _economy(sheet, report)
    for breakdown in BREAKDOWNS:
        _heading(sheet, labels.breakdown_caption(breakdown, report.base))
        for code in report.breakdown(breakdown):
            path = ("breakdowns", breakdown, code)
            _row(sheet, report, labels.code_label(breakdown, code), path)
        if breakdown in MULTI_VALUED:
            sheet.append([labels.MULTI_VALUED_NOTE], _ITALIC)
    _step_movement(sheet, report)
    _followup(sheet, report)
    _flows(sheet, report)
    _activities(sheet, report)
    _lay_out(sheet.sheet, header[0].row)


def _listing(sheet: _Sheet, heading: str, header: Sequence[str]) -> None:
    """A section that lists rows of its own (targets, goals, economy) under its header."""
    _heading(sheet, heading)
    sheet.append(header, _ITALIC)


def _outcome(value: int | None, suppressed: bool, divisor: int = 1) -> str | float:
    """An outcome of a target or goal as its cell shows it (`divisor` 100: a share, as a
    fraction). Published, hidden cannot be told from of nobody (the förbund's outcomes are
    the insatser's): `..` stands for either, as SCB's "not available" does."""
    if value is None:
        return HIDDEN if suppressed else labels.DASH
    return value / divisor


OVERVIEW_HEADER = (
    labels.OVERVIEW_INSATS,
    "Registrering",
    *(
        labels.figure_label(name) if section == "figures" else labels.share_label(name)
        for section, name in SHOWN
    ),
    *(labels.ECONOMY[name] for name in ECONOMY_SHOWN),
    *labels.OVERVIEW_GOALS,
    labels.ACTIVITY_ROWS["count"],
)


def _overview(sheet: _Sheet, overview: Overview) -> None:
    """One row per insats, then the whole förbund's: the totals of `SHOWN`, the economy of
    `ECONOMY_SHOWN` and the targets and goals met."""
    sheet.append([f"{OVERVIEW_SHEET}: {labels.period_title(overview.period)}"], _TITLE)
    if overview.suppression is not None:
        sheet.append([overview.suppression.note])
    sheet.append(["Totalt för alla kön, av varje insats och av hela förbundet."])
    sheet.skip()
    header = sheet.append(OVERVIEW_HEADER, _BOLD)
    for cell in header:
        cell.alignment = Alignment(wrap_text=True, vertical="bottom")
    suppressed = overview.suppression is not None
    rows = [*overview.insatser, *([overview.forbund] if overview.forbund else [])]
    for row in rows:
        _overview_row(sheet, row, suppressed)
    laid_out = sheet.sheet
    laid_out.column_dimensions["A"].width = 32
    laid_out.freeze_panes = laid_out.cell(header[0].row + 1, 2)
    laid_out.page_setup.orientation = "landscape"
    laid_out.page_setup.fitToWidth, laid_out.page_setup.fitToHeight = 1, 0
    laid_out.sheet_properties.pageSetUpPr.fitToPage = True


def _overview_row(sheet: _Sheet, row: OverviewRow, suppressed: bool) -> None:
    registration = labels.REGISTRATION.get(row.registration or "", labels.DASH)
    values: list = [row.name or FORBUND_TITLE, registration]
    formats = []
    for path in SHOWN:
        value = row.row(path).total
        if value is None:
            values.append(HIDDEN if suppressed and is_hidden(row, path, "total") else labels.DASH)
        else:
            values.append(value / 100 if kind_of(path) is Kind.SHARE else value)
        formats.append(NUMBER_FORMATS[kind_of(path)])
    for name in ECONOMY_SHOWN:
        values.append(_economy_value(row, name, suppressed))
        formats.append(NUMBER_FORMATS[Kind.SHARE] if name in PERCENTS else KRONOR_FORMAT)
    values += [row.goals.met, row.goals.not_met, row.goals.count, row.activities]
    formats += [NUMBER_FORMATS[Kind.COUNT]] * 4
    written = sheet.append(values, _BOLD if row.insats is None else None)
    for cell, number_format in zip(written[2:], formats, strict=True):
        cell.number_format = number_format


def _targets(sheet: _Sheet, report: Report) -> None:
    if not report.targets:
        return
    _listing(sheet, TARGETS, TARGET_HEADER)
    suppressed = report.suppression is not None
    for target in report.targets:
        label = labels.share_label(target.share)
        if target.insats_name is not None:
            label = f"{target.insats_name}: {label}"
        outcome = _outcome(target.outcome, suppressed, 100)
        cells = sheet.append([label, target.target / 100, outcome, MET[target.met]])
        for cell in cells[1:3]:
            cell.number_format = NUMBER_FORMATS[Kind.SHARE]


def _goals(sheet: _Sheet, report: Report, insats_names: Mapping[str, str | None]) -> None:
    if not report.goals:
        return
    _listing(sheet, GOALS, GOAL_HEADER)
    suppressed = report.suppression is not None
    previous_year = report.previous_year.period.from_.year
    for goal in report.goals:
        label = labels.goal_text(goal, previous_year)
        if goal.insats is not None:
            label = f"{insats_names.get(goal.insats) or goal.insats}: {label}"
        kind = Kind.COUNT if goal.figure is not None else Kind.SHARE
        outcome = _outcome(goal.outcome, suppressed, 1 if kind is Kind.COUNT else 100)
        cells = sheet.append([label, outcome, labels.GOAL_MET[goal.met]])
        cells[1].number_format = NUMBER_FORMATS[kind]


def _economy_value(section: Section | OverviewRow, name: str, suppressed: bool) -> str | float:
    value = None if section.economy is None else getattr(section.economy, name)
    if value is None:
        return HIDDEN if suppressed and is_hidden_cost(section, name) else labels.DASH
    return value / 100 if name in PERCENTS else value


def _economy(sheet: _Sheet, report: Report) -> None:
    if report.economy is None:
        return
    _listing(sheet, ECONOMY, ECONOMY_HEADER)
    suppressed = report.suppression is not None
    for name, label in labels.ECONOMY.items():
        if name not in report.economy.model_fields_set:
            continue
        values = [_economy_value(section, name, suppressed) for section in report.sections()]
        cells = sheet.append([label, *values])
        for cell in cells[1:]:
            cell.number_format = NUMBER_FORMATS[Kind.SHARE] if name in PERCENTS else KRONOR_FORMAT


def _step_movement(sheet: _Sheet, report: Report) -> None:
    # Also a measure only last year had: every figure of both years is on the sheet.
    measures = {**report.step_movement, **report.previous_year.step_movement}
    if not measures:
        return
    _heading(sheet, STEP_MOVEMENT)
    for measure in measures:
        sheet.append([labels.step_measure_label(measure)], _ITALIC)
        for metric, label in labels.STEP_METRICS.items():
            _row(sheet, report, label, ("step_movement", measure, metric), indent=1)


def _followup(sheet: _Sheet, report: Report) -> None:
    if not report.followup:
        return
    _heading(sheet, labels.FOLLOWUP)
    for months in report.followup:
        sheet.append([labels.followup_caption(months)], _ITALIC)
        for metric, label in labels.FOLLOWUP_METRICS.items():
            _row(sheet, report, label, (FOLLOWUP, months, metric), indent=1)


def _flows(sheet: _Sheet, report: Report) -> None:
    rows = report.flow_rows()
    if not rows:
        return
    _heading(sheet, labels.FLOWS)
    sheet.append([labels.FLOWS_NOTE], _ITALIC)
    people = [section.people for section in report.sections()]
    sheet.append([labels.PEOPLE, *(p.of(c) for p in people if p for c in labels.COLUMNS)])
    for from_insats, to_insats, now, before in rows:
        values = [year[column] for year in (now, before) for column in labels.COLUMNS]
        cells = sheet.append([labels.flow_label(from_insats, to_insats), *values])
        for cell in cells[1:]:
            cell.number_format = NUMBER_FORMATS[Kind.COUNT]


def _activities(sheet: _Sheet, report: Report) -> None:
    if not (report.activities.count or report.previous_year.activities.count):
        return
    _heading(sheet, labels.ACTIVITIES)
    sheet.append([labels.ACTIVITIES_NOTE], _ITALIC)
    for now, before in zip(report.activities.rows(), report.previous_year.activities.rows()):
        name, code, kind, _ = now
        values = [
            _activity_value(row[3], column, kind)
            for row in (now, before)
            for column in labels.COLUMNS
        ]
        cells = sheet.append([labels.activity_label(name, code), *values])
        for cell in cells[1:]:
            cell.number_format = NUMBER_FORMATS[kind]


def _activity_value(values: dict[str, int | None], column: str, kind: Kind) -> str | float | None:
    """Empty in a column the row has not (by gender, of a count per activity), a dash for a
    share of no places, a share as a fraction."""
    if column not in values:
        return None
    value = values[column]
    if value is None:
        return labels.DASH
    return value / 100 if kind is Kind.SHARE else value


def _lay_out(sheet: Worksheet, header: int) -> None:
    sheet.column_dimensions["A"].width = _LABEL_WIDTH
    for column in "BCDEFGHI":
        sheet.column_dimensions[column].width = _VALUE_WIDTH
    sheet.freeze_panes = sheet.cell(header + 1, 2)
    sheet.print_title_rows = f"{header}:{header}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
