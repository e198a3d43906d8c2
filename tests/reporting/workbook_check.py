"""Reading an XLSX export back: every value on a sheet, found through its Swedish label,
compared with the JSON report it was made from (exact or published)."""

import itertools
from collections.abc import Mapping
from typing import Any

from openpyxl.worksheet.worksheet import Worksheet

from services.reporting.domain import figures
from services.reporting.domain.document import Overview, Report
from services.reporting.domain.economy import PERCENTS, is_hidden_cost
from services.reporting.domain.overview import ECONOMY_SHOWN, SHOWN
from services.reporting.domain.suppression import HIDDEN, is_hidden
from services.reporting.entrypoints import labels
from services.reporting.entrypoints import workbook as layout

COLUMNS = tuple(labels.COLUMNS)
_NOTES = (labels.MULTI_VALUED_NOTE, labels.ACTIVITIES_NOTE, labels.FLOWS_NOTE)
STEP_METRICS = {label: metric for metric, label in labels.STEP_METRICS.items()}
FOLLOWUP_METRICS = {label: metric for metric, label in labels.FOLLOWUP_METRICS.items()}
_METRICS = {layout.STEP_MOVEMENT: STEP_METRICS, labels.FOLLOWUP: FOLLOWUP_METRICS}
"""The sections whose rows are metrics of a sub-heading (a step measure, a follow-up)."""


def _label_paths(report: Mapping) -> dict[str, dict[str, tuple]]:
    """Per section heading of a sheet, its row labels back to where the value sits in the
    report."""
    previous = report["previous_year"]
    flows: dict[str, tuple] = {
        labels.figure_label(name): ("figures", name) for name in figures.FIGURES
    }
    flows |= {labels.share_label(name): ("shares", name) for name in figures.SHARES}
    paths = {layout.FLOWS: flows}
    for name, codes in report["breakdowns"].items():
        paths[labels.breakdown_caption(name, report["base"])] = {
            labels.code_label(name, code): ("breakdowns", name, code) for code in codes
        }
    steps = paths[layout.STEP_MOVEMENT] = {}
    for measure in {**report["step_movement"], **previous["step_movement"]}:
        steps[labels.step_measure_label(measure)] = ("step_movement", measure)
    paths[labels.FOLLOWUP] = {
        labels.followup_caption(months): ("followup", months) for months in report["followup"]
    }
    return paths


_LISTS = {
    layout.TARGETS: layout.TARGET_HEADER,
    layout.GOALS: layout.GOAL_HEADER,
    layout.ECONOMY: layout.ECONOMY_HEADER,
}
"""The sections that list rows of their own under a header of their own."""


def _shown(sheet: Worksheet, report: Mapping) -> tuple[dict[tuple, list], dict[str, list]]:
    """The sheet's values by where they sit in the report (8 cells: this year, last year),
    and the rows of its targets, goals and economy (`_LISTS`)."""
    paths = _label_paths(report)
    rows = iter(sheet.iter_rows())
    for row in rows:
        if tuple(cell.value for cell in row) == layout.HEADER:
            break
    values: dict[tuple, list] = {}
    listed: dict[str, list] = {heading: [] for heading in _LISTS}
    heading, measure = "", ()
    for label, *cells in rows:
        text = str(label.value) if label.value is not None else None
        if text in paths or text in _LISTS or text in (labels.ACTIVITIES, labels.FLOWS):
            heading = text
        elif text is None or text in _NOTES:
            continue
        elif heading in (labels.ACTIVITIES, labels.FLOWS):
            values[(heading, text)] = cells
        elif heading in _LISTS:
            header = _LISTS[heading]
            if text != header[0]:
                listed[heading].append((text, *(cell.value for cell in cells[: len(header) - 1])))
        elif heading in _METRICS and text in paths[heading]:
            measure = paths[heading][text]
        elif heading in _METRICS:
            values[(*measure, _METRICS[heading][text])] = cells
        else:
            values[paths[heading][text]] = cells
    return values, listed


def _every_path(report: Mapping) -> list[tuple]:
    previous = report["previous_year"]
    paths: list[tuple] = []
    for name in report["figures"]:
        paths.append(("figures", name))
        if name in report["shares"]:
            paths.append(("shares", name))
    for name, codes in report["breakdowns"].items():
        paths += [("breakdowns", name, code) for code in codes]
    for measure in {**report["step_movement"], **previous["step_movement"]}:
        paths += [("step_movement", measure, metric) for metric in labels.STEP_METRICS]
    for months in report["followup"]:
        paths += [("followup", months, metric) for metric in labels.FOLLOWUP_METRICS]
    return paths


