"""The report as the API answers it, typed: what `/api/v1/reports` documents in its OpenAPI
schema and what its JSON is dumped from: the report builder makes it, suppression, closing,
the page, the charts and the exports read it. The figures, shares and breakdowns are fields
made from the registries (`figures.py`, `breakdowns.py`), so a figure added there is
documented here too; code reads them by the registries' names (`Section.row`).

Datetimes are kept as the ISO text the report writes (`+00:00`, not pydantic's `Z`): the
JSON must stay byte for byte what it was.
"""

from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from services.reporting.domain.bases import Base
from services.reporting.domain.breakdowns import BREAKDOWNS
from services.reporting.domain.figures import FIGURES, SHARES, STEP_METRICS, Kind


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Row(_Part):
    """A row of a report: a value in all and by gender (`figures.COLUMNS`)."""

    def of(self, column: str) -> int | float | None:
        return getattr(self, column)

    def hide(self, column: str) -> None:
        """Hidden for publishing: None."""
        setattr(self, column, None)


class Counts(Row):
    """A count in all and by gender (null: hidden for publishing)."""

    total: int | None
    kvinna: int | None
    man: int | None
    annan: int | None


class Means(Row):
    """A mean to one decimal in all and by gender (null: nobody to average, or hidden)."""

    total: float | None
    kvinna: float | None
    man: float | None
    annan: float | None


class Shares(Row):
    """A whole percentage in all and by gender (null: a share of nobody, or hidden)."""

    total: int | None
    kvinna: int | None
    man: int | None
    annan: int | None


AnyRow = Counts | Means | Shares

COLUMNS_OF: dict[Kind, type[Row]] = {Kind.COUNT: Counts, Kind.MEAN: Means, Kind.SHARE: Shares}


def _model(name: str, fields: dict[str, Any], doc: str) -> type[_Part]:
    return create_model(name, __base__=_Part, __doc__=doc, **fields)


FiguresModel = _model(
    "Figures",
    {name: (COLUMNS_OF[figure.kind], ...) for name, figure in FIGURES.items()},
    "Every figure of the period, in report order.",
)
SharesModel = _model(
    "FigureShares",
    {name: (Shares, ...) for name in SHARES},
    "Figures also given as a whole percentage of another.",
)
BreakdownsModel = _model(
    "Breakdowns",
    {name: (dict[str, Counts], ...) for name in BREAKDOWNS},
    "Those of the report's `base` by each breakdown's codes.",
)
StepMovementModel = _model(
    "StepMovement",
    {name: (COLUMNS_OF[metric.kind], ...) for name, metric in STEP_METRICS.items()},
    "One step measure's movement from first to latest measurement.",
)

# The models above have a field per registry entry, so code reads them by the registry's
# names (`Section.row`); to a type checker they are plain parts.
if TYPE_CHECKING:
    _Figures = _Part
    _Shares = _Part
    _Breakdowns = _Part
    _StepMovement = _Part
else:
    _Figures, _Shares = FiguresModel, SharesModel
    _Breakdowns, _StepMovement = BreakdownsModel, StepMovementModel


Path = tuple[str, ...]
"""Where a row sits in a section, e.g. `("figures", "ended")`, `("shares", "positive_exits")`,
`("breakdowns", "reason", "arbete")`, `("step_movement", "vas", "improved")`."""


class ReportPeriod(_Part):
    kind: str = Field(description="helar, delar, quarter or month")
    from_: date = Field(alias="from")
    to: date


class Economy(_Part):
    """Whole kronor; each quotient rounded half-up (null: dividing by nothing)."""

    budget: int | None = Field(description="The year's budget; null: none set")
    costs: int = Field(description="Utfall summed over the period's months")
    budget_used_percent: int | None
    cost_per_participant: int | None
    cost_per_ended: int | None
    individual_share_percent: int | None = Field(
        None,
        description="Only in the whole förbund's report: the share of the costs spent on "
        "insatser registered `individ` (null: no costs)",
    )


