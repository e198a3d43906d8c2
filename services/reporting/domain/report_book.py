"""Every report a request needs, made from one read: the figures (`readings.Readings`) and
what the förbund's admins set beside them (targets, goals, budgets and costs), read in the
same transaction. Each scope's figures are built once per version (now, as closed) and
shared: the whole förbund's targets and goals read its insatser's, the workbook and the
published exports every report, the överblick every row.

A new part of the report: read it with the rest (the service layer's `read_book`), hand it
to the book, and add it in `_figures` (of the figures) or `report` (beside them).
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from pydantic import BaseModel

from services.reporting.domain.bases import Counting
from services.reporting.domain.closing import Closing, restatements
from services.reporting.domain.document import (
    ClosingModel,
    Economy,
    GoalResult,
    Report,
    ReportFigures,
    Section,
    Target,
)
from services.reporting.domain.economy import economy, forbund_economy
from services.reporting.domain.goals import Goal, goal_results
from services.reporting.domain.model import Insats
from services.reporting.domain.periods import Period
from services.reporting.domain.readings import Readings
from services.reporting.domain.reports import ProcessedThrough, report_document
from services.reporting.domain.targets import target_results
from shared.contract.codes import Registration

Set = TypeVar("Set")
Result = TypeVar("Result", bound=BaseModel)


@dataclass(frozen=True)
class PeriodMoney:
    """A period's money: the budgets of its year and its months' costs, by insats (of
    those that have any): as they are now, and as the closing of the asked period's last
    month knew them (`closed_costs`; a cost set later restates the report)."""

    budgets: Mapping[str, int]
    costs: Mapping[str, int]
    closed_costs: Mapping[str, int]

    def of(
        self, insats: str | None, section: Section, individual: set[str], as_closed: bool
    ) -> Economy:
        costs = self.closed_costs if as_closed else self.costs
        if insats is not None:
            return economy(self.budgets.get(insats), costs.get(insats, 0), section)
        return forbund_economy(self.budgets, costs, individual, section)

    def restated(self, insats: str | None) -> bool:
        """Whether the scope's costs (None: any insats's) differ from those known as closed."""
        scope = set(self.costs) | set(self.closed_costs) if insats is None else {insats}
        return any(self.costs.get(of, 0) != self.closed_costs.get(of, 0) for of in scope)


@dataclass(frozen=True)
class Settings:
    """What the förbund's admins set, by insats: targets (share: whole percent), goals, and
    the money of the asked period and of the same period a year earlier."""

    targets: Mapping[str, Mapping[str, int]]
    goals: Mapping[str, Sequence[Goal]]
    money: PeriodMoney
    previous_money: PeriodMoney


class ReportBook:
    """The reports of one period from one read: of the insatser `insatser` (in their order)
    and the whole förbund, as far as `readings` holds their figures."""

    def __init__(
        self,
        period: Period,
        readings: Readings,
        insatser: Sequence[Insats],
        settings: Settings,
        processed: ProcessedThrough,
        closed: Closing,
        counting: Counting,
        registered: Sequence[Insats] = (),
    ) -> None:
        """`counting`: whom the breakdowns count and their bands (complete); `registered`:
        every insats registered, as read with the figures (a page lists them)."""
        self.period = period
        self.insatser = list(insatser)
        self.registered = list(registered)
        self._readings = readings
        self._settings = settings
        self._processed = processed
        self._closed = closed
        self._counting = counting
        self._names = {known.insats_id: known.name for known in insatser}
        self._individual = {
            known.insats_id for known in insatser if known.registration == Registration.INDIVID
        }
        self._built: dict[tuple[str | None, bool], ReportFigures] = {}

    def _restated(self, insats: str | None) -> bool:
        settings = self._settings
        return self._closed.recorded and (
            self._readings.restated(insats)
            or settings.money.restated(insats)
            or settings.previous_money.restated(insats)
        )

    def _figures(self, insats: str | None, as_closed: bool) -> ReportFigures:
        """The scope's figures with their economy, built once per version (the same
        document for both when nothing came after the closing)."""
        key = (insats, as_closed and self._restated(insats))
        built = self._built.get(key)
        if built is None:
            readings = self._readings
            sums = readings.as_closed(insats) if key[1] else readings.now(insats)
            name = None if insats is None else self._names[insats]
            built = report_document(
                sums, self.period, insats, name, self._processed, self._counting
            )
            settings = self._settings
            built.economy = settings.money.of(insats, built, self._individual, key[1])
            built.previous_year.economy = settings.previous_money.of(
                insats, built.previous_year, self._individual, key[1]
            )
            self._built[key] = built
        return built

    def report(self, insats: str | None, as_closed: bool = False) -> Report:
        """The report of the insats (None: the whole förbund), with its targets, goals and
        closing; `as_closed`: its figures as the period closed (only when `recorded`)."""
        assert self._closed.recorded or not as_closed
        changes = []
        if self._restated(insats):
            changes = restatements(self._figures(insats, False), self._figures(insats, True))
        return Report(
            **dict(self._figures(insats, as_closed)),
            targets=self._targets(insats, as_closed),
            goals=self._goals(insats, as_closed),
            closing=ClosingModel(
                **self._closed.as_json(),
                as_closed=as_closed,
                restated=bool(changes),
                changes=changes,
            ),
        )

    def every_report(self, as_closed: bool = False) -> list[Report]:
        """The whole förbund's report, then each insats's in order."""
        scopes = [None, *(known.insats_id for known in self.insatser)]
        return [self.report(insats, as_closed) for insats in scopes]

    def _judged(self, insats: str | None) -> list[str]:
        """The insatser whose targets and goals the scope's report lists: its own, or for
        the whole förbund every insats's, in id order."""
        return [insats] if insats is not None else sorted(self._names)

    def _targets(self, insats: str | None, as_closed: bool) -> list[Target]:
        named = self._names
        return self._judge(
            insats,
            as_closed,
            self._settings.targets,
            target_results,
            lambda of: {"insats": of, "insats_name": named[of]},
        )

    def _goals(self, insats: str | None, as_closed: bool) -> list[GoalResult]:
        return self._judge(
            insats, as_closed, self._settings.goals, goal_results, lambda of: {"insats": of}
        )

    def _judge(
        self,
        insats: str | None,
        as_closed: bool,
        set_on: Mapping[str, Set],
        results: Callable[[Set, ReportFigures], list[Result]],
        naming: Callable[[str], dict],
    ) -> list[Result]:
        """What is set on each insats the scope's report judges (`_judged`), each against
        that insats's figures; in the whole förbund's, each result says whose (`naming`)."""
        judged: list[Result] = []
        for of in self._judged(insats):
            given = set_on.get(of)
            if not given:
                continue
            found = results(given, self._figures(of, as_closed))
            if insats is None:
                found = [result.model_copy(update=naming(of)) for result in found]
            judged += found
        return judged