def columns_at(section: Mapping, path: tuple) -> Mapping | None:
    """The columns of the row at `path` of a report's JSON (or its `previous_year`'s), None
    where it has no such row."""
    node: Any = section
    for step in path:
        node = node.get(step)
        if node is None:
            return None
    return node


def assert_sheet_shows(
    sheet: Worksheet, report: Mapping, insats_names: Mapping[str, str] | None = None
) -> None:
    """Every value of the report's JSON (this year's and last year's) on the sheet, and
    nothing else: numbers as numbers, `..` where suppression hid one, a dash for nobody
    (`insats_names`: by id, the names the whole förbund's goals are listed under)."""
    suppressed = "suppression" in report
    typed = Report.model_validate(report)
    name = report["insats_name"] or "Hela förbundet"
    assert sheet["A1"].value == f"{name}: {labels.period_title(typed.period)}"
    if suppressed:
        assert sheet["A2"].value == report["suppression"]["note"]
    values, listed = _shown(sheet, report)
    _assert_activities_shown(values, typed)
    _assert_flows_shown(values, report)
    assert list(values) == _every_path(report)
    for path, cells in values.items():
        sections = zip((report, report["previous_year"]), typed.sections())
        for ((section, model), column), cell in zip(itertools.product(sections, COLUMNS), cells):
            columns = columns_at(section, path)
            value = None if columns is None else columns[column]
            if columns is None:
                assert cell.value is None, path
            elif value is None:
                hidden = suppressed and is_hidden(model, path, column)
                assert cell.value == (HIDDEN if hidden else labels.DASH), (path, column)
            elif figures.kind_of(path) is figures.Kind.SHARE:
                assert (round(cell.value * 100), cell.number_format) == (value, "0%"), path
            else:
                # A mean is shown with a decimal even when whole (XLSX reads 58.0 back as 58).
                mean = path[-1] == "mean_change" or path[1] in figures.MEANS
                assert (cell.value, cell.number_format) == (value, "0.0" if mean else "0"), (
                    path,
                    column,
                )
    goals, economy = _goal_rows(report, insats_names or {}), _economy_rows(report, typed)
    assert listed[layout.GOALS] == goals, (listed[layout.GOALS], goals)
    assert listed[layout.ECONOMY] == economy, (listed[layout.ECONOMY], economy)
    assert listed[layout.TARGETS] == [
        (
            _target_label(target),
            target["target"] / 100,
            HIDDEN
            if target["outcome"] is None and suppressed
            else labels.DASH
            if target["outcome"] is None
            else target["outcome"] / 100,
            layout.MET[target["met"]],
        )
        for target in report.get("targets", [])
    ]


def _assert_activities_shown(values: dict[tuple, list], typed: Report) -> None:
    """The activities' rows (taken out of `values`): each value of both years where the row
    has it, a dash for a share of no places, empty where it has none (by gender of what is
    counted per activity); no rows at all when neither year had an activity."""
    shown = {path[1]: cells for path, cells in values.items() if path[0] == labels.ACTIVITIES}
    for path in [path for path in values if path[0] == labels.ACTIVITIES]:
        del values[path]
    now, before = typed.activities, typed.previous_year.activities
    if not (now.count or before.count):
        assert shown == {}
        return
    expected = {}
    for (name, code, kind, this_year), (*_, last_year) in zip(now.rows(), before.rows()):
        cells = []
        for year_values in (this_year, last_year):
            for column in COLUMNS:
                value = year_values.get(column, "absent")
                if value == "absent":
                    cells.append(None)
                elif value is None:
                    cells.append(labels.DASH)
                else:
                    cells.append(value / 100 if kind == "share" else value)
        expected[labels.activity_label(name, code)] = cells
    assert {label: [cell.value for cell in cells] for label, cells in shown.items()} == expected