class Section(_Part):
    """One period's figures."""

    period: ReportPeriod
    figures: _Figures
    shares: _Shares
    breakdowns: _Breakdowns
    step_movement: dict[str, _StepMovement]
    economy: Economy | None = Field(None, description="Not a count: never suppressed")

    def figure(self, name: str) -> Counts | Means:
        return getattr(self.figures, name)

    def share(self, name: str) -> Shares:
        return getattr(self.shares, name)

    def breakdown(self, name: str) -> dict[str, Counts]:
        """The breakdown's rows by code, in report order."""
        return getattr(self.breakdowns, name)

    def row(self, path: Path) -> AnyRow | None:
        """The row at `path`; None where the section has none (a step measure only the
        other year has)."""
        section, name, *rest = path
        if section == "figures":
            return self.figure(name)
        if section == "shares":
            return self.share(name)
        if section == "breakdowns":
            return self.breakdown(name).get(rest[0])
        measure = self.step_movement.get(name)
        return None if measure is None else getattr(measure, rest[0])

    def rows(self) -> Iterator[Path]:
        """Every row's path, in report order: the figures, each followed by its share, the
        breakdowns' codes, the step measures' metrics."""
        for name in FIGURES:
            yield "figures", name
            if name in SHARES:
                yield "shares", name
        for name in BREAKDOWNS:
            for code in self.breakdown(name):
                yield "breakdowns", name, code
        for measure in self.step_movement:
            for metric in STEP_METRICS:
                yield "step_movement", measure, metric


class ProcessedThroughModel(_Part):
    position: int
    occurred_at: str | None = Field(description="ISO 8601 with offset; null: no events yet")


class Target(_Part):
    insats: str | None = Field(None, description="Only in the whole förbund's report")
    insats_name: str | None = Field(None, description="Only in the whole förbund's report")
    share: str
    target: int
    outcome: int | None
    met: bool | None


class GoalResult(_Part):
    """A goal as given (`figure` and `at_least`; or `share` and `at_least_percent` or
    `higher_than_previous_year`; maybe `gender`) beside the outcome."""

    insats: str | None = Field(None, description="Only in the whole förbund's report")
    figure: str | None = None
    share: str | None = None
    at_least: int | None = None
    at_least_percent: int | None = None
    higher_than_previous_year: bool | None = None
    gender: str | None = None
    outcome: int | None = Field(description="The count or whole percent; null: of nobody")
    met: bool | None = Field(description="null: of nobody, now or (a trend) a year earlier")


class Change(_Part):
    section: str
    name: str
    code: str
    column: str
    as_closed: int | float | None
    now: int | float | None


class ClosingModel(_Part):
    closes_at: str = Field(description="ISO 8601 with offset")
    closed: bool
    recorded: bool
    as_closed: bool
    restated: bool
    changes: list[Change] | None = Field(None, description="Left out of a published report")


class Suppression(_Part):
    threshold: int
    suppressed_cells: int
    note: str


class ReportFigures(Section):
    """A report as built from the figures, before its targets, goals and closing are added."""

    insats: str | None
    insats_name: str | None
    base: Base = Field(
        Base.ENDED, description="Whom the breakdowns count (both years): a figure they sum to"
    )
    previous_year: Section
    processed_through: ProcessedThroughModel

    def sections(self) -> tuple[Section, Section]:
        """This period's, then the same period's a year earlier."""
        return self, self.previous_year


class Report(ReportFigures):
    """A period's report beside the same period a year earlier."""

    targets: list[Target]
    goals: list[GoalResult] | None = Field(
        None, description="The insats's goals; the förbund's: every insats's"
    )
    closing: ClosingModel
    suppression: Suppression | None = Field(None, description="Only in a published report")


REPORT_ORDER = (
    "insats",
    "insats_name",
    "base",
    *Section.model_fields,
    "previous_year",
    "processed_through",
    "targets",
    "goals",
    "closing",
    "suppression",
)


def report_json(report: ReportFigures) -> dict:
    """The report as the API answers it: the keys it has (a published report's
    `suppression`, the förbund's targets' `insats`), in report order."""
    dumped = report.model_dump(mode="json", by_alias=True, exclude_unset=True)
    return {key: dumped[key] for key in REPORT_ORDER if key in dumped}


class GoalsMet(_Part):
    """How many of a report's targets and goals its figures met (`count` less `met` and
    `not_met`: of nobody, or hidden for publishing)."""

    count: int
    met: int
    not_met: int


class OverviewRow(_Part):
    """One report's row of the överblick: its figures and shares of the period, its economy
    and how many of its targets and goals it met."""

    insats: str | None = Field(description="null: the whole förbund")
    name: str | None
    registration: str | None
    figures: _Figures
    shares: _Shares
    economy: Economy | None
    goals: GoalsMet

    def row(self, path: Path) -> AnyRow:
        """The row at `path` (`("figures", name)` or `("shares", name)`), as `Section.row`."""
        section, name = path
        return getattr(self.figures if section == "figures" else self.shares, name)


class Overview(_Part):
    """Every insats side by side with the whole förbund (null: not readable by the
    caller), of one period."""

    period: ReportPeriod
    insatser: list[OverviewRow]
    forbund: OverviewRow | None
    processed_through: ProcessedThroughModel
    suppression: Suppression | None = Field(None, description="Only in a published overview")
