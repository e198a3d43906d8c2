"""The överblick ("Sammanställning insatser"): every insats's figures side by side with the
whole förbund's, one row per report, read from the reports themselves: a published overview
is read from the published reports and shows nothing they hide.

`SHOWN` and `ECONOMY_SHOWN` are the columns the page and the XLSX sheet show of each row
(the JSON carries every figure and share).
"""

from collections.abc import Callable, Sequence

from services.reporting.domain import contributions as c
from services.reporting.domain.document import GoalsMet, Overview, OverviewRow, Path, Report
from services.reporting.domain.figures import ONGOING_AT_END, PARTICIPANTS
from services.reporting.domain.model import Insats
from shared.contract.codes import OutcomeClass

SHOWN: tuple[Path, ...] = (
    ("figures", PARTICIPANTS),
    ("figures", c.NEW),
    ("figures", c.ENDED),
    ("figures", ONGOING_AT_END),
    ("shares", c.exits(OutcomeClass.POSITIVE)),
    ("shares", c.DIRECT),
    ("shares", c.HEALTH_BETTER),
    ("shares", c.ACTIVITY_INCREASED),
)
"""The figures and shares of a row on the page and the sheet, their totals."""
ECONOMY_SHOWN = ("budget", "costs", "budget_used_percent", "cost_per_participant")
"""The economy of a row on the page and the sheet (`document.Economy`'s fields)."""


def goals_met(report: Report) -> GoalsMet:
    """How many of the report's targets and goals were met, and not met."""
    judged = [result.met for result in (*report.targets, *(report.goals or ()))]
    return GoalsMet(count=len(judged), met=judged.count(True), not_met=judged.count(False))


def _row(report: Report, insats: Insats | None) -> OverviewRow:
    return OverviewRow(
        insats=report.insats,
        name=report.insats_name,
        registration=None if insats is None else insats.registration,
        figures=report.figures,
        shares=report.shares,
        economy=report.economy,
        goals=goals_met(report),
    )


def overview(reports: Sequence[Report], insatser: Sequence[Insats]) -> Overview:
    """The overview of the whole förbund's report (`reports[0]`) and each insats's after it,
    in the order of `insatser`."""
    forbund, *of_insatser = reports
    assert forbund.insats is None and len(of_insatser) == len(insatser)
    made = Overview(
        period=forbund.period,
        insatser=[_row(report, insats) for report, insats in zip(of_insatser, insatser)],
        forbund=_row(forbund, None),
        processed_through=forbund.processed_through,
    )
    if forbund.suppression is not None:
        made.suppression = forbund.suppression
    return made


def readable(overview: Overview, may_read: Callable[[str | None], bool]) -> Overview:
    """The rows of the reports one may read (`may_read(None)`: the whole förbund's)."""
    return overview.model_copy(
        update={
            "insatser": [row for row in overview.insatser if may_read(row.insats)],
            "forbund": overview.forbund if may_read(None) else None,
        }
    )


def overview_json(overview: Overview) -> dict:
    """The overview as the API answers it (`suppression` only when published)."""
    return overview.model_dump(mode="json", by_alias=True, exclude_unset=True)