def _assert_flows_shown(values: dict[tuple, list], report: Mapping) -> None:
    """The moves' rows (taken out of `values`): each pair of insatser of either year's
    `flows`, this year's and last year's counts (0 where a year has none)."""
    shown = {
        path[1]: [c.value for c in cells]
        for path, cells in values.items()
        if path[0] == labels.FLOWS
    }
    for path in [path for path in values if path[0] == labels.FLOWS]:
        del values[path]
    years = [
        {(flow["from"], flow["to"]): flow for flow in section["flows"] or []}
        for section in (report, report["previous_year"])
    ]
    expected = {
        labels.flow_label(*pair): [
            years[year].get(pair, dict.fromkeys(COLUMNS, 0))[column]
            for year in (0, 1)
            for column in COLUMNS
        ]
        for pair in sorted(years[0].keys() | years[1].keys())
    }
    if expected:  # under the moves, the people they were
        people = [section["people"] for section in (report, report["previous_year"])]
        expected[labels.PEOPLE] = [year[column] for year in people for column in COLUMNS]
    assert shown == expected


def _target_label(target: Mapping) -> str:
    label = labels.share_label(target["share"])
    return f"{target['insats_name']}: {label}" if "insats_name" in target else label


def _goal_rows(report: Mapping, names: Mapping[str, str]) -> list[tuple]:
    """The goals as the sheet lists them: as a board writes each, its outcome (a share as a
    fraction), met or not."""
    typed = Report.model_validate(report)
    previous_year = typed.previous_year.period.from_.year
    rows = []
    for goal, result in zip(report.get("goals") or [], typed.goals or [], strict=True):
        label = labels.goal_text(result, previous_year)
        if "insats" in goal:
            label = f"{names.get(goal['insats'], goal['insats'])}: {label}"
        outcome = goal["outcome"]
        if outcome is None:
            shown = HIDDEN if "suppression" in report else labels.DASH
        else:
            shown = outcome if "figure" in goal else outcome / 100
        rows.append((label, shown, labels.GOAL_MET[goal["met"]]))
    return rows


def _economy_rows(report: Mapping, typed: Report) -> list[tuple]:
    """The economy as the sheet lists it: this period's, then last year's (a percentage as
    a fraction; `..` for a cost per person hidden with its count)."""
    if report.get("economy") is None:
        return []
    rows = []
    for name, label in labels.ECONOMY.items():
        if name not in report["economy"]:
            continue
        shown = []
        for section, model in zip((report, report["previous_year"]), typed.sections()):
            value = section["economy"][name]
            if value is None:
                hidden = "suppression" in report and is_hidden_cost(model, name)
                shown.append(HIDDEN if hidden else labels.DASH)
            else:
                shown.append(value / 100 if name in PERCENTS else value)
        rows.append((label, *shown))
    return rows


def assert_overview_shows(sheet: Worksheet, overview: Mapping) -> None:
    """The överblick's JSON on its sheet: a row per insats, then the whole förbund's, each
    with the totals of the shown figures and shares, the economy and the goals met."""
    suppressed = "suppression" in overview
    typed = Overview.model_validate(overview)
    assert sheet.title == layout.OVERVIEW_SHEET
    assert sheet["A1"].value == f"{layout.OVERVIEW_SHEET}: {labels.period_title(typed.period)}"
    rows = iter(sheet.iter_rows(values_only=True))
    for row in rows:
        if row == layout.OVERVIEW_HEADER:
            break
    else:
        raise AssertionError("no header on the overview sheet")
    expected = [*typed.insatser, *([typed.forbund] if typed.forbund else [])]
    shown = list(rows)
    assert len(shown) == len(expected)
    for values, row in zip(shown, expected, strict=True):
        assert values[0] == (row.name or layout.FORBUND_TITLE)
        cells = iter(values[2:])
        for path in SHOWN:
            value, cell = row.row(path).total, next(cells)
            if value is None:
                hidden = suppressed and is_hidden(row, path, "total")
                assert cell == (HIDDEN if hidden else labels.DASH), (row.insats, path)
            else:
                scale = 100 if path[0] == "shares" else 1
                assert cell == value / scale, (row.insats, path)
        for name in ECONOMY_SHOWN:
            amount, cell = getattr(row.economy, name), next(cells)
            if amount is None:
                hidden = suppressed and is_hidden_cost(row, name)
                assert cell == (HIDDEN if hidden else labels.DASH), (row.insats, name)
            else:
                scale = 100 if name in PERCENTS else 1
                assert cell == amount / scale, (row.insats, name)
        goals = [row.goals.met, row.goals.not_met, row.goals.count]
        assert list(cells) == [*goals, row.activities]
