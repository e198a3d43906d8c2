"""Goals as boards write them ("minst 500 personer inskrivna", "30 % går vidare till
arbetsträning", "högre andel … än 2023"), and whether a report's figures met them.

A goal is read from the report's own cells, so a published report's goal shows no outcome
where the cell it reads is hidden.
"""

from collections.abc import Sequence
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    TypeAdapter,
    field_validator,
)

from services.reporting.domain import contributions as c
from services.reporting.domain.bases import Base
from services.reporting.domain.breakdowns import REASON
from services.reporting.domain.document import GoalResult, Report, ReportFigures, Row, Section
from services.reporting.domain.figures import FIGURES, SHARES, TOTAL, Kind
from services.reporting.domain.reports import percent
from shared.contract.codes import Gender, Reason

COUNT_FIGURES = tuple(name for name, figure in FIGURES.items() if figure.kind is Kind.COUNT)
REASON_SHARE = "reason:"
"""`reason:CODE`: that avslutsanledning's share of those ended."""
GOAL_SHARES = (*SHARES, *(REASON_SHARE + reason for reason in Reason))
"""Every share a goal can be set on: the report's `shares`, and each reason's."""

Amount = Annotated[int, Field(strict=True, ge=0)]
Percent = Annotated[int, Field(strict=True, ge=0, le=100)]


def _one_of(name: str, known: Sequence[str], what: str) -> str:
    if name not in known:
        raise ValueError(f"not {what}; one of {', '.join(known)}")
    return name


class _Goal(BaseModel):
    # Errors name the field and why, never the input.
    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    gender: Gender | None = Field(None, description="Of one gender only; left out: of all")


class FigureGoal(_Goal):
    """At least `at_least` in a count figure (e.g. 50 `new` women)."""

    figure: str
    at_least: Amount

    @field_validator("figure")
    @classmethod
    def _a_count(cls, figure: str) -> str:
        return _one_of(figure, COUNT_FIGURES, "a count figure of the report")


class _ShareGoal(_Goal):
    share: str = Field(description="A key of the report's `shares`, or `reason:CODE`")

    @field_validator("share")
    @classmethod
    def _a_share(cls, share: str) -> str:
        return _one_of(share, GOAL_SHARES, "a share of the report")


class ShareGoal(_ShareGoal):
    """At least `at_least_percent` whole percent in a share."""

    at_least_percent: Percent


class TrendGoal(_ShareGoal):
    """A share higher than the same period's a year earlier."""

    higher_than_previous_year: Literal[True]


def _kind(goal: object) -> str | None:
    keys = goal if isinstance(goal, dict) else vars(goal) if isinstance(goal, _Goal) else {}
    for key in ("figure", "at_least_percent", "higher_than_previous_year"):
        if key in keys:
            return key
    return None


Goal = Annotated[
    Annotated[FigureGoal, Tag("figure")]
    | Annotated[ShareGoal, Tag("at_least_percent")]
    | Annotated[TrendGoal, Tag("higher_than_previous_year")],
    Discriminator(
        _kind,
        custom_error_type="goal_kind",
        custom_error_message="a goal has `figure` and `at_least`, or `share` and "
        "`at_least_percent` or `higher_than_previous_year`",
    ),
]
GOALS = TypeAdapter(list[Goal])


def as_given(goal: _Goal) -> dict:
    """The goal as its JSON is written: what and how much, then the gender (left out when
    of all)."""
    given = goal.model_dump(mode="json", exclude_none=True)
    gender = given.pop("gender", None)
    return given if gender is None else given | {"gender": gender}


def _whole(row: Row, column: str) -> int | None:
    """A count's or a share's value (a whole number: never a mean's)."""
    value = row.of(column)
    assert not isinstance(value, float), row
    return value


def _share(section: Section, share: str, column: str, base: Base) -> int | None:
    if share.startswith(REASON_SHARE):
        if not base.counts_exits:
            return None  # The reasons are not among the breakdowns of this base.
        ended = section.figure(c.ENDED).of(column)
        part = section.breakdown(REASON)[share.removeprefix(REASON_SHARE)].of(column)
        return None if ended is None or part is None else percent(part, ended)
    return _whole(section.share(share), column)


def _outcome(goal: _Goal, report: ReportFigures) -> tuple[int | None, bool | None]:
    column = goal.gender or TOTAL
    if isinstance(goal, FigureGoal):
        count = _whole(report.figure(goal.figure), column)
        return count, None if count is None else count >= goal.at_least
    assert isinstance(goal, _ShareGoal)
    share = _share(report, goal.share, column, report.base)
    if share is None:
        return None, None
    if isinstance(goal, ShareGoal):
        return share, share >= goal.at_least_percent
    before = _share(report.previous_year, goal.share, column, report.base)
    return share, None if before is None else share > before


def goal_results(goals: Sequence[_Goal], report: ReportFigures) -> list[GoalResult]:
    """Each goal as given beside the report's outcome, and whether it met the goal (None
    where the share is of nobody, this year or, for a trend, the year before)."""
    results = []
    for goal in goals:
        outcome, met = _outcome(goal, report)
        results.append(GoalResult(**as_given(goal), outcome=outcome, met=met))
    return results


_NOT_GIVEN = {"insats", "outcome", "met"}
"""What a report adds to a goal as given."""


def hide_hidden_outcomes(published: Sequence[Report]) -> None:
    """Each goal of reports published together read anew from its insats's published
    report, so that it shows no count or share the publishing hid (nothing where that
    report is not among them)."""
    by_insats = {report.insats: report for report in published}
    for report in published:
        for result in report.goals or ():
            of = by_insats.get(result.insats or report.insats)
            given = result.model_dump(exclude_unset=True, exclude=_NOT_GIVEN)
            [goal] = GOALS.validate_python([given])
            result.outcome, result.met = (None, None) if of is None else _outcome(goal, of)
