"""What a report reads before its figures, in one read: how far the figures are processed,
the insatser registered, and what the förbund's admins set for them (targets, goals, the
money of the asked period's window)."""

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from services.reporting.domain.goals import Goal
from services.reporting.domain.model import Insats
from services.reporting.domain.readings import Window
from services.reporting.domain.report_book import PeriodMoney, Settings
from services.reporting.domain.reports import ProcessedThrough


@dataclass(frozen=True)
class DatedCost:
    """An insats's cost of a month as set before the closing of the month `known_by`."""

    insats_id: str
    month: str
    known_by: str
    amount: int


@dataclass(frozen=True)
class ReportContext:
    """Of every insats registered (`insatser`, by id): targets (share: whole percent) and
    goals of those that have any; the budgets of the window's two years (year: insats:
    budget) and the costs of its months, every dated one."""

    processed: ProcessedThrough
    insatser: list[Insats]
    targets: Mapping[str, Mapping[str, int]]
    goals: Mapping[str, Sequence[Goal]]
    window: Window
    budgets: Mapping[int, Mapping[str, int]]
    costs: Sequence[DatedCost]

    def settings(self, insatser: Collection[str], closing: str | None) -> Settings:
        """The targets and goals of the insatser `insatser`, and every insats's money of the
        asked period and of the same period a year earlier; the costs also as the closing
        of the month `closing` knew them (None: as now)."""
        return Settings(
            {insats: self.targets[insats] for insats in insatser if insats in self.targets},
            {insats: self.goals[insats] for insats in insatser if insats in self.goals},
            *self._money(closing),
        )

    def _money(self, closing: str | None) -> tuple[PeriodMoney, PeriodMoney]:
        # Each month's cost now is its latest dated one; as closed, the latest the closing
        # knew (`known_by` up to it): taken in that order, the later overwrite the earlier.
        now: dict[tuple[str, str], int] = {}
        known: dict[tuple[str, str], int] = {}
        for cost in sorted(self.costs, key=lambda cost: cost.known_by):
            now[cost.insats_id, cost.month] = cost.amount
            if closing is None or cost.known_by <= closing:
                known[cost.insats_id, cost.month] = cost.amount
        first = self.window.first
        year, previous_year = self.window.years
        return (
            PeriodMoney(
                self.budgets.get(year, {}), *(_summed(of, first, True) for of in (now, known))
            ),
            PeriodMoney(
                self.budgets.get(previous_year, {}),
                *(_summed(of, first, False) for of in (now, known)),
            ),
        )


def _summed(costs: dict[tuple[str, str], int], first: str, current: bool) -> dict[str, int]:
    """The costs by insats of the asked period (`current`: its months from `first` on) or
    of the same period a year earlier."""
    summed: dict[str, int] = {}
    for (insats_id, month), amount in costs.items():
        if (month >= first) == current:
            summed[insats_id] = summed.get(insats_id, 0) + amount
    return summed
