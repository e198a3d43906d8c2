"""A report as rows for the CSV export, for machines: one per figure, per breakdown code, per
move between two insatser (`flows`, from, to), per row of the activities and per follow-up
metric (`followup`, months, metric), beside the same period a year earlier, then its economy
and its goals."""

import io
from collections.abc import Iterator

from services.reporting.domain.breakdowns import BREAKDOWNS
from services.reporting.domain.document import Economy, GoalResult, Path, Report, Section
from services.reporting.domain.economy import is_hidden_cost
from services.reporting.domain.figures import COLUMNS, FIGURES, FOLLOWUP, FOLLOWUP_METRICS, TOTAL
from services.reporting.domain.suppression import HIDDEN, is_hidden
from shared.platform.safe_csv import write_rows

HEADER = ("section", "name", "code", *COLUMNS, *(f"previous_{column}" for column in COLUMNS))

Cell = str | int | float | None


def _values(section: Section, path: Path, suppressed: bool) -> tuple[Cell, ...]:
    row = section.row(path)
    if row is None:
        return (None,) * len(COLUMNS)
    return tuple(
        HIDDEN if suppressed and is_hidden(section, path, column) else row.of(column)
        for column in COLUMNS
    )


def export_rows(report: Report) -> Iterator[tuple[Cell, ...]]:
    """Rows in `HEADER`'s order; a mean with nothing to average is None; in a suppressed
    report a hidden value is `..`."""
    suppressed = report.suppression is not None

    def values(path: Path) -> tuple[Cell, ...]:
        return tuple(
            value for section in report.sections() for value in _values(section, path, suppressed)
        )

    for name in FIGURES:
        yield ("figures", name, "", *values(("figures", name)))
    for name in BREAKDOWNS:
        for code in report.breakdown(name):
            yield ("breakdowns", name, code, *values(("breakdowns", name, code)))
    people = [section.people for section in report.sections()]
    if all(people):
        yield ("people", "", "", *(p.of(c) for p in people if p for c in COLUMNS))
    for from_insats, to_insats, now_flow, before_flow in report.flow_rows():
        values_of = (now_flow, before_flow)
        yield ("flows", from_insats, to_insats, *(year[c] for year in values_of for c in COLUMNS))
    for now, before in zip(report.activities.rows(), report.previous_year.activities.rows()):
        name, code, _kind, _ = now
        yield (
            "activities",
            name,
            code,
            *(row[3].get(column) for row in (now, before) for column in COLUMNS),
        )
    for months in report.followup:
        for metric in FOLLOWUP_METRICS:
            yield (FOLLOWUP, months, metric, *values((FOLLOWUP, months, metric)))
    yield from _economy_rows(report, suppressed)
    yield from _goal_rows(report, suppressed)


def _economy_rows(report: Report, suppressed: bool) -> Iterator[tuple[Cell, ...]]:
    """Each economy value in the `total` columns: it is of no gender."""
    if report.economy is None:
        return
    shown = report.economy.model_fields_set
    for name in (name for name in Economy.model_fields if name in shown):
        values: list[Cell] = []
        for section in report.sections():
            value = None if section.economy is None else getattr(section.economy, name)
            hidden = suppressed and value is None and is_hidden_cost(section, name)
            values += [HIDDEN if hidden else value, *(None,) * (len(COLUMNS) - 1)]
        yield ("economy", name, "", *values)


def goal_condition(goal: GoalResult) -> str:
    """What a goal asks of its figure or share: `at_least=50`, `at_least_percent=30` or
    `higher_than_previous_year` (prefixed `INSATS/` in the whole förbund's report)."""
    if goal.at_least is not None:
        condition = f"at_least={goal.at_least}"
    elif goal.at_least_percent is not None:
        condition = f"at_least_percent={goal.at_least_percent}"
    else:
        condition = "higher_than_previous_year"
    return condition if goal.insats is None else f"{goal.insats}/{condition}"


def _goal_rows(report: Report, suppressed: bool) -> Iterator[tuple[Cell, ...]]:
    """Each goal's outcome in its gender's column (`total`: of all)."""
    for goal in report.goals or ():
        outcome = HIDDEN if suppressed and goal.outcome is None else goal.outcome
        columns = [outcome if column == (goal.gender or TOTAL) else None for column in COLUMNS]
        previous = (None,) * len(COLUMNS)
        yield ("goals", goal.figure or goal.share, goal_condition(goal), *columns, *previous)


def report_csv(report: Report) -> str:
    out = io.StringIO()
    write_rows(out, (HEADER, *export_rows(report)))
    return out.getvalue()


def export_filename(
    year: int, period: str, insats: str | None, extension: str, published: bool = False
) -> str:
    """`published`: suppressed for publishing, which the name says (`-publicerad`)."""
    suffix = "-publicerad" if published else ""
    return f"stegvis-{insats or 'forbund'}-{year}-{period}{suffix}.{extension}"
