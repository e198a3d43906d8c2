"""The report as the API answers it, typed: what `/api/v1/reports` documents in its OpenAPI
schema and what its JSON is validated against. The figures, shares and breakdowns are fields
made from the registries (`figures.py`, `breakdowns.py`), so a figure added there is
documented here too.

Datetimes are kept as the ISO text the report writes (`+00:00`, not pydantic's `Z`): the
JSON must stay byte for byte what it was.
"""

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from services.reporting.domain.breakdowns import BREAKDOWNS
from services.reporting.domain.figures import FIGURES, SHARES, STEP_METRICS, Kind


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Counts(_Part):
    """A count in all and by gender (null: hidden for publishing)."""

    total: int | None
    kvinna: int | None
    man: int | None
    annan: int | None


class Means(_Part):
    """A mean to one decimal in all and by gender (null: nobody to average, or hidden)."""

    total: float | None
    kvinna: float | None
    man: float | None
    annan: float | None


class Shares(_Part):
    """A whole percentage in all and by gender (null: a share of nobody, or hidden)."""

    total: int | None
    kvinna: int | None
    man: int | None
    annan: int | None


COLUMNS_OF: dict[Kind, type[_Part]] = {Kind.COUNT: Counts, Kind.MEAN: Means, Kind.SHARE: Shares}


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
    "Those ended by each breakdown's codes.",
)
StepMovementModel = _model(
    "StepMovement",
    {name: (COLUMNS_OF[metric.kind], ...) for name, metric in STEP_METRICS.items()},
    "One step measure's movement from first to latest measurement.",
)


class ReportPeriod(_Part):
    kind: str = Field(description="helar, delar or month")
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


Section = _model(
    "Section",
    {
        "period": (ReportPeriod, ...),
        "figures": (FiguresModel, ...),
        "shares": (SharesModel, ...),
        "breakdowns": (BreakdownsModel, ...),
        "step_movement": (dict[str, StepMovementModel], ...),  # type: ignore[valid-type]
        "economy": (Economy | None, Field(None, description="Not a count: never suppressed")),
    },
    "One period's figures.",
)


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


Report = create_model(
    "Report",
    __base__=Section,
    __doc__="A period's report beside the same period a year earlier.",
    insats=(str | None, ...),
    insats_name=(str | None, ...),
    previous_year=(Section, ...),
    processed_through=(ProcessedThroughModel, ...),
    targets=(list[Target], ...),
    goals=(
        list[GoalResult] | None,
        Field(None, description="The insats's goals; the förbund's: every insats's"),
    ),
    closing=(ClosingModel, ...),
    suppression=(Suppression | None, Field(None, description="Only in a published report")),
)


REPORT_ORDER = (
    "insats",
    "insats_name",
    *Section.model_fields,
    "previous_year",
    "processed_through",
    "targets",
    "goals",
    "closing",
    "suppression",
)


def report_json(document: dict) -> dict:
    """`document` checked against `Report`, as the API answers it: the keys it has (a
    published report's `suppression`, the förbund's targets' `insats`), in report order."""
    dumped = Report.model_validate(document).model_dump(
        mode="json", by_alias=True, exclude_unset=True
    )
    return {key: dumped[key] for key in REPORT_ORDER if key in dumped}
