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
from services.reporting.domain.figures import (
    COLUMNS,
    FIGURES,
    FOLLOWUP,
    FOLLOWUP_METRICS,
    SHARES,
    STEP_METRICS,
    TOTAL,
    Kind,
)


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
FollowupModel = _model(
    "Followup",
    {name: (COLUMNS_OF[metric.kind], ...) for name, metric in FOLLOWUP_METRICS.items()},
    "The follow-ups after the stop so many months on that fall due in the period (the stop "
    "date plus the months): those due (exits, not moves), those reached, and of them those "
    "in work or studies and those with a positive outcome; the share reached.",
)

# The models above have a field per registry entry, so code reads them by the registry's
# names (`Section.row`); to a type checker they are plain parts.
if TYPE_CHECKING:
    _Figures = _Part
    _Shares = _Part
    _Breakdowns = _Part
    _StepMovement = _Part
    _Followup = _Part
else:
    _Figures, _Shares = FiguresModel, SharesModel
    _Breakdowns, _StepMovement = BreakdownsModel, StepMovementModel
    _Followup = FollowupModel


Path = tuple[str, ...]
"""Where a row sits in a section, e.g. `("figures", "ended")`, `("shares", "positive_exits")`,
`("breakdowns", "reason", "arbete")`, `("step_movement", "vas", "improved")`,
`("followup", "6", "reached")`."""


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


class Activities(_Part):
    """The activities of structural insatser in the period (the förbund's: of all its
    insatser), apart from the individual figures. Attendance, not people followed one by
    one: never suppressed."""

    count: int
    kinds: dict[str, int] = Field(description="Activities by kind, every kind listed")
    participants: Counts
    organisations: dict[str, int] = Field(
        description="Participants by organisation (referrer codes), every one listed"
    )
    places: int = Field(description="Places offered, by the activities that gave a number")
    places_used_percent: int | None = Field(
        description="The participants of the activities that offered places, as a whole "
        "percentage of those places; null: none offered"
    )

    def rows(self) -> Iterator[tuple[str, str, Kind, dict[str, int | None]]]:
        """(name, code, kind, values by column) of each row the exports write, in order;
        a row of something not counted by gender has only its total."""
        yield "count", "", Kind.COUNT, {TOTAL: self.count}
        for code, count in self.kinds.items():
            yield "kinds", code, Kind.COUNT, {TOTAL: count}
        yield "participants", "", Kind.COUNT, self.participants.model_dump()
        for code, count in self.organisations.items():
            yield "organisations", code, Kind.COUNT, {TOTAL: count}
        yield "places", "", Kind.COUNT, {TOTAL: self.places}
        yield "places_used_percent", "", Kind.SHARE, {TOTAL: self.places_used_percent}


class Flow(_Part):
    """Participants who moved on from one insats to another in the period (by the day the
    move started the new stay)."""

    from_: str = Field(alias="from")
    to: str
    total: int
    kvinna: int
    man: int
    annan: int


class Section(_Part):
    """One period's figures."""

    period: ReportPeriod
    figures: _Figures
    shares: _Shares
    breakdowns: _Breakdowns
    step_movement: dict[str, _StepMovement]
    activities: Activities
    flows: list[Flow] | None = Field(
        description="The moves between insatser in the period (an insats's report: those into "
        "it); null in a published report, whose small counts it would give away"
    )
    people: Counts | None = Field(
        description="The participants counted once each, however many insatser they were in "
        "during the period (beside the registrations, `participants`); null in a published "
        "report"
    )
    followup: dict[str, _Followup] = Field(
        description="By months after the stop (`3`, `6`, `12`: those the förbund makes, "
        "`STEGVIS_FOLLOWUPS`)"
    )
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
        if section == FOLLOWUP:
            months = self.followup.get(name)
            return None if months is None else getattr(months, rest[0])
        measure = self.step_movement.get(name)
        return None if measure is None else getattr(measure, rest[0])

    def rows(self) -> Iterator[Path]:
        """Every row's path, in report order: the figures, each followed by its share, the
        breakdowns' codes, the step measures' metrics, the follow-ups' metrics."""
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
        for months in self.followup:
            for metric in FOLLOWUP_METRICS:
                yield FOLLOWUP, months, metric


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

    def flow_rows(self) -> list[tuple[str, str, dict[str, int], dict[str, int]]]:
        """(from, to, this period's columns, last year's) of every move of either year, by
        insats; a year without it has zeros. None left out (a published report's)."""
        years = [
            {(flow.from_, flow.to): flow.model_dump(exclude={"from_", "to"}) for flow in flows}
            for flows in (self.flows or [], self.previous_year.flows or [])
        ]
        zeros = dict.fromkeys(COLUMNS, 0)
        return [
            (from_insats, to_insats, years[0].get(pair, zeros), years[1].get(pair, zeros))
            for pair in sorted(years[0].keys() | years[1].keys())
            for from_insats, to_insats in [pair]
        ]


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
    activities: int = Field(
        description="Activities of the period (`activities.count`): a structural insats's "
        "work, which its participant figures do not count"
    )

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
